//! [`Names`]: a set of names (users, groups, database owners) that holds 50,000 names or more cheaply,
//! and [`NameMap`], name → name on the same buffers (domain → user, database → owner).
//!
//! A server has 50,000 users or more. A `BTreeSet<String>` or `HashSet<String>` of them costs one heap
//! allocation per name (and a keyed SipHash per name for the hash set), on every analysis load. `Names`
//! keeps every name in one text buffer, hashes each name once with [`hash_name`] and keys its table by
//! that hash; looking a name up hashes the probe once and compares bytes.
//!
//! It is shared by the wire layer, which decodes the analysis' user and group lists straight into it
//! (`whm::scalar::names`), and the checks engine, whose rule context wraps it (`checks::NameSet`), so a
//! name read from the reply is copied and hashed once. Pure: no browser APIs.

pub mod hash;
mod map;

pub use hash::{FastHasher, FastMap, FastSet};
use hash::{PreHashedMap, hash_name};
pub use map::NameMap;
use std::collections::HashSet;
use std::fmt;
use std::hash::BuildHasher;

/// A set of names, in insertion order. Compares equal to a set of the same names (also to a
/// `HashSet<String>`), whatever the order.
#[derive(Default, Clone)]
pub struct Names {
    /// Every name, one after the other.
    text: String,
    /// Where each name ends in `text` (it starts where the previous one ends).
    ends: Vec<usize>,
    /// [`hash_name`] → the last name inserted with that hash.
    table: PreHashedMap<usize>,
    /// A name → the previous name with the same 64-bit hash (almost always empty).
    same_hash: FastMap<usize, usize>,
}

impl Names {
    pub fn new() -> Self {
        Names::default()
    }

    /// Room for `names` names of `bytes` bytes in all.
    pub fn with_capacity(names: usize, bytes: usize) -> Self {
        Names {
            text: String::with_capacity(bytes),
            ends: Vec::with_capacity(names),
            table: PreHashedMap::with_capacity_and_hasher(names, Default::default()),
            ..Names::default()
        }
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The `i`-th name inserted.
    pub fn get(&self, i: usize) -> Option<&str> {
        self.text.get(span(&self.ends, i))
    }

    pub fn contains(&self, name: &str) -> bool {
        self.position(name).is_some()
    }

    /// The index of `name`, if it is in the set.
    pub fn position(&self, name: &str) -> Option<usize> {
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
    /// copied into the set's buffer, see [`Names::insert_str`].)
    pub fn insert(&mut self, name: String) -> bool {
        self.insert_str(&name)
    }

    /// Adds `name`; `false` when it was there already.
    pub fn insert_str(&mut self, name: &str) -> bool {
        self.insert_index(name).1
    }

    /// The index of `name` and whether it was added now.
    pub fn insert_index(&mut self, name: &str) -> (usize, bool) {
        use std::collections::hash_map::Entry;
        let hash = hash_name(name);
        let i = self.ends.len();
        // One probe of the table: a new hash (nearly every insert) is added where the probe ended.
        match self.table.entry(hash) {
            Entry::Vacant(slot) => {
                slot.insert(i);
            }
            Entry::Occupied(mut slot) => {
                let mut at = *slot.get();
                loop {
                    if self.text.get(span(&self.ends, at)) == Some(name) {
                        return (at, false);
                    }
                    match self.same_hash.get(&at) {
                        Some(&previous) => at = previous,
                        None => break,
                    }
                }
                let previous = slot.insert(i);
                self.same_hash.insert(i, previous);
            }
        }
        self.text.push_str(name);
        self.ends.push(self.text.len());
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

    /// Room for `names` more names.
    pub fn reserve(&mut self, names: usize) {
        self.ends.reserve(names);
        self.table.reserve(names);
    }
}

/// Where the `i`-th name lies in the text, from the names' ends (an empty range past the last).
fn span(ends: &[usize], i: usize) -> std::ops::Range<usize> {
    let end = ends.get(i).copied().unwrap_or(usize::MAX);
    let start = match i.checked_sub(1) {
        Some(p) => ends.get(p).copied().unwrap_or(usize::MAX),
        None => 0,
    };
    start..end
}

impl fmt::Debug for Names {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl PartialEq for Names {
    fn eq(&self, other: &Names) -> bool {
        self.len() == other.len() && self.iter().all(|n| other.contains(n))
    }
}

impl Eq for Names {}

impl<S: BuildHasher> PartialEq<HashSet<String, S>> for Names {
    fn eq(&self, other: &HashSet<String, S>) -> bool {
        self.len() == other.len() && self.iter().all(|n| other.contains(n))
    }
}

impl<'s> FromIterator<&'s str> for Names {
    fn from_iter<I: IntoIterator<Item = &'s str>>(iter: I) -> Self {
        let mut set = Names::new();
        set.extend(iter);
        set
    }
}

impl FromIterator<String> for Names {
    fn from_iter<I: IntoIterator<Item = String>>(iter: I) -> Self {
        let mut set = Names::new();
        set.extend(iter);
        set
    }
}

impl<'s> Extend<&'s str> for Names {
    fn extend<I: IntoIterator<Item = &'s str>>(&mut self, iter: I) {
        let iter = iter.into_iter();
        self.reserve(iter.size_hint().0);
        for name in iter {
            self.insert_str(name);
        }
    }
}

impl Extend<String> for Names {
    fn extend<I: IntoIterator<Item = String>>(&mut self, iter: I) {
        for name in iter {
            self.insert_str(&name);
        }
    }
}

impl<const N: usize> From<[String; N]> for Names {
    fn from(names: [String; N]) -> Self {
        names.into_iter().collect()
    }
}

impl<const N: usize> From<[&str; N]> for Names {
    fn from(names: [&str; N]) -> Self {
        names.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_behave_like_a_set() {
        let mut set = Names::new();
        assert!(set.is_empty() && !set.contains(""));
        assert!(set.insert_str("bob"));
        assert!(set.insert_str(""));
        assert!(!set.insert_str("bob"), "a second insert adds nothing");
        assert!(set.insert_str("bobby"));
        assert_eq!(set.len(), 3);
        assert!(set.contains("bob") && set.contains("") && set.contains("bobby"));
        assert!(!set.contains("bo") && !set.contains("Bob"));
        assert_eq!(set.iter().collect::<Vec<_>>(), ["bob", "", "bobby"]);
        assert_eq!((set.position("bobby"), set.get(2)), (Some(2), Some("bobby")));
        let other: Names = ["bobby", "bob", ""].into();
        assert_eq!(set, other, "order does not matter");
        assert_eq!(
            set,
            HashSet::from(["bob".to_owned(), "bobby".to_owned(), String::new()])
        );
        assert_ne!(set, Names::from(["bob"]));
        assert_eq!(format!("{:?}", Names::from(["a", "b"])), r#"{"a", "b"}"#);
        let copy = set.clone();
        set.insert_str("carol");
        assert!(
            !copy.contains("carol") && copy.contains("bobby"),
            "a copy is independent"
        );
    }

    #[test]
    fn names_with_the_same_hash_are_told_apart() {
        // Force a collision of the 64-bit hash: both names under one table slot.
        let mut set = Names::from(["alice"]);
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
}
