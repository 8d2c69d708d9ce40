//! The JSON Schemas in every test: each JSON report a test reads ([`report`]) and each checks
//! file a test writes ([`checks_file_written`]) is validated against the schemas
//! `mtlscheck schema` prints (the same functions, in process; `schemas.rs` keeps the committed
//! copies equal to them). Compiled once per test binary.

use std::path::Path;
use std::sync::OnceLock;

use jsonschema::error::ValidationErrorKind;
use mtlscheck::config::{self, RawFile};
use mtlscheck::schema::{Document, schema};
use serde_json::Value;

fn validator(document: Document) -> &'static jsonschema::Validator {
    static CHECKS: OnceLock<jsonschema::Validator> = OnceLock::new();
    static REPORT: OnceLock<jsonschema::Validator> = OnceLock::new();
    let cell = match document {
        Document::Checks => &CHECKS,
        Document::Report => &REPORT,
    };
    cell.get_or_init(|| {
        jsonschema::draft7::new(&schema(document))
            .unwrap_or_else(|err| panic!("the {document:?} schema does not compile: {err}"))
    })
}

/// One schema error: where in the document (a JSON pointer), the field it is about, and what.
pub struct SchemaError {
    pub at: String,
    pub field: String,
    pub message: String,
}

/// Every error of `document` against a schema; empty when it validates.
pub fn errors(which: Document, document: &Value) -> Vec<SchemaError> {
    validator(which)
        .iter_errors(document)
        .map(|err| {
            let at = err.instance_path().as_str().to_string();
            // A missing key is about that key; anything else about the last key on the path.
            let field = match err.kind() {
                ValidationErrorKind::Required { property } => property.as_str().unwrap_or_default().to_string(),
                _ => at.rsplit('/').find(|segment| segment.parse::<usize>().is_err()).unwrap_or_default().to_string(),
            };
            SchemaError { at, field, message: err.to_string() }
        })
        .collect()
}

fn listed(errors: &[SchemaError]) -> String {
    errors
        .iter()
        .map(|e| format!("  {}: {}", if e.at.is_empty() { "/" } else { &e.at }, e.message))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Panics unless `report` (named `what` in the message) validates against the report schema.
pub fn report(report: &Value, what: &str) {
    let problems = errors(Document::Report, report);
    assert!(
        problems.is_empty(),
        "{what} does not validate against schemas/report.schema.json:\n{}\n{report:#}",
        listed(&problems)
    );
}

/// A checks file as YAML text → the JSON document editors and check-jsonschema validate.
pub fn yaml_document(text: &str) -> Option<Value> {
    serde_yaml::from_str(text).ok()
}

/// Called for every YAML file a test writes: the checks schema must agree with the loader.
///
/// - What the loader's reading stage (serde, `RawFile`) reads, the schema accepts unless the
///   loader's later checks refuse it too, naming the same field (`port: 0`, `retries: 9`, a
///   `host` with a port, `expect.min_protocol: TLS1.2`): the schema is never stricter than
///   `mtlscheck validate`.
/// - What the reading stage refuses (an unknown key, a wrong word, a wrong type), the schema
///   refuses too, except a value within its grammar but out of the loader's range (a timeout
///   over 1h, `2027-02-30`): the schema catches the typos editors should flag.
///
/// Files whose aliases the loader refuses to expand (the alias bomb) and YAML that does not
/// parse are left alone: no schema applies to them.
pub fn checks_file_written(path: &Path, text: &str) {
    if config::check_expansion(text, "").is_err() {
        return;
    }
    let Some(document) = yaml_document(text) else { return };
    let schema_errors = errors(Document::Checks, &document);
    let shown = path.display();
    match serde_yaml::from_str::<RawFile>(text) {
        Ok(_) if schema_errors.is_empty() => {}
        Ok(_) => {
            let base = path.parent().unwrap_or(Path::new("."));
            let refusal = match config::parse(text, path, base) {
                Ok(_) => panic!(
                    "the checks schema refuses {shown}, which mtlscheck loads:\n{}\n--- {shown}\n{text}",
                    listed(&schema_errors)
                ),
                Err(err) => err.to_string(),
            };
            for error in &schema_errors {
                assert!(
                    refusal.contains(&error.field),
                    "the checks schema refuses {shown} at {} ({}), but the loader refuses it for something else:\n\
                     {refusal}\n--- {shown}\n{text}",
                    error.at,
                    error.message
                );
            }
        }
        Err(err) if schema_errors.is_empty() => {
            let message = err.to_string();
            let out_of_range = ["at most 1h", "must be positive", "greater than zero", "is not a date"];
            assert!(
                out_of_range.iter().any(|why| message.contains(why)),
                "the checks schema accepts {shown}, which the loader refuses ({message}):\n{text}"
            );
        }
        Err(_) => {}
    }
}
