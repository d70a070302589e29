//! cPanel username rules (whm-transfer-api.md §5.1–§5.3), as data plus small functions.
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

use crate::whm::Analysis;
use std::borrow::Cow;
use std::cell::OnceCell;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt::Write as _;
use std::hash::{BuildHasherDefault, Hasher};

/// A fast, unkeyed hasher (multiply–rotate, as in rustc's FxHash) for the engine's internal maps.
/// The inputs are a few thousand usernames from the admin's own servers, not attacker-sized.
#[derive(Default, Clone, Copy)]
pub(crate) struct FastHasher(u64);

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        for &b in chunks.remainder() {
            self.add(u64::from(b));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

impl FastHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;
pub(crate) type FastSet<K> = HashSet<K, BuildHasherDefault<FastHasher>>;

/// Maximum username length (`$MAX_LENGTH`, "constrained by MySQL").
pub const MAX_LENGTH: usize = 16;
/// First-N uniqueness length on MySQL ≥ 5.7 and MariaDB ≥ 10 (and when unknown).
pub const DEFAULT_PREFIX_LENGTH: u8 = 16;

/// The 43 exact reserved names of `reserved_username_check` (§5.2).
pub const RESERVED_NAMES: [&str; 43] = [
    "abrt",
    "all",
    "clamav",
    "cpanel-ccs",
    "cpeasyapache",
    "cpses",
    "cptkt",
    "cphulkd",
    "cpwebcalls",
    "dbus",
    "dirs",
    "dnsadmin",
    "dovecot",
    "eximstats",
    "files",
    "ftpxferlog",
    "haldaemon",
    "information_schema",
    "mailman",
    "modsec",
    "munin",
    "mydns",
    "nobody",
    "performance_schema",
    "postgres",
    "postmaster",
    "proftpd",
    "root",
    "roundcube",
    "shadow",
    "spamassassin",
    "ssl",
    "sys",
    "system",
    "tcpdump",
    "tmp",
    "tomcat",
    "toor",
    "virtfs",
    "virtual",
    "webmaster",
    "whmxfer",
    "_lock",
];

/// Reserved prefixes (§5.2): `test`, `tester`, `cpanelx` … are all reserved.
pub const RESERVED_PREFIXES: [&str; 10] = [
    "test", "passwd.", "cpmydns", "cpanel", "mydns", "pg_toast", "pg_temp", "cpses", "cptkt", "cpbackup",
];

/// Reserved suffixes (§5.2): `abc.lock`, `password`, `mypassword` … are reserved.
/// The first-N length WHM falls back to when it cannot tell the database server's version (§5.3).
pub const UNKNOWN_SERVER_PREFIX_LENGTH: u8 = 8;

pub const RESERVED_SUFFIXES: [&str; 6] = [".lock", ".cache", ".yaml", ".json", ".db", "assword"];

/// What the rules are evaluated against: this server's settings and names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleContext {
    /// `database_prefix` in cpanel.config (default on): new account names may not contain `_`.
    pub db_prefixing: bool,
    /// First-N uniqueness length: 8 (MySQL 5.5/5.6, `force_short_prefix`) or 16 (default).
    pub prefix_length: u8,
    /// Extra reserved names: this server's mail aliases (`/etc/aliases`, `/etc/localaliases`).
    pub extra_reserved: BTreeSet<String>,
    /// Every `/etc/passwd` user here.
    pub local_users: HashSet<String>,
    /// Every group here.
    pub local_groups: HashSet<String>,
    /// Existing database owners (usernames or `dbowner` names; compared without `_`/`.`).
    pub local_db_owners: HashSet<String>,
}

impl Default for RuleContext {
    fn default() -> Self {
        RuleContext {
            db_prefixing: true,
            prefix_length: DEFAULT_PREFIX_LENGTH,
            extra_reserved: BTreeSet::new(),
            local_users: HashSet::new(),
            local_groups: HashSet::new(),
            local_db_owners: HashSet::new(),
        }
    }
}

impl RuleContext {
    /// Users, groups and database owners of the local server from an analysis; the prefix length from
    /// the local database server (`Analysis::local_prefix_length`, else 16). `db_prefixing` stays on
    /// and `extra_reserved` empty: the analysis tells neither.
    pub fn from_analysis(analysis: &Analysis) -> Self {
        let local = &analysis.local;
        let mut owners: HashSet<String> = HashSet::new();
        if let Some(dbs) = &local.dbs {
            for map in [&dbs.dbs.mysql, &dbs.dbs.pgsql, &dbs.users.mysql, &dbs.users.pgsql] {
                for owner in map.values() {
                    if !owner.is_empty() && !owners.contains(owner.as_str()) {
                        owners.insert(owner.clone());
                    }
                }
            }
        }
        for owner in local.domains.values() {
            if !owner.is_empty() && owner != "nobody" && !owners.contains(owner.as_str()) {
                owners.insert(owner.clone());
            }
        }
        RuleContext {
            db_prefixing: true,
            // §5.3: WHM uses 8 when the database server is old, not running or not known.
            prefix_length: analysis.local_prefix_length().unwrap_or(UNKNOWN_SERVER_PREFIX_LENGTH),
            extra_reserved: BTreeSet::new(),
            local_users: local.users.iter().cloned().collect(),
            local_groups: local.groups.iter().cloned().collect(),
            local_db_owners: owners,
        }
    }

    /// The first-N length actually used: `prefix_length`, or 16 when it is 0.
    pub fn effective_prefix_length(&self) -> usize {
        if self.prefix_length == 0 {
            usize::from(DEFAULT_PREFIX_LENGTH)
        } else {
            usize::from(self.prefix_length)
        }
    }
}

/// Which check WHM would run: a restore (`verify_new_username_for_restore`) or account creation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Purpose {
    /// Transfer/restore: `_` and `.` are allowed.
    #[default]
    Transfer,
    /// A new account (`createacct`): strict regex, no `.`.
    NewAccount,
}

/// One username rule. Ids are stable strings for the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    Empty,
    TooLong,
    Uppercase,
    BadChar,
    BadFirstChar,
    UnderscoreWithDbPrefix,
    DotInNewAccount,
    ReservedName,
    ReservedPrefix,
    ReservedSuffix,
    DigitsAndPunctuationOnly,
    PrefixCollision,
}

impl Rule {
    /// Every rule, in report order.
    pub const ALL: [Rule; 12] = [
        Rule::Empty,
        Rule::TooLong,
        Rule::Uppercase,
        Rule::BadChar,
        Rule::BadFirstChar,
        Rule::UnderscoreWithDbPrefix,
        Rule::DotInNewAccount,
        Rule::ReservedName,
        Rule::ReservedPrefix,
        Rule::ReservedSuffix,
        Rule::DigitsAndPunctuationOnly,
        Rule::PrefixCollision,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Rule::Empty => "empty",
            Rule::TooLong => "too-long",
            Rule::Uppercase => "uppercase",
            Rule::BadChar => "bad-char",
            Rule::BadFirstChar => "bad-first-char",
            Rule::UnderscoreWithDbPrefix => "underscore-with-db-prefix",
            Rule::DotInNewAccount => "dot-in-new-account",
            Rule::ReservedName => "reserved-name",
            Rule::ReservedPrefix => "reserved-prefix",
            Rule::ReservedSuffix => "reserved-suffix",
            Rule::DigitsAndPunctuationOnly => "digits-and-punctuation-only",
            Rule::PrefixCollision => "prefix-collision",
        }
    }

    pub fn from_id(id: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.id() == id)
    }

    /// A short label for a column or a chip.
    pub fn title(self) -> &'static str {
        match self {
            Rule::Empty => "Empty",
            Rule::TooLong => "Too long",
            Rule::Uppercase => "Capital letters",
            Rule::BadChar => "Invalid characters",
            Rule::BadFirstChar => "Invalid first character",
            Rule::UnderscoreWithDbPrefix => "Underscore with database prefixing",
            Rule::DotInNewAccount => "Dot in a new account name",
            Rule::ReservedName => "Reserved name",
            Rule::ReservedPrefix => "Reserved beginning",
            Rule::ReservedSuffix => "Reserved ending",
            Rule::DigitsAndPunctuationOnly => "Digits and punctuation only",
            Rule::PrefixCollision => "First characters not unique",
        }
    }

    /// Whether the rule is checked for that purpose (the last two syntax rules are for new accounts only).
    pub fn applies_to(self, purpose: Purpose) -> bool {
        !matches!(self, Rule::UnderscoreWithDbPrefix | Rule::DotInNewAccount) || purpose == Purpose::NewAccount
    }

    /// The rules that make WHM call a name reserved (`reserved_username_check`).
    pub fn is_reserved(self) -> bool {
        matches!(
            self,
            Rule::ReservedName | Rule::ReservedPrefix | Rule::ReservedSuffix | Rule::DigitsAndPunctuationOnly
        )
    }

    /// The rules of the username regexes (length, characters).
    pub fn is_syntax(self) -> bool {
        matches!(
            self,
            Rule::Empty
                | Rule::TooLong
                | Rule::Uppercase
                | Rule::BadChar
                | Rule::BadFirstChar
                | Rule::UnderscoreWithDbPrefix
                | Rule::DotInNewAccount
        )
    }
}

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

    fn add_violation(&mut self, violation: Violation) {
        let at = self.violations.partition_point(|v| v.rule <= violation.rule);
        self.violations.insert(at, violation);
    }
}

/// Names of a bulk list that share one first-N key: every two of them collide. Kept as a group, not
/// as pairs, so a list where thousands of names share a key costs linear memory (the pairs would be
/// quadratic: 10,000 names → 50 million pairs).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Collision {
    /// Indices into the names, ascending; at least two.
    pub members: Vec<usize>,
    /// The shared first-N key (lowercased, without `_` and `.`).
    pub key: String,
}

impl Collision {
    /// How many colliding pairs the group stands for: k(k−1)/2.
    pub fn pair_count(&self) -> usize {
        let k = self.members.len();
        k * k.saturating_sub(1) / 2
    }
}

/// [`check_bulk`]'s result.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BulkReport {
    /// One per name, same order.
    pub verdicts: Vec<Verdict>,
    /// Every group of names sharing a first-N key, ordered by their first member.
    pub collisions: Vec<Collision>,
}

/// `^(?![-.0-9])[-._a-z0-9]{1,16}$`: valid for transfer/restore.
pub fn matches_transfer_regex(name: &str) -> bool {
    regex_like(name, |c| matches!(c, 'a'..='z' | '0'..='9' | '-' | '.' | '_'))
}

/// The strict regex for new accounts: `^(?![-.0-9])[a-z0-9]{1,16}$` with database prefixing,
/// `^(?![-.0-9])[_a-z0-9]{1,16}$` without.
pub fn matches_new_account_regex(name: &str, db_prefixing: bool) -> bool {
    regex_like(name, |c| {
        matches!(c, 'a'..='z' | '0'..='9') || (c == '_' && !db_prefixing)
    })
}

fn regex_like(name: &str, allowed: impl Fn(char) -> bool) -> bool {
    let mut count = 0usize;
    for (i, c) in name.chars().enumerate() {
        if i == 0 && matches!(c, '-' | '.' | '0'..='9') {
            return false;
        }
        if !allowed(c) {
            return false;
        }
        count += 1;
        if count > MAX_LENGTH {
            return false;
        }
    }
    count >= 1
}

/// WHM's `dbowner`: the name without `_` and `.` (lowercased here).
pub fn dbowner(name: &str) -> String {
    key_of(name, usize::MAX)
}

/// The first-N key of a name: its `dbowner`, lowercased, first `prefix_length` characters (0 → 16).
pub fn first_n_key(name: &str, prefix_length: u8) -> String {
    let n = if prefix_length == 0 {
        usize::from(DEFAULT_PREFIX_LENGTH)
    } else {
        usize::from(prefix_length)
    };
    key_of(name, n)
}

/// The dbowner's first `n` characters.
fn key_of(name: &str, n: usize) -> String {
    // Fast path: lowercase ASCII without `_` and `.` (most names) is its own dbowner.
    if name
        .bytes()
        .all(|b| b.is_ascii() && b != b'_' && b != b'.' && !b.is_ascii_uppercase())
    {
        return name.get(..n.min(name.len())).unwrap_or(name).to_owned();
    }
    dbowner_chars(name).take(n).collect()
}

fn dbowner_chars(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars()
        .filter(|c| *c != '_' && *c != '.')
        .map(|c| c.to_ascii_lowercase())
}

/// Checks one name. With many database owners the suggestion search uses a sorted index.
pub fn check_username(name: &str, ctx: &RuleContext, purpose: Purpose) -> Verdict {
    let checker = Checker::linear(ctx, purpose);
    let mut verdict = checker.evaluate(name);
    if !verdict.is_ok() {
        let mut hints = FastMap::default();
        verdict.suggestion = if ctx.local_db_owners.len() > 256 {
            Checker::indexed(ctx, purpose).suggest(name, &|_| false, &mut hints)
        } else {
            checker.suggest(name, &|_| false, &mut hints)
        };
    }
    verdict
}

/// Checks a list of names: each against the context and all against each other (first-N keys,
/// case-insensitive, duplicates included). Every name of a collision gets a `prefix-collision`
/// violation naming the others; suggestions avoid every key of the list and each other.
/// Expected O(n) plus the colliding pairs themselves.
pub fn check_bulk(names: &[String], ctx: &RuleContext, purpose: Purpose) -> BulkReport {
    let checker = Checker::indexed(ctx, purpose);
    let n = ctx.effective_prefix_length();
    let mut verdicts: Vec<Verdict> = names.iter().map(|name| checker.evaluate(name)).collect();
    let keys: Vec<String> = names.iter().map(|name| key_of(name, n)).collect();
    let groups = KeyGroups::new(&keys);
    let collisions = groups.collisions(&keys);
    for members in groups.shared() {
        let key = members
            .first()
            .and_then(|&i| keys.get(i))
            .map(String::as_str)
            .unwrap_or_default();
        for &i in &members {
            let text = bulk_collision_text(names, i, &members, key, n);
            if let Some(v) = verdicts.get_mut(i) {
                mark_bulk_collision(v, text);
            }
        }
    }

    // Suggestions, in list order: never a key another name of the list has, never one already suggested.
    let mut suggested: FastSet<String> = FastSet::default();
    let mut hints = FastMap::default();
    for ((verdict, name), own) in verdicts.iter_mut().zip(names).zip(&keys) {
        if verdict.is_ok() {
            continue;
        }
        let blocked = |key: &str| {
            let in_list = groups.size(key).saturating_sub(usize::from(key == own.as_str()));
            in_list > 0 || suggested.contains(key)
        };
        verdict.suggestion = checker.suggest(name, &blocked, &mut hints);
        if let Some(s) = &verdict.suggestion {
            suggested.insert(key_of(s, n));
        }
    }
    BulkReport { verdicts, collisions }
}

/// Only the collision groups of a list (first-N keys, case-insensitive; empty keys never collide).
pub fn find_collisions(names: &[String], prefix_length: u8) -> Vec<Collision> {
    let keys: Vec<String> = names.iter().map(|name| first_n_key(name, prefix_length)).collect();
    KeyGroups::new(&keys).collisions(&keys)
}

/// Indices of equal keys, by hashing. Empty keys are left out: such names break other rules already.
struct KeyGroups<'k> {
    slot: FastMap<&'k str, usize>,
    /// First member and further members (no allocation for the common single-member group).
    groups: Vec<(usize, Vec<usize>)>,
}

impl<'k> KeyGroups<'k> {
    fn new(keys: &'k [String]) -> Self {
        let mut slot: FastMap<&str, usize> = FastMap::with_capacity_and_hasher(keys.len(), Default::default());
        let mut groups: Vec<(usize, Vec<usize>)> = Vec::with_capacity(keys.len());
        for (i, key) in keys.iter().enumerate() {
            if key.is_empty() {
                continue;
            }
            match slot.get(key.as_str()) {
                Some(&g) => {
                    if let Some((_, rest)) = groups.get_mut(g) {
                        rest.push(i);
                    }
                }
                None => {
                    slot.insert(key, groups.len());
                    groups.push((i, Vec::new()));
                }
            }
        }
        KeyGroups { slot, groups }
    }

    /// How many names have this key.
    fn size(&self, key: &str) -> usize {
        self.slot
            .get(key)
            .and_then(|&g| self.groups.get(g))
            .map_or(0, |(_, rest)| 1 + rest.len())
    }

    /// Every group of two or more as a [`Collision`], ordered by first member.
    fn collisions(&self, keys: &[String]) -> Vec<Collision> {
        self.shared()
            .map(|members| {
                let key = members.first().and_then(|&i| keys.get(i)).cloned().unwrap_or_default();
                Collision { members, key }
            })
            .collect()
    }

    /// Every group of two or more, members ascending.
    fn shared(&self) -> impl Iterator<Item = Vec<usize>> + '_ {
        self.groups
            .iter()
            .filter(|(_, rest)| !rest.is_empty())
            .map(|(first, rest)| {
                let mut members = Vec::with_capacity(rest.len() + 1);
                members.push(*first);
                members.extend_from_slice(rest);
                members
            })
    }
}

fn bulk_collision_text(names: &[String], me: usize, members: &[usize], key: &str, n: usize) -> String {
    let mine = names.get(me).map(String::as_str).unwrap_or_default();
    // At most three others are named: O(1) text per member, even in a large group.
    let total = members.len().saturating_sub(1);
    let others: Vec<usize> = members.iter().copied().filter(|&j| j != me).take(3).collect();
    let mut list = String::new();
    let shown = others.len();
    for (x, &j) in others.iter().enumerate() {
        if x > 0 {
            list.push_str(if x + 1 == shown && total == shown {
                " and "
            } else {
                ", "
            });
        }
        let other = names.get(j).map(String::as_str).unwrap_or_default();
        if other == mine {
            list.push_str("another ");
        }
        list.push_str(&quote(other));
    }
    if total > shown {
        let _ = write!(list, " and {} more", total - shown);
    }
    let reason = if key.chars().count() >= n {
        format!(
            "their first {} ignoring “_” and “.” are the same ({})",
            characters(n),
            quote(key)
        )
    } else {
        format!("without “_” and “.” they are the same name ({})", quote(key))
    };
    format!(
        "{} clashes with {list} in this list: {reason}. Each username’s first {} must be unique.",
        quote(mine),
        characters(n)
    )
}

fn mark_bulk_collision(verdict: &mut Verdict, text: String) {
    if let Some(v) = verdict.violations.iter_mut().find(|v| v.rule == Rule::PrefixCollision) {
        v.explanation.push(' ');
        v.explanation.push_str(&text);
        return;
    }
    verdict.add_violation(Violation {
        rule: Rule::PrefixCollision,
        explanation: text,
        fix: "Give one of them a different username.".into(),
    });
}

fn characters(n: usize) -> String {
    if n == 1 {
        "1 character".into()
    } else {
        format!("{n} characters")
    }
}

/// A name in curly quotes for a one-line message: control and invisible formatting characters escaped,
/// cut after 40 characters.
pub(crate) fn quote(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 8);
    out.push('“');
    out.push_str(&plain(name));
    out.push('”');
    out
}

/// Like [`quote`], without the quotes.
pub(crate) fn plain(name: &str) -> String {
    if name.len() <= 40 && name.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return name.to_owned();
    }
    let mut out = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if i == 40 {
            out.push('…');
            break;
        }
        if is_invisible(c) {
            let _ = write!(out, "{}", c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}')
}

fn describe_char(c: char) -> String {
    match c {
        ' ' => "space".into(),
        '\t' => "tab".into(),
        c if is_invisible(c) || c.is_whitespace() => format!("U+{:04X}", u32::from(c)),
        c => format!("“{c}”"),
    }
}

fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Existing database owners, in `dbowner` form.
enum Owners<'a> {
    /// A plain scan (no set-up cost: for single checks).
    Linear(&'a HashSet<String>),
    /// Hashed (bulk checks).
    Indexed(OwnerIndex<'a>),
}

/// Database owners hashed by `dbowner` form and by their first N characters.
struct OwnerIndex<'a> {
    n: usize,
    exact: FastSet<Cow<'a, str>>,
    /// First N characters of every owner that has at least N → the smallest such owner.
    heads: FastMap<Cow<'a, str>, Cow<'a, str>>,
    /// Sorted owners, built only when asked for the smallest match or a prefix shorter than N.
    sorted: OnceCell<Vec<String>>,
}

impl OwnerIndex<'_> {
    fn sorted(&self) -> &[String] {
        self.sorted.get_or_init(|| {
            let mut v: Vec<String> = self.exact.iter().map(|o| o.to_string()).collect();
            v.sort_unstable();
            v
        })
    }
}

/// The dbowner of an existing owner name, borrowed when it already is one.
fn owner_form(name: &str) -> Cow<'_, str> {
    if name
        .bytes()
        .all(|b| b.is_ascii() && b != b'_' && b != b'.' && !b.is_ascii_uppercase())
    {
        Cow::Borrowed(name)
    } else {
        Cow::Owned(dbowner_chars(name).collect())
    }
}

/// The first `n` characters, if there are that many.
fn head(s: Cow<'_, str>, n: usize) -> Option<Cow<'_, str>> {
    let end = if s.is_ascii() {
        (s.len() >= n).then_some(n)?
    } else {
        s.char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(s.len()))
            .nth(n)?
    };
    Some(match s {
        Cow::Borrowed(b) => Cow::Borrowed(b.get(..end).unwrap_or(b)),
        Cow::Owned(o) => Cow::Owned(o.get(..end).unwrap_or(&o).to_owned()),
    })
}

impl<'a> Owners<'a> {
    fn index(set: &'a HashSet<String>, n: usize) -> Owners<'a> {
        let mut exact = FastSet::with_capacity_and_hasher(set.len(), Default::default());
        let mut heads: FastMap<Cow<'a, str>, Cow<'a, str>> =
            FastMap::with_capacity_and_hasher(set.len(), Default::default());
        for o in set {
            let form = owner_form(o);
            if form.is_empty() {
                continue;
            }
            if let Some(h) = head(form.clone(), n) {
                match heads.get_mut(&h) {
                    Some(smallest) if form < *smallest => *smallest = form.clone(),
                    Some(_) => {}
                    None => {
                        heads.insert(h, form.clone());
                    }
                }
            }
            exact.insert(form);
        }
        Owners::Indexed(OwnerIndex {
            n,
            exact,
            heads,
            sorted: OnceCell::new(),
        })
    }

    fn is_empty(&self) -> bool {
        match self {
            Owners::Linear(set) => set.is_empty(),
            Owners::Indexed(ix) => ix.exact.is_empty(),
        }
    }

    fn has_exact(&self, owner: &str) -> bool {
        match self {
            Owners::Linear(set) => !owner.is_empty() && set.iter().any(|o| dbowner_chars(o).eq(owner.chars())),
            Owners::Indexed(ix) => ix.exact.contains(owner),
        }
    }

    /// The smallest owner that starts with `prefix`.
    fn starting_with(&self, prefix: &str) -> Option<String> {
        match self {
            Owners::Linear(set) => set
                .iter()
                .filter(|o| {
                    let mut it = dbowner_chars(o);
                    prefix.chars().all(|p| it.next() == Some(p))
                })
                .map(|o| dbowner(o))
                .filter(|o| !o.is_empty())
                .min(),
            Owners::Indexed(ix) if prefix.chars().count() == ix.n => ix.heads.get(prefix).map(|o| o.to_string()),
            Owners::Indexed(ix) => {
                let sorted = ix.sorted();
                let at = sorted.partition_point(|o| o.as_str() < prefix);
                sorted.get(at).filter(|o| o.starts_with(prefix)).cloned()
            }
        }
    }

    fn any_starting_with(&self, prefix: &str) -> bool {
        match self {
            Owners::Linear(_) => self.starting_with(prefix).is_some(),
            Owners::Indexed(ix) if prefix.chars().count() == ix.n => ix.heads.contains_key(prefix),
            Owners::Indexed(_) => self.starting_with(prefix).is_some(),
        }
    }
}

/// The rules bound to a context and a purpose.
pub(crate) struct Checker<'a> {
    ctx: &'a RuleContext,
    purpose: Purpose,
    owners: Owners<'a>,
}

impl<'a> Checker<'a> {
    pub(crate) fn linear(ctx: &'a RuleContext, purpose: Purpose) -> Self {
        Checker {
            ctx,
            purpose,
            owners: Owners::Linear(&ctx.local_db_owners),
        }
    }

    pub(crate) fn indexed(ctx: &'a RuleContext, purpose: Purpose) -> Self {
        Checker {
            ctx,
            purpose,
            owners: Owners::index(&ctx.local_db_owners, ctx.effective_prefix_length()),
        }
    }

    /// Every rule and conflict, without a suggestion.
    pub(crate) fn evaluate(&self, name: &str) -> Verdict {
        let ctx = self.ctx;
        if self.acceptable(name) {
            // The common case, without building any text.
            return Verdict {
                name: name.to_owned(),
                violations: Vec::new(),
                conflicts: Vec::new(),
                valid_for_transfer: true,
                valid_for_new: matches_new_account_regex(name, ctx.db_prefixing),
                reserved: false,
                exists_as_user: false,
                exists_as_group: false,
                suggestion: None,
            };
        }
        self.evaluate_full(name)
    }

    /// Every rule and conflict, with their texts (no fast path).
    fn evaluate_full(&self, name: &str) -> Verdict {
        let ctx = self.ctx;
        let new = self.purpose == Purpose::NewAccount;
        let q = quote(name);

        let mut len = 0usize;
        let mut has_upper = false;
        let mut has_underscore = false;
        let mut has_dot = false;
        let mut punct_only = true;
        let mut bad: Vec<char> = Vec::new();
        let mut bad_count = 0usize;
        for c in name.chars() {
            len += 1;
            let is_bad = match c {
                'a'..='z' => false,
                'A'..='Z' => {
                    has_upper = true;
                    false
                }
                '0'..='9' => false,
                '_' => {
                    has_underscore = true;
                    false
                }
                '.' => {
                    has_dot = true;
                    false
                }
                '-' => new,
                _ => true,
            };
            if !matches!(c, '0'..='9' | '-' | '.' | '_') {
                punct_only = false;
            }
            if is_bad {
                bad_count += 1;
                if bad.len() < 5 && !bad.contains(&c) {
                    bad.push(c);
                }
            }
        }
        let first = name.chars().next();
        let lower: Cow<'_, str> = if has_upper {
            Cow::Owned(name.to_ascii_lowercase())
        } else {
            Cow::Borrowed(name)
        };

        let mut violations = Vec::new();
        let mut push =
            |rule: Rule, explanation: String, fix: String| violations.push(Violation { rule, explanation, fix });

        if len == 0 {
            push(
                Rule::Empty,
                "The username is empty.".into(),
                format!(
                    "Enter a username of 1 to {MAX_LENGTH} characters: {}.",
                    self.allowed_words()
                ),
            );
        }
        if len > MAX_LENGTH {
            let cut: String = name.chars().take(MAX_LENGTH).collect();
            push(
                Rule::TooLong,
                format!("{q} has {len} characters; a cPanel username can have at most {MAX_LENGTH} (a MySQL limit)."),
                format!("Shorten it to {MAX_LENGTH} characters or fewer, e.g. {}.", quote(&cut)),
            );
        }
        if has_upper {
            push(
                Rule::Uppercase,
                format!("{q} contains capital letters; cPanel usernames are lowercase."),
                format!("Use {}.", quote(&lower)),
            );
        }
        if !bad.is_empty() {
            let list: Vec<String> = bad.iter().map(|c| describe_char(*c)).collect();
            let more = if bad_count > bad.len() && bad.len() == 5 {
                " …"
            } else {
                ""
            };
            push(
                Rule::BadChar,
                format!(
                    "{q} contains characters cPanel does not allow in usernames: {}{more}.",
                    join_and(&list)
                ),
                format!("Use only {}.", self.allowed_words()),
            );
        }
        if let Some(c @ ('-' | '.' | '0'..='9')) = first {
            push(
                Rule::BadFirstChar,
                format!(
                    "{q} starts with {}; a username cannot start with a digit, “-” or “.”.",
                    describe_char(c)
                ),
                "Start it with a letter.".into(),
            );
        }
        if new && ctx.db_prefixing && has_underscore {
            let without: String = name.chars().filter(|c| *c != '_').collect();
            push(
                Rule::UnderscoreWithDbPrefix,
                format!("{q} contains “_”, which a new account name cannot have while database prefixing is on."),
                format!(
                    "Remove the underscores ({}), or turn off database prefixing in WHM’s Tweak Settings.",
                    quote(&without)
                ),
            );
        }
        if new && has_dot {
            let without: String = name.chars().filter(|c| *c != '.').collect();
            push(
                Rule::DotInNewAccount,
                format!("{q} contains “.”; WHM refuses dots in new account names (only restores may keep them)."),
                format!("Remove the dots, e.g. {}.", quote(&without)),
            );
        }

        let reserved_name = !lower.is_empty()
            && (RESERVED_NAMES.contains(&lower.as_ref())
                || ctx.extra_reserved.contains(lower.as_ref())
                || ctx.extra_reserved.contains(name));
        if reserved_name {
            let alias = !RESERVED_NAMES.contains(&lower.as_ref());
            push(
                Rule::ReservedName,
                format!(
                    "{} is a reserved username on this system.{}",
                    quote(&lower),
                    if alias { " It is a mail alias here." } else { "" }
                ),
                "Choose another username.".into(),
            );
        }
        if let Some(p) = RESERVED_PREFIXES.iter().find(|p| lower.starts_with(**p)) {
            push(
                Rule::ReservedPrefix,
                format!(
                    "{} is a reserved username on this system: names may not begin with “{p}”.",
                    quote(&lower)
                ),
                format!("Choose a name that does not begin with “{p}”."),
            );
        }
        if let Some(s) = RESERVED_SUFFIXES.iter().find(|s| lower.ends_with(**s)) {
            push(
                Rule::ReservedSuffix,
                format!(
                    "{} is a reserved username on this system: names may not end with “{s}”.",
                    quote(&lower)
                ),
                format!("Choose a name that does not end with “{s}”."),
            );
        }
        if len > 0 && punct_only {
            push(
                Rule::DigitsAndPunctuationOnly,
                format!(
                    "{q} is a reserved username on this system: a name cannot consist only of digits, “-”, “_” and “.”."
                ),
                "Include at least one letter.".into(),
            );
        }

        // §5.3 steps 3 and 4. An existing local account is its own database owner: that is the
        // user-exists conflict below, not a second, prefix problem.
        let owner = dbowner(&lower);
        let same_account = owner == lower.as_ref() && ctx.local_users.contains(lower.as_ref());
        if !owner.is_empty() && !same_account {
            let n = ctx.effective_prefix_length();
            if self.owners.has_exact(&owner) {
                push(
                    Rule::PrefixCollision,
                    format!("This system already has a database owner named {}.", quote(&owner)),
                    "Choose a username whose letters and digits differ from every existing account’s.".into(),
                );
            } else if len >= n {
                let prefix: String = owner.chars().take(n).collect();
                if let Some(existing) = self.owners.starting_with(&prefix) {
                    let k = characters(prefix.chars().count());
                    push(
                        Rule::PrefixCollision,
                        format!(
                            "The name of another account on this server has the same initial {k} as the given username ({}). Each username’s first {k} must be unique. It matches {}.",
                            plain(name),
                            quote(&existing)
                        ),
                        format!("Change one of the first {k} (ignoring “_” and “.”)."),
                    );
                }
            }
        }

        let reserved = violations.iter().any(|v| v.rule.is_reserved());
        let exists_as_user = !name.is_empty()
            && (ctx.local_users.contains(name) || (has_upper && ctx.local_users.contains(lower.as_ref())));
        let exists_as_group = !name.is_empty()
            && (ctx.local_groups.contains(name) || (has_upper && ctx.local_groups.contains(lower.as_ref())));
        let mut conflicts = Vec::new();
        let rename = match self.purpose {
            Purpose::Transfer => {
                "Transfer it under another local username, restore into the existing account (skip account creation), or overwrite it (force, unrestricted sessions only)."
            }
            Purpose::NewAccount => "Choose another username.",
        };
        let shown = |set: &HashSet<String>| if set.contains(name) { quote(name) } else { quote(&lower) };
        if exists_as_user {
            conflicts.push(Conflict {
                kind: ConflictKind::UserExists,
                explanation: format!("This system already has an account named {}.", shown(&ctx.local_users)),
                fix: rename.into(),
            });
        }
        if exists_as_group {
            conflicts.push(Conflict {
                kind: ConflictKind::GroupExists,
                explanation: format!("This system already has a group named {}.", shown(&ctx.local_groups)),
                fix: match self.purpose {
                    Purpose::Transfer => {
                        "Transfer it under another local username: WHM cannot create the account’s group.".into()
                    }
                    Purpose::NewAccount => "Choose another username.".into(),
                },
            });
        }

        Verdict {
            name: name.to_owned(),
            violations,
            conflicts,
            valid_for_transfer: matches_transfer_regex(name),
            valid_for_new: matches_new_account_regex(name, ctx.db_prefixing),
            reserved,
            exists_as_user,
            exists_as_group,
            suggestion: None,
        }
    }

    /// Exactly `self.evaluate(name).is_ok()`, without building any text.
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
            || RESERVED_PREFIXES.iter().any(|p| name.starts_with(p))
            || RESERVED_SUFFIXES.iter().any(|s| name.ends_with(s))
            || name.bytes().all(|b| matches!(b, b'-' | b'.' | b'_' | b'0'..=b'9'))
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

    fn allowed_words(&self) -> &'static str {
        match (self.purpose, self.ctx.db_prefixing) {
            (Purpose::Transfer, _) => "lowercase letters a–z, digits, “-”, “_” and “.”, starting with a letter",
            (Purpose::NewAccount, true) => "lowercase letters a–z and digits, starting with a letter",
            (Purpose::NewAccount, false) => "lowercase letters a–z, digits and “_”, not starting with a digit",
        }
    }

    /// A nearby name that passes every rule, exists neither as user nor group, and whose first-N key
    /// is not `blocked`. Deterministic; `None` when the search gives up.
    ///
    /// `hints` remembers, per base name, the first number not yet tried: a bulk check passes the same
    /// map for every name, so a group of k similar names costs O(k), not O(k²) (a number that failed
    /// for one name — blocked or breaking a rule — fails for the next one too).
    pub(crate) fn suggest(
        &self,
        name: &str,
        blocked: &dyn Fn(&str) -> bool,
        hints: &mut FastMap<String, u32>,
    ) -> Option<String> {
        let n = self.ctx.effective_prefix_length();
        let passes =
            |candidate: &str| candidate != name && !blocked(&key_of(candidate, n)) && self.acceptable(candidate);
        let base = self.suggestion_base(name);
        if passes(&base) {
            return Some(base);
        }
        let first = hints.get(&base).copied().unwrap_or(1).max(1);
        for i in first..=99u32 {
            let long = with_number(&base, MAX_LENGTH, i);
            let found = if passes(&long) {
                Some(long)
            } else if n < MAX_LENGTH {
                let short = with_number(&base, n, i);
                passes(&short).then_some(short)
            } else {
                None
            };
            if found.is_some() {
                hints.insert(base, i + 1);
                return found;
            }
        }
        hints.insert(base, 100);
        None
    }

    /// Lowercased, transliterated, stripped of characters the purpose forbids, starting with a letter
    /// (or `_`), at most 16 characters, not beginning with a reserved prefix.
    fn suggestion_base(&self, name: &str) -> String {
        let new = self.purpose == Purpose::NewAccount;
        let keep_underscore = !new || !self.ctx.db_prefixing;
        let mut cleaned = String::new();
        for c in name.trim().chars().flat_map(char::to_lowercase) {
            match c {
                'a'..='z' | '0'..='9' => cleaned.push(c),
                '_' if keep_underscore => cleaned.push(c),
                '-' | '.' if !new => cleaned.push(c),
                _ => {
                    if let Some(t) = transliterate(c) {
                        cleaned.push_str(t);
                    }
                }
            }
        }
        let trimmed = cleaned.trim_start_matches(['-', '.']);
        let from_letter = trimmed.trim_start_matches(|c: char| c.is_ascii_digit() || c == '-' || c == '.');
        let mut base = if from_letter.chars().any(|c| c.is_ascii_lowercase()) {
            from_letter.to_owned()
        } else if trimmed.is_empty() {
            "user".to_owned()
        } else {
            format!("u{trimmed}")
        };
        if RESERVED_PREFIXES.iter().any(|p| base.starts_with(p)) {
            base.insert(0, 'u');
        }
        base.chars().take(MAX_LENGTH).collect()
    }
}

fn with_number(base: &str, limit: usize, i: u32) -> String {
    let digits = i.to_string();
    let mut out: String = base.chars().take(limit.saturating_sub(digits.len())).collect();
    out.push_str(&digits);
    out
}

/// ASCII for common accented Latin letters (already lowercased).
fn transliterate(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'č' | 'ć' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'ī' => "i",
        'ł' => "l",
        'ñ' | 'ń' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
        'œ' => "oe",
        'ř' => "r",
        'ś' | 'š' | 'ş' => "s",
        'ß' => "ss",
        'ť' | 'ţ' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        'þ' => "th",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_names_stay_on_one_short_line() {
        assert_eq!(quote("bob"), "“bob”");
        assert_eq!(quote("a\nb"), "“a\\u{a}b”");
        assert_eq!(quote("x\u{202e}y"), "“x\\u{202e}y”");
        let long = "ñ".repeat(50);
        assert_eq!(quote(&long), format!("“{}…”", "ñ".repeat(40)));
    }

    #[test]
    fn the_owner_index_answers_like_the_scan() {
        let set: HashSet<String> = ["a_lice", "Bob.x", "carol", "carla", "", "__"].map(String::from).into();
        let linear = Owners::Linear(&set);
        let index = Owners::index(&set, 3);
        for probe in [
            "alice", "bobx", "carol", "car", "ali", "bob", "xyz", "b", "", "x", "alicex", "carols",
        ] {
            assert_eq!(linear.has_exact(probe), index.has_exact(probe), "{probe}");
            assert_eq!(linear.starting_with(probe), index.starting_with(probe), "{probe}");
            assert_eq!(
                linear.any_starting_with(probe),
                index.any_starting_with(probe),
                "{probe}"
            );
        }
        assert!(index.has_exact("bobx"));
        assert_eq!(index.starting_with("ca"), Some("carla".into()));
        assert_eq!(
            index.starting_with("car"),
            Some("carla".into()),
            "the smallest of one head"
        );
        assert_eq!(index.starting_with(""), Some("alice".into()), "the smallest owner");
    }

    #[cfg(not(target_arch = "wasm32"))]
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
            ctx.local_users.insert("bob".into());
            ctx.local_groups.insert("carol".into());
            ctx.extra_reserved.insert("mailer".into());
            let purpose = if new { Purpose::NewAccount } else { Purpose::Transfer };
            for checker in [Checker::linear(&ctx, purpose), Checker::indexed(&ctx, purpose)] {
                proptest::prop_assert_eq!(checker.acceptable(&name), checker.evaluate_full(&name).is_ok(), "{:?}", name);
            }
        }
    }

    #[test]
    fn numbered_candidates_fit_the_limit() {
        assert_eq!(with_number("abcdefghijklmnop", 16, 1), "abcdefghijklmno1");
        assert_eq!(with_number("abcdefghij", 8, 12), "abcdef12");
        assert_eq!(with_number("ab", 16, 3), "ab3");
        assert_eq!(with_number("abc", 1, 10), "10");
    }
}
