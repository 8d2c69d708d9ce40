//! Reads an operator's saved `openssl s_client` output (OpenSSL 1.0.2, 1.1.1, 3.0, 3.2+; with or
//! without `-showcerts` / `-msg`; complete or ending in an error) into the facts mtlscheck
//! compares with a live probe ([`Transcript`]). Names are kept as written; they are compared as
//! names later, so the formatting differences between OpenSSL versions never count.

use crate::model::{Transcript, TranscriptNameStyle as NameStyle};
use crate::names::parse_name;

/// Why a transcript cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

/// Lines that end the CA-name list.
const AFTER_CA_NAMES: [&str; 8] = [
    "Client Certificate Types",
    "Requested Signature Algorithms",
    "Shared Requested Signature Algorithms",
    "Peer signing digest",
    "Peer signature type",
    "Server Temp Key",
    "Peer Temp Key",
    "---",
];

pub fn parse(text: &str) -> Result<Transcript, ParseError> {
    let lines: Vec<&str> = text.lines().map(|l| l.trim_end_matches('\r')).collect();
    let recognised = lines.iter().any(|l| {
        l.starts_with("CONNECTED(")
            || *l == "Certificate chain"
            || l.contains(", Cipher is ")
            || *l == "no peer certificate available"
            || l.starts_with("connect:errno=")
    });
    if !recognised {
        let line = lines.iter().position(|l| !l.trim().is_empty()).map_or(1, |i| i + 1);
        return Err(ParseError {
            line,
            message: "this is not `openssl s_client` output (no CONNECTED, Certificate chain or \"Cipher is\" line)"
                .into(),
        });
    }
    let mut t = Transcript::default();
    let mut saw_handshake = false;
    let mut index = 0;
    while index < lines.len() {
        let line = lines[index];
        if line == "Acceptable client certificate CA names" {
            t.cert_requested = Some(true);
            index += 1;
            while index < lines.len() && !AFTER_CA_NAMES.iter().any(|stop| lines[index].starts_with(stop)) {
                let name = lines[index];
                if parse_name(name).is_none() {
                    return Err(ParseError {
                        line: index + 1,
                        message: format!("cannot read {name:?} as a CA name (expected e.g. `C = US, O = Example CA`)"),
                    });
                }
                t.ca_names.push(name.to_string());
                index += 1;
            }
            continue;
        }
        if let Some((subject, issuer)) = chain_entry(line, lines.get(index + 1).copied()) {
            t.chain.push((subject, issuer));
        } else if line.starts_with("Requested Signature Algorithms:")
            || line.starts_with("Client Certificate Types:")
            || (line.starts_with("<<< ") && line.ends_with("CertificateRequest"))
        {
            t.cert_requested = Some(true);
        } else if let Some(rest) = line.strip_prefix("New, ").or_else(|| line.strip_prefix("Reused, ")) {
            if let Some((version, cipher)) = rest.split_once(", Cipher is ") {
                saw_handshake = cipher != "(NONE)";
                if saw_handshake {
                    t.cipher = Some(cipher.to_string());
                }
                if version == "TLSv1.3" && t.protocol.is_none() {
                    t.protocol = Some(version.to_string());
                }
            }
        } else if let Some(rest) = line.trim_start().strip_prefix("Protocol  : ") {
            t.protocol.get_or_insert_with(|| rest.trim().to_string());
        } else if let Some(rest) = line.strip_prefix("Protocol version: ") {
            t.protocol.get_or_insert_with(|| rest.trim().to_string());
        } else if let Some(rest) = line.strip_prefix("Ciphersuite: ") {
            t.cipher.get_or_insert_with(|| rest.trim().to_string());
            saw_handshake = true;
        } else if let Some(rest) = line.trim_start().strip_prefix("Verify return code: ") {
            if t.verify_code.is_none() {
                t.verify_code = rest.split_whitespace().next().and_then(|n| n.parse().ok());
            }
        } else if let Some(length) = sent_certificate_length(line) {
            // An empty Certificate is 7 bytes (TLS 1.2) or 8 (TLS 1.3) with its header.
            t.client_cert_sent = Some(length > 8);
        } else if let Some(alert) = alert_in_error_line(line) {
            t.rejection.get_or_insert(alert);
        }
        index += 1;
    }
    if t.cert_requested.is_none() && (saw_handshake || !t.chain.is_empty()) {
        t.cert_requested = Some(false);
    }
    t.name_style = detect_style(t.chain.iter().map(|(s, _)| s.as_str()).chain(t.ca_names.iter().map(String::as_str)));
    Ok(t)
}

/// ` 0 s:SUBJECT` followed by `   i:ISSUER`.
fn chain_entry(line: &str, next: Option<&str>) -> Option<(String, String)> {
    let (number, subject) = line.split_once(" s:")?;
    number.trim().parse::<u32>().ok()?;
    if number.len() > 3 {
        return None;
    }
    let issuer = next.and_then(|l| l.strip_prefix("   i:")).unwrap_or_default();
    Some((subject.to_string(), issuer.to_string()))
}

/// `>>> TLS 1.3, Handshake [length 03a1], Certificate`: the length of a Certificate we sent.
fn sent_certificate_length(line: &str) -> Option<usize> {
    let rest = line.strip_prefix(">>> ")?;
    if !rest.ends_with(", Certificate") {
        return None;
    }
    let hex = rest.split_once("[length ")?.1.split_once(']')?.0;
    usize::from_str_radix(hex, 16).ok()
}

/// `...:error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:...`
fn alert_in_error_line(line: &str) -> Option<String> {
    let (_, rest) = line.split_once(":error:")?;
    let reason = rest.split(':').nth(3)?;
    reason.contains("alert").then(|| reason.to_string())
}

fn detect_style<'a>(names: impl Iterator<Item = &'a str>) -> NameStyle {
    for name in names {
        if name.starts_with('/') {
            return NameStyle::Slash;
        }
        if name.contains(" = ") {
            return NameStyle::Oneline;
        }
        if name.contains('=') {
            return NameStyle::Compact;
        }
    }
    NameStyle::Oneline
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_that_is_not_s_client_output_is_refused_with_a_line() {
        let err = parse("\n\nhello world\n").unwrap_err();
        assert_eq!(err.line, 3);
    }

    #[test]
    fn a_bad_ca_name_line_is_named() {
        let text = "CONNECTED(00000003)\n---\nAcceptable client certificate CA names\nnot a name\n---\n";
        assert_eq!(parse(text).unwrap_err().line, 4);
    }

    #[test]
    fn error_lines_of_each_version_give_the_alert() {
        let v3 = "40E7EE6BAF7F0000:error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:../ssl/record/rec_layer_s3.c:1601:SSL alert number 116";
        let v111 = "140735:error:14094410:SSL routines:ssl3_read_bytes:sslv3 alert handshake failure:ssl/record/rec_layer_s3.c:1543:SSL alert number 40";
        assert_eq!(alert_in_error_line(v3).as_deref(), Some("tlsv13 alert certificate required"));
        assert_eq!(alert_in_error_line(v111).as_deref(), Some("sslv3 alert handshake failure"));
    }
}
