//! The username validator's pure parts: the server verdict's tickets ([`ServerCheck`]: a late answer
//! for an older input is dropped and counted), reconciling the browser's verdict with the server's, and
//! reading a pasted list of names.

use super::latest::{Latest, Ticket};
use crate::checks::{Purpose, Verdict};
use crate::whm::WhmError;
use crate::whm::responses::SystemUserVerdict;

/// The server's answer, always tied to the name it is about.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum ServerAnswer {
    #[default]
    Idle,
    /// Waiting for the pause in typing, or for the answer.
    Waiting(String),
    Done(String, SystemUserVerdict),
    Failed(String, WhmError),
}

/// `validate_system_user` for the name being typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServerCheck {
    pub answer: ServerAnswer,
    /// The call to send now (the page's effect sends it once per ticket).
    pub pending: Option<(Ticket, String)>,
    /// Late answers for older inputs that were dropped (`data-dropped`).
    pub dropped: u32,
    latest: Latest,
}

#[derive(Debug, Clone)]
pub enum ServerAction {
    /// The name changed; `connected` says whether a server can be asked at all. Anything in flight is
    /// now about an older input.
    Typed {
        name: String,
        connected: bool,
    },
    /// Typing paused on this name: ask the server (ignored if the name has changed since).
    Ask(String),
    Answered(Ticket, Result<SystemUserVerdict, WhmError>),
}

impl ServerCheck {
    pub fn apply(mut self, action: ServerAction) -> Self {
        match action {
            ServerAction::Typed { name, connected } => {
                self.latest.invalidate();
                self.pending = None;
                self.answer = if name.is_empty() || !connected {
                    ServerAnswer::Idle
                } else {
                    ServerAnswer::Waiting(name)
                };
            }
            ServerAction::Ask(name) => {
                if self.answer == ServerAnswer::Waiting(name.clone()) && self.pending.is_none() {
                    self.pending = Some((self.latest.issue(), name));
                }
            }
            ServerAction::Answered(ticket, result) => {
                if !self.latest.is_current(ticket) {
                    self.dropped += 1;
                    return self;
                }
                let Some((_, name)) = self.pending.take() else {
                    return self;
                };
                match result {
                    Ok(v) => self.answer = ServerAnswer::Done(name, v),
                    Err(e) if e.is_cancelled() => {}
                    Err(e) => self.answer = ServerAnswer::Failed(name, e),
                }
            }
        }
        self
    }
}

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
    // The server compares reserved names case-sensitively, the local rules after lowercasing (as
    // the check page's findings do): for a name with capitals, a difference there means nothing.
    let capitals = name.chars().any(|c| c.is_ascii_uppercase());
    if server.reserved != local.reserved && !capitals {
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
    // (The page checks a name alone, with no analysis of the server: `local` knows cPanel's rules, not
    // the server's users, groups or databases.)
    if server.exists {
        return if differences.is_empty() {
            format!(
                "“{name}” already exists on the server: a transfer to this name fails unless you restore over it deliberately; pick another target name."
            )
        } else {
            format!("“{name}” already exists on the server, and {}.", differences.join("; "))
        };
    }
    if !differences.is_empty() {
        return format!(
            "The verdicts differ for “{name}”: {}. Trust the server’s answer.",
            differences.join("; ")
        );
    }
    if local.is_ok() && server_ok && !server.reserved {
        format!(
            "Both agree: “{name}” is valid and no user of that name exists on the server. Clashes with the server’s groups, databases and the first characters of its other names are checked on the check page, against a session’s analysis."
        )
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
        let s = reconcile(&fine, &verdict((false, false, true, true)), Purpose::Transfer);
        assert!(s.starts_with("Both agree"), "{s}");
        // without an analysis of the server, it does not claim the name is free of every clash
        assert!(!s.contains("free"), "{s}");
        assert!(s.contains("check page"), "{s}");
        let s = reconcile(&fine, &verdict((true, false, true, true)), Purpose::Transfer);
        assert!(s.contains("already exists on the server"), "{s}");
        assert!(!s.contains("analysis did not list"), "{s}");
        let s = reconcile(&fine, &verdict((false, true, true, true)), Purpose::Transfer);
        assert!(s.contains("/etc/aliases"), "{s}");
        let bad = check_username("test", &ctx, Purpose::Transfer);
        assert!(reconcile(&bad, &verdict((false, true, true, true)), Purpose::Transfer).contains("cannot be used"));
        // the server compares reserved names case-sensitively: "ROOT" is not reserved there, and
        // that is no disagreement worth reporting
        let upper = check_username("ROOT", &ctx, Purpose::Transfer);
        assert!(upper.reserved, "the local rules lowercase first");
        let s = reconcile(&upper, &verdict((false, false, false, false)), Purpose::Transfer);
        assert!(!s.contains("reserve"), "{s}");
    }

    #[test]
    fn parses_pasted_lists() {
        assert_eq!(parse_names(" a, b;c\n\nd\ta a "), ["a", "b", "c", "d", "a", "a"]);
        assert!(parse_names(" \n,").is_empty());
    }

    fn typed(s: ServerCheck, name: &str) -> ServerCheck {
        s.apply(ServerAction::Typed {
            name: name.into(),
            connected: true,
        })
    }

    #[test]
    fn a_late_verdict_for_an_older_input_is_dropped_and_counted() {
        let s = typed(ServerCheck::default(), "bo").apply(ServerAction::Ask("bo".into()));
        let (bo, _) = s.pending.clone().expect("asked about bo");
        let s = typed(s, "bob");
        assert_eq!(s.pending, None, "nothing to send until typing pauses");
        let s = s.apply(ServerAction::Ask("bob".into()));
        let (bob, name) = s.pending.clone().expect("asked about bob");
        assert_eq!(name, "bob");
        // bo's answer arrives after bob was asked: dropped
        let s = s.apply(ServerAction::Answered(bo, Ok(verdict((true, false, true, true)))));
        assert_eq!(s.dropped, 1);
        assert_eq!(s.answer, ServerAnswer::Waiting("bob".into()));
        let s = s.apply(ServerAction::Answered(bob, Ok(verdict((false, false, true, true)))));
        assert_eq!(
            s.answer,
            ServerAnswer::Done("bob".into(), verdict((false, false, true, true)))
        );
        assert_eq!(s.dropped, 1);
    }

    #[test]
    fn a_pause_on_an_old_name_asks_nothing_and_no_server_means_idle() {
        let s = typed(ServerCheck::default(), "bob").apply(ServerAction::Ask("bo".into()));
        assert_eq!(s.pending, None, "the timer of an older input sends nothing");
        let s = typed(s, "");
        assert_eq!(s.answer, ServerAnswer::Idle);
        let s = s.apply(ServerAction::Typed {
            name: "bob".into(),
            connected: false,
        });
        assert_eq!(s.answer, ServerAnswer::Idle);
        assert_eq!(s.apply(ServerAction::Ask("bob".into())).pending, None);
        // a failure is tied to its name
        let s = typed(ServerCheck::default(), "bob").apply(ServerAction::Ask("bob".into()));
        let (t, _) = s.pending.clone().unwrap();
        let s = s.apply(ServerAction::Answered(t, Err(WhmError::Timeout { after_ms: 1 })));
        assert!(matches!(s.answer, ServerAnswer::Failed(ref n, _) if n == "bob"));
    }
}
