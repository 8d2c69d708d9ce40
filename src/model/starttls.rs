//! The plain-text protocols spoken before TLS (`s_client -starttls`): which ones, their ports
//! and names. The conversations themselves are the probe's (`probe::route::starttls`).

use schemars::JsonSchema;
use serde::Deserialize;

/// The protocols of `s_client -starttls` mtlscheck speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Starttls {
    /// SMTP's STARTTLS (port 25 unless `port` says otherwise).
    Smtp,
    /// IMAP's STARTTLS (port 143).
    Imap,
    /// POP3's STLS (port 110).
    Pop3,
    /// FTP's AUTH TLS (port 21).
    Ftp,
    /// PostgreSQL's SSLRequest (port 5432).
    Postgres,
}

impl Starttls {
    pub fn as_str(self) -> &'static str {
        match self {
            Starttls::Smtp => "smtp",
            Starttls::Imap => "imap",
            Starttls::Pop3 => "pop3",
            Starttls::Ftp => "ftp",
            Starttls::Postgres => "postgres",
        }
    }

    /// The protocol's well-known port for the plain-text-then-TLS service.
    pub fn default_port(self) -> u16 {
        match self {
            Starttls::Smtp => 25,
            Starttls::Imap => 143,
            Starttls::Pop3 => 110,
            Starttls::Ftp => 21,
            Starttls::Postgres => 5432,
        }
    }

    /// How messages name the protocol.
    pub fn display_name(self) -> &'static str {
        match self {
            Starttls::Smtp => "SMTP",
            Starttls::Imap => "IMAP",
            Starttls::Pop3 => "POP3",
            Starttls::Ftp => "FTP",
            Starttls::Postgres => "PostgreSQL",
        }
    }
}
