//! Disk-usage chart data: bars by owner and the largest accounts, scaled for a fixed-width SVG.

use crate::whm::analysis::Account;
use std::collections::HashMap;

/// One horizontal bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub bytes: u128,
    /// Bar length in 0.0..=1.0 of the widest bar.
    pub fraction: f64,
    /// Extra text (account count, domain…).
    pub note: String,
}

fn scale(mut bars: Vec<Bar>) -> Vec<Bar> {
    let max = bars.iter().map(|b| b.bytes).max().unwrap_or(0);
    for b in &mut bars {
        b.fraction = if max == 0 { 0.0 } else { b.bytes as f64 / max as f64 };
    }
    bars
}

/// Disk by owner, largest first; owners beyond `limit - 1` are folded into one "others" bar.
pub fn by_owner(accounts: &[Account], limit: usize) -> Vec<Bar> {
    let mut per: HashMap<&str, (u128, usize)> = HashMap::new();
    for a in accounts {
        let e = per.entry(a.owner_or_root()).or_default();
        e.0 += u128::from(a.bytesused);
        e.1 += 1;
    }
    let mut rows: Vec<(&str, u128, usize)> = per.into_iter().map(|(o, (b, n))| (o, b, n)).collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let limit = limit.max(1);
    let mut bars: Vec<Bar> = Vec::new();
    let (head, tail) = if rows.len() > limit {
        rows.split_at(limit - 1)
    } else {
        (&rows[..], &[][..])
    };
    for (owner, bytes, n) in head {
        bars.push(Bar {
            label: (*owner).to_owned(),
            bytes: *bytes,
            fraction: 0.0,
            note: plural_accounts(*n),
        });
    }
    if !tail.is_empty() {
        let bytes = tail.iter().map(|r| r.1).sum();
        let n = tail.iter().map(|r| r.2).sum();
        bars.push(Bar {
            label: format!("{} other owners", tail.len()),
            bytes,
            fraction: 0.0,
            note: plural_accounts(n),
        });
    }
    scale(bars)
}

/// The `limit` largest accounts.
pub fn top_accounts(accounts: &[Account], limit: usize) -> Vec<Bar> {
    let mut idx: Vec<&Account> = accounts.iter().collect();
    idx.sort_by(|a, b| b.bytesused.cmp(&a.bytesused).then(a.user.cmp(&b.user)));
    let bars = idx
        .into_iter()
        .take(limit)
        .map(|a| Bar {
            label: a.user.clone(),
            bytes: u128::from(a.bytesused),
            fraction: 0.0,
            note: a.domain.clone(),
        })
        .collect();
    scale(bars)
}

fn plural_accounts(n: usize) -> String {
    super::format::plural(n, "account", "accounts")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acct(user: &str, owner: Option<&str>, bytes: u64) -> Account {
        Account {
            user: user.into(),
            owner: owner.map(Into::into),
            bytesused: bytes,
            ..Default::default()
        }
    }

    #[test]
    fn owners_are_summed_sorted_and_folded() {
        let accounts = [
            acct("a", Some("res1"), 100),
            acct("b", Some("res1"), 50),
            acct("c", None, 400),
            acct("d", Some("res2"), 10),
            acct("e", Some("res3"), 5),
        ];
        let bars = by_owner(&accounts, 3);
        let labels: Vec<_> = bars.iter().map(|b| (b.label.as_str(), b.bytes)).collect();
        assert_eq!(labels, [("root", 400), ("res1", 150), ("2 other owners", 15)]);
        assert_eq!(bars[0].fraction, 1.0);
        assert_eq!(bars[1].fraction, 150.0 / 400.0);
        assert_eq!(bars[1].note, "2 accounts");
        assert!(by_owner(&[], 5).is_empty());
    }

    #[test]
    fn top_accounts_are_the_largest() {
        let accounts = [acct("a", None, 1), acct("b", None, 3), acct("c", None, 2)];
        let bars = top_accounts(&accounts, 2);
        assert_eq!(bars.iter().map(|b| b.label.as_str()).collect::<Vec<_>>(), ["b", "c"]);
        let zero = top_accounts(&[acct("z", None, 0)], 2);
        assert_eq!(zero[0].fraction, 0.0, "no division by zero");
    }
}
