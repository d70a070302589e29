//! A nearby name that passes every rule: what the UI and the findings offer instead of a bad name.

use super::evaluate::Checker;
use super::hash::FastMap;
use super::keys::key_of;
use super::rules::{MAX_LENGTH, Purpose, reserved_prefix};

impl Checker<'_> {
    /// A nearby name that passes every rule, exists neither as user nor group, and whose first-N key
    /// is not `blocked`. Deterministic; `None` when the search gives up.
    ///
    /// `hints` remembers, per base name, the first number not yet tried: a bulk check passes the same
    /// map for every name, so a group of k similar names costs O(k), not O(k²) (a number that failed
    /// for one name — blocked or breaking a rule — fails for the next one too).
    pub(crate) fn suggest(
        &self,
        name: &str,
        blocked: &dyn Fn(&str) -> bool,
        hints: &mut FastMap<String, u32>,
    ) -> Option<String> {
        let n = self.ctx.effective_prefix_length();
        let passes =
            |candidate: &str| candidate != name && !blocked(&key_of(candidate, n)) && self.acceptable(candidate);
        let base = self.suggestion_base(name);
        if passes(&base) {
            return Some(base);
        }
        let first = hints.get(&base).copied().unwrap_or(1).max(1);
        for i in first..=99u32 {
            let long = with_number(&base, MAX_LENGTH, i);
            let found = if passes(&long) {
                Some(long)
            } else if n < MAX_LENGTH {
                let short = with_number(&base, n, i);
                passes(&short).then_some(short)
            } else {
                None
            };
            if found.is_some() {
                hints.insert(base, i + 1);
                return found;
            }
        }
        hints.insert(base, 100);
        None
    }

    /// Lowercased, transliterated, stripped of characters the purpose forbids, starting with a letter
    /// (or `_`), at most 16 characters, not beginning with a reserved prefix.
    fn suggestion_base(&self, name: &str) -> String {
        let new = self.purpose == Purpose::NewAccount;
        let keep_underscore = !new || !self.ctx.db_prefixing;
        let mut cleaned = String::new();
        for c in name.trim().chars().flat_map(char::to_lowercase) {
            match c {
                'a'..='z' | '0'..='9' => cleaned.push(c),
                '_' if keep_underscore => cleaned.push(c),
                '-' | '.' if !new => cleaned.push(c),
                _ => {
                    if let Some(t) = transliterate(c) {
                        cleaned.push_str(t);
                    }
                }
            }
        }
        let trimmed = cleaned.trim_start_matches(['-', '.']);
        let from_letter = trimmed.trim_start_matches(|c: char| c.is_ascii_digit() || c == '-' || c == '.');
        let mut base = if from_letter.chars().any(|c| c.is_ascii_lowercase()) {
            from_letter.to_owned()
        } else if trimmed.is_empty() {
            "user".to_owned()
        } else {
            format!("u{trimmed}")
        };
        if reserved_prefix(&base).is_some() {
            base.insert(0, 'u');
        }
        base.chars().take(MAX_LENGTH).collect()
    }
}

/// `base` cut so that `i` fits within `limit` characters, then `i`.
fn with_number(base: &str, limit: usize, i: u32) -> String {
    let digits = i.to_string();
    let mut out: String = base.chars().take(limit.saturating_sub(digits.len())).collect();
    out.push_str(&digits);
    out
}

/// ASCII for common accented Latin letters (already lowercased).
fn transliterate(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'č' | 'ć' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'ī' => "i",
        'ł' => "l",
        'ñ' | 'ń' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
        'œ' => "oe",
        'ř' => "r",
        'ś' | 'š' | 'ş' => "s",
        'ß' => "ss",
        'ť' | 'ţ' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        'þ' => "th",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_candidates_fit_the_limit() {
        assert_eq!(with_number("abcdefghijklmnop", 16, 1), "abcdefghijklmno1");
        assert_eq!(with_number("abcdefghij", 8, 12), "abcdef12");
        assert_eq!(with_number("ab", 16, 3), "ab3");
        assert_eq!(with_number("abc", 1, 10), "10");
    }
}
