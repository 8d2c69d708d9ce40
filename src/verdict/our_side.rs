//! Our side of the handshake: what the partner did with each of our identities and with the
//! impostor's forged certificate, and the expectations on them — `with_cert` (default:
//! accepted), `credentials` (every identity usable) and `verifies_client_cert`.

use std::collections::BTreeMap;

use serde_json::json;

use super::client_stacks::predict_all;
use super::connection::with_cert_report;
use crate::certificate_request::CertificateRequest;
use crate::dates;
use crate::model::{
    AttemptReport, Check, ClientIdentity, ExpectationField, ExpectationResult, Identity, IdentityResult, Observation,
    StackOutcome, StackPrediction, Verification, WithCert, WithCertExpectation,
};
use crate::names::{DistinguishedName, NameStyle};

/// The verdicts on our side, for the report.
pub struct OurSide {
    /// The first identity's connection (the report's top-level `with_cert`).
    pub with_cert: AttemptReport,
    /// Every identity's result, when the check uses `identities:`.
    pub identities: Vec<IdentityResult>,
    /// Whether the first identity's issuers are among the server's CA names, and as which.
    pub ca_name_match: Option<bool>,
    pub matched_ca_name: Option<String>,
    pub impostor: Option<AttemptReport>,
    pub verification: Verification,
    /// The first identity's client-stack predictions.
    pub client_stacks: Option<Predictions>,
    pub expectations: Vec<ExpectationResult>,
}

type Predictions = BTreeMap<String, StackPrediction>;

/// What the server sent in its CertificateRequest, as far as our side needs it.
pub struct Request<'a> {
    pub cert_requested: bool,
    pub ca_names: &'a [DistinguishedName],
    /// The request as it was on the wire, when one arrived.
    pub wire: Option<&'a CertificateRequest>,
    /// The server refuses a connection without a certificate (`required`, or `post-handshake`
    /// enforced): our client stack must send one.
    pub required: bool,
}

pub fn judge(check: &Check, observation: &Observation, request: &Request<'_>, now: i64) -> OurSide {
    let named = check.identities.iter().any(|identity| identity.name.is_some());
    let mut side = OurSide {
        with_cert: AttemptReport::skipped(None),
        identities: Vec::new(),
        ca_name_match: None,
        matched_ca_name: None,
        impostor: None,
        verification: Verification::Unknown,
        client_stacks: None,
        expectations: Vec::new(),
    };
    for (index, (identity, seen)) in check.identities.iter().zip(&observation.identities).enumerate() {
        let report = match seen {
            WithCert::Done(attempt) => with_cert_report(attempt, &observation.without_cert),
            WithCert::Skipped(reason) => AttemptReport::skipped(Some(reason.clone())),
        };
        let matched = identity.credential.as_ref().and_then(|credential| ca_match(credential, request));
        let expected = expected_today(check, identity, now);
        let predictions = match (request.wire, &identity.credential) {
            (Some(wire), Some(credential)) => Some(predict_all(wire, credential, check.names())),
            _ => None,
        };
        side.expectations.extend(identity_expectations(check, identity, &report, expected, seen));
        side.expectations.extend(stack_expectations(check, identity, predictions.as_ref(), request));
        if index == 0 {
            side.with_cert = report.clone();
            side.ca_name_match = matched.as_ref().map(|m| m.is_some());
            side.matched_ca_name = matched.clone().flatten().map(|name| name.text(check.names()));
            side.client_stacks = predictions.clone();
        }
        if named {
            let mut result = identity_result(identity, report, matched, expected, check.names(), now);
            result.client_stacks = predictions;
            side.identities.push(result);
        }
    }
    judge_impostor(check, observation, &mut side);
    side
}

/// `Some(Some(name))`: our issuer listed as `name`; `Some(None)`: CA names were sent without
/// ours; `None`: nothing to match (no request, or no names sent).
fn ca_match(credential: &ClientIdentity, request: &Request<'_>) -> Option<Option<DistinguishedName>> {
    if !request.cert_requested || request.ca_names.is_empty() {
        return None;
    }
    let ours = our_ca_names(credential);
    Some(request.ca_names.iter().find(|theirs| ours.iter().any(|mine| mine.same_name_as(theirs))).cloned())
}

/// The names our certificate can be recognised by in a server's CA list: the issuer of our
/// leaf, and the subject and issuer of every certificate we send after it (a server may list
/// our intermediate or the root above it).
fn our_ca_names(credential: &ClientIdentity) -> Vec<DistinguishedName> {
    let mut names = vec![DistinguishedName::from_name(credential.cert.issuer_name())];
    for cert in &credential.chain {
        names.push(DistinguishedName::from_name(cert.subject_name()));
        names.push(DistinguishedName::from_name(cert.issuer_name()));
    }
    names
}

/// What the partner must do with this identity today: the identity's `accepted_from` decides
/// (anything before the day, accepted from it), else its own `with_cert`, else the check's,
/// else accepted.
fn expected_today(check: &Check, identity: &Identity, now: i64) -> WithCertExpectation {
    if let Some(day) = &identity.expect.accepted_from {
        return if now >= day.unix {
            WithCertExpectation::Accepted
        } else {
            identity.expect.with_cert.unwrap_or(WithCertExpectation::Any)
        };
    }
    identity.expect.with_cert.or(check.expect.with_cert).unwrap_or(WithCertExpectation::Accepted)
}

/// Whether the expectation was written (and so is always reported) or is the implicit
/// default (reported only when it fails, like the server verification).
fn written(check: &Check, identity: &Identity) -> bool {
    identity.expect.with_cert.is_some() || identity.expect.accepted_from.is_some() || check.expect.with_cert.is_some()
}

fn outcome_word(report: &AttemptReport) -> &'static str {
    match report.accepted {
        Some(true) => "accepted",
        Some(false) => "refused",
        None => "unknown",
    }
}

fn identity_expectations(
    check: &Check,
    identity: &Identity,
    report: &AttemptReport,
    expected: WithCertExpectation,
    seen: &WithCert,
) -> Vec<ExpectationResult> {
    let mut list = Vec::new();
    if let Some(problem) = &identity.problem {
        list.push(ExpectationResult {
            field: ExpectationField::Credentials,
            expected: json!("usable"),
            actual: json!("unusable"),
            ok: false,
            detail: Some(problem.clone()),
            identity: identity.name.clone(),
        });
        return list;
    }
    // Not tried because the endpoint was never reached: the check's error says it all.
    let WithCert::Done(_) = seen else { return list };
    let actual = outcome_word(report);
    let ok = match expected {
        WithCertExpectation::Accepted => actual == "accepted",
        WithCertExpectation::Refused => actual == "refused",
        WithCertExpectation::Any => true,
    };
    if written(check, identity) || !ok {
        let why = report.alert.clone().or_else(|| report.error.clone());
        list.push(ExpectationResult {
            field: ExpectationField::WithCert,
            expected: json!(expected.as_str()),
            actual: json!(actual),
            ok,
            detail: if ok { None } else { why },
            identity: identity.name.clone(),
        });
    }
    list
}

fn identity_result(
    identity: &Identity,
    with_cert: AttemptReport,
    matched: Option<Option<DistinguishedName>>,
    expected: WithCertExpectation,
    style: NameStyle,
    now: i64,
) -> IdentityResult {
    let cert = identity.credential.as_ref().map(|credential| &credential.cert);
    IdentityResult {
        name: identity.name.clone().unwrap_or_default(),
        client_cert_subject: cert.map(|c| DistinguishedName::from_name(c.subject_name()).text(style)),
        client_cert_issuer: cert.map(|c| DistinguishedName::from_name(c.issuer_name()).text(style)),
        client_cert_not_after: cert.map(|c| c.not_after().to_string()),
        client_cert_days_left: cert.and_then(|c| dates::days_left(c.not_after(), now)),
        ca_name_match: matched.as_ref().map(Option::is_some),
        matched_ca_name: matched.flatten().map(|name| name.text(style)),
        with_cert,
        expected: expected.as_str().to_string(),
        problem: identity.problem.clone(),
        client_stacks: None,
    }
}

/// `client:` (implicit: our stack must send our certificate to a server that requires one) and
/// `expect.clients_send` (each listed stack must send it).
fn stack_expectations(
    check: &Check,
    identity: &Identity,
    predictions: Option<&Predictions>,
    request: &Request<'_>,
) -> Vec<ExpectationResult> {
    let Some(predictions) = predictions else { return Vec::new() };
    let outcome = |stack: crate::model::ClientStack| predictions.get(stack.as_str());
    let mut list = Vec::new();
    if let Some(ours) = outcome(check.client)
        && request.required
        && ours.outcome != StackOutcome::Sends
    {
        list.push(ExpectationResult {
            field: ExpectationField::ClientSends,
            expected: json!({ check.client.as_str(): "sends" }),
            actual: json!({ check.client.as_str(): ours.outcome.as_str() }),
            ok: false,
            detail: Some(ours.reason.to_string()),
            identity: identity.name.clone(),
        });
    }
    if let Some(stacks) = &check.expect.clients_send {
        let failing: Vec<String> = stacks
            .iter()
            .filter(|stack| outcome(**stack).is_some_and(|p| p.outcome != StackOutcome::Sends))
            .map(|stack| format!("{}: {}", stack.as_str(), outcome(*stack).map(|p| &*p.reason).unwrap_or("-")))
            .collect();
        let actual: BTreeMap<&str, &str> =
            stacks.iter().filter_map(|stack| outcome(*stack).map(|p| (stack.as_str(), p.outcome.as_str()))).collect();
        list.push(ExpectationResult {
            field: ExpectationField::ClientsSend,
            expected: json!(stacks.iter().map(|s| s.as_str()).collect::<Vec<_>>()),
            actual: json!(actual),
            ok: failing.is_empty(),
            detail: (!failing.is_empty()).then(|| failing.join("; ")),
            identity: identity.name.clone(),
        });
    }
    list
}

/// The impostor's connection: a partner that accepts a certificate nobody issued does not
/// verify client certificates (presence only, or a trusted issuer *name*), which fails the
/// check unless `expect.verifies_client_cert: false`.
fn judge_impostor(check: &Check, observation: &Observation, side: &mut OurSide) {
    let expected = check.expect.verifies_client_cert;
    if let Some(seen) = &observation.impostor {
        let report = match seen {
            WithCert::Done(attempt) => with_cert_report(attempt, &observation.without_cert),
            WithCert::Skipped(reason) => AttemptReport::skipped(Some(reason.clone())),
        };
        side.verification = match report.accepted {
            Some(true) => Verification::None,
            Some(false) => Verification::Verified,
            None => Verification::Unknown,
        };
        side.impostor = Some(report);
    }
    let actual = match side.verification {
        Verification::None => Some(false),
        Verification::Verified => Some(true),
        _ => None,
    };
    let ok = match (expected, actual) {
        (Some(expected), Some(actual)) => expected == actual,
        (Some(_), None) => false,
        (None, actual) => actual != Some(false),
    };
    if expected.is_some() || !ok {
        let detail = match actual {
            Some(false) => "the partner accepted a certificate forged at run time in the name of a CA it lists: \
                            any client can pass its client-certificate check"
                .to_string(),
            Some(true) => "the partner refused the forged certificate: it verifies client certificates".to_string(),
            None if !check.impostor => "the impostor was not tried: set `impostor: true` or --impostor".to_string(),
            None => "the impostor could not tell (no certificate was asked for, or the connection failed)".to_string(),
        };
        side.expectations.push(ExpectationResult {
            field: ExpectationField::VerifiesClientCert,
            expected: json!(expected.unwrap_or(true)),
            actual: json!(actual),
            ok,
            detail: (!ok).then_some(detail),
            identity: None,
        });
    }
}
