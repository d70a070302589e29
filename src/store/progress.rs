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
    /// The step has ended, one way or another.
    pub fn is_done(&self) -> bool {
        matches!(self, Outcome::Success | Outcome::Warning | Outcome::Failed(_))
    }
    fn done(&self) -> bool {
        self.is_done()
    }
}

/// One item in one queue (`TRANSFER` or `RESTORE`).
#[derive(Debug, Clone, PartialEq)]
pub struct ItemRow {
    pub queue: String,
    pub item: String,
    /// The local name when it differs (`bob` → `bob2`).
    pub local_item: Option<String>,
    pub item_type: String,
    pub size: u64,
    pub logfile: Option<String>,
    pub outcome: Outcome,
    /// WHM's lists for a finished item (warnings, skipped, dangerous, altered).
    pub notes: ItemNotes,
    /// 0–100 from the item log's `percentage` lines; 100 once done.
    pub percent: f64,
    /// `time` (epoch seconds) of the item's first line and of its end, when the log says.
    pub started: Option<i64>,
    pub ended: Option<i64>,
}

/// What WHM listed for an item that finished with remarks (`msg` of `warning-item`, §6.3).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemNotes {
    pub warnings: Vec<String>,
    pub skipped: Vec<String>,
    pub dangerous: Vec<String>,
    pub altered: Vec<String>,
    /// Counts WHM gave (may exceed the lists it sent).
    pub counts: [u64; 4],
}

impl ItemNotes {
    /// Most entries kept per list.
    const MAX: usize = 200;

    fn from_msg(msg: &serde_json::Value) -> ItemNotes {
        use serde_json::Value;
        let keys = ["warnings", "skipped_items", "dangerous_items", "altered_items"];
        let contents = msg.get("contents");
        let mut lists: [Vec<String>; 4] = Default::default();
        let mut counts = [0u64; 4];
        for (i, key) in keys.iter().enumerate() {
            let list = contents
                .and_then(|c| c.get(key))
                .or_else(|| msg.get(key).filter(|v| v.is_array()));
            if let Some(Value::Array(entries)) = list {
                lists[i] = entries
                    .iter()
                    .take(Self::MAX)
                    .map(super::item_log::entry_text)
                    .filter(|t| !t.is_empty())
                    .collect();
            }
            counts[i] = match msg.get(key) {
                Some(Value::Number(n)) => n.as_u64().unwrap_or(0),
                Some(Value::String(s)) => s.trim().parse().unwrap_or(0),
                Some(Value::Array(a)) => a.len() as u64,
                _ => 0,
            }
            .max(lists[i].len() as u64);
        }
        let [warnings, skipped, dangerous, altered] = lists;
        ItemNotes {
            warnings,
            skipped,
            dangerous,
            altered,
            counts,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.counts.iter().all(|c| *c == 0)
    }
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
        let kind = crate::whm::display::name(kind);
        let item = crate::whm::display::name(&self.item);
        match &self.local_item {
            Some(l) if *l != self.item => format!("{kind}: “{item}” → “{}”", crate::whm::display::name(l)),
            _ => format!("{kind}: “{item}”"),
        }
    }
}

/// What the master log says so far.
#[derive(Debug, Clone, Default, PartialEq)]
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
    /// The newest `time` any line carried (epoch seconds): "now" as far as the log knows.
    pub latest_time: Option<i64>,
}

/// One item across its TRANSFER and RESTORE steps, as an admin thinks of it.
#[derive(Debug, Clone, PartialEq)]
pub struct JoinedItem<'a> {
    pub transfer: Option<&'a ItemRow>,
    pub restore: Option<&'a ItemRow>,
}

impl JoinedItem<'_> {
    fn any(&self) -> &ItemRow {
        // at least one is set by construction
        self.restore.or(self.transfer).unwrap_or(&PLACEHOLDER)
    }
    pub fn item(&self) -> &str {
        &self.any().item
    }
    pub fn item_type(&self) -> &str {
        &self.any().item_type
    }
    pub fn label(&self) -> String {
        self.transfer.map_or_else(
            || self.any().label(),
            |t| {
                let mut t = t.clone();
                if t.local_item.is_none() {
                    t.local_item = self.restore.and_then(|r| r.local_item.clone());
                }
                t.label()
            },
        )
    }
    pub fn size(&self) -> u64 {
        self.transfer
            .map_or(0, |t| t.size)
            .max(self.restore.map_or(0, |r| r.size))
    }
    /// The item's result: a failure in either step fails it; warnings show; done when restored.
    pub fn outcome(&self) -> Outcome {
        let steps = [self.transfer, self.restore];
        if let Some(Outcome::Failed(f)) = steps
            .iter()
            .flatten()
            .map(|r| &r.outcome)
            .find(|o| matches!(o, Outcome::Failed(_)))
        {
            return Outcome::Failed(f.clone());
        }
        match self.restore.map(|r| &r.outcome) {
            Some(Outcome::Success) if self.transfer.is_some_and(|t| t.outcome == Outcome::Warning) => Outcome::Warning,
            Some(o @ (Outcome::Success | Outcome::Warning)) => o.clone(),
            Some(Outcome::Running) => Outcome::Running,
            _ => match self.transfer.map(|t| &t.outcome) {
                Some(Outcome::Running) | Some(Outcome::Success) | Some(Outcome::Warning) => Outcome::Running,
                _ => Outcome::Waiting,
            },
        }
    }
    /// Both steps together, 0–100 (transfer is the first half, restore the second).
    pub fn percent(&self) -> f64 {
        let t = self.transfer.map_or(0.0, |t| t.percent);
        let r = self.restore.map_or(0.0, |r| r.percent);
        ((t + r) / 2.0).clamp(0.0, 100.0)
    }
    /// Remarks of both steps.
    pub fn notes(&self) -> Vec<&ItemNotes> {
        [self.transfer, self.restore]
            .into_iter()
            .flatten()
            .map(|r| &r.notes)
            .filter(|n| !n.is_empty())
            .collect()
    }
    pub fn logfiles(&self) -> Vec<&str> {
        [self.transfer, self.restore]
            .into_iter()
            .flatten()
            .filter_map(|r| r.logfile.as_deref())
            .collect()
    }
}

static PLACEHOLDER: ItemRow = ItemRow {
    queue: String::new(),
    item: String::new(),
    local_item: None,
    item_type: String::new(),
    size: 0,
    logfile: None,
    outcome: Outcome::Waiting,
    notes: ItemNotes {
        warnings: Vec::new(),
        skipped: Vec::new(),
        dangerous: Vec::new(),
        altered: Vec::new(),
        counts: [0; 4],
    },
    percent: 0.0,
    started: None,
    ended: None,
};

/// What to do about a failed item, from WHM's failure text (§3.9, §6.3).
pub fn failure_advice(failure: &str) -> &'static str {
    let f = failure.to_lowercase();
    if f.contains("already exists") {
        "Pick another local name for it (the check page suggests one) and queue it in a new session, or remove the existing account first if it is a leftover."
    } else if f.contains("reserved") || f.contains("not a valid") || f.contains("invalid") {
        "Restore it under a valid local name (the check page shows cPanel’s rules) in a new session."
    } else if f.contains("disk") || f.contains("quota") || f.contains("space") {
        "Free disk space on this server (or the source, for the archive) and queue it again in a new session."
    } else if f.contains("login") || f.contains("permission denied") || f.contains("authentication") {
        "Check the source server’s credentials and SSH access, then create a new session."
    } else {
        "Open its log for the details, fix the cause, then queue it again in a new session."
    }
}

/// Results by status, for the verdict (§6.3's statuses; one item counts once).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub success: usize,
    pub warnings: usize,
    pub failed: usize,
    pub unfinished: usize,
    /// Items with skipped, dangerous or altered entries (they also count as warnings).
    pub skipped: usize,
    pub dangerous: usize,
    pub altered: usize,
}

/// Speed of a queue, from the log's own timestamps.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    pub elapsed_s: u64,
    pub bytes_per_s: f64,
    /// `None` until something has been moved.
    pub eta_s: Option<u64>,
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

    /// Adds a line of an item's own log (`item-<QUEUE>_<Type>_<item>`): its `percentage` lines move
    /// that item's bar.
    pub fn apply_item_line(&mut self, logfile: &str, line: &ParsedLine) {
        let ParsedLine::Entry(l) = line else { return };
        if l.contents.action.as_deref() != Some("percentage") {
            return;
        }
        let Some(pct) = l.contents.percentage.filter(|p| p.is_finite()) else {
            return;
        };
        if let Some(row) = self.items.iter_mut().find(|r| r.logfile.as_deref() == Some(logfile))
            && !row.outcome.done()
        {
            row.percent = pct.clamp(0.0, 100.0).max(row.percent);
        }
    }

    /// Items (account, package…) with both steps joined, in the order first seen.
    pub fn joined(&self) -> Vec<JoinedItem<'_>> {
        let mut out: Vec<JoinedItem<'_>> = Vec::new();
        let mut at: BTreeMap<(&str, &str), usize> = BTreeMap::new();
        for row in &self.items {
            let key = (row.item_type.as_str(), row.item.as_str());
            let i = *at.entry(key).or_insert_with(|| {
                out.push(JoinedItem {
                    transfer: None,
                    restore: None,
                });
                out.len() - 1
            });
            if let Some(j) = out.get_mut(i) {
                if row.queue == "RESTORE" {
                    j.restore = Some(row);
                } else {
                    j.transfer = Some(row);
                }
            }
        }
        out
    }

    /// Counts by status over the joined items.
    pub fn tally(&self) -> Tally {
        let mut t = Tally::default();
        for j in self.joined() {
            match j.outcome() {
                Outcome::Success => t.success += 1,
                Outcome::Warning => t.warnings += 1,
                Outcome::Failed(_) => t.failed += 1,
                Outcome::Running | Outcome::Waiting => t.unfinished += 1,
            }
            for n in j.notes() {
                t.skipped += usize::from(n.counts[1] > 0);
                t.dangerous += usize::from(n.counts[2] > 0);
                t.altered += usize::from(n.counts[3] > 0);
            }
        }
        t
    }

    /// Both queues together, 0–100 (size-weighted).
    pub fn overall_percent(&self) -> f64 {
        if self.queues.is_empty() {
            return 0.0;
        }
        let n = self.queues.len() as f64;
        self.queues
            .keys()
            .map(|q| self.queue_fraction(q))
            .fold(0.0, |a, b| a + b)
            / n
            * 100.0
    }

    /// Elapsed time, speed and ETA of a queue, from the log's timestamps.
    pub fn rate(&self, queue: &str) -> Option<Rate> {
        let start = self
            .items
            .iter()
            .filter(|i| i.queue == queue)
            .filter_map(|i| i.started)
            .min()?;
        let now = self.latest_time?;
        let elapsed = u64::try_from(now.saturating_sub(start)).unwrap_or(0);
        let total = self.queues.get(queue).map_or(0, |q| q.1) as f64;
        let done = self.queue_fraction(queue) * total;
        let bytes_per_s = if elapsed == 0 { 0.0 } else { done / elapsed as f64 };
        let eta_s = (bytes_per_s > 0.0).then(|| ((total - done).max(0.0) / bytes_per_s) as u64);
        Some(Rate {
            elapsed_s: elapsed,
            bytes_per_s,
            eta_s,
        })
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
        if let Some(t) = c.time {
            self.latest_time = Some(self.latest_time.map_or(t, |x| x.max(t)));
        }
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
                            notes: ItemNotes::default(),
                            percent: 0.0,
                            started: None,
                            ended: None,
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
                } else if action == "process-item" {
                    // `process-item` names the item's log in `msg` (§6.3) when `logfile` is absent.
                    let named = c.msg.as_ref().and_then(|m| m.as_str()).map(str::trim);
                    if let Some(f) = named.filter(|f| f.starts_with("item-") && !f.contains(['/', '\\'])) {
                        row.logfile = Some(f.to_owned());
                    }
                }
                if let Some(size) = c.msg_size() {
                    row.size = size;
                }
                if row.started.is_none() {
                    row.started = c.time;
                }
                row.outcome = match action {
                    "success-item" => Outcome::Success,
                    "warning-item" => Outcome::Warning,
                    "failed-item" => Outcome::Failed(c.msg_text()),
                    _ if row.outcome.done() => row.outcome.clone(),
                    _ => Outcome::Running,
                };
                if row.outcome.done() {
                    row.percent = 100.0;
                    row.ended = c.time.or(row.ended);
                    if let Some(msg) = &c.msg {
                        row.notes = ItemNotes::from_msg(msg);
                    }
                }
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
        // WHM's queue bar: Σ(size × pct) / queue_size (§6.4), in f64 so 100 GiB items cannot overflow.
        let done: f64 = self
            .items
            .iter()
            .filter(|i| i.queue == queue)
            .map(|i| i.size as f64 * (i.percent.clamp(0.0, 100.0) / 100.0))
            .fold(0.0, |a, b| a + b); // not `sum()`: an empty f64 sum is -0.0, shown as "-0%"
        if total == 0 {
            0.0
        } else {
            (done / total as f64).clamp(0.0, 1.0)
        }
    }

    /// Rows that failed or warned (a failed transfer also logs its RESTORE step: both rows show).
    pub fn problems(&self) -> impl Iterator<Item = &ItemRow> {
        self.items
            .iter()
            .filter(|i| matches!(i.outcome, Outcome::Failed(_) | Outcome::Warning))
    }

    /// Distinct items (type and name) that failed, warned or did not finish, whatever the queue: a step
    /// that did not succeed, or, in a session with a RESTORE queue, an item transferred and never
    /// restored (an abort between its two steps).
    pub fn items_needing_attention(&self) -> usize {
        let restores = self.queues.contains_key("RESTORE");
        self.joined()
            .iter()
            .filter(|j| {
                [j.transfer, j.restore]
                    .into_iter()
                    .flatten()
                    .any(|r| !matches!(r.outcome, Outcome::Success))
                    || (restores && j.restore.is_none())
            })
            .count()
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
    fn an_item_transferred_and_never_restored_needs_attention() {
        let log = concat!(
            r#"{"pid":1,"type":"control","contents":{"action":"queue_count","child_number":0,"queue":"TRANSFER","msg":2}}"#,
            "\n",
            r#"{"pid":1,"type":"control","contents":{"action":"queue_count","child_number":0,"queue":"RESTORE","msg":2}}"#,
            "\n",
            r#"{"pid":1,"type":"control","contents":{"action":"success-item","child_number":1,"queue":"TRANSFER","item":"bob","item_type":"AccountRemoteRoot"}}"#,
            "\n",
            r#"{"pid":1,"type":"control","contents":{"action":"success-item","child_number":1,"queue":"TRANSFER","item":"amy","item_type":"AccountRemoteRoot"}}"#,
            "\n",
            r#"{"pid":1,"type":"control","contents":{"action":"success-item","child_number":1,"queue":"RESTORE","item":"amy","item_type":"AccountRemoteRoot"}}"#,
        );
        let p = progress_of(log);
        assert_eq!(p.items_needing_attention(), 1, "bob was transferred, never restored");
        assert_eq!(p.tally().unfinished, 1, "the same as the verdict's count");
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

    fn control(action: &str, queue: &str, item: &str, extra: &str) -> String {
        format!(
            r#"{{"pid":1,"type":"control","contents":{{"action":"{action}","child_number":1,"time":1000,"queue":"{queue}","item":"{item}","item_type":"AccountRemoteRoot","logfile":"item-{queue}_AccountRemoteRoot_{item}"{extra}}}}}"#
        )
    }

    #[test]
    fn the_queue_bar_weights_items_by_size_from_1_byte_to_100_gib() {
        const GIB: u64 = 1 << 30;
        let log = [
            format!(r#"{{"type":"control","contents":{{"action":"queue_size","child_number":0,"queue":"TRANSFER","msg":{}}}}}"#, 100 * GIB + 1),
            control("start-item", "TRANSFER", "tiny", r#","msg":{"size":1}"#),
            control("start-item", "TRANSFER", "huge", &format!(r#","msg":{{"size":{}}}"#, 100 * GIB)),
            control("success-item", "TRANSFER", "tiny", r#","msg":{"size":1}"#),
        ]
        .join("\n");
        let mut p = progress_of(&log);
        assert!(
            p.queue_fraction("TRANSFER") < 1e-9,
            "the 1-byte item barely moves the bar"
        );
        let pct = |n: f64| {
            ParsedLine::Entry(Box::new(LogLine {
                contents: crate::whm::logs::LogContents {
                    action: Some("percentage".into()),
                    percentage: Some(n),
                    ..Default::default()
                },
                ..Default::default()
            }))
        };
        p.apply_item_line("item-TRANSFER_AccountRemoteRoot_huge", &pct(50.0));
        let f = p.queue_fraction("TRANSFER");
        assert!((f - 0.5).abs() < 1e-6, "{f}");
        // percentages never go back, and never past 100
        p.apply_item_line("item-TRANSFER_AccountRemoteRoot_huge", &pct(20.0));
        p.apply_item_line("item-TRANSFER_AccountRemoteRoot_huge", &pct(250.0));
        assert_eq!(p.items[1].percent, 100.0);
        assert!((p.queue_fraction("TRANSFER") - 1.0).abs() < 1e-6);
    }

    #[test]
    fn items_join_their_two_steps_and_keep_whms_lists() {
        let warn = r#","msg":{"size":10,"warnings":1,"skipped_items":2,"dangerous_items":0,"altered_items":0,"contents":{"warnings":[[["Mod","f",1],"Quota could not be set."]],"skipped_items":["a.txt","b.txt"]}}"#;
        let log = [
            control("success-item", "TRANSFER", "bob", r#","msg":{"size":10}"#),
            control("warning-item", "RESTORE", "bob", warn),
            control("success-item", "TRANSFER", "you", r#","msg":{"size":5}"#),
            control(
                "failed-item",
                "RESTORE",
                "you",
                r#","msg":{"size":5,"failure":"A user named “you” already exists."}"#,
            ),
            control("start-item", "TRANSFER", "amy", r#","msg":{"size":7}"#),
        ]
        .join("\n");
        let p = progress_of(&log);
        let joined = p.joined();
        assert_eq!(joined.len(), 3);
        assert_eq!(joined[0].outcome(), Outcome::Warning);
        let notes = joined[0].notes();
        assert_eq!(notes[0].warnings, ["Quota could not be set. (Mod)"]);
        assert_eq!(notes[0].skipped, ["a.txt", "b.txt"]);
        assert!(matches!(joined[1].outcome(), Outcome::Failed(f) if f.contains("already exists")));
        assert_eq!(joined[2].outcome(), Outcome::Running);
        assert_eq!(
            p.tally(),
            Tally {
                success: 0,
                warnings: 1,
                failed: 1,
                unfinished: 1,
                skipped: 1,
                dangerous: 0,
                altered: 0
            }
        );
    }

    #[test]
    fn process_item_names_the_items_log_in_msg() {
        let p = progress_of(concat!(
            r#"{"type":"control","contents":{"action":"process-item","child_number":1,"queue":"TRANSFER","item":"bob","item_type":"AccountRemoteRoot","msg":"item-TRANSFER_AccountRemoteRoot_bob"}}"#,
            "\n",
            r#"{"type":"control","contents":{"action":"process-item","child_number":1,"queue":"TRANSFER","item":"eve","item_type":"AccountRemoteRoot","msg":"../../etc/passwd"}}"#,
        ));
        assert_eq!(
            p.items[0].logfile.as_deref(),
            Some("item-TRANSFER_AccountRemoteRoot_bob")
        );
        assert_eq!(p.items[1].logfile, None, "only an item log's name");
    }

    #[test]
    fn an_untouched_queue_is_plus_zero() {
        let p = progress_of(
            r#"{"type":"control","contents":{"action":"queue_size","child_number":0,"queue":"RESTORE","msg":100}}"#,
        );
        assert_eq!(format!("{:.0}", p.queue_fraction("RESTORE") * 100.0), "0");
        assert_eq!(format!("{:.0}", p.overall_percent()), "0");
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
