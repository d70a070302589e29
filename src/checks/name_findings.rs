//! The username findings that both the analysis ([`findings()`](super::findings())) and the queue plan
//! ([`validate_plan`](super::validate_plan)) report — `user-exists`, `group-exists`,
//! `reserved-username`, `invalid-username` and `prefix-collision` — built in one place from a
//! [`Verdict`] and WHM's `validate_system_user` answer (§5.4). The two callers differ only in voice:
//! the analysis talks about the account keeping its name, the plan about the chosen local username.

use super::findings::{Finding, Severity, Subject, kinds};
use super::text::quote;
use super::username::{Purpose, Rule, Verdict};
use crate::whm::responses::SystemUserVerdict;

/// Who is speaking: what a fix proposes and how the ways to keep an existing account are named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Voice {
    /// The analysis: the account would keep its source name.
    Analysis,
    /// A queue plan: the admin chose the local username.
    Plan,
}

/// One account's username, as both callers report it.
pub(crate) struct NameFindings<'a> {
    pub voice: Voice,
    /// The account's source username: the finding's subject.
    pub account: &'a str,
    /// The local rules' verdict on the username it would have here (with its suggestion).
    pub verdict: &'a Verdict,
    /// `validate_system_user` for that username, when asked.
    pub server: Option<&'a SystemUserVerdict>,
}

impl NameFindings<'_> {
    fn error(&self, kind: &'static str, message: String, fix: String) -> Finding {
        Finding::new(Severity::Error, kind, Subject::account(self.account), message, fix)
    }

    fn quoted(&self) -> String {
        quote(&self.verdict.name)
    }

    /// "Transfer it under another local username, e.g. “x”." / "Choose another local username, e.g. “x”."
    pub(crate) fn rename(&self, why: &str) -> String {
        let verb = match self.voice {
            Voice::Analysis => "Transfer it under",
            Voice::Plan => "Choose",
        };
        match &self.verdict.suggestion {
            Some(s) => format!("{verb} another local username{why}, e.g. {}.", quote(s)),
            None => format!("{verb} another local username{why}."),
        }
    }

    /// The name exists here as a user (local rules or the server).
    pub(crate) fn user_exists(&self) -> Option<Finding> {
        let local = self.verdict.exists_as_user;
        if !local && !self.server.is_some_and(|s| s.exists) {
            return None;
        }
        let (source, keep) = match self.voice {
            Voice::Analysis => (
                if local { "" } else { " (validate_system_user)" },
                "Or restore into the existing account (skip account creation), or overwrite it (force, unrestricted sessions only).",
            ),
            Voice::Plan => (
                "",
                "Or restore into the existing account (skipaccount), or overwrite it (force, unrestricted sessions, same name only).",
            ),
        };
        Some(self.error(
            kinds::USER_EXISTS,
            format!("This system already has an account named {}.{source}", self.quoted()),
            format!("{} {keep}", self.rename("")),
        ))
    }

    /// The name exists here as a group.
    pub(crate) fn group_exists(&self) -> Option<Finding> {
        self.verdict.exists_as_group.then(|| {
            self.error(
                kinds::GROUP_EXISTS,
                format!("This system already has a group named {}.", self.quoted()),
                format!(
                    "{} WHM cannot create the account’s group while a group of that name exists.",
                    self.rename("")
                ),
            )
        })
    }

    /// Reserved by a local rule, or by the server's word.
    pub(crate) fn reserved(&self) -> Option<Finding> {
        let message = self.verdict.explanations(Rule::is_reserved).or_else(|| {
            self.server
                .filter(|s| s.reserved)
                .map(|_| format!("WHM reports {} as a reserved username on this system.", self.quoted()))
        })?;
        Some(self.error(kinds::RESERVED_USERNAME, message, self.rename("")))
    }

    /// Fails the transfer regex, by a local rule or by the server's word.
    pub(crate) fn invalid(&self) -> Option<Finding> {
        let message = self
            .verdict
            .explanations(|r| r.is_syntax() && r.applies_to(Purpose::Transfer))
            .or_else(|| {
                self.server
                    .filter(|s| !s.valid_for_transfer)
                    .map(|_| format!("{} is not a valid username on this system.", self.quoted()))
            })?;
        Some(self.error(kinds::INVALID_USERNAME, message, self.rename("")))
    }

    /// A first-N collision, explained by `message`.
    pub(crate) fn prefix_collision(&self, message: String) -> Finding {
        self.error(
            kinds::PREFIX_COLLISION,
            message,
            self.rename(" whose first characters are unique"),
        )
    }
}
