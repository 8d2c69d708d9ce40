//! A distinguished name as mtlscheck keeps it: its DER, printed on demand in the style the
//! operator's s_client uses, compared as OpenSSL compares names.

use openssl::x509::{X509Name, X509NameRef};

use super::der::attributes;
use super::key::NameKey;
use super::parse::{Spelling, attribute_value_text};
use super::print::{flags, print_der, print_slash};

/// How names are printed: s_client's `-nameopt` presets and each version's default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum NameStyle {
    /// What the s_client of the OpenSSL mtlscheck runs on prints without `-nameopt`.
    #[default]
    Default,
    /// `C = US, O = Example CA, CN = Example Root CA`, non-ASCII escaped as `\C3\BC`
    /// (OpenSSL 1.1.1 to 3.1).
    Oneline,
    /// `CN=Example Root CA,O=Example CA,C=US` (RFC 2253: reversed, no spaces).
    Rfc2253,
    /// `C=US, O=Example CA, CN=Example Root CA`, UTF-8 printed as is, nothing escaped
    /// (OpenSSL 3.2 to 3.4).
    SepCommaPlusSpace,
    /// As `sep-comma-plus-space`, with control characters and backslashes escaped (`\09`, `\\`)
    /// and values that are not strings dumped as `#` DER hex (OpenSSL 3.5+).
    SepCommaPlusSpaceEscaped,
    /// `/C=US/O=Example CA/CN=Example Root CA`, bytes outside ASCII as `\xC3` (LibreSSL, 1.0.2).
    Slash,
}

impl NameStyle {
    /// The default of OpenSSL `major.minor`'s s_client (1.1.1 is written as major 1, minor 11).
    pub fn for_openssl(major: u16, minor: u16) -> NameStyle {
        match (major, minor) {
            (0..=2, _) => NameStyle::Oneline,
            (3, 0..=1) => NameStyle::Oneline,
            (3, 2..=4) => NameStyle::SepCommaPlusSpace,
            _ => NameStyle::SepCommaPlusSpaceEscaped,
        }
    }

    /// `Default` made concrete: the style of the OpenSSL loaded at run time (not the one
    /// mtlscheck was compiled against, which may differ).
    pub fn resolved(self) -> NameStyle {
        match self {
            NameStyle::Default => {
                let number = openssl::version::number() as u64;
                let major = ((number >> 28) & 0xf) as u16;
                let minor = if major >= 3 { ((number >> 20) & 0xff) as u16 } else { 11 };
                NameStyle::for_openssl(major, minor)
            }
            concrete => concrete,
        }
    }

    /// The `X509_NAME_print_ex` flags of this style (`None` for the slash style, which is
    /// `X509_NAME_oneline`).
    pub fn flags(self) -> Option<u64> {
        Some(match self.resolved() {
            NameStyle::Oneline | NameStyle::Default => flags::ONELINE,
            NameStyle::Rfc2253 => flags::RFC2253,
            NameStyle::SepCommaPlusSpace => flags::COMPACT_3_2,
            NameStyle::SepCommaPlusSpaceEscaped => flags::COMPACT_3_5,
            NameStyle::Slash => return None,
        })
    }

    /// A preset by the name `--nameopt` and `name_style` accept (`oneline`, `rfc2253`, ...).
    pub fn from_preset(text: &str) -> Option<NameStyle> {
        use clap::ValueEnum;
        NameStyle::from_str(text.trim(), true).ok()
    }

    /// The name `--nameopt` and `name_style` take for this style (`oneline`, `rfc2253`, ...).
    pub fn preset_name(self) -> &'static str {
        match self {
            NameStyle::Default => "default",
            NameStyle::Oneline => "oneline",
            NameStyle::Rfc2253 => "rfc2253",
            NameStyle::SepCommaPlusSpace => "sep-comma-plus-space",
            NameStyle::SepCommaPlusSpaceEscaped => "sep-comma-plus-space-escaped",
            NameStyle::Slash => "slash",
        }
    }

    /// How text printed in this style is read back.
    pub fn spelling(self) -> Spelling {
        match self.resolved() {
            NameStyle::Oneline | NameStyle::Default => Spelling::Oneline,
            NameStyle::Rfc2253 => Spelling::Rfc2253,
            NameStyle::SepCommaPlusSpace => Spelling::Compact,
            NameStyle::SepCommaPlusSpaceEscaped => Spelling::CompactEscaped,
            NameStyle::Slash => Spelling::Slash,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistinguishedName {
    pub der: Vec<u8>,
}

impl DistinguishedName {
    pub fn from_name(name: &X509NameRef) -> Self {
        DistinguishedName { der: name.to_der().unwrap_or_default() }
    }

    /// The name as s_client prints it in `style`.
    pub fn text(&self, style: NameStyle) -> String {
        match style.flags() {
            Some(flags) => print_der(&self.der, flags),
            None => print_slash(&self.der),
        }
    }

    /// Name equality as OpenSSL defines it (`X509_NAME_cmp` on canonical encodings: case and
    /// spacing differences do not count), so formatting never decides a match.
    pub fn same_name_as(&self, other: &DistinguishedName) -> bool {
        if self.der == other.der {
            return true;
        }
        match (X509Name::from_der(&self.der), X509Name::from_der(&other.der)) {
            (Ok(a), Ok(b)) => a.try_cmp(&b).map(|o| o.is_eq()).unwrap_or(false),
            _ => false,
        }
    }

    /// The name's attributes in certificate order as `(short name, value)`, for comparing with
    /// names read back from text (e.g. an s_client transcript).
    pub fn entries(&self) -> Vec<(String, String)> {
        attributes(&self.der)
            .unwrap_or_default()
            .iter()
            .map(|attribute| (attribute.field_name(), attribute_value_text(attribute)))
            .collect()
    }

    /// The comparison key, the same one a written spelling of this name reduces to.
    pub fn key(&self) -> NameKey {
        NameKey::of_entries(&self.entries())
    }
}
