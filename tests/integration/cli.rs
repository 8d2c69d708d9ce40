//! The `mtlscheck` binary as an operator runs it: `run` against in-process lab servers (table
//! and JSON), exit codes, every kind of bad checks file, `--help`/`--version`, `demo`, and that
//! no private key material ever reaches the output.

use std::path::Path;

use mtlscheck::lab::LabServer;
use predicates::prelude::*;
use serde_json::Value;

use crate::support::{TestPki, lab_server, mtlscheck, result_named, stdout_json};

/// A 1-way and a 2-way-required lab server (default protocol range: TLS 1.3) sharing one PKI.
struct Lab {
    pki: TestPki,
    one_way: LabServer,
    required: LabServer,
}

impl Lab {
    fn start() -> Lab {
        let pki = TestPki::new();
        let one_way = lab_server(pki.server_config());
        let config = pki.required_config();
        let required = lab_server(config);
        Lab { pki, one_way, required }
    }

    /// Writes `checks.yaml` for both servers, with relative credential paths (resolved against
    /// the file's folder, not the working directory), expecting `required_expectation` of the
    /// required server.
    fn write_checks(&self, required_expectation: &str) -> std::path::PathBuf {
        let yaml = format!(
            "defaults:
  timeout: 5s
  cacert: server-ca.pem
  cert: client.pem
  key: client.key
checks:
  - name: partner-one-way
    host: 127.0.0.1
    port: {one_way}
    expect:
      client_auth: none
  - name: partner-required
    host: 127.0.0.1
    port: {required}
    expect:
      client_auth: {required_expectation}
      ca_name_match: true
",
            one_way = self.one_way.port(),
            required = self.required.port(),
        );
        self.pki.write("checks.yaml", &yaml)
    }
}

#[test]
fn run_prints_a_table_with_each_verdict_and_the_ca_names_and_exits_0_when_expectations_hold() {
    let lab = Lab::start();
    let checks = lab.write_checks("required");
    let output = mtlscheck().arg("run").arg(&checks).assert().code(0).get_output().clone();
    let stdout = String::from_utf8_lossy(&output.stdout);
    for expected in [
        "partner-one-way",
        "partner-required",
        "1-way",
        "2-way required",
        "partner-required (127.0.0.1:",
        "Acceptable client certificate CA names",
        "C = CH, O = Z\\C3\\BCrich Partner AG, CN = Lab Client CA",
        "our CA is listed as:",
        "PASS",
        "2 checks: 2 ok, 0 failed, 0 errors",
    ] {
        assert!(stdout.contains(expected), "missing {expected:?} in:\n{stdout}");
    }
    assert!(!stdout.contains("FAIL"), "{stdout}");
    assert!(!stdout.contains("Problems:"), "{stdout}");
    // The 1-way server asks for nothing, so it gets no CA-name block of its own.
    assert!(!stdout.contains("partner-one-way (127.0.0.1:"), "{stdout}");
}

#[test]
fn run_exits_1_and_names_the_failed_field_when_an_expectation_does_not_hold() {
    let lab = Lab::start();
    let checks = lab.write_checks("optional");
    let output = mtlscheck().arg("run").arg(&checks).assert().code(1).get_output().clone();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let row = stdout
        .lines()
        .find(|l| l.contains("partner-required") && l.contains('|'))
        .unwrap_or_else(|| panic!("no table row for partner-required in:\n{stdout}"));
    assert!(row.contains("FAIL"), "{row}");
    let one_way_row = stdout
        .lines()
        .find(|l| l.contains("partner-one-way") && l.contains('|'))
        .unwrap_or_else(|| panic!("no table row for partner-one-way in:\n{stdout}"));
    assert!(one_way_row.contains("PASS"), "{one_way_row}");
    let (_, problems) = stdout.split_once("Problems:").unwrap_or_else(|| panic!("no Problems: section in:\n{stdout}"));
    assert!(problems.contains(r#"partner-required: expected client_auth = "optional", got "required""#), "{problems}");
    assert!(!problems.contains("partner-one-way"), "{problems}");
    assert!(stdout.contains("2 checks: 1 ok, 1 failed, 0 errors"), "{stdout}");
}

#[test]
fn json_report_has_every_documented_key_for_every_result() {
    let lab = Lab::start();
    let checks = lab.write_checks("required");
    let output = mtlscheck().args(["run", "--format", "json"]).arg(&checks).assert().code(0).get_output().clone();
    let report = stdout_json(&output);
    for key in ["mtlscheck_version", "openssl_version", "results"] {
        assert!(report.get(key).is_some(), "top level lacks {key}: {report:#}");
    }
    assert_eq!(report["mtlscheck_version"], env!("CARGO_PKG_VERSION"));
    assert!(report["openssl_version"].as_str().is_some_and(|v| v.contains("OpenSSL")), "{report:#}");
    let results = report["results"].as_array().expect("results is a list");
    assert_eq!(results.len(), 2);
    const RESULT_KEYS: [&str; 26] = [
        "name",
        "host",
        "port",
        "servername",
        "client_auth",
        "cert_requested",
        "ca_names_sent",
        "ca_names",
        "ca_name_match",
        "matched_ca_name",
        "protocol",
        "cipher",
        "verify_code",
        "verify_error",
        "requested_sigalgs",
        "requested_signature_schemes",
        "negotiated_group",
        "like",
        "name_style",
        "peer_chain",
        "without_cert",
        "with_cert",
        "expectations",
        "status",
        "error",
        "elapsed_ms",
    ];
    for result in results {
        let name = &result["name"];
        for key in RESULT_KEYS {
            assert!(result.get(key).is_some(), "{name}: no key {key}: {result:#}");
        }
        let chain = result["peer_chain"].as_array().expect("peer_chain list");
        assert!(!chain.is_empty(), "{name}: the lab server sends its chain");
        for entry in chain {
            for key in ["subject", "issuer"] {
                assert!(entry[key].is_string(), "{name}: peer_chain {key}: {entry:#}");
            }
        }
        for attempt in ["without_cert", "with_cert"] {
            for key in ["handshake", "alert", "error"] {
                assert!(result[attempt].get(key).is_some(), "{name}: {attempt} lacks {key}: {result:#}");
            }
        }
        let expectations = result["expectations"].as_array().expect("list");
        assert!(!expectations.is_empty(), "{name}: both checks expect something");
        for expectation in expectations {
            for key in ["field", "expected", "actual", "ok"] {
                assert!(expectation.get(key).is_some(), "{name}: expectation lacks {key}: {expectation:#}");
            }
        }
        assert_eq!(result["status"], "pass", "{result:#}");
        assert!(result["error"].is_null(), "{result:#}");
        assert!(result["elapsed_ms"].is_u64(), "{result:#}");
    }

    let one_way = result_named(&report, "partner-one-way");
    assert_eq!(one_way["client_auth"], "none");
    assert_eq!(one_way["cert_requested"], false);
    assert_eq!(one_way["host"], "127.0.0.1");
    assert_eq!(one_way["port"], lab.one_way.port());
    assert!(one_way["servername"].is_null(), "no SNI for an IP literal");
    assert_eq!(one_way["verify_code"], 0);

    let required = result_named(&report, "partner-required");
    assert_eq!(required["client_auth"], "required");
    assert_eq!(required["cert_requested"], true);
    assert_eq!(required["ca_names_sent"], true);
    assert_eq!(required["ca_names"], serde_json::json!(["C = CH, O = Z\\C3\\BCrich Partner AG, CN = Lab Client CA"]));
    assert_eq!(required["ca_name_match"], true);
    assert_eq!(required["without_cert"]["handshake"], "ok", "TLS 1.3");
    assert_eq!(required["without_cert"]["alert"], "tlsv13 alert certificate required");
    assert_eq!(required["with_cert"]["handshake"], "ok");
    assert!(required["with_cert"]["alert"].is_null());
    let expectations = required["expectations"].as_array().expect("list");
    assert_eq!(
        expectations[0],
        serde_json::json!({"field": "client_auth", "expected": "required", "actual": "required", "ok": true})
    );
}

#[test]
fn like_writes_names_and_alerts_as_that_versions_s_client_in_every_output() {
    let lab = Lab::start();
    let checks = lab.write_checks("required");
    let run = |args: &[&str]| {
        let output = mtlscheck().arg("run").args(args).arg(&checks).assert().code(0).get_output().clone();
        stdout_json(&output)
    };
    for (like, name, alert) in [
        ("1.1.1", r"C = CH, O = Z\C3\BCrich Partner AG, CN = Lab Client CA", "tlsv13 alert certificate required"),
        ("3.6", "C=CH, O=Zürich Partner AG, CN=Lab Client CA", "tlsv13 alert certificate required"),
        (
            "OpenSSL 4.0.3 29 Sep 2026",
            "C=CH, O=Zürich Partner AG, CN=Lab Client CA",
            "tlsv13 alert certificate required",
        ),
        ("libressl", r"/C=CH/O=Z\xC3\xBCrich Partner AG/CN=Lab Client CA", "tlsv13 alert certificate required"),
    ] {
        let report = run(&["--format", "json", "--like", like]);
        let required = result_named(&report, "partner-required");
        assert_eq!(required["ca_names"], serde_json::json!([name]), "{like}: {required:#}");
        assert_eq!(required["without_cert"]["alert"], alert, "{like}");
    }
    // name_style in the file chooses the names alone; --like overrides it.
    let with_style =
        std::fs::read_to_string(&checks).unwrap().replacen("defaults:\n", "defaults:\n  name_style: rfc2253\n", 1);
    std::fs::write(&checks, &with_style).unwrap();
    crate::support::schemas::checks_file_written(&checks, &with_style);
    let report = run(&["--format", "json"]);
    let required = result_named(&report, "partner-required");
    assert_eq!(required["ca_names"], serde_json::json!([r"CN=Lab Client CA,O=Z\C3\BCrich Partner AG,C=CH"]));
    assert_eq!(required["name_style"], "rfc2253");
    let report = run(&["--format", "json", "--like", "3.5"]);
    assert_eq!(result_named(&report, "partner-required")["name_style"], "sep-comma-plus-space-escaped");
}

#[test]
fn like_values_that_name_no_imitated_version_are_usage_errors() {
    for bad in ["2.0", "1.0.2", "3", "fips"] {
        mtlscheck()
            .args(["probe", "127.0.0.1:1", "--like", bad])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("1.1.1, 3.0").and(predicate::str::contains("libressl")));
    }
}

#[test]
fn probe_like_libressl_prints_its_layout_which_compare_reads_back() {
    // LibreSSL's layout is RECONSTRUCTED FROM ITS SOURCE (no LibreSSL runs here): this checks
    // that mtlscheck's LibreSSL view is self-consistent, not that it matches a real LibreSSL.
    let lab = Lab::start();
    let target = format!("127.0.0.1:{}", lab.required.port());
    let cacert = lab.pki.path("server-ca.pem");
    let pki_args = ["--cacert", &cacert.to_string_lossy()];
    let output = mtlscheck().args(["probe", &target, "--like", "libressl"]).args(pki_args).output().unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(text.contains(" 0 s:/CN=localhost\n   i:/C=US/O=mtlscheck lab/CN=Lab Server Root CA"), "{text}");
    assert!(text.contains("New, TLSv1/SSLv3, Cipher is TLS_AES_256_GCM_SHA384"), "{text}");
    assert!(text.contains("SSL-Session:\n    Protocol  : TLSv1.3"), "{text}");
    assert!(!text.contains("Requested Signature Algorithms") && !text.contains("Verification: OK"), "{text}");
    let saved = lab.pki.write("libressl.txt", text.split("mtlscheck verdict").next().unwrap());
    let compared = mtlscheck()
        .args(["compare", &saved.to_string_lossy(), "--target", &target, "--format", "json"])
        .args(pki_args)
        .output()
        .unwrap();
    let report = stdout_json(&compared);
    assert_eq!(report["results"][0]["comparison"]["transcript_style"], "libressl", "{report:#}");
    assert_eq!(report["results"][0]["comparison"]["agree"], true, "{report:#}");
}

/// Runs `mtlscheck run <file>` and asserts a configuration error: exit 2, nothing on stdout
/// (nothing was probed), and one `mtlscheck: ` message on stderr, which it returns.
fn config_error(checks: &Path) -> String {
    let output = mtlscheck()
        .arg("run")
        .arg(checks)
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::starts_with("mtlscheck: "))
        .get_output()
        .clone();
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn config_error_for(yaml: &str) -> (TestPki, String, String) {
    let pki = TestPki::new();
    let path = pki.write("checks.yaml", yaml);
    let stderr = config_error(&path);
    (pki, path.display().to_string(), stderr)
}

#[test]
fn malformed_yaml_is_a_usage_error_naming_file_line_and_column() {
    let (_pki, file, stderr) = config_error_for("checks:\n  - name: a\n   host: 127.0.0.1\n");
    assert_eq!(
        stderr,
        format!("mtlscheck: {file}:3:4: did not find expected '-' indicator, while parsing a block collection\n")
    );
}

#[test]
fn unknown_field_is_named_with_its_location_and_the_closest_valid_field() {
    let (_pki, file, stderr) = config_error_for("checks:\n  - name: a\n    hots: 127.0.0.1\n");
    // Exact but for the list of valid fields in the middle, which grows with each new field.
    let head = format!("mtlscheck: {file}:3:5: checks[0]: unknown field `hots`, expected one of `name`, `host`, ");
    assert!(stderr.starts_with(&head), "{stderr}");
    assert!(stderr.ends_with("`; did you mean `host`?\n"), "{stderr}");
}

#[test]
fn duplicate_check_names_are_a_usage_error_naming_the_check() {
    let (_pki, file, stderr) = config_error_for(
        "checks:\n  - {name: partner, host: 127.0.0.1, port: 1}\n  - {name: partner, host: 127.0.0.1, port: 2}\n",
    );
    assert_eq!(
        stderr,
        format!(
            "mtlscheck: {file}: check 'partner': duplicate name; check names must be unique because reports are keyed \
             by them\n"
        )
    );
}

#[test]
fn empty_checks_file_is_a_usage_error() {
    let (_pki, file, stderr) = config_error_for("");
    assert_eq!(
        stderr,
        format!(
            "mtlscheck: {file}: the file is empty; it needs a `checks:` list (see checks.yaml in the mtlscheck \
             repository)\n"
        )
    );
}

#[test]
fn checks_file_with_an_empty_list_is_a_usage_error() {
    let (_pki, file, stderr) = config_error_for("checks: []\n");
    assert!(stderr.contains(&file), "{stderr}");
    assert!(stderr.contains("no checks"), "{stderr}");
}

#[test]
fn missing_checks_file_is_a_usage_error_naming_it() {
    let pki = TestPki::new();
    let missing = pki.path("no-such-checks.yaml");
    let stderr = config_error(&missing);
    assert_eq!(
        stderr,
        format!("mtlscheck: cannot read checks file {}: No such file or directory (os error 2)\n", missing.display())
    );
}

#[test]
fn missing_cert_file_is_a_usage_error_naming_the_check_and_the_path() {
    let (pki, file, stderr) = config_error_for(
        "checks:\n  - name: partner\n    host: 127.0.0.1\n    cert: no-such-cert.pem\n    key: client.key\n",
    );
    // Resolved against the checks file's folder.
    let resolved = pki.path("no-such-cert.pem");
    assert_eq!(
        stderr,
        format!(
            "mtlscheck: {file}: check 'partner': cannot read cert {}: No such file or directory (os error 2)\n",
            resolved.display()
        )
    );
}

#[test]
fn garbage_in_a_pem_cert_file_is_a_usage_error_naming_the_check_and_the_file() {
    let pki = TestPki::new();
    let garbage = pki.write("garbage.pem", "this is not a certificate\n");
    let checks = pki.write(
        "checks.yaml",
        "checks:\n  - name: partner\n    host: 127.0.0.1\n    cert: garbage.pem\n    key: client.key\n",
    );
    let stderr = config_error(&checks);
    assert_eq!(
        stderr,
        format!(
            "mtlscheck: {}: check 'partner': cert {} holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)\n",
            checks.display(),
            garbage.display()
        )
    );
}

#[test]
fn cert_without_key_is_a_usage_error_naming_the_check() {
    let (_pki, file, stderr) =
        config_error_for("checks:\n  - name: partner\n    host: 127.0.0.1\n    cert: client.pem\n");
    assert!(stderr.contains(&format!("{file}: check 'partner'")), "{stderr}");
    assert!(stderr.contains("`cert` is set without `key`"), "{stderr}");
}

#[test]
fn several_problems_in_one_file_are_all_listed_at_once() {
    let (_pki, file, stderr) =
        config_error_for("checks:\n  - {name: a, host: 127.0.0.1, cert: client.pem}\n  - {name: b, port: 443}\n");
    assert!(stderr.contains(&format!("2 problems in {file}:")), "{stderr}");
    assert!(stderr.contains("check 'a'"), "{stderr}");
    assert!(stderr.contains("check 'b': missing `host`"), "{stderr}");
}

#[test]
fn key_that_does_not_match_its_certificate_fails_that_check_yet_the_partner_is_still_probed() {
    let pki = TestPki::new();
    let server = lab_server(pki.server_config());
    let checks = pki.write(
        "checks.yaml",
        &format!(
            "defaults:
  host: 127.0.0.1
  port: {port}
  timeout: 5s
  cacert: server-ca.pem
checks:
  - name: good
    cert: client.pem
    key: client.key
    expect:
      client_auth: none
  - name: mismatched-key
    cert: client.pem
    key: server.key
    expect:
      client_auth: none
",
            port = server.port()
        ),
    );
    let output = mtlscheck().args(["run", "--format", "json"]).arg(&checks).assert().code(1).get_output().clone();
    let report = stdout_json(&output);
    let good = result_named(&report, "good");
    assert_eq!(good["status"], "pass", "{good:#}");
    assert_eq!(good["client_auth"], "none");
    // A broken credential never hides the partner: its mode is reported, the check fails for
    // the credentials, and the certificate is not presented.
    let bad = result_named(&report, "mismatched-key");
    assert_eq!(bad["status"], "fail", "{bad:#}");
    assert_eq!(bad["client_auth"], "none", "{bad:#}");
    let failed: Vec<&Value> = bad["expectations"].as_array().unwrap().iter().filter(|e| e["ok"] == false).collect();
    assert_eq!(failed.len(), 1, "{bad:#}");
    assert_eq!(failed[0]["field"], "credentials", "{bad:#}");
    let detail = failed[0]["detail"].as_str().expect("detail");
    assert!(detail.contains("does not match"), "{detail}");
    assert!(detail.contains(&pki.path("server.key").display().to_string()), "{detail}");
    assert_eq!(bad["with_cert"]["handshake"], "skipped", "{bad:#}");
    // Two connections for the good check, one (without a certificate) for the broken one.
    assert_eq!(server.connections(), 3);
}

#[test]
fn help_explains_the_exit_codes() {
    for args in [&["--help"][..], &["run", "--help"][..]] {
        mtlscheck().args(args).assert().code(0).stdout(
            predicate::str::contains("Exit codes:")
                .and(predicate::str::contains("0  every check ran"))
                .and(predicate::str::contains("1  an expectation failed"))
                .and(predicate::str::contains("2  usage or configuration error")),
        );
    }
}

#[test]
fn version_names_the_linked_openssl() {
    mtlscheck().arg("--version").assert().code(0).stdout(
        predicate::str::starts_with(format!("mtlscheck {}", env!("CARGO_PKG_VERSION")))
            .and(predicate::str::contains("OpenSSL")),
    );
}

const DEMO_SCENARIOS: [&str; 7] = [
    "one-way",
    "required-tls13",
    "required-tls12",
    "optional",
    "required-no-ca-names",
    "wrong-ca-names",
    "required-at-http",
];

#[test]
fn demo_exits_0_and_its_table_shows_every_scenario() {
    let output = mtlscheck().arg("demo").assert().code(0).get_output().clone();
    let stdout = String::from_utf8_lossy(&output.stdout);
    for name in DEMO_SCENARIOS {
        let row = stdout
            .lines()
            .find(|l| l.starts_with(&format!("| {name} ")))
            .unwrap_or_else(|| panic!("no table row for {name} in:\n{stdout}"));
        assert!(row.contains("PASS"), "{row}");
    }
    assert!(stdout.contains("7 checks: 7 ok, 0 failed, 0 errors"), "{stdout}");
}

#[test]
fn demo_json_is_valid_json_with_every_scenario_passing() {
    let output = mtlscheck().args(["demo", "--format", "json"]).assert().code(0).get_output().clone();
    let report = stdout_json(&output);
    let results = report["results"].as_array().expect("results is a list");
    let names: Vec<&str> = results.iter().filter_map(|r| r["name"].as_str()).collect();
    assert_eq!(names, DEMO_SCENARIOS);
    for result in results {
        assert_eq!(result["status"], "pass", "{result:#}");
    }
}

/// Every 24-character run of the key's base64 body: catches a leaked line or a fragment of one.
fn key_fragments(pem: &str) -> Vec<String> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect::<Vec<_>>().concat();
    assert!(body.len() > 64, "expected a PEM key body, got {pem:?}");
    let chars: Vec<char> = body.chars().collect();
    chars.windows(24).map(|w| w.iter().collect()).collect()
}

#[test]
fn no_private_key_material_appears_in_any_output() {
    let pki = TestPki::new();
    let config = pki.required_config();
    let server = lab_server(config);
    let checks = pki.write(
        "checks.yaml",
        &format!(
            "defaults:
  host: 127.0.0.1
  port: {port}
  timeout: 5s
  cacert: server-ca.pem
  cert: client.pem
checks:
  - name: with-our-key
    key: client.key
  - name: with-the-wrong-key
    key: server.key
",
            port = server.port()
        ),
    );
    let mut fragments = Vec::new();
    for key in ["client.key", "server.key"] {
        let pem = std::fs::read_to_string(pki.path(key)).expect("read key");
        fragments.extend(key_fragments(&pem));
    }
    let runs: [&[&str]; 3] = [&["run", "-vv"], &["run", "-vv", "--format", "json"], &["run", "--format", "json"]];
    for args in runs {
        let output = mtlscheck().args(args).arg(&checks).assert().code(1).get_output().clone();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stdout.contains("with-our-key"), "{args:?}: {stdout}");
        if args.contains(&"-vv") {
            assert!(stderr.contains("probing with-our-key"), "-vv logs: {stderr}");
        }
        for fragment in &fragments {
            assert!(
                !stdout.contains(fragment.as_str()) && !stderr.contains(fragment.as_str()),
                "{args:?}: key material {fragment:?} in the output"
            );
        }
        assert!(!stdout.contains("PRIVATE KEY-----"), "{args:?}: {stdout}");
        assert!(!stderr.contains("PRIVATE KEY-----"), "{args:?}: {stderr}");
    }
}
