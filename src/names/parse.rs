//! Names as people and s_client write them, read back into `(attribute, value)` pairs:
//! `C = US, O = "Other Org, Inc.", CN = Z\C3\BCrich` (OpenSSL 1.1.1–3.1), `C=US, O=...` (3.2+),
//! `/C=US/O=...` (1.0.2).

/// A name written by any s_client version, as `(attribute, value)` pairs with escapes undone.
/// `None` if it is not a name.
pub fn parse_name(text: &str) -> Option<Vec<(String, String)>> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let (parts, separator) = match text.strip_prefix('/') {
        Some(slashed) => (slashed.split('/').map(str::to_string).collect(), "/"),
        None => (split_unquoted(text), ", "),
    };
    // Without escaping (1.0.2's slashes, 3.2's unescaped commas) a value may contain the
    // separator: a piece without `=` continues the previous value.
    let mut joined: Vec<String> = Vec::new();
    for part in parts {
        match joined.last_mut() {
            Some(previous) if !part.contains('=') => {
                previous.push_str(separator);
                previous.push_str(&part);
            }
            _ => joined.push(part),
        }
    }
    let mut entries = Vec::new();
    for part in joined {
        // Multi-valued RDNs are printed with " + " (or "+") between attributes.
        for attribute in part.split(" + ") {
            let (field, value) = attribute.split_once('=')?;
            let field = field.trim();
            if field.is_empty() || !field.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-') {
                return None;
            }
            entries.push((field.to_string(), unescape(value.trim())));
        }
    }
    Some(entries)
}

/// Splits on `,` outside double quotes and not escaped.
fn split_unquoted(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                current.push(c);
                if let Some(next) = chars.next() {
                    current.push(next);
                }
            }
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            ',' if !quoted => parts.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    parts.push(current);
    parts.into_iter().map(|p| p.trim().to_string()).collect()
}

/// Undoes RFC 2253 escaping as OpenSSL prints it: surrounding quotes, `\,`-style escapes and
/// `\C3\BC` hex bytes (decoded as UTF-8).
fn unescape(value: &str) -> String {
    let value = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(value);
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        // OpenSSL 1.0.2's X509_NAME_oneline writes non-ASCII bytes as `\xC3`.
        if bytes[i] == b'\\' && bytes.get(i + 1) == Some(&b'x') {
            let hex = bytes.get(i + 2..i + 4).and_then(|h| std::str::from_utf8(h).ok());
            if let Some(byte) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(byte);
                i += 4;
                continue;
            }
        }
        if bytes[i] == b'\\' && i + 1 < bytes.len() {
            let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
            if let Some(byte) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
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
    String::from_utf8_lossy(&out).into_owned()
}
