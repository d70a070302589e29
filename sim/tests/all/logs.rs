//! §6.3 log line format, §3.14 fetch_transfer_session_log, scenario-driven outcomes.

use serde_json::Value;

use crate::common::*;

fn parse_lines(log: &str) -> Vec<Value> {
    log.lines()
        .map(|l| match serde_json::from_str::<Value>(l) {
            Ok(v) => v,
            Err(e) => panic!("bad log line ({e}): {l}"),
        })
        .collect()
}

fn assert_line_shape(v: &Value, kind: Option<&str>) {
    let o = v.as_object().unwrap_or_else(|| panic!("not an object: {v}"));
    assert!(o["pid"].as_u64().is_some_and(|p| p > 0), "{v}");
    assert_eq!(o["indent"], Value::from(0));
    assert_eq!(o["partial"], Value::from(0));
    assert!(o["contents"].is_object(), "{v}");
    if let Some(k) = kind {
        assert_eq!(o["type"], Value::from(k), "{v}");
    }
    for k in o.keys() {
        assert!(
            ["pid", "type", "indent", "partial", "contents", "source"].contains(&k.as_str()),
            "{k}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn master_and_item_logs() {
    let s = sim(&[]).await;
    for u in ["example", "you", "dbclash", "ipone", "iptwo", "testsite"] {
        s.enqueue_account(DEMO_SESSION, u, "size=1000&ip=1").await;
    }
    let v = s
        .api_json(
            "fetch_transfer_session_log",
            &format!("transfer_session_id={DEMO_SESSION}&logfile=master.log"),
        )
        .await;
    assert_eq!(
        reason(&v),
        format!(
            "The system failed to locate either the file “/var/cpanel/transfer_sessions/{DEMO_SESSION}/master.log” or the file “/var/cpanel/transfer_sessions/{DEMO_SESSION}/.master.log”."
        )
    );
    s.api_json("start_transfer_session", &format!("transfer_session_id={DEMO_SESSION}"))
        .await;
    s.wait_state(DEMO_SESSION, &["COMPLETED"]).await;
    let master = s.log(DEMO_SESSION, "master.log").await.unwrap_or_default();
    let lines = parse_lines(&master);
    for l in &lines {
        assert_line_shape(l, Some("control"));
        assert!(l["contents"]["time"].as_i64().is_some_and(|t| t > 1_600_000_000));
        assert!(l["contents"]["child_number"].is_u64());
    }
    let acts = actions(&master);
    assert_eq!(
        &acts[..8],
        [
            "start",
            "initiator",
            "version",
            "queue_count",
            "queue_size",
            "queue_count",
            "queue_size",
            "remotehost"
        ]
    );
    assert_eq!(lines[1]["contents"]["msg"], Value::from("copyacct"));
    assert_eq!(lines[2]["contents"]["msg"], serde_json::json!(2.3));
    assert_eq!(lines[3]["contents"]["queue"], Value::from("TRANSFER"));
    assert_eq!(lines[3]["contents"]["msg"], Value::from(6));
    assert_eq!(lines[4]["contents"]["msg"], Value::from(6000));
    assert_eq!(lines[7]["contents"]["msg"], Value::from("remote.example.com"));
    assert_eq!(acts.last().map(String::as_str), Some("complete"));

    // process-item names its log; item fields are present
    let pi: Vec<&Value> = lines
        .iter()
        .filter(|l| l["contents"]["action"] == "process-item")
        .collect();
    assert_eq!(pi.len(), 12);
    for l in &pi {
        let c = &l["contents"];
        assert_eq!(c["msg"], c["logfile"]);
        assert_eq!(c["item_name"], Value::from("Account"));
        assert_eq!(c["item_type"], Value::from("AccountRemoteRoot"));
        assert!(c["queue"] == "TRANSFER" || c["queue"] == "RESTORE");
    }
    // outcomes: “you” exists locally, “testsite” is reserved, iptwo gets no dedicated IP
    let failed: Vec<&Value> = lines
        .iter()
        .filter(|l| l["contents"]["action"] == "failed-item" && l["contents"]["queue"] == "RESTORE")
        .collect();
    let failures: Vec<String> = failed
        .iter()
        .map(|l| l["contents"]["msg"]["failure"].as_str().unwrap_or_default().to_string())
        .collect();
    assert!(
        failures.contains(&"A user named “you” already exists on this server.".to_string()),
        "{failures:?}"
    );
    assert!(
        failures.contains(&"“testsite” is a reserved username on this system.".to_string()),
        "{failures:?}"
    );
    let warned: Vec<&str> = lines
        .iter()
        .filter(|l| l["contents"]["action"] == "warning-item")
        .filter_map(|l| l["contents"]["item"].as_str())
        .collect();
    assert!(warned.contains(&"dbclash") && warned.contains(&"iptwo"), "{warned:?}");
    let w = lines
        .iter()
        .find(|l| l["contents"]["action"] == "warning-item")
        .map(|l| l["contents"]["msg"].clone())
        .unwrap_or_default();
    for k in [
        "size",
        "message",
        "warnings",
        "skipped_items",
        "dangerous_items",
        "altered_items",
        "contents",
    ] {
        assert!(w.get(k).is_some(), "{k} in {w}");
    }

    // item logs
    let item = s
        .log(DEMO_SESSION, "item-RESTORE_AccountRemoteRoot_example")
        .await
        .unwrap_or_default();
    let il = parse_lines(&item);
    for l in &il {
        assert_line_shape(l, None);
    }
    assert_eq!(il[0]["type"], Value::from("start"));
    assert_eq!(
        il[0]["contents"]["msg"][0],
        Value::from("Starting “RESTORE” for “Account” “example”.")
    );
    assert_eq!(il.last().map(|l| l["type"].clone()), Some(Value::from("success")));
    let types: Vec<&str> = il.iter().filter_map(|l| l["type"].as_str()).collect();
    for t in ["out", "control", "modulestatus"] {
        assert!(types.contains(&t), "{t}");
    }
    let pcts: Vec<u64> = il
        .iter()
        .filter(|l| l["contents"]["action"] == "percentage")
        .filter_map(|l| l["contents"]["percentage"].as_u64())
        .collect();
    assert_eq!(pcts.first(), Some(&10));
    assert_eq!(pcts.last(), Some(&100));
    assert!(pcts.windows(2).all(|w| w[0] < w[1]), "{pcts:?}");
    assert!(il.iter().any(|l| l["contents"]["action"] == "summary"));

    let t = s
        .log(DEMO_SESSION, "item-TRANSFER_AccountRemoteRoot_example")
        .await
        .unwrap_or_default();
    let tl = parse_lines(&t);
    let pcts: Vec<u64> = tl.iter().filter_map(|l| l["contents"]["percentage"].as_u64()).collect();
    assert_eq!(pcts, vec![0, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 100]);
    assert!(tl.iter().any(|l| l["source"] == "remote.example.com"));

    let you = s
        .log(DEMO_SESSION, "item-RESTORE_AccountRemoteRoot_you")
        .await
        .unwrap_or_default();
    assert!(
        you.contains(r#""type":"failed""#) && you.contains("Failed: A user named “you” already exists on this server.")
    );
    let err = s.log(DEMO_SESSION, "master.error_log").await.unwrap_or_default();
    assert!(err.contains("“you”"), "{err}");

    // the failed restore leaves the archive behind
    let v = s.api_json("delete_account_archives", "user=you").await;
    assert_eq!(
        v["metadata"]["output"]["messages"][0],
        Value::from("Found archive: /home/cpmove-you.tar.gz")
    );
    // restored accounts exist now
    let v = s.api_json("validate_system_user", "user=example").await;
    assert_eq!(v["data"]["exists"], Value::from(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocking_logs_wait_until_closed() {
    let s = sim(&["--blocking-logs", "--speed", "40"]).await;
    s.enqueue_account(DEMO_SESSION, "example", "").await;
    s.api_json("start_transfer_session", &format!("transfer_session_id={DEMO_SESSION}"))
        .await;
    // master.log is only closed when the session ends: the call returns the whole log
    let log = s.log(DEMO_SESSION, "master.log").await.unwrap_or_default();
    assert!(log.contains(r#""action":"complete","child_number":0"#), "{log}");
    let st = s.state(DEMO_SESSION).await;
    assert_eq!(st, "COMPLETED");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn non_blocking_logs_return_what_exists() {
    let s = sim(&["--speed", "5"]).await;
    s.enqueue_account(DEMO_SESSION, "example", "").await;
    s.api_json("start_transfer_session", &format!("transfer_session_id={DEMO_SESSION}"))
        .await;
    let log = s.log(DEMO_SESSION, "master.log").await.unwrap_or_default();
    assert!(log.contains(r#""action":"start""#));
    assert!(!log.contains(r#""action":"complete","child_number":0"#));
    s.api_json("abort_transfer_session", &format!("transfer_session_id={DEMO_SESSION}"))
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn force_overwrites_only_in_unrestricted_sessions() {
    let s = sim(&[]).await;
    let v = s
        .api_json(
            "create_remote_root_transfer_session",
            "host=remote.example.com&user=root&password=luggage12345&transfer_threads=1&restore_threads=1&unrestricted_restore=1&comm_transport=ssh&copy_reseller_privs=0&compressed=1&unencrypted=0&use_backups=0&low_priority=0&enable_custom_pkgacct=0",
        )
        .await;
    let id = v["data"]["transfer_session_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    s.enqueue_account(&id, "you", "force=1").await;
    s.api_json("start_transfer_session", &format!("transfer_session_id={id}"))
        .await;
    s.wait_state(&id, &["COMPLETED"]).await;
    let master = s.log(&id, "master.log").await.unwrap_or_default();
    assert!(!master.contains("failed-item"), "{master}");
    assert!(master.contains("The system overwrote the existing account “you”."));

    // the demo session is restricted: force is ignored
    s.enqueue_account(DEMO_SESSION, "you", "force=1").await;
    s.api_json("start_transfer_session", &format!("transfer_session_id={DEMO_SESSION}"))
        .await;
    s.wait_state(DEMO_SESSION, &["COMPLETED"]).await;
    let master = s.log(DEMO_SESSION, "master.log").await.unwrap_or_default();
    assert!(master.contains("A user named “you” already exists on this server."));
}
