//! The report: the JSON document's shape (the stable contract described in docs/json-report.md), which
//! every exporter renders and `--baseline` and `merge` read back. Keys added after the first
//! release carry `#[serde(default)]` so older reports still read.

use std::collections::BTreeMap;
use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::client_auth::ClientAuth;
use super::client_stack::StackPrediction;
use super::comparison::Comparison;
use super::drift::{BaselineSummary, Change};
use super::not_run::NotRun;
use super::observation::{Observation, Stage};
use super::shard::Shard;
use super::warning::Warning;
use super::wire::wire_enum;
use crate::hostport;

/// The whole report: the JSON document's top level. Read back by `--baseline` and `merge`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Report {
    pub mtlscheck_version: String,
    /// The OpenSSL mtlscheck is linked with; names are printed the way its s_client prints them.
    pub openssl_version: String,
    /// When the run started (RFC 3339, UTC); null in reports of older versions.
    #[serde(default)]
    pub started_at: Option<String>,
    /// `K/N` when this report is one shard of a run (`--shard`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<Shard>,
    /// The `--baseline` report this run was compared with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineSummary>,
    /// False when the run stopped before every check was probed (SIGINT/SIGTERM, or this
    /// machine ran out of file descriptors): `not_run` lists the rest. Older reports were
    /// complete.
    #[serde(default = "complete")]
    pub complete: bool,
    /// Why the run stopped early, in words (e.g. `interrupted by SIGTERM`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped: Option<String>,
    pub results: Vec<CheckResult>,
    /// The checks that have no result, in the order of the checks file.
    #[serde(default)]
    pub not_run: Vec<NotRun>,
}

/// Reports written before `complete` existed held every check.
fn complete() -> bool {
    true
}

impl Report {
    pub fn new(results: Vec<CheckResult>) -> Self {
        Report {
            mtlscheck_version: env!("CARGO_PKG_VERSION").to_string(),
            openssl_version: openssl::version::version().to_string(),
            started_at: Some(crate::dates::now_rfc3339()),
            shard: None,
            baseline: None,
            complete: true,
            stopped: None,
            results,
            not_run: Vec::new(),
        }
    }

    /// True when every check ran and every expectation held.
    pub fn all_passed(&self) -> bool {
        self.complete && self.not_run.is_empty() && self.results.iter().all(|r| r.status == Status::Pass)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Fail,
    Error,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ChainEntry {
    pub subject: String,
    pub issuer: String,
    /// As s_client prints it: `Jan  1 00:00:00 2030 GMT`.
    #[serde(default)]
    pub not_after: Option<String>,
}

wire_enum! {
    /// Whether our side of a connection's handshake completed.
    pub enum HandshakeState {
        Ok = "ok",
        Failed = "failed",
        /// Not attempted.
        Skipped = "skipped",
    }
}

wire_enum! {
    /// What decided whether the server accepted a connection.
    pub enum DecidedBy {
        Handshake = "handshake",
        SessionTicket = "session_ticket",
        ApplicationData = "application_data",
        HttpResponse = "http_response",
        /// Neither a ticket nor an alert came before the timeout.
        Timeout = "timeout",
        AlertDuringHandshake = "alert_during_handshake",
        AlertAfterHandshake = "alert_after_handshake",
    }
}

wire_enum! {
    /// Where a server that requires a certificate refused a connection without one.
    pub enum EnforcedAt {
        /// A TLS alert.
        Handshake = "handshake",
        /// The handshake completed, the HTTP request was refused (nginx's 400, a 403).
        Http = "http",
        /// pg_hba refused the StartupMessage.
        Postgres = "postgres",
    }
}

/// One connection in the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AttemptReport {
    /// Whether our side of the handshake completed ("ok", "failed") or "skipped".
    pub handshake: HandshakeState,
    /// Whether the server accepted the connection; null when it could not be told.
    pub accepted: Option<bool>,
    /// What decided `accepted`.
    #[serde(default)]
    pub decided_by: Option<DecidedBy>,
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
    /// A connection that was not made, and why (when it says).
    pub fn skipped(reason: Option<String>) -> Self {
        AttemptReport {
            handshake: HandshakeState::Skipped,
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

    /// The table's with-cert cell: "ok", the alert, or why not.
    pub fn summary(&self) -> String {
        match (&self.handshake, self.accepted) {
            (HandshakeState::Skipped, _) => "skipped".into(),
            (_, Some(true)) => match (self.http_status, &self.postgres_reply) {
                (Some(status), _) => format!("ok (HTTP {status})"),
                (None, Some(reply)) => format!("ok (PostgreSQL: {reply})"),
                (None, None) => "ok".into(),
            },
            (_, Some(false)) => match (&self.alert, self.http_status) {
                (Some(alert), _) => alert.clone(),
                (None, Some(status)) => format!("refused (HTTP {status})"),
                (None, None) => "refused".into(),
            },
            _ => format!("error: {}", self.error.clone().unwrap_or_default()),
        }
    }
}

wire_enum! {
    /// What an expectation is about.
    pub enum ExpectationField {
        ClientAuth = "client_auth",
        CaNameMatch = "ca_name_match",
        CaNamesInclude = "ca_names_include",
        CaNamesExact = "ca_names_exact",
        MinProtocol = "min_protocol",
        Verify = "verify",
        ServerCertDaysLeft = "server_cert_days_left",
        ClientCertDaysLeft = "client_cert_days_left",
        /// With `all_addresses`: every address of the host answered alike.
        AddressesAgree = "addresses_agree",
        /// What the partner did with our certificate (default: accepted).
        WithCert = "with_cert",
        /// Our credentials can be used (they load, match and are within their dates).
        Credentials = "credentials",
        /// The partner refused a forged certificate (`impostor: true`).
        VerifiesClientCert = "verifies_client_cert",
        /// Our client stack (`client:`) would send our certificate to a server requiring one.
        ClientSends = "client_sends",
        /// Each of `expect.clients_send` would send our certificate.
        ClientsSend = "clients_send",
    }
}

wire_enum! {
    /// Whether the partner verifies client certificates, as the impostor probe showed.
    pub enum Verification {
        /// It accepted a forged certificate: presence only, or a trusted issuer *name*.
        None = "none",
        /// It refused the forged certificate.
        Verified = "verified",
        /// No certificate was asked for, or the impostor was not tried.
        Unknown = "unknown",
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ExpectationResult {
    pub field: ExpectationField,
    pub expected: Value,
    pub actual: Value,
    pub ok: bool,
    /// For a failed expectation whose values do not say it all: what differed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The identity (of `identities:`) the expectation is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
}

/// One of `identities:` in the report: what the partner did with that certificate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct IdentityResult {
    pub name: String,
    pub client_cert_subject: Option<String>,
    pub client_cert_issuer: Option<String>,
    pub client_cert_not_after: Option<String>,
    pub client_cert_days_left: Option<i64>,
    /// OpenSSL's canonical comparison (`X509_NAME_cmp`) of our issuers with the server's CA
    /// names; what each client does is in `client_stacks`.
    pub ca_name_match: Option<bool>,
    pub matched_ca_name: Option<String>,
    pub with_cert: AttemptReport,
    /// What was expected today: `accepted`, `refused` or `any`.
    pub expected: String,
    /// Why the identity cannot be used, when it cannot.
    #[serde(default)]
    pub problem: Option<String>,
    /// Per client stack: would it send this certificate? Null when none was requested.
    #[serde(default)]
    pub client_stacks: Option<BTreeMap<String, StackPrediction>>,
}

/// One row of the report; field names and meanings are the JSON contract.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
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
    #[serde(default)]
    pub starttls: Option<String>,
    pub client_auth: ClientAuth,
    /// For "required": whether the refusal came during the handshake or after it (TLS 1.3).
    #[serde(default)]
    pub rejection_stage: Option<Stage>,
    /// For "required" and "post-handshake": where the refusal came.
    #[serde(default)]
    pub enforced_at: Option<EnforcedAt>,
    /// A CertificateRequest arrived (during or after the handshake).
    pub cert_requested: bool,
    /// It arrived only after the handshake, while reading the HTTP response.
    pub cert_requested_after_handshake: bool,
    pub ca_names_sent: bool,
    pub ca_names: Vec<String>,
    /// Whether our issuer is among the CA names by OpenSSL's canonical comparison
    /// (`X509_NAME_cmp`); which clients would send our certificate is `client_stacks`.
    pub ca_name_match: Option<bool>,
    pub matched_ca_name: Option<String>,
    /// The client stack the check says we run (`client:`, default `openssl`).
    #[serde(default = "openssl")]
    pub client: String,
    /// Per client stack, whether it would send our (first) certificate in answer to the
    /// server's CertificateRequest; null when no certificate was requested (or we have none).
    #[serde(default)]
    pub client_stacks: Option<BTreeMap<String, StackPrediction>>,
    pub protocol: Option<String>,
    pub cipher: Option<String>,
    pub verify_code: Option<i64>,
    pub verify_error: Option<String>,
    /// As the s_client of `like` prints them (`ECDSA+SHA256`, 4.0: `ecdsa_secp256r1_sha256`).
    pub requested_sigalgs: Vec<String>,
    /// The requested signature schemes by their IANA names, whatever `like` is.
    #[serde(default)]
    pub requested_signature_schemes: Vec<String>,
    pub client_cert_types: Vec<String>,
    pub server_temp_key: Option<String>,
    /// The key-exchange group by its IANA name (`x25519`, `X25519MLKEM768`).
    #[serde(default)]
    pub negotiated_group: Option<String>,
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
    /// Our (first) certificate's connection; `accepted` says whether the partner accepted it.
    pub with_cert: AttemptReport,
    /// With `identities:`: every identity's result (the top-level client-certificate fields
    /// are the first identity's).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identities: Vec<IdentityResult>,
    /// Whether the partner verifies client certificates (the impostor probe).
    #[serde(default = "unknown_verification")]
    pub client_cert_verification: Verification,
    /// The connection with a forged certificate, when `impostor` was on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impostor: Option<AttemptReport>,
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
    pub warnings: Vec<Warning>,
    /// What changed since the `--baseline` report; null when not compared with one.
    #[serde(default)]
    pub changes: Option<Vec<Change>>,
    pub elapsed_ms: u64,
    /// The s_client version whose words this result's texts use (alerts, signature algorithms,
    /// and names unless `name_style` says otherwise), e.g. `3.0.19`, `1.1.1`, `libressl`.
    #[serde(default)]
    pub like: Option<String>,
    /// How names are printed (`oneline`, `sep-comma-plus-space`, `rfc2253`, ...).
    #[serde(default)]
    pub name_style: Option<String>,
    /// The comparison with an operator's s_client transcript (`compare`, `run --compare-dir`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comparison: Option<Comparison>,
    /// Everything the probe saw, for the s_client-style view (`mtlscheck probe`); not in JSON.
    #[serde(skip)]
    pub observation: Option<Arc<Observation>>,
}

/// Reports written before `client` existed predicted for OpenSSL-based clients.
fn openssl() -> String {
    "openssl".into()
}

/// Reports written before the impostor probe existed could not tell.
fn unknown_verification() -> Verification {
    Verification::Unknown
}

/// Reports written before `tries` existed made one try.
fn one() -> u32 {
    1
}

impl CheckResult {
    pub fn target(&self) -> String {
        hostport::join(&self.host, self.port)
    }

    /// The server verification in words: `ok`, `self-signed certificate (18)`, or `-` when no
    /// server certificate was seen.
    pub fn verify_text(&self) -> String {
        match (self.verify_code, &self.verify_error) {
            (Some(0), _) => "ok".into(),
            (Some(code), Some(text)) => format!("{text} ({code})"),
            (Some(code), None) => format!("code {code}"),
            (None, _) => "-".into(),
        }
    }

    /// What happened with our certificate: "no cert configured", or the with-cert outcome
    /// (including why it was skipped when our credentials could not be loaded); with
    /// `identities:`, each identity's (`current: ok; next: tlsv1 alert unknown ca`).
    pub fn with_cert_text(&self) -> String {
        if !self.identities.is_empty() {
            let each: Vec<String> =
                self.identities.iter().map(|i| format!("{}: {}", i.name, i.with_cert.summary())).collect();
            return each.join("; ");
        }
        if self.client_cert_subject.is_none() && self.with_cert.error.is_none() {
            return "no cert configured".into();
        }
        self.with_cert.summary()
    }
}

/// One address of a host probed with `all_addresses`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
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
