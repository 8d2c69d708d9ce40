//! One s_client to imitate ([`Style`]: a version of OpenSSL, or LibreSSL), how it is written
//! (`--like`, `openssl version`, `OPENSSL_VERSION_NUMBER`), and every question about its output
//! whose answer changed between versions.

use crate::names::NameStyle;

/// How much of the signature-scheme registry a version's TLS stack knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SigAlgKnowledge {
    /// RSA, RSA-PSS, ECDSA, EdDSA and DSA schemes (1.1.1 to 3.1, LibreSSL).
    Classic,
    /// Plus the TLS 1.3 brainpool schemes (3.2 to 3.4).
    Brainpool13,
    /// Plus ML-DSA (3.5+).
    MlDsa,
}

/// The implementation whose s_client is imitated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    OpenSsl,
    /// macOS's `/usr/bin/openssl` and OpenBSD's; its layout follows OpenSSL 1.0.2's.
    LibreSsl,
}

/// One s_client to imitate. `patch` is `None` for "the newest release of that line", which is
/// what `--like 3.0` means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Style {
    pub family: Family,
    pub major: u16,
    pub minor: u16,
    pub patch: Option<u16>,
}

/// Why a `--like` value is not a version mtlscheck can imitate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct StyleError(String);

/// The values `--like` and `name_style` accept, for messages.
pub const LIKE_VALUES: &str = "1.1.1, 3.0, 3.1, 3.2, 3.3, 3.4, 3.5, 3.6, 4.0 (optionally with a patch release, e.g. 3.0.13), libressl, \
     or the output of `openssl version`";

impl Style {
    pub const fn openssl(major: u16, minor: u16) -> Style {
        Style { family: Family::OpenSsl, major, minor, patch: None }
    }

    pub const OPENSSL_1_1_1: Style = Style { family: Family::OpenSsl, major: 1, minor: 11, patch: None };

    pub const LIBRESSL: Style = Style { family: Family::LibreSsl, major: 3, minor: 0, patch: None };

    /// The OpenSSL mtlscheck runs on (`OpenSSL_version_num()` of the library loaded at run time,
    /// which may differ from the one it was built against).
    pub fn runtime() -> Style {
        Style::from_version_number(openssl::version::number() as u64)
    }

    /// The OpenSSL headers mtlscheck was compiled with (build.rs records them).
    pub fn built_against() -> Option<Style> {
        let raw = option_env!("MTLSCHECK_OPENSSL_BUILD_VERSION")?;
        u64::from_str_radix(raw, 16).ok().map(Style::from_version_number)
    }

    /// A warning when the library loaded at run time is another release line than the headers
    /// mtlscheck was built with: a build against a custom 3.x prefix uses the soname
    /// `libssl.so.3`, so without the right library path it silently runs on the system's 3.0.
    pub fn runtime_mismatch() -> Option<String> {
        mismatch_warning(Style::built_against()?, Style::runtime(), openssl::version::version())
    }

    /// `OPENSSL_VERSION_NUMBER`: `0xMNN00PP0` from 3.0, `0xMNNFFPPS` before (1.1.1w is
    /// `0x1010117f`).
    pub fn from_version_number(number: u64) -> Style {
        let major = ((number >> 28) & 0xf) as u16;
        if major >= 3 {
            Style {
                family: Family::OpenSsl,
                major,
                minor: ((number >> 20) & 0xff) as u16,
                patch: Some(((number >> 4) & 0xff) as u16),
            }
        } else {
            // 1.1.1: major.minor.fix, and the letter as the patch number.
            let minor = ((number >> 20) & 0xff) as u16;
            let fix = ((number >> 12) & 0xff) as u16;
            Style {
                family: Family::OpenSsl,
                major,
                minor: minor * 10 + fix,
                patch: Some(((number >> 4) & 0xff) as u16),
            }
        }
    }

    /// Reads `1.1.1`, `1.1.1w`, `3.0`, `3.0.13`, `4.0`, `libressl`, `LibreSSL 3.3.6`, or the whole
    /// output of `openssl version` (`OpenSSL 3.0.13 30 Jan 2024 (Library: ...)`: the first
    /// version, the one of the `openssl` program).
    pub fn parse(text: &str) -> Result<Style, StyleError> {
        let trimmed = text.trim();
        let lower = trimmed.to_ascii_lowercase();
        let refuse = |why: &str| StyleError(format!("cannot imitate {trimmed:?}: {why}; use one of {LIKE_VALUES}"));
        if lower.starts_with("libressl") {
            return Ok(Style::LIBRESSL);
        }
        let rest = lower.strip_prefix("openssl").unwrap_or(&lower).trim_start();
        let token = rest.split_whitespace().next().ok_or_else(|| refuse("no version"))?;
        let mut parts = token.split('.');
        let number = |part: Option<&str>| part.and_then(|p| p.parse::<u16>().ok());
        let major = number(parts.next()).ok_or_else(|| refuse("not a version"))?;
        let minor = number(parts.next()).ok_or_else(|| refuse("write at least MAJOR.MINOR"))?;
        let third = parts.next();
        if parts.next().is_some() {
            return Err(refuse("too many parts"));
        }
        match major {
            1 => {
                // 1.1.1 with an optional letter; 1.1.0 and 1.0.2 printed differently and are not imitated.
                let fix = third.ok_or_else(|| refuse("write 1.1.1"))?;
                let digits: String = fix.chars().take_while(char::is_ascii_digit).collect();
                let letter = &fix[digits.len()..];
                if minor != 1 || digits != "1" || letter.len() > 1 || !letter.chars().all(|c| c.is_ascii_lowercase()) {
                    return Err(refuse(
                        "of the 1.x releases only 1.1.1 is imitated (transcripts of 1.0.2 are still read)",
                    ));
                }
                let patch = letter.chars().next().map(|c| (c as u16) - u16::from(b'a') + 1);
                Ok(Style { family: Family::OpenSsl, major: 1, minor: 11, patch })
            }
            3 | 4 => {
                let patch = match third {
                    None => None,
                    Some(p) => Some(p.parse::<u16>().map_err(|_| refuse("the patch release is a number"))?),
                };
                Ok(Style { family: Family::OpenSsl, major, minor, patch })
            }
            _ => Err(refuse("only OpenSSL 1.1.1, 3.x and 4.x are imitated")),
        }
    }

    fn is_libressl(self) -> bool {
        self.family == Family::LibreSsl
    }

    /// Whether this OpenSSL is `major.minor` or newer (LibreSSL is never).
    pub fn at_least(self, major: u16, minor: u16) -> bool {
        !self.is_libressl() && (self.major, self.minor) >= (major, minor)
    }

    /// Whether this is `major.minor` (any patch release) or a patch release of it from `patch` on.
    fn is_release_from(self, major: u16, minor: u16, patch: u16) -> bool {
        (self.major, self.minor) == (major, minor) && self.patch.is_none_or(|p| p >= patch)
    }

    pub fn is_1_1_1(self) -> bool {
        !self.is_libressl() && self.major == 1
    }

    /// The short label (`1.1.1`, `3.0`, `3.0.13`, `libressl`) `--like` accepts back.
    pub fn label(self) -> String {
        match (self.family, self.major, self.patch) {
            (Family::LibreSsl, _, _) => "libressl".into(),
            (_, 1, Some(letter)) if (1..=26).contains(&letter) => format!("1.1.1{}", (b'a' + letter as u8 - 1) as char),
            (_, 1, _) => "1.1.1".into(),
            (_, _, Some(patch)) => format!("{}.{}.{patch}", self.major, self.minor),
            (_, _, None) => format!("{}.{}", self.major, self.minor),
        }
    }

    /// How this s_client prints names without `-nameopt`.
    pub fn name_style(self) -> NameStyle {
        if self.is_libressl() { NameStyle::Slash } else { NameStyle::for_openssl(self.major, self.minor) }
    }

    // ---- which lines exist ----

    /// `   a:PKEY: ...` and `   v:NotBefore: ...` under each chain entry (OpenSSL 3.0+).
    pub fn chain_key_lines(self) -> bool {
        self.at_least(3, 0)
    }

    /// The 3.5 form of the key line: `EC, (prime256v1)`, `RSA, 2048 (bit)`, the signature
    /// algorithm's long name.
    pub fn key_type_names(self) -> bool {
        self.at_least(3, 5)
    }

    /// OpenSSL 1.1.1 prints an empty line after `subject=` and `issuer=`.
    pub fn blank_after_cert_names(self) -> bool {
        self.is_1_1_1()
    }

    /// The `Client Certificate Types` / `Requested Signature Algorithms` / `Peer signing digest`
    /// block (LibreSSL prints none of it).
    pub fn sigalg_lines(self) -> bool {
        !self.is_libressl()
    }

    /// `Peer Temp Key:` (3.5+) instead of `Server Temp Key:`.
    pub fn temp_key_label(self) -> &'static str {
        if self.at_least(3, 5) { "Peer Temp Key" } else { "Server Temp Key" }
    }

    /// `Negotiated TLS1.3 group: X25519MLKEM768` when a TLS 1.3 group has no temp key (3.5+).
    pub fn negotiated_group_line(self) -> bool {
        self.at_least(3, 5)
    }

    /// `Verification: OK` / `Verification error: ...` before the session line (not LibreSSL).
    pub fn verification_line(self) -> bool {
        !self.is_libressl()
    }

    /// `Protocol: TLSv1.3` after the `New, ...` line (3.4+).
    pub fn protocol_line(self) -> bool {
        self.at_least(3, 4)
    }

    /// `This TLS version forbids renegotiation.` for TLS 1.3 (3.2+) instead of `Secure
    /// Renegotiation IS NOT supported`.
    pub fn tls13_renegotiation_note(self) -> bool {
        self.at_least(3, 2)
    }

    /// `Early data was not sent` and `Verify return code` for TLS 1.3 instead of the session
    /// (OpenSSL 1.1.1+; LibreSSL prints the session for every protocol).
    pub fn tls13_early_data_lines(self) -> bool {
        !self.is_libressl()
    }

    /// The session block prints PSK, SRP and extended-master-secret lines (OpenSSL, not LibreSSL).
    pub fn openssl_session_block(self) -> bool {
        !self.is_libressl()
    }

    /// The cipher's protocol in `New, <this>, Cipher is ...`: LibreSSL always says `TLSv1/SSLv3`.
    pub fn cipher_version(self, openssl_says: &str) -> String {
        if self.is_libressl() && openssl_says != "(NONE)" { "TLSv1/SSLv3".into() } else { openssl_says.into() }
    }

    /// The `ECH: NOT CONFIGURED: -103` block (4.0: ECH is built in and reported per connection).
    pub fn ech_block(self) -> bool {
        self.at_least(4, 0)
    }

    // ---- how things are named ----

    /// The prefix of the reason text of the alerts renamed in 3.2 and 4.0 (handshake failure,
    /// bad certificate, ...): `sslv3 alert`, `ssl/tls alert`, `tls alert`.
    pub fn ssl3_alert_prefix(self) -> &'static str {
        if self.at_least(4, 0) {
            "tls alert"
        } else if self.at_least(3, 2) {
            "ssl/tls alert"
        } else {
            "sslv3 alert"
        }
    }

    /// Whether alerts 115 and 120 have a reason text (3.0+; LibreSSL too, 1.1.1 prints
    /// `reason(1115)`); LibreSSL spells 115 `unknown psk_identity`.
    pub fn has_newer_alert_texts(self) -> bool {
        self.is_libressl() || self.at_least(3, 0)
    }

    pub fn libressl(self) -> bool {
        self.is_libressl()
    }

    /// Signature algorithms printed as `ed25519` and with RFC 8446 names for RSA-PSS-PSS and the
    /// TLS 1.3 brainpool schemes, as fixed in 3.0.16, 3.1.8, 3.2.4, 3.3.3 and 3.4.1 (openssl
    /// PR 25797); older releases print `Ed25519` and `RSA-PSS+SHA256` for both RSA-PSS kinds.
    pub fn rfc8446_sigalg_names(self) -> bool {
        if self.is_libressl() || self.major < 3 {
            return false;
        }
        self.at_least(3, 5)
            || self.is_release_from(3, 0, 16)
            || self.is_release_from(3, 1, 8)
            || self.is_release_from(3, 2, 4)
            || self.is_release_from(3, 3, 3)
            || self.is_release_from(3, 4, 1)
    }

    /// `Requested Signature Algorithms` with the library's IANA names (`rsa_pkcs1_sha256`) and
    /// `0xXXXX` for unknown ones (4.0).
    pub fn iana_sigalg_lists(self) -> bool {
        self.at_least(4, 0)
    }

    /// `Peer signature type: rsa_pss_rsae_sha256` (3.5+) instead of `RSA-PSS`.
    pub fn iana_peer_signature_type(self) -> bool {
        self.at_least(3, 5)
    }

    /// s_client's `get_sigtype` falls back to `OBJ_nid2sn` (3.2+), so an unknown scheme prints
    /// `UNDEF` and a provider's scheme its object name; before, `0xNN+0xNN`.
    pub fn sigtype_object_names(self) -> bool {
        self.at_least(3, 2)
    }

    /// `ECDH, prime256v1, 256 bits` (3.0+: the group name) instead of `ECDH, P-256, 256 bits`.
    pub fn temp_key_group_names(self) -> bool {
        self.at_least(3, 0)
    }

    /// Which signature schemes this version's TLS stack knows (and so names and accepts).
    pub fn sigalg_knowledge(self) -> SigAlgKnowledge {
        if self.at_least(3, 5) {
            SigAlgKnowledge::MlDsa
        } else if self.at_least(3, 2) {
            SigAlgKnowledge::Brainpool13
        } else {
            SigAlgKnowledge::Classic
        }
    }

    /// SHA-1 signature schemes count as 64-bit secure from 3.0 (below security level 1), so they
    /// are never shared; 1.1.1 and LibreSSL still accept them in TLS 1.2.
    pub fn sha1_rejected(self) -> bool {
        self.at_least(3, 0)
    }

    /// The groups this s_client offers, as an OpenSSL groups list, when it differs from what an
    /// older linked library would offer by default (`None`: the library's default).
    pub fn default_groups(self) -> Option<&'static str> {
        if self.at_least(3, 5) {
            None
        } else if self.at_least(3, 0) {
            Some("X25519:P-256:X448:P-521:P-384:ffdhe2048:ffdhe3072:ffdhe4096:ffdhe6144:ffdhe8192")
        } else {
            Some("X25519:P-256:X448:P-521:P-384")
        }
    }

    /// Whether this s_client offers post-quantum hybrid groups by default (3.5+).
    pub fn offers_post_quantum_groups(self) -> bool {
        self.at_least(3, 5)
    }
}

/// The warning of [`Style::runtime_mismatch`] for a build against `built` running on `running`.
fn mismatch_warning(built: Style, running: Style, running_text: &str) -> Option<String> {
    ((built.major, built.minor) != (running.major, running.minor)).then(|| {
        format!(
            "mtlscheck was built against OpenSSL {} but runs on {running_text}: it prints like OpenSSL {} (the \
             library it runs on); to run on the library it was built for, set LD_LIBRARY_PATH to that build's lib \
             directory",
            built.label(),
            running.label(),
        )
    })
}

impl std::fmt::Display for Style {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.family {
            Family::LibreSsl => f.write_str("LibreSSL"),
            Family::OpenSsl => write!(f, "OpenSSL {}", self.label()),
        }
    }
}

impl std::str::FromStr for Style {
    type Err = StyleError;

    fn from_str(text: &str) -> Result<Style, StyleError> {
        Style::parse(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_forms_patch_releases_and_openssl_version_output_parse() {
        assert_eq!(Style::parse("3.0").unwrap(), Style::openssl(3, 0));
        assert_eq!(Style::parse("3.0.13").unwrap().patch, Some(13));
        let program = Style::parse("OpenSSL 3.6.3 9 Jun 2026 (Library: OpenSSL 3.0.19 27 Jan 2026)").unwrap();
        assert_eq!((program.major, program.minor, program.patch), (3, 6, Some(3)));
        assert_eq!(Style::parse("OpenSSL 1.1.1w  11 Sep 2023").unwrap().label(), "1.1.1w");
        assert_eq!(Style::parse("1.1.1").unwrap().label(), "1.1.1");
        assert_eq!(Style::parse("LibreSSL 3.3.6").unwrap(), Style::LIBRESSL);
        assert_eq!(Style::parse("libressl").unwrap().label(), "libressl");
        assert_eq!(Style::parse(" 4.0 ").unwrap().label(), "4.0");
        for bad in ["", "3", "1.0.2", "2.0", "x.y", "3.0.x", "1.1.1ww"] {
            let err = Style::parse(bad).unwrap_err().to_string();
            assert!(err.contains("1.1.1, 3.0"), "{bad}: {err}");
        }
    }

    #[test]
    fn version_numbers_of_each_format_decode() {
        let v111 = Style::from_version_number(0x1010_117f);
        assert_eq!(v111.label(), "1.1.1w");
        assert!(v111.is_1_1_1() && !v111.chain_key_lines());
        let v30 = Style::from_version_number(0x3000_0130);
        assert_eq!(v30.label(), "3.0.19");
        assert!(v30.rfc8446_sigalg_names() && !v30.protocol_line());
        assert_eq!(Style::from_version_number(0x4000_0030).label(), "4.0.3");
    }

    #[test]
    fn a_build_running_on_another_release_line_is_warned_about() {
        let built = Style::from_version_number(0x3060_0030);
        let system = Style::from_version_number(0x3000_0130);
        let warning = mismatch_warning(built, system, "OpenSSL 3.0.19 27 Jan 2026").unwrap();
        assert!(warning.contains("built against OpenSSL 3.6.3 but runs on OpenSSL 3.0.19"), "{warning}");
        assert!(warning.contains("prints like OpenSSL 3.0.19") && warning.contains("LD_LIBRARY_PATH"), "{warning}");
        assert_eq!(mismatch_warning(system, Style::from_version_number(0x3000_0110), "x"), None);
    }

    #[test]
    fn the_sigalg_naming_fix_is_dated_per_release_line() {
        for (label, fixed) in [
            ("3.0.15", false),
            ("3.0.16", true),
            ("3.0", true),
            ("3.3.2", false),
            ("3.3.3", true),
            ("3.4.0", false),
            ("3.4.1", true),
            ("3.5.0", true),
            ("1.1.1", false),
        ] {
            assert_eq!(Style::parse(label).unwrap().rfc8446_sigalg_names(), fixed, "{label}");
        }
    }
}
