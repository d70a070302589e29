//! cPanel username rules (docs/whm-api.md §5), implemented independently of the app.

use std::collections::HashSet;

/// Longest allowed username (§5.1, "constrained by MySQL").
pub const MAX_LENGTH: usize = 16;

/// §5.2 exact list (43 names).
pub const RESERVED_EXACT: [&str; 43] = [
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

/// §5.2 reserved prefixes.
pub const RESERVED_PREFIXES: [&str; 10] = [
    "test", "passwd.", "cpmydns", "cpanel", "mydns", "pg_toast", "pg_temp", "cpses", "cptkt", "cpbackup",
];

/// §5.2 reserved suffixes.
pub const RESERVED_SUFFIXES: [&str; 6] = [".lock", ".cache", ".yaml", ".json", ".db", "assword"];

fn first_char_ok(name: &str) -> bool {
    match name.chars().next() {
        Some(c) => !(c == '-' || c == '.' || c.is_ascii_digit()),
        None => false,
    }
}

/// `^(?![-.0-9])[-._a-z0-9]{1,16}$` — valid for transfer/restore.
pub fn valid_for_transfer(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_LENGTH
        && first_char_ok(name)
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'.' | b'_'))
}

/// New-account validity: `^(?![-.0-9])[a-z0-9]{1,16}$` with database prefixing (the default),
/// `^(?![-.0-9])[_a-z0-9]{1,16}$` without.
pub fn valid_for_new(name: &str, database_prefix: bool) -> bool {
    !name.is_empty()
        && name.len() <= MAX_LENGTH
        && first_char_ok(name)
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || (!database_prefix && b == b'_'))
}

/// §5.2: exact list, this server's mail aliases, prefixes, suffixes, and `^[-._0-9]+$`.
pub fn is_reserved(name: &str, aliases: &HashSet<String>) -> bool {
    if RESERVED_EXACT.contains(&name) || aliases.contains(name) {
        return true;
    }
    if RESERVED_PREFIXES.iter().any(|p| name.starts_with(p)) {
        return true;
    }
    if RESERVED_SUFFIXES.iter().any(|s| name.ends_with(s)) {
        return true;
    }
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'.' | b'_'))
}

/// The database-owner form of a name: `_` and `.` removed (§5.3 step 3).
pub fn db_owner_key(name: &str) -> String {
    name.chars().filter(|c| *c != '_' && *c != '.').collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transfer_regex() {
        assert!(valid_for_transfer("bob"));
        assert!(valid_for_transfer("shop_one"));
        assert!(valid_for_transfer("a.b-c"));
        assert!(valid_for_transfer("abcdefghijklmnop"));
        assert!(!valid_for_transfer("abcdefghijklmnopq"));
        assert!(!valid_for_transfer("1bob"));
        assert!(!valid_for_transfer("-bob"));
        assert!(!valid_for_transfer(".bob"));
        assert!(!valid_for_transfer("Bob"));
        assert!(!valid_for_transfer(""));
        assert!(!valid_for_transfer("bøb"));
    }

    #[test]
    fn new_regex() {
        assert!(valid_for_new("bob2", true));
        assert!(!valid_for_new("shop_one", true));
        assert!(valid_for_new("shop_one", false));
        assert!(!valid_for_new("a.b", false));
        assert!(!valid_for_new("_x", true));
        assert!(valid_for_new("_x", false));
    }

    #[test]
    fn reserved() {
        let aliases: HashSet<String> = ["mailer-daemon".to_string()].into_iter().collect();
        for n in [
            "root",
            "nobody",
            "_lock",
            "test",
            "testsite",
            "cpanelx",
            "password",
            "mypassword",
            "x.json",
            "123",
            "-._",
            "mailer-daemon",
        ] {
            assert!(is_reserved(n, &aliases), "{n}");
        }
        for n in ["bob", "tes", "atest", "rooter", "jsonx"] {
            assert!(!is_reserved(n, &aliases), "{n}");
        }
        assert_eq!(RESERVED_EXACT.len(), 43);
    }

    #[test]
    fn owner_key() {
        assert_eq!(db_owner_key("shop_one"), "shopone");
        assert_eq!(db_owner_key("big.sh_op"), "bigshop");
    }
}
