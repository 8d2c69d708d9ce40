//! What one handshake revealed, kept as raw facts (DER names, key types and sizes, signature
//! scheme code points, the negotiated group) so any s_client version's text can be written from
//! them at output time: `Requested Signature Algorithms: ECDSA+SHA256` for 3.0 and
//! `ecdsa_secp256r1_sha256` for 4.0 come from the same code point 0x0403.

use crate::names::DistinguishedName;
use crate::style::{self, Style};

/// An object's short and long name in the linked OpenSSL's table (`RSA-SHA256` /
/// `sha256WithRSAEncryption`); both are the same in every version for the algorithms they name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObjectName {
    pub short: String,
    pub long: String,
}

/// A certificate's public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertKey {
    /// `OBJ_nid2sn`/`OBJ_nid2ln` of the key's base type: `rsaEncryption`, `id-ecPublicKey`.
    pub object: ObjectName,
    /// `EVP_PKEY_get0_type_name`: `RSA`, `EC`, `ED25519`, `RSA-PSS`.
    pub type_name: Option<String>,
    pub bits: u32,
    /// The curve of an EC key, e.g. `prime256v1`.
    pub curve: Option<String>,
}

/// One certificate of the server's chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerCert {
    pub subject: DistinguishedName,
    pub issuer: DistinguishedName,
    /// `None` when the linked OpenSSL cannot read the key (e.g. ML-DSA on 3.0); s_client of that
    /// version prints no key line then either.
    pub key: Option<CertKey>,
    /// The certificate's signature algorithm.
    pub signature: ObjectName,
    pub not_before: String,
    pub not_after: String,
    /// `not_after` as seconds since the Unix epoch (for lifetimes, without parsing text again).
    pub not_after_unix: Option<i64>,
    /// The certificate as PEM (`-showcerts`).
    pub pem: String,
}

impl PeerCert {
    /// The `   a:PKEY: ...` line of the chain (OpenSSL 3.0+), or `None` when `style` prints none.
    pub fn key_line(&self, style: Style) -> Option<String> {
        let key = self.key.as_ref().filter(|_| style.chain_key_lines())?;
        Some(if style.key_type_names() {
            let name = key.type_name.clone().unwrap_or_else(|| key.object.long.clone());
            match &key.curve {
                Some(curve) => format!("   a:PKEY: {name}, ({curve}); sigalg: {}", self.signature.long),
                None => format!("   a:PKEY: {name}, {} (bit); sigalg: {}", key.bits, self.signature.long),
            }
        } else {
            format!("   a:PKEY: {}, {} (bit); sigalg: {}", key.object.short, key.bits, self.signature.short)
        })
    }
}

/// One signature scheme the server requested.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SigAlgFact {
    pub code: u16,
    /// Whether the linked OpenSSL knows the scheme (its `SSL_get_sigalgs` named it).
    pub known_to_linked: bool,
}

/// The scheme the server signed its handshake with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerSignature {
    /// The linked OpenSSL's `get_sigtype` text (`ECDSA`, `RSA-PSS`), for a scheme mtlscheck
    /// cannot tell.
    pub linked_type: String,
    /// The scheme's code point, found from the signature type, digest and server key.
    pub code: Option<u16>,
}

/// The server's ephemeral key-exchange key (`SSL_get_peer_tmp_key`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TempKey {
    Rsa {
        bits: u32,
    },
    Dh {
        bits: u32,
    },
    /// `curve` is the group name (`prime256v1`), `nist` its NIST name (`P-256`) if it has one.
    Ec {
        curve: String,
        nist: Option<String>,
        bits: u32,
    },
    /// Any other key with a legacy type, by its object short name: `X25519, 253 bits`.
    Other {
        name: String,
        bits: u32,
    },
    /// A key only a provider knows (`EVP_PKEY_KEYMGMT`), by its type name.
    ProviderOnly {
        type_name: String,
    },
}

impl TempKey {
    /// `ssl_print_tmp_key`'s text after the label, e.g. `X25519, 253 bits`.
    pub fn text(&self, style: Style) -> String {
        match self {
            TempKey::Rsa { bits } => format!("RSA, {bits} bits"),
            TempKey::Dh { bits } => format!("DH, {bits} bits"),
            TempKey::Ec { curve, nist, bits } => {
                let name = if style.temp_key_group_names() { curve } else { nist.as_ref().unwrap_or(curve) };
                format!("ECDH, {name}, {bits} bits")
            }
            TempKey::Other { name, bits } => format!("{name}, {bits} bits"),
            TempKey::ProviderOnly { type_name } => type_name.clone(),
        }
    }
}

/// The key-exchange group of the connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NegotiatedGroup {
    /// The IANA code point, when OpenSSL's answer could be mapped to one.
    pub code: Option<u16>,
    /// `SSL_group_to_name` of the linked OpenSSL.
    pub name: Option<String>,
}

impl NegotiatedGroup {
    /// The TLS registry name (`x25519`, `X25519MLKEM768`) the JSON report carries.
    pub fn iana_name(&self) -> Option<String> {
        match self.code.and_then(style::group_by_code) {
            Some(group) => Some(group.iana.to_string()),
            None => self.name.clone().or_else(|| self.code.map(|c| format!("0x{c:04X}"))),
        }
    }

    /// The name OpenSSL 3.5+ prints in `Negotiated TLS1.3 group:`.
    pub fn openssl_name(&self) -> Option<String> {
        match self.code.and_then(style::group_by_code) {
            Some(group) => Some(group.openssl.to_string()),
            None => self.name.clone(),
        }
    }
}

/// Everything s_client reports about a handshake that is stable from run to run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HandshakeInfo {
    /// `SSL_get_version`, whether or not the handshake finished (s_client 3.4+'s `Protocol:`).
    pub version: String,
    /// Negotiated protocol (`SSL_get_version`), when a cipher was agreed.
    pub protocol: Option<String>,
    pub cipher: Option<String>,
    /// The cipher's minimum protocol, which s_client prints in `New, <this>, Cipher is ...`.
    pub cipher_version: Option<String>,
    pub verify_code: i64,
    /// The linked OpenSSL's text for `verify_code` (see [`HandshakeInfo::verify_text`]).
    pub verify_error: String,
    pub peer_chain: Vec<PeerCert>,
    pub server_public_key_bits: Option<u32>,
    pub ca_names: Vec<DistinguishedName>,
    /// TLS 1.2 CertificateRequest certificate types (1 RSA sign, 64 ECDSA sign, ...).
    pub client_cert_types: Vec<u8>,
    /// The signature schemes of the CertificateRequest, in the server's order.
    pub requested_sigalgs: Vec<SigAlgFact>,
    /// The schemes the linked OpenSSL found shared with its own list.
    pub shared_sigalgs: Vec<u16>,
    /// The digest of the server's handshake signature, e.g. `SHA256`.
    pub peer_signing_digest: Option<String>,
    pub peer_signature: Option<PeerSignature>,
    pub temp_key: Option<TempKey>,
    pub negotiated_group: Option<NegotiatedGroup>,
    pub secure_renegotiation: bool,
    pub alpn: Option<String>,
    /// The leaf as s_client's "Server certificate" block shows it.
    pub server_cert: Option<PeerCert>,
    /// `SSL_SESSION_print` output of the linked OpenSSL (s_client prints it for TLS 1.2 and older).
    pub session_text: Option<String>,
    /// s_client's `SSL_version(s) == TLS1_3_VERSION` test, which also holds when the handshake
    /// died before the ServerHello (the client's maximum is still set).
    pub tls13_branch: bool,
}

impl HandshakeInfo {
    fn tls13(&self) -> bool {
        self.protocol.as_deref() == Some("TLSv1.3")
    }

    /// `Requested Signature Algorithms:` entries as `style` writes them.
    pub fn requested_sigalg_texts(&self, style: Style) -> Vec<String> {
        self.requested_sigalgs.iter().map(|s| style.sigalg_text(s.code)).collect()
    }

    /// `Shared Requested Signature Algorithms:` entries as `style`'s client would list them.
    pub fn shared_sigalg_texts(&self, style: Style) -> Vec<String> {
        let requested: Vec<u16> = self.requested_sigalgs.iter().map(|s| s.code).collect();
        let known = |code: u16| self.requested_sigalgs.iter().any(|s| s.code == code && s.known_to_linked);
        style::shared_sigalgs(style, &requested, &self.shared_sigalgs, known, self.tls13())
            .into_iter()
            .map(|code| style.sigalg_text(code))
            .collect()
    }

    /// The requested schemes by their IANA names (the JSON report's `requested_signature_schemes`).
    pub fn requested_signature_schemes(&self) -> Vec<String> {
        self.requested_sigalgs.iter().map(|s| style::iana_sigalg_name(s.code)).collect()
    }

    /// `Client Certificate Types:` entries (s_client's `cert_type_list`).
    pub fn client_cert_type_names(&self) -> Vec<String> {
        self.client_cert_types.iter().map(|&kind| cert_type_name(kind)).collect()
    }

    /// `Peer signature type:` as `style` writes it.
    pub fn peer_signature_type(&self, style: Style) -> Option<String> {
        let signature = self.peer_signature.as_ref()?;
        Some(style.peer_signature_type(signature.code, &signature.linked_type))
    }

    /// The temp key line (`Server Temp Key: X25519, 253 bits`), or 3.5+'s `Negotiated TLS1.3
    /// group: X25519MLKEM768` for a TLS 1.3 group without one.
    pub fn key_exchange_line(&self, style: Style) -> Option<String> {
        if let Some(key) = &self.temp_key {
            return Some(format!("{}: {}", style.temp_key_label(), key.text(style)));
        }
        if style.negotiated_group_line() && self.tls13_branch {
            let name = self.negotiated_group.as_ref().and_then(NegotiatedGroup::openssl_name);
            return Some(match name {
                Some(name) => format!("Negotiated TLS1.3 group: {name}"),
                // 4.0 prints the number; 3.5 and 3.6 pass NULL to printf.
                None if style.at_least(4, 0) => format!(
                    "Negotiated TLS1.3 group NID: {}",
                    self.negotiated_group.as_ref().and_then(|g| g.code).map_or(0, i32::from)
                ),
                None => "Negotiated TLS1.3 group: (null)".to_string(),
            });
        }
        None
    }

    /// The verification result's text as `style`'s library writes it.
    pub fn verify_text(&self, style: Style) -> String {
        style::verify_error_text(style, self.verify_code, &self.verify_error)
    }
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
