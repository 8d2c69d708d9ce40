//! The client stacks whose choice of client certificate mtlscheck predicts, and the
//! prediction's shape in the report.

use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A TLS client implementation, named as the JSON keys and the `client:` field name them.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, clap::ValueEnum, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum ClientStack {
    /// OpenSSL-based clients: s_client, curl, Python `ssl`, Node `tls`, Ruby, PHP.
    Openssl,
    /// OpenSSL in strict mode (`s_client -strict`, `SSL_CERT_FLAG_TLS_STRICT`).
    OpensslStrict,
    /// Go's `crypto/tls` with `Config.Certificates`.
    Go,
    /// Java (JSSE) with the `SunX509` key manager (the default up to JDK 25).
    JavaSunx509,
    /// Java (JSSE) with the `PKIX` (NewSunX509) key manager.
    JavaPkix,
    /// The GnuTLS library with one credential and no retrieve callback.
    Gnutls,
    /// NSS's automatic selection (browsers, `tstclnt` without a nickname).
    Nss,
    /// .NET `SslStream` without a selection callback.
    Dotnet,
    /// rustls with its default client certificate resolver.
    Rustls,
}

impl ClientStack {
    pub const ALL: [ClientStack; 9] = [
        ClientStack::Openssl,
        ClientStack::OpensslStrict,
        ClientStack::Go,
        ClientStack::JavaSunx509,
        ClientStack::JavaPkix,
        ClientStack::Gnutls,
        ClientStack::Nss,
        ClientStack::Dotnet,
        ClientStack::Rustls,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ClientStack::Openssl => "openssl",
            ClientStack::OpensslStrict => "openssl-strict",
            ClientStack::Go => "go",
            ClientStack::JavaSunx509 => "java-sunx509",
            ClientStack::JavaPkix => "java-pkix",
            ClientStack::Gnutls => "gnutls",
            ClientStack::Nss => "nss",
            ClientStack::Dotnet => "dotnet",
            ClientStack::Rustls => "rustls",
        }
    }

    /// Whether the prediction is proven against the real client in this project's tests, or
    /// only derived from the stack's sources (it cannot run here).
    pub fn tested_here(self) -> bool {
        !matches!(self, ClientStack::Dotnet | ClientStack::Rustls)
    }
}

/// What a client does with a CertificateRequest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(transform = super::schema::open_enum)]
pub enum StackOutcome {
    /// It sends our certificate.
    Sends,
    /// It answers with an empty Certificate (the server then refuses or accepts as optional).
    SendsEmpty,
    /// It aborts the handshake before answering.
    Aborts,
    /// A value written by another version of mtlscheck.
    #[serde(other)]
    Unknown,
}

impl StackOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            StackOutcome::Sends => "sends",
            StackOutcome::SendsEmpty => "sends_empty",
            StackOutcome::Aborts => "aborts",
            StackOutcome::Unknown => "unknown",
        }
    }
}

/// One stack's prediction for one of our identities.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct StackPrediction {
    pub outcome: StackOutcome,
    /// The deciding rule, in one line. Shared: a batch holds the same few reasons thousands of
    /// times (one per check and stack), so `run` keeps one copy of each.
    pub reason: Arc<str>,
    /// The reasoning step by step (`probe --explain-client`); not in JSON.
    #[serde(skip)]
    pub steps: Vec<String>,
}
