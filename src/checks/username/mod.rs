//! cPanel username rules (§5.1–§5.3), as data plus small functions.
//!
//! Decisions, so the UI can rely on them:
//! * **One violation per rule.** [`Verdict::violations`] lists every rule the name breaks, each once, in
//!   [`Rule::ALL`] order. When a name clashes both with a local database owner and with other names of a
//!   bulk list, the one `prefix-collision` violation explains both.
//! * **Existing users and groups are not rules.** They are facts about this server, reported as the
//!   [`Verdict::exists_as_user`] / [`Verdict::exists_as_group`] flags and, with WHM's wording, in
//!   [`Verdict::conflicts`] (kinds `user-exists`, `group-exists`). [`Verdict::is_ok`] needs both absent.
//! * **Lookups use the lowercased name.** WHM lowercases names before it creates an account, so an
//!   uppercase name is reported as `uppercase` *and* as whatever its lowercase form would hit (`ROOT` is
//!   also `reserved-name`). The regex flags ([`Verdict::valid_for_transfer`], [`Verdict::valid_for_new`])
//!   test the name exactly as given. Users and groups match either spelling.
//! * **Database owners.** A database owner is compared in WHM's `dbowner` form (the name without `_` and
//!   `.`), so `local_db_owners` may hold plain usernames. [`RuleContext::from_analysis`] takes every
//!   owner of a local database or database user and every owner of a local domain (each cPanel account
//!   is a database owner in WHM's `/etc/dbowners`, whether or not it has databases), except `nobody`.
//! * **Length counts characters**, not bytes.
//! * A `prefix_length` of 0 is taken as the default, 16.

//!
//! One idea per file: [`rules`](mod@rules) (the limits, reserved lists and rule ids), `syntax` (the two
//! regexes), `keys` (`dbowner` and first-N keys), [`NameSet`] (the context's name sets), `context`
//! ([`RuleContext`]), `verdict`, `owners` (the database-owner index), `evaluate` (one function per rule),
//! `collisions` (first-N groups of a list), `suggest`, `check` (the entry points); the hashing is
//! `crate::names::hash`.

mod check;
mod collisions;
mod context;
mod evaluate;
mod keys;
mod names;
mod owners;
pub mod rules;
mod suggest;
mod syntax;
mod verdict;

pub use check::{BulkReport, check_bulk, check_username};
pub use collisions::{Collision, find_collisions};
pub use context::RuleContext;
pub use keys::{dbowner, first_n_key};
pub use names::NameSet;
pub use rules::{
    DEFAULT_PREFIX_LENGTH, MAX_LENGTH, Purpose, RESERVED_NAMES, RESERVED_PREFIXES, RESERVED_SUFFIXES, Rule,
    UNKNOWN_SERVER_PREFIX_LENGTH,
};
pub use syntax::{SOURCE_MAX_LENGTH, matches_new_account_regex, matches_transfer_regex, plausible_source_username};
pub use verdict::{Conflict, ConflictKind, Verdict, Violation};

/// The engine's hashing lives with [`crate::names`], which the wire layer shares.
pub(crate) use crate::names::hash;
pub use crate::names::{FastHasher, FastMap, FastSet};
pub(crate) use evaluate::Checker;
pub(crate) use keys::key_of;
