//! Injected faults for tests (`POST /__sim/faults`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::util::{Params, value_as_param};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FaultKind {
    /// Delay the otherwise normal answer by `delay_ms`.
    Delay,
    /// HTTP 500 with a short HTML body.
    Http500,
    /// HTTP 200 with a `text/html` login page.
    Html,
    /// HTTP 200 `application/json` with invalid JSON.
    Malformed,
    /// HTTP 200 with the real JSON cut in half.
    Truncated,
    /// Close the connection without a response.
    Drop,
    /// End the login session after `after_calls` more calls (then the normal auth failure).
    Expire,
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
}

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
        }
    }

    fn applies(&self, function: &str, params: &Params) -> bool {
        (self.function == function || self.function == "*")
            && self.times_left != Some(0)
            && self.match_params.iter().all(|(k, v)| params.get(k) == Some(v.as_str()))
    }
}

/// What the request handler must do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Delay(u64),
    Http500,
    Html,
    Malformed,
    Truncated,
    Drop,
    Expire,
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
            FaultKind::Http500 => Action::Http500,
            FaultKind::Html => Action::Html,
            FaultKind::Malformed => Action::Malformed,
            FaultKind::Truncated => Action::Truncated,
            FaultKind::Drop => Action::Drop,
            FaultKind::Expire => Action::Expire,
        });
        break;
    }
    faults.retain(|f| f.times_left != Some(0));
    action
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
            Some(Action::Http500)
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
