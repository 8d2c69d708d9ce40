//! Which `openssl s_client` mtlscheck speaks like: a version of OpenSSL (1.1.1 to 4.0) or
//! LibreSSL, and every question whose answer differs between them (how names, keys, signature
//! algorithms, groups, alerts and verification errors are written, which lines exist). Plain
//! data and pure functions; the output code asks these questions instead of testing versions.
//! What changed in which version is in vendor-notes.md ("s_client across versions").

mod groups;
mod sigalgs;
mod verify;
mod version;

pub use groups::{Group, group_by_code, group_by_nid_name};
pub use sigalgs::{iana_sigalg_name, peer_sigalg_code, shared_sigalgs};
pub use verify::verify_error_text;
pub use version::{Family, LIKE_VALUES, SigAlgKnowledge, Style, StyleError};
