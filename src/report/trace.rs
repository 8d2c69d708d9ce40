//! The handshake as `curl -v` shows it (`* TLSv1.3 (IN), TLS handshake, Request CERT (13):`),
//! from the messages the probe's message callback recorded.

use crate::alerts;
use crate::model::TlsMessage;

fn version_name(version: i32) -> String {
    match version {
        0x0300 => "SSLv3".into(),
        0x0301 => "TLSv1.0".into(),
        0x0302 => "TLSv1.1".into(),
        0x0303 => "TLSv1.2".into(),
        0x0304 => "TLSv1.3".into(),
        other => format!("Unknown ({other:x})"),
    }
}

/// curl's `ssl_msg_type` names.
fn handshake_name(kind: u8) -> &'static str {
    match kind {
        0 => "Hello request",
        1 => "Client hello",
        2 => "Server hello",
        4 => "Newsession Ticket",
        5 => "End of early data",
        8 => "Encrypted Extensions",
        11 => "Certificate",
        12 => "Server key exchange",
        13 => "Request CERT",
        14 => "Server finished",
        15 => "CERT verify",
        16 => "Client key exchange",
        20 => "Finished",
        22 => "Certificate Status",
        23 => "Supplemental data",
        24 => "Key update",
        67 => "Next protocol",
        254 => "Message hash",
        _ => "Unknown",
    }
}

/// One line per message, in curl's format. curl numbers an alert as `level << 8 | description`
/// (hence its `unknown (628)` for alert 116); the number is kept, the name is the real one.
pub fn curl_style(message: &TlsMessage) -> String {
    let direction = if message.sent { "OUT" } else { "IN" };
    let first = message.head.first().copied().unwrap_or(0);
    let (record, name, number) = match message.content_type {
        20 => ("TLS change cipher", "Change cipher spec".to_string(), i32::from(first)),
        21 => {
            let description = message.head.get(1).copied().unwrap_or(0);
            (
                "TLS alert",
                alerts::description(description).to_string(),
                (i32::from(first) << 8) + i32::from(description),
            )
        }
        22 => ("TLS handshake", handshake_name(first).to_string(), i32::from(first)),
        23 => ("TLS app data", "Application data".to_string(), i32::from(first)),
        _ => ("TLS Unknown", "Unknown".to_string(), i32::from(first)),
    };
    format!("* {} ({direction}), {record}, {name} ({number}):", version_name(message.version))
}

/// The trace of one connection, with a marker where our side of the handshake ended.
pub fn trace_lines(messages: &[TlsMessage], handshake_messages: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for (index, message) in messages.iter().enumerate() {
        if index == handshake_messages && handshake_messages < messages.len() {
            lines.push("* (our handshake is complete; what follows came after it)".to_string());
        }
        lines.push(curl_style(message));
    }
    lines
}
