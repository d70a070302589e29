//! The queue step as text an admin can edit in bulk: one account per line, `user` or `user localuser`
//! (to restore it under another name), `#` comments. Parsed into a [`QueuePlan`] that the checks
//! engine validates before anything is sent.

use crate::checks::{PlannedAccount, QueuePlan, Report, Severity, SubjectKind};
use crate::whm::analysis::Analysis;
use std::collections::{HashMap, HashSet};

/// A line the parser could not use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineIssue {
    pub line_no: usize,
    pub message: String,
}

/// The starting text: every account without an error finding, one per line, with a short header.
pub fn default_text(analysis: &Analysis, report: &Report) -> String {
    let blocked: HashSet<&str> = report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error && f.subject.kind == SubjectKind::Account)
        .map(|f| f.subject.name.as_str())
        .collect();
    let mut out = String::from(
        "# One account per line: `user`, or `user newname` to restore it under another local name.\n\
         # Accounts with errors in the analysis are left out; add them back once fixed.\n",
    );
    for a in &analysis.items.accounts {
        if blocked.contains(a.user.as_str()) {
            out.push_str(&format!("# {}\n", a.user));
        } else {
            out.push_str(&a.user);
            out.push('\n');
        }
    }
    out
}

/// Reads the text into a plan, taking each account's domain, size, files and dedicated IP from the
/// analysis. Unknown accounts are kept (validation reports them) with no size.
pub fn parse(text: &str, analysis: &Analysis, with_packages: bool) -> (QueuePlan, Vec<LineIssue>) {
    let known: HashMap<&str, &crate::whm::analysis::Account> =
        analysis.items.accounts.iter().map(|a| (a.user.as_str(), a)).collect();
    let mut plan = QueuePlan {
        accounts: Vec::new(),
        packages: if with_packages {
            analysis.items.packages.iter().map(|p| p.name.clone()).collect()
        } else {
            Vec::new()
        },
        shared_mysql_server: analysis.config.shared_mysql_server == Some(true),
    };
    let mut issues = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        let (user, local) = match words.as_slice() {
            [u] => (*u, None),
            [u, l] => (*u, Some(*l)),
            _ => {
                issues.push(LineIssue {
                    line_no: i + 1,
                    message: format!("Line {}: expected “user” or “user newname”, found “{line}”.", i + 1),
                });
                continue;
            }
        };
        let mut account = match known.get(user) {
            Some(a) => PlannedAccount::from_account(a),
            None => PlannedAccount::new(user),
        };
        if let Some(l) = local {
            account.localuser = l.to_owned();
        }
        plan.accounts.push(account);
    }
    (plan, issues)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::check::{Loaded, Source};

    const POPULATED: &str = include_str!("../../tests/fixtures/populated-analysis.json");

    #[test]
    fn default_text_round_trips_into_a_plan() {
        let loaded = Loaded::from_text(Source::Paste, POPULATED).unwrap();
        let text = default_text(&loaded.analysis, &loaded.report);
        assert!(text.lines().any(|l| l == "bob"), "{text}");
        let (plan, issues) = parse(&text, &loaded.analysis, true);
        assert!(issues.is_empty());
        assert_eq!(plan.accounts.len(), 1);
        assert_eq!(plan.accounts[0].size, Some(52_428_800), "size from the analysis");
        assert_eq!(plan.packages, ["res1_gold"]);
    }

    #[test]
    fn renames_comments_and_bad_lines() {
        let loaded = Loaded::from_text(Source::Paste, POPULATED).unwrap();
        let (plan, issues) = parse(
            "bob bob2  # rename\n\n# skipped\nghost\na b c\n",
            &loaded.analysis,
            false,
        );
        assert_eq!(plan.accounts.len(), 2);
        assert_eq!(
            (plan.accounts[0].user.as_str(), plan.accounts[0].localuser.as_str()),
            ("bob", "bob2")
        );
        assert_eq!(
            plan.accounts[1].size, None,
            "unknown account kept for validation to report"
        );
        assert!(plan.packages.is_empty());
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].line_no, 5);
    }
}
