//! One real run whose report has every kind of row the HTML and metrics exports show: a pass,
//! a failed expectation against a server whose certificate and CA names carry markup, an
//! expired server certificate, an endpoint that cannot be probed, and a check whose endpoint
//! changed since the baseline (a first real run against another server), with two identities
//! (ours, accepted, and a next one from a CA the partner does not trust yet) and the impostor.

use std::path::PathBuf;

use mtlscheck::lab::pki::{self, CertSpec};
use mtlscheck::lab::{CaNames, LabClientAuth, LabServer, LabServerConfig};

use super::runs::{ClosedPort, mtlscheck};
use super::{TestPki, lab_server};

/// A check name with markup, quotes and a backslash: what escaping must survive.
pub const HOSTILE_CHECK: &str = r#"<script>window.pwned=1</script> "quoted" \ back"#;
/// The CN of the CA name the hostile server sends.
const HOSTILE_CA_CN: &str = r#"<img src=x onerror="window.pwned=2">"#;
/// The CN of the hostile server's own certificate.
const HOSTILE_SERVER_CN: &str = "</td></tr><b id=injected>bold</b>";
/// Days left on the hostile server's certificate: inside the 30-day warning window.
pub const SOON_DAYS: i32 = 20;

pub struct VariedRun {
    pub pki: TestPki,
    /// The baseline report of the first run.
    pub baseline: PathBuf,
    _servers: Vec<LabServer>,
    _closed: ClosedPort,
}

/// The five checks; `drifting` points at `drifting_port`.
fn checks_file(pki: &TestPki, ports: &Ports, drifting_port: u16) -> PathBuf {
    let hostile = HOSTILE_CHECK.replace('\'', "''");
    pki.write(
        "checks.yaml",
        &format!(
            "defaults:
  host: 127.0.0.1
  timeout: 3s
  cacert: server-ca.pem
  cert: client.pem
  key: client.key
checks:
  - name: one-way
    port: {one_way}
    expect: {{client_auth: none}}
  - name: '{hostile}'
    port: {hostile_port}
    expect: {{client_auth: required, ca_name_match: true}}
  - name: expired-server
    port: {expired}
    insecure: true
  - name: unreachable
    port: {closed}
  - name: drifting
    port: {drifting_port}
    impostor: true
    identities:
      - {{name: current, cert: client.pem, key: client.key}}
      - {{name: next, cert: next-client.pem, key: next-client.key, expect: {{accepted_from: 2099-01-01}}}}
",
            one_way = ports.one_way,
            hostile_port = ports.hostile,
            expired = ports.expired,
            closed = ports.closed,
        ),
    )
}

struct Ports {
    one_way: u16,
    hostile: u16,
    expired: u16,
    closed: u16,
}

fn server_with(pki: &TestPki, subject: &[(&str, &str)], not_before_days: i32, not_after_days: i32) -> LabServerConfig {
    let identity = pki::issue(&CertSpec {
        subject,
        issuer: Some(&pki.pki.server_ca),
        san: &["127.0.0.1"],
        not_before_days,
        not_after_days,
        ..Default::default()
    })
    .expect("issue a server certificate");
    let mut config = LabServerConfig::new(identity);
    config.trusted_client_cas = vec![pki.pki.client_ca.cert.clone()];
    config
}

impl VariedRun {
    /// Starts the servers and makes the baseline run (`drifting` against an optional server).
    pub fn start() -> VariedRun {
        let pki = TestPki::new();
        let next = pki::issue(&CertSpec {
            subject: &[("O", "Our Company"), ("CN", "our-next-client")],
            issuer: Some(&pki.pki.other_ca),
            not_after_days: 400,
            ..Default::default()
        })
        .expect("issue the next client certificate");
        pki::write_certs(&pki.path("next-client.pem"), &[&next.cert]).expect("write the next certificate");
        pki::write_key(&pki.path("next-client.key"), &next.key).expect("write the next key");
        let one_way = lab_server(pki.server_config());

        let hostile_ca = pki::issue(&CertSpec {
            subject: &[("O", "</script><script>window.pwned=3</script>"), ("CN", HOSTILE_CA_CN)],
            is_ca: true,
            ..Default::default()
        })
        .expect("issue the hostile CA");
        let mut hostile = server_with(&pki, &[("CN", HOSTILE_SERVER_CN)], -1, SOON_DAYS);
        hostile.client_auth = LabClientAuth::Required;
        hostile.ca_names = CaNames::SubjectsOf(vec![hostile_ca.cert]);
        let hostile = lab_server(hostile);

        let expired = lab_server(server_with(&pki, &[("CN", "expired.example")], -100, -10));
        let mut optional = pki.server_config();
        optional.client_auth = LabClientAuth::Optional;
        let optional = lab_server(optional);
        let required = pki.required_server();
        let closed = ClosedPort::reserve();

        let ports =
            Ports { one_way: one_way.port(), hostile: hostile.port(), expired: expired.port(), closed: closed.port };
        let checks = checks_file(&pki, &ports, optional.port());
        mtlscheck().arg("run").arg(&checks).args(["-o", "baseline.json"]).current_dir(pki.dir.path()).assert().code(1);
        // Tonight `drifting` answers from a server that requires a certificate.
        checks_file(&pki, &ports, required.port());
        let baseline = pki.path("baseline.json");
        VariedRun { pki, baseline, _servers: vec![one_way, hostile, expired, optional, required], _closed: closed }
    }

    /// Tonight's run against the baseline, writing `outputs` (`-o` values) in the run's folder;
    /// returns the table printed on stdout.
    pub fn run(&self, outputs: &[&str]) -> String {
        let mut command = mtlscheck();
        command.arg("run").arg(self.pki.path("checks.yaml")).arg("--baseline").arg(&self.baseline);
        for output in outputs {
            command.args(["-o", output]);
        }
        let output = command.current_dir(self.pki.dir.path()).assert().code(1).get_output().clone();
        String::from_utf8_lossy(&output.stdout).into_owned()
    }
}
