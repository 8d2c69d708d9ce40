//! The one path every command takes (`run`, `probe`, `compare`, `demo`): validated checks →
//! probe → verdict ([`one`]), on a bounded pool of worker threads ([`batch`]), results in the
//! order of the checks. A batch can be stopped early ([`stop`]): no new probe starts, and what
//! was probed is kept.

mod batch;
mod one;
mod stop;

pub use batch::{Batch, Watch, run_all, run_batch};
pub use one::{run_one, run_one_with};
pub use stop::{INTERRUPT_GRACE, Stop, StopReason};

/// Default number of endpoints probed at once. Probes spend their time waiting on the network,
/// so this is independent of the core count.
pub const DEFAULT_JOBS: u16 = 32;
