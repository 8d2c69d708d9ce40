//! Date arithmetic for certificate lifetimes and report timestamps: Unix seconds, whole days,
//! RFC 3339. What counts as "soon" is decided in `verdict`.

use openssl::asn1::{Asn1Time, Asn1TimeRef};

const SECONDS_PER_DAY: i64 = 86_400;

/// Seconds since the Unix epoch, now.
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// The current time as RFC 3339 UTC, to the second.
pub fn now_rfc3339() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()
}

/// An RFC 3339 time (as reports write `started_at`) as seconds since the Unix epoch.
pub fn rfc3339_to_unix(text: &str) -> Option<i64> {
    let time = humantime::parse_rfc3339_weak(text.trim()).ok()?;
    let seconds = time.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
    i64::try_from(seconds).ok()
}

/// A certificate date as s_client and reports print it (`Jan  1 00:00:00 2030 GMT`) as
/// seconds since the Unix epoch.
pub fn printed_time_to_unix(text: &str) -> Option<i64> {
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let parts: Vec<&str> = text.split_whitespace().collect();
    let [month, day, clock, year, "GMT"] = parts.as_slice() else { return None };
    let month = MONTHS.iter().position(|m| m == month)? + 1;
    let day: u32 = day.parse().ok()?;
    let clock: Vec<u32> = clock.split(':').map(|p| p.parse().ok()).collect::<Option<_>>()?;
    let [hour, minute, second] = clock.as_slice() else { return None };
    let year: u32 = year.parse().ok()?;
    let generalized = format!("{year:04}{month:02}{day:02}{hour:02}{minute:02}{second:02}Z");
    let time = Asn1Time::from_str(&generalized).ok()?;
    unix_time(&time)
}

/// `YYYY-MM-DD` as the Unix time of that day's start (00:00 UTC); `None` when it is not a date.
pub fn parse_day(text: &str) -> Option<i64> {
    let mut parts = text.trim().splitn(3, '-');
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    if year.len() != 4 || month.len() != 2 || day.len() != 2 {
        return None;
    }
    let (year, month, day): (i64, u32, u32) = (year.parse().ok()?, month.parse().ok()?, day.parse().ok()?);
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => return None,
    };
    if day == 0 || day > days_in_month {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let month_index = i64::from((month + 9) % 12);
    let day_of_year = (153 * month_index + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    Some((era * 146_097 + day_of_era - 719_468) * SECONDS_PER_DAY)
}

/// The time as seconds since the Unix epoch.
pub fn unix_time(time: &Asn1TimeRef) -> Option<i64> {
    let epoch = Asn1Time::from_unix(0).ok()?;
    let diff = epoch.diff(time).ok()?;
    Some(i64::from(diff.days) * SECONDS_PER_DAY + i64::from(diff.secs))
}

/// Whole days from `now` until `not_after`, rounded down (so a certificate expiring in 10
/// hours has 0 days left and an expired one a negative number).
pub fn days_left(not_after: &Asn1TimeRef, now: i64) -> Option<i64> {
    Some(days_between(now, unix_time(not_after)?))
}

/// Whole days from `now` until `not_after` (both Unix seconds), rounded down.
pub fn days_between(now: i64, not_after: i64) -> i64 {
    (not_after - now).div_euclid(SECONDS_PER_DAY)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_parse_as_utc_midnight() {
        assert_eq!(parse_day("1970-01-01"), Some(0));
        assert_eq!(parse_day("2027-01-15"), Some(1_799_971_200));
        assert_eq!(parse_day("2024-02-29"), Some(1_709_164_800));
        for bad in ["2023-02-29", "2027-13-01", "2027-1-5", "15.01.2027", "2027-01-15T00:00"] {
            assert_eq!(parse_day(bad), None, "{bad}");
        }
    }

    #[test]
    fn days_left_rounds_down_and_goes_negative_after_expiry() {
        let now = 1_700_000_000;
        let in_ten_days_and_a_bit = Asn1Time::from_unix(now + 10 * SECONDS_PER_DAY + 3_600).unwrap();
        assert_eq!(days_left(&in_ten_days_and_a_bit, now), Some(10));
        let in_an_hour = Asn1Time::from_unix(now + 3_600).unwrap();
        assert_eq!(days_left(&in_an_hour, now), Some(0));
        let an_hour_ago = Asn1Time::from_unix(now - 3_600).unwrap();
        assert_eq!(days_left(&an_hour_ago, now), Some(-1));
    }

    #[test]
    fn printed_certificate_dates_read_back_as_unix_seconds() {
        assert_eq!(printed_time_to_unix("Nov 14 22:13:20 2023 GMT"), Some(1_700_000_000));
        assert_eq!(printed_time_to_unix("Jan  1 00:00:00 2030 GMT"), Some(1_893_456_000));
        assert_eq!(printed_time_to_unix("Jan 1 2030"), None);
        assert_eq!(printed_time_to_unix("Foo  1 00:00:00 2030 GMT"), None);
    }

    #[test]
    fn rfc3339_reads_back_as_unix_seconds() {
        assert_eq!(rfc3339_to_unix("2023-11-14T22:13:20Z"), Some(1_700_000_000));
        assert_eq!(rfc3339_to_unix("last night"), None);
    }
}
