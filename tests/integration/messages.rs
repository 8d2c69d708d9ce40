//! What the operator reads when something is wrong: words instead of Rust type names, the fix
//! for a `host` holding a port or a URL, a file missing in `defaults` named once, s_client's
//! options answered with mtlscheck's spelling, counts in the singular when there is one.

use crate::support::{ClosedPort, TestPki, config_error_in, mtlscheck};

/// Rust type names that must never reach an operator.
const RUST_NAMES: [&str; 12] =
    ["u16", "u32", "u64", "i64", "usize", "f64", "struct ", "enum ", "Raw", "Option<", "Vec<", "untagged"];

#[test]
fn configuration_errors_speak_of_the_file_not_of_rust_types() {
    let pki = TestPki::new();
    for (yaml, expected) in [
        ("checks:\n  - {name: a, host: x.example, port: 70000}\n", "expected a port number (1-65535)"),
        ("- a\n- b\n", "expected a mapping with `checks:`"),
        ("checks:\n  - {name: a, host: x.example, timeout: [1]}\n", "expected a duration such as `10s`"),
        ("checks:\n  - {name: a, host: x.example, retries: -1}\n", "expected a whole number (0 or more)"),
        ("checks:\n  - {name: a, host: x.example, expect: []}\n", "expected a mapping of expectations"),
        ("checks:\n  - [a, b]\n", "expected a check: a mapping with `name:`"),
        ("warn_days: -3\nchecks:\n  - {name: a, host: x.example}\n", "expected a whole number (0 or more)"),
        (
            "checks:\n  - {name: a, host: x.example, cacert: \"\"}\n",
            "`cacert` is empty: name a file, or remove the field",
        ),
    ] {
        let stderr = config_error_in(&pki, yaml);
        assert!(stderr.contains(expected), "{yaml}: expected {expected:?} in {stderr}");
        for name in RUST_NAMES {
            assert!(!stderr.contains(name), "{yaml}: Rust type name {name:?} in {stderr}");
        }
    }
}

#[test]
fn a_host_with_a_port_or_a_scheme_is_refused_with_the_fix() {
    let pki = TestPki::new();
    let stderr = config_error_in(&pki, "checks:\n  - {name: a, host: \"127.0.0.1:14403\"}\n");
    assert!(
        stderr.contains("`host` \"127.0.0.1:14403\" includes a port: write `host: 127.0.0.1` and `port: 14403`"),
        "{stderr}"
    );
    let stderr = config_error_in(&pki, "checks:\n  - {name: a, host: \"https://api.partner.example/v1\"}\n");
    assert!(
        stderr.contains("`host` \"https://api.partner.example/v1\" is a URL: write the host name alone (`host: api.partner.example`)"),
        "{stderr}"
    );
    let stderr = config_error_in(&pki, "checks:\n  - {name: a, host: \"[::1]:8443\"}\n");
    assert!(stderr.contains("write `host: \"[::1]\"` and `port: 8443`"), "{stderr}");
}

#[test]
fn a_file_missing_in_defaults_is_reported_once_against_defaults() {
    let pki = TestPki::new();
    let checks: String = (0..13).map(|i| format!("  - {{name: c{i}, host: c{i}.example}}\n")).collect();
    let stderr = config_error_in(&pki, &format!("defaults:\n  cacert: missing-ca.pem\nchecks:\n{checks}"));
    assert_eq!(stderr.matches("missing-ca.pem").count(), 1, "{stderr}");
    assert!(stderr.contains("checks.yaml: defaults: cacert cannot read file"), "{stderr}");
    // A check's own missing file is still its own.
    let stderr = config_error_in(
        &pki,
        "defaults:\n  cacert: server-ca.pem\nchecks:\n  - {name: own, host: x.example, cacert: nope.pem}\n",
    );
    assert!(stderr.contains("check 'own': cacert cannot read file"), "{stderr}");
}

#[test]
fn s_client_options_are_answered_with_mtlschecks_spelling() {
    for (args, expected) in [
        (&["probe", "-connect", "api.example:443"][..], "`-connect` is the endpoint itself, HOST:PORT"),
        (&["probe", "api.example", "-servername", "x"][..], "`-servername` is --servername"),
        (&["probe", "api.example", "-CAfile", "ca.pem"][..], "`-CAfile` is --cacert (or --CAfile)"),
    ] {
        let output = mtlscheck().args(args).output().expect("run");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(!stderr.contains("-- -c"), "clap's tip is not for s_client users: {stderr}");
    }
    let output = mtlscheck().args(["compare", "taken.txt", "api.example:443"]).output().expect("run");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr.contains("tip: the endpoint goes in --target: mtlscheck compare TRANSCRIPT --target HOST:PORT"),
        "{stderr}"
    );
}

#[test]
fn counts_are_singular_for_one_and_log_lines_look_like_every_other_message() {
    let pki = TestPki::new();
    let closed = ClosedPort::reserve();
    pki.write(
        "checks.yaml",
        &format!("checks:\n  - {{name: only, host: 127.0.0.1, port: {}, timeout: 2s}}\n", closed.port),
    );
    let output = mtlscheck().current_dir(pki.dir.path()).args(["run", "checks.yaml"]).output().expect("run");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("1 check: 0 ok, 0 failed, 1 error (OpenSSL: "), "{stdout}");
    // Warnings and errors on stderr read `mtlscheck: warning: …`, never `[WARN mtlscheck::…]`.
    let output = mtlscheck().current_dir(pki.dir.path()).args(["merge", "nope.json"]).output().expect("merge");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.starts_with("mtlscheck: "), "{stderr}");
    assert!(!stderr.contains("[ERROR") && !stderr.contains("mtlscheck::"), "{stderr}");
}
