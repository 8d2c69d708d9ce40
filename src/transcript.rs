//! Reads an operator's saved `openssl s_client` output (OpenSSL 1.0.2, 1.1.1, 3.0, 3.2+; with or
//! without `-showcerts` / `-msg`; complete or ending in an error) into the facts mtlscheck
//! compares with a live probe. Names are kept as written and parsed into attributes, so the
//! formatting differences between OpenSSL versions never count as differences.

use std::fmt;

/// What the transcript says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Transcript {
    pub protocol: Option<String>,
    pub cipher: Option<String>,
    pub verify_code: Option<i64>,
    /// `(subject, issuer)` for each certificate under "Certificate chain", as written.
    pub chain: Vec<(String, String)>,
    /// Whether the server asked for a client certificate: `Acceptable client certificate CA
    /// names`, `Requested Signature Algorithms`, `Client Certificate Types` or a `-msg`
    /// CertificateRequest. `None` when the handshake never got far enough to tell.
    pub cert_requested: Option<bool>,
    pub ca_names: Vec<String>,
    /// The alert text of an OpenSSL error line, e.g. "tlsv13 alert certificate required".
    pub rejection: Option<String>,
    /// Which OpenSSL name style the transcript uses.
    pub name_style: NameStyle,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum NameStyle {
    /// `C = US, O = Example` (OpenSSL 1.1.1 to 3.1).
    #[default]
    Oneline,
    /// `C=US, O=Example` (OpenSSL 3.2+).
    Compact,
    /// `/C=US/O=Example` (OpenSSL 1.0.2).
    Slash,
}

/// Why a transcript cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for ParseError {}

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

/// A name written by any s_client version, as `(attribute, value)` pairs with escapes undone:
/// `C = US, O = "Other Org, Inc.", CN = Z\C3\BCrich` (1.1.1–3.1), `C=US, O=...` (3.2+),
/// `/C=US/O=...` (1.0.2). `None` if it is not a name.
pub fn parse_name(text: &str) -> Option<Vec<(String, String)>> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let (parts, separator) = match text.strip_prefix('/') {
        Some(slashed) => (slashed.split('/').map(str::to_string).collect(), "/"),
        None => (split_unquoted(text), ", "),
    };
    // Without escaping (1.0.2's slashes, 3.2's unescaped commas) a value may contain the
    // separator: a piece without `=` continues the previous value.
    let mut joined: Vec<String> = Vec::new();
    for part in parts {
        match joined.last_mut() {
            Some(previous) if !part.contains('=') => {
                previous.push_str(separator);
                previous.push_str(&part);
            }
            _ => joined.push(part),
        }
    }
    let parts = joined;
    let mut entries = Vec::new();
    for part in parts {
        // Multi-valued RDNs are printed with " + " (or "+") between attributes.
        for attribute in part.split(" + ") {
            let (field, value) = attribute.split_once('=')?;
            let field = field.trim();
            if field.is_empty() || !field.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-') {
                return None;
            }
            entries.push((field.to_string(), unescape(value.trim())));
        }
    }
    Some(entries)
}

/// Splits on `,` outside double quotes and not escaped.
fn split_unquoted(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                current.push(c);
                if let Some(next) = chars.next() {
                    current.push(next);
                }
            }
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            ',' if !quoted => parts.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    parts.push(current);
    parts.into_iter().map(|p| p.trim().to_string()).collect()
}

/// Undoes RFC 2253 escaping as OpenSSL prints it: surrounding quotes, `\,`-style escapes and
/// `\C3\BC` hex bytes (decoded as UTF-8).
fn unescape(value: &str) -> String {
    let value = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(value);
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        // OpenSSL 1.0.2's X509_NAME_oneline writes non-ASCII bytes as `\xC3`.
        if bytes[i] == b'\\' && bytes.get(i + 1) == Some(&b'x') {
            let hex = bytes.get(i + 2..i + 4).and_then(|h| std::str::from_utf8(h).ok());
            if let Some(byte) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(byte);
                i += 4;
                continue;
            }
        }
        if bytes[i] == b'\\' && i + 1 < bytes.len() {
            let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
            if let Some(byte) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(byte);
                i += 3;
            } else {
                out.push(bytes[i + 1]);
                i += 2;
            }
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A name reduced for comparison: attribute names upper-cased, values case-folded with runs of
/// spaces collapsed (what OpenSSL's canonical name encoding ignores too).
pub fn canonical(entries: &[(String, String)]) -> Vec<(String, String)> {
    entries
        .iter()
        .map(|(field, value)| {
            let field = match field.to_ascii_uppercase().as_str() {
                "EMAIL" | "EMAILADDRESS" => "EMAILADDRESS".to_string(),
                other => other.to_string(),
            };
            let value = value.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
            (field, value)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(text: &str) -> Vec<(String, String)> {
        canonical(&parse_name(text).unwrap())
    }

    #[test]
    fn the_three_openssl_name_styles_are_the_same_name() {
        let oneline = canon(r#"C = CH, O = "Z\C3\BCrich Partner, AG", CN = Lab Client CA"#);
        let compact = canon("C=CH, O=Zürich Partner, AG, CN=Lab Client CA");
        let slash = canon("/C=CH/O=Z\\xC3\\xBCrich Partner, AG/CN=Lab Client CA");
        assert_eq!(oneline, compact);
        assert_eq!(oneline, slash);
        assert_eq!(oneline[1].1, "zürich partner, ag");
    }

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
