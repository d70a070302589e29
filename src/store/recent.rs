//! The session ids this browser created or opened. WHM API 1 has no call that lists transfer sessions
//! (docs/whm-api.md §3.0), so the console remembers them itself: ids only, never credentials.

use crate::whm::request::check_session_id;

/// How many ids are kept.
pub const KEEP: usize = 20;

/// Puts `id` first, without duplicates, keeping at most [`KEEP`]. Invalid ids are not remembered.
pub fn remember(list: &[String], id: &str) -> Vec<String> {
    if check_session_id(id).is_err() {
        return list.to_vec();
    }
    std::iter::once(id.to_owned())
        .chain(list.iter().filter(|x| x.as_str() != id).cloned())
        .take(KEEP)
        .collect()
}

/// Reads the stored text (one id per line); anything that is not a valid id is dropped.
pub fn parse(stored: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in stored.lines().map(str::trim) {
        if check_session_id(line).is_ok() && !out.iter().any(|x| x == line) && out.len() < KEEP {
            out.push(line.to_owned());
        }
    }
    out
}

pub fn serialize(list: &[String]) -> String {
    list.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_first_without_duplicates_or_junk() {
        let l = remember(&[], "a1");
        let l = remember(&l, "b2");
        let l = remember(&l, "a1");
        assert_eq!(l, ["a1", "b2"]);
        assert_eq!(remember(&l, "bad id"), l, "invalid ids are not stored");
        let many = (0..30).fold(Vec::new(), |l, i| remember(&l, &format!("s{i}")));
        assert_eq!(many.len(), KEEP);
        assert_eq!(many[0], "s29");
        assert_eq!(parse("a1\n<script>\n\nb2\na1\n"), ["a1", "b2"]);
        assert_eq!(parse(&serialize(&many)), many);
    }
}
