//! `mtlscheck init`: a first checks file, written from one probe of each target. Its
//! expectations are what the endpoints did at that moment (client auth, the exact CA names,
//! the protocol), so tonight's `run` alerts on tomorrow's drift. Pure text from results; `app`
//! probes and writes.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::model::{CheckResult, ClientAuth, Status};

/// What the operator gave on the command line that every check shares (`defaults:`).
#[derive(Debug, Default, Clone)]
pub struct Defaults {
    pub cacert: Option<PathBuf>,
    pub capath: Option<PathBuf>,
    pub cert: Option<PathBuf>,
    pub key: Option<PathBuf>,
    pub chain: Option<PathBuf>,
    pub p12: Option<PathBuf>,
    /// `key_password_env: VAR` and the like, already in checks-file spelling.
    pub passphrase: Option<(String, String)>,
    pub timeout: String,
}

/// One probed target: the name it gets in the file, where it is, and what was seen.
pub struct Probed<'a> {
    pub name: String,
    pub host: &'a str,
    pub port: u16,
    pub http_path: Option<&'a str>,
    pub result: &'a CheckResult,
}

/// A YAML scalar for `text`, quoted when YAML needs it.
fn scalar(text: &str) -> String {
    serde_yaml::to_string(text).map(|s| s.trim_end().to_string()).unwrap_or_else(|_| format!("{text:?}"))
}

/// `path` as written in a checks file in `folder`: relative to it when inside it, else absolute.
pub fn path_for(path: &Path, folder: &Path) -> String {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let folder = std::path::absolute(folder).unwrap_or_else(|_| folder.to_path_buf());
    let shown = absolute.strip_prefix(&folder).map(Path::to_path_buf).unwrap_or(absolute);
    shown.display().to_string()
}

/// A unique check name for `host:port` (the host alone for 443).
pub fn check_name(host: &str, port: u16, taken: &[String]) -> String {
    let base = if port == 443 { host.to_string() } else { format!("{host}-{port}") };
    let mut name = base.clone();
    let mut n = 2;
    while taken.contains(&name) {
        name = format!("{base}-{n}");
        n += 1;
    }
    name
}

/// The commented checks file.
pub fn checks_yaml(defaults: &Defaults, folder: &Path, probed: &[Probed<'_>], when: &str) -> String {
    let mut yaml = String::new();
    let _ = writeln!(yaml, "# Written by `mtlscheck init` on {when} from one probe of each endpoint. The");
    let _ = writeln!(yaml, "# expectations are what the endpoints did then: `mtlscheck run` fails when one changes.");
    let _ = writeln!(yaml, "# Check them with `mtlscheck validate`; every field is described in docs/checks-yaml.md.");
    let _ = writeln!(yaml, "defaults:");
    let _ = writeln!(yaml, "  timeout: {}", defaults.timeout);
    let file = |label: &str, path: &Option<PathBuf>, comment: &str, yaml: &mut String| {
        if let Some(path) = path {
            let _ = writeln!(yaml, "  {label}: {}{comment}", scalar(&path_for(path, folder)));
        }
    };
    file("cacert", &defaults.cacert, "   # trust anchors for the servers' chains", &mut yaml);
    file("capath", &defaults.capath, "", &mut yaml);
    file("cert", &defaults.cert, "   # our client certificate", &mut yaml);
    file("key", &defaults.key, "", &mut yaml);
    file("chain", &defaults.chain, "   # intermediates sent after it", &mut yaml);
    file("p12", &defaults.p12, "   # our certificate, key and intermediates", &mut yaml);
    if let Some((field, value)) = &defaults.passphrase {
        let _ = writeln!(yaml, "  {field}: {}", scalar(value));
    }
    let _ = writeln!(yaml, "checks:");
    for target in probed {
        let r = target.result;
        let _ = writeln!(yaml, "  # {}", summary(r));
        let _ = writeln!(yaml, "  - name: {}", scalar(&target.name));
        let _ = writeln!(yaml, "    host: {}", scalar(target.host));
        let _ = writeln!(yaml, "    port: {}", target.port);
        if let Some(path) = target.http_path {
            let _ = writeln!(yaml, "    http_path: {}", scalar(path));
        }
        if r.client_auth == ClientAuth::Error {
            let _ = writeln!(yaml, "    # could not be probed: {}", one_line(r.error.as_deref().unwrap_or("unknown")));
            let _ = writeln!(yaml, "    # (no expectations written: add them once the endpoint answers)");
            continue;
        }
        for note in notes(r) {
            let _ = writeln!(yaml, "    # NOTE: {note}");
        }
        let _ = writeln!(yaml, "    expect:");
        let _ = writeln!(yaml, "      client_auth: {}", r.client_auth.as_str());
        if r.cert_requested {
            if r.ca_names.is_empty() {
                let _ = writeln!(yaml, "      ca_names_exact: []   # the server names no CAs");
            } else {
                let _ = writeln!(yaml, "      ca_names_exact:");
                for name in &r.ca_names {
                    let _ = writeln!(yaml, "        - {}", scalar(name));
                }
            }
        }
        if let Some(protocol) = &r.protocol {
            let _ = writeln!(yaml, "      min_protocol: {protocol}");
        }
    }
    yaml
}

fn one_line(text: &str) -> String {
    text.replace(['\n', '\r'], " ")
}

/// `api.example:443: 2-way required, TLSv1.3, 1 CA name`.
fn summary(r: &CheckResult) -> String {
    let auth = match r.client_auth {
        ClientAuth::None => "1-way TLS",
        ClientAuth::Optional => "2-way TLS, optional",
        ClientAuth::Required => "2-way TLS, required",
        ClientAuth::PostHandshake => "2-way TLS after the handshake",
        ClientAuth::Error => "not probed",
    };
    let mut parts = vec![auth.to_string()];
    parts.extend(r.protocol.clone());
    if r.cert_requested {
        parts.push(match r.ca_names.len() {
            1 => "1 CA name".into(),
            n => format!("{n} CA names"),
        });
    }
    format!("{}: {}", r.target(), parts.join(", "))
}

/// What an operator should know before trusting the expectations.
fn notes(r: &CheckResult) -> Vec<String> {
    let mut notes = Vec::new();
    if let (Some(code), Some(text)) = (r.verify_code, &r.verify_error)
        && code != 0
    {
        notes.push(format!("the server's certificate did not verify ({text}): set cacert to the CA that issued it"));
    }
    if r.with_cert.accepted == Some(false) {
        notes.push(format!(
            "the partner refused our certificate ({}): `run` will fail until it accepts it",
            r.with_cert.summary()
        ));
    }
    if r.status == Status::Error {
        notes.push("the probe ended in an error".into());
    }
    notes
}
