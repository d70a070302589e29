//! The entry points: one name ([`check_username`]) or a list checked together ([`check_bulk`]).

use super::collisions::{Collision, KeyGroups, bulk_collision_text, mark_bulk_collision};
use super::context::RuleContext;
use super::evaluate::Checker;
use super::hash::{FastMap, FastSet};
use super::keys::key_of;
use super::rules::Purpose;
use super::verdict::Verdict;
use std::borrow::Cow;

/// More database owners than this and a single check uses the context's owner index (built once,
/// kept by the context) instead of scanning.
const SCAN_OWNERS_UP_TO: usize = 256;

/// [`check_bulk`]'s result.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BulkReport {
    /// One per name, same order.
    pub verdicts: Vec<Verdict>,
    /// Every group of names sharing a first-N key, ordered by their first member.
    pub collisions: Vec<Collision>,
}

impl BulkReport {
    /// Every colliding pair of the list, summed in 64 bits.
    pub fn total_pairs(&self) -> u64 {
        self.collisions
            .iter()
            .fold(0u64, |sum, c| sum.saturating_add(c.pairs()))
    }
}

/// Checks one name. With many database owners it uses the context's owner index.
pub fn check_username(name: &str, ctx: &RuleContext, purpose: Purpose) -> Verdict {
    let checker = if ctx.local_db_owners.len() > SCAN_OWNERS_UP_TO {
        Checker::indexed(ctx, purpose)
    } else {
        Checker::linear(ctx, purpose)
    };
    let mut verdict = checker.evaluate(name);
    if !verdict.is_ok() {
        let mut hints = FastMap::default();
        verdict.suggestion = checker.suggest(name, &|_| false, &mut hints);
    }
    verdict
}

/// Checks a list of names: each against the context and all against each other (first-N keys,
/// case-insensitive, duplicates included). Every name of a collision gets a `prefix-collision`
/// violation naming the others; suggestions avoid every key of the list and each other.
/// Expected O(n) plus the colliding pairs themselves.
pub fn check_bulk<S: AsRef<str>>(names: &[S], ctx: &RuleContext, purpose: Purpose) -> BulkReport {
    let checker = Checker::indexed(ctx, purpose);
    let n = ctx.effective_prefix_length();
    let mut verdicts: Vec<Verdict> = names.iter().map(|name| checker.evaluate(name.as_ref())).collect();
    // Borrowed from the names wherever a name is its own key (most names).
    let keys: Vec<Cow<'_, str>> = names.iter().map(|name| key_of(name.as_ref(), n)).collect();
    let groups = KeyGroups::new(&keys);
    let collisions = groups.collisions(&keys);
    for members in groups.shared() {
        let key = members.first().and_then(|&i| keys.get(i)).map_or("", |k| k.as_ref());
        for &i in &members {
            let text = bulk_collision_text(names, i, &members, key, n);
            if let Some(v) = verdicts.get_mut(i) {
                mark_bulk_collision(v, text);
            }
        }
    }

    // Suggestions, in list order: never a key another name of the list has, never one already suggested.
    let mut suggested: FastSet<String> = FastSet::default();
    let mut hints = FastMap::default();
    for ((verdict, name), own) in verdicts.iter_mut().zip(names).zip(&keys) {
        if verdict.is_ok() {
            continue;
        }
        let blocked = |key: &str| {
            let in_list = groups.size(key).saturating_sub(usize::from(key == own.as_ref()));
            in_list > 0 || suggested.contains(key)
        };
        verdict.suggestion = checker.suggest(name.as_ref(), &blocked, &mut hints);
        if let Some(s) = &verdict.suggestion {
            suggested.insert(key_of(s, n).into_owned());
        }
    }
    BulkReport { verdicts, collisions }
}
