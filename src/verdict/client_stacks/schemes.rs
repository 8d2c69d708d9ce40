//! TLS signature schemes (the code points of `signature_algorithms`): what key each needs, its
//! hash, and whether TLS 1.3 binds an ECDSA scheme to one curve.

/// The key a signature scheme signs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemeKey {
    /// RSASSA-PKCS1-v1_5 (TLS 1.2 only for handshake signatures).
    RsaPkcs1,
    /// RSASSA-PSS with an `rsaEncryption` key.
    RsaPssRsae,
    /// RSASSA-PSS with an `RSASSA-PSS` key.
    RsaPssPss,
    /// ECDSA; in TLS 1.3 bound to this curve.
    Ecdsa(Option<Curve>),
    Ed25519,
    Ed448,
    Dsa,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Curve {
    P256,
    P384,
    P521,
    Other,
}

impl Curve {
    pub fn name(self) -> &'static str {
        match self {
            Curve::P256 => "P-256",
            Curve::P384 => "P-384",
            Curve::P521 => "P-521",
            Curve::Other => "another curve",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hash {
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
    /// EdDSA hashes inside the scheme.
    Intrinsic,
}

/// One signature scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scheme {
    pub code: u16,
    pub key: SchemeKey,
    pub hash: Hash,
}

impl Scheme {
    pub fn lookup(code: u16) -> Option<Scheme> {
        use Curve::*;
        use Hash::*;
        use SchemeKey::*;
        let (key, hash) = match code {
            0x0201 => (RsaPkcs1, Sha1),
            0x0202 => (Dsa, Sha1),
            0x0203 => (Ecdsa(None), Sha1),
            0x0301 => (RsaPkcs1, Sha224),
            0x0302 => (Dsa, Sha224),
            0x0303 => (Ecdsa(None), Sha224),
            0x0401 => (RsaPkcs1, Sha256),
            0x0402 => (Dsa, Sha256),
            0x0403 => (Ecdsa(Some(P256)), Sha256),
            0x0501 => (RsaPkcs1, Sha384),
            0x0502 => (Dsa, Sha384),
            0x0503 => (Ecdsa(Some(P384)), Sha384),
            0x0601 => (RsaPkcs1, Sha512),
            0x0602 => (Dsa, Sha512),
            0x0603 => (Ecdsa(Some(P521)), Sha512),
            0x0804 => (RsaPssRsae, Sha256),
            0x0805 => (RsaPssRsae, Sha384),
            0x0806 => (RsaPssRsae, Sha512),
            0x0807 => (Ed25519, Intrinsic),
            0x0808 => (Ed448, Intrinsic),
            0x0809 => (RsaPssPss, Sha256),
            0x080a => (RsaPssPss, Sha384),
            0x080b => (RsaPssPss, Sha512),
            0x081a => (Ecdsa(Some(Other)), Sha256),
            0x081b => (Ecdsa(Some(Other)), Sha384),
            0x081c => (Ecdsa(Some(Other)), Sha512),
            _ => return None,
        };
        Some(Scheme { code, key, hash })
    }

    /// The IANA name, e.g. `rsa_pss_rsae_sha256`.
    pub fn name(code: u16) -> String {
        let known = match code {
            0x0201 => "rsa_pkcs1_sha1",
            0x0202 => "dsa_sha1",
            0x0203 => "ecdsa_sha1",
            0x0301 => "rsa_pkcs1_sha224",
            0x0303 => "ecdsa_sha224",
            0x0401 => "rsa_pkcs1_sha256",
            0x0402 => "dsa_sha256",
            0x0403 => "ecdsa_secp256r1_sha256",
            0x0501 => "rsa_pkcs1_sha384",
            0x0503 => "ecdsa_secp384r1_sha384",
            0x0601 => "rsa_pkcs1_sha512",
            0x0603 => "ecdsa_secp521r1_sha512",
            0x0804 => "rsa_pss_rsae_sha256",
            0x0805 => "rsa_pss_rsae_sha384",
            0x0806 => "rsa_pss_rsae_sha512",
            0x0807 => "ed25519",
            0x0808 => "ed448",
            0x0809 => "rsa_pss_pss_sha256",
            0x080a => "rsa_pss_pss_sha384",
            0x080b => "rsa_pss_pss_sha512",
            0x081a => "ecdsa_brainpoolP256r1tls13_sha256",
            0x081b => "ecdsa_brainpoolP384r1tls13_sha384",
            0x081c => "ecdsa_brainpoolP512r1tls13_sha512",
            _ => return format!("0x{code:04x}"),
        };
        known.to_string()
    }

    pub fn is_sha1(&self) -> bool {
        self.hash == Hash::Sha1
    }
}

/// `a, b, c` of scheme names, for reasons.
pub fn names(codes: &[u16]) -> String {
    if codes.is_empty() {
        return "none".into();
    }
    codes.iter().map(|&c| Scheme::name(c)).collect::<Vec<_>>().join(", ")
}
