//! Hostile input, each case asserting the exact error: files that cannot be read or hold
//! garbage, wrong passphrases and broken credentials, and servers on 127.0.0.1 that reset the
//! handshake half-way, list thousands of CA names, send names that are not UTF-8 or tens of
//! kilobytes long, or a 200 KB certificate chain. Everywhere: a clear error for that check, the
//! rest of the batch completes, no panic, no hang past the timeout, and no key material or
//! passphrase in any output at any verbosity. (Malformed YAML, unknown fields, duplicate names,
//! empty and missing files are in `cli.rs`; closed ports, silent and non-TLS services and
//! unresolvable names in `bad_endpoints.rs`.)

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use mtlscheck::lab::pki;
use mtlscheck::lab::{CaNames, LabClientAuth, LabServer};
use openssl::asn1::Asn1Time;
use openssl::bn::BigNum;
use openssl::hash::MessageDigest;
use openssl::x509::X509;

use crate::support::creds::{self, PASSPHRASE, set_mode};
use crate::support::{
    TestPki, config_error_in, lab_server, mtlscheck, parse_s_client, result_named, s_client, stdout_json,
};

/// A bound on a whole `mtlscheck run` of a batch whose checks have `timeout: 3s`.
const WHOLE_RUN_BOUND: Duration = Duration::from_secs(20);

// ---------------------------------------------------------------------------------------------
// Files

/// How a test makes a file unreadable. Tests run as root in CI, and root reads a file whatever
/// its mode, so there `chmod 000` proves nothing: a directory where the file is expected is used
/// instead (reading it fails for root too).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unreadable {
    Chmod000,
    DirectoryInstead,
}

impl Unreadable {
    /// Makes `path` unreadable the strongest way that works for the current user.
    fn make(path: &Path) -> Unreadable {
        std::fs::write(path, "-----BEGIN CERTIFICATE-----\n").expect("write");
        set_mode(path, 0o000);
        if std::fs::read(path).is_err() {
            return Unreadable::Chmod000;
        }
        std::fs::remove_file(path).expect("remove");
        std::fs::create_dir(path).expect("mkdir");
        Unreadable::DirectoryInstead
    }

    /// What mtlscheck says about it, after "cannot read <kind> <path>: ".
    fn reason(self) -> &'static str {
        match self {
            Unreadable::Chmod000 => "Permission denied (os error 13)",
            Unreadable::DirectoryInstead => "it is a directory, not a file",
        }
    }
}

#[test]
fn unreadable_credential_files_are_configuration_errors_naming_the_check_and_the_file() {
    for (field, kind, file) in [
        ("cert", "cert", "unreadable-cert.pem"),
        ("key", "key", "unreadable.key"),
        ("chain", "chain", "unreadable-chain.pem"),
        ("cacert", "file", "unreadable-ca.pem"),
        ("p12", "p12", "unreadable.p12"),
        ("key_password_file", "the passphrase file", "unreadable-pass.txt"),
    ] {
        let pki = TestPki::new();
        creds::encrypted_keys(&pki);
        let how = Unreadable::make(&pki.path(file));
        let credentials = match field {
            "cert" => format!("cert: {file}, key: client.key"),
            "key" => format!("cert: client.pem, key: {file}"),
            "chain" => format!("cert: client.pem, key: client.key, chain: {file}"),
            "cacert" => format!("cacert: {file}"),
            "p12" => format!("p12: {file}"),
            _ => format!("cert: client.pem, key: client-pkcs8.key, key_password_file: {file}"),
        };
        let yaml = format!("checks:\n  - {{name: partner, host: 127.0.0.1, {credentials}}}\n");
        if field == "key_password_file" {
            // Secrets are provisioned at run time: an unreadable passphrase file is that check's
            // error, not the configuration's, so `validate` names it and exits 2.
            pki.write("checks.yaml", &yaml);
            let output = mtlscheck()
                .current_dir(pki.dir.path())
                .args(["validate", "checks.yaml"])
                .assert()
                .code(2)
                .get_output()
                .clone();
            assert_eq!(
                String::from_utf8_lossy(&output.stdout),
                format!(
                    "partner: error: cannot decrypt key client-pkcs8.key: cannot read {kind} {file}: {}\n",
                    how.reason()
                ),
                "{how:?}"
            );
            continue;
        }
        let stderr = config_error_in(&pki, &yaml);
        let prefix = if field == "cacert" { "cacert " } else { "" };
        let expected =
            format!("mtlscheck: checks.yaml: check 'partner': {prefix}cannot read {kind} {file}: {}\n", how.reason());
        assert_eq!(stderr, expected, "{field} ({how:?})");
    }
}

#[test]
fn an_unreadable_checks_file_is_a_configuration_error_naming_it() {
    let pki = TestPki::new();
    let path = pki.path("checks.yaml");
    let how = Unreadable::make(&path);
    let output = mtlscheck().arg("run").arg(&path).assert().code(2).stdout("").get_output().clone();
    let reason = match how {
        Unreadable::Chmod000 => "Permission denied (os error 13)",
        Unreadable::DirectoryInstead => "it is a directory, not a file",
    };
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        format!("mtlscheck: cannot read checks file {}: {reason}\n", path.display())
    );
}

#[test]
fn garbage_in_pem_files_is_a_configuration_error_naming_the_file() {
    let pki = TestPki::new();
    // A PEM armour around bytes that are not base64 of a certificate, and plain text.
    pki.write("garbage.pem", "-----BEGIN CERTIFICATE-----\n!!not base64 at all!!\n-----END CERTIFICATE-----\n");
    pki.write("garbage.key", "-----BEGIN PRIVATE KEY-----\nAAAAAAAAAAAAAAAA\n-----END PRIVATE KEY-----\n");
    pki.write("text.txt", "this is not a certificate\n");
    let cases = [
        (
            "cert: garbage.pem, key: client.key",
            "cert garbage.pem holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)",
        ),
        (
            "cert: client.pem, key: garbage.key",
            "key garbage.key holds no PEM private key (expected -----BEGIN PRIVATE KEY-----, -----BEGIN ENCRYPTED PRIVATE KEY----- or -----BEGIN RSA/EC PRIVATE KEY-----)",
        ),
        (
            "cert: client.pem, key: client.key, chain: text.txt",
            "chain text.txt holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)",
        ),
        (
            "cacert: garbage.pem",
            "cacert file garbage.pem holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)",
        ),
        ("p12: text.txt", "p12 text.txt is not a PKCS#12 file (a binary .p12/.pfx file is expected)"),
    ];
    for (credentials, message) in cases {
        let stderr =
            config_error_in(&pki, &format!("checks:\n  - {{name: partner, host: 127.0.0.1, {credentials}}}\n"));
        assert_eq!(stderr, format!("mtlscheck: checks.yaml: check 'partner': {message}\n"), "{credentials}");
    }
}

#[test]
fn a_device_or_pipe_named_as_a_credential_file_is_refused_instead_of_read_forever() {
    let pki = TestPki::new();
    for (device, what) in [("/dev/zero", "a device"), ("/dev/stdin", "a device")] {
        let stderr = config_error_in(
            &pki,
            &format!("checks:\n  - {{name: partner, host: 127.0.0.1, cert: {device}, key: client.key}}\n"),
        );
        assert_eq!(
            stderr,
            format!(
                "mtlscheck: checks.yaml: check 'partner': cannot read cert {device}: it is not a regular file ({what}, pipe or socket)\n"
            ),
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Credentials that are that check's error: the batch goes on, and no secret is ever printed.

const PASS_VAR: &str = "MTLSCHECK_TEST_KEY_PASS";
const WRONG_VAR: &str = "MTLSCHECK_TEST_WRONG_PASS";
/// A wrong passphrase: it must not appear in any output either.
const WRONG_PASSPHRASE: &str = "Wr0ng-passphrase-also-never-printed";

/// Every 24-character run of the base64 body of each PEM block in `pem`.
fn pem_body_fragments(pem: &str) -> Vec<String> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----") && !l.contains(':')).collect();
    let chars: Vec<char> = body.chars().collect();
    chars.windows(24).map(|w| w.iter().collect()).collect()
}

#[test]
fn broken_credentials_fail_only_their_check_and_no_secret_reaches_any_output_at_any_verbosity() {
    let pki = TestPki::new();
    let config = pki.required_config();
    let server = lab_server(config);
    creds::encrypted_keys(&pki);
    creds::passphrase_file(&pki);
    creds::pkcs12(&pki, "client.p12", "client.pem", "client.key", None, true);
    pki.write("wrong-passphrase.txt", &format!("{WRONG_PASSPHRASE}\n"));
    set_mode(&pki.path("wrong-passphrase.txt"), 0o600);
    let expired = creds::client_cert_valid(&pki, "expired", -400, -2);
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
    key: client-pkcs8.key
    key_password_env: {PASS_VAR}
    expect: {{client_auth: required, ca_name_match: true}}
  - name: wrong-key-passphrase
    cert: client.pem
    key: client-pkcs8.key
    key_password_env: {WRONG_VAR}
  - name: wrong-p12-passphrase
    p12: client.p12
    p12_password_file: wrong-passphrase.txt
  - name: passphrase-variable-unset
    cert: client.pem
    key: client-traditional.key
    key_password_env: MTLSCHECK_TEST_SURELY_UNSET
  - name: expired-certificate
    cert: expired.pem
    key: expired.key
  - name: key-from-another-certificate
    cert: client.pem
    key: server.key
  - name: good-p12
    p12: client.p12
    p12_password_file: passphrase.txt
    expect: {{client_auth: required, ca_name_match: true}}
",
            port = server.port()
        ),
    );
    let p = |file: &str| pki.path(file).display().to_string();
    let expected_errors = [
        (
            "wrong-key-passphrase",
            format!(
                "wrong passphrase for key {} (from ${WRONG_VAR}): put the right passphrase in ${WRONG_VAR}",
                p("client-pkcs8.key")
            ),
        ),
        (
            "wrong-p12-passphrase",
            format!(
                "wrong passphrase for p12 {} (from file {}): put the right passphrase in {}",
                p("client.p12"),
                p("wrong-passphrase.txt"),
                p("wrong-passphrase.txt")
            ),
        ),
        (
            "passphrase-variable-unset",
            format!(
                "cannot decrypt key {}: the environment variable MTLSCHECK_TEST_SURELY_UNSET that should hold the \
                 passphrase is not set: export it where mtlscheck runs",
                p("client-traditional.key")
            ),
        ),
        (
            "expired-certificate",
            format!(
                "our client certificate in {} expired on {}: renew it and point `cert` at the new file",
                p("expired.pem"),
                expired.cert.not_after()
            ),
        ),
        (
            "key-from-another-certificate",
            format!(
                "the private key {} does not match the certificate {}: use the key the certificate was issued for",
                p("server.key"),
                p("client.pem")
            ),
        ),
    ];

    let mut secrets: Vec<String> = vec![PASSPHRASE.into(), WRONG_PASSPHRASE.into()];
    for key in ["client.key", "server.key", "expired.key", "client-pkcs8.key", "client-traditional.key"] {
        secrets.extend(pem_body_fragments(&std::fs::read_to_string(pki.path(key)).expect("read key")));
    }
    let runs: [(&[&str], Option<&str>); 6] = [
        (&["run", "-q"], None),
        (&["run"], None),
        (&["run", "-v"], None),
        (&["run", "-vv"], None),
        (&["run", "-vv", "--format", "json"], None),
        (&["run", "--format", "json"], Some("trace")),
    ];
    for (args, rust_log) in runs {
        let mut command = mtlscheck();
        command.env(PASS_VAR, PASSPHRASE).env(WRONG_VAR, WRONG_PASSPHRASE).env_remove("MTLSCHECK_TEST_SURELY_UNSET");
        if let Some(level) = rust_log {
            command.env("RUST_LOG", level);
        }
        let started = Instant::now();
        let output = command.args(args).arg(&checks).assert().code(1).get_output().clone();
        assert!(started.elapsed() < WHOLE_RUN_BOUND, "{args:?} took {:?}", started.elapsed());
        let stdout = crate::support::runs::unwrapped(&String::from_utf8_lossy(&output.stdout));
        let stderr = String::from_utf8_lossy(&output.stderr);
        for secret in &secrets {
            assert!(!stdout.contains(secret.as_str()), "{args:?}: secret {secret:?} on stdout:\n{stdout}");
            assert!(!stderr.contains(secret.as_str()), "{args:?}: secret {secret:?} on stderr:\n{stderr}");
        }
        if args.contains(&"-vv") {
            assert!(stderr.contains("probing good"), "-vv logs: {stderr}");
        }
        if args.contains(&"json") {
            let report = stdout_json(&output);
            for (name, error) in &expected_errors {
                // The partner is still probed without a certificate; the check fails for its
                // credentials, with the same message `validate` gives.
                let result = result_named(&report, name);
                assert_eq!(result["status"], "fail", "{result:#}");
                assert_eq!(result["client_auth"], "required", "{result:#}");
                let credentials = result["expectations"]
                    .as_array()
                    .and_then(|list| list.iter().find(|e| e["field"] == "credentials"))
                    .unwrap_or_else(|| panic!("no credentials expectation: {result:#}"));
                assert_eq!(credentials["detail"].as_str(), Some(error.as_str()), "{name}");
            }
            for name in ["good", "good-p12"] {
                assert_eq!(result_named(&report, name)["status"], "pass", "{report:#}");
            }
        } else if !args.contains(&"-q") {
            for (name, error) in &expected_errors {
                assert!(stdout.contains(&format!("  {name}: credentials: {error}")), "{name}: {error}\nin:\n{stdout}");
            }
        }
    }
    // Per run: the two good checks connect twice (without and with our certificate), the five
    // broken ones once (without a certificate: their credentials are never presented).
    assert_eq!(server.connections(), 6 * (2 * 2 + 5));
}

// ---------------------------------------------------------------------------------------------
// Servers

/// A TCP relay in front of `upstream` that passes the client's ClientHello on, forwards the
/// server's first TLS record (its ServerHello) and then resets the client's connection: a
/// server that dies mid-handshake. The ClientHello is only peeked, never read, so closing the
/// socket with those bytes unread makes the kernel send a RST instead of a FIN.
struct ResetAfterServerHello {
    port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl ResetAfterServerHello {
    fn start(upstream: SocketAddr) -> ResetAfterServerHello {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        listener.set_nonblocking(true).expect("non-blocking");
        let port = listener.local_addr().expect("addr").port();
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let started = Instant::now();
                let mut served = 0;
                // At most 4 connections and 30 s, whatever the client does.
                while !stop.load(Ordering::SeqCst) && started.elapsed() < Duration::from_secs(30) && served < 4 {
                    match listener.accept() {
                        Ok((client, _)) => {
                            served += 1;
                            let _ = client.set_nonblocking(false);
                            relay_then_reset(client, upstream);
                        }
                        Err(err) if err.kind() == ErrorKind::WouldBlock => {
                            std::thread::sleep(Duration::from_millis(10))
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(10)),
                    }
                }
            })
        };
        ResetAfterServerHello { port, stop, thread: Some(thread) }
    }
}

impl Drop for ResetAfterServerHello {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn relay_then_reset(client: TcpStream, upstream: SocketAddr) {
    let timeout = Some(Duration::from_secs(5));
    let _ = client.set_read_timeout(timeout);
    let Ok(mut server) = TcpStream::connect_timeout(&upstream, Duration::from_secs(5)) else { return };
    let _ = server.set_read_timeout(timeout);
    // Peek until the whole ClientHello record is there.
    let mut hello = vec![0u8; 16 * 1024];
    let mut seen = 0;
    for _ in 0..100 {
        seen = client.peek(&mut hello).unwrap_or(0);
        if seen >= 5 && seen >= 5 + usize::from(u16::from_be_bytes([hello[3], hello[4]])) {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    if server.write_all(&hello[..seen]).is_err() {
        return;
    }
    let mut header = [0u8; 5];
    if server.read_exact(&mut header).is_err() {
        return;
    }
    let mut body = vec![0u8; usize::from(u16::from_be_bytes([header[3], header[4]]))];
    if server.read_exact(&mut body).is_err() {
        return;
    }
    let mut writer = &client;
    let _ = writer.write_all(&header);
    let _ = writer.write_all(&body);
    // Let the client read the ServerHello before the reset arrives.
    std::thread::sleep(Duration::from_millis(300));
    drop(client);
}

/// A TCP relay in front of `upstream` that replaces every `find` in what the server sends with
/// `replace` (same length). Under TLS 1.2 the CertificateRequest travels in clear, so this sends
/// CA names no TLS library would produce: an OpenSSL server refuses to encode them.
struct PatchingRelay {
    port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl PatchingRelay {
    fn start(upstream: SocketAddr, find: &'static [u8], replace: &'static [u8]) -> PatchingRelay {
        assert_eq!(find.len(), replace.len());
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        listener.set_nonblocking(true).expect("non-blocking");
        let port = listener.local_addr().expect("addr").port();
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let started = Instant::now();
                let mut connections = Vec::new();
                let mut accepted = 0;
                while !stop.load(Ordering::SeqCst) && started.elapsed() < Duration::from_secs(30) && accepted < 4 {
                    match listener.accept() {
                        Ok((client, _)) => {
                            accepted += 1;
                            let _ = client.set_nonblocking(false);
                            let Ok(server) = TcpStream::connect_timeout(&upstream, Duration::from_secs(5)) else {
                                continue;
                            };
                            let (client2, server2) =
                                (client.try_clone().expect("clone"), server.try_clone().expect("clone"));
                            let stop_a = stop.clone();
                            let stop_b = stop.clone();
                            connections.push(std::thread::spawn(move || pump(client, server, None, &stop_a)));
                            connections.push(std::thread::spawn(move || {
                                pump(server2, client2, Some((find, replace)), &stop_b)
                            }));
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(10)),
                    }
                }
                for connection in connections {
                    let _ = connection.join();
                }
            })
        };
        PatchingRelay { port, stop, thread: Some(thread) }
    }
}

impl Drop for PatchingRelay {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Copies `from` to `to` until either side closes (or 30 s), patching when asked. Bytes that
/// could be the start of `find` are held back until the next read or a quiet 100 ms.
fn pump(mut from: TcpStream, mut to: TcpStream, patch: Option<(&[u8], &[u8])>, stop: &AtomicBool) {
    let _ = from.set_read_timeout(Some(Duration::from_millis(100)));
    let started = Instant::now();
    let mut pending: Vec<u8> = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    let keep = patch.map_or(0, |(find, _)| find.len() - 1);
    while !stop.load(Ordering::SeqCst) && started.elapsed() < Duration::from_secs(30) {
        let quiet = match from.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                pending.extend_from_slice(&buf[..n]);
                false
            }
            Err(err) if matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => true,
            Err(_) => break,
        };
        if let Some((find, replace)) = patch {
            while let Some(at) = pending.windows(find.len()).position(|w| w == find) {
                pending[at..at + find.len()].copy_from_slice(replace);
            }
        }
        let send = if quiet { pending.len() } else { pending.len().saturating_sub(keep) };
        if send > 0 && to.write_all(&pending[..send]).is_err() {
            break;
        }
        pending.drain(..send);
    }
    let _ = to.write_all(&pending);
    let _ = to.shutdown(std::net::Shutdown::Write);
}

/// DER of one name attribute type: CN, O, OU.
const CN: &[u8] = &[0x55, 0x04, 0x03];
const O: &[u8] = &[0x55, 0x04, 0x0A];
const OU: &[u8] = &[0x55, 0x04, 0x0B];
/// ASN.1 string tags.
const UTF8_STRING: u8 = 0x0C;
const T61_STRING: u8 = 0x14;
const BMP_STRING: u8 = 0x1E;

fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len.to_be_bytes().into_iter().skip_while(|&b| b == 0).collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

/// A DER-encoded distinguished name, one attribute per RDN, with the string bytes exactly as
/// given (no checks: that is the point).
fn der_name(attributes: &[(&[u8], u8, &[u8])]) -> Vec<u8> {
    let rdns: Vec<u8> = attributes
        .iter()
        .flat_map(|(oid, tag, value)| der(0x31, &der(0x30, &[der(0x06, oid), der(*tag, value)].concat())))
        .collect();
    der(0x30, &rdns)
}

/// A lab server requiring a certificate whose CertificateRequest carries `names`.
fn server_sending_names(pki: &TestPki, names: Vec<Vec<u8>>) -> LabServer {
    let mut config = pki.required_config();
    config.ca_names = CaNames::DerNames(names);
    lab_server(config)
}

/// `count` certificates of about `size` bytes each (a long OU), all signed by one key so that
/// generating them is fast. They need not form a valid chain: the client reads them all.
fn filler_certificates(count: usize, size: usize) -> Vec<X509> {
    let key = pki::new_key(mtlscheck::lab::KeyKind::EcP256).expect("key");
    (0..count)
        .map(|index| {
            let ou = "x".repeat(size.saturating_sub(300));
            let name = pki::name(&[("O", "Filler"), ("CN", &format!("Filler {index}"))]).expect("name");
            let mut builder = X509::builder().expect("builder");
            builder.set_version(2).expect("version");
            let serial = BigNum::from_u32(index as u32 + 1).and_then(|bn| bn.to_asn1_integer()).expect("serial");
            builder.set_serial_number(&serial).expect("serial");
            builder.set_subject_name(&name).expect("subject");
            // A long issuer name is the simplest way to make the certificate big.
            let mut issuer_name = openssl::x509::X509NameBuilder::new().expect("name");
            issuer_name.append_entry_by_text("O", "Filler").expect("O");
            for chunk in ou.as_bytes().chunks(64) {
                issuer_name.append_entry_by_text("OU", std::str::from_utf8(chunk).expect("ascii")).expect("OU");
            }
            builder.set_issuer_name(&issuer_name.build()).expect("issuer");
            builder.set_pubkey(&key).expect("pubkey");
            builder.set_not_before(&Asn1Time::days_from_now(0).expect("time")).expect("nb");
            builder.set_not_after(&Asn1Time::days_from_now(30).expect("time")).expect("na");
            builder.sign(&key, MessageDigest::sha256()).expect("sign");
            builder.build()
        })
        .collect()
}

/// The CA names `openssl s_client` prints for the server on `port`, and its stdout.
fn s_client_names(pki: &TestPki, port: u16) -> (Vec<String>, String) {
    let (stdout, stderr) = s_client(pki, port, &[]);
    (parse_s_client(&stdout).ca_names, format!("{stdout}\n{stderr}"))
}

struct HostileServers {
    reset: ResetAfterServerHello,
    two_thousand_names: LabServer,
    oversized_names: LabServer,
    odd_names: LabServer,
    big_chain: LabServer,
    good: LabServer,
    _upstream: LabServer,
}

#[test]
fn hostile_servers_each_get_a_clear_error_or_verdict_and_the_batch_completes() {
    let pki = TestPki::new();
    let upstream = lab_server(pki.server_config());
    let short_names: Vec<Vec<u8>> =
        (0..2000).map(|i| der_name(&[(CN, UTF8_STRING, format!("CA {i:04}").as_bytes())])).collect();
    let realistic_names: Vec<Vec<u8>> = (0..2000)
        .map(|i| {
            der_name(&[
                (O, UTF8_STRING, format!("Partner Organisation {i:04} Ltd").as_bytes()),
                (OU, UTF8_STRING, b"Certification Services Division"),
                (CN, UTF8_STRING, format!("Partner Issuing CA {i:04} G2").as_bytes()),
            ])
        })
        .collect();
    let odd_names = vec![
        der_name(&[(CN, T61_STRING, b"Z\xfcrich Latin-1 T61")]),
        der_name(&[(CN, BMP_STRING, b"\x00O\x00d\x00d")]),
        der_name(&[(O, UTF8_STRING, "L".repeat(20_000).as_bytes()), (CN, UTF8_STRING, "\u{1F600} emoji".as_bytes())]),
    ];
    let mut chain_config = pki.server_config();
    chain_config.chain = filler_certificates(100, 2_100);
    let chain_bytes: usize = chain_config.chain.iter().map(|c| c.to_der().map(|d| d.len()).unwrap_or(0)).sum();
    assert!(chain_bytes >= 200_000, "chain is {chain_bytes} bytes");
    let mut marked = pki.server_config().tls12_only();
    marked.client_auth = LabClientAuth::Required;
    marked.ca_names = CaNames::DerNames(vec![der_name(&[(O, UTF8_STRING, b"MARK-INVALID-UTF8")])]);
    let marked = lab_server(marked);
    let invalid_utf8 = PatchingRelay::start(marked.addr(), b"MARK-INVALID-UTF8", b"BAD-\xff\xfe-UTF-8-\xc3\x28!!");
    let servers = HostileServers {
        reset: ResetAfterServerHello::start(upstream.addr()),
        two_thousand_names: server_sending_names(&pki, short_names),
        oversized_names: server_sending_names(&pki, realistic_names),
        odd_names: server_sending_names(&pki, odd_names),
        big_chain: lab_server(chain_config),
        good: lab_server(pki.server_config()),
        _upstream: upstream,
    };
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
  - {{name: reset-mid-handshake, port: {}}}
  - {{name: two-thousand-ca-names, port: {}}}
  - {{name: ca-names-over-64-kb, port: {}}}
  - {{name: odd-ca-names, port: {}}}
  - {{name: chain-of-200-kb, port: {}}}
  - {{name: invalid-utf8-ca-name, port: {}}}
  - {{name: good, port: {}, expect: {{client_auth: none}}}}
",
            servers.reset.port,
            servers.two_thousand_names.port(),
            servers.oversized_names.port(),
            servers.odd_names.port(),
            servers.big_chain.port(),
            invalid_utf8.port,
            servers.good.port()
        ),
    );
    let started = Instant::now();
    let output = mtlscheck().args(["run", "--format", "json"]).arg(&checks).assert().code(1).get_output().clone();
    let elapsed = started.elapsed();
    assert!(elapsed < WHOLE_RUN_BOUND, "the batch took {elapsed:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    let report = stdout_json(&output);
    let error_of = |name: &str| {
        let result = result_named(&report, name);
        assert_eq!(result["status"], "error", "{result:#}");
        assert_eq!(result["client_auth"], "error", "{result:#}");
        result["error"].as_str().unwrap_or_default().to_string()
    };

    assert_eq!(
        error_of("reset-mid-handshake"),
        "the server reset the connection in the middle of the TLS handshake (after its ServerHello, without an alert)"
    );

    // Up to 64 KB of CA names (the protocol's limit): every one is reported exactly as the real
    // s_client prints it.
    let many = result_named(&report, "two-thousand-ca-names");
    assert_eq!(many["client_auth"], "required", "{many:#}");
    let names: Vec<String> =
        many["ca_names"].as_array().expect("list").iter().filter_map(|n| n.as_str().map(String::from)).collect();
    assert_eq!(names.len(), 2000);
    assert_eq!(names[1999], "CN = CA 1999");
    assert_eq!(names, s_client_names(&pki, servers.two_thousand_names.port()).0);

    // More than 64 KB of names cannot be encoded: the OpenSSL server itself fails every handshake
    // with an internal_error alert, which is what is reported.
    let oversized = error_of("ca-names-over-64-kb");
    assert!(oversized.starts_with("TLS handshake failed: error:0A000438:SSL routines:"), "{oversized}");
    assert!(oversized.contains(":tlsv1 alert internal error:"), "{oversized}");
    assert!(oversized.ends_with("SSL alert number 80"), "{oversized}");
    let (_, s_client_said) = s_client_names(&pki, servers.oversized_names.port());
    assert!(s_client_said.contains("alert internal error"), "{s_client_said}");

    // A Latin-1 T61String, a BMPString, a 20 KB value and an emoji: as s_client prints them.
    let odd = result_named(&report, "odd-ca-names");
    assert_eq!(odd["client_auth"], "required", "{odd:#}");
    let odd_names: Vec<String> =
        odd["ca_names"].as_array().expect("list").iter().filter_map(|n| n.as_str().map(String::from)).collect();
    assert_eq!(odd_names.len(), 3, "{odd:#}");
    assert_eq!(odd_names[0], "CN = Z\\C3\\BCrich Latin-1 T61");
    assert_eq!(odd_names, s_client_names(&pki, servers.odd_names.port()).0);

    let chain = error_of("chain-of-200-kb");
    assert!(chain.starts_with("TLS handshake failed: error:0A000098:SSL routines:"), "{chain}");
    assert!(chain.contains(":excessive message size:"), "{chain}");
    assert!(
        chain.ends_with(
            " (a handshake message from the server, usually its certificate chain, is larger than the 100 KB OpenSSL \
             clients accept by default: s_client and curl fail the same way)"
        ),
        "{chain}"
    );
    let (_, s_client_said) = s_client_names(&pki, servers.big_chain.port());
    assert!(s_client_said.contains("excessive message size"), "{s_client_said}");

    // A UTF8String CA name that is not UTF-8: our side aborts; that is no "required" verdict.
    let invalid = error_of("invalid-utf8-ca-name");
    assert!(
        invalid.starts_with(
            "TLS handshake failed: the server asked for a client certificate, then our side aborted the handshake with \
             alert \"decode error\" because OpenSSL could not process the server's messages (s_client and curl fail the \
             same way): error:06800086:asn1 encoding routines:"
        ),
        "{invalid}"
    );
    assert!(invalid.contains("invalid utf8string"), "{invalid}");
    let (_, s_client_said) = s_client_names(&pki, invalid_utf8.port);
    assert!(s_client_said.contains("invalid utf8string"), "{s_client_said}");

    let good = result_named(&report, "good");
    assert_eq!(good["status"], "pass", "{good:#}");
    assert_eq!(servers.good.connections(), 2);
}
