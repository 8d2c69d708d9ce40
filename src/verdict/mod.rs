//! Pure decisions: a check and what the probe observed → a [`crate::model::CheckResult`]
//! (client-auth verdict, CA-name match, expectations, expiry warnings, status), then what
//! follows from comparing it with other evidence: every address of a host, an operator's
//! s_client transcript, last night's report. No I/O; only the clock is read, for lifetimes.

mod addresses;
mod assess;
mod baseline;
mod client_stacks;
mod compare;
mod connection;
mod expect;
mod expiry;
mod our_side;

pub use addresses::combine_addresses;
pub use assess::{VERIFY_NOTE_START, assess, preflight_failed};
pub use baseline::{apply as apply_baseline, changes};
pub use compare::{attach as attach_comparison, compare, connection_for};
