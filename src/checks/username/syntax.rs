//! The two username regexes of §5.1, without a regex engine.

use super::rules::MAX_LENGTH;

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

/// Longest system username elsewhere (§5.1: `[-._A-Za-z0-9]{1,31}`); an account on an older or
/// differently configured source may be longer than this server's 16.
pub const SOURCE_MAX_LENGTH: usize = 31;

/// A name that can be an existing cPanel account on a source server: the transfer regex's characters
/// and first character, lower case, up to [`SOURCE_MAX_LENGTH`] characters. (Whether it can be
/// restored here under that name is the transfer regex's and the local rules' business.)
pub fn plausible_source_username(name: &str) -> bool {
    shaped_like(
        name,
        SOURCE_MAX_LENGTH,
        |c| matches!(c, 'a'..='z' | '0'..='9' | '-' | '.' | '_'),
    )
}

/// 1 to 16 characters, each `allowed`, the first not `-`, `.` or a digit.
fn regex_like(name: &str, allowed: impl Fn(char) -> bool) -> bool {
    shaped_like(name, MAX_LENGTH, allowed)
}

/// 1 to `max` characters, each `allowed`, the first not `-`, `.` or a digit.
fn shaped_like(name: &str, max: usize, allowed: impl Fn(char) -> bool) -> bool {
    let mut count = 0usize;
    for (i, c) in name.chars().enumerate() {
        if i == 0 && matches!(c, '-' | '.' | '0'..='9') {
            return false;
        }
        if !allowed(c) {
            return false;
        }
        count += 1;
        if count > max {
            return false;
        }
    }
    count >= 1
}
