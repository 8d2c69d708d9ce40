//! `--shard K/N`: run every N-th check (those at index K-1, K-1+N, …), so N CI matrix jobs or
//! the pods of a Kubernetes Indexed Job split one checks file between them; `merge` joins their
//! reports again.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Shard `index` (1-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    /// Whether the check at `position` (0-based, in the checks file) belongs to this shard.
    pub fn includes(self, position: usize) -> bool {
        position % self.count == self.index - 1
    }

    /// The items of this shard, in their order.
    pub fn select<T>(self, items: Vec<T>) -> Vec<T> {
        items.into_iter().enumerate().filter(|(position, _)| self.includes(*position)).map(|(_, item)| item).collect()
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let bad = |why: &str| format!("invalid shard {text:?}: {why}; write K/N with 1 <= K <= N, e.g. 2/4");
        let (index, count) = text.trim().split_once('/').ok_or_else(|| bad("no `/`"))?;
        let index: usize = index.trim().parse().map_err(|_| bad("K is not a whole number"))?;
        let count: usize = count.trim().parse().map_err(|_| bad("N is not a whole number"))?;
        if count == 0 || index == 0 || index > count {
            return Err(bad("K must be between 1 and N"));
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// `"K/N"`, as the report writes it.
impl schemars::JsonSchema for Shard {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Shard".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^\\s*[0-9]+\\s*/\\s*[0-9]+\\s*$",
            "description": "`K/N`: this report is shard K of N (`--shard`).",
        })
    }
}

impl TryFrom<String> for Shard {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        text.parse()
    }
}

impl From<Shard> for String {
    fn from(shard: Shard) -> String {
        shard.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_checks_in_order() {
        let items: Vec<usize> = (0..7).collect();
        let first: Shard = "1/3".parse().unwrap();
        let third: Shard = "3/3".parse().unwrap();
        assert_eq!(first.select(items.clone()), vec![0, 3, 6]);
        assert_eq!(third.select(items), vec![2, 5]);
        assert_eq!(first.to_string(), "1/3");
    }

    #[test]
    fn bad_shards_are_refused_with_the_form_to_use() {
        for bad in ["0/2", "3/2", "1/0", "a/2", "2", "1/2/3", ""] {
            let err = bad.parse::<Shard>().unwrap_err();
            assert!(err.contains("write K/N"), "{bad}: {err}");
        }
    }
}
