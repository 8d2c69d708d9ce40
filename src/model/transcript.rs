//! What an operator's saved `openssl s_client` output says, as `transcript::parse` reads it.

/// The facts of a transcript that are compared with a live probe.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Transcript {
    pub protocol: Option<String>,
    pub cipher: Option<String>,
    pub verify_code: Option<i64>,
    /// `(subject, issuer)` for each certificate under "Certificate chain", as written.
    pub chain: Vec<(String, String)>,
    /// Whether the server asked for a client certificate: `Acceptable client certificate CA
    /// names`, `Requested Signature Algorithms`, `Client Certificate Types` or a `-msg`
    /// CertificateRequest. `None` when the handshake never got far enough to tell.
    pub cert_requested: Option<bool>,
    pub ca_names: Vec<String>,
    /// The alert text of an OpenSSL error line, e.g. "tlsv13 alert certificate required".
    pub rejection: Option<String>,
    /// Whether s_client sent a client certificate (seen in `-msg` output: a Certificate message
    /// longer than an empty one); `None` when the transcript does not show it.
    pub client_cert_sent: Option<bool>,
    /// Which OpenSSL name style the transcript uses.
    pub name_style: TranscriptNameStyle,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TranscriptNameStyle {
    /// `C = US, O = Example` (OpenSSL 1.1.1 to 3.1).
    #[default]
    Oneline,
    /// `C=US, O=Example` (OpenSSL 3.2+).
    Compact,
    /// `/C=US/O=Example` (OpenSSL 1.0.2).
    Slash,
}
