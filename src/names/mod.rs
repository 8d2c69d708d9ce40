//! Distinguished names, all in one place: the type ([`DistinguishedName`], its DER), printing
//! in any OpenSSL style ([`NameStyle`], a Rust `X509_NAME_print_ex`), parsing any spelling
//! s_client, LibreSSL and people write ([`parse_name`], [`Spelling`]), the comparison key ([`NameKey`]) and the one difference
//! of two name lists ([`difference`]). Plain data and pure functions: no I/O, no FFI.

pub mod der;
mod dn;
mod key;
mod parse;
pub mod print;

pub use dn::{DistinguishedName, NameStyle};
pub use key::{NameKey, difference};
pub use parse::{Spelling, parse_name, parse_name_as, readings};
