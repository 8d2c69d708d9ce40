//! A distinguished name as mtlscheck keeps it: its DER, printed on demand in the style the
//! operator's s_client uses, compared as OpenSSL compares names.

use openssl::x509::{X509Name, X509NameRef};

use super::der::attributes;
use super::key::NameKey;
use super::print::{flags, print_der};

/// s_client's `-nameopt` presets mtlscheck prints names with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum NameStyle {
    /// What the linked OpenSSL's s_client uses without `-nameopt` (`oneline` up to 3.1).
    #[default]
    Default,
    /// `C = US, O = Example CA, CN = Example Root CA`, non-ASCII escaped as `\C3\BC`.
    Oneline,
    /// `CN=Example Root CA,O=Example CA,C=US` (RFC 2253: reversed, no spaces).
    Rfc2253,
    /// `C=US, O=Example CA, CN=Example Root CA` (OpenSSL 3.2+ default; UTF-8 printed as is).
    SepCommaPlusSpace,
}

impl NameStyle {
    /// The `X509_NAME_print_ex` flags of this style.
    pub fn flags(self) -> u64 {
        match self {
            NameStyle::Default if cfg!(ossl320) => flags::COMPACT_3_2,
            NameStyle::Default | NameStyle::Oneline => flags::ONELINE,
            NameStyle::Rfc2253 => flags::RFC2253,
            NameStyle::SepCommaPlusSpace => flags::COMPACT_3_2,
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
        print_der(&self.der, style.flags())
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
            .map(|attribute| (attribute.field_name(), attribute.value_text()))
            .collect()
    }

    /// The comparison key, the same one a written spelling of this name reduces to.
    pub fn key(&self) -> NameKey {
        NameKey::of_entries(&self.entries())
    }
}
