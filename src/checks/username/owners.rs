//! The existing database owners, asked in `dbowner` form (§5.3): is there an owner of exactly this
//! form, and which is the smallest owner beginning with these characters.

use super::keys::{dbowner, dbowner_chars, head, owner_form};
use super::names::{IndexRef, NameSet};
use std::cell::OnceCell;

/// Existing database owners, in `dbowner` form.
pub(crate) enum Owners<'a> {
    /// A plain scan (no set-up cost: for single checks against few owners).
    Linear(&'a NameSet),
    /// Hashed (bulk checks, or many owners).
    Indexed(IndexRef<'a>),
}

/// Database owners hashed by `dbowner` form and by their first N characters.
pub(crate) struct OwnerIndex {
    n: usize,
    /// Every distinct non-empty `dbowner` form.
    forms: NameSet,
    /// The first N characters of every form that has at least N.
    heads: NameSet,
    /// For each head (same index), the index in `forms` of the smallest form with that head.
    smallest: Vec<usize>,
    /// Form indices sorted by form, built only when asked for a prefix shorter than N.
    sorted: OnceCell<Vec<usize>>,
}

impl OwnerIndex {
    pub(crate) fn new(owners: &NameSet, n: usize) -> Self {
        let mut heads = NameSet::with_capacity(owners.len(), 0);
        let mut smallest: Vec<usize> = Vec::with_capacity(owners.len());
        let mut add_head = |form: &str, f: usize, forms: &NameSet| {
            if let Some(h) = head(form, n) {
                let (at, new_head) = heads.insert_index(h);
                if new_head {
                    smallest.push(f);
                } else if let Some(slot) = smallest.get_mut(at)
                    && forms.get(*slot).is_some_and(|current| *form < *current)
                {
                    *slot = f;
                }
            }
        };
        // Usually every owner is already in its `dbowner` form (lowercase, no `_` or `.`): then the
        // forms are the owners, in the same order, and are copied instead of hashed again.
        let forms = if owners.iter().all(|o| !o.is_empty() && owner_form(o) == o) {
            let forms = NameSet::from((**owners).clone());
            for (f, form) in forms.iter().enumerate() {
                add_head(form, f, &forms);
            }
            forms
        } else {
            let mut forms = NameSet::with_capacity(owners.len(), 0);
            for o in owners.iter() {
                let form = owner_form(o);
                if form.is_empty() {
                    continue;
                }
                let (f, new) = forms.insert_index(&form);
                if new {
                    add_head(&form, f, &forms);
                }
            }
            forms
        };
        OwnerIndex {
            n,
            forms,
            heads,
            smallest,
            sorted: OnceCell::new(),
        }
    }

    pub(crate) fn n(&self) -> usize {
        self.n
    }

    pub(crate) fn has_exact(&self, owner: &str) -> bool {
        self.forms.contains(owner)
    }

    fn sorted(&self) -> &[usize] {
        self.sorted.get_or_init(|| {
            let mut v: Vec<usize> = (0..self.forms.len()).collect();
            v.sort_unstable_by(|a, b| self.forms.get(*a).cmp(&self.forms.get(*b)));
            v
        })
    }

    /// The smallest owner that starts with `prefix`.
    fn starting_with(&self, prefix: &str) -> Option<&str> {
        if prefix.chars().count() == self.n {
            return self
                .heads
                .position(prefix)
                .and_then(|h| self.smallest.get(h))
                .and_then(|&f| self.forms.get(f));
        }
        let sorted = self.sorted();
        let at = sorted.partition_point(|&f| self.forms.get(f).is_some_and(|o| o < prefix));
        sorted
            .get(at)
            .and_then(|&f| self.forms.get(f))
            .filter(|o| o.starts_with(prefix))
    }
}

impl<'a> Owners<'a> {
    /// The owners of `set`, indexed for first-N length `n` (the set keeps the index).
    pub(crate) fn index(set: &'a NameSet, n: usize) -> Owners<'a> {
        Owners::Indexed(set.owner_index(n))
    }

    pub(crate) fn is_empty(&self) -> bool {
        match self {
            Owners::Linear(set) => set.is_empty(),
            Owners::Indexed(ix) => ix.forms.is_empty(),
        }
    }

    pub(crate) fn has_exact(&self, owner: &str) -> bool {
        match self {
            Owners::Linear(set) => !owner.is_empty() && set.iter().any(|o| dbowner_chars(o).eq(owner.chars())),
            Owners::Indexed(ix) => ix.has_exact(owner),
        }
    }

    /// The smallest owner that starts with `prefix`.
    pub(crate) fn starting_with(&self, prefix: &str) -> Option<String> {
        match self {
            Owners::Linear(set) => set
                .iter()
                .filter(|o| {
                    let mut it = dbowner_chars(o);
                    prefix.chars().all(|p| it.next() == Some(p))
                })
                .map(dbowner)
                .filter(|o| !o.is_empty())
                .min(),
            Owners::Indexed(ix) => ix.starting_with(prefix).map(str::to_owned),
        }
    }

    pub(crate) fn any_starting_with(&self, prefix: &str) -> bool {
        match self {
            Owners::Linear(_) => self.starting_with(prefix).is_some(),
            Owners::Indexed(ix) if prefix.chars().count() == ix.n => ix.heads.contains(prefix),
            Owners::Indexed(ix) => ix.starting_with(prefix).is_some(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_owner_index_answers_like_the_scan() {
        let set: NameSet = ["a_lice", "Bob.x", "carol", "carla", "", "__"].into();
        // Every owner already in its dbowner form: the index copies the forms instead of hashing them.
        let plain: NameSet = ["carol", "alice", "carla", "bobx", "carolyn", "bo"].into();
        let probes = [
            "alice", "bobx", "carol", "car", "ali", "bob", "xyz", "b", "", "x", "alicex", "carols",
        ];
        for (set, n) in [(&set, 3), (&plain, 3), (&plain, 2), (&plain, 16)] {
            let linear = Owners::Linear(set);
            let index = Owners::Indexed(IndexRef::Fresh(Box::new(OwnerIndex::new(set, n))));
            for probe in probes {
                assert_eq!(linear.has_exact(probe), index.has_exact(probe), "{probe}");
                assert_eq!(
                    linear.starting_with(probe),
                    index.starting_with(probe),
                    "{probe} at {n}"
                );
                assert_eq!(
                    linear.any_starting_with(probe),
                    index.any_starting_with(probe),
                    "{probe} at {n}"
                );
            }
        }
        let index = Owners::index(&set, 3);
        assert!(index.has_exact("bobx"));
        assert_eq!(index.starting_with("ca"), Some("carla".into()));
        assert_eq!(
            index.starting_with("car"),
            Some("carla".into()),
            "the smallest of one head"
        );
        assert_eq!(index.starting_with(""), Some("alice".into()), "the smallest owner");
    }
}
