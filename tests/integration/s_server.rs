//! The real `openssl s_server` in each client-auth mode, probed by mtlscheck and by the real
//! `openssl s_client`: verdicts must be right and the facts s_client prints must be the same.

use mtlscheck::model::{CheckResult, ClientAuth};
use mtlscheck::pipeline::run_one;

use crate::support::{SClientView, SServer, TestPki, parse_s_client, rsa_server_with_intermediate, s_client};

/// Probes `server` with mtlscheck (with our certificate) and with s_client (without, as an
/// operator's first look would), and checks that both saw the same server.
fn probe_and_compare(pki: &TestPki, server: &SServer) -> (CheckResult, SClientView) {
    let result = run_one(&pki.check("s_server", server.port, true));
    let (stdout, stderr) = s_client(pki, server.port, &[]);
    let view = parse_s_client(&stdout);
    let context = format!(
        "s_server {:?}\n--- s_client stdout\n{stdout}\n--- stderr\n{stderr}\n--- mtlscheck\n{result:#?}",
        server.args
    );
    assert_eq!(result.ca_names, view.ca_names, "CA names differ\n{context}");
    assert_eq!(result.protocol, view.protocol, "protocol differs\n{context}");
    assert_eq!(result.cipher, view.cipher, "cipher differs\n{context}");
    assert_eq!(result.verify_code, view.verify_code, "verify code differs\n{context}");
    let sigalgs = (!result.requested_sigalgs.is_empty()).then(|| result.requested_sigalgs.join(":"));
    assert_eq!(sigalgs, view.requested_sigalgs, "requested signature algorithms differ\n{context}");
    let chain: Vec<(String, String)> =
        result.peer_chain.iter().map(|c| (c.subject.clone(), c.issuer.clone())).collect();
    assert_eq!(chain, view.chain, "server chain differs\n{context}");
    (result, view)
}

const TLS_VERSIONS: [&str; 2] = ["-tls1_2", "-tls1_3"];

#[test]
fn s_server_without_client_auth_is_one_way() {
    let pki = TestPki::new();
    for tls in TLS_VERSIONS {
        let server = SServer::start(&pki, &[tls]);
        let (result, view) = probe_and_compare(&pki, &server);
        assert_eq!(result.client_auth, ClientAuth::None, "{tls}");
        assert!(view.ca_names.is_empty() && view.requested_sigalgs.is_none());
        assert_eq!(result.with_cert.accepted, Some(true));
    }
}

#[test]
fn s_server_verify_is_optional() {
    let pki = TestPki::new();
    for tls in TLS_VERSIONS {
        let server = SServer::start(&pki, &[tls, "-verify", "1", "-CAfile", "client-ca.pem"]);
        let (result, _) = probe_and_compare(&pki, &server);
        assert_eq!(result.client_auth, ClientAuth::Optional, "{tls}: {result:#?}");
        assert_eq!(result.ca_name_match, Some(true));
        assert_eq!(result.with_cert.accepted, Some(true));
    }
}

#[test]
fn s_server_capital_verify_with_return_error_is_required() {
    let pki = TestPki::new();
    for tls in TLS_VERSIONS {
        let server = SServer::start(&pki, &[tls, "-Verify", "1", "-verify_return_error", "-CAfile", "client-ca.pem"]);
        let (result, _) = probe_and_compare(&pki, &server);
        assert_eq!(result.client_auth, ClientAuth::Required, "{tls}: {result:#?}");
        assert_eq!(result.ca_name_match, Some(true));
        assert_eq!(result.with_cert.accepted, Some(true), "{tls}: {:#?}", result.with_cert);
        let expected_stage = if tls == "-tls1_3" { "after_handshake" } else { "during_handshake" };
        assert_eq!(result.rejection_stage.as_deref(), Some(expected_stage));
    }
}

#[test]
fn s_server_no_ca_names_requests_without_names() {
    let pki = TestPki::new();
    for tls in TLS_VERSIONS {
        let server = SServer::start(
            &pki,
            &[tls, "-Verify", "1", "-verify_return_error", "-no_ca_names", "-CAfile", "client-ca.pem"],
        );
        let (result, view) = probe_and_compare(&pki, &server);
        assert_eq!(result.client_auth, ClientAuth::Required, "{tls}");
        assert!(result.cert_requested && !result.ca_names_sent);
        assert!(view.requested_sigalgs.is_some(), "s_client shows the request by its sigalgs");
        assert_eq!(result.ca_name_match, None);
    }
}

#[test]
fn s_server_trusting_another_ca_refuses_our_certificate() {
    let pki = TestPki::new();
    for tls in TLS_VERSIONS {
        let server = SServer::start(&pki, &[tls, "-Verify", "1", "-verify_return_error", "-CAfile", "other-ca.pem"]);
        let (result, _) = probe_and_compare(&pki, &server);
        assert_eq!(result.client_auth, ClientAuth::Required, "{tls}");
        assert_eq!(result.ca_name_match, Some(false));
        assert_eq!(result.with_cert.accepted, Some(false));
        assert!(result.with_cert.alert.is_some(), "{tls}: {:#?}", result.with_cert);
    }
}

#[test]
fn s_server_with_rsa_key_and_intermediate_chain_matches_s_client() {
    let pki = TestPki::new();
    rsa_server_with_intermediate(&pki);
    for tls in TLS_VERSIONS {
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
                "-Verify",
                "1",
                "-CAfile",
                "client-ca.pem",
            ],
        );
        let (result, view) = probe_and_compare(&pki, &server);
        assert_eq!(view.chain.len(), 2, "leaf and intermediate");
        assert_eq!(result.verify_code, Some(0));
        assert_eq!(result.client_auth, ClientAuth::Required);
    }
}
