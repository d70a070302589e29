//! Lenient decoding for WHM replies, straight from the reply text.
//!
//! WHM serialises Perl scalars as they were last used, so one field can arrive as `1`, `"1"`, `true` or
//! `null` depending on the server build and the code path (docs/whm-api.md §1.4). Maps can arrive as
//! `{}`, `[]` or `null`. Every helper here accepts all of those shapes and never fails on a scalar of an
//! unexpected type: it yields `None`/the empty value instead, so one odd field never hides a whole analysis.
//!
//! Nothing here builds a `serde_json::Value`: the response structs are declared with [`lenient_struct!`],
//! which writes a typed `Deserialize` that reads the object's keys one by one (borrowed from the text where
//! it has no escapes), hands each known key to its lenient decoder and skips the rest without building
//! anything. A value of the wrong shape inside a map or list decodes to "absent" ([`Lenient`]) instead of
//! an error, so it can be dropped without re-reading the text.

use crate::names::{NameMap, Names};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::marker::PhantomData;

/// What a scalar position held, borrowed from the text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scalar<'a> {
    Int(i128),
    Float(f64),
    Text(&'a str),
    Bool(bool),
    /// `null`, or a map or array where a scalar was expected.
    Null,
}

/// Parses an integer from WHM text: optional surrounding whitespace, optional sign, digits; a decimal
/// with only zeros after the point (`"12.0"`) is accepted too.
pub fn parse_int(text: &str) -> Option<i128> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    if let Ok(v) = t.parse::<i128>() {
        return Some(v);
    }
    let f = t.parse::<f64>().ok()?;
    (f.is_finite() && f.fract() == 0.0 && f.abs() < 1e30).then_some(f as i128)
}

impl Scalar<'_> {
    fn as_int(self) -> Option<i128> {
        match self {
            Scalar::Int(v) => Some(v),
            Scalar::Float(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e30 => Some(f as i128),
            Scalar::Text(t) => parse_int(t),
            Scalar::Bool(b) => Some(i128::from(b)),
            _ => None,
        }
    }
    fn as_f64(self) -> Option<f64> {
        match self {
            Scalar::Int(v) => Some(v as f64),
            Scalar::Float(f) if f.is_finite() => Some(f),
            Scalar::Text(t) => t.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
            Scalar::Bool(b) => Some(f64::from(u8::from(b))),
            _ => None,
        }
    }
    fn as_flag(self) -> Option<bool> {
        match self {
            Scalar::Bool(b) => Some(b),
            Scalar::Text(t) => {
                let t = t.trim();
                if t.is_empty() || t.eq_ignore_ascii_case("false") {
                    Some(false)
                } else if t.eq_ignore_ascii_case("true") {
                    Some(true)
                } else {
                    parse_int(t).map(|v| v != 0)
                }
            }
            Scalar::Null => None,
            other => other.as_int().map(|v| v != 0),
        }
    }
    fn to_text(self) -> Option<String> {
        match self {
            Scalar::Text(t) => Some(t.to_owned()),
            Scalar::Int(v) => Some(v.to_string()),
            Scalar::Float(f) => Some(f.to_string()),
            Scalar::Bool(b) => Some(if b { "1".into() } else { "0".into() }),
            Scalar::Null => None,
        }
    }
}

/// A type read from one scalar position (`None`: absent or unreadable).
pub trait FromScalar: Sized {
    fn from_scalar(s: Scalar<'_>) -> Option<Self>;
}

/// Flag semantics: `1`, `"1"`, `true`, `"true"` → true; `0`, `"0"`, `""`, `false` → false.
impl FromScalar for bool {
    fn from_scalar(s: Scalar<'_>) -> Option<Self> {
        s.as_flag()
    }
}
impl FromScalar for u64 {
    fn from_scalar(s: Scalar<'_>) -> Option<Self> {
        s.as_int().and_then(|v| u64::try_from(v).ok())
    }
}
impl FromScalar for u32 {
    fn from_scalar(s: Scalar<'_>) -> Option<Self> {
        s.as_int().and_then(|v| u32::try_from(v).ok())
    }
}
impl FromScalar for i64 {
    fn from_scalar(s: Scalar<'_>) -> Option<Self> {
        s.as_int().and_then(|v| i64::try_from(v).ok())
    }
}
impl FromScalar for f64 {
    fn from_scalar(s: Scalar<'_>) -> Option<Self> {
        s.as_f64()
    }
}
impl FromScalar for String {
    fn from_scalar(s: Scalar<'_>) -> Option<Self> {
        s.to_text()
    }
}

/// Reads one value as a scalar of any JSON type; maps and arrays are skipped and read as null.
struct ScalarVisitor<T>(PhantomData<T>);

impl<'de, T: FromScalar> Visitor<'de> for ScalarVisitor<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number, string, boolean or null")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(T::from_scalar(Scalar::Bool(v)))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(T::from_scalar(Scalar::Int(v.into())))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(T::from_scalar(Scalar::Int(v.into())))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Self::Value, E> {
        Ok(T::from_scalar(Scalar::Int(v)))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Self::Value, E> {
        Ok(i128::try_from(v).ok().and_then(|v| T::from_scalar(Scalar::Int(v))))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(T::from_scalar(Scalar::Float(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(T::from_scalar(Scalar::Text(v)))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(T::from_scalar(Scalar::Null))
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(T::from_scalar(Scalar::Null))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(T::from_scalar(Scalar::Null))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(T::from_scalar(Scalar::Null))
    }
}

/// One scalar position, converted to `T` (`None` when absent or unreadable).
pub fn scalar<'de, D: Deserializer<'de>, T: FromScalar>(d: D) -> Result<Option<T>, D::Error> {
    d.deserialize_any(ScalarVisitor(PhantomData))
}

/// `1`, `"1"`, `true`, `"true"` → true; `0`, `"0"`, `""`, `false` → false; null or anything else → false.
pub fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(scalar::<D, bool>(d)?.unwrap_or(false))
}

/// Like [`flag`], but keeps "absent/null/unreadable" apart from "false".
pub fn opt_flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    scalar(d)
}

/// A non-negative integer from an int, numeric string or bool; anything else (null, negative, text) → None.
pub fn opt_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    scalar(d)
}

/// [`opt_u64`] with 0 for anything unreadable.
pub fn u64_or_zero<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    Ok(opt_u64(d)?.unwrap_or(0))
}

/// A signed integer, leniently.
pub fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    scalar(d)
}

/// A float (percentages), leniently.
pub fn opt_f64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    scalar(d)
}

/// Text from a string, number or bool; null/map/array → None.
pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    scalar(d)
}

/// [`opt_string`] with "" for absent values.
pub fn string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(opt_string(d)?.unwrap_or_default())
}

/// Any JSON value, kept as it is (free-form fields such as a log line's `msg`).
pub fn opt_value<'de, D: Deserializer<'de>>(d: D) -> Result<Option<serde_json::Value>, D::Error> {
    serde::Deserialize::deserialize(d)
}

/// A type that decodes leniently from any JSON value: `Ok(None)` for a value of the wrong shape, never an
/// error for well-formed JSON. The elements of [`map`] and [`list`] and the targets of [`object`] are
/// `Lenient`, so an odd element is dropped without failing the reply.
pub trait Lenient: Sized {
    fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error>;
}

macro_rules! lenient_scalars {
    ($($t:ty),*) => {$(
        impl Lenient for $t {
            fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
                scalar(d)
            }
        }
    )*};
}
lenient_scalars!(String, u64, u32);

/// [`Lenient`] as a seed, for `next_value_seed` / `next_element_seed`.
struct LenientSeed<T>(PhantomData<T>);
impl<'de, T: Lenient> DeserializeSeed<'de> for LenientSeed<T> {
    type Value = Option<T>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<T>, D::Error> {
        T::lenient(d)
    }
}

/// A struct whose fields are read by key from a JSON object; written by [`lenient_struct!`].
pub trait Fields: Default {
    /// For error messages: what the top-level value should have been.
    const EXPECTING: &'static str;
    /// Reads the value of `key` into its field, or skips it when the key is unknown.
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error>;
}

/// An object key, borrowed from the text when it has no escapes.
struct KeyCow<'de>(Cow<'de, str>);
impl<'de> serde::Deserialize<'de> for KeyCow<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = KeyCow<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(KeyCow(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(KeyCow(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(KeyCow(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

fn fill<'de, T: Fields, A: MapAccess<'de>>(mut map: A) -> Result<T, A::Error> {
    let mut out = T::default();
    while let Some(KeyCow(key)) = map.next_key::<KeyCow<'de>>()? {
        out.field(&key, &mut map)?;
    }
    Ok(out)
}

/// The top-level decoding of a [`Fields`] struct: an object (or an empty array) is read, any other value
/// is an error (the caller reports "unexpected shape").
pub fn strict_object<'de, D: Deserializer<'de>, T: Fields>(d: D) -> Result<T, D::Error> {
    struct V<T>(PhantomData<T>);
    impl<'de, T: Fields> Visitor<'de> for V<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str(T::EXPECTING)
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            fill(map)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<T, A::Error> {
            match seq.next_element::<IgnoredAny>()? {
                None => Ok(T::default()),
                Some(_) => Err(de::Error::invalid_type(de::Unexpected::Seq, &self)),
            }
        }
    }
    d.deserialize_any(V(PhantomData))
}

/// The visitor methods for null and every scalar but a string, each giving `$empty`: what a lenient
/// visitor that wants a collection or an object does with anything else. A visitor that reads strings
/// itself (`whm::analysis`'s IP) takes this one; the others take [`empty_for_scalars`].
macro_rules! empty_for_non_text {
    ($empty:expr) => {
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok($empty)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok($empty)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok($empty)
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok($empty)
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok($empty)
        }
        fn visit_i128<E: de::Error>(self, _: i128) -> Result<Self::Value, E> {
            Ok($empty)
        }
        fn visit_u128<E: de::Error>(self, _: u128) -> Result<Self::Value, E> {
            Ok($empty)
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok($empty)
        }
    };
}
pub(crate) use empty_for_non_text;

/// Drains whatever collection or scalar a visitor did not want: [`empty_for_non_text`] and strings.
macro_rules! empty_for_scalars {
    ($empty:expr) => {
        empty_for_non_text!($empty);
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok($empty)
        }
    };
}

impl<T: Fields> Lenient for T {
    fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Fields> Visitor<'de> for V<T> {
            type Value = Option<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(T::EXPECTING)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                fill(map).map(Some)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(None)
            }
            empty_for_scalars!(None);
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// Declares a response struct with a lenient, typed `Deserialize` (see the module docs): every field
/// names its JSON key and its decoder (`fn(D) -> Result<T, D::Error>`, e.g. [`string`], [`map`]);
/// unknown keys are skipped, a repeated key keeps its last value, absent keys keep `Default`. The
/// struct must derive `Default`.
macro_rules! lenient_struct {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $(
                $(#[$fmeta:meta])*
                $fvis:vis $field:ident : $ty:ty = $key:literal => $de:path
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis struct $name {
            $( $(#[$fmeta])* $fvis $field: $ty, )*
        }

        impl $crate::whm::scalar::Fields for $name {
            const EXPECTING: &'static str = concat!("an object (", stringify!($name), ")");
            fn field<'de, A: ::serde::de::MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
                match key {
                    $( $key => {
                        struct Seed;
                        impl<'de> ::serde::de::DeserializeSeed<'de> for Seed {
                            type Value = $ty;
                            fn deserialize<D: ::serde::Deserializer<'de>>(self, d: D) -> Result<$ty, D::Error> {
                                $de(d)
                            }
                        }
                        self.$field = map.next_value_seed(Seed)?;
                    } )*
                    _ => {
                        map.next_value::<::serde::de::IgnoredAny>()?;
                    }
                }
                Ok(())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $crate::whm::scalar::strict_object(d)
            }
        }
    };
}
pub(crate) use lenient_struct;

/// A map that may arrive as `{}`, `[]` (PHP/Perl empty), `null`, or a real object. Entries whose
/// value does not decode are dropped rather than failing the whole reply.
pub fn map<'de, D, V>(d: D) -> Result<BTreeMap<String, V>, D::Error>
where
    D: Deserializer<'de>,
    V: Lenient,
{
    struct MapVisitor<V>(PhantomData<V>);
    impl<'de, V: Lenient> Visitor<'de> for MapVisitor<V> {
        type Value = BTreeMap<String, V>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an object, an empty array or null")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
            // Collected first, then built in bulk (a sort of already sorted keys, then a linear build):
            // far cheaper than one tree insert per key; a repeated key keeps its last value.
            let mut out = Vec::with_capacity(access.size_hint().unwrap_or(0).min(4096));
            while let Some(key) = access.next_key::<String>()? {
                if let Some(v) = access.next_value_seed(LenientSeed::<V>(PhantomData))? {
                    out.push((key, v));
                }
            }
            Ok(out.into_iter().collect())
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            // A non-empty array where a map is expected carries no keys we could trust.
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(BTreeMap::new())
        }
        empty_for_scalars!(BTreeMap::new());
    }
    d.deserialize_any(MapVisitor(PhantomData))
}

/// A map of name → name ([`NameMap`]) from an object, `[]` or `null`: the keys are read borrowed from
/// the text and each value is a lenient `V` that `text` gives the name of. An entry whose value does not
/// decode is dropped; a repeated key keeps its last value. For the analysis' large maps (domains,
/// database owners), where a `BTreeMap<String, String>` would hold two strings and a tree slot per entry.
pub fn name_map_of<'de, D, V, F>(d: D, text: F) -> Result<NameMap, D::Error>
where
    D: Deserializer<'de>,
    V: Lenient,
    F: Fn(&V) -> &str,
{
    struct MapVisitor<V, F>(F, PhantomData<V>);
    impl<'de, V: Lenient, F: Fn(&V) -> &str> Visitor<'de> for MapVisitor<V, F> {
        type Value = NameMap;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an object, an empty array or null")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
            let mut out = NameMap::new();
            while let Some(KeyCow(key)) = access.next_key::<KeyCow<'de>>()? {
                if let Some(v) = access.next_value_seed(LenientSeed::<V>(PhantomData))? {
                    out.insert_str(&key, (self.0)(&v));
                }
            }
            Ok(out)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            // A non-empty array where a map is expected carries no keys we could trust.
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(NameMap::new())
        }
        empty_for_scalars!(NameMap::new());
    }
    d.deserialize_any(MapVisitor(text, PhantomData))
}

/// [`name_map_of`] with text values (a number or bool is read as its text, as [`string`] does).
pub fn name_map<'de, D: Deserializer<'de>>(d: D) -> Result<NameMap, D::Error> {
    name_map_of(d, |v: &String| v.as_str())
}

/// An object decoded leniently: null, `[]` or a non-object gives the default instead of an error.
pub fn object<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Lenient + Default,
{
    Ok(T::lenient(d)?.unwrap_or_default())
}

/// An object, or `None` for null, `[]` and other non-objects (WHM's `dbs: null`).
pub fn opt_object<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Lenient,
{
    T::lenient(d)
}

/// A set of names: the keys of `{name: 1}`, or the strings of `[name, …]`, or empty for null.
pub fn name_set<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeSet<String>, D::Error> {
    // Collected first, then built in bulk (the keys usually arrive sorted).
    Ok(names_into::<D, Vec<String>>(d)?.into_iter().collect())
}

/// As [`name_set`], into a [`Names`] set: each name is copied once into the set's buffer (borrowed from
/// the text while it is read) and hashed once. For the analysis' user and group lists, 50,000 names
/// or more, which the rule context then takes over without reading them again.
pub fn names<'de, D: Deserializer<'de>>(d: D) -> Result<Names, D::Error> {
    names_into::<D, Names>(d)
}

/// Where [`names_into`] puts each name.
trait NameSink: Default {
    fn add(&mut self, name: &str);
    fn add_owned(&mut self, name: String);
}

impl NameSink for Vec<String> {
    fn add(&mut self, name: &str) {
        self.push(name.to_owned());
    }
    fn add_owned(&mut self, name: String) {
        self.push(name);
    }
}

impl NameSink for Names {
    fn add(&mut self, name: &str) {
        self.insert_str(name);
    }
    fn add_owned(&mut self, name: String) {
        self.insert_str(&name);
    }
}

fn names_into<'de, D: Deserializer<'de>, S: NameSink>(d: D) -> Result<S, D::Error> {
    struct SetVisitor<S>(PhantomData<S>);
    impl<'de, S: NameSink> Visitor<'de> for SetVisitor<S> {
        type Value = S;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an object of names, an array of names or null")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
            let mut out = S::default();
            while let Some(KeyCow(key)) = access.next_key::<KeyCow<'de>>()? {
                access.next_value::<IgnoredAny>()?;
                match key {
                    Cow::Borrowed(k) => out.add(k),
                    Cow::Owned(k) => out.add_owned(k),
                }
            }
            Ok(out)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = S::default();
            while let Some(item) = seq.next_element_seed(LenientSeed::<String>(PhantomData))? {
                if let Some(name) = item {
                    out.add_owned(name);
                }
            }
            Ok(out)
        }
        empty_for_scalars!(S::default());
    }
    d.deserialize_any(SetVisitor(PhantomData))
}

/// A list that may arrive as an array, `null`, `{}` or a non-empty object (its values are taken, in key
/// order). Elements that do not decode are dropped.
pub fn list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Lenient,
{
    struct ListVisitor<T>(PhantomData<T>);
    impl<'de, T: Lenient> Visitor<'de> for ListVisitor<T> {
        type Value = Vec<T>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an array, an object or null")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
            while let Some(item) = seq.next_element_seed(LenientSeed::<T>(PhantomData))? {
                out.extend(item);
            }
            Ok(out)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
            // Values in key order, as a JSON object's keys sort in a map.
            let mut keyed = BTreeMap::new();
            while let Some(key) = access.next_key::<String>()? {
                if let Some(v) = access.next_value_seed(LenientSeed::<T>(PhantomData))? {
                    keyed.insert(key, v);
                }
            }
            Ok(keyed.into_values().collect())
        }
        empty_for_scalars!(Vec::new());
    }
    d.deserialize_any(ListVisitor(PhantomData))
}

/// As [`list`], telling an absent key (`None`, the field's default) from an empty list.
pub fn opt_list<'de, D, T>(d: D) -> Result<Option<Vec<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Lenient,
{
    list(d).map(Some)
}

/// A list of strings from an array of scalars, a newline-joined string, or null (WHM's
/// `output.warnings`/`messages` take both shapes, §1.3).
pub fn text_lines<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    struct LinesVisitor;
    impl<'de> Visitor<'de> for LinesVisitor {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an array of strings, a string or null")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(v.lines()
                .map(str::trim_end)
                .filter(|l| !l.is_empty())
                .map(String::from)
                .collect())
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(item) = seq.next_element_seed(LenientSeed::<String>(PhantomData))? {
                out.extend(item);
            }
            Ok(out)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while access.next_key::<IgnoredAny>()?.is_some() {
                out.extend(access.next_value_seed(LenientSeed::<String>(PhantomData))?);
            }
            Ok(out)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(vec![v.to_string()])
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(vec![v.to_string()])
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            Ok(vec![v.to_string()])
        }
    }
    d.deserialize_any(LinesVisitor)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    struct Probe {
        #[serde(default, deserialize_with = "flag")]
        flag: bool,
        #[serde(default, deserialize_with = "opt_flag")]
        opt_flag: Option<bool>,
        #[serde(default, deserialize_with = "opt_u64")]
        num: Option<u64>,
        #[serde(default, deserialize_with = "opt_string")]
        text: Option<String>,
        #[serde(default, deserialize_with = "map")]
        map: BTreeMap<String, String>,
        #[serde(default, deserialize_with = "name_map")]
        name_map: NameMap,
        #[serde(default, deserialize_with = "name_set")]
        names: BTreeSet<String>,
        #[serde(default, deserialize_with = "names")]
        fast_names: Names,
        #[serde(default, deserialize_with = "text_lines")]
        lines: Vec<String>,
        #[serde(default, deserialize_with = "list")]
        list: Vec<u32>,
    }

    fn probe(json: &str) -> Probe {
        serde_json::from_str(json).unwrap_or_else(|e| panic!("{json}: {e}"))
    }

    #[test]
    fn flags_accept_every_wire_shape() {
        let cases = [
            ("1", Some(true)),
            ("\"1\"", Some(true)),
            ("true", Some(true)),
            ("\"true\"", Some(true)),
            ("2", Some(true)),
            ("0", Some(false)),
            ("\"0\"", Some(false)),
            ("\"\"", Some(false)),
            ("false", Some(false)),
            ("1.0", Some(true)),
            ("null", None),
            ("{}", None),
            ("[]", None),
            ("\"yes\"", None),
        ];
        for (raw, want) in cases {
            let p = probe(&format!(r#"{{"opt_flag":{raw},"flag":{raw}}}"#));
            assert_eq!(p.opt_flag, want, "opt_flag {raw}");
            assert_eq!(p.flag, want.unwrap_or(false), "flag {raw}");
        }
        assert_eq!(probe("{}").opt_flag, None, "missing");
    }

    #[test]
    fn integers_accept_numbers_and_numeric_strings() {
        let cases = [
            ("123456789", Some(123_456_789)),
            ("\"123456789\"", Some(123_456_789)),
            ("\" 42 \"", Some(42)),
            ("\"1843\"", Some(1843)),
            ("12.0", Some(12)),
            ("\"12.0\"", Some(12)),
            ("12.5", None),
            ("-1", None),
            ("\"-1\"", None),
            ("\"\"", None),
            ("\"abc\"", None),
            ("null", None),
            ("true", Some(1)),
            ("18446744073709551615", Some(u64::MAX)),
            ("18446744073709551616", None),
            ("[1]", None),
            ("{\"a\":1}", None),
        ];
        for (raw, want) in cases {
            assert_eq!(probe(&format!(r#"{{"num":{raw}}}"#)).num, want, "num {raw}");
        }
    }

    #[test]
    fn text_accepts_scalars_of_any_type() {
        let cases = [
            ("\"“quoted”\"", Some("“quoted”")),
            ("0", Some("0")),
            ("11.5", Some("11.5")),
            ("true", Some("1")),
            ("null", None),
            ("{}", None),
        ];
        for (raw, want) in cases {
            assert_eq!(
                probe(&format!(r#"{{"text":{raw}}}"#)).text.as_deref(),
                want,
                "text {raw}"
            );
        }
    }

    #[test]
    fn maps_accept_object_empty_array_and_null() {
        assert_eq!(
            probe(r#"{"map":{"a":"b"}}"#).map.get("a").map(String::as_str),
            Some("b")
        );
        for raw in ["{}", "[]", "null", "[1,2]", "0", "\"x\""] {
            assert!(probe(&format!(r#"{{"map":{raw}}}"#)).map.is_empty(), "map {raw}");
        }
        // an entry of the wrong type is dropped, the others kept
        let p = probe(r#"{"map":{"a":"b","c":{"x":1}}}"#);
        assert_eq!(p.map.len(), 1);
    }

    #[test]
    fn name_maps_read_like_maps() {
        let p = probe(r#"{"name_map":{"a":"b","c":{"x":1},"n":7,"t":true,"a\u0062":"escaped","a":"last"}}"#);
        assert_eq!(
            p.name_map,
            NameMap::from([("a", "last"), ("n", "7"), ("t", "1"), ("ab", "escaped")]),
            "an object value is dropped, scalars are text, a repeated key keeps its last value"
        );
        for raw in ["{}", "[]", "null", "[1,2]", "0", "\"x\""] {
            assert!(
                probe(&format!(r#"{{"name_map":{raw}}}"#)).name_map.is_empty(),
                "name_map {raw}"
            );
        }
    }

    #[test]
    fn name_sets_accept_objects_arrays_and_null() {
        // Both decoders, each sorted to compare: `names` keeps the reply's order, `name_set` sorts.
        let both = |json: &str| {
            let p = probe(&json.replace("NAMES", "names"));
            let q = probe(&json.replace("NAMES", "fast_names"));
            let mut fast: Vec<String> = q.fast_names.iter().map(str::to_owned).collect();
            fast.sort();
            let sorted: Vec<String> = p.names.into_iter().collect();
            assert_eq!(fast, sorted, "{json}");
            sorted
        };
        assert_eq!(both(r#"{"NAMES":{"never":1,"gonna":"1"}}"#), ["gonna", "never"]);
        assert_eq!(both(r#"{"NAMES":["a","b",3,null,"a"]}"#), ["3", "a", "b"]);
        assert_eq!(
            both(r#"{"NAMES":{"a\u0062":1,"ab":2,"c":3}}"#),
            ["ab", "c"],
            "escaped keys; a repeat once"
        );
        for raw in ["{}", "[]", "null", "1"] {
            assert!(both(&format!(r#"{{"NAMES":{raw}}}"#)).is_empty(), "{raw}");
        }
        let p = probe(r#"{"fast_names":{"b":1,"a":1}}"#);
        assert_eq!(
            p.fast_names.iter().collect::<Vec<_>>(),
            ["b", "a"],
            "in the reply's order"
        );
    }

    #[test]
    fn message_lists_accept_arrays_and_newline_joined_strings() {
        assert_eq!(probe(r#"{"lines":["a","b"]}"#).lines, ["a", "b"]);
        assert_eq!(probe(r#"{"lines":"a\nb\n"}"#).lines, ["a", "b"]);
        assert!(probe(r#"{"lines":null}"#).lines.is_empty());
        assert!(probe(r#"{"lines":""}"#).lines.is_empty());
    }

    #[test]
    fn lists_accept_arrays_objects_and_null() {
        assert_eq!(probe(r#"{"list":[1,2,"x"]}"#).list, [1, 2]);
        assert_eq!(probe(r#"{"list":{"a":1,"b":2}}"#).list, [1, 2]);
        assert!(probe(r#"{"list":null}"#).list.is_empty());
        assert!(probe(r#"{"list":{}}"#).list.is_empty());
    }
}
