//! What the rules say about one name: the broken rules with their explanations, the existing user or
//! group of that name, the regex flags and a suggestion.

use super::rules::Rule;

/// A broken rule, explained for an administrator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub rule: Rule,
    /// One line; WHM's own wording where §5 gives it.
    pub explanation: String,
    /// What to do about it.
    pub fix: String,
}

/// What already exists on this server under the name (not a rule: see the module notes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ConflictKind {
    UserExists,
    GroupExists,
}

impl ConflictKind {
    pub fn id(self) -> &'static str {
        match self {
            ConflictKind::UserExists => "user-exists",
            ConflictKind::GroupExists => "group-exists",
        }
    }
}

/// An existing user or group of the same name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub kind: ConflictKind,
    pub explanation: String,
    pub fix: String,
}

/// Everything the rules say about one name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub name: String,
    /// Every rule broken, each once, in [`Rule::ALL`] order.
    pub violations: Vec<Violation>,
    /// Existing user/group, in that order.
    pub conflicts: Vec<Conflict>,
    /// `^(?![-.0-9])[-._a-z0-9]{1,16}$` on the name as given.
    pub valid_for_transfer: bool,
    /// The strict regex for new accounts (no `_` while database prefixing is on; never `.` or `-`).
    pub valid_for_new: bool,
    /// Reserved by name, prefix, suffix or the digits/punctuation pattern.
    pub reserved: bool,
    pub exists_as_user: bool,
    pub exists_as_group: bool,
    /// When the name is not ok: a nearby name that passes every rule in this context.
    pub suggestion: Option<String>,
}

impl Verdict {
    /// No rule broken and no user or group of that name.
    pub fn is_ok(&self) -> bool {
        self.violations.is_empty() && !self.exists_as_user && !self.exists_as_group
    }

    pub fn violation(&self, rule: Rule) -> Option<&Violation> {
        self.violations.iter().find(|v| v.rule == rule)
    }

    pub fn breaks(&self, rule: Rule) -> bool {
        self.violation(rule).is_some()
    }

    /// Rule ids broken, in order.
    pub fn rule_ids(&self) -> Vec<&'static str> {
        self.violations.iter().map(|v| v.rule.id()).collect()
    }

    /// The explanations of the broken rules `pick` selects, joined by spaces; `None` when none is broken.
    pub(crate) fn explanations(&self, pick: impl Fn(Rule) -> bool) -> Option<String> {
        let parts: Vec<&str> = self
            .violations
            .iter()
            .filter(|v| pick(v.rule))
            .map(|v| v.explanation.as_str())
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    }

    /// Inserts a violation at its place in [`Rule::ALL`] order.
    pub(crate) fn add_violation(&mut self, violation: Violation) {
        let at = self.violations.partition_point(|v| v.rule <= violation.rule);
        self.violations.insert(at, violation);
    }
}
