//! What a decoded analysis (§4) means for the transfer: a sorted list of findings
//! and the totals.
//!
//! Each remote account is checked as if it kept its name (`localuser = user`), with the rules of
//! [`crate::checks::username`] in transfer mode, all accounts together (first-N collisions inside the
//! session). Local users, groups and database owners come from the [`RuleContext`] — build it with
//! [`RuleContext::from_analysis`] (plus the admin's aliases and prefixing setting); server verdicts
//! (`validate_system_user`) add what they know.

use super::name_findings::{NameFindings, Voice};
use super::text::{free_ips, quote};
use super::username::{FastMap, FastSet, Purpose, Rule, RuleContext, check_bulk};
use crate::whm::Analysis;
use crate::whm::analysis::PerEngine;
use crate::whm::responses::SystemUserVerdict;
use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// How bad a finding is. Ordered worst first: `Error < Warning < Info`, so sorting puts errors
/// first and `min` is the worst of several (no separate rank is needed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Severity {
    /// The transfer of that item (or the session) will fail.
    Error,
    /// It will go through, but not as the admin probably expects.
    Warning,
    Info,
}

impl Ord for Severity {
    fn cmp(&self, other: &Severity) -> Ordering {
        self.rank().cmp(&other.rank())
    }
}

impl PartialOrd for Severity {
    fn partial_cmp(&self, other: &Severity) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Severity {
    /// Every severity, worst first.
    pub const ALL: [Severity; 3] = [Severity::Error, Severity::Warning, Severity::Info];

    /// 0 for the worst.
    const fn rank(self) -> u8 {
        match self {
            Severity::Error => 0,
            Severity::Warning => 1,
            Severity::Info => 2,
        }
    }

    /// The worse of two.
    pub fn worst(self, other: Severity) -> Severity {
        self.min(other)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SubjectKind {
    Account,
    Database,
    DbUser,
    Package,
    LinkedNode,
    Session,
    Ip,
    /// A configuration module of the analysis (`modules.MySQL` …) or a transfer module (`AccountRemoteRoot` …).
    Module,
}

impl SubjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::Account => "account",
            SubjectKind::Database => "database",
            SubjectKind::DbUser => "db-user",
            SubjectKind::Package => "package",
            SubjectKind::LinkedNode => "linked-node",
            SubjectKind::Session => "session",
            SubjectKind::Ip => "ip",
            SubjectKind::Module => "module",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Subject {
    pub kind: SubjectKind,
    /// The account's source username, the database name, … (raw, as in the analysis).
    pub name: String,
}

impl Subject {
    pub fn new(kind: SubjectKind, name: impl Into<String>) -> Self {
        Subject {
            kind,
            name: name.into(),
        }
    }
    pub fn account(name: impl Into<String>) -> Self {
        Subject::new(SubjectKind::Account, name)
    }
    /// The session as a whole (name `session`).
    pub fn session() -> Self {
        Subject::new(SubjectKind::Session, "session")
    }
}

/// One thing the admin should know before queueing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    /// A stable id, one of [`kinds::ALL`] (plan problems add [`crate::checks::plan::kinds::ALL`]).
    pub kind: &'static str,
    pub subject: Subject,
    /// One line, in an administrator's words.
    pub message: String,
    /// What to do.
    pub fix: String,
}

impl Finding {
    pub fn new(severity: Severity, kind: &'static str, subject: Subject, message: String, fix: String) -> Self {
        Finding {
            severity,
            kind,
            subject,
            message,
            fix,
        }
    }
}

/// Sorts findings: severity, kind, subject, then message.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        a.severity
            .cmp(&b.severity)
            .then_with(|| a.kind.cmp(b.kind))
            .then_with(|| a.subject.cmp(&b.subject))
            .then_with(|| a.message.cmp(&b.message))
    });
}

/// The finding kinds of [`findings`].
pub mod kinds {
    /// The account's username exists here as a user (analysis or `validate_system_user`). Error.
    pub const USER_EXISTS: &str = "user-exists";
    /// The account's username exists here as a group. Error.
    pub const GROUP_EXISTS: &str = "group-exists";
    /// Reserved name, prefix, suffix, digits/punctuation, or `validate_system_user` says reserved. Error.
    pub const RESERVED_USERNAME: &str = "reserved-username";
    /// Fails the transfer regex (empty, too long, capitals, characters, first character). Error.
    pub const INVALID_USERNAME: &str = "invalid-username";
    /// First-N collision with a local database owner or another account of the session. Error.
    pub const PREFIX_COLLISION: &str = "prefix-collision";
    /// The account's main domain already belongs to another local account. Error.
    pub const DOMAIN_EXISTS: &str = "domain-exists";
    /// A remote database or database user name exists here with another owner. Warning.
    pub const DB_CONFLICT: &str = "db-conflict";
    /// More accounts with a dedicated IP than free IPs here. Warning.
    pub const DEDICATED_IP_SHORTAGE: &str = "dedicated-ip-shortage";
    /// An account uses a worker node type no local linked node offers. Warning.
    pub const LINKED_NODE_MISSING: &str = "linked-node-missing";
    /// Live Transfer requested, the source does not support it. Error.
    pub const LIVE_TRANSFER_UNSUPPORTED: &str = "live-transfer-unsupported";
    /// Both servers share one MySQL server and the session is restricted. Error.
    pub const SHARED_MYSQL: &str = "shared-mysql";
    /// A configuration module's analysis reports an error. Error.
    pub const MODULE_ERROR: &str = "module-error";
    /// A configuration module's analysis reports a warning. Warning.
    pub const MODULE_WARNING: &str = "module-warning";
    /// `validate_system_user` disagrees with the local rules. Info.
    pub const SERVER_DISAGREES: &str = "server-disagrees";
    /// No accounts and no packages. Info.
    pub const NO_ITEMS: &str = "no-items";
    /// The source has no quota data: every size reads 0. Info.
    pub const SIZES_UNKNOWN: &str = "sizes-unknown";

    pub const ALL: [&str; 16] = [
        USER_EXISTS,
        GROUP_EXISTS,
        RESERVED_USERNAME,
        INVALID_USERNAME,
        PREFIX_COLLISION,
        DOMAIN_EXISTS,
        DB_CONFLICT,
        DEDICATED_IP_SHORTAGE,
        LINKED_NODE_MISSING,
        LIVE_TRANSFER_UNSUPPORTED,
        SHARED_MYSQL,
        MODULE_ERROR,
        MODULE_WARNING,
        SERVER_DISAGREES,
        NO_ITEMS,
        SIZES_UNKNOWN,
    ];
}

/// Everything [`findings`] looks at.
#[derive(Debug, Clone, Copy)]
pub struct FindingsInput<'a> {
    pub analysis: &'a Analysis,
    /// Usually `RuleContext::from_analysis(analysis)` plus the admin's settings (aliases, prefixing).
    pub ctx: &'a RuleContext,
    /// `validate_system_user` replies, by username (may be empty).
    pub server_verdicts: &'a HashMap<String, SystemUserVerdict>,
    /// The admin wants Live Transfer for this session.
    pub live_transfer_requested: bool,
}

/// Sizes of one owner's accounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerTotal {
    pub owner: String,
    pub accounts: usize,
    pub bytes: u128,
    pub files: u128,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Totals {
    pub accounts: usize,
    pub packages: usize,
    pub bytes: u128,
    pub files: u128,
    /// Per `Account::owner_or_root`, largest first (ties by owner name).
    pub by_owner: Vec<OwnerTotal>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Report {
    /// Sorted by severity, kind, subject (see [`sort_findings`]).
    pub findings: Vec<Finding>,
    pub totals: Totals,
}

impl Report {
    pub fn count(&self, severity: Severity) -> usize {
        self.findings.iter().filter(|f| f.severity == severity).count()
    }
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }
    pub fn of_kind<'s>(&'s self, kind: &'s str) -> impl Iterator<Item = &'s Finding> + 's {
        self.findings.iter().filter(move |f| f.kind == kind)
    }
}

/// All findings for an analysis. Linear in the number of accounts (plus sorting).
pub fn findings(input: FindingsInput<'_>) -> Report {
    let analysis = input.analysis;
    let mut out = Vec::new();
    account_findings(&input, &mut out);
    domain_findings(analysis, &mut out);
    db_conflicts(analysis, &mut out);
    ip_findings(analysis, &mut out);
    linked_node_findings(analysis, &mut out);
    session_findings(&input, &mut out);
    module_findings(analysis, &mut out);
    sort_findings(&mut out);
    Report {
        findings: out,
        totals: totals(analysis),
    }
}

fn account_findings(input: &FindingsInput<'_>, out: &mut Vec<Finding>) {
    let analysis = input.analysis;
    let accounts = &analysis.items.accounts;
    // Checked in place: the names are borrowed, not copied.
    let names: Vec<&str> = accounts.iter().map(|a| a.user.as_str()).collect();
    let bulk = check_bulk(&names, input.ctx, Purpose::Transfer);
    for (account, verdict) in accounts.iter().zip(&bulk.verdicts) {
        let user = account.user.as_str();
        let q = quote(user);
        let server = input.server_verdicts.get(user);
        let subject = || Subject::account(user);
        let local_user = verdict.exists_as_user;
        let names = NameFindings {
            voice: Voice::Analysis,
            account: user,
            verdict,
            server,
        };
        out.extend(names.user_exists());
        out.extend(names.group_exists());
        out.extend(names.reserved());
        out.extend(names.invalid());
        if let Some(v) = verdict.violation(Rule::PrefixCollision) {
            out.push(names.prefix_collision(v.explanation.clone()));
        }

        if let Some(s) = server {
            let mut diffs: Vec<String> = Vec::new();
            let mut fixes: Vec<&str> = Vec::new();
            let flag = |b: bool| u8::from(b);
            if s.valid_for_transfer != verdict.valid_for_transfer {
                diffs.push(format!(
                    "valid_for_transfer={} (local rules: {})",
                    flag(s.valid_for_transfer),
                    flag(verdict.valid_for_transfer)
                ));
            }
            if s.valid_for_new != verdict.valid_for_new {
                diffs.push(format!(
                    "valid_for_new={} (local rules: {})",
                    flag(s.valid_for_new),
                    flag(verdict.valid_for_new)
                ));
                fixes.push("check the database prefixing setting used here");
            }
            // The server compares reserved names case-sensitively; the local rules lowercase first.
            if s.reserved != verdict.reserved && !user.chars().any(|c| c.is_ascii_uppercase()) {
                diffs.push(format!(
                    "reserved={} (local rules: {})",
                    flag(s.reserved),
                    flag(verdict.reserved)
                ));
                if s.reserved {
                    fixes.push("add this server’s mail aliases to the reserved names");
                }
            }
            if s.exists != local_user {
                diffs.push(format!("exists={} (analysis: {})", flag(s.exists), flag(local_user)));
                fixes.push("re-run the analysis: its user list is out of date");
            }
            if !diffs.is_empty() {
                let fix = if fixes.is_empty() {
                    "Trust the server’s answer.".to_owned()
                } else {
                    format!("Trust the server’s answer; {}.", fixes.join("; "))
                };
                out.push(Finding::new(
                    Severity::Info,
                    kinds::SERVER_DISAGREES,
                    subject(),
                    format!("validate_system_user for {q} says {}.", diffs.join(", ")),
                    fix,
                ));
            }
        }
    }
}

fn lowercase(s: &str) -> Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(s.to_ascii_lowercase())
    } else {
        Cow::Borrowed(s)
    }
}

fn domain_findings(analysis: &Analysis, out: &mut Vec<Finding>) {
    if analysis.local.domains.is_empty() {
        return;
    }
    let domains = &analysis.local.domains;
    // WHM writes domains lowercase and trimmed: then the analysis' own map is looked up as it is, and
    // nothing proportional to the server's domains is built. Otherwise, a normalised copy.
    let normalised = domains
        .keys()
        .all(|d| d.trim().len() == d.len() && !d.bytes().any(|b| b.is_ascii_uppercase()));
    let copy: FastMap<Cow<'_, str>, &str> = if normalised {
        FastMap::default()
    } else {
        domains
            .iter()
            .filter(|(d, _)| *d != "*")
            .map(|(d, u)| (lowercase(d.trim()), u))
            .collect()
    };
    let owner_of = |domain: &str| -> Option<&str> {
        if normalised {
            domains.get(domain).filter(|_| domain != "*")
        } else {
            copy.get(domain).copied()
        }
    };
    for account in &analysis.items.accounts {
        let domain = lowercase(account.domain.trim());
        if domain.is_empty() {
            continue;
        }
        if let Some(owner) = owner_of(domain.as_ref()).filter(|o| *o != account.user) {
            out.push(Finding::new(
                Severity::Error,
                kinds::DOMAIN_EXISTS,
                Subject::account(account.user.as_str()),
                format!(
                    "The domain {} of {} already belongs to the account {} on this server.",
                    quote(&account.domain),
                    quote(&account.user),
                    quote(owner)
                ),
                "Remove the domain from the local account first; WHM will not restore an account whose main domain another account owns.".into(),
            ));
        }
    }
}

/// A database or database user of the same name on both servers, with different owners.
#[derive(Default)]
pub(crate) struct DbClash {
    pub engines: BTreeSet<&'static str>,
    pub remote_owner: Option<String>,
    pub local_owner: Option<String>,
}

/// Every database and database user the source and this server both have under different owners:
/// from comparing their lists, and from the source's own conflict report (§4.1).
pub(crate) fn db_clashes(analysis: &Analysis) -> BTreeMap<(SubjectKind, &str), DbClash> {
    use SubjectKind::{Database, DbUser};
    let mut clashes: BTreeMap<(SubjectKind, &str), DbClash> = BTreeMap::new();
    if let (Some(remote), Some(local)) = (&analysis.remote.dbs, &analysis.local.dbs) {
        let pairs = [
            (Database, "MySQL", &remote.dbs.mysql, &local.dbs.mysql),
            (Database, "PostgreSQL", &remote.dbs.pgsql, &local.dbs.pgsql),
            (DbUser, "MySQL", &remote.users.mysql, &local.users.mysql),
            (DbUser, "PostgreSQL", &remote.users.pgsql, &local.users.pgsql),
        ];
        // §4.1: v120 fills the PostgreSQL maps from the MySQL ones; such a copy says nothing about
        // PostgreSQL, so it is ignored rather than reported twice.
        let mirrored = |p: &PerEngine| !p.mysql.is_empty() && p.pgsql == p.mysql;
        let skip_pg =
            mirrored(&remote.dbs) || mirrored(&remote.users) || mirrored(&local.dbs) || mirrored(&local.users);
        for (kind, engine, remote_map, local_map) in pairs {
            if skip_pg && engine == "PostgreSQL" {
                continue;
            }
            for (name, remote_owner) in remote_map.iter() {
                if let Some(local_owner) = local_map.get(name).filter(|o| *o != remote_owner) {
                    let clash = clashes.entry((kind, name)).or_default();
                    clash.engines.insert(engine);
                    clash.remote_owner.get_or_insert_with(|| remote_owner.to_owned());
                    clash.local_owner.get_or_insert_with(|| local_owner.to_owned());
                }
            }
        }
    }
    for (owner_key, conflicts) in &analysis.remote.conflicts {
        let lists = [
            (Database, "MySQL", &conflicts.dbs.mysql),
            (Database, "PostgreSQL", &conflicts.dbs.pgsql),
            (DbUser, "MySQL", &conflicts.users.mysql),
            (DbUser, "PostgreSQL", &conflicts.users.pgsql),
        ];
        let skip_pg = !conflicts.dbs.mysql.is_empty() && conflicts.dbs.pgsql == conflicts.dbs.mysql
            || !conflicts.users.mysql.is_empty() && conflicts.users.pgsql == conflicts.users.mysql;
        for (kind, engine, map) in lists {
            if skip_pg && engine == "PostgreSQL" {
                continue;
            }
            for (name, c) in map {
                let clash = clashes.entry((kind, name.as_str())).or_default();
                clash.engines.insert(engine);
                let remote_owner = c
                    .remote_owner
                    .clone()
                    .filter(|o| !o.is_empty())
                    .unwrap_or_else(|| owner_key.clone());
                clash.remote_owner.get_or_insert(remote_owner);
                if let Some(l) = c.local_owner.clone().filter(|o| !o.is_empty()) {
                    clash.local_owner.get_or_insert(l);
                }
            }
        }
    }
    clashes
}

fn db_conflicts(analysis: &Analysis, out: &mut Vec<Finding>) {
    for ((kind, name), clash) in db_clashes(analysis) {
        let what = if kind == SubjectKind::Database {
            "database"
        } else {
            "database user"
        };
        let engines: Vec<&str> = clash.engines.into_iter().collect();
        let owners = match (&clash.remote_owner, &clash.local_owner) {
            (Some(r), Some(l)) => format!(
                "belongs to {} on the source but to {} on this server",
                quote(r),
                quote(l)
            ),
            (Some(r), None) => format!(
                "belongs to {} on the source and to another account on this server",
                quote(r)
            ),
            _ => "exists on both servers with different owners".to_owned(),
        };
        let new_owner = clash
            .remote_owner
            .as_deref()
            .map(quote)
            .unwrap_or_else(|| "the transferred account".into());
        out.push(Finding::new(
            Severity::Warning,
            kinds::DB_CONFLICT,
            Subject::new(kind, name),
            format!("The {} {what} {} {owners}.", engines.join(" and "), quote(name)),
            format!(
                "Rename it on one of the servers before the transfer. The restore does not give another account’s {what} to {new_owner} unless that account’s databases are set to “Overwrite databases of the same name”, which replaces this server’s."
            ),
        ));
    }
}

fn ip_findings(analysis: &Analysis, out: &mut Vec<Finding>) {
    let wanted = analysis.items.accounts.iter().filter(|a| a.has_dedicated_ip).count();
    let free = analysis.local.available_ips.len();
    if wanted > free {
        out.push(Finding::new(
            Severity::Warning,
            kinds::DEDICATED_IP_SHORTAGE,
            Subject::new(SubjectKind::Ip, "dedicated IPs"),
            format!(
                "{wanted} {} a dedicated IP on the source, but this server has {}.",
                if wanted == 1 { "account has" } else { "accounts have" },
                free_ips(free)
            ),
            "Add IP addresses here (WHM » IP Functions » Add a New IP Address), or let some accounts use the shared IP: WHM falls back to it when no IP is free.".into(),
        ));
    }
}

fn linked_node_findings(analysis: &Analysis, out: &mut Vec<Finding>) {
    let Some(local_nodes) = &analysis.local.linked_nodes else {
        // This WHM's analysis does not list its linked nodes: nothing to compare with.
        let users: Vec<&str> = analysis
            .items
            .accounts
            .iter()
            .filter(|a| !a.worker_nodes.is_empty())
            .map(|a| a.user.as_str())
            .collect();
        if let Some(first) = users.first() {
            let named: Vec<String> = users.iter().take(3).map(|u| quote(u)).collect();
            let more = if users.len() > 3 {
                format!(" and {} more", users.len() - 3)
            } else {
                String::new()
            };
            out.push(Finding::new(
                Severity::Info,
                kinds::LINKED_NODE_MISSING,
                Subject::account(*first),
                format!(
                    "{}{more} use linked nodes on the source, and this server's analysis does not list its own linked nodes, so whether it has nodes with the same roles is not known here.",
                    named.join(", ")
                ),
                "Check WHM » Clusters » Link Server Nodes on this server before the transfer, or transfer with mail_location “.local”.".into(),
            ));
        }
        return;
    };
    let offered: FastSet<&str> = local_nodes
        .iter()
        .flat_map(|n| n.worker_capabilities.iter().map(String::as_str))
        .collect();
    for account in &analysis.items.accounts {
        let missing: Vec<(&str, &str)> = account
            .worker_nodes
            .iter()
            .filter(|(kind, _)| !offered.contains(kind.as_str()))
            .map(|(k, alias)| (k.as_str(), alias.as_str()))
            .collect();
        if missing.is_empty() {
            continue;
        }
        let list: Vec<String> = missing
            .iter()
            .map(|(k, alias)| format!("{k} ({})", quote(alias)))
            .collect();
        let roles: Vec<&str> = missing.iter().map(|(k, _)| *k).collect();
        let mail = if roles.contains(&"Mail") {
            ", or transfer the account with mail_location “.local” to keep its mail on this server"
        } else {
            ""
        };
        out.push(Finding::new(
            Severity::Warning,
            kinds::LINKED_NODE_MISSING,
            Subject::account(account.user.as_str()),
            format!(
                "{} uses linked nodes on the source for {}, but no linked node here has the {} role.",
                quote(&account.user),
                list.join(", "),
                roles.join("/")
            ),
            format!(
                "Link a server node with that role here (WHM » Clusters » Link Server Nodes) before the transfer{mail}."
            ),
        ));
    }
}

fn session_findings(input: &FindingsInput<'_>, out: &mut Vec<Finding>) {
    let analysis = input.analysis;
    if input.live_transfer_requested && analysis.remote.supports_live_transfers != Some(true) {
        let host = analysis
            .remote
            .host
            .as_deref()
            .or(analysis.remote.hostname.as_deref())
            .unwrap_or("The source");
        let message = match analysis.remote.supports_live_transfers {
            Some(false) => format!(
                "Live Transfer needs a source running cPanel 11.89 or later; {} does not support it.",
                if host == "The source" {
                    "the source".to_owned()
                } else {
                    quote(host)
                }
            ),
            _ => "The analysis does not say that the source supports Live Transfer (cPanel 11.89 or later).".to_owned(),
        };
        out.push(Finding::new(
            Severity::Error,
            kinds::LIVE_TRANSFER_UNSUPPORTED,
            Subject::session(),
            message,
            "Turn Live Transfer off for this session, or update cPanel on the source first.".into(),
        ));
    }
    if analysis.config.shared_mysql_server == Some(true) && analysis.options.unrestricted != Some(true) {
        out.push(Finding::new(
            Severity::Error,
            kinds::SHARED_MYSQL,
            Subject::session(),
            "The Restricted Restore mode is not available because the local machine and the source server share the same MySQL server.".into(),
            "Create the session again with unrestricted restore (unrestricted_restore=1).".into(),
        ));
    }
    if analysis.remote.has_disk_used == Some(false) && !analysis.items.accounts.is_empty() {
        out.push(Finding::new(
            Severity::Info,
            kinds::SIZES_UNKNOWN,
            Subject::session(),
            "The source has no quota data (has_disk_used is 0): every account's size reads 0 here, so the disk to copy, WHM's disk-space check and the size-weighted progress are not known.".into(),
            "Check the space the accounts need on the source (e.g. du on their home directories) and that this server has it; on the source, turning quotas on and running /scripts/fixquotas gives the sizes.".into(),
        ));
    }
    if analysis.items.accounts.is_empty() && analysis.items.packages.is_empty() {
        out.push(Finding::new(
            Severity::Info,
            kinds::NO_ITEMS,
            Subject::session(),
            "The source offers no accounts and no packages to transfer.".into(),
            "Check the source server and the credentials of the session, then analyze it again.".into(),
        ));
    }
}

fn module_findings(analysis: &Analysis, out: &mut Vec<Finding>) {
    for (key, module) in &analysis.modules {
        let label = module.name.as_deref().filter(|n| !n.trim().is_empty()).unwrap_or(key);
        let one_line = |text: &str| {
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join("; ")
        };
        if let Some(text) = module.error.as_deref().map(one_line).filter(|t| !t.is_empty()) {
            out.push(Finding::new(
                Severity::Error,
                kinds::MODULE_ERROR,
                Subject::new(SubjectKind::Module, key.as_str()),
                format!("{label}: {text}"),
                format!("Resolve this before transferring the {label} configuration, or leave that configuration out of the queue."),
            ));
        }
        if let Some(text) = module.warning.as_deref().map(one_line).filter(|t| !t.is_empty()) {
            out.push(Finding::new(
                Severity::Warning,
                kinds::MODULE_WARNING,
                Subject::new(SubjectKind::Module, key.as_str()),
                format!("{label}: {text}"),
                "Review it before the transfer.".into(),
            ));
        }
    }
}

fn totals(analysis: &Analysis) -> Totals {
    let accounts = &analysis.items.accounts;
    let mut by_owner: FastMap<&str, OwnerTotal> = FastMap::default();
    let mut bytes = 0u128;
    let mut files = 0u128;
    for a in accounts {
        bytes += u128::from(a.bytesused);
        files += u128::from(a.filesused);
        let owner = a.owner_or_root();
        let t = by_owner.entry(owner).or_insert_with(|| OwnerTotal {
            owner: owner.to_owned(),
            accounts: 0,
            bytes: 0,
            files: 0,
        });
        t.accounts += 1;
        t.bytes += u128::from(a.bytesused);
        t.files += u128::from(a.filesused);
    }
    let mut by_owner: Vec<OwnerTotal> = by_owner.into_values().collect();
    by_owner.sort_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| a.owner.cmp(&b.owner)));
    Totals {
        accounts: accounts.len(),
        packages: analysis.items.packages.len(),
        bytes,
        files,
        by_owner,
    }
}
