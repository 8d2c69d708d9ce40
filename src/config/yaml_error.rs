//! serde_yaml's errors rewritten for people: `file:line:column: what`, the position said
//! once, and the closest valid name for a misspelt field.

/// Rewrites serde_yaml's message as `file:line:column: what`, and adds the closest valid name
/// to an unknown-field error.
pub fn describe_yaml_error(file: &str, err: &serde_yaml::Error) -> String {
    let location = err.location().map(|loc| format!(":{}:{}", loc.line(), loc.column())).unwrap_or_default();
    // serde_yaml repeats the position as " at line L column C" inside the message; it is in
    // front already.
    // `key_password` and `p12_password` are fields only so they can be refused with advice;
    // never offer them as valid.
    let what = strip_positions(&err.to_string()).replace(", `key_password`, `p12_password`", "");
    let hint = unknown_field_hint(&what).map(|h| format!("; {h}")).unwrap_or_default();
    format!("{file}{location}: {what}{hint}")
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
