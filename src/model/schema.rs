//! The JSON Schema shapes serde's derive cannot describe, shared by the hand-written
//! `JsonSchema` impls of the checks file and the report: a string from a set other versions may
//! extend, words read in any case, and doc comments turned into descriptions. What each schema
//! contains is decided beside its type; `crate::schema` assembles the documents.

use schemars::Schema;
use serde_json::{Map, Value, json};

/// Declares a type that stands for a field's schema in `#[schemars(with = "Option<Name>")]`:
/// the field keeps its Rust type and serde reading, and the schema (built by `$build`, a
/// `fn(&mut SchemaGenerator) -> Schema`) is inlined where the field is, made optional and
/// nullable as an `Option` field is.
macro_rules! field_schema {
    ($(#[doc = $doc:literal])* $name:ident = $build:path) => {
        $(#[doc = $doc])*
        pub struct $name;

        impl schemars::JsonSchema for $name {
            fn inline_schema() -> bool {
                true
            }

            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
                $build(generator)
            }
        }
    };
}

pub(crate) use field_schema;

/// Doc-comment lines (as `#[doc]` gives them, one leading space each) as one paragraph.
pub fn doc_text(lines: &[&str]) -> String {
    lines.iter().map(|line| line.trim()).filter(|line| !line.is_empty()).collect::<Vec<_>>().join(" ")
}

/// A string that is one of `known` (value and meaning) today; any other string is accepted too,
/// because a report written by a newer mtlscheck may hold a value this one does not know, and
/// readers keep it. Editors still list and explain the known values.
pub fn open_set(description: &str, known: &[(&str, String)]) -> Schema {
    let mut choices: Vec<Value> =
        known.iter().map(|(value, meaning)| described(json!({ "const": value }), meaning)).collect();
    choices.push(json!({ "type": "string", "description": "A value written by another version of mtlscheck." }));
    let schema = json!({ "type": "string", "anyOf": choices });
    Schema::try_from(described(schema, description)).expect("an object is a schema")
}

/// Opens a derived enum's schema (`oneOf` of `const`s) to any string, for an enum read with
/// `#[serde(other)]`: readers accept values of newer versions, so the schema does too.
pub fn open_enum(schema: &mut Schema) {
    if let Some(Value::Array(mut choices)) = schema.remove("oneOf") {
        for choice in &mut choices {
            if let Some(object) = choice.as_object_mut() {
                object.remove("type");
            }
        }
        choices.push(json!({ "type": "string", "description": "A value written by another version of mtlscheck." }));
        schema.insert("anyOf".into(), Value::Array(choices));
        schema.insert("type".into(), "string".into());
    }
}

/// One of `words`, in any case as the loader reads them: completion offers the words as
/// written, validation takes `tlsv1.2` as well as `TLSv1.2`.
pub fn words_any_case(description: &str, words: &[&str]) -> Schema {
    let pattern = format!("^\\s*({})\\s*$", words.iter().map(|w| any_case(w)).collect::<Vec<_>>().join("|"));
    let schema = json!({ "type": "string", "anyOf": [{ "enum": words }, { "pattern": pattern }] });
    Schema::try_from(described(schema, description)).expect("an object is a schema")
}

/// A regular expression matching `word` in any case (JSON Schema patterns have no `(?i)`);
/// regular-expression metacharacters are escaped (only those: ECMA-262's unicode mode, which
/// editors use, refuses needless escapes such as `\-`).
pub fn any_case(word: &str) -> String {
    word.chars()
        .map(|c| match c {
            c if c.is_ascii_alphabetic() => format!("[{}{}]", c.to_ascii_uppercase(), c.to_ascii_lowercase()),
            c if "\\^$.|?*+()[]{}/".contains(c) => format!("\\{c}"),
            c => c.to_string(),
        })
        .collect()
}

/// `schema` with `description` (none when it is empty).
pub fn described(mut schema: Value, description: &str) -> Value {
    if !description.is_empty()
        && let Some(object) = schema.as_object_mut()
    {
        object.insert("description".into(), Value::String(description.into()));
    }
    schema
}

/// An object schema from its JSON, for the impls that build one by hand.
pub fn from_json(schema: Value) -> Schema {
    Schema::try_from(schema).unwrap_or_else(|_| Schema::from(Map::new()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_case_matches_each_letter_both_ways_and_escapes_the_rest() {
        assert_eq!(any_case("TLSv1.2"), "[Tt][Ll][Ss][Vv]1\\.2");
        assert_eq!(any_case("sep-comma"), "[Ss][Ee][Pp]-[Cc][Oo][Mm][Mm][Aa]");
        assert_eq!(doc_text(&[" The partner", " accepts it.", ""]), "The partner accepts it.");
    }
}
