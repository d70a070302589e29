//! First-N collisions inside a list (§5.3): names whose keys are equal, kept as groups.

use super::hash::FastMap;
use super::keys::{effective, key_of};
use super::rules::Rule;
use super::verdict::{Verdict, Violation};
use crate::checks::text::{characters, others_list, quote};
use std::borrow::Cow;

/// How many other names a collision message names.
const OTHERS_SHOWN: usize = 3;

/// Names of a bulk list that share one first-N key: every two of them collide. Kept as a group, not
/// as pairs, so a list where thousands of names share a key costs linear memory (the pairs would be
/// quadratic: 10,000 names → 50 million pairs).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Collision {
    /// Indices into the names, ascending; at least two.
    pub members: Vec<usize>,
    /// The shared first-N key (lowercased, without `_` and `.`).
    pub key: String,
}

impl Collision {
    /// How many colliding pairs the group stands for: k(k−1)/2, exactly (computed in 64 bits: a
    /// 32-bit `usize`, as in wasm, overflows from k = 65,536).
    pub fn pairs(&self) -> u64 {
        pairs_among(self.members.len() as u64)
    }

    /// [`Collision::pairs`] as a `usize`, `usize::MAX` when it does not fit. Prefer `pairs` (and
    /// [`BulkReport::total_pairs`](super::BulkReport::total_pairs) for a sum): summing these in a
    /// 32-bit `usize` can still overflow.
    pub fn pair_count(&self) -> usize {
        usize::try_from(self.pairs()).unwrap_or(usize::MAX)
    }
}

/// k(k−1)/2 without overflow (saturating at `u64::MAX`, which no real list reaches).
pub(crate) fn pairs_among(k: u64) -> u64 {
    let (even, odd) = if k.is_multiple_of(2) {
        (k / 2, k.saturating_sub(1))
    } else {
        ((k - 1) / 2, k)
    };
    even.saturating_mul(odd)
}

/// Only the collision groups of a list (first-N keys, case-insensitive; empty keys never collide).
pub fn find_collisions<S: AsRef<str>>(names: &[S], prefix_length: u8) -> Vec<Collision> {
    let n = effective(prefix_length);
    let keys: Vec<Cow<'_, str>> = names.iter().map(|name| key_of(name.as_ref(), n)).collect();
    KeyGroups::new(&keys).collisions(&keys)
}

/// Indices of equal keys, by hashing. Empty keys are left out: such names break other rules already.
pub(crate) struct KeyGroups<'k> {
    slot: FastMap<&'k str, usize>,
    /// First member and further members (no allocation for the common single-member group).
    groups: Vec<(usize, Vec<usize>)>,
}

impl<'k> KeyGroups<'k> {
    pub(crate) fn new<K: AsRef<str>>(keys: &'k [K]) -> Self {
        let mut slot: FastMap<&str, usize> = FastMap::with_capacity_and_hasher(keys.len(), Default::default());
        let mut groups: Vec<(usize, Vec<usize>)> = Vec::with_capacity(keys.len());
        for (i, key) in keys.iter().enumerate() {
            let key = key.as_ref();
            if key.is_empty() {
                continue;
            }
            match slot.get(key) {
                Some(&g) => {
                    if let Some((_, rest)) = groups.get_mut(g) {
                        rest.push(i);
                    }
                }
                None => {
                    slot.insert(key, groups.len());
                    groups.push((i, Vec::new()));
                }
            }
        }
        KeyGroups { slot, groups }
    }

    /// How many names have this key.
    pub(crate) fn size(&self, key: &str) -> usize {
        self.slot
            .get(key)
            .and_then(|&g| self.groups.get(g))
            .map_or(0, |(_, rest)| 1 + rest.len())
    }

    /// Every group of two or more as a [`Collision`], ordered by first member.
    pub(crate) fn collisions<K: AsRef<str>>(&self, keys: &[K]) -> Vec<Collision> {
        self.shared()
            .map(|members| {
                let key = members
                    .first()
                    .and_then(|&i| keys.get(i))
                    .map(|k| k.as_ref().to_owned())
                    .unwrap_or_default();
                Collision { members, key }
            })
            .collect()
    }

    /// Every group of two or more, members ascending.
    pub(crate) fn shared(&self) -> impl Iterator<Item = Vec<usize>> + '_ {
        self.groups
            .iter()
            .filter(|(_, rest)| !rest.is_empty())
            .map(|(first, rest)| {
                let mut members = Vec::with_capacity(rest.len() + 1);
                members.push(*first);
                members.extend_from_slice(rest);
                members
            })
    }
}

/// The message for member `me` of a group: whom it clashes with and why.
pub(crate) fn bulk_collision_text<S: AsRef<str>>(
    names: &[S],
    me: usize,
    members: &[usize],
    key: &str,
    n: usize,
) -> String {
    let name = |i: usize| names.get(i).map(AsRef::as_ref).unwrap_or_default();
    let mine = name(me);
    let others = members.iter().copied().filter(|&j| j != me).map(name);
    let list = others_list(others, members.len().saturating_sub(1), mine, OTHERS_SHOWN, true);
    let reason = if key.chars().count() >= n {
        format!(
            "their first {} ignoring “_” and “.” are the same ({})",
            characters(n),
            quote(key)
        )
    } else {
        format!("without “_” and “.” they are the same name ({})", quote(key))
    };
    format!(
        "{} clashes with {list} in this list: {reason}. Each username’s first {} must be unique.",
        quote(mine),
        characters(n)
    )
}

/// Adds the list collision to a verdict: to its `prefix-collision` violation when it has one.
pub(crate) fn mark_bulk_collision(verdict: &mut Verdict, text: String) {
    if let Some(v) = verdict.violations.iter_mut().find(|v| v.rule == Rule::PrefixCollision) {
        v.explanation.push(' ');
        v.explanation.push_str(&text);
        return;
    }
    verdict.add_violation(Violation {
        rule: Rule::PrefixCollision,
        explanation: text,
        fix: "Give one of them a different username.".into(),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pair_counts_do_not_overflow_a_32_bit_usize() {
        assert_eq!(pairs_among(0), 0);
        assert_eq!(pairs_among(1), 0);
        assert_eq!(pairs_among(2), 1);
        assert_eq!(pairs_among(5), 10);
        // 65,536 names: 2,147,450,880 pairs, whose k·(k−1) does not fit 32 bits.
        assert_eq!(pairs_among(65_536), 2_147_450_880);
        // 100,000 names: more pairs than a 32-bit usize holds.
        let group = Collision {
            members: (0..100_000).collect(),
            key: "same".into(),
        };
        assert_eq!(group.pairs(), 4_999_950_000);
        assert_eq!(
            group.pair_count(),
            usize::try_from(4_999_950_000u64).unwrap_or(usize::MAX)
        );
        assert_eq!(pairs_among(u64::MAX), u64::MAX, "saturates instead of wrapping");
        assert_eq!(pairs_among(1 << 32), (1u64 << 31) * ((1u64 << 32) - 1));
    }
}
