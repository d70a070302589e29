//! The "Check the transfer session" guide's two example calls, reproduced exactly.

use serde_json::{Value, json};

use crate::common::*;

/// The guide's sample reply, copied verbatim from guide-check-the-transfer-session.md.
const GUIDE_ANALYSIS: &str = r#"{ "data": { "options": { "skip_reseller_privs": null, "unrestricted": "0" }, "transfer_session_id": "exampleservercopya20140206192428NtyW", "config": { "shared_mysql_server": null }, "local": { "groups": { "never": 1, "gonna": 1, "give": 1, "you": 1, "up": 1 }, "users": { "never": 1, "gonna": 1, "let": 1, "you": 1, "down": 1 }, "dbs": null, "linked_nodes": [{ "alias": "localmailnode", "hostname": "localmail.example.com", "worker_capabilities": { "Mail": {} } }], "available_ips": [ ] }, "remote": { "version": 0, "resellers": { }, "has_disk_used": 0, "linked_nodes": [{ "alias": "remotemailnode", "hostname": "remotemailnode.example.com", "worker_capabilities": { "Mail": {} } }], "dbs": null, "host": null, "has_xfertool": 0, "has_owners": 0, "server_type": null, "supports_live_transfers": 1 }, "items": { "packages": [], "accounts": [] } }, "metadata": { "version": 1, "reason": "OK", "result": "1", "command": "retrieve_transfer_session_remote_analysis" } }"#;

/// The guide's validate_system_user sample (the closing brace the guide omits is added).
const GUIDE_VALIDATE: &str = r#"{ "data": { "valid_for_transfer": 1, "reserved": 1, "exists": 1, "valid_for_new": 1 }, "metadata": { "version": 1, "reason": "OK", "result": "1", "command": "validate_system_user" } }"#;

fn parse(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn analysis_matches_the_guide() {
    let s = sim(&["--scenario", "guide-empty"]).await;
    // exactly the guide's URL (GET, query string)
    let r = s
        .get(&format!(
            "/cpsess{TOKEN}/json-api/retrieve_transfer_session_remote_analysis?api.version=1&transfer_session_id=exampleservercopya20140206192428NtyW"
        ))
        .await;
    assert_eq!(r.json(), parse(GUIDE_ANALYSIS));
}

#[tokio::test]
async fn validate_system_user_matches_the_guide() {
    let s = sim(&["--scenario", "guide-empty"]).await;
    let r = s
        .get(&format!(
            "/cpsess{TOKEN}/json-api/validate_system_user?api.version=1&user=username"
        ))
        .await;
    assert_eq!(r.json(), parse(GUIDE_VALIDATE));
    let v = s.api_json("validate_system_user", "user=root").await;
    assert_eq!(v, parse(GUIDE_VALIDATE));
    // the guide's local users
    for (u, e) in [
        ("never", 1),
        ("gonna", 1),
        ("let", 1),
        ("you", 1),
        ("down", 1),
        ("give", 0),
        ("transferme", 0),
    ] {
        let v = s.api_json("validate_system_user", &format!("user={u}")).await;
        assert_eq!(v["data"]["exists"], json!(e), "{u}");
    }
}
