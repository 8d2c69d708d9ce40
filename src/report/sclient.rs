//! `mtlscheck probe`'s view: what `openssl s_client` (of the linked OpenSSL, 3.0 format) prints
//! for the same connection, line for line, then mtlscheck's verdict, which s_client lacks.
//! Values that change from run to run (byte counts, session ids, keys, tickets, times) are left
//! out rather than printed differently.

use super::exporter::Exporter;
use super::summary::NONE_SENT;
use super::trace::trace_lines;
use crate::model::{
    AttemptReport, CheckResult, ClientAuth, ClientStack, EnforcedAt, ExpectationField, HandshakeInfo, HandshakeState,
    Report, Stage, Verification, WithCert,
};
use crate::names::NameStyle;

#[derive(Default)]
pub struct SClientExporter {
    /// Also print the handshake message flow in `curl -v` style.
    pub trace: bool,
    /// How names are printed (s_client's `-nameopt`).
    pub style: NameStyle,
    /// Also print one client stack's reasoning step by step.
    pub explain: Option<ClientStack>,
}

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

/// s_client's `print_stuff` for one connection, without the volatile lines.
pub fn s_client_lines(info: &HandshakeInfo, style: NameStyle) -> Vec<String> {
    let mut out = Vec::new();
    if !info.peer_chain.is_empty() {
        out.push("---".into());
        out.push("Certificate chain".into());
        for (index, cert) in info.peer_chain.iter().enumerate() {
            out.push(format!("{index:2} s:{}", cert.subject.text(style)));
            out.push(format!("   i:{}", cert.issuer.text(style)));
            out.push(format!(
                "   a:PKEY: {}, {} (bit); sigalg: {}",
                cert.key_type, cert.key_bits, cert.signature_algorithm
            ));
            out.push(format!("   v:NotBefore: {}; NotAfter: {}", cert.not_before, cert.not_after));
        }
    }
    out.push("---".into());
    match (&info.server_cert, &info.server_cert_pem) {
        (Some(cert), pem) => {
            out.push("Server certificate".into());
            if let Some(pem) = pem {
                out.extend(pem.lines().map(str::to_string));
            }
            out.push(format!("subject={}", cert.subject.text(style)));
            out.push(format!("issuer={}", cert.issuer.text(style)));
        }
        (None, _) => out.push("no peer certificate available".into()),
    }
    out.push("---".into());
    if info.ca_names.is_empty() {
        out.push("No client certificate CA names sent".into());
    } else {
        out.push("Acceptable client certificate CA names".into());
        out.extend(info.ca_names.iter().map(|n| n.text(style)));
    }
    if !info.client_cert_types.is_empty() {
        out.push(format!("Client Certificate Types: {}", info.client_cert_types.join(", ")));
    }
    if !info.requested_sigalgs.is_empty() {
        out.push(format!("Requested Signature Algorithms: {}", info.requested_sigalgs.join(":")));
    }
    if !info.shared_sigalgs.is_empty() {
        out.push(format!("Shared Requested Signature Algorithms: {}", info.shared_sigalgs.join(":")));
    }
    if let Some(digest) = &info.peer_signing_digest {
        out.push(format!("Peer signing digest: {digest}"));
    }
    if let Some(kind) = &info.peer_signature_type {
        out.push(format!("Peer signature type: {kind}"));
    }
    if let Some(key) = &info.server_temp_key {
        out.push(format!("Server Temp Key: {key}"));
    }
    out.push("---".into());
    if info.verify_code == 0 {
        out.push("Verification: OK".into());
    } else {
        out.push(format!("Verification error: {}", info.verify_error));
    }
    out.push("---".into());
    let cipher = info.cipher.as_deref().unwrap_or("(NONE)");
    let cipher_version = info.cipher_version.as_deref().unwrap_or("(NONE)");
    out.push(format!("New, {cipher_version}, Cipher is {cipher}"));
    if let Some(bits) = info.server_public_key_bits {
        out.push(format!("Server public key is {bits} bit"));
    }
    let renegotiation = if info.secure_renegotiation { "IS" } else { "IS NOT" };
    out.push(format!("Secure Renegotiation {renegotiation} supported"));
    out.push("Compression: NONE".into());
    out.push("Expansion: NONE".into());
    match &info.alpn {
        Some(protocol) => out.push(format!("ALPN protocol: {protocol}")),
        None => out.push("No ALPN negotiated".into()),
    }
    if info.tls13_branch {
        out.push("Early data was not sent".into());
        out.push(format!("Verify return code: {} ({})", info.verify_code, info.verify_error));
    } else if let Some(session) = &info.session_text {
        out.extend(session.lines().filter(|l| !is_volatile_line(l)).map(str::to_string));
    }
    out.push("---".into());
    out
}

fn verdict_lines(r: &CheckResult, explain: Option<ClientStack>) -> Vec<String> {
    let mut out = vec!["mtlscheck verdict".to_string()];
    let auth = match r.client_auth {
        ClientAuth::None => "1-way TLS: the server did not ask for a client certificate".to_string(),
        ClientAuth::Optional => {
            "2-way TLS, optional: asked for a certificate, accepted the connection without one".into()
        }
        ClientAuth::Required if r.enforced_at == Some(EnforcedAt::Http) => format!(
            "2-way TLS, required at the HTTP layer: the handshake completed without a certificate, the request got {}",
            r.without_cert.http_status_line.as_deref().unwrap_or("an error")
        ),
        ClientAuth::Required if r.enforced_at == Some(EnforcedAt::Postgres) => format!(
            "2-way TLS, required by PostgreSQL (pg_hba clientcert): the handshake completed without a certificate, \
             the startup message got {}",
            r.without_cert.postgres_reply.as_deref().unwrap_or("an error")
        ),
        ClientAuth::Required => {
            let when = match r.rejection_stage {
                Some(Stage::AfterHandshake) => "after the handshake (TLS 1.3)",
                _ => "during the handshake",
            };
            format!("2-way TLS, required: refused the connection without a certificate {when}")
        }
        ClientAuth::PostHandshake => {
            let enforcement = match r.enforced_at {
                Some(EnforcedAt::Http) => "refused the request without one",
                Some(_) => "refused the connection without one",
                None => "accepted the request without one",
            };
            format!(
                "2-way TLS after the handshake: asked for a certificate only while answering the request \
                 (renegotiation or TLS 1.3 post-handshake auth), {enforcement}"
            )
        }
        ClientAuth::Error => format!("error: {}", r.error.as_deref().unwrap_or("unknown")),
    };
    out.push(format!("Client authentication: {auth}"));
    let names = match (r.cert_requested, r.ca_names.len()) {
        (false, _) if r.client_auth == ClientAuth::Error => "unknown (the endpoint could not be probed)".to_string(),
        (false, _) => "not requested".to_string(),
        (true, 0) => NONE_SENT.to_string(),
        (true, n) => format!("{n} sent"),
    };
    out.push(format!("CA names: {names}"));
    out.push(format!("Without certificate: {}", attempt_summary(&r.without_cert)));
    for problem in r.expectations.iter().filter(|e| e.field == ExpectationField::Credentials) {
        let who = problem.identity.as_ref().map(|n| format!("identity '{n}'")).unwrap_or("our certificate".into());
        out.push(format!("Credentials ({who}): cannot be used: {}", problem.detail.as_deref().unwrap_or("-")));
    }
    if r.identities.is_empty() && r.client_cert_subject.is_some() {
        out.push(format!("With our certificate: {}", attempt_summary(&r.with_cert)));
        out.push(format!(
            "Our CA listed: {}",
            listed(r.ca_name_match, r.matched_ca_name.as_deref(), r.client_cert_issuer.as_deref())
        ));
    }
    for identity in &r.identities {
        out.push(format!("With identity '{}': {}", identity.name, attempt_summary(&identity.with_cert)));
        out.push(format!(
            "  expected today: {}; our CA listed: {}",
            identity.expected,
            listed(identity.ca_name_match, identity.matched_ca_name.as_deref(), identity.client_cert_issuer.as_deref())
        ));
    }
    if let Some(stacks) = &r.client_stacks {
        out.push("Client stacks (would they send our certificate?):".into());
        for (name, prediction) in stacks {
            let ours = if *name == r.client { " (our client)" } else { "" };
            out.push(format!("  {name}{ours}: {} — {}", prediction.outcome.as_str(), prediction.reason));
        }
        if let Some(stack) = explain
            && let Some(prediction) = stacks.get(stack.as_str())
        {
            out.push(format!("How {} decides:", stack.as_str()));
            out.extend(prediction.steps.iter().map(|step| format!("  {step}")));
        }
    } else if let Some(stack) = explain {
        out.push(format!(
            "How {} decides: no certificate was requested (or we have none), nothing to decide",
            stack.as_str()
        ));
    }
    if let Some(impostor) = &r.impostor {
        out.push(format!("Impostor (a certificate forged at run time): {}", attempt_summary(impostor)));
        let verdict = match r.client_cert_verification {
            Verification::None => "NONE: the partner accepts a certificate nobody issued",
            Verification::Verified => "verified: the partner refused the forged certificate",
            _ => "unknown",
        };
        out.push(format!("Client certificate verification: {verdict}"));
    }
    out.push("---".into());
    out
}

/// Whether our issuer is among the server's CA names (OpenSSL's comparison).
fn listed(matched: Option<bool>, name: Option<&str>, issuer: Option<&str>) -> String {
    match (matched, name) {
        (Some(true), Some(name)) => format!("yes, as {name}"),
        (Some(false), _) => format!(
            "NO: {} is not among the server's CA names (OpenSSL's comparison; what each client does is below)",
            issuer.unwrap_or("our issuer")
        ),
        _ => "n/a (no CA names to match)".to_string(),
    }
}

fn attempt_summary(a: &AttemptReport) -> String {
    let how =
        a.decided_by.as_ref().map(|d| format!(" (decided by: {})", d.as_str().replace('_', " "))).unwrap_or_default();
    match (&a.handshake, a.accepted) {
        (HandshakeState::Skipped, _) => {
            format!("skipped{}", a.error.as_deref().map(|e| format!(": {e}")).unwrap_or_default())
        }
        (_, Some(true)) => match (&a.http_status_line, &a.postgres_reply) {
            (Some(status), _) => format!("accepted, HTTP response: {status}"),
            (None, Some(reply)) => format!("accepted, PostgreSQL answered the startup message: {reply}"),
            (None, None) => format!("accepted{how}"),
        },
        (_, Some(false)) => {
            format!("refused: {}{how}", a.alert.as_deref().or(a.error.as_deref()).unwrap_or("connection closed"))
        }
        _ => format!("error: {}", a.error.as_deref().unwrap_or("unknown")),
    }
}

impl Exporter for SClientExporter {
    fn render(&self, report: &Report) -> String {
        let mut lines = Vec::new();
        for r in &report.results {
            if report.results.len() > 1 {
                lines.push(format!("=== {} ({})", r.name, r.target()));
            }
            if let Some(observation) = &r.observation {
                if self.trace {
                    let mut attempts = vec![("without certificate".to_string(), &observation.without_cert)];
                    for (index, seen) in observation.identities.iter().enumerate() {
                        if let WithCert::Done(attempt) = seen {
                            let label = match r.identities.get(index) {
                                Some(identity) => format!("with identity '{}'", identity.name),
                                None => "with our certificate".to_string(),
                            };
                            attempts.push((label, attempt));
                        }
                    }
                    if let Some(WithCert::Done(attempt)) = &observation.impostor {
                        attempts.push(("with the impostor's forged certificate".to_string(), attempt));
                    }
                    for (label, attempt) in attempts {
                        lines.push(format!("* mtlscheck: connection {label}"));
                        lines.extend(trace_lines(&attempt.messages, attempt.handshake_messages));
                    }
                }
                if let Some(info) = &observation.shown_attempt().info {
                    lines.extend(s_client_lines(info, self.style));
                }
            }
            lines.extend(verdict_lines(r, self.explain));
        }
        let mut text = lines.join("\n");
        text.push('\n');
        text
    }
}
