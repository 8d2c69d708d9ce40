//! Text shared by the exporters: the cells of the table (also the columns of CSV and Markdown),
//! what went wrong with a check, and what changed since the baseline.

use std::borrow::Cow;

use crate::model::{
    CheckResult, ClientAuth, EnforcedAt, ExpectationField, ExpectationResult, IdentityResult, NotRun, NotRunReason,
    Report, StackOutcome, StackPrediction, Stage, Status,
};

/// Said when a server asks for a certificate without naming CAs.
pub const NONE_SENT: &str = "none sent: clients may offer any certificate";

/// The columns of the Markdown table (the table chooses its own: `report::table::columns`).
pub const COLUMNS: [&str; 9] =
    ["check", "target", "TLS", "server verify", "client auth", "CA names", "our client sends", "with cert", "result"];

/// The last line of the table and Markdown reports: the counts, the OpenSSL and the shard;
/// `escape` makes the OpenSSL version safe for the format.
pub fn footer(report: &Report, escape: impl Fn(&str) -> String) -> String {
    let (pass, fail, error) = counts(&report.results);
    let shard = report.shard.map(|s| format!(", shard {s}")).unwrap_or_default();
    let refused = match refusals(&report.results) {
        0 => String::new(),
        n => format!(", {n} refused our certificate"),
    };
    let not_run = match report.not_run.len() {
        0 => String::new(),
        n => format!(", {n} not run"),
    };
    format!(
        "\n{}: {pass} ok, {fail} failed, {}{refused}{not_run} (OpenSSL: {}{shard})\n",
        count(report.results.len() + report.not_run.len(), "check", "checks"),
        count(error, "error", "errors"),
        escape(&report.openssl_version)
    )
}

/// `1 check`, `2 checks`.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The title of the section listing the checks without a result: `Not run (interrupted by
/// SIGTERM)`; `None` when every check ran.
pub fn not_run_title(report: &Report) -> Option<String> {
    if report.not_run.is_empty() {
        return None;
    }
    let why = report.stopped.as_deref().unwrap_or("the run stopped early");
    Some(format!("Not run ({why})"))
}

/// One check without a result: `name (host:port): why`.
pub fn not_run_line(check: &NotRun) -> String {
    format!(
        "{} ({}): {}",
        printable(&check.name),
        printable(&crate::hostport::join(&check.host, check.port)),
        not_run_reason(&check.reason)
    )
}

pub fn not_run_reason(reason: &NotRunReason) -> String {
    match reason {
        NotRunReason::NotStarted => "not probed: the run stopped before its turn".into(),
        NotRunReason::Interrupted => "not probed: its probe was under way and was given up".into(),
        NotRunReason::LocalLimit => {
            "not probed: its probe met a limit of this machine (no file descriptor left)".into()
        }
        NotRunReason::Other(other) => format!("not probed ({other})"),
    }
}

/// Text with its control characters, and the bidirectional controls that reorder a line on
/// screen, made visible (ESC as `\x1B`): check names come from checks files and error text from
/// servers, and neither may move the cursor, clear a line or recolour a terminal.
pub fn printable(text: &str) -> Cow<'_, str> {
    let hidden = |c: char| c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    if !text.chars().any(hidden) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            c if !hidden(c) => out.push(c),
            c if u32::from(c) < 0x100 => out.push_str(&format!("\\x{:02X}", u32::from(c))),
            c => out.push_str(&format!("\\u{{{:04X}}}", u32::from(c))),
        }
    }
    Cow::Owned(out)
}

pub fn client_auth_cell(r: &CheckResult) -> String {
    match r.client_auth {
        ClientAuth::None => "1-way".into(),
        ClientAuth::Optional => "2-way optional".into(),
        ClientAuth::Required if r.enforced_at == Some(EnforcedAt::Http) => {
            format!("2-way required (enforced at HTTP: {})", http_status(r))
        }
        ClientAuth::Required if r.enforced_at == Some(EnforcedAt::Postgres) => {
            "2-way required (enforced by pg_hba)".into()
        }
        ClientAuth::Required if r.rejection_stage == Some(Stage::AfterHandshake) => {
            "2-way required (refused after handshake)".into()
        }
        ClientAuth::Required => "2-way required".into(),
        ClientAuth::PostHandshake => match r.enforced_at {
            Some(EnforcedAt::Http) => format!("2-way after handshake (HTTP {})", http_status(r)),
            Some(_) => "2-way after handshake (refused)".into(),
            None => "2-way after handshake (not enforced)".into(),
        },
        ClientAuth::Error => format!("error: {}", r.error.as_deref().unwrap_or("unknown")),
    }
}

fn http_status(r: &CheckResult) -> String {
    r.without_cert.http_status.map(|s| s.to_string()).unwrap_or_else(|| "-".into())
}

pub fn ca_names_cell(r: &CheckResult) -> String {
    match (r.cert_requested, r.ca_names.len()) {
        (false, _) => "-".into(),
        (true, 0) => NONE_SENT.into(),
        (true, n) => n.to_string(),
    }
}

pub fn our_ca_cell(r: &CheckResult) -> &'static str {
    match r.ca_name_match {
        Some(true) => "yes",
        Some(false) => "NO",
        None => "n/a",
    }
}

/// Whether our client stack (`client:`) would send our certificate: `yes`, `NO`, `ABORTS`, or
/// `n/a` when no certificate was requested (or we have none); `go: NO` for a stack other than
/// OpenSSL, the default.
pub fn our_client_cell(r: &CheckResult) -> String {
    let Some(prediction) = r.client_stacks.as_ref().and_then(|stacks| stacks.get(&r.client)) else {
        return "n/a".into();
    };
    let word = match prediction.outcome {
        StackOutcome::Sends => "yes",
        StackOutcome::SendsEmpty => "NO",
        StackOutcome::Aborts => "ABORTS",
        StackOutcome::Unknown => "?",
    };
    if r.client == "openssl" { word.to_string() } else { format!("{}: {word}", r.client) }
}

/// The stacks grouped by what they would do: `sends: openssl, rustls; sends empty: go, …`.
pub fn stacks_line(stacks: &std::collections::BTreeMap<String, StackPrediction>) -> String {
    let group = |outcome: StackOutcome| -> Vec<&str> {
        stacks.iter().filter(|(_, p)| p.outcome == outcome).map(|(name, _)| name.as_str()).collect()
    };
    let mut parts = Vec::new();
    for (label, outcome) in
        [("sends", StackOutcome::Sends), ("sends empty", StackOutcome::SendsEmpty), ("aborts", StackOutcome::Aborts)]
    {
        let names = group(outcome);
        if !names.is_empty() {
            parts.push(format!("{label}: {}", names.join(", ")));
        }
    }
    parts.join("; ")
}

pub fn verify_cell(r: &CheckResult) -> String {
    r.verify_text()
}

pub fn result_cell(r: &CheckResult) -> &'static str {
    match r.status {
        Status::Pass if r.expectations.is_empty() => "OK",
        Status::Pass => "PASS",
        Status::Fail => "FAIL",
        Status::Error => "ERROR",
    }
}

/// What the partner did with our certificate, said plainly: `ok`, `REFUSED: <why>`, `not sent:
/// credentials unusable`; with `identities:` one word per identity (`current ✔ next ✘ unknown ca`).
pub fn with_cert_cell(r: &CheckResult) -> String {
    if !r.identities.is_empty() {
        return r.identities.iter().map(identity_mark).collect::<Vec<_>>().join(" ");
    }
    if r.expectations.iter().any(|e| e.field == ExpectationField::Credentials && !e.ok) {
        return "not sent: credentials unusable".into();
    }
    match r.with_cert.accepted {
        Some(false) => format!("REFUSED: {}", r.with_cert.summary()),
        _ => r.with_cert_text(),
    }
}

/// `current ✔`, `next ✘ unknown ca`, `old ? timed out`, `spare ✘ credentials`.
fn identity_mark(identity: &IdentityResult) -> String {
    let short = |text: &str| text.rsplit(" alert ").next().unwrap_or(text).to_string();
    let attempt = &identity.with_cert;
    match (&identity.problem, attempt.accepted) {
        (Some(_), _) => format!("{} ✘ credentials", identity.name),
        (None, Some(true)) => format!("{} ✔", identity.name),
        (None, Some(false)) => format!("{} ✘ {}", identity.name, short(&attempt.summary())),
        (None, None) => format!("{} ? {}", identity.name, attempt.summary()),
    }
}

/// How many checks had one of our certificates refused by the partner.
pub fn refusals(results: &[CheckResult]) -> usize {
    results
        .iter()
        .filter(|r| {
            r.with_cert.accepted == Some(false) || r.identities.iter().any(|i| i.with_cert.accepted == Some(false))
        })
        .count()
}

/// `expected client_auth = "optional", got "required"`, plus what differed when the values do
/// not say it.
pub fn failed_expectation(e: &ExpectationResult) -> String {
    let about = e.identity.as_ref().map(|name| format!("identity '{name}': ")).unwrap_or_default();
    if e.field == ExpectationField::Credentials {
        return format!("{about}credentials: {}", e.detail.as_deref().unwrap_or("cannot be used"));
    }
    let mut line = format!("{about}expected {} = {}, got {}", e.field, e.expected, e.actual);
    if let Some(detail) = &e.detail {
        line.push_str(&format!(" ({detail})"));
    }
    line
}

/// Why a check did not pass, one line per reason, without the check's name: failed
/// expectations, a difference from an operator's transcript, changes when they fail the check
/// (`--fail-on-change`), the probe error.
pub fn problems(r: &CheckResult) -> Vec<String> {
    let mut lines: Vec<String> = r.expectations.iter().filter(|e| !e.ok).map(failed_expectation).collect();
    if let Some(comparison) = r.comparison.as_ref().filter(|c| !c.agree) {
        let differing: Vec<&str> = comparison.fields.iter().filter(|f| !f.agree).map(|f| f.field.as_str()).collect();
        lines.push(format!("differs from {}: {}", comparison.transcript_file, differing.join(", ")));
    }
    let changes_fail = r.status == Status::Fail && r.expectations.iter().all(|e| e.ok) && lines.is_empty();
    if changes_fail && let Some(changes) = &r.changes {
        lines.extend(changes.iter().map(|c| format!("changed since baseline: {}", c.summary)));
    }
    if let Some(error) = &r.error {
        lines.push(format!("error: {error}"));
    }
    lines
}

/// One line saying what was found: for JUnit's system-out and log lines.
pub fn verdict_line(r: &CheckResult) -> String {
    format!(
        "{} ({}): {}; TLS {}; server verify {}; CA names {}; our client sends {}; with cert {}; result {}",
        r.name,
        r.target(),
        client_auth_cell(r),
        r.protocol.as_deref().unwrap_or("-"),
        verify_cell(r),
        ca_names_cell(r),
        our_client_cell(r),
        with_cert_cell(r),
        result_cell(r)
    )
}

/// Pass / fail / error counts.
pub fn counts(results: &[CheckResult]) -> (usize, usize, usize) {
    results.iter().fold((0, 0, 0), |(p, f, e), r| match r.status {
        Status::Pass => (p + 1, f, e),
        Status::Fail => (p, f + 1, e),
        Status::Error => (p, f, e + 1),
    })
}

#[cfg(test)]
mod tests {
    use super::printable;

    #[test]
    fn control_characters_are_made_visible() {
        assert_eq!(printable("plain name"), "plain name");
        assert_eq!(printable("a\u{1b}[2Jb\rc\nd\te"), "a\\x1B[2Jb\\x0Dc\\x0Ad\\x09e");
        assert_eq!(printable("\u{7f}\u{85}\u{202e}x"), "\\x7F\\x85\\u{202E}x");
        assert_eq!(printable("café"), "café");
    }
}
