//! Text helpers shared by every check: how a remote name is quoted, lists are joined and counts are
//! worded. Every message of the engine that shows a name goes through [`quote`] or [`plain`], so a
//! hostile name can neither break a line nor reorder the text around it (bidi controls).

use crate::whm::display;
use std::fmt::Write as _;

/// How many characters of a name a message shows before cutting it with “…”.
const SHOWN_CHARS: usize = 40;

/// A name in curly quotes for a one-line message: control and invisible formatting characters escaped,
/// cut after 40 characters.
pub(crate) fn quote(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 8);
    out.push('“');
    out.push_str(&plain(name));
    out.push('”');
    out
}

/// Like [`quote`], without the quotes (the one display guard, [`display::guard`], on one line).
pub(crate) fn plain(name: &str) -> String {
    display::guard(name, SHOWN_CHARS, false)
}

/// One character named for a message: “x”, `space`, `tab`, or `U+200B` for invisible ones.
pub(crate) fn describe_char(c: char) -> String {
    match c {
        ' ' => "space".into(),
        '\t' => "tab".into(),
        c if display::is_invisible(c) || c.is_whitespace() => format!("U+{:04X}", u32::from(c)),
        c => format!("“{c}”"),
    }
}

/// `a`, `a and b`, `a, b and c`.
pub(crate) fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// `1 character`, `16 characters`.
pub(crate) fn characters(n: usize) -> String {
    plural(n, "character", "characters")
}

/// `n` and the noun in the form the count needs: `1 account`, `3 accounts`.
pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// "no free IP address", "only 1 free IP address", "only 3 free IP addresses".
pub(crate) fn free_ips(free: usize) -> String {
    if free == 0 {
        "no free IP address".into()
    } else {
        format!("only {}", plural(free, "free IP address", "free IP addresses"))
    }
}

/// The first `limit` others of a group, quoted and joined, with “and n more” for the rest:
/// `“b”, “c” and “d”` (`“b”, “c”, “d”` without `and_before_last`) or `“b”, “c”, “d” and 7 more`.
/// A name equal to `mine` is called `another “x”`. At most `limit` names are written, so the text
/// stays O(1) however large the group is.
pub(crate) fn others_list<'n>(
    others: impl Iterator<Item = &'n str>,
    total: usize,
    mine: &str,
    limit: usize,
    and_before_last: bool,
) -> String {
    let shown: Vec<&str> = others.take(limit).collect();
    let mut list = String::new();
    for (x, other) in shown.iter().enumerate() {
        if x > 0 {
            list.push_str(if and_before_last && x + 1 == shown.len() && total == shown.len() {
                " and "
            } else {
                ", "
            });
        }
        if *other == mine {
            list.push_str("another ");
        }
        list.push_str(&quote(other));
    }
    if total > shown.len() {
        let _ = write!(list, " and {} more", total - shown.len());
    }
    list
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
    fn counts_and_lists_read_as_english() {
        assert_eq!(characters(1), "1 character");
        assert_eq!(characters(8), "8 characters");
        assert_eq!(free_ips(0), "no free IP address");
        assert_eq!(free_ips(1), "only 1 free IP address");
        assert_eq!(free_ips(3), "only 3 free IP addresses");
        assert_eq!(join_and(&["a".into(), "b".into(), "c".into()]), "a, b and c");
        assert_eq!(others_list(["b", "c"].into_iter(), 2, "a", 3, true), "“b” and “c”");
        assert_eq!(others_list(["b", "c"].into_iter(), 2, "a", 3, false), "“b”, “c”");
        assert_eq!(
            others_list(["a", "c", "d", "e"].into_iter(), 5, "a", 3, true),
            "another “a”, “c”, “d” and 2 more"
        );
    }
}
