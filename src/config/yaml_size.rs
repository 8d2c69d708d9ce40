//! A bound on what a YAML document expands to. Anchors and aliases let a small file stand for
//! an enormous document (one long string aliased thousands of times, or the "billion laughs"),
//! which serde would build in memory whole. The document is walked first without building
//! anything, counting each scalar's bytes and each node as often as aliases repeat them, and
//! refused once that passes a small multiple of the file.

use std::cell::Cell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor};

/// A document may expand to this many times its file (plus [`SLACK`]): without aliases it
/// never exceeds 1 (a node costs at least as many bytes in the file as it is counted for).
pub const FACTOR: u64 = 4;
/// Room for a few aliases of short values in a small file.
pub const SLACK: u64 = 64 * 1024;

/// Said in the walk's error so it can be told from YAML errors, which the real parse reports.
const OVER_BUDGET: &str = "mtlscheck: YAML expansion over budget";

/// Refuses `text` (named `file` in the message) when its aliases expand it past the bound.
pub fn check_expansion(text: &str, file: &str) -> Result<(), String> {
    let budget = FACTOR * text.len() as u64 + SLACK;
    let left = Cell::new(budget);
    match Walk(&left).deserialize(serde_yaml::Deserializer::from_str(text)) {
        Err(err) if err.to_string().contains(OVER_BUDGET) => Err(format!(
            "{file}: the YAML expands to more than {budget} bytes through its aliases (*name), over {FACTOR} times \
             the file's size: write the values out (for what checks share, use `defaults:`)"
        )),
        // Anything else is left to the real parse, whose messages are better.
        _ => Ok(()),
    }
}

/// Visits every node, spending from `left`.
#[derive(Clone, Copy)]
struct Walk<'a>(&'a Cell<u64>);

impl Walk<'_> {
    fn spend<E: de::Error>(self, bytes: usize) -> Result<(), E> {
        let cost = bytes as u64 + 1;
        match self.0.get().checked_sub(cost) {
            Some(left) => {
                self.0.set(left);
                Ok(())
            }
            None => Err(E::custom(OVER_BUDGET)),
        }
    }
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.spend(0)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.spend(0)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.spend(0)
    }

    fn visit_i128<E: de::Error>(self, _: i128) -> Result<(), E> {
        self.spend(0)
    }

    fn visit_u128<E: de::Error>(self, _: u128) -> Result<(), E> {
        self.spend(0)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.spend(0)
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<(), E> {
        self.spend(text.len())
    }

    fn visit_bytes<E: de::Error>(self, bytes: &[u8]) -> Result<(), E> {
        self.spend(bytes.len())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.spend(0)
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.spend(0)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        self.deserialize(deserializer)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        self.deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.spend(0)?;
        while seq.next_element_seed(self)?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.spend(0)?;
        while map.next_key_seed(self)?.is_some() {
            map.next_value_seed(self)?;
        }
        Ok(())
    }

    /// A tagged value (`!tag value`).
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<(), A::Error> {
        let ((), variant) = data.variant_seed(self)?;
        variant.newtype_variant_seed(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_files_and_a_few_aliases_pass() {
        let plain = "defaults: {port: 443, timeout: 5s}\nchecks:\n  - {name: a, host: a.example}\n  - {a: 1, b: 2}\n";
        assert!(check_expansion(plain, "c.yaml").is_ok());
        let few = "x: &h a.example\nchecks:\n  - {name: a, host: *h}\n  - {name: b, host: *h}\n";
        assert!(check_expansion(few, "c.yaml").is_ok());
        // Syntax errors are the real parse's to report.
        assert!(check_expansion("checks: [\n", "c.yaml").is_ok());
    }

    #[test]
    fn a_long_string_aliased_many_times_is_refused() {
        let mut text = format!("big: &big {}\nchecks:\n", "x".repeat(100_000));
        for i in 0..5_000 {
            text.push_str(&format!("  - {{name: c{i}, host: *big}}\n"));
        }
        let err = check_expansion(&text, "bomb.yaml").unwrap_err();
        assert!(err.starts_with("bomb.yaml: the YAML expands to more than"), "{err}");
    }

    #[test]
    fn nested_aliases_are_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for level in 1..10 {
            let previous = level - 1;
            text.push_str(&format!(
                "a{level}: &a{level} [*a{previous}, *a{previous}, *a{previous}, *a{previous}, *a{previous}, *a{previous}, *a{previous}, *a{previous}, *a{previous}, *a{previous}]\n"
            ));
        }
        assert!(check_expansion(&text, "laughs.yaml").is_err());
    }
}
