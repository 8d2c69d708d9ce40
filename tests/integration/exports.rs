//! Exports from one real run: the table on stdout plus JSON, JUnit XML (validated with xmllint
//! against the Ant/Jenkins `tests/JUnit.xsd`), CSV (parsed back) and Markdown files; `--output`
//! paths checked before any probe; no colour or escape codes off a terminal or with NO_COLOR.

use std::path::{Path, PathBuf};
use std::process::Command;

use mtlscheck::lab::LabServer;

use crate::support::runs::{ClosedPort, json_file, mtlscheck, result_names, stderr_text, stdout_text};
use crate::support::{TestPki, lab_server};

const FAILING: &str = "needs-optional <&> \"quoted\"";

/// Three checks: one passes, one fails an expectation, one cannot be probed (closed port).
struct Run {
    pki: TestPki,
    checks: PathBuf,
    one_way: LabServer,
    _required: LabServer,
    _closed: ClosedPort,
}

impl Run {
    fn start() -> Run {
        let pki = TestPki::new();
        let one_way = lab_server(pki.server_config());
        let required = pki.required_config();
        let required = lab_server(required);
        let closed = ClosedPort::reserve();
        let checks = pki.write(
            "checks.yaml",
            &format!(
                "defaults:
  host: 127.0.0.1
  timeout: 3s
  cacert: server-ca.pem
  cert: client.pem
  key: client.key
checks:
  - name: passes
    port: {one_way}
    expect: {{client_auth: none}}
  - name: '{FAILING}'
    port: {required}
    expect: {{client_auth: optional, ca_name_match: true}}
  - name: unreachable
    port: {closed}
",
                one_way = one_way.port(),
                required = required.port(),
                closed = closed.port
            ),
        );
        Run { pki, checks, one_way, _required: required, _closed: closed }
    }
}

fn junit_xsd() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/JUnit.xsd")
}

/// `xmllint` (libxml2-utils, installed by .ci/run) on a file: validation or an XPath value.
fn xmllint(args: &[&str], file: &Path) -> (bool, String, String) {
    let output = Command::new("xmllint")
        .args(args)
        .arg(file)
        .output()
        .expect("xmllint must be installed (Debian libxml2-utils; .ci/run installs it)");
    (output.status.success(), stdout_text(&output), stderr_text(&output))
}

fn xpath(file: &Path, expression: &str) -> String {
    let (ok, stdout, stderr) = xmllint(&["--xpath", expression], file);
    assert!(ok, "xmllint --xpath {expression}: {stderr}");
    stdout.strip_suffix('\n').unwrap_or(&stdout).to_string()
}

#[test]
fn one_run_writes_the_table_to_stdout_and_json_junit_csv_and_markdown_files() {
    let run = Run::start();
    let out = |file: &str| run.pki.path(file);
    let output = mtlscheck()
        .arg("run")
        .arg(&run.checks)
        .args(["-o", "report.json", "-o", "junit.xml", "-o", "csv:report.data", "--output", "report.md"])
        .current_dir(run.pki.dir.path())
        .assert()
        .code(1)
        .get_output()
        .clone();
    let table = stdout_text(&output);
    assert!(table.lines().any(|l| l.starts_with("| passes ")), "the table is on stdout:\n{table}");
    assert!(table.contains("3 checks: 1 ok, 1 failed, 1 error"), "{table}");

    let report = json_file(&out("report.json"));
    assert_eq!(result_names(&report), ["passes", FAILING, "unreachable"]);

    // JUnit: valid against the schema Jenkins' and GitLab's readers share.
    let junit = out("junit.xml");
    let (valid, _, stderr) = xmllint(&["--noout", "--schema", &junit_xsd().display().to_string()], &junit);
    assert!(valid, "junit.xml does not validate against tests/JUnit.xsd:\n{stderr}");
    assert_eq!(xpath(&junit, "string(/testsuite/@tests)"), "3");
    assert_eq!(xpath(&junit, "string(/testsuite/@failures)"), "1");
    assert_eq!(xpath(&junit, "string(/testsuite/@errors)"), "1");
    assert_eq!(xpath(&junit, "count(/testsuite/testcase[@classname='mtlscheck'])"), "3");
    assert_eq!(xpath(&junit, "count(/testsuite/testcase[@name='passes']/*)"), "0", "a pass has no child");
    let failing = format!("/testsuite/testcase[@name='{FAILING}']");
    assert_eq!(
        xpath(&junit, &format!("string({failing}/failure/@message)")),
        r#"expected client_auth = "optional", got "required""#,
        "the message names the failed expectation, escaping undone by the reader"
    );
    assert_eq!(xpath(&junit, &format!("string({failing}/failure/@type)")), "expectation");
    let body = xpath(&junit, &format!("string({failing}/failure)"));
    assert!(body.contains("2-way required") && body.contains("Acceptable client certificate CA names"), "{body}");
    let error = xpath(&junit, "string(/testsuite/testcase[@name='unreachable']/error/@message)");
    assert!(error.contains("refused"), "{error}");
    let time = xpath(&junit, "string(/testsuite/testcase[@name='passes']/@time)");
    assert!(time.parse::<f64>().is_ok_and(|t| t > 0.0 && t < 10.0), "{time}");
    let summary = xpath(&junit, "string(/testsuite/system-out)");
    assert_eq!(summary.lines().count(), 3, "one verdict line per check:\n{summary}");
    assert!(summary.lines().next().is_some_and(|l| l.starts_with("passes (127.0.0.1:") && l.contains("1-way")));

    // CSV: parsed back, one row per check with the header's columns.
    let mut reader = csv::Reader::from_path(out("report.data")).expect("csv");
    let header: Vec<String> = reader.headers().expect("header").iter().map(str::to_string).collect();
    assert_eq!(header.first().map(String::as_str), Some("name"));
    let column = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"));
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), 3);
    let cells = |name: &str| rows.iter().map(|r| r[column(name)].to_string()).collect::<Vec<_>>();
    assert_eq!(cells("name"), ["passes", FAILING, "unreachable"]);
    assert_eq!(cells("status"), ["pass", "fail", "error"]);
    assert_eq!(cells("client_auth"), ["none", "required", "error"]);
    assert_eq!(cells("ca_names")[1], r"C = CH, O = Z\C3\BCrich Partner AG, CN = Lab Client CA");
    assert_eq!(cells("problems")[1], r#"expected client_auth = "optional", got "required""#);
    assert_eq!(cells("port")[0], run.one_way.port().to_string());

    // Markdown: a table row per check, cells escaped.
    let markdown = std::fs::read_to_string(out("report.md")).expect("report.md");
    let rows: Vec<&str> = markdown.lines().filter(|l| l.starts_with("| ")).collect();
    assert_eq!(rows.len(), 4, "header and one row per check:\n{markdown}");
    assert!(markdown.contains("|---|"), "{markdown}");
    assert!(rows[2].starts_with("| needs-optional &lt;&&gt; \"quoted\" | "), "{}", rows[2]);
    assert!(rows[1].contains("**PASS**") && rows[2].contains("**FAIL**") && rows[3].contains("**ERROR**"));
    assert!(markdown.contains("### Problems"), "{markdown}");
}

#[test]
fn each_format_can_go_to_stdout_and_none_has_escape_codes_off_a_terminal() {
    let run = Run::start();
    for format in ["table", "json", "junit", "csv", "markdown"] {
        let output =
            mtlscheck().arg("run").arg(&run.checks).args(["--format", format]).assert().code(1).get_output().clone();
        let stdout = stdout_text(&output);
        assert!(stdout.contains("passes"), "{format}:\n{stdout}");
        assert!(!stdout.contains('\u{1b}'), "{format}: escape codes in piped output:\n{stdout}");
    }
    // `FORMAT:-` replaces the stdout format.
    let output = mtlscheck().arg("run").arg(&run.checks).args(["-o", "junit:-"]).assert().code(1).get_output().clone();
    assert!(stdout_text(&output).starts_with("<?xml"), "{}", stdout_text(&output));
}

/// Runs the table through a pseudo-terminal (`script`), as an operator at a terminal sees it.
/// Only stdout: the progress bar on stderr moves the cursor with escape codes, which is not
/// colour (batch.rs covers it).
fn on_a_terminal(checks: &Path, no_color: bool) -> String {
    let binary = assert_cmd::cargo::cargo_bin!("mtlscheck");
    let command = format!("{} run {} 2>/dev/null", binary.display(), checks.display());
    let mut script = Command::new("timeout");
    script.args(["60", "script", "-qec", &command, "/dev/null"]).env("TERM", "xterm").env_remove("NO_COLOR");
    if no_color {
        script.env("NO_COLOR", "1");
    }
    let output = script.output().expect("script (util-linux) runs the command on a pseudo-terminal");
    stdout_text(&output)
}

#[test]
fn colour_only_on_a_terminal_and_never_with_no_color() {
    let run = Run::start();
    let coloured = on_a_terminal(&run.checks, false);
    assert!(coloured.contains("passes"), "{coloured}");
    assert!(coloured.contains("\u{1b}["), "a terminal gets a coloured result column:\n{coloured}");
    let plain = on_a_terminal(&run.checks, true);
    assert!(plain.contains("passes"), "{plain}");
    assert!(!plain.contains('\u{1b}'), "NO_COLOR: no escape codes at all:\n{plain}");
}

#[test]
fn bad_output_paths_are_usage_errors_before_any_probe() {
    let run = Run::start();
    let folder = run.pki.dir.path().display().to_string();
    let missing_folder = run.pki.path("no-such-folder/report.json").display().to_string();
    for (args, says) in [
        (vec!["-o", missing_folder.as_str()], "does not exist"),
        (vec!["-o", &format!("json:{folder}")], "is a directory"),
        (vec!["-o", "report.dat"], "cannot tell the format of \"report.dat\""),
        (vec!["-o", "-", "-o", "json:-"], "only one --output can go to standard output"),
        (vec!["-o", "a.json", "-o", "json:a.json"], "is given twice"),
    ] {
        let output = mtlscheck()
            .arg("run")
            .arg(&run.checks)
            .args(&args)
            .current_dir(run.pki.dir.path())
            .assert()
            .code(2)
            .get_output()
            .clone();
        let stderr = stderr_text(&output);
        assert!(stderr.contains(says), "{args:?}: {stderr}");
        assert!(stdout_text(&output).is_empty(), "{args:?}");
    }
    assert_eq!(run.one_way.connections(), 0, "nothing was probed");
    assert!(!run.pki.path("a.json").exists());
}
