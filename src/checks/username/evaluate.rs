//! The rules bound to a context and a purpose ([`Checker`]): one function per rule, each returning
//! its [`Violation`] or nothing, plus the existing user and group, and a text-free fast path
//! ([`Checker::acceptable`]) for the common case of a name that breaks nothing.

use super::context::RuleContext;
use super::keys::dbowner;
use super::names::NameSet;
use super::owners::Owners;
use super::rules::{
    MAX_LENGTH, Purpose, RESERVED_NAMES, Rule, digits_and_punctuation_only, reserved_prefix, reserved_suffix,
};
use super::syntax::{matches_new_account_regex, matches_transfer_regex};
use super::verdict::{Conflict, ConflictKind, Verdict, Violation};
use crate::checks::text::{characters, describe_char, join_and, plain, quote};
use std::borrow::Cow;

/// How many distinct bad characters a message names.
const BAD_CHARS_SHOWN: usize = 5;

/// The rules bound to a context and a purpose.
pub(crate) struct Checker<'a> {
    pub(crate) ctx: &'a RuleContext,
    pub(crate) purpose: Purpose,
    pub(crate) owners: Owners<'a>,
}

/// What one pass over a name's characters finds, and the forms every rule needs.
struct Name<'n> {
    name: &'n str,
    /// ASCII-lowercased (borrowed when the name has no capital).
    lower: Cow<'n, str>,
    /// The name quoted for messages.
    q: String,
    /// Characters, not bytes.
    len: usize,
    has_upper: bool,
    has_underscore: bool,
    has_dot: bool,
    /// Only digits, `-`, `_` and `.` (true for the empty name).
    punct_only: bool,
    /// The first few distinct characters the purpose forbids, and how many forbidden characters in all.
    bad: Vec<char>,
    bad_count: usize,
}

impl<'n> Name<'n> {
    fn scan(name: &'n str, purpose: Purpose) -> Self {
        let new = purpose == Purpose::NewAccount;
        let mut n = Name {
            name,
            lower: Cow::Borrowed(name),
            q: quote(name),
            len: 0,
            has_upper: false,
            has_underscore: false,
            has_dot: false,
            punct_only: true,
            bad: Vec::new(),
            bad_count: 0,
        };
        for c in name.chars() {
            n.len += 1;
            let is_bad = match c {
                'a'..='z' | '0'..='9' => false,
                'A'..='Z' => {
                    n.has_upper = true;
                    false
                }
                '_' => {
                    n.has_underscore = true;
                    false
                }
                '.' => {
                    n.has_dot = true;
                    false
                }
                '-' => new,
                _ => true,
            };
            if !matches!(c, '0'..='9' | '-' | '.' | '_') {
                n.punct_only = false;
            }
            if is_bad {
                n.bad_count += 1;
                if n.bad.len() < BAD_CHARS_SHOWN && !n.bad.contains(&c) {
                    n.bad.push(c);
                }
            }
        }
        if n.has_upper {
            n.lower = Cow::Owned(name.to_ascii_lowercase());
        }
        n
    }

    /// The name without the character `c`.
    fn without(&self, c: char) -> String {
        self.name.chars().filter(|x| *x != c).collect()
    }
}

fn violation(rule: Rule, explanation: String, fix: String) -> Violation {
    Violation { rule, explanation, fix }
}

impl<'a> Checker<'a> {
    /// Database owners scanned on each question: no set-up cost, for a single check.
    pub(crate) fn linear(ctx: &'a RuleContext, purpose: Purpose) -> Self {
        Checker {
            ctx,
            purpose,
            owners: Owners::Linear(&ctx.local_db_owners),
        }
    }

    /// Database owners hashed (the context keeps the index for the next check).
    pub(crate) fn indexed(ctx: &'a RuleContext, purpose: Purpose) -> Self {
        Checker {
            ctx,
            purpose,
            owners: Owners::index(&ctx.local_db_owners, ctx.effective_prefix_length()),
        }
    }

    fn new_account(&self) -> bool {
        self.purpose == Purpose::NewAccount
    }

    /// Every rule and conflict, without a suggestion.
    pub(crate) fn evaluate(&self, name: &str) -> Verdict {
        if self.acceptable(name) {
            // The common case, without building any text.
            return Verdict {
                name: name.to_owned(),
                violations: Vec::new(),
                conflicts: Vec::new(),
                valid_for_transfer: true,
                valid_for_new: matches_new_account_regex(name, self.ctx.db_prefixing),
                reserved: false,
                exists_as_user: false,
                exists_as_group: false,
                suggestion: None,
            };
        }
        self.evaluate_full(name)
    }

    /// Every rule and conflict, with their texts (no fast path).
    pub(crate) fn evaluate_full(&self, name: &str) -> Verdict {
        let n = Name::scan(name, self.purpose);
        // In `Rule::ALL` order.
        let violations: Vec<Violation> = [
            self.empty(&n),
            too_long(&n),
            uppercase(&n),
            self.bad_chars(&n),
            bad_first_char(&n),
            self.underscore_with_db_prefix(&n),
            self.dot_in_new_account(&n),
            self.reserved_name(&n),
            reserved_prefix_rule(&n),
            reserved_suffix_rule(&n),
            digits_and_punctuation(&n),
            self.prefix_collision(&n),
        ]
        .into_iter()
        .flatten()
        .collect();
        let reserved = violations.iter().any(|v| v.rule.is_reserved());
        let exists_as_user = self.exists_in(&self.ctx.local_users, &n);
        let exists_as_group = self.exists_in(&self.ctx.local_groups, &n);
        let conflicts = [
            exists_as_user.then(|| self.user_exists(&n)),
            exists_as_group.then(|| self.group_exists(&n)),
        ]
        .into_iter()
        .flatten()
        .collect();
        Verdict {
            name: name.to_owned(),
            violations,
            conflicts,
            valid_for_transfer: matches_transfer_regex(name),
            valid_for_new: matches_new_account_regex(name, self.ctx.db_prefixing),
            reserved,
            exists_as_user,
            exists_as_group,
            suggestion: None,
        }
    }

    fn empty(&self, n: &Name<'_>) -> Option<Violation> {
        (n.len == 0).then(|| {
            violation(
                Rule::Empty,
                "The username is empty.".into(),
                format!(
                    "Enter a username of 1 to {MAX_LENGTH} characters: {}.",
                    self.allowed_words()
                ),
            )
        })
    }

    fn bad_chars(&self, n: &Name<'_>) -> Option<Violation> {
        if n.bad.is_empty() {
            return None;
        }
        let list: Vec<String> = n.bad.iter().map(|c| describe_char(*c)).collect();
        let more = if n.bad_count > n.bad.len() && n.bad.len() == BAD_CHARS_SHOWN {
            " …"
        } else {
            ""
        };
        Some(violation(
            Rule::BadChar,
            format!(
                "{} contains characters cPanel does not allow in usernames: {}{more}.",
                n.q,
                join_and(&list)
            ),
            format!("Use only {}.", self.allowed_words()),
        ))
    }

    fn underscore_with_db_prefix(&self, n: &Name<'_>) -> Option<Violation> {
        (self.new_account() && self.ctx.db_prefixing && n.has_underscore).then(|| {
            violation(
                Rule::UnderscoreWithDbPrefix,
                format!(
                    "{} contains “_”, which a new account name cannot have while database prefixing is on.",
                    n.q
                ),
                format!(
                    "Remove the underscores ({}), or turn off database prefixing in WHM’s Tweak Settings.",
                    quote(&n.without('_'))
                ),
            )
        })
    }

    fn dot_in_new_account(&self, n: &Name<'_>) -> Option<Violation> {
        (self.new_account() && n.has_dot).then(|| {
            violation(
                Rule::DotInNewAccount,
                format!(
                    "{} contains “.”; WHM refuses dots in new account names (only restores may keep them).",
                    n.q
                ),
                format!("Remove the dots, e.g. {}.", quote(&n.without('.'))),
            )
        })
    }

    /// §5.2: the fixed list, or one of this server's mail aliases.
    fn reserved_name(&self, n: &Name<'_>) -> Option<Violation> {
        let lower = n.lower.as_ref();
        let listed = RESERVED_NAMES.contains(&lower);
        let alias = self.ctx.extra_reserved.contains(lower) || self.ctx.extra_reserved.contains(n.name);
        (!lower.is_empty() && (listed || alias)).then(|| {
            violation(
                Rule::ReservedName,
                format!(
                    "{} is a reserved username on this system.{}",
                    quote(lower),
                    if listed { "" } else { " It is a mail alias here." }
                ),
                "Choose another username.".into(),
            )
        })
    }

    /// §5.3 steps 3 and 4. An existing local account is its own database owner: that is the
    /// user-exists conflict, not a second, prefix problem.
    fn prefix_collision(&self, n: &Name<'_>) -> Option<Violation> {
        let lower = n.lower.as_ref();
        let owner = dbowner(lower);
        let same_account = owner == lower && self.ctx.local_users.contains(lower);
        if owner.is_empty() || same_account {
            return None;
        }
        let first_n = self.ctx.effective_prefix_length();
        if self.owners.has_exact(&owner) {
            return Some(violation(
                Rule::PrefixCollision,
                format!("This system already has a database owner named {}.", quote(&owner)),
                "Choose a username whose letters and digits differ from every existing account’s.".into(),
            ));
        }
        if n.len < first_n {
            return None;
        }
        let prefix: String = owner.chars().take(first_n).collect();
        let existing = self.owners.starting_with(&prefix)?;
        let k = characters(prefix.chars().count());
        Some(violation(
            Rule::PrefixCollision,
            format!(
                "The name of another account on this server has the same initial {k} as the given username ({}). Each username’s first {k} must be unique. It matches {}.",
                plain(n.name),
                quote(&existing)
            ),
            format!("Change one of the first {k} (ignoring “_” and “.”)."),
        ))
    }

    /// Users and groups match the name as given or, when it has capitals, its lowercase form.
    fn exists_in(&self, set: &NameSet, n: &Name<'_>) -> bool {
        !n.name.is_empty() && (set.contains(n.name) || (n.has_upper && set.contains(&n.lower)))
    }

    /// The spelling of the name that exists in `set`.
    fn shown_in(set: &NameSet, n: &Name<'_>) -> String {
        if set.contains(n.name) {
            quote(n.name)
        } else {
            quote(&n.lower)
        }
    }

    fn user_exists(&self, n: &Name<'_>) -> Conflict {
        Conflict {
            kind: ConflictKind::UserExists,
            explanation: format!(
                "This system already has an account named {}.",
                Self::shown_in(&self.ctx.local_users, n)
            ),
            fix: match self.purpose {
                Purpose::Transfer => "Transfer it under another local username, restore into the existing account (skip account creation), or overwrite it (force, unrestricted sessions only).",
                Purpose::NewAccount => "Choose another username.",
            }
            .into(),
        }
    }

    fn group_exists(&self, n: &Name<'_>) -> Conflict {
        Conflict {
            kind: ConflictKind::GroupExists,
            explanation: format!(
                "This system already has a group named {}.",
                Self::shown_in(&self.ctx.local_groups, n)
            ),
            fix: match self.purpose {
                Purpose::Transfer => "Transfer it under another local username: WHM cannot create the account’s group.",
                Purpose::NewAccount => "Choose another username.",
            }
            .into(),
        }
    }

    /// Exactly `self.evaluate_full(name).is_ok()`, without building any text.
    pub(crate) fn acceptable(&self, name: &str) -> bool {
        let ctx = self.ctx;
        // The regexes are exactly "no syntax rule broken" for the purpose (and imply lowercase ASCII).
        let syntax = match self.purpose {
            Purpose::Transfer => matches_transfer_regex(name),
            Purpose::NewAccount => matches_new_account_regex(name, ctx.db_prefixing),
        };
        if !syntax
            || RESERVED_NAMES.contains(&name)
            || ctx.extra_reserved.contains(name)
            || reserved_prefix(name).is_some()
            || reserved_suffix(name).is_some()
            || digits_and_punctuation_only(name)
            || ctx.local_users.contains(name)
            || ctx.local_groups.contains(name)
        {
            return false;
        }
        if self.owners.is_empty() {
            return true;
        }
        // The name is at most 16 ASCII characters here: its dbowner fits a stack buffer.
        let mut buf = [0u8; MAX_LENGTH];
        let mut len = 0;
        for b in name.bytes().filter(|b| *b != b'_' && *b != b'.') {
            if let Some(slot) = buf.get_mut(len) {
                *slot = b;
                len += 1;
            }
        }
        let Some(owner) = buf.get(..len).and_then(|o| std::str::from_utf8(o).ok()) else {
            return true;
        };
        if owner.is_empty() {
            return true;
        }
        if self.owners.has_exact(owner) {
            return false;
        }
        let n = ctx.effective_prefix_length();
        if name.len() >= n {
            let prefix = owner.get(..n.min(owner.len())).unwrap_or(owner);
            return !self.owners.any_starting_with(prefix);
        }
        true
    }

    /// The characters the purpose allows, for a fix.
    pub(crate) fn allowed_words(&self) -> &'static str {
        match (self.purpose, self.ctx.db_prefixing) {
            (Purpose::Transfer, _) => "lowercase letters a–z, digits, “-”, “_” and “.”, starting with a letter",
            (Purpose::NewAccount, true) => "lowercase letters a–z and digits, starting with a letter",
            (Purpose::NewAccount, false) => "lowercase letters a–z, digits and “_”, not starting with a digit",
        }
    }
}

fn too_long(n: &Name<'_>) -> Option<Violation> {
    (n.len > MAX_LENGTH).then(|| {
        let cut: String = n.name.chars().take(MAX_LENGTH).collect();
        violation(
            Rule::TooLong,
            format!(
                "{} has {} characters; a cPanel username can have at most {MAX_LENGTH} (a MySQL limit).",
                n.q, n.len
            ),
            format!("Shorten it to {MAX_LENGTH} characters or fewer, e.g. {}.", quote(&cut)),
        )
    })
}

fn uppercase(n: &Name<'_>) -> Option<Violation> {
    n.has_upper.then(|| {
        violation(
            Rule::Uppercase,
            format!("{} contains capital letters; cPanel usernames are lowercase.", n.q),
            format!("Use {}.", quote(&n.lower)),
        )
    })
}

fn bad_first_char(n: &Name<'_>) -> Option<Violation> {
    let c = n.name.chars().next().filter(|c| matches!(c, '-' | '.' | '0'..='9'))?;
    Some(violation(
        Rule::BadFirstChar,
        format!(
            "{} starts with {}; a username cannot start with a digit, “-” or “.”.",
            n.q,
            describe_char(c)
        ),
        "Start it with a letter.".into(),
    ))
}

fn reserved_prefix_rule(n: &Name<'_>) -> Option<Violation> {
    let p = reserved_prefix(&n.lower)?;
    Some(violation(
        Rule::ReservedPrefix,
        format!(
            "{} is a reserved username on this system: names may not begin with “{p}”.",
            quote(&n.lower)
        ),
        format!("Choose a name that does not begin with “{p}”."),
    ))
}

fn reserved_suffix_rule(n: &Name<'_>) -> Option<Violation> {
    let s = reserved_suffix(&n.lower)?;
    Some(violation(
        Rule::ReservedSuffix,
        format!(
            "{} is a reserved username on this system: names may not end with “{s}”.",
            quote(&n.lower)
        ),
        format!("Choose a name that does not end with “{s}”."),
    ))
}

fn digits_and_punctuation(n: &Name<'_>) -> Option<Violation> {
    (n.len > 0 && n.punct_only).then(|| {
        violation(
            Rule::DigitsAndPunctuationOnly,
            format!(
                "{} is a reserved username on this system: a name cannot consist only of digits, “-”, “_” and “.”.",
                n.q
            ),
            "Include at least one letter.".into(),
        )
    })
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The text-free fast path and the full evaluation never disagree.
        #[test]
        fn acceptable_agrees_with_the_full_evaluation(
            name in proptest::prop_oneof![
                "[-._a-zA-Z0-9ñ ]{0,18}",
                "(test|root|alice|a_b|abcdefgh|bob|carol|mailer|1|_)[a-z0-9._-]{0,10}(assword|\\.lock)?",
            ],
            prefixing in proptest::bool::ANY,
            new in proptest::bool::ANY,
            n in 0u8..20,
        ) {
            let mut ctx = RuleContext { db_prefixing: prefixing, prefix_length: n, ..RuleContext::default() };
            ctx.local_db_owners = ["alice", "abcdefghxyz", "a_b", "Mixed.Case"].map(String::from).into();
            ctx.local_users.insert_str("bob");
            ctx.local_groups.insert_str("carol");
            ctx.extra_reserved.insert("mailer".into());
            let purpose = if new { Purpose::NewAccount } else { Purpose::Transfer };
            for checker in [Checker::linear(&ctx, purpose), Checker::indexed(&ctx, purpose)] {
                proptest::prop_assert_eq!(checker.acceptable(&name), checker.evaluate_full(&name).is_ok(), "{:?}", name);
            }
        }
    }
}
