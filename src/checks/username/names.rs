//! [`NameSet`]: the rule context's sets of local users, groups and database owners.
//!
//! A [`Names`] set (one text buffer, each name hashed once; see `crate::names`) that also caches the
//! database-owner index of the bulk checks ([`OwnerIndex`]), so a context built once per analysis
//! indexes its owners once. The analysis' user and group lists are decoded into [`Names`] already,
//! so the context takes them over with a copy of three buffers, without hashing a name again.

use super::owners::OwnerIndex;
use crate::names::Names;
use std::cell::OnceCell;
use std::collections::HashSet;
use std::fmt;
use std::hash::BuildHasher;
use std::ops::Deref;

/// A set of names, in insertion order. Compares equal to a set of the same names (also to a
/// `HashSet<String>`), whatever the order. Reads go to its [`Names`]; every change drops the
/// cached owner index.
#[derive(Default)]
pub struct NameSet {
    names: Names,
    /// The owner index of the first prefix length asked for (see [`NameSet::owner_index`]).
    owner_index: OnceCell<Box<OwnerIndex>>,
}

impl NameSet {
    pub fn new() -> Self {
        NameSet::default()
    }

    /// Room for `names` names of `bytes` bytes in all.
    pub fn with_capacity(names: usize, bytes: usize) -> Self {
        Names::with_capacity(names, bytes).into()
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
        let (i, added) = self.names.insert_index(name);
        if added {
            // A cached index no longer describes the set.
            self.owner_index.take();
        }
        (i, added)
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

impl Deref for NameSet {
    type Target = Names;
    fn deref(&self) -> &Names {
        &self.names
    }
}

impl From<Names> for NameSet {
    fn from(names: Names) -> Self {
        NameSet {
            names,
            owner_index: OnceCell::new(),
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
        self.names.clone().into()
    }
}

impl fmt::Debug for NameSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.names.fmt(f)
    }
}

impl PartialEq for NameSet {
    fn eq(&self, other: &NameSet) -> bool {
        self.names == other.names
    }
}

impl Eq for NameSet {}

impl<S: BuildHasher> PartialEq<HashSet<String, S>> for NameSet {
    fn eq(&self, other: &HashSet<String, S>) -> bool {
        self.names == *other
    }
}

impl<'s> FromIterator<&'s str> for NameSet {
    fn from_iter<I: IntoIterator<Item = &'s str>>(iter: I) -> Self {
        Names::from_iter(iter).into()
    }
}

impl FromIterator<String> for NameSet {
    fn from_iter<I: IntoIterator<Item = String>>(iter: I) -> Self {
        Names::from_iter(iter).into()
    }
}

impl<'s> Extend<&'s str> for NameSet {
    fn extend<I: IntoIterator<Item = &'s str>>(&mut self, iter: I) {
        self.owner_index.take();
        self.names.extend(iter);
    }
}

impl Extend<String> for NameSet {
    fn extend<I: IntoIterator<Item = String>>(&mut self, iter: I) {
        self.owner_index.take();
        self.names.extend(iter);
    }
}

impl<const N: usize> From<[String; N]> for NameSet {
    fn from(names: [String; N]) -> Self {
        Names::from(names).into()
    }
}

impl<const N: usize> From<[&str; N]> for NameSet {
    fn from(names: [&str; N]) -> Self {
        Names::from(names).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_set_is_its_names() {
        let mut set = NameSet::from(["bob", ""]);
        assert!(set.insert_str("bobby") && !set.insert("bob".into()));
        assert_eq!(set.iter().collect::<Vec<_>>(), ["bob", "", "bobby"]);
        assert_eq!(set, NameSet::from(["bobby", "bob", ""]), "order does not matter");
        assert_eq!(
            set,
            HashSet::from(["bob".to_owned(), "bobby".to_owned(), String::new()])
        );
        assert_eq!(format!("{set:?}"), r#"{"bob", "", "bobby"}"#);
        let names: Names = ["x", "y"].into();
        assert_eq!(NameSet::from(names.clone()).len(), 2);
        assert!(NameSet::from(names).contains("y"));
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
        set.extend(["carol"]);
        assert!(set.owner_index(16).has_exact("carol"), "extend drops it too");
        let copy = set.clone();
        assert!(copy.owner_index(16).has_exact("carol"));
    }
}
