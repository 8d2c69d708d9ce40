//! Names as people and s_client write them, read back into `(attribute, value)` pairs, for each
//! spelling OpenSSL and LibreSSL print:
//! - [`Spelling::Slash`]: `/C=US/O=Z\xC3\xBCrich` (`X509_NAME_oneline`: LibreSSL, OpenSSL 1.0.2);
//! - [`Spelling::Oneline`]: `C = US, O = "Other Org, Inc.", CN = Z\C3\BCrich` (1.1.1–3.1);
//! - [`Spelling::Rfc2253`]: `CN=Z\C3\BCrich,O=Other Org\, Inc.,C=US` (`-nameopt RFC2253`, reversed);
//! - [`Spelling::Compact`]: `C=US, O=5" Floppy Ltd, CN=Zürich` (3.2–3.4: nothing escaped, a lone
//!   quote is just a character);
//! - [`Spelling::CompactEscaped`]: as 3.2 plus `\09` for control characters, `\\` for a
//!   backslash and `#0C0568...` DER dumps of values that are not strings (3.5+).
//!
//! A value that is not a string (a `#` DER dump) reads as `#` and the upper-case hex of its
//! DER, the same text [`crate::names::DistinguishedName::entries`] gives for it.

use super::der::{Attribute, char_width};

/// One way of writing a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spelling {
    Slash,
    Oneline,
    Rfc2253,
    Compact,
    CompactEscaped,
}

/// A name written by any s_client version, as `(attribute, value)` pairs with escapes undone:
/// the most likely reading. `None` if it is not a name.
pub fn parse_name(text: &str) -> Option<Vec<(String, String)>> {
    readings(text).into_iter().next()
}

/// Every plausible reading of a name whose spelling is not known (e.g. written by an operator
/// in `expect:`), most likely first; empty when it is not a name in any spelling.
pub fn readings(text: &str) -> Vec<Vec<(String, String)>> {
    let mut out: Vec<Vec<(String, String)>> = Vec::new();
    for spelling in candidate_spellings(text) {
        if let Some(entries) = parse_name_as(text, spelling)
            && !out.contains(&entries)
        {
            out.push(entries);
        }
    }
    out
}

/// The spellings `text` can be in, by its shape.
fn candidate_spellings(text: &str) -> Vec<Spelling> {
    let text = text.trim();
    if text.starts_with('/') {
        vec![Spelling::Slash]
    } else if text.contains(" = ") {
        vec![Spelling::Oneline]
    } else if rfc2253_separated(text) {
        vec![Spelling::Rfc2253, Spelling::CompactEscaped, Spelling::Compact]
    } else {
        vec![Spelling::CompactEscaped, Spelling::Compact, Spelling::Rfc2253]
    }
}

/// Whether an unescaped `,` or `+` is directly followed by `NAME=`, as only RFC 2253 writes.
fn rfc2253_separated(text: &str) -> bool {
    let mut escaped = false;
    for (index, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            ',' | '+' if starts_attribute(&text[index + 1..]) && !text[index + 1..].starts_with(' ') => return true,
            _ => {}
        }
    }
    false
}

/// Reads `text` as written in `spelling`; `None` when it is not a name in that spelling.
pub fn parse_name_as(text: &str, spelling: Spelling) -> Option<Vec<(String, String)>> {
    let text = trim_unescaped(text);
    if text.is_empty() {
        return None;
    }
    let attributes: Vec<String> = match spelling {
        Spelling::Slash => split_before_attribute(text.strip_prefix('/')?, &["/", "+"], true),
        Spelling::Oneline => split_quoted(text, &[", ", " + "]),
        Spelling::Rfc2253 => split_escaped(text, &[',', '+']),
        Spelling::Compact => split_before_attribute(text, &[", ", " + "], false),
        Spelling::CompactEscaped => split_before_attribute(text, &[", ", " + "], true),
    };
    let separator = if spelling == Spelling::Oneline { " = " } else { "=" };
    let mut entries = Vec::with_capacity(attributes.len());
    for attribute in attributes {
        let (field, value) = attribute.split_once(separator)?;
        let field = field.trim();
        if !is_attribute_name(field) {
            return None;
        }
        let value = match spelling {
            Spelling::Slash => unescape_slash(value),
            Spelling::Oneline | Spelling::Rfc2253 => unescape_2253(value)?,
            Spelling::Compact => value.to_string(),
            Spelling::CompactEscaped => unescape_2253(value)?,
        };
        entries.push((field.to_string(), value));
    }
    Some(entries)
}

/// Trims surrounding whitespace, except a trailing space escaped as `\ ` (RFC 2253).
fn trim_unescaped(text: &str) -> &str {
    let start = text.trim_start();
    let end = start.trim_end();
    let escaped_space = start[end.len()..].starts_with(' ') && end.ends_with('\\') && !end.ends_with("\\\\");
    if escaped_space { &start[..end.len() + 1] } else { end }
}

/// An attribute type as OpenSSL prints it: a short name (`CN`, `emailAddress`) or a dotted OID.
fn is_attribute_name(field: &str) -> bool {
    !field.is_empty() && field.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_')
}

/// Whether `rest` starts with `NAME=` (or `NAME = `).
fn starts_attribute(rest: &str) -> bool {
    let name_end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_'));
    match name_end {
        Some(end) if end > 0 => rest[end..].starts_with('=') || rest[end..].starts_with(" = "),
        _ => false,
    }
}

/// Splits where a separator is followed by `NAME=`: the unescaped spellings (a value may hold
/// the separator itself). With `escapes`, a backslash protects the next character.
fn split_before_attribute(text: &str, separators: &[&str], escapes: bool) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut index = 0;
    while index < text.len() {
        let rest = &text[index..];
        if escapes && rest.starts_with('\\') {
            let next = rest[1..].chars().next().map_or(0, char::len_utf8);
            current.push_str(&rest[..1 + next]);
            index += 1 + next;
            continue;
        }
        if let Some(separator) = separators.iter().find(|s| rest.starts_with(**s))
            && starts_attribute(&rest[separator.len()..])
        {
            parts.push(std::mem::take(&mut current));
            index += separator.len();
            continue;
        }
        let c = rest.chars().next().unwrap_or_default();
        current.push(c);
        index += c.len_utf8();
    }
    parts.push(current);
    parts
}

/// Splits on separators outside double quotes and not escaped (OpenSSL's `oneline`).
fn split_quoted(text: &str, separators: &[&str]) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut index = 0;
    while index < text.len() {
        let rest = &text[index..];
        let c = rest.chars().next().unwrap_or_default();
        if c == '\\' {
            let next = rest[1..].chars().next().map_or(0, char::len_utf8);
            current.push_str(&rest[..1 + next]);
            index += 1 + next;
            continue;
        }
        if c == '"' {
            quoted = !quoted;
        } else if !quoted && let Some(separator) = separators.iter().find(|s| rest.starts_with(**s)) {
            parts.push(std::mem::take(&mut current));
            index += separator.len();
            continue;
        }
        current.push(c);
        index += c.len_utf8();
    }
    parts.push(current);
    parts
}

/// Splits on unescaped separator characters (RFC 2253's `,` and `+`).
fn split_escaped(text: &str, separators: &[char]) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                current.push(c);
                if let Some(next) = chars.next() {
                    current.push(next);
                }
            }
            c if separators.contains(&c) => parts.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    parts.push(current);
    parts
}

/// Undoes `X509_NAME_oneline`'s escapes: `\xC3` bytes, and OpenSSL 3's `\/` and `\+`.
fn unescape_slash(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' {
            if bytes.get(i + 1) == Some(&b'x')
                && let Some(byte) = hex_byte(bytes.get(i + 2..i + 4))
            {
                out.push(byte);
                i += 4;
                continue;
            }
            if let Some(&next @ (b'/' | b'+')) = bytes.get(i + 1) {
                out.push(next);
                i += 2;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_byte(pair: Option<&[u8]>) -> Option<u8> {
    let pair = std::str::from_utf8(pair?).ok()?;
    if pair.len() != 2 || !pair.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u8::from_str_radix(pair, 16).ok()
}

/// Undoes `X509_NAME_print_ex` escaping: surrounding quotes, `\,`-style escapes, `\C3\BC` hex
/// bytes (decoded as UTF-8) and `#` DER dumps. `None` for a dump that is not DER.
fn unescape_2253(value: &str) -> Option<String> {
    let trimmed = value.trim_matches(' ');
    if let Some(hex) = trimmed.strip_prefix('#') {
        return Some(dumped_value(hex).unwrap_or_else(|| value.to_string()));
    }
    let value = match value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
        Some(inner) if !inner.ends_with('\\') || inner.ends_with("\\\\") => inner,
        _ => value,
    };
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' && i + 1 < bytes.len() {
            if let Some(byte) = hex_byte(bytes.get(i + 1..i + 3)) {
                out.push(byte);
                i += 3;
            } else {
                out.push(bytes[i + 1]);
                i += 2;
            }
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

/// A `#hex` dump: the string it holds when the DER is a string type, else `#` and the hex
/// (upper case), as [`crate::names::DistinguishedName::entries`] writes such values.
fn dumped_value(hex: &str) -> Option<String> {
    if hex.is_empty() || !hex.len().is_multiple_of(2) || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let der: Vec<u8> = (0..hex.len()).step_by(2).filter_map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok()).collect();
    let (&tag, rest) = der.split_first()?;
    let (&len, content) = rest.split_first()?;
    // Short-form lengths only: a dumped value in a printed name is small.
    if len >= 0x80 || usize::from(len) != content.len() {
        return Some(format!("#{}", hex.to_ascii_uppercase()));
    }
    let attribute = Attribute { set: 0, oid: Vec::new(), tag, value: content.to_vec() };
    Some(attribute_value_text(&attribute))
}

/// The text a value compares by: the decoded string, or `#HEX` of the DER for a value that is
/// not a string.
pub fn attribute_value_text(attribute: &Attribute) -> String {
    if attribute.tag & 0x20 == 0 && char_width(attribute.tag_number()).is_some() {
        attribute.value_text()
    } else {
        let der = attribute.value_der();
        format!("#{}", der.iter().map(|b| format!("{b:02X}")).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(entries: &[(&str, &str)]) -> Vec<(String, String)> {
        entries.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn each_spelling_reads_back() {
        let expected = pairs(&[("C", "CH"), ("O", "Zürich Partner, AG"), ("CN", "Lab Client CA")]);
        assert_eq!(parse_name(r#"C = CH, O = "Z\C3\BCrich Partner, AG", CN = Lab Client CA"#).unwrap(), expected);
        assert_eq!(parse_name("C=CH, O=Zürich Partner, AG, CN=Lab Client CA").unwrap(), expected);
        assert_eq!(parse_name(r"/C=CH/O=Z\xC3\xBCrich Partner, AG/CN=Lab Client CA").unwrap(), expected);
        let reversed: Vec<_> = expected.iter().rev().cloned().collect();
        assert_eq!(parse_name(r"CN=Lab Client CA,O=Z\C3\BCrich Partner\, AG,C=CH").unwrap(), reversed);
    }

    #[test]
    fn a_lone_quote_in_a_compact_name_is_a_character() {
        let parsed = parse_name_as(r#"O=5" Floppy Ltd, CN=Drive CA"#, Spelling::Compact).unwrap();
        assert_eq!(parsed, pairs(&[("O", "5\" Floppy Ltd"), ("CN", "Drive CA")]));
        assert_eq!(readings(r#"O=5" Floppy Ltd, CN=Drive CA"#)[0], parsed);
    }

    #[test]
    fn escapes_of_3_5_and_dumps_are_undone() {
        let parsed = parse_name_as(r"O=tab\09here, CN=back\\slash, OU=#3003020105", Spelling::CompactEscaped).unwrap();
        assert_eq!(parsed, pairs(&[("O", "tab\there"), ("CN", "back\\slash"), ("OU", "#3003020105")]));
        let raw = parse_name_as("O=tab\there, CN=back\\slash", Spelling::Compact).unwrap();
        assert_eq!(raw, pairs(&[("O", "tab\there"), ("CN", "back\\slash")]));
        // A UTF8String dumped as DER reads as its text.
        assert_eq!(
            parse_name_as("1.2.3.4=#0C0568656C6C6F", Spelling::Rfc2253).unwrap(),
            pairs(&[("1.2.3.4", "hello")])
        );
    }

    #[test]
    fn multi_valued_rdns_split_in_every_spelling() {
        let expected = pairs(&[("C", "US"), ("O", "Org"), ("CN", "Name")]);
        assert_eq!(parse_name("C = US, O = Org + CN = Name").unwrap(), expected);
        assert_eq!(parse_name("C=US, O=Org + CN=Name").unwrap(), expected);
        assert_eq!(parse_name("/C=US/O=Org+CN=Name").unwrap(), expected);
        let rfc: Vec<_> = expected.iter().rev().cloned().collect();
        assert_eq!(parse_name("CN=Name+O=Org,C=US").unwrap(), rfc);
    }

    #[test]
    fn odd_whitespace_and_escapes_at_the_end_do_not_break_reading() {
        assert_eq!(parse_name_as("CN=x\\ ", Spelling::Rfc2253).unwrap(), pairs(&[("CN", "x ")]));
        assert_eq!(parse_name_as("CN=x\\\u{3000}", Spelling::Rfc2253).unwrap(), pairs(&[("CN", "x\\")]));
        assert!(parse_name("CN=\\").is_some());
    }

    #[test]
    fn text_that_is_no_name_has_no_reading() {
        assert!(readings("just some text").is_empty());
        assert!(readings("").is_empty());
        assert!(readings("C = ").iter().all(|r| r.len() == 1));
    }
}
