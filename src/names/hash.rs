//! The hashing of names: a fast, unkeyed hasher for the checks engine's internal maps, and [`hash_name`]
//! for [`Names`](super::Names), which hashes each name once and keys its table by that hash.
//!
//! The inputs are usernames, domains and database names of the admin's own servers; the sets are
//! not meant to resist inputs crafted to collide.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hash, Hasher};

/// Multiply–rotate, as in rustc's FxHash.
#[derive(Default, Clone, Copy)]
pub struct FastHasher(u64);

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        for &b in chunks.remainder() {
            self.add(u64::from(b));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    /// The state, finalised (MurmurHash3's `fmix64`): the multiply leaves the low bits depending only on
    /// the low bits of the last words, and the maps pick buckets by the low bits — names that share an
    /// ending (`….example`, `…123`) would crowd into few buckets without it.
    fn finish(&self) -> u64 {
        fmix64(self.0)
    }
}

fn fmix64(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^ (x >> 33)
}

impl FastHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;
pub type FastSet<K> = HashSet<K, BuildHasherDefault<FastHasher>>;

/// A name's 64-bit hash, well mixed in every bit.
pub(crate) fn hash_name(name: &str) -> u64 {
    let mut h = FastHasher::default();
    name.hash(&mut h);
    h.finish()
}

/// For maps keyed by a [`hash_name`] value: the key already is the hash.
#[derive(Default, Clone, Copy)]
pub(crate) struct PreHashed(u64);

impl Hasher for PreHashed {
    fn write(&mut self, bytes: &[u8]) {
        // Only u64 keys are hashed with it; anything else still gets a usable hash.
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }
    fn write_u64(&mut self, i: u64) {
        self.0 = i;
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

pub(crate) type PreHashedMap<V> = HashMap<u64, V, BuildHasherDefault<PreHashed>>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    /// Eight-character names that differ in their last characters (`user0000` … `user4095`) spread over
    /// the low bits the maps pick buckets by. Without the finaliser they land in 32 of 4,096 buckets,
    /// and every lookup walks a long probe sequence.
    #[test]
    fn similar_names_spread_over_the_buckets() {
        for hash in [hash_name, |s: &str| FastMap::<&str, ()>::default().hasher().hash_one(s)] {
            let buckets: std::collections::HashSet<u64> =
                (0..4096).map(|i| hash(&format!("user{i:04}")) & 0xfff).collect();
            assert!(buckets.len() > 2400, "{} of 4096 buckets", buckets.len());
        }
    }
}
