//! The floor every stage stands on: plain data, imported downwards only. The check as the
//! probe consumes it ([`check`]), the observation as the probe produces it ([`observation`]),
//! and the report every exporter renders ([`report`], with the pieces it holds). No I/O and no
//! decisions here; each type's producers and consumers live in the stages above.

pub mod check;
pub mod client_auth;
pub mod client_stack;
pub mod comparison;
pub mod drift;
pub mod expect;
pub mod handshake;
pub mod identity;
pub mod not_run;
pub mod observation;
pub mod probe_error;
pub mod proxy;
pub mod report;
pub mod schema;
pub mod shard;
pub mod starttls;
pub mod transcript;
pub mod warning;
mod wire;

pub use check::{Check, HttpRequest, ProbeOptions, ProtocolRange};
pub use client_auth::ClientAuth;
pub use client_stack::{ClientStack, StackOutcome, StackPrediction};
pub use comparison::{ComparedConnection, Comparison, ComparisonField, FieldComparison};
pub use drift::{BaselineSummary, Change, ChangeField};
pub use expect::{Day, Expectations, IdentityExpectations, WithCertExpectation};
pub use handshake::{
    CertKey, HandshakeInfo, NegotiatedGroup, ObjectName, PeerCert, PeerSignature, SigAlgFact, TempKey,
};
pub use identity::{ClientIdentity, Identity};
pub use not_run::{NotRun, NotRunReason};
pub use observation::{
    AcceptSignal, Attempt, HttpExchange, Observation, Outcome, PostgresReply, Stage, TlsMessage, WithCert,
};
pub use probe_error::ProbeError;
pub use proxy::ProxyUrl;
pub use report::{
    AddressResult, AttemptReport, ChainEntry, CheckResult, DecidedBy, EnforcedAt, ExpectationField, ExpectationResult,
    HandshakeState, IdentityResult, Report, Status, Verification,
};
pub use shard::Shard;
pub use starttls::Starttls;
pub use transcript::{Transcript, TranscriptStyle};
pub use warning::{Warning, WarningKind};
