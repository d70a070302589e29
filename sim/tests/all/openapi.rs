//! Every OpenAPI response example reproduced in shape (keys and JSON types).

use serde_json::{Value, json};

use crate::common::*;

const CREATE: &str = "host=remote.example.com&user=root&password=luggage12345&transfer_threads=2&restore_threads=3&unrestricted_restore=1&comm_transport=ssh&copy_reseller_privs=1&compressed=1&unencrypted=0&use_backups=1&low_priority=1&enable_custom_pkgacct=1";

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default();
    k.sort();
    k
}

fn meta(v: &Value, command: &str) {
    let m = &v["metadata"];
    assert_eq!(m["version"], json!(1));
    assert_eq!(m["command"], json!(command));
    assert!(m["reason"].is_string());
    assert!(ok(v), "{v}");
}

#[tokio::test]
async fn create_remote_root_transfer_session() {
    let s = sim(&[]).await;
    let v = s.api_json("create_remote_root_transfer_session", CREATE).await;
    meta(&v, "create_remote_root_transfer_session");
    assert_eq!(
        keys(&v["data"]),
        ["analyze_rawout", "create_rawout", "transfer_session_id"]
    );
    let id = v["data"]["transfer_session_id"].as_str().unwrap_or_default();
    assert_eq!(id.len(), 36, "{id}");
    assert!(id.starts_with("remoteexamplecopya20"), "{id}");
    assert!(id.bytes().all(|b| b.is_ascii_alphanumeric()));
    let create = v["data"]["create_rawout"].as_str().unwrap_or_default();
    assert!(create.starts_with("Basic credential check … …\nDone\n"));
    assert!(create.contains("<strong>Streaming Supported</strong>"));
    assert!(create.contains("Remote Server Type: “WHM1164”"));
    assert!(
        v["data"]["analyze_rawout"]
            .as_str()
            .unwrap_or_default()
            .starts_with("Fetching information from remote host: “remote.example.com” … …\nDone\n")
    );
    // the new session is PENDING and analysed
    assert_eq!(s.state(id).await, "PENDING");
    let a = s
        .api_json(
            "retrieve_transfer_session_remote_analysis",
            &format!("transfer_session_id={id}"),
        )
        .await;
    assert_eq!(
        a["data"]["options"],
        json!({"unrestricted": "1", "skip_reseller_privs": "1"})
    );
    assert_eq!(a["data"]["remote"]["host"], json!("remote.example.com"));

    // failures
    for (params, msg) in [
        ("host=&user=root", "You must specify a source host."),
        (
            "host=remote.example.com&comm_transport=carrierpigeon",
            "Invalid “comm_transport” (carrierpigeon).",
        ),
        (
            "host=local.example.com&password=x",
            "“local.example.com” resolves to the local server. Provide a remote hostname or IP address instead.",
        ),
        (
            "host=127.0.0.1&password=x",
            "“127.0.0.1” resolves to the local server. Provide a remote hostname or IP address instead.",
        ),
        (
            "host=nowhere.invalid&password=x",
            "The system was unable to resolve the host, “nowhere.invalid”, to an IP address.",
        ),
    ] {
        let v = s.api_json("create_remote_root_transfer_session", params).await;
        assert_eq!(reason(&v), msg);
        assert_eq!(v["metadata"]["result"], json!(0));
    }
    let v = s
        .api_json(
            "create_remote_root_transfer_session",
            "host=remote.example.com&user=root&password=wrong",
        )
        .await;
    let r = reason(&v);
    assert!(
        r.starts_with("The remote basic credential check failed due to an error (")
            && r.ends_with(") and response: Permission denied."),
        "{r}"
    );
    let v = s
        .api_json(
            "create_remote_root_transfer_session",
            "host=remote.example.com&user=root",
        )
        .await;
    assert!(reason(&v).starts_with("The remote basic credential check failed"));
    let v = s
        .api_json(
            "create_remote_root_transfer_session",
            "host=remote.example.com&user=root&sshkey_name=FrancisScott",
        )
        .await;
    assert!(ok(&v), "{v}");
    assert!(
        v["data"]["create_rawout"]
            .as_str()
            .unwrap_or_default()
            .contains("with key authentication")
    );
}

#[tokio::test]
async fn create_remote_user_transfer_session() {
    let s = sim(&[]).await;
    let v = s
        .api_json(
            "create_remote_user_transfer_session",
            "host=hostname.example.com&password=12345luggage&unrestricted_restore=1",
        )
        .await;
    assert_eq!(
        reason(&v),
        "The system was unable to resolve the host, “hostname.example.com”, to an IP address."
    );
    let v = s
        .api_json(
            "create_remote_user_transfer_session",
            "host=remote.example.com&password=12345luggage&unrestricted_restore=1",
        )
        .await;
    meta(&v, "create_remote_user_transfer_session");
    assert_eq!(keys(&v["data"]), ["transfer_session_id"]);
    let id = v["data"]["transfer_session_id"].as_str().unwrap_or_default();
    assert_eq!(id.len(), 36);
    assert!(id.contains("noroo"));
    let v = s
        .api_json("create_remote_user_transfer_session", "host=remote.example.com")
        .await;
    assert_eq!(reason(&v), "Provide the “password” parameter.");
}

#[tokio::test]
async fn available_transfer_modules() {
    let s = sim(&[]).await;
    let v = s.api_json("available_transfer_modules", "").await;
    meta(&v, "available_transfer_modules");
    let m = &v["data"]["modules"];
    for (k, p) in [
        ("AccountLocal", "5000"),
        ("AccountRemoteRoot", "3000"),
        ("AccountRemoteUser", "4000"),
        ("FeatureListRemoteRoot", "1000"),
        ("LegacyAccountBackup", "6000"),
        ("PackageRemoteRoot", "2000"),
    ] {
        assert_eq!(m[k], json!(p), "{k}");
    }
    assert_eq!(m.as_object().map(|o| o.len()), Some(19));
    assert!(
        m.as_object()
            .is_some_and(|o| o.values().all(|p| p.as_str().is_some_and(|s| s.parse::<u32>().is_ok())))
    );
}

#[tokio::test]
async fn transfer_module_schema_account_remote_root() {
    let s = sim(&[]).await;
    let v = s.api_json("transfer_module_schema", "module=AccountRemoteRoot").await;
    meta(&v, "transfer_module_schema");
    let oas = json!({
        "copypoint":{"def":"text"},"cpmovefile":{"def":"text"},"customip":{"def":"char(255) DEFAULT NULL"},
        "detected_remote_user":{"def":"char(255) DEFAULT NULL"},"disabled":{"def":"text"},"domain":{"def":"char(255) DEFAULT NULL"},
        "files":{"def":"BIGINT UNSIGNED DEFAULT 1"},"force":{"def":"int(1) DEFAULT 0"},"ip":{"def":"int(1) DEFAULT 0"},
        "live_transfer":{"def":"int(1) DEFAULT 0"},"localuser":{"def":"char(255) DEFAULT NULL"},"mail_location":{"def":"char(255) DEFAULT NULL"},
        "overwrite_all_dbs":{"def":"int(1) DEFAULT 0"},"overwrite_all_dbusers":{"def":"int(1) DEFAULT 0"},
        "overwrite_sameowner_dbs":{"def":"int(1) DEFAULT 0"},"overwrite_sameowner_dbusers":{"def":"int(1) DEFAULT 0"},
        "overwrite_with_delete":{"def":"int(1) DEFAULT 0"},"prerequisite_user":{"def":"char(255) DEFAULT NULL"},
        "priority":{"def":"int(1) DEFAULT 255"},"replaceip":{"def":"char(255) DEFAULT NULL"},"reseller":{"def":"int(1) DEFAULT 0"},
        "shared_mysql_server":{"def":"int(1) DEFAULT 0"},"size":{"def":"BIGINT UNSIGNED DEFAULT 1"},"skipaccount":{"def":"int(1) DEFAULT 0"},
        "skipacctdb":{"def":"int(1) DEFAULT 0"},"skipbwdata":{"def":"int(1) DEFAULT 0"},"skipemail":{"def":"int(1) DEFAULT 0"},
        "skiphomedir":{"def":"int(1) DEFAULT 0"},"skipres":{"def":"int(1) DEFAULT 0"},"skipsubdomains":{"def":"int(1) DEFAULT 0"},
        "user":{"def":"char(255) DEFAULT NULL"},"xferpoint":{"def":"int(1) DEFAULT 0"}
    });
    let got = &v["data"]["schema"]["keys"];
    for (k, def) in oas.as_object().into_iter().flatten() {
        assert_eq!(&got[k], def, "{k}");
    }
    assert_eq!(v["data"]["schema"]["primary"], json!(["user"]));
    assert_eq!(v["data"]["schema"]["required"], json!(["user", "localuser"]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_functions() {
    let s = sim(&[]).await;
    let sid = format!("transfer_session_id={DEMO_SESSION}");
    let v = s.api_json("get_transfer_session_state", &sid).await;
    meta(&v, "get_transfer_session_state");
    assert_eq!(keys(&v["data"]), ["state_name"]);

    let v = s.api_json("analyze_transfer_session_remote", &sid).await;
    meta(&v, "analyze_transfer_session_remote");
    assert!(v.get("data").is_none());

    let v = s.api_json("retrieve_transfer_session_remote_analysis", &sid).await;
    meta(&v, "retrieve_transfer_session_remote_analysis");
    let d = &v["data"];
    assert_eq!(
        keys(d),
        [
            "config",
            "items",
            "local",
            "modules",
            "options",
            "remote",
            "transfer_session_id"
        ]
    );
    for k in [
        "available_ips",
        "dbs",
        "dedicated_ips",
        "domains",
        "groups",
        "host",
        "major_version",
        "roundcube_dbtype",
        "users",
        "version",
    ] {
        assert!(d["local"].get(k).is_some(), "local.{k}");
    }
    for k in [
        "conflicts",
        "cpversion",
        "dbs",
        "has_disk_used",
        "has_files_used",
        "has_owners",
        "has_package_extensions",
        "has_xfertool",
        "host",
        "hostname",
        "linked_nodes",
        "major_version",
        "resellers",
        "roundcube_dbtype",
        "server_type",
        "supports_live_transfers",
        "version",
    ] {
        assert!(d["remote"].get(k).is_some(), "remote.{k}");
    }
    assert!(d["modules"]["MySQL"]["analysis"].is_object());

    let v = s
        .api_json(
            "enqueue_transfer_item",
            &format!("{sid}&module=AccountRemoteRoot&user=example&localuser=example"),
        )
        .await;
    assert_eq!(
        v,
        json!({"metadata":{"version":1,"reason":"OK","result":"1","command":"enqueue_transfer_item"}})
    );

    let v = s.api_json("start_transfer_session", &sid).await;
    meta(&v, "start_transfer_session");
    assert!(v["data"]["pid"].as_u64().is_some_and(|p| p >= 1));
    s.wait_state(DEMO_SESSION, &["COMPLETED"]).await;

    let v = s
        .api_json("fetch_transfer_session_log", &format!("{sid}&logfile=master.log"))
        .await;
    meta(&v, "fetch_transfer_session_log");
    let log = v["data"]["log"].as_str().unwrap_or_default();
    let first: Value = serde_json::from_str(log.lines().next().unwrap_or_default()).unwrap_or_default();
    assert_eq!(keys(&first), ["contents", "indent", "partial", "pid", "type"]);
    assert_eq!(keys(&first["contents"]), ["action", "child_number", "time"]);
}

#[tokio::test]
async fn pause_abort_delete_credential_validate() {
    let s = sim(&[]).await;
    let v = s
        .api_json(
            "pause_transfer_session",
            &format!("transfer_session_id={STALE_SESSION}"),
        )
        .await;
    assert_eq!(
        v,
        json!({"metadata":{"version":1,"reason":"OK.","result":"1","command":"pause_transfer_session"}})
    );
    let v = s
        .api_json("abort_transfer_session", &format!("transfer_session_id={DEMO_SESSION}"))
        .await;
    assert_eq!(
        v,
        json!({"metadata":{"version":1,"reason":"OK","result":"1","command":"abort_transfer_session"}})
    );

    let v = s
        .api_json("delete_account_archives", "user=username&mountpoint=/home/example/")
        .await;
    meta(&v, "delete_account_archives");
    assert!(v["metadata"]["output"]["messages"].is_array());
    assert!(v["metadata"]["output"]["warnings"].is_array());
    assert!(v.get("data").is_none());

    let v = s
        .api_json(
            "remote_basic_credential_check",
            "host=remote.example.com&user=root&password=luggage12345",
        )
        .await;
    meta(&v, "remote_basic_credential_check");
    assert!(v["data"]["output"].is_string() && v["data"]["response"].is_string());
    let v = s
        .api_json(
            "remote_basic_credential_check",
            "host=remote.example.com&user=admin&password=luggage12345&root_escalation_method=sudo",
        )
        .await;
    assert_eq!(v["data"]["escalation_method_used"], json!("sudo"));
    let v = s
        .api_json(
            "remote_basic_credential_check",
            "host=remote.example.com&user=root&password=nope",
        )
        .await;
    assert_eq!(v["metadata"]["result"], json!(0));
    assert!(v["data"]["output"].is_string());

    let v = s.api_json("validate_system_user", "user=username").await;
    meta(&v, "validate_system_user");
    assert_eq!(
        keys(&v["data"]),
        ["exists", "reserved", "valid_for_new", "valid_for_transfer"]
    );
    assert!(v["data"].as_object().is_some_and(|o| o.values().all(Value::is_i64)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restore_modules_summary_and_local_restore() {
    let s = sim(&[]).await;
    let v = s.api_json("restore_modules_summary", "").await;
    meta(&v, "restore_modules_summary");
    let mods = v["data"]["modules"].as_array().cloned().unwrap_or_default();
    assert!(!mods.is_empty());
    for m in &mods {
        assert!(m["module"].is_string() && m["summary"].is_array() && m["restricted_available"].is_i64());
    }
    let v = s
        .api_json("start_local_cpmove_restore", "cpmovepath=/home/nope.tar.gz")
        .await;
    assert_eq!(reason(&v), "The path “/home/nope.tar.gz” does not exist.");
    let v = s
        .api_json("start_local_cpmove_restore", "cpmovepath=/home/cpmove-restoreme.tar.gz")
        .await;
    meta(&v, "start_local_cpmove_restore");
    let id = v["data"]["transfer_session_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(id.contains("start"), "{id}");
    assert_eq!(s.wait_state(&id, &["COMPLETED"]).await, "COMPLETED");
    let log = s
        .log(&id, "item-TRANSFER_AccountLocal_restoreme")
        .await
        .unwrap_or_default();
    assert!(log.contains("Setup “/home/cpmove-restoreme.tar.gz”: success!"));
    let master = s.log(&id, "master.log").await.unwrap_or_default();
    assert!(master.contains("\"msg\":\"start_local_cpmove_restore\""));
}
