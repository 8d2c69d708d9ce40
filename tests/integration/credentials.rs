//! Client credentials as partners hand them out, used against real lab servers that verify
//! them: encrypted PEM keys (passphrase from an environment variable or a file), PKCS#12 files
//! written by the real `openssl pkcs12 -export` (modern and `-legacy` RC2/3DES) whose bundled
//! intermediate the server needs, and `mtlscheck validate`, which checks all of it without
//! any network traffic.

use std::process::Command as StdCommand;
use std::time::{Duration, Instant};

use openssl::asn1::Asn1Time;
use predicates::prelude::*;

use crate::support::creds::{self, PASSPHRASE};
use crate::support::{TestPki, checks_yaml, config_error_in, mtlscheck, result_named, stdout_json};

/// The variable the tests put the passphrase in.
const PASS_VAR: &str = "MTLSCHECK_TEST_KEY_PASS";

#[test]
fn encrypted_pem_keys_are_decrypted_with_the_passphrase_from_an_env_var_or_a_file() {
    let pki = TestPki::new();
    let server = pki.required_server();
    creds::encrypted_keys(&pki);
    creds::passphrase_file(&pki);
    let checks = pki.write(
        "checks.yaml",
        &checks_yaml(
            server.port(),
            &format!(
                "  - name: pkcs8-from-env
    cert: client.pem
    key: client-pkcs8.key
    key_password_env: {PASS_VAR}
    expect: {{client_auth: required, ca_name_match: true}}
  - name: traditional-from-file
    cert: client.pem
    key: client-traditional.key
    key_password_file: passphrase.txt
    expect: {{client_auth: required, ca_name_match: true}}
"
            ),
        ),
    );
    let output = mtlscheck()
        .env(PASS_VAR, PASSPHRASE)
        .args(["run", "--format", "json"])
        .arg(&checks)
        .assert()
        .code(0)
        .get_output()
        .clone();
    let report = stdout_json(&output);
    for name in ["pkcs8-from-env", "traditional-from-file"] {
        let result = result_named(&report, name);
        assert_eq!(result["status"], "pass", "{result:#}");
        assert_eq!(result["with_cert"]["accepted"], true, "the server verified our certificate: {result:#}");
        assert_eq!(result["client_cert_subject"], "O = Our Company, CN = our-client", "{result:#}");
    }
}

#[test]
fn pkcs12_files_modern_and_legacy_send_their_bundled_intermediate() {
    let pki = TestPki::new();
    // The server trusts only the client root CA: our leaf comes from an intermediate, so the
    // server accepts us only if the intermediate from the .p12 is sent along.
    let server = pki.required_server();
    creds::chained_client(&pki);
    creds::pkcs12(&pki, "modern.p12", "chained-leaf.pem", "chained-leaf.key", Some("intermediate.pem"), false);
    creds::pkcs12(&pki, "legacy.pfx", "chained-leaf.pem", "chained-leaf.key", Some("intermediate.pem"), true);
    creds::passphrase_file(&pki);
    let checks = pki.write(
        "checks.yaml",
        &checks_yaml(
            server.port(),
            &format!(
                "  - name: modern-p12
    p12: modern.p12
    p12_password_env: {PASS_VAR}
  - name: legacy-pfx
    p12: legacy.pfx
    p12_password_file: passphrase.txt
  - name: pem-without-the-intermediate
    cert: chained-leaf.pem
    key: chained-leaf.key
    expect:
      with_cert: refused
"
            ),
        ),
    );
    let output = mtlscheck()
        .env(PASS_VAR, PASSPHRASE)
        .args(["run", "--format", "json"])
        .arg(&checks)
        .assert()
        .code(0)
        .get_output()
        .clone();
    let report = stdout_json(&output);
    for name in ["modern-p12", "legacy-pfx"] {
        let result = result_named(&report, name);
        assert_eq!(result["client_auth"], "required", "{result:#}");
        assert_eq!(result["with_cert"]["accepted"], true, "{name}: the intermediate was not sent: {result:#}");
        assert_eq!(result["client_cert_subject"], "O = Our Company, CN = chained-client", "{result:#}");
        assert_eq!(result["client_cert_issuer"], "O = Our Company, CN = Our Issuing CA", "{result:#}");
        // The server names the root; our intermediate's issuer is that root.
        assert_eq!(result["ca_name_match"], true, "{result:#}");
    }
    // The control: the same leaf without its intermediate is refused by this server.
    let control = result_named(&report, "pem-without-the-intermediate");
    assert_eq!(control["with_cert"]["accepted"], false, "{control:#}");
    assert_eq!(control["with_cert"]["alert"], "tlsv1 alert unknown ca", "{control:#}");
}

#[test]
fn probe_takes_a_p12_with_pass_env_and_refuses_a_passphrase_on_the_command_line() {
    let pki = TestPki::new();
    let server = pki.required_server();
    creds::pkcs12(&pki, "client.p12", "client.pem", "client.key", None, true);
    let target = format!("127.0.0.1:{}", server.port());
    let ca = pki.path("server-ca.pem");
    let p12 = pki.path("client.p12");
    let output = mtlscheck()
        .env(PASS_VAR, PASSPHRASE)
        .args(["probe", &target, "--format", "json", "--cacert"])
        .arg(&ca)
        .arg("--p12")
        .arg(&p12)
        .args(["--pass", &format!("env:{PASS_VAR}")])
        .assert()
        .code(0)
        .get_output()
        .clone();
    let result = &stdout_json(&output)["results"][0];
    assert_eq!(result["client_auth"], "required", "{result:#}");
    assert_eq!(result["with_cert"]["accepted"], true, "{result:#}");

    let connections = server.connections();
    let refused = mtlscheck()
        .args(["probe", &target, "--p12"])
        .arg(&p12)
        .args(["--pass", &format!("pass:{PASSPHRASE}")])
        .assert()
        .code(2)
        .stdout("")
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(
        stderr,
        "mtlscheck: --pass takes env:VARIABLE or file:PATH; a passphrase written on the command line is refused \
         because every user of the machine can see it in the process list\n"
    );
    assert_eq!(server.connections(), connections, "nothing was probed");
}

#[test]
fn an_encrypted_key_without_a_passphrase_source_is_an_error_and_never_a_terminal_prompt() {
    let pki = TestPki::new();
    creds::encrypted_keys(&pki);
    let checks = pki.write(
        "checks.yaml",
        "checks:\n  - name: partner\n    host: 127.0.0.1\n    cert: client.pem\n    key: client-pkcs8.key\n",
    );
    // OpenSSL's default passphrase callback reads from the controlling terminal. `script` gives
    // mtlscheck one (a pseudo-terminal): a prompt would wait there until `timeout` kills it.
    let started = Instant::now();
    let output = StdCommand::new("timeout")
        .args(["20", "script", "-qec"])
        .arg(format!("{} validate {}", assert_cmd::cargo::cargo_bin!("mtlscheck").display(), checks.display()))
        .arg("/dev/null")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("script (util-linux) and timeout must be installed");
    let text = String::from_utf8_lossy(&output.stdout).replace("\r\n", "\n");
    assert!(started.elapsed() < Duration::from_secs(15), "waited for a prompt? {text}");
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert_eq!(
        text,
        format!(
            "mtlscheck: {}: check 'partner': key {} is encrypted: give its passphrase with `key_password_env: VARIABLE` \
             (an environment variable holding it) or `key_password_file: FILE` (a file only mtlscheck's account can \
             read)\n",
            checks.display(),
            pki.path("client-pkcs8.key").display()
        )
    );
    assert!(!text.contains("Enter pass phrase"), "{text}");
}

#[test]
fn validate_prints_one_line_per_check_and_never_touches_the_network() {
    let pki = TestPki::new();
    let server = pki.required_server();
    creds::encrypted_keys(&pki);
    creds::chained_client(&pki);
    creds::pkcs12(&pki, "legacy.pfx", "chained-leaf.pem", "chained-leaf.key", Some("intermediate.pem"), true);
    let expiring = creds::client_cert_valid(&pki, "expiring", -300, 10);
    let checks = pki.write(
        "checks.yaml",
        &checks_yaml(
            server.port(),
            &format!(
                "  - {{name: pem, cert: client.pem, key: client-pkcs8.key, key_password_env: {PASS_VAR}}}
  - {{name: chained, cert: chained-leaf.pem, key: chained-leaf.key, chain: intermediate.pem}}
  - {{name: legacy-pfx, p12: legacy.pfx, p12_password_env: {PASS_VAR}}}
  - {{name: expiring, cert: expiring.pem, key: expiring.key}}
  - {{name: one-way}}
"
            ),
        ),
    );
    // Whole days left: 10 minus the seconds since the certificate was issued, so 9 or 10.
    let days_left =
        || Asn1Time::days_from_now(0).and_then(|now| now.diff(expiring.cert.not_after())).expect("diff").days;
    let days_before = days_left();
    let output = mtlscheck()
        .env(PASS_VAR, PASSPHRASE)
        .arg("validate")
        .arg(&checks)
        .assert()
        .code(0)
        .stderr("")
        .get_output()
        .clone();
    let expected = |days: i32| {
        format!(
            "pem: ok
chained: ok
legacy-pfx: ok
expiring: ok; warning: our client certificate in {} expires in {days} days (on {}): renew it and point `cert` at \
             the new file before then
one-way: ok (no client certificate)
",
            pki.path("expiring.pem").display(),
            expiring.cert.not_after()
        )
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout == expected(days_before) || stdout == expected(days_left()), "{stdout}");
    assert_eq!(server.connections(), 0, "validate must not connect");
}

#[test]
fn validate_exits_2_naming_each_broken_credential_the_file_and_the_fix() {
    let pki = TestPki::new();
    let expired = creds::client_cert_valid(&pki, "expired", -400, -3);
    creds::client_cert_valid(&pki, "future", 2, 400);
    creds::chained_client(&pki);
    // An intermediate with the right name but another key: what a re-issued CA looks like.
    let impostor = mtlscheck::lab::pki::issue(&mtlscheck::lab::pki::CertSpec {
        subject: &[("O", "Our Company"), ("CN", "Our Issuing CA")],
        issuer: Some(&pki.pki.client_ca),
        is_ca: true,
        ..Default::default()
    })
    .expect("issue");
    mtlscheck::lab::pki::write_certs(&pki.path("impostor.pem"), &[&impostor.cert]).expect("write");
    let checks = pki.write(
        "checks.yaml",
        "defaults:\n  host: 127.0.0.1\nchecks:
  - {name: expired, cert: expired.pem, key: expired.key}
  - {name: not-yet-valid, cert: future.pem, key: future.key}
  - {name: mismatch, cert: client.pem, key: server.key}
  - {name: unlinked, cert: chained-leaf.pem, key: chained-leaf.key, chain: other-ca.pem}
  - {name: wrong-signer, cert: chained-leaf.pem, key: chained-leaf.key, chain: impostor.pem}
  - {name: fine, cert: client.pem, key: client.key}
",
    );
    let output = mtlscheck().arg("validate").arg(&checks).assert().code(2).get_output().clone();
    let p = |file: &str| pki.path(file).display().to_string();
    let future_not_before = openssl::x509::X509::from_pem(&std::fs::read(pki.path("future.pem")).expect("read"))
        .expect("pem")
        .not_before()
        .to_string();
    let expected = [
        format!(
            "expired: error: our client certificate in {} expired on {}: renew it and point `cert` at the new file",
            p("expired.pem"),
            expired.cert.not_after()
        ),
        format!(
            "not-yet-valid: error: our client certificate in {} is not valid before {future_not_before}: check this \
             machine's clock, or use a certificate valid now",
            p("future.pem")
        ),
        format!(
            "mismatch: error: the private key {} does not match the certificate {}: use the key the certificate was \
             issued for",
            p("server.key"),
            p("client.pem")
        ),
        format!(
            "unlinked: error: the chain does not link: chain certificate 1 ('C = US, O = \"Other Org, Inc.\", CN = Other \
             Client CA') in {} is not the issuer of our client certificate ('O = Our Company, CN = chained-client'), \
             which names 'O = Our Company, CN = Our Issuing CA' as its issuer: list each certificate right after the \
             one it issued, our certificate first",
            p("other-ca.pem")
        ),
        format!(
            "wrong-signer: error: the chain does not link: chain certificate 1 ('O = Our Company, CN = Our Issuing CA') \
             in {} has the name of the issuer of our client certificate ('O = Our Company, CN = chained-client') but \
             its key did not sign it (a re-issued CA?): get the intermediate that issued our certificate from that CA",
            p("impostor.pem")
        ),
        "fine: ok".to_string(),
    ];
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(stdout.lines().collect::<Vec<_>>(), expected, "{stdout}");
}

#[test]
fn configuration_mistakes_with_credentials_are_exit_2_with_the_reason_and_the_fix() {
    let cases: [(&str, &str); 4] = [
        (
            "checks:\n  - name: a\n    host: 127.0.0.1\n    cert: client.pem\n    key: client.key\n    key_password: hunter2\n",
            "checks.yaml:6:19: checks[0].key_password: a passphrase written in the checks file is refused: everyone \
             who can read the file, its backups or its version history would have it. Put it in an environment \
             variable and write `key_password_env: VARIABLE`, or in a file only the account running mtlscheck can \
             read (chmod 600) and write `key_password_file: FILE`",
        ),
        (
            "checks:\n  - {name: a, host: 127.0.0.1, p12: client.p12, cert: client.pem, key: client.key}\n",
            "checks.yaml: check 'a': `p12` and `cert`/`key` are mutually exclusive: a PKCS#12 file already holds the \
             certificate and key; keep one of them",
        ),
        (
            "checks:\n  - {name: a, host: 127.0.0.1, cert: client.pem, key: client.key, key_password_env: \"hunter2!\"}\n",
            "checks.yaml: check 'a': `key_password_env` must be the name of an environment variable (letters, digits \
             and _, e.g. CLIENT_KEY_PASS) that holds the passphrase, not the passphrase itself",
        ),
        (
            "checks:\n  - {name: a, host: 127.0.0.1, p12: client.pem}\n",
            "checks.yaml: check 'a': p12 client.pem is not a PKCS#12 file: it is a PEM file; use `cert` and `key` for PEM",
        ),
    ];
    for (yaml, expected) in cases {
        let pki = TestPki::new();
        // Relative to the working directory, so messages show the paths as written.
        let stderr = config_error_in(&pki, yaml);
        assert_eq!(stderr, format!("mtlscheck: {expected}\n"), "for:\n{yaml}");
        assert!(!stderr.contains("hunter2"), "{stderr}");
    }
    mtlscheck()
        .args(["validate", "--help"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Exit 0 when every check is usable"));
}

#[test]
fn a_legacy_p12_is_read_through_the_legacy_provider_and_says_so_when_it_is_missing() {
    let pki = TestPki::new();
    creds::pkcs12(&pki, "legacy.pfx", "client.pem", "client.key", None, true);
    creds::pkcs12(&pki, "modern.p12", "client.pem", "client.key", None, false);
    pki.write(
        "checks.yaml",
        &format!(
            "checks:\n  - {{name: modern, host: 127.0.0.1, p12: modern.p12, p12_password_env: {PASS_VAR}}}\n  - {{name: \
             legacy, host: 127.0.0.1, p12: legacy.pfx, p12_password_env: {PASS_VAR}}}\n"
        ),
    );
    let validate = |modules: Option<&str>| {
        let mut command = mtlscheck();
        command.current_dir(pki.dir.path()).env(PASS_VAR, PASSPHRASE).args(["validate", "checks.yaml"]);
        if let Some(modules) = modules {
            command.env("OPENSSL_MODULES", modules);
        }
        command.output().expect("run mtlscheck")
    };
    let normal = validate(None);
    assert_eq!(String::from_utf8_lossy(&normal.stdout), "modern: ok\nlegacy: ok\n");
    assert_eq!(normal.status.code(), Some(0));
    // Where OpenSSL finds no legacy provider, only the legacy file fails, and the message says why.
    let without = validate(Some("/nonexistent-openssl-modules"));
    assert_eq!(without.status.code(), Some(2));
    let why = "p12 legacy.pfx is encrypted the legacy way (RC2/3DES), which needs OpenSSL's legacy provider, and it \
               could not be loaded (the legacy provider: could not load the shared library): install it (on Debian it \
               comes with libssl3; OPENSSL_MODULES names its folder) or re-export the file with `openssl pkcs12 \
               -export` (AES-256)";
    assert_eq!(String::from_utf8_lossy(&without.stdout), format!("modern: ok\nlegacy: error: {why}\n"));

    // A credential this machine cannot open never hides the partner: probed without it, the
    // check fails for the credential.
    let server = pki.required_server();
    let yaml = crate::support::checks_yaml(
        server.port(),
        &format!("  - {{name: legacy, p12: legacy.pfx, p12_password_env: {PASS_VAR}}}\n"),
    );
    pki.write("checks.yaml", &yaml);
    let run = mtlscheck()
        .current_dir(pki.dir.path())
        .env(PASS_VAR, PASSPHRASE)
        .env("OPENSSL_MODULES", "/nonexistent-openssl-modules")
        .args(["run", "--format", "json", "checks.yaml"])
        .output()
        .expect("run");
    assert_eq!(run.status.code(), Some(1), "{}", String::from_utf8_lossy(&run.stderr));
    let report = stdout_json(&run);
    let result = &report["results"][0];
    assert_eq!(result["client_auth"], "required", "{result:#}");
    assert_eq!(result["ca_names"].as_array().map(Vec::len), Some(1), "{result:#}");
    let credentials = result["expectations"].as_array().and_then(|e| e.iter().find(|e| e["field"] == "credentials"));
    assert_eq!(credentials.and_then(|e| e["detail"].as_str()), Some(why), "{result:#}");
}
