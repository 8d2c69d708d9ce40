//! TLS signature schemes by code point, and how each s_client version writes them: the
//! `SIG+HASH` form of 1.1.1–3.x (`ECDSA+SHA256`, `RSA-PSS+SHA256`, `ed25519`, the RFC 8446 names
//! of the schemes that form cannot tell apart, `0x05+0x09` or `UNDEF` for unknown ones), 4.0's
//! IANA names (`ecdsa_secp256r1_sha256`, `mldsa65`, `0x0905`), and the `Shared` list a version's
//! client would compute from a server's request.

use super::version::{SigAlgKnowledge, Style};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sign {
    Rsa,
    RsaPss,
    Ecdsa,
    Dsa,
    Ed25519,
    Ed448,
    /// A provider's scheme, printed by its object short name (e.g. `id-ml-dsa-65`).
    Object(&'static str),
}

/// One scheme: code point, signature kind, digest short name (none for EdDSA and ML-DSA),
/// which versions know it, its IANA (and OpenSSL 3.5+ lookup-table) name.
struct Scheme {
    code: u16,
    sign: Sign,
    hash: Option<&'static str>,
    since: SigAlgKnowledge,
    iana: &'static str,
}

use SigAlgKnowledge::{Brainpool13, Classic, MlDsa};
use Sign::*;

const fn scheme(
    code: u16,
    sign: Sign,
    hash: Option<&'static str>,
    since: SigAlgKnowledge,
    iana: &'static str,
) -> Scheme {
    Scheme { code, sign, hash, since, iana }
}

/// Read from `ssl/t1_lib.c` (`sigalg_lookup_tbl`) and `include/internal/tlssigalgs.h` of
/// OpenSSL 1.1.1w, 3.0, 3.2, 3.5 and 4.0.
const SCHEMES: &[Scheme] = &[
    scheme(0x0403, Ecdsa, Some("SHA256"), Classic, "ecdsa_secp256r1_sha256"),
    scheme(0x0503, Ecdsa, Some("SHA384"), Classic, "ecdsa_secp384r1_sha384"),
    scheme(0x0603, Ecdsa, Some("SHA512"), Classic, "ecdsa_secp521r1_sha512"),
    scheme(0x0303, Ecdsa, Some("SHA224"), Classic, "ecdsa_sha224"),
    scheme(0x0203, Ecdsa, Some("SHA1"), Classic, "ecdsa_sha1"),
    scheme(0x0807, Ed25519, None, Classic, "ed25519"),
    scheme(0x0808, Ed448, None, Classic, "ed448"),
    scheme(0x081a, Ecdsa, Some("SHA256"), Brainpool13, "ecdsa_brainpoolP256r1tls13_sha256"),
    scheme(0x081b, Ecdsa, Some("SHA384"), Brainpool13, "ecdsa_brainpoolP384r1tls13_sha384"),
    scheme(0x081c, Ecdsa, Some("SHA512"), Brainpool13, "ecdsa_brainpoolP512r1tls13_sha512"),
    scheme(0x0804, RsaPss, Some("SHA256"), Classic, "rsa_pss_rsae_sha256"),
    scheme(0x0805, RsaPss, Some("SHA384"), Classic, "rsa_pss_rsae_sha384"),
    scheme(0x0806, RsaPss, Some("SHA512"), Classic, "rsa_pss_rsae_sha512"),
    scheme(0x0809, RsaPss, Some("SHA256"), Classic, "rsa_pss_pss_sha256"),
    scheme(0x080a, RsaPss, Some("SHA384"), Classic, "rsa_pss_pss_sha384"),
    scheme(0x080b, RsaPss, Some("SHA512"), Classic, "rsa_pss_pss_sha512"),
    scheme(0x0401, Rsa, Some("SHA256"), Classic, "rsa_pkcs1_sha256"),
    scheme(0x0501, Rsa, Some("SHA384"), Classic, "rsa_pkcs1_sha384"),
    scheme(0x0601, Rsa, Some("SHA512"), Classic, "rsa_pkcs1_sha512"),
    scheme(0x0301, Rsa, Some("SHA224"), Classic, "rsa_pkcs1_sha224"),
    scheme(0x0201, Rsa, Some("SHA1"), Classic, "rsa_pkcs1_sha1"),
    scheme(0x0402, Dsa, Some("SHA256"), Classic, "dsa_sha256"),
    scheme(0x0502, Dsa, Some("SHA384"), Classic, "dsa_sha384"),
    scheme(0x0602, Dsa, Some("SHA512"), Classic, "dsa_sha512"),
    scheme(0x0302, Dsa, Some("SHA224"), Classic, "dsa_sha224"),
    scheme(0x0202, Dsa, Some("SHA1"), Classic, "dsa_sha1"),
    scheme(0x0904, Object("id-ml-dsa-44"), None, MlDsa, "mldsa44"),
    scheme(0x0905, Object("id-ml-dsa-65"), None, MlDsa, "mldsa65"),
    scheme(0x0906, Object("id-ml-dsa-87"), None, MlDsa, "mldsa87"),
];

fn find(code: u16) -> Option<&'static Scheme> {
    SCHEMES.iter().find(|s| s.code == code)
}

/// A version knows a scheme when its lookup table has it (and a default build enables it).
fn known(style: Style, code: u16) -> Option<&'static Scheme> {
    find(code).filter(|s| s.since <= style.sigalg_knowledge())
}

/// The IANA name of a scheme (what 4.0 prints and the JSON report carries), `0xXXXX` when
/// the registry entry is not one OpenSSL has.
pub fn iana_sigalg_name(code: u16) -> String {
    find(code).map(|s| s.iana.to_string()).unwrap_or_else(|| format!("0x{code:04X}"))
}

/// s_client's `get_sigtype` for a signature kind.
fn sign_text(style: Style, sign: Sign) -> &'static str {
    match sign {
        Rsa => "RSA",
        RsaPss => "RSA-PSS",
        Ecdsa => "ECDSA",
        Dsa => "DSA",
        Ed25519 if style.rfc8446_sigalg_names() => "ed25519",
        Ed25519 => "Ed25519",
        Ed448 if style.rfc8446_sigalg_names() => "ed448",
        Ed448 => "Ed448",
        Object(name) => name,
    }
}

/// The schemes `do_print_sigalgs` names outright once fixed (they share a `SIG+HASH` with
/// another scheme).
fn rfc8446_special(code: u16) -> Option<&'static str> {
    Some(match code {
        0x0809 => "rsa_pss_pss_sha256",
        0x080a => "rsa_pss_pss_sha384",
        0x080b => "rsa_pss_pss_sha512",
        0x081a => "ecdsa_brainpoolP256r1_sha256",
        0x081b => "ecdsa_brainpoolP384r1_sha384",
        0x081c => "ecdsa_brainpoolP512r1_sha512",
        _ => return None,
    })
}

impl Style {
    /// One entry of `Requested Signature Algorithms:` as this version prints it.
    pub fn sigalg_text(self, code: u16) -> String {
        if self.iana_sigalg_lists() {
            return iana_sigalg_name(code);
        }
        if self.rfc8446_sigalg_names()
            && let Some(name) = rfc8446_special(code)
        {
            return name.to_string();
        }
        match known(self, code) {
            // ML-DSA has no `sign_nid` in a version that does not know it.
            Some(scheme) => match scheme.hash {
                Some(hash) => format!("{}+{hash}", sign_text(self, scheme.sign)),
                None => sign_text(self, scheme.sign).to_string(),
            },
            // `get_sigtype(NID_undef)`: `OBJ_nid2sn(0)` from 3.2, NULL (raw bytes) before.
            None if self.sigtype_object_names() => "UNDEF".to_string(),
            None => format!("0x{:02X}+0x{:02X}", code & 0xff, code >> 8),
        }
    }

    /// `Peer signature type:` for the scheme the server signed with; `type_name` is what the
    /// linked library's `get_sigtype` gave, for a scheme mtlscheck cannot name itself.
    pub fn peer_signature_type(self, code: Option<u16>, type_name: &str) -> String {
        match code.and_then(find) {
            Some(scheme) if self.iana_peer_signature_type() => scheme.iana.to_string(),
            Some(scheme) => sign_text(self, scheme.sign).to_string(),
            None => type_name.to_string(),
        }
    }
}

/// The scheme a server signed with, from what OpenSSL 3.0 reports (`SSL_get_peer_signature_type_nid`
/// and `SSL_get_peer_signature_nid` short names), the protocol and the server key: the same
/// lookup OpenSSL 3.5's `SSL_get0_peer_signature_name` makes from the code point it kept.
pub fn peer_sigalg_code(
    sign: &str,
    digest: Option<&str>,
    tls13: bool,
    key_curve: Option<&str>,
    pss_key: bool,
) -> Option<u16> {
    let by_hash = |codes: [u16; 5]| -> Option<u16> {
        Some(match digest? {
            "SHA1" => codes[0],
            "SHA224" => codes[1],
            "SHA256" => codes[2],
            "SHA384" => codes[3],
            "SHA512" => codes[4],
            _ => return None,
        })
    };
    match sign {
        "RSA" | "rsaEncryption" => by_hash([0x0201, 0x0301, 0x0401, 0x0501, 0x0601]),
        "RSA-PSS" | "RSASSA-PSS" if pss_key => by_hash([0, 0, 0x0809, 0x080a, 0x080b]).filter(|c| *c != 0),
        "RSA-PSS" | "RSASSA-PSS" => by_hash([0, 0, 0x0804, 0x0805, 0x0806]).filter(|c| *c != 0),
        "ECDSA" | "id-ecPublicKey" => {
            let brainpool = match key_curve {
                Some("brainpoolP256r1") if tls13 => Some(0x081a),
                Some("brainpoolP384r1") if tls13 => Some(0x081b),
                Some("brainpoolP512r1") if tls13 => Some(0x081c),
                _ => None,
            };
            brainpool.or_else(|| by_hash([0x0203, 0x0303, 0x0403, 0x0503, 0x0603]))
        }
        "DSA" => by_hash([0x0202, 0x0302, 0x0402, 0x0502, 0x0602]),
        "ed25519" | "ED25519" => Some(0x0807),
        "ed448" | "ED448" => Some(0x0808),
        other => SCHEMES.iter().find(|s| matches!(s.sign, Object(name) if name == other)).map(|s| s.code),
    }
}

/// `Shared Requested Signature Algorithms` as `style`'s client computes it: the server's
/// requested schemes, in its order, that the client offered too. `linked_shared` is what the
/// linked library computed and `linked_knows` which schemes it knows: for those the library's
/// decision stands (it applied the real security rules), the rest follow `style`'s knowledge
/// and TLS 1.3's exclusions (no DSA, SHA-1 or SHA-224).
pub fn shared_sigalgs(
    style: Style,
    requested: &[u16],
    linked_shared: &[u16],
    linked_knows: impl Fn(u16) -> bool,
    tls13: bool,
) -> Vec<u16> {
    requested
        .iter()
        .copied()
        .filter(|&code| {
            let Some(scheme) = known(style, code) else { return false };
            let weak = matches!(scheme.hash, Some("SHA1" | "SHA224")) || scheme.sign == Dsa;
            if tls13 && weak {
                return false;
            }
            if scheme.hash == Some("SHA1") {
                return !style.sha1_rejected() && !tls13;
            }
            if linked_knows(code) { linked_shared.contains(&code) } else { true }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(style: Style, codes: &[u16]) -> String {
        codes.iter().map(|&c| style.sigalg_text(c)).collect::<Vec<_>>().join(":")
    }

    #[test]
    fn each_version_names_the_schemes_of_a_3_6_server_request_as_it_does() {
        // The first entries of what a real OpenSSL 3.6.3 s_server requests (TLS 1.3), and what
        // real s_client 1.1.1w, 3.0.19, 3.6.3 and 4.0.3 printed for them.
        let requested = [0x0905, 0x0807, 0x081a, 0x0809, 0x0804, 0x0401];
        assert_eq!(
            list(Style::parse("1.1.1").unwrap(), &requested),
            "0x05+0x09:Ed25519:0x1A+0x08:RSA-PSS+SHA256:RSA-PSS+SHA256:RSA+SHA256"
        );
        assert_eq!(
            list(Style::openssl(3, 0), &requested),
            "0x05+0x09:ed25519:ecdsa_brainpoolP256r1_sha256:rsa_pss_pss_sha256:RSA-PSS+SHA256:RSA+SHA256"
        );
        assert_eq!(
            list(Style::openssl(3, 6), &requested),
            "id-ml-dsa-65:ed25519:ecdsa_brainpoolP256r1_sha256:rsa_pss_pss_sha256:RSA-PSS+SHA256:RSA+SHA256"
        );
        assert_eq!(
            list(Style::openssl(4, 0), &requested),
            "mldsa65:ed25519:ecdsa_brainpoolP256r1tls13_sha256:rsa_pss_pss_sha256:rsa_pss_rsae_sha256:rsa_pkcs1_sha256"
        );
        assert_eq!(Style::openssl(3, 3).sigalg_text(0x0905), "UNDEF");
        assert_eq!(Style::openssl(4, 0).sigalg_text(0x1234), "0x1234");
    }

    #[test]
    fn shared_lists_follow_the_imitated_clients_knowledge() {
        let requested = [0x0905, 0x0403, 0x081a, 0x0303, 0x0203, 0x0402];
        let linked_knows = |c: u16| !matches!(c, 0x0905 | 0x081a);
        let linked_shared = [0x0403, 0x0303, 0x0402];
        let v30 = shared_sigalgs(Style::openssl(3, 0), &requested, &linked_shared, linked_knows, false);
        assert_eq!(v30, vec![0x0403, 0x0303, 0x0402]);
        let v36 = shared_sigalgs(Style::openssl(3, 6), &requested, &linked_shared, linked_knows, true);
        assert_eq!(v36, vec![0x0905, 0x0403, 0x081a]);
        let v111 = shared_sigalgs(Style::parse("1.1.1").unwrap(), &requested, &linked_shared, linked_knows, false);
        assert_eq!(v111, vec![0x0403, 0x0303, 0x0203, 0x0402]);
    }

    #[test]
    fn the_servers_scheme_is_found_from_what_openssl_3_0_reports() {
        assert_eq!(peer_sigalg_code("ECDSA", Some("SHA256"), true, Some("prime256v1"), false), Some(0x0403));
        assert_eq!(peer_sigalg_code("ECDSA", Some("SHA256"), true, Some("brainpoolP256r1"), false), Some(0x081a));
        assert_eq!(peer_sigalg_code("RSA-PSS", Some("SHA256"), true, None, false), Some(0x0804));
        assert_eq!(peer_sigalg_code("RSA-PSS", Some("SHA256"), true, None, true), Some(0x0809));
        assert_eq!(peer_sigalg_code("id-ml-dsa-65", None, true, None, false), Some(0x0905));
        assert_eq!(Style::openssl(3, 6).peer_signature_type(Some(0x0804), "RSA-PSS"), "rsa_pss_rsae_sha256");
        assert_eq!(Style::openssl(3, 0).peer_signature_type(Some(0x0804), "RSA-PSS"), "RSA-PSS");
        assert_eq!(Style::parse("1.1.1").unwrap().peer_signature_type(Some(0x0807), "ed25519"), "Ed25519");
    }
}
