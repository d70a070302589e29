//! The rules as data: the limits and reserved lists of §5.1–§5.3, the purposes a name is checked
//! for, and the [`Rule`] ids, titles and groups the UI and the findings rely on.

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

/// The first-N length WHM falls back to when it cannot tell the database server's version (§5.3).
pub const UNKNOWN_SERVER_PREFIX_LENGTH: u8 = 8;

/// Reserved suffixes (§5.2): `abc.lock`, `password`, `mypassword` … are reserved.
pub const RESERVED_SUFFIXES: [&str; 6] = [".lock", ".cache", ".yaml", ".json", ".db", "assword"];

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

/// The reserved prefix `name` begins with, if any (`name` lowercased).
pub(crate) fn reserved_prefix(name: &str) -> Option<&'static str> {
    RESERVED_PREFIXES.iter().copied().find(|p| name.starts_with(p))
}

/// The reserved suffix `name` ends with, if any (`name` lowercased).
pub(crate) fn reserved_suffix(name: &str) -> Option<&'static str> {
    RESERVED_SUFFIXES.iter().copied().find(|s| name.ends_with(s))
}

/// Only digits, `-`, `_` and `.` (and not empty): WHM reserves such names.
pub(crate) fn digits_and_punctuation_only(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| matches!(b, b'-' | b'.' | b'_' | b'0'..=b'9'))
}
