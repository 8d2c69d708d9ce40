//! Names printed by mtlscheck's own `X509_NAME_print_ex` against the real `openssl x509
//! -nameopt` of the OpenSSL on this machine, for names that exercise every rule: escapes,
//! quotes, string types, control characters, multi-valued RDNs and unknown attributes.

use std::process::Command;

use mtlscheck::lab::pki;
use mtlscheck::names::print::{flags, print_der};
use openssl::asn1::Asn1Type;
use openssl::x509::{X509Name, X509NameBuilder};

use crate::support::TestPki;

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
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
type RawAttribute<'a> = (&'a [u8], u8, &'a [u8]);

/// A name from its RDNs.
fn raw_name(rdns: &[&[RawAttribute<'_>]]) -> X509Name {
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

const C: &[u8] = &[0x55, 0x04, 0x06];
const O: &[u8] = &[0x55, 0x04, 0x0a];
const CN: &[u8] = &[0x55, 0x04, 0x03];
const OU: &[u8] = &[0x55, 0x04, 0x0b];

fn ucs2(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_be_bytes).collect()
}

fn ucs4(text: &str) -> Vec<u8> {
    text.chars().flat_map(|c| u32::from(c).to_be_bytes()).collect()
}

fn typed(entries: &[(&str, &str, Asn1Type)]) -> X509Name {
    let mut builder = X509NameBuilder::new().expect("builder");
    for (field, value, ty) in entries {
        builder.append_entry_by_text_with_type(field, value, *ty).expect("entry");
    }
    builder.build()
}

/// Names that exercise the printing rules.
fn tricky_names() -> Vec<(&'static str, X509Name)> {
    use Asn1Type as T;
    vec![
        (
            "plain",
            typed(&[("C", "US", T::PRINTABLESTRING), ("O", "Example", T::UTF8STRING), ("CN", "Root", T::UTF8STRING)]),
        ),
        (
            "specials",
            typed(&[
                ("O", "Other Org, Inc.", T::UTF8STRING),
                ("OU", "a+b;c<d>e=f", T::UTF8STRING),
                ("CN", "say \"hi\" \\ back", T::UTF8STRING),
            ]),
        ),
        ("edges", typed(&[("O", " leading and trailing ", T::UTF8STRING), ("CN", "#hash", T::UTF8STRING)])),
        ("lone quote", typed(&[("O", "5\" Floppy Ltd", T::UTF8STRING), ("CN", "x", T::UTF8STRING)])),
        ("utf8", typed(&[("O", "Zürich Partner AG", T::UTF8STRING), ("CN", "日本 CA", T::UTF8STRING)])),
        ("bmp", raw_name(&[&[(O, 0x1e, &ucs2("Zürich BMP"))], &[(CN, 0x1e, &ucs2("Ünïcode, \"q\""))]])),
        ("universal", raw_name(&[&[(CN, 0x1c, &ucs4("G clef 𝄞 U"))]])),
        ("ia5", typed(&[("emailAddress", "ops\\team@example.com", T::IA5STRING), ("CN", "mail", T::UTF8STRING)])),
        ("controls", raw_name(&[&[(O, 0x0c, b"tab\there")], &[(CN, 0x0c, b"bell\x07 del\x7f")]])),
        ("t61 high bytes", raw_name(&[&[(O, 0x14, b"caf\xe9")], &[(CN, 0x13, b"x")]])),
        (
            "multi-valued",
            raw_name(&[&[(C, 0x13, b"US")], &[(O, 0x0c, b"Org"), (OU, 0x0c, b"Unit")], &[(CN, 0x0c, b"n")]]),
        ),
        (
            "unknown oid",
            raw_name(&[&[(&[0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x01], 0x0c, b"private")], &[(CN, 0x0c, b"y")]]),
        ),
        ("non-string type", raw_name(&[&[(O, 0x30, b"\x02\x01\x05")], &[(CN, 0x0c, b"z")]])),
        ("bit string", raw_name(&[&[(O, 0x03, b"\x00\xff\x01")], &[(CN, 0x0c, b"z")]])),
        ("empty value", raw_name(&[&[(O, 0x0c, b"")], &[(CN, 0x0c, b"e")]])),
        ("single char", raw_name(&[&[(CN, 0x0c, b" ")]])),
    ]
}

/// `-nameopt` spellings of the flag sets mtlscheck prints with.
fn styles() -> Vec<(&'static str, u64)> {
    vec![
        ("oneline", flags::ONELINE),
        ("RFC2253", flags::RFC2253),
        ("sep_comma_plus_space,utf8", flags::COMPACT_3_2),
        ("sep_comma_plus_space,sname,esc_ctrl,utf8,dump_nostr,dump_der", flags::COMPACT_3_5),
    ]
}

#[test]
fn our_name_printer_prints_every_rule_as_openssl_x509_does() {
    let pki = TestPki::new();
    let mut compared = 0;
    for (label, name) in tricky_names() {
        let key = pki::new_key(mtlscheck::lab::KeyKind::EcP256).expect("key");
        let mut builder = openssl::x509::X509::builder().expect("builder");
        builder.set_version(2).expect("version");
        builder.set_subject_name(&name).expect("subject");
        builder.set_issuer_name(&name).expect("issuer");
        builder.set_pubkey(&key).expect("key");
        let now = openssl::asn1::Asn1Time::days_from_now(0).expect("now");
        let later = openssl::asn1::Asn1Time::days_from_now(1).expect("later");
        builder.set_not_before(&now).expect("nb");
        builder.set_not_after(&later).expect("na");
        builder.sign(&key, openssl::hash::MessageDigest::sha256()).expect("sign");
        let cert = builder.build();
        let file = pki.path(&format!("name-{compared}.pem"));
        pki::write_certs(&file, &[&cert]).expect("write");
        let der = name.to_der().expect("der");
        for (nameopt, flags) in styles() {
            let output = Command::new("openssl")
                .args(["x509", "-noout", "-subject", "-nameopt", nameopt, "-in"])
                .arg(&file)
                .output()
                .expect("openssl x509");
            assert!(output.status.success(), "openssl x509 failed for {label}: {output:?}");
            let stdout = String::from_utf8_lossy(&output.stdout);
            let theirs = stdout.trim_end_matches('\n').strip_prefix("subject=").unwrap_or(&stdout);
            assert_eq!(print_der(&der, flags), theirs, "{label} with -nameopt {nameopt}");
        }
        compared += 1;
    }
    assert_eq!(compared, tricky_names().len());
}
