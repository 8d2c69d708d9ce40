//! Which certificates expire soon enough to warn about: the server's leaf and our client
//! certificate, whether or not the check expects anything of them. Warnings never fail a check.

use crate::model::{CheckResult, Warning, WarningKind};

fn describe(whose: &str, subject: &str, not_after: &str, days_left: i64) -> String {
    match days_left {
        d if d < 0 => format!("{whose} ({subject}) expired {} days ago ({not_after})", -d),
        0 => format!("{whose} ({subject}) expires within a day ({not_after})"),
        1 => format!("{whose} ({subject}) expires in 1 day ({not_after})"),
        d => format!("{whose} ({subject}) expires in {d} days ({not_after})"),
    }
}

/// Warnings for the server's leaf and our certificate expiring within `warn_days`.
pub fn warnings(result: &CheckResult, warn_days: u32) -> Vec<Warning> {
    let mut out = Vec::new();
    let window = i64::from(warn_days);
    let leaf = result.peer_chain.first();
    if let (Some(days), Some(leaf)) = (result.server_cert_days_left, leaf)
        && days < window
    {
        let not_after = leaf.not_after.clone().unwrap_or_default();
        out.push(Warning {
            kind: WarningKind::ServerCertExpiry,
            message: describe("the server's certificate", &leaf.subject, &not_after, days),
            subject: leaf.subject.clone(),
            not_after,
            days_left: days,
        });
    }
    if let (Some(days), Some(subject)) = (result.client_cert_days_left, &result.client_cert_subject)
        && days < window
    {
        let not_after = result.client_cert_not_after.clone().unwrap_or_default();
        out.push(Warning {
            kind: WarningKind::ClientCertExpiry,
            message: describe("our client certificate", subject, &not_after, days),
            subject: subject.clone(),
            not_after,
            days_left: days,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_say_how_long_is_left() {
        assert!(describe("x", "CN = a", "t", 12).ends_with("expires in 12 days (t)"));
        assert!(describe("x", "CN = a", "t", -3).contains("expired 3 days ago"));
    }
}
