//! Evaluates the `expect:` entries about CA names, protocol, verification and certificate
//! lifetimes against a verdict. CA names are compared as names (attributes, case and spacing
//! folded), so `C = US, O = X` (OpenSSL 1.1.1–3.1), `C=US, O=X` (3.2+) and `/C=US/O=X` (1.0.2)
//! all expect the same name.

use serde_json::{Value, json};

use crate::model::expect::protocol_rank;
use crate::model::{CheckResult, ExpectationField, ExpectationResult, Expectations};
use crate::names::{DistinguishedName, NameKey, NameStyle, difference};

fn expectation(
    field: ExpectationField,
    expected: Value,
    actual: Value,
    ok: bool,
    detail: Option<String>,
) -> ExpectationResult {
    ExpectationResult { field, expected, actual, ok, detail: if ok { None } else { detail }, identity: None }
}

/// Evaluates the entries of `expect` this module owns against a result; `server_ca_names` are
/// the names the server sent (empty when none were, or it was not probed).
pub fn evaluate(
    expect: &Expectations,
    result: &CheckResult,
    server_ca_names: &[DistinguishedName],
    style: NameStyle,
) -> Vec<ExpectationResult> {
    let mut list = Vec::new();
    let live: Vec<(&DistinguishedName, NameKey)> = server_ca_names.iter().map(|name| (name, name.key())).collect();
    let written = |names: &[String]| -> Vec<(String, NameKey)> {
        names.iter().map(|name| (name.clone(), NameKey::of_text(name))).collect()
    };
    if let Some(wanted) = &expect.ca_names_include {
        let keyed = written(wanted);
        let (missing, _) = difference(&keyed, &live);
        let missing: Vec<&str> = missing.into_iter().map(String::as_str).collect();
        list.push(expectation(
            ExpectationField::CaNamesInclude,
            json!(wanted),
            json!(result.ca_names),
            missing.is_empty(),
            Some(format!("not sent: {}", missing.join("; "))),
        ));
    }
    if let Some(wanted) = &expect.ca_names_exact {
        let keyed = written(wanted);
        let (missing, extra) = difference(&keyed, &live);
        let missing: Vec<&str> = missing.into_iter().map(String::as_str).collect();
        let extra: Vec<String> = extra.into_iter().map(|name| name.text(style)).collect();
        let mut detail = Vec::new();
        if !missing.is_empty() {
            detail.push(format!("not sent: {}", missing.join("; ")));
        }
        if !extra.is_empty() {
            detail.push(format!("also sent: {}", extra.join("; ")));
        }
        list.push(expectation(
            ExpectationField::CaNamesExact,
            json!(wanted),
            json!(result.ca_names),
            detail.is_empty(),
            Some(detail.join("; ")),
        ));
    }
    if let Some(minimum) = &expect.min_protocol {
        let actual_rank = result.protocol.as_deref().and_then(protocol_rank);
        let ok = matches!((actual_rank, protocol_rank(minimum)), (Some(actual), Some(min)) if actual >= min);
        let detail = match &result.protocol {
            Some(protocol) => format!("{protocol} is older than {minimum}"),
            None => "no protocol was negotiated".to_string(),
        };
        list.push(expectation(ExpectationField::MinProtocol, json!(minimum), json!(result.protocol), ok, Some(detail)));
    }
    if expect.verify.is_some() {
        let ok = result.verify_code == Some(0);
        let detail = match (&result.verify_code, &result.verify_error) {
            (Some(code), Some(text)) => format!("the server chain does not verify: {text} ({code})"),
            _ => "no server certificate was seen".to_string(),
        };
        list.push(expectation(ExpectationField::Verify, json!("ok"), json!(result.verify_error), ok, Some(detail)));
    }
    let lifetimes = [
        (
            ExpectationField::ServerCertDaysLeft,
            expect.server_cert_days_left,
            result.server_cert_days_left,
            "the server's certificate",
        ),
        (
            ExpectationField::ClientCertDaysLeft,
            expect.client_cert_days_left,
            result.client_cert_days_left,
            "our client certificate",
        ),
    ];
    for (field, minimum, actual, whose) in lifetimes {
        let Some(minimum) = minimum else { continue };
        let ok = actual.is_some_and(|days| days >= i64::from(minimum));
        let detail = match actual {
            Some(days) => format!("{whose} has {days} days left, fewer than {minimum}"),
            None => format!("{whose} was not seen"),
        };
        list.push(expectation(field, json!(minimum), json!(actual), ok, Some(detail)));
    }
    list
}
