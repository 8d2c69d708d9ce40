//! Days until a certificate expires, and the warnings for certificates that expire soon (the
//! server's leaf and our client certificate), raised whether or not the check expects anything.

use openssl::asn1::{Asn1Time, Asn1TimeRef};
use serde::{Deserialize, Serialize};

use crate::verdict::CheckResult;

const SECONDS_PER_DAY: i64 = 86_400;

/// One certificate that expires within the warning window (or has expired).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    /// `server_cert_expiry` or `client_cert_expiry`.
    pub kind: String,
    pub subject: String,
    /// As s_client prints it, e.g. `Jan  1 00:00:00 2030 GMT`.
    pub not_after: String,
    /// Negative once expired.
    pub days_left: i64,
    pub message: String,
}

/// Seconds since the Unix epoch, now.
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
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

fn describe(whose: &str, subject: &str, not_after: &str, days_left: i64) -> String {
    match days_left {
        d if d < 0 => format!("{whose} ({subject}) expired {} days ago ({not_after})", -d),
        0 => format!("{whose} ({subject}) expires within a day ({not_after})"),
        1 => format!("{whose} ({subject}) expires in 1 day ({not_after})"),
        d => format!("{whose} ({subject}) expires in {d} days ({not_after})"),
    }
}

/// Warnings for the server's leaf and our certificate expiring within `warn_days`.
pub fn warnings(result: &CheckResult, warn_days: u32) -> Vec<Warning> {
    let mut out = Vec::new();
    let window = i64::from(warn_days);
    let leaf = result.peer_chain.first();
    if let (Some(days), Some(leaf)) = (result.server_cert_days_left, leaf)
        && days < window
    {
        let not_after = leaf.not_after.clone().unwrap_or_default();
        out.push(Warning {
            kind: "server_cert_expiry".into(),
            message: describe("the server's certificate", &leaf.subject, &not_after, days),
            subject: leaf.subject.clone(),
            not_after,
            days_left: days,
        });
    }
    if let (Some(days), Some(subject)) = (result.client_cert_days_left, &result.client_cert_subject)
        && days < window
    {
        let not_after = result.client_cert_not_after.clone().unwrap_or_default();
        out.push(Warning {
            kind: "client_cert_expiry".into(),
            message: describe("our client certificate", subject, &not_after, days),
            subject: subject.clone(),
            not_after,
            days_left: days,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn messages_say_how_long_is_left() {
        assert!(describe("x", "CN = a", "t", 12).ends_with("expires in 12 days (t)"));
        assert!(describe("x", "CN = a", "t", -3).contains("expired 3 days ago"));
    }
}
