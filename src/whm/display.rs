//! The one display guard for strings that come from WHM or the remote server (usernames, item
//! names, reasons, log text): they are rendered as text (never HTML) by Yew, and this makes them
//! safe to *read*: control, bidi-override and invisible characters become visible `\u{…}` escapes
//! (so `abc\u{202e}fed` cannot pass for another name), and very long strings are cut with `…`.

use std::fmt::Write as _;

/// A sensible limit for a name or a label.
pub const NAME_CHARS: usize = 120;
/// A sensible limit for a reason or a log message.
pub const TEXT_CHARS: usize = 2_000;

/// Characters that would reorder, hide or break the text around them.
pub fn is_hazard(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c,
            '\u{200b}'..='\u{200f}' // zero-width, LRM/RLM
            | '\u{2028}'..='\u{202e}' // line/paragraph separators, embeddings and overrides
            | '\u{2060}'..='\u{2069}' // word joiner … isolates
            | '\u{feff}'
            | '\u{061c}' // Arabic letter mark
        )
}

/// [`is_hazard`] or any control character, newline and tab included: what may not stand unescaped
/// in one line of text (a name, a plan line, a check's message).
pub fn is_invisible(c: char) -> bool {
    c.is_control() || is_hazard(c)
}

/// `text` made safe to show in at most `max_chars` characters (plus `…`). When `multiline`, newlines
/// and tabs are kept; else every whitespace character but a plain space is escaped too (a newline,
/// a tab, a no-break or ideographic space), so a name reads as exactly the characters it has.
pub fn guard(text: &str, max_chars: usize, multiline: bool) -> String {
    if text.len() <= max_chars && text.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return text.to_owned(); // printable ASCII: nothing to escape or cut (the common case)
    }
    let mut out = String::with_capacity(text.len().min(max_chars * 4));
    for (count, c) in text.chars().enumerate() {
        if count >= max_chars {
            out.push('…');
            return out;
        }
        if is_hazard(c) || (!multiline && c.is_whitespace() && c != ' ') {
            let _ = write!(out, "{}", c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// A name or label on one line.
pub fn name(text: &str) -> String {
    guard(text, NAME_CHARS, false)
}

/// A reason or message; newlines kept.
pub fn text(text: &str) -> String {
    guard(text, TEXT_CHARS, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_and_invisibles_become_visible() {
        assert_eq!(name("abc\u{202e}fed"), "abc\\u{202e}fed");
        assert_eq!(name("a\u{200b}b"), "a\\u{200b}b");
        assert_eq!(name("bob\ncarol"), "bob\\u{a}carol");
        assert_eq!(text("line one\nline two"), "line one\nline two");
        assert_eq!(name("\u{1b}[31mred"), "\\u{1b}[31mred");
        assert_eq!(name("tab\there"), "tab\\u{9}here");
        assert_eq!(
            name("no\u{a0}break"),
            "no\\u{a0}break",
            "a no-break space is not a space"
        );
        assert_eq!(text("keeps\ttabs"), "keeps\ttabs");
        assert_eq!(name("a\u{61c}b"), "a\\u{61c}b");
        assert!(is_invisible('\n') && is_invisible('\u{202e}') && !is_invisible('a') && !is_invisible(' '));
    }

    #[test]
    fn long_strings_are_cut() {
        let long = "x".repeat(10_000);
        let shown = name(&long);
        assert_eq!(shown.chars().count(), NAME_CHARS + 1);
        assert!(shown.ends_with('…'));
        assert_eq!(name("short"), "short");
    }

    #[test]
    fn ordinary_text_is_unchanged() {
        for s in [
            "bob",
            "Account: “bob” → “bob2”",
            "ünïcødé 日本語",
            "The session ID “a” does not exist.",
        ] {
            assert_eq!(name(s), s);
        }
    }
}
