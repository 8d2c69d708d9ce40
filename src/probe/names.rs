//! Distinguished names as mtlscheck keeps them: the DER (compared as names) and the text
//! `openssl s_client` prints for them with the chosen `-nameopt`.

use openssl::x509::{X509Name, X509NameRef};

use crate::ffi;

/// s_client's `-nameopt` presets that mtlscheck can print.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum NameOpt {
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

impl NameOpt {
    fn flags(self) -> libc::c_ulong {
        match self {
            NameOpt::Default => ffi::default_nameopt(),
            NameOpt::Oneline => ffi::NAMEOPT_ONELINE,
            NameOpt::Rfc2253 => ffi::NAMEOPT_RFC2253,
            NameOpt::SepCommaPlusSpace => ffi::NAMEOPT_SEP_CPLUS_UTF8,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistinguishedName {
    /// As s_client prints it (`C = US, O = Example CA, CN = Example Root CA` on OpenSSL 3.0).
    pub text: String,
    pub der: Vec<u8>,
}

impl DistinguishedName {
    /// The name printed as the linked OpenSSL's s_client prints it by default.
    pub fn from_name(name: &X509NameRef) -> Self {
        Self::with_nameopt(name, NameOpt::Default)
    }

    pub fn with_nameopt(name: &X509NameRef, nameopt: NameOpt) -> Self {
        DistinguishedName { text: ffi::print_name(name, nameopt.flags()), der: name.to_der().unwrap_or_default() }
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

    /// The name's attributes in certificate order as `(short name, UTF-8 value)`, for
    /// comparing with names read back from text (e.g. an s_client transcript).
    pub fn entries(&self) -> Vec<(String, String)> {
        let Ok(name) = X509Name::from_der(&self.der) else { return Vec::new() };
        name.entries()
            .map(|entry| {
                let field = entry
                    .object()
                    .nid()
                    .short_name()
                    .map(str::to_string)
                    .unwrap_or_else(|_| entry.object().to_string());
                let value = entry
                    .data()
                    .to_string()
                    .unwrap_or_else(|_| String::from_utf8_lossy(entry.data().as_slice()).into_owned());
                (field, value)
            })
            .collect()
    }
}
