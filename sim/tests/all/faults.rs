//! Fault injection and control endpoints.

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde_json::Value;

use crate::common::*;

async fn fault(s: &Sim, spec: &str) {
    let r = s.post_json("/__sim/faults", spec).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

#[tokio::test]
async fn http500_html_malformed_truncated() {
    let s = sim(&[]).await;
    fault(
        &s,
        r#"{"function":"validate_system_user","kind":"http500","match":{"user":"bo"},"times":1}"#,
    )
    .await;
    let r = s.api("validate_system_user", "user=al").await;
    assert_eq!(r.status, StatusCode::OK);
    let r = s.api("validate_system_user", "user=bo").await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(r.header("content-type").starts_with("text/html"));
    let r = s.api("validate_system_user", "user=bo").await;
    assert_eq!(r.status, StatusCode::OK, "times=1 is used up");

    fault(&s, r#"{"function":"validate_system_user","kind":"html","times":1}"#).await;
    let r = s.api("validate_system_user", "user=bo").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.header("content-type").starts_with("text/html"));
    assert!(r.body.contains("WHM Login"));

    fault(
        &s,
        r#"{"function":"validate_system_user","kind":"malformed","times":1}"#,
    )
    .await;
    let r = s.api("validate_system_user", "user=bo").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.header("content-type").starts_with("application/json"));
    assert!(serde_json::from_str::<Value>(&r.body).is_err());

    let full = s.api("validate_system_user", "user=bo").await.body;
    fault(
        &s,
        r#"{"function":"validate_system_user","kind":"truncated","times":1}"#,
    )
    .await;
    let r = s.api("validate_system_user", "user=bo").await;
    assert!(serde_json::from_str::<Value>(&r.body).is_err());
    assert!(full.starts_with(&r.body) && r.body.len() <= full.len() / 2 && !r.body.is_empty());
}

#[tokio::test]
async fn delay_and_unlimited_times_and_clear() {
    let s = sim(&[]).await;
    fault(
        &s,
        r#"{"function":"available_transfer_modules","kind":"delay","delay_ms":150}"#,
    )
    .await;
    for _ in 0..2 {
        let t = Instant::now();
        let r = s.api("available_transfer_modules", "").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(t.elapsed() >= Duration::from_millis(150));
        assert!(ok(&r.json()));
    }
    let r = s.get("/__sim/faults").await;
    assert_eq!(r.json()["faults"].as_array().map(Vec::len), Some(1));
    let r = s
        .send(
            axum::http::Request::delete("/__sim/faults")
                .body(axum::body::Body::empty())
                .unwrap_or_default(),
        )
        .await;
    assert_eq!(r.json()["cleared"], Value::from(1));
    assert_eq!(s.get("/__sim/faults").await.json()["faults"], serde_json::json!([]));
    // Behaviour, not a time budget: a ten-minute delay fault holds a call back; once cleared, the
    // next call answers (the bounds are minutes apart, so a slow machine cannot flip the result).
    fault(
        &s,
        r#"{"function":"available_transfer_modules","kind":"delay","delay_ms":600000}"#,
    )
    .await;
    let delayed = tokio::time::timeout(Duration::from_millis(50), s.api("available_transfer_modules", "")).await;
    assert!(delayed.is_err(), "the delay fault holds the answer back");
    s.send(
        axum::http::Request::delete("/__sim/faults")
            .body(axum::body::Body::empty())
            .unwrap_or_default(),
    )
    .await;
    let r = tokio::time::timeout(Duration::from_secs(60), s.api("available_transfer_modules", "")).await;
    assert!(
        r.is_ok_and(|r| ok(&r.json())),
        "no fault left: answered without the ten-minute delay"
    );
}

#[tokio::test]
async fn expire_after_calls_then_access_denied() {
    let s = sim(&[]).await;
    fault(
        &s,
        r#"{"function":"get_transfer_session_state","kind":"expire","after_calls":1}"#,
    )
    .await;
    let p = format!("transfer_session_id={DEMO_SESSION}");
    assert_eq!(s.api("get_transfer_session_state", &p).await.status, StatusCode::OK);
    let r = s.api("get_transfer_session_state", &p).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("Access denied"));
    // the login session is gone for every function
    assert_eq!(
        s.api("available_transfer_modules", "").await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn drop_is_marked_for_the_server_loop() {
    let s = sim(&[]).await;
    fault(&s, r#"{"function":"*","kind":"drop","times":1}"#).await;
    let r = s.api("available_transfer_modules", "").await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(s.api("available_transfer_modules", "").await.status, StatusCode::OK);
}

#[tokio::test]
async fn bad_fault_specs_are_rejected() {
    let s = sim(&[]).await;
    let r = s
        .post_json("/__sim/faults", r#"{"function":"x","kind":"explode"}"#)
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = s.post_json("/__sim/faults", "not json").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_restores_the_scenario() {
    let s = sim(&[]).await;
    s.enqueue_account(DEMO_SESSION, "example", "").await;
    s.api_json("start_transfer_session", &format!("transfer_session_id={DEMO_SESSION}"))
        .await;
    s.wait_state(DEMO_SESSION, &["COMPLETED"]).await;
    let v = s.api_json("validate_system_user", "user=example").await;
    assert_eq!(v["data"]["exists"], Value::from(1));
    fault(&s, r#"{"function":"*","kind":"http500"}"#).await;
    let r = s.post_json("/__sim/reset", "").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(s.state(DEMO_SESSION).await, "PENDING");
    let v = s.api_json("validate_system_user", "user=example").await;
    assert_eq!(v["data"]["exists"], Value::from(0));
    assert_eq!(s.get("/__sim/health").await.body, "ok");
    let r = s.get("/__sim/sessions").await;
    assert!(r.body.contains(DEMO_SESSION));
}

#[tokio::test]
async fn access_log_never_holds_bodies() {
    let path = std::env::temp_dir().join(format!("whm-sim-access-{}.log", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let p = path.to_string_lossy().to_string();
    let s = sim(&["--access-log", &p]).await;
    s.api(
        "create_remote_root_transfer_session",
        "host=remote.example.com&user=root&password=luggage12345",
    )
    .await;
    s.get(&format!(
        "/cpsess{TOKEN}/json-api/validate_system_user?api.version=1&user=bob"
    ))
    .await;
    let log = std::fs::read_to_string(&path).unwrap_or_default();
    let _ = std::fs::remove_file(&path);
    assert!(!log.contains("luggage12345") && !log.contains("demo"), "{log}");
    assert!(!log.contains(TOKEN), "the security token is never logged: {log}");
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines[0], "POST /login/?login_only=1 200");
    assert_eq!(
        lines[1],
        "POST /cpsess**********/json-api/create_remote_root_transfer_session 200"
    );
    assert_eq!(
        lines[2],
        "GET /cpsess**********/json-api/validate_system_user?api.version=1&user=bob 200"
    );
}
