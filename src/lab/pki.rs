//! Certificates generated at run time (never committed, so they never expire in the repo).

use std::path::{Path, PathBuf};

use openssl::asn1::{Asn1Integer, Asn1Object, Asn1Time};
use openssl::bn::{BigNum, MsbOption};
use openssl::ec::{EcGroup, EcKey};
use openssl::error::ErrorStack;
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::{PKey, Private};
use openssl::rsa::Rsa;
use openssl::x509::extension::{BasicConstraints, KeyUsage, SubjectAlternativeName};
use openssl::x509::{X509, X509Name, X509NameBuilder, X509NameRef};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    Rsa2048,
    EcP256,
}

/// A certificate and its private key.
#[derive(Clone)]
pub struct Issued {
    pub cert: X509,
    pub key: PKey<Private>,
}

/// What to put in one certificate.
pub struct CertSpec<'a> {
    /// Name entries in order, e.g. `[("C", "US"), ("O", "Lab"), ("CN", "Lab Root CA")]`.
    pub subject: &'a [(&'a str, &'a str)],
    pub key: KeyKind,
    /// `None` makes it self-signed.
    pub issuer: Option<&'a Issued>,
    pub is_ca: bool,
    /// DNS names and IP addresses for a server certificate.
    pub san: &'a [&'a str],
    /// Validity relative to now, in days (negative `not_after_days` makes it expired).
    pub not_before_days: i32,
    pub not_after_days: i32,
}

impl Default for CertSpec<'_> {
    fn default() -> Self {
        CertSpec {
            subject: &[],
            key: KeyKind::EcP256,
            issuer: None,
            is_ca: false,
            san: &[],
            not_before_days: -1,
            not_after_days: 365,
        }
    }
}

pub fn new_key(kind: KeyKind) -> Result<PKey<Private>, ErrorStack> {
    match kind {
        KeyKind::Rsa2048 => PKey::from_rsa(Rsa::generate(2048)?),
        KeyKind::EcP256 => {
            let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1)?;
            PKey::from_ec_key(EcKey::generate(&group)?)
        }
    }
}

pub fn name(entries: &[(&str, &str)]) -> Result<X509Name, ErrorStack> {
    let mut builder = X509NameBuilder::new()?;
    for (field, value) in entries {
        builder.append_entry_by_text(field, value)?;
    }
    Ok(builder.build())
}

/// The ASN.1 string type a name attribute's value is written as. Servers list the same DN in
/// different encodings, and clients that compare raw DER (Go, GnuTLS) or only some string
/// types canonically (Java) then decide differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameString {
    Utf8,
    /// The value must use PrintableString's alphabet; it is written as given either way.
    Printable,
    /// UCS-2 big-endian, two bytes a character.
    Bmp,
}

impl NameString {
    fn tag(self) -> u8 {
        match self {
            NameString::Utf8 => 0x0C,
            NameString::Printable => 0x13,
            NameString::Bmp => 0x1E,
        }
    }

    fn encode(self, value: &str) -> Vec<u8> {
        match self {
            NameString::Utf8 | NameString::Printable => value.as_bytes().to_vec(),
            NameString::Bmp => value.encode_utf16().flat_map(u16::to_be_bytes).collect(),
        }
    }
}

/// A name with one attribute per RDN, each value written in the string type given, e.g.
/// `[("C", "CH", Printable), ("CN", "Root", Bmp)]` (fields as OpenSSL's short names).
/// [`name`] instead lets OpenSSL pick the types (PrintableString for C, UTF8String otherwise).
pub fn name_with_strings(entries: &[(&str, &str, NameString)]) -> Result<X509Name, ErrorStack> {
    let mut rdns = Vec::new();
    for (field, value, string) in entries {
        let oid = Asn1Object::from_str(field)?;
        let attribute =
            der_tlv(0x30, &[der_tlv(0x06, oid.as_slice()), der_tlv(string.tag(), &string.encode(value))].concat());
        rdns.extend(der_tlv(0x31, &attribute));
    }
    X509Name::from_der(&der_tlv(0x30, &rdns))
}

fn der_tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    match u8::try_from(content.len()) {
        Ok(short) if short < 0x80 => out.push(short),
        _ => {
            let length: Vec<u8> = content.len().to_be_bytes().into_iter().skip_while(|&b| b == 0).collect();
            out.push(0x80 | length.len() as u8);
            out.extend(length);
        }
    }
    out.extend_from_slice(content);
    out
}

fn days_from_now(days: i32) -> Result<Asn1Time, ErrorStack> {
    let now =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
    Asn1Time::from_unix(now + i64::from(days) * 86_400)
}

pub fn issue(spec: &CertSpec<'_>) -> Result<Issued, ErrorStack> {
    let subject = name(spec.subject)?;
    issue_named(spec, &subject)
}

/// As [`issue`], with `subject` (e.g. from [`name_with_strings`]) instead of `spec.subject`;
/// certificates it issues carry the name's exact DER as their issuer.
pub fn issue_named(spec: &CertSpec<'_>, subject: &X509NameRef) -> Result<Issued, ErrorStack> {
    let key = new_key(spec.key)?;
    let mut builder = X509::builder()?;
    builder.set_version(2)?;
    let mut serial = BigNum::new()?;
    serial.rand(64, MsbOption::MAYBE_ZERO, false)?;
    let serial = Asn1Integer::from_bn(&serial)?;
    builder.set_serial_number(&serial)?;
    builder.set_subject_name(subject)?;
    builder.set_issuer_name(spec.issuer.map(|i| i.cert.subject_name()).unwrap_or(subject))?;
    builder.set_pubkey(&key)?;
    let (not_before, not_after) = (days_from_now(spec.not_before_days)?, days_from_now(spec.not_after_days)?);
    builder.set_not_before(&not_before)?;
    builder.set_not_after(&not_after)?;
    if spec.is_ca {
        builder.append_extension(BasicConstraints::new().critical().ca().build()?)?;
        builder.append_extension(KeyUsage::new().critical().key_cert_sign().crl_sign().build()?)?;
    } else {
        builder.append_extension(BasicConstraints::new().build()?)?;
    }
    if !spec.san.is_empty() {
        let mut san = SubjectAlternativeName::new();
        for entry in spec.san {
            if entry.parse::<std::net::IpAddr>().is_ok() {
                san.ip(entry);
            } else {
                san.dns(entry);
            }
        }
        let ext = san.build(&builder.x509v3_context(spec.issuer.map(|i| i.cert.as_ref()), None))?;
        builder.append_extension(ext)?;
    }
    let signing_key = spec.issuer.map(|i| &i.key).unwrap_or(&key);
    builder.sign(signing_key, MessageDigest::sha256())?;
    Ok(Issued { cert: builder.build(), key })
}

/// The lab's standard cast: a server CA and server certificate for localhost/127.0.0.1, our
/// client CA and client certificate, and another CA whose names do not include ours.
pub struct LabPki {
    pub dir: PathBuf,
    pub server_ca: Issued,
    pub server: Issued,
    pub client_ca: Issued,
    pub client: Issued,
    pub other_ca: Issued,
}

pub const SERVER_CA_SUBJECT: &[(&str, &str)] = &[("C", "US"), ("O", "mtlscheck lab"), ("CN", "Lab Server Root CA")];
pub const CLIENT_CA_SUBJECT: &[(&str, &str)] = &[("C", "CH"), ("O", "Zürich Partner AG"), ("CN", "Lab Client CA")];
pub const OTHER_CA_SUBJECT: &[(&str, &str)] = &[("C", "US"), ("O", "Other Org, Inc."), ("CN", "Other Client CA")];

impl LabPki {
    /// Generates the PKI and writes its PEM files into `dir`.
    pub fn generate(dir: &Path) -> std::io::Result<LabPki> {
        let pki = Self::build(dir).map_err(std::io::Error::other)?;
        pki.write()?;
        Ok(pki)
    }

    fn build(dir: &Path) -> Result<LabPki, ErrorStack> {
        let server_ca = issue(&CertSpec { subject: SERVER_CA_SUBJECT, is_ca: true, ..Default::default() })?;
        let server = issue(&CertSpec {
            subject: &[("CN", "localhost")],
            issuer: Some(&server_ca),
            san: &["localhost", "127.0.0.1", "::1"],
            ..Default::default()
        })?;
        let client_ca = issue(&CertSpec { subject: CLIENT_CA_SUBJECT, is_ca: true, ..Default::default() })?;
        let client = issue(&CertSpec {
            subject: &[("O", "Our Company"), ("CN", "our-client")],
            issuer: Some(&client_ca),
            ..Default::default()
        })?;
        let other_ca = issue(&CertSpec { subject: OTHER_CA_SUBJECT, is_ca: true, ..Default::default() })?;
        Ok(LabPki { dir: dir.to_path_buf(), server_ca, server, client_ca, client, other_ca })
    }

    fn write(&self) -> std::io::Result<()> {
        write_certs(&self.path("server-ca.pem"), &[&self.server_ca.cert])?;
        write_certs(&self.path("server.pem"), &[&self.server.cert])?;
        write_key(&self.path("server.key"), &self.server.key)?;
        write_certs(&self.path("client-ca.pem"), &[&self.client_ca.cert])?;
        write_certs(&self.path("client.pem"), &[&self.client.cert])?;
        write_key(&self.path("client.key"), &self.client.key)?;
        write_certs(&self.path("other-ca.pem"), &[&self.other_ca.cert])?;
        Ok(())
    }

    pub fn path(&self, file: &str) -> PathBuf {
        self.dir.join(file)
    }
}

pub fn write_certs(path: &Path, certs: &[&X509]) -> std::io::Result<()> {
    let mut pem = Vec::new();
    for cert in certs {
        pem.extend(cert.to_pem().map_err(std::io::Error::other)?);
    }
    std::fs::write(path, pem)
}

pub fn write_key(path: &Path, key: &PKey<Private>) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let pem = key.private_key_to_pem_pkcs8().map_err(std::io::Error::other)?;
    // Readable by its owner only, as `openssl genpkey` writes keys (and as mtlscheck asks).
    std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path)?.write_all(&pem)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_keep_the_string_types_asked_for() {
        let utf8 = name(&[("C", "CH"), ("CN", "Root CA")]).unwrap();
        let printable =
            name_with_strings(&[("C", "CH", NameString::Printable), ("CN", "Root CA", NameString::Printable)]).unwrap();
        let bmp = name_with_strings(&[("C", "CH", NameString::Printable), ("CN", "Root CA", NameString::Bmp)]).unwrap();
        let cn_value = |n: &X509Name| n.entries_by_nid(Nid::COMMONNAME).next().unwrap().data().as_slice().to_vec();
        assert_eq!(cn_value(&printable), b"Root CA");
        assert_eq!(cn_value(&bmp), b"\0R\0o\0o\0t\0 \0C\0A");
        let der = |n: &X509Name| n.to_der().unwrap();
        assert!(der(&printable).windows(2).any(|w| w == [0x13, 7]), "PrintableString CN");
        assert!(der(&bmp).windows(2).any(|w| w == [0x1E, 14]), "BMPString CN");
        assert_ne!(der(&utf8), der(&printable), "same DN, different DER");
        let subject = issue_named(&CertSpec { is_ca: true, ..Default::default() }, &bmp).unwrap();
        assert_eq!(der(&subject.cert.subject_name().to_owned().unwrap()), der(&bmp), "issued with the exact DER");
    }
}
