//! `expect:` of a check, as written: what the operator expects of the endpoint. Validated by
//! `config::expect`, evaluated by `verdict::expect`.

use serde::Deserialize;

use super::client_auth::{ClientAuth, deserialize_expected};

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expectations {
    #[serde(default, deserialize_with = "deserialize_expected")]
    pub client_auth: Option<ClientAuth>,
    pub ca_name_match: Option<bool>,
    /// CA names the server must send (others may be sent too), in any OpenSSL spelling.
    pub ca_names_include: Option<Vec<String>>,
    /// The exact set of CA names the server must send, in any order and OpenSSL spelling.
    pub ca_names_exact: Option<Vec<String>>,
    /// The lowest acceptable negotiated protocol, e.g. `TLSv1.2`.
    pub min_protocol: Option<String>,
    /// `ok`: the server chain verifies against `cacert`/`capath`.
    pub verify: Option<String>,
    /// Minimum days before the server's certificate expires.
    pub server_cert_days_left: Option<u32>,
    /// Minimum days before our client certificate expires; needs `cert`.
    pub client_cert_days_left: Option<u32>,
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
