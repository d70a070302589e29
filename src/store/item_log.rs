//! An item's own log (`item-<QUEUE>_<Type>_<item>`, §6.3) made readable: what it printed, its
//! warnings and errors, the module statuses, and WHM's closing lists (warnings, skipped, dangerous,
//! altered). Markup WHM puts in log text stays text: the entries are plain strings, guarded for
//! display, and the UI renders them as text.

use crate::whm::display;
use crate::whm::logs::{LogLine, ParsedLine, parse_log};
use serde_json::Value;
use std::collections::VecDeque;

/// What kind of entry, as the admin reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    Start,
    Out,
    Warning,
    Error,
    Success,
    Failed,
    Module,
    Skipped,
    Dangerous,
    Altered,
    /// A line that was not a log entry (kept as raw text).
    Raw,
    /// A line too long to read live (the live tail passed over it).
    TooLong,
}

impl EntryKind {
    /// The `data-testid` of an entry (`log-warning`, …).
    pub fn testid(self) -> &'static str {
        match self {
            EntryKind::Start => "log-start",
            EntryKind::Out => "log-out",
            EntryKind::Warning => "log-warning",
            EntryKind::Error => "log-error",
            EntryKind::Success => "log-success",
            EntryKind::Failed => "log-failed",
            EntryKind::Module => "log-module",
            EntryKind::Skipped => "log-skipped",
            EntryKind::Dangerous => "log-dangerous",
            EntryKind::Altered => "log-altered",
            EntryKind::Raw => "log-raw",
            EntryKind::TooLong => "log-too-long",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub kind: EntryKind,
    pub text: String,
}

/// Most entries kept for one log (a runaway log is cut in the middle, and says so).
pub const MAX_ENTRIES: usize = 5_000;
/// Of those, the first ones; the rest are the latest, where the outcome and WHM's closing lists are.
pub const HEAD_ENTRIES: usize = 1_000;

/// A readable item log. A log longer than [`MAX_ENTRIES`] keeps its first [`HEAD_ENTRIES`] entries
/// and its latest ones: the lines dropped are from the middle, never the end, where the outcome
/// ("Failed: …") and the lists of warnings and skipped items are, and where a live log grows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemLog {
    pub head: Vec<Entry>,
    /// The latest entries after the head, at most `MAX_ENTRIES - HEAD_ENTRIES`.
    pub tail: VecDeque<Entry>,
    /// Entries left out between `head` and `tail`.
    pub cut: usize,
}

impl ItemLog {
    pub fn parse(text: &str) -> ItemLog {
        let mut log = ItemLog::default();
        for line in text.lines() {
            log.add_line(line);
        }
        log
    }

    /// Adds one line of the log's text.
    pub fn add_line(&mut self, line: &str) {
        for parsed in parse_log(line) {
            match &parsed {
                ParsedLine::Entry(l) if l.kind == "control" && l.contents.action.as_deref() == Some("summary") => {
                    self.add_summary(line)
                }
                ParsedLine::Entry(l) => self.add_entry(l),
                ParsedLine::Raw { text, .. } => self.push(EntryKind::Raw, text),
            }
        }
    }

    /// A line the live tail passed over, `bytes` long: said where it was.
    pub fn add_too_long(&mut self, bytes: u64) {
        self.push(
            EntryKind::TooLong,
            &format!(
                "A line of {} was too long to show live. The whole log is read when the item ends.",
                crate::store::format::bytes(u128::from(bytes))
            ),
        );
    }

    /// WHM's closing lists sit in `contents` beside `action` (or, in older logs, in `msg`).
    fn add_summary(&mut self, line: &str) {
        let Ok(v) = serde_json::from_str::<Value>(line) else {
            return;
        };
        let contents = v.get("contents");
        for (key, kind) in [
            ("warnings", EntryKind::Warning),
            ("skipped_items", EntryKind::Skipped),
            ("dangerous_items", EntryKind::Dangerous),
            ("altered_items", EntryKind::Altered),
        ] {
            let list = contents
                .and_then(|c| c.get(key))
                .filter(|l| l.is_array())
                .or_else(|| contents.and_then(|c| c.get("msg")).and_then(|m| m.get(key)));
            if let Some(Value::Array(items)) = list {
                for item in items {
                    self.push(kind, &entry_text(item));
                }
            }
        }
    }

    fn push(&mut self, kind: EntryKind, text: &str) {
        if text.trim().is_empty() {
            return;
        }
        let entry = Entry {
            kind,
            text: display::text(text.trim_end()),
        };
        if self.head.len() < HEAD_ENTRIES {
            self.head.push(entry);
            return;
        }
        self.tail.push_back(entry);
        if self.tail.len() > MAX_ENTRIES - HEAD_ENTRIES {
            self.tail.pop_front();
            self.cut += 1;
        }
    }

    fn add_entry(&mut self, l: &LogLine) {
        let c = &l.contents;
        match l.kind.as_str() {
            "start" => self.push(EntryKind::Start, &c.msg_text()),
            "out" => self.push(EntryKind::Out, &c.msg_text()),
            "warn" => self.push(EntryKind::Warning, &c.msg_text()),
            "error" => self.push(EntryKind::Error, &c.msg_text()),
            "success" => self.push(EntryKind::Success, &c.msg_text()),
            "failed" => self.push(EntryKind::Failed, &c.msg_text()),
            "modulestatus" => {
                let text = [c.module.as_deref(), c.status.as_deref(), c.statusmsg.as_deref()]
                    .into_iter()
                    .flatten()
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(" — ");
                self.push(EntryKind::Module, &text);
            }
            "control" => {}
            _ => self.push(EntryKind::Out, &c.msg_text()),
        }
    }

    /// Every entry kept, in order (the cut, if any, lies between the head and the tail).
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.head.iter().chain(&self.tail)
    }

    pub fn count(&self, kind: EntryKind) -> usize {
        self.entries().filter(|e| e.kind == kind).count()
    }
}

/// The text of one of WHM's list entries: `[[Module, function, line], "text", [label, url, params]?]`
/// (with its module), a string, or an object with a message.
pub(crate) fn entry_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(parts) => {
            let text: Vec<&str> = parts.iter().filter_map(Value::as_str).collect();
            let origin = parts
                .first()
                .and_then(Value::as_array)
                .and_then(|o| o.first())
                .and_then(Value::as_str);
            match origin {
                Some(m) if !text.is_empty() => format!("{} ({m})", text.join(" ")),
                _ => text.join(" "),
            }
        }
        Value::Object(o) => o
            .get("message")
            .or_else(|| o.get("text"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_item_log_reads_as_kinds_with_whms_lists() {
        let log = [
            r#"{"type":"start","contents":{"msg":["Starting “RESTORE” for “Account” “bob”."]}}"#,
            r#"{"type":"out","contents":{"msg":["Restoring <b>mail</b>…"]}}"#,
            r#"{"type":"warn","contents":{"msg":["Quota could not be set."]}}"#,
            r#"{"type":"control","contents":{"action":"percentage","percentage":50}}"#,
            r#"{"type":"modulestatus","contents":{"module":"Mail","status":"1","statusmsg":"ok"}}"#,
            r#"{"type":"control","contents":{"action":"summary","warnings":[[["Cpanel::Quota","set",12],"Quota could not be set."]],"skipped_items":["/home/bob/huge.iso"],"dangerous_items":[],"altered_items":[{"message":"Renamed database bob_wp to bob2_wp"}]}}"#,
            r#"{"type":"success","contents":{"msg":["Success."]}}"#,
            "not json \u{202e}",
        ]
        .join("\n");
        let l = ItemLog::parse(&log);
        let kinds: Vec<EntryKind> = l.entries().map(|e| e.kind).collect();
        assert_eq!(
            kinds,
            [
                EntryKind::Start,
                EntryKind::Out,
                EntryKind::Warning,
                EntryKind::Module,
                EntryKind::Warning,
                EntryKind::Skipped,
                EntryKind::Altered,
                EntryKind::Success,
                EntryKind::Raw
            ]
        );
        assert_eq!(l.head[1].text, "Restoring <b>mail</b>…", "markup stays text");
        assert_eq!(l.head[4].text, "Quota could not be set. (Cpanel::Quota)");
        assert_eq!(l.head[6].text, "Renamed database bob_wp to bob2_wp");
        assert!(
            l.head[8].text.contains("\\u{202e}"),
            "bidi overrides are shown, not applied"
        );
    }

    #[test]
    fn a_runaway_log_is_cut_in_the_middle_and_keeps_its_outcome() {
        let mut lines: Vec<String> = (0..MAX_ENTRIES + 10)
            .map(|i| format!(r#"{{"type":"out","contents":{{"msg":["line {i}"]}}}}"#))
            .collect();
        lines.push(r#"{"type":"failed","contents":{"msg":["Failed: the restore stopped."]}}"#.into());
        let l = ItemLog::parse(&lines.join("\n"));
        assert_eq!(l.entries().count(), MAX_ENTRIES);
        assert_eq!(l.cut, 11);
        assert_eq!(l.head[0].text, "line 0");
        assert_eq!(l.head.len(), HEAD_ENTRIES);
        assert_eq!(l.tail.front().map(|e| e.text.as_str()), Some("line 1011"));
        let last = l.entries().last().unwrap();
        assert_eq!(
            (last.kind, last.text.as_str()),
            (EntryKind::Failed, "Failed: the restore stopped.")
        );
        assert_eq!(l.count(EntryKind::Failed), 1);
    }
}
