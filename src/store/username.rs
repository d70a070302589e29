//! The username validator's pure parts: reconciling the browser's verdict with the server's, and
//! reading a pasted list of names.

use crate::checks::{Purpose, Verdict};
use crate::whm::responses::SystemUserVerdict;

/// One sentence that puts the local rules and `validate_system_user` side by side.
pub fn reconcile(local: &Verdict, server: &SystemUserVerdict, purpose: Purpose) -> String {
    let name = &local.name;
    let server_ok = match purpose {
        Purpose::Transfer => server.valid_for_transfer,
        Purpose::NewAccount => server.valid_for_new,
    };
    let local_syntax_ok = match purpose {
        Purpose::Transfer => local.valid_for_transfer,
        Purpose::NewAccount => local.valid_for_new,
    };
    let mut differences = Vec::new();
    if server.reserved != local.reserved {
        differences.push(if server.reserved {
            "the server reserves it (likely a mail alias in /etc/aliases, which the browser cannot see)"
        } else {
            "the browser's rules reserve it but the server does not"
        });
    }
    if server_ok != local_syntax_ok {
        differences.push(if server_ok {
            "the server accepts its characters where the browser's rules do not"
        } else {
            "the server rejects its characters where the browser's rules accept them"
        });
    }
    if server.exists {
        let extra = if local.exists_as_user {
            ""
        } else {
            " (a system user the analysis did not list)"
        };
        return if differences.is_empty() {
            format!(
                "“{name}” already exists on the server{extra}: a transfer to this name fails unless you restore over it deliberately; pick another target name."
            )
        } else {
            format!(
                "“{name}” already exists on the server{extra}, and {}.",
                differences.join("; ")
            )
        };
    }
    if !differences.is_empty() {
        return format!(
            "The verdicts differ for “{name}”: {}. Trust the server’s answer.",
            differences.join("; ")
        );
    }
    if local.is_ok() && server_ok && !server.reserved {
        format!("Both agree: “{name}” is free and valid on this server.")
    } else if local
        .violations
        .iter()
        .any(|v| v.rule == crate::checks::Rule::PrefixCollision)
        && server_ok
    {
        format!(
            "The server accepts “{name}”, but its first characters collide with another name: the server’s check does not cover database-prefix uniqueness, so fix it before transferring."
        )
    } else {
        format!("Both agree: “{name}” cannot be used as it is.")
    }
}

/// Names from pasted text: split on whitespace, commas and semicolons; empty entries dropped; order
/// and duplicates kept (duplicates are collisions the admin must see).
pub fn parse_names(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::{RuleContext, check_username};

    fn verdict(v: (bool, bool, bool, bool)) -> SystemUserVerdict {
        SystemUserVerdict {
            exists: v.0,
            reserved: v.1,
            valid_for_transfer: v.2,
            valid_for_new: v.3,
        }
    }

    #[test]
    fn reconciles_agreement_and_disagreement() {
        let ctx = RuleContext::default();
        let fine = check_username("bobsmith", &ctx, Purpose::Transfer);
        assert!(reconcile(&fine, &verdict((false, false, true, true)), Purpose::Transfer).starts_with("Both agree"));
        let s = reconcile(&fine, &verdict((true, false, true, true)), Purpose::Transfer);
        assert!(s.contains("already exists on the server"), "{s}");
        let s = reconcile(&fine, &verdict((false, true, true, true)), Purpose::Transfer);
        assert!(s.contains("/etc/aliases"), "{s}");
        let bad = check_username("test", &ctx, Purpose::Transfer);
        assert!(reconcile(&bad, &verdict((false, true, true, true)), Purpose::Transfer).contains("cannot be used"));
    }

    #[test]
    fn parses_pasted_lists() {
        assert_eq!(parse_names(" a, b;c\n\nd\ta a "), ["a", "b", "c", "d", "a", "a"]);
        assert!(parse_names(" \n,").is_empty());
    }
}
