//! Every verdict against in-process OpenSSL servers (the lab the demo runs), under TLS 1.2 and
//! TLS 1.3, asserting what the server did and what mtlscheck concluded.

use mtlscheck::lab::{CaNames, LabClientAuth, LabServerConfig};
use mtlscheck::model::{CheckResult, ClientAuth, Status};
use mtlscheck::pipeline::run_one;

use crate::support::{TestPki, lab_server};

#[derive(Clone, Copy, Debug)]
enum Tls {
    V12,
    V13,
}

const BOTH: [Tls; 2] = [Tls::V12, Tls::V13];

fn pinned(config: LabServerConfig, tls: Tls) -> LabServerConfig {
    match tls {
        Tls::V12 => config.tls12_only(),
        Tls::V13 => config.tls13_only(),
    }
}

fn protocol(tls: Tls) -> &'static str {
    match tls {
        Tls::V12 => "TLSv1.2",
        Tls::V13 => "TLSv1.3",
    }
}

fn probe(pki: &TestPki, config: LabServerConfig, with_cert: bool) -> CheckResult {
    let server = lab_server(config);
    let result = run_one(&pki.check("lab", server.port(), with_cert));
    assert!(server.connections() >= 1, "the server was never contacted");
    result
}

const OUR_CA: &str = "C = CH, O = Z\\C3\\BCrich Partner AG, CN = Lab Client CA";

#[test]
fn one_way_server_is_none_and_our_certificate_is_not_asked_for() {
    let pki = TestPki::new();
    for tls in BOTH {
        let r = probe(&pki, pinned(pki.server_config(), tls), true);
        assert_eq!(r.client_auth, ClientAuth::None, "{tls:?}: {r:#?}");
        assert!(!r.cert_requested);
        assert!(!r.ca_names_sent);
        assert_eq!(r.ca_name_match, None);
        assert_eq!(r.protocol.as_deref(), Some(protocol(tls)));
        assert_eq!(r.verify_code, Some(0));
        assert_eq!(r.with_cert.accepted, Some(true));
        assert!(r.requested_sigalgs.is_empty(), "no CertificateRequest, so no requested sigalgs");
        assert_eq!(r.status, Status::Pass);
    }
}

#[test]
fn required_server_listing_our_ca_refuses_without_and_accepts_with_our_certificate() {
    let pki = TestPki::new();
    for tls in BOTH {
        let config = pki.required_config();
        let r = probe(&pki, pinned(config, tls), true);
        assert_eq!(r.client_auth, ClientAuth::Required, "{tls:?}: {r:#?}");
        assert!(r.cert_requested);
        assert_eq!(r.ca_names, vec![OUR_CA.to_string()]);
        assert_eq!(r.ca_name_match, Some(true));
        assert_eq!(r.matched_ca_name.as_deref(), Some(OUR_CA));
        assert_eq!(r.without_cert.accepted, Some(false));
        assert_eq!(r.with_cert.accepted, Some(true), "{tls:?}: {:#?}", r.with_cert);
        assert!(!r.requested_sigalgs.is_empty());
        match tls {
            // TLS 1.2: the handshake itself fails; TLS 1.3: our handshake completes and the
            // refusal is alert 116 on the first read.
            Tls::V12 => {
                assert_eq!(r.rejection_stage.as_deref(), Some("during_handshake"));
                assert_eq!(r.without_cert.handshake, "failed");
                assert_eq!(r.without_cert.alert.as_deref(), Some("sslv3 alert handshake failure"));
                assert!(!r.client_cert_types.is_empty(), "TLS 1.2 CertificateRequest carries types");
            }
            Tls::V13 => {
                assert_eq!(r.rejection_stage.as_deref(), Some("after_handshake"));
                assert_eq!(r.without_cert.handshake, "ok");
                assert_eq!(r.without_cert.alert.as_deref(), Some("tlsv13 alert certificate required"));
                assert_eq!(r.with_cert.decided_by.as_deref(), Some("session_ticket"));
            }
        }
    }
}

#[test]
fn optional_server_accepts_without_a_certificate() {
    let pki = TestPki::new();
    for tls in BOTH {
        let mut config = pki.server_config();
        config.client_auth = LabClientAuth::Optional;
        let r = probe(&pki, pinned(config, tls), true);
        assert_eq!(r.client_auth, ClientAuth::Optional, "{tls:?}: {r:#?}");
        assert_eq!(r.without_cert.accepted, Some(true));
        assert_eq!(r.ca_name_match, Some(true));
        assert_eq!(r.with_cert.accepted, Some(true));
        if let Tls::V13 = tls {
            // Decided by the server's NewSessionTicket, not by waiting for the timeout.
            assert_eq!(r.without_cert.decided_by.as_deref(), Some("session_ticket"));
        }
    }
}

#[test]
fn required_server_without_ca_names_says_none_sent_and_match_is_null() {
    let pki = TestPki::new();
    for tls in BOTH {
        let mut config = pki.required_config();
        config.ca_names = CaNames::NoneSent;
        let r = probe(&pki, pinned(config, tls), true);
        assert_eq!(r.client_auth, ClientAuth::Required, "{tls:?}: {r:#?}");
        assert!(r.cert_requested, "requested, proven by the signature algorithms");
        assert!(!r.ca_names_sent);
        assert!(r.ca_names.is_empty());
        assert_eq!(r.ca_name_match, None);
        assert_eq!(r.with_cert.accepted, Some(true));
    }
}

#[test]
fn server_listing_other_cas_does_not_match_and_refuses_our_certificate() {
    let pki = TestPki::new();
    for tls in BOTH {
        let mut config = pki.required_config();
        config.trusted_client_cas = vec![pki.pki.other_ca.cert.clone()];
        let r = probe(&pki, pinned(config, tls), true);
        assert_eq!(r.client_auth, ClientAuth::Required, "{tls:?}: {r:#?}");
        assert_eq!(r.ca_names, vec!["C = US, O = \"Other Org, Inc.\", CN = Other Client CA".to_string()]);
        assert_eq!(r.ca_name_match, Some(false));
        assert_eq!(r.matched_ca_name, None);
        assert_eq!(r.with_cert.accepted, Some(false));
        assert_eq!(r.with_cert.alert.as_deref(), Some("tlsv1 alert unknown ca"), "{tls:?}: {:#?}", r.with_cert);
    }
}

#[test]
fn ca_names_listing_our_ca_among_others_match_by_name() {
    let pki = TestPki::new();
    let mut config = pki.server_config();
    config.client_auth = LabClientAuth::Optional;
    config.ca_names = CaNames::SubjectsOf(vec![pki.pki.other_ca.cert.clone(), pki.pki.client_ca.cert.clone()]);
    let r = probe(&pki, config, true);
    assert_eq!(r.ca_names.len(), 2);
    assert_eq!(r.ca_name_match, Some(true));
    assert_eq!(r.matched_ca_name.as_deref(), Some(OUR_CA));
}

#[test]
fn without_credentials_there_is_no_second_connection_and_no_match() {
    let pki = TestPki::new();
    let config = pki.required_config();
    let r = probe(&pki, config, false);
    assert_eq!(r.client_auth, ClientAuth::Required);
    assert_eq!(r.with_cert.handshake, "skipped");
    assert_eq!(r.ca_name_match, None);
}

/// `openssl s_client` catches the TLS 1.3 late rejection only some of the time (stdin EOF races
/// the alert); mtlscheck reads until the server's alert or ticket, so it must catch it always.
#[test]
fn tls13_late_rejection_is_caught_in_every_one_of_20_probes() {
    let pki = TestPki::new();
    let mut config = pki.server_config().tls13_only();
    config.client_auth = LabClientAuth::Required;
    let server = lab_server(config);
    let check = pki.check("late", server.port(), false);
    for round in 0..20 {
        let r = run_one(&check);
        assert_eq!(r.client_auth, ClientAuth::Required, "round {round}: {r:#?}");
        assert_eq!(r.without_cert.decided_by.as_deref(), Some("alert_after_handshake"), "round {round}");
        assert_eq!(r.without_cert.alert.as_deref(), Some("tlsv13 alert certificate required"));
    }
}

/// Like nginx's `ssl_verify_client on`: the handshake succeeds without a certificate; only the
/// HTTP request is refused. Without `http_path` that looks optional (and a note says why).
#[test]
fn http_layer_refusal_is_required_only_when_a_request_is_sent() {
    let pki = TestPki::new();
    for tls in BOTH {
        let mut config = pki.server_config();
        config.client_auth = LabClientAuth::Optional;
        config.http_requires_cert = true;
        let server = lab_server(pinned(config, tls));

        let plain = run_one(&pki.check("plain", server.port(), true));
        assert_eq!(plain.client_auth, ClientAuth::Optional, "{tls:?}: {plain:#?}");
        assert!(plain.notes.iter().any(|n| n.contains("http_path")), "{:?}", plain.notes);

        let yaml = format!(
            "checks:\n  - name: http\n    host: 127.0.0.1\n    port: {}\n    cacert: server-ca.pem\n    \
             cert: client.pem\n    key: client.key\n    http_path: /\n",
            server.port()
        );
        let check = mtlscheck::config::load(&pki.write("http.yaml", &yaml)).unwrap().remove(0);
        let r = run_one(&check);
        assert_eq!(r.client_auth, ClientAuth::Required, "{tls:?}: {r:#?}");
        assert_eq!(r.enforced_at.as_deref(), Some("http"));
        assert_eq!(r.without_cert.http_status, Some(400));
        assert_eq!(r.with_cert.http_status, Some(200));
        assert!(r.notes.is_empty());
    }
}
