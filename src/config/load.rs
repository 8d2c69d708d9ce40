//! `checks.yaml` → validated [`Check`]s, the high stage of loading: [`RawFile`] as serde read
//! it goes in; defaults are applied, paths resolved against the file's folder, credentials
//! loaded, and every problem reported with the file, line or check it concerns.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::credentials::{self, CredentialFields};
use super::proxy_env::ProxyEnvironment;
use super::raw::{DEFAULT_PORT, DEFAULT_TIMEOUT, DEFAULT_WARN_DAYS, MAX_RETRIES, RawCheck, RawFile};
use super::sni;
use super::yaml_error::describe_yaml_error;
use super::yaml_size::check_expansion;
use crate::hostport::{self, HostPort};
use crate::model::{Check, ClientStack, HttpRequest, Identity, IdentityExpectations, ProxyUrl, Starttls};
use crate::names::NameStyle;
use crate::style::{LIKE_VALUES, Style};

/// Why a checks file cannot be used. Nothing is probed when this happens (exit code 2).
#[derive(Debug, thiserror::Error)]
#[error("{}", describe(&self.file, &self.problems))]
pub struct ConfigError {
    pub file: PathBuf,
    pub problems: Vec<String>,
}

/// One problem as it is; several as a list under the file's name.
fn describe(file: &Path, problems: &[String]) -> String {
    match problems {
        [one] => one.clone(),
        many => {
            let mut text = format!("{} problems in {}:", many.len(), file.display());
            for problem in many {
                text.push_str(&format!("\n  - {problem}"));
            }
            text
        }
    }
}

/// Reads and validates a checks file: a regular file of at most
/// [`MAX_CHECKS_FILE`](crate::files::MAX_CHECKS_FILE), in UTF-8.
pub fn load(path: &Path) -> Result<Vec<Check>, ConfigError> {
    let fail = |problem: String| ConfigError { file: path.to_path_buf(), problems: vec![problem] };
    let bytes = crate::files::read_regular("checks file", path, crate::files::MAX_CHECKS_FILE, "a checks file")
        .map_err(fail)?;
    let text = crate::files::utf8_text("checks file", path, bytes).map_err(fail)?;
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
    check_expansion(text, &shown.to_string()).map_err(|problem| fail(vec![problem]))?;
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
        // A file named in `defaults` is blamed on `defaults`, once, not on every check.
        let labels = Labels::of(&raw_check, &defaults, &label, &format!("{shown}: defaults"));
        match build_check(raw_check.with_defaults(&defaults), &labels, base, &mut cache) {
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
    let labels = Labels { check: label.clone(), cacert: label.clone(), capath: label.clone(), credentials: label };
    build_check(raw, &labels, Path::new(""), &mut LoadCache::default())
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

/// Who a problem is blamed on: the check, or `defaults` for a file the check inherits.
struct Labels {
    check: String,
    cacert: String,
    capath: String,
    credentials: String,
}

impl Labels {
    fn of(raw: &RawCheck, defaults: &RawCheck, check: &str, from_defaults: &str) -> Labels {
        let pick = |inherited: bool| if inherited { from_defaults.to_string() } else { check.to_string() };
        let own_credentials = raw.cert.is_some()
            || raw.key.is_some()
            || raw.p12.is_some()
            || raw.identities.is_some()
            || raw.chain.is_some();
        let default_credentials = defaults.cert.is_some() || defaults.p12.is_some() || defaults.identities.is_some();
        Labels {
            check: check.to_string(),
            cacert: pick(raw.cacert.is_none() && defaults.cacert.is_some()),
            capath: pick(raw.capath.is_none() && defaults.capath.is_some()),
            credentials: pick(!own_credentials && default_credentials),
        }
    }
}

fn build_check(raw: RawCheck, labels: &Labels, base: &Path, cache: &mut LoadCache) -> Result<Check, Vec<String>> {
    let label = labels.check.as_str();
    let mut problems = Vec::new();
    let has_identities = raw.identities.is_some();
    if has_identities && (raw.cert.is_some() || raw.key.is_some() || raw.p12.is_some()) {
        problems.push(format!(
            "{label}: `identities` cannot be combined with `cert`/`key`/`p12`: list that certificate as one of the \
             identities"
        ));
    }
    let (identities, warnings) = build_identities(&raw, &labels.credentials, base, cache, &mut problems);
    if identities.is_empty() && raw.expect.as_ref().is_some_and(|e| e.client_cert_days_left.is_some()) {
        let needs = if has_identities { "`identities`" } else { "`cert` and `key` (or `p12`)" };
        problems.push(format!("{label}: `expect.client_cert_days_left` needs {needs}"));
    }
    let name = match raw.name {
        Some(name) if !name.trim().is_empty() => name,
        _ => {
            problems.push(format!("{label}: missing `name` (a unique label used in reports)"));
            String::new()
        }
    };
    let host = match raw.host {
        Some(host) if !host.trim().is_empty() => {
            if let Some(problem) = host_problem(host.trim()) {
                problems.push(format!("{label}: {problem}"));
            }
            strip_brackets(host.trim()).to_string()
        }
        _ => {
            problems.push(format!("{label}: missing `host` (a DNS name or IP address)"));
            String::new()
        }
    };
    for (field, value) in [
        ("cacert", &raw.cacert),
        ("capath", &raw.capath),
        ("key", &raw.key),
        ("chain", &raw.chain),
        ("key_password_file", &raw.key_password_file),
        ("p12_password_file", &raw.p12_password_file),
    ] {
        if value.as_ref().is_some_and(|path| path.as_os_str().is_empty()) {
            problems.push(format!("{label}: `{field}` is empty: name a file, or remove the field"));
        }
    }
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
        problems.extend(super::expect::validate(expect).into_iter().map(|p| format!("{label}: {p}")));
    }
    let name_style = match raw.name_style.as_deref().map(name_style_setting) {
        Some(Ok(style)) => style,
        Some(Err(why)) => {
            problems.push(format!("{label}: `name_style`: {why}"));
            NameStyle::Default
        }
        None => NameStyle::Default,
    };
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
        problems.push(format!("{}: cacert {err}", labels.cacert));
    }
    if let Some(path) = &capath
        && !path.is_dir()
    {
        problems.push(format!("{}: capath {} is not a readable directory", labels.capath, path.display()));
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
        identities,
        timeout: raw.timeout.map(|t| t.0).unwrap_or(DEFAULT_TIMEOUT),
        expect: raw.expect.unwrap_or_default(),
        warn_days: DEFAULT_WARN_DAYS,
        http,
        retries: raw.retries.unwrap_or(0),
        all_addresses: raw.all_addresses.unwrap_or(false),
        connect,
        proxy,
        starttls: raw.starttls,
        insecure: raw.insecure.unwrap_or(false),
        warnings,
        name_style,
        like: None,
        impostor: raw.impostor.unwrap_or(false),
        client: raw.client.unwrap_or(ClientStack::Openssl),
    })
}

/// `name_style:` as a preset (`oneline`, `rfc2253`, ...) or a version whose s_client's default
/// it means (`1.1.1`, `3.5`, `libressl`, the output of `openssl version`).
fn name_style_setting(text: &str) -> Result<NameStyle, String> {
    if let Some(preset) = NameStyle::from_preset(text) {
        return Ok(preset);
    }
    Style::parse(text).map(Style::name_style).map_err(|_| {
        format!(
            "{text:?} is neither a version ({LIKE_VALUES}) nor a name style (oneline, rfc2253, \
             sep-comma-plus-space, sep-comma-plus-space-escaped, slash)"
        )
    })
}

/// The check's client identities: its own `cert`/`key`/`p12` as one unnamed identity, or each
/// of `identities:`; none when there are none or `cert: ""` / `p12: ""` turns inherited ones off.
/// Credential warnings come back beside them, named after their identity.
fn build_identities(
    raw: &RawCheck,
    label: &str,
    base: &Path,
    cache: &mut LoadCache,
    problems: &mut Vec<String>,
) -> (Vec<Identity>, Vec<String>) {
    let resolve = |p: &Option<PathBuf>| p.clone().map(|p| if p.is_absolute() { p } else { base.join(p) });
    let empty = |p: &Option<PathBuf>| p.as_ref().is_some_and(|p| p.as_os_str().is_empty());
    if empty(&raw.cert) || empty(&raw.p12) {
        return (Vec::new(), Vec::new());
    }
    let mut written: Vec<(Option<String>, CredentialFields, IdentityExpectations)> = Vec::new();
    match &raw.identities {
        Some(list) => {
            if list.is_empty() {
                problems.push(format!("{label}: `identities` is empty: list at least one, or remove it"));
            }
            let mut seen = HashSet::new();
            for (index, identity) in list.iter().enumerate() {
                let name = match &identity.name {
                    Some(name) if !name.trim().is_empty() => name.clone(),
                    _ => {
                        problems.push(format!(
                            "{label}: identities[{index}] has no `name` (e.g. `current`, `next`): reports name each identity"
                        ));
                        continue;
                    }
                };
                if !seen.insert(name.clone()) {
                    problems.push(format!("{label}: identity '{name}' is listed twice: identity names must be unique"));
                }
                if identity.cert.is_none() && identity.key.is_none() && identity.p12.is_none() {
                    problems.push(format!("{label}: identity '{name}' needs `cert` and `key`, or `p12`"));
                    continue;
                }
                let fields = CredentialFields {
                    cert: resolve(&identity.cert),
                    key: resolve(&identity.key),
                    chain: resolve(&identity.chain),
                    p12: resolve(&identity.p12),
                    key_password_env: identity.key_password_env.clone(),
                    key_password_file: resolve(&identity.key_password_file),
                    p12_password_env: identity.p12_password_env.clone(),
                    p12_password_file: resolve(&identity.p12_password_file),
                };
                written.push((Some(name), fields, identity.expect.clone().unwrap_or_default()));
            }
        }
        None => {
            let fields = CredentialFields {
                cert: resolve(&raw.cert),
                key: resolve(&raw.key),
                chain: resolve(&raw.chain),
                p12: resolve(&raw.p12),
                key_password_env: raw.key_password_env.clone(),
                key_password_file: resolve(&raw.key_password_file),
                p12_password_env: raw.p12_password_env.clone(),
                p12_password_file: resolve(&raw.p12_password_file),
            };
            written.push((None, fields, IdentityExpectations::default()));
        }
    }
    let mut identities = Vec::new();
    let mut warnings = Vec::new();
    for (name, fields, expect) in written {
        let prepared = cache.credentials.entry(fields.clone()).or_insert_with(|| credentials::prepare(&fields));
        let prefix = name.as_ref().map(|n| format!("identity '{n}': ")).unwrap_or_default();
        match prepared.clone() {
            Ok(Some(prepared)) => {
                warnings.extend(prepared.warnings.into_iter().map(|w| format!("{prefix}{w}")));
                identities.push(Identity {
                    name,
                    credential: prepared.identity,
                    problem: (!prepared.errors.is_empty()).then(|| prepared.errors.join("; ")),
                    expect,
                });
            }
            Ok(None) => {}
            Err(errs) => problems.extend(errs.into_iter().map(|err| format!("{label}: {prefix}{err}"))),
        }
    }
    (identities, warnings)
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

/// What is wrong with a `host:` that `run` could not resolve: a URL, or a port written into it.
fn host_problem(host: &str) -> Option<String> {
    if let Some((scheme, rest)) = host.split_once("://") {
        let name = rest.split(['/', ':']).next().unwrap_or_default();
        return Some(format!(
            "`host` {host:?} is a URL: write the host name alone (`host: {name}`), the port in `port:` and a \
             path in `http_path:` ({scheme}:// is implied by TLS)"
        ));
    }
    match hostport::split(host) {
        Ok((name, Some(port))) => Some(format!(
            "`host` {host:?} includes a port: write `host: {}` and `port: {port}`",
            if name.contains(':') { format!("\"[{name}]\"") } else { name }
        )),
        Ok(_) => None,
        Err(why) => Some(format!("`host` {host:?}: {why}; write a DNS name or an IP address")),
    }
}

fn strip_brackets(host: &str) -> &str {
    host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::config::raw::MAX_TIMEOUT;

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
        assert!(checks[0].identities.is_empty());
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
    fn name_style_takes_a_version_or_a_preset_and_checks_inherit_it() {
        let checks = parse_str(
            "defaults: {name_style: \"1.1.1\"}\nchecks:\n  - {name: a, host: x.example}\n  - {name: b, host: y.example, name_style: rfc2253}\n  - {name: c, host: z.example, name_style: \"OpenSSL 3.5.1 1 Jul 2025\"}\n",
        )
        .unwrap();
        assert_eq!(checks[0].name_style, NameStyle::Oneline);
        assert_eq!(checks[1].name_style, NameStyle::Rfc2253);
        assert_eq!(checks[2].name_style, NameStyle::SepCommaPlusSpaceEscaped);
        let err = parse_str("checks:\n  - {name: a, host: x.example, name_style: fancy}\n").unwrap_err().to_string();
        assert!(err.contains("check 'a': `name_style`: \"fancy\" is neither a version"), "{err}");
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
