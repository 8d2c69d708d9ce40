//! `mtlscheck probe` against the real `openssl s_server` in each configuration, compared line
//! by line with the real `openssl s_client` run with the same options: every line s_client
//! prints that does not change between runs must appear, byte for byte and in order, in
//! mtlscheck's output. The s_client output is then read back by mtlscheck's transcript parser
//! and must agree with mtlscheck's own probe on every compared field.

use mtlscheck::app::endpoint_check;
use mtlscheck::cli::EndpointArgs;
use mtlscheck::pipeline::run_one_with;
use mtlscheck::report::is_volatile_line;
use mtlscheck::transcript;
use mtlscheck::verdict as compare;

use crate::support::{SServer, TestPki, path_arg, rsa_server_with_intermediate, s_client};

/// s_client lines that depend on timing rather than on the server: the TLS 1.3 tickets it may
/// or may not read before its stdin EOF, and the read loop's messages.
pub fn stable_lines(stdout: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut in_ticket = false;
    for line in stdout.lines() {
        if line == "Post-Handshake New Session Ticket arrived:" {
            in_ticket = true;
            // The "---" before the ticket block belongs to it.
            if lines.last().map(String::as_str) == Some("---") {
                lines.pop();
            }
            continue;
        }
        if in_ticket {
            in_ticket = line != "---";
            continue;
        }
        if is_volatile_line(line) || matches!(line, "DONE" | "closed" | "read R BLOCK" | "RENEGOTIATING") {
            continue;
        }
        lines.push(line.to_string());
    }
    lines
}

fn mtlscheck_probe(pki: &TestPki, port: u16, args: &[&str]) -> String {
    let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin!("mtlscheck"));
    command.args(["probe", &format!("127.0.0.1:{port}"), "--timeout", "5s"]);
    if !args.contains(&"--cacert") {
        command.args(["--cacert", &path_arg(&pki.path("server-ca.pem"))]);
    }
    let output = command.args(args).current_dir(pki.dir.path()).output().expect("run mtlscheck probe");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Asserts that `expected` is an in-order subsequence of `actual`, naming the first line missing.
pub fn assert_in_order(expected: &[String], actual: &str, context: &str) {
    let actual: Vec<&str> = actual.lines().collect();
    let mut position = 0;
    for line in expected {
        match actual[position..].iter().position(|a| a == line) {
            Some(found) => position += found + 1,
            None => panic!("s_client line missing from mtlscheck probe (or out of order): {line:?}\n{context}"),
        }
    }
}

/// Runs s_client and `mtlscheck probe` with the same options against `server`, then compares.
fn assert_parity(pki: &TestPki, server: &SServer, client_args: &[&str], probe_args: &[&str]) {
    let (theirs, stderr) = s_client(pki, server.port, client_args);
    let ours = mtlscheck_probe(pki, server.port, probe_args);
    let stable = stable_lines(&theirs);
    let context = format!(
        "s_server {:?}\n--- s_client {client_args:?} stdout\n{theirs}\n--- s_client stderr\n{stderr}\n--- mtlscheck probe {probe_args:?}\n{ours}",
        server.args
    );
    assert!(stable.iter().any(|l| l.starts_with("New, ")), "s_client printed no session line\n{context}");
    assert_in_order(&stable, &ours, &context);

    // The transcript parser reads s_client's output back as the same facts mtlscheck saw.
    // Operators save both streams (`> out.txt 2>&1`); the alert is on stderr.
    let parsed = transcript::parse(&format!("{theirs}{stderr}"))
        .unwrap_or_else(|err| panic!("cannot parse s_client output: {err}\n{context}"));
    let mut endpoint = endpoint_args(pki);
    if let Some(i) = probe_args.iter().position(|a| *a == "--cert") {
        endpoint.cert = Some(pki.path(probe_args[i + 1]));
        endpoint.key = Some(pki.path(probe_args[i + 3]));
    }
    endpoint.tls1_2 = probe_args.contains(&"--tls1_2");
    endpoint.tls1_3 = probe_args.contains(&"--tls1_3");
    let (check, options) = endpoint_check(&format!("127.0.0.1:{}", server.port), &endpoint).unwrap();
    let live = run_one_with(&check, &options);
    // The transcript was taken the way the probe's arguments say: with our certificate or not.
    let connection = compare::connection_for(&parsed, endpoint.cert.is_some());
    let comparison = compare::compare("s_client", &parsed, &live, connection);
    assert!(comparison.agree, "transcript and live probe differ: {:#?}\n{context}", comparison.fields);
}

fn endpoint_args(pki: &TestPki) -> EndpointArgs {
    EndpointArgs {
        servername: None,
        noservername: false,
        cacert: Some(pki.path("server-ca.pem")),
        capath: None,
        cert: None,
        key: None,
        chain: None,
        p12: None,
        pass: None,
        tls1_2: false,
        tls1_3: false,
        timeout: std::time::Duration::from_secs(5),
        nameopt: Default::default(),
        like: None,
        http_path: None,
        http_method: None,
        http_host: None,
        connect: None,
        proxy: None,
        starttls: None,
        insecure: false,
        impostor: false,
    }
}

/// s_server options for each client-auth mode; the client CA's name holds a non-ASCII
/// character (`Zürich`), printed escaped as `Z\C3\BCrich`.
const MODES: [&[&str]; 4] = [
    &[],
    &["-verify", "1", "-CAfile", "client-ca.pem"],
    &["-Verify", "1", "-verify_return_error", "-CAfile", "client-ca.pem"],
    &["-Verify", "1", "-verify_return_error", "-no_ca_names", "-CAfile", "client-ca.pem"],
];

#[test]
fn probe_prints_every_stable_s_client_line_for_each_mode_tls12_and_tls13() {
    let pki = TestPki::new();
    for mode in MODES {
        for (server_flag, client_flag) in [("-tls1_2", "--tls1_2"), ("-tls1_3", "--tls1_3")] {
            let mut args = vec![server_flag];
            args.extend_from_slice(mode);
            let server = SServer::start(&pki, &args);
            assert_parity(&pki, &server, &[], &[]);
            // The same server, both sides pinned to the version explicitly.
            assert_parity(&pki, &server, &[server_flag], &[client_flag]);
        }
    }
}

#[test]
fn probe_with_our_certificate_matches_s_client_with_cert_and_key() {
    let pki = TestPki::new();
    for tls in ["-tls1_2", "-tls1_3"] {
        let server = SServer::start(&pki, &[tls, "-Verify", "1", "-verify_return_error", "-CAfile", "client-ca.pem"]);
        assert_parity(
            &pki,
            &server,
            &["-cert", "client.pem", "-key", "client.key"],
            &["--cert", "client.pem", "--key", "client.key"],
        );
    }
}

#[test]
fn probe_matches_s_client_for_an_rsa_server_with_an_intermediate() {
    let pki = TestPki::new();
    rsa_server_with_intermediate(&pki);
    for tls in ["-tls1_2", "-tls1_3"] {
        let server = SServer::start(
            &pki,
            &[
                tls,
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
        );
        assert_parity(&pki, &server, &[], &[]);
    }
}

#[test]
fn probe_reports_a_verification_failure_like_s_client() {
    // Trusting another CA: s_client says "Verification error: ..." and code 20 or 21.
    let pki = TestPki::new();
    let server = SServer::start(&pki, &["-tls1_3"]);
    let (theirs, _) = s_client(&pki, server.port, &["-CAfile", "other-ca.pem"]);
    let ours = mtlscheck_probe(&pki, server.port, &["--cacert", "other-ca.pem"]);
    assert!(theirs.contains("Verification error: "), "{theirs}");
    assert_in_order(&stable_lines(&theirs), &ours, &format!("{theirs}\n---\n{ours}"));
}

/// A LibreSSL s_client transcript of a connection to the lab's s_server, RECONSTRUCTED FROM
/// SOURCE (not measured: no LibreSSL runs here): the layout of `print_stuff` in OpenBSD's
/// `usr.bin/openssl/s_client.c` (libressl/openbsd, 2026): names by `X509_NAME_oneline`
/// (`/C=US/O=...`, non-ASCII as `\xC3`), no signature-algorithm lines, `Server Temp Key`,
/// `New, TLSv1/SSLv3, Cipher is ...` (its `SSL_CIPHER_get_version`), and its
/// `SSL_SESSION_print` for every protocol.
fn libressl_transcript(pki: &TestPki, protocol: &str, cipher: &str) -> String {
    let pem = std::fs::read_to_string(pki.path("server.pem")).expect("server.pem");
    format!(
        "CONNECTED(00000003)\n\
         depth=1 /C=US/O=mtlscheck lab/CN=Lab Server Root CA\n\
         verify return:1\n\
         depth=0 /CN=localhost\n\
         verify return:1\n\
         ---\n\
         Certificate chain\n \
         0 s:/CN=localhost\n   \
         i:/C=US/O=mtlscheck lab/CN=Lab Server Root CA\n\
         ---\n\
         Server certificate\n\
         {pem}\
         subject=/CN=localhost\n\
         issuer=/C=US/O=mtlscheck lab/CN=Lab Server Root CA\n\
         ---\n\
         Acceptable client certificate CA names\n\
         /C=CH/O=Z\\xC3\\xBCrich Partner AG/CN=Lab Client CA\n\
         Server Temp Key: X25519, 253 bits\n\
         ---\n\
         SSL handshake has read 1158 bytes and written 417 bytes\n\
         ---\n\
         New, TLSv1/SSLv3, Cipher is {cipher}\n\
         Server public key is 256 bit\n\
         Secure Renegotiation IS NOT supported\n\
         Compression: NONE\n\
         Expansion: NONE\n\
         No ALPN negotiated\n\
         SSL-Session:\n    \
         Protocol  : {protocol}\n    \
         Cipher    : {cipher}\n    \
         Session-ID: 8B3A0C8F21D04F7E9A6B5C4D3E2F1A0B8B3A0C8F21D04F7E9A6B5C4D3E2F1A0B\n    \
         Session-ID-ctx: \n    \
         Master-Key: 5F2A\n    \
         Start Time: 1767225600\n    \
         Timeout   : 7200 (sec)\n    \
         Verify return code: 0 (ok)\n\
         ---\n\
         DONE\n"
    )
}

/// The same connection as OpenSSL 1.0.2's s_client printed it, RECONSTRUCTED FROM SOURCE
/// (`apps/s_client.c` of 1.0.2u: names by `X509_NAME_oneline`, the signature-algorithm lines
/// already there, no `Verification:` line).
fn openssl_102_transcript(pki: &TestPki, protocol: &str, cipher: &str) -> String {
    libressl_transcript(pki, protocol, cipher).replace(
        "Server Temp Key: X25519, 253 bits",
        "Requested Signature Algorithms: ECDSA+SHA256:RSA+SHA256\nPeer signing digest: SHA256\nServer Temp Key: X25519, 253 bits",
    )
}

#[test]
fn reconstructed_libressl_and_1_0_2_transcripts_agree_with_the_live_probe() {
    let pki = TestPki::new();
    for (tls, protocol, cipher) in
        [("-tls1_2", "TLSv1.2", "ECDHE-ECDSA-AES256-GCM-SHA384"), ("-tls1_3", "TLSv1.3", "TLS_AES_256_GCM_SHA384")]
    {
        let server = SServer::start(&pki, &[tls, "-verify", "1", "-CAfile", "client-ca.pem"]);
        let (check, options) = endpoint_check(&format!("127.0.0.1:{}", server.port), &endpoint_args(&pki)).unwrap();
        let live = run_one_with(&check, &options);
        for (label, text) in [
            ("libressl", libressl_transcript(&pki, protocol, cipher)),
            ("1.0.2", openssl_102_transcript(&pki, protocol, cipher)),
        ] {
            let parsed = transcript::parse(&text).unwrap_or_else(|e| panic!("{label}: {e}\n{text}"));
            assert_eq!(parsed.style.label, label, "{text}");
            assert_eq!(parsed.protocol.as_deref(), Some(protocol));
            assert_eq!(parsed.ca_names.len(), 1);
            let comparison = compare::compare("s_client", &parsed, &live, compare::connection_for(&parsed, false));
            assert!(comparison.agree, "{label} {tls}: {:#?}\n{text}", comparison.fields);
        }
    }
}

#[test]
fn compare_command_and_run_compare_dir_report_agreement_and_a_changed_ca_list() {
    let pki = TestPki::new();
    let server = SServer::start(&pki, &["-tls1_3", "-verify", "1", "-CAfile", "client-ca.pem"]);
    let (stdout, stderr) = s_client(&pki, server.port, &[]);
    let transcript = pki.write("taken.txt", &format!("{stdout}{stderr}"));
    let target = format!("127.0.0.1:{}", server.port);
    let cacert = path_arg(&pki.path("server-ca.pem"));
    let compare_cmd = |file: &std::path::Path| {
        std::process::Command::new(assert_cmd::cargo::cargo_bin!("mtlscheck"))
            .args(["compare", &path_arg(file), "--target", &target, "--cacert", &cacert, "--format", "json"])
            .output()
            .unwrap()
    };
    let agreed = compare_cmd(&transcript);
    assert_eq!(agreed.status.code(), Some(0), "{}", String::from_utf8_lossy(&agreed.stdout));
    let report = crate::support::stdout_json(&agreed);
    assert_eq!(report["results"][0]["comparison"]["agree"], true);

    // The partner "changed" its CA list since the transcript was taken.
    let changed =
        pki.write("changed.txt", &format!("{stdout}{stderr}").replace("CN = Lab Client CA", "CN = Retired Client CA"));
    let differed = compare_cmd(&changed);
    assert_eq!(differed.status.code(), Some(1));
    let report: serde_json::Value = crate::support::stdout_json(&differed);
    let fields = report["results"][0]["comparison"]["fields"].as_array().unwrap();
    let ca_names = fields.iter().find(|f| f["field"] == "ca_names").unwrap();
    assert_eq!(ca_names["agree"], false);
    assert!(ca_names["note"].as_str().unwrap().contains("Retired Client CA"));

    // Not a transcript at all: exit 2 naming the file and line.
    let garbage = pki.write("garbage.txt", "hello\n");
    let refused = compare_cmd(&garbage);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("garbage.txt:1:"));

    // The batch form: DIR/<check name>.txt.
    let dir = pki.path("transcripts");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("partner.txt"), format!("{stdout}{stderr}")).unwrap();
    let checks = pki.write(
        "compare.yaml",
        &format!(
            "checks:\n  - name: partner\n    host: 127.0.0.1\n    port: {}\n    cacert: server-ca.pem\n",
            server.port
        ),
    );
    let run = std::process::Command::new(assert_cmd::cargo::cargo_bin!("mtlscheck"))
        .args(["run", &path_arg(&checks), "--compare-dir", &path_arg(&dir)])
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&run.stdout);
    assert_eq!(run.status.code(), Some(0), "{table}");
    assert!(table.contains("compared with") && table.contains("ca_names"), "{table}");
}
