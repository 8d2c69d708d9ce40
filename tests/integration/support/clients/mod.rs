//! Real client stacks against servers that send crafted CertificateRequests
//! (`client_selection.rs`): Go `crypto/tls`, Java JSSE with the SunX509 and PKIX key managers,
//! Python `ssl`, curl, Node `tls`, `openssl s_client` (plain and `-strict`), `gnutls-cli`, a C
//! client on the GnuTLS library, and NSS `tstclnt` (automatic selection and by nickname).
//! Every client gets the same identity for a target, connects to its own one-shot
//! `openssl s_server` on 127.0.0.1 (`server.rs`), and runs bounded in time and killed by PID
//! (`bounded.rs`). The server's log, not the client, says what arrived.

pub mod bounded;
pub mod lab;
pub mod programs;
pub mod server;

use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use bounded::{read_log, spawn_logged, wait_for_exit, wait_or_kill};
use lab::{Identity, NICKNAME, P12_PASSWORD};
use programs::{Programs, source};
use server::OneShotServer;

/// Every client stack run here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Client {
    Go,
    JavaSunX509,
    JavaPkix,
    Python,
    Curl,
    Node,
    OpensslCli,
    OpensslCliStrict,
    GnutlsLibrary,
    GnutlsCli,
    NssAutomatic,
    NssNickname,
}

impl Client {
    pub const ALL: [Client; 12] = [
        Client::Go,
        Client::JavaSunX509,
        Client::JavaPkix,
        Client::Python,
        Client::Curl,
        Client::Node,
        Client::OpensslCli,
        Client::OpensslCliStrict,
        Client::GnutlsLibrary,
        Client::GnutlsCli,
        Client::NssAutomatic,
        Client::NssNickname,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Client::Go => "Go",
            Client::JavaSunX509 => "Java SunX509",
            Client::JavaPkix => "Java PKIX",
            Client::Python => "Python",
            Client::Curl => "curl",
            Client::Node => "Node",
            Client::OpensslCli => "s_client",
            Client::OpensslCliStrict => "s_client -strict",
            Client::GnutlsLibrary => "GnuTLS lib",
            Client::GnutlsCli => "gnutls-cli",
            Client::NssAutomatic => "NSS auto",
            Client::NssNickname => "NSS nickname",
        }
    }

    /// The key of mtlscheck's `client_stacks` that predicts this client; `None` for the two
    /// tools that send their certificate whatever the CA list says (gnutls-cli's retrieve
    /// callback, tstclnt `-n`), which mtlscheck does not model.
    pub fn stack(self) -> Option<&'static str> {
        match self {
            Client::Go => Some("go"),
            Client::JavaSunX509 => Some("java-sunx509"),
            Client::JavaPkix => Some("java-pkix"),
            Client::Python | Client::Curl | Client::Node | Client::OpensslCli => Some("openssl"),
            Client::OpensslCliStrict => Some("openssl-strict"),
            Client::GnutlsLibrary => Some("gnutls"),
            Client::NssAutomatic => Some("nss"),
            Client::GnutlsCli | Client::NssNickname => None,
        }
    }

    /// Clients that share one process: both Java key managers run in one JVM.
    pub fn families() -> Vec<Vec<Client>> {
        let mut families = vec![vec![Client::JavaSunX509, Client::JavaPkix]];
        families.extend(
            Client::ALL.into_iter().filter(|c| !matches!(c, Client::JavaSunX509 | Client::JavaPkix)).map(|c| vec![c]),
        );
        families
    }

    fn batch_program(self, programs: &Programs) -> Option<Command> {
        let command = |program: &Path| Command::new(program);
        Some(match self {
            Client::Go => command(&programs.go),
            Client::JavaSunX509 | Client::JavaPkix => {
                let mut java = Command::new("java");
                java.arg("-cp").arg(&programs.java_classes).arg("ClientProbe");
                java
            }
            Client::Python => {
                let mut python = Command::new("python3");
                python.arg(source("python/client.py"));
                python
            }
            Client::Node => {
                let mut node = Command::new("node");
                node.arg(source("node/client.js"));
                node
            }
            Client::GnutlsLibrary => command(&programs.gnutls),
            _ => return None,
        })
    }

    /// The Java key manager algorithm, the batch line's last field.
    fn variant(self) -> &'static str {
        match self {
            Client::JavaSunX509 => "SunX509",
            Client::JavaPkix => "PKIX",
            _ => "-",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tls {
    V1_2,
    V1_3,
}

impl Tls {
    /// `1.2` or `1.3`.
    pub fn number(self) -> &'static str {
        match self {
            Tls::V1_2 => "1.2",
            Tls::V1_3 => "1.3",
        }
    }
}

/// The version of each client stack on this machine, for the matrix and vendor-notes.md.
pub fn client_versions() -> Vec<(&'static str, String)> {
    let first_line = |program: &str, args: &[&str]| {
        Command::new(program)
            .args(args)
            .output()
            .map(|o| {
                let text = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
                text.lines().next().unwrap_or("").trim().to_string()
            })
            .unwrap_or_else(|err| format!("not found: {err}"))
    };
    vec![
        ("Go", first_line("go", &["version"])),
        ("Java", first_line("java", &["-version"])),
        (
            "Python",
            first_line("python3", &["-c", "import ssl, sys; print(sys.version.split()[0], ssl.OPENSSL_VERSION)"]),
        ),
        ("Node", first_line("node", &["-p", "process.version + ' ' + 'OpenSSL ' + process.versions.openssl"])),
        ("curl", first_line("curl", &["--version"])),
        ("openssl", first_line("openssl", &["version"])),
        ("GnuTLS", first_line("gnutls-cli", &["--version"])),
        ("NSS", first_line("dpkg-query", &["-W", "-f", "libnss3 ${Version}", "libnss3"])),
    ]
}

/// One connection: a client, the identity it is given, and the server it connects to.
pub struct Run<'a> {
    pub id: String,
    pub client: Client,
    pub tls: Tls,
    pub identity: &'a Identity,
    pub server: OneShotServer,
    /// What the client itself reported (diagnostics only: the server's record decides).
    pub client_said: String,
}

const PER_CONNECTION: Duration = Duration::from_secs(10);
const REQUEST: &[u8] = b"GET / HTTP/1.0\r\n\r\n";

/// Runs every run's client against its server: one process for a batch client (Go, Java,
/// Python, Node, the GnuTLS library client), one process per run for the command-line tools.
/// `logs` receives each process's output.
pub fn drive(runs: &mut [Run<'_>], server_ca: &Path, programs: &Programs, logs: &Path) {
    let Some(first) = runs.first() else { return };
    match first.client.batch_program(programs) {
        Some(command) => drive_batch(command, runs, server_ca, logs),
        None => {
            for run in runs.iter_mut() {
                drive_tool(run, server_ca, logs);
            }
        }
    }
}

/// Batch clients read one target a line: id, port, TLS version, cert+chain, key, server CA,
/// PKCS#12, its password, and the Java key manager.
fn drive_batch(mut command: Command, runs: &mut [Run<'_>], server_ca: &Path, logs: &Path) {
    let label = runs[0].client.label();
    let log = logs.join(format!("client-{}", runs[0].id));
    let lines: String = runs
        .iter()
        .map(|run| {
            let fields = [
                run.id.clone(),
                run.server.port.to_string(),
                run.tls.number().to_string(),
                run.identity.cert_and_chain.display().to_string(),
                run.identity.key.display().to_string(),
                server_ca.display().to_string(),
                run.identity.p12.display().to_string(),
                P12_PASSWORD.to_string(),
                run.client.variant().to_string(),
            ];
            fields.join("\t") + "\n"
        })
        .collect();
    command.current_dir(logs);
    let mut child = spawn_logged(command, &log, true, label);
    let _ = child.stdin.take().expect("stdin").write_all(lines.as_bytes());
    // Targets run concurrently; a minute bounds the whole batch even if every one times out.
    let finished = wait_or_kill(&mut child, Duration::from_secs(60));
    let (out, err) = read_log(&log);
    for run in runs.iter_mut() {
        run.client_said = out
            .lines()
            .filter_map(|line| line.strip_prefix("RESULT\t"))
            .find_map(|line| line.strip_prefix(&format!("{}\t", run.id)))
            .map(|said| said.replacen('\t', ": ", 1))
            .unwrap_or_else(|| {
                let how = if finished { "no result" } else { "killed after 60 s" };
                format!("{label} {how}; stderr: {}", last_line(&err))
            });
    }
}

/// One command-line tool for one run. Tools that read the request from stdin keep it open until
/// the server has finished (s_client ends its session on stdin's EOF), then are stopped.
fn drive_tool(run: &mut Run<'_>, server_ca: &Path, logs: &Path) {
    let port = run.server.port.to_string();
    let identity = run.identity;
    let (mut command, stdin_request) = match run.client {
        Client::Curl => {
            let mut curl = Command::new("curl");
            let pinned = format!("--tlsv{}", run.tls.number());
            let resolve = format!("localhost:{port}:127.0.0.1");
            curl.args(["-sS", "-o", "/dev/null", "-w", "HTTP %{http_code}", "--max-time", "10", "--cacert"])
                .arg(server_ca)
                .arg("--cert")
                .arg(&identity.cert_and_chain)
                .arg("--key")
                .arg(&identity.key)
                .args([pinned.as_str(), "--tls-max", run.tls.number(), "--resolve", &resolve])
                .arg(format!("https://localhost:{port}/"));
            (curl, false)
        }
        Client::OpensslCli | Client::OpensslCliStrict => {
            let mut s_client = Command::new("openssl");
            s_client
                .args(["s_client", "-connect", &format!("127.0.0.1:{port}"), "-servername", "localhost", "-CAfile"])
                .arg(server_ca)
                .arg("-cert")
                .arg(&identity.leaf)
                .arg("-key")
                .arg(&identity.key)
                .arg(if run.tls == Tls::V1_2 { "-tls1_2" } else { "-tls1_3" });
            if let Some(chain) = &identity.chain {
                s_client.arg("-cert_chain").arg(chain);
            }
            if run.client == Client::OpensslCliStrict {
                s_client.arg("-strict");
            }
            (s_client, true)
        }
        Client::GnutlsCli => {
            let mut cli = Command::new("gnutls-cli");
            cli.arg("--x509cafile")
                .arg(server_ca)
                .arg("--x509certfile")
                .arg(&identity.cert_and_chain)
                .arg("--x509keyfile")
                .arg(&identity.key)
                .args([
                    "--priority",
                    &format!("NORMAL:-VERS-ALL:+VERS-TLS{}", run.tls.number()),
                    "-p",
                    &port,
                    "127.0.0.1",
                ]);
            (cli, true)
        }
        Client::NssAutomatic | Client::NssNickname => {
            let request = logs.join("request.txt");
            std::fs::write(&request, REQUEST).expect("write request");
            let version = format!("tls{0}:tls{0}", run.tls.number());
            let mut tstclnt = Command::new("tstclnt");
            tstclnt
                .args(["-h", "127.0.0.1", "-p", &port, "-d"])
                .arg(format!("sql:{}", identity.nss_db.display()))
                .args(["-V", &version])
                // From a file, not stdin: on stdin's EOF tstclnt 3.87 spins instead of exiting.
                .arg("-A")
                .arg(&request);
            if run.client == Client::NssNickname {
                tstclnt.args(["-n", NICKNAME]);
            }
            (tstclnt, false)
        }
        other => unreachable!("{other:?} runs as a batch"),
    };
    let log = logs.join(format!("client-{}", run.id));
    command.current_dir(logs);
    let mut child = spawn_logged(command, &log, stdin_request, run.client.label());
    let stdin = child.stdin.take().map(|mut stdin| {
        let _ = stdin.write_all(REQUEST);
        stdin
    });
    // Until the server has its whole record (or the client gave up), then a moment to exit.
    let started = Instant::now();
    while !run.server.exited_within(Duration::from_millis(20))
        && !wait_for_exit(&mut child, Duration::ZERO)
        && started.elapsed() < PER_CONNECTION
    {}
    drop(stdin);
    let exit = if wait_or_kill(&mut child, Duration::from_secs(2)) {
        child.try_wait().ok().flatten().map(|s| s.to_string()).unwrap_or_default()
    } else {
        "killed".to_string()
    };
    let (out, err) = read_log(&log);
    run.client_said = format!("{exit}; {}", last_line(&format!("{out}\n{err}")));
}

/// The last line naming an error or alert, else the last non-empty line, shortened: enough to
/// tell why a client gave up.
fn last_line(text: &str) -> String {
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let telling = |l: &&&str| ["error", "alert", "fail"].iter().any(|w| l.to_ascii_lowercase().contains(w));
    let line = lines.iter().rev().find(telling).or(lines.last()).copied().unwrap_or("");
    line.chars().take(200).collect()
}
