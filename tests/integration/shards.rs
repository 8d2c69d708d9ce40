//! `--shard K/N` and `merge`: shard reports of real runs joined back into the full run's
//! results, in the checks file's order, with one exit code; duplicates, unreadable reports and
//! bad shard values refused.

use std::path::PathBuf;

use mtlscheck::lab::LabServer;
use serde_json::{Value, json};

use crate::support::runs::{json_file, mtlscheck, result_names, stderr_text, stdout_json, stdout_text};
use crate::support::{TestPki, lab_server};

/// Five checks against two lab servers; `fourth` fails its expectation when `fail` is set.
struct Fleet {
    pki: TestPki,
    checks: PathBuf,
    one_way: LabServer,
    _required: LabServer,
}

const NAMES: [&str; 5] = ["first", "second", "third", "fourth", "fifth"];

impl Fleet {
    fn start(fail: bool) -> Fleet {
        let pki = TestPki::new();
        let one_way = lab_server(pki.server_config());
        let required = pki.required_config();
        let required = lab_server(required);
        let fourth_expects = if fail { "optional" } else { "required" };
        let checks = pki.write(
            "checks.yaml",
            &format!(
                "defaults:
  host: 127.0.0.1
  timeout: 5s
  cacert: server-ca.pem
  cert: client.pem
  key: client.key
checks:
  - {{name: first, port: {one_way}}}
  - {{name: second, port: {required}}}
  - {{name: third, port: {one_way}}}
  - {{name: fourth, port: {required}, expect: {{client_auth: {fourth_expects}}}}}
  - {{name: fifth, port: {one_way}}}
",
                one_way = one_way.port(),
                required = required.port()
            ),
        );
        Fleet { pki, checks, one_way, _required: required }
    }

    /// `run` with `args`, the JSON report written to `file`; returns the report.
    fn run(&self, args: &[&str], file: &str, code: i32) -> Value {
        let path = self.pki.path(file);
        mtlscheck().arg("run").arg(&self.checks).args(args).arg("-o").arg(&path).assert().code(code);
        json_file(&path)
    }

    fn merge(&self, files: &[&str], code: i32) -> std::process::Output {
        mtlscheck()
            .arg("merge")
            .args(files.iter().map(|f| self.pki.path(f)))
            .args(["--format", "json"])
            .assert()
            .code(code)
            .get_output()
            .clone()
    }
}

/// A result without what differs from run to run (timings, the address's ephemeral details).
fn stable_view(result: &Value) -> Value {
    json!({
        "name": result["name"], "client_auth": result["client_auth"], "status": result["status"],
        "ca_names": result["ca_names"], "protocol": result["protocol"], "with_cert": result["with_cert"]["handshake"],
        "expectations": result["expectations"],
    })
}

#[test]
fn two_shards_merged_give_the_full_runs_results_in_the_checks_file_order() {
    let fleet = Fleet::start(false);
    let full = fleet.run(&[], "full.json", 0);
    assert!(full.get("shard").is_none(), "an unsharded report has no shard key");
    let one = fleet.run(&["--shard", "1/2"], "shard-1.json", 0);
    let two = fleet.run(&["--shard", "2/2"], "shard-2.json", 0);
    assert_eq!(one["shard"], "1/2");
    assert_eq!(two["shard"], "2/2");
    assert_eq!(result_names(&one), ["first", "third", "fifth"]);
    assert_eq!(result_names(&two), ["second", "fourth"]);

    // Given in any order, merged back in the file's order.
    let merged = stdout_json(&fleet.merge(&["shard-2.json", "shard-1.json"], 0));
    assert_eq!(result_names(&merged), NAMES);
    assert!(merged.get("shard").is_none());
    let view =
        |report: &Value| report["results"].as_array().expect("results").iter().map(stable_view).collect::<Vec<_>>();
    assert_eq!(view(&merged), view(&full));
    let earliest = [&one, &two].map(|r| r["started_at"].as_str().expect("started_at").to_string()).into_iter().min();
    assert_eq!(merged["started_at"].as_str().map(str::to_string), earliest);

    // The table of a shard says which shard it is.
    let output =
        mtlscheck().arg("run").arg(&fleet.checks).args(["--shard", "2/2"]).assert().code(0).get_output().clone();
    assert!(stdout_text(&output).contains("2 checks: 2 ok, 0 failed, 0 errors (OpenSSL: "), "{}", stdout_text(&output));
    assert!(stdout_text(&output).contains(", shard 2/2)"));
}

#[test]
fn merge_exits_with_the_combined_code_and_writes_every_format() {
    let fleet = Fleet::start(true);
    fleet.run(&["--shard", "1/2"], "shard-1.json", 0);
    fleet.run(&["--shard", "2/2"], "shard-2.json", 1);
    let junit = fleet.pki.path("merged.xml");
    let output = mtlscheck()
        .arg("merge")
        .arg(fleet.pki.path("shard-1.json"))
        .arg(fleet.pki.path("shard-2.json"))
        .arg("-o")
        .arg(&junit)
        .assert()
        .code(1)
        .get_output()
        .clone();
    let table = stdout_text(&output);
    assert!(table.contains("5 checks: 4 ok, 1 failed, 0 errors"), "{table}");
    assert!(table.contains(r#"fourth: expected client_auth = "optional", got "required""#), "{table}");
    let xml = std::fs::read_to_string(&junit).expect("merged.xml");
    assert!(xml.contains(r#"tests="5" failures="1" errors="0""#), "{xml}");

    // A missing shard fails the merge: its checks went unchecked.
    let output = fleet.merge(&["shard-1.json"], 1);
    assert_eq!(result_names(&stdout_json(&output)), ["first", "third", "fifth"]);
    assert!(stderr_text(&output).contains("no report for shard 2/2"), "{}", stderr_text(&output));
}

#[test]
fn merge_refuses_duplicates_and_unreadable_reports() {
    let fleet = Fleet::start(false);
    fleet.run(&["--shard", "1/2"], "shard-1.json", 0);
    fleet.run(&[], "full.json", 0);
    let output = fleet.merge(&["shard-1.json", "full.json"], 2);
    let stderr = stderr_text(&output);
    let (shard_file, full_file) = (fleet.pki.path("shard-1.json"), fleet.pki.path("full.json"));
    assert!(
        stderr.contains(&format!("check 'first' is in {} and {}", shard_file.display(), full_file.display())),
        "{stderr}"
    );
    assert!(stdout_text(&output).is_empty());
    let output = fleet.merge(&["shard-1.json", "shard-1.json"], 2);
    assert!(stderr_text(&output).contains("check 'first' is twice in"), "{}", stderr_text(&output));

    fleet.pki.write("broken.json", "{\"results\": [");
    let output = fleet.merge(&["shard-1.json", "broken.json", "absent.json"], 2);
    let stderr = stderr_text(&output);
    assert!(stderr.contains(&format!("{}: not an mtlscheck JSON report", fleet.pki.path("broken.json").display())));
    assert!(stderr.contains(&format!("cannot read report {}", fleet.pki.path("absent.json").display())), "{stderr}");
}

#[test]
fn bad_shard_values_are_usage_errors_before_any_probe() {
    let fleet = Fleet::start(false);
    for bad in ["0/2", "3/2", "1/0", "two/4", "2"] {
        let output =
            mtlscheck().arg("run").arg(&fleet.checks).args(["--shard", bad]).assert().code(2).get_output().clone();
        let stderr = stderr_text(&output);
        assert!(stderr.contains(&format!("invalid shard \"{bad}\"")) && stderr.contains("write K/N"), "{stderr}");
    }
    assert_eq!(fleet.one_way.connections(), 0);
}
