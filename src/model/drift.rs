//! What changed at an endpoint since a previous report (`--baseline`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::wire::wire_enum;

wire_enum! {
    /// Which part of a result changed.
    pub enum ChangeField {
        ClientAuth = "client_auth",
        EnforcedAt = "enforced_at",
        CaNames = "ca_names",
        Protocol = "protocol",
        Cipher = "cipher",
        ServerChain = "server_chain",
        Verify = "verify",
        WithCert = "with_cert",
    }
}

/// One difference between the baseline's result and this run's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Change {
    pub field: ChangeField,
    pub before: Value,
    pub after: Value,
    /// One line for people, e.g. `client auth: required -> optional`.
    pub summary: String,
    /// For `ca_names`: the names sent now but not then, and then but not now.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub added: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removed: Vec<String>,
}

/// The report's `baseline` block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct BaselineSummary {
    /// The baseline report as given on the command line.
    pub file: String,
    /// Checks of this run the baseline does not have (not compared).
    pub new_checks: Vec<String>,
    /// Checks in the baseline that are no longer in the checks file.
    pub missing_checks: Vec<String>,
}
