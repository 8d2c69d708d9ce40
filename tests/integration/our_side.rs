//! Our side of the handshake against real servers: a partner that refuses our certificate fails
//! the check, several identities (rotation), the impostor probe (presence-only versus verifying
//! servers), broken credentials that never hide the partner, and transcripts compared with the
//! connection made the same way.

use serde_json::Value;

use crate::support::creds::{self, other_ca_client};
use crate::support::java::JavaServer;
use crate::support::nginx::{Nginx, NginxVerify};
use crate::support::{SServer, TestPki, checks_yaml, mtlscheck, result_named, s_client, stdout_json};

fn run_json(pki: &TestPki, yaml: &str, extra: &[&str]) -> (i32, Value, String) {
    let checks = pki.write("checks.yaml", yaml);
    let output = mtlscheck().args(["run", "--format", "json"]).args(extra).arg(&checks).output().expect("run");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let report = serde_json::from_str(&stdout)
        .unwrap_or_else(|err| panic!("{err}: {stdout}\n{}", String::from_utf8_lossy(&output.stderr)));
    crate::support::schemas::report(&report, "stdout");
    (output.status.code().unwrap_or(-1), report, String::from_utf8_lossy(&output.stderr).into_owned())
}

fn run_table(pki: &TestPki, yaml: &str) -> (i32, String) {
    let checks = pki.write("checks.yaml", yaml);
    let output = mtlscheck().args(["run"]).arg(&checks).output().expect("run");
    (output.status.code().unwrap_or(-1), String::from_utf8_lossy(&output.stdout).into_owned())
}

fn failed(result: &Value) -> Vec<&Value> {
    result["expectations"].as_array().expect("expectations").iter().filter(|e| e["ok"] == false).collect()
}

#[test]
fn a_partner_that_refuses_our_certificate_fails_the_check_unless_expected() {
    let pki = TestPki::new();
    for tls in ["-tls1_2", "-tls1_3"] {
        // The issue's own example: verifies against another CA and names none.
        let server = SServer::start(
            &pki,
            &[tls, "-Verify", "1", "-verify_return_error", "-CAfile", "other-ca.pem", "-no_ca_names"],
        );
        let yaml = checks_yaml(
            server.port,
            "  - {name: plain, cert: client.pem, key: client.key}\n  \
             - {name: expects-refusal, cert: client.pem, key: client.key, expect: {with_cert: refused}}\n  \
             - {name: any, cert: client.pem, key: client.key, expect: {with_cert: any, client_auth: required}}\n",
        );
        let (code, report, stderr) = run_json(&pki, &yaml, &[]);
        assert_eq!(code, 1, "{tls}: {stderr}");
        let plain = result_named(&report, "plain");
        assert_eq!(plain["status"], "fail", "{tls}: {plain:#}");
        assert_eq!(plain["client_auth"], "required", "{tls}: {plain:#}");
        assert_eq!(plain["with_cert"]["accepted"], false, "{tls}: {plain:#}");
        let failures = failed(plain);
        assert_eq!(failures.len(), 1, "{tls}: {plain:#}");
        assert_eq!(failures[0]["field"], "with_cert");
        assert_eq!(
            (&failures[0]["expected"], &failures[0]["actual"]),
            (&Value::from("accepted"), &Value::from("refused"))
        );
        assert_eq!(failures[0]["detail"], "tlsv1 alert unknown ca", "{tls}: {plain:#}");
        let expects_refusal = result_named(&report, "expects-refusal");
        assert_eq!(expects_refusal["status"], "pass", "{tls}: {expects_refusal:#}");
        assert_eq!(result_named(&report, "any")["status"], "pass", "{tls}");

        let (code, table) = run_table(&pki, &yaml);
        assert_eq!(code, 1);
        assert!(table.contains("REFUSED: tlsv1 alert unknown ca"), "{tls}:\n{table}");
        assert!(table.contains("3 checks: 2 ok, 1 failed, 0 errors, 3 refused our certificate"), "{tls}:\n{table}");
        assert!(
            table.contains("plain: expected with_cert = \"accepted\", got \"refused\" (tlsv1 alert unknown ca)"),
            "{tls}:\n{table}"
        );
    }
}

#[test]
fn each_identity_gets_its_own_handshake_and_a_future_one_may_be_refused_until_its_day() {
    let pki = TestPki::new();
    let server = pki.required_server();
    other_ca_client(&pki, "next");
    let identities = |accepted_from: &str| {
        checks_yaml(
            server.port(),
            &format!(
                "  - name: rotation
    expect: {{client_auth: required}}
    identities:
      - {{name: current, cert: client.pem, key: client.key}}
      - name: next
        cert: next.pem
        key: next.key
        expect: {{accepted_from: {accepted_from}}}
"
            ),
        )
    };
    // Before its day the new certificate may be refused: the check passes and shows both.
    let (code, report, stderr) = run_json(&pki, &identities("2099-01-01"), &[]);
    assert_eq!(code, 0, "{stderr}\n{report:#}");
    let r = result_named(&report, "rotation");
    let list = r["identities"].as_array().expect("identities in the report");
    assert_eq!(list.len(), 2, "{r:#}");
    assert_eq!((&list[0]["name"], &list[0]["with_cert"]["accepted"]), (&Value::from("current"), &Value::from(true)));
    assert_eq!((&list[1]["name"], &list[1]["with_cert"]["accepted"]), (&Value::from("next"), &Value::from(false)));
    assert_eq!((&list[0]["expected"], &list[1]["expected"]), (&Value::from("accepted"), &Value::from("any")));
    assert_eq!(list[1]["with_cert"]["alert"], "tlsv1 alert unknown ca");
    assert_eq!(list[0]["ca_name_match"], true);
    assert_eq!(list[1]["ca_name_match"], false);
    assert_eq!(list[1]["client_cert_issuer"], r#"C = US, O = "Other Org, Inc.", CN = Other Client CA"#);
    // The top-level fields are the first identity's.
    assert_eq!(r["with_cert"]["accepted"], true);
    assert_eq!(r["client_cert_subject"], "O = Our Company, CN = our-client");
    let (_, table) = run_table(&pki, &identities("2099-01-01"));
    assert!(table.contains("| current ✔ next ✘ |"), "{table}");
    assert!(table.contains("  identity 'next': tlsv1 alert unknown ca\n"), "{table}");

    // From its day on it must be accepted: the refusal fails the check, naming the identity.
    let (code, report, _) = run_json(&pki, &identities("2020-01-15"), &[]);
    assert_eq!(code, 1);
    let r = result_named(&report, "rotation");
    let failures = failed(r);
    assert_eq!(failures.len(), 1, "{r:#}");
    assert_eq!((&failures[0]["field"], &failures[0]["identity"]), (&Value::from("with_cert"), &Value::from("next")));
    let (_, table) = run_table(&pki, &identities("2020-01-15"));
    assert!(table.contains("rotation: identity 'next': expected with_cert = \"accepted\", got \"refused\""), "{table}");
    // The server saw three connections per run: without a certificate, then one per identity.
    assert_eq!(server.connections(), 4 * 3);
}

#[test]
fn identities_are_validated_like_credentials_and_named_in_every_problem() {
    let pki = TestPki::new();
    let checks = pki.write(
        "checks.yaml",
        "checks:
  - name: rotation
    host: 127.0.0.1
    identities:
      - {name: current, cert: client.pem, key: client.key}
      - {name: next, cert: client.pem, key: server.key}
",
    );
    let output = mtlscheck().current_dir(pki.dir.path()).arg("validate").arg(&checks).output().expect("validate");
    assert_eq!(output.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.starts_with(&format!(
            "rotation: error: identity 'next': the private key {} does not match the certificate {}",
            pki.path("server.key").display(),
            pki.path("client.pem").display()
        )),
        "{stdout}"
    );
    for (yaml, expected) in [
        (
            "checks:\n  - {name: a, host: x.example, cert: client.pem, key: client.key, identities: [{name: b, cert: client.pem, key: client.key}]}\n",
            "`identities` cannot be combined with `cert`/`key`/`p12`",
        ),
        (
            "checks:\n  - {name: a, host: x.example, identities: [{cert: client.pem, key: client.key}]}\n",
            "identities[0] has no `name`",
        ),
        (
            "checks:\n  - {name: a, host: x.example, identities: [{name: b, cert: client.pem, key: client.key}, {name: b, p12: x.p12}]}\n",
            "identity 'b' is listed twice",
        ),
        (
            "checks:\n  - {name: a, host: x.example, identities: [{name: b, cert: client.pem, key: client.key, expect: {accepted_from: 15.01.2027}}]}\n",
            "\"15.01.2027\" is not a date: write YYYY-MM-DD",
        ),
    ] {
        let stderr = crate::support::config_error_in(&pki, yaml);
        assert!(stderr.contains(expected), "{expected}\nnot in:\n{stderr}");
    }
}

#[test]
fn the_impostor_tells_servers_that_verify_from_those_that_accept_any_certificate() {
    let pki = TestPki::new();
    let checks = |port: u16, extra: &str| {
        checks_yaml(port, &format!("  - {{name: partner, cert: client.pem, key: client.key, impostor: true{extra}}}\n"))
    };
    for tls in ["-tls1_2", "-tls1_3"] {
        // `-Verify 1` without `-verify_return_error` asks, then accepts whatever arrives.
        let presence_only = SServer::start(&pki, &[tls, "-Verify", "1", "-CAfile", "client-ca.pem"]);
        let (code, report, _) = run_json(&pki, &checks(presence_only.port, ""), &[]);
        assert_eq!(code, 1, "{tls}");
        let r = result_named(&report, "partner");
        assert_eq!(r["client_cert_verification"], "none", "{tls}: {r:#}");
        assert_eq!(r["impostor"]["accepted"], true, "{tls}: {r:#}");
        let failures = failed(r);
        assert_eq!(failures.len(), 1, "{tls}: {r:#}");
        assert_eq!(failures[0]["field"], "verifies_client_cert");
        let (code, report, _) =
            run_json(&pki, &checks(presence_only.port, ", expect: {verifies_client_cert: false}"), &[]);
        assert_eq!(code, 0, "{tls}: {report:#}");

        let verifying =
            SServer::start(&pki, &[tls, "-Verify", "1", "-verify_return_error", "-CAfile", "client-ca.pem"]);
        let (code, report, _) = run_json(&pki, &checks(verifying.port, ""), &[]);
        assert_eq!(code, 0, "{tls}: {report:#}");
        let r = result_named(&report, "partner");
        assert_eq!(r["client_cert_verification"], "verified", "{tls}: {r:#}");
        assert_eq!(r["impostor"]["accepted"], false, "{tls}: {r:#}");
    }
    // Without impostor: true nothing forged is sent, and verification stays unknown.
    let server = pki.required_server();
    let (_, report, _) =
        run_json(&pki, &checks_yaml(server.port(), "  - {name: partner, cert: client.pem, key: client.key}\n"), &[]);
    let r = result_named(&report, "partner");
    assert_eq!(r["client_cert_verification"], "unknown");
    assert!(r.get("impostor").is_none(), "{r:#}");
    // --impostor turns it on for every check.
    let (_, report, _) = run_json(
        &pki,
        &checks_yaml(server.port(), "  - {name: partner, cert: client.pem, key: client.key}\n"),
        &["--impostor"],
    );
    assert_eq!(result_named(&report, "partner")["client_cert_verification"], "verified");
}

#[test]
fn a_java_server_trusting_everything_and_nginx_without_verification_accept_the_impostor() {
    let pki = TestPki::new();
    let impostor = |port: u16, http: &str| {
        checks_yaml(port, &format!("  - {{name: partner, cert: client.pem, key: client.key, impostor: true{http}}}\n"))
    };
    for (trust_all, expected) in [(true, "none"), (false, "verified")] {
        let java = JavaServer::start_with(&pki, true, "TLSv1.3", trust_all);
        let (_, report, _) = run_json(&pki, &impostor(java.port, ""), &[]);
        let r = result_named(&report, "partner");
        assert_eq!(r["client_cert_verification"], expected, "Java trust-all={trust_all}: {r:#}");
    }
    // nginx decides at the HTTP layer: `optional_no_ca` passes any certificate to the
    // application (200); `on` answers 400 "The SSL certificate error".
    for (verify, expected) in [(NginxVerify::OptionalNoCa, "none"), (NginxVerify::On, "verified")] {
        let nginx = Nginx::start(&pki, verify, "TLSv1.2 TLSv1.3");
        let (_, report, _) = run_json(&pki, &impostor(nginx.port, ", http_path: /"), &[]);
        let r = result_named(&report, "partner");
        assert_eq!(r["client_cert_verification"], expected, "nginx {verify:?}: {r:#}");
        if verify == NginxVerify::On {
            assert_eq!(r["impostor"]["http_status"], 400, "{r:#}");
        }
    }
}

#[test]
fn nginx_refusing_our_certificate_at_the_http_layer_fails_the_check() {
    let pki = TestPki::new();
    let nginx = Nginx::start_trusting(&pki, NginxVerify::On, "TLSv1.2 TLSv1.3", "other-ca.pem");
    let yaml = checks_yaml(nginx.port, "  - {name: partner, cert: client.pem, key: client.key, http_path: /}\n");
    let (code, report, _) = run_json(&pki, &yaml, &[]);
    assert_eq!(code, 1);
    let r = result_named(&report, "partner");
    assert_eq!(r["client_auth"], "required", "{r:#}");
    assert_eq!(r["with_cert"]["accepted"], false, "{r:#}");
    assert_eq!(r["with_cert"]["http_status"], 400, "{r:#}");
    let failures = failed(r);
    assert_eq!(failures[0]["field"], "with_cert", "{r:#}");
    assert!(failures[0]["detail"].as_str().unwrap_or_default().contains("400"), "{r:#}");
}

#[test]
fn broken_credentials_never_hide_the_partners_mode_and_ca_names() {
    let pki = TestPki::new();
    let server = pki.required_server();
    let expired = creds::client_cert_valid(&pki, "expired", -30, -1);
    let yaml = checks_yaml(server.port(), "  - {name: renewing, cert: expired.pem, key: expired.key}\n");
    let (code, report, _) = run_json(&pki, &yaml, &[]);
    assert_eq!(code, 1);
    let r = result_named(&report, "renewing");
    assert_eq!(r["status"], "fail", "{r:#}");
    assert_eq!(r["client_auth"], "required", "{r:#}");
    assert_eq!(r["ca_names"], serde_json::json!([r"C = CH, O = Z\C3\BCrich Partner AG, CN = Lab Client CA"]));
    let failures = failed(r);
    assert_eq!(failures.len(), 1, "{r:#}");
    assert_eq!(failures[0]["field"], "credentials");
    let detail = failures[0]["detail"].as_str().unwrap_or_default();
    assert!(detail.contains(&format!("expired on {}", expired.cert.not_after())), "{detail}");
    let (_, table) = run_table(&pki, &yaml);
    assert!(table.contains("not sent: credentials unusable"), "{table}");
    assert!(table.contains("2-way required"), "{table}");
    // Nothing probed at all: the verdict says unknown, never "not requested".
    let closed = crate::support::ClosedPort::reserve();
    let output =
        mtlscheck().args(["probe", &format!("127.0.0.1:{}", closed.port), "--timeout", "2s"]).output().expect("probe");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("CA names: unknown"), "{stdout}");
}

#[test]
fn transcripts_are_compared_with_the_connection_made_the_same_way() {
    let pki = TestPki::new();
    // TLS 1.2, so the refusal of a certificate-less client shows in every transcript.
    let server = SServer::start(&pki, &["-tls1_2", "-Verify", "1", "-verify_return_error", "-CAfile", "client-ca.pem"]);
    let dir = pki.dir.path().join("transcripts");
    std::fs::create_dir_all(&dir).expect("dir");
    // The command in docs/how-it-works.md: no -cert. The server refuses it; our certificate is accepted.
    let (stdout, stderr) = s_client(&pki, server.port, &[]);
    std::fs::write(dir.join("without.txt"), format!("{stdout}{stderr}")).expect("write");
    let (stdout, stderr) = s_client(&pki, server.port, &["-cert", "client.pem", "-key", "client.key"]);
    std::fs::write(dir.join("with.with-cert.txt"), format!("{stdout}{stderr}")).expect("write");
    let yaml = checks_yaml(
        server.port,
        "  - {name: without, cert: client.pem, key: client.key}\n  - {name: with, cert: client.pem, key: client.key}\n",
    );
    let (code, report, stderr) = run_json(&pki, &yaml, &["--compare-dir", &dir.display().to_string()]);
    assert_eq!(code, 0, "{stderr}\n{report:#}");
    for (name, connection) in [("without", "without_cert"), ("with", "with_cert")] {
        let comparison = &result_named(&report, name)["comparison"];
        assert_eq!(comparison["agree"], true, "{name}: {comparison:#}");
        assert_eq!(comparison["connection"], connection, "{name}: {comparison:#}");
    }
    // `compare --with-cert` says the same for a single transcript.
    let target = format!("127.0.0.1:{}", server.port);
    let output = mtlscheck()
        .current_dir(pki.dir.path())
        .args(["compare", "transcripts/with.with-cert.txt", "--target", &target, "--with-cert"])
        .args(["--cacert", "server-ca.pem", "--cert", "client.pem", "--key", "client.key", "--format", "json"])
        .output()
        .expect("compare");
    let report = stdout_json(&output);
    assert_eq!(report["results"][0]["comparison"]["agree"], true, "{report:#}");
    assert_eq!(output.status.code(), Some(0));
}

/// A server that requires a certificate and trusts our CA but names only another one: OpenSSL
/// clients send ours anyway (and it is accepted), Go, Java, GnuTLS and NSS send none.
fn names_another_ca_but_trusts_ours(pki: &TestPki) -> mtlscheck::lab::LabServer {
    let mut config = pki.required_config();
    config.ca_names = mtlscheck::lab::CaNames::SubjectsOf(vec![pki.pki.other_ca.cert.clone()]);
    crate::support::lab_server(config)
}

#[test]
fn the_client_stack_our_integration_runs_on_decides_whether_the_check_passes() {
    let pki = TestPki::new();
    let server = names_another_ca_but_trusts_ours(&pki);
    let yaml = checks_yaml(
        server.port(),
        "  - {name: openssl, cert: client.pem, key: client.key}\n  \
         - {name: go, client: go, cert: client.pem, key: client.key}\n  \
         - {name: several, cert: client.pem, key: client.key, expect: {clients_send: [openssl, rustls, java-pkix]}}\n  \
         - {name: rotation, client: java-pkix, identities: [{name: current, cert: client.pem, key: client.key}]}\n",
    );
    let (code, report, stderr) = run_json(&pki, &yaml, &[]);
    assert_eq!(code, 1, "{stderr}");

    let openssl = result_named(&report, "openssl");
    assert_eq!(openssl["status"], "pass", "{openssl:#}");
    assert_eq!(openssl["with_cert"]["accepted"], true, "{openssl:#}");
    assert_eq!(openssl["ca_name_match"], false, "{openssl:#}");
    assert_eq!(openssl["client_stacks"]["openssl"]["outcome"], "sends", "{openssl:#}");
    assert_eq!(openssl["client_stacks"]["go"]["outcome"], "sends_empty", "{openssl:#}");

    // Our certificate works with OpenSSL, but the integration runs on Go, which would not send it.
    let go = result_named(&report, "go");
    assert_eq!(go["client"], "go");
    assert_eq!(go["status"], "fail", "{go:#}");
    let failures = failed(go);
    assert_eq!(failures.len(), 1, "{go:#}");
    assert_eq!(failures[0]["field"], "client_sends", "{go:#}");
    assert!(failures[0]["detail"].as_str().is_some_and(|d| d.contains("Go compares issuer DER")), "{go:#}");

    let several = result_named(&report, "several");
    let failures = failed(several);
    assert_eq!(failures.len(), 1, "{several:#}");
    assert_eq!(failures[0]["field"], "clients_send", "{several:#}");
    assert!(failures[0]["detail"].as_str().is_some_and(|d| d.contains("java-pkix")), "{several:#}");
    assert!(!failures[0]["detail"].as_str().unwrap_or_default().contains("rustls"), "{several:#}");

    // Each identity gets its own predictions; the client's verdict is the identity's.
    let rotation = result_named(&report, "rotation");
    let identity = &rotation["identities"][0];
    assert_eq!(identity["client_stacks"]["java-pkix"]["outcome"], "sends_empty", "{rotation:#}");
    assert_eq!(identity["client_stacks"]["openssl"]["outcome"], "sends", "{rotation:#}");
    assert_eq!(rotation["status"], "fail", "{rotation:#}");
    assert!(failed(rotation).iter().any(|e| e["field"] == "client_sends"), "{rotation:#}");

    // The table: our client's answer in its column (with --wide) and the reason below.
    let checks = pki.write("checks.yaml", &yaml);
    let output = mtlscheck().args(["run", "--wide"]).arg(&checks).output().expect("run --wide");
    let table = String::from_utf8_lossy(&output.stdout);
    let row = table.lines().find(|line| line.starts_with("| go ")).unwrap_or_else(|| panic!("{table}"));
    assert!(row.contains("| go: NO "), "{row}");
    assert!(table.contains("  our client (go): sends_empty — Go compares issuer DER"), "{table}");
}

#[test]
fn probe_lists_every_stack_and_explains_one_step_by_step() {
    let pki = TestPki::new();
    let server = names_another_ca_but_trusts_ours(&pki);
    let target = format!("127.0.0.1:{}", server.port());
    let probe = |extra: &[&str]| {
        let output = mtlscheck()
            .current_dir(pki.dir.path())
            .args(["probe", &target, "--cacert", "server-ca.pem", "--cert", "client.pem", "--key", "client.key"])
            .args(extra)
            .output()
            .expect("probe");
        (output.status.code(), String::from_utf8_lossy(&output.stdout).into_owned())
    };
    let (code, text) = probe(&[]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("Client stacks (would they send our certificate?):"), "{text}");
    assert!(text.contains("  openssl (our client): sends — "), "{text}");
    assert!(text.contains("  go: sends_empty — Go compares issuer DER"), "{text}");
    assert!(!text.contains("How "), "no explanation unless asked:\n{text}");

    let (_, text) = probe(&["--client", "java-pkix", "--explain-client", "go"]);
    assert!(text.contains("  java-pkix (our client): sends_empty"), "{text}");
    let steps: Vec<&str> = text
        .lines()
        .skip_while(|line| *line != "How go decides:")
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .collect();
    assert!(steps.len() >= 3, "step-by-step reasoning:\n{text}");
    assert!(steps[0].contains("CertificateRequest (TLS 1.3)") && steps[0].ends_with("; 1 CA name"), "{text}");
    assert!(steps.iter().any(|step| step.contains("our key: EC P-256")), "{text}");
    assert!(steps.last().is_some_and(|step| step.starts_with("  => sends_empty: Go compares issuer DER")), "{text}");
}
