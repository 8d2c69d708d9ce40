//! The JSON Schemas (`mtlscheck schema checks|report`, committed under schemas/): the committed
//! files are what the binary prints; every example checks file validates; typos, wrong words
//! and wrong types are refused by the schema as by `mtlscheck validate`; the schema's grammars
//! (durations, host, connect, proxy, name_style, protocols) agree with the loader value by
//! value; reports of older versions and of newer ones validate; and the real `check-jsonschema`
//! (what operators' CI runs) accepts the committed schemas, a real report and checks.yaml.

use std::path::{Path, PathBuf};
use std::process::Command;

use mtlscheck::schema::Document;
use serde_json::{Value, json};

use crate::support::runs::{stderr_text, stdout_text};
use crate::support::schemas::{errors, report, yaml_document};
use crate::support::{TestPki, mtlscheck};

fn repository(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn checks_errors(text: &str) -> Vec<String> {
    let document = yaml_document(text).unwrap_or_else(|| panic!("not YAML:\n{text}"));
    errors(Document::Checks, &document).into_iter().map(|e| format!("{}: {}", e.at, e.message)).collect()
}

#[test]
fn the_committed_schemas_are_what_the_binary_prints() {
    for (document, file) in [("checks", "schemas/checks.schema.json"), ("report", "schemas/report.schema.json")] {
        let printed = stdout_text(&mtlscheck().args(["schema", document]).assert().success().get_output().clone());
        let committed = std::fs::read_to_string(repository(file)).unwrap_or_default();
        assert!(
            printed == committed,
            "{file} differs from `mtlscheck schema {document}`: regenerate both with\n  \
             cargo run -q -- schema checks > schemas/checks.schema.json && \
             cargo run -q -- schema report > schemas/report.schema.json"
        );
        let schema: Value = serde_json::from_str(&printed).expect("the schema is JSON");
        assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#", "{file}");
    }
}

#[test]
fn example_checks_files_validate_the_repositorys_and_the_demos() {
    let repository_file = std::fs::read_to_string(repository("checks.yaml")).expect("checks.yaml");
    assert_eq!(
        repository_file.lines().next(),
        Some("# yaml-language-server: $schema=./schemas/checks.schema.json"),
        "editors find the schema from checks.yaml's first line"
    );
    assert_eq!(checks_errors(&repository_file), Vec::<String>::new(), "checks.yaml");

    let lab = mtlscheck::demo::Lab::start().expect("start the demo lab");
    assert_eq!(checks_errors(&lab.yaml), Vec::<String>::new(), "the demo's checks file:\n{}", lab.yaml);
}

/// The same file with one mistake: the schema and `mtlscheck validate` both refuse it, each
/// naming the field.
#[test]
fn typos_wrong_words_and_wrong_types_are_refused_by_the_schema_and_by_validate() {
    let pki = TestPki::new();
    let mistakes = [
        ("a typo'd key", "    hots: x.example\n", "hots"),
        ("a typo'd key in expect", "    expect: {client_auht: required}\n", "client_auht"),
        ("a wrong word", "    expect: {client_auth: mandatory}\n", "mandatory"),
        ("a wrong word for starttls", "    starttls: ldap\n", "ldap"),
        ("a wrong type", "    port: [443]\n", "port"),
        ("a wrong type for a flag", "    insecure: sometimes\n", "insecure"),
        ("a passphrase in the file", "    key_password: hunter2\n", "key_password"),
        ("a host with a port", "    host: 127.0.0.1:8443\n", "host"),
        ("a timeout without a unit", "    timeout: 10 seconds please\n", "timeout"),
    ];
    for (what, line, named) in mistakes {
        let host = if line.contains("host:") { "" } else { "    host: x.example\n" };
        let yaml = format!("checks:\n  - name: a\n{host}{line}");
        pki.write("checks.yaml", &yaml);
        let problems = checks_errors(&yaml);
        assert!(!problems.is_empty(), "{what}: the schema accepts\n{yaml}");
        let output =
            mtlscheck().current_dir(pki.dir.path()).args(["validate", "checks.yaml"]).output().expect("validate");
        assert_eq!(output.status.code(), Some(2), "{what}: validate accepts\n{yaml}");
        let stderr = stderr_text(&output);
        if named != "key_password" {
            assert!(stderr.contains(named), "{what}: {stderr}");
        }
        assert!(!stderr.contains("hunter2"), "{stderr}");
    }
}

/// Values of the fields whose grammar lives in the loader: the schema accepts exactly those the
/// loader accepts (`config::parse`, no files involved). Rules across fields that `defaults` may
/// split between itself and a check (`http_method` needs `http_path`) stay the loader's alone.
#[test]
fn the_schemas_grammars_agree_with_the_loader_value_by_value() {
    let cases: &[(&str, &[&str])] = &[
        (
            "timeout",
            &["10s", "500ms", "1m 30s", "1.5s", "2", "0.25", "\"10\"", "soon", "10 parsecs", "-1", "0", "3601"],
        ),
        ("host", &["x.example", "10.0.0.1", "\"::1\"", "\"[::1]\"", "x.example:443", "https://x.example/", "\"a b\""]),
        ("connect", &["10.0.0.5", "10.0.0.5:8443", "\"[::1]:9443\"", "\"::1\"", "\"\"", "\"::1:x443\"", "a:b"]),
        ("proxy", &["\"http://proxy.corp:3128\"", "proxy.corp", "\"\"", "\"socks5://p:1080\"", "\"http://p:1/path\""]),
        (
            "name_style",
            &["rfc2253", "RFC2253", "oneline", "\"1.1.1\"", "3.5", "\"3.0.13\"", "libressl", "fancy", "2.0"],
        ),
        ("name_style", &["\"OpenSSL 3.5.1 1 Jul 2025\"", "\"1.0.2\"", "sep-comma-plus-space-escaped"]),
        ("http_path: /\n    http_method", &["GET", "HEAD", "get", "\"\""]),
        ("http_path", &["/", "/secure", "secure", "\"/a b\""]),
        ("retries", &["0", "5", "6"]),
        ("port", &["1", "65535", "0", "65536"]),
        (
            "expect",
            &[
                "{min_protocol: TLSv1.2}",
                "{min_protocol: tlsv1.3}",
                "{min_protocol: TLSv1.0}",
                "{min_protocol: TLS1.2}",
            ],
        ),
        (
            "expect",
            &["{verify: ok}", "{verify: OK}", "{verify: yes}", "{client_auth: error}", "{ca_names_include: []}"],
        ),
        ("identities", &["[{name: a}]", "[]", "[{cert: a.pem}]"]),
    ];
    let mut disagreements = Vec::new();
    for (field, values) in cases {
        for value in *values {
            let yaml = format!("checks:\n  - name: a\n    host: x.example\n    {field}: {value}\n").replacen(
                "    host: x.example\n    host:",
                "    host:",
                1,
            );
            let schema_ok = checks_errors(&yaml).is_empty();
            let loaded = mtlscheck::config::parse(&yaml, Path::new("checks.yaml"), Path::new("."));
            if schema_ok != loaded.is_ok() {
                disagreements.push(format!(
                    "{field}: {value}: schema {}, loader {}",
                    if schema_ok { "accepts" } else { "refuses" },
                    loaded.map(|_| "accepts".to_string()).unwrap_or_else(|err| format!("refuses ({err})"))
                ));
            }
        }
    }
    assert!(disagreements.is_empty(), "the checks schema and the loader disagree:\n{}", disagreements.join("\n"));
}

/// A report of the first release (no keys added since) and one of a later version (new keys,
/// new values of the open sets) both validate: old readers keep reading.
#[test]
fn reports_of_older_and_newer_versions_validate() {
    let attempt = json!({
        "handshake": "ok", "accepted": true, "alert": null, "error": null,
        "http_status": null, "http_status_line": null, "elapsed_ms": 3
    });
    let old_result = json!({
        "name": "a", "host": "x.example", "port": 443, "servername": null, "address": "10.0.0.1:443",
        "client_auth": "required", "cert_requested": true, "cert_requested_after_handshake": false,
        "ca_names_sent": true, "ca_names": ["CN = CA"], "ca_name_match": true, "matched_ca_name": "CN = CA",
        "protocol": "TLSv1.3", "cipher": "TLS_AES_256_GCM_SHA384", "verify_code": 0, "verify_error": null,
        "requested_sigalgs": [], "client_cert_types": [], "server_temp_key": null, "peer_chain": [],
        "client_cert_subject": null, "client_cert_issuer": null,
        "without_cert": attempt, "with_cert": attempt, "expectations": [], "status": "pass", "error": null,
        "notes": [], "elapsed_ms": 7
    });
    let old = json!({ "mtlscheck_version": "0.1.0", "openssl_version": "OpenSSL 3.0.19", "results": [old_result] });
    report(&old, "a report of the first release");

    let mut newer = old.clone();
    newer["a_key_from_the_future"] = json!({ "anything": [1, 2] });
    newer["results"][0]["enforced_at"] = json!("quic_layer");
    newer["results"][0]["with_cert"]["decided_by"] = json!("carrier_pigeon");
    newer["results"][0]["client_stacks"] = json!({ "zig": { "outcome": "sends_twice", "reason": "new" } });
    newer["results"][0]["new_field"] = json!(true);
    report(&newer, "a report of a newer version");

    let mut broken = old;
    broken["results"][0]["port"] = json!("443");
    let problems = errors(Document::Report, &broken);
    assert!(problems.iter().any(|p| p.at == "/results/0/port"), "a wrong type is still refused");
}

/// `check-jsonschema --schemafile SCHEMA FILE` (pip's check-jsonschema; .ci/run installs it).
fn check_jsonschema(schema: &Path, file: &Path) -> std::process::Output {
    Command::new("check-jsonschema")
        .arg("--schemafile")
        .arg(schema)
        .arg(file)
        .output()
        .expect("check-jsonschema must be installed (pip install check-jsonschema; .ci/run installs it)")
}

#[test]
fn check_jsonschema_accepts_the_committed_schemas_a_real_report_and_checks_yaml() {
    let pki = TestPki::new();
    let metaschema = Command::new("check-jsonschema")
        .arg("--check-metaschema")
        .args([repository("schemas/checks.schema.json"), repository("schemas/report.schema.json")])
        .output()
        .expect("check-jsonschema");
    assert!(metaschema.status.success(), "{}{}", stdout_text(&metaschema), stderr_text(&metaschema));

    let report_file = pki.path("report.json");
    mtlscheck().current_dir(pki.dir.path()).args(["demo", "--format", "json", "-o"]).arg(&report_file).assert().code(0);
    crate::support::runs::json_file(&report_file);
    for (schema, file) in
        [("schemas/report.schema.json", report_file), ("schemas/checks.schema.json", repository("checks.yaml"))]
    {
        let output = check_jsonschema(&repository(schema), &file);
        assert!(
            output.status.success(),
            "{} does not validate against {schema}:\n{}{}",
            file.display(),
            stdout_text(&output),
            stderr_text(&output)
        );
    }
    // And it refuses what the in-process validator refuses.
    let typo = pki.write("typo.yaml", "checks:\n  - name: a\n    hots: x.example\n");
    let output = check_jsonschema(&repository("schemas/checks.schema.json"), &typo);
    assert_eq!(output.status.code(), Some(1), "{}", stdout_text(&output));
    assert!(stdout_text(&output).contains("hots"), "{}", stdout_text(&output));
}

/// Editors run yaml-language-server on Node, which compiles `pattern`s as ECMA-262 regular
/// expressions in unicode mode (stricter than the validators' engines about escapes): every
/// pattern of both schemas must compile there.
#[test]
fn every_pattern_compiles_as_editors_compile_it() {
    let script = "let count = 0;\
        const walk = (node) => { if (node && typeof node === 'object') { for (const [key, value] of Object.entries(node)) {\
            if (key === 'pattern') { new RegExp(value, 'u'); count++; } walk(value); } } };\
        for (const file of process.argv.slice(1)) { walk(JSON.parse(require('fs').readFileSync(file, 'utf8'))); }\
        console.log(count);";
    let output = Command::new("node")
        .args(["-e", script])
        .arg(repository("schemas/checks.schema.json"))
        .arg(repository("schemas/report.schema.json"))
        .output()
        .expect("node must be installed (.ci/run installs nodejs)");
    assert!(output.status.success(), "a pattern does not compile in unicode mode:\n{}", stderr_text(&output));
    let count: usize = stdout_text(&output).trim().parse().expect("a count");
    assert!(count >= 10, "only {count} patterns found");
}
