//! `--baseline`: what changed at each endpoint since a previous JSON report (last night's run),
//! matched by check name. Names (CA names, the server chain) compare as names, so a baseline
//! written by an OpenSSL that spells them differently shows no false changes.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::model::{BaselineSummary, Change, ChangeField, CheckResult, ClientAuth, Report, Status};
use crate::names::{NameKey, difference};

fn change(field: ChangeField, before: Value, after: Value, summary: String) -> Change {
    Change { field, before, after, summary, added: Vec::new(), removed: Vec::new() }
}

fn show(value: Option<&str>) -> &str {
    value.unwrap_or("-")
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
        out.push(change(ChangeField::ClientAuth, json!(before.client_auth), json!(after.client_auth), summary));
    }
    if before.client_auth == ClientAuth::Error || after.client_auth == ClientAuth::Error {
        return out;
    }
    if before.enforced_at != after.enforced_at {
        out.push(change(
            ChangeField::EnforcedAt,
            json!(before.enforced_at),
            json!(after.enforced_at),
            format!(
                "refusal enforced at: {} -> {}",
                show(before.enforced_at.as_ref().map(|e| e.as_str())),
                show(after.enforced_at.as_ref().map(|e| e.as_str()))
            ),
        ));
    }

    let keyed = |names: &[String]| -> Vec<(String, NameKey)> {
        names.iter().map(|name| (name.clone(), NameKey::of_text(name))).collect()
    };
    let (before_names, after_names) = (keyed(&before.ca_names), keyed(&after.ca_names));
    let (removed, added) = difference(&before_names, &after_names);
    let (removed, added): (Vec<String>, Vec<String>) =
        (removed.into_iter().cloned().collect(), added.into_iter().cloned().collect());
    if !added.is_empty() || !removed.is_empty() {
        let mut parts = Vec::new();
        if !added.is_empty() {
            parts.push(format!("added {}", added.join("; ")));
        }
        if !removed.is_empty() {
            parts.push(format!("removed {}", removed.join("; ")));
        }
        let mut ca_change = change(
            ChangeField::CaNames,
            json!(before.ca_names),
            json!(after.ca_names),
            format!("CA names: {}", parts.join("; ")),
        );
        ca_change.added = added;
        ca_change.removed = removed;
        out.push(ca_change);
    }

    for (field, label, then, now) in [
        (ChangeField::Protocol, "protocol", &before.protocol, &after.protocol),
        (ChangeField::Cipher, "cipher", &before.cipher, &after.cipher),
    ] {
        if then != now {
            out.push(change(
                field,
                json!(then),
                json!(now),
                format!("{label}: {} -> {}", show(then.as_deref()), show(now.as_deref())),
            ));
        }
    }

    let chain_keys = |r: &CheckResult| -> Vec<(NameKey, NameKey)> {
        r.peer_chain.iter().map(|c| (NameKey::of_text(&c.subject), NameKey::of_text(&c.issuer))).collect()
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
        out.push(change(
            ChangeField::ServerChain,
            json!(before.peer_chain),
            json!(after.peer_chain),
            format!("server chain: {} -> {}", subjects(before), subjects(after)),
        ));
    } else if let (Some(then), Some(now)) = (leaf_expiry(before), leaf_expiry(after))
        && then != now
    {
        out.push(change(
            ChangeField::ServerChain,
            json!(before.peer_chain),
            json!(after.peer_chain),
            format!("server certificate replaced: valid until {then} -> {now}"),
        ));
    }

    if before.verify_code != after.verify_code {
        out.push(change(
            ChangeField::Verify,
            json!(before.verify_error),
            json!(after.verify_error),
            format!("server verify: {} -> {}", before.verify_text(), after.verify_text()),
        ));
    }
    let (then, now) = (before.with_cert_text(), after.with_cert_text());
    // An alert named by another OpenSSL version (`sslv3 alert` → `ssl/tls alert`) is no change.
    if then != now && !crate::alerts::same_alert(&then, &now) {
        out.push(change(
            ChangeField::WithCert,
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
