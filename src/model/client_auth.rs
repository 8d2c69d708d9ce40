//! The verdict on client authentication: one set of values for what a check expects (YAML)
//! and what the report says (JSON).

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ClientAuth {
    /// 1-way TLS: no CertificateRequest.
    None,
    /// 2-way TLS, but a connection without a certificate is accepted.
    Optional,
    /// 2-way TLS: a connection without a certificate is refused.
    Required,
    /// The server asks only after the handshake (TLS 1.2 renegotiation or TLS 1.3
    /// post-handshake authentication), e.g. for some paths; needs `http_path` to be seen.
    #[serde(rename = "post-handshake")]
    PostHandshake,
    /// The endpoint could not be probed (a report value, never an expectation).
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
}

/// The values `expect.client_auth` accepts: every verdict except `error`.
const EXPECTABLE: &[&str] = &["none", "optional", "required", "post-handshake"];

/// The schema of `expect.client_auth`: `ClientAuth`'s values and their meanings, without `error`.
pub fn expected_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let mut schema = ClientAuth::json_schema(generator);
    if let Some(serde_json::Value::Array(choices)) = schema.get_mut("oneOf") {
        choices.retain(|choice| choice.get("const").and_then(|c| c.as_str()).is_none_or(|c| EXPECTABLE.contains(&c)));
    }
    schema.insert("description".into(), "What the server does about client certificates.".into());
    schema
}

/// `expect.client_auth`: a verdict an endpoint can have; `error` is refused like any unknown
/// value.
pub fn deserialize_expected<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<ClientAuth>, D::Error> {
    let text = String::deserialize(deserializer)?;
    match text.as_str() {
        "none" => Ok(Some(ClientAuth::None)),
        "optional" => Ok(Some(ClientAuth::Optional)),
        "required" => Ok(Some(ClientAuth::Required)),
        "post-handshake" => Ok(Some(ClientAuth::PostHandshake)),
        other => Err(serde::de::Error::unknown_variant(other, EXPECTABLE)),
    }
}
