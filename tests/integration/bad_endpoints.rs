//! Endpoints that cannot tell us anything about client authentication: a closed port, a
//! service that is not TLS, one that accepts TCP and says nothing, one that hangs up, a name
//! that does not resolve. Each becomes its own check's error within the check's timeout, and
//! the rest of the batch (a good lab server among them) still gets its verdict.

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use mtlscheck::lab::LabServer;
use serde_json::Value;

use crate::support::{ClosedPort, TestPki, lab_server, mtlscheck, result_named};

/// No helper thread outlives this, whatever the client does.
const HELPER_LIFETIME: Duration = Duration::from_secs(30);
/// At most this many connections per helper server; the probe makes at most two per check.
const MAX_CONNECTIONS: usize = 4;
/// A sanity bound on one whole `mtlscheck run` of a batch whose checks have `timeout: 2s`.
const WHOLE_RUN_BOUND: Duration = Duration::from_secs(15);

/// What a helper server does with each accepted connection. It must return on its own; it is
/// given the server's stop flag.
type Behaviour = fn(TcpStream, &AtomicBool);

/// A TCP service on 127.0.0.1 scripted to misbehave. It accepts at most [`MAX_CONNECTIONS`]
/// connections, polls a stop flag, ends after [`HELPER_LIFETIME`] at the latest, and is
/// stopped and joined (with its connection threads) on drop.
struct Misbehaving {
    port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Misbehaving {
    fn start(behaviour: Behaviour) -> Misbehaving {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        listener.set_nonblocking(true).expect("non-blocking listener");
        let port = listener.local_addr().expect("local addr").port();
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let stop = stop.clone();
            std::thread::Builder::new()
                .name(format!("misbehaving-{port}"))
                .spawn(move || accept_loop(listener, behaviour, stop))
                .expect("spawn helper server")
        };
        Misbehaving { port, stop, thread: Some(thread) }
    }
}

impl Drop for Misbehaving {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn accept_loop(listener: TcpListener, behaviour: Behaviour, stop: Arc<AtomicBool>) {
    let started = Instant::now();
    let mut connections: Vec<JoinHandle<()>> = Vec::new();
    while !stop.load(Ordering::SeqCst) && started.elapsed() < HELPER_LIFETIME && connections.len() < MAX_CONNECTIONS {
        match listener.accept() {
            Ok((stream, _)) => {
                let _ = stream.set_nonblocking(false);
                let stop = stop.clone();
                if let Ok(handle) =
                    std::thread::Builder::new().name("misbehaving-conn".into()).spawn(move || behaviour(stream, &stop))
                {
                    connections.push(handle);
                }
            }
            Err(err) if err.kind() == ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(_) => std::thread::sleep(Duration::from_millis(10)),
        }
    }
    drop(listener);
    for handle in connections {
        let _ = handle.join();
    }
}

/// Reads and discards until the client hangs up, the server is stopped or its lifetime ends.
fn drain(stream: &mut TcpStream, stop: &AtomicBool) {
    let started = Instant::now();
    let _ = stream.set_read_timeout(Some(Duration::from_millis(100)));
    let mut buf = [0u8; 4096];
    while !stop.load(Ordering::SeqCst) && started.elapsed() < HELPER_LIFETIME {
        match stream.read(&mut buf) {
            Ok(0) => return,
            Ok(_) => {}
            Err(err) if matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => return,
        }
    }
}

/// Waits (bounded) until the client has sent something, e.g. its ClientHello.
fn wait_for_data(stream: &TcpStream) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut buf = [0u8; 1];
    let _ = stream.peek(&mut buf);
}

/// A plain HTTP server: answers whatever it is sent with 400 and closes.
fn plain_http(mut stream: TcpStream, stop: &AtomicBool) {
    wait_for_data(&stream);
    let mut buf = [0u8; 4096];
    let _ = stream.read(&mut buf);
    let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
    let _ = stream.shutdown(Shutdown::Write);
    drain(&mut stream, stop);
}

/// Accepts TCP and never says a word.
fn silent(mut stream: TcpStream, stop: &AtomicBool) {
    drain(&mut stream, stop);
}

/// Hangs up (FIN) the moment it accepts.
fn hang_up(stream: TcpStream, _stop: &AtomicBool) {
    drop(stream);
}

/// Waits for the ClientHello and closes without reading it: the kernel answers with a reset.
fn reset_after_client_hello(stream: TcpStream, _stop: &AtomicBool) {
    wait_for_data(&stream);
    drop(stream);
}

/// One batch: every kind of bad endpoint and one good 1-way lab server, all with our client
/// certificate (so the second connection's handling is exercised too) and `timeout: 2s`.
struct Batch {
    checks: PathBuf,
    good: LabServer,
    closed_port: u16,
    // Held for the run: the PKI's folder, the reserved closed port and the helper servers.
    _pki: TestPki,
    _closed: ClosedPort,
    _servers: Vec<Misbehaving>,
}

impl Batch {
    fn start() -> Batch {
        let pki = TestPki::new();
        let good = lab_server(pki.server_config());
        let closed = ClosedPort::reserve();
        let http = Misbehaving::start(plain_http);
        let quiet = Misbehaving::start(silent);
        let hangs_up = Misbehaving::start(hang_up);
        let resets = Misbehaving::start(reset_after_client_hello);
        let yaml = format!(
            "defaults:
  host: 127.0.0.1
  timeout: 2s
  cacert: server-ca.pem
  cert: client.pem
  key: client.key
checks:
  - name: closed-port
    port: {closed}
  - name: plain-http
    port: {http}
  - name: silent
    port: {quiet}
  - name: hangs-up
    port: {hangs_up}
  - name: resets
    port: {resets}
  - name: unresolvable
    host: does-not-exist.invalid
    port: 443
  - name: good-one-way
    port: {good}
    expect:
      client_auth: none
",
            closed = closed.port,
            http = http.port,
            quiet = quiet.port,
            hangs_up = hangs_up.port,
            resets = resets.port,
            good = good.port(),
        );
        let checks = pki.write("checks.yaml", &yaml);
        Batch {
            checks,
            good,
            closed_port: closed.port,
            _pki: pki,
            _closed: closed,
            _servers: vec![http, quiet, hangs_up, resets],
        }
    }
}

/// Asserts `name` is an error whose text contains `needle`, and returns the text.
fn assert_error<'a>(report: &'a Value, name: &str, needle: &str) -> &'a str {
    let result = result_named(report, name);
    assert_eq!(result["status"], "error", "{name}: {result:#}");
    assert_eq!(result["client_auth"], "error", "{name}: {result:#}");
    let error = result["error"].as_str().unwrap_or_else(|| panic!("{name}: {result:#}"));
    assert!(error.contains(needle), "{name}: {error:?} lacks {needle:?}");
    error
}

#[test]
fn every_bad_endpoint_is_its_own_checks_error_and_the_rest_of_the_batch_completes() {
    let batch = Batch::start();
    let started = Instant::now();
    let output = mtlscheck().args(["run", "--format", "json"]).arg(&batch.checks).assert().code(1).get_output().clone();
    let elapsed = started.elapsed();
    let text = String::from_utf8_lossy(&output.stdout);
    let report = crate::support::runs::report_json(&text, "stdout");
    assert!(elapsed < WHOLE_RUN_BOUND, "the batch took {elapsed:?}");
    assert_eq!(report["results"].as_array().map(Vec::len), Some(7));

    let closed = assert_error(&report, "closed-port", "cannot connect");
    assert!(closed.contains(&format!("127.0.0.1:{}", batch.closed_port)), "{closed}");
    // No TLS was reached, so there is no point in a second connection.
    assert_eq!(result_named(&report, "closed-port")["with_cert"]["handshake"], "skipped");

    assert_error(&report, "plain-http", "not a TLS service");
    assert_error(&report, "silent", "timed out");
    assert_eq!(result_named(&report, "silent")["with_cert"]["handshake"], "skipped");
    // A hang-up right after accept often reaches us as a reset: our ClientHello hits a socket
    // the server already closed. Either way the message says what happened before TLS began.
    assert_error(&report, "hangs-up", "the connection before sending a ServerHello");
    let reset = assert_error(&report, "resets", "the connection before sending a ServerHello");
    assert!(reset.contains("reset") || reset.contains("closed"), "{reset}");

    // getaddrinfo answers for `.invalid` without leaving the machine's resolver; a resolver
    // that never answers would make this a DNS timeout instead, which is also correct.
    let unresolvable = result_named(&report, "unresolvable");
    assert_eq!(unresolvable["status"], "error", "{unresolvable:#}");
    let dns = unresolvable["error"].as_str().unwrap_or_default();
    assert!(
        dns.contains("cannot resolve does-not-exist.invalid") || dns.contains("waiting for DNS resolution"),
        "{dns}"
    );

    let good = result_named(&report, "good-one-way");
    assert_eq!(good["client_auth"], "none", "{good:#}");
    assert_eq!(good["status"], "pass", "{good:#}");
    assert_eq!(good["with_cert"]["handshake"], "ok", "{good:#}");
    assert_eq!(batch.good.connections(), 2, "without and with our certificate");
}

#[test]
fn bad_endpoints_are_error_rows_and_each_is_explained_under_problems_in_the_table() {
    let batch = Batch::start();
    let started = Instant::now();
    let output = mtlscheck().arg("run").arg(&batch.checks).assert().code(1).get_output().clone();
    assert!(started.elapsed() < WHOLE_RUN_BOUND, "{:?}", started.elapsed());
    let stdout = String::from_utf8_lossy(&output.stdout);
    let row = |name: &str| {
        stdout
            .lines()
            .find(|l| l.starts_with(&format!("| {name} ")))
            .unwrap_or_else(|| panic!("no table row for {name} in:\n{stdout}"))
            .to_string()
    };
    let bad = ["closed-port", "plain-http", "silent", "hangs-up", "resets", "unresolvable"];
    for name in bad {
        assert!(row(name).contains("ERROR"), "{}", row(name));
    }
    assert!(row("good-one-way").contains("1-way"), "{}", row("good-one-way"));
    assert!(row("good-one-way").contains("PASS"), "{}", row("good-one-way"));
    let (_, problems) = stdout.split_once("Problems:").unwrap_or_else(|| panic!("no Problems: section in:\n{stdout}"));
    for name in bad {
        assert!(problems.contains(&format!("  {name}: error: ")), "{name} not explained in:\n{problems}");
    }
    assert!(problems.contains("cannot connect to 127.0.0.1:"), "{problems}");
    assert!(problems.contains("not a TLS service"), "{problems}");
    assert!(problems.contains("timed out after 2s"), "{problems}");
    assert!(!problems.contains("good-one-way"), "{problems}");
    assert!(stdout.contains("7 checks: 1 ok, 0 failed, 6 errors"), "{stdout}");
}

#[test]
fn timeout_flag_overrides_the_files_timeout_for_a_silent_server() {
    let pki = TestPki::new();
    let quiet = Misbehaving::start(silent);
    let checks = pki.write(
        "checks.yaml",
        &format!("checks:\n  - name: silent\n    host: 127.0.0.1\n    port: {}\n    timeout: 60s\n", quiet.port),
    );
    let started = Instant::now();
    let output = mtlscheck()
        .args(["run", "--format", "json", "--timeout", "1s"])
        .arg(&checks)
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert!(started.elapsed() < WHOLE_RUN_BOUND, "{:?}", started.elapsed());
    let text = String::from_utf8_lossy(&output.stdout);
    let report = crate::support::runs::report_json(&text, "stdout");
    assert_error(&report, "silent", "timed out after 1s");
}
