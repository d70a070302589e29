//! Issues 10 and 11 support: user sessions, module schemas, `accountsummary` from what was
//! restored, losing an account, purging a session, and the demo's warning + failure run.

use axum::http::StatusCode;
use serde_json::json;

use crate::common::*;

fn id_arg() -> String {
    format!("transfer_session_id={DEMO_SESSION}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_run_with_one_warning_item_and_one_failed_item() {
    let s = sim(&[]).await;
    for u in ["shop_one", "you"] {
        assert!(ok(&s.enqueue_account(DEMO_SESSION, u, "").await));
    }
    s.api_json("start_transfer_session", &id_arg()).await;
    s.wait_state(DEMO_SESSION, &["COMPLETED"]).await;
    let log = s.log(DEMO_SESSION, "master.log").await.unwrap_or_default();
    let item_action = |user: &str, queue: &str| {
        log.lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter(|v| v["contents"]["item"] == user && v["contents"]["queue"] == queue)
            .filter_map(|v| v["contents"]["action"].as_str().map(str::to_string))
            .filter(|a| a.ends_with("-item") && a != "start-item" && a != "process-item")
            .collect::<Vec<_>>()
    };
    assert_eq!(item_action("shop_one", "RESTORE"), ["warning-item"]);
    assert_eq!(item_action("you", "RESTORE"), ["failed-item"]);
    let err = s.log(DEMO_SESSION, "master.error_log").await.unwrap_or_default();
    assert!(
        err.contains("A user named “you” already exists on this server."),
        "{err}"
    );
    let item = s
        .log(DEMO_SESSION, "item-RESTORE_AccountRemoteRoot_shop_one")
        .await
        .unwrap_or_default();
    assert!(item.contains("AutoSSL will replace it"), "{item}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accountsummary_answers_from_restored_accounts_and_a_lost_one_is_gone() {
    let s = sim(&[]).await;
    let v = s.api_json("accountsummary", "user=example").await;
    assert!(!ok(&v));
    assert_eq!(reason(&v), "Account does not exist.");
    assert_eq!(v["data"]["acct"], json!([]));
    let v = s.api_json("accountsummary", "").await;
    assert_eq!(reason(&v), "You must specify a user or domain to get a summary of.");

    for u in ["example", "ipone", "you"] {
        s.enqueue_account(DEMO_SESSION, u, if u == "ipone" { "ip=1" } else { "" })
            .await;
    }
    s.api_json("start_transfer_session", &id_arg()).await;
    s.wait_state(DEMO_SESSION, &["COMPLETED"]).await;

    let v = s.api_json("accountsummary", "user=example").await;
    assert!(ok(&v), "{v}");
    let a = &v["data"]["acct"][0];
    assert_eq!(a["user"], "example");
    assert_eq!(a["domain"], "example.com");
    assert_eq!(a["owner"], "root");
    assert_eq!(a["diskused"], "117M"); // 123,456,789 bytes
    assert_eq!(a["suspended"], json!(0));
    let by_domain = s.api_json("accountsummary", "domain=EXAMPLE.com").await;
    assert_eq!(by_domain["data"]["acct"][0]["user"], "example");
    let ip = s.api_json("accountsummary", "user=ipone").await;
    assert_ne!(
        ip["data"]["acct"][0]["ip"], a["ip"],
        "a dedicated IP differs from the shared one"
    );
    // the failed restore never created an account
    assert_eq!(
        reason(&s.api_json("accountsummary", "user=you").await),
        "Account does not exist."
    );

    let r = s.post_json("/__sim/lose-account", r#"{"user":"example"}"#).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        reason(&s.api_json("accountsummary", "user=example").await),
        "Account does not exist."
    );
    let v = s.api_json("validate_system_user", "user=example").await;
    assert_eq!(v["data"]["exists"], json!(0));
    let r = s.post_json("/__sim/lose-account", r#"{"user":"example"}"#).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        s.post_json("/__sim/lose-account", "{}").await.status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_purged_session_does_not_exist_any_more() {
    let s = sim(&[]).await;
    s.enqueue_account(DEMO_SESSION, "mailer", "").await;
    s.api_json("start_transfer_session", &id_arg()).await;
    let r = s
        .post_json("/__sim/purge-session", &format!(r#"{{"session_id":"{DEMO_SESSION}"}}"#))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let gone = format!("The session ID “{DEMO_SESSION}” does not exist.");
    for func in [
        "get_transfer_session_state",
        "retrieve_transfer_session_remote_analysis",
        "start_transfer_session",
        "abort_transfer_session",
    ] {
        let v = s.api_json(func, &id_arg()).await;
        assert!(!ok(&v));
        assert_eq!(reason(&v), gone, "{func}");
    }
    let v = s
        .api_json(
            "fetch_transfer_session_log",
            &format!("{}&logfile=master.log", id_arg()),
        )
        .await;
    assert_eq!(reason(&v), gone);
    let r = s
        .get(&format!(
            "/cpsess{TOKEN}/cgi/live_tail_log.cgi?system_id=transfers&session_id={DEMO_SESSION}&log_file1=master.log"
        ))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = s
        .post_json("/__sim/purge-session", &format!(r#"{{"session_id":"{DEMO_SESSION}"}}"#))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // the other session is untouched
    assert_eq!(s.state(STALE_SESSION).await, "RUNNING");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_session_queues_its_one_account_and_runs() {
    let s = sim(&[]).await;
    let v = s
        .api_json(
            "create_remote_user_transfer_session",
            "host=remote.example.com&password=suitcase12345&unrestricted_restore=1",
        )
        .await;
    assert!(ok(&v), "{v}");
    let id = v["data"]["transfer_session_id"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 36);
    let v = s
        .api_json(
            "retrieve_transfer_session_remote_analysis",
            &format!("transfer_session_id={id}"),
        )
        .await;
    assert!(reason(&v).contains("You must provide a session ID with a session type of “RemoteRoot”"));
    let schema = s.api_json("transfer_module_schema", "module=AccountRemoteUser").await;
    assert!(ok(&schema));
    assert!(schema["data"]["schema"]["keys"]["user"].is_object(), "{schema}");
    assert_eq!(schema["data"]["schema"]["primary"], json!(["user"]));
    let v = s
        .api_json(
            "enqueue_transfer_item",
            &format!("transfer_session_id={id}&module=AccountRemoteRoot&user=example"),
        )
        .await;
    assert!(reason(&v).starts_with("User-authenticated transfer sessions cannot enqueue items of this type."));
    let v = s
        .api_json(
            "enqueue_transfer_item",
            &format!("transfer_session_id={id}&module=AccountRemoteUser&user=example&localuser=example"),
        )
        .await;
    assert!(ok(&v), "{v}");
    s.api_json("start_transfer_session", &format!("transfer_session_id={id}"))
        .await;
    s.wait_state(&id, &["COMPLETED"]).await;
    let v = s.api_json("accountsummary", "user=example").await;
    assert!(ok(&v), "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_local_user_added_meanwhile_is_in_the_next_analysis() {
    let s = sim(&[]).await;
    let before = s.api_json("retrieve_transfer_session_remote_analysis", &id_arg()).await;
    assert!(before["data"]["local"]["users"].get("example").is_none());
    let r = s.post_json("/__sim/add-local-user", r#"{"user":"example"}"#).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = s.api_json("validate_system_user", "user=example").await;
    assert_eq!(v["data"]["exists"], json!(1));
    assert!(ok(&s.api_json("analyze_transfer_session_remote", &id_arg()).await));
    let after = s.api_json("retrieve_transfer_session_remote_analysis", &id_arg()).await;
    assert!(
        after["data"]["local"]["users"].get("example").is_some(),
        "{}",
        after["data"]["local"]["users"]
    );
    assert!(after["data"]["local"]["groups"].get("example").is_some());
    let again = s.post_json("/__sim/add-local-user", r#"{"user":"example"}"#).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
}
