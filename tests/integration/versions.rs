//! Every OpenSSL version operators run, for real: the s_client of 1.1.1w, of the system's 3.0,
//! of 3.6.x and of 4.0.x (built by scripts/build-openssl.sh) against real s_server variants (no
//! client auth, `-verify`, `-Verify` + `-verify_return_error`, `-no_ca_names`, TLS 1.2 only, CA
//! names with commas, a lone quote, a multi-valued RDN, non-ASCII, a control character and a
//! backslash, an RSA key with an intermediate, and a 3.6 s_server that negotiates the
//! post-quantum X25519MLKEM768), each run
//! plain, with `-cert`, `-showcerts`, `-msg` and `-brief`:
//! - `mtlscheck probe --like VERSION` prints every stable line of that version's s_client, byte
//!   for byte and in order (plain, `-cert`, `-showcerts`);
//! - `mtlscheck compare` agrees with every transcript against the live server, and names the
//!   version it came from.
//!
//! The binary under test is the one cargo built, or `MTLSCHECK_BIN` (scripts/parity-other-openssl.sh
//! runs these tests with a build linked with OpenSSL 4.0).

use std::path::Path;

use serde_json::Value;

use crate::parity::{assert_in_order, stable_lines};
use crate::support::names::tricky_ca_file;
use crate::support::openssl::{OpensslBuild, mtlscheck_runtime, mtlscheck_under_test};
use crate::support::{SServer, TestPki, path_arg, rsa_server_with_intermediate, s_client_with};

/// One s_server configuration.
struct Variant {
    label: &'static str,
    /// The 3.6 s_server (post-quantum groups) instead of the system's.
    openssl_3_6: bool,
    args: &'static [&'static str],
}

const VARIANTS: &[Variant] = &[
    Variant { label: "no client auth", openssl_3_6: false, args: &[] },
    Variant { label: "optional (-verify)", openssl_3_6: false, args: &["-verify", "1", "-CAfile", "client-ca.pem"] },
    Variant {
        label: "required (-Verify, -verify_return_error)",
        openssl_3_6: false,
        args: &["-Verify", "1", "-verify_return_error", "-CAfile", "client-ca.pem"],
    },
    Variant {
        label: "required, no CA names",
        openssl_3_6: false,
        args: &["-Verify", "1", "-verify_return_error", "-no_ca_names", "-CAfile", "client-ca.pem"],
    },
    Variant {
        label: "TLS 1.2 only, required",
        openssl_3_6: false,
        args: &["-tls1_2", "-Verify", "1", "-verify_return_error", "-CAfile", "client-ca.pem"],
    },
    Variant {
        label: "tricky CA names, TLS 1.2",
        openssl_3_6: false,
        args: &["-tls1_2", "-verify", "1", "-CAfile", "tricky-cas.pem"],
    },
    Variant {
        label: "tricky CA names, TLS 1.3",
        openssl_3_6: false,
        args: &["-verify", "1", "-CAfile", "tricky-cas.pem"],
    },
    Variant {
        label: "RSA key with an intermediate (RSA-PSS signature)",
        openssl_3_6: false,
        args: &[
            "-cert",
            "rsa.pem",
            "-key",
            "rsa.key",
            "-cert_chain",
            "intermediate.pem",
            "-verify",
            "1",
            "-CAfile",
            "client-ca.pem",
        ],
    },
    Variant {
        label: "OpenSSL 3.6 s_server (X25519MLKEM768, ML-DSA requested)",
        openssl_3_6: true,
        args: &["-Verify", "1", "-CAfile", "client-ca.pem"],
    },
];

const WITH_CERT: &[&str] = &["-cert", "client.pem", "-key", "client.key"];

/// `mtlscheck probe --like` of the binary under test.
fn probe_like(pki: &TestPki, port: u16, like: &str, args: &[&str]) -> (String, String) {
    let output = mtlscheck_under_test()
        .args(["probe", &format!("127.0.0.1:{port}"), "--timeout", "5s", "--like", like])
        .args(["--cacert", &path_arg(&pki.path("server-ca.pem"))])
        .args(args)
        .current_dir(pki.dir.path())
        .output()
        .expect("run mtlscheck probe");
    (String::from_utf8_lossy(&output.stdout).into_owned(), String::from_utf8_lossy(&output.stderr).into_owned())
}

/// `mtlscheck compare` of the binary under test, as JSON.
fn compare(pki: &TestPki, port: u16, transcript: &Path, args: &[&str]) -> Value {
    let output = mtlscheck_under_test()
        .args(["compare", &path_arg(transcript), "--target", &format!("127.0.0.1:{port}"), "--timeout", "5s"])
        .args(["--cacert", &path_arg(&pki.path("server-ca.pem")), "--format", "json"])
        .args(args)
        .current_dir(pki.dir.path())
        .output()
        .expect("run mtlscheck compare");
    let report = serde_json::from_slice(&output.stdout).unwrap_or_else(|err| {
        panic!(
            "compare printed no JSON ({err}):\n{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    crate::support::schemas::report(&report, "compare's stdout");
    report
}

/// The `transcript_style` a full transcript of `build` must be detected as.
fn expected_style(build: &OpensslBuild) -> &'static str {
    match build.line() {
        (1, _) => "1.1.1",
        (3, 0..=1) => "3.0",
        (3, 2..=3) => "3.2",
        (3, 4) => "3.4",
        (3, _) => "3.5",
        _ => "4.0",
    }
}

/// Lines the binary under test cannot print like `build`'s s_client for this server: a 3.6+
/// s_client negotiates X25519MLKEM768 with a 3.6 server, which an OpenSSL older than 3.5
/// cannot offer (mtlscheck warns about it).
fn cannot_match(line: &str, variant: &Variant, build: &OpensslBuild, runtime: (u16, u16)) -> bool {
    let client_offers_pq = build.line() >= (3, 5);
    let we_offer_pq = runtime >= (3, 5);
    variant.openssl_3_6
        && client_offers_pq
        && !we_offer_pq
        && (line.starts_with("Negotiated TLS1.3 group") || line.starts_with("Peer Temp Key"))
}

/// Every variant and client mode against one s_client version.
fn every_variant_against(build: &OpensslBuild) {
    let pki = TestPki::new();
    tricky_ca_file(&pki);
    rsa_server_with_intermediate(&pki);
    let runtime = mtlscheck_runtime();
    let openssl_3_6 = OpensslBuild::cached("3.6");
    let system = OpensslBuild::system();
    let like = build.like();
    let mut compared = 0;
    for variant in VARIANTS {
        let server_build = if variant.openssl_3_6 { &openssl_3_6 } else { &system };
        let server = SServer::start_with(&pki, server_build, variant.args);
        let modes: [(&str, &[&str], &[&str]); 5] = [
            ("plain", &[], &[]),
            ("-cert", WITH_CERT, &["--cert", "client.pem", "--key", "client.key"]),
            ("-showcerts", &["-showcerts"], &["--showcerts"]),
            ("-msg", &["-msg"], &[]),
            ("-brief", &["-brief"], &[]),
        ];
        for (mode, client_args, probe_args) in modes {
            let (stdout, stderr) = s_client_with(&pki, build, server.port, client_args);
            let context = format!(
                "OpenSSL {} s_client {mode} against {} ({:?})\n--- s_client stdout\n{stdout}\n--- s_client stderr\n{stderr}",
                build.version, variant.label, server.args
            );
            if matches!(mode, "plain" | "-cert" | "-showcerts") {
                let (ours, warnings) = probe_like(&pki, server.port, &like, probe_args);
                let expected: Vec<String> = stable_lines(&stdout)
                    .into_iter()
                    .filter(|line| !cannot_match(line, variant, build, runtime))
                    .collect();
                assert!(expected.iter().any(|l| l.starts_with("New, ")), "s_client printed no session line\n{context}");
                assert_in_order(
                    &expected,
                    &ours,
                    &format!("{context}\n--- mtlscheck probe --like {like} {probe_args:?}\n{ours}\n{warnings}"),
                );
                if expected.len() < stable_lines(&stdout).len() {
                    assert!(warnings.contains("cannot offer the post-quantum groups"), "{warnings}");
                }
            }
            // Operators save both streams (`> out.txt 2>&1`); the alert is on stderr.
            let file = pki.write(&format!("transcript-{compared}.txt"), &format!("{stdout}{stderr}"));
            // Taken with -cert: compared with the live connection that presents our certificate.
            let compare_args: &[&str] =
                if mode == "-cert" { &["--with-cert", "--cert", "client.pem", "--key", "client.key"] } else { &[] };
            let report = compare(&pki, server.port, &file, compare_args);
            let comparison = &report["results"][0]["comparison"];
            assert_eq!(comparison["agree"], true, "compare disagrees: {comparison:#}\n{context}");
            let style = comparison["transcript_style"].as_str().unwrap_or_default();
            if mode == "-brief" || !stdout.contains("New, ") {
                // A short transcript proves a lower bound only.
                let bound = mtlscheck::style::Style::parse(style.trim_end_matches('+')).expect("a version");
                let actual = mtlscheck::style::Style::parse(&build.version).expect("a version");
                assert!(!bound.at_least(actual.major, actual.minor + 1), "{style} for {}\n{context}", build.version);
            } else {
                assert_eq!(style, expected_style(build), "transcript_style\n{context}");
            }
            compared += 1;
        }
    }
    assert_eq!(compared, VARIANTS.len() * 5);
}

#[test]
fn openssl_1_1_1_s_client() {
    every_variant_against(&OpensslBuild::cached("1.1.1"));
}

#[test]
fn system_openssl_3_0_s_client() {
    every_variant_against(&OpensslBuild::system());
}

#[test]
fn openssl_3_6_s_client() {
    every_variant_against(&OpensslBuild::cached("3.6"));
}

#[test]
fn openssl_4_0_s_client() {
    every_variant_against(&OpensslBuild::cached("4.0"));
}

#[test]
fn alert_texts_of_every_version_are_what_its_openssl_errstr_says() {
    for build in OpensslBuild::all() {
        let style = mtlscheck::style::Style::parse(&build.version).expect("a version");
        // close_notify (0) raises no error.
        let codes: Vec<u8> = (1..=255u8).collect();
        // One `openssl errstr` call for every code: SSL_AD_REASON_OFFSET (1000) + the alert.
        let packed: Vec<String> = codes
            .iter()
            .map(|&code| {
                let reason = 1000 + u32::from(code);
                if build.line() < (3, 0) {
                    format!("{:08X}", (20 << 24) | reason)
                } else {
                    format!("{:08X}", (20 << 23) | reason)
                }
            })
            .collect();
        let output = build.command().arg("errstr").args(&packed).output().expect("openssl errstr");
        let text = String::from_utf8_lossy(&output.stdout);
        assert_eq!(text.lines().count(), codes.len(), "{text}");
        for (line, &code) in text.lines().zip(&codes) {
            let theirs = line.rsplit(':').next().unwrap_or_default();
            assert_eq!(mtlscheck::alerts::reason_in(style, code), theirs, "alert {code} of OpenSSL {}", build.version);
        }
    }
}

/// The transcript of `build`'s s_client against `server` (stdout and stderr, as saved with `2>&1`).
fn transcript_of(pki: &TestPki, build: &OpensslBuild, server: &SServer, name: &str) -> std::path::PathBuf {
    let (stdout, stderr) = s_client_with(pki, build, server.port, &[]);
    pki.write(name, &format!("{stdout}{stderr}"))
}

#[test]
fn run_compare_dir_agrees_with_the_tls12_refusal_of_every_version() {
    // The refusal of a TLS 1.2 server without our certificate is alert 40, which 3.2+ calls
    // `ssl/tls alert handshake failure` and 4.0 `tls alert handshake failure`.
    let pki = TestPki::new();
    let server = SServer::start(&pki, &["-tls1_2", "-Verify", "1", "-verify_return_error", "-CAfile", "client-ca.pem"]);
    let dir = pki.path("transcripts");
    std::fs::create_dir(&dir).expect("dir");
    let mut checks = String::from("defaults:\n  host: 127.0.0.1\n  timeout: 5s\n  cacert: server-ca.pem\nchecks:\n");
    for build in OpensslBuild::all() {
        let name = format!("openssl-{}", build.version);
        transcript_of(&pki, &build, &server, &format!("transcripts/{name}.txt"));
        checks.push_str(&format!("  - {{name: {name}, port: {}}}\n", server.port));
    }
    let checks = pki.write("checks.yaml", &checks);
    let output = mtlscheck_under_test()
        .args(["run", &path_arg(&checks), "--compare-dir", &path_arg(&dir), "--format", "json"])
        .output()
        .expect("run");
    let report = crate::support::stdout_json(&output);
    for result in report["results"].as_array().expect("results") {
        let comparison = &result["comparison"];
        assert_eq!(comparison["agree"], true, "{comparison:#}");
        let rejection = comparison["fields"].as_array().unwrap().iter().find(|f| f["field"] == "rejection").unwrap();
        assert!(rejection["transcript"].as_str().unwrap().ends_with("alert handshake failure"), "{rejection:#}");
    }
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn post_quantum_groups_and_ml_dsa_are_named_as_each_version_names_them() {
    let pki = TestPki::new();
    let server = SServer::start_with(&pki, &OpensslBuild::cached("3.6"), &["-verify", "1", "-CAfile", "client-ca.pem"]);
    let runtime = mtlscheck_runtime();
    let report = |like: &str| -> Value {
        let output = mtlscheck_under_test()
            .args(["probe", &format!("127.0.0.1:{}", server.port), "--timeout", "5s", "--format", "json"])
            .args(["--cacert", &path_arg(&pki.path("server-ca.pem")), "--like", like])
            .output()
            .expect("probe");
        crate::support::stdout_json(&output)
    };
    for (like, ml_dsa) in [("1.1.1", "0x05+0x09"), ("3.0", "0x05+0x09"), ("3.6", "id-ml-dsa-65"), ("4.0", "mldsa65")] {
        let result = &report(like)["results"][0];
        assert_eq!(result["like"], like, "{result:#}");
        let sigalgs: Vec<&str> =
            result["requested_sigalgs"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
        assert_eq!(sigalgs[0], ml_dsa, "{like}: {sigalgs:?}");
        // The JSON report names schemes by their IANA names whatever the style.
        assert_eq!(result["requested_signature_schemes"][0], "mldsa65", "{result:#}");
        // What was negotiated depends on what the OpenSSL mtlscheck runs on offers, and on the
        // groups the imitated s_client offers.
        let expected_group = if runtime >= (3, 5) && like >= "3.5" { "X25519MLKEM768" } else { "x25519" };
        assert_eq!(result["negotiated_group"], expected_group, "{like} on OpenSSL {runtime:?}");
    }
}

#[test]
fn sclient_format_ends_with_the_problems_and_the_comparison() {
    let pki = TestPki::new();
    let server = SServer::start(&pki, &["-verify", "1", "-CAfile", "client-ca.pem"]);
    let taken = transcript_of(&pki, &OpensslBuild::cached("4.0"), &server, "taken.txt");
    let changed = std::fs::read_to_string(&taken).unwrap().replace("CN=Lab Client CA", "CN=Retired Client CA");
    let changed = pki.write("changed.txt", &changed);
    let output = mtlscheck_under_test()
        .args(["compare", &path_arg(&changed), "--target", &format!("127.0.0.1:{}", server.port)])
        .args(["--cacert", &path_arg(&pki.path("server-ca.pem")), "--format", "sclient"])
        .output()
        .expect("compare");
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{text}");
    // In the words of the transcript's version (4.0): compact names, the ECH block.
    assert!(text.contains("C=CH, O=Zürich Partner AG, CN=Lab Client CA"), "{text}");
    assert!(text.contains("ECH: NOT CONFIGURED: -103"), "{text}");
    let problems = text.find("Problems:").unwrap_or_else(|| panic!("no problems block:\n{text}"));
    assert!(text[problems..].contains("differs from") && text[problems..].contains("ca_names"), "{text}");
    let compared = text.find("Compared with").unwrap_or_else(|| panic!("no comparison:\n{text}"));
    assert!(text[compared..].contains("OpenSSL style 4.0") && text[compared..].contains("Retired Client CA"), "{text}");
}
