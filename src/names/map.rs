//! [`NameMap`]: name → name (domain → user, database → owner) for maps of 50,000 entries or more.
//!
//! The keys are a [`Names`] set (one text buffer, each key hashed once), the values one more text
//! buffer: building the map allocates no string per entry, looking a key up hashes it once, and
//! dropping it frees four buffers instead of two strings and a tree node per entry. Iteration is in
//! insertion order (the reply's order); the wire layer's [`BTreeMap`](std::collections::BTreeMap)s
//! are kept for the small maps, where order is shown.

use super::Names;
use std::fmt;

/// A map from name to name, in insertion order. A repeated key keeps its last value. Compares equal
/// to a map of the same entries, whatever the order.
#[derive(Default, Clone)]
pub struct NameMap {
    keys: Names,
    /// Every value, one after the other (a replaced value's text stays unused).
    values: String,
    /// Where the value of the `i`-th key starts and ends in `values`.
    spans: Vec<(usize, usize)>,
}

impl NameMap {
    pub fn new() -> Self {
        NameMap::default()
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.keys.position(key).and_then(|i| self.value(i))
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.keys.contains(key)
    }

    fn value(&self, i: usize) -> Option<&str> {
        let &(start, end) = self.spans.get(i)?;
        self.values.get(start..end)
    }

    /// Sets the value of `key`; `true` when the key is new.
    pub fn insert_str(&mut self, key: &str, value: &str) -> bool {
        let (i, new) = self.keys.insert_index(key);
        let start = self.values.len();
        self.values.push_str(value);
        let span = (start, self.values.len());
        match self.spans.get_mut(i) {
            Some(slot) => *slot = span,
            None => self.spans.push(span),
        }
        new
    }

    /// As [`NameMap::insert_str`].
    pub fn insert(&mut self, key: String, value: String) -> bool {
        self.insert_str(&key, &value)
    }

    /// Removes `key` (by rebuilding the map: meant for edits of small maps, e.g. in tests).
    pub fn remove(&mut self, key: &str) -> Option<String> {
        let old = self.get(key)?.to_owned();
        *self = self.iter().filter(|(k, _)| *k != key).collect();
        Some(old)
    }

    /// Every entry, in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.keys
            .iter()
            .enumerate()
            .map(|(i, k)| (k, self.value(i).unwrap_or_default()))
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> + '_ {
        self.keys.iter()
    }

    pub fn values(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.len()).map(|i| self.value(i).unwrap_or_default())
    }
}

impl fmt::Debug for NameMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl PartialEq for NameMap {
    fn eq(&self, other: &NameMap) -> bool {
        self.len() == other.len() && self.iter().all(|(k, v)| other.get(k) == Some(v))
    }
}

impl Eq for NameMap {}

impl<'s> FromIterator<(&'s str, &'s str)> for NameMap {
    fn from_iter<I: IntoIterator<Item = (&'s str, &'s str)>>(iter: I) -> Self {
        let mut map = NameMap::new();
        for (k, v) in iter {
            map.insert_str(k, v);
        }
        map
    }
}

impl FromIterator<(String, String)> for NameMap {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(iter: I) -> Self {
        let mut map = NameMap::new();
        for (k, v) in iter {
            map.insert_str(&k, &v);
        }
        map
    }
}

impl<const N: usize> From<[(&str, &str); N]> for NameMap {
    fn from(entries: [(&str, &str); N]) -> Self {
        entries.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_map_behaves_like_a_map() {
        let mut m = NameMap::new();
        assert!(m.is_empty() && m.get("").is_none());
        assert!(m.insert_str("bob.example", "bob"));
        assert!(m.insert("*".into(), "nobody".into()));
        assert!(
            !m.insert_str("bob.example", "alice"),
            "a repeated key keeps its last value"
        );
        assert_eq!(m.len(), 2);
        assert_eq!(m.get("bob.example"), Some("alice"));
        assert_eq!(m.get("*"), Some("nobody"));
        assert!(m.contains_key("*") && !m.contains_key("bob"));
        assert_eq!(
            m.iter().collect::<Vec<_>>(),
            [("bob.example", "alice"), ("*", "nobody")]
        );
        assert_eq!(m.keys().collect::<Vec<_>>(), ["bob.example", "*"]);
        assert_eq!(m.values().collect::<Vec<_>>(), ["alice", "nobody"]);
        assert_eq!(
            m,
            NameMap::from([("*", "nobody"), ("bob.example", "alice")]),
            "order does not matter"
        );
        assert_ne!(m, NameMap::from([("*", "nobody"), ("bob.example", "bob")]));
        assert_eq!(format!("{:?}", NameMap::from([("a", "b")])), r#"{"a": "b"}"#);
        assert_eq!(m.remove("*").as_deref(), Some("nobody"));
        assert_eq!(m.remove("*"), None);
        assert_eq!(m, NameMap::from([("bob.example", "alice")]));
        let empty_value = NameMap::from([("x", "")]);
        assert_eq!(empty_value.get("x"), Some(""));
    }
}
