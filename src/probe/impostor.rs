//! The impostor: a certificate nobody trusts, made at run time (fresh keys, never written to
//! disk) to learn whether a partner that asks for a client certificate verifies it at all. It
//! is issued by a throwaway CA whose subject is the first CA name the server listed, so a server
//! that only compares issuer *names* (or accepts any certificate) takes it.

use std::path::PathBuf;
use std::sync::OnceLock;

use openssl::asn1::{Asn1Integer, Asn1Time};
use openssl::bn::{BigNum, MsbOption};
use openssl::ec::{EcGroup, EcKey};
use openssl::error::ErrorStack;
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::{PKey, Private};
use openssl::rsa::Rsa;
use openssl::x509::extension::{BasicConstraints, ExtendedKeyUsage, KeyUsage};
use openssl::x509::{X509, X509Name, X509NameBuilder};

use crate::model::ClientIdentity;

/// The subject of the forged certificate, and the issuer when the server listed no CA names.
const IMPOSTOR_CN: &str = "mtlscheck impostor (forged at run time, trusted by no one)";
const UNRELATED_ISSUER_CN: &str = "mtlscheck impostor issuer (not a real CA)";

/// Keys are made once per run: a fresh RSA key costs tens of milliseconds, and the same
/// throwaway key for every check proves as much.
struct Keys {
    leaf: PKey<Private>,
    issuer: PKey<Private>,
}

fn keys(ec: bool) -> Result<&'static Keys, ErrorStack> {
    static EC: OnceLock<Keys> = OnceLock::new();
    static RSA: OnceLock<Keys> = OnceLock::new();
    let cell = if ec { &EC } else { &RSA };
    if let Some(keys) = cell.get() {
        return Ok(keys);
    }
    let new_key = || -> Result<PKey<Private>, ErrorStack> {
        if ec {
            let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1)?;
            PKey::from_ec_key(EcKey::generate(&group)?)
        } else {
            PKey::from_rsa(Rsa::generate(2048)?)
        }
    };
    let made = Keys { leaf: new_key()?, issuer: new_key()? };
    Ok(cell.get_or_init(|| made))
}

fn common_name(text: &str) -> Result<X509Name, ErrorStack> {
    let mut name = X509NameBuilder::new()?;
    name.append_entry_by_nid(Nid::COMMONNAME, text)?;
    Ok(name.build())
}

/// A forged client identity: a leaf for a fresh key, signed by a throwaway key in the name of
/// `issuer_der` (the server's first CA name) or of an unrelated CA when it listed none. `ec`
/// chooses ECDSA P-256 keys, else RSA 2048 (for servers that ask only for RSA signatures).
pub fn forge(issuer_der: Option<&[u8]>, ec: bool) -> Result<ClientIdentity, ErrorStack> {
    let keys = keys(ec)?;
    let issuer = match issuer_der.map(X509Name::from_der) {
        Some(Ok(name)) => name,
        _ => common_name(UNRELATED_ISSUER_CN)?,
    };
    let mut builder = X509::builder()?;
    builder.set_version(2)?;
    let mut serial = BigNum::new()?;
    serial.rand(64, MsbOption::MAYBE_ZERO, false)?;
    let serial = Asn1Integer::from_bn(&serial)?;
    builder.set_serial_number(&serial)?;
    let subject = common_name(IMPOSTOR_CN)?;
    builder.set_subject_name(&subject)?;
    builder.set_issuer_name(&issuer)?;
    builder.set_pubkey(&keys.leaf)?;
    let (not_before, not_after) = (Asn1Time::days_from_now(0)?, Asn1Time::days_from_now(1)?);
    builder.set_not_before(&not_before)?;
    builder.set_not_after(&not_after)?;
    builder.append_extension(BasicConstraints::new().build()?)?;
    builder.append_extension(KeyUsage::new().critical().digital_signature().build()?)?;
    builder.append_extension(ExtendedKeyUsage::new().client_auth().build()?)?;
    builder.sign(&keys.issuer, MessageDigest::sha256())?;
    Ok(ClientIdentity {
        cert_path: PathBuf::from("(forged at run time)"),
        key_path: PathBuf::from("(forged at run time)"),
        cert: builder.build(),
        key: keys.leaf.clone(),
        chain: Vec::new(),
    })
}
