//! `--baseline` against a report produced by a real run: a partner's server changes (another
//! auth mode, other CA names, another protocol) and the next run lists exactly what changed;
//! `--fail-on-change` fails it; names spelled by another OpenSSL are not a change; a bad baseline
//! file is a usage error.

use mtlscheck::lab::{LabClientAuth, LabServer};
use serde_json::{Value, json};

use crate::support::runs::{json_file, mtlscheck, result_named, stderr_text, stdout_json, stdout_text};
use crate::support::{TestPki, lab_server};

const OUR_CA: &str = r"C = CH, O = Z\C3\BCrich Partner AG, CN = Lab Client CA";
const OTHER_CA: &str = r#"C = US, O = "Other Org, Inc.", CN = Other Client CA"#;

/// Two partners; `stable` stays as it is, `drifting` is whichever server the test points it at.
fn stable_and_drifting_checks(stable: &LabServer, drifting: &LabServer) -> String {
    format!(
        "defaults:
  host: 127.0.0.1
  timeout: 5s
  cacert: server-ca.pem
  cert: client.pem
  key: client.key
checks:
  - name: stable
    port: {stable}
  - name: drifting
    port: {drifting}
    expect:
      with_cert: any   # the drift, not the refusal, is under test
",
        stable = stable.port(),
        drifting = drifting.port()
    )
}

fn changes(result: &Value) -> Vec<Value> {
    result["changes"].as_array().unwrap_or_else(|| panic!("changes is not a list: {result:#}")).clone()
}

fn change<'a>(changes: &'a [Value], field: &str) -> &'a Value {
    changes.iter().find(|c| c["field"] == field).unwrap_or_else(|| panic!("no change of {field} in {changes:#?}"))
}

#[test]
fn a_second_run_lists_what_changed_at_each_endpoint_since_the_baseline() {
    let pki = TestPki::new();
    let stable = lab_server(pki.server_config());
    // Last night: 2-way required, TLS 1.3, our CA named.
    let mut before = pki.server_config().tls13_only();
    before.client_auth = LabClientAuth::Required;
    let before = lab_server(before);
    let checks = pki.write("checks.yaml", &stable_and_drifting_checks(&stable, &before));
    let baseline = pki.path("last-night.json");
    mtlscheck().arg("run").arg(&checks).arg("--output").arg(&baseline).assert().code(0);
    assert!(json_file(&baseline)["results"].as_array().is_some_and(|r| r.len() == 2));

    // Tonight the partner serves TLS 1.2, asks optionally, and trusts (and names) another CA
    // instead of ours.
    let mut after = pki.server_config().tls12_only();
    after.client_auth = LabClientAuth::Optional;
    after.trusted_client_cas = vec![pki.pki.other_ca.cert.clone()];
    let after = lab_server(after);
    let checks = pki.write("checks.yaml", &stable_and_drifting_checks(&stable, &after));
    let output = mtlscheck()
        .args(["run", "--format", "json", "--baseline"])
        .arg(&baseline)
        .arg(&checks)
        .assert()
        .code(0)
        .get_output()
        .clone();
    let report = stdout_json(&output);
    assert_eq!(
        report["baseline"],
        json!({"file": baseline.display().to_string(), "new_checks": [], "missing_checks": []})
    );
    assert_eq!(changes(result_named(&report, "stable")), Vec::<Value>::new(), "nothing changed at the stable partner");
    let drifting = result_named(&report, "drifting");
    assert_eq!(drifting["status"], "pass", "changes alone do not fail a check: {drifting:#}");
    let found = changes(drifting);
    let fields: Vec<&str> = found.iter().map(|c| c["field"].as_str().expect("field")).collect();
    assert_eq!(fields, ["client_auth", "enforced_at", "ca_names", "protocol", "cipher", "with_cert"], "{found:#?}");
    assert_eq!(
        change(&found, "client_auth"),
        &json!({"field": "client_auth", "before": "required", "after": "optional",
                "summary": "client auth: required -> optional"})
    );
    let names = change(&found, "ca_names");
    assert_eq!(names["added"], json!([OTHER_CA]));
    assert_eq!(names["removed"], json!([OUR_CA]));
    assert_eq!(names["summary"], format!("CA names: added {OTHER_CA}; removed {OUR_CA}"));
    assert_eq!(change(&found, "protocol")["summary"], "protocol: TLSv1.3 -> TLSv1.2");
    // The server no longer trusts our CA, so it refuses our certificate.
    assert_eq!(change(&found, "with_cert")["summary"], "with our certificate: ok -> tlsv1 alert unknown ca");

    // The table's section says the same, and --fail-on-change turns it into a failure, which
    // JUnit reports with the changes as its message.
    let junit = pki.path("junit.xml");
    let output = mtlscheck()
        .args(["run", "--fail-on-change", "--baseline"])
        .arg(&baseline)
        .arg(&checks)
        .arg("-o")
        .arg(&junit)
        .assert()
        .code(1)
        .get_output()
        .clone();
    let table = crate::support::runs::unwrapped(&stdout_text(&output));
    let section = format!("\nChanges since baseline ({}):\n", baseline.display());
    let (_, listed) = table.split_once(&section).unwrap_or_else(|| panic!("no {section:?} in:\n{table}"));
    assert!(listed.contains("  drifting: client auth: required -> optional\n"), "{table}");
    assert!(listed.contains(&format!("  drifting: CA names: added {OTHER_CA}; removed {OUR_CA}\n")), "{table}");
    assert!(!listed.contains("stable:"), "{table}");
    let row = table.lines().find(|l| l.starts_with("| drifting ")).expect("drifting row");
    assert!(row.contains("FAIL"), "{row}");
    assert!(table.contains("drifting: changed since baseline: client auth: required -> optional"), "{table}");
    let row = table.lines().find(|l| l.starts_with("| stable ")).expect("stable row");
    assert!(row.contains("OK"), "{row}");
    let xml = std::fs::read_to_string(&junit).expect("junit.xml");
    assert!(
        xml.contains(r#"<failure message="changed since baseline: client auth: required -&gt; optional; "#),
        "{xml}"
    );
    assert!(xml.contains(r#"type="changed">"#), "{xml}");
}

#[test]
fn names_spelled_by_another_openssl_and_new_or_removed_checks_are_not_changes() {
    let pki = TestPki::new();
    let stable = lab_server(pki.server_config());
    let required = pki.required_config();
    let required = lab_server(required);
    let checks = pki.write("checks.yaml", &stable_and_drifting_checks(&stable, &required));
    let output = mtlscheck().args(["run", "--format", "json"]).arg(&checks).assert().code(0).get_output().clone();
    let mut report = stdout_json(&output);
    // As if last night's report came from OpenSSL 3.2 (`C=CH, O=Zürich ...`), had one more
    // check, and lacked `stable` (added to the file since).
    let results = report["results"].as_array_mut().expect("results");
    results.retain(|r| r["name"] != "stable");
    let drifting = &mut results[0];
    drifting["ca_names"] = json!(["C=CH, O=Zürich Partner AG, CN=Lab Client CA"]);
    drifting["peer_chain"][0]["subject"] = json!("CN=localhost");
    drifting["peer_chain"][0]["issuer"] = json!("C=US, O=mtlscheck lab, CN=Lab Server Root CA");
    let mut retired = drifting.clone();
    retired["name"] = json!("retired-partner");
    results.push(retired);
    let baseline = pki.write("baseline.json", &report.to_string());

    let output = mtlscheck()
        .args(["run", "--format", "json", "--fail-on-change", "--baseline"])
        .arg(&baseline)
        .arg(&checks)
        .assert()
        .code(0)
        .get_output()
        .clone();
    let report = stdout_json(&output);
    assert_eq!(result_named(&report, "drifting")["changes"], json!([]), "{report:#}");
    assert!(result_named(&report, "stable")["changes"].is_null(), "not in the baseline: not compared");
    assert_eq!(report["baseline"]["new_checks"], json!(["stable"]));
    assert_eq!(report["baseline"]["missing_checks"], json!(["retired-partner"]));
}

#[test]
fn the_report_can_replace_its_own_baseline_in_one_run() {
    let pki = TestPki::new();
    let stable = lab_server(pki.server_config());
    let checks = pki.write("checks.yaml", &stable_and_drifting_checks(&stable, &stable));
    let report = pki.path("report.json");
    mtlscheck().arg("run").arg(&checks).arg("-o").arg(&report).assert().code(0);
    let first = json_file(&report);
    // Read as the baseline first, then replaced by tonight's report.
    mtlscheck().arg("run").arg(&checks).arg("--baseline").arg(&report).arg("-o").arg(&report).assert().code(0);
    let second = json_file(&report);
    assert!(first["baseline"].is_null());
    assert_eq!(second["baseline"]["file"], report.display().to_string());
    assert_eq!(result_named(&second, "stable")["changes"], json!([]));
}

#[test]
fn a_missing_or_invalid_baseline_is_a_usage_error_naming_the_file_before_any_probe() {
    let pki = TestPki::new();
    let server = lab_server(pki.server_config());
    let checks = pki.write("checks.yaml", &stable_and_drifting_checks(&server, &server));
    let missing = pki.path("no-such-report.json");
    let not_a_report = pki.write("not-a-report.json", "{\"results\": 42}\n");
    let not_json = pki.write("notes.txt", "last night was fine\n");
    for (file, says) in [
        (&missing, "cannot read"),
        (&not_a_report, "not an mtlscheck JSON report"),
        (&not_json, "not an mtlscheck JSON report"),
    ] {
        let output =
            mtlscheck().arg("run").arg(&checks).arg("--baseline").arg(file).assert().code(2).get_output().clone();
        let stderr = stderr_text(&output);
        assert!(stderr.starts_with("mtlscheck: --baseline "), "{stderr}");
        assert!(stderr.contains(&file.display().to_string()) && stderr.contains(says), "{stderr}");
        assert!(stdout_text(&output).is_empty());
    }
    assert_eq!(server.connections(), 0, "nothing was probed");
    // --fail-on-change without a baseline makes no sense.
    mtlscheck().arg("run").arg(&checks).arg("--fail-on-change").assert().code(2);
}
