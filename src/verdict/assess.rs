//! Pure decisions about one check: its settings and what the probe observed → client-auth
//! verdict, CA-name match, notes, expectations and status, as a [`CheckResult`]. No I/O; only
//! the clock is read, for certificate lifetimes.

use std::sync::Arc;

use serde_json::json;

use super::connection::{attempt_report, http_refused_without_cert, millis, postgres_refused_without_cert};
use super::our_side::{self, Request};
use super::{expect, expiry};
use crate::alerts;
use crate::dates;
use crate::model::{
    AttemptReport, ChainEntry, Check, CheckResult, ClientAuth, EnforcedAt, ExpectationField, ExpectationResult,
    Observation, Outcome, Status, Verification,
};
use crate::names::DistinguishedName;
use crate::style::Style;

/// The verdict for a check that was never probed (a problem found before any traffic).
pub fn preflight_failed(check: &Check, reason: &str) -> CheckResult {
    let mut result = empty_result(check);
    result.error = Some(reason.to_string());
    result.without_cert = AttemptReport::skipped(Some(reason.to_string()));
    if !check.identities.is_empty() {
        result.with_cert = AttemptReport::skipped(Some("not attempted: the check failed before any connection".into()));
    }
    result.expectations = expectations(check, &result, &[]);
    result.warnings = expiry::warnings(&result, check.warn_days);
    result
}

/// The first identity's loaded credentials: the report's top-level client-certificate fields.
fn first_credential(check: &Check) -> Option<&crate::model::ClientIdentity> {
    check.identities.first().and_then(|identity| identity.credential.as_ref())
}

fn empty_result(check: &Check) -> CheckResult {
    CheckResult {
        name: check.name.clone(),
        host: check.host.clone(),
        port: check.port,
        servername: check.servername.clone(),
        address: None,
        proxy: check.proxy.as_ref().map(|p| p.to_string()),
        starttls: check.starttls.map(|s| s.as_str().to_string()),
        client_auth: ClientAuth::Error,
        rejection_stage: None,
        enforced_at: None,
        cert_requested: false,
        cert_requested_after_handshake: false,
        ca_names_sent: false,
        ca_names: Vec::new(),
        ca_name_match: None,
        matched_ca_name: None,
        client: check.client.as_str().to_string(),
        client_stacks: None,
        protocol: None,
        cipher: None,
        verify_code: None,
        verify_error: None,
        requested_sigalgs: Vec::new(),
        requested_signature_schemes: Vec::new(),
        client_cert_types: Vec::new(),
        server_temp_key: None,
        negotiated_group: None,
        peer_chain: Vec::new(),
        client_cert_subject: first_credential(check)
            .map(|i| DistinguishedName::from_name(i.cert.subject_name()).text(check.names())),
        client_cert_issuer: first_credential(check)
            .map(|i| DistinguishedName::from_name(i.cert.issuer_name()).text(check.names())),
        client_cert_not_after: first_credential(check).map(|i| i.cert.not_after().to_string()),
        client_cert_days_left: first_credential(check)
            .and_then(|i| dates::days_left(i.cert.not_after(), dates::now_unix())),
        server_cert_days_left: None,
        warnings: Vec::new(),
        changes: None,
        without_cert: AttemptReport::skipped(None),
        with_cert: AttemptReport::skipped(None),
        identities: Vec::new(),
        client_cert_verification: Verification::Unknown,
        impostor: None,
        expectations: Vec::new(),
        status: Status::Error,
        error: None,
        notes: Vec::new(),
        tries: 1,
        addresses: Vec::new(),
        elapsed_ms: 0,
        like: Some(check.style().label()),
        name_style: Some(check.names().preset_name().to_string()),
        comparison: None,
        observation: None,
    }
}

/// Decides everything about one probed check.
pub fn assess(check: &Check, observation: Observation) -> CheckResult {
    let observation = Arc::new(observation);
    let mut result = empty_result(check);
    result.address = observation.address.map(|a| a.to_string());
    result.observation = Some(observation.clone());
    result.elapsed_ms = millis(observation.elapsed);
    let first = &observation.without_cert;
    result.without_cert = attempt_report(first);
    let second = observation.first_with_cert();

    // Connection facts come from the first connection; the second fills in when the first
    // died before the server said much.
    let info = first.info.as_ref().filter(|i| i.protocol.is_some()).or(second.and_then(|a| a.info.as_ref()));
    if let Some(info) = info {
        result.protocol = info.protocol.clone();
        result.cipher = info.cipher.clone();
        if !info.peer_chain.is_empty() {
            result.verify_code = Some(info.verify_code);
            result.verify_error = Some(info.verify_error.clone());
        }
        result.server_temp_key = info.temp_key.as_ref().map(|key| key.text(check.style()));
        result.negotiated_group = info.negotiated_group.as_ref().and_then(|group| group.iana_name());
        result.peer_chain = info
            .peer_chain
            .iter()
            .map(|c| ChainEntry {
                subject: c.subject.text(check.names()),
                issuer: c.issuer.text(check.names()),
                not_after: Some(c.not_after.clone()),
            })
            .collect();
        result.server_cert_days_left = info
            .server_cert
            .as_ref()
            .and_then(|leaf| leaf.not_after_unix)
            .map(|not_after| dates::days_between(dates::now_unix(), not_after));
    }

    // The CertificateRequest as the first connection saw it.
    let attempts = || std::iter::once(first).chain(second);
    let during = attempts().any(|a| a.cert_requested);
    let late = attempts().any(|a| a.late_cert_request);
    result.cert_requested = during || late;
    result.cert_requested_after_handshake = late && !during;
    let request_info = attempts().filter(|a| a.cert_requested).find_map(|a| a.info.as_ref());
    let server_ca_names: Vec<DistinguishedName> = match request_info {
        Some(info) => info.ca_names.clone(),
        None => attempts().find(|a| a.late_cert_request).map(|a| a.late_ca_names.clone()).unwrap_or_default(),
    };
    if let Some(info) = request_info {
        result.requested_sigalgs = info.requested_sigalg_texts(check.style());
        result.requested_signature_schemes = info.requested_signature_schemes();
        result.client_cert_types = info.client_cert_type_names();
    }
    result.ca_names_sent = !server_ca_names.is_empty();
    result.ca_names = server_ca_names.iter().map(|n| n.text(check.names())).collect();

    // Where a server that let the handshake through without a certificate refused us for it.
    let refused_above_tls = if http_refused_without_cert(first, second) {
        Some(EnforcedAt::Http)
    } else if postgres_refused_without_cert(first, second) {
        Some(EnforcedAt::Postgres)
    } else {
        None
    };
    let refused_at_http = refused_above_tls.is_some();
    result.client_auth = match &first.outcome {
        Outcome::Failed(err) => {
            result.error = Some(err.to_string());
            ClientAuth::Error
        }
        _ if !first.cert_requested && !result.cert_requested_after_handshake => ClientAuth::None,
        Outcome::Rejected { stage, .. } => {
            result.rejection_stage = Some(stage.clone());
            result.enforced_at = Some(EnforcedAt::Handshake);
            if first.cert_requested { ClientAuth::Required } else { ClientAuth::PostHandshake }
        }
        Outcome::Accepted(_) if !first.cert_requested => {
            result.enforced_at = refused_above_tls;
            ClientAuth::PostHandshake
        }
        Outcome::Accepted(_) if refused_at_http => {
            result.enforced_at = refused_above_tls;
            ClientAuth::Required
        }
        Outcome::Accepted(_) => ClientAuth::Optional,
    };

    let wire =
        attempts().filter(|a| a.cert_requested || a.late_cert_request).find_map(|a| a.certificate_request.as_ref());
    let required = matches!(result.client_auth, ClientAuth::Required)
        || (result.client_auth == ClientAuth::PostHandshake && result.enforced_at.is_some());
    let request = Request { cert_requested: result.cert_requested, ca_names: &server_ca_names, wire, required };
    let our_side = our_side::judge(check, &observation, &request, dates::now_unix());
    result.with_cert = our_side.with_cert;
    result.identities = our_side.identities;
    result.ca_name_match = our_side.ca_name_match;
    result.matched_ca_name = our_side.matched_ca_name;
    result.impostor = our_side.impostor;
    result.client_cert_verification = our_side.verification;
    result.client_stacks = our_side.client_stacks;

    if check.http.is_none() && check.starttls.is_none() {
        match result.client_auth {
            ClientAuth::Optional => result.notes.push(
                "accepted without a certificate at the TLS layer; servers such as nginx (ssl_verify_client on) \
                 refuse at the HTTP layer instead: set http_path to see it"
                    .into(),
            ),
            ClientAuth::None => result.notes.push(
                "no certificate was asked for during the handshake; servers may ask only for some paths \
                 (Apache <Location>, IIS): set http_path to a protected path to see it"
                    .into(),
            ),
            _ => {}
        }
    }
    if let Some(note) = verification_note(check, &result) {
        result.notes.push(note);
    }
    restyle_alerts(&mut result, check.style());
    result.expectations = expectations(check, &result, &server_ca_names);
    result.expectations.extend(our_side.expectations);
    result.warnings = expiry::warnings(&result, check.warn_days);
    result.status = if result.client_auth == ClientAuth::Error {
        Status::Error
    } else if result.expectations.iter().all(|e| e.ok) {
        Status::Pass
    } else {
        Status::Fail
    };
    result
}

/// How every note about a server chain that did not verify starts (callers that judge
/// verification themselves, like `compare`, drop these notes).
pub const VERIFY_NOTE_START: &str = "the server's certificate did not verify";

/// A server chain that did not verify: what to do about it, or that `insecure` waived it.
fn verification_note(check: &Check, result: &CheckResult) -> Option<String> {
    let failure = verify_failure(result)?;
    Some(if check.insecure {
        format!("{VERIFY_NOTE_START} ({failure}); not counted because of insecure: true")
    } else {
        format!(
            "{VERIFY_NOTE_START} ({failure}): set cacert/capath to the CA that issued it, \
             or insecure: true to only report it"
        )
    })
}

/// OpenSSL's text for a failed server verification, or `None` when it verified (or no server
/// certificate was seen).
fn verify_failure(result: &CheckResult) -> Option<&str> {
    match (result.verify_code, &result.verify_error) {
        (Some(code), Some(text)) if code != 0 => Some(text),
        _ => None,
    }
}

/// The probe records alerts in OpenSSL 3.0's words; the report uses the words of the s_client
/// it imitates (`ssl/tls alert handshake failure` for 3.2+, ...).
fn restyle_alerts(result: &mut CheckResult, style: Style) {
    let identities = result.identities.iter_mut().map(|identity| &mut identity.with_cert);
    let attempts =
        [&mut result.without_cert, &mut result.with_cert].into_iter().chain(identities).chain(result.impostor.as_mut());
    for attempt in attempts {
        if let Some(alert) = &attempt.alert {
            attempt.alert = Some(alerts::restyle(alert, style));
        }
    }
}

fn expectations(check: &Check, result: &CheckResult, server_ca_names: &[DistinguishedName]) -> Vec<ExpectationResult> {
    let mut list = Vec::new();
    if let Some(expected) = check.expect.client_auth {
        list.push(ExpectationResult {
            field: ExpectationField::ClientAuth,
            expected: json!(expected.as_str()),
            actual: json!(result.client_auth.as_str()),
            ok: expected == result.client_auth,
            detail: None,
            identity: None,
        });
    }
    if let Some(expected) = check.expect.ca_name_match {
        list.push(ExpectationResult {
            field: ExpectationField::CaNameMatch,
            expected: json!(expected),
            actual: json!(result.ca_name_match),
            ok: result.ca_name_match == Some(expected),
            detail: None,
            identity: None,
        });
    }
    list.extend(expect::evaluate(&check.expect, result, server_ca_names, check.names()));
    // Implicit: the server's chain verifies, unless the check says `insecure` (or states its own
    // `expect.verify`, evaluated above).
    if check.expect.verify.is_none()
        && let Some(failure) = verify_failure(result).filter(|_| !check.insecure)
    {
        list.push(ExpectationResult {
            field: ExpectationField::Verify,
            expected: json!("ok"),
            actual: json!(failure),
            ok: false,
            detail: None,
            identity: None,
        });
    }
    list
}
