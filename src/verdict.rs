//! Pure decisions: a check and what the probe observed → client-auth verdict, CA-name match,
//! expectations and status, in the shape of the JSON report (the stable contract documented
//! in README.md). No I/O happens here; only the clock is read, for certificate lifetimes.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::config::{Check, ClientAuthMode};
use crate::probe::DistinguishedName;
use crate::probe::{Attempt, Observation, Outcome, Stage, WithCert};
use crate::report::read::{Interned, interned, interned_opt};
use crate::{baseline, expect, expiry};

/// The verdict on client authentication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClientAuth {
    None,
    Optional,
    Required,
    /// Asked only after the handshake (renegotiation or TLS 1.3 post-handshake auth).
    #[serde(rename = "post-handshake")]
    PostHandshake,
    Error,
}

impl ClientAuth {
    pub fn as_str(self) -> &'static str {
        match self {
            ClientAuth::None => "none",
            ClientAuth::Optional => "optional",
            ClientAuth::Required => "required",
            ClientAuth::PostHandshake => "post-handshake",
            ClientAuth::Error => "error",
        }
    }

    fn from_mode(mode: ClientAuthMode) -> Self {
        match mode {
            ClientAuthMode::None => ClientAuth::None,
            ClientAuthMode::Optional => ClientAuth::Optional,
            ClientAuthMode::Required => ClientAuth::Required,
            ClientAuthMode::PostHandshake => ClientAuth::PostHandshake,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Fail,
    Error,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChainEntry {
    pub subject: String,
    pub issuer: String,
    /// As s_client prints it: `Jan  1 00:00:00 2030 GMT`.
    #[serde(default)]
    pub not_after: Option<String>,
}

/// One connection in the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttemptReport {
    /// "ok" | "failed" | "skipped": whether our side of the handshake completed.
    #[serde(deserialize_with = "interned")]
    pub handshake: Interned,
    /// Whether the server accepted the connection; null when it could not be told.
    pub accepted: Option<bool>,
    /// What decided `accepted`: "handshake", "session_ticket", "application_data",
    /// "http_response", "timeout", "alert_during_handshake", "alert_after_handshake".
    #[serde(deserialize_with = "interned_opt", default)]
    pub decided_by: Option<Interned>,
    pub alert: Option<String>,
    pub error: Option<String>,
    /// With `http_path`: the response status, and its status line.
    pub http_status: Option<u16>,
    pub http_status_line: Option<String>,
    /// With `starttls: postgres`: the server's answer to our StartupMessage.
    #[serde(default)]
    pub postgres_reply: Option<String>,
    pub elapsed_ms: Option<u64>,
}

impl AttemptReport {
    fn skipped(reason: Option<String>) -> Self {
        AttemptReport {
            handshake: "skipped",
            accepted: None,
            decided_by: None,
            alert: None,
            error: reason,
            http_status: None,
            http_status_line: None,
            postgres_reply: None,
            elapsed_ms: None,
        }
    }

    fn from_attempt(attempt: &Attempt) -> Self {
        let (accepted, decided_by, alert, error) = match &attempt.outcome {
            Outcome::Accepted(signal) => (Some(true), Some(signal.as_str()), None, None),
            Outcome::Rejected { stage, alert, error } => {
                let decided = match stage {
                    Stage::DuringHandshake => "alert_during_handshake",
                    Stage::AfterHandshake => "alert_after_handshake",
                };
                (Some(false), Some(decided), alert.clone(), Some(error.clone()))
            }
            Outcome::Failed(err) => (None, None, None, Some(err.to_string())),
        };
        AttemptReport {
            handshake: if attempt.handshake_completed { "ok" } else { "failed" },
            accepted,
            decided_by,
            alert,
            error,
            http_status: attempt.http.as_ref().map(|h| h.status),
            http_status_line: attempt.http.as_ref().map(|h| h.status_line.clone()),
            postgres_reply: attempt.postgres.as_ref().map(|p| p.text.clone()),
            elapsed_ms: Some(millis(attempt.elapsed)),
        }
    }

    /// The table's with-cert cell: "ok", the alert, or why not.
    pub fn summary(&self) -> String {
        match (self.handshake, self.accepted) {
            ("skipped", _) => "skipped".into(),
            (_, Some(true)) => match (self.http_status, &self.postgres_reply) {
                (Some(status), _) => format!("ok (HTTP {status})"),
                (None, Some(reply)) => format!("ok (PostgreSQL: {reply})"),
                (None, None) => "ok".into(),
            },
            (_, Some(false)) => self.alert.clone().unwrap_or_else(|| "refused".into()),
            _ => format!("error: {}", self.error.clone().unwrap_or_default()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpectationResult {
    #[serde(deserialize_with = "interned")]
    pub field: Interned,
    pub expected: Value,
    pub actual: Value,
    pub ok: bool,
    /// For a failed expectation whose values do not say it all: what differed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// One row of the report; field names and meanings are the JSON contract. Reports are read
/// back (`--baseline`, `merge`), so keys added later carry `#[serde(default)]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    pub name: String,
    pub host: String,
    pub port: u16,
    pub servername: Option<String>,
    /// The address actually connected to (with a proxy: the proxy's).
    pub address: Option<String>,
    /// The HTTP CONNECT proxy used, as `http://host:port` (a password shows as `***`).
    #[serde(default)]
    pub proxy: Option<String>,
    /// The plain-text protocol spoken before TLS (`s_client -starttls`).
    #[serde(deserialize_with = "interned_opt", default)]
    pub starttls: Option<Interned>,
    pub client_auth: ClientAuth,
    /// For "required": whether the refusal came during the handshake or after it (TLS 1.3).
    #[serde(deserialize_with = "interned_opt", default)]
    pub rejection_stage: Option<Interned>,
    /// For "required" and "post-handshake": "handshake" (a TLS alert), "http" (the server
    /// finished the handshake without a certificate but refused the request: nginx's 400, 403)
    /// or "postgres" (pg_hba refused the StartupMessage).
    #[serde(deserialize_with = "interned_opt", default)]
    pub enforced_at: Option<Interned>,
    /// A CertificateRequest arrived (during or after the handshake).
    pub cert_requested: bool,
    /// It arrived only after the handshake, while reading the HTTP response.
    pub cert_requested_after_handshake: bool,
    pub ca_names_sent: bool,
    pub ca_names: Vec<String>,
    pub ca_name_match: Option<bool>,
    pub matched_ca_name: Option<String>,
    pub protocol: Option<String>,
    pub cipher: Option<String>,
    pub verify_code: Option<i64>,
    pub verify_error: Option<String>,
    pub requested_sigalgs: Vec<String>,
    pub client_cert_types: Vec<String>,
    pub server_temp_key: Option<String>,
    pub peer_chain: Vec<ChainEntry>,
    /// Whole days until the server's leaf expires (negative: expired).
    #[serde(default)]
    pub server_cert_days_left: Option<i64>,
    /// Our client certificate's subject and issuer, when the check has one.
    pub client_cert_subject: Option<String>,
    pub client_cert_issuer: Option<String>,
    #[serde(default)]
    pub client_cert_not_after: Option<String>,
    #[serde(default)]
    pub client_cert_days_left: Option<i64>,
    pub without_cert: AttemptReport,
    pub with_cert: AttemptReport,
    pub expectations: Vec<ExpectationResult>,
    pub status: Status,
    pub error: Option<String>,
    /// Advice about what this probe could not see (e.g. "set http_path").
    pub notes: Vec<String>,
    /// How many times the endpoint was probed (more than 1 after retries).
    #[serde(default = "one")]
    pub tries: u32,
    /// With `all_addresses`: the verdict for every resolved address (the top-level fields are
    /// the first address's).
    #[serde(default)]
    pub addresses: Vec<AddressResult>,
    /// Certificates that expire within the warning window; they do not fail the check.
    #[serde(default)]
    pub warnings: Vec<expiry::Warning>,
    /// What changed since the `--baseline` report; null when not compared with one.
    #[serde(default)]
    pub changes: Option<Vec<baseline::Change>>,
    pub elapsed_ms: u64,
    /// The comparison with an operator's s_client transcript (`compare`, `run --compare-dir`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comparison: Option<crate::compare::Comparison>,
    /// Everything the probe saw, for the s_client-style view (`mtlscheck probe`); not in JSON.
    #[serde(skip)]
    pub observation: Option<Arc<Observation>>,
}

impl CheckResult {
    /// Attaches a transcript comparison; a difference fails a check that would have passed.
    pub fn with_comparison(mut self, comparison: crate::compare::Comparison) -> Self {
        if !comparison.agree && self.status == Status::Pass {
            self.status = Status::Fail;
        }
        self.comparison = Some(comparison);
        self
    }

    pub fn target(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// One address of a host probed with `all_addresses`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AddressResult {
    pub address: Option<String>,
    pub client_auth: ClientAuth,
    pub protocol: Option<String>,
    pub cipher: Option<String>,
    pub ca_names: Vec<String>,
    pub peer_chain: Vec<ChainEntry>,
    pub with_cert: String,
    pub error: Option<String>,
}

impl AddressResult {
    fn of(r: &CheckResult) -> Self {
        AddressResult {
            address: r.address.clone(),
            client_auth: r.client_auth,
            protocol: r.protocol.clone(),
            cipher: r.cipher.clone(),
            ca_names: r.ca_names.clone(),
            peer_chain: r.peer_chain.clone(),
            with_cert: r.with_cert.summary(),
            error: r.error.clone(),
        }
    }
}

/// Joins the results of every address of one host: the first is the check's result; the
/// others are listed, and any disagreement (client auth, CA names, protocol, chain, with-cert
/// outcome) fails the check, since clients land on any node of a pool.
pub fn combine_addresses(mut results: Vec<CheckResult>) -> Option<CheckResult> {
    if results.is_empty() {
        return None;
    }
    let addresses: Vec<AddressResult> = results.iter().map(AddressResult::of).collect();
    let mut combined = results.swap_remove(0);
    let first = &addresses[0];
    let mut differing: Vec<&str> = Vec::new();
    for other in &addresses[1..] {
        let checks: [(&str, bool); 5] = [
            ("client_auth", other.client_auth != first.client_auth),
            ("ca_names", other.ca_names != first.ca_names),
            ("protocol", other.protocol != first.protocol),
            ("peer_chain", other.peer_chain != first.peer_chain),
            ("with_cert", other.with_cert != first.with_cert),
        ];
        for (field, differs) in checks {
            if differs && !differing.contains(&field) {
                differing.push(field);
            }
        }
    }
    if addresses.len() > 1 {
        combined.expectations.push(ExpectationResult {
            field: "addresses_agree",
            expected: json!([]),
            actual: json!(differing),
            ok: differing.is_empty(),
            detail: (!differing.is_empty()).then(|| "the addresses of this host answer differently".to_string()),
        });
        if !differing.is_empty() && combined.status == Status::Pass {
            combined.status = Status::Fail;
        }
    }
    combined.addresses = addresses;
    Some(combined)
}

/// Reports written before `tries` existed made one try.
fn one() -> u32 {
    1
}

fn millis(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// The names our certificate can be recognised by in a server's CA list: the issuer of our
/// leaf, and the subject and issuer of every certificate we send after it (a server may list
/// our intermediate or the root above it).
fn our_ca_names(check: &Check) -> Vec<DistinguishedName> {
    let Some(identity) = &check.identity else {
        return Vec::new();
    };
    let mut names = vec![DistinguishedName::from_name(identity.cert.issuer_name())];
    for cert in &identity.chain {
        names.push(DistinguishedName::from_name(cert.subject_name()));
        names.push(DistinguishedName::from_name(cert.issuer_name()));
    }
    names
}

/// The verdict for a check that was never probed (a problem found before any traffic).
pub fn preflight_failed(check: &Check, reason: &str) -> CheckResult {
    let mut result = empty_result(check);
    result.error = Some(reason.to_string());
    result.without_cert = AttemptReport::skipped(Some(reason.to_string()));
    result.with_cert = AttemptReport::skipped(Some("not attempted: the check failed before any connection".into()));
    result.expectations = expectations(check, &result, &[]);
    result.warnings = expiry::warnings(&result, check.warn_days);
    result
}

fn empty_result(check: &Check) -> CheckResult {
    CheckResult {
        name: check.name.clone(),
        host: check.host.clone(),
        port: check.port,
        servername: check.servername.clone(),
        address: None,
        proxy: check.proxy.as_ref().map(|p| p.to_string()),
        starttls: check.starttls.map(|s| s.as_str()),
        client_auth: ClientAuth::Error,
        rejection_stage: None,
        enforced_at: None,
        cert_requested: false,
        cert_requested_after_handshake: false,
        ca_names_sent: false,
        ca_names: Vec::new(),
        ca_name_match: None,
        matched_ca_name: None,
        protocol: None,
        cipher: None,
        verify_code: None,
        verify_error: None,
        requested_sigalgs: Vec::new(),
        client_cert_types: Vec::new(),
        server_temp_key: None,
        peer_chain: Vec::new(),
        client_cert_subject: check.identity.as_ref().map(|i| DistinguishedName::from_name(i.cert.subject_name()).text),
        client_cert_issuer: check.identity.as_ref().map(|i| DistinguishedName::from_name(i.cert.issuer_name()).text),
        client_cert_not_after: check.identity.as_ref().map(|i| i.cert.not_after().to_string()),
        client_cert_days_left: check
            .identity
            .as_ref()
            .and_then(|i| expiry::days_left(i.cert.not_after(), expiry::now_unix())),
        server_cert_days_left: None,
        warnings: Vec::new(),
        changes: None,
        without_cert: AttemptReport::skipped(None),
        with_cert: AttemptReport::skipped(None),
        expectations: Vec::new(),
        status: Status::Error,
        error: None,
        notes: Vec::new(),
        tries: 1,
        addresses: Vec::new(),
        elapsed_ms: 0,
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
    result.without_cert = AttemptReport::from_attempt(first);
    let second = match &observation.with_cert {
        Some(WithCert::Done(attempt)) => {
            result.with_cert = AttemptReport::from_attempt(attempt);
            Some(attempt.as_ref())
        }
        Some(WithCert::Skipped(reason)) => {
            result.with_cert = AttemptReport::skipped(Some(reason.clone()));
            None
        }
        None => None,
    };

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
        result.server_temp_key = info.server_temp_key.clone();
        result.peer_chain = info
            .peer_chain
            .iter()
            .map(|c| ChainEntry {
                subject: c.subject.text.clone(),
                issuer: c.issuer.text.clone(),
                not_after: Some(c.not_after.clone()),
            })
            .collect();
        result.server_cert_days_left = info
            .server_cert
            .as_ref()
            .and_then(|leaf| leaf.not_after_unix)
            .map(|not_after| expiry::days_between(expiry::now_unix(), not_after));
    }

    // The CertificateRequest as the first connection saw it.
    let attempts = || [Some(first), second].into_iter().flatten();
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
        result.requested_sigalgs = info.requested_sigalgs.clone();
        result.client_cert_types = info.client_cert_types.clone();
    }
    result.ca_names_sent = !server_ca_names.is_empty();
    result.ca_names = server_ca_names.iter().map(|n| n.text.clone()).collect();

    // Where a server that let the handshake through without a certificate refused us for it.
    let refused_above_tls = if http_refused_without_cert(first, second) {
        Some("http")
    } else if postgres_refused_without_cert(first, second) {
        Some("postgres")
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
            result.rejection_stage = Some(stage.as_str());
            result.enforced_at = Some("handshake");
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

    if check.identity.is_some() && result.cert_requested && result.ca_names_sent {
        let ours = our_ca_names(check);
        let matched = server_ca_names.iter().find(|theirs| ours.iter().any(|mine| mine.same_name_as(theirs)));
        result.ca_name_match = Some(matched.is_some());
        result.matched_ca_name = matched.map(|n| n.text.clone());
    }

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
    result.expectations = expectations(check, &result, &server_ca_names);
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

/// Whether the server let us finish the TLS handshake without a certificate but refused the
/// HTTP request for lack of one: nginx's `400 No required SSL certificate was sent`, or a
/// 401/403 that our certificate turns into a success (or a 404: the path needs no more).
fn http_refused_without_cert(without: &Attempt, with: Option<&Attempt>) -> bool {
    let Some(response) = &without.http else { return false };
    if response.status == 400 && response.body_start.contains("No required SSL certificate was sent") {
        return true;
    }
    let with_status = with.and_then(|a| a.http.as_ref()).map(|h| h.status);
    matches!(response.status, 401 | 403 | 495 | 496) && with_status.is_some_and(|s| (200..400).contains(&s) || s == 404)
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

/// Whether pg_hba refused the StartupMessage for want of a certificate (`clientcert=verify-*` or
/// the `cert` method: SQLSTATE 28000 "connection requires a valid client certificate"), or
/// refused it with an error our certificate made go away.
fn postgres_refused_without_cert(without: &Attempt, with: Option<&Attempt>) -> bool {
    let Some(reply) = &without.postgres else { return false };
    let with_reply = with.and_then(|a| a.postgres.as_ref());
    reply.refuses_certificate()
        || (reply.error_code.as_deref() == Some(crate::probe::POSTGRES_INVALID_AUTHORIZATION)
            && with_reply.is_some_and(|r| r.error_code.is_none()))
}

fn expectations(check: &Check, result: &CheckResult, server_ca_names: &[DistinguishedName]) -> Vec<ExpectationResult> {
    let mut list = Vec::new();
    if let Some(expected) = check.expect.client_auth {
        let expected = ClientAuth::from_mode(expected);
        list.push(ExpectationResult {
            field: "client_auth",
            expected: json!(expected.as_str()),
            actual: json!(result.client_auth.as_str()),
            ok: expected == result.client_auth,
            detail: None,
        });
    }
    if let Some(expected) = check.expect.ca_name_match {
        list.push(ExpectationResult {
            field: "ca_name_match",
            expected: json!(expected),
            actual: json!(result.ca_name_match),
            ok: result.ca_name_match == Some(expected),
            detail: None,
        });
    }
    list.extend(expect::evaluate(&check.expect, result, server_ca_names));
    // Implicit: the server's chain verifies, unless the check says `insecure` (or states its own
    // `expect.verify`, evaluated above).
    if check.expect.verify.is_none()
        && let Some(failure) = verify_failure(result).filter(|_| !check.insecure)
    {
        list.push(ExpectationResult {
            field: "verify",
            expected: json!("ok"),
            actual: json!(failure),
            ok: false,
            detail: None,
        });
    }
    list
}
