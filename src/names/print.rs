//! Names printed the way OpenSSL's `X509_NAME_print_ex` prints them for a set of flags, in
//! Rust, so any OpenSSL version's s_client style can be reproduced whatever library is linked
//! (the printing rules are the same from 1.1.1 to 4.0; the versions differ in the flags their
//! apps pass, see [`crate::names::NameStyle`]). Checked against the real `openssl x509
//! -nameopt` in the integration tests.

use super::der::{Attribute, CharWidth, attributes, char_width};

/// `ASN1_STRFLGS_*` and `XN_FLAG_*` bits (openssl/asn1.h, openssl/x509.h).
pub mod flags {
    pub const ESC_2253: u64 = 0x1;
    pub const ESC_CTRL: u64 = 0x2;
    pub const ESC_MSB: u64 = 0x4;
    pub const ESC_QUOTE: u64 = 0x8;
    pub const UTF8_CONVERT: u64 = 0x10;
    pub const IGNORE_TYPE: u64 = 0x20;
    pub const SHOW_TYPE: u64 = 0x40;
    pub const DUMP_ALL: u64 = 0x80;
    pub const DUMP_UNKNOWN: u64 = 0x100;
    pub const DUMP_DER: u64 = 0x200;
    pub const ESC_2254: u64 = 0x400;
    /// `ASN1_STRFLGS_RFC2253`.
    pub const STRFLGS_RFC2253: u64 = ESC_2253 | ESC_CTRL | ESC_MSB | UTF8_CONVERT | DUMP_UNKNOWN | DUMP_DER;

    pub const SEP_MASK: u64 = 0xf << 16;
    pub const SEP_COMMA_PLUS: u64 = 1 << 16;
    pub const SEP_CPLUS_SPC: u64 = 2 << 16;
    pub const SEP_SPLUS_SPC: u64 = 3 << 16;
    pub const SEP_MULTILINE: u64 = 4 << 16;
    pub const DN_REV: u64 = 1 << 20;
    pub const FN_MASK: u64 = 0x3 << 21;
    pub const FN_SN: u64 = 0;
    pub const FN_LN: u64 = 1 << 21;
    pub const FN_OID: u64 = 2 << 21;
    pub const FN_NONE: u64 = 3 << 21;
    pub const SPC_EQ: u64 = 1 << 23;
    pub const DUMP_UNKNOWN_FIELDS: u64 = 1 << 24;
    pub const FN_ALIGN: u64 = 1 << 25;

    /// `XN_FLAG_ONELINE`: `C = US, O = Example`, s_client's default up to OpenSSL 3.1.
    pub const ONELINE: u64 = STRFLGS_RFC2253 | ESC_QUOTE | SEP_CPLUS_SPC | SPC_EQ | FN_SN;
    /// `XN_FLAG_RFC2253`: `CN=Example,O=Example,C=US`.
    pub const RFC2253: u64 = STRFLGS_RFC2253 | SEP_COMMA_PLUS | DN_REV | FN_SN | DUMP_UNKNOWN_FIELDS;
    /// s_client's default in OpenSSL 3.2 to 3.4: `C=US, O=Example`, UTF-8 printed as is.
    pub const COMPACT_3_2: u64 = SEP_CPLUS_SPC | UTF8_CONVERT;
    /// s_client's default from OpenSSL 3.5: as 3.2, plus control characters (and so
    /// backslashes) escaped and unknown string types dumped as `#hex`.
    pub const COMPACT_3_5: u64 = SEP_CPLUS_SPC | FN_SN | ESC_CTRL | UTF8_CONVERT | DUMP_UNKNOWN | DUMP_DER;
}

use flags::*;

/// Character classes of OpenSSL's `char_type` table that matter for escaping.
fn char_class(c: u8) -> u64 {
    const FIRST: u64 = CHAR_FIRST_ESC_2253;
    const LAST: u64 = CHAR_LAST_ESC_2253;
    match c {
        0 => ESC_2254 | ESC_CTRL,
        1..=0x1f | 0x7f => ESC_CTRL,
        b' ' => FIRST | LAST | ESC_QUOTE,
        b'"' => ESC_2253,
        b'#' => FIRST | ESC_QUOTE,
        b'(' | b')' | b'*' => ESC_2254,
        b'+' | b',' | b';' | b'<' | b'>' => ESC_QUOTE | ESC_2253,
        b'\\' => ESC_2254 | ESC_2253,
        _ => 0,
    }
}

/// `CHARTYPE_FIRST_ESC_2253` / `CHARTYPE_LAST_ESC_2253`: escaped only at the start or end.
const CHAR_FIRST_ESC_2253: u64 = 0x20;
const CHAR_LAST_ESC_2253: u64 = 0x40;
const BACKSLASH_ESCAPED: u64 = ESC_2253 | CHAR_FIRST_ESC_2253 | CHAR_LAST_ESC_2253;
const ESC_FLAGS: u64 = ESC_2253 | ESC_2254 | ESC_QUOTE | ESC_CTRL | ESC_MSB;

/// The value could not be printed (as OpenSSL: output stops where it failed).
struct Unprintable;

/// `do_esc_char`: one character, escaped as `flags` say; sets `quotes` when the value must be
/// quoted instead of backslash-escaped.
fn escape_char(c: u32, flags: u64, quotes: &mut bool, out: &mut Vec<u8>) {
    if c > 0xffff {
        out.extend(format!("\\W{c:08X}").bytes());
        return;
    }
    if c > 0xff {
        out.extend(format!("\\U{c:04X}").bytes());
        return;
    }
    let byte = c as u8;
    let class = if byte > 0x7f { flags & ESC_MSB } else { char_class(byte) & flags };
    if class & BACKSLASH_ESCAPED != 0 {
        if class & ESC_QUOTE != 0 {
            *quotes = true;
            out.push(byte);
        } else {
            out.extend([b'\\', byte]);
        }
        return;
    }
    if class & (ESC_CTRL | ESC_MSB | ESC_2254) != 0 {
        out.extend(format!("\\{byte:02X}").bytes());
        return;
    }
    if byte == b'\\' && flags & ESC_FLAGS != 0 {
        out.extend(b"\\\\");
        return;
    }
    out.push(byte);
}

/// `do_buf`: every character of a string value, decoded by its width.
fn escape_value(
    value: &[u8],
    width: CharWidth,
    to_utf8: bool,
    flags: u64,
    quotes: &mut bool,
) -> Result<Vec<u8>, Unprintable> {
    let chars: Vec<u32> = match width {
        CharWidth::One => value.iter().map(|&b| u32::from(b)).collect(),
        CharWidth::Two if value.len().is_multiple_of(2) => {
            value.chunks(2).map(|c| u32::from(u16::from_be_bytes([c[0], c[1]]))).collect()
        }
        CharWidth::Four if value.len().is_multiple_of(4) => {
            value.chunks(4).map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]])).collect()
        }
        CharWidth::Utf8 => std::str::from_utf8(value).map_err(|_| Unprintable)?.chars().map(u32::from).collect(),
        _ => return Err(Unprintable),
    };
    let mut out = Vec::new();
    let last = chars.len().saturating_sub(1);
    for (index, &c) in chars.iter().enumerate() {
        let mut position = 0;
        if flags & ESC_2253 != 0 {
            if index == 0 {
                position = CHAR_FIRST_ESC_2253;
            }
            if index == last {
                position = CHAR_LAST_ESC_2253;
            }
        }
        if to_utf8 {
            // A character UTF-8 cannot carry (a surrogate from a BMPString) is dropped, as
            // OpenSSL 3.0's `UTF8_putc` failure is.
            let Some(ch) = char::from_u32(c) else { continue };
            let mut buf = [0u8; 4];
            for &byte in ch.encode_utf8(&mut buf).as_bytes() {
                escape_char(u32::from(byte), flags | position, quotes, &mut out);
            }
        } else {
            escape_char(c, flags | position, quotes, &mut out);
        }
    }
    Ok(out)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// `do_print_ex`: one attribute value.
fn print_value(attribute: &Attribute, flags: u64) -> Result<Vec<u8>, Unprintable> {
    let escape_flags = flags & ESC_FLAGS;
    let mut width = if flags & DUMP_ALL != 0 {
        None
    } else if flags & IGNORE_TYPE != 0 {
        Some(CharWidth::One)
    } else {
        match char_width(attribute.tag_number()) {
            None if flags & DUMP_UNKNOWN == 0 => Some(CharWidth::One),
            other => other,
        }
    };
    let Some(found) = width else {
        let dumped = if flags & DUMP_DER != 0 { attribute.value_der() } else { attribute.string_data() };
        return Ok(format!("#{}", hex(&dumped)).into_bytes());
    };
    let mut to_utf8 = false;
    if flags & UTF8_CONVERT != 0 {
        // A UTF8String is already UTF-8: its bytes are printed one by one.
        if found == CharWidth::Utf8 {
            width = Some(CharWidth::One);
        } else {
            to_utf8 = true;
        }
    }
    let mut quotes = false;
    let escaped = escape_value(&attribute.string_data(), width.unwrap_or(found), to_utf8, escape_flags, &mut quotes)?;
    Ok(if quotes { [&b"\""[..], &escaped, b"\""].concat() } else { escaped })
}

/// `X509_NAME_print_ex(bio, name, 0, flags)` for a name's DER. A name that is not DER prints
/// as nothing; a value OpenSSL cannot print ends the text where it stands, as OpenSSL's does.
pub fn print_der(der: &[u8], flags: u64) -> String {
    match attributes(der) {
        Some(attributes) => print_attributes(&attributes, flags),
        None => String::new(),
    }
}

/// `do_name_ex` over parsed attributes.
pub fn print_attributes(attributes: &[Attribute], flags: u64) -> String {
    let (sep_dn, sep_mv): (&[u8], &[u8]) = match flags & SEP_MASK {
        SEP_MULTILINE => (b"\n", b" + "),
        SEP_COMMA_PLUS => (b",", b"+"),
        SEP_CPLUS_SPC => (b", ", b" + "),
        SEP_SPLUS_SPC => (b"; ", b" + "),
        _ => return String::new(),
    };
    let sep_eq: &[u8] = if flags & SPC_EQ != 0 { b" = " } else { b"=" };
    let field_option = flags & FN_MASK;
    let mut out: Vec<u8> = Vec::new();
    let ordered: Vec<&Attribute> =
        if flags & DN_REV != 0 { attributes.iter().rev().collect() } else { attributes.iter().collect() };
    let mut previous_set = None;
    for attribute in ordered {
        if let Some(previous) = previous_set {
            out.extend_from_slice(if previous == attribute.set { sep_mv } else { sep_dn });
        }
        previous_set = Some(attribute.set);
        let short_name = attribute.short_name();
        if field_option != FN_NONE {
            let (name, width) = match (field_option, &short_name) {
                (FN_OID, _) | (_, None) => (attribute.oid_text(), 0),
                (FN_SN, Some(short)) => (short.clone(), 10),
                (FN_LN, Some(_)) => (long_name(attribute), 25),
                _ => (String::new(), 0),
            };
            out.extend(name.bytes());
            if name.len() < width && flags & FN_ALIGN != 0 {
                out.extend(std::iter::repeat_n(b' ', width - name.len()));
            }
            out.extend_from_slice(sep_eq);
        }
        let value_flags =
            if short_name.is_none() && flags & DUMP_UNKNOWN_FIELDS != 0 { flags | DUMP_ALL } else { flags };
        match print_value(attribute, value_flags) {
            Ok(value) => out.extend(value),
            Err(Unprintable) => break,
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `X509_NAME_oneline` as LibreSSL (and OpenSSL 1.0.2) s_client prints names: `/C=US/O=X`,
/// every attribute after a `/`, bytes outside printable ASCII as `\xC3`, nothing else escaped.
pub fn print_slash(der: &[u8]) -> String {
    let Some(attributes) = attributes(der) else { return String::new() };
    let mut out = String::new();
    for attribute in &attributes {
        out.push('/');
        out.push_str(&attribute.field_name());
        out.push('=');
        for byte in attribute.string_data() {
            if (b' '..=b'~').contains(&byte) {
                out.push(char::from(byte));
            } else {
                out.push_str(&format!("\\x{byte:02X}"));
            }
        }
    }
    out
}

fn long_name(attribute: &Attribute) -> String {
    openssl::asn1::Asn1Object::from_str(&attribute.oid_text())
        .ok()
        .and_then(|object| object.nid().long_name().ok().map(str::to_string))
        .unwrap_or_else(|| attribute.oid_text())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(entries: &[(&str, &str)]) -> Vec<u8> {
        let mut builder = openssl::x509::X509NameBuilder::new().unwrap();
        for (field, value) in entries {
            builder.append_entry_by_text(field, value).unwrap();
        }
        builder.build().to_der().unwrap()
    }

    #[test]
    fn oneline_rfc2253_and_compact_styles() {
        let der = name(&[("C", "CH"), ("O", "Zürich Partner, AG"), ("CN", " Lab \"CA\"")]);
        assert_eq!(print_der(&der, ONELINE), r#"C = CH, O = "Z\C3\BCrich Partner, AG", CN = " Lab \"CA\"""#);
        assert_eq!(print_der(&der, RFC2253), r#"CN=\ Lab \"CA\",O=Z\C3\BCrich Partner\, AG,C=CH"#);
        assert_eq!(print_der(&der, COMPACT_3_2), "C=CH, O=Zürich Partner, AG, CN= Lab \"CA\"");
    }

    #[test]
    fn multi_valued_rdns_join_with_plus() {
        let der = crate::names::der::tests::multi_valued_name();
        assert_eq!(print_der(&der, ONELINE), "C = US, O = Org + CN = Name");
        assert_eq!(print_der(&der, RFC2253), "CN=Name+O=Org,C=US");
        assert_eq!(print_slash(&der), "/C=US/O=Org/CN=Name");
    }

    #[test]
    fn slash_style_escapes_bytes_outside_printable_ascii() {
        let der = name(&[("C", "CH"), ("O", "Zürich/Partner+AG")]);
        assert_eq!(print_slash(&der), r"/C=CH/O=Z\xC3\xBCrich/Partner+AG");
    }
}
