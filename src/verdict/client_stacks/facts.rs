//! What decides whether a client sends one of our identities, read off its certificates: the
//! leaf's key type and curve, and each configured certificate's names (as raw DER) and
//! signature algorithm.

use openssl::nid::Nid;
use openssl::pkey::Id;
use openssl::x509::X509Ref;

use super::schemes::{Curve, Hash};
use crate::model::ClientIdentity;

/// Our leaf's key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    Rsa,
    RsaPss,
    Ec(Curve),
    Ed25519,
    Ed448,
    Other,
}

impl KeyKind {
    pub fn describe(self) -> String {
        match self {
            KeyKind::Rsa => "RSA".into(),
            KeyKind::RsaPss => "RSA-PSS".into(),
            KeyKind::Ec(curve) => format!("EC {}", curve.name()),
            KeyKind::Ed25519 => "Ed25519".into(),
            KeyKind::Ed448 => "Ed448".into(),
            KeyKind::Other => "unusual".into(),
        }
    }
}

/// The algorithm a certificate is signed with (by its issuer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertSignature {
    Rsa(Hash),
    RsaPss,
    Ecdsa(Hash),
    Ed25519,
    Ed448,
    Other,
}

/// One certificate we send: the leaf, then the configured intermediates.
#[derive(Debug, Clone)]
pub struct CertFacts {
    pub issuer: Vec<u8>,
    pub signature: CertSignature,
    /// OpenSSL's name of the signature algorithm, for messages.
    pub signature_name: String,
}

/// One identity as the client stacks see it.
#[derive(Debug, Clone)]
pub struct ChainFacts {
    pub key: KeyKind,
    /// The leaf first, then every certificate we configure after it.
    pub certs: Vec<CertFacts>,
}

impl ChainFacts {
    pub fn of(identity: &ClientIdentity) -> ChainFacts {
        let key = match identity.key.id() {
            Id::RSA => KeyKind::Rsa,
            Id::RSA_PSS => KeyKind::RsaPss,
            Id::EC => KeyKind::Ec(match identity.key.ec_key().ok().and_then(|ec| ec.group().curve_name()) {
                Some(Nid::X9_62_PRIME256V1) => Curve::P256,
                Some(Nid::SECP384R1) => Curve::P384,
                Some(Nid::SECP521R1) => Curve::P521,
                _ => Curve::Other,
            }),
            Id::ED25519 => KeyKind::Ed25519,
            Id::ED448 => KeyKind::Ed448,
            _ => KeyKind::Other,
        };
        let certs = std::iter::once(identity.cert.as_ref()).chain(identity.chain.iter().map(|c| c.as_ref()));
        ChainFacts { key, certs: certs.map(cert_facts).collect() }
    }
}

fn cert_facts(cert: &X509Ref) -> CertFacts {
    let nid = cert.signature_algorithm().object().nid();
    let signature = match nid {
        Nid::SHA1WITHRSAENCRYPTION => CertSignature::Rsa(Hash::Sha1),
        Nid::SHA224WITHRSAENCRYPTION => CertSignature::Rsa(Hash::Sha224),
        Nid::SHA256WITHRSAENCRYPTION => CertSignature::Rsa(Hash::Sha256),
        Nid::SHA384WITHRSAENCRYPTION => CertSignature::Rsa(Hash::Sha384),
        Nid::SHA512WITHRSAENCRYPTION => CertSignature::Rsa(Hash::Sha512),
        Nid::RSASSAPSS => CertSignature::RsaPss,
        Nid::ECDSA_WITH_SHA1 => CertSignature::Ecdsa(Hash::Sha1),
        Nid::ECDSA_WITH_SHA224 => CertSignature::Ecdsa(Hash::Sha224),
        Nid::ECDSA_WITH_SHA256 => CertSignature::Ecdsa(Hash::Sha256),
        Nid::ECDSA_WITH_SHA384 => CertSignature::Ecdsa(Hash::Sha384),
        Nid::ECDSA_WITH_SHA512 => CertSignature::Ecdsa(Hash::Sha512),
        _ if nid.as_raw() == openssl_sys::NID_ED25519 => CertSignature::Ed25519,
        _ if nid.as_raw() == openssl_sys::NID_ED448 => CertSignature::Ed448,
        _ => CertSignature::Other,
    };
    CertFacts {
        issuer: cert.issuer_name().to_der().unwrap_or_default(),
        signature,
        signature_name: nid.short_name().unwrap_or("unknown").to_string(),
    }
}
