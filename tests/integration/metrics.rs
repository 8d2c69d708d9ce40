//! `-o metrics.prom`: the node_exporter textfile-collector format from one real run, checked
//! by Prometheus' own `promtool check metrics` (syntax and lint), then read back sample by
//! sample: state sets for verdict and result, expiry timestamps, CA-name counts, drift, the
//! run's timestamp and success, and label values escaped for a check name with quotes and a
//! backslash.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::support::runs::json_file;
use crate::support::varied_run::{HOSTILE_CHECK, SOON_DAYS, VariedRun};

/// `promtool check metrics` (Debian's prometheus package) on `text`: success and its output.
fn promtool(text: &str) -> (bool, String) {
    let mut child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promtool must be installed (Debian prometheus; .ci/run installs it)");
    child.stdin.take().expect("stdin").write_all(text.as_bytes()).expect("write to promtool");
    let output = child.wait_with_output().expect("promtool");
    let said = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    (output.status.success(), said)
}

/// The value of the one sample whose line starts with `series` (name and labels).
fn sample(text: &str, series: &str) -> f64 {
    let values: Vec<f64> = text
        .lines()
        .filter_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .map(|value| value.parse().expect("a number"))
        .collect();
    assert_eq!(values.len(), 1, "expected one sample {series} in:\n{text}");
    values[0]
}

fn escaped(label: &str) -> String {
    label.replace('\\', "\\\\").replace('"', "\\\"")
}

#[test]
fn metrics_pass_promtool_and_say_what_the_report_says() {
    let run = VariedRun::start();
    run.run(&["metrics.prom", "report.json"]);
    let text = std::fs::read_to_string(run.pki.path("metrics.prom")).expect("metrics.prom");
    let (ok, said) = promtool(&text);
    assert!(ok && said.trim().is_empty(), "promtool check metrics:\n{said}\n{text}");

    let report = json_file(&run.pki.path("report.json"));
    let target = |name: &str| {
        let r = crate::support::result_named(&report, name);
        format!("{}:{}", r["host"].as_str().expect("host"), r["port"])
    };
    let labels = |name: &str| format!("check=\"{}\",target=\"{}\"", escaped(name), target(name));

    assert_eq!(sample(&text, "mtlscheck_run_success"), 0.0);
    assert_eq!(sample(&text, "mtlscheck_checks{result=\"fail\"}"), 1.0);
    assert_eq!(sample(&text, "mtlscheck_checks{result=\"error\"}"), 1.0);
    assert_eq!(sample(&text, "mtlscheck_checks{result=\"pass\"}"), 3.0);
    let started = sample(&text, "mtlscheck_run_timestamp_seconds");
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs_f64();
    assert!((now - 120.0..=now).contains(&started), "run started {started}, now {now}");

    // State sets: the hostile check failed, with a required verdict; the others read 0.
    let hostile = labels(HOSTILE_CHECK);
    assert!(hostile.contains(r#"\"quoted\" \\ back"#), "{hostile}");
    assert_eq!(sample(&text, &format!("mtlscheck_check_result{{{hostile},result=\"fail\"}}")), 1.0);
    assert_eq!(sample(&text, &format!("mtlscheck_check_result{{{hostile},result=\"pass\"}}")), 0.0);
    assert_eq!(sample(&text, &format!("mtlscheck_check_verdict{{{hostile},verdict=\"required\"}}")), 1.0);
    assert_eq!(sample(&text, &format!("mtlscheck_check_verdict{{{hostile},verdict=\"optional\"}}")), 0.0);
    assert_eq!(sample(&text, &format!("mtlscheck_check_ca_names{{{hostile}}}")), 1.0);
    assert_eq!(sample(&text, &format!("mtlscheck_check_our_ca_listed{{{hostile}}}")), 0.0);
    let unreachable = labels("unreachable");
    assert_eq!(sample(&text, &format!("mtlscheck_check_verdict{{{unreachable},verdict=\"error\"}}")), 1.0);
    assert!(!text.contains(&format!("mtlscheck_check_ca_names{{{unreachable}}}")), "no CA-name count without a probe");

    // Expiry as timestamps: days left = (value - now) / 86400.
    let days_left = |name: &str, whose: &str| {
        (sample(&text, &format!("mtlscheck_check_{whose}_cert_expiry_timestamp_seconds{{{}}}", labels(name))) - now)
            / 86_400.0
    };
    assert!((-11.0..-9.0).contains(&days_left("expired-server", "server")));
    let soon = days_left(HOSTILE_CHECK, "server");
    assert!((f64::from(SOON_DAYS) - 1.0..f64::from(SOON_DAYS)).contains(&soon), "{soon}");
    assert!((363.0..366.0).contains(&days_left("one-way", "client")));

    // The identities of `drifting`, and its impostor (refused: the partner verifies).
    let identity = |name: &str| format!("{},identity=\"{name}\"", labels("drifting"));
    assert_eq!(sample(&text, &format!("mtlscheck_identity_accepted{{{}}}", identity("current"))), 1.0);
    assert_eq!(sample(&text, &format!("mtlscheck_identity_accepted{{{}}}", identity("next"))), 0.0);
    let next_days =
        (sample(&text, &format!("mtlscheck_identity_cert_expiry_timestamp_seconds{{{}}}", identity("next"))) - now)
            / 86_400.0;
    assert!((398.0..401.0).contains(&next_days), "{next_days}");
    assert_eq!(sample(&text, &format!("mtlscheck_check_verifies_client_cert{{{}}}", labels("drifting"))), 1.0);

    // Drift since the baseline, and the probe's duration.
    assert!(sample(&text, &format!("mtlscheck_check_changes{{{}}}", labels("drifting"))) >= 1.0);
    assert_eq!(sample(&text, &format!("mtlscheck_check_changes{{{}}}", labels("one-way"))), 0.0);
    let seconds = sample(&text, &format!("mtlscheck_check_probe_duration_seconds{{{}}}", labels("one-way")));
    assert!(seconds > 0.0 && seconds < 10.0, "{seconds}");
}
