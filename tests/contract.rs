//! Contract tests: the guide's sample replies and every OpenAPI response example decode into the
//! typed responses with the values a user would see.
#![cfg(not(target_arch = "wasm32"))]

use whm_transfer_console::whm::request::{self as rq, NoData, Request};
use whm_transfer_console::whm::responses::{ItemState, ReportedState};
use whm_transfer_console::whm::{self, HttpReply, Reply, WhmError};

#[allow(clippy::panic)] // a test helper (not a #[test] fn, so clippy.toml's test allowance misses it)
fn fixture(path: &str) -> String {
    let full = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

fn decode<R: Request>(_req: &R, body: &str) -> Result<Reply<R::Data>, WhmError> {
    whm::decode::<R::Data>(HttpReply {
        status: 200,
        content_type: Some("application/json"),
        body,
    })
}

#[test]
fn guide_analysis_decodes_with_every_quirk() {
    let body = fixture("guide/retrieve_transfer_session_remote_analysis.json");
    let reply = decode(&rq::retrieve_transfer_session_remote_analysis("x"), &body).unwrap();
    assert_eq!(reply.metadata.command, "retrieve_transfer_session_remote_analysis");
    let a = reply.require_data().unwrap();
    assert_eq!(a.transfer_session_id, "exampleservercopya20140206192428NtyW");
    assert_eq!(a.options.unrestricted, Some(false), "\"0\" as a string");
    assert_eq!(a.options.skip_reseller_privs, None, "null");
    assert_eq!(a.config.shared_mysql_server, None);
    // Names keep the reply's order; sorted here to compare.
    let mut users: Vec<_> = a.local.users.iter().collect();
    users.sort_unstable();
    assert_eq!(users, ["down", "gonna", "let", "never", "you"]);
    let mut groups: Vec<_> = a.local.groups.iter().collect();
    groups.sort_unstable();
    assert_eq!(groups, ["give", "gonna", "never", "up", "you"]);
    assert!(a.local.dbs.is_none() && a.remote.dbs.is_none());
    assert!(a.local.available_ips.is_empty());
    let local_nodes = a.local.linked_nodes.as_deref().unwrap_or_default();
    assert_eq!(local_nodes.len(), 1);
    assert_eq!(local_nodes[0].alias, "localmailnode");
    assert!(local_nodes[0].worker_capabilities.contains("Mail"));
    assert_eq!(
        a.remote.linked_nodes[0].hostname.as_deref(),
        Some("remotemailnode.example.com")
    );
    assert_eq!(
        a.remote.version.as_deref(),
        Some("0"),
        "a number where a string is documented"
    );
    assert_eq!(a.remote.host, None);
    assert_eq!(a.remote.supports_live_transfers, Some(true));
    assert_eq!(a.remote.has_owners, Some(false));
    assert!(a.items.accounts.is_empty() && a.items.packages.is_empty());
}

#[test]
fn guide_validate_system_user_decodes() {
    let body = fixture("guide/validate_system_user.json");
    let v = decode(&rq::validate_system_user("username"), &body)
        .unwrap()
        .require_data()
        .unwrap();
    assert!(v.exists && v.reserved && v.valid_for_transfer && v.valid_for_new);
}

#[test]
fn populated_analysis_from_the_reference_decodes() {
    let body = fixture("populated-analysis.json");
    let a = decode(&rq::retrieve_transfer_session_remote_analysis("x"), &body)
        .unwrap()
        .require_data()
        .unwrap();
    let bob = &a.items.accounts[0];
    assert_eq!(
        (bob.user.as_str(), bob.domain.as_str(), bob.owner.as_deref()),
        ("bob", "bob.example", Some("res1"))
    );
    assert_eq!(bob.bytesused, 52_428_800);
    assert_eq!(bob.filesused, 1843, "numeric string");
    assert!(!bob.has_dedicated_ip);
    assert_eq!(
        a.local.dedicated_ips.get("203.0.113.7").map(String::as_str),
        Some("alice.example")
    );
    assert_eq!(a.local.domains.get("*"), Some("nobody"));
    let local_dbs = a.local.dbs.as_ref().unwrap();
    assert_eq!(local_dbs.dbs.mysql.get("alice_wp"), Some("alice"));
    assert!(local_dbs.dbs.pgsql.is_empty());
    assert_eq!(a.remote.dbs.as_ref().unwrap().users.mysql.get("bob_shop"), Some("bob"));
    assert!(a.remote.resellers.contains("res1") && a.remote.resellers.contains("root"));
    assert!(a.remote.conflicts.is_empty());
    assert_eq!(a.modules["MySQL"].analysis["Local Type"], "MariaDB");
    assert_eq!(a.local_prefix_length(), Some(16));
    assert_eq!(a.items.packages[0].featurelist.as_deref(), Some("default"));
}

#[test]
fn openapi_examples_decode_for_every_function() {
    // abort / analyze / enqueue / pause: metadata only.
    for (name, body) in [
        ("abort_transfer_session", fixture("openapi/abort_transfer_session.json")),
        (
            "analyze_transfer_session_remote",
            fixture("openapi/analyze_transfer_session_remote.json"),
        ),
        ("enqueue_transfer_item", fixture("openapi/enqueue_transfer_item.json")),
        ("pause_transfer_session", fixture("openapi/pause_transfer_session.json")),
    ] {
        let reply = whm::decode::<NoData>(HttpReply {
            status: 200,
            content_type: None,
            body: &body,
        })
        .unwrap();
        assert_eq!(reply.metadata.command, name);
        assert_eq!(reply.metadata.version, Some(1));
    }

    let body = fixture("openapi/available_transfer_modules.json");
    let m = decode(&rq::available_transfer_modules(), &body)
        .unwrap()
        .require_data()
        .unwrap();
    let order: Vec<_> = m.in_queue_order().into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        order,
        [
            "FeatureListRemoteRoot",
            "PackageRemoteRoot",
            "AccountRemoteRoot",
            "AccountRemoteUser",
            "AccountLocal",
            "LegacyAccountBackup"
        ]
    );
    assert_eq!(m.modules["AccountRemoteRoot"], 3000, "priority as a string");

    let body = fixture("openapi/create_remote_root_transfer_session.json");
    let c = decode(&rq::create_remote_root_transfer_session("h", "root", "p".into()), &body)
        .unwrap()
        .require_data()
        .unwrap();
    assert_eq!(c.transfer_session_id, "vm5docscpanelcopya20140430200606V06z");
    assert!(
        c.create_rawout
            .unwrap()
            .contains("<strong>Streaming Supported</strong>")
    );

    let body = fixture("openapi/create_remote_user_transfer_session.json");
    let c = decode(&rq::create_remote_user_transfer_session("h", "p".into()), &body)
        .unwrap()
        .require_data()
        .unwrap();
    assert_eq!(c.transfer_session_id, "vm5docscpanelnoroo201402251939519hmy");

    let body = fixture("openapi/delete_account_archives.json");
    let r = decode(&rq::delete_account_archives("u"), &body).unwrap();
    assert_eq!(
        r.metadata.output.messages,
        ["Found archive: /home/example/example.tar.gz"]
    );
    assert_eq!(r.metadata.output.warnings, ["This is a warning message."]);

    let body = fixture("openapi/fetch_transfer_session_log.json");
    let log = decode(&rq::fetch_transfer_session_log("s", "master.log"), &body)
        .unwrap()
        .require_data()
        .unwrap();
    let lines = whm::logs::parse_log(&log.log);
    assert!(lines.len() > 10);
    assert!(
        lines.iter().all(|l| matches!(l, whm::logs::ParsedLine::Entry(_))),
        "every line is JSON"
    );
    let failures = lines
        .iter()
        .filter_map(|l| match l {
            whm::logs::ParsedLine::Entry(e) if e.contents.action.as_deref() == Some("failed-item") => {
                Some(e.contents.msg_text())
            }
            _ => None,
        })
        .collect::<Vec<_>>();
    assert_eq!(failures[0], "The account “root” already exists on “control.box.new”.");

    let body = fixture("openapi/get_transfer_session_state.json");
    let s = decode(&rq::get_transfer_session_state("s"), &body)
        .unwrap()
        .require_data()
        .unwrap();
    assert_eq!(
        s.state(),
        ReportedState::Item(ItemState::TransferInProgress),
        "the docs' item-state example"
    );

    let body = fixture("openapi/remote_basic_credential_check.json");
    decode(&rq::remote_basic_credential_check("h", "root", "p".into()), &body).unwrap();

    let body = fixture("openapi/retrieve_transfer_session_remote_analysis.json");
    let a = decode(&rq::retrieve_transfer_session_remote_analysis("s"), &body)
        .unwrap()
        .require_data()
        .unwrap();
    assert_eq!(a.local.available_ips, ["192.168.1.1"]);
    assert_eq!(a.local.version.as_deref(), Some("11.90.0.6"));
    assert_eq!(a.local.dbs.as_ref().unwrap().dbs.mysql.get("user_db1"), Some("user"));
    assert_eq!(a.config.shared_mysql_server, Some(true));
    assert_eq!(a.local_prefix_length(), Some(16), "MySQL 5.7");

    let body = fixture("openapi/start_transfer_session.json");
    let s = decode(&rq::start_transfer_session("s"), &body)
        .unwrap()
        .require_data()
        .unwrap();
    assert!(s.pid.is_some());

    let body = fixture("openapi/transfer_module_schema.json");
    let s = decode(&rq::transfer_module_schema("AccountRemoteRoot"), &body)
        .unwrap()
        .require_data()
        .unwrap();
    assert!(!s.schema.keys.is_empty(), "schema keys decoded");

    let body = fixture("openapi/validate_system_user.json");
    decode(&rq::validate_system_user("u"), &body)
        .unwrap()
        .require_data()
        .unwrap();
}

#[test]
fn decoders_tolerate_the_hostile_shapes() {
    let body = r#"{"metadata":{"result":"1","command":"retrieve_transfer_session_remote_analysis"},"data":{
        "local":{"users":[],"groups":null,"dbs":[],"available_ips":null,"linked_nodes":null},
        "remote":{"resellers":null,"conflicts":null,"dbs":{"dbs":null,"users":[]},"supports_live_transfers":"0"},
        "items":{"accounts":[{"user":"<script>alert(1)</script>","domain":"\u202eevil.example","bytesused":"123","filesused":null,
            "has_dedicated_ip":"1","worker_nodes":null,"owner":null},"not an account",7],"packages":null},
        "modules":{"MySQL":null}}}"#;
    let a = decode(&rq::retrieve_transfer_session_remote_analysis("s"), body)
        .unwrap()
        .require_data()
        .unwrap();
    assert_eq!(a.items.accounts.len(), 1, "non-object entries dropped");
    let acct = &a.items.accounts[0];
    assert_eq!(acct.user, "<script>alert(1)</script>");
    assert_eq!(acct.bytesused, 123);
    assert!(acct.has_dedicated_ip);
    assert_eq!(acct.owner_or_root(), "root");
    assert_eq!(a.remote.supports_live_transfers, Some(false));
}
