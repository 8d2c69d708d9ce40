//! The proof of mtlscheck's client-stack predictions. Real clients (`support/clients`) connect
//! to real `openssl s_server`s whose CertificateRequests are crafted per case — CA names in
//! other spellings and string types, chains with and without the intermediate, signature
//! algorithms our key cannot use — in TLS 1.2 and 1.3. For every (case, version, client) the
//! server's own log says whether our certificate arrived (S), an empty Certificate did (–) or
//! the client aborted first (E). `mtlscheck probe --format json` against a server of the same
//! configuration predicts each stack at `results[0].client_stacks.<stack>.outcome`; every
//! mismatch is reported at once. The observed matrix is written to
//! target/client-selection-matrix.md.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::clients::lab::{CaNames, ClientLab, IdentityKind};
use crate::support::clients::programs::Programs;
use crate::support::clients::server::{Observed, OneShotServer, ServerRecord};
use crate::support::clients::{Client, Run, Tls, client_versions, drive};
use crate::support::{SServer, mtlscheck, path_arg};

/// One crafted CertificateRequest and the identity every client is given for it.
struct Case {
    id: &'static str,
    /// What the server asks, as the matrix's row says it.
    request: &'static str,
    names: Option<CaNames>,
    identity: IdentityKind,
    /// `s_server -client_sigalgs`: the signature algorithms the CertificateRequest allows.
    sigalgs: Option<&'static str>,
    versions: &'static [Tls],
}

const BOTH: &[Tls] = &[Tls::V1_2, Tls::V1_3];

const CASES: &[Case] = &[
    Case {
        id: "no-ca-names",
        request: "no CA names",
        names: None,
        identity: IdentityKind::Direct,
        sigalgs: None,
        versions: BOTH,
    },
    Case {
        id: "unrelated-ca",
        request: "an unrelated CA only",
        names: Some(CaNames::Unrelated),
        identity: IdentityKind::Direct,
        sigalgs: None,
        versions: BOTH,
    },
    Case {
        id: "root-exact",
        request: "our root's DN, byte for byte",
        names: Some(CaNames::Root),
        identity: IdentityKind::Direct,
        sigalgs: None,
        versions: BOTH,
    },
    Case {
        id: "root-printable",
        request: "our root's DN as PrintableString",
        names: Some(CaNames::RootPrintable),
        identity: IdentityKind::Direct,
        sigalgs: None,
        versions: BOTH,
    },
    Case {
        id: "root-bmp",
        request: "our root's DN as BMPString",
        names: Some(CaNames::RootBmp),
        identity: IdentityKind::Direct,
        sigalgs: None,
        versions: BOTH,
    },
    Case {
        id: "root-lowercase",
        request: "our root's DN in lower case",
        names: Some(CaNames::RootLowercase),
        identity: IdentityKind::Direct,
        sigalgs: None,
        versions: BOTH,
    },
    Case {
        id: "root-double-space",
        request: "our root's DN with a double space",
        names: Some(CaNames::RootDoubleSpace),
        identity: IdentityKind::Direct,
        sigalgs: None,
        versions: BOTH,
    },
    Case {
        id: "intermediate-chain",
        request: "intermediate only, we send leaf + intermediate",
        names: Some(CaNames::Intermediate),
        identity: IdentityKind::Chain,
        sigalgs: None,
        versions: BOTH,
    },
    Case {
        id: "intermediate-leaf-alone",
        request: "intermediate only, we send the leaf alone",
        names: Some(CaNames::Intermediate),
        identity: IdentityKind::LeafAlone,
        sigalgs: None,
        versions: BOTH,
    },
    Case {
        id: "root-chain",
        request: "root only, we send leaf + intermediate",
        names: Some(CaNames::Root),
        identity: IdentityKind::Chain,
        sigalgs: None,
        versions: BOTH,
    },
    Case {
        id: "root-leaf-alone",
        request: "root only, we send the leaf alone",
        names: Some(CaNames::Root),
        identity: IdentityKind::LeafAlone,
        sigalgs: None,
        versions: BOTH,
    },
    Case {
        id: "ecdsa-only-rsa-key",
        request: "ECDSA-only signature algorithms, our key is RSA",
        names: Some(CaNames::Root),
        identity: IdentityKind::Direct,
        sigalgs: Some("ECDSA+SHA256:ECDSA+SHA384:ECDSA+SHA512"),
        versions: BOTH,
    },
    Case {
        id: "rsa-sha1-only",
        request: "RSA+SHA1 only",
        names: Some(CaNames::Root),
        identity: IdentityKind::Direct,
        sigalgs: Some("RSA+SHA1"),
        versions: &[Tls::V1_2],
    },
    Case {
        id: "ecdsa-sha384-p256-key",
        request: "only ECDSA+SHA384, our key is EC P-256",
        names: Some(CaNames::Root),
        identity: IdentityKind::EcP256,
        sigalgs: Some("ECDSA+SHA384"),
        versions: BOTH,
    },
];

/// A case in one protocol version: a row of the matrix.
type Row = (usize, Tls);

/// `s_server` options of a case: it requires a certificate (`-Verify 1 -verify_return_error`),
/// trusts our root (`-verifyCAfile`), lists the subjects of `-CAfile` as CA names, and answers
/// HTTP (`-www`) so each client can finish with a request.
fn server_args(lab: &ClientLab, case: &Case, tls: Tls) -> Vec<String> {
    let mut args: Vec<String> = ["-www", "-Verify", "1", "-verify_return_error", "-cert"].map(String::from).to_vec();
    args.extend([path_arg(&lab.pki.path("server.pem")), "-key".into(), path_arg(&lab.pki.path("server.key"))]);
    args.extend(["-verifyCAfile".into(), path_arg(&lab.our_root())]);
    args.push(if tls == Tls::V1_2 { "-tls1_2" } else { "-tls1_3" }.into());
    if let Some(names) = case.names {
        args.extend(["-CAfile".into(), path_arg(&lab.ca_names_file(names))]);
    }
    if let Some(sigalgs) = case.sigalgs {
        args.extend(["-client_sigalgs".into(), sigalgs.into()]);
        if sigalgs.contains("SHA1") {
            // OpenSSL 3 offers SHA-1 signature algorithms only at security level 0.
            args.extend(["-cipher".into(), "DEFAULT:@SECLEVEL=0".into()]);
        }
    }
    args
}

fn rows() -> Vec<Row> {
    CASES.iter().enumerate().flat_map(|(i, case)| case.versions.iter().map(move |&tls| (i, tls))).collect()
}

fn run_id(row: Row, client: Client) -> String {
    let (case, tls) = row;
    format!("{}-tls{}-{:?}", CASES[case].id, tls.number().replace('.', ""), client)
}

/// What one client did in one row: the server's record and the client's own words.
struct Observation {
    record: ServerRecord,
    client_said: String,
}

/// What mtlscheck saw and predicted for one row.
struct Prediction {
    /// `results[0]` of the JSON report (null if mtlscheck printed no report).
    result: Value,
    problem: Option<String>,
}

impl Prediction {
    fn stack(&self, stack: &str) -> Option<(&str, &str)> {
        let entry = &self.result["client_stacks"][stack];
        Some((entry["outcome"].as_str()?, entry["reason"].as_str().unwrap_or("")))
    }
}

enum Job {
    /// Clients that share a process (both Java key managers) or one client, over every row.
    Observe(Vec<Client>),
    Predict(Row),
}

#[derive(Default)]
struct Results {
    observed: BTreeMap<(Row, Client), Observation>,
    predicted: BTreeMap<Row, Prediction>,
}

#[test]
fn real_clients_send_what_mtlscheck_predicts() {
    let started = Instant::now();
    let lab = ClientLab::generate();
    let programs = Programs::build();
    let logs = lab.dir().join("logs");
    std::fs::create_dir_all(&logs).expect("logs folder");
    let prepared = started.elapsed();

    let mut jobs: Vec<Job> = rows().into_iter().map(Job::Predict).collect();
    // The Java family first: its JVM is the longest single job.
    jobs.extend(Client::families().into_iter().rev().map(Job::Observe));
    let jobs = Mutex::new(jobs);
    let results = Mutex::new(Results::default());
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                loop {
                    // Popped in its own statement: a guard in the loop's condition would hold
                    // the lock through the job and run the jobs one at a time.
                    let job = jobs.lock().unwrap().pop();
                    let Some(job) = job else { break };
                    match job {
                        Job::Observe(family) => {
                            let observed = observe(&lab, &family, &programs, &logs);
                            results.lock().unwrap().observed.extend(observed);
                        }
                        Job::Predict(row) => {
                            let prediction = predict(&lab, row);
                            results.lock().unwrap().predicted.insert(row, prediction);
                        }
                    }
                }
            });
        }
    });
    let results = results.into_inner().unwrap();
    let matrix = matrix_markdown(&results, &client_versions());
    let matrix_file =
        Path::new(env!("CARGO_TARGET_TMPDIR")).parent().unwrap_or(Path::new(".")).join("client-selection-matrix.md");
    std::fs::write(&matrix_file, &matrix).expect("write the observed matrix");
    eprintln!(
        "client selection: PKI and client programs {:.1} s, {} connections and {} probes in {:.1} s in all; matrix in {}",
        prepared.as_secs_f64(),
        results.observed.len(),
        results.predicted.len(),
        started.elapsed().as_secs_f64(),
        matrix_file.display()
    );

    assert_observations_sound(&results, &logs);
    assert_predictions_match(&results, &matrix_file);
}

/// Starts a one-shot server per (row, client) of `family`, runs the family's clients against
/// them and reads each server's record.
fn observe(lab: &ClientLab, family: &[Client], programs: &Programs, logs: &Path) -> Vec<((Row, Client), Observation)> {
    let mut keys = Vec::new();
    let mut runs = Vec::new();
    for row in rows() {
        let (case, tls) = row;
        for &client in family {
            let id = run_id(row, client);
            let server = OneShotServer::start(logs, &format!("server-{id}"), &server_args(lab, &CASES[case], tls));
            let identity = lab.identity(CASES[case].identity);
            runs.push(Run { id, client, tls, identity, server, client_said: String::new() });
            keys.push((row, client));
        }
    }
    drive(&mut runs, &lab.server_ca(), programs, logs);
    keys.into_iter()
        .zip(runs)
        .map(|(key, run)| {
            let record = run.server.finish(Duration::from_secs(2));
            (key, Observation { record, client_said: run.client_said })
        })
        .collect()
}

/// `mtlscheck probe` with the row's identity against an s_server of the row's configuration.
fn predict(lab: &ClientLab, row: Row) -> Prediction {
    let (case, tls) = row;
    let args = server_args(lab, &CASES[case], tls);
    let server = SServer::start(&lab.pki, &args.iter().map(String::as_str).collect::<Vec<_>>());
    let identity = lab.identity(CASES[case].identity);
    let output = mtlscheck()
        .current_dir(lab.dir())
        .args(["probe", &format!("127.0.0.1:{}", server.port), "--cacert"])
        .arg(lab.server_ca())
        .arg("--cert")
        .arg(&identity.cert_and_chain)
        .arg("--key")
        .arg(&identity.key)
        .args([if tls == Tls::V1_2 { "--tls1_2" } else { "--tls1_3" }, "--format", "json"])
        .output()
        .expect("run mtlscheck probe");
    let stdout = String::from_utf8_lossy(&output.stdout);
    match serde_json::from_str::<Value>(&stdout) {
        Ok(report) => {
            crate::support::schemas::report(&report, "probe's stdout");
            let result = report["results"][0].clone();
            let problem = match result["error"].as_str() {
                Some(error) => Some(format!("mtlscheck could not probe: {error}")),
                None if result["cert_requested"] != Value::Bool(true) => {
                    Some("mtlscheck saw no CertificateRequest".to_string())
                }
                None => None,
            };
            Prediction { result, problem }
        }
        Err(err) => Prediction {
            result: Value::Null,
            problem: Some(format!(
                "mtlscheck printed no JSON report ({err}), exit {:?}: {}",
                output.status.code(),
                String::from_utf8_lossy(&output.stderr).trim()
            )),
        },
    }
}

/// The observation side first: every connection must have been seen by its server, and the
/// servers must have asked what each case says.
fn assert_observations_sound(results: &Results, logs: &Path) {
    let mut problems = Vec::new();
    for ((row, client), observation) in &results.observed {
        if let Err(problem) = &observation.record.observed {
            problems.push(format!(
                "{} / {}: {problem} ({}); the client said: {}",
                row_label(*row),
                client.label(),
                observation.record.detail(),
                observation.client_said
            ));
        }
    }
    for (&row, prediction) in &results.predicted {
        if let Some(problem) = &prediction.problem {
            problems.push(format!("{}: {problem}", row_label(row)));
            continue;
        }
        let case = &CASES[row.0];
        let requested = prediction.result["requested_sigalgs"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(":"));
        if let Some(sigalgs) = case.sigalgs
            && requested.as_deref() != Some(sigalgs)
        {
            problems.push(format!("{}: the server asked for {requested:?}, the case for {sigalgs}", row_label(row)));
        }
        let names_sent = prediction.result["ca_names_sent"] == Value::Bool(true);
        if names_sent != case.names.is_some() {
            problems.push(format!("{}: CA names sent: {names_sent}, the case says {:?}", row_label(row), case.names));
        }
    }
    assert!(
        problems.is_empty(),
        "the observation side is broken ({} problems; logs in {}):\n{}",
        problems.len(),
        logs.display(),
        problems.join("\n")
    );
}

/// Every prediction against what the real client did, all mismatches in one message.
fn assert_predictions_match(results: &Results, matrix_file: &Path) {
    let missing: Vec<String> = results
        .predicted
        .iter()
        .filter(|(_, p)| !p.result["client_stacks"].is_object())
        .map(|(row, _)| row_label(*row))
        .collect();
    assert!(
        missing.is_empty(),
        "mtlscheck's JSON has no `client_stacks` (issue 11's prediction engine) for {} of {} rows, e.g. {}; \
         nothing to compare the real clients with. What they did is in {}",
        missing.len(),
        results.predicted.len(),
        missing[0],
        matrix_file.display()
    );
    let mismatches: Vec<String> = mismatches(results).into_values().collect();
    assert!(
        mismatches.is_empty(),
        "{} predictions differ from the real clients (matrix in {}):\n{}",
        mismatches.len(),
        matrix_file.display(),
        mismatches.join("\n")
    );
}

/// Every (row, client) whose stack's prediction differs from what the client did, with the line
/// that says so; rows without predictions are left out (reported on their own).
fn mismatches(results: &Results) -> BTreeMap<(Row, Client), String> {
    let mut found = BTreeMap::new();
    for ((row, client), observation) in &results.observed {
        let (Some(stack), Ok(observed)) = (client.stack(), observation.record.observed.clone()) else { continue };
        let prediction = &results.predicted[row];
        if !prediction.result["client_stacks"].is_object() {
            continue;
        }
        let (predicted, reason) = prediction.stack(stack).unwrap_or(("(missing)", ""));
        if predicted != observed.outcome() {
            let line = format!(
                "{} / {}: observed {} ({observed}{}), mtlscheck predicts `{stack}`: {predicted} — {reason}",
                row_label(*row),
                client.label(),
                observed.outcome(),
                detail_suffix(&observation.record)
            );
            found.insert((*row, *client), line);
        }
    }
    found
}

fn detail_suffix(record: &ServerRecord) -> String {
    let detail = record.detail();
    if detail.is_empty() { String::new() } else { format!(": {detail}") }
}

fn row_label((case, tls): Row) -> String {
    format!("{} (TLS {})", CASES[case].request, tls.number())
}

/// The observed matrix (S/–/E per case, version and client), what mtlscheck saw of each
/// server, and why each client that did not send gave up.
fn matrix_markdown(results: &Results, versions: &[(&str, String)]) -> String {
    let mut md = String::from("# Client selection: what real clients sent (tests/integration/client_selection.rs)\n\n");
    for (client, version) in versions {
        let _ = writeln!(md, "- {client}: {version}");
    }
    md.push_str("\nS = the server received our certificate, – = an empty Certificate, E = the client aborted first, ? = unknown (see the notes); **bold**: mtlscheck predicted otherwise.\n\n");
    let differing = mismatches(results);
    let _ = writeln!(md, "| CertificateRequest | TLS | {} |", Client::ALL.map(Client::label).join(" | "));
    let _ = writeln!(md, "|---|---|{}", "---|".repeat(Client::ALL.len()));
    for row in rows() {
        let cells: Vec<String> = Client::ALL
            .iter()
            .map(|&client| {
                let cell = results.observed.get(&(row, client)).map(|o| o.record.cell()).unwrap_or_else(|| "?".into());
                if differing.contains_key(&(row, client)) { format!("**{cell}**") } else { cell }
            })
            .collect();
        let _ = writeln!(md, "| {} | {} | {} |", CASES[row.0].request, row.1.number(), cells.join(" | "));
    }
    if !differing.is_empty() {
        md.push_str("\n## Predictions that differ from the real clients\n\n");
        for line in differing.values() {
            let _ = writeln!(md, "- {line}");
        }
    }
    md.push_str("\n## What each server asked (as mtlscheck saw it)\n\n");
    for row in rows() {
        let case = &CASES[row.0];
        let _ = write!(md, "- {}: identity {}", row_label(row), case.identity.label());
        if let Some(prediction) = results.predicted.get(&row) {
            let field = |key: &str| prediction.result[key].to_string();
            let _ = write!(
                md,
                "; ca_names {}; requested_sigalgs {}; client_cert_types {}; ca_name_match {}",
                field("ca_names"),
                field("requested_sigalgs"),
                field("client_cert_types"),
                field("ca_name_match")
            );
            if let Some(problem) = &prediction.problem {
                let _ = write!(md, "; PROBLEM: {problem}");
            }
        }
        md.push('\n');
    }
    md.push_str("\n## Connections where no certificate arrived, or it did and the client then gave up\n\n");
    for ((row, client), observation) in &results.observed {
        let sent = observation.record.observed == Ok(Observed::Sent);
        if !sent || observation.record.client_alert.is_some() {
            let _ = writeln!(
                md,
                "- {} / {}: {} — server: {}; client: {}",
                row_label(*row),
                client.label(),
                observation.record.cell(),
                observation.record.detail(),
                observation.client_said
            );
        }
    }
    md
}
