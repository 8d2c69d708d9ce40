//! `expect:` on CA names (compared as names, in any OpenSSL spelling), protocol, verification
//! and certificate lifetimes, and the expiry warnings raised without any expectation — all
//! against in-process lab servers, through the real binary.

use mtlscheck::lab::pki::{CertSpec, issue, write_certs, write_key};
use mtlscheck::lab::{CaNames, LabClientAuth, LabServerConfig};
use predicates::prelude::*;
use serde_json::{Value, json};

use crate::support::names::{self_signed, tricky_ca_names};
use crate::support::openssl::OpensslBuild;
use crate::support::runs::{mtlscheck, result_named, stderr_text, stdout_json, stdout_text};
use crate::support::{SServer, TestPki, checks_yaml, lab_server};

const OUR_CA_ONELINE: &str = r"C = CH, O = Z\C3\BCrich Partner AG, CN = Lab Client CA";
const OTHER_CA_ONELINE: &str = r#"C = US, O = "Other Org, Inc.", CN = Other Client CA"#;

fn expectation<'a>(result: &'a Value, field: &str) -> &'a Value {
    result["expectations"]
        .as_array()
        .expect("expectations list")
        .iter()
        .find(|e| e["field"] == field)
        .unwrap_or_else(|| panic!("no expectation {field} in {result:#}"))
}

#[test]
fn ca_name_expectations_accept_every_openssl_spelling_and_say_what_was_not_sent() {
    let pki = TestPki::new();
    let mut config = pki.server_config().tls13_only();
    config.client_auth = LabClientAuth::Required;
    config.ca_names = CaNames::SubjectsOf(vec![pki.pki.client_ca.cert.clone(), pki.pki.other_ca.cert.clone()]);
    let server = lab_server(config);
    // Our CA in the 1.1.1-3.1 spelling (escaped UTF-8), the 3.2+ spelling and 1.0.2's slashes;
    // the other CA with a quoted comma, then unquoted (3.2+) and in other letter case.
    let checks = pki.write(
        "checks.yaml",
        &format!(
            r#"defaults:
  host: 127.0.0.1
  port: {port}
  timeout: 5s
  cacert: server-ca.pem
checks:
  - name: include-any-spelling
    expect:
      ca_names_include:
        - 'C = CH, O = Z\C3\BCrich Partner AG, CN = Lab Client CA'
        - 'C=CH, O=Zürich Partner AG, CN=Lab Client CA'
        - '/C=CH/O=Zürich Partner AG/CN=Lab Client CA'
        - 'C=US, O=Other Org, Inc., CN=Other Client CA'
  - name: include-missing
    expect:
      ca_names_include: ['C = CH, O = Z\C3\BCrich Partner AG, CN = Lab Client CA', 'C = US, O = Not Sent CA']
  - name: exact-any-order-and-case
    expect:
      ca_names_exact: ['c = us, o = "OTHER ORG, INC.", cn = other client ca', 'C=CH, O=Zürich Partner AG, CN=Lab Client CA']
  - name: exact-but-more-sent
    expect:
      ca_names_exact: ['C=CH, O=Zürich Partner AG, CN=Lab Client CA']
"#,
            port = server.port()
        ),
    );
    let output = mtlscheck().args(["run", "--format", "json"]).arg(&checks).assert().code(1).get_output().clone();
    let report = stdout_json(&output);

    let any = result_named(&report, "include-any-spelling");
    assert_eq!(any["status"], "pass", "{any:#}");
    let include = expectation(any, "ca_names_include");
    assert_eq!(include["ok"], true);
    assert_eq!(
        include["actual"],
        json!([OUR_CA_ONELINE, OTHER_CA_ONELINE]),
        "actual: the names as s_client prints them"
    );
    assert_eq!(include["expected"].as_array().map(Vec::len), Some(4), "expected: as written");

    let missing = result_named(&report, "include-missing");
    assert_eq!(missing["status"], "fail", "{missing:#}");
    let include = expectation(missing, "ca_names_include");
    assert_eq!(include["ok"], false);
    assert_eq!(include["detail"], "not sent: C = US, O = Not Sent CA", "{include:#}");

    let exact = result_named(&report, "exact-any-order-and-case");
    assert_eq!(expectation(exact, "ca_names_exact")["ok"], true, "{exact:#}");
    assert_eq!(exact["status"], "pass");

    let more = result_named(&report, "exact-but-more-sent");
    let exact = expectation(more, "ca_names_exact");
    assert_eq!(exact["ok"], false, "{more:#}");
    assert_eq!(exact["detail"], format!("also sent: {OTHER_CA_ONELINE}"), "{exact:#}");

    // The table's Problems section says the same.
    let output = mtlscheck().arg("run").arg(&checks).assert().code(1).get_output().clone();
    let table = stdout_text(&output);
    assert!(table.contains("include-missing: expected ca_names_include = "), "{table}");
    assert!(table.contains("(not sent: C = US, O = Not Sent CA)"), "{table}");
}

#[test]
fn min_protocol_and_verify_expectations_compare_with_the_negotiated_connection() {
    let pki = TestPki::new();
    let server = lab_server(pki.server_config().tls12_only());
    let checks = pki.write(
        "checks.yaml",
        &format!(
            "defaults:
  host: 127.0.0.1
  port: {port}
  timeout: 5s
  cacert: server-ca.pem
checks:
  - name: at-least-1.2
    expect: {{min_protocol: TLSv1.2, verify: ok}}
  - name: at-least-1.3
    expect: {{min_protocol: TLSv1.3}}
  - name: wrong-trust-anchor
    cacert: other-ca.pem
    expect: {{verify: ok}}
",
            port = server.port()
        ),
    );
    let output = mtlscheck().args(["run", "--format", "json"]).arg(&checks).assert().code(1).get_output().clone();
    let report = stdout_json(&output);

    let ok = result_named(&report, "at-least-1.2");
    assert_eq!(ok["status"], "pass", "{ok:#}");
    assert_eq!(
        expectation(ok, "min_protocol"),
        &json!({"field": "min_protocol", "expected": "TLSv1.2", "actual": "TLSv1.2", "ok": true})
    );
    assert_eq!(expectation(ok, "verify"), &json!({"field": "verify", "expected": "ok", "actual": "ok", "ok": true}));

    let old = result_named(&report, "at-least-1.3");
    let min = expectation(old, "min_protocol");
    assert_eq!((min["ok"].clone(), min["actual"].clone()), (json!(false), json!("TLSv1.2")), "{old:#}");
    assert_eq!(min["detail"], "TLSv1.2 is older than TLSv1.3");

    let untrusted = result_named(&report, "wrong-trust-anchor");
    let verify = expectation(untrusted, "verify");
    assert_eq!(verify["ok"], false, "{untrusted:#}");
    // The server sends only its leaf, and other-ca.pem is not its issuer.
    assert_eq!(verify["actual"], "unable to verify the first certificate");
    assert_eq!(untrusted["verify_code"], 21);
    assert_eq!(verify["detail"], "the server chain does not verify: unable to verify the first certificate (21)");
}

/// Writes a certificate for the lab server (localhost, 127.0.0.1) and one for us, expiring in
/// `server_days` and `client_days`.
fn short_lived_pair(pki: &TestPki, server_days: i32, client_days: i32) -> mtlscheck::lab::Issued {
    let server = issue(&CertSpec {
        subject: &[("CN", "short-lived.localhost")],
        issuer: Some(&pki.pki.server_ca),
        san: &["localhost", "127.0.0.1"],
        not_after_days: server_days,
        ..Default::default()
    })
    .expect("issue server certificate");
    let client = issue(&CertSpec {
        subject: &[("O", "Our Company"), ("CN", "short-lived-client")],
        issuer: Some(&pki.pki.client_ca),
        not_after_days: client_days,
        ..Default::default()
    })
    .expect("issue client certificate");
    write_certs(&pki.path("short-client.pem"), &[&client.cert]).expect("write");
    write_key(&pki.path("short-client.key"), &client.key).expect("write");
    server
}

fn warning_kinds(result: &Value) -> Vec<(String, i64)> {
    result["warnings"]
        .as_array()
        .expect("warnings list")
        .iter()
        .map(|w| (w["kind"].as_str().expect("kind").to_string(), w["days_left"].as_i64().expect("days_left")))
        .collect()
}

#[test]
fn certificates_expiring_soon_are_warned_about_without_expectations_and_lifetimes_can_be_expected() {
    let pki = TestPki::new();
    let identity = short_lived_pair(&pki, 10, 5);
    let mut config = LabServerConfig::new(identity);
    config.trusted_client_cas = vec![pki.pki.client_ca.cert.clone()];
    let server = lab_server(config);
    let yaml = |warn_days: &str| {
        format!(
            "{warn_days}defaults:
  host: 127.0.0.1
  port: {port}
  timeout: 5s
  cacert: server-ca.pem
  cert: short-client.pem
  key: short-client.key
checks:
  - name: no-expectations
  - name: lifetimes
    expect:
      server_cert_days_left: 30
      client_cert_days_left: 3
",
            port = server.port()
        )
    };
    let checks = pki.write("checks.yaml", &yaml(""));
    let output = mtlscheck().args(["run", "--format", "json"]).arg(&checks).assert().code(1).get_output().clone();
    let report = stdout_json(&output);

    // Issued for 10 and 5 days from now and probed a moment later: whole days left, rounded
    // down, are 10 and 5, or 9 and 4 when a second ticked in between.
    let quiet = result_named(&report, "no-expectations");
    assert_eq!(quiet["status"], "pass", "warnings do not fail a check: {quiet:#}");
    let server_days = quiet["server_cert_days_left"].as_i64().expect("server_cert_days_left");
    let client_days = quiet["client_cert_days_left"].as_i64().expect("client_cert_days_left");
    assert!((9..=10).contains(&server_days) && (4..=5).contains(&client_days), "{quiet:#}");
    assert_eq!(
        warning_kinds(quiet),
        vec![("server_cert_expiry".to_string(), server_days), ("client_cert_expiry".to_string(), client_days)],
        "{quiet:#}"
    );
    let server_warning = &quiet["warnings"][0];
    assert_eq!(server_warning["subject"], "CN = short-lived.localhost");
    assert_eq!(server_warning["not_after"], quiet["peer_chain"][0]["not_after"]);
    let expires_in = format!("expires in {server_days} days");
    assert!(server_warning["message"].as_str().is_some_and(|m| m.contains(&expires_in)), "{server_warning:#}");

    let lifetimes = result_named(&report, "lifetimes");
    assert_eq!(lifetimes["status"], "fail", "{lifetimes:#}");
    let expected = expectation(lifetimes, "server_cert_days_left");
    assert_eq!((expected["ok"].clone(), expected["actual"].clone()), (json!(false), json!(server_days)));
    let detail = format!("the server's certificate has {server_days} days left, fewer than 30");
    assert_eq!(expected["detail"], detail);
    assert_eq!(expectation(lifetimes, "client_cert_days_left")["ok"], true, "{lifetimes:#}");

    // The table lists them under Warnings.
    let output = mtlscheck().arg("run").arg(&checks).assert().code(1).get_output().clone();
    let table = stdout_text(&output);
    let (_, warnings) = table.split_once("\nWarnings:\n").unwrap_or_else(|| panic!("no Warnings section:\n{table}"));
    let server_line = "no-expectations: the server's certificate (CN = short-lived.localhost) expires in ";
    assert!(warnings.contains(server_line), "{warnings}");
    assert!(warnings.contains("no-expectations: our client certificate (O = Our Company, CN = short-lived-client)"));

    // `warn_days` in the file narrows the window; --warn-days overrides the file.
    let checks = pki.write("checks.yaml", &yaml("warn_days: 7\n"));
    let output = mtlscheck().args(["run", "--format", "json"]).arg(&checks).assert().code(1).get_output().clone();
    let report = stdout_json(&output);
    let kinds: Vec<String> =
        warning_kinds(result_named(&report, "no-expectations")).into_iter().map(|(k, _)| k).collect();
    assert_eq!(kinds, ["client_cert_expiry"]);
    let output = mtlscheck()
        .args(["run", "--format", "json", "--warn-days", "2"])
        .arg(&checks)
        .assert()
        .code(1)
        .get_output()
        .clone();
    let report = stdout_json(&output);
    assert_eq!(warning_kinds(result_named(&report, "no-expectations")), vec![]);
}

#[test]
fn bad_expectation_values_are_configuration_errors_naming_the_check_and_the_field() {
    let pki = TestPki::new();
    let checks = pki.write(
        "checks.yaml",
        "checks:
  - name: bad-name
    host: 127.0.0.1
    expect: {ca_names_include: ['just text, no attributes']}
  - name: bad-protocol
    host: 127.0.0.1
    expect: {min_protocol: TLSv1.4}
  - name: bad-verify
    host: 127.0.0.1
    expect: {verify: sometimes}
  - name: no-cert-to-check
    host: 127.0.0.1
    expect: {client_cert_days_left: 30}
",
    );
    let output =
        mtlscheck().arg("run").arg(&checks).assert().code(2).stdout(predicate::str::is_empty()).get_output().clone();
    let stderr = stderr_text(&output);
    let file = checks.display();
    for expected in [
        format!("4 problems in {file}"),
        format!("{file}: check 'bad-name': `expect.ca_names_include`: cannot read \"just text, no attributes\""),
        format!("{file}: check 'bad-protocol': `expect.min_protocol`: unknown protocol \"TLSv1.4\""),
        "use one of SSLv3, TLSv1, TLSv1.1, TLSv1.2, TLSv1.3".to_string(),
        format!("{file}: check 'bad-verify': `expect.verify`: only `ok` can be expected"),
        format!("{file}: check 'no-cert-to-check': `expect.client_cert_days_left` needs `cert` and `key`"),
    ] {
        assert!(stderr.contains(&expected), "missing {expected:?} in:\n{stderr}");
    }
}

/// `cert`'s subject as the real `openssl x509 -nameopt NAMEOPT` of `build` prints it.
fn printed_subject(build: &OpensslBuild, cert: &std::path::Path, nameopt: &str) -> String {
    let output = build
        .command()
        .args(["x509", "-noout", "-subject", "-nameopt", nameopt, "-in"])
        .arg(cert)
        .output()
        .expect("openssl x509");
    let text = String::from_utf8_lossy(&output.stdout).trim_end_matches('\n').to_string();
    text.strip_prefix("subject=").unwrap_or(&text).to_string()
}

#[test]
fn ca_names_written_in_any_spelling_match_a_real_servers_list() {
    // The CA names of a real s_server, written in every spelling an operator may copy: RFC 2253
    // (reversed, as `probe --nameopt rfc2253` prints it), 1.1.1's oneline, 3.2's unescaped
    // compact form, 3.5's escaped one, and LibreSSL's slashes; each printed by a real OpenSSL
    // except the slashes (written by hand from LibreSSL's X509_NAME_oneline).
    let pki = TestPki::new();
    let names = tricky_ca_names();
    let mut cas = Vec::new();
    for (index, (_, name)) in names.iter().enumerate() {
        let path = pki.path(&format!("ca-{index}.pem"));
        write_certs(&path, &[&self_signed(name)]).expect("write");
        cas.push(path);
    }
    let all = std::fs::read_to_string(pki.path("client-ca.pem")).unwrap()
        + &cas.iter().map(|p| std::fs::read_to_string(p).unwrap()).collect::<String>();
    pki.write("server-cas.pem", &all);
    let server = SServer::start(&pki, &["-verify", "1", "-CAfile", "server-cas.pem"]);
    let (v111, v36) = (OpensslBuild::cached("1.1.1"), OpensslBuild::cached("3.6"));
    let yaml_quote = |name: &str| format!("'{}'", name.replace('\'', "''"));
    let mut checks = checks_yaml(server.port, "");
    let mut spellings = Vec::new();
    for (index, cert) in cas.iter().enumerate() {
        for (label, build, nameopt) in [
            ("rfc2253", &v36, "RFC2253"),
            ("oneline-1.1.1", &v111, "oneline"),
            ("compact-3.2", &v36, "sep_comma_plus_space,utf8"),
            ("compact-3.6", &v36, "sep_comma_plus_space,sname,esc_ctrl,utf8,dump_nostr,dump_der"),
        ] {
            let written = printed_subject(build, cert, nameopt);
            // A control character written raw cannot be put in YAML plainly; 3.5+ escapes it.
            if written.contains('\t') {
                continue;
            }
            let name = format!("ca{index}-{label}");
            checks.push_str(&format!(
                "  - name: {name}\n    expect:\n      ca_names_include: [{}]\n",
                yaml_quote(&written)
            ));
            spellings.push((name, written));
        }
    }
    checks.push_str(
        "  - name: slashes\n    expect:\n      ca_names_include: ['/C=CH/O=Z\\xC3\\xBCrich Partner AG/CN=Lab Client CA', '/C=US/O=Partner, Inc./CN=Partner CA', '/O=5\" Floppy Ltd/CN=Drive CA']\n",
    );
    checks.push_str("  - name: reversed-by-hand\n    expect:\n      ca_names_include: ['CN=Lab Client CA,O=Zürich Partner AG,C=CH']\n");
    checks.push_str(
        "  - name: not-sent\n    expect:\n      ca_names_include: ['CN=Retired CA,O=Zürich Partner AG,C=CH']\n",
    );
    let file = pki.write("spellings.yaml", &checks);
    let output = mtlscheck().args(["run", "--format", "json"]).arg(&file).output().expect("run");
    let report = stdout_json(&output);
    for (name, written) in
        spellings.iter().map(|(n, w)| (n.as_str(), w.as_str())).chain([("slashes", ""), ("reversed-by-hand", "")])
    {
        let result = result_named(&report, name);
        assert_eq!(result["status"], "pass", "{name} ({written:?}): {result:#}");
    }
    let missing = result_named(&report, "not-sent");
    assert_eq!(expectation(missing, "ca_names_include")["ok"], false, "{missing:#}");

    // What is no name in any spelling is refused before any probe, naming the check.
    let bad = pki.write(
        "bad.yaml",
        &checks_yaml(server.port, "  - name: typo\n    expect:\n      ca_names_include: ['Lab Client CA']\n"),
    );
    let refused = mtlscheck().arg("validate").arg(&bad).assert().code(2).get_output().clone();
    let stderr = stderr_text(&refused);
    assert!(stderr.contains("check 'typo'") && stderr.contains("\"Lab Client CA\""), "{stderr}");
}
