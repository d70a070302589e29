//! Property tests: no byte string makes any decoder panic (a panic would kill the whole Wasm app).
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use whm_transfer_console::whm::{self, Analysis, HttpReply, logs, responses::*};

fn all_decoders(body: &str, status: u16, content_type: Option<&str>) {
    let r = HttpReply {
        status,
        content_type,
        body,
    };
    let _ = whm::decode::<Analysis>(r);
    let _ = whm::decode::<SystemUserVerdict>(r);
    let _ = whm::decode::<TransferModules>(r);
    let _ = whm::decode::<ModuleSchemaData>(r);
    let _ = whm::decode::<StartedSession>(r);
    let _ = whm::decode::<SessionStateData>(r);
    let _ = whm::decode::<SessionLog>(r);
    let _ = whm::decode::<CreatedSession>(r);
    let _ = whm::decode::<RestoreModulesSummary>(r);
    let _ = whm::decode::<CredentialCheck>(r);
    let _ = whm::decode::<serde::de::IgnoredAny>(r);
    let _ = whm::decode_saved::<Analysis>(body);
    let _ = logs::parse_log(body);
    for line in body.lines() {
        let _ = logs::parse_tail_line(line);
    }
    let _ = whm::security_token_from_path(body);
}

/// JSON-ish text built from WHM's own vocabulary, so the fuzzer reaches deep into the decoders.
fn jsonish() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("null".to_string()),
        Just("{}".to_string()),
        Just("[]".to_string()),
        Just("\"1\"".to_string()),
        Just("0".to_string()),
        Just("-1".to_string()),
        Just("1e400".to_string()),
        Just("\"“x”\"".to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        "[a-z_]{0,6}".prop_map(|s| format!("\"{s}\"")),
    ];
    let keys = prop_oneof![
        Just("metadata"),
        Just("data"),
        Just("result"),
        Just("reason"),
        Just("command"),
        Just("output"),
        Just("warnings"),
        Just("local"),
        Just("remote"),
        Just("items"),
        Just("accounts"),
        Just("users"),
        Just("dbs"),
        Just("MYSQL"),
        Just("owner"),
        Just("bytesused"),
        Just("worker_nodes"),
        Just("linked_nodes"),
        Just("modules"),
        Just("analysis"),
        Just("conflicts"),
        Just("cpanelresult"),
        Just("error"),
        Just("state_name"),
        Just("log"),
        Just("schema"),
        Just("keys"),
        Just("pid"),
        Just("available_ips"),
        Just("user"),
    ];
    leaf.prop_recursive(5, 64, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(|v| format!("[{}]", v.join(","))),
            prop::collection::vec((keys.clone(), inner), 0..6).prop_map(|kv| {
                let body: Vec<String> = kv.into_iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
                format!("{{{}}}", body.join(","))
            }),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512), status in 100u16..600) {
        let text = String::from_utf8_lossy(&bytes);
        all_decoders(&text, status, None);
        all_decoders(&text, 200, Some("application/json"));
    }

    #[test]
    fn structured_json_never_panics(json in jsonish(), cut in 0usize..400) {
        all_decoders(&json, 200, Some("application/json"));
        let body = format!(r#"{{"metadata":{{"result":1,"command":"x"}},"data":{json}}}"#);
        all_decoders(&body, 200, Some("application/json"));
        // and every truncation of it
        let mut end = cut.min(body.len());
        while !body.is_char_boundary(end) { end -= 1; }
        all_decoders(&body[..end], 200, Some("application/json"));
    }
}
