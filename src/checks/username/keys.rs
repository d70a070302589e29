//! WHM's `dbowner` form of a name and its first-N key (§5.3): what two names are compared by.

use super::rules::DEFAULT_PREFIX_LENGTH;
use std::borrow::Cow;

/// WHM's `dbowner`: the name without `_` and `.` (lowercased here).
pub fn dbowner(name: &str) -> String {
    key_of(name, usize::MAX).into_owned()
}

/// The first-N key of a name: its `dbowner`, lowercased, first `prefix_length` characters (0 → 16).
pub fn first_n_key(name: &str, prefix_length: u8) -> String {
    key_of(name, effective(prefix_length)).into_owned()
}

/// A `prefix_length` as used: 0 means the default, 16.
pub(crate) fn effective(prefix_length: u8) -> usize {
    if prefix_length == 0 {
        usize::from(DEFAULT_PREFIX_LENGTH)
    } else {
        usize::from(prefix_length)
    }
}

/// Lowercase ASCII without `_` and `.`: such a name (most names) is its own `dbowner`.
fn is_own_dbowner(name: &str) -> bool {
    name.bytes()
        .all(|b| b.is_ascii() && b != b'_' && b != b'.' && !b.is_ascii_uppercase())
}

/// The dbowner's first `n` characters, borrowed from the name when it is its own dbowner.
pub(crate) fn key_of(name: &str, n: usize) -> Cow<'_, str> {
    if is_own_dbowner(name) {
        return Cow::Borrowed(name.get(..n.min(name.len())).unwrap_or(name));
    }
    Cow::Owned(dbowner_chars(name).take(n).collect())
}

/// The characters of the dbowner form, lowercased.
pub(crate) fn dbowner_chars(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars()
        .filter(|c| *c != '_' && *c != '.')
        .map(|c| c.to_ascii_lowercase())
}

/// The dbowner of an existing owner name, borrowed when it already is one.
pub(crate) fn owner_form(name: &str) -> Cow<'_, str> {
    key_of(name, usize::MAX)
}

/// The first `n` characters, if there are that many.
pub(crate) fn head(s: &str, n: usize) -> Option<&str> {
    let end = if s.is_ascii() {
        (s.len() >= n).then_some(n)?
    } else {
        s.char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(s.len()))
            .nth(n)?
    };
    s.get(..end)
}
