//! Shared test support: a PKI generated per test, in-process lab servers (the same ones
//! `mtlscheck demo` runs), real `openssl s_server` processes and the real `openssl s_client`.
//! Every server listens on 127.0.0.1 only and is stopped by its own PID when dropped.

pub mod apache;
pub mod child;
pub mod chromium;
pub mod clients;
pub mod creds;
pub mod gnutls;
pub mod java;
pub mod names;
pub mod nginx;
pub mod openssl;
pub mod postgres;
pub mod process;
pub mod proxy;
pub mod runs;
pub mod schemas;
pub mod starttls;
pub mod terminal;
pub mod varied_run;

pub use runs::{ClosedPort, SilentPort, mtlscheck, result_named, stdout_json};

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use mtlscheck::config;
use mtlscheck::lab::{LabPki, LabServer, LabServerConfig};
use mtlscheck::model::Check;

/// A freshly generated lab PKI in its own temporary folder.
pub struct TestPki {
    pub dir: tempfile::TempDir,
    pub pki: LabPki,
}

impl TestPki {
    pub fn new() -> TestPki {
        let dir = tempfile::Builder::new().prefix("mtlscheck-test-").tempdir().expect("temp dir");
        let pki = LabPki::generate(dir.path()).expect("generate PKI");
        TestPki { dir, pki }
    }

    pub fn path(&self, file: &str) -> PathBuf {
        self.dir.path().join(file)
    }

    /// A lab server config trusting our client CA.
    pub fn server_config(&self) -> LabServerConfig {
        let mut config = LabServerConfig::new(self.pki.server.clone());
        config.trusted_client_cas = vec![self.pki.client_ca.cert.clone()];
        config
    }

    /// A lab server config requiring a certificate from our client CA.
    pub fn required_config(&self) -> LabServerConfig {
        let mut config = self.server_config();
        config.client_auth = mtlscheck::lab::LabClientAuth::Required;
        config
    }

    /// A running lab server that requires a certificate from our client CA (TLS 1.3).
    pub fn required_server(&self) -> LabServer {
        lab_server(self.required_config())
    }

    /// A check for 127.0.0.1:`port` built through the real YAML loader, with our client
    /// certificate when `with_cert`.
    pub fn check(&self, name: &str, port: u16, with_cert: bool) -> Check {
        let credentials = if with_cert { "    cert: client.pem\n    key: client.key\n" } else { "" };
        let yaml = format!(
            "checks:\n  - name: {name}\n    host: 127.0.0.1\n    port: {port}\n    cacert: server-ca.pem\n    timeout: 5s\n{credentials}"
        );
        self.write("checks.yaml", &yaml);
        config::load(&self.path("checks.yaml")).expect("valid test checks").remove(0)
    }

    /// Writes `file` in the PKI's folder; a YAML file is a checks file, which the checks schema
    /// must judge as the loader does (`schemas::checks_file_written`).
    pub fn write(&self, file: &str, text: &str) -> PathBuf {
        let path = self.path(file);
        std::fs::write(&path, text).expect("write test file");
        if file.ends_with(".yaml") || file.ends_with(".yml") {
            schemas::checks_file_written(&path, text);
        }
        path
    }
}

/// A checks file: `defaults` for 127.0.0.1:`port` (5 s timeout, the lab's server CA), then the
/// `checks` list items as given.
pub fn checks_yaml(port: u16, checks: &str) -> String {
    format!("defaults:\n  host: 127.0.0.1\n  port: {port}\n  timeout: 5s\n  cacert: server-ca.pem\nchecks:\n{checks}")
}

pub fn lab_server(config: LabServerConfig) -> LabServer {
    LabServer::start(config).expect("start lab server")
}

/// A real `openssl s_server` on 127.0.0.1, killed by PID on drop.
pub struct SServer {
    child: Child,
    // Held open: s_server ends the session when its stdin reaches EOF.
    _stdin: ChildStdin,
    pub port: u16,
    pub args: Vec<String>,
}

impl SServer {
    /// Starts `openssl s_server -accept 127.0.0.1:0` plus `args` (with the lab's server.pem and
    /// server.key unless `args` name a `-cert`), and waits (bounded) for its `ACCEPT` line to learn the port.
    pub fn start(pki: &TestPki, args: &[&str]) -> SServer {
        SServer::start_with(pki, &openssl::OpensslBuild::system(), args)
    }

    /// The same with another OpenSSL build's s_server (e.g. 3.6, for post-quantum groups).
    pub fn start_with(pki: &TestPki, build: &openssl::OpensslBuild, args: &[&str]) -> SServer {
        let mut all: Vec<String> = vec!["s_server".into(), "-accept".into(), "127.0.0.1:0".into()];
        if !args.contains(&"-cert") {
            all.extend(["-cert".into(), path_arg(&pki.path("server.pem"))]);
            all.extend(["-key".into(), path_arg(&pki.path("server.key"))]);
        }
        all.extend(args.iter().map(|a| a.to_string()));
        let mut child = build
            .command()
            .args(&all)
            .current_dir(pki.dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("openssl must be installed (.ci/run installs it)");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            while reader.read_line(&mut line).map(|n| n > 0).unwrap_or(false) {
                if let Some(addr) = line.trim().strip_prefix("ACCEPT ") {
                    let _ = tx.send(addr.rsplit(':').next().and_then(|p| p.parse::<u16>().ok()));
                }
                line.clear();
            }
        });
        let port = rx.recv_timeout(Duration::from_secs(10)).ok().flatten();
        let mut server = SServer { child, _stdin: stdin, port: port.unwrap_or(0), args: all };
        if port.is_none() {
            server.stop();
            panic!("openssl {} did not report its port within 10 s", server.args.join(" "));
        }
        server
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for SServer {
    fn drop(&mut self) {
        self.stop();
    }
}

pub fn path_arg(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// Runs the real `openssl s_client` against 127.0.0.1:`port` with stdin closed, bounded by
/// `timeout`; returns stdout and stderr.
pub fn s_client(pki: &TestPki, port: u16, args: &[&str]) -> (String, String) {
    s_client_with(pki, &openssl::OpensslBuild::system(), port, args)
}

/// The same with another OpenSSL build's s_client.
pub fn s_client_with(pki: &TestPki, build: &openssl::OpensslBuild, port: u16, args: &[&str]) -> (String, String) {
    let mut command = build.bounded_command(10);
    command
        .args(["s_client", "-connect"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("-CAfile")
        .arg(pki.path("server-ca.pem"))
        .args(args)
        .current_dir(pki.dir.path())
        .stdin(Stdio::null());
    let output = command.output().expect("run openssl s_client");
    (String::from_utf8_lossy(&output.stdout).into_owned(), String::from_utf8_lossy(&output.stderr).into_owned())
}

/// What `openssl s_client` printed that mtlscheck must agree with.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SClientView {
    pub ca_names: Vec<String>,
    pub requested_sigalgs: Option<String>,
    pub cipher: Option<String>,
    pub protocol: Option<String>,
    pub verify_code: Option<i64>,
    /// `(subject, issuer)` of each certificate under "Certificate chain".
    pub chain: Vec<(String, String)>,
}

/// Reads the lines of an s_client transcript this test suite compares.
pub fn parse_s_client(stdout: &str) -> SClientView {
    let mut view = SClientView::default();
    let mut lines = stdout.lines().peekable();
    while let Some(line) = lines.next() {
        if line == "Acceptable client certificate CA names" {
            while let Some(next) = lines.peek() {
                if next.starts_with("Client Certificate Types")
                    || next.starts_with("Requested Signature Algorithms")
                    || next.starts_with("---")
                {
                    break;
                }
                view.ca_names.push(next.to_string());
                lines.next();
            }
        } else if line.len() > 5 && line[..2].trim().parse::<u32>().is_ok() && &line[2..5] == " s:" {
            let subject = line[5..].to_string();
            let issuer = lines.peek().and_then(|l| l.strip_prefix("   i:")).unwrap_or_default().to_string();
            view.chain.push((subject, issuer));
        } else if let Some(rest) = line.strip_prefix("Requested Signature Algorithms: ") {
            view.requested_sigalgs = Some(rest.to_string());
        } else if let Some(rest) = line.strip_prefix("New, ") {
            if let Some((version, cipher)) = rest.split_once(", Cipher is ") {
                view.cipher = Some(cipher.to_string());
                if version == "TLSv1.3" {
                    view.protocol = Some(version.to_string());
                }
            }
        } else if let Some(rest) = line.trim().strip_prefix("Protocol  : ") {
            view.protocol = Some(rest.to_string());
        } else if let Some(rest) = line.trim().strip_prefix("Verify return code: ") {
            view.verify_code = rest.split_whitespace().next().and_then(|n| n.parse().ok());
        }
    }
    view
}

/// An RSA server certificate for localhost (`O = "Partner, Inc."`) issued by an RSA
/// intermediate under the lab's server CA, written as rsa.pem, rsa.key and intermediate.pem.
pub fn rsa_server_with_intermediate(pki: &TestPki) {
    use mtlscheck::lab::KeyKind;
    use mtlscheck::lab::pki::{self, CertSpec};
    let intermediate = pki::issue(&CertSpec {
        subject: &[("C", "US"), ("O", "mtlscheck lab"), ("CN", "Lab Server Intermediate CA")],
        issuer: Some(&pki.pki.server_ca),
        is_ca: true,
        key: KeyKind::Rsa2048,
        ..Default::default()
    })
    .expect("intermediate");
    let leaf = pki::issue(&CertSpec {
        subject: &[("C", "US"), ("O", "Partner, Inc."), ("CN", "localhost")],
        issuer: Some(&intermediate),
        san: &["localhost", "127.0.0.1"],
        key: KeyKind::Rsa2048,
        ..Default::default()
    })
    .expect("leaf");
    pki::write_certs(&pki.path("rsa.pem"), &[&leaf.cert]).expect("write");
    pki::write_key(&pki.path("rsa.key"), &leaf.key).expect("write");
    pki::write_certs(&pki.path("intermediate.pem"), &[&intermediate.cert]).expect("write");
}

/// Runs `mtlscheck run checks.yaml` in the PKI's folder (so messages show relative paths) and
/// returns stderr, asserting exit 2 and an empty stdout.
pub fn config_error_in(pki: &TestPki, yaml: &str) -> String {
    pki.write("checks.yaml", yaml);
    let output = mtlscheck()
        .current_dir(pki.dir.path())
        .args(["run", "checks.yaml"])
        .assert()
        .code(2)
        .stdout("")
        .get_output()
        .clone();
    String::from_utf8_lossy(&output.stderr).into_owned()
}
