//! Everything the operator hands mtlscheck, read and validated before any network traffic:
//! the checks file (YAML → [`Check`](crate::model::Check)s, in two stages: [`raw`] as written,
//! then [`load`] resolved), our credentials, and the reports read back for `--baseline` and
//! `merge`. Errors name the file, line or check and what to do.

pub mod credentials;
mod expect;
mod load;
mod proxy_env;
pub mod raw;
mod raw_schema;
mod report_file;
mod sni;
mod yaml_error;
mod yaml_size;

pub use load::{ConfigError, load, parse, single_check};
pub use proxy_env::{ProxyEnvironment, no_proxy_matches};
pub use raw::{
    DEFAULT_PORT, DEFAULT_TIMEOUT, DEFAULT_WARN_DAYS, MAX_TIMEOUT, RawCheck, RawFile, Timeout, parse_duration,
};
pub use report_file::read_report;
pub use sni::default_servername;
pub use yaml_size::check_expansion;
