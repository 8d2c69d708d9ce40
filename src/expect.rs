//! The `expect:` entries about CA names, protocol, verification and certificate lifetimes:
//! validated when the checks file is loaded, evaluated against a verdict. CA names are compared
//! as names (attributes, case and spacing folded), so `C = US, O = X` (OpenSSL 1.1.1–3.1),
//! `C=US, O=X` (3.2+) and `/C=US/O=X` (1.0.2) all expect the same name.

use serde_json::{Value, json};

use crate::config::Expectations;
use crate::probe::DistinguishedName;
use crate::transcript;
use crate::verdict::{CheckResult, ExpectationResult};

/// Protocols from oldest to newest, spelled as OpenSSL reports them.
pub const PROTOCOLS: [&str; 5] = ["SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"];

/// A name reduced for comparison.
pub type NameKey = Vec<(String, String)>;

/// The position of a protocol in [`PROTOCOLS`]; `TLSv1.0` is `TLSv1`, case does not matter.
pub fn protocol_rank(name: &str) -> Option<usize> {
    let name = if name.eq_ignore_ascii_case("TLSv1.0") { "TLSv1" } else { name };
    PROTOCOLS.iter().position(|p| p.eq_ignore_ascii_case(name))
}

/// A name as written by any OpenSSL version; `None` when it is not a name.
pub fn written_name(text: &str) -> Option<NameKey> {
    transcript::parse_name(text).map(|entries| transcript::canonical(&entries))
}

/// A name as the server sent it (from its DER, not its printed text).
pub fn live_name(name: &DistinguishedName) -> NameKey {
    transcript::canonical(&name.entries())
}

/// Problems with the `expect:` values, each naming the field; empty when all can be evaluated.
pub fn validate(expect: &Expectations) -> Vec<String> {
    let mut problems = Vec::new();
    for (field, names) in [("ca_names_include", &expect.ca_names_include), ("ca_names_exact", &expect.ca_names_exact)] {
        let Some(names) = names else { continue };
        if field == "ca_names_include" && names.is_empty() {
            problems.push(format!("`expect.{field}` is empty: list at least one CA name"));
        }
        for name in names.iter().filter(|name| written_name(name).is_none()) {
            problems.push(format!(
                "`expect.{field}`: cannot read {name:?} as a distinguished name; write it as s_client prints it, \
                 e.g. `C = US, O = Example CA, CN = Example Root CA`"
            ));
        }
    }
    if let Some(protocol) = &expect.min_protocol
        && protocol_rank(protocol).is_none()
    {
        problems
            .push(format!("`expect.min_protocol`: unknown protocol {protocol:?}: use one of {}", PROTOCOLS.join(", ")));
    }
    if let Some(verify) = &expect.verify
        && !verify.eq_ignore_ascii_case("ok")
    {
        problems.push(format!("`expect.verify`: only `ok` can be expected, not {verify:?}"));
    }
    problems
}

fn expectation(
    field: &'static str,
    expected: Value,
    actual: Value,
    ok: bool,
    detail: Option<String>,
) -> ExpectationResult {
    ExpectationResult { field, expected, actual, ok, detail: if ok { None } else { detail } }
}

/// The written names whose key is not among `keys`.
fn not_among<'a>(written: &'a [String], keys: &[NameKey]) -> Vec<&'a str> {
    written.iter().filter(|w| written_name(w).is_none_or(|key| !keys.contains(&key))).map(String::as_str).collect()
}

/// Evaluates the entries of `expect` this module owns against a result; `server_ca_names` are
/// the names the server sent (empty when none were, or it was not probed).
pub fn evaluate(
    expect: &Expectations,
    result: &CheckResult,
    server_ca_names: &[DistinguishedName],
) -> Vec<ExpectationResult> {
    let mut list = Vec::new();
    let live: Vec<NameKey> = server_ca_names.iter().map(live_name).collect();
    if let Some(wanted) = &expect.ca_names_include {
        let missing = not_among(wanted, &live);
        list.push(expectation(
            "ca_names_include",
            json!(wanted),
            json!(result.ca_names),
            missing.is_empty(),
            Some(format!("not sent: {}", missing.join("; "))),
        ));
    }
    if let Some(wanted) = &expect.ca_names_exact {
        let wanted_keys: Vec<NameKey> = wanted.iter().filter_map(|w| written_name(w)).collect();
        let missing = not_among(wanted, &live);
        let extra: Vec<&str> = server_ca_names
            .iter()
            .zip(&live)
            .filter(|(_, key)| !wanted_keys.contains(key))
            .map(|(name, _)| name.text.as_str())
            .collect();
        let mut detail = Vec::new();
        if !missing.is_empty() {
            detail.push(format!("not sent: {}", missing.join("; ")));
        }
        if !extra.is_empty() {
            detail.push(format!("also sent: {}", extra.join("; ")));
        }
        list.push(expectation(
            "ca_names_exact",
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
        list.push(expectation("min_protocol", json!(minimum), json!(result.protocol), ok, Some(detail)));
    }
    if expect.verify.is_some() {
        let ok = result.verify_code == Some(0);
        let detail = match (&result.verify_code, &result.verify_error) {
            (Some(code), Some(text)) => format!("the server chain does not verify: {text} ({code})"),
            _ => "no server certificate was seen".to_string(),
        };
        list.push(expectation("verify", json!("ok"), json!(result.verify_error), ok, Some(detail)));
    }
    let lifetimes = [
        (
            "server_cert_days_left",
            expect.server_cert_days_left,
            result.server_cert_days_left,
            "the server's certificate",
        ),
        ("client_cert_days_left", expect.client_cert_days_left, result.client_cert_days_left, "our client certificate"),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocols_are_ranked_and_unknown_ones_refused() {
        assert!(protocol_rank("TLSv1.3") > protocol_rank("tlsv1.2"));
        assert_eq!(protocol_rank("TLSv1.0"), protocol_rank("TLSv1"));
        assert_eq!(protocol_rank("TLSv1.4"), None);
        let expect = Expectations { min_protocol: Some("TLS1.2".into()), ..Default::default() };
        let problems = validate(&expect);
        assert!(problems[0].contains("`expect.min_protocol`") && problems[0].contains("TLSv1.2"), "{problems:?}");
    }

    #[test]
    fn names_in_any_openssl_spelling_validate_and_others_are_named() {
        let expect = Expectations {
            ca_names_include: Some(vec!["C = US, O = X".into(), "C=US, O=X".into(), "/C=US/O=X".into()]),
            ca_names_exact: Some(vec!["just some text".into()]),
            verify: Some("yes".into()),
            ..Default::default()
        };
        let problems = validate(&expect);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("ca_names_exact") && problems[0].contains("just some text"), "{problems:?}");
        assert!(problems[1].contains("`expect.verify`"), "{problems:?}");
        assert_eq!(written_name("C = US, O = X"), written_name("/C=US/O=x"));
    }
}
