//! The accounts table: filter, sort and the window of rows to render (so 10,000 rows scroll smoothly).

use crate::checks::{Finding, Severity, SubjectKind};
use crate::whm::analysis::Account;
use std::cmp::Ordering;
use std::collections::HashMap;

/// Sortable columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    User,
    Domain,
    Owner,
    Disk,
    Files,
    DedicatedIp,
    WorkerNodes,
    Findings,
}

impl Column {
    pub const ALL: [Column; 8] = [
        Column::User,
        Column::Domain,
        Column::Owner,
        Column::Disk,
        Column::Files,
        Column::DedicatedIp,
        Column::WorkerNodes,
        Column::Findings,
    ];
    pub fn title(self) -> &'static str {
        match self {
            Column::User => "User",
            Column::Domain => "Domain",
            Column::Owner => "Owner",
            Column::Disk => "Disk",
            Column::Files => "Files",
            Column::DedicatedIp => "Dedicated IP",
            Column::WorkerNodes => "Worker nodes",
            Column::Findings => "Findings",
        }
    }
    /// Numbers start largest-first; text A→Z.
    pub fn default_descending(self) -> bool {
        matches!(
            self,
            Column::Disk | Column::Files | Column::Findings | Column::DedicatedIp
        )
    }
}

/// What the admin asked the table to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableQuery {
    /// Case-insensitive substring of user, domain or owner.
    pub text: String,
    pub owner: Option<String>,
    /// A finding kind (`user-exists` …), or `"any"` for accounts with any finding.
    pub finding: Option<String>,
    /// Exactly this account (a finding's subject was clicked).
    pub only_user: Option<String>,
    pub sort: Column,
    pub descending: bool,
}

impl Default for TableQuery {
    fn default() -> Self {
        TableQuery {
            text: String::new(),
            owner: None,
            finding: None,
            only_user: None,
            sort: Column::User,
            descending: false,
        }
    }
}

impl TableQuery {
    /// Clicking a header: same column flips the direction, another column takes its natural one.
    pub fn sorted_by(&self, column: Column) -> TableQuery {
        let descending = if self.sort == column {
            !self.descending
        } else {
            column.default_descending()
        };
        TableQuery {
            sort: column,
            descending,
            ..self.clone()
        }
    }
}

/// The findings of one account, for its badge.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountFlags {
    pub worst: Option<Severity>,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub kinds: Vec<&'static str>,
}

impl AccountFlags {
    pub fn total(&self) -> usize {
        self.errors + self.warnings + self.infos
    }
    fn rank(&self) -> (usize, usize, usize) {
        (self.errors, self.warnings, self.infos)
    }
}

/// Findings grouped by the account they are about.
pub fn account_flags(findings: &[Finding]) -> HashMap<String, AccountFlags> {
    let mut out: HashMap<String, AccountFlags> = HashMap::new();
    for f in findings.iter().filter(|f| f.subject.kind == SubjectKind::Account) {
        let e = out.entry(f.subject.name.clone()).or_default();
        match f.severity {
            Severity::Error => e.errors += 1,
            Severity::Warning => e.warnings += 1,
            Severity::Info => e.infos += 1,
        }
        e.worst = Some(match e.worst {
            Some(w) if w <= f.severity => w, // Severity's Ord: worst first
            _ => f.severity,
        });
        if !e.kinds.contains(&f.kind) {
            e.kinds.push(f.kind);
        }
    }
    out
}

/// Indices of the accounts to show, filtered and sorted (stable: ties keep the analysis order).
pub fn rows(accounts: &[Account], flags: &HashMap<String, AccountFlags>, q: &TableQuery) -> Vec<usize> {
    let needle = q.text.trim().to_lowercase();
    let empty = AccountFlags::default();
    let flags_of = |a: &Account| flags.get(&a.user).unwrap_or(&empty);
    let mut idx: Vec<usize> = accounts
        .iter()
        .enumerate()
        .filter(|(_, a)| {
            (needle.is_empty()
                || a.user.to_lowercase().contains(&needle)
                || a.domain.to_lowercase().contains(&needle)
                || a.owner_or_root().to_lowercase().contains(&needle))
                && q.owner.as_deref().is_none_or(|o| a.owner_or_root() == o)
                && q.only_user.as_deref().is_none_or(|u| a.user == u)
                && match q.finding.as_deref() {
                    None => true,
                    Some("any") => flags_of(a).total() > 0,
                    Some("none") => flags_of(a).total() == 0,
                    Some(kind) => flags_of(a).kinds.contains(&kind),
                }
        })
        .map(|(i, _)| i)
        .collect();
    let cmp = |x: &usize, y: &usize| -> Ordering {
        let (a, b) = (&accounts[*x], &accounts[*y]);
        match q.sort {
            Column::User => a.user.cmp(&b.user),
            Column::Domain => a.domain.cmp(&b.domain),
            Column::Owner => a.owner_or_root().cmp(b.owner_or_root()).then(a.user.cmp(&b.user)),
            Column::Disk => a.bytesused.cmp(&b.bytesused),
            Column::Files => a.filesused.cmp(&b.filesused),
            Column::DedicatedIp => a.has_dedicated_ip.cmp(&b.has_dedicated_ip),
            Column::WorkerNodes => a.worker_nodes.len().cmp(&b.worker_nodes.len()),
            Column::Findings => flags_of(a).rank().cmp(&flags_of(b).rank()),
        }
    };
    if q.descending {
        idx.sort_by(|x, y| cmp(y, x));
    } else {
        idx.sort_by(cmp);
    }
    idx
}

/// Distinct owners, for the owner filter.
pub fn owners(accounts: &[Account]) -> Vec<String> {
    let mut v: Vec<String> = accounts.iter().map(|a| a.owner_or_root().to_owned()).collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Which rows to render for a scroll position.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Window {
    /// First row index to render (inclusive).
    pub start: usize,
    /// One past the last row to render.
    pub end: usize,
    /// Offset of `start` from the top of the scroll area, in px.
    pub offset_px: f64,
    /// Height of all rows, in px.
    pub total_px: f64,
    /// How many rows a full window holds (the visible rows and the overscan on both sides): row `i` is
    /// drawn in slot `i % slots` ([`Window::slot`]).
    pub slots: usize,
}

impl Window {
    /// The slot row `i` is drawn in, its key in the DOM. The rows of one window have distinct slots, and
    /// a step of the window hands the slots of the rows that leave to the rows that come in, so the list
    /// keeps its DOM rows and only their contents change.
    pub fn slot(&self, i: usize) -> usize {
        i % self.slots.max(1)
    }
}

/// The rows visible in a viewport of `viewport_px` scrolled by `scroll_top`, plus `overscan` rows on
/// each side. Robust against negative, NaN or huge inputs.
pub fn window(scroll_top: f64, viewport_px: f64, row_px: f64, total: usize, overscan: usize) -> Window {
    let row_px = if row_px.is_finite() && row_px > 0.0 {
        row_px
    } else {
        1.0
    };
    let scroll_top = if scroll_top.is_finite() {
        scroll_top.max(0.0)
    } else {
        0.0
    };
    let viewport_px = if viewport_px.is_finite() {
        viewport_px.max(0.0)
    } else {
        0.0
    };
    let first = ((scroll_top / row_px).floor() as usize).min(total);
    let visible = (viewport_px / row_px).ceil() as usize + 1;
    let start = first.saturating_sub(overscan);
    let end = first.saturating_add(visible).saturating_add(overscan).min(total);
    Window {
        start,
        end,
        offset_px: start as f64 * row_px,
        total_px: total as f64 * row_px,
        slots: visible.saturating_add(overscan.saturating_mul(2)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Subject;

    #[test]
    fn slots_are_distinct_in_a_window_and_reused_as_it_moves() {
        let total = 10_000;
        let mut last: Option<Window> = None;
        for step in 0..2_000 {
            let top = f64::from(step) * 97.0;
            let w = window(top, 480.0, 34.0, total, 8);
            assert!(w.end - w.start <= w.slots, "window longer than its slots at {top}");
            let mut seen: Vec<usize> = (w.start..w.end).map(|i| w.slot(i)).collect();
            seen.sort_unstable();
            seen.dedup();
            assert_eq!(seen.len(), w.end - w.start, "two rows share a slot at {top}");
            if let Some(prev) = last {
                // Away from the ends, the rows that come in take exactly the slots of the rows that left.
                if prev.start > 0 && w.end < total && w.end - w.start == w.slots && prev.end - prev.start == w.slots {
                    let mut gone: Vec<usize> = (prev.start..prev.end)
                        .filter(|i| !(w.start..w.end).contains(i))
                        .map(|i| prev.slot(i))
                        .collect();
                    let mut came: Vec<usize> = (w.start..w.end)
                        .filter(|i| !(prev.start..prev.end).contains(i))
                        .map(|i| w.slot(i))
                        .collect();
                    gone.sort_unstable();
                    came.sort_unstable();
                    assert_eq!(gone, came, "slots not handed on at {top}");
                }
            }
            last = Some(w);
        }
        assert_eq!(
            window(0.0, 0.0, 34.0, 0, 0).slot(5),
            0,
            "an empty window never divides by zero"
        );
    }

    fn acct(user: &str, domain: &str, owner: &str, bytes: u64) -> Account {
        Account {
            user: user.into(),
            domain: domain.into(),
            owner: Some(owner.into()),
            bytesused: bytes,
            ..Default::default()
        }
    }

    fn finding(user: &str, kind: &'static str, severity: Severity) -> Finding {
        Finding {
            severity,
            kind,
            subject: Subject {
                kind: SubjectKind::Account,
                name: user.into(),
            },
            message: String::new(),
            fix: String::new(),
        }
    }

    fn users(accounts: &[Account], idx: &[usize]) -> Vec<String> {
        idx.iter().map(|&i| accounts[i].user.clone()).collect()
    }

    #[test]
    fn filters_by_text_owner_and_finding() {
        let accounts = [
            acct("alice", "alice.example", "root", 10),
            acct("bob", "shop.example", "res1", 30),
            acct("carol", "carol.example", "res1", 20),
        ];
        let flags = account_flags(&[
            finding("bob", "user-exists", Severity::Error),
            finding("bob", "group-exists", Severity::Error),
            finding("carol", "db-conflict", Severity::Warning),
        ]);
        let q = |text: &str, owner: Option<&str>, finding: Option<&str>| TableQuery {
            text: text.into(),
            owner: owner.map(Into::into),
            finding: finding.map(Into::into),
            ..Default::default()
        };
        assert_eq!(
            users(&accounts, &rows(&accounts, &flags, &q("SHOP", None, None))),
            ["bob"]
        );
        assert_eq!(
            users(&accounts, &rows(&accounts, &flags, &q("", Some("res1"), None))),
            ["bob", "carol"]
        );
        assert_eq!(
            users(&accounts, &rows(&accounts, &flags, &q("", None, Some("db-conflict")))),
            ["carol"]
        );
        assert_eq!(
            users(&accounts, &rows(&accounts, &flags, &q("", None, Some("any")))),
            ["bob", "carol"]
        );
        assert_eq!(
            users(&accounts, &rows(&accounts, &flags, &q("", None, Some("none")))),
            ["alice"]
        );
        assert_eq!(flags["bob"].errors, 2);
        assert_eq!(flags["bob"].worst, Some(Severity::Error));
    }

    #[test]
    fn sorts_and_flips() {
        let accounts = [
            acct("b", "x", "root", 10),
            acct("a", "y", "root", 30),
            acct("c", "z", "root", 20),
        ];
        let flags = HashMap::new();
        let q = TableQuery::default();
        assert_eq!(users(&accounts, &rows(&accounts, &flags, &q)), ["a", "b", "c"]);
        let q = q.sorted_by(Column::Disk);
        assert!(q.descending, "numbers start largest first");
        assert_eq!(users(&accounts, &rows(&accounts, &flags, &q)), ["a", "c", "b"]);
        let q = q.sorted_by(Column::Disk);
        assert_eq!(users(&accounts, &rows(&accounts, &flags, &q)), ["b", "c", "a"]);
    }

    #[test]
    fn findings_sort_puts_errors_first() {
        let accounts = [
            acct("ok", "", "root", 0),
            acct("warn", "", "root", 0),
            acct("err", "", "root", 0),
        ];
        let flags = account_flags(&[
            finding("warn", "db-conflict", Severity::Warning),
            finding("err", "user-exists", Severity::Error),
        ]);
        let q = TableQuery::default().sorted_by(Column::Findings);
        assert_eq!(users(&accounts, &rows(&accounts, &flags, &q)), ["err", "warn", "ok"]);
    }

    #[test]
    fn window_covers_the_viewport_with_overscan() {
        let w = window(0.0, 320.0, 32.0, 10_000, 5);
        assert_eq!((w.start, w.end), (0, 16));
        assert_eq!(w.total_px, 320_000.0);
        let w = window(32_000.0, 320.0, 32.0, 10_000, 5);
        assert_eq!((w.start, w.end, w.offset_px), (995, 1016, 995.0 * 32.0));
        let w = window(1e12, 320.0, 32.0, 100, 5);
        assert_eq!((w.start, w.end), (95, 100), "scrolled past the end");
        let w = window(f64::NAN, f64::INFINITY, 0.0, 3, 2);
        assert!(w.end <= 3 && w.start <= w.end);
        assert_eq!(
            window(0.0, 100.0, 10.0, 0, 3),
            Window {
                start: 0,
                end: 0,
                offset_px: 0.0,
                total_px: 0.0,
                slots: 17
            }
        );
    }
}
