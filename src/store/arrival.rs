//! The arrival check: once a session has ended, confirm that each account WHM says it restored
//! really exists on this server, with the domain and owner it had on the source and a plausible
//! disk use (WHM API 1 `accountsummary`, docs/whm-api.md §3.19a). WHM's own Transfer Tool has no such
//! check; a restore that "succeeded" but left no account, or an account under another owner, is
//! exactly what an admin needs to hear about before telling the customer it is done.

use super::progress::{Outcome, Progress};
use crate::whm::WhmError;
use crate::whm::analysis::Analysis;
use crate::whm::display;
use crate::whm::responses::AccountSummary;

/// What the session should have left on this server for one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    /// The name on the source.
    pub remote: String,
    /// The name here (`localuser`).
    pub local: String,
    /// From the analysis, when it could be read.
    pub domain: Option<String>,
    pub owner: Option<String>,
    /// Bytes on the source (analysis `bytesused`, else the size the log gave).
    pub bytes: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Pending,
    /// It is here; `notes` are remarks that need no action.
    Arrived {
        notes: Vec<String>,
    },
    /// WHM has no such account.
    Missing,
    /// It is here, but not as expected.
    Mismatch {
        problems: Vec<String>,
    },
    /// The check itself failed (the account may well be there).
    Unknown(WhmError),
}

impl Verdict {
    /// `data-arrived`: only a confirmed account is `true`.
    pub fn arrived(&self) -> Option<bool> {
        match self {
            Verdict::Arrived { .. } => Some(true),
            Verdict::Missing | Verdict::Mismatch { .. } => Some(false),
            Verdict::Pending | Verdict::Unknown(_) => None,
        }
    }

    /// What to do, for a flagged account.
    pub fn next_step(&self) -> Option<&'static str> {
        match self {
            Verdict::Missing => Some(
                "WHM reported this restore as done, but the account is not on this server. Read the item’s restore log, then queue it again in a new session.",
            ),
            Verdict::Mismatch { .. } => Some(
                "Check the account in WHM (List Accounts / Modify an Account) and correct its domain or owner, or restore it again.",
            ),
            Verdict::Unknown(_) => Some("Check it again in a moment, or look it up in WHM’s List Accounts."),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub expected: Expected,
    pub verdict: Verdict,
}

/// The accounts to check: every account whose RESTORE step succeeded (with or without warnings),
/// under its local name, with what the analysis knew of it.
pub fn expectations(progress: &Progress, analysis: Option<&Analysis>) -> Vec<Expected> {
    progress
        .items
        .iter()
        .filter(|r| r.queue == "RESTORE" && r.item_type.starts_with("Account"))
        .filter(|r| matches!(r.outcome, Outcome::Success | Outcome::Warning))
        .map(|r| {
            let source = analysis.and_then(|a| a.items.accounts.iter().find(|x| x.user == r.item));
            Expected {
                remote: r.item.clone(),
                local: r
                    .local_item
                    .clone()
                    .filter(|l| !l.is_empty())
                    .unwrap_or_else(|| r.item.clone()),
                domain: source.map(|s| s.domain.clone()).filter(|d| !d.is_empty()),
                owner: source.map(|s| s.owner_or_root().to_owned()),
                bytes: source.map_or(r.size, |s| s.bytesused.max(r.size)),
            }
        })
        .collect()
}

/// Below this, a restored account that uses almost no disk is not remarkable.
const SMALL_BYTES: u64 = 10 << 20;

/// Compares what `accountsummary` says with what was expected.
pub fn judge(e: &Expected, found: &AccountSummary) -> Verdict {
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    if !found.user.is_empty() && found.user != e.local {
        problems.push(format!(
            "WHM answered for “{}”, not “{}”.",
            display::name(&found.user),
            display::name(&e.local)
        ));
    }
    if let Some(d) = &e.domain
        && !found.domain.eq_ignore_ascii_case(d)
    {
        problems.push(format!(
            "Its domain is “{}”; on the source it was “{}”.",
            display::name(&found.domain),
            display::name(d)
        ));
    }
    if let Some(o) = &e.owner
        && found.owner != *o
    {
        // WHM gives an account whose reseller does not exist here to root (§3.9): worth saying, not an error.
        let text = format!(
            "Its owner is “{}”; on the source it was “{}”.",
            display::name(&found.owner),
            display::name(o)
        );
        if found.owner == "root" {
            notes.push(format!(
                "{text} (WHM gives accounts of resellers that do not exist here to root.)"
            ));
        } else {
            problems.push(text);
        }
    }
    match found.disk_bytes() {
        Some(used) if e.bytes > SMALL_BYTES && used.saturating_mul(10) < e.bytes => problems.push(format!(
            "It uses {} here against {} on the source: the home directory or databases may be missing.",
            super::format::bytes(u128::from(used)),
            super::format::bytes(u128::from(e.bytes))
        )),
        None => notes.push("WHM did not say how much disk it uses.".into()),
        _ => {}
    }
    if found.suspended {
        notes.push("It is suspended (as it may have been on the source).".into());
    }
    if problems.is_empty() {
        Verdict::Arrived { notes }
    } else {
        problems.extend(notes);
        Verdict::Mismatch { problems }
    }
}

/// The whole check, one account at a time.
#[derive(Debug, Clone, PartialEq)]
pub struct Arrival {
    pub rows: Vec<Row>,
    /// The analysis could not be read: domains and owners were not compared.
    pub without_analysis: bool,
}

impl Arrival {
    pub fn new(expected: Vec<Expected>, without_analysis: bool) -> Arrival {
        Arrival {
            rows: expected
                .into_iter()
                .map(|expected| Row {
                    expected,
                    verdict: Verdict::Pending,
                })
                .collect(),
            without_analysis,
        }
    }

    /// The next account to look up, if any.
    pub fn next(&self) -> Option<&str> {
        self.rows
            .iter()
            .find(|r| r.verdict == Verdict::Pending)
            .map(|r| r.expected.local.as_str())
    }

    /// Records WHM's answer for `local`.
    pub fn answer(&mut self, local: &str, result: Result<Vec<AccountSummary>, WhmError>) {
        let Some(row) = self
            .rows
            .iter_mut()
            .find(|r| r.expected.local == local && r.verdict == Verdict::Pending)
        else {
            return;
        };
        row.verdict = match result {
            Ok(list) => match list.iter().find(|a| a.user == local).or(list.first()) {
                Some(found) => judge(&row.expected, found),
                None => Verdict::Missing,
            },
            Err(e) if e.is_no_such_account() => Verdict::Missing,
            Err(e) => Verdict::Unknown(e),
        };
    }

    pub fn done(&self) -> bool {
        self.next().is_none()
    }

    /// Accounts flagged (missing or mismatched).
    pub fn flagged(&self) -> usize {
        self.rows.iter().filter(|r| r.verdict.arrived() == Some(false)).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expected() -> Expected {
        Expected {
            remote: "bob".into(),
            local: "bob2".into(),
            domain: Some("bob.example".into()),
            owner: Some("reseller1".into()),
            bytes: 500 << 20,
        }
    }

    fn found(domain: &str, owner: &str, disk: &str) -> AccountSummary {
        AccountSummary {
            user: "bob2".into(),
            domain: domain.into(),
            owner: owner.into(),
            diskused: disk.into(),
            suspended: false,
        }
    }

    #[test]
    fn an_account_as_expected_arrived() {
        assert_eq!(
            judge(&expected(), &found("BOB.example", "reseller1", "480M")),
            Verdict::Arrived { notes: vec![] }
        );
    }

    #[test]
    fn another_domain_or_owner_or_an_empty_home_is_flagged() {
        let v = judge(&expected(), &found("other.example", "reseller2", "1M"));
        let Verdict::Mismatch { problems } = v else {
            panic!("{v:?}")
        };
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].contains("other.example"));
        assert!(problems[2].contains("home directory or databases may be missing"));
    }

    #[test]
    fn an_account_handed_to_root_is_a_note_not_a_problem() {
        let v = judge(&expected(), &found("bob.example", "root", "500M"));
        assert!(matches!(v, Verdict::Arrived { notes } if notes.len() == 1));
    }

    #[test]
    fn missing_accounts_and_failed_lookups_are_told_apart() {
        let mut a = Arrival::new(vec![expected()], false);
        assert_eq!(a.next(), Some("bob2"));
        a.answer(
            "bob2",
            Err(WhmError::Api {
                command: "accountsummary".into(),
                reason: "Account does not exist.".into(),
            }),
        );
        assert_eq!(a.rows[0].verdict, Verdict::Missing);
        assert_eq!(a.flagged(), 1);
        assert!(a.done());
        let mut a = Arrival::new(vec![expected()], false);
        a.answer("bob2", Err(WhmError::Timeout { after_ms: 1 }));
        assert!(matches!(a.rows[0].verdict, Verdict::Unknown(_)));
        assert_eq!(a.rows[0].verdict.arrived(), None);
    }

    #[test]
    fn only_restored_accounts_are_expected_under_their_local_name() {
        let log = [
            r#"{"type":"control","contents":{"action":"success-item","child_number":1,"queue":"RESTORE","item":"bob","local_item":"bob2","item_type":"AccountRemoteRoot","msg":{"size":100}}}"#,
            r#"{"type":"control","contents":{"action":"failed-item","child_number":1,"queue":"RESTORE","item":"you","item_type":"AccountRemoteRoot","msg":{"failure":"x"}}}"#,
            r#"{"type":"control","contents":{"action":"success-item","child_number":1,"queue":"RESTORE","item":"gold","item_type":"PackageRemoteRoot"}}"#,
        ]
        .join("\n");
        let p = Progress::from_log(&crate::whm::logs::parse_log(&log));
        let e = expectations(&p, None);
        assert_eq!(e.len(), 1);
        assert_eq!(
            (e[0].remote.as_str(), e[0].local.as_str(), e[0].bytes),
            ("bob", "bob2", 100)
        );
        assert_eq!(e[0].domain, None);
    }

    #[test]
    fn disk_use_reads_whms_units() {
        let d = |s: &str| found("x", "y", s).disk_bytes();
        assert_eq!(d("117M"), Some(117 << 20));
        assert_eq!(d("none"), Some(0));
        assert_eq!(d("2G"), Some(2 << 30));
        assert_eq!(d("12"), Some(12 << 20));
        assert_eq!(d("lots"), None);
    }
}
