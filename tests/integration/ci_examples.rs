//! docs/examples/: the nightly CI files (GitHub Actions, GitLab CI) validated against the
//! schemas check-jsonschema ships for them, and using the flags that exist.

use std::path::Path;
use std::process::Command;

use crate::support::runs::{mtlscheck, stdout_text};

fn example(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/examples").join(name).display().to_string()
}

/// `check-jsonschema --builtin-schema SCHEMA FILE` (pip's check-jsonschema; .ci/run installs it).
fn validate(schema: &str, file: &str) {
    let output = Command::new("check-jsonschema")
        .args(["--builtin-schema", schema, file])
        .output()
        .expect("check-jsonschema must be installed (pip install check-jsonschema; .ci/run installs it)");
    assert!(
        output.status.success(),
        "{file} does not validate against {schema}:\n{}{}",
        stdout_text(&output),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn nightly_ci_examples_validate_against_their_vendors_schemas_and_use_real_flags() {
    let github = example("github-nightly.yml");
    let gitlab = example("gitlab-ci.yml");
    validate("vendor.github-workflows", &github);
    validate("vendor.gitlab-ci", &gitlab);

    let run_help = stdout_text(&mtlscheck().args(["run", "--help"]).assert().success().get_output().clone());
    for file in [&github, &gitlab] {
        let text = std::fs::read_to_string(file).expect("example");
        for needed in ["mtlscheck run checks/checks.yaml --shard", "--baseline", "mtlscheck merge shard-*.json"] {
            assert!(text.contains(needed), "{file} lacks {needed:?}");
        }
        for flag in ["--shard", "--baseline", "--output"] {
            assert!(run_help.contains(flag), "mtlscheck run has no {flag}");
        }
    }
}
