//! Names reduced for comparison, and the one list difference every comparison of name lists
//! uses (expectations, transcripts, baselines): a name matches whatever its spelling.

use super::parse::{Spelling, parse_name_as, readings};

/// A name reduced for comparison: attribute names upper-cased (`emailAddress` and `Email`
/// alike), values case-folded with runs of spaces collapsed (what OpenSSL's canonical name
/// encoding ignores too). A name read from text whose spelling is not known keeps every
/// plausible reading, each also in reverse order (RFC 2253 writes the last RDN first); two keys
/// are the same name when any of their readings agree.
#[derive(Debug, Clone)]
pub struct NameKey {
    readings: Vec<Vec<(String, String)>>,
}

type Entries = Vec<(String, String)>;

fn reduce(entries: &[(String, String)]) -> Entries {
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
        .collect()
}

impl NameKey {
    /// The key of a name whose attributes are known exactly (from DER).
    pub fn of_entries(entries: &[(String, String)]) -> NameKey {
        NameKey { readings: vec![reduce(entries)] }
    }

    fn of_readings(readings: Vec<Entries>) -> NameKey {
        let mut all: Vec<Entries> = Vec::new();
        for reading in readings {
            let reduced = reduce(&reading);
            let reversed: Entries = reduced.iter().rev().cloned().collect();
            for candidate in [reduced, reversed] {
                if !all.contains(&candidate) {
                    all.push(candidate);
                }
            }
        }
        NameKey { readings: all }
    }

    /// A name as written by any OpenSSL or LibreSSL version, or by hand in any of their
    /// spellings (RFC 2253's reversed order included); `None` when it is not a name.
    pub fn parse(text: &str) -> Option<NameKey> {
        let readings = readings(text);
        (!readings.is_empty()).then(|| NameKey::of_readings(readings))
    }

    /// A name printed in a known spelling (a transcript whose version is known).
    pub fn parse_as(text: &str, spelling: Spelling) -> Option<NameKey> {
        parse_name_as(text, spelling).map(|entries| NameKey::of_readings(vec![entries]))
    }

    /// A name as written, or (when it does not parse, e.g. a hand-edited report) its text,
    /// which still compares equal to itself. Blank text is the empty name.
    pub fn of_text(text: &str) -> NameKey {
        if text.trim().is_empty() {
            return NameKey { readings: vec![Vec::new()] };
        }
        NameKey::parse(text).unwrap_or_else(|| NameKey { readings: vec![vec![(String::new(), text.to_string())]] })
    }

    /// As [`NameKey::of_text`], read in `spelling` first.
    pub fn of_text_as(text: &str, spelling: Spelling) -> NameKey {
        NameKey::parse_as(text, spelling).unwrap_or_else(|| NameKey::of_text(text))
    }

    /// The reduced `(attribute, value)` pairs of the most likely reading.
    pub fn entries(&self) -> &[(String, String)] {
        self.readings.first().map(Vec::as_slice).unwrap_or_default()
    }
}

/// Two keys name the same name when any reading of one is a reading of the other.
impl PartialEq for NameKey {
    fn eq(&self, other: &NameKey) -> bool {
        self.readings.iter().any(|reading| other.readings.contains(reading))
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
    fn the_openssl_name_styles_are_the_same_name() {
        let oneline = NameKey::parse(r#"C = CH, O = "Z\C3\BCrich Partner, AG", CN = Lab Client CA"#).unwrap();
        let compact = NameKey::parse("C=CH, O=Zürich Partner, AG, CN=Lab Client CA").unwrap();
        let slash = NameKey::parse("/C=CH/O=Z\\xC3\\xBCrich Partner, AG/CN=Lab Client CA").unwrap();
        let rfc2253 = NameKey::parse(r"CN=Lab Client CA,O=Z\C3\BCrich Partner\, AG,C=CH").unwrap();
        assert_eq!(oneline, compact);
        assert_eq!(oneline, slash);
        assert_eq!(oneline, rfc2253);
        assert_eq!(oneline.entries()[1].1, "zürich partner, ag");
        assert_eq!(NameKey::parse("C = US, O = X"), NameKey::parse("/C=US/O=x"));
        assert_ne!(NameKey::parse("C = US, O = X"), NameKey::parse("C = US, O = Y"));
    }

    #[test]
    fn a_live_name_matches_a_written_one_in_either_order() {
        let live = NameKey::of_entries(&[
            ("C".into(), "US".into()),
            ("O".into(), "Our Company".into()),
            ("CN".into(), "Our Client CA".into()),
        ]);
        assert_eq!(NameKey::of_text("CN=Our Client CA,O=Our Company,C=US"), live);
        assert_eq!(NameKey::of_text("C=US, O=Our Company, CN=Our Client CA"), live);
        assert_eq!(NameKey::of_text("/C=US/O=Our Company/CN=Our Client CA"), live);
        assert_ne!(NameKey::of_text("CN=Our Client CA,O=Other,C=US"), live);
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
