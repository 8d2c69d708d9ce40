//! TLS alerts as OpenSSL names them: the long description (`SSL_alert_desc_string_long`, what
//! `curl -v` and s_client's `-msg` print) and the reason string of the error an alert raises
//! (`ssl_err.c`, what s_client's error line and our reports say), for every version: OpenSSL
//! 3.2 renamed `sslv3 alert X` to `ssl/tls alert X` and 4.0 to `tls alert X`, so alerts are
//! compared by their number, never by their text. Plain tables.

use crate::style::Style;

/// `SSL_alert_desc_string_long`, with RFC 8446's names for 109 and 116, which OpenSSL 3.0
/// calls "unknown".
pub fn description(code: u8) -> &'static str {
    match code {
        0 => "close notify",
        10 => "unexpected_message",
        20 => "bad record mac",
        21 => "decryption failed",
        22 => "record overflow",
        30 => "decompression failure",
        40 => "handshake failure",
        41 => "no certificate",
        42 => "bad certificate",
        43 => "unsupported certificate",
        44 => "certificate revoked",
        45 => "certificate expired",
        46 => "certificate unknown",
        47 => "illegal parameter",
        48 => "unknown CA",
        49 => "access denied",
        50 => "decode error",
        51 => "decrypt error",
        60 => "export restriction",
        70 => "protocol version",
        71 => "insufficient security",
        80 => "internal error",
        90 => "user canceled",
        100 => "no renegotiation",
        109 => "missing extension",
        110 => "unsupported extension",
        111 => "certificate unobtainable",
        112 => "unrecognized name",
        113 => "bad certificate status response",
        114 => "bad certificate hash value",
        115 => "unknown PSK identity",
        116 => "certificate required",
        120 => "no application protocol",
        _ => "unknown",
    }
}

/// How a reason text starts: the SSLv3-era alerts were renamed in 3.2 and 4.0, the others
/// never were.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Prefix {
    /// `sslv3 alert` (≤3.1, LibreSSL), `ssl/tls alert` (3.2–3.6), `tls alert` (4.0+).
    Renamed,
    /// `tlsv1 alert`.
    Tlsv1Alert,
    /// `tlsv1` without "alert" (the RFC 6066 extension alerts).
    Tlsv1,
    /// `tlsv13 alert`.
    Tlsv13Alert,
}

/// `SSL_R_*` reason texts for received alerts (`SSL_AD_REASON_OFFSET` + description), read from
/// `ssl_err.c` of 1.1.1w, 3.0, 3.2 and 4.0 and checked against each real `openssl errstr`.
const REASONS: &[(u8, Prefix, &str)] = &[
    (10, Prefix::Renamed, "unexpected message"),
    (20, Prefix::Renamed, "bad record mac"),
    (21, Prefix::Tlsv1Alert, "decryption failed"),
    (22, Prefix::Tlsv1Alert, "record overflow"),
    (30, Prefix::Renamed, "decompression failure"),
    (40, Prefix::Renamed, "handshake failure"),
    (41, Prefix::Renamed, "no certificate"),
    (42, Prefix::Renamed, "bad certificate"),
    (43, Prefix::Renamed, "unsupported certificate"),
    (44, Prefix::Renamed, "certificate revoked"),
    (45, Prefix::Renamed, "certificate expired"),
    (46, Prefix::Renamed, "certificate unknown"),
    (47, Prefix::Renamed, "illegal parameter"),
    (48, Prefix::Tlsv1Alert, "unknown ca"),
    (49, Prefix::Tlsv1Alert, "access denied"),
    (50, Prefix::Tlsv1Alert, "decode error"),
    (51, Prefix::Tlsv1Alert, "decrypt error"),
    (60, Prefix::Tlsv1Alert, "export restriction"),
    (70, Prefix::Tlsv1Alert, "protocol version"),
    (71, Prefix::Tlsv1Alert, "insufficient security"),
    (80, Prefix::Tlsv1Alert, "internal error"),
    (86, Prefix::Tlsv1Alert, "inappropriate fallback"),
    (90, Prefix::Tlsv1Alert, "user cancelled"),
    (100, Prefix::Tlsv1Alert, "no renegotiation"),
    (109, Prefix::Tlsv13Alert, "missing extension"),
    (110, Prefix::Tlsv1, "unsupported extension"),
    (111, Prefix::Tlsv1, "certificate unobtainable"),
    (112, Prefix::Tlsv1, "unrecognized name"),
    (113, Prefix::Tlsv1, "bad certificate status response"),
    (114, Prefix::Tlsv1, "bad certificate hash value"),
    (115, Prefix::Tlsv1Alert, "unknown psk identity"),
    (116, Prefix::Tlsv13Alert, "certificate required"),
    (120, Prefix::Tlsv1Alert, "no application protocol"),
];

/// Every prefix any version writes, longest first so `ssl/tls alert` is not read as `tls alert`.
const ALL_PREFIXES: [&str; 6] =
    ["tlsv13 alert ", "tlsv1 alert ", "ssl/tls alert ", "sslv3 alert ", "tls alert ", "tlsv1 "];

/// The reason text of a received alert as `style`'s library writes it, e.g. "tlsv13 alert
/// certificate required", "ssl/tls alert handshake failure"; `reason(1121)` for one it has no
/// text for, as its error line shows.
pub fn reason_in(style: Style, code: u8) -> String {
    let unknown = || format!("reason({})", 1000 + u16::from(code));
    let Some(&(_, prefix, text)) = REASONS.iter().find(|(c, _, _)| *c == code) else {
        return unknown();
    };
    if matches!(code, 115 | 120) && !style.has_newer_alert_texts() {
        return unknown();
    }
    if code == 115 && style.libressl() {
        return "tlsv1 alert unknown psk_identity".into();
    }
    let prefix = match prefix {
        Prefix::Renamed => style.ssl3_alert_prefix(),
        Prefix::Tlsv1Alert => "tlsv1 alert",
        Prefix::Tlsv1 => "tlsv1",
        Prefix::Tlsv13Alert => "tlsv13 alert",
    };
    format!("{prefix} {text}")
}

/// OpenSSL 3.0's reason text (what reports said before styles existed, and what the probe
/// records; render it for a style with [`restyle`]).
pub fn reason(code: u8) -> String {
    reason_in(Style::openssl(3, 0), code)
}

/// The alert number behind any version's reason text (`sslv3 alert handshake failure`,
/// `ssl/tls alert handshake failure`, `tls alert handshake failure` are all 40), an error
/// line's `SSL alert number 40`, or `reason(1040)`.
pub fn code_of(text: &str) -> Option<u8> {
    let text = text.trim();
    if let Some(number) = text.rsplit_once("alert number ").map(|(_, n)| n.trim()) {
        return number.parse().ok();
    }
    if let Some(inner) = text.strip_prefix("reason(").and_then(|t| t.strip_suffix(')')) {
        return inner.parse::<u16>().ok().and_then(|n| n.checked_sub(1000)).and_then(|n| u8::try_from(n).ok());
    }
    if let Some(number) = text.strip_prefix("alert ").and_then(|n| n.parse::<u8>().ok()) {
        return Some(number);
    }
    let meaning = meaning(text);
    let meaning = if meaning == "unknown psk_identity" { "unknown psk identity" } else { meaning };
    REASONS.iter().find(|(_, _, t)| *t == meaning).map(|(code, _, _)| *code)
}

/// The text without its version-dependent prefix: `handshake failure`.
pub fn meaning(text: &str) -> &str {
    let text = text.trim();
    ALL_PREFIXES.iter().find_map(|prefix| text.strip_prefix(prefix)).unwrap_or(text)
}

/// Whether two alert texts (of any versions) name the same alert: by number when both are
/// known, else by the text without its prefix.
pub fn same_alert(a: &str, b: &str) -> bool {
    match (code_of(a), code_of(b)) {
        (Some(x), Some(y)) => x == y,
        _ => meaning(a).eq_ignore_ascii_case(meaning(b)),
    }
}

/// An alert text recorded in any version's words, rewritten in `style`'s; text that names no
/// alert is returned as it is.
pub fn restyle(text: &str, style: Style) -> String {
    match code_of(text) {
        Some(code) => reason_in(style, code),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renamed_alerts_follow_the_version_and_compare_by_number() {
        let v111 = Style::parse("1.1.1").unwrap();
        assert_eq!(reason_in(v111, 40), "sslv3 alert handshake failure");
        assert_eq!(reason_in(Style::openssl(3, 6), 40), "ssl/tls alert handshake failure");
        assert_eq!(reason_in(Style::openssl(4, 0), 40), "tls alert handshake failure");
        assert_eq!(reason_in(Style::openssl(4, 0), 116), "tlsv13 alert certificate required");
        assert_eq!(reason_in(v111, 120), "reason(1120)");
        assert_eq!(reason_in(Style::LIBRESSL, 115), "tlsv1 alert unknown psk_identity");
        assert!(same_alert("sslv3 alert handshake failure", "tls alert handshake failure"));
        assert!(same_alert("ssl/tls alert bad certificate", "alert 42"));
        assert!(!same_alert("sslv3 alert handshake failure", "tlsv1 alert unknown ca"));
        assert_eq!(code_of("SSL alert number 116"), Some(116));
        assert_eq!(code_of("reason(1121)"), Some(121));
        assert_eq!(code_of("tlsv1 unrecognized name"), Some(112));
        assert_eq!(restyle("sslv3 alert bad certificate", Style::openssl(3, 2)), "ssl/tls alert bad certificate");
    }
}
