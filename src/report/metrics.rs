//! `-o metrics.prom`: the report as Prometheus gauges in the text format node_exporter's
//! textfile collector reads: per check its verdict, result, when the server's and our certificate
//! expire, CA-name count, probe duration; per run its start time and success. A verdict or
//! result is a state set (one series per possible value, 1 for the one seen) so alerts can test
//! `== 1` and a vanished value reads as 0, not as a missing series.

use std::fmt::Write;

use super::exporter::Exporter;
use crate::dates::printed_time_to_unix;
use crate::model::{CheckResult, ClientAuth, IdentityResult, Report, Status, Verification};

pub struct MetricsExporter;

const VERDICTS: [ClientAuth; 5] =
    [ClientAuth::None, ClientAuth::Optional, ClientAuth::Required, ClientAuth::PostHandshake, ClientAuth::Error];
const RESULTS: [Status; 3] = [Status::Pass, Status::Fail, Status::Error];

fn status_name(status: Status) -> &'static str {
    match status {
        Status::Pass => "pass",
        Status::Fail => "fail",
        Status::Error => "error",
    }
}

/// A label value: backslash, double quote and line feed escaped, as the text format requires.
fn label_value(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// `{a="x",b="y"}` from pairs whose values are escaped here.
fn labels(pairs: &[(&str, &str)]) -> String {
    let inner: Vec<String> = pairs.iter().map(|(name, value)| format!("{name}=\"{}\"", label_value(value))).collect();
    format!("{{{}}}", inner.join(","))
}

/// One metric family: its HELP and TYPE lines, then its samples.
struct Family<'a> {
    out: &'a mut String,
}

impl<'a> Family<'a> {
    fn gauge(out: &'a mut String, name: &str, help: &str) -> Family<'a> {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
        Family { out }
    }

    fn sample(&mut self, name: &str, labels: &str, value: impl std::fmt::Display) {
        let _ = writeln!(self.out, "{name}{labels} {value}");
    }
}

fn server_not_after(r: &CheckResult) -> Option<i64> {
    r.peer_chain.first()?.not_after.as_deref().and_then(printed_time_to_unix)
}

/// The labels every per-check series carries.
fn check_labels(r: &CheckResult, extra: Option<(&str, &str)>) -> String {
    let target = r.target();
    let mut pairs = vec![("check", r.name.as_str()), ("target", target.as_str())];
    pairs.extend(extra);
    labels(&pairs)
}

/// A per-check gauge with one sample for each check that has a value.
fn per_check(
    out: &mut String,
    report: &Report,
    name: &str,
    help: &str,
    value: impl Fn(&CheckResult) -> Option<String>,
) {
    let values: Vec<(String, String)> =
        report.results.iter().filter_map(|r| value(r).map(|v| (check_labels(r, None), v))).collect();
    if values.is_empty() {
        return;
    }
    let mut family = Family::gauge(out, name, help);
    for (labels, value) in values {
        family.sample(name, &labels, value);
    }
}

/// The labels of the run-level series: the shard, when the report is one.
fn run_labels(report: &Report, extra: &[(&str, &str)]) -> String {
    let shard = report.shard.map(|s| s.to_string());
    let mut pairs: Vec<(&str, &str)> = shard.as_deref().map(|s| vec![("shard", s)]).unwrap_or_default();
    pairs.extend_from_slice(extra);
    if pairs.is_empty() { String::new() } else { labels(&pairs) }
}

fn run_metrics(out: &mut String, report: &Report) {
    let mut info = Family::gauge(out, "mtlscheck_info", "The mtlscheck and OpenSSL versions that wrote these metrics.");
    info.sample(
        "mtlscheck_info",
        &run_labels(report, &[("version", &report.mtlscheck_version), ("openssl", &report.openssl_version)]),
        1,
    );
    if let Some(started) = report.started_at.as_deref().and_then(crate::dates::rfc3339_to_unix) {
        let name = "mtlscheck_run_timestamp_seconds";
        Family::gauge(out, name, "When the run started, in seconds since the Unix epoch.").sample(
            name,
            &run_labels(report, &[]),
            started,
        );
    }
    let name = "mtlscheck_run_success";
    Family::gauge(out, name, "1 when every check ran and every expectation held, else 0.").sample(
        name,
        &run_labels(report, &[]),
        u8::from(report.all_passed()),
    );
    let name = "mtlscheck_checks";
    let mut checks =
        Family::gauge(out, name, "Checks in the run, by result (pass, fail, error; not_run: the run stopped early).");
    for status in RESULTS {
        let count = report.results.iter().filter(|r| r.status == status).count();
        checks.sample(name, &run_labels(report, &[("result", status_name(status))]), count);
    }
    checks.sample(name, &run_labels(report, &[("result", "not_run")]), report.not_run.len());
    let name = "mtlscheck_run_complete";
    Family::gauge(
        out,
        name,
        "1 when every check was probed, 0 when the run stopped early (SIGTERM, no descriptors left).",
    )
    .sample(name, &run_labels(report, &[]), u8::from(report.complete && report.not_run.is_empty()));
}

fn state_sets(out: &mut String, report: &Report) {
    if report.results.is_empty() {
        return;
    }
    let name = "mtlscheck_check_verdict";
    let mut verdict = Family::gauge(
        out,
        name,
        "The client-certificate verdict of each check (none = 1-way TLS, optional, required, post-handshake, error): 1 for the verdict seen, 0 for the others.",
    );
    for r in &report.results {
        for state in VERDICTS {
            verdict.sample(name, &check_labels(r, Some(("verdict", state.as_str()))), u8::from(r.client_auth == state));
        }
    }
    let name = "mtlscheck_check_result";
    let mut result = Family::gauge(
        out,
        name,
        "The result of each check (pass, fail: an expectation failed, error: not probed): 1 for the result, 0 for the others.",
    );
    for r in &report.results {
        for state in RESULTS {
            result.sample(name, &check_labels(r, Some(("result", status_name(state)))), u8::from(r.status == state));
        }
    }
}

/// A gauge per identity of `identities:` (labels: the check's and `identity`), for those with a
/// value.
fn per_identity(
    out: &mut String,
    report: &Report,
    name: &str,
    help: &str,
    value: impl Fn(&IdentityResult) -> Option<String>,
) {
    let values: Vec<(String, String)> = report
        .results
        .iter()
        .flat_map(|r| r.identities.iter().map(move |identity| (r, identity)))
        .filter_map(|(r, identity)| value(identity).map(|v| (check_labels(r, Some(("identity", &identity.name))), v)))
        .collect();
    if values.is_empty() {
        return;
    }
    let mut family = Family::gauge(out, name, help);
    for (labels, value) in values {
        family.sample(name, &labels, value);
    }
}

/// When each identity's certificate expires and whether the partner accepted it.
fn identity_metrics(out: &mut String, report: &Report) {
    per_identity(
        out,
        report,
        "mtlscheck_identity_cert_expiry_timestamp_seconds",
        "When each of a check's identities' certificate expires, in seconds since the Unix epoch.",
        |identity| identity.client_cert_not_after.as_deref().and_then(printed_time_to_unix).map(|t| t.to_string()),
    );
    per_identity(
        out,
        report,
        "mtlscheck_identity_accepted",
        "1 when the partner accepted the connection with this identity's certificate, 0 when it refused it; absent when not told.",
        |identity| identity.with_cert.accepted.map(|accepted| u8::from(accepted).to_string()),
    );
}

impl Exporter for MetricsExporter {
    fn render(&self, report: &Report) -> String {
        let mut out = String::new();
        run_metrics(&mut out, report);
        state_sets(&mut out, report);
        // Expiry as a timestamp (Prometheus' base unit, and a value that does not go stale while
        // the file waits for the next run): days left = (value - time()) / 86400.
        per_check(
            &mut out,
            report,
            "mtlscheck_check_server_cert_expiry_timestamp_seconds",
            "When the server's certificate expires, in seconds since the Unix epoch (days left: (value - time()) / 86400).",
            |r| server_not_after(r).map(|t| t.to_string()),
        );
        per_check(
            &mut out,
            report,
            "mtlscheck_check_client_cert_expiry_timestamp_seconds",
            "When our client certificate expires, in seconds since the Unix epoch; only checks with a certificate.",
            |r| r.client_cert_not_after.as_deref().and_then(printed_time_to_unix).map(|t| t.to_string()),
        );
        identity_metrics(&mut out, report);
        per_check(
            &mut out,
            report,
            "mtlscheck_check_verifies_client_cert",
            "1 when the partner refused a forged client certificate (impostor probe), 0 when it accepted one; absent when not tried.",
            |r| match r.client_cert_verification {
                Verification::Verified => Some("1".into()),
                Verification::None => Some("0".into()),
                _ => None,
            },
        );
        per_check(
            &mut out,
            report,
            "mtlscheck_check_ca_names",
            "How many CA names the server sent in its certificate request (0: none sent or not asked).",
            |r| (r.client_auth != ClientAuth::Error).then(|| r.ca_names.len().to_string()),
        );
        per_check(
            &mut out,
            report,
            "mtlscheck_check_our_ca_listed",
            "1 when our certificate's issuer is among the server's CA names, 0 when not; absent when it cannot be told.",
            |r| r.ca_name_match.map(|listed| u8::from(listed).to_string()),
        );
        per_check(
            &mut out,
            report,
            "mtlscheck_check_changes",
            "How many things changed since the baseline report (absent without --baseline or for a new check).",
            |r| r.changes.as_ref().map(|c| c.len().to_string()),
        );
        per_check(
            &mut out,
            report,
            "mtlscheck_check_probe_duration_seconds",
            "How long probing the check took, retries included.",
            |r| Some(format!("{:.3}", r.elapsed_ms as f64 / 1000.0)),
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_escape_what_the_text_format_requires() {
        assert_eq!(label_value(r#"a\b"c"#), r#"a\\b\"c"#);
        assert_eq!(label_value("two\nlines"), r"two\nlines");
        assert_eq!(labels(&[("check", "x"), ("target", "[::1]:443")]), r#"{check="x",target="[::1]:443"}"#);
    }
}
