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

#[test]
fn the_repository_checks_yaml_validates_as_it_is_from_any_folder() {
    let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("checks.yaml");
    let elsewhere = tempfile::tempdir().expect("a folder");
    let output = mtlscheck().current_dir(elsewhere.path()).arg("validate").arg(&example).output().expect("validate");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    for name in ["partner-a-api", "partner-b-gateway", "partner-d-rotation"] {
        assert!(stdout.contains(&format!("{name}: ok")), "{stdout}");
    }
    // The example PKI lives long: the file's `client_cert_days_left: 30` holds for decades.
    let pem =
        std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/pki/client/our-client.crt"))
            .expect("the example certificate");
    let certificate = openssl::x509::X509::from_pem(&pem).expect("PEM");
    let in_50_years = openssl::asn1::Asn1Time::days_from_now(365 * 50).expect("a time");
    assert!(certificate.not_after() > in_50_years, "{}", certificate.not_after());
}

#[test]
fn init_into_a_missing_folder_fails_before_probing_and_replaces_a_file_whole() {
    let pki = TestPki::new();
    let server = pki.required_server();
    let target = format!("127.0.0.1:{}", server.port());
    let output = mtlscheck()
        .current_dir(pki.dir.path())
        .args(["init", &target, "--cacert", "server-ca.pem", "-o", "missing/checks.yaml"])
        .output()
        .expect("init");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot write missing/checks.yaml: the folder missing does not exist"), "{stderr}");
    // --force replaces the file through a temporary one: nothing else is left in the folder.
    std::fs::write(pki.path("checks.yaml"), "old").expect("an old file");
    let before: usize = std::fs::read_dir(pki.dir.path()).expect("list").count();
    let output = mtlscheck()
        .current_dir(pki.dir.path())
        .args(["init", &target, "--cacert", "server-ca.pem", "--force"])
        .output()
        .expect("init --force");
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(std::fs::read_to_string(pki.path("checks.yaml")).expect("written").contains("checks:"));
    assert_eq!(std::fs::read_dir(pki.dir.path()).expect("list").count(), before);
}
