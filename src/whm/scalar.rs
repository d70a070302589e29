//! Lenient scalar decoding for WHM replies.
//!
//! WHM serialises Perl scalars as they were last used, so one field can arrive as `1`, `"1"`, `true` or
//! `null` depending on the server build and the code path (docs/whm-api.md §1.4). Maps can arrive as
//! `{}`, `[]` or `null`. Every helper here accepts all of those shapes and never fails on a scalar of an
//! unexpected type: it yields `None`/the empty value instead, so one odd field never hides a whole analysis.

use serde::Deserialize;
use serde::de::{self, DeserializeOwned, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// What a scalar position held, after normalisation.
#[derive(Debug, Clone, PartialEq)]
enum Scalar {
    Int(i128),
    Float(f64),
    Text(String),
    Bool(bool),
    Null,
    /// A map or array where a scalar was expected.
    Composite,
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number, string, boolean or null")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
        Ok(Scalar::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
        Ok(Scalar::Int(v.into()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
        Ok(Scalar::Int(v.into()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
        Ok(Scalar::Float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
        Ok(Scalar::Text(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Scalar, E> {
        Ok(Scalar::Text(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Scalar, E> {
        Ok(Scalar::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Scalar, E> {
        Ok(Scalar::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Scalar, D::Error> {
        d.deserialize_any(ScalarVisitor)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Scalar, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Scalar::Composite)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scalar, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Scalar::Composite)
    }
}

fn scalar<'de, D: Deserializer<'de>>(d: D) -> Result<Scalar, D::Error> {
    d.deserialize_any(ScalarVisitor)
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

impl Scalar {
    fn as_int(&self) -> Option<i128> {
        match self {
            Scalar::Int(v) => Some(*v),
            Scalar::Float(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e30 => Some(*f as i128),
            Scalar::Text(t) => parse_int(t),
            Scalar::Bool(b) => Some(i128::from(*b)),
            _ => None,
        }
    }
    fn as_f64(&self) -> Option<f64> {
        match self {
            Scalar::Int(v) => Some(*v as f64),
            Scalar::Float(f) if f.is_finite() => Some(*f),
            Scalar::Text(t) => t.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
            Scalar::Bool(b) => Some(f64::from(u8::from(*b))),
            _ => None,
        }
    }
    fn as_flag(&self) -> Option<bool> {
        match self {
            Scalar::Bool(b) => Some(*b),
            Scalar::Text(t) if t.trim().is_empty() => Some(false),
            Scalar::Text(t) if t.trim().eq_ignore_ascii_case("true") => Some(true),
            Scalar::Text(t) if t.trim().eq_ignore_ascii_case("false") => Some(false),
            Scalar::Null | Scalar::Composite => None,
            other => other.as_int().map(|v| v != 0),
        }
    }
    fn into_text(self) -> Option<String> {
        match self {
            Scalar::Text(t) => Some(t),
            Scalar::Int(v) => Some(v.to_string()),
            Scalar::Float(f) => Some(f.to_string()),
            Scalar::Bool(b) => Some(if b { "1".into() } else { "0".into() }),
            Scalar::Null | Scalar::Composite => None,
        }
    }
}

/// `1`, `"1"`, `true`, `"true"` → true; `0`, `"0"`, `""`, `false` → false; null or anything else → false.
pub fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(scalar(d)?.as_flag().unwrap_or(false))
}

/// Like [`flag`], but keeps "absent/null/unreadable" apart from "false".
pub fn opt_flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(scalar(d)?.as_flag())
}

/// A non-negative integer from an int, numeric string or bool; anything else (null, negative, text) → None.
pub fn opt_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Ok(scalar(d)?.as_int().and_then(|v| u64::try_from(v).ok()))
}

/// [`opt_u64`] with 0 for anything unreadable.
pub fn u64_or_zero<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    Ok(opt_u64(d)?.unwrap_or(0))
}

/// A signed integer, leniently.
pub fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(scalar(d)?.as_int().and_then(|v| i64::try_from(v).ok()))
}

/// A float (percentages), leniently.
pub fn opt_f64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Ok(scalar(d)?.as_f64())
}

/// Text from a string, number or bool; null/map/array → None.
pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(scalar(d)?.into_text())
}

/// [`opt_string`] with "" for absent values.
pub fn string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(opt_string(d)?.unwrap_or_default())
}

/// A map that may arrive as `{}`, `[]` (PHP/Perl empty), `null`, or a real object. Entries whose
/// value does not decode are dropped rather than failing the whole reply.
pub fn map<'de, D, V>(d: D) -> Result<BTreeMap<String, V>, D::Error>
where
    D: Deserializer<'de>,
    V: DeserializeOwned,
{
    struct MapVisitor<V>(std::marker::PhantomData<V>);
    impl<'de, V: DeserializeOwned> Visitor<'de> for MapVisitor<V> {
        type Value = BTreeMap<String, V>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an object, an empty array or null")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some(key) = access.next_key::<KeyText>()? {
                let value: serde_json::Value = access.next_value()?;
                if let Ok(v) = serde_json::from_value::<V>(value) {
                    out.insert(key.0, v);
                }
            }
            Ok(out)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            // A non-empty array where a map is expected carries no keys we could trust.
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(BTreeMap::new())
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(BTreeMap::new())
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(BTreeMap::new())
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok(BTreeMap::new())
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok(BTreeMap::new())
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok(BTreeMap::new())
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok(BTreeMap::new())
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok(BTreeMap::new())
        }
    }
    d.deserialize_any(MapVisitor(std::marker::PhantomData))
}

/// An object decoded leniently: null, `[]` or a non-object gives the default instead of an error.
pub fn object<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned + Default,
{
    Ok(opt_object(d)?.unwrap_or_default())
}

/// An object, or `None` for null, `[]` and other non-objects (WHM's `dbs: null`).
pub fn opt_object<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let v = Option::<serde_json::Value>::deserialize(d)?;
    match v {
        Some(v @ serde_json::Value::Object(_)) => serde_json::from_value(v).map(Some).map_err(de::Error::custom),
        _ => Ok(None),
    }
}

/// A set of names: the keys of `{name: 1}`, or the strings of `[name, …]`, or empty for null.
pub fn name_set<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeSet<String>, D::Error> {
    struct SetVisitor;
    impl<'de> Visitor<'de> for SetVisitor {
        type Value = BTreeSet<String>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an object of names, an array of names or null")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
            let mut out = BTreeSet::new();
            while let Some(key) = access.next_key::<KeyText>()? {
                access.next_value::<IgnoredAny>()?;
                out.insert(key.0);
            }
            Ok(out)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = BTreeSet::new();
            while let Some(item) = seq.next_element_seed(ScalarSeed)? {
                if let Some(text) = item.into_text() {
                    out.insert(text);
                }
            }
            Ok(out)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(BTreeSet::new())
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(BTreeSet::new())
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok(BTreeSet::new())
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok(BTreeSet::new())
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok(BTreeSet::new())
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok(BTreeSet::new())
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok(BTreeSet::new())
        }
    }
    d.deserialize_any(SetVisitor)
}

/// A list that may arrive as an array, `null`, `{}` or a non-empty object (its values are taken, in key
/// order). Elements that do not decode are dropped.
pub fn list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let value: serde_json::Value = serde::Deserialize::deserialize(d)?;
    let items = match value {
        serde_json::Value::Array(items) => items,
        serde_json::Value::Object(map) => map.into_iter().map(|(_, v)| v).collect(),
        _ => Vec::new(),
    };
    Ok(items
        .into_iter()
        .filter_map(|v| serde_json::from_value(v).ok())
        .collect())
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
            while let Some(item) = seq.next_element_seed(ScalarSeed)? {
                if let Some(text) = item.into_text() {
                    out.push(text);
                }
            }
            Ok(out)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some((_, v)) = access.next_entry_seed(KeySeed, ScalarSeed)? {
                if let Some(text) = v.into_text() {
                    out.push(text);
                }
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

struct ScalarSeed;
impl<'de> de::DeserializeSeed<'de> for ScalarSeed {
    type Value = Scalar;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Scalar, D::Error> {
        scalar(d)
    }
}

struct KeySeed;
impl<'de> de::DeserializeSeed<'de> for KeySeed {
    type Value = KeyText;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<KeyText, D::Error> {
        serde::Deserialize::deserialize(d)
    }
}

/// An object key as owned text.
struct KeyText(String);
impl<'de> serde::Deserialize<'de> for KeyText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = KeyText;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<KeyText, E> {
                Ok(KeyText(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<KeyText, E> {
                Ok(KeyText(v))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
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
        #[serde(default, deserialize_with = "name_set")]
        names: BTreeSet<String>,
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
    fn name_sets_accept_objects_arrays_and_null() {
        assert_eq!(probe(r#"{"names":{"never":1,"gonna":"1"}}"#).names.len(), 2);
        assert_eq!(probe(r#"{"names":["a","b",3,null]}"#).names.len(), 3);
        for raw in ["{}", "[]", "null", "1"] {
            assert!(probe(&format!(r#"{{"names":{raw}}}"#)).names.is_empty(), "names {raw}");
        }
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
