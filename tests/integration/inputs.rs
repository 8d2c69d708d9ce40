//! What operators hand mtlscheck, bounded: /dev/zero, FIFOs and oversized files as checks
//! file, baseline, merge input or transcript; a YAML alias bomb; text that is not UTF-8; key
//! files others can read; control characters in check names in every text format; and the
//! message for a first connection that timed out after its handshake.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::creds::{pkcs12, set_mode};
use crate::support::runs::{stderr_text, stdout_text};
use crate::support::{SServer, TestPki, checks_yaml, lab_server, mtlscheck, path_arg, result_named, stdout_json};

fn mkfifo(path: &Path) {
    let made = Command::new("mkfifo").arg(path).status().expect("mkfifo (coreutils)");
    assert!(made.success(), "mkfifo {}", path.display());
}

/// Runs mtlscheck with `args` in the PKI's folder, expecting exit 2 well within the command's
/// bound; returns stderr.
fn refused(pki: &TestPki, args: &[&str]) -> String {
    let started = Instant::now();
    let output = mtlscheck()
        .current_dir(pki.dir.path())
        .timeout(Duration::from_secs(20))
        .args(args)
        .assert()
        .code(2)
        .get_output()
        .clone();
    assert!(started.elapsed() < Duration::from_secs(10), "{args:?} took {:?}", started.elapsed());
    assert!(stdout_text(&output).is_empty(), "{args:?}: {}", stdout_text(&output));
    stderr_text(&output)
}

#[test]
fn dev_zero_fifos_and_oversized_files_are_refused_at_once_as_every_input() {
    let pki = TestPki::new();
    let server = lab_server(pki.server_config());
    pki.write("checks.yaml", &checks_yaml(server.port(), "  - {name: one}\n"));
    std::fs::create_dir(pki.path("transcripts")).expect("mkdir");
    mkfifo(&pki.path("fifo"));
    mkfifo(&pki.path("transcripts/one.txt"));
    let not_regular = "it is not a regular file (a device, pipe or socket)";
    let target = format!("127.0.0.1:{}", server.port());
    for (args, says) in [
        (vec!["run", "/dev/zero"], format!("cannot read checks file /dev/zero: {not_regular}")),
        (vec!["validate", "/dev/zero"], format!("cannot read checks file /dev/zero: {not_regular}")),
        (vec!["run", "fifo"], format!("cannot read checks file fifo: {not_regular}")),
        (
            vec!["run", "checks.yaml", "--baseline", "/dev/zero"],
            format!("--baseline cannot read report /dev/zero: {not_regular}"),
        ),
        (
            vec!["run", "checks.yaml", "--baseline", "fifo"],
            format!("--baseline cannot read report fifo: {not_regular}"),
        ),
        (vec!["merge", "/dev/zero"], format!("cannot read report /dev/zero: {not_regular}")),
        (vec!["merge", "fifo"], format!("cannot read report fifo: {not_regular}")),
        (vec!["compare", "/dev/zero", "--target", &target], format!("cannot read transcript /dev/zero: {not_regular}")),
        (vec!["compare", "fifo", "--target", &target], format!("cannot read transcript fifo: {not_regular}")),
        (
            vec!["run", "checks.yaml", "--compare-dir", "transcripts"],
            format!("cannot read transcript transcripts/one.txt: {not_regular}"),
        ),
    ] {
        let stderr = refused(&pki, &args);
        assert!(stderr.contains(&says), "{args:?}: {stderr}");
    }
    // Sparse files: as big as they say, without the disk space.
    let sized = |name: &str, size: u64| {
        let file = std::fs::File::create(pki.path(name)).expect("create");
        file.set_len(size).expect("sparse file");
    };
    sized("huge.yaml", 33 * 1024 * 1024);
    sized("huge.json", 257 * 1024 * 1024);
    sized("huge.txt", 17 * 1024 * 1024);
    for (args, says) in [
        (
            vec!["run", "huge.yaml"],
            "checks file huge.yaml is 34603008 bytes, too big for a checks file (at most 32 MiB)",
        ),
        (
            vec!["run", "checks.yaml", "--baseline", "huge.json"],
            "report huge.json is 269484032 bytes, too big for an mtlscheck JSON report (at most 256 MiB)",
        ),
        (vec!["merge", "huge.json"], "report huge.json is 269484032 bytes, too big for an mtlscheck JSON report"),
        (
            vec!["compare", "huge.txt", "--target", &target],
            "transcript huge.txt is 17825792 bytes, too big for s_client output (at most 16 MiB)",
        ),
    ] {
        let stderr = refused(&pki, &args);
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
    assert_eq!(server.connections(), 0, "nothing was probed");
}

#[test]
fn an_alias_bomb_is_refused_in_moments_not_minutes() {
    let pki = TestPki::new();
    // About 1 MB: one 700 KB string anchored, then aliased 5,000 times (3.5 GB expanded).
    let mut yaml = format!("defaults:\n  http_host: &big \"{}\"\nchecks:\n", "x".repeat(700_000));
    for i in 0..5_000 {
        yaml.push_str(&format!("  - {{name: c{i}, host: 127.0.0.1, servername: *big}}\n"));
    }
    assert!(yaml.len() > 900_000);
    pki.write("bomb.yaml", &yaml);
    for command in ["validate", "run"] {
        let stderr = refused(&pki, &[command, "bomb.yaml"]);
        assert!(stderr.starts_with("mtlscheck: bomb.yaml: the YAML expands to more than "), "{stderr}");
        assert!(stderr.contains("through its aliases (*name), over 4 times the file's size"), "{stderr}");
    }
    // A few aliases of short values are fine.
    pki.write("few.yaml", "checks:\n  - {name: a, host: &h 127.0.0.1, port: 1}\n  - {name: b, host: *h, port: 2}\n");
    mtlscheck().current_dir(pki.dir.path()).args(["validate", "few.yaml"]).assert().code(0);
}

#[test]
fn text_that_is_not_utf8_is_located() {
    let pki = TestPki::new();
    std::fs::write(pki.path("latin1.yaml"), b"checks:\n  - name: caf\xe9\n    host: 127.0.0.1\n").expect("write");
    let stderr = refused(&pki, &["validate", "latin1.yaml"]);
    assert_eq!(stderr, "mtlscheck: latin1.yaml:2:14: not UTF-8 text (byte 0xE9): save the checks file as UTF-8\n");
    let server = lab_server(pki.server_config());
    pki.write("checks.yaml", &checks_yaml(server.port(), "  - {name: one}\n"));
    std::fs::write(pki.path("old.json"), b"{\n  \"results\": [\"\xff\"]\n}\n").expect("write");
    let stderr = refused(&pki, &["run", "checks.yaml", "--baseline", "old.json"]);
    assert!(stderr.contains("old.json:2:16: not UTF-8 text (byte 0xFF): save the report as UTF-8"), "{stderr}");
    assert_eq!(server.connections(), 0);
}

#[test]
fn key_files_others_can_read_are_warned_about_in_validate_and_run() {
    let pki = TestPki::new();
    let server = lab_server(pki.server_config());
    let items = "  - {name: a, cert: client.pem, key: client.key}\n  - {name: b, cert: client.pem, key: client.key}\n  \
                 - {name: c, p12: client.p12, p12_password_env: MTLSCHECK_TEST_P12}\n";
    pki.write("checks.yaml", &checks_yaml(server.port(), items));
    pkcs12(&pki, "client.p12", "client.pem", "client.key", None, false);
    set_mode(&pki.path("client.key"), 0o640);
    set_mode(&pki.path("client.p12"), 0o644);
    let key_warning = "the key file client.key can be read by other users (mode 640): chmod 600 client.key";
    let p12_warning = "the p12 file client.p12 can be read by other users (mode 644): chmod 600 client.p12";
    let validate = mtlscheck()
        .current_dir(pki.dir.path())
        .env("MTLSCHECK_TEST_P12", crate::support::creds::PASSPHRASE)
        .args(["validate", "checks.yaml"])
        .assert()
        .code(0)
        .get_output()
        .clone();
    let lines = stdout_text(&validate);
    assert!(lines.contains(&format!("a: ok; warning: {key_warning}")), "{lines}");
    assert!(lines.contains(&format!("b: ok; warning: {key_warning}")), "{lines}");
    assert!(lines.contains(&format!("c: ok; warning: {p12_warning}")), "{lines}");
    let run = mtlscheck()
        .current_dir(pki.dir.path())
        .env("MTLSCHECK_TEST_P12", crate::support::creds::PASSPHRASE)
        .args(["run", "checks.yaml", "--format", "json"])
        .assert()
        .code(0)
        .get_output()
        .clone();
    let stderr = stderr_text(&run);
    assert_eq!(stderr.matches(key_warning).count(), 1, "once, however many checks share the key: {stderr}");
    assert_eq!(stderr.matches(p12_warning).count(), 1, "{stderr}");
    let json = stdout_json(&run);
    assert!(result_named(&json, "a")["notes"].as_array().unwrap().iter().any(|n| n == key_warning), "{json:#}");

    set_mode(&pki.path("client.key"), 0o600);
    set_mode(&pki.path("client.p12"), 0o600);
    let quiet = mtlscheck()
        .current_dir(pki.dir.path())
        .env("MTLSCHECK_TEST_P12", crate::support::creds::PASSPHRASE)
        .args(["validate", "checks.yaml"])
        .assert()
        .code(0)
        .get_output()
        .clone();
    assert!(!stdout_text(&quiet).contains("warning"), "{}", stdout_text(&quiet));
}

#[test]
fn control_characters_in_names_are_escaped_in_every_text_format() {
    let pki = TestPki::new();
    let server = lab_server(pki.server_config());
    // ESC [2J clears a terminal; CR returns over the line; U+202E reverses what follows.
    let checks = pki.write(
        "checks.yaml",
        &checks_yaml(server.port(), "  - {name: \"evil\\e[2J\\rname\\u202Egpj.exe\"}\n  - {name: plain}\n"),
    );
    let shown = "evil\\x1B[2J\\x0Dname\\u{202E}gpj.exe";
    for format in ["table", "csv", "markdown", "sclient", "junit"] {
        let output =
            mtlscheck().args(["run"]).arg(&checks).args(["--format", format]).assert().code(0).get_output().clone();
        let text = stdout_text(&output);
        // XML escapes a carriage return (`&#13;`); nothing else may carry one raw either.
        assert!(!text.contains(['\u{1b}', '\r', '\u{202e}']), "{format}: raw control characters:\n{text:?}");
        match format {
            // XML cannot carry them even escaped: they become U+FFFD.
            "junit" => assert!(text.contains("evil\u{fffd}[2J&#13;name\u{fffd}gpj.exe"), "{text}"),
            // Markdown escapes the backslash, so `\x1B` is what a reader sees.
            "markdown" => assert!(text.contains(&shown.replace('\\', "\\\\")), "{text}"),
            _ => assert!(text.contains(shown), "{format}:\n{text}"),
        }
    }
    // JSON is data: the name as written, escaped the JSON way.
    let json = mtlscheck().arg("run").arg(&checks).args(["--format", "json"]).assert().code(0).get_output().clone();
    assert_eq!(stdout_json(&json)["results"][0]["name"], "evil\u{1b}[2J\rname\u{202e}gpj.exe");
}

#[test]
fn a_first_connection_that_timed_out_after_its_handshake_is_not_said_to_have_missed_tls() {
    let pki = TestPki::new();
    // s_server without -www completes the handshake and never answers the HTTP request.
    let server = SServer::start(&pki, &[]);
    let items = format!(
        "  - {{name: quiet, port: {}, timeout: 2s, http_path: /, cert: client.pem, key: client.key}}\n",
        server.port
    );
    let checks = pki.write("checks.yaml", &checks_yaml(server.port, &items));
    let output = mtlscheck().arg("run").arg(&checks).args(["--format", "json"]).assert().code(1).get_output().clone();
    let json = stdout_json(&output);
    let result = &json["results"][0];
    assert_eq!(result["without_cert"]["handshake"], "ok", "{result:#}");
    assert!(result["without_cert"]["error"].as_str().unwrap_or_default().contains("timed out"), "{result:#}");
    assert_eq!(result["with_cert"]["handshake"], "skipped", "{result:#}");
    assert_eq!(
        result["with_cert"]["error"],
        "no time was left: the connection without a certificate used the whole timeout (2s)",
        "{result:#}"
    );
    let _ = path_arg(&checks);
}
