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

/// 1 to 16 characters, each `allowed`, the first not `-`, `.` or a digit.
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
