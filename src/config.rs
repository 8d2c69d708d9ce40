//! `checks.yaml` → validated [`Check`]s. Two stages: serde reads the file as written
//! ([`RawFile`]), then [`load`] applies defaults, resolves paths against the file's folder,
//! loads credentials and reports every problem with the file, line or check it concerns.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Deserializer};

use crate::credentials::{self, ClientIdentity, CredentialFields};
use crate::hostport::{self, HostPort};
use crate::probe::{ProxyEnvironment, ProxyUrl, Starttls};
use crate::sni;

/// How long a probe of one endpoint may take when neither the check nor `defaults` says.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
pub const DEFAULT_PORT: u16 = 443;
/// Retries multiply a dead endpoint's time in the report; more than a few only hides trouble.
pub const MAX_RETRIES: u32 = 5;
/// Certificates expiring within this many days are warned about when the file does not say.
pub const DEFAULT_WARN_DAYS: u32 = 30;

/// What the operator expects the server to do about client certificates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ClientAuthMode {
    /// 1-way TLS: no CertificateRequest.
    None,
    /// 2-way TLS, but a connection without a certificate is accepted.
    Optional,
    /// 2-way TLS: a connection without a certificate is refused.
    Required,
    /// The server asks only after the handshake (TLS 1.2 renegotiation or TLS 1.3
    /// post-handshake authentication), e.g. for some paths; needs `http_path`.
    #[serde(rename = "post-handshake")]
    PostHandshake,
}

impl ClientAuthMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ClientAuthMode::None => "none",
            ClientAuthMode::Optional => "optional",
            ClientAuthMode::Required => "required",
            ClientAuthMode::PostHandshake => "post-handshake",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expectations {
    pub client_auth: Option<ClientAuthMode>,
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

/// A timeout as written in YAML: `10s`, `500ms`, `1m 30s`, or a bare number of seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeout(pub Duration);

impl<'de> Deserialize<'de> for Timeout {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Written {
            Seconds(f64),
            Text(String),
        }
        let duration = match Written::deserialize(deserializer)? {
            Written::Seconds(secs) if secs.is_finite() && secs > 0.0 => {
                // Found by fuzzing: `from_secs_f64` panics on values too big for a Duration.
                let duration = Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX);
                within_limit(duration, &secs.to_string()).map_err(serde::de::Error::custom)?
            }
            Written::Seconds(secs) => {
                return Err(serde::de::Error::custom(format!("timeout must be positive, got {secs}")));
            }
            Written::Text(text) => parse_duration(&text).map_err(serde::de::Error::custom)?,
        };
        Ok(Timeout(duration))
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

/// Every field a check may set, exactly as in YAML; `defaults` uses the same shape.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCheck {
    pub name: Option<String>,
    pub host: Option<String>,
    pub port: Option<u16>,
    pub servername: Option<String>,
    pub cacert: Option<PathBuf>,
    pub capath: Option<PathBuf>,
    pub cert: Option<PathBuf>,
    pub key: Option<PathBuf>,
    pub chain: Option<PathBuf>,
    /// PKCS#12 file (.p12/.pfx) with our certificate, key and intermediates; instead of `cert`/`key`.
    pub p12: Option<PathBuf>,
    /// Environment variable holding the passphrase of an encrypted `key`.
    pub key_password_env: Option<String>,
    /// File whose first line is the passphrase of an encrypted `key`.
    pub key_password_file: Option<PathBuf>,
    pub p12_password_env: Option<String>,
    pub p12_password_file: Option<PathBuf>,
    /// Refused with an explanation: a passphrase written in the checks file itself.
    #[serde(default, deserialize_with = "refuse_inline_key_password")]
    pub key_password: Option<InlinePassphrase>,
    #[serde(default, deserialize_with = "refuse_inline_p12_password")]
    pub p12_password: Option<InlinePassphrase>,
    pub timeout: Option<Timeout>,
    pub expect: Option<Expectations>,
    pub http_path: Option<String>,
    pub http_method: Option<String>,
    pub http_host: Option<String>,
    pub retries: Option<u32>,
    pub all_addresses: Option<bool>,
    /// `ADDRESS[:PORT]` to connect to instead of `host` (which still gives SNI and Host).
    pub connect: Option<String>,
    /// `http://HOST:PORT` of an HTTP CONNECT proxy; `""` ignores HTTPS_PROXY.
    pub proxy: Option<String>,
    pub starttls: Option<Starttls>,
    /// Report a server verification failure without failing the check.
    pub insecure: Option<bool>,
}

impl RawCheck {
    /// Fills every field this check leaves unset from `defaults`. A check's own `p12` replaces
    /// inherited PEM credentials (`cert`, `key`, `chain`, `key_password_*`), and its own
    /// `cert`/`key` replace an inherited `p12`, instead of clashing with them.
    fn with_defaults(self, defaults: &RawCheck) -> RawCheck {
        let mut d = defaults.clone();
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFile {
    /// Warn about certificates expiring within this many days (server leaf and ours).
    #[serde(default)]
    pub warn_days: Option<u32>,
    #[serde(default)]
    pub defaults: Option<RawCheck>,
    #[serde(default)]
    pub checks: Option<Vec<RawCheck>>,
}

/// One endpoint to probe, with everything resolved and loaded.
#[derive(Debug, Clone)]
pub struct Check {
    pub name: String,
    pub host: String,
    pub port: u16,
    /// The SNI to send; `None` sends none (s_client's rule for IPs and single-label names).
    pub servername: Option<String>,
    pub cacert: Option<PathBuf>,
    pub capath: Option<PathBuf>,
    /// Our client certificate, key and chain, when the check has `cert`/`key`.
    pub identity: Option<ClientIdentity>,
    pub timeout: Duration,
    pub expect: Expectations,
    /// Warn when the server's or our certificate expires within this many days.
    pub warn_days: u32,
    /// The HTTP request sent after each handshake, when the check has `http_path`.
    pub http: Option<HttpRequest>,
    /// Extra tries after a transient network error (never after a refused handshake).
    pub retries: u32,
    /// Probe every resolved address, not just the first.
    pub all_addresses: bool,
    /// A problem found before any network traffic that makes this check an error without
    /// stopping the others (e.g. a key that does not match its certificate).
    pub preflight_error: Option<String>,
    /// Where to connect instead of `host:port` (`connect:`).
    pub connect: Option<HostPort>,
    /// The HTTP CONNECT proxy: `proxy:`, else HTTPS_PROXY unless NO_PROXY names the host.
    pub proxy: Option<ProxyUrl>,
    /// The plain-text protocol spoken before TLS (`s_client -starttls`).
    pub starttls: Option<Starttls>,
    /// A server verification failure is reported but does not fail the check.
    pub insecure: bool,
    /// Found before any network traffic, worth reporting but not failing: e.g. our certificate
    /// expires within 30 days.
    pub warnings: Vec<String>,
}

impl Check {
    /// `host:port`, with brackets around IPv6 literals.
    pub fn target(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// The endpoint the TLS connection is for: `connect` when set, else `host:port`. With a
    /// proxy, this is what the CONNECT request asks for.
    pub fn destination(&self) -> HostPort {
        self.connect.clone().unwrap_or_else(|| HostPort { host: self.host.clone(), port: self.port })
    }
}

/// One HTTP/1.1 request sent after the handshake (with `Connection: close`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: String,
    pub path: String,
    /// The `Host` header: `http_host`, else the SNI, else the host.
    pub host: String,
}

/// Why a checks file cannot be used. Nothing is probed when this happens (exit code 2).
#[derive(Debug)]
pub struct ConfigError {
    pub file: PathBuf,
    pub problems: Vec<String>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.problems.as_slice() {
            [one] => write!(f, "{one}"),
            many => {
                write!(f, "{} problems in {}:", many.len(), self.file.display())?;
                for problem in many {
                    write!(f, "\n  - {problem}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for ConfigError {}

/// Reads and validates a checks file.
pub fn load(path: &Path) -> Result<Vec<Check>, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|err| ConfigError {
        file: path.to_path_buf(),
        problems: vec![format!("cannot read {}: {err}", path.display())],
    })?;
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    parse(&text, path, &base)
}

/// Validates checks from YAML text; `file` names it in messages and `base` resolves paths.
pub fn parse(text: &str, file: &Path, base: &Path) -> Result<Vec<Check>, ConfigError> {
    let fail = |problems: Vec<String>| ConfigError { file: file.to_path_buf(), problems };
    let shown = file.display();
    if text.trim().is_empty() || text.lines().all(|l| l.trim().is_empty() || l.trim().starts_with('#')) {
        return Err(fail(vec![format!(
            "{shown}: the file is empty; it needs a `checks:` list (see checks.yaml in the mtlscheck repository)"
        )]));
    }
    let raw: RawFile =
        serde_yaml::from_str(text).map_err(|err| fail(vec![describe_yaml_error(&shown.to_string(), &err)]))?;
    let defaults = raw.defaults.unwrap_or_default();
    let warn_days = raw.warn_days.unwrap_or(DEFAULT_WARN_DAYS);
    let mut problems = Vec::new();
    if defaults.name.is_some() {
        problems.push(format!("{shown}: `defaults` cannot set `name`: every check needs its own"));
    }
    let raw_checks = raw.checks.unwrap_or_default();
    if raw_checks.is_empty() {
        problems.push(format!("{shown}: no checks: add at least one entry under `checks:`"));
    }
    let mut seen = HashSet::new();
    let mut cache = LoadCache::default();
    let mut checks = Vec::new();
    for (index, raw_check) in raw_checks.into_iter().enumerate() {
        let label = match &raw_check.name {
            Some(name) => format!("{shown}: check '{name}'"),
            None => format!("{shown}: checks[{index}]"),
        };
        match build_check(raw_check.with_defaults(&defaults), &label, base, &mut cache) {
            Ok(mut check) => {
                check.warn_days = warn_days;
                if !seen.insert(check.name.clone()) {
                    problems.push(format!(
                        "{label}: duplicate name; check names must be unique because reports are keyed by them"
                    ));
                }
                checks.push(check);
            }
            Err(mut errs) => problems.append(&mut errs),
        }
    }
    // A problem outside the file (an unusable HTTPS_PROXY) is reported once, not per check.
    let mut reported = HashSet::new();
    problems.retain(|problem| reported.insert(problem.clone()));
    if problems.is_empty() { Ok(checks) } else { Err(fail(problems)) }
}

/// Validates one check given outside a file (e.g. by `mtlscheck probe` flags); relative paths
/// resolve against the current directory.
pub fn single_check(raw: RawCheck) -> Result<Check, ConfigError> {
    let label = raw.name.clone().unwrap_or_default();
    build_check(raw, &label, Path::new(""), &mut LoadCache::default())
        .map_err(|problems| ConfigError { file: PathBuf::new(), problems })
}

/// Files already read for this checks file: checks usually share one certificate and CA file
/// through `defaults`, and decoding keys and certificates costs more on OpenSSL 3 (its decoder
/// framework) than probing an endpoint — measured: 70% of a 20-check run before this cache.
#[derive(Default)]
struct LoadCache {
    credentials: HashMap<CredentialFields, Result<Option<credentials::Prepared>, Vec<String>>>,
    ca_files: HashMap<PathBuf, Result<(), String>>,
}

fn build_check(raw: RawCheck, label: &str, base: &Path, cache: &mut LoadCache) -> Result<Check, Vec<String>> {
    let mut problems = Vec::new();
    let name = match raw.name {
        Some(name) if !name.trim().is_empty() => name,
        _ => {
            problems.push(format!("{label}: missing `name` (a unique label used in reports)"));
            String::new()
        }
    };
    let host = match raw.host {
        Some(host) if !host.trim().is_empty() => strip_brackets(host.trim()).to_string(),
        _ => {
            problems.push(format!("{label}: missing `host` (a DNS name or IP address)"));
            String::new()
        }
    };
    if let Some(path) = &raw.http_path
        && !path.starts_with('/')
    {
        problems.push(format!("{label}: `http_path` must start with `/` (e.g. /secure)"));
    }
    if raw.http_path.is_none() && (raw.http_method.is_some() || raw.http_host.is_some()) {
        problems.push(format!("{label}: `http_method`/`http_host` need `http_path`"));
    }
    if let Some(method) = &raw.http_method
        && (method.is_empty() || !method.bytes().all(|b| b.is_ascii_uppercase()))
    {
        problems.push(format!("{label}: `http_method` must be an upper-case HTTP method such as GET or HEAD"));
    }
    if [&raw.http_path, &raw.http_host].iter().any(|v| v.as_ref().is_some_and(|v| v.contains(['\r', '\n', ' ']))) {
        problems.push(format!("{label}: `http_path` and `http_host` cannot contain spaces or line breaks"));
    }
    if raw.retries.is_some_and(|r| r > MAX_RETRIES) {
        problems.push(format!("{label}: `retries` is at most {MAX_RETRIES}"));
    }
    if let Some(expect) = &raw.expect {
        problems.extend(crate::expect::validate(expect).into_iter().map(|p| format!("{label}: {p}")));
    }
    if raw.port == Some(0) {
        problems.push(format!("{label}: `port` must be between 1 and 65535"));
    }
    let port = raw.port.unwrap_or_else(|| raw.starttls.map_or(DEFAULT_PORT, Starttls::default_port));
    if raw.starttls.is_some() && raw.http_path.is_some() {
        problems.push(format!("{label}: `http_path` sends an HTTPS request; it cannot be combined with `starttls`"));
    }
    let connect = connect_address(raw.connect.as_deref(), port, label, &mut problems);
    let destination_host = connect.as_ref().map_or(host.as_str(), |c| c.host.as_str());
    let proxy = proxy_setting(raw.proxy.as_deref(), &host, destination_host, label, &mut problems);
    let resolve = |p: Option<PathBuf>| p.map(|p| if p.is_absolute() { p } else { base.join(p) });
    let cacert = resolve(raw.cacert);
    let capath = resolve(raw.capath);
    if let Some(path) = &cacert
        && let Err(err) = cache.ca_files.entry(path.clone()).or_insert_with(|| credentials::check_ca_file(path))
    {
        problems.push(format!("{label}: cacert {err}"));
    }
    if let Some(path) = &capath
        && !path.is_dir()
    {
        problems.push(format!("{label}: capath {} is not a readable directory", path.display()));
    }
    // `cert: ""` (or `p12: ""`) turns off client credentials inherited from `defaults`.
    let empty = |p: &Option<PathBuf>| p.as_ref().is_some_and(|p| p.as_os_str().is_empty());
    let credential_fields = if empty(&raw.cert) || empty(&raw.p12) {
        CredentialFields::default()
    } else {
        CredentialFields {
            cert: resolve(raw.cert),
            key: resolve(raw.key),
            chain: resolve(raw.chain),
            p12: resolve(raw.p12),
            key_password_env: raw.key_password_env,
            key_password_file: resolve(raw.key_password_file),
            p12_password_env: raw.p12_password_env,
            p12_password_file: resolve(raw.p12_password_file),
        }
    };
    let prepared =
        cache.credentials.entry(credential_fields.clone()).or_insert_with(|| credentials::prepare(&credential_fields));
    let (identity, preflight_error, warnings) = match prepared.clone() {
        Ok(Some(prepared)) => {
            let error = (!prepared.errors.is_empty()).then(|| prepared.errors.join("; "));
            (prepared.identity, error, prepared.warnings)
        }
        Ok(None) => (None, None, Vec::new()),
        Err(errs) => {
            problems.extend(errs.into_iter().map(|err| format!("{label}: {err}")));
            (None, None, Vec::new())
        }
    };
    if credential_fields.cert.is_none()
        && credential_fields.p12.is_none()
        && raw.expect.as_ref().is_some_and(|e| e.client_cert_days_left.is_some())
    {
        problems.push(format!("{label}: `expect.client_cert_days_left` needs `cert` and `key` (or `p12`)"));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let servername = match raw.servername {
        Some(explicit) if explicit.is_empty() => None,
        Some(explicit) => Some(explicit),
        None => sni::default_servername(&host),
    };
    let http = match raw.http_path {
        Some(path) => Some(HttpRequest {
            method: raw.http_method.unwrap_or_else(|| "GET".into()),
            host: raw.http_host.or_else(|| servername.clone()).unwrap_or_else(|| host.clone()),
            path,
        }),
        None => None,
    };
    Ok(Check {
        name,
        host,
        port,
        servername,
        cacert,
        capath,
        identity,
        timeout: raw.timeout.map(|t| t.0).unwrap_or(DEFAULT_TIMEOUT),
        expect: raw.expect.unwrap_or_default(),
        warn_days: DEFAULT_WARN_DAYS,
        http,
        retries: raw.retries.unwrap_or(0),
        all_addresses: raw.all_addresses.unwrap_or(false),
        preflight_error,
        connect,
        proxy,
        starttls: raw.starttls,
        insecure: raw.insecure.unwrap_or(false),
        warnings,
    })
}

/// `connect:` as an address and port (the check's port when it names none); `""` turns off
/// one inherited from `defaults`.
fn connect_address(text: Option<&str>, port: u16, label: &str, problems: &mut Vec<String>) -> Option<HostPort> {
    let text = text.filter(|t| !t.trim().is_empty())?;
    hostport::parse(text, port)
        .map_err(|err| {
            problems.push(format!(
                "{label}: `connect` {text:?}: {err}; write ADDRESS:PORT, e.g. 10.0.0.5:443 or [::1]:8443"
            ))
        })
        .ok()
}

/// The check's proxy: `proxy:` when set (`""`: none), else the environment's for this host.
fn proxy_setting(
    text: Option<&str>,
    host: &str,
    destination: &str,
    label: &str,
    problems: &mut Vec<String>,
) -> Option<ProxyUrl> {
    let written = match text {
        Some(text) if text.trim().is_empty() => return None,
        Some(text) => ProxyUrl::parse(text),
        None => {
            return ProxyEnvironment::from_process()
                .proxy_for(host, destination)
                .map_err(|err| problems.push(err))
                .ok()
                .flatten();
        }
    };
    match written {
        Ok(proxy) if proxy.has_password() => {
            problems.push(format!(
                "{label}: `proxy` contains a password, which would be readable in the file, in `ps` and in \
                 logs: set HTTPS_PROXY=http://USER:PASSWORD@HOST:PORT in the environment instead"
            ));
            None
        }
        Ok(proxy) => Some(proxy),
        Err(err) => {
            problems.push(format!("{label}: `proxy` {err}"));
            None
        }
    }
}

fn strip_brackets(host: &str) -> &str {
    host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host)
}

/// Rewrites serde_yaml's message as `file:line:column: what`, and adds the closest valid name
/// to an unknown-field error.
fn describe_yaml_error(file: &str, err: &serde_yaml::Error) -> String {
    let location = err.location().map(|loc| format!(":{}:{}", loc.line(), loc.column())).unwrap_or_default();
    // serde_yaml repeats the position as " at line L column C" inside the message; it is in
    // front already.
    // `key_password` and `p12_password` are fields only so they can be refused with advice;
    // never offer them as valid.
    let what = strip_positions(&err.to_string()).replace(", `key_password`, `p12_password`", "");
    let hint = unknown_field_hint(&what).map(|h| format!("; {h}")).unwrap_or_default();
    format!("{file}{location}: {what}{hint}")
}

/// Removes every " at line L column C" from a message.
fn strip_positions(message: &str) -> String {
    let mut out = String::new();
    let mut rest = message;
    while let Some(start) = rest.find(" at line ") {
        out.push_str(&rest[..start]);
        let tail = &rest[start + " at line ".len()..];
        let digits = |s: &str| s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        let after_line = &tail[digits(tail)..];
        match after_line.strip_prefix(" column ") {
            Some(col) => rest = &col[digits(col)..],
            None => {
                out.push_str(" at line ");
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}

/// For serde's "unknown field `x`, expected one of `a`, `b`" message, suggests the closest name.
fn unknown_field_hint(message: &str) -> Option<String> {
    let rest = message.split("unknown field `").nth(1)?;
    let (unknown, expected) = rest.split_once('`')?;
    let best = expected
        .split('`')
        .skip(1)
        .step_by(2)
        // Never suggest the fields that exist only to refuse an inline passphrase.
        .filter(|candidate| !matches!(*candidate, "key_password" | "p12_password"))
        .map(|candidate| (strsim::damerau_levenshtein(unknown, candidate), candidate))
        .min_by_key(|(distance, _)| *distance)?;
    (best.0 <= unknown.len().max(3) / 2 + 1).then(|| format!("did you mean `{}`?", best.1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Vec<Check>, ConfigError> {
        parse(text, Path::new("checks.yaml"), Path::new("."))
    }

    #[test]
    fn unknown_field_names_closest_valid_one_with_line_and_column() {
        let err = parse_str("checks:\n  - name: a\n    hots: example.com\n").unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("checks.yaml:3:5: "), "{text}");
        assert!(text.contains("unknown field `hots`"), "{text}");
        assert!(text.contains("did you mean `host`?"), "{text}");
    }

    #[test]
    fn defaults_apply_where_a_check_is_silent() {
        let checks = parse_str(
            "defaults:\n  timeout: 3s\n  port: 8443\nchecks:\n  - name: a\n    host: a.example\n  - name: b\n    host: 10.0.0.1\n    port: 9443\n    timeout: 1\n",
        )
        .unwrap();
        assert_eq!(checks[0].port, 8443);
        assert_eq!(checks[0].timeout, Duration::from_secs(3));
        assert_eq!(checks[0].servername.as_deref(), Some("a.example"));
        assert_eq!(checks[1].port, 9443);
        assert_eq!(checks[1].timeout, Duration::from_secs(1));
        assert_eq!(checks[1].servername, None, "s_client sends no SNI for IP literals");
    }

    #[test]
    fn duplicate_names_empty_file_and_no_checks_are_errors() {
        let dup = parse_str("checks:\n  - {name: a, host: x.example}\n  - {name: a, host: y.example}\n");
        assert!(dup.unwrap_err().to_string().contains("duplicate name"));
        assert!(parse_str("  \n# nothing\n").unwrap_err().to_string().contains("empty"));
        assert!(parse_str("checks: []\n").unwrap_err().to_string().contains("no checks"));
    }

    #[test]
    fn empty_cert_turns_off_inherited_credentials() {
        let err = parse_str(
            "defaults:\n  cert: missing.pem\n  key: missing.key\nchecks:\n  - {name: a, host: x.example, cert: \"\"}\n",
        );
        let checks = err.expect("no credential files are read for this check");
        assert!(checks[0].identity.is_none());
    }

    #[test]
    fn yaml_syntax_errors_give_the_position_once() {
        let err = parse_str("checks:\n  - name: \"a\n").unwrap_err().to_string();
        assert!(err.starts_with("checks.yaml:"), "{err}");
        assert!(!err.contains(" at line "), "{err}");
    }

    #[test]
    fn http_fields_are_validated() {
        let err = parse_str("checks:\n  - {name: a, host: x.example, http_path: secure}\n").unwrap_err();
        assert!(err.to_string().contains("must start with `/`"), "{err}");
        let err = parse_str("checks:\n  - {name: a, host: x.example, http_method: GET}\n").unwrap_err();
        assert!(err.to_string().contains("need `http_path`"), "{err}");
        let checks = parse_str("checks:\n  - {name: a, host: x.example, http_path: /s}\n").unwrap();
        let http = checks[0].http.as_ref().unwrap();
        assert_eq!((http.method.as_str(), http.host.as_str()), ("GET", "x.example"));
    }

    #[test]
    fn huge_timeouts_are_errors_not_panics() {
        // Regressions from fuzzing: 1e30 seconds panicked in `Duration::from_secs_f64`, and
        // 1.8e19 seconds overflowed `Instant + Duration` when the probe set its deadline.
        for written in ["1e30", "1.8e19", "18000000000000000000s", "3601", "2h"] {
            let err =
                parse_str(&format!("checks:\n  - {{name: a, host: x.example, timeout: {written}}}\n")).unwrap_err();
            assert!(err.to_string().contains("at most 1h"), "{written}: {err}");
        }
        let checks = parse_str("checks:\n  - {name: a, host: x.example, timeout: 1h}\n").unwrap();
        assert_eq!(checks[0].timeout, MAX_TIMEOUT);
    }

    #[test]
    fn a_checks_own_p12_replaces_inherited_pem_credentials_instead_of_clashing() {
        let err = parse_str(
            "defaults:\n  cert: a.pem\n  key: a.key\n  key_password_env: A\nchecks:\n  - {name: a, host: x.example, p12: b.p12}\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("cannot read p12 ./b.p12"), "{err}");
        assert!(!err.contains("mutually exclusive") && !err.contains("a.pem"), "{err}");
        let err =
            parse_str("checks:\n  - {name: a, host: x.example, p12: b.p12, cert: a.pem, key: a.key}\n").unwrap_err();
        assert!(err.to_string().contains("mutually exclusive"), "{err}");
    }

    #[test]
    fn passphrase_sources_need_their_file_and_one_source() {
        let err = parse_str("checks:\n  - {name: a, host: x.example, key_password_env: A}\n").unwrap_err();
        assert!(err.to_string().contains("`key_password_env`/`key_password_file` need `key`"), "{err}");
        let err = parse_str(
            "checks:\n  - {name: a, host: x.example, p12: b.p12, key_password_env: A, p12_password_env: B, p12_password_file: f}\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("(for `p12` use `p12_password_env`/`p12_password_file`)"), "{err}");
        assert!(err.contains("`p12_password_env` and `p12_password_file` are both set: keep one"), "{err}");
    }

    #[test]
    fn bad_timeout_is_explained() {
        let err = parse_str("checks:\n  - {name: a, host: x.example, timeout: soon}\n").unwrap_err();
        assert!(err.to_string().contains("e.g. 10s"), "{err}");
    }

    #[test]
    fn connect_keeps_host_for_sni_and_defaults_to_the_checks_port() {
        let checks = parse_str(
            "checks:\n  - {name: a, host: api.partner.example, port: 8443, connect: 10.0.0.5}\n  - {name: b, host: x.example, connect: \"[::1]:9443\"}\n",
        )
        .unwrap();
        assert_eq!(checks[0].destination().to_string(), "10.0.0.5:8443");
        assert_eq!(checks[0].servername.as_deref(), Some("api.partner.example"));
        assert_eq!(checks[0].target(), "api.partner.example:8443");
        assert_eq!(checks[1].destination().to_string(), "[::1]:9443");
        let err = parse_str("checks:\n  - {name: a, host: x.example, connect: \"::1:x443\"}\n").unwrap_err();
        assert!(err.to_string().contains("check 'a': `connect` \"::1:x443\""), "{err}");
        assert!(err.to_string().contains("[::1]:8443"), "{err}");
    }

    #[test]
    fn starttls_sets_the_protocols_port_and_excludes_http_path() {
        let checks = parse_str(
            "checks:\n  - {name: a, host: mx.example, starttls: smtp}\n  - {name: b, host: db.example, starttls: postgres, port: 6432}\n",
        )
        .unwrap();
        assert_eq!((checks[0].port, checks[0].starttls), (25, Some(Starttls::Smtp)));
        assert_eq!(checks[1].port, 6432);
        let err = parse_str("checks:\n  - {name: a, host: x.example, starttls: smtp, http_path: /}\n").unwrap_err();
        assert!(err.to_string().contains("cannot be combined with `starttls`"), "{err}");
        let err = parse_str("checks:\n  - {name: a, host: x.example, starttls: ldap}\n").unwrap_err();
        assert!(err.to_string().contains("unknown variant `ldap`"), "{err}");
    }

    #[test]
    fn proxy_is_parsed_and_a_password_in_the_file_is_refused_without_repeating_it() {
        let checks = parse_str(
            "checks:\n  - {name: a, host: x.example, proxy: \"http://proxy.corp:3128\"}\n  - {name: b, host: y.example, proxy: \"\"}\n",
        )
        .unwrap();
        assert_eq!(checks[0].proxy.as_ref().map(|p| p.to_string()).as_deref(), Some("http://proxy.corp:3128"));
        assert_eq!(checks[1].proxy, None);
        let err = parse_str("checks:\n  - {name: a, host: x.example, proxy: \"http://u:hunter2@p:1\"}\n").unwrap_err();
        assert!(err.to_string().contains("contains a password") && !err.to_string().contains("hunter2"), "{err}");
        let err = parse_str("checks:\n  - {name: a, host: x.example, proxy: \"socks5://p:1080\"}\n").unwrap_err();
        assert!(err.to_string().contains("only http:// proxies"), "{err}");
        let insecure = parse_str("defaults: {insecure: true}\nchecks:\n  - {name: a, host: x.example}\n").unwrap();
        assert!(insecure[0].insecure);
    }

    #[test]
    fn empty_servername_sends_none_and_ipv6_brackets_are_accepted() {
        let checks =
            parse_str("checks:\n  - {name: a, host: x.example, servername: \"\"}\n  - {name: b, host: \"[::1]\"}\n")
                .unwrap();
        assert_eq!(checks[0].servername, None);
        assert_eq!(checks[1].host, "::1");
        assert_eq!(checks[1].target(), "[::1]:443");
    }
}
