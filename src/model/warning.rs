//! A certificate that expires soon: reported, never failing a check.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::wire::wire_enum;

wire_enum! {
    /// Whose certificate a warning is about.
    pub enum WarningKind {
        ServerCertExpiry = "server_cert_expiry",
        ClientCertExpiry = "client_cert_expiry",
    }
}

/// One certificate that expires within the warning window (or has expired).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Warning {
    pub kind: WarningKind,
    pub subject: String,
    /// As s_client prints it, e.g. `Jan  1 00:00:00 2030 GMT`.
    pub not_after: String,
    /// Negative once expired.
    pub days_left: i64,
    pub message: String,
}
