//! What one handshake revealed, read off the `SSL` as raw facts (see `model::handshake`): the
//! names as DER, keys by type and size, signature schemes by code point, the group by its IANA
//! code, so the report can write them as any s_client version does.

use openssl::nid::Nid;
use openssl::pkey::{Id, PKeyRef, Public};
use openssl::ssl::{SslRef, SslVersion};
use openssl::x509::X509Ref;

use crate::ffi::{self, SigAlg};
use crate::model::{CertKey, HandshakeInfo, NegotiatedGroup, ObjectName, PeerCert, PeerSignature, SigAlgFact, TempKey};
use crate::names::DistinguishedName;
use crate::style;

/// `EVP_PKEY_KEYMGMT`: a key only a provider knows.
const KEYMGMT_ONLY: i32 = -1;

/// One certificate of the server's chain.
fn peer_cert(cert: &X509Ref) -> PeerCert {
    PeerCert {
        subject: DistinguishedName::from_name(cert.subject_name()),
        issuer: DistinguishedName::from_name(cert.issuer_name()),
        key: cert.public_key().ok().map(|key| cert_key(&key)),
        signature: object_name(cert.signature_algorithm().object().nid()),
        not_before: cert.not_before().to_string(),
        not_after: cert.not_after().to_string(),
        not_after_unix: crate::dates::unix_time(cert.not_after()),
        pem: cert.to_pem().map(|pem| String::from_utf8_lossy(&pem).into_owned()).unwrap_or_default(),
    }
}

fn cert_key(key: &PKeyRef<Public>) -> CertKey {
    CertKey {
        object: object_name(Nid::from_raw(key.id().as_raw())),
        type_name: ffi::pkey_type_name(key),
        bits: key.bits(),
        curve: key.ec_key().ok().and_then(|ec| ec.group().curve_name()).map(nid_short_name),
    }
}

/// Everything s_client reports about the connection so far (also after a failed handshake).
pub fn collect(ssl: &SslRef) -> HandshakeInfo {
    let cipher = ssl.current_cipher();
    let verify = ssl.verify_result();
    let peer = ssl.peer_certificate();
    let server_cert = peer.as_ref().map(|cert| peer_cert(cert));
    let protocol = cipher.map(|_| ssl.version_str().to_string());
    let tls13 = protocol.as_deref() == Some("TLSv1.3");
    let leaf_key = server_cert.as_ref().and_then(|cert| cert.key.as_ref());
    let requested = ffi::requested_sigalgs(ssl);
    HandshakeInfo {
        version: ssl.version_str().to_string(),
        protocol,
        cipher: cipher.map(|c| c.name().to_string()),
        cipher_version: cipher.map(|c| c.version().to_string()),
        verify_code: verify.as_raw() as i64,
        verify_error: verify.error_string().to_string(),
        peer_chain: ssl.peer_cert_chain().map(|chain| chain.iter().map(peer_cert).collect()).unwrap_or_default(),
        server_public_key_bits: peer.as_ref().and_then(|cert| cert.public_key().ok()).map(|key| key.bits()),
        ca_names: ffi::peer_ca_names(ssl).iter().map(|n| DistinguishedName::from_name(n)).collect(),
        client_cert_types: ffi::client_cert_types(ssl),
        requested_sigalgs: requested
            .iter()
            .map(|alg| SigAlgFact { code: code_point(alg), known_to_linked: alg.sign_nid != Nid::UNDEF })
            .collect(),
        shared_sigalgs: ffi::shared_sigalgs(ssl).iter().map(code_point).collect(),
        peer_signing_digest: ffi::peer_signature_digest(ssl).map(nid_short_name),
        peer_signature: ffi::peer_signature_type(ssl).map(|nid| {
            let linked_type = sig_type(nid).map(str::to_string).unwrap_or_else(|| nid_short_name(nid));
            let digest = ffi::peer_signature_digest(ssl).map(nid_short_name);
            let pss_key = leaf_key.is_some_and(|key| key.object.short == "RSASSA-PSS");
            let curve = leaf_key.and_then(|key| key.curve.as_deref());
            let code = style::peer_sigalg_code(&linked_type, digest.as_deref(), tls13, curve, pss_key);
            PeerSignature { linked_type, code }
        }),
        temp_key: temp_key(ssl),
        negotiated_group: negotiated_group(ssl, tls13),
        secure_renegotiation: ffi::secure_renegotiation_support(ssl),
        alpn: ssl.selected_alpn_protocol().map(|p| String::from_utf8_lossy(p).into_owned()),
        server_cert,
        session_text: ffi::session_text(ssl),
        tls13_branch: ssl.version2().is_none_or(|v| v == SslVersion::TLS1_3),
    }
}

fn code_point(alg: &SigAlg) -> u16 {
    u16::from(alg.raw_sign) | (u16::from(alg.raw_hash) << 8)
}

fn nid_short_name(nid: Nid) -> String {
    nid.short_name().map(str::to_string).unwrap_or_else(|_| format!("NID {}", nid.as_raw()))
}

fn object_name(nid: Nid) -> ObjectName {
    ObjectName {
        short: nid.short_name().unwrap_or("UNDEF").to_string(),
        long: nid.long_name().unwrap_or("undefined").to_string(),
    }
}

/// s_client's `get_sigtype` for the classic kinds (the linked library's view).
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

/// The server's ephemeral key (`SSL_get_peer_tmp_key`).
fn temp_key(ssl: &SslRef) -> Option<TempKey> {
    let key = ssl.peer_tmp_key().ok()?;
    let bits = key.bits();
    Some(match key.id() {
        Id::RSA => TempKey::Rsa { bits },
        Id::DH => TempKey::Dh { bits },
        Id::EC => {
            let curve = key.ec_key().ok().and_then(|ec| ec.group().curve_name());
            TempKey::Ec {
                curve: curve.map(nid_short_name).unwrap_or_else(|| "?".into()),
                nist: curve.and_then(nist_name).map(str::to_string),
                bits,
            }
        }
        id if id.as_raw() == KEYMGMT_ONLY => {
            TempKey::ProviderOnly { type_name: ffi::pkey_type_name(&key).unwrap_or_else(|| "?".into()) }
        }
        other => TempKey::Other { name: nid_short_name(Nid::from_raw(other.as_raw())), bits },
    })
}

/// `EC_curve_nid2nist`: the NIST names OpenSSL 1.1.1 and LibreSSL print for temp keys.
fn nist_name(curve: Nid) -> Option<&'static str> {
    Some(match curve {
        Nid::X9_62_PRIME256V1 => "P-256",
        Nid::SECP384R1 => "P-384",
        Nid::SECP521R1 => "P-521",
        Nid::SECP224R1 => "P-224",
        Nid::X9_62_PRIME192V1 => "P-192",
        _ => return None,
    })
}

/// The group by its IANA code point, however the linked library reports it.
fn negotiated_group(ssl: &SslRef, tls13: bool) -> Option<NegotiatedGroup> {
    let found = ffi::negotiated_group(ssl)?;
    let by_nid = found.nid.and_then(|nid| nid.short_name().ok()).and_then(|sn| style::group_by_nid_name(sn, tls13));
    let by_name = found.name.as_deref().and_then(|name| style::group_by_nid_name(name, tls13));
    let code = found.code.or(by_nid.map(|g| g.code)).or(by_name.map(|g| g.code));
    Some(NegotiatedGroup { code, name: found.name })
}
