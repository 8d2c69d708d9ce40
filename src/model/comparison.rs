//! The comparison of an operator's `openssl s_client` transcript with the live probe.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::wire::wire_enum;

wire_enum! {
    /// A field compared between the transcript and the live probe.
    pub enum ComparisonField {
        Protocol = "protocol",
        Cipher = "cipher",
        VerifyCode = "verify_code",
        ServerChain = "server_chain",
        CertRequested = "cert_requested",
        CaNamesSent = "ca_names_sent",
        CaNames = "ca_names",
        Rejection = "rejection",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FieldComparison {
    pub field: ComparisonField,
    pub transcript: String,
    pub live: String,
    pub agree: bool,
    /// Why values that look different still agree, or what a difference means.
    pub note: Option<String>,
}

wire_enum! {
    /// Which live connection a transcript was compared with.
    pub enum ComparedConnection {
        /// The connection without a client certificate (`s_client` without `-cert`).
        WithoutCert = "without_cert",
        /// The connection with our (first) certificate (`s_client -cert ... -key ...`).
        WithCert = "with_cert",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Comparison {
    pub transcript_file: String,
    /// Which s_client wrote the transcript, as `--like` takes it (`1.1.1`, `3.0`, `3.2`, `3.4`,
    /// `3.5`, `4.0`, `libressl`, `1.0.2`), or a range when its lines do not tell (`3.2+`).
    #[serde(default)]
    pub transcript_style: Option<String>,
    /// The live connection the transcript was compared with (it was taken the same way).
    #[serde(default = "without_cert")]
    pub connection: ComparedConnection,
    pub agree: bool,
    pub fields: Vec<FieldComparison>,
}

fn without_cert() -> ComparedConnection {
    ComparedConnection::WithoutCert
}
