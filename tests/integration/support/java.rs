//! A Java (JSSE) HTTPS server built from `java/MtlsServer.java`, compiled once per test run.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{OnceLock, mpsc};
use std::time::Duration;

use super::TestPki;

fn compiled() -> &'static PathBuf {
    static CLASSES: OnceLock<PathBuf> = OnceLock::new();
    CLASSES.get_or_init(|| {
        let dir = tempfile::Builder::new().prefix("mtlscheck-java-").tempdir().unwrap().keep();
        let source = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/integration/support/java/MtlsServer.java");
        let output = Command::new("javac")
            .arg("-d")
            .arg(&dir)
            .arg(&source)
            .output()
            .expect("javac must be installed (.ci/run installs a JDK)");
        assert!(output.status.success(), "javac failed: {}", String::from_utf8_lossy(&output.stderr));
        dir
    })
}

pub struct JavaServer {
    pub port: u16,
    child: Child,
}

impl JavaServer {
    /// `need` is `setNeedClientAuth(true)`, else `setWantClientAuth(true)`; `protocol` is
    /// `TLSv1.2` or `TLSv1.3`.
    pub fn start(pki: &TestPki, need: bool, protocol: &str) -> JavaServer {
        Self::start_with(pki, need, protocol, false)
    }

    /// Like [`JavaServer::start`]; `trust_all` accepts any client certificate (a trust manager
    /// that checks nothing).
    pub fn start_with(pki: &TestPki, need: bool, protocol: &str, trust_all: bool) -> JavaServer {
        let mut child = Command::new("java")
            .arg("-cp")
            .arg(compiled())
            .arg("MtlsServer")
            .arg(pki.path("server.pem"))
            .arg(pki.path("server.key"))
            .arg(pki.path("client-ca.pem"))
            .arg(if need { "need" } else { "want" })
            .arg(protocol)
            .args(trust_all.then_some("trust-all"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("java must be installed");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line.trim().strip_prefix("PORT ").and_then(|p| p.parse::<u16>().ok()));
        });
        match rx.recv_timeout(Duration::from_secs(20)).ok().flatten() {
            Some(port) => JavaServer { port, child },
            None => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the Java server did not report its port within 20 s");
            }
        }
    }
}

impl Drop for JavaServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
