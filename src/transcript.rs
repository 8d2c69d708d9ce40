//! Reads an operator's saved `openssl s_client` output into the facts mtlscheck compares with
//! a live probe ([`Transcript`]): OpenSSL 1.0.2, 1.1.1, 3.0 to 3.6, 4.0 and LibreSSL; full or
//! `-brief`; with or without `-showcerts` / `-msg`; complete or ending in an error. It also
//! tells which s_client wrote it ([`TranscriptStyle`]), so its names are read in that version's
//! spelling (3.2's unescaped `O=5" Floppy Ltd`, 3.5's `\09`) and the live side can be shown in
//! the same words. Names are kept as written and compared as names later.

use crate::alerts;
use crate::model::{Transcript, TranscriptStyle};
use crate::names::{Spelling, parse_name_as, readings};
use crate::style::Style;

/// Why a transcript cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

/// Lines that end the CA-name list.
const AFTER_CA_NAMES: [&str; 10] = [
    "Client Certificate Types",
    "Requested Signature Algorithms",
    "Shared Requested Signature Algorithms",
    "Peer signing digest",
    "Peer signature type",
    "Server Temp Key",
    "Peer Temp Key",
    "Negotiated TLS1.3 group",
    "---",
    "SSL handshake has read",
];

pub fn parse(text: &str) -> Result<Transcript, ParseError> {
    let lines: Vec<&str> = text.lines().map(|l| l.trim_end_matches('\r')).collect();
    let recognised = lines.iter().any(|l| {
        l.starts_with("CONNECTED(")
            || *l == "Certificate chain"
            || l.contains(", Cipher is ")
            || *l == "no peer certificate available"
            || l.starts_with("connect:errno=")
            || *l == "CONNECTION ESTABLISHED"
            || alert_in_error_line(l).is_some()
    });
    if !recognised {
        let line = lines.iter().position(|l| !l.trim().is_empty()).map_or(1, |i| i + 1);
        return Err(ParseError {
            line,
            message: "this is not `openssl s_client` output (no CONNECTED, Certificate chain, \"Cipher is\", \
                      CONNECTION ESTABLISHED or SSL error line)"
                .into(),
        });
    }
    let mut t = Transcript { shows_ca_names: true, ..Transcript::default() };
    let mut saw_handshake = false;
    // Where each CA name was, for messages.
    let mut ca_name_lines = Vec::new();
    let mut index = 0;
    while index < lines.len() {
        let line = lines[index];
        if line == "Acceptable client certificate CA names" {
            t.cert_requested = Some(true);
            index += 1;
            while index < lines.len() && !AFTER_CA_NAMES.iter().any(|stop| lines[index].starts_with(stop)) {
                t.ca_names.push(lines[index].to_string());
                ca_name_lines.push(index + 1);
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
        } else if line == "CONNECTION ESTABLISHED" {
            t.brief = true;
            saw_handshake = true;
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
        } else if let Some(rest) = line.strip_prefix("Protocol: ").filter(|_| saw_handshake) {
            t.protocol.get_or_insert_with(|| rest.trim().to_string());
        } else if let Some(rest) = line.strip_prefix("Protocol version: ") {
            t.protocol.get_or_insert_with(|| rest.trim().to_string());
        } else if let Some(rest) = line.strip_prefix("Ciphersuite: ") {
            t.cipher.get_or_insert_with(|| rest.trim().to_string());
            saw_handshake = true;
        } else if let Some(rest) = line.strip_prefix("subject=").or_else(|| line.strip_prefix("Peer certificate: ")) {
            t.peer_subject.get_or_insert_with(|| rest.to_string());
        } else if line == "Verification: OK" {
            t.verification_ok.get_or_insert(true);
        } else if line.starts_with("Verification error: ") {
            t.verification_ok.get_or_insert(false);
        } else if let Some(rest) = line.trim_start().strip_prefix("Verify return code: ") {
            if t.verify_code.is_none() {
                t.verify_code = rest.split_whitespace().next().and_then(|n| n.parse().ok());
            }
        } else if let Some(length) = sent_certificate_length(line) {
            // An empty Certificate is 7 bytes (TLS 1.2) or 8 (TLS 1.3) with its header.
            t.client_cert_sent = Some(length > 8);
        } else if let Some(alert) = alert_in_error_line(line)
            && t.rejection.is_none()
        {
            t.rejection_code = alerts::code_of(line).or_else(|| alerts::code_of(&alert));
            t.rejection = Some(alert);
        }
        index += 1;
    }
    t.shows_connection = lines.iter().any(|l| {
        l.starts_with("New, ")
            || l.starts_with("Reused, ")
            || *l == "CONNECTION ESTABLISHED"
            || *l == "Certificate chain"
            || *l == "no peer certificate available"
            || *l == "Acceptable client certificate CA names"
            || *l == "No client certificate CA names sent"
    });
    if t.brief {
        t.shows_ca_names = false;
        // -brief lists the requested algorithms of a request; without them, none came.
        t.cert_requested.get_or_insert(false);
    }
    if t.cert_requested.is_none() && (saw_handshake || !t.chain.is_empty()) {
        t.cert_requested = Some(false);
    }
    if t.verify_code.is_some() {
        t.verification_ok = t.verify_code.map(|code| code == 0);
    }
    t.style = detect_style(&lines, &t);
    let names = t.ca_names.iter().zip(&ca_name_lines);
    for (name, &line) in names {
        let readable = match t.style.spelling {
            Some(spelling) => parse_name_as(name, spelling).is_some() || !readings(name).is_empty(),
            None => !readings(name).is_empty(),
        };
        if !readable {
            return Err(ParseError {
                line,
                message: format!("cannot read {name:?} as a CA name (expected e.g. `C = US, O = Example CA`)"),
            });
        }
    }
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
    (reason.contains("alert") || reason.starts_with("tlsv1 ") || reason.starts_with("reason(1"))
        .then(|| reason.to_string())
}

/// What the lines of a transcript prove about the s_client that wrote it; see the table in
/// vendor-notes.md ("s_client across versions").
#[derive(Default)]
struct Evidence {
    slash_names: bool,
    oneline_names: bool,
    compact_names: bool,
    escaped_names: bool,
    sigalg_lines: bool,
    iana_sigalgs: bool,
    legacy_sigalgs: bool,
    key_lines: bool,
    key_type_names: bool,
    blank_after_subject: bool,
    protocol_line: bool,
    session_line: bool,
    renegotiation_note: bool,
    peer_temp_key: bool,
    iana_peer_signature: bool,
    connecting_line: bool,
    ech: bool,
    libressl_cipher_version: bool,
    alert_prefix: Option<&'static str>,
}

fn gather(lines: &[&str], t: &Transcript) -> Evidence {
    let mut e = Evidence::default();
    let names = t.chain.iter().flat_map(|(s, i)| [s.as_str(), i.as_str()]).chain(t.ca_names.iter().map(String::as_str));
    let names = names.chain(t.peer_subject.as_deref());
    for name in names.filter(|n| !n.is_empty()) {
        if name.starts_with('/') {
            e.slash_names = true;
        } else if name.contains(" = ") {
            e.oneline_names = true;
        } else if name.contains('=') {
            e.compact_names = true;
            e.escaped_names |= name.contains("\\\\") || has_hex_escape(name);
        }
    }
    for (index, line) in lines.iter().enumerate() {
        if line.starts_with("Requested Signature Algorithms: ") || line.starts_with("Peer signing digest: ") {
            e.sigalg_lines = true;
        }
        if let Some(list) = line.strip_prefix("Requested Signature Algorithms: ") {
            e.iana_sigalgs |= list.split(':').any(|s| s.starts_with("rsa_pkcs1_") || s.starts_with("ecdsa_secp"));
            e.legacy_sigalgs |= list.split(':').any(|s| matches!(s, "Ed25519" | "Ed448"));
        }
        if let Some(kind) = line.strip_prefix("Peer signature type: ").or_else(|| line.strip_prefix("Signature type: "))
        {
            e.iana_peer_signature |= kind.contains('_');
        }
        if let Some(key) = line.strip_prefix("   a:PKEY: ") {
            e.key_lines = true;
            e.key_type_names |= !(key.starts_with("rsaEncryption")
                || key.starts_with("id-ecPublicKey")
                || key.starts_with("RSASSA-PSS")
                || key.starts_with("ED25519, 253")
                || key.starts_with("ED448, 456")
                || key.starts_with("dsaEncryption"));
        }
        if line.starts_with("subject=") && lines.get(index + 1).is_some_and(|next| next.is_empty()) {
            e.blank_after_subject = true;
        }
        e.protocol_line |= line.starts_with("Protocol: ");
        e.session_line |= line.starts_with("New, ") || line.starts_with("Reused, ");
        e.renegotiation_note |= *line == "This TLS version forbids renegotiation.";
        e.peer_temp_key |= line.starts_with("Peer Temp Key: ") || line.starts_with("Negotiated TLS1.3 group");
        e.connecting_line |= line.starts_with("Connecting to ");
        e.ech |= line.starts_with("ECH: ");
        e.libressl_cipher_version |= line.starts_with("New, TLSv1/SSLv3, ");
    }
    e.alert_prefix = t.rejection.as_deref().and_then(|text| {
        ["ssl/tls alert ", "sslv3 alert ", "tls alert "].into_iter().find(|prefix| text.starts_with(prefix))
    });
    e
}

/// `\09`-style escapes (3.5+): a backslash and two hex digits.
fn has_hex_escape(name: &str) -> bool {
    let bytes = name.as_bytes();
    bytes.windows(3).any(|w| w[0] == b'\\' && w[1].is_ascii_hexdigit() && w[2].is_ascii_hexdigit())
}

fn detect_style(lines: &[&str], t: &Transcript) -> TranscriptStyle {
    let e = gather(lines, t);
    let style = |label: &str, like: Option<Style>, spelling: Option<Spelling>| TranscriptStyle {
        label: label.to_string(),
        like,
        spelling,
    };
    // A transcript whose full block (or -brief block) is missing proves only a lower bound.
    let bounded = |label: &str| if e.session_line || t.brief { label.to_string() } else { format!("{label}+") };
    let openssl = |major, minor| Some(Style::openssl(major, minor));
    if e.slash_names || e.libressl_cipher_version {
        return if e.sigalg_lines {
            style("1.0.2", None, Some(Spelling::Slash))
        } else {
            style("libressl", Some(Style::LIBRESSL), Some(Spelling::Slash))
        };
    }
    let after_3_2 = e.compact_names
        || e.renegotiation_note
        || e.connecting_line
        || e.protocol_line
        || e.peer_temp_key
        || e.ech
        || matches!(e.alert_prefix, Some("ssl/tls alert " | "tls alert "));
    // Names given with -nameopt in another spelling than the version's default.
    let spelling_for = |default: Spelling| {
        let consistent = match default {
            Spelling::Oneline => !e.compact_names,
            _ => !e.oneline_names,
        };
        consistent.then_some(default)
    };
    if after_3_2 {
        let escaped = spelling_for(Spelling::CompactEscaped);
        if e.ech || e.iana_sigalgs || e.alert_prefix == Some("tls alert ") {
            return style("4.0", openssl(4, 0), escaped);
        }
        if e.peer_temp_key || e.key_type_names || e.iana_peer_signature {
            return style(&bounded("3.5"), openssl(3, 5), escaped);
        }
        if e.protocol_line {
            let spelling = if e.escaped_names { escaped } else { None };
            return style(&bounded("3.4"), openssl(3, 4), spelling);
        }
        let spelling = if e.escaped_names { spelling_for(Spelling::CompactEscaped) } else { None };
        let spelling =
            spelling.or_else(|| (!e.escaped_names).then_some(Spelling::Compact).filter(|_| !e.oneline_names));
        return style(&bounded("3.2"), openssl(3, 2), spelling);
    }
    let oneline = spelling_for(Spelling::Oneline);
    if e.key_lines {
        return style(&bounded("3.0"), openssl(3, 0), oneline);
    }
    let shows_chain_without_keys = !t.chain.is_empty() && e.session_line;
    if e.blank_after_subject || shows_chain_without_keys || (t.brief && e.legacy_sigalgs) {
        return style("1.1.1", Some(Style::OPENSSL_1_1_1), oneline);
    }
    style("1.1.1+", Some(Style::OPENSSL_1_1_1), oneline)
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
        let only_error = parse(&format!("Connecting to 127.0.0.1\n{}\n", v111.replace("sslv3", "tls"))).unwrap();
        assert_eq!(only_error.rejection_code, Some(40));
        assert_eq!(only_error.style.label, "4.0");
    }

    #[test]
    fn a_lone_quote_in_a_3_2_name_stays_in_its_value() {
        let text = "CONNECTED(00000003)\n---\nAcceptable client certificate CA names\nO=5\" Floppy Ltd, CN=Drive CA\n---\nNew, TLSv1.3, Cipher is TLS_AES_256_GCM_SHA384\nThis TLS version forbids renegotiation.\n";
        let t = parse(text).unwrap();
        assert_eq!(t.style.label, "3.2");
        assert_eq!(t.style.spelling, Some(Spelling::Compact));
    }
}
