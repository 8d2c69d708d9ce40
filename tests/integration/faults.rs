//! Faults of this machine met by a real run: outputs that are devices, FIFOs, symbolic links,
//! sockets or on a full disk; the umask; SIGINT and SIGTERM mid-batch (partial report, no
//! temporary file left); a low open-file limit and running out of descriptors mid-run; and the
//! same JSON report whatever `--jobs`.

use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use mtlscheck::lab::{LabClientAuth, LabServer};
use serde_json::Value;

use crate::support::child::{self, Running, binary};
use crate::support::runs::{json_file, stderr_text, stdout_text};
use crate::support::{ClosedPort, SilentPort, TestPki, checks_yaml, lab_server, mtlscheck, path_arg};

/// A 1-way lab server, a folder for the outputs, and checks files against both.
struct Lab {
    pki: TestPki,
    server: LabServer,
    out: PathBuf,
}

impl Lab {
    fn start() -> Lab {
        let pki = TestPki::new();
        let server = lab_server(pki.server_config());
        let out = pki.path("out");
        std::fs::create_dir(&out).expect("output folder");
        Lab { pki, server, out }
    }

    /// A checks file of `items` (YAML list entries) for the lab server by default.
    fn checks(&self, items: &str) -> String {
        path_arg(&self.pki.write("checks.yaml", &checks_yaml(self.server.port(), items)))
    }

    /// `count` checks `c000`, `c001`, … of the lab server.
    fn fast_checks(&self, count: usize) -> String {
        self.checks(&(0..count).map(|i| format!("  - {{name: c{i:03}}}\n")).collect::<String>())
    }

    fn out(&self, file: &str) -> PathBuf {
        self.out.join(file)
    }
}

/// The names in a folder, sorted.
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("list folder")
        .map(|entry| entry.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn temporary_files(dir: &Path) -> Vec<String> {
    entries(dir).into_iter().filter(|name| name.ends_with(".tmp")).collect()
}

fn names(list: &Value) -> Vec<String> {
    list.as_array().expect("a list").iter().map(|item| item["name"].as_str().expect("name").to_string()).collect()
}

#[test]
fn a_device_node_stays_a_device_and_a_full_device_fails_with_its_own_exit_code() {
    let lab = Lab::start();
    let checks = lab.fast_checks(2);
    let device = lab.out("null");
    let made = Command::new("mknod").arg(&device).args(["c", "1", "3"]).status().expect("mknod (coreutils)");
    assert!(made.success(), "mknod needs root, as the tests run in CI (.ci/run)");
    let report = lab.out("report.json");
    let output = mtlscheck()
        .args(["run", &checks, "-o"])
        .arg(format!("json:{}", device.display()))
        .arg("-o")
        .arg(&report)
        .assert()
        .code(0)
        .get_output()
        .clone();
    assert!(stderr_text(&output).is_empty(), "{}", stderr_text(&output));
    let kind = std::fs::symlink_metadata(&device).expect("still there").file_type();
    assert!(kind.is_char_device(), "the device node was replaced: {kind:?}");
    assert_eq!(json_file(&report)["results"].as_array().map(Vec::len), Some(2));

    // /dev/full: every write fails with ENOSPC. The file output is still written whole.
    let second = lab.out("second.json");
    let output = mtlscheck()
        .args(["run", &checks, "-o", "json:/dev/full", "-o"])
        .arg(&second)
        .assert()
        .code(3)
        .get_output()
        .clone();
    let stderr = stderr_text(&output);
    assert_eq!(
        stderr, "mtlscheck: cannot write the json report to /dev/full: No space left on device (os error 28)\n",
        "{stderr}"
    );
    assert_eq!(json_file(&second)["results"].as_array().map(Vec::len), Some(2));
    assert_eq!(temporary_files(&lab.out), Vec::<String>::new());
}

#[test]
fn symbolic_links_lead_to_their_target_and_what_cannot_be_written_is_refused_before_any_probe() {
    let lab = Lab::start();
    let checks = lab.fast_checks(1);
    let archive = lab.out("archive");
    std::fs::create_dir(&archive).expect("mkdir");
    std::fs::write(archive.join("today.json"), "old").expect("write");
    std::os::unix::fs::symlink("archive/today.json", lab.out("latest.json")).expect("symlink");
    std::os::unix::fs::symlink("archive/new.md", lab.out("dangling.md")).expect("symlink");
    mtlscheck()
        .args(["run", &checks, "-o"])
        .arg(lab.out("latest.json"))
        .arg("-o")
        .arg(lab.out("dangling.md"))
        .assert()
        .code(0);
    for link in ["latest.json", "dangling.md"] {
        assert!(std::fs::symlink_metadata(lab.out(link)).expect("link").file_type().is_symlink(), "{link}");
    }
    assert_eq!(json_file(&archive.join("today.json"))["results"][0]["name"], "c000");
    assert!(std::fs::read_to_string(archive.join("new.md")).expect("created").starts_with("## mtlscheck report"));
    assert_eq!(temporary_files(&lab.out), Vec::<String>::new());
    assert_eq!(temporary_files(&archive), Vec::<String>::new());
    let probed = lab.server.connections();

    std::os::unix::fs::symlink("archive", lab.out("folder.json")).expect("symlink");
    let socket = lab.out("control.sock");
    let _listener = std::os::unix::net::UnixListener::bind(&socket).expect("unix socket");
    std::os::unix::fs::symlink("loop.json", lab.out("loop.json")).expect("symlink");
    for (output, says) in [
        (format!("json:{}", lab.out("folder.json").display()), "is a directory: name a file in it".to_string()),
        (format!("json:{}", socket.display()), "is a socket, not a file".to_string()),
        (lab.out("loop.json").display().to_string(), "too many levels of symbolic links".to_string()),
        (
            format!("{} -o {}", lab.out("latest.json").display(), archive.join("today.json").display()),
            "are the same file: give it once".to_string(),
        ),
    ] {
        let mut command = mtlscheck();
        command.args(["run", &checks]);
        for spec in output.split(" -o ") {
            command.args(["-o", spec]);
        }
        let output = command.assert().code(2).get_output().clone();
        assert!(stderr_text(&output).contains(&says), "{says}: {}", stderr_text(&output));
        assert!(stdout_text(&output).is_empty());
    }
    assert_eq!(lab.server.connections(), probed, "nothing was probed after a refused output");
}

#[test]
fn new_reports_honour_the_umask_and_replaced_ones_keep_their_mode() {
    let lab = Lab::start();
    let checks = lab.fast_checks(1);
    let kept = lab.out("kept.json");
    std::fs::write(&kept, "old").expect("write");
    std::fs::set_permissions(&kept, std::fs::Permissions::from_mode(0o604)).expect("chmod");
    for (umask, mode) in [("027", 0o640), ("077", 0o600), ("002", 0o664)] {
        let fresh = lab.out(&format!("fresh-{umask}.json"));
        let status = Command::new("sh")
            .args(["-c", &format!("umask {umask} && exec \"$0\" \"$@\""), &path_arg(&binary()), "run", &checks, "-q"])
            .arg("-o")
            .arg(&fresh)
            .arg("-o")
            .arg(&kept)
            .stdout(std::process::Stdio::null())
            .status()
            .expect("sh");
        assert_eq!(status.code(), Some(0));
        let mode_of = |path: &Path| std::fs::metadata(path).expect("written").permissions().mode() & 0o777;
        assert_eq!(mode_of(&fresh), mode, "umask {umask}: {:o}", mode_of(&fresh));
        assert_eq!(mode_of(&kept), 0o604, "a replaced report keeps its mode");
    }
}

/// Runs `run CHECKS -o report.json -o junit.xml` on a 64 KiB tmpfs filled to the last byte,
/// in a private mount namespace; prints what the folder holds afterwards.
const FULL_DISK: &str = r#"
dir=$1; bin=$2; checks=$3; errors=$4
mount -t tmpfs -o size=64k tmpfs "$dir" || exit 99
cd "$dir" || exit 98
printf 'old json' > report.json && printf 'old junit' > junit.xml
dd if=/dev/zero of=filler bs=1k count=1000 2>/dev/null
"$bin" run "$checks" -q -o report.json -o junit.xml >/dev/null 2>"$errors"
code=$?
cat "$errors"; rm -f filler
echo "--- files:"; ls -A
echo "--- report.json:"; cat report.json; echo
echo "--- junit.xml:"; cat junit.xml; echo
exit $code
"#;

#[test]
fn a_full_disk_leaves_every_output_as_it_was() {
    let lab = Lab::start();
    let checks = lab.fast_checks(30);
    let mount_point = lab.pki.path("small-disk");
    std::fs::create_dir(&mount_point).expect("mkdir");
    let output = Command::new("unshare")
        .args(["--mount", "--propagation", "private", "--", "sh", "-c", FULL_DISK, "full-disk"])
        .arg(&mount_point)
        .arg(binary())
        .arg(&checks)
        .arg(lab.pki.path("stderr.txt"))
        .output()
        .expect("unshare (util-linux; .ci/run installs it)");
    let stdout = stdout_text(&output);
    if output.status.code() == Some(99) || stdout.is_empty() {
        eprintln!(
            "SKIPPED a_full_disk_leaves_every_output_as_it_was: cannot mount a tmpfs here (needs root and mount \
             namespaces): {}",
            stderr_text(&output)
        );
        return;
    }
    assert_eq!(output.status.code(), Some(3), "{stdout}\n{}", stderr_text(&output));
    let (messages, rest) = stdout.split_once("--- files:\n").expect("listing");
    assert_eq!(
        messages,
        "mtlscheck: cannot write the json report to report.json: No space left on device (os error 28); it was left \
         as it was\nmtlscheck: cannot write the junit report to junit.xml: No space left on device (os error 28); it \
         was left as it was\n"
    );
    let (files, contents) = rest.split_once("--- report.json:\n").expect("contents");
    assert_eq!(files.lines().collect::<Vec<_>>(), ["junit.xml", "report.json"], "no temporary file is left");
    assert_eq!(contents, "old json\n--- junit.xml:\nold junit\n", "both reports are as they were");
}

/// Two quick checks, two that hang (a silent port, long timeout), two more quick ones; two
/// probes at a time, so the hanging ones are under way when the signal comes.
fn interrupted_batch(lab: &Lab, silent: &SilentPort) -> String {
    lab.checks(&format!(
        "  - {{name: fast-1}}\n  - {{name: fast-2}}\n  - {{name: slow-1, port: {p}, timeout: 30s}}\n  \
         - {{name: slow-2, port: {p}, timeout: 30s}}\n  - {{name: fast-3}}\n  - {{name: fast-4}}\n",
        p = silent.port
    ))
}

#[test]
fn sigint_and_sigterm_mid_batch_keep_what_was_probed_and_leave_no_temporary_file() {
    for (signal, name, code) in [(libc::SIGINT, "SIGINT", 130), (libc::SIGTERM, "SIGTERM", 143)] {
        let lab = Lab::start();
        let silent = SilentPort::open();
        let checks = interrupted_batch(&lab, &silent);
        let report = lab.out("report.json");
        std::fs::write(&report, "yesterday's report").expect("write");
        let (report_arg, junit_arg) = (path_arg(&report), path_arg(&lab.out("junit.xml")));
        let (html_arg, metrics_arg) = (path_arg(&lab.out("report.html")), path_arg(&lab.out("run.prom")));
        let mut run = Running::spawn(child::command(&[
            "-v",
            "run",
            &checks,
            "--jobs",
            "2",
            "-o",
            &report_arg,
            "-o",
            &junit_arg,
            "-o",
            &html_arg,
            "-o",
            &metrics_arg,
        ]));
        run.wait_for("probing slow-1", Duration::from_secs(30));
        run.wait_for("probing slow-2", Duration::from_secs(30));
        let signalled = Instant::now();
        run.signal(signal);
        let ended = run.end(Duration::from_secs(10));
        // The hanging probes get one second, then the report is written.
        assert!(signalled.elapsed() < Duration::from_secs(3), "{name}: took {:?}", signalled.elapsed());
        assert_eq!(ended.code, Some(code), "{name}: {}", ended.stderr);
        assert!(ended.stderr.contains(&format!("mtlscheck: {name}: no new probes")), "{}", ended.stderr);
        assert!(
            ended.stderr.contains(&format!("mtlscheck: interrupted by {name}: 4 of 6 checks were not run")),
            "{}",
            ended.stderr
        );
        let json = json_file(&report);
        assert_eq!(json["complete"], false);
        assert_eq!(json["stopped"], format!("interrupted by {name}"));
        assert_eq!(names(&json["results"]), ["fast-1", "fast-2"]);
        assert_eq!(names(&json["not_run"]), ["slow-1", "slow-2", "fast-3", "fast-4"]);
        let reasons: Vec<&str> =
            json["not_run"].as_array().unwrap().iter().map(|n| n["reason"].as_str().unwrap()).collect();
        assert_eq!(reasons, ["interrupted", "interrupted", "not_started", "not_started"]);
        assert!(ended.stdout.contains(&format!("Not run (interrupted by {name}):")), "{}", ended.stdout);
        assert!(ended.stdout.contains("6 checks: 2 ok, 0 failed, 0 errors, 4 not run"), "{}", ended.stdout);
        let junit = std::fs::read_to_string(lab.out("junit.xml")).expect("junit");
        assert_eq!(junit.matches("type=\"not_run\"").count(), 4, "{junit}");
        let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/JUnit.xsd");
        let lint =
            Command::new("xmllint").args(["--noout", "--schema"]).arg(&schema).arg(lab.out("junit.xml")).output();
        let lint = lint.expect("xmllint (libxml2-utils; .ci/run installs it)");
        assert!(lint.status.success(), "{}", stderr_text(&lint));
        let html = std::fs::read_to_string(lab.out("report.html")).expect("html");
        assert!(html.contains(&format!("4 checks not run (interrupted by {name}): slow-1, slow-2")), "{html}");
        let metrics = std::fs::read_to_string(lab.out("run.prom")).expect("metrics");
        assert!(metrics.contains("mtlscheck_run_complete 0\n"), "{metrics}");
        assert!(metrics.contains("mtlscheck_checks{result=\"not_run\"} 4\n"), "{metrics}");
        assert_eq!(
            entries(&lab.out),
            ["junit.xml", "report.html", "report.json", "run.prom"],
            "{name}: no temporary file is left"
        );

        // A merged report of it stays incomplete, and says so with its exit code.
        let merged = mtlscheck().args(["merge", &report_arg, "--format", "json"]).assert().code(1).get_output().clone();
        let merged_json = crate::support::stdout_json(&merged);
        assert_eq!(merged_json["complete"], false);
        assert_eq!(names(&merged_json["not_run"]).len(), 4);
        assert!(
            stderr_text(&merged).contains("4 checks of the joined reports were not run"),
            "{}",
            stderr_text(&merged)
        );
    }
}

#[test]
fn a_second_signal_ends_the_run_at_once_leaving_every_output_as_it_was() {
    let lab = Lab::start();
    let silent = SilentPort::open();
    let report = lab.out("report.json");
    std::fs::write(&report, "yesterday's report").expect("write");
    let report_arg = path_arg(&report);

    // During the second of grace.
    let checks = interrupted_batch(&lab, &silent);
    let mut run = Running::spawn(child::command(&["-v", "run", &checks, "--jobs", "2", "-o", &report_arg]));
    run.wait_for("probing slow-2", Duration::from_secs(30));
    run.signal(libc::SIGINT);
    run.wait_for("SIGINT: no new probes", Duration::from_secs(10));
    let signalled = Instant::now();
    run.signal(libc::SIGINT);
    let ended = run.end(Duration::from_secs(10));
    assert!(signalled.elapsed() < Duration::from_millis(800), "not at once: {:?}", signalled.elapsed());
    assert_eq!(ended.code, Some(130), "{}", ended.stderr);
    assert_eq!(std::fs::read_to_string(&report).expect("report"), "yesterday's report");
    assert_eq!(entries(&lab.out), ["report.json"]);

    // While the report is being written: the temporary file is there, and the run waits for
    // a FIFO nobody reads.
    let checks = lab.fast_checks(3);
    let fifo = lab.out("pipe");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo (coreutils)");
    assert!(made.success());
    let fifo_arg = format!("json:{}", fifo.display());
    let mut run = Running::spawn(child::command(&["run", &checks, "-o", &report_arg, "-o", &fifo_arg]));
    let deadline = Instant::now() + Duration::from_secs(30);
    while temporary_files(&lab.out).is_empty() {
        assert!(Instant::now() < deadline, "the report was never staged: {:?}", entries(&lab.out));
        std::thread::sleep(Duration::from_millis(20));
    }
    run.signal(libc::SIGTERM);
    run.wait_for("SIGTERM: no new probes", Duration::from_secs(10));
    run.signal(libc::SIGTERM);
    let ended = run.end(Duration::from_secs(10));
    assert_eq!(ended.code, Some(143), "{}", ended.stderr);
    assert_eq!(std::fs::read_to_string(&report).expect("report"), "yesterday's report");
    assert_eq!(entries(&lab.out), ["pipe", "report.json"], "the temporary file was removed");
}

#[test]
fn a_low_open_file_limit_lowers_the_jobs_once_and_a_soft_one_is_raised() {
    let lab = Lab::start();
    let checks = lab.fast_checks(40);
    let run_under = |limit: &str, verbose: bool| {
        let script = format!("ulimit {limit} && exec \"$0\" \"$@\"");
        let mut command = Command::new("sh");
        command.args(["-c", &script, &path_arg(&binary())]);
        if verbose {
            command.arg("-v");
        }
        let output = command.args(["run", &checks, "--jobs", "32", "--format", "json"]).output().expect("sh");
        let json: Value = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
        if !json.is_null() {
            crate::support::schemas::report(&json, "stdout");
        }
        (output.status.code(), json, stderr_text(&output))
    };
    // `ulimit -n` sets the hard limit too: 64 descriptors carry 8 probes at once.
    let (code, json, stderr) = run_under("-n 64", false);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(json["results"].as_array().map(Vec::len), Some(40));
    assert!(json["results"].as_array().unwrap().iter().all(|r| r["status"] == "pass"));
    let warnings: Vec<&str> = stderr.lines().filter(|line| line.contains("open-file limit")).collect();
    assert_eq!(warnings.len(), 1, "{stderr}");
    assert!(warnings[0].contains("the open-file limit (ulimit -n) is 64: it carries"), "{stderr}");
    assert!(warnings[0].contains("not 32"), "{stderr}");
    // A soft limit alone is raised to the hard one at start: no warning.
    let (code, json, stderr) = run_under("-Sn 64", true);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(json["results"].as_array().map(Vec::len), Some(40));
    assert!(stderr.contains("open-file limit raised from 64 to"), "{stderr}");
    assert!(!stderr.contains("it carries"), "{stderr}");
}

/// Sockets a process has open.
fn sockets_open(pid: i32) -> usize {
    let Ok(entries) = std::fs::read_dir(format!("/proc/{pid}/fd")) else { return 0 };
    entries
        .filter_map(|entry| std::fs::read_link(entry.ok()?.path()).ok())
        .filter(|target| target.to_string_lossy().starts_with("socket:"))
        .count()
}

#[test]
fn running_out_of_descriptors_stops_the_run_and_blames_no_endpoint() {
    let lab = Lab::start();
    let silent = SilentPort::open();
    // Two probes hold their connections (3 s and 20 s); then this machine runs out of
    // descriptors: the next probe cannot open its socket.
    let checks = lab.checks(&format!(
        "  - {{name: hold-1, port: {p}, timeout: 3s}}\n  - {{name: hold-2, port: {p}, timeout: 6s}}\n{}",
        (0..10).map(|i| format!("  - {{name: after-{i}, retries: 2}}\n")).collect::<String>(),
        p = silent.port
    ));
    let report = path_arg(&lab.out("report.json"));
    let mut run = Running::spawn(child::command(&["-v", "run", &checks, "--jobs", "2", "-o", &report]));
    run.wait_for("probing hold-2", Duration::from_secs(30));
    // Both holding probes have their socket and the watchdog's duplicate of it (plus the
    // signal handler's two).
    let deadline = Instant::now() + Duration::from_secs(10);
    while sockets_open(run.pid()) < 6 {
        assert!(Instant::now() < deadline, "the holding probes never connected");
        std::thread::sleep(Duration::from_millis(10));
    }
    // The limit is on descriptor numbers: at 3, nothing but stdin, stdout and stderr could be
    // opened now. What the child holds stays open.
    let (mut soft, mut hard) = (0, 0);
    rlimit::prlimit(run.pid(), rlimit::Resource::NOFILE, None, Some((&mut soft, &mut hard))).expect("prlimit");
    // The soft limit only: raising a hard limit again needs CAP_SYS_RESOURCE.
    rlimit::prlimit(run.pid(), rlimit::Resource::NOFILE, Some((3, hard)), None).expect("prlimit on our child");
    let stopping = run.wait_for("no new probes", Duration::from_secs(30));
    assert!(stopping.contains("this machine ran out of file descriptors while opening a connection to"), "{stopping}");
    // Room again, as when the probes under way have ended: the report can be written.
    rlimit::prlimit(run.pid(), rlimit::Resource::NOFILE, Some((soft, hard)), None).expect("prlimit on our child");
    let ended = run.end(Duration::from_secs(30));
    assert_eq!(ended.code, Some(4), "{}", ended.stderr);
    assert!(ended.stderr.contains("this machine ran out of file descriptors while"), "{}", ended.stderr);
    assert!(ended.stderr.contains("checks were not run"), "{}", ended.stderr);
    assert!(!ended.stderr.contains("transient error, retry"), "never retried:\n{}", ended.stderr);
    let json = json_file(&lab.out("report.json"));
    assert_eq!(json["complete"], false);
    assert!(json["stopped"].as_str().unwrap().contains("ran out of file descriptors"), "{json:#}");
    assert_eq!(names(&json["results"]), ["hold-1", "hold-2"], "the holding probes ended as they would have");
    for result in json["results"].as_array().unwrap() {
        assert!(result["error"].as_str().unwrap_or_default().contains("timed out"), "{result:#}");
    }
    let not_run = json["not_run"].as_array().unwrap();
    assert_eq!(not_run.len(), 10);
    assert_eq!(not_run[0]["reason"], "local_limit");
    assert!(not_run[1..].iter().all(|n| n["reason"] == "not_started"), "{json:#}");
    assert!(!serde_json::to_string(&json).unwrap().contains("Too many open files"), "{json:#}");
}

/// The report without what differs from run to run: timings, the start time, and the days
/// until a certificate expires (the lab's certificates were issued a moment ago, so those tick
/// over with the clock).
fn without_timings(mut value: Value) -> Value {
    match &mut value {
        Value::Object(map) => {
            map.retain(|key, _| !matches!(key.as_str(), "elapsed_ms" | "started_at") && !key.ends_with("days_left"));
            for item in map.values_mut() {
                *item = without_timings(item.take());
            }
        }
        Value::Array(items) => {
            for item in items.iter_mut() {
                *item = without_timings(item.take());
            }
        }
        _ => {}
    }
    value
}

#[test]
fn the_json_report_is_the_same_whatever_the_jobs() {
    let pki = TestPki::new();
    let required = lab_server(pki.required_config().tls13_only());
    let mut optional = pki.server_config();
    optional.client_auth = LabClientAuth::Optional;
    let optional = lab_server(optional.tls12_only());
    let one_way = lab_server(pki.server_config());
    let closed = ClosedPort::reserve();
    let ports = [required.port(), optional.port(), one_way.port(), closed.port];
    let items: String = (0..260)
        .map(|i| format!("  - {{name: c{i:03}, port: {}, cert: client.pem, key: client.key}}\n", ports[i % 4]))
        .collect();
    let checks = path_arg(&pki.write("checks.yaml", &checks_yaml(one_way.port(), &items)));
    let mut reports = Vec::new();
    for jobs in ["1", "8", "64", "256"] {
        let output = mtlscheck()
            .timeout(Duration::from_secs(120))
            .args(["run", &checks, "--jobs", jobs, "--format", "json"])
            .assert()
            .code(1)
            .get_output()
            .clone();
        reports.push((jobs, without_timings(crate::support::stdout_json(&output))));
    }
    let (_, first) = &reports[0];
    assert_eq!(first["results"].as_array().map(Vec::len), Some(260));
    let auths: Vec<&str> = (0..4).map(|i| first["results"][i]["client_auth"].as_str().expect("client_auth")).collect();
    assert_eq!(auths, ["required", "optional", "none", "error"]);
    for (jobs, report) in &reports[1..] {
        if let Some(difference) = first_difference(first, report, "") {
            panic!("--jobs {jobs} differs from --jobs 1 at {difference}");
        }
    }
}

/// Where two JSON values first differ: `results[3].tries: 1 vs 2`.
fn first_difference(a: &Value, b: &Value, at: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            keys.into_iter().find_map(|key| {
                first_difference(
                    x.get(key).unwrap_or(&Value::Null),
                    y.get(key).unwrap_or(&Value::Null),
                    &format!("{at}.{key}"),
                )
            })
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            x.iter().zip(y).enumerate().find_map(|(i, (x, y))| first_difference(x, y, &format!("{at}[{i}]")))
        }
        _ if a == b => None,
        _ => Some(format!("{at}: {a} vs {b}")),
    }
}

#[test]
fn a_batch_keeps_the_s_client_view_of_the_connection_probe_shows() {
    // `run` keeps only what its outputs show of each handshake; its sclient view must still
    // be what `probe` prints for the same endpoint (volatile lines aside).
    let pki = TestPki::new();
    let server = lab_server(pki.required_config());
    let items = "  - {name: partner, cert: client.pem, key: client.key}\n";
    let checks = path_arg(&pki.write("checks.yaml", &checks_yaml(server.port(), items)));
    let run = mtlscheck().args(["run", &checks, "--format", "sclient"]).assert().code(0).get_output().clone();
    let target = format!("127.0.0.1:{}", server.port());
    let probe = mtlscheck()
        .current_dir(pki.dir.path())
        .args(["probe", &target, "--cacert", "server-ca.pem", "--cert", "client.pem", "--key", "client.key"])
        .assert()
        .code(0)
        .get_output()
        .clone();
    let stable = |text: String| -> Vec<String> {
        text.lines().filter(|line| !mtlscheck::report::is_volatile_line(line)).map(str::to_string).collect()
    };
    let (run, probe) = (stable(stdout_text(&run)), stable(stdout_text(&probe)));
    assert!(run.iter().any(|line| line == "Acceptable client certificate CA names"), "{run:#?}");
    assert_eq!(run, probe);
}
