//! `--baseline`: what changed at each endpoint since a previous JSON report (last night's run),
//! matched by check name. Names (CA names, the server chain) compare as names, so a baseline
//! written by an OpenSSL that spells them differently shows no false changes.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::expect::{self, NameKey};
use crate::report::Report;
use crate::verdict::{CheckResult, ClientAuth, Status};

/// One difference between the baseline's result and this run's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// `client_auth`, `enforced_at`, `ca_names`, `protocol`, `cipher`, `server_chain`, `verify`
    /// or `with_cert`.
    pub field: String,
    pub before: Value,
    pub after: Value,
    /// One line for people, e.g. `client auth: required -> optional`.
    pub summary: String,
    /// For `ca_names`: the names sent now but not then, and then but not now.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub added: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removed: Vec<String>,
}

impl Change {
    fn new(field: &str, before: Value, after: Value, summary: String) -> Self {
        Change { field: field.to_string(), before, after, summary, added: Vec::new(), removed: Vec::new() }
    }
}

/// The report's `baseline` block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineSummary {
    /// The baseline report as given on the command line.
    pub file: String,
    /// Checks of this run the baseline does not have (not compared).
    pub new_checks: Vec<String>,
    /// Checks in the baseline that are no longer in the checks file.
    pub missing_checks: Vec<String>,
}

fn show(value: Option<&str>) -> &str {
    value.unwrap_or("-")
}

fn name_key(text: &str) -> NameKey {
    // A name that does not parse (hand-edited report) still compares, as its text.
    expect::written_name(text).unwrap_or_else(|| vec![(String::new(), text.to_string())])
}

fn verify_text(r: &CheckResult) -> String {
    match (r.verify_code, &r.verify_error) {
        (Some(0), _) => "ok".into(),
        (Some(code), Some(text)) => format!("{text} ({code})"),
        (Some(code), None) => format!("code {code}"),
        (None, _) => "-".into(),
    }
}

fn with_cert_text(r: &CheckResult) -> String {
    if r.client_cert_subject.is_none() { "no cert configured".into() } else { r.with_cert.summary() }
}

/// What differs between `before` (the baseline) and `after` (this run) for one check. When
/// either could not be probed only the client-auth verdict is compared: the rest was not seen.
pub fn changes(before: &CheckResult, after: &CheckResult) -> Vec<Change> {
    let mut out = Vec::new();
    if before.client_auth != after.client_auth {
        let mut summary = format!("client auth: {} -> {}", before.client_auth.as_str(), after.client_auth.as_str());
        if let Some(error) = after.error.as_deref().filter(|_| after.client_auth == ClientAuth::Error) {
            summary.push_str(&format!(" ({error})"));
        }
        out.push(Change::new("client_auth", json!(before.client_auth), json!(after.client_auth), summary));
    }
    if before.client_auth == ClientAuth::Error || after.client_auth == ClientAuth::Error {
        return out;
    }
    if before.enforced_at != after.enforced_at {
        out.push(Change::new(
            "enforced_at",
            json!(before.enforced_at),
            json!(after.enforced_at),
            format!("refusal enforced at: {} -> {}", show(before.enforced_at), show(after.enforced_at)),
        ));
    }

    let before_keys: Vec<NameKey> = before.ca_names.iter().map(|n| name_key(n)).collect();
    let after_keys: Vec<NameKey> = after.ca_names.iter().map(|n| name_key(n)).collect();
    let added: Vec<String> = after
        .ca_names
        .iter()
        .zip(&after_keys)
        .filter(|(_, k)| !before_keys.contains(k))
        .map(|(n, _)| n.clone())
        .collect();
    let removed: Vec<String> = before
        .ca_names
        .iter()
        .zip(&before_keys)
        .filter(|(_, k)| !after_keys.contains(k))
        .map(|(n, _)| n.clone())
        .collect();
    if !added.is_empty() || !removed.is_empty() {
        let mut parts = Vec::new();
        if !added.is_empty() {
            parts.push(format!("added {}", added.join("; ")));
        }
        if !removed.is_empty() {
            parts.push(format!("removed {}", removed.join("; ")));
        }
        let mut change = Change::new(
            "ca_names",
            json!(before.ca_names),
            json!(after.ca_names),
            format!("CA names: {}", parts.join("; ")),
        );
        change.added = added;
        change.removed = removed;
        out.push(change);
    }

    for (field, label, then, now) in [
        ("protocol", "protocol", &before.protocol, &after.protocol),
        ("cipher", "cipher", &before.cipher, &after.cipher),
    ] {
        if then != now {
            out.push(Change::new(
                field,
                json!(then),
                json!(now),
                format!("{label}: {} -> {}", show(then.as_deref()), show(now.as_deref())),
            ));
        }
    }

    let chain_keys = |r: &CheckResult| -> Vec<(NameKey, NameKey)> {
        r.peer_chain.iter().map(|c| (name_key(&c.subject), name_key(&c.issuer))).collect()
    };
    let subjects = |r: &CheckResult| -> String {
        if r.peer_chain.is_empty() {
            "-".into()
        } else {
            r.peer_chain.iter().map(|c| c.subject.as_str()).collect::<Vec<_>>().join(" | ")
        }
    };
    let leaf_expiry = |r: &CheckResult| r.peer_chain.first().and_then(|c| c.not_after.clone());
    if chain_keys(before) != chain_keys(after) {
        out.push(Change::new(
            "server_chain",
            json!(before.peer_chain),
            json!(after.peer_chain),
            format!("server chain: {} -> {}", subjects(before), subjects(after)),
        ));
    } else if let (Some(then), Some(now)) = (leaf_expiry(before), leaf_expiry(after))
        && then != now
    {
        out.push(Change::new(
            "server_chain",
            json!(before.peer_chain),
            json!(after.peer_chain),
            format!("server certificate replaced: valid until {then} -> {now}"),
        ));
    }

    if before.verify_code != after.verify_code {
        out.push(Change::new(
            "verify",
            json!(before.verify_error),
            json!(after.verify_error),
            format!("server verify: {} -> {}", verify_text(before), verify_text(after)),
        ));
    }
    let (then, now) = (with_cert_text(before), with_cert_text(after));
    if then != now {
        out.push(Change::new(
            "with_cert",
            json!(before.with_cert),
            json!(after.with_cert),
            format!("with our certificate: {then} -> {now}"),
        ));
    }
    out
}

/// Sets `changes` on every result the baseline has, fails changed checks when
/// `fail_on_change`, and says which checks could not be compared. `checks_in_file` are the
/// names of every check in the checks file (a sharded run probes only some of them).
pub fn apply(
    results: &mut [CheckResult],
    baseline: &Report,
    file: &str,
    checks_in_file: &[&str],
    fail_on_change: bool,
) -> BaselineSummary {
    let before: HashMap<&str, &CheckResult> = baseline.results.iter().map(|r| (r.name.as_str(), r)).collect();
    let mut new_checks = Vec::new();
    for result in results.iter_mut() {
        let Some(previous) = before.get(result.name.as_str()) else {
            new_checks.push(result.name.clone());
            continue;
        };
        let found = changes(previous, result);
        if fail_on_change && !found.is_empty() && result.status == Status::Pass {
            result.status = Status::Fail;
        }
        result.changes = Some(found);
    }
    let missing_checks = baseline
        .results
        .iter()
        .filter(|r| !checks_in_file.contains(&r.name.as_str()))
        .map(|r| r.name.clone())
        .collect();
    BaselineSummary { file: file.to_string(), new_checks, missing_checks }
}
