//! Fuzzing cPanel's username rules through the public checks API: evaluating any string never panics
//! and always gives the same verdict; a list gives one verdict per name; the analysis findings of any
//! decoded reply never panic.
#![cfg(not(target_arch = "wasm32"))]

mod fuzz;

use fuzz::{config, envelope, object};
use proptest::prelude::*;
use serde_json::{Value, json};
use std::collections::HashMap;
use whm_transfer_console::checks::username::matches_transfer_regex;
use whm_transfer_console::checks::{FindingsInput, Purpose, RuleContext, check_bulk, check_username, findings};
use whm_transfer_console::whm::{self, Analysis, HttpReply};

/// Names near the rules' edges: cPanel's alphabet, capitals, digits first, reserved words and their
/// prefixes/suffixes, lengths around 8 and 16, and any Unicode (bidi controls, combining marks, NUL).
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z][a-z0-9]{0,20}",
        "[-._a-zA-Z0-9]{0,24}",
        "(test|root|cpanel|all|virtfs|mail|nobody|admin)[a-z0-9_]{0,10}",
        "[a-z]{0,6}(assword|_|\\.|-)[a-z]{0,6}",
        "\\PC{0,20}",
        any::<String>(),
        Just("\u{202e}evil\u{0}".to_string()),
        Just("a".repeat(300)),
    ]
}

fn context() -> impl Strategy<Value = RuleContext> {
    (
        prop::collection::vec("[a-z][a-z0-9]{0,15}", 0..30),
        prop::collection::vec("[a-z][a-z0-9_]{0,20}", 0..300),
        any::<bool>(),
    )
        .prop_map(|(users, dbs, short)| {
            let db_map: serde_json::Map<String, Value> = dbs
                .iter()
                .map(|d| (d.clone(), json!({"owner": d.split('_').next().unwrap_or("")})))
                .collect();
            let version = if short { "5.6" } else { "10.6" };
            let data = json!({
                "local": {"users": users, "groups": users, "dbs": {"dbs": {"MYSQL": db_map}}},
                "modules": {"MySQL": {"analysis": {"Local Type": "MySQL", "Local Version": version}}},
            });
            let a: Analysis = serde_json::from_value(data).unwrap_or_default();
            RuleContext::from_analysis(&a)
        })
}

fn purpose() -> impl Strategy<Value = Purpose> {
    prop_oneof![Just(Purpose::Transfer), Just(Purpose::NewAccount)]
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn any_name_any_context(n in name(), ctx in context(), p in purpose()) {
        let v = check_username(&n, &ctx, p);
        prop_assert_eq!(&v, &check_username(&n, &ctx, p), "deterministic");
        prop_assert_eq!(&v.name, &n);
        prop_assert_eq!(v.valid_for_transfer, matches_transfer_regex(&n));
        if let Some(s) = &v.suggestion {
            // a suggestion is itself a name the rules accept
            prop_assert!(check_username(s, &ctx, p).is_ok(), "{n:?} → {s:?}");
        }
        let d = check_username(&n, &RuleContext::default(), p);
        prop_assert_eq!(d.valid_for_transfer, v.valid_for_transfer);
    }

    #[test]
    fn any_list_any_context(names in prop::collection::vec(name(), 0..40), dup in any::<prop::sample::Index>(), ctx in context(), p in purpose()) {
        let mut names = names;
        if !names.is_empty() {
            let again = names[dup.index(names.len())].clone();
            names.push(again);
        }
        let r = check_bulk(&names, &ctx, p);
        prop_assert_eq!(&r, &check_bulk(&names, &ctx, p), "deterministic");
        prop_assert_eq!(r.verdicts.len(), names.len());
        for (v, n) in r.verdicts.iter().zip(&names) {
            prop_assert_eq!(&v.name, n);
            prop_assert_eq!(v.valid_for_transfer, matches_transfer_regex(n));
        }
    }

    #[test]
    fn findings_of_any_decoded_analysis(data in object(), live in any::<bool>()) {
        let body = envelope(&Value::Object(data));
        let a = whm::decode::<Analysis>(HttpReply { status: 200, content_type: Some("application/json"), body: &body })
            .ok()
            .and_then(|r| r.data)
            .unwrap_or_default();
        let ctx = RuleContext::from_analysis(&a);
        let verdicts = HashMap::new();
        let input = FindingsInput { analysis: &a, ctx: &ctx, server_verdicts: &verdicts, live_transfer_requested: live };
        let r = findings(input);
        prop_assert_eq!(r, findings(input));
    }
}

/// A pasted megabyte-long "name" is judged, not choked on.
#[test]
fn very_long_names() {
    for n in ["a".repeat(100_000), "é".repeat(50_000), "\u{202e}".repeat(10_000)] {
        let ctx = RuleContext::default();
        let v = check_username(&n, &ctx, Purpose::Transfer);
        assert!(!v.valid_for_transfer && !v.is_ok());
        let r = check_bulk(&[n.clone(), n], &ctx, Purpose::NewAccount);
        assert_eq!(r.verdicts.len(), 2);
    }
}
