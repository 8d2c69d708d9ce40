//! Distinguished names built for tests, down to their DER: every string type, control
//! characters, quotes, backslashes, multi-valued RDNs and unknown attributes; self-signed CA
//! certificates carrying them, for servers that send them as CA names.

use std::path::PathBuf;

use mtlscheck::lab::pki;
use openssl::asn1::Asn1Type;
use openssl::x509::{X509, X509Name, X509NameBuilder};

use super::TestPki;

pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    if content.len() < 0x80 {
        out.push(content.len() as u8);
    } else {
        let len = content.len().to_be_bytes();
        let bytes: Vec<u8> = len.into_iter().skip_while(|&b| b == 0).collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

/// One attribute: OID content octets, value tag, value bytes.
pub type RawAttribute<'a> = (&'a [u8], u8, &'a [u8]);

/// A name from its RDNs.
pub fn raw_name(rdns: &[&[RawAttribute<'_>]]) -> X509Name {
    let sets: Vec<u8> = rdns
        .iter()
        .flat_map(|rdn| {
            let members: Vec<u8> = rdn
                .iter()
                .flat_map(|(oid, tag, value)| tlv(0x30, &[tlv(0x06, oid), tlv(*tag, value)].concat()))
                .collect();
            tlv(0x31, &members)
        })
        .collect();
    X509Name::from_der(&tlv(0x30, &sets)).unwrap_or_else(|err| panic!("not a valid name: {rdns:?}: {err}"))
}

pub const C: &[u8] = &[0x55, 0x04, 0x06];
pub const O: &[u8] = &[0x55, 0x04, 0x0a];
pub const CN: &[u8] = &[0x55, 0x04, 0x03];
pub const OU: &[u8] = &[0x55, 0x04, 0x0b];

pub fn ucs2(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_be_bytes).collect()
}

pub fn ucs4(text: &str) -> Vec<u8> {
    text.chars().flat_map(|c| u32::from(c).to_be_bytes()).collect()
}

pub fn typed(entries: &[(&str, &str, Asn1Type)]) -> X509Name {
    let mut builder = X509NameBuilder::new().expect("builder");
    for (field, value, ty) in entries {
        builder.append_entry_by_text_with_type(field, value, *ty).expect("entry");
    }
    builder.build()
}

/// A self-signed certificate with `name` as subject and issuer (a CA a server can list).
pub fn self_signed(name: &X509Name) -> X509 {
    let key = pki::new_key(mtlscheck::lab::KeyKind::EcP256).expect("key");
    let mut builder = X509::builder().expect("builder");
    builder.set_version(2).expect("version");
    builder.set_subject_name(name).expect("subject");
    builder.set_issuer_name(name).expect("issuer");
    builder.set_pubkey(&key).expect("key");
    let now = openssl::asn1::Asn1Time::days_from_now(0).expect("now");
    let later = openssl::asn1::Asn1Time::days_from_now(1).expect("later");
    builder.set_not_before(&now).expect("not before");
    builder.set_not_after(&later).expect("not after");
    builder.sign(&key, openssl::hash::MessageDigest::sha256()).expect("sign");
    builder.build()
}

/// CA names whose spelling differs between versions: commas, a lone quote (3.2+ prints it
/// bare), a multi-valued RDN, non-ASCII, a control character and a backslash (3.5+ escapes
/// both), a BMPString.
pub fn tricky_ca_names() -> Vec<(&'static str, X509Name)> {
    use Asn1Type as T;
    vec![
        (
            "comma",
            typed(&[
                ("C", "US", T::PRINTABLESTRING),
                ("O", "Partner, Inc.", T::UTF8STRING),
                ("CN", "Partner CA", T::UTF8STRING),
            ]),
        ),
        ("lone quote", typed(&[("O", "5\" Floppy Ltd", T::UTF8STRING), ("CN", "Drive CA", T::UTF8STRING)])),
        (
            "multi-valued",
            raw_name(&[
                &[(C, 0x13, b"DE")],
                &[(O, 0x0c, b"Multi Org"), (OU, 0x0c, b"Unit 7")],
                &[(CN, 0x0c, b"Multi CA")],
            ]),
        ),
        (
            "non-ascii",
            typed(&[
                ("C", "CH", T::PRINTABLESTRING),
                ("O", "Zürich Partner AG", T::UTF8STRING),
                ("CN", "日本 CA", T::UTF8STRING),
            ]),
        ),
        ("control and backslash", raw_name(&[&[(O, 0x0c, b"Tab\tOrg")], &[(CN, 0x0c, b"Back\\slash CA")]])),
        ("bmp", raw_name(&[&[(O, 0x1e, &ucs2("BMP Org"))], &[(CN, 0x1e, &ucs2("Ünïcode CA"))]])),
    ]
}

/// `tricky-cas.pem` in the PKI's folder: a self-signed CA for each of [`tricky_ca_names`], for
/// `s_server -CAfile` (which sends their subjects as CA names).
pub fn tricky_ca_file(pki: &TestPki) -> PathBuf {
    let certs: Vec<X509> = tricky_ca_names().iter().map(|(_, name)| self_signed(name)).collect();
    let path = pki.path("tricky-cas.pem");
    pki::write_certs(&path, &certs.iter().collect::<Vec<_>>()).expect("write tricky CAs");
    path
}
