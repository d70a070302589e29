//! [`NameSet`]: the rule context's sets of local users, groups and database owners.
//!
//! A server has 50,000 users or more; a `HashSet<String>` of them costs one allocation and one
//! keyed SipHash per name, twice (users and groups), on every analysis load — and the same again
//! for every derived set. A `NameSet` keeps every name in one text buffer, hashes each name once
//! with [`hash_name`] and keys its table by that hash; looking a name up hashes the probe once and
//! compares bytes. It also caches the database-owner index of the bulk checks
//! ([`OwnerIndex`]), so a context built once per analysis indexes its owners once.

use super::hash::{FastMap, PreHashedMap, hash_name};
use super::owners::OwnerIndex;
use std::cell::OnceCell;
use std::collections::HashSet;
use std::fmt;
use std::hash::BuildHasher;

/// A set of names, in insertion order. Compares equal to a set of the same names (also to a
/// `HashSet<String>`), whatever the order.
#[derive(Default)]
pub struct NameSet {
    /// Every name, one after the other.
    text: String,
    /// Where each name ends in `text` (it starts where the previous one ends).
    ends: Vec<usize>,
    /// [`hash_name`] → the last name inserted with that hash.
    table: PreHashedMap<usize>,
    /// A name → the previous name with the same 64-bit hash (almost always empty).
    same_hash: FastMap<usize, usize>,
    /// The owner index of the first prefix length asked for (see [`NameSet::owner_index`]).
    owner_index: OnceCell<Box<OwnerIndex>>,
}

impl NameSet {
    pub fn new() -> Self {
        NameSet::default()
    }

    /// Room for `names` names of `bytes` bytes in all.
    pub fn with_capacity(names: usize, bytes: usize) -> Self {
        NameSet {
            text: String::with_capacity(bytes),
            ends: Vec::with_capacity(names),
            table: PreHashedMap::with_capacity_and_hasher(names, Default::default()),
            ..NameSet::default()
        }
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The `i`-th name inserted.
    pub(crate) fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { *self.ends.get(i - 1)? };
        self.text.get(start..end)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.position(name).is_some()
    }

    /// The index of `name`, if it is in the set.
    pub(crate) fn position(&self, name: &str) -> Option<usize> {
        self.find(name, hash_name(name))
    }

    /// The index of `name`, given its hash.
    fn find(&self, name: &str, hash: u64) -> Option<usize> {
        let mut at = *self.table.get(&hash)?;
        loop {
            if self.get(at) == Some(name) {
                return Some(at);
            }
            at = *self.same_hash.get(&at)?;
        }
    }

    /// Adds `name`; `false` when it was there already. (As `HashSet<String>::insert`; the name is
    /// copied into the set's buffer, see [`NameSet::insert_str`].)
    pub fn insert(&mut self, name: String) -> bool {
        self.insert_str(&name)
    }

    /// Adds `name`; `false` when it was there already.
    pub fn insert_str(&mut self, name: &str) -> bool {
        self.insert_index(name).1
    }

    /// The index of `name` and whether it was added now.
    pub(crate) fn insert_index(&mut self, name: &str) -> (usize, bool) {
        let hash = hash_name(name);
        if let Some(i) = self.find(name, hash) {
            return (i, false);
        }
        let i = self.ends.len();
        self.text.push_str(name);
        self.ends.push(self.text.len());
        if let Some(previous) = self.table.insert(hash, i) {
            self.same_hash.insert(i, previous);
        }
        // A cached index no longer describes the set.
        self.owner_index.take();
        (i, true)
    }

    /// Every name, in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        let mut start = 0;
        self.ends.iter().map(move |&end| {
            let name = self.text.get(start..end).unwrap_or_default();
            start = end;
            name
        })
    }

    /// The database-owner index of these names for first-N length `n`: built on first use and kept
    /// (for the first `n` asked; another `n` builds a fresh one that is not kept).
    pub(crate) fn owner_index(&self, n: usize) -> IndexRef<'_> {
        let cached = self.owner_index.get_or_init(|| Box::new(OwnerIndex::new(self, n)));
        if cached.n() == n {
            IndexRef::Cached(cached)
        } else {
            IndexRef::Fresh(Box::new(OwnerIndex::new(self, n)))
        }
    }
}

/// An owner index, kept by its [`NameSet`] or built for one use.
pub(crate) enum IndexRef<'a> {
    Cached(&'a OwnerIndex),
    Fresh(Box<OwnerIndex>),
}

impl std::ops::Deref for IndexRef<'_> {
    type Target = OwnerIndex;
    fn deref(&self) -> &OwnerIndex {
        match self {
            IndexRef::Cached(ix) => ix,
            IndexRef::Fresh(ix) => ix,
        }
    }
}

impl Clone for NameSet {
    /// The names; the cached index is rebuilt on demand.
    fn clone(&self) -> Self {
        NameSet {
            text: self.text.clone(),
            ends: self.ends.clone(),
            table: self.table.clone(),
            same_hash: self.same_hash.clone(),
            owner_index: OnceCell::new(),
        }
    }
}

impl fmt::Debug for NameSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl PartialEq for NameSet {
    fn eq(&self, other: &NameSet) -> bool {
        self.len() == other.len() && self.iter().all(|n| other.contains(n))
    }
}

impl Eq for NameSet {}

impl<S: BuildHasher> PartialEq<HashSet<String, S>> for NameSet {
    fn eq(&self, other: &HashSet<String, S>) -> bool {
        self.len() == other.len() && self.iter().all(|n| other.contains(n))
    }
}

impl<'s> FromIterator<&'s str> for NameSet {
    fn from_iter<I: IntoIterator<Item = &'s str>>(iter: I) -> Self {
        let mut set = NameSet::new();
        set.extend(iter);
        set
    }
}

impl FromIterator<String> for NameSet {
    fn from_iter<I: IntoIterator<Item = String>>(iter: I) -> Self {
        let mut set = NameSet::new();
        set.extend(iter);
        set
    }
}

impl<'s> Extend<&'s str> for NameSet {
    fn extend<I: IntoIterator<Item = &'s str>>(&mut self, iter: I) {
        let iter = iter.into_iter();
        let (low, _) = iter.size_hint();
        self.ends.reserve(low);
        self.table.reserve(low);
        for name in iter {
            self.insert_str(name);
        }
    }
}

impl Extend<String> for NameSet {
    fn extend<I: IntoIterator<Item = String>>(&mut self, iter: I) {
        for name in iter {
            self.insert_str(&name);
        }
    }
}

impl<const N: usize> From<[String; N]> for NameSet {
    fn from(names: [String; N]) -> Self {
        names.into_iter().collect()
    }
}

impl<const N: usize> From<[&str; N]> for NameSet {
    fn from(names: [&str; N]) -> Self {
        names.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_set_behaves_like_a_set() {
        let mut set = NameSet::new();
        assert!(set.is_empty() && !set.contains(""));
        assert!(set.insert_str("bob"));
        assert!(set.insert_str(""));
        assert!(!set.insert_str("bob"), "a second insert adds nothing");
        assert!(set.insert_str("bobby"));
        assert_eq!(set.len(), 3);
        assert!(set.contains("bob") && set.contains("") && set.contains("bobby"));
        assert!(!set.contains("bo") && !set.contains("Bob"));
        assert_eq!(set.iter().collect::<Vec<_>>(), ["bob", "", "bobby"]);
        let other: NameSet = ["bobby", "bob", ""].into();
        assert_eq!(set, other, "order does not matter");
        assert_eq!(
            set,
            HashSet::from(["bob".to_owned(), "bobby".to_owned(), String::new()])
        );
        assert_ne!(set, NameSet::from(["bob"]));
        assert_eq!(format!("{:?}", NameSet::from(["a", "b"])), r#"{"a", "b"}"#);
    }

    #[test]
    fn names_with_the_same_hash_are_told_apart() {
        // Force a collision of the 64-bit hash: both names under one table slot.
        let mut set = NameSet::from(["alice"]);
        let (i, _) = set.insert_index("carol");
        let alice = hash_name("alice");
        let carol_slot = set.table.remove(&hash_name("carol"));
        assert_eq!(carol_slot, Some(i));
        let previous = set.table.insert(alice, i);
        set.same_hash.insert(i, previous.unwrap_or_default());
        assert_eq!(set.find("alice", alice), Some(0));
        assert_eq!(set.find("carol", alice), Some(i));
        assert_eq!(set.find("dave", alice), None);
    }

    #[test]
    fn a_change_drops_the_cached_index() {
        let mut set = NameSet::from(["alice"]);
        assert!(set.owner_index(16).has_exact("alice"));
        set.insert_str("bob");
        assert!(set.owner_index(16).has_exact("bob"));
        assert!(matches!(set.owner_index(16), IndexRef::Cached(_)));
        assert!(
            matches!(set.owner_index(8), IndexRef::Fresh(_)),
            "another length is not kept"
        );
    }
}
