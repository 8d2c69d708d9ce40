//! Names printed by mtlscheck's own `X509_NAME_print_ex` against the real `openssl x509
//! -nameopt` of every OpenSSL version (1.1.1w, the system's 3.0, 3.6.x, 4.0.x), for names that
//! exercise every rule: escapes, quotes, string types, control characters, multi-valued RDNs
//! and unknown attributes; the slash style against the real `X509_NAME_oneline`; and every
//! name read back from each printed spelling.

use mtlscheck::lab::pki;
use mtlscheck::names::print::{flags, print_der, print_slash};
use mtlscheck::names::{DistinguishedName, NameKey, NameStyle, Spelling};
use openssl::asn1::Asn1Type;
use openssl::x509::X509Name;

use crate::support::TestPki;
use crate::support::names::{C, CN, O, OU, raw_name, self_signed, tricky_ca_names, typed, ucs2, ucs4};
use crate::support::openssl::OpensslBuild;

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
fn our_name_printer_prints_every_rule_as_openssl_x509_of_every_version_does() {
    let pki = TestPki::new();
    let names = tricky_names();
    let files: Vec<_> = names
        .iter()
        .enumerate()
        .map(|(index, (_, name))| {
            let file = pki.path(&format!("name-{index}.pem"));
            pki::write_certs(&file, &[&self_signed(name)]).expect("write");
            file
        })
        .collect();
    // One thread per OpenSSL build: 256 short `openssl x509` runs.
    std::thread::scope(|scope| {
        for build in OpensslBuild::all() {
            let (names, files) = (&names, &files);
            scope.spawn(move || {
                for ((label, name), file) in names.iter().zip(files) {
                    let der = name.to_der().expect("der");
                    for (nameopt, flags) in styles() {
                        let output = build
                            .command()
                            .args(["x509", "-noout", "-subject", "-nameopt", nameopt, "-in"])
                            .arg(file)
                            .output()
                            .expect("openssl x509");
                        assert!(
                            output.status.success(),
                            "openssl {} x509 failed for {label}: {output:?}",
                            build.version
                        );
                        let stdout = String::from_utf8_lossy(&output.stdout);
                        let theirs = stdout.trim_end_matches('\n').strip_prefix("subject=").unwrap_or(&stdout);
                        assert_eq!(
                            print_der(&der, flags),
                            theirs,
                            "{label} with -nameopt {nameopt} of OpenSSL {}",
                            build.version
                        );
                    }
                }
            });
        }
    });
}

unsafe extern "C" {
    fn X509_NAME_oneline(
        name: *const openssl_sys::X509_NAME,
        buf: *mut libc::c_char,
        len: libc::c_int,
    ) -> *mut libc::c_char;
}

/// OpenSSL's own `X509_NAME_oneline` (the function LibreSSL's s_client prints with).
fn openssl_oneline(name: &X509Name) -> String {
    use foreign_types::ForeignTypeRef;
    let mut buf = vec![0 as libc::c_char; 4096];
    // SAFETY: the name is borrowed for the call; OpenSSL writes at most `len` bytes into our
    // buffer and NUL-terminates it.
    unsafe {
        X509_NAME_oneline(name.as_ref().as_ptr(), buf.as_mut_ptr(), buf.len() as libc::c_int);
        std::ffi::CStr::from_ptr(buf.as_ptr()).to_string_lossy().into_owned()
    }
}

#[test]
fn the_slash_style_is_x509_name_oneline() {
    // OpenSSL 3 escapes `/` and `+` and joins multi-valued RDNs with `+`; LibreSSL (whose
    // s_client uses this style) and OpenSSL 1.0.2 do neither, so those names are left out.
    let comparable = tricky_names().into_iter().filter(|(label, _)| !matches!(*label, "multi-valued" | "specials"));
    for (label, name) in comparable {
        let ours = print_slash(&name.to_der().expect("der"));
        assert_eq!(ours, openssl_oneline(&name), "{label}");
    }
}

#[test]
fn every_printed_spelling_reads_back_as_the_same_name() {
    let spellings = [
        (NameStyle::Oneline, Spelling::Oneline),
        (NameStyle::Rfc2253, Spelling::Rfc2253),
        (NameStyle::SepCommaPlusSpace, Spelling::Compact),
        (NameStyle::SepCommaPlusSpaceEscaped, Spelling::CompactEscaped),
        (NameStyle::Slash, Spelling::Slash),
    ];
    for (label, name) in tricky_ca_names().into_iter().chain(tricky_names()) {
        let dn = DistinguishedName { der: name.to_der().expect("der") };
        // Values that are neither text nor dumped (a T61String's high bytes, an empty value)
        // cannot survive every spelling; the names s_client users meet do.
        if matches!(label, "t61 high bytes" | "non-string type" | "bit string" | "universal" | "unknown oid") {
            continue;
        }
        for (style, spelling) in spellings {
            let printed = dn.text(style);
            if style == NameStyle::Slash && label == "bmp" {
                continue; // X509_NAME_oneline prints a BMPString's bytes, zero bytes included.
            }
            let key = NameKey::parse_as(&printed, spelling)
                .unwrap_or_else(|| panic!("{label}: cannot read back {printed:?} ({spelling:?})"));
            assert_eq!(key, dn.key(), "{label}: {printed:?} read as {spelling:?}");
            assert_eq!(NameKey::of_text(&printed), dn.key(), "{label}: {printed:?} with its spelling guessed");
        }
    }
}
