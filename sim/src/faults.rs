//! Injected faults for tests (`POST /__sim/faults`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use std::convert::Infallible;

use axum::body::{Body, Bytes};

use crate::util::{Params, value_as_param};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FaultKind {
    /// Delay the otherwise normal answer by `delay_ms` (the call still runs).
    Delay,
    /// HTTP 500 with a short HTML body.
    Http500,
    /// HTTP 502 (a proxy in front of WHM lost it), short HTML body.
    Http502,
    /// HTTP 504 (a proxy timed out), short HTML body.
    Http504,
    /// HTTP 200 with a `text/html` login page.
    Html,
    /// HTTP 403 with cpsrvd's `cpanelresult` "Access denied" body (the login itself is kept).
    Denied,
    /// HTTP 200, the envelope with `result` 0 and `reason`.
    Result0,
    /// HTTP 200, a valid envelope of `size_bytes` (default 100 MiB), streamed.
    Huge,
    /// HTTP 200, valid JSON nested `depth` (default 10,000) arrays deep.
    Deep,
    /// Live tail: headers, then bytes without a newline (never a complete line).
    Nonewline,
    /// Headers, then nothing (the body never ends and never sends a byte).
    Stall,
    /// HTTP 200 `application/json` with invalid JSON.
    Malformed,
    /// HTTP 200 with the real JSON cut in half.
    Truncated,
    /// Close the connection without a response.
    Drop,
    /// End the login session after `after_calls` more calls (then the normal auth failure).
    Expire,
    /// HTTP 307 to another origin (a proxy that moved WHM); the call does not run.
    Redirect,
}

/// The JSON body of `POST /__sim/faults`.
#[derive(Debug, Clone, Deserialize)]
pub struct FaultSpec {
    pub function: String,
    pub kind: FaultKind,
    #[serde(default)]
    pub delay_ms: Option<u64>,
    #[serde(default, rename = "match")]
    pub match_params: Option<BTreeMap<String, Value>>,
    #[serde(default)]
    pub times: Option<u64>,
    #[serde(default)]
    pub after_calls: Option<u64>,
    /// For `result0`: the failure reason.
    #[serde(default)]
    pub reason: Option<String>,
    /// For `huge` (and `nonewline`): how many bytes to send.
    #[serde(default)]
    pub size_bytes: Option<u64>,
    /// For `deep`: nesting depth.
    #[serde(default)]
    pub depth: Option<usize>,
}

/// Where a `redirect` fault points: another origin (nothing listens on port 9, discard).
pub const REDIRECT_TO: &str = "http://127.0.0.1:9/elsewhere/json-api/";

/// Default size of `huge` and `nonewline` bodies: 100 MiB.
pub const HUGE_BYTES: u64 = 100 * 1024 * 1024;
/// Default nesting of `deep`.
pub const DEEP: usize = 10_000;
/// Default `result0` reason (ours).
pub const RESULT0_REASON: &str = "The simulator was told to fail this call.";

/// An installed fault.
#[derive(Debug, Clone, Serialize)]
pub struct Fault {
    pub id: u64,
    pub function: String,
    pub kind: FaultKind,
    pub delay_ms: u64,
    #[serde(rename = "match")]
    pub match_params: BTreeMap<String, String>,
    /// Remaining applications (None = unlimited).
    pub times_left: Option<u64>,
    /// For `expire`: matching calls still answered normally before the session ends.
    pub calls_left: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub size_bytes: u64,
    pub depth: usize,
}

impl Fault {
    pub fn from_spec(id: u64, spec: FaultSpec) -> Self {
        Self {
            id,
            function: spec.function,
            kind: spec.kind,
            delay_ms: spec.delay_ms.unwrap_or(1000).min(600_000),
            match_params: spec
                .match_params
                .unwrap_or_default()
                .into_iter()
                .map(|(k, v)| (k, value_as_param(&v)))
                .collect(),
            times_left: spec.times,
            calls_left: spec.after_calls.unwrap_or(0),
            reason: spec.reason,
            size_bytes: spec.size_bytes.unwrap_or(HUGE_BYTES).min(16 * 1024 * 1024 * 1024),
            depth: spec.depth.unwrap_or(DEEP).clamp(1, 10_000_000),
        }
    }

    fn applies(&self, function: &str, params: &Params) -> bool {
        (self.function == function || self.function == "*")
            && self.times_left != Some(0)
            && self.match_params.iter().all(|(k, v)| params.get(k) == Some(v.as_str()))
    }
}

/// What the request handler must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Delay(u64),
    /// An HTTP error page with this status (500, 502, 504).
    Status(u16),
    Html,
    Denied,
    Malformed,
    Truncated,
    Drop,
    Expire,
    Result0(String),
    Huge(u64),
    Deep(usize),
    NoNewline(u64),
    Stall,
    Redirect,
}

/// Find the first fault that applies to this call and consume one use of it.
pub fn take(faults: &mut Vec<Fault>, function: &str, params: &Params) -> Option<Action> {
    let mut action = None;
    for f in faults.iter_mut() {
        if !f.applies(function, params) {
            continue;
        }
        if f.kind == FaultKind::Expire && f.calls_left > 0 {
            f.calls_left -= 1;
            continue;
        }
        if let Some(t) = f.times_left.as_mut() {
            *t -= 1;
        }
        action = Some(match f.kind {
            FaultKind::Delay => Action::Delay(f.delay_ms),
            FaultKind::Http500 => Action::Status(500),
            FaultKind::Http502 => Action::Status(502),
            FaultKind::Http504 => Action::Status(504),
            FaultKind::Html => Action::Html,
            FaultKind::Denied => Action::Denied,
            FaultKind::Malformed => Action::Malformed,
            FaultKind::Truncated => Action::Truncated,
            FaultKind::Drop => Action::Drop,
            FaultKind::Expire => Action::Expire,
            FaultKind::Result0 => Action::Result0(f.reason.clone().unwrap_or_else(|| RESULT0_REASON.to_string())),
            FaultKind::Huge => Action::Huge(f.size_bytes),
            FaultKind::Deep => Action::Deep(f.depth),
            FaultKind::Nonewline => Action::NoNewline(f.size_bytes),
            FaultKind::Stall => Action::Stall,
            FaultKind::Redirect => Action::Redirect,
        });
        break;
    }
    faults.retain(|f| f.times_left != Some(0));
    action
}

// ---------------------------------------------------------------------------------------------
// bodies

/// A short HTML error page for an HTTP status.
pub fn error_page(status: u16) -> String {
    let title = match status {
        502 => "502 Bad Gateway",
        504 => "504 Gateway Timeout",
        _ => "500 Internal Server Error",
    };
    format!(
        "<!DOCTYPE html>\n<html><head><title>{title}</title></head><body><h1>{title}</h1><p>The server could not answer this request.</p></body></html>\n"
    )
}

const CHUNK: usize = 64 * 1024;

/// `total` bytes: `head`, then `fill` bytes, then `tail`, generated chunk by chunk (never held whole).
pub fn padded_stream(head: String, fill: u8, total: u64, tail: String) -> Body {
    let fixed = (head.len() + tail.len()) as u64;
    let pad = total.saturating_sub(fixed);
    let chunks = futures_util::stream::unfold((Some(head), pad, Some(tail)), move |(head, left, tail)| async move {
        if let Some(h) = head {
            return Some((Ok::<Bytes, Infallible>(Bytes::from(h)), (None, left, tail)));
        }
        if left > 0 {
            let n = usize::try_from(left.min(CHUNK as u64)).unwrap_or(CHUNK);
            return Some((Ok(Bytes::from(vec![fill; n])), (None, left - n as u64, tail)));
        }
        tail.map(|t| (Ok(Bytes::from(t)), (None, 0, None)))
    });
    Body::from_stream(chunks)
}

/// A valid WHM API 1 success envelope of about `total` bytes (a long string in `data`).
pub fn huge_envelope(func: &str, total: u64) -> Body {
    let head = format!(
        "{{\"metadata\":{{\"version\":1,\"reason\":\"OK\",\"result\":1,\"command\":{}}},\"data\":{{\"padding\":\"",
        json_str(func)
    );
    padded_stream(head, b'x', total, "\"}}".to_string())
}

/// A valid envelope whose `data` is `depth` nested arrays.
pub fn deep_envelope(func: &str, depth: usize) -> String {
    let mut s = format!(
        "{{\"metadata\":{{\"version\":1,\"reason\":\"OK\",\"result\":1,\"command\":{}}},\"data\":",
        json_str(func)
    );
    s.reserve(depth * 2 + 1);
    s.extend(std::iter::repeat_n('[', depth));
    s.extend(std::iter::repeat_n(']', depth));
    s.push('}');
    s
}

/// Live tail: `total` bytes that never contain a newline.
pub fn no_newline_stream(total: u64) -> Body {
    padded_stream("master.log|".to_string(), b'x', total, String::new())
}

/// Headers only: a body that never yields (the client sees a stalled stream).
pub fn stalled_stream() -> Body {
    Body::from_stream(futures_util::stream::pending::<Result<Bytes, Infallible>>())
}

fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(json: &str) -> FaultSpec {
        match serde_json::from_str(json) {
            Ok(s) => s,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn match_and_times() {
        let mut v = vec![Fault::from_spec(
            1,
            spec(r#"{"function":"validate_system_user","kind":"http500","match":{"user":"bo"},"times":1}"#),
        )];
        assert_eq!(take(&mut v, "validate_system_user", &Params::parse("user=al")), None);
        assert_eq!(
            take(&mut v, "get_transfer_session_state", &Params::parse("user=bo")),
            None
        );
        assert_eq!(
            take(&mut v, "validate_system_user", &Params::parse("user=bo")),
            Some(Action::Status(500))
        );
        assert!(v.is_empty());
        assert_eq!(take(&mut v, "validate_system_user", &Params::parse("user=bo")), None);
    }

    #[test]
    fn expire_after_calls() {
        let mut v = vec![Fault::from_spec(
            1,
            spec(r#"{"function":"x","kind":"expire","after_calls":2}"#),
        )];
        let p = Params::default();
        assert_eq!(take(&mut v, "x", &p), None);
        assert_eq!(take(&mut v, "x", &p), None);
        assert_eq!(take(&mut v, "x", &p), Some(Action::Expire));
    }

    #[test]
    fn numeric_match_values() {
        let mut v = vec![Fault::from_spec(
            1,
            spec(r#"{"function":"*","kind":"delay","delay_ms":5,"match":{"n":1}}"#),
        )];
        assert_eq!(take(&mut v, "any", &Params::parse("n=1")), Some(Action::Delay(5)));
    }
}
