//! The checks file as written: serde reads YAML into these shapes (every field optional,
//! unknown fields refused), before `config::load` applies defaults, resolves paths and loads
//! credentials. Passphrases written in the file are refused from inside the deserializer.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer};

use super::raw_schema::{
    CONNECT_PATTERN, DURATION_PATTERN, HOST_PATTERN, NameStyleSetting, PROXY_PATTERN, checks_list, defaults_block,
    refused_key_password, refused_p12_password,
};
use crate::model::{ClientStack, Expectations, IdentityExpectations, Starttls};

/// How long a probe of one endpoint may take when neither the check nor `defaults` says.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
pub const DEFAULT_PORT: u16 = 443;
/// Retries multiply a dead endpoint's time in the report; more than a few only hides trouble.
pub const MAX_RETRIES: u32 = 5;
/// Certificates expiring within this many days are warned about when the file does not say.
pub const DEFAULT_WARN_DAYS: u32 = 30;

/// A timeout as written in YAML: `10s`, `500ms`, `1m 30s`, or a bare number of seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeout(pub Duration);

impl<'de> Deserialize<'de> for Timeout {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TimeoutVisitor)
    }
}

/// A number of seconds (more than 0, at most an hour) or a duration with units.
impl JsonSchema for Timeout {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Timeout".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "anyOf": [
                { "type": "number", "exclusiveMinimum": 0, "maximum": MAX_TIMEOUT.as_secs() },
                { "type": "string", "pattern": DURATION_PATTERN },
            ],
            "description": "A duration such as `10s`, `500ms` or `1m 30s`, or a number of seconds; more than zero \
                            and at most 1h.",
        })
    }
}

/// A timeout as a number of seconds or as text; anything else is explained, not named as a
/// Rust type.
struct TimeoutVisitor;

impl TimeoutVisitor {
    fn seconds<E: serde::de::Error>(secs: f64) -> Result<Timeout, E> {
        if !(secs.is_finite() && secs > 0.0) {
            return Err(E::custom(format!("timeout must be positive, got {secs}")));
        }
        // Found by fuzzing: `from_secs_f64` panics on values too big for a Duration.
        let duration = Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX);
        within_limit(duration, &secs.to_string()).map(Timeout).map_err(E::custom)
    }
}

impl<'de> serde::de::Visitor<'de> for TimeoutVisitor {
    type Value = Timeout;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a duration such as `10s`, `500ms` or `2m`, or a number of seconds")
    }

    fn visit_u64<E: serde::de::Error>(self, secs: u64) -> Result<Timeout, E> {
        Self::seconds(secs as f64)
    }

    fn visit_i64<E: serde::de::Error>(self, secs: i64) -> Result<Timeout, E> {
        Self::seconds(secs as f64)
    }

    fn visit_f64<E: serde::de::Error>(self, secs: f64) -> Result<Timeout, E> {
        Self::seconds(secs)
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Timeout, E> {
        parse_duration(text).map(Timeout).map_err(E::custom)
    }
}

/// Parses `10s`, `500ms`, `2m`; the error says what is accepted.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let duration = humantime::parse_duration(text.trim())
        .map_err(|_| format!("invalid duration {text:?}: write a number with a unit, e.g. 10s, 500ms or 2m"))?;
    if duration.is_zero() {
        return Err(format!("invalid duration {text:?}: must be greater than zero"));
    }
    within_limit(duration, text)
}

/// The longest timeout accepted. A probe's deadline is `now + timeout`, which overflows (a
/// panic) for absurd values; no endpoint needs more than this.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(3600);

fn within_limit(duration: Duration, text: &str) -> Result<Duration, String> {
    if duration > MAX_TIMEOUT {
        return Err(format!("invalid duration {text:?}: at most 1h (it bounds the probe of one endpoint)"));
    }
    Ok(duration)
}

/// Every field a check may set, exactly as in YAML; `defaults` uses the same shape. The doc
/// comments are the checks file's JSON Schema descriptions (what editors show on hover).
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCheck {
    /// A unique label for the check, used in reports (not allowed in `defaults`).
    pub name: Option<String>,
    /// The endpoint's DNS name or IP literal (IPv6 as `::1` or `[::1]`), without a port or a
    /// scheme: the port goes in `port`, a path in `http_path`.
    #[schemars(pattern(HOST_PATTERN))]
    pub host: Option<String>,
    /// TCP port (default 443; with `starttls`, the protocol's, e.g. 25 for SMTP).
    #[schemars(range(min = 1))]
    pub port: Option<u16>,
    /// SNI to send. Unset: the host when it is a DNS name with a dot, as `openssl s_client
    /// -connect` does (none for IPs and `localhost`); `""` sends none.
    pub servername: Option<String>,
    /// PEM file of trust anchors for the server chain (default: the system store).
    pub cacert: Option<PathBuf>,
    /// Directory of hashed CA certificates (`openssl rehash` layout).
    pub capath: Option<PathBuf>,
    /// Our client certificate (PEM; the leaf, optionally followed by intermediates); `""` turns
    /// off one inherited from `defaults`.
    pub cert: Option<PathBuf>,
    /// The private key of `cert` (PEM, optionally encrypted: then `key_password_env` or
    /// `key_password_file`).
    pub key: Option<PathBuf>,
    /// Extra intermediates (PEM) sent after our certificate.
    pub chain: Option<PathBuf>,
    /// PKCS#12 file (.p12/.pfx) with our certificate, key and intermediates; instead of `cert`/`key`.
    pub p12: Option<PathBuf>,
    /// Environment variable holding the passphrase of an encrypted `key`.
    pub key_password_env: Option<String>,
    /// File whose first line is the passphrase of an encrypted `key`.
    pub key_password_file: Option<PathBuf>,
    /// Environment variable holding the passphrase of `p12`.
    pub p12_password_env: Option<String>,
    /// File whose first line is the passphrase of `p12`.
    pub p12_password_file: Option<PathBuf>,
    // Refused with an explanation (the schema's description): a passphrase written in the file.
    #[serde(default, deserialize_with = "refuse_inline_key_password")]
    #[schemars(schema_with = "refused_key_password")]
    pub key_password: Option<InlinePassphrase>,
    #[serde(default, deserialize_with = "refuse_inline_p12_password")]
    #[schemars(schema_with = "refused_p12_password")]
    pub p12_password: Option<InlinePassphrase>,
    /// Bound on the whole probe of the endpoint (resolve, connect, both handshakes, reads):
    /// `500ms`, `5s`, `1m` or a number of seconds; at most `1h` (default 10s).
    pub timeout: Option<Timeout>,
    /// What the endpoint must do; any mismatch fails the check. A check's own `expect`
    /// replaces the one in `defaults` as a whole.
    pub expect: Option<Expectations>,
    /// Send `GET <path>` after each handshake: shows servers that ask for a certificate only
    /// for some paths, or enforce it at the HTTP layer. Starts with `/`.
    #[schemars(pattern(r"^/[^ \r\n]*$"))]
    pub http_path: Option<String>,
    /// The method of that request, in upper case (default GET); needs `http_path`.
    #[schemars(pattern(r"^[A-Z]+$"))]
    pub http_method: Option<String>,
    /// The `Host` header of that request (default: the SNI, else the host); needs `http_path`.
    #[schemars(pattern(r"^[^ \r\n]*$"))]
    pub http_host: Option<String>,
    /// Extra tries after a transient network error (DNS, refused or timed-out connection);
    /// never after a refused handshake. At most 5 (default 0).
    #[schemars(range(max = MAX_RETRIES))]
    pub retries: Option<u32>,
    /// Probe every address the host resolves to and flag disagreements between them.
    pub all_addresses: Option<bool>,
    /// `ADDRESS[:PORT]` to connect to instead of `host` (which still gives SNI and Host).
    #[schemars(pattern(CONNECT_PATTERN))]
    pub connect: Option<String>,
    /// `http://HOST:PORT` of an HTTP CONNECT proxy; `""` ignores HTTPS_PROXY.
    #[schemars(pattern(PROXY_PATTERN))]
    pub proxy: Option<String>,
    /// The plain-text protocol spoken before TLS (`s_client -starttls`).
    pub starttls: Option<Starttls>,
    /// Report a server verification failure without failing the check.
    pub insecure: Option<bool>,
    /// Several named client identities instead of one `cert`/`key`/`p12` (rotation readiness).
    #[schemars(length(min = 1))]
    pub identities: Option<Vec<RawIdentity>>,
    /// Also present a forged certificate: does the partner verify client certificates?
    pub impostor: Option<bool>,
    /// The client stack our integration runs on (`openssl`, `go`, `java-pkix`, …).
    pub client: Option<ClientStack>,
    /// How the report writes names: a version whose s_client to imitate (`1.1.1`, `3.0`,
    /// `3.5`, `libressl`, the output of `openssl version`) or a preset (`oneline`, `rfc2253`,
    /// `sep-comma-plus-space`, `sep-comma-plus-space-escaped`, `slash`).
    #[schemars(with = "Option<NameStyleSetting>")]
    pub name_style: Option<String>,
}

/// One entry of `identities:`: a name, the credential fields of a check, and what the partner
/// must do with it.
// The credential fields repeat `RawCheck`'s: serde's `flatten` would lose
// `deny_unknown_fields` (a typo must stay an error).
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("anyOf" = [{ "required": ["cert"] }, { "required": ["key"] }, { "required": ["p12"] }]))]
pub struct RawIdentity {
    /// The identity's label in reports, unique within the check (e.g. `current`, `next`).
    #[schemars(required)]
    pub name: Option<String>,
    /// This identity's certificate (PEM).
    pub cert: Option<PathBuf>,
    /// Its private key (PEM).
    pub key: Option<PathBuf>,
    /// Extra intermediates (PEM) sent after this certificate.
    pub chain: Option<PathBuf>,
    /// PKCS#12 file with this identity's certificate, key and intermediates; instead of `cert`/`key`.
    pub p12: Option<PathBuf>,
    /// Environment variable holding the passphrase of an encrypted `key`.
    pub key_password_env: Option<String>,
    /// File whose first line is the passphrase of an encrypted `key`.
    pub key_password_file: Option<PathBuf>,
    /// Environment variable holding the passphrase of `p12`.
    pub p12_password_env: Option<String>,
    /// File whose first line is the passphrase of `p12`.
    pub p12_password_file: Option<PathBuf>,
    #[serde(default, deserialize_with = "refuse_inline_key_password")]
    #[schemars(schema_with = "refused_key_password")]
    pub key_password: Option<InlinePassphrase>,
    #[serde(default, deserialize_with = "refuse_inline_p12_password")]
    #[schemars(schema_with = "refused_p12_password")]
    pub p12_password: Option<InlinePassphrase>,
    /// What the partner must do with this identity.
    pub expect: Option<IdentityExpectations>,
}

impl RawCheck {
    /// Whether the check names a single client certificate itself (`cert`, `key` or `p12`).
    fn has_plain_credentials(&self) -> bool {
        self.cert.is_some() || self.key.is_some() || self.p12.is_some()
    }

    /// Fills every field this check leaves unset from `defaults`. A check's own `p12` replaces
    /// inherited PEM credentials (`cert`, `key`, `chain`, `key_password_*`), and its own
    /// `cert`/`key` replace an inherited `p12`, instead of clashing with them; likewise its own
    /// `identities` replace inherited single credentials and the other way round.
    pub fn with_defaults(self, defaults: &RawCheck) -> RawCheck {
        let mut d = defaults.clone();
        if self.identities.is_some() {
            (d.cert, d.key, d.chain, d.p12) = (None, None, None, None);
            (d.key_password_env, d.key_password_file, d.p12_password_env, d.p12_password_file) =
                (None, None, None, None);
        }
        if self.has_plain_credentials() {
            d.identities = None;
        }
        if self.p12.is_some() {
            (d.cert, d.key, d.chain, d.key_password_env, d.key_password_file) = (None, None, None, None, None);
        }
        if self.cert.is_some() || self.key.is_some() {
            (d.p12, d.p12_password_env, d.p12_password_file) = (None, None, None);
        }
        RawCheck {
            name: self.name,
            host: self.host.or(d.host),
            port: self.port.or(d.port),
            servername: self.servername.or(d.servername),
            cacert: self.cacert.or(d.cacert),
            capath: self.capath.or(d.capath),
            cert: self.cert.or(d.cert),
            key: self.key.or(d.key),
            chain: self.chain.or(d.chain),
            p12: self.p12.or(d.p12),
            key_password_env: self.key_password_env.or(d.key_password_env),
            key_password_file: self.key_password_file.or(d.key_password_file),
            p12_password_env: self.p12_password_env.or(d.p12_password_env),
            p12_password_file: self.p12_password_file.or(d.p12_password_file),
            key_password: None,
            p12_password: None,
            timeout: self.timeout.or(d.timeout),
            expect: self.expect.or(d.expect),
            http_path: self.http_path.or(d.http_path),
            http_method: self.http_method.or(d.http_method),
            http_host: self.http_host.or(d.http_host),
            retries: self.retries.or(d.retries),
            all_addresses: self.all_addresses.or(d.all_addresses),
            connect: self.connect.or(d.connect),
            proxy: self.proxy.or(d.proxy),
            starttls: self.starttls.or(d.starttls),
            insecure: self.insecure.or(d.insecure),
            name_style: self.name_style.or(d.name_style),
            identities: self.identities.or(d.identities),
            impostor: self.impostor.or(d.impostor),
            client: self.client.or(d.client),
        }
    }
}

/// A passphrase written in the checks file: never accepted, so no value of this type exists.
#[derive(Debug, Clone)]
pub enum InlinePassphrase {}

fn refuse_inline_key_password<'de, D: Deserializer<'de>>(d: D) -> Result<Option<InlinePassphrase>, D::Error> {
    d.deserialize_any(RefuseInline("key"))
}

fn refuse_inline_p12_password<'de, D: Deserializer<'de>>(d: D) -> Result<Option<InlinePassphrase>, D::Error> {
    d.deserialize_any(RefuseInline("p12"))
}

/// Refuses whatever value is written, from inside the YAML deserializer so the error carries
/// the value's line and column, and without serde's default "invalid type: string ..." message,
/// which would quote the passphrase.
struct RefuseInline(&'static str);

macro_rules! refuse {
    ($($method:ident: $ty:ty),*) => {
        $(fn $method<E: serde::de::Error>(self, _: $ty) -> Result<Self::Value, E> {
            Err(E::custom(inline_passphrase_refusal(self.0)))
        })*
    };
}

impl<'de> serde::de::Visitor<'de> for RefuseInline {
    type Value = Option<InlinePassphrase>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{0}_password_env` or `{0}_password_file`", self.0)
    }

    refuse!(visit_bool: bool, visit_i64: i64, visit_u64: u64, visit_f64: f64, visit_str: &str, visit_bytes: &[u8]);

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Err(E::custom(inline_passphrase_refusal(self.0)))
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Err(E::custom(inline_passphrase_refusal(self.0)))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(serde::de::Error::custom(inline_passphrase_refusal(self.0)))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(serde::de::Error::custom(inline_passphrase_refusal(self.0)))
    }

    fn visit_enum<A: serde::de::EnumAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(serde::de::Error::custom(inline_passphrase_refusal(self.0)))
    }
}

/// Why, and the two safe ways. The value is never echoed.
fn inline_passphrase_refusal(kind: &str) -> String {
    format!(
        "a passphrase written in the checks file is refused: everyone who can read the file, its backups or its \
         version history would have it. Put it in an environment variable and write `{kind}_password_env: VARIABLE`, \
         or in a file only the account running mtlscheck can read (chmod 600) and write `{kind}_password_file: FILE`"
    )
}

/// A checks file: `checks` (one entry per endpoint), optional `defaults` for what they share,
/// and the expiry warning window.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "mtlscheck checks file")]
pub struct RawFile {
    /// Warn about certificates expiring within this many days (server leaf and ours).
    #[serde(default)]
    pub warn_days: Option<u32>,
    #[serde(default)]
    #[schemars(schema_with = "defaults_block::<RawCheck>")]
    pub defaults: Option<RawCheck>,
    // Required by the schema, as the loader refuses a file without checks (serde reads the
    // file first, so that its other problems are reported too).
    #[schemars(required, schema_with = "checks_list::<RawCheck>")]
    pub checks: Option<Vec<RawCheck>>,
}
