//! The one display guard for strings that come from WHM or the remote server (usernames, item
//! names, reasons, log text): they are rendered as text (never HTML) by Yew, and this makes them
//! safe to *read*: control, bidi-override and invisible characters become visible `\u{…}` escapes
//! (so `abc\u{202e}fed` cannot pass for another name), and very long strings are cut with `…`.

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

/// `text` made safe to show in at most `max_chars` characters (plus `…`). Newlines and tabs are kept
/// when `multiline`, else shown as escapes too.
pub fn guard(text: &str, max_chars: usize, multiline: bool) -> String {
    let mut out = String::with_capacity(text.len().min(max_chars * 4));
    for (count, c) in text.chars().enumerate() {
        if count >= max_chars {
            out.push('…');
            return out;
        }
        if is_hazard(c) || (!multiline && (c == '\n' || c == '\t')) {
            out.push_str(&c.escape_unicode().to_string());
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
