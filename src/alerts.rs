//! TLS alerts as OpenSSL names them: the long description (`SSL_alert_desc_string_long`, what
//! `curl -v` and s_client's `-msg` print) and the reason string of the error an alert raises
//! (`ssl/ssl_err.c`, what s_client's error line and our reports say). Plain tables.

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

/// OpenSSL 3.0's reason string for a received alert (`SSL_AD_REASON_OFFSET` + description),
/// e.g. "tlsv13 alert certificate required"; `alert N` for one OpenSSL has no text for.
pub fn reason(code: u8) -> String {
    let known = match code {
        10 => "sslv3 alert unexpected message",
        20 => "sslv3 alert bad record mac",
        40 => "sslv3 alert handshake failure",
        42 => "sslv3 alert bad certificate",
        43 => "sslv3 alert unsupported certificate",
        44 => "sslv3 alert certificate revoked",
        45 => "sslv3 alert certificate expired",
        46 => "sslv3 alert certificate unknown",
        47 => "sslv3 alert illegal parameter",
        48 => "tlsv1 alert unknown ca",
        49 => "tlsv1 alert access denied",
        50 => "tlsv1 alert decode error",
        51 => "tlsv1 alert decrypt error",
        70 => "tlsv1 alert protocol version",
        71 => "tlsv1 alert insufficient security",
        80 => "tlsv1 alert internal error",
        90 => "tlsv1 alert user cancelled",
        100 => "tlsv1 alert no renegotiation",
        109 => "tlsv13 alert missing extension",
        110 => "tlsv1 unsupported extension",
        112 => "tlsv1 unrecognized name",
        116 => "tlsv13 alert certificate required",
        120 => "tlsv1 alert no application protocol",
        _ => return format!("alert {code}"),
    };
    known.to_string()
}
