//! Verdicts against real server stacks partners run: nginx, Apache httpd (including client
//! auth asked only for one path, by TLS 1.2 renegotiation or TLS 1.3 post-handshake auth),
//! GnuTLS and Java. Each is started on 127.0.0.1 with a private config and stopped by PID.
//! Every check sends `GET <path>` so the HTTP layer's answer is part of the verdict.

use mtlscheck::model::{CheckResult, ClientAuth};
use mtlscheck::pipeline::run_one;

use crate::support::TestPki;
use crate::support::apache::{Apache, ApacheVerify};
use crate::support::gnutls::{GnutlsServ, GnutlsVerify};
use crate::support::java::JavaServer;
use crate::support::nginx::{Nginx, NginxVerify};

const OUR_CA: &str = "C = CH, O = Z\\C3\\BCrich Partner AG, CN = Lab Client CA";

/// Probes 127.0.0.1:`port` with our certificate and `GET path`.
fn probe_http(pki: &TestPki, port: u16, path: &str) -> CheckResult {
    let yaml = format!(
        "checks:\n  - name: stack\n    host: 127.0.0.1\n    port: {port}\n    cacert: server-ca.pem\n    \
         cert: client.pem\n    key: client.key\n    timeout: 5s\n    http_path: {path}\n"
    );
    let file = pki.write("stack.yaml", &yaml);
    let check = mtlscheck::config::load(&file).unwrap().remove(0);
    run_one(&check)
}

fn assert_lists_our_ca(r: &CheckResult, context: &str) {
    assert_eq!(r.ca_names, vec![OUR_CA.to_string()], "{context}: {r:#?}");
    assert_eq!(r.ca_name_match, Some(true), "{context}");
}

#[test]
fn nginx_verify_client_on_is_required_at_the_http_layer() {
    let pki = TestPki::new();
    for tls in ["TLSv1.2", "TLSv1.3"] {
        let nginx = Nginx::start(&pki, NginxVerify::On, tls);
        let r = probe_http(&pki, nginx.port, "/");
        let context = format!("nginx on {tls}\n{}", nginx.process.log_text());
        assert_eq!(r.client_auth, ClientAuth::Required, "{context}: {r:#?}");
        assert_eq!(r.enforced_at.as_deref(), Some("http"), "{context}");
        assert_eq!(r.protocol.as_deref(), Some(tls));
        assert_eq!(r.without_cert.handshake, "ok", "nginx finishes the handshake without a certificate");
        assert_eq!(r.without_cert.http_status, Some(400), "{context}");
        assert_eq!(r.with_cert.http_status, Some(200), "{context}: {:#?}", r.with_cert);
        assert_lists_our_ca(&r, &context);
    }
}

#[test]
fn nginx_optional_accepts_without_and_with_our_certificate() {
    let pki = TestPki::new();
    for tls in ["TLSv1.2", "TLSv1.3"] {
        let nginx = Nginx::start(&pki, NginxVerify::Optional, tls);
        let r = probe_http(&pki, nginx.port, "/");
        let context = format!("nginx optional {tls}");
        assert_eq!(r.client_auth, ClientAuth::Optional, "{context}: {r:#?}");
        assert_eq!(r.without_cert.http_status, Some(200));
        assert_eq!(r.with_cert.http_status, Some(200));
        assert_lists_our_ca(&r, &context);
    }
}

#[test]
fn nginx_optional_no_ca_asks_without_sending_ca_names() {
    let pki = TestPki::new();
    for tls in ["TLSv1.2", "TLSv1.3"] {
        let nginx = Nginx::start(&pki, NginxVerify::OptionalNoCa, tls);
        let r = probe_http(&pki, nginx.port, "/");
        assert_eq!(r.client_auth, ClientAuth::Optional, "{tls}: {r:#?}");
        assert!(r.cert_requested && !r.ca_names_sent, "{tls}");
        assert_eq!(r.ca_name_match, None);
        assert_eq!(r.with_cert.http_status, Some(200));
    }
}

#[test]
fn nginx_without_client_auth_is_one_way() {
    let pki = TestPki::new();
    let nginx = Nginx::start(&pki, NginxVerify::Off, "TLSv1.2 TLSv1.3");
    let r = probe_http(&pki, nginx.port, "/");
    assert_eq!(r.client_auth, ClientAuth::None, "{r:#?}");
    assert_eq!(r.protocol.as_deref(), Some("TLSv1.3"));
    assert_eq!(r.without_cert.http_status, Some(200));
}

#[test]
fn apache_vhost_require_and_optional() {
    let pki = TestPki::new();
    for tls in ["TLSv1.2", "TLSv1.3"] {
        let apache = Apache::start(&pki, ApacheVerify::VhostRequire, tls);
        let r = probe_http(&pki, apache.port, "/");
        let context = format!("apache require {tls}\n{}", apache.process.log_text());
        assert_eq!(r.client_auth, ClientAuth::Required, "{context}: {r:#?}");
        assert_eq!(r.enforced_at.as_deref(), Some("handshake"));
        assert_eq!(r.with_cert.http_status, Some(200), "{context}: {:#?}", r.with_cert);
        assert_lists_our_ca(&r, &context);
        drop(apache);

        let apache = Apache::start(&pki, ApacheVerify::VhostOptional, tls);
        let r = probe_http(&pki, apache.port, "/");
        assert_eq!(r.client_auth, ClientAuth::Optional, "apache optional {tls}: {r:#?}");
        assert_eq!(r.without_cert.http_status, Some(200));
        assert_eq!(r.with_cert.http_status, Some(200));
    }
}

/// `<Location /secure> SSLVerifyClient require`: Apache asks only when /secure is requested,
/// by renegotiation under TLS 1.2 and by post-handshake authentication under TLS 1.3.
#[test]
fn apache_location_require_asks_after_the_handshake_for_that_path_only() {
    let pki = TestPki::new();
    for tls in ["TLSv1.2", "TLSv1.3"] {
        let apache = Apache::start(&pki, ApacheVerify::LocationRequire, tls);
        let context = format!("apache <Location> {tls}\n{}", apache.process.log_text());

        let secure = probe_http(&pki, apache.port, "/secure/");
        assert_eq!(secure.client_auth, ClientAuth::PostHandshake, "{context}: {secure:#?}");
        assert!(secure.cert_requested_after_handshake, "{context}");
        assert!(secure.enforced_at.is_some(), "the request without a certificate is refused: {secure:#?}");
        assert_ne!(secure.without_cert.http_status, Some(200), "{context}");
        assert_eq!(secure.with_cert.http_status, Some(200), "{context}: {:#?}", secure.with_cert);
        assert_lists_our_ca(&secure, &context);

        let public = probe_http(&pki, apache.port, "/");
        assert_eq!(public.client_auth, ClientAuth::None, "{context}: {public:#?}");
        assert_eq!(public.without_cert.http_status, Some(200));
    }
}

#[test]
fn gnutls_serv_require_and_verify_client_cert() {
    let pki = TestPki::new();
    for tls in ["1.2", "1.3"] {
        let server = GnutlsServ::start(&pki, GnutlsVerify::Require, tls);
        let r = probe_http(&pki, server.port, "/");
        assert_eq!(r.client_auth, ClientAuth::Required, "gnutls require {tls}: {r:#?}");
        assert_eq!(r.with_cert.http_status, Some(200), "gnutls require {tls}: {:#?}", r.with_cert);
        assert_lists_our_ca(&r, &format!("gnutls require {tls}"));
        drop(server);

        let server = GnutlsServ::start(&pki, GnutlsVerify::Verify, tls);
        let r = probe_http(&pki, server.port, "/");
        assert_eq!(r.client_auth, ClientAuth::Optional, "gnutls verify {tls}: {r:#?}");
        assert_eq!(r.without_cert.http_status, Some(200));
        assert_eq!(r.with_cert.http_status, Some(200));
    }
}

#[test]
fn java_need_and_want_client_auth() {
    let pki = TestPki::new();
    for tls in ["TLSv1.2", "TLSv1.3"] {
        let server = JavaServer::start(&pki, true, tls);
        let r = probe_http(&pki, server.port, "/");
        assert_eq!(r.client_auth, ClientAuth::Required, "java need {tls}: {r:#?}");
        assert_eq!(r.protocol.as_deref(), Some(tls));
        assert_eq!(r.with_cert.http_status, Some(200), "java need {tls}: {:#?}", r.with_cert);
        assert_lists_our_ca(&r, &format!("java need {tls}"));
        drop(server);

        let server = JavaServer::start(&pki, false, tls);
        let r = probe_http(&pki, server.port, "/");
        assert_eq!(r.client_auth, ClientAuth::Optional, "java want {tls}: {r:#?}");
        assert_eq!(r.without_cert.http_status, Some(200));
        assert_eq!(r.with_cert.http_status, Some(200));
    }
}
