//! serde_yaml's errors rewritten for people: `file:line:column: what`, the position said
//! once, the closest valid name for a misspelt field, and no Rust type names (`u16`,
//! `struct RawCheck`): what the field wants, in words.

/// Rewrites serde_yaml's message as `file:line:column: what`, and adds the closest valid name
/// to an unknown-field error.
pub fn describe_yaml_error(file: &str, err: &serde_yaml::Error) -> String {
    let location = err.location().map(|loc| format!(":{}:{}", loc.line(), loc.column())).unwrap_or_default();
    // serde_yaml repeats the position as " at line L column C" inside the message; it is in
    // front already.
    // `key_password` and `p12_password` are fields only so they can be refused with advice;
    // never offer them as valid.
    let what = in_words(&strip_positions(&err.to_string()).replace(", `key_password`, `p12_password`", ""));
    let hint = unknown_field_hint(&what).map(|h| format!("; {h}")).unwrap_or_default();
    format!("{file}{location}: {what}{hint}")
}

/// serde's "expected TYPE" in the words of the checks file.
fn in_words(message: &str) -> String {
    let field = message.split(':').next().unwrap_or_default();
    let port = field.ends_with(".port") || field == "port";
    let replacements: [(&str, &str); 12] = [
        (
            "expected u16",
            if port { "expected a port number (1-65535)" } else { "expected a whole number from 0 to 65535" },
        ),
        ("expected u32", "expected a whole number (0 or more)"),
        ("expected u64", "expected a whole number (0 or more)"),
        ("expected struct RawFile", "expected a mapping with `checks:` (and optionally `defaults:` and `warn_days:`)"),
        ("expected struct RawCheck", "expected a check: a mapping with `name:`, `host:` and the other fields"),
        ("expected struct RawIdentity", "expected an identity: a mapping with `name:` and `cert`/`key` or `p12`"),
        ("expected struct Expectations", "expected a mapping of expectations (e.g. `client_auth: required`)"),
        ("expected struct IdentityExpectations", "expected a mapping (`with_cert:`, `accepted_from:`)"),
        ("expected enum ClientAuth", "expected one of `none`, `optional`, `required`, `post-handshake`"),
        ("expected enum Starttls", "expected one of `smtp`, `imap`, `pop3`, `ftp`, `postgres`"),
        ("expected enum ClientStack", "expected a client stack name such as `openssl` or `java-pkix`"),
        ("expected enum WithCertExpectation", "expected one of `accepted`, `refused`, `any`"),
    ];
    let mut text = message.to_string();
    for (from, to) in replacements {
        text = text.replace(from, to);
    }
    text
}

/// Removes every " at line L column C" from a message.
fn strip_positions(message: &str) -> String {
    let mut out = String::new();
    let mut rest = message;
    while let Some(start) = rest.find(" at line ") {
        out.push_str(&rest[..start]);
        let tail = &rest[start + " at line ".len()..];
        let digits = |s: &str| s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        let after_line = &tail[digits(tail)..];
        match after_line.strip_prefix(" column ") {
            Some(col) => rest = &col[digits(col)..],
            None => {
                out.push_str(" at line ");
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}

/// For serde's "unknown field `x`, expected one of `a`, `b`" message, suggests the closest name.
fn unknown_field_hint(message: &str) -> Option<String> {
    let rest = message.split("unknown field `").nth(1)?;
    let (unknown, expected) = rest.split_once('`')?;
    let best = expected
        .split('`')
        .skip(1)
        .step_by(2)
        // Never suggest the fields that exist only to refuse an inline passphrase.
        .filter(|candidate| !matches!(*candidate, "key_password" | "p12_password"))
        .map(|candidate| (strsim::damerau_levenshtein(unknown, candidate), candidate))
        .min_by_key(|(distance, _)| *distance)?;
    (best.0 <= unknown.len().max(3) / 2 + 1).then(|| format!("did you mean `{}`?", best.1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_type_names_become_words() {
        assert_eq!(
            in_words("checks[0].port: invalid value: integer `70000`, expected u16"),
            "checks[0].port: invalid value: integer `70000`, expected a port number (1-65535)"
        );
        assert!(
            in_words("invalid type: sequence, expected struct RawFile")
                .ends_with("expected a mapping with `checks:` (and optionally `defaults:` and `warn_days:`)")
        );
    }
}
