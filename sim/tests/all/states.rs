//! §6.1 state machine including the quirks, driven by the simulated workers.

use serde_json::json;

use crate::common::*;

fn sid(id: &str) -> String {
    format!("transfer_session_id={id}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pending_start_runs_to_completed_then_refuses_everything() {
    let s = sim(&[]).await;
    s.enqueue_account(DEMO_SESSION, "example", "size=123456789").await;
    s.api_json(
        "enqueue_transfer_item",
        &format!("{}&module=PackageRemoteRoot&package=package1", sid(DEMO_SESSION)),
    )
    .await;
    let v = s.api_json("start_transfer_session", &sid(DEMO_SESSION)).await;
    assert!(v["data"]["pid"].as_u64().is_some_and(|p| p >= 1), "{v}");
    assert_eq!(s.wait_state(DEMO_SESSION, &["COMPLETED"]).await, "COMPLETED");

    let v = s.api_json("start_transfer_session", &sid(DEMO_SESSION)).await;
    assert_eq!(
        reason(&v),
        format!(
            "The system failed to start the transfer session “{DEMO_SESSION}” because of an error: The processor failed to start because the session “{DEMO_SESSION}” is in the “COMPLETED” state."
        )
    );
    let v = s.api_json("pause_transfer_session", &sid(DEMO_SESSION)).await;
    assert_eq!(reason(&v), "The system failed to “pause” the transfer session.");
    let v = s.api_json("abort_transfer_session", &sid(DEMO_SESSION)).await;
    assert_eq!(reason(&v), "The system failed to “abort” the transfer session.");
    assert_eq!(v["metadata"]["result"], json!(0));
    let v = s
        .api_json(
            "enqueue_transfer_item",
            &format!("{}&module=PackageRemoteRoot&package=gold", sid(DEMO_SESSION)),
        )
        .await;
    assert_eq!(
        reason(&v),
        "The session has already started and cannot accept additional inputs."
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_while_running_returns_the_same_pid() {
    let s = sim(&["--speed", "5"]).await;
    s.enqueue_account(DEMO_SESSION, "example", "").await;
    let a = s.api_json("start_transfer_session", &sid(DEMO_SESSION)).await;
    let b = s.api_json("start_transfer_session", &sid(DEMO_SESSION)).await;
    assert_eq!(a["data"]["pid"], b["data"]["pid"]);
    assert_eq!(s.state(DEMO_SESSION).await, "RUNNING");
    let v = s.api_json("abort_transfer_session", &sid(DEMO_SESSION)).await;
    assert!(ok(&v));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pause_finishes_current_items_then_resume_continues() {
    let s = sim(&["--speed", "20"]).await;
    for u in ["example", "shop_one", "dbclash", "mailer", "ipone", "iptwo"] {
        s.enqueue_account(DEMO_SESSION, u, "size=5000000000").await;
    }
    s.api_json("start_transfer_session", &sid(DEMO_SESSION)).await;
    let v = s.api_json("pause_transfer_session", &sid(DEMO_SESSION)).await;
    assert!(ok(&v) && reason(&v) == "OK.", "{v}");
    assert_eq!(s.state(DEMO_SESSION).await, "PAUSING");
    let v = s.api_json("start_transfer_session", &sid(DEMO_SESSION)).await;
    assert_eq!(
        reason(&v),
        format!(
            "The system failed to start the transfer session “{DEMO_SESSION}” because of an error: The processor failed to start because the session “{DEMO_SESSION}” is pausing."
        )
    );
    let v = s.api_json("pause_transfer_session", &sid(DEMO_SESSION)).await;
    assert_eq!(reason(&v), "The system failed to “pause” the transfer session.");
    assert_eq!(s.wait_state(DEMO_SESSION, &["PAUSED", "COMPLETED"]).await, "PAUSED");
    let log = s.log(DEMO_SESSION, "master.log").await.unwrap_or_default();
    let acts = actions(&log);
    let pausing = acts.iter().position(|a| a == "pausing");
    let pause = acts.iter().position(|a| a == "pause");
    assert!(pausing.is_some() && pause > pausing, "{acts:?}");
    assert!(!acts.contains(&"complete".to_string()) || !log.contains(r#""action":"complete","child_number":0"#));

    // resume = start_transfer_session from PAUSED
    let v = s.api_json("start_transfer_session", &sid(DEMO_SESSION)).await;
    assert!(ok(&v), "{v}");
    assert_eq!(s.wait_state(DEMO_SESSION, &["COMPLETED"]).await, "COMPLETED");
    let log = s.log(DEMO_SESSION, "master.log").await.unwrap_or_default();
    let acts = actions(&log);
    assert_eq!(acts.iter().filter(|a| *a == "resume").count(), 1);
    assert_eq!(acts.iter().filter(|a| *a == "initiator").count(), 1);
    assert!(log.contains(r#""action":"complete","child_number":0"#));
    let done = acts
        .iter()
        .filter(|a| a.ends_with("-item") && *a != "start-item" && *a != "process-item")
        .count();
    assert_eq!(done, 12, "{acts:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pausing_near_the_end_can_complete() {
    let s = sim(&["--speed", "8"]).await;
    s.enqueue_account(DEMO_SESSION, "example", "size=123456789").await;
    s.api_json("start_transfer_session", &sid(DEMO_SESSION)).await;
    s.wait_log(
        DEMO_SESSION,
        "master.log",
        "\"msg\":\"item-RESTORE_AccountRemoteRoot_example\"",
    )
    .await;
    let v = s.api_json("pause_transfer_session", &sid(DEMO_SESSION)).await;
    assert!(ok(&v), "{v}");
    assert_eq!(s.wait_state(DEMO_SESSION, &["PAUSED", "COMPLETED"]).await, "COMPLETED");
}

#[tokio::test]
async fn abort_of_pending_marks_failed_and_reports_success() {
    let s = sim(&[]).await;
    let v = s.api_json("abort_transfer_session", &sid(DEMO_SESSION)).await;
    assert!(ok(&v), "{v}");
    assert!(v.get("data").is_none());
    assert_eq!(s.state(DEMO_SESSION).await, "FAILED");
    let log = s.log(DEMO_SESSION, "master.log").await.unwrap_or_default();
    assert_eq!(actions(&log), vec!["fail"]);
    let v = s.api_json("start_transfer_session", &sid(DEMO_SESSION)).await;
    assert!(reason(&v).ends_with("is in the “FAILED” state."), "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn abort_while_running_goes_through_aborting() {
    let s = sim(&["--speed", "10"]).await;
    // a quick first account, then slow ones: when the first restore runs, transfers are in flight
    s.enqueue_account(DEMO_SESSION, "example", "size=1000&priority=1").await;
    for u in ["shop_one", "dbclash", "mailer"] {
        s.enqueue_account(DEMO_SESSION, u, "size=900000000").await;
    }
    s.api_json("start_transfer_session", &sid(DEMO_SESSION)).await;
    s.wait_log(
        DEMO_SESSION,
        "master.log",
        "\"msg\":\"item-RESTORE_AccountRemoteRoot_example\"",
    )
    .await;
    let v = s.api_json("abort_transfer_session", &sid(DEMO_SESSION)).await;
    assert!(ok(&v), "{v}");
    assert_eq!(s.state(DEMO_SESSION).await, "ABORTING");
    let v = s.api_json("abort_transfer_session", &sid(DEMO_SESSION)).await;
    assert_eq!(reason(&v), "The system failed to “abort” the transfer session.");
    assert_eq!(s.wait_state(DEMO_SESSION, &["ABORTED"]).await, "ABORTED");
    let log = s.log(DEMO_SESSION, "master.log").await.unwrap_or_default();
    let acts = actions(&log);
    assert!(
        acts.contains(&"aborting".to_string()) && acts.last().map(String::as_str) == Some("abort"),
        "{acts:?}"
    );
    assert!(log.contains("\"failure\":\"Aborted.\""), "{log}");
    let v = s.api_json("start_transfer_session", &sid(DEMO_SESSION)).await;
    assert_eq!(
        reason(&v),
        format!(
            "The system failed to start the transfer session “{DEMO_SESSION}” because of an error: The processor failed to start because the session “{DEMO_SESSION}” has been aborted."
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn abort_of_paused_is_immediate() {
    let s = sim(&["--speed", "40"]).await;
    for u in ["example", "shop_one", "dbclash", "mailer"] {
        s.enqueue_account(DEMO_SESSION, u, "size=5000000000").await;
    }
    s.api_json("start_transfer_session", &sid(DEMO_SESSION)).await;
    s.api_json("pause_transfer_session", &sid(DEMO_SESSION)).await;
    assert_eq!(s.wait_state(DEMO_SESSION, &["PAUSED", "COMPLETED"]).await, "PAUSED");
    let v = s.api_json("abort_transfer_session", &sid(DEMO_SESSION)).await;
    assert!(ok(&v));
    assert_eq!(s.state(DEMO_SESSION).await, "ABORTED");
}

#[tokio::test]
async fn stale_running_session_quirks() {
    let s = sim(&[]).await;
    assert_eq!(s.state(STALE_SESSION).await, "RUNNING");
    // start of a RUNNING session returns its pid
    let v = s.api_json("start_transfer_session", &sid(STALE_SESSION)).await;
    assert!(v["data"]["pid"].is_u64(), "{v}");
    // pause with no processor alive → FAILED, reported as success
    let v = s.api_json("pause_transfer_session", &sid(STALE_SESSION)).await;
    assert!(ok(&v) && reason(&v) == "OK.", "{v}");
    assert_eq!(s.state(STALE_SESSION).await, "FAILED");

    // after a reset, abort of the dead RUNNING session ends ABORTED at once
    let r = s.post_json("/__sim/reset", "").await;
    assert_eq!(r.body, "ok");
    assert_eq!(s.state(STALE_SESSION).await, "RUNNING");
    let v = s.api_json("abort_transfer_session", &sid(STALE_SESSION)).await;
    assert!(ok(&v));
    assert_eq!(s.state(STALE_SESSION).await, "ABORTED");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_session_completes() {
    let s = sim(&[]).await;
    s.api_json("start_transfer_session", &sid(DEMO_SESSION)).await;
    assert_eq!(s.wait_state(DEMO_SESSION, &["COMPLETED"]).await, "COMPLETED");
    let log = s.log(DEMO_SESSION, "master.log").await.unwrap_or_default();
    let acts = actions(&log);
    assert_eq!(acts.first().map(String::as_str), Some("start"));
    assert_eq!(acts.last().map(String::as_str), Some("complete"));
}
