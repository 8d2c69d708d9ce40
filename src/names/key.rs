//! Names reduced for comparison, and the one list difference every comparison of name lists
//! uses (expectations, transcripts, baselines): a name matches whatever its spelling.

use super::parse::parse_name;

/// A name reduced for comparison: attribute names upper-cased (`emailAddress` and `Email`
/// alike), values case-folded with runs of spaces collapsed (what OpenSSL's canonical name
/// encoding ignores too).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NameKey(Vec<(String, String)>);

impl NameKey {
    pub fn of_entries(entries: &[(String, String)]) -> NameKey {
        NameKey(
            entries
                .iter()
                .map(|(field, value)| {
                    let field = match field.to_ascii_uppercase().as_str() {
                        "EMAIL" | "EMAILADDRESS" => "EMAILADDRESS".to_string(),
                        other => other.to_string(),
                    };
                    let value = value.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
                    (field, value)
                })
                .collect(),
        )
    }

    /// A name as written by any OpenSSL version; `None` when it is not a name.
    pub fn parse(text: &str) -> Option<NameKey> {
        parse_name(text).map(|entries| NameKey::of_entries(&entries))
    }

    /// A name as written, or (when it does not parse, e.g. a hand-edited report) its text,
    /// which still compares equal to itself. Blank text is the empty name.
    pub fn of_text(text: &str) -> NameKey {
        if text.trim().is_empty() {
            return NameKey(Vec::new());
        }
        NameKey::parse(text).unwrap_or_else(|| NameKey(vec![(String::new(), text.to_string())]))
    }

    /// The reduced `(attribute, value)` pairs.
    pub fn entries(&self) -> &[(String, String)] {
        &self.0
    }
}

/// What differs between two lists of names compared as names: the items of `before` whose
/// name is not in `after` (gone), and the items of `after` whose name is not in `before` (new).
pub fn difference<'a, 'b, A, B>(before: &'a [(A, NameKey)], after: &'b [(B, NameKey)]) -> (Vec<&'a A>, Vec<&'b B>) {
    let gone = before.iter().filter(|(_, key)| !after.iter().any(|(_, k)| k == key)).map(|(item, _)| item).collect();
    let new = after.iter().filter(|(_, key)| !before.iter().any(|(_, k)| k == key)).map(|(item, _)| item).collect();
    (gone, new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_openssl_name_styles_are_the_same_name() {
        let oneline = NameKey::parse(r#"C = CH, O = "Z\C3\BCrich Partner, AG", CN = Lab Client CA"#).unwrap();
        let compact = NameKey::parse("C=CH, O=Zürich Partner, AG, CN=Lab Client CA").unwrap();
        let slash = NameKey::parse("/C=CH/O=Z\\xC3\\xBCrich Partner, AG/CN=Lab Client CA").unwrap();
        assert_eq!(oneline, compact);
        assert_eq!(oneline, slash);
        assert_eq!(oneline.entries()[1].1, "zürich partner, ag");
        assert_eq!(NameKey::parse("C = US, O = X"), NameKey::parse("/C=US/O=x"));
    }

    #[test]
    fn differences_go_both_ways_and_ignore_spelling() {
        let before = [("C = US, O = A", NameKey::of_text("C = US, O = A")), ("gone", NameKey::of_text("gone"))];
        let after = [("C=US, O=a", NameKey::of_text("C=US, O=a")), ("/C=DE/O=New", NameKey::of_text("/C=DE/O=New"))];
        let (gone, new) = difference(&before, &after);
        assert_eq!(gone, vec![&"gone"]);
        assert_eq!(new, vec![&"/C=DE/O=New"]);
    }
}
