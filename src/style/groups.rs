//! Key-exchange groups by IANA code point: the registry name the JSON report carries, the name
//! OpenSSL 3.5+ prints in `Negotiated TLS1.3 group:`, and whether the group has a temp key
//! OpenSSL can show (`Peer Temp Key: X25519, 253 bits`); ML-KEM and its hybrids have none.

/// One named group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Group {
    pub code: u16,
    /// The TLS Supported Groups registry name, e.g. `x25519`, `secp256r1`, `X25519MLKEM768`.
    pub iana: &'static str,
    /// `SSL_group_to_name` of OpenSSL 3.5+.
    pub openssl: &'static str,
    /// The short name of the key OpenSSL makes for it (`X25519`, `prime256v1`), for groups
    /// that have a temp key.
    nid_name: Option<&'static str>,
}

impl Group {
    /// Whether OpenSSL shows a temp key for this group (`SSL_get_peer_tmp_key` succeeds).
    pub fn has_temp_key(self) -> bool {
        self.nid_name.is_some()
    }
}

const fn group(code: u16, iana: &'static str, openssl: &'static str, nid_name: Option<&'static str>) -> Group {
    Group { code, iana, openssl, nid_name }
}

/// Read from `ssl/t1_lib.c` (`nid_to_group`) of OpenSSL 3.0 and `providers/common/capabilities.c`
/// of OpenSSL 3.5/4.0.
const GROUPS: &[Group] = &[
    group(23, "secp256r1", "secp256r1", Some("prime256v1")),
    group(24, "secp384r1", "secp384r1", Some("secp384r1")),
    group(25, "secp521r1", "secp521r1", Some("secp521r1")),
    group(26, "brainpoolP256r1", "brainpoolP256r1", Some("brainpoolP256r1")),
    group(27, "brainpoolP384r1", "brainpoolP384r1", Some("brainpoolP384r1")),
    group(28, "brainpoolP512r1", "brainpoolP512r1", Some("brainpoolP512r1")),
    group(29, "x25519", "x25519", Some("X25519")),
    group(30, "x448", "x448", Some("X448")),
    group(31, "brainpoolP256r1tls13", "brainpoolP256r1tls13", Some("brainpoolP256r1")),
    group(32, "brainpoolP384r1tls13", "brainpoolP384r1tls13", Some("brainpoolP384r1")),
    group(33, "brainpoolP512r1tls13", "brainpoolP512r1tls13", Some("brainpoolP512r1")),
    group(256, "ffdhe2048", "ffdhe2048", Some("ffdhe2048")),
    group(257, "ffdhe3072", "ffdhe3072", Some("ffdhe3072")),
    group(258, "ffdhe4096", "ffdhe4096", Some("ffdhe4096")),
    group(259, "ffdhe6144", "ffdhe6144", Some("ffdhe6144")),
    group(260, "ffdhe8192", "ffdhe8192", Some("ffdhe8192")),
    group(0x0200, "MLKEM512", "MLKEM512", None),
    group(0x0201, "MLKEM768", "MLKEM768", None),
    group(0x0202, "MLKEM1024", "MLKEM1024", None),
    group(0x11eb, "SecP256r1MLKEM768", "SecP256r1MLKEM768", None),
    group(0x11ec, "X25519MLKEM768", "X25519MLKEM768", None),
    group(0x11ed, "SecP384r1MLKEM1024", "SecP384r1MLKEM1024", None),
];

pub fn group_by_code(code: u16) -> Option<Group> {
    GROUPS.iter().copied().find(|g| g.code == code)
}

/// The group of a key-exchange key OpenSSL named by its object short name (`X25519`,
/// `prime256v1`, `ffdhe2048`) or its group name; brainpool curves have a TLS 1.3 code of their own.
pub fn group_by_nid_name(name: &str, tls13: bool) -> Option<Group> {
    let matches = |g: &&Group| g.nid_name == Some(name) || g.openssl.eq_ignore_ascii_case(name);
    let candidates: Vec<Group> = GROUPS.iter().filter(matches).copied().collect();
    let tls13_variant = candidates.iter().copied().find(|g| g.iana.ends_with("tls13"));
    match (tls13, tls13_variant) {
        (true, Some(group)) => Some(group),
        _ => candidates.into_iter().find(|g| !g.iana.ends_with("tls13")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_are_found_by_code_and_by_key_name() {
        assert_eq!(group_by_code(0x11ec).map(|g| g.iana), Some("X25519MLKEM768"));
        assert!(!group_by_code(0x11ec).unwrap().has_temp_key());
        assert_eq!(group_by_nid_name("X25519", true).map(|g| g.code), Some(29));
        assert_eq!(group_by_nid_name("prime256v1", false).map(|g| g.iana), Some("secp256r1"));
        assert_eq!(group_by_nid_name("brainpoolP256r1", true).map(|g| g.code), Some(31));
        assert_eq!(group_by_nid_name("brainpoolP256r1", false).map(|g| g.code), Some(26));
    }
}
