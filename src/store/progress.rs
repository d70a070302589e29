//! A transfer session's progress, read from its `master.log` (§6.3): one row per item and queue, with
//! size-weighted queue progress and each item's outcome, as WHM's own Transfer Session page shows it.
//! Built line by line ([`Progress::apply_line`]): the live tail adds each new line in O(1) amortised,
//! and no line is kept once applied.

use crate::whm::logs::{LogLine, ParsedLine};
use std::collections::BTreeMap;

/// How an item ended (or that it has not yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Waiting,
    Running,
    Success,
    /// Finished with warnings, skipped, dangerous or altered entries.
    Warning,
    /// With WHM's `failure` text.
    Failed(String),
}

impl Outcome {
    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::Waiting => "waiting",
            Outcome::Running => "running",
            Outcome::Success => "success",
            Outcome::Warning => "warning",
            Outcome::Failed(_) => "failed",
        }
    }
    fn done(&self) -> bool {
        matches!(self, Outcome::Success | Outcome::Warning | Outcome::Failed(_))
    }
}

/// One item in one queue (`TRANSFER` or `RESTORE`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemRow {
    pub queue: String,
    pub item: String,
    /// The local name when it differs (`bob` → `bob2`).
    pub local_item: Option<String>,
    pub item_type: String,
    pub size: u64,
    pub logfile: Option<String>,
    pub outcome: Outcome,
}

impl ItemRow {
    /// WHM's label: `Account: “bob”` or `Account: “bob” → “bob2”`.
    pub fn label(&self) -> String {
        let kind = if self.item_type.starts_with("Account") {
            "Account"
        } else if self.item_type.starts_with("Package") {
            "Package"
        } else {
            self.item_type.as_str()
        };
        match &self.local_item {
            Some(l) if *l != self.item => format!("{kind}: “{}” → “{l}”", self.item),
            _ => format!("{kind}: “{}”", self.item),
        }
    }
}

/// What the master log says so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    /// In the order they were first seen; key (queue, item).
    pub items: Vec<ItemRow>,
    /// Per queue: (item count, total bytes) from `queue_count` / `queue_size`.
    pub queues: BTreeMap<String, (u64, u64)>,
    pub remote_host: Option<String>,
    /// Session-level events in order: `start`, `resume`, `pausing`, `pause`, `aborting`, `abort`,
    /// `complete`, `fail`.
    pub events: Vec<String>,
    /// Lines that were not JSON (counted, not kept).
    pub unreadable: u64,
    /// (queue, item type, item) → row in `items`.
    index: BTreeMap<(String, String, String), usize>,
}

/// Most session-level events kept (a hostile log could repeat them without end).
const MAX_EVENTS: usize = 256;
/// Most item rows kept; items past it are counted in [`Progress::dropped_items`].
pub const MAX_ITEMS: usize = 100_000;

impl Progress {
    /// Reads a whole `master.log`.
    pub fn from_log(lines: &[ParsedLine]) -> Progress {
        let mut p = Progress::default();
        for line in lines {
            p.apply_line(line);
        }
        p
    }

    /// Adds one more line of the log.
    pub fn apply_line(&mut self, line: &ParsedLine) {
        match line {
            ParsedLine::Entry(l) => self.apply(l),
            ParsedLine::Raw { .. } => self.unreadable = self.unreadable.saturating_add(1),
        }
    }

    /// Item rows that were not kept because the log announced more than [`MAX_ITEMS`].
    pub fn dropped_items(&self) -> bool {
        self.items.len() >= MAX_ITEMS
    }

    fn apply(&mut self, l: &LogLine) {
        let c = &l.contents;
        let Some(action) = c.action.as_deref() else { return };
        let child = c.child_number.unwrap_or(0);
        match action {
            "queue_count" | "queue_size" => {
                if let Some(q) = &c.queue {
                    let n = c
                        .msg
                        .as_ref()
                        .and_then(|m| m.as_u64().or_else(|| m.as_str().and_then(|s| s.trim().parse().ok())))
                        .unwrap_or(0);
                    let e = self.queues.entry(q.clone()).or_default();
                    if action == "queue_count" {
                        e.0 = n;
                    } else {
                        e.1 = n;
                    }
                }
            }
            "remotehost" => self.remote_host = Some(c.msg_text()),
            "process-item" | "start-item" | "success-item" | "warning-item" | "failed-item" => {
                let (Some(queue), Some(item)) = (c.queue.clone(), c.item.clone()) else {
                    return;
                };
                // A package and an account may share a name: the item type is part of the key.
                let key = (queue.clone(), c.item_type.clone().unwrap_or_default(), item.clone());
                let at = match self.index.get(&key) {
                    Some(at) => *at,
                    None if self.items.len() >= MAX_ITEMS => return,
                    None => {
                        self.index.insert(key, self.items.len());
                        self.items.push(ItemRow {
                            queue,
                            item,
                            local_item: None,
                            item_type: String::new(),
                            size: 0,
                            logfile: None,
                            outcome: Outcome::Waiting,
                        });
                        self.items.len() - 1
                    }
                };
                let Some(row) = self.items.get_mut(at) else { return };
                if let Some(li) = &c.local_item {
                    row.local_item = Some(li.clone());
                }
                if let Some(t) = &c.item_type {
                    row.item_type = t.clone();
                }
                if let Some(f) = &c.logfile {
                    row.logfile = Some(f.clone());
                }
                if let Some(size) = c.msg_size() {
                    row.size = size;
                }
                row.outcome = match action {
                    "success-item" => Outcome::Success,
                    "warning-item" => Outcome::Warning,
                    "failed-item" => Outcome::Failed(c.msg_text()),
                    _ if row.outcome.done() => row.outcome.clone(),
                    _ => Outcome::Running,
                };
            }
            "start" | "resume" | "pausing" | "pause" | "aborting" | "abort" | "fail" | "complete"
                if child == 0 && self.events.len() < MAX_EVENTS =>
            {
                self.events.push(action.to_owned());
            }
            _ => {}
        }
    }

    /// Size-weighted share of a queue that is done, 0.0..=1.0 (WHM: Σ size × done / queue_size).
    pub fn queue_fraction(&self, queue: &str) -> f64 {
        let total = self.queues.get(queue).map_or(0, |q| q.1);
        let done: u64 = self
            .items
            .iter()
            .filter(|i| i.queue == queue && i.outcome.done())
            .fold(0u64, |sum, i| sum.saturating_add(i.size));
        if total == 0 {
            0.0
        } else {
            (done as f64 / total as f64).clamp(0.0, 1.0)
        }
    }

    /// Rows that failed or warned (a failed transfer also logs its RESTORE step: both rows show).
    pub fn problems(&self) -> impl Iterator<Item = &ItemRow> {
        self.items
            .iter()
            .filter(|i| matches!(i.outcome, Outcome::Failed(_) | Outcome::Warning))
    }

    /// Distinct items (type and name) that failed, warned or did not finish, whatever the queue.
    pub fn items_needing_attention(&self) -> usize {
        let mut seen = std::collections::BTreeSet::new();
        for i in self.items.iter().filter(|i| !matches!(i.outcome, Outcome::Success)) {
            seen.insert((i.item_type.as_str(), i.item.as_str()));
        }
        seen.len()
    }

    /// Items a queue announced (`queue_count`) that never got a row: never picked up.
    pub fn missing(&self, queue: &str) -> u64 {
        let announced = self.queues.get(queue).map_or(0, |q| q.0);
        let seen = self.items.iter().filter(|i| i.queue == queue).count() as u64;
        announced.saturating_sub(seen)
    }

    /// Every announced item has a row and every row succeeded.
    pub fn all_succeeded(&self) -> bool {
        self.items_needing_attention() == 0 && self.queues.keys().all(|q| self.missing(q) == 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::whm::logs::parse_log;

    const OPENAPI: &str = include_str!("../../tests/fixtures/openapi/fetch_transfer_session_log.json");

    fn progress_of(log: &str) -> Progress {
        Progress::from_log(&parse_log(log))
    }

    #[test]
    fn reads_the_documented_master_log() {
        let v: serde_json::Value = serde_json::from_str(OPENAPI).unwrap();
        let p = progress_of(v["data"]["log"].as_str().unwrap());
        assert_eq!(p.remote_host.as_deref(), Some("10.1.32.200"));
        assert_eq!(p.queues.get("TRANSFER"), Some(&(1, 1)));
        assert_eq!(p.items.len(), 2, "one row per queue");
        let failure = "The account “root” already exists on “control.box.new”.";
        assert!(p.items.iter().all(|i| i.outcome == Outcome::Failed(failure.into())));
        assert_eq!(p.items[0].label(), "Account: “root”");
        assert_eq!(p.events, ["start", "complete"]);
        assert_eq!(p.queue_fraction("TRANSFER"), 1.0);
        assert_eq!(p.problems().count(), 2);
        assert_eq!(p.items_needing_attention(), 1, "one account, failed in both queues");
        assert!(!p.all_succeeded());
    }

    #[test]
    fn unfinished_or_never_started_items_are_not_success() {
        let log = concat!(
            r#"{"pid":1,"type":"control","contents":{"action":"queue_count","child_number":0,"queue":"TRANSFER","msg":2}}"#,
            "\n",
            r#"{"pid":1,"type":"control","contents":{"action":"success-item","child_number":1,"queue":"TRANSFER","item":"gold","item_type":"PackageRemoteRoot"}}"#,
            "\n",
            r#"{"pid":1,"type":"control","contents":{"action":"start-item","child_number":1,"queue":"TRANSFER","item":"gold","item_type":"AccountRemoteRoot"}}"#,
        );
        let p = progress_of(log);
        assert_eq!(p.items.len(), 2, "a package and an account named alike stay apart");
        assert_eq!(p.items_needing_attention(), 1, "the account did not finish");
        assert!(!p.all_succeeded());
        let aborted_before_start = progress_of(
            r#"{"pid":1,"type":"control","contents":{"action":"queue_count","child_number":0,"queue":"TRANSFER","msg":3}}"#,
        );
        assert_eq!(aborted_before_start.missing("TRANSFER"), 3);
        assert!(!aborted_before_start.all_succeeded());
    }

    #[test]
    fn line_by_line_equals_the_whole_log() {
        let v: serde_json::Value = serde_json::from_str(OPENAPI).unwrap();
        let lines = parse_log(v["data"]["log"].as_str().unwrap());
        let mut p = Progress::default();
        for l in &lines {
            p.apply_line(l);
        }
        assert_eq!(p, Progress::from_log(&lines));
    }

    #[test]
    fn huge_sizes_do_not_overflow() {
        let line = |item: &str| {
            format!(
                r#"{{"type":"control","contents":{{"action":"success-item","child_number":1,"queue":"TRANSFER","item":"{item}","item_type":"AccountRemoteRoot","msg":{{"size":18446744073709551615}}}}}}"#
            )
        };
        let log = [
            r#"{"type":"control","contents":{"action":"queue_size","child_number":0,"queue":"TRANSFER","msg":"18446744073709551615"}}"#.to_string(),
            line("a"),
            line("b"),
        ]
        .join("\n");
        let p = progress_of(&log);
        assert_eq!(p.queue_fraction("TRANSFER"), 1.0);
    }

    #[test]
    fn repeated_events_are_bounded() {
        let log = vec![r#"{"type":"control","contents":{"action":"pause","child_number":0}}"#; 1000].join("\n");
        assert_eq!(progress_of(&log).events.len(), MAX_EVENTS);
    }

    #[test]
    fn weights_progress_by_size_and_keeps_renames() {
        let line = |action: &str, queue: &str, item: &str, extra: &str| {
            format!(
                r#"{{"pid":1,"type":"control","indent":0,"partial":0,"contents":{{"action":"{action}","child_number":1,"queue":"{queue}","item":"{item}","item_type":"AccountRemoteRoot"{extra}}}}}"#
            )
        };
        let log = [
            r#"{"pid":1,"type":"control","contents":{"action":"queue_size","child_number":0,"queue":"RESTORE","msg":"400"}}"#.to_string(),
            line("start-item", "RESTORE", "bob", r#","local_item":"bob2","msg":{"size":100}"#),
            line("start-item", "RESTORE", "amy", r#","msg":{"size":"300"}"#),
            line("success-item", "RESTORE", "bob", r#","msg":{"size":100}"#),
        ]
        .join("\n");
        let p = progress_of(&log);
        assert_eq!(p.queue_fraction("RESTORE"), 0.25);
        assert_eq!(p.items[0].label(), "Account: “bob” → “bob2”");
        assert_eq!(p.items[1].outcome, Outcome::Running);
        assert_eq!(p.queue_fraction("TRANSFER"), 0.0, "unknown queue");
    }
}
