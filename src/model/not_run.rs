//! The checks of a run that stopped early (a signal, or this machine out of file descriptors):
//! which were not probed and why, so a partial report says what it lacks.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::wire::wire_enum;

wire_enum! {
    /// Why a check has no result.
    pub enum NotRunReason {
        /// The run stopped before this check's turn came.
        NotStarted = "not_started",
        /// Its probe was under way and did not end within a second of the interruption.
        Interrupted = "interrupted",
        /// Its probe hit a limit of this machine (no file descriptor left): not the endpoint's
        /// doing, so it is not reported as the endpoint's error.
        LocalLimit = "local_limit",
    }
}

/// One check that was not probed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NotRun {
    pub name: String,
    pub host: String,
    pub port: u16,
    pub reason: NotRunReason,
}
