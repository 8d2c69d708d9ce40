//! `starttls:` against in-test SMTP/IMAP/POP3/FTP responders that hand the socket to the lab's
//! real OpenSSL acceptor (the commands compared with what the real `openssl s_client -starttls`
//! sends), and against a real PostgreSQL with TLS and `clientcert=verify-full` in pg_hba.

use std::sync::{Arc, Mutex};

use mtlscheck::config;
use mtlscheck::lab::pki::{CertSpec, issue, write_certs, write_key};
use mtlscheck::lab::{LabClientAuth, LabServer, LabServerConfig};
use mtlscheck::model::Check;
use mtlscheck::model::{CheckResult, ClientAuth, Status};
use mtlscheck::model::{ProbeOptions, ProtocolRange};
use mtlscheck::pipeline::{run_one, run_one_with};
use openssl::ssl::SslVersion;

use crate::support::postgres::{self, Postgres};
use crate::support::starttls::{Behaviour, Protocol, Received, responder};
use crate::support::{TestPki, lab_server, parse_s_client, s_client};

const OUR_CA: &str = "C = CH, O = Z\\C3\\BCrich Partner AG, CN = Lab Client CA";

fn starttls_server(pki: &TestPki, protocol: Protocol, behaviour: Behaviour, tls12: bool) -> (LabServer, Received) {
    let received: Received = Arc::new(Mutex::new(Vec::new()));
    let mut config: LabServerConfig = pki.server_config();
    config.client_auth = LabClientAuth::Required;
    if tls12 {
        config = config.tls12_only();
    }
    let config = config.with_preamble(responder(protocol, behaviour, received.clone()));
    (lab_server(config), received)
}

fn check(pki: &TestPki, starttls: &str, port: u16, extra: &str) -> Check {
    let yaml = format!(
        "checks:\n  - name: {starttls}\n    host: 127.0.0.1\n    port: {port}\n    starttls: {starttls}\n    cacert: server-ca.pem\n    timeout: 3s\n{extra}"
    );
    let path = pki.write("checks.yaml", &yaml);
    config::load(&path).unwrap_or_else(|err| panic!("{err}")).remove(0)
}

const WITH_CERT: &str = "    cert: client.pem\n    key: client.key\n";

fn taken(received: &Received) -> Vec<String> {
    received.lock().map(|mut r| std::mem::take(&mut *r)).unwrap_or_default()
}

/// What `s_client -starttls` sends on one connection (apps/s_client.c, OpenSSL 3.0).
fn s_client_commands(protocol: Protocol) -> Vec<String> {
    let commands: &[&str] = match protocol {
        Protocol::Smtp => &["EHLO mail.example.com", "STARTTLS"],
        Protocol::Imap => &[". CAPABILITY", ". STARTTLS"],
        Protocol::Pop3 => &["STLS"],
        Protocol::Ftp => &["AUTH TLS"],
    };
    commands.iter().map(|c| c.to_string()).collect()
}

fn assert_required_with_our_ca(r: &CheckResult, context: &str) {
    assert_eq!((r.client_auth, r.status), (ClientAuth::Required, Status::Pass), "{context}: {r:#?}");
    assert_eq!(r.ca_names, vec![OUR_CA.to_string()], "{context}");
    assert_eq!(r.ca_name_match, Some(true), "{context}");
    assert_eq!(r.with_cert.accepted, Some(true), "{context}: {r:#?}");
    assert_eq!(r.verify_code, Some(0), "{context}");
}

#[test]
fn each_protocol_speaks_s_clients_preamble_before_both_handshakes() {
    let pki = TestPki::new();
    for protocol in Protocol::ALL {
        let name = protocol.name();
        // TLS 1.3 (the default range): mtlscheck, then the real s_client on the same server.
        let (server, received) = starttls_server(&pki, protocol, Behaviour::Offers, false);
        let r = run_one(&check(&pki, name, server.port(), WITH_CERT));
        assert_required_with_our_ca(&r, name);
        assert_eq!(r.starttls.as_deref(), Some(name));
        let ours = taken(&received);
        let (stdout, stderr) = s_client(&pki, server.port(), &["-starttls", name]);
        let theirs = taken(&received);
        assert_eq!(theirs, s_client_commands(protocol), "{name}: s_client sent\n{stdout}\n{stderr}");
        let both_connections = [theirs.clone(), theirs].concat();
        assert_eq!(ours, both_connections, "{name}: mtlscheck speaks s_client's preamble on each connection");
        assert_eq!(parse_s_client(&stdout).ca_names, r.ca_names, "{name}: CA names differ from s_client's\n{stdout}");

        // TLS 1.2: the refusal comes during the handshake.
        let (server, _) = starttls_server(&pki, protocol, Behaviour::Offers, true);
        let r = run_one(&check(&pki, name, server.port(), WITH_CERT));
        assert_required_with_our_ca(&r, &format!("{name} TLS 1.2"));
        assert_eq!(r.rejection_stage.as_deref(), Some("during_handshake"));
    }
}

#[test]
fn a_server_that_does_not_offer_tls_is_the_checks_error_with_its_reply() {
    let pki = TestPki::new();
    let expected = [
        (
            Protocol::Smtp,
            r#"SMTP STARTTLS failed: the server does not offer STARTTLS: it answered "502 5.5.1 Unrecognized command""#,
        ),
        (
            Protocol::Imap,
            r#"IMAP STARTTLS failed: the server does not offer STARTTLS: it answered ". BAD Unknown command""#,
        ),
        (
            Protocol::Pop3,
            r#"POP3 STARTTLS failed: the server does not offer STLS: it answered "-ERR Unknown command: STLS""#,
        ),
        (
            Protocol::Ftp,
            r#"FTP STARTTLS failed: the server does not offer AUTH TLS: it answered "500 AUTH not understood""#,
        ),
    ];
    for (protocol, error) in expected {
        let (server, _) = starttls_server(&pki, protocol, Behaviour::Refuses, false);
        let r = run_one(&check(&pki, protocol.name(), server.port(), WITH_CERT));
        assert_eq!(r.status, Status::Error, "{r:#?}");
        assert_eq!(r.error.as_deref(), Some(error));
        assert_eq!(r.with_cert.handshake, "skipped");
        assert!(r.notes.is_empty(), "no http_path advice for STARTTLS: {:?}", r.notes);
    }
}

#[test]
fn wrong_protocol_injected_bytes_and_a_silent_server_are_errors_within_the_timeout() {
    let pki = TestPki::new();
    let (smtp, _) = starttls_server(&pki, Protocol::Smtp, Behaviour::Offers, false);
    let r = run_one(&check(&pki, "imap", smtp.port(), ""));
    assert_eq!(
        r.error.as_deref(),
        Some(r#"IMAP STARTTLS failed: the server's greeting is not `* OK`: "220-mail.lab.test ESMTP lab responder""#)
    );

    let (injecting, _) = starttls_server(&pki, Protocol::Smtp, Behaviour::InjectsAfterGoAhead, false);
    let r = run_one(&check(&pki, "smtp", injecting.port(), ""));
    assert_eq!(
        r.error.as_deref(),
        Some(
            "SMTP STARTTLS failed: the server sent 10 more bytes after agreeing to start TLS; a client must not use them"
        )
    );

    // A plain TLS server waits for a ClientHello and never greets.
    let tls_only = lab_server(pki.server_config());
    let r = run_one(&check(&pki, "smtp", tls_only.port(), ""));
    assert_eq!(r.error.as_deref(), Some("timed out after 3s waiting for the greeting from the SMTP server"));
    assert!(r.elapsed_ms < 5_000, "bounded by the 3 s timeout: {} ms", r.elapsed_ms);
}

#[test]
fn postgresql_asks_for_certificates_in_tls_and_enforces_them_in_pg_hba() {
    let pki = TestPki::new();
    let other =
        issue(&CertSpec { subject: &[("CN", postgres::USER)], issuer: Some(&pki.pki.other_ca), ..Default::default() })
            .expect("issue");
    write_certs(&pki.path("other.pem"), &[&other.cert]).expect("write");
    write_key(&pki.path("other.key"), &other.key).expect("write");
    let server = Postgres::start(&pki, "trust");
    let port = server.port;
    let probe = |extra: &str, tls12: bool| {
        let version = tls12.then_some(SslVersion::TLS1_2);
        let options = ProbeOptions { protocols: ProtocolRange { min: version, max: version } };
        run_one_with(&check(&pki, "postgres", port, extra), &options)
    };
    let context = || server.log();

    // `ssl_ca_file` alone: a CertificateRequest naming our CA; a connection without a
    // certificate is accepted (PostgreSQL never sets SSL_VERIFY_FAIL_IF_NO_PEER_CERT).
    for tls12 in [false, true] {
        let r = probe(WITH_CERT, tls12);
        assert_eq!(r.protocol.as_deref(), Some(if tls12 { "TLSv1.2" } else { "TLSv1.3" }));
        assert_eq!((r.client_auth, r.status), (ClientAuth::Optional, Status::Pass), "{r:#?}\n{}", context());
        assert_eq!(r.ca_names, vec![OUR_CA.to_string()]);
        assert_eq!(r.without_cert.postgres_reply.as_deref(), Some("authentication ok"));
        assert_eq!(r.without_cert.decided_by.as_deref(), Some("application_data"), "no waiting for a TLS 1.3 ticket");
        assert_eq!(r.with_cert.postgres_reply.as_deref(), Some("authentication ok"));
    }
    // The real s_client sees the same CA names.
    let (stdout, _) = s_client(&pki, port, &["-starttls", "postgres"]);
    assert_eq!(parse_s_client(&stdout).ca_names, vec![OUR_CA.to_string()], "{stdout}");

    // clientcert=verify-full: refused only in answer to the startup message.
    server.set_hba_method("trust clientcert=verify-full");
    postgres::until(|| probe(WITH_CERT, false), |r| r.client_auth == ClientAuth::Required);
    for tls12 in [false, true] {
        let r = probe(WITH_CERT, tls12);
        let expected = (ClientAuth::Required, Some("postgres"), Status::Pass);
        assert_eq!((r.client_auth, r.enforced_at.as_deref(), r.status), expected, "{r:#?}\n{}", context());
        assert_eq!(r.without_cert.handshake, "ok", "the TLS handshake succeeds without a certificate");
        assert_eq!(
            r.without_cert.postgres_reply.as_deref(),
            Some("FATAL 28000: connection requires a valid client certificate")
        );
        assert_eq!(r.with_cert.postgres_reply.as_deref(), Some("authentication ok"));
    }

    // A certificate from a CA it does not trust: alert 48, after our handshake under TLS 1.3.
    let untrusted = "    cert: other.pem\n    key: other.key\n";
    for (tls12, decided_by) in [(false, "alert_after_handshake"), (true, "alert_during_handshake")] {
        let r = probe(untrusted, tls12);
        assert_eq!(r.with_cert.accepted, Some(false), "{r:#?}");
        assert_eq!(r.with_cert.alert.as_deref(), Some("tlsv1 alert unknown ca"), "{r:#?}");
        assert_eq!(r.with_cert.decided_by.as_deref(), Some(decided_by), "{r:#?}");
        assert_eq!(r.ca_name_match, Some(false));
    }
}
