//! How each stack decides that a CA name the server lists is the issuer of one of our
//! certificates: raw DER (Go, GnuTLS), Java's canonical form (PrintableString and UTF8String
//! folded, other string types byte for byte), string forms (NSS, .NET: string type ignored,
//! case and spacing kept) or OpenSSL's `X509_NAME_cmp` (all folded).

use crate::names::DistinguishedName;
use crate::names::der::{Attribute, attributes};

/// A way of comparing names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameEquality {
    RawDer,
    Java,
    StringForm,
    OpensslCanonical,
}

impl NameEquality {
    pub fn equal(self, ours: &[u8], theirs: &[u8]) -> bool {
        match self {
            NameEquality::RawDer => ours == theirs,
            NameEquality::Java => keys(ours, java_value) == keys(theirs, java_value) && !ours.is_empty(),
            NameEquality::StringForm => keys(ours, string_value) == keys(theirs, string_value) && !ours.is_empty(),
            NameEquality::OpensslCanonical => {
                DistinguishedName { der: ours.to_vec() }.same_name_as(&DistinguishedName { der: theirs.to_vec() })
            }
        }
    }
}

/// One RDN: its attributes as (OID, comparable value), sorted (a multi-valued RDN has no order).
type Rdn = Vec<(Vec<u8>, Vec<u8>)>;

/// Every RDN of a name; `None` when the DER is not a name.
fn keys(der: &[u8], value: fn(&Attribute) -> Vec<u8>) -> Option<Vec<Rdn>> {
    let attributes = attributes(der)?;
    let mut rdns: Vec<Rdn> = Vec::new();
    for attribute in &attributes {
        if rdns.len() <= attribute.set {
            rdns.resize(attribute.set + 1, Vec::new());
        }
        rdns[attribute.set].push((attribute.oid.clone(), value(attribute)));
    }
    rdns.iter_mut().for_each(|rdn| rdn.sort());
    Some(rdns)
}

/// Java's RFC 2253 canonical value: PrintableString and UTF8String case-folded with spaces
/// trimmed and collapsed; every other type as its DER (`#hex`), byte for byte.
fn java_value(attribute: &Attribute) -> Vec<u8> {
    match attribute.tag_number() {
        12 | 19 => {
            let text = attribute.value_text();
            let folded: Vec<String> = text.split_whitespace().map(str::to_lowercase).collect();
            [b"s:".as_slice(), folded.join(" ").as_bytes()].concat()
        }
        _ => [b"#:".as_slice(), &attribute.value_der()].concat(),
    }
}

/// The value as text, whatever string type carries it; case and spacing kept.
fn string_value(attribute: &Attribute) -> Vec<u8> {
    attribute.value_text().into_bytes()
}

/// What makes two spellings of one name differ for a stricter comparison: the string types,
/// case, or spacing of their values. `None` when they are not the same name even loosely.
pub fn difference(ours: &[u8], theirs: &[u8]) -> Option<String> {
    let (Some(ours), Some(theirs)) = (attributes(ours), attributes(theirs)) else { return None };
    if ours.len() != theirs.len() {
        return None;
    }
    let mut findings = Vec::new();
    for (mine, other) in ours.iter().zip(&theirs) {
        if mine.oid != other.oid {
            return None;
        }
        let (a, b) = (mine.value_text(), other.value_text());
        let fold = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
        if fold(&a) != fold(&b) {
            return None;
        }
        if mine.tag != other.tag {
            findings.push(format!(
                "{} is a {} in the server's list and a {} in our chain",
                mine.field_name(),
                type_name(other.tag_number()),
                type_name(mine.tag_number())
            ));
        } else if a != b && a.to_lowercase() == b.to_lowercase() {
            findings.push(format!("{} differs in case ({:?} vs our {:?})", mine.field_name(), b, a));
        } else if a != b {
            findings.push(format!("{} differs in spacing ({:?} vs our {:?})", mine.field_name(), b, a));
        }
    }
    Some(findings.join("; "))
}

fn type_name(tag: u8) -> &'static str {
    match tag {
        12 => "UTF8String",
        19 => "PrintableString",
        20 => "T61String",
        22 => "IA5String",
        28 => "UniversalString",
        30 => "BMPString",
        _ => "non-string value",
    }
}
