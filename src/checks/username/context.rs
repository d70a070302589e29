//! What the rules are evaluated against: this server's settings and names.

use super::keys::effective;
use super::names::NameSet;
use super::rules::{DEFAULT_PREFIX_LENGTH, UNKNOWN_SERVER_PREFIX_LENGTH};
use crate::whm::Analysis;
use std::collections::BTreeSet;

/// This server's settings and names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleContext {
    /// `database_prefix` in cpanel.config (default on): new account names may not contain `_`.
    pub db_prefixing: bool,
    /// First-N uniqueness length: 8 (MySQL 5.5/5.6, `force_short_prefix`) or 16 (default).
    pub prefix_length: u8,
    /// Extra reserved names: this server's mail aliases (`/etc/aliases`, `/etc/localaliases`).
    pub extra_reserved: BTreeSet<String>,
    /// Every `/etc/passwd` user here.
    pub local_users: NameSet,
    /// Every group here.
    pub local_groups: NameSet,
    /// Existing database owners (usernames or `dbowner` names; compared without `_`/`.`).
    pub local_db_owners: NameSet,
}

impl Default for RuleContext {
    fn default() -> Self {
        RuleContext {
            db_prefixing: true,
            prefix_length: DEFAULT_PREFIX_LENGTH,
            extra_reserved: BTreeSet::new(),
            local_users: NameSet::new(),
            local_groups: NameSet::new(),
            local_db_owners: NameSet::new(),
        }
    }
}

impl RuleContext {
    /// Users, groups and database owners of the local server from an analysis; the prefix length from
    /// the local database server (`Analysis::local_prefix_length`, else 8: §5.3). `db_prefixing` stays
    /// on and `extra_reserved` empty: the analysis tells neither.
    ///
    /// Owners are every owner of a local database or database user and every owner of a local domain
    /// (each cPanel account is a database owner in WHM's `/etc/dbowners`, whether or not it has
    /// databases), except `nobody`. Users and groups are copied from the analysis' own sets, already
    /// hashed while the reply was decoded; each owner is hashed once.
    pub fn from_analysis(analysis: &Analysis) -> Self {
        let local = &analysis.local;
        let mut owners = NameSet::with_capacity(local.domains.len(), 0);
        if let Some(dbs) = &local.dbs {
            for map in [&dbs.dbs.mysql, &dbs.dbs.pgsql, &dbs.users.mysql, &dbs.users.pgsql] {
                for owner in map.values().filter(|o| !o.is_empty()) {
                    owners.insert_str(owner);
                }
            }
        }
        for owner in local.domains.values().filter(|o| !o.is_empty() && *o != "nobody") {
            owners.insert_str(owner);
        }
        RuleContext {
            db_prefixing: true,
            // §5.3: WHM uses 8 when the database server is old, not running or not known.
            prefix_length: analysis.local_prefix_length().unwrap_or(UNKNOWN_SERVER_PREFIX_LENGTH),
            extra_reserved: BTreeSet::new(),
            local_users: local.users.clone().into(),
            local_groups: local.groups.clone().into(),
            local_db_owners: owners,
        }
    }

    /// The first-N length actually used: `prefix_length`, or 16 when it is 0.
    pub fn effective_prefix_length(&self) -> usize {
        effective(self.prefix_length)
    }
}
