//! s_client's `print_stuff` for one connection, as the s_client of a chosen version prints it
//! (OpenSSL 1.1.1 to 4.0, or LibreSSL's layout), without the lines that change from run to run.
//! Every version difference is a question to [`Style`]; the facts come from `HandshakeInfo`.

use crate::model::HandshakeInfo;
use crate::names::NameStyle;
use crate::style::Style;

/// Lines of `SSL_SESSION_print` that differ on every connection.
const VOLATILE_SESSION_PREFIXES: [&str; 5] =
    ["    Session-ID: ", "    Master-Key: ", "    Resumption PSK: ", "    Start Time: ", "    TLS session ticket:"];

/// Whether a line of s_client output changes from run to run (or depends on timing), so that
/// neither s_client's nor our output is compared on it.
pub fn is_volatile_line(line: &str) -> bool {
    line.starts_with("CONNECTED(")
        || line.starts_with("SSL handshake has read ")
        || VOLATILE_SESSION_PREFIXES.iter().any(|p| line.starts_with(p))
        || is_hex_dump_line(line)
}

fn is_hex_dump_line(line: &str) -> bool {
    // "    0000 - 2d a2 31 ..." in the ticket dump.
    let trimmed = line.trim_start();
    line.starts_with("    ")
        && trimmed.len() > 7
        && trimmed[..4].chars().all(|c| c.is_ascii_hexdigit())
        && &trimmed[4..7] == " - "
}

/// How one connection is shown.
#[derive(Debug, Clone, Copy)]
pub struct View {
    /// Whose s_client to imitate.
    pub like: Style,
    /// How names are printed (`-nameopt`, or `like`'s default).
    pub names: NameStyle,
    /// s_client's `-showcerts`: every chain certificate as PEM, none under "Server certificate".
    pub showcerts: bool,
}

/// s_client's `print_stuff` for one connection, without the volatile lines.
pub fn s_client_lines(info: &HandshakeInfo, view: View) -> Vec<String> {
    let style = view.like;
    let name = |dn: &crate::names::DistinguishedName| dn.text(view.names);
    let mut out = Vec::new();
    if !info.peer_chain.is_empty() {
        out.push("---".into());
        out.push("Certificate chain".into());
        for (index, cert) in info.peer_chain.iter().enumerate() {
            out.push(format!("{index:2} s:{}", name(&cert.subject)));
            out.push(format!("   i:{}", name(&cert.issuer)));
            out.extend(cert.key_line(style));
            if style.chain_key_lines() {
                out.push(format!("   v:NotBefore: {}; NotAfter: {}", cert.not_before, cert.not_after));
            }
            if view.showcerts {
                out.extend(cert.pem.lines().map(str::to_string));
            }
        }
    }
    out.push("---".into());
    match &info.server_cert {
        Some(cert) => {
            out.push("Server certificate".into());
            if !view.showcerts || info.peer_chain.is_empty() {
                out.extend(cert.pem.lines().map(str::to_string));
            }
            out.push(format!("subject={}", name(&cert.subject)));
            if style.blank_after_cert_names() {
                out.push(String::new());
            }
            out.push(format!("issuer={}", name(&cert.issuer)));
            if style.blank_after_cert_names() {
                out.push(String::new());
            }
        }
        None => out.push("no peer certificate available".into()),
    }
    out.push("---".into());
    if info.ca_names.is_empty() {
        out.push("No client certificate CA names sent".into());
    } else {
        out.push("Acceptable client certificate CA names".into());
        out.extend(info.ca_names.iter().map(name));
    }
    if style.sigalg_lines() {
        out.extend(sigalg_lines(info, style));
    }
    out.extend(info.key_exchange_line(style));
    out.push("---".into());
    if style.verification_line() {
        if info.verify_code == 0 {
            out.push("Verification: OK".into());
        } else {
            out.push(format!("Verification error: {}", info.verify_text(style)));
        }
    }
    out.push("---".into());
    let cipher = info.cipher.as_deref().unwrap_or("(NONE)");
    let cipher_version = style.cipher_version(info.cipher_version.as_deref().unwrap_or("(NONE)"));
    out.push(format!("New, {cipher_version}, Cipher is {cipher}"));
    if style.protocol_line() {
        out.push(format!("Protocol: {}", info.version));
    }
    if let Some(bits) = info.server_public_key_bits {
        out.push(format!("Server public key is {bits} bit"));
    }
    if info.tls13_branch && style.tls13_renegotiation_note() {
        out.push("This TLS version forbids renegotiation.".into());
    } else {
        let renegotiation = if info.secure_renegotiation { "IS" } else { "IS NOT" };
        out.push(format!("Secure Renegotiation {renegotiation} supported"));
    }
    out.push("Compression: NONE".into());
    out.push("Expansion: NONE".into());
    match &info.alpn {
        Some(protocol) => out.push(format!("ALPN protocol: {protocol}")),
        None => out.push("No ALPN negotiated".into()),
    }
    if info.tls13_branch && style.tls13_early_data_lines() {
        out.push("Early data was not sent".into());
        out.push(format!("Verify return code: {} ({})", info.verify_code, info.verify_text(style)));
    } else if style.openssl_session_block() {
        if let Some(session) = &info.session_text {
            out.extend(session.lines().filter(|l| !is_volatile_line(l)).map(|line| session_line(line, info, style)));
        }
    } else if info.cipher.is_some() {
        out.extend(libressl_session(info, style));
    }
    out.push("---".into());
    if style.ech_block() {
        // ECH is compiled into 4.0 and reported for every connection; mtlscheck configures none.
        out.push("ECH: NOT CONFIGURED: -103".into());
        out.push("---".into());
    }
    out
}

/// The block `ssl_print_sigalgs` writes for a client.
fn sigalg_lines(info: &HandshakeInfo, style: Style) -> Vec<String> {
    let mut out = Vec::new();
    let types = info.client_cert_type_names();
    if !types.is_empty() {
        out.push(format!("Client Certificate Types: {}", types.join(", ")));
    }
    let requested = info.requested_sigalg_texts(style);
    if !requested.is_empty() {
        out.push(format!("Requested Signature Algorithms: {}", requested.join(":")));
    }
    let shared = info.shared_sigalg_texts(style);
    if !shared.is_empty() {
        out.push(format!("Shared Requested Signature Algorithms: {}", shared.join(":")));
    }
    if let Some(digest) = &info.peer_signing_digest {
        out.push(format!("Peer signing digest: {digest}"));
    }
    if let Some(kind) = info.peer_signature_type(style) {
        out.push(format!("Peer signature type: {kind}"));
    }
    out
}

/// One line of the linked library's `SSL_SESSION_print`, with the verification text in
/// `style`'s words (the rest of the block reads the same from 1.1.1 to 4.0).
fn session_line(line: &str, info: &HandshakeInfo, style: Style) -> String {
    if line.starts_with("    Verify return code: ") {
        format!("    Verify return code: {} ({})", info.verify_code, info.verify_text(style))
    } else {
        line.to_string()
    }
}

/// LibreSSL's `SSL_SESSION_print`, printed for every protocol, without its volatile lines (and
/// without the ticket and timeout lines, whose values LibreSSL's client was not seen to print:
/// reconstructed from its source, see vendor-notes.md).
fn libressl_session(info: &HandshakeInfo, style: Style) -> Vec<String> {
    vec![
        "SSL-Session:".into(),
        format!("    Protocol  : {}", info.version),
        format!("    Cipher    : {}", info.cipher.as_deref().unwrap_or("(NONE)")),
        "    Session-ID-ctx: ".into(),
        format!("    Verify return code: {} ({})", info.verify_code, info.verify_text(style)),
    ]
}
