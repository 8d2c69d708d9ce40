//! What an operator's saved `openssl s_client` output says, as `transcript::parse` reads it.

use crate::names::Spelling;
use crate::style::Style;

/// The facts of a transcript that are compared with a live probe.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Transcript {
    pub protocol: Option<String>,
    pub cipher: Option<String>,
    pub verify_code: Option<i64>,
    /// `Verification: OK` / `Verification error: ...` (the only verification `-brief` shows).
    pub verification_ok: Option<bool>,
    /// `(subject, issuer)` for each certificate under "Certificate chain", as written.
    pub chain: Vec<(String, String)>,
    /// The leaf's subject: `subject=` of the full output, `Peer certificate:` of `-brief`.
    pub peer_subject: Option<String>,
    /// Whether the server asked for a client certificate: `Acceptable client certificate CA
    /// names`, `Requested Signature Algorithms`, `Client Certificate Types` or a `-msg`
    /// CertificateRequest. `None` when the handshake never got far enough to tell.
    pub cert_requested: Option<bool>,
    pub ca_names: Vec<String>,
    /// Whether the transcript lists CA names at all (`-brief` does not).
    pub shows_ca_names: bool,
    /// The alert text of an OpenSSL error line, e.g. "tlsv13 alert certificate required".
    pub rejection: Option<String>,
    /// The alert number of that line (`SSL alert number 116`).
    pub rejection_code: Option<u8>,
    /// `-brief` output: a short block on stderr instead of the full one.
    pub brief: bool,
    /// Whether any connection block is there at all: `-brief` prints only the error line of a
    /// handshake that failed, and then nothing but the alert can be compared.
    pub shows_connection: bool,
    /// Whether s_client sent a client certificate (seen in `-msg` output: a Certificate message
    /// longer than an empty one); `None` when the transcript does not show it.
    pub client_cert_sent: Option<bool>,
    /// Which s_client wrote it.
    pub style: TranscriptStyle,
}

/// The s_client a transcript came from, as far as its lines tell.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TranscriptStyle {
    /// `1.1.1`, `3.0`, `3.2`, `3.4`, `3.5`, `4.0`, `libressl`, `1.0.2`; with `+` when only a
    /// lower bound is known (e.g. `3.2+` for a transcript that ends in an error line).
    pub label: String,
    /// The version to imitate when comparing (the lower bound); `None` for 1.0.2 and unknown.
    pub like: Option<Style>,
    /// How its names are spelled; `None` when they may be in any spelling (`-nameopt`).
    pub spelling: Option<Spelling>,
}
