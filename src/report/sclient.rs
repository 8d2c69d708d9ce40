//! `mtlscheck probe`'s view: what `openssl s_client` prints for the same connection, line for
//! line, as the s_client of the version chosen with `--like` (default: the OpenSSL mtlscheck
//! runs on), then mtlscheck's verdict, the problems and the transcript comparison, which
//! s_client lacks. Values that change from run to run (byte counts, session ids, keys, tickets,
//! times) are left out rather than printed differently.

use super::exporter::Exporter;
use super::sclient_view::{View, s_client_lines};
use super::summary::{NONE_SENT, not_run_line, not_run_title, printable, problems};
use super::table::comparison_table;
use super::trace::trace_lines;
use crate::model::{
    AttemptReport, CheckResult, ClientAuth, ClientStack, EnforcedAt, ExpectationField, HandshakeState, Report, Stage,
    Verification, WithCert,
};
use crate::names::NameStyle;
use crate::style::Style;

#[derive(Default)]
pub struct SClientExporter {
    /// Also print the handshake message flow in `curl -v` style.
    pub trace: bool,
    /// s_client's `-showcerts`.
    pub showcerts: bool,
    /// Also print one client stack's reasoning step by step.
    pub explain: Option<ClientStack>,
}

/// How a result's connection is shown: the s_client version and name style the result was
/// rendered for (kept in the report), else the OpenSSL mtlscheck runs on.
fn view_of(r: &CheckResult, showcerts: bool) -> View {
    let like = r.like.as_deref().and_then(|label| Style::parse(label).ok()).unwrap_or_else(Style::runtime);
    let names = r.name_style.as_deref().and_then(NameStyle::from_preset).unwrap_or_else(|| like.name_style());
    View { like, names, showcerts }
}

/// One check as `probe` shows it: s_client's lines for the connection (when the probe's
/// observation is at hand, i.e. not in a report read back from JSON), then the verdict.
pub fn check_view(r: &CheckResult) -> Vec<String> {
    let info = r.observation.as_ref().and_then(|observation| observation.shown_attempt().info.as_ref());
    let mut lines = info.map(|info| s_client_lines(info, view_of(r, false))).unwrap_or_default();
    lines.extend(verdict_lines(r, None));
    lines
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

/// What the table prints under itself for a check: why it did not pass, and the comparison
/// with an operator's transcript.
fn closing_lines(r: &CheckResult) -> Vec<String> {
    let mut out = Vec::new();
    let problems = problems(r);
    if !problems.is_empty() {
        out.push("Problems:".to_string());
        out.extend(problems.into_iter().map(|line| format!("  {line}")));
    }
    if let Some(comparison) = &r.comparison {
        let style = comparison.transcript_style.as_deref().map(|s| format!(", OpenSSL style {s}")).unwrap_or_default();
        out.push(format!("Compared with {}{style}", comparison.transcript_file));
        out.extend(comparison_table(comparison, None).lines().map(str::to_string));
    }
    if !out.is_empty() {
        out.push("---".into());
    }
    out
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
                lines.push(format!("=== {} ({})", printable(&r.name), printable(&r.target())));
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
                    lines.extend(s_client_lines(info, view_of(r, self.showcerts)));
                }
            }
            lines.extend(verdict_lines(r, self.explain));
            lines.extend(closing_lines(r));
        }
        if let Some(title) = not_run_title(report) {
            lines.push(format!("=== {}", printable(&title)));
            lines.extend(report.not_run.iter().map(not_run_line));
        }
        let mut text = lines.join("\n");
        text.push('\n');
        text
    }
}
