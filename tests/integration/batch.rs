//! Batch behaviour at scale: every resolved address, retries only for transient network
//! errors, a hard deadline per check, order and isolation under concurrency, progress only on a
//! terminal.

use std::io::Write;
use std::net::{SocketAddr, TcpListener};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use mtlscheck::lab::{LabClientAuth, LabServer};
use serde_json::Value;

use crate::support::{ClosedPort, TestPki, lab_server, path_arg};

fn mtlscheck() -> Command {
    let mut command = Command::new(assert_cmd::cargo::cargo_bin!("mtlscheck"));
    command.env_remove("RUST_LOG").env("NO_COLOR", "1");
    command
}

fn json_of(output: &std::process::Output) -> Value {
    let report = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}\n{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
    });
    crate::support::schemas::report(&report, "stdout");
    report
}

/// Runs `mtlscheck ARGS` where `pool.mtlscheck.test` resolves to both 127.0.0.1 and ::1: a
/// private mount namespace bind-mounts a hosts file over /etc/hosts for that process only.
fn run_with_pool_name(pki: &TestPki, args: &[&str]) -> std::process::Output {
    let hosts = pki.write("hosts", "127.0.0.1 pool.mtlscheck.test\n::1 pool.mtlscheck.test\n");
    let binary = assert_cmd::cargo::cargo_bin!("mtlscheck");
    let script = format!(
        "mount --bind {} /etc/hosts && exec {} \"$@\"",
        path_arg(&hosts),
        path_arg(std::path::Path::new(&binary))
    );
    Command::new("unshare")
        .args(["--mount", "--propagation", "private", "--", "sh", "-c", &script, "mtlscheck"])
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("unshare (util-linux) must be installed")
}

/// Two nodes of one host name on the same port: 127.0.0.1 and ::1.
fn pool(pki: &TestPki, v4_auth: LabClientAuth, v6_auth: LabClientAuth) -> (LabServer, LabServer) {
    let mut v4 = pki.server_config();
    v4.client_auth = v4_auth;
    let v4 = lab_server(v4);
    let mut v6 = pki.server_config();
    v6.client_auth = v6_auth;
    let v6 = LabServer::start_on(v6, SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, v4.port())))
        .expect("bind [::1] on the same port (IPv6 loopback is needed)");
    (v4, v6)
}

fn pool_checks(pki: &TestPki, port: u16) -> String {
    let yaml = format!(
        "checks:\n  - name: pool\n    host: pool.mtlscheck.test\n    port: {port}\n    servername: localhost\n    \
         cacert: server-ca.pem\n    cert: client.pem\n    key: client.key\n    timeout: 5s\n"
    );
    path_arg(&pki.write("pool.yaml", &yaml))
}

#[test]
fn all_addresses_probes_ipv4_and_ipv6_and_flags_a_misconfigured_node() {
    let pki = TestPki::new();
    let (v4, _v6) = pool(&pki, LabClientAuth::Required, LabClientAuth::None);
    let checks = pool_checks(&pki, v4.port());

    let output = run_with_pool_name(&pki, &["run", &checks, "--all-addresses", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));
    let r = &json_of(&output)["results"][0];
    let addresses = r["addresses"].as_array().unwrap();
    assert_eq!(addresses.len(), 2, "{r:#}");
    let auths: Vec<&str> = addresses.iter().map(|a| a["client_auth"].as_str().unwrap()).collect();
    assert!(auths.contains(&"required") && auths.contains(&"none"), "{auths:?}");
    assert!(addresses.iter().any(|a| a["address"].as_str().unwrap().starts_with("[::1]")));
    let agree = r["expectations"].as_array().unwrap().iter().find(|e| e["field"] == "addresses_agree").unwrap();
    assert_eq!(agree["ok"], false);
    assert!(agree["actual"].as_array().unwrap().contains(&Value::from("client_auth")), "{agree:#}");
    assert_eq!(r["status"], "fail");

    // The table lists every address.
    let table = run_with_pool_name(&pki, &["run", &checks, "--all-addresses"]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.contains("every address") && text.contains("[::1]:"), "{text}");
}

#[test]
fn all_addresses_agreeing_nodes_pass_and_without_the_flag_only_the_first_is_probed() {
    let pki = TestPki::new();
    let (v4, _v6) = pool(&pki, LabClientAuth::Required, LabClientAuth::Required);
    let checks = pool_checks(&pki, v4.port());
    let output = run_with_pool_name(&pki, &["run", &checks, "--all-addresses", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stdout));
    assert_eq!(json_of(&output)["results"][0]["addresses"].as_array().unwrap().len(), 2);

    let single = run_with_pool_name(&pki, &["run", &checks, "--format", "json"]);
    let r = &json_of(&single)["results"][0];
    assert!(r["addresses"].as_array().unwrap().is_empty());
    assert_eq!(r["tries"], 1);
}

#[test]
fn retries_happen_for_network_errors_only() {
    let pki = TestPki::new();
    let closed_port = ClosedPort::reserve();
    let closed = closed_port.port;
    let mut required = pki.server_config().tls12_only();
    required.client_auth = LabClientAuth::Required;
    let required = lab_server(required);
    let yaml = format!(
        "defaults:\n  retries: 2\n  timeout: 3s\n  cacert: server-ca.pem\nchecks:\n  \
         - {{name: closed, host: 127.0.0.1, port: {closed}}}\n  \
         - {{name: refuses-without-cert, host: 127.0.0.1, port: {}}}\n",
        required.port()
    );
    let checks = pki.write("retries.yaml", &yaml);
    let output = mtlscheck().args(["run", &path_arg(&checks), "--format", "json"]).output().unwrap();
    let report = json_of(&output);
    let closed = &report["results"][0];
    assert_eq!(closed["tries"], 3, "{closed:#}");
    assert_eq!(closed["status"], "error");
    let refused = &report["results"][1];
    assert_eq!(refused["client_auth"], "required");
    assert_eq!(refused["tries"], 1, "a refused handshake is an answer, never retried");
    assert_eq!(required.connections(), 1);
}

/// A server that answers the ClientHello with a TLS record header, then one byte every
/// 300 ms forever: each read succeeds, so only the hard deadline can end the probe.
fn trickler() -> (u16, Arc<AtomicBool>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    std::thread::spawn(move || {
        let Ok((mut stream, _)) = listener.accept() else { return };
        let started = Instant::now();
        // Handshake record, TLS 1.2, length 0x4000: the client keeps waiting for the body.
        let _ = stream.write_all(&[0x16, 0x03, 0x03, 0x40, 0x00]);
        while !flag.load(Ordering::SeqCst) && started.elapsed() < Duration::from_secs(30) {
            std::thread::sleep(Duration::from_millis(300));
            if stream.write_all(&[0x02]).is_err() {
                break;
            }
        }
    });
    (port, stop)
}

#[test]
fn a_trickling_server_is_cut_at_the_checks_timeout() {
    let pki = TestPki::new();
    let (port, stop) = trickler();
    let yaml = format!("checks:\n  - {{name: trickle, host: 127.0.0.1, port: {port}, timeout: 1s}}\n");
    let checks = pki.write("trickle.yaml", &yaml);
    let started = Instant::now();
    let output = mtlscheck().args(["run", &path_arg(&checks), "--format", "json"]).output().unwrap();
    let elapsed = started.elapsed();
    stop.store(true, Ordering::SeqCst);
    let r = &json_of(&output)["results"][0];
    assert_eq!(r["status"], "error", "{r:#}");
    assert!(r["error"].as_str().unwrap().contains("timed out after 1s"), "{r:#}");
    // Not a performance assertion: without the deadline this would run for 30 s.
    assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
}

#[test]
fn results_keep_the_checks_order_and_a_silent_endpoint_delays_only_its_own_row() {
    let pki = TestPki::new();
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_port = silent.local_addr().unwrap().port();
    let server = lab_server(pki.server_config());
    let mut yaml = String::from("defaults:\n  timeout: 2s\n  cacert: server-ca.pem\nchecks:\n");
    yaml.push_str(&format!("  - {{name: silent, host: 127.0.0.1, port: {silent_port}}}\n"));
    for i in 0..12 {
        yaml.push_str(&format!("  - {{name: fast-{i:02}, host: 127.0.0.1, port: {}}}\n", server.port()));
    }
    let checks = pki.write("order.yaml", &yaml);
    let output = mtlscheck().args(["run", &path_arg(&checks), "--jobs", "4", "--format", "json"]).output().unwrap();
    let report = json_of(&output);
    let names: Vec<&str> = report["results"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    let mut expected = vec!["silent".to_string()];
    expected.extend((0..12).map(|i| format!("fast-{i:02}")));
    assert_eq!(names, expected);
    assert_eq!(report["results"][0]["status"], "error");
    assert!(report["results"].as_array().unwrap()[1..].iter().all(|r| r["status"] == "pass"));
    drop(silent);
}

#[test]
fn progress_goes_to_a_terminal_only() {
    let pki = TestPki::new();
    let server = lab_server(pki.server_config());
    let yaml = format!("checks:\n  - {{name: one, host: 127.0.0.1, port: {}, cacert: server-ca.pem}}\n", server.port());
    let checks = path_arg(&pki.write("progress.yaml", &yaml));

    // Not a terminal (a pipe, as in cron or CI): nothing on stderr.
    let piped = mtlscheck().args(["run", &checks]).output().unwrap();
    assert!(piped.stderr.is_empty(), "{}", String::from_utf8_lossy(&piped.stderr));

    // A pseudo-terminal from util-linux `script`: the bar is drawn (then cleared) on stderr.
    let binary = path_arg(std::path::Path::new(&assert_cmd::cargo::cargo_bin!("mtlscheck")));
    let tty = Command::new("script")
        .args(["-qec", &format!("{binary} run {checks} >/dev/null"), "/dev/null"])
        .env("NO_COLOR", "1")
        .output()
        .expect("script (util-linux)");
    let drawn = String::from_utf8_lossy(&tty.stdout);
    assert!(drawn.contains("/1 checks, "), "{drawn:?}");
    // -q: nothing, even on a terminal.
    let quiet = Command::new("script")
        .args(["-qec", &format!("{binary} -q run {checks} >/dev/null"), "/dev/null"])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&quiet.stdout).contains("checks"), "{:?}", quiet.stdout);
}
