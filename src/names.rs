//! Distinguished names as mtlscheck keeps them: the DER (compared as names) and the text
//! `openssl s_client` of the linked OpenSSL prints for them.

use openssl::x509::{X509Name, X509NameRef};

use crate::ffi;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistinguishedName {
    /// As s_client prints it (`C = US, O = Example CA, CN = Example Root CA` on OpenSSL 3.0).
    pub text: String,
    pub der: Vec<u8>,
}

impl DistinguishedName {
    pub fn from_name(name: &X509NameRef) -> Self {
        DistinguishedName {
            text: ffi::print_name(name, ffi::default_nameopt()),
            der: name.to_der().unwrap_or_default(),
        }
    }

    /// Name equality as OpenSSL defines it (`X509_NAME_cmp` on canonical encodings: case and
    /// spacing differences do not count), so formatting never decides a match.
    pub fn same_name_as(&self, other: &DistinguishedName) -> bool {
        if self.der == other.der {
            return true;
        }
        match (
            X509Name::from_der(&self.der),
            X509Name::from_der(&other.der),
        ) {
            (Ok(a), Ok(b)) => a.try_cmp(&b).map(|o| o.is_eq()).unwrap_or(false),
            _ => false,
        }
    }
}
