//! `mtlscheck init`: a first checks file from one probe of each endpoint, which validates as
//! written, passes against the same endpoints and fails when one of them drifts.

use mtlscheck::lab::LabClientAuth;

use crate::support::{ClosedPort, TestPki, lab_server, mtlscheck};

#[test]
fn init_writes_a_checks_file_that_validates_passes_and_catches_drift() {
    let pki = TestPki::new();
    let required = pki.required_server();
    let mut optional = pki.server_config();
    optional.client_auth = LabClientAuth::Optional;
    let optional = lab_server(optional.tls12_only());
    let closed = ClosedPort::reserve();
    let targets = [required.port(), optional.port(), closed.port].map(|port| format!("127.0.0.1:{port}"));
    let init = |force: bool| {
        let mut command = mtlscheck();
        command.current_dir(pki.dir.path()).arg("init").args(&targets);
        command.args(["--cacert", "server-ca.pem", "--cert", "client.pem", "--key", "client.key", "--timeout", "3s"]);
        if force {
            command.arg("--force");
        }
        command.output().expect("init")
    };
    let output = init(false);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("wrote checks.yaml with 3 checks (1 could not be probed"), "{stderr}");
    let yaml = std::fs::read_to_string(pki.path("checks.yaml")).expect("checks.yaml written");
    let document = crate::support::schemas::yaml_document(&yaml).expect("YAML");
    let problems = crate::support::schemas::errors(mtlscheck::schema::Document::Checks, &document);
    assert!(problems.is_empty(), "init's file does not validate against the checks schema:\n{yaml}");
    let required_check = format!(
        "  - name: 127.0.0.1-{}\n    host: 127.0.0.1\n    port: {}\n    expect:\n      client_auth: required\n      \
         ca_names_exact:\n        - C = CH, O = Z\\C3\\BCrich Partner AG, CN = Lab Client CA\n      min_protocol: TLSv1.3\n",
        required.port(),
        required.port()
    );
    assert!(yaml.contains(&required_check), "{yaml}");
    assert!(yaml.contains("      client_auth: optional\n"), "{yaml}");
    assert!(yaml.contains("      min_protocol: TLSv1.2\n"), "{yaml}");
    assert!(yaml.contains("  cert: client.pem"), "paths relative to the file's folder: {yaml}");
    assert!(yaml.contains(&format!("cannot connect to 127.0.0.1:{}", closed.port)), "{yaml}");

    // It validates as written, and a run against the same endpoints passes them.
    let validate =
        mtlscheck().current_dir(pki.dir.path()).args(["validate", "checks.yaml"]).output().expect("validate");
    assert_eq!(validate.status.code(), Some(0), "{}", String::from_utf8_lossy(&validate.stdout));
    let run =
        mtlscheck().current_dir(pki.dir.path()).args(["run", "checks.yaml", "--format", "json"]).output().expect("run");
    let report = crate::support::stdout_json(&run);
    let statuses: Vec<&str> =
        report["results"].as_array().unwrap().iter().map(|r| r["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["pass", "pass", "error"], "{report:#}");

    // An existing file is kept unless --force.
    let again = init(false);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("checks.yaml exists: give another file with -o, or --force")
    );
    assert_eq!(init(true).status.code(), Some(0));

    // Drift: the file says the first partner names only our CA; written for the optional one's
    // port, those expectations fail (client auth and protocol changed).
    let drifted = yaml.replace(&format!("port: {}", required.port()), &format!("port: {}", optional.port()));
    pki.write("checks.yaml", &drifted);
    let run =
        mtlscheck().current_dir(pki.dir.path()).args(["run", "checks.yaml", "--format", "json"]).output().expect("run");
    let report = crate::support::stdout_json(&run);
    assert_eq!(report["results"][0]["status"], "fail", "{report:#}");
}
