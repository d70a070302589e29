//! Fuzzing every WHM decoder: each response type, the envelope, the analysis and saved-file decoding.
//! Beyond "never panics": the same bytes always decode the same way, any object as `data` decodes (a
//! field of an odd shape never fails a reply), numbers and numeric strings read alike, and every cut of
//! a reply is reported as truncated. `PROPTEST_CASES=N` raises the budget (`make fuzz`).
#![cfg(not(target_arch = "wasm32"))]

mod fuzz;

use fuzz::{config, cut, envelope, json, object};
use proptest::prelude::*;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::fmt::Debug;
use whm_transfer_console::whm::responses::*;
use whm_transfer_console::whm::{self, Analysis, HttpReply, Reply, WhmError};

fn ok(body: &str) -> HttpReply<'_> {
    HttpReply {
        status: 200,
        content_type: Some("application/json"),
        body,
    }
}

/// Decodes twice: must not panic, must agree with itself.
fn decode_twice<T: DeserializeOwned + PartialEq + Debug>(r: HttpReply<'_>) -> Result<Reply<T>, WhmError> {
    let a = whm::decode::<T>(r);
    let b = whm::decode::<T>(r);
    assert_eq!(a, b, "decoding is deterministic");
    a
}

/// Runs `$body` with `T` bound to each response type.
macro_rules! for_each_type {
    ($t:ident => $body:block) => {{
        {
            type $t = Analysis;
            $body
        }
        {
            type $t = CreatedSession;
            $body
        }
        {
            type $t = SystemUserVerdict;
            $body
        }
        {
            type $t = TransferModules;
            $body
        }
        {
            type $t = ModuleSchemaData;
            $body
        }
        {
            type $t = StartedSession;
            $body
        }
        {
            type $t = SessionStateData;
            $body
        }
        {
            type $t = SessionLog;
            $body
        }
        {
            type $t = RestoreModulesSummary;
            $body
        }
        {
            type $t = CredentialCheck;
            $body
        }
    }};
}

fn all_decoders(r: HttpReply<'_>) {
    for_each_type!(T => {
        let _ = decode_twice::<T>(r);
        let a = whm::decode_saved::<T>(r.body);
        assert_eq!(a, whm::decode_saved::<T>(r.body));
    });
    let _ = whm::decode::<serde::de::IgnoredAny>(r);
}

fn content_type() -> impl Strategy<Value = Option<&'static str>> {
    prop::option::of(prop::sample::select(vec![
        "application/json",
        "text/html; charset=utf-8",
        "text/plain; charset=\"utf-8\"",
        "",
    ]))
}

proptest! {
    #![proptest_config(config(150))]

    /// Raw bytes, any status, any content type.
    #[test]
    fn any_bytes_any_status(bytes in prop::collection::vec(any::<u8>(), 0..600), status in 0u16..1000, ct in content_type()) {
        let text = String::from_utf8_lossy(&bytes);
        all_decoders(HttpReply { status, content_type: ct, body: &text });
        all_decoders(ok(&text));
    }

    /// Any JSON value as the whole body, and as `data` of a successful envelope, and every cut of it.
    #[test]
    fn any_json_body(v in json(), at in 0usize..2000) {
        let body = v.to_string();
        all_decoders(ok(&body));
        let wrapped = envelope(&v);
        all_decoders(ok(&wrapped));
        let part = cut(&wrapped, at);
        all_decoders(ok(part));
        if part.len() < wrapped.len() {
            // a reply cut short is always reported as truncated, whatever the type
            for_each_type!(T => {
                let got = whm::decode::<T>(ok(part));
                prop_assert!(matches!(got, Err(WhmError::Malformed { truncated: true, .. })), "{part:?}: {got:?}");
            });
        }
    }

    /// Leniency: any object as `data` decodes into every response type, whatever shapes its fields have.
    #[test]
    fn any_object_as_data_decodes(data in object()) {
        let data = Value::Object(data);
        let body = envelope(&data);
        for_each_type!(T => {
            let got = decode_twice::<T>(ok(&body));
            prop_assert!(matches!(&got, Ok(Reply { data: Some(_), .. })), "{}: {got:?}", std::any::type_name::<T>());
            // a saved file decodes the same with or without its envelope
            let saved = whm::decode_saved::<T>(&body);
            prop_assert_eq!(saved.as_ref().ok(), got.as_ref().ok().and_then(|r| r.data.as_ref()));
            if !data.as_object().is_some_and(|o| o.contains_key("metadata") || o.contains_key("data")) {
                prop_assert_eq!(whm::decode_saved::<T>(&data.to_string()), saved);
            }
        });
    }

    /// The envelope: an object `metadata` always gives an answer (success or WHM's failure), never
    /// "malformed"; the result flag reads `1`, `"1"`, `true` alike; the reason is kept as sent.
    #[test]
    fn envelope_metadata_of_any_shape(meta in object(), result in fuzz::scalar(), reason in "\\PC{0,40}") {
        let mut meta = meta;
        meta.insert("result".into(), result.clone());
        meta.insert("reason".into(), Value::String(reason.clone()));
        meta.insert("command".into(), json!("fuzz"));
        let body = json!({"metadata": meta, "data": {"state_name": "RUNNING"}}).to_string();
        let got = decode_twice::<SessionStateData>(ok(&body));
        // The flag as the decoder reads it: from the text (serde_json's float parsing may round a
        // long fraction to the next representable value, an integer at this magnitude).
        let result: Value = serde_json::from_str(&result.to_string()).unwrap_or(result);
        let success = match &result {
            Value::Bool(b) => *b,
            Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0 && f.fract() == 0.0 && f.abs() < 1e30),
            Value::String(s) => {
                let t = s.trim();
                t.eq_ignore_ascii_case("true")
                    || (!t.eq_ignore_ascii_case("false") && whm::scalar::parse_int(t).is_some_and(|v| v != 0))
            }
            _ => false,
        };
        match got {
            Ok(r) => {
                prop_assert!(success, "{result}");
                prop_assert_eq!(r.metadata.reason, reason);
                prop_assert_eq!(r.data.map(|d| d.state()), Some(ReportedState::Session(SessionState::Running)));
            }
            Err(WhmError::Api { command, reason: why }) => {
                prop_assert!(!success, "{result}");
                prop_assert_eq!(command, "fuzz");
                prop_assert_eq!(why, reason);
            }
            Err(other) => prop_assert!(false, "{other:?}"),
        }
    }

    /// The analysis, field by field: sizes as numbers or numeric strings read alike, flags in every
    /// spelling, user sets as `{name: 1}` or `[name]`, odd accounts dropped without losing the others.
    #[test]
    fn analysis_fields_in_every_wire_shape(
        accounts in prop::collection::vec(("[a-z][a-z0-9]{0,15}", any::<u64>(), any::<bool>(), 0u8..4, any::<bool>()), 0..20),
        users in prop::collection::btree_set("[a-z][a-z0-9_]{0,15}", 0..20),
        users_as_map in any::<bool>(),
        junk in prop::collection::vec(json(), 0..4),
    ) {
        let mut list: Vec<Value> = Vec::new();
        for (user, bytes, as_text, flag_shape, dedicated) in &accounts {
            let bytes = if *as_text { json!(bytes.to_string()) } else { json!(bytes) };
            let flag = match flag_shape {
                0 => json!(dedicated),
                1 => json!(u8::from(*dedicated)),
                2 => json!(u8::from(*dedicated).to_string()),
                _ => json!(if *dedicated { "true" } else { "" }),
            };
            list.push(json!({"user": user, "bytesused": bytes, "has_dedicated_ip": flag, "extra": {"x": [1, null]}}));
        }
        // junk that is not an object is dropped; a junk object is an account with defaults
        let junk_objects = junk.iter().filter(|j| j.is_object()).count();
        list.extend(junk.iter().cloned());
        let users_json = if users_as_map {
            Value::Object(users.iter().map(|u| (u.clone(), json!(1))).collect())
        } else {
            json!(users)
        };
        let data = json!({"local": {"users": users_json}, "items": {"accounts": list}});
        let a = whm::decode::<Analysis>(ok(&envelope(&data))).ok().and_then(|r| r.data);
        prop_assert!(a.is_some());
        let a = a.unwrap_or_default();
        let decoded: BTreeSet<String> = a.local.users.iter().map(str::to_owned).collect();
        prop_assert_eq!(decoded.len(), a.local.users.len(), "each name once");
        prop_assert_eq!(&decoded, &users);
        prop_assert_eq!(a.items.accounts.len(), accounts.len() + junk_objects);
        for (got, (user, bytes, _, _, dedicated)) in a.items.accounts.iter().zip(&accounts) {
            prop_assert_eq!(&got.user, user);
            prop_assert_eq!(got.bytesused, *bytes);
            prop_assert_eq!(got.has_dedicated_ip, *dedicated);
        }
    }
}

/// JSON nested far deeper than any reply (a hostile server's 10,000 levels and more): skipped or refused,
/// never a stack overflow (the Wasm stack is small).
#[test]
fn deep_nesting_never_overflows_the_stack() {
    for depth in [200, 10_000] {
        for (open, close) in [("[", "]"), ("{\"a\":", "}")] {
            let deep = format!("{}1{}", open.repeat(depth), close.repeat(depth));
            let body = format!(r#"{{"metadata":{{"result":1,"command":"x"}},"data":{{"local":{{"users":{deep}}}}}}}"#);
            all_decoders(ok(&body));
            let read = format!(
                r#"{{"metadata":{{"result":1,"command":"x"}},"data":{{"items":{{"accounts":[{{"worker_nodes":{deep}}}]}}}}}}"#
            );
            all_decoders(ok(&read));
            all_decoders(ok(&deep));
        }
    }
}
