//! The older record of sessions (version 0 of the history, `store::history`): one session id per
//! line, newest first, ids only. Still read so that what an older console stored is migrated.

use crate::whm::request::check_session_id;

/// How many ids the older console kept.
pub const KEEP: usize = 20;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_valid_ids_in_order_without_duplicates_or_junk() {
        assert_eq!(parse("a1\n<script>\n\nb2\na1\n"), ["a1", "b2"]);
        assert_eq!(parse(" a1 \r\nb2\r\n"), ["a1", "b2"], "CRLF and spaces");
        let many: Vec<String> = (0..30).map(|i| format!("s{i}")).collect();
        assert_eq!(parse(&many.join("\n")).len(), KEEP);
    }
}
