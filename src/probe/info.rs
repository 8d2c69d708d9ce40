//! What one handshake revealed, read off the `SSL` in the terms `openssl s_client` prints.

use openssl::nid::Nid;
use openssl::pkey::Id;
use openssl::ssl::{SslRef, SslVersion};
use openssl::x509::X509Ref;

use crate::ffi::{self, SigAlg};
use crate::model::{HandshakeInfo, PeerCert};
use crate::names::DistinguishedName;

/// One certificate of the server's chain, in the terms s_client prints.
fn peer_cert(cert: &X509Ref) -> PeerCert {
    let (key_type, key_bits) =
        cert.public_key().map(|key| (nid_short_name(Nid::from_raw(key.id().as_raw())), key.bits())).unwrap_or_default();
    PeerCert {
        subject: DistinguishedName::from_name(cert.subject_name()),
        issuer: DistinguishedName::from_name(cert.issuer_name()),
        key_type,
        key_bits,
        signature_algorithm: nid_short_name(cert.signature_algorithm().object().nid()),
        not_before: cert.not_before().to_string(),
        not_after: cert.not_after().to_string(),
        not_after_unix: crate::dates::unix_time(cert.not_after()),
    }
}

/// Everything s_client reports about the connection so far (also after a failed handshake).
pub fn collect(ssl: &SslRef) -> HandshakeInfo {
    let cipher = ssl.current_cipher();
    let verify = ssl.verify_result();
    let peer = ssl.peer_certificate();
    HandshakeInfo {
        protocol: cipher.map(|_| ssl.version_str().to_string()),
        cipher: cipher.map(|c| c.name().to_string()),
        cipher_version: cipher.map(|c| c.version().to_string()),
        verify_code: verify.as_raw() as i64,
        verify_error: verify.error_string().to_string(),
        peer_chain: ssl.peer_cert_chain().map(|chain| chain.iter().map(peer_cert).collect()).unwrap_or_default(),
        server_public_key_bits: ssl.peer_certificate().and_then(|cert| cert.public_key().ok()).map(|key| key.bits()),
        ca_names: ffi::peer_ca_names(ssl).iter().map(|n| DistinguishedName::from_name(n)).collect(),
        client_cert_types: ffi::client_cert_types(ssl).into_iter().map(cert_type_name).collect(),
        requested_sigalgs: ffi::requested_sigalgs(ssl).iter().map(format_sigalg).collect(),
        shared_sigalgs: ffi::shared_sigalgs(ssl).iter().map(format_sigalg).collect(),
        peer_signing_digest: ffi::peer_signature_digest(ssl).map(nid_short_name),
        peer_signature_type: ffi::peer_signature_type(ssl).map(|nid| sig_type(nid).unwrap_or("(null)").to_string()),
        server_temp_key: server_temp_key(ssl),
        secure_renegotiation: ffi::secure_renegotiation_support(ssl),
        alpn: ssl.selected_alpn_protocol().map(|p| String::from_utf8_lossy(p).into_owned()),
        server_cert: peer.as_ref().map(|cert| peer_cert(cert)),
        server_cert_pem: peer
            .as_ref()
            .and_then(|cert| cert.to_pem().ok())
            .map(|pem| String::from_utf8_lossy(&pem).into_owned()),
        session_text: ffi::session_text(ssl),
        tls13_branch: ssl.version2().is_none_or(|v| v == SslVersion::TLS1_3),
    }
}

fn nid_short_name(nid: Nid) -> String {
    nid.short_name().map(str::to_string).unwrap_or_else(|_| format!("NID {}", nid.as_raw()))
}

/// s_client's `get_sigtype`.
fn sig_type(nid: Nid) -> Option<&'static str> {
    Some(match nid {
        Nid::RSAENCRYPTION => "RSA",
        Nid::RSASSAPSS => "RSA-PSS",
        Nid::DSA => "DSA",
        Nid::X9_62_ID_ECPUBLICKEY => "ECDSA",
        _ if nid.as_raw() == openssl_sys::NID_ED25519 => "ed25519",
        _ if nid.as_raw() == openssl_sys::NID_ED448 => "ed448",
        _ => return None,
    })
}

/// One entry of s_client's `Requested Signature Algorithms:` (`do_print_sigalgs`).
fn format_sigalg(alg: &SigAlg) -> String {
    let code = u16::from(alg.raw_sign) | (u16::from(alg.raw_hash) << 8);
    let special = match code {
        0x0809 => Some("rsa_pss_pss_sha256"),
        0x080a => Some("rsa_pss_pss_sha384"),
        0x080b => Some("rsa_pss_pss_sha512"),
        0x081a => Some("ecdsa_brainpoolP256r1_sha256"),
        0x081b => Some("ecdsa_brainpoolP384r1_sha384"),
        0x081c => Some("ecdsa_brainpoolP512r1_sha512"),
        _ => None,
    };
    if let Some(name) = special {
        return name.to_string();
    }
    let sign = sig_type(alg.sign_nid);
    let mut text = sign.map(str::to_string).unwrap_or_else(|| format!("0x{:02X}", alg.raw_sign));
    if alg.hash_nid != Nid::UNDEF {
        text.push('+');
        text.push_str(&nid_short_name(alg.hash_nid));
    } else if sign.is_none() {
        text.push_str(&format!("+0x{:02X}", alg.raw_hash));
    }
    text
}

/// s_client's `cert_type_list`.
fn cert_type_name(kind: u8) -> String {
    match kind {
        1 => "RSA sign".into(),
        2 => "DSA sign".into(),
        3 => "RSA fixed DH".into(),
        4 => "DSS fixed DH".into(),
        22 => "GOST01 Sign".into(),
        64 => "ECDSA sign".into(),
        65 => "RSA fixed ECDH".into(),
        66 => "ECDSA fixed ECDH".into(),
        67 => "GOST12 Sign".into(),
        other => format!("UNKNOWN ({other}),"),
    }
}

/// s_client's `ssl_print_tmp_key` text, e.g. `X25519, 253 bits` or `ECDH, prime256v1, 256 bits`.
fn server_temp_key(ssl: &SslRef) -> Option<String> {
    let key = ssl.peer_tmp_key().ok()?;
    let bits = key.bits();
    Some(match key.id() {
        Id::RSA => format!("RSA, {bits} bits"),
        Id::DH => format!("DH, {bits} bits"),
        Id::EC => {
            let curve = key
                .ec_key()
                .ok()
                .and_then(|ec| ec.group().curve_name())
                .map(nid_short_name)
                .unwrap_or_else(|| "NONE".into());
            format!("ECDH, {curve}, {bits} bits")
        }
        other => format!("{}, {bits} bits", nid_short_name(Nid::from_raw(other.as_raw()))),
    })
}
