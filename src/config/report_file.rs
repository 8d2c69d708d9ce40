//! Reading a JSON report back, for `run --baseline` and `merge`. Reports of earlier versions
//! read with their missing keys empty; values another version wrote that this one does not know
//! are kept as they are.

use std::path::Path;

use crate::model::Report;

/// Reads a report written by `--format json` (a regular file of at most
/// [`MAX_REPORT`](crate::files::MAX_REPORT)); the error names the file and what is wrong.
pub fn read_report(path: &Path) -> Result<Report, String> {
    let bytes = crate::files::read_regular("report", path, crate::files::MAX_REPORT, "an mtlscheck JSON report")?;
    let text = crate::files::utf8_text("report", path, bytes)?;
    serde_json::from_str(&text).map_err(|err| {
        format!(
            "{}: not an mtlscheck JSON report (write one with --format json or --output FILE.json): {err}",
            path.display()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::DecidedBy;

    /// A report as mtlscheck wrote it before `started_at`, `warnings`, `changes`, the
    /// certificate lifetimes and `peer_chain[].not_after` existed.
    const EARLIER_REPORT: &str = r#"{
      "mtlscheck_version": "0.1.0", "openssl_version": "OpenSSL 3.0.19 27 Jan 2026",
      "results": [{
        "name": "partner", "host": "127.0.0.1", "port": 8443, "servername": null, "address": "127.0.0.1:8443",
        "client_auth": "required", "rejection_stage": "after_handshake", "enforced_at": "handshake",
        "cert_requested": true, "cert_requested_after_handshake": false, "ca_names_sent": true,
        "ca_names": ["C = US, O = X"], "ca_name_match": true, "matched_ca_name": "C = US, O = X",
        "protocol": "TLSv1.3", "cipher": "TLS_AES_256_GCM_SHA384", "verify_code": 0, "verify_error": "ok",
        "requested_sigalgs": [], "client_cert_types": [], "server_temp_key": null,
        "peer_chain": [{"subject": "CN = localhost", "issuer": "C = US, O = X"}],
        "client_cert_subject": "CN = us", "client_cert_issuer": "C = US, O = X",
        "without_cert": {"handshake": "ok", "accepted": false, "decided_by": "alert_after_handshake",
                         "alert": "tlsv13 alert certificate required", "error": "e", "http_status": null,
                         "http_status_line": null, "elapsed_ms": 3},
        "with_cert": {"handshake": "ok", "accepted": true, "decided_by": "session_ticket", "alert": null,
                      "error": null, "http_status": null, "http_status_line": null, "elapsed_ms": 4},
        "expectations": [{"field": "client_auth", "expected": "required", "actual": "required", "ok": true}],
        "status": "pass", "error": null, "notes": [], "elapsed_ms": 9
      }]
    }"#;

    #[test]
    fn reports_of_earlier_versions_are_read_with_the_new_keys_empty() {
        let report: Report = serde_json::from_str(EARLIER_REPORT).expect("an earlier report reads");
        let result = &report.results[0];
        assert_eq!(result.with_cert.decided_by, Some(DecidedBy::SessionTicket));
        assert_eq!(result.peer_chain[0].not_after, None);
        assert!(result.warnings.is_empty() && result.changes.is_none() && report.started_at.is_none());
        assert!(
            report.complete && report.not_run.is_empty() && report.stopped.is_none(),
            "older reports were complete"
        );
        // And written back with the same keys, plus the new ones.
        let written = serde_json::to_value(&report).expect("serialise");
        let original: serde_json::Value = serde_json::from_str(EARLIER_REPORT).expect("json");
        for (key, value) in original["results"][0].as_object().expect("object") {
            match key.as_str() {
                "peer_chain" => {}
                // Attempts gained keys too: compare the ones the earlier report had.
                "with_cert" | "without_cert" => {
                    for (inner, value) in value.as_object().expect("attempt") {
                        assert_eq!(&written["results"][0][key][inner], value, "{key}.{inner}");
                    }
                }
                _ => assert_eq!(&written["results"][0][key], value, "{key}"),
            }
        }
    }

    #[test]
    fn values_of_other_versions_are_kept_and_written_back() {
        let later = EARLIER_REPORT.replace("\"decided_by\": \"session_ticket\"", "\"decided_by\": \"quantum_signal\"");
        let report: Report = serde_json::from_str(&later).expect("an unknown value reads");
        assert_eq!(report.results[0].with_cert.decided_by, Some(DecidedBy::Other("quantum_signal".into())));
        let written = serde_json::to_value(&report).expect("serialise");
        assert_eq!(written["results"][0]["with_cert"]["decided_by"], "quantum_signal");
    }
}
