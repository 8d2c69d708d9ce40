//! Reading a JSON report back, for `run --baseline` and `merge`. The report model keeps some
//! values as `&'static str` (they come from a fixed set when mtlscheck writes them); read back,
//! such strings are interned: each distinct value is allocated once per process.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Mutex;

use serde::{Deserialize, Deserializer};

use super::Report;

/// Reads a report written by `--format json`; the error names the file and what is wrong.
pub fn read_report(path: &Path) -> Result<Report, String> {
    let text = std::fs::read_to_string(path).map_err(|err| format!("cannot read {}: {err}", path.display()))?;
    serde_json::from_str(&text).map_err(|err| {
        format!(
            "{}: not an mtlscheck JSON report (write one with --format json or --output FILE.json): {err}",
            path.display()
        )
    })
}

/// `&'static str` spelled as a path, so `#[derive(Deserialize)]` does not treat the field as
/// borrowed from the input (which would demand `'static` input); use with [`interned`].
pub type Interned = &'static str;

static POOL: Mutex<BTreeSet<&'static str>> = Mutex::new(BTreeSet::new());

/// The one `'static` copy of `text`.
pub fn intern(text: &str) -> &'static str {
    let mut pool = POOL.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(found) = pool.get(text) {
        return found;
    }
    let leaked: &'static str = Box::leak(text.to_owned().into_boxed_str());
    pool.insert(leaked);
    leaked
}

/// `#[serde(deserialize_with)]` for a `&'static str` field.
pub fn interned<'de, D: Deserializer<'de>>(deserializer: D) -> Result<&'static str, D::Error> {
    String::deserialize(deserializer).map(|text| intern(&text))
}

/// `#[serde(deserialize_with)]` for an `Option<&'static str>` field.
pub fn interned_opt<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<&'static str>, D::Error> {
    Option::<String>::deserialize(deserializer).map(|text| text.map(|t| intern(&t)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_strings_are_interned_once() {
        let a = intern(&String::from("alert_after_handshake"));
        let b = intern(&String::from("alert_after_handshake"));
        assert!(std::ptr::eq(a, b));
    }
}
