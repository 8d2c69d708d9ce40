//! The JSON Schema of the checks-file fields whose grammar lives in the loader rather than in
//! their Rust type: durations, `host`, `connect`, `proxy`, `name_style`, and the refused inline
//! passphrases. Each pattern follows the code that reads the field (named beside it), so that
//! an editor flags what `mtlscheck validate` would refuse, and nothing it accepts.

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::json;

use crate::model::schema::{any_case, field_schema, from_json};

/// `humantime::parse_duration`: numbers (fractions allowed) each followed by a unit.
pub const DURATION_PATTERN: &str = "^\\s*([0-9]+(\\.[0-9]+)?\\s*(nanos|nsec|ns|usec|us|µs|millis|msec|ms|seconds|second|secs|sec|s|minutes|minute|mins|min|m|hours|hour|hrs|hr|h|days|day|d|weeks|week|wks|wk|w|months|month|M|years|year|yrs|yr|y)\\s*)+$";

/// `host` as `hostport::split` takes it without a port: a bracketed or bare IPv6 literal, or a
/// name or IPv4 address without `:`, whitespace, `/`, `@`, `?` or `#` (so no URL and no port).
pub const HOST_PATTERN: &str =
    "^\\s*(\\[[0-9A-Fa-f:.]+\\]|[0-9A-Fa-f.]*:[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*|[^\\s:/@?#]+)\\s*$";

/// `connect` as `hostport::split` takes it: `""` (none), or a host as above with an optional
/// `:PORT` (IPv6 with a port in brackets).
pub const CONNECT_PATTERN: &str =
    "^\\s*((\\[[0-9A-Fa-f:.]+\\]|[^\\s:/@?#\\[\\]]+)(:[0-9]{1,5})?|[0-9A-Fa-f.]*:[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*)?\\s*$";

/// `proxy` as `ProxyUrl::parse` takes it: `""` (none), or `[http://][USER@]HOST[:PORT][/]`.
/// A password is refused by the loader (it belongs in HTTPS_PROXY), so `USER:PASSWORD@` is
/// not matched either.
pub const PROXY_PATTERN: &str =
    "^\\s*(([Hh][Tt][Tt][Pp]://)?([^\\s:/@]+@)?(\\[[0-9A-Fa-f:.]+\\]|[^\\s:/@?#\\[\\]]+)(:[0-9]{1,5})?/?)?\\s*$";

/// The presets `name_style` takes (`NameStyle::from_preset`, any case).
const NAME_PRESETS: [&str; 6] =
    ["default", "oneline", "rfc2253", "sep-comma-plus-space", "sep-comma-plus-space-escaped", "slash"];

/// The versions offered for completion; `Style::parse` takes any 3.x or 4.x and 1.1.1 with a
/// letter too.
const NAME_VERSIONS: [&str; 11] =
    ["1.1.1", "3.0", "3.1", "3.2", "3.3", "3.4", "3.5", "3.6", "4.0", "libressl", "openssl"];

field_schema!(NameStyleSetting = name_style_schema);

/// `name_style`: a preset or a version (`Style::parse`: `libressl…`, `[OpenSSL ]1.1.1[a-z]`,
/// `[OpenSSL ]3.N[.P]`, `4.N[.P]`, followed by anything, as `openssl version` prints it). An
/// unquoted `3.5` is a YAML number; the loader reads its text, so numbers are accepted too.
fn name_style_schema(_: &mut SchemaGenerator) -> Schema {
    let presets: Vec<String> = NAME_PRESETS.iter().map(|p| any_case(p)).collect();
    let version = format!(
        "^\\s*({libressl}.*|({openssl}\\s*)?(1\\.1\\.1[a-z]?|[34]\\.[0-9]+(\\.[0-9]+)?)(\\s.*)?|({presets}))\\s*$",
        libressl = any_case("libressl"),
        openssl = any_case("openssl"),
        presets = presets.join("|"),
    );
    let versions: Vec<&str> = NAME_VERSIONS.iter().copied().filter(|v| *v != "openssl").collect();
    from_json(json!({
        "anyOf": [
            { "enum": NAME_PRESETS.iter().chain(versions.iter()).collect::<Vec<_>>() },
            { "type": "string", "pattern": version },
            { "type": "number", "minimum": 3, "exclusiveMaximum": 5 },
        ],
    }))
}

/// `checks:` (`Check` is `RawCheck`): at least one entry, each with its own `name`.
pub fn checks_list<Check: JsonSchema>(generator: &mut SchemaGenerator) -> Schema {
    let check = generator.subschema_for::<Check>();
    from_json(json!({
        "type": "array",
        "minItems": 1,
        "items": { "allOf": [check], "required": ["name"] },
        "description": "The endpoints to probe, one entry each; every entry needs a unique `name`, and `host` unless \
                        `defaults` gives it.",
    }))
}

/// `defaults:` (`Check` is `RawCheck`): any per-check field except `name`.
pub fn defaults_block<Check: JsonSchema>(generator: &mut SchemaGenerator) -> Schema {
    let check = generator.subschema_for::<Check>();
    from_json(json!({
        "allOf": [check],
        "properties": {
            "name": { "not": {}, "description": "`defaults` cannot set `name`: every check needs its own." },
        },
        "description": "Any per-check field except `name`, used where a check does not set it (a check's own \
                        `expect` replaces the inherited one as a whole).",
    }))
}

/// A field that is always refused: the schema says why where editors show it, and matches no
/// value.
fn refused(kind: &str) -> Schema {
    from_json(json!({
        "not": {},
        "description": format!(
            "Refused: a passphrase written in the checks file is readable by everyone who can read the file, its \
             backups or its version history. Write `{kind}_password_env: VARIABLE` (an environment variable) or \
             `{kind}_password_file: FILE` (a file only the account running mtlscheck can read)."
        ),
    }))
}

pub fn refused_key_password(_: &mut SchemaGenerator) -> Schema {
    refused("key")
}

pub fn refused_p12_password(_: &mut SchemaGenerator) -> Schema {
    refused("p12")
}
