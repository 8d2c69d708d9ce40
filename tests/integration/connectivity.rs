//! Trust and connectivity: `cacert`, a real `openssl rehash` `capath`, the default store,
//! `insecure`; `connect:` with SNI from `host` (IPv4 and IPv6 loopback); HTTP CONNECT proxies
//! (an in-test proxy, the real tinyproxy, HTTPS_PROXY / NO_PROXY), each against lab servers.

use std::path::Path;
use std::process::{Command as StdCommand, Stdio};
use std::time::Duration;

use assert_cmd::Command;
use mtlscheck::config;
use mtlscheck::lab::LabServer;
use mtlscheck::lab::pki::{CertSpec, issue, write_certs, write_key};
use mtlscheck::model::Check;
use mtlscheck::model::{ClientAuth, Status};
use mtlscheck::pipeline::run_one;
use serde_json::Value;

use crate::support::proxy::{ConnectProxy, ProxyMode, Tinyproxy};
use crate::support::{SServer, TestPki, lab_server, parse_s_client, path_arg};

fn mtlscheck() -> Command {
    let mut command = Command::new(assert_cmd::cargo::cargo_bin!("mtlscheck"));
    command
        .env_remove("RUST_LOG")
        // The tests set the proxy variables they mean; none leak in from the machine.
        .env_remove("https_proxy")
        .env_remove("HTTPS_PROXY")
        .env_remove("no_proxy")
        .env_remove("NO_PROXY")
        .timeout(Duration::from_secs(60));
    command
}

fn load(pki: &TestPki, yaml: &str) -> Vec<Check> {
    let path = pki.write("checks.yaml", yaml);
    config::load(&path).unwrap_or_else(|err| panic!("{err}"))
}

fn json_run(command: &mut Command) -> (Option<i32>, Value) {
    let output = command.output().expect("run mtlscheck");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let report: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|err| panic!("{err}: {stdout}\n{}", String::from_utf8_lossy(&output.stderr)));
    crate::support::schemas::report(&report, "stdout");
    (output.status.code(), report)
}

/// The real s_client's `Verify return code` for 127.0.0.1:`port` with `trust` options.
fn s_client_verify_code(dir: &Path, port: u16, trust: &[&str]) -> Option<i64> {
    let output = StdCommand::new("timeout")
        .args(["10", "openssl", "s_client", "-connect"])
        .arg(format!("127.0.0.1:{port}"))
        .args(trust)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("run openssl s_client");
    parse_s_client(&String::from_utf8_lossy(&output.stdout)).verify_code
}

#[test]
fn capath_hashed_by_openssl_rehash_verifies_like_s_client_and_an_unhashed_one_does_not() {
    let pki = TestPki::new();
    let server = lab_server(pki.server_config());
    for dir in ["hashed", "unhashed"] {
        std::fs::create_dir(pki.path(dir)).expect("mkdir");
        std::fs::copy(pki.path("server-ca.pem"), pki.path(dir).join("server-ca.pem")).expect("copy CA");
    }
    let rehash = StdCommand::new("openssl").arg("rehash").arg(pki.path("hashed")).output().expect("openssl rehash");
    assert!(rehash.status.success(), "openssl rehash: {}", String::from_utf8_lossy(&rehash.stderr));
    let hashed_links = std::fs::read_dir(pki.path("hashed")).expect("read dir").count();
    assert_eq!(hashed_links, 2, "openssl rehash adds one <hash>.0 link next to the certificate");

    let checks = load(
        &pki,
        &format!(
            "defaults: {{host: 127.0.0.1, port: {port}, timeout: 5s}}\nchecks:\n  - {{name: hashed, capath: hashed}}\n  - {{name: unhashed, capath: unhashed}}\n",
            port = server.port()
        ),
    );
    let hashed = run_one(&checks[0]);
    assert_eq!((hashed.verify_code, hashed.status), (Some(0), Status::Pass), "{hashed:#?}");
    assert!(hashed.expectations.is_empty());
    let s_client_hashed = s_client_verify_code(pki.dir.path(), server.port(), &["-CApath", "hashed"]);
    assert_eq!(s_client_hashed, Some(0));

    let unhashed = run_one(&checks[1]);
    let s_client_unhashed = s_client_verify_code(pki.dir.path(), server.port(), &["-CApath", "unhashed"]);
    assert_eq!(unhashed.verify_code, s_client_unhashed, "mtlscheck and s_client disagree: {unhashed:#?}");
    assert_ne!(unhashed.verify_code, Some(0));
    assert_eq!(unhashed.status, Status::Fail, "a failed verification fails the check: {unhashed:#?}");
}

#[test]
fn verify_failure_is_a_failed_expectation_unless_insecure() {
    let pki = TestPki::new();
    let server = pki.required_server();
    // No cacert: the system store, which does not know the lab's CA.
    let yaml = format!(
        "defaults: {{host: 127.0.0.1, port: {port}, timeout: 5s, cert: client.pem, key: client.key}}\nchecks:\n  - name: strict\n    expect: {{client_auth: required}}\n  - name: lenient\n    insecure: true\n    expect: {{client_auth: required}}\n",
        port = server.port()
    );
    let checks = pki.write("checks.yaml", &yaml);
    let (code, report) = json_run(mtlscheck().arg("run").arg(&checks).args(["--format", "json"]));
    assert_eq!(code, Some(1), "{report:#}");
    let s_client_code = s_client_verify_code(pki.dir.path(), server.port(), &[]);
    let strict = &report["results"][0];
    assert_eq!(strict["status"], "fail", "{strict:#}");
    assert_eq!(strict["client_auth"], "required");
    assert_eq!(strict["verify_code"].as_i64(), s_client_code, "same verify result as s_client: {strict:#}");
    let verify =
        strict["expectations"].as_array().unwrap().iter().find(|e| e["field"] == "verify").expect("verify item");
    assert_eq!(verify["expected"], "ok");
    assert_eq!(verify["actual"], strict["verify_error"]);
    assert_eq!(verify["ok"], false);
    assert!(strict["notes"].to_string().contains("set cacert/capath"), "{strict:#}");

    let lenient = &report["results"][1];
    assert_eq!(lenient["status"], "pass", "{lenient:#}");
    assert_eq!(lenient["verify_code"], strict["verify_code"], "still reported");
    assert!(lenient["expectations"].as_array().unwrap().iter().all(|e| e["field"] != "verify"));
    assert!(lenient["notes"].to_string().contains("insecure: true"), "{lenient:#}");

    let (code, report) = json_run(mtlscheck().arg("run").arg(&checks).args(["--format", "json", "--insecure"]));
    assert_eq!(code, Some(0), "--insecure waives it for every check: {report:#}");

    // The table says why it failed.
    let table = mtlscheck().arg("run").arg(&checks).output().expect("run");
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.contains("strict: expected verify = \"ok\", got \""), "{text}");

    let target = format!("127.0.0.1:{}", server.port());
    mtlscheck().args(["probe", &target, "--timeout", "5s"]).assert().code(1);
    mtlscheck().args(["probe", &target, "--timeout", "5s", "--insecure"]).assert().code(0);
}

#[test]
fn the_default_trust_store_is_openssls_which_ssl_cert_file_points_elsewhere() {
    let pki = TestPki::new();
    let server = lab_server(pki.server_config());
    let target = format!("127.0.0.1:{}", server.port());
    let (code, report) = json_run(
        mtlscheck().args(["probe", &target, "--format", "json"]).env("SSL_CERT_FILE", pki.path("server-ca.pem")),
    );
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(report["results"][0]["verify_code"], 0);
}

/// An `openssl s_server` that presents a certificate for `api.partner.example` only to clients
/// that send that name as SNI (`-servername` / `-cert2`).
fn sni_server(pki: &TestPki) -> SServer {
    let sni = issue(&CertSpec {
        subject: &[("CN", "api.partner.example")],
        issuer: Some(&pki.pki.server_ca),
        san: &["api.partner.example"],
        ..Default::default()
    })
    .expect("issue SNI certificate");
    write_certs(&pki.path("sni.pem"), &[&sni.cert]).expect("write");
    write_key(&pki.path("sni.key"), &sni.key).expect("write");
    let (cert2, key2) = (path_arg(&pki.path("sni.pem")), path_arg(&pki.path("sni.key")));
    SServer::start(pki, &["-servername", "api.partner.example", "-cert2", &cert2, "-key2", &key2])
}

#[test]
fn connect_reaches_an_address_while_sni_names_the_host() {
    let pki = TestPki::new();
    let server = sni_server(&pki);
    let checks = load(
        &pki,
        &format!(
            "defaults: {{cacert: server-ca.pem, timeout: 5s}}\nchecks:\n  - {{name: by-name, host: api.partner.example, connect: \"127.0.0.1:{port}\"}}\n  - {{name: by-ip, host: 127.0.0.1, port: {port}}}\n",
            port = server.port
        ),
    );
    let by_name = run_one(&checks[0]);
    assert_eq!(by_name.status, Status::Pass, "{by_name:#?}");
    assert_eq!(by_name.servername.as_deref(), Some("api.partner.example"));
    assert_eq!(by_name.address, Some(format!("127.0.0.1:{}", server.port)));
    assert_eq!(by_name.target(), "api.partner.example:443", "reports keep the partner's name");
    assert_eq!(by_name.peer_chain[0].subject, "CN = api.partner.example", "s_server saw our SNI: {by_name:#?}");
    let by_ip = run_one(&checks[1]);
    assert_eq!(by_ip.servername, None, "s_client sends no SNI for an IP");
    assert_eq!(by_ip.peer_chain[0].subject, "CN = localhost");
}

fn ipv6_lab(pki: &TestPki) -> LabServer {
    let config = pki.required_config();
    LabServer::start_on(config, "[::1]:0".parse().unwrap()).unwrap_or_else(|err| {
        panic!("cannot listen on [::1]: {err}. The IPv6 tests need the IPv6 loopback address (`ip -6 addr show lo`)")
    })
}

#[test]
fn ipv6_literals_as_host_and_as_connect_address() {
    let pki = TestPki::new();
    let server = ipv6_lab(&pki);
    let port = server.port();
    let checks = load(
        &pki,
        &format!(
            "defaults: {{cacert: server-ca.pem, timeout: 5s, cert: client.pem, key: client.key}}\nchecks:\n  - {{name: literal, host: \"[::1]\", port: {port}}}\n  - {{name: bare, host: \"::1\", port: {port}}}\n  - {{name: via-connect, host: api.partner.example, connect: \"[::1]:{port}\"}}\n"
        ),
    );
    for check in &checks {
        let r = run_one(check);
        assert_eq!(r.client_auth, ClientAuth::Required, "{}: {r:#?}", check.name);
        assert_eq!(r.status, Status::Pass, "{}: {r:#?}", check.name);
        assert_eq!(r.address, Some(format!("[::1]:{port}")), "{}", check.name);
        assert_eq!(r.with_cert.accepted, Some(true), "{}", check.name);
    }
    assert_eq!(run_one(&checks[0]).target(), format!("[::1]:{port}"));
    // The same from the command line.
    let (code, report) = json_run(mtlscheck().args([
        "probe",
        "api.partner.example:443",
        "--connect",
        &format!("[::1]:{port}"),
        "--cacert",
        &path_arg(&pki.path("server-ca.pem")),
        "--format",
        "json",
    ]));
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(report["results"][0]["address"], format!("[::1]:{port}"));
    assert_eq!(report["results"][0]["servername"], "api.partner.example");
}

#[test]
fn a_proxy_tunnels_to_a_name_only_it_can_resolve_for_both_connections() {
    let pki = TestPki::new();
    let server = pki.required_server();
    let proxy = ConnectProxy::start(ProxyMode::TunnelTo(server.addr()));
    let checks = load(
        &pki,
        &format!(
            "defaults: {{cacert: server-ca.pem, timeout: 5s, cert: client.pem, key: client.key, proxy: \"{url}\"}}\nchecks:\n  - {{name: by-name, host: api.partner.invalid}}\n  - {{name: by-connect, host: api.partner.invalid, connect: \"10.9.8.7:8443\"}}\n",
            url = proxy.url()
        ),
    );
    let r = run_one(&checks[0]);
    assert_eq!((r.client_auth, r.status), (ClientAuth::Required, Status::Pass), "{r:#?}");
    assert_eq!(r.with_cert.accepted, Some(true));
    assert_eq!(r.proxy, Some(proxy.url()));
    assert_eq!(r.address, Some(proxy.url().trim_start_matches("http://").to_string()));
    assert_eq!(r.servername.as_deref(), Some("api.partner.invalid"));
    let requests = proxy.requests();
    assert_eq!(requests.len(), 2, "one tunnel per connection: {requests:?}");
    for request in &requests {
        assert_eq!(request[0], "CONNECT api.partner.invalid:443 HTTP/1.1");
        assert!(request.contains(&"Host: api.partner.invalid:443".to_string()), "{request:?}");
        assert!(!request.iter().any(|l| l.starts_with("Proxy-Authorization")), "{request:?}");
    }
    let r = run_one(&checks[1]);
    assert_eq!(r.status, Status::Pass, "{r:#?}");
    assert_eq!(proxy.requests()[2][0], "CONNECT 10.9.8.7:8443 HTTP/1.1", "`connect` is what the tunnel asks for");
}

#[test]
fn a_proxy_refusing_connect_is_the_checks_error_with_its_status_line_and_a_silent_one_times_out() {
    let pki = TestPki::new();
    let forbidden = ConnectProxy::start(ProxyMode::Refuse("HTTP/1.1 403 Forbidden"));
    let wants_auth = ConnectProxy::start(ProxyMode::Refuse("HTTP/1.1 407 Proxy Authentication Required"));
    let silent = ConnectProxy::start(ProxyMode::Silent);
    let checks = load(
        &pki,
        &format!(
            "defaults: {{host: api.partner.invalid, cacert: server-ca.pem, timeout: 1s, cert: client.pem, key: client.key}}\nchecks:\n  - {{name: forbidden, proxy: \"{}\"}}\n  - {{name: wants-auth, proxy: \"{}\"}}\n  - {{name: silent, proxy: \"{}\"}}\n  - {{name: no-proxy-there, proxy: \"http://127.0.0.1:1\"}}\n",
            forbidden.url(),
            wants_auth.url(),
            silent.url()
        ),
    );
    let r = run_one(&checks[0]);
    assert_eq!(r.status, Status::Error);
    assert_eq!(
        r.error.as_deref(),
        Some(
            format!("proxy {} refused CONNECT api.partner.invalid:443: HTTP/1.1 403 Forbidden", forbidden.url())
                .as_str()
        )
    );
    assert_eq!(r.with_cert.handshake, "skipped", "no second connection through a refusing proxy");
    assert_eq!(forbidden.requests().len(), 1);
    let r = run_one(&checks[1]);
    assert!(
        r.error.as_deref().unwrap_or_default().ends_with(
            "407 Proxy Authentication Required; it wants credentials: set HTTPS_PROXY=http://USER:PASSWORD@HOST:PORT"
        ),
        "{r:#?}"
    );
    let r = run_one(&checks[2]);
    assert_eq!(r.status, Status::Error);
    let error = r.error.unwrap_or_default();
    assert!(
        error.contains("timed out after 1s waiting for the proxy") && error.contains("to answer CONNECT"),
        "{error}"
    );
    assert!(r.elapsed_ms < 3_000, "bounded by the 1 s timeout, took {} ms", r.elapsed_ms);
    let r = run_one(&checks[3]);
    let error = r.error.unwrap_or_default();
    assert!(error.starts_with("cannot connect to the proxy http://127.0.0.1:1 (127.0.0.1:1): "), "{error}");
}

#[test]
fn https_proxy_and_no_proxy_from_the_environment() {
    let pki = TestPki::new();
    let server = pki.required_server();
    let proxy = ConnectProxy::start(ProxyMode::TunnelTo(server.addr()));
    let yaml = "defaults: {cacert: server-ca.pem, timeout: 2s}\nchecks:\n  - {name: partner, host: api.partner.invalid}\n  - {name: opted-out, host: api.partner.invalid, proxy: \"\"}\n";
    let checks = pki.write("checks.yaml", yaml);
    for variable in ["HTTPS_PROXY", "https_proxy"] {
        let before = proxy.requests().len();
        let (code, report) =
            json_run(mtlscheck().arg("run").arg(&checks).args(["--format", "json"]).env(variable, proxy.url()));
        assert_eq!(code, Some(1), "the opted-out check cannot resolve the name: {report:#}");
        let partner = &report["results"][0];
        assert_eq!(partner["client_auth"], "required", "{variable}: {partner:#}");
        assert_eq!(partner["proxy"], proxy.url().as_str());
        let opted_out = &report["results"][1];
        assert_eq!(opted_out["proxy"], Value::Null);
        assert_eq!(opted_out["status"], "error", "{opted_out:#}");
        assert_eq!(proxy.requests().len(), before + 1, "{variable}: only the first check used the proxy");
    }
    let before = proxy.requests().len();
    let (_, report) = json_run(
        mtlscheck()
            .arg("run")
            .arg(&checks)
            .args(["--format", "json"])
            .env("HTTPS_PROXY", proxy.url())
            .env("NO_PROXY", "localhost,.partner.invalid"),
    );
    assert_eq!(report["results"][0]["proxy"], Value::Null, "NO_PROXY names the domain");
    assert_eq!(proxy.requests().len(), before, "nothing went through the proxy");

    // --proxy beats the file and the environment; a password on the command line is refused.
    let (code, report) = json_run(
        mtlscheck().arg("run").arg(&checks).args(["--format", "json", "--proxy", &proxy.url()]).env("NO_PROXY", "*"),
    );
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(report["results"][1]["client_auth"], "required");
    let refused =
        mtlscheck().args(["probe", "x.example", "--proxy", "http://u:hunter2@127.0.0.1:3128"]).output().unwrap();
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("contains a password") && !stderr.contains("hunter2"), "{stderr}");
}

#[test]
fn proxy_credentials_come_from_the_environment_as_basic_auth_and_never_show() {
    let pki = TestPki::new();
    let server = lab_server(pki.server_config());
    let proxy = ConnectProxy::start(ProxyMode::TunnelTo(server.addr()));
    let with_credentials = proxy.url().replace("http://", "http://alice:s%3Acret@");
    let checks =
        pki.write("checks.yaml", "checks:\n  - {name: partner, host: api.partner.invalid, cacert: server-ca.pem}\n");
    for format in ["json", "table"] {
        let output = mtlscheck()
            .arg("run")
            .arg(&checks)
            .args(["--format", format, "-vv"])
            .env("HTTPS_PROXY", &with_credentials)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stdout));
        let all = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        assert!(!all.contains("cret"), "the proxy password leaked: {all}");
    }
    // "alice:s:cret" in Basic auth.
    assert!(
        proxy.requests()[0].contains(&"Proxy-Authorization: Basic YWxpY2U6czpjcmV0".to_string()),
        "{:?}",
        proxy.requests()
    );
    // In the checks file, a password is refused and not repeated.
    let file =
        pki.write("bad.yaml", &format!("checks:\n  - {{name: p, host: x.example, proxy: \"{with_credentials}\"}}\n"));
    let output = mtlscheck().arg("run").arg(&file).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("`proxy` contains a password") && !stderr.contains("cret"), "{stderr}");
}

#[test]
fn through_the_real_tinyproxy_and_its_403_for_a_port_it_does_not_allow() {
    let pki = TestPki::new();
    let server = pki.required_server();
    let open = Tinyproxy::start(pki.dir.path(), &[]);
    let yaml = |url: &str| {
        format!(
            "checks:\n  - {{name: tinyproxy, host: 127.0.0.1, port: {}, proxy: \"{url}\", cacert: server-ca.pem, cert: client.pem, key: client.key, timeout: 5s}}\n",
            server.port()
        )
    };
    let r = run_one(&load(&pki, &yaml(&open.url()))[0]);
    assert_eq!((r.client_auth, r.status), (ClientAuth::Required, Status::Pass), "{r:#?}\n{}", open.url());
    assert_eq!(r.with_cert.accepted, Some(true));
    assert!(r.ca_names_sent);

    let strict_dir = pki.path("strict");
    std::fs::create_dir(&strict_dir).expect("mkdir");
    let strict = Tinyproxy::start(&strict_dir, &[443]);
    let r = run_one(&load(&pki, &yaml(&strict.url()))[0]);
    assert_eq!(r.status, Status::Error);
    assert_eq!(
        r.error.as_deref(),
        Some(
            format!(
                "proxy {} refused CONNECT 127.0.0.1:{}: HTTP/1.1 403 Access violation",
                strict.url(),
                server.port()
            )
            .as_str()
        ),
        "{r:#?}"
    );
}
