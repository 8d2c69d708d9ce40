//! `expect:` of a check, as written: what the operator expects of the endpoint. Validated by
//! `config::expect`, evaluated by `verdict::expect`.

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer};

use super::client_auth::{ClientAuth, deserialize_expected, expected_schema};
use super::client_stack::ClientStack;
use super::schema::{field_schema, from_json, words_any_case};

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Expectations {
    /// What the server does about client certificates: `none` (1-way TLS), `optional`,
    /// `required` or `post-handshake` (asks only after the handshake, e.g. for a path).
    #[serde(default, deserialize_with = "deserialize_expected")]
    #[schemars(with = "Option<ExpectedClientAuth>")]
    pub client_auth: Option<ClientAuth>,
    /// Whether our certificate's issuer is among the CA names the server sends (`false`: it
    /// must not be, e.g. for a partner that must not trust our CA).
    pub ca_name_match: Option<bool>,
    /// CA names the server must send (others may be sent too), in any OpenSSL spelling.
    #[schemars(length(min = 1))]
    pub ca_names_include: Option<Vec<String>>,
    /// The exact set of CA names the server must send, in any order and OpenSSL spelling.
    pub ca_names_exact: Option<Vec<String>>,
    /// The lowest acceptable negotiated protocol, e.g. `TLSv1.2`.
    #[schemars(with = "Option<ProtocolName>")]
    pub min_protocol: Option<String>,
    /// `ok`: the server chain verifies against `cacert`/`capath`.
    #[schemars(with = "Option<VerifyResult>")]
    pub verify: Option<String>,
    /// Minimum days before the server's certificate expires.
    pub server_cert_days_left: Option<u32>,
    /// Minimum days before our client certificate expires; needs `cert`.
    pub client_cert_days_left: Option<u32>,
    /// What the partner must do with our certificate (default `accepted` when the check has one).
    pub with_cert: Option<WithCertExpectation>,
    /// `false`: a partner that accepts any certificate (the impostor probe) does not fail the check.
    pub verifies_client_cert: Option<bool>,
    /// Client stacks that must all send our certificate (for partners served by several).
    pub clients_send: Option<Vec<ClientStack>>,
}

/// `expect.with_cert`: what the partner must do with our certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum WithCertExpectation {
    /// The partner accepts it (the handshake and, with `http_path`, the request).
    Accepted,
    /// The partner refuses it (e.g. a certificate it must no longer trust).
    Refused,
    /// Whatever the partner does.
    Any,
}

impl WithCertExpectation {
    pub fn as_str(self) -> &'static str {
        match self {
            WithCertExpectation::Accepted => "accepted",
            WithCertExpectation::Refused => "refused",
            WithCertExpectation::Any => "any",
        }
    }
}

/// `expect:` inside one of `identities:`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IdentityExpectations {
    /// Overrides the check's `expect.with_cert` for this identity.
    pub with_cert: Option<WithCertExpectation>,
    /// `YYYY-MM-DD`: from this day on the identity must be accepted; before it, anything goes
    /// (a certificate the partner is still rolling out).
    #[serde(default, deserialize_with = "deserialize_day")]
    #[schemars(with = "Option<CalendarDay>")]
    pub accepted_from: Option<Day>,
}

field_schema!(ExpectedClientAuth = expected_schema);
field_schema!(ProtocolName = protocol_schema);
field_schema!(VerifyResult = verify_schema);
field_schema!(CalendarDay = day_schema);

/// `expect.min_protocol`: a protocol as OpenSSL names it, in any case; `TLSv1.0` is `TLSv1`.
fn protocol_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let mut words = PROTOCOLS.to_vec();
    words.insert(2, "TLSv1.0");
    words_any_case("The lowest acceptable negotiated protocol, e.g. `TLSv1.2`.", &words)
}

/// `expect.verify`: only `ok` can be expected.
fn verify_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    words_any_case("`ok`: the server chain verifies against `cacert`/`capath`.", &["ok"])
}

/// `accepted_from`: a calendar day as `YYYY-MM-DD` (the loader also refuses days a month lacks).
fn day_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    from_json(serde_json::json!({
        "type": "string",
        "pattern": "^\\s*[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])\\s*$",
        "description": "`YYYY-MM-DD`: from this day on the identity must be accepted; before it, anything goes \
                        (a certificate the partner is still rolling out).",
    }))
}

/// A calendar day, as written (`2027-01-15`) and as the Unix time of its start (UTC).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Day {
    pub text: String,
    pub unix: i64,
}

fn deserialize_day<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Day>, D::Error> {
    let text = String::deserialize(deserializer)?;
    match crate::dates::parse_day(&text) {
        Some(unix) => Ok(Some(Day { text, unix })),
        None => Err(serde::de::Error::custom(format!("{text:?} is not a date: write YYYY-MM-DD, e.g. 2027-01-15"))),
    }
}

impl Expectations {
    pub fn is_empty(&self) -> bool {
        self == &Expectations::default()
    }
}

/// Protocols from oldest to newest, spelled as OpenSSL reports them.
pub const PROTOCOLS: [&str; 5] = ["SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"];

/// The position of a protocol in [`PROTOCOLS`]; `TLSv1.0` is `TLSv1`, case does not matter.
pub fn protocol_rank(name: &str) -> Option<usize> {
    let name = if name.eq_ignore_ascii_case("TLSv1.0") { "TLSv1" } else { name };
    PROTOCOLS.iter().position(|p| p.eq_ignore_ascii_case(name))
}
