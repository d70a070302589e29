//! Shared strategies of the `fuzz_*` property tests (proptest stands in for cargo-fuzz, which needs a
//! nightly toolchain). Case counts: a short default so `cargo test` stays fast, `PROPTEST_CASES` for the
//! fixed larger budget of `make fuzz`.
#![allow(dead_code)]

use proptest::prelude::*;
use serde_json::{Map, Value};

/// `default_cases` unless `PROPTEST_CASES` is set (then proptest's own reading of it applies).
pub fn config(default_cases: u32) -> ProptestConfig {
    let mut c = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        c.cases = default_cases;
    }
    c
}

/// Every key the wire types read, and a few they do not.
pub const KEYS: &[&str] = &[
    "metadata",
    "data",
    "result",
    "reason",
    "command",
    "version",
    "output",
    "warnings",
    "messages",
    "raw",
    "transfer_session_id",
    "options",
    "unrestricted",
    "skip_reseller_privs",
    "config",
    "shared_mysql_server",
    "local",
    "remote",
    "items",
    "modules",
    "users",
    "groups",
    "domains",
    "dedicated_ips",
    "available_ips",
    "ip",
    "address",
    "dbs",
    "MYSQL",
    "PGSQL",
    "owner",
    "major_version",
    "host",
    "hostname",
    "roundcube_dbtype",
    "linked_nodes",
    "alias",
    "username",
    "last_check",
    "tls_verified",
    "worker_capabilities",
    "server_type",
    "cpversion",
    "resellers",
    "has_owners",
    "has_disk_used",
    "has_files_used",
    "has_xfertool",
    "has_package_extensions",
    "supports_live_transfers",
    "conflicts",
    "remote_owner",
    "local_owner",
    "packages",
    "accounts",
    "name",
    "featurelist",
    "user",
    "ensim_user",
    "domain",
    "bytesused",
    "filesused",
    "has_dedicated_ip",
    "worker_nodes",
    "analysis",
    "warning",
    "error",
    "Local Type",
    "Local Version",
    "MySQL",
    "exists",
    "reserved",
    "valid_for_transfer",
    "valid_for_new",
    "schema",
    "keys",
    "def",
    "primary",
    "required",
    "prerequisite",
    "pid",
    "state_name",
    "log",
    "module",
    "summary",
    "restricted_available",
    "restricted_summary",
    "notes",
    "response",
    "escalation_method_used",
    "create_rawout",
    "analyze_rawout",
    "cpanelresult",
    "type",
    "indent",
    "partial",
    "source",
    "contents",
    "action",
    "child_number",
    "time",
    "queue",
    "item",
    "local_item",
    "item_type",
    "item_name",
    "logfile",
    "percentage",
    "status",
    "statusmsg",
    "msg",
    "size",
    "failure",
    "message",
    "",
    "x",
    "é",
    "“q”",
];

/// Scalars in every shape WHM sends them: ints, numeric strings, bools, null, floats, odd text.
pub fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (0u64..100_000).prop_map(|n| Value::String(n.to_string())),
        (0u64..100_000).prop_map(|n| Value::String(format!(" {n}.0 "))),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        prop::sample::select(vec![
            "", "0", "1", "-1", "true", "false", "TRUE", "yes", "1e400", "NaN", "12.5"
        ])
        .prop_map(|s| Value::String(s.into())),
        "\\PC{0,12}".prop_map(Value::String),
        "[a-z0-9_.-]{0,20}".prop_map(Value::String),
        Just(Value::String("<script>alert(1)</script>\u{202e}\u{0}\\\"\n".into())),
    ]
}

/// Arbitrary JSON built from WHM's vocabulary, so the decoders are reached at every depth.
pub fn json() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(6, 96, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..8)
                .prop_map(|kv| Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
        ]
    })
}

/// A JSON object (what `data` of a successful reply is).
pub fn object() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::vec((prop::sample::select(KEYS), json()), 0..10)
        .prop_map(|kv| kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

/// A successful WHM API 1 envelope around `data`.
pub fn envelope(data: &Value) -> String {
    serde_json::json!({
        "metadata": {"version": 1, "command": "fuzz", "result": 1, "reason": "OK"},
        "data": data,
    })
    .to_string()
}

/// `text` cut at `at` (rounded down to a char boundary).
pub fn cut(text: &str, at: usize) -> &str {
    let mut end = at.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}
