//! Small helpers: time, HTML escaping, request parameters, lenient JSON readers.

use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use rand::Rng;
use serde_json::{Map, Value};

/// Seconds since the Unix epoch.
pub fn now_epoch() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// `YYYYMMDDhhmmss` (UTC) for an epoch time.
pub fn compact_timestamp(epoch: i64) -> String {
    let days = epoch.div_euclid(86_400);
    let secs = epoch.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}{m:02}{d:02}{:02}{:02}{:02}",
        secs / 3600,
        (secs % 3600) / 60,
        secs % 60
    )
}

/// Howard Hinnant's days → civil date algorithm.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let m = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Escape text for HTML element content and attribute values.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Random `[0-9A-Za-z]` string.
pub fn random_alnum<R: Rng + ?Sized>(rng: &mut R, len: usize) -> String {
    const CHARS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    (0..len)
        .map(|_| char::from(CHARS[rng.random_range(0..CHARS.len())]))
        .collect()
}

/// Request parameters (query string merged with a form body; the body wins).
#[derive(Debug, Clone, Default)]
pub struct Params {
    order: Vec<String>,
    map: HashMap<String, String>,
}

impl Params {
    /// Parse a URL-encoded string (`a=1&b=2`).
    pub fn parse(s: &str) -> Self {
        let mut p = Self::default();
        p.merge_str(s);
        p
    }

    /// Merge a URL-encoded string; later values replace earlier ones.
    pub fn merge_str(&mut self, s: &str) {
        for (k, v) in form_urlencoded::parse(s.as_bytes()) {
            self.insert(k.into_owned(), v.into_owned());
        }
    }

    pub fn insert(&mut self, k: String, v: String) {
        if !self.map.contains_key(&k) {
            self.order.push(k.clone());
        }
        self.map.insert(k, v);
    }

    pub fn get(&self, k: &str) -> Option<&str> {
        self.map.get(k).map(String::as_str)
    }

    /// The value if present and not empty.
    pub fn non_empty(&self, k: &str) -> Option<&str> {
        self.get(k).filter(|v| !v.is_empty())
    }

    /// Keys in first-seen order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.order.iter().map(String::as_str)
    }

    /// A 0/1 flag: anything that parses as a non-zero integer is true.
    pub fn flag(&self, k: &str) -> bool {
        self.get(k).is_some_and(truthy)
    }

    pub fn contains(&self, k: &str) -> bool {
        self.map.contains_key(k)
    }
}

/// Perl-ish truthiness of a parameter value used as a 0/1 flag.
pub fn truthy(v: &str) -> bool {
    let t = v.trim();
    match t.parse::<i64>() {
        Ok(n) => n != 0,
        Err(_) => !t.is_empty() && t != "0",
    }
}

/// Render a JSON scalar as the string a form parameter would carry.
pub fn value_as_param(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(true) => "1".to_string(),
        Value::Bool(false) => "0".to_string(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Names from a JSON value that may be an array of strings, an object (keys), or null.
pub fn names_of(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|x| match x {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .collect(),
        Some(Value::Object(m)) => m.keys().cloned().collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

/// A string from a JSON value (strings as-is, numbers rendered), if any.
pub fn str_of(v: Option<&Value>) -> Option<String> {
    match v {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    }
}

/// Integer from a number or a numeric string (WHM mixes both).
pub fn u64_of(v: Option<&Value>) -> Option<u64> {
    match v {
        Some(Value::Number(n)) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64)),
        Some(Value::String(s)) => s.trim().parse::<u64>().ok(),
        _ => None,
    }
}

/// Lenient 0/1 flag from JSON (1, "1", true).
pub fn flag_of(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
        Some(Value::String(s)) => truthy(s),
        _ => false,
    }
}

/// An object view of a value (empty for anything else).
pub fn obj_of(v: Option<&Value>) -> Map<String, Value> {
    match v {
        Some(Value::Object(m)) => m.clone(),
        _ => Map::new(),
    }
}

/// `{name: 1, …}` for a list of names.
pub fn name_map<'a, I: IntoIterator<Item = &'a String>>(names: I) -> Value {
    let mut m = Map::new();
    for n in names {
        m.insert(n.clone(), Value::from(1));
    }
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamp_format() {
        assert_eq!(compact_timestamp(0), "19700101000000");
        assert_eq!(compact_timestamp(1_391_714_668), "20140206192428");
        assert_eq!(compact_timestamp(951_782_400), "20000229000000");
    }

    #[test]
    fn params_merge_body_wins() {
        let mut p = Params::parse("a=1&b=2&user=x%20y");
        p.merge_str("b=3");
        assert_eq!(p.get("a"), Some("1"));
        assert_eq!(p.get("b"), Some("3"));
        assert_eq!(p.get("user"), Some("x y"));
        assert_eq!(p.keys().collect::<Vec<_>>(), vec!["a", "b", "user"]);
    }

    #[test]
    fn escape() {
        assert_eq!(
            html_escape("<a href=\"x\">'&"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;"
        );
    }
}
