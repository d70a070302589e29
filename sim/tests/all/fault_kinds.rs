//! Issue 13's fault matrix kinds, per function and for the live tail; call counts; request capture.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use futures_util::StreamExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::common::*;

async fn fault(s: &Sim, spec: Value) {
    let r = s.post_json("/__sim/faults", &spec.to_string()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

const DENIED: &str = r#"{"cpanelresult":{"apiversion":"2","error":"Access denied","data":{"reason":"Access denied","result":"0"},"type":"text"}}"#;

#[tokio::test]
async fn status_pages_denied_and_result0_hit_only_the_named_function() {
    let s = sim(&[]).await;
    for (kind, status) in [("http500", 500), ("http502", 502), ("http504", 504)] {
        fault(
            &s,
            json!({"function": "validate_system_user", "kind": kind, "times": 1}),
        )
        .await;
        assert!(
            ok(&s.api_json("available_transfer_modules", "").await),
            "other functions answer"
        );
        let r = s.api("validate_system_user", "user=bo").await;
        assert_eq!(r.status.as_u16(), status, "{kind}");
        assert!(r.header("content-type").starts_with("text/html"));
        assert!(r.body.contains(&status.to_string()));
    }
    fault(
        &s,
        json!({"function": "start_transfer_session", "kind": "denied", "times": 1}),
    )
    .await;
    let r = s
        .api("start_transfer_session", &format!("transfer_session_id={DEMO_SESSION}"))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.header("content-type"), "text/plain; charset=\"utf-8\"");
    assert_eq!(r.body, DENIED);
    assert_eq!(s.state(DEMO_SESSION).await, "PENDING", "a denied call does nothing");
    assert!(
        ok(&s.api_json("available_transfer_modules", "").await),
        "the login is kept"
    );

    fault(
        &s,
        json!({"function": "enqueue_transfer_item", "kind": "result0", "reason": "Nope.", "times": 1}),
    )
    .await;
    let v = s.enqueue_account(DEMO_SESSION, "example", "").await;
    assert!(!ok(&v));
    assert_eq!(v["metadata"]["result"], json!(0));
    assert_eq!(reason(&v), "Nope.");
    fault(
        &s,
        json!({"function": "get_transfer_session_state", "kind": "result0", "times": 1}),
    )
    .await;
    let v = s
        .api_json(
            "get_transfer_session_state",
            &format!("transfer_session_id={DEMO_SESSION}"),
        )
        .await;
    assert_eq!(reason(&v), whm_sim::faults::RESULT0_REASON);
}

/// Read a body chunk by chunk, keeping only its length, its head and its tail.
async fn measure(s: &Sim, path: &str, max: Duration) -> (StatusCode, String, u64, Vec<u8>, Vec<u8>, bool) {
    let req = Request::get(path)
        .header(header::HOST, HOST)
        .header(header::COOKIE, &s.cookie)
        .body(Body::empty())
        .unwrap();
    let resp = s.router.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let ct = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let mut stream = resp.into_body().into_data_stream();
    let (mut n, mut head, mut tail, mut newline) = (0u64, Vec::new(), Vec::new(), false);
    let deadline = tokio::time::Instant::now() + max;
    while let Ok(Some(Ok(chunk))) = tokio::time::timeout_at(deadline, stream.next()).await {
        n += chunk.len() as u64;
        newline |= chunk.contains(&b'\n');
        if head.len() < 256 {
            head.extend_from_slice(&chunk[..chunk.len().min(256)]);
        }
        tail.extend_from_slice(&chunk[chunk.len().saturating_sub(64)..]);
        let cut = tail.len().saturating_sub(64);
        tail.drain(..cut);
    }
    (status, ct, n, head, tail, newline)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn huge_reply_is_100_mib_of_valid_json_streamed() {
    let s = sim(&[]).await;
    fault(
        &s,
        json!({"function": "retrieve_transfer_session_remote_analysis", "kind": "huge", "times": 1}),
    )
    .await;
    let path = format!(
        "/cpsess{TOKEN}/json-api/retrieve_transfer_session_remote_analysis?api.version=1&transfer_session_id={DEMO_SESSION}"
    );
    let (status, ct, n, head, tail, _) = measure(&s, &path, Duration::from_secs(60)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(ct.starts_with("application/json"));
    assert_eq!(n, 100 * 1024 * 1024);
    let head = String::from_utf8_lossy(&head);
    assert!(head.starts_with(r#"{"metadata":{"version":1,"reason":"OK","result":1,"command":"retrieve_transfer_session_remote_analysis"},"data":{"padding":"xxx"#), "{head}");
    assert!(tail.ends_with(b"xxx\"}}"));
    // a small one parses as JSON end to end
    fault(
        &s,
        json!({"function": "validate_system_user", "kind": "huge", "size_bytes": 4096, "times": 1}),
    )
    .await;
    let r = s.api("validate_system_user", "user=x").await;
    assert_eq!(r.body.len(), 4096);
    assert!(ok(&r.json()));
}

#[tokio::test]
async fn deep_json_is_valid_and_ten_thousand_deep() {
    let s = sim(&[]).await;
    fault(
        &s,
        json!({"function": "get_transfer_session_state", "kind": "deep", "times": 1}),
    )
    .await;
    let r = s
        .api(
            "get_transfer_session_state",
            &format!("transfer_session_id={DEMO_SESSION}"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.header("content-type").starts_with("application/json"));
    let opens = r.body.matches('[').count();
    assert_eq!(opens, 10_000);
    assert_eq!(r.body.matches(']').count(), 10_000);
    assert!(r.body.ends_with("]}"));
    // serde_json's default recursion limit refuses it: exactly what a careless decoder meets
    assert!(serde_json::from_str::<Value>(&r.body).is_err());
    // …yet it is well-formed: the brackets balance at every prefix and close at the end
    let data = r.body.split_once("\"data\":").map(|x| x.1).unwrap_or_default();
    let mut depth = 0i64;
    for c in data.trim_end_matches('}').chars() {
        depth += match c {
            '[' => 1,
            ']' => -1,
            _ => 0,
        };
        assert!(depth >= 0);
    }
    assert_eq!(depth, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delay_keeps_the_session_pending_and_the_call_is_counted_once() {
    let s = std::sync::Arc::new(sim(&[]).await);
    s.enqueue_account(DEMO_SESSION, "example", "").await;
    s.send(Request::delete("/__sim/calls").body(Body::empty()).unwrap())
        .await;
    fault(
        &s,
        json!({"function": "start_transfer_session", "kind": "delay", "delay_ms": 600_000, "times": 1}),
    )
    .await;
    let s2 = s.clone();
    let start = tokio::spawn(async move {
        s2.api("start_transfer_session", &format!("transfer_session_id={DEMO_SESSION}"))
            .await
    });
    // while the start is held back, the session stays PENDING (for as long as we look)
    for _ in 0..20 {
        assert_eq!(s.state(DEMO_SESSION).await, "PENDING");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(!start.is_finished());
    let calls = s.get("/__sim/calls").await.json();
    assert_eq!(calls["start_transfer_session"], json!(1));
    assert!(calls["get_transfer_session_state"].as_u64().unwrap_or(0) >= 20);
    start.abort();
}

/// Waits until the simulator has received a call to `func` (it is then held, or running).
async fn wait_for_call(s: &Sim, func: &str) {
    let sent = std::time::Instant::now();
    while s.get("/__sim/calls").await.json()[func].as_u64().unwrap_or(0) == 0 {
        assert!(
            sent.elapsed() < Duration::from_secs(15),
            "the {func} call never arrived"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delayed_call_still_happens_when_the_client_gives_up() {
    let s = std::sync::Arc::new(sim(&[]).await);
    s.enqueue_account(DEMO_SESSION, "example", "").await;
    fault(
        &s,
        json!({"function": "start_transfer_session", "kind": "delay", "delay_ms": 50, "times": 1}),
    )
    .await;
    let s2 = s.clone();
    let start = tokio::spawn(async move {
        s2.api("start_transfer_session", &format!("transfer_session_id={DEMO_SESSION}"))
            .await
    });
    // The browser gives up (time limit) while the call is held, not before it was sent: aborting the task
    // before it had run would mean no call at all, and the session would rightly stay PENDING.
    wait_for_call(&s, "start_transfer_session").await;
    start.abort();
    s.wait_state(DEMO_SESSION, &["RUNNING", "COMPLETED"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_aborts_a_call_held_by_a_delay() {
    // A test's delayed call must not land in the next test's fresh world.
    let s = std::sync::Arc::new(sim(&[]).await);
    fault(
        &s,
        json!({"function": "enqueue_transfer_item", "kind": "delay", "delay_ms": 300, "times": 1}),
    )
    .await;
    let s2 = s.clone();
    let call = tokio::spawn(async move {
        s2.api(
            "enqueue_transfer_item",
            &format!("transfer_session_id={DEMO_SESSION}&module=AccountRemoteRoot&user=example&localuser=example"),
        )
        .await
    });
    wait_for_call(&s, "enqueue_transfer_item").await;
    s.post_json("/__sim/reset", "{}").await;
    let r = call.await.expect("the client task");
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", r.body);
    // the aborted call can no longer land: nothing was queued into the fresh session
    let v = s.get("/__sim/sessions").await.json();
    let demo = v["sessions"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["transfer_session_id"] == DEMO_SESSION))
        .cloned()
        .unwrap_or_default();
    assert_eq!(demo["items"], json!([]), "{demo}");
}

#[tokio::test]
async fn requests_are_captured_with_secrets_redacted() {
    let s = sim(&[]).await;
    s.enqueue_account(DEMO_SESSION, "example", "skiphomedir=1&ip=1").await;
    s.api(
        "create_remote_root_transfer_session",
        "host=remote.example.com&user=bob&password=luggage12345&root_password=luggage12345&sshkey_passphrase=pp&root_escalation_method=su",
    )
    .await;
    let r = s.get("/__sim/requests?function=enqueue_transfer_item").await.json();
    let list = r["requests"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["method"], "POST");
    assert_eq!(list[0]["query"], json!({}));
    assert_eq!(list[0]["body"]["skiphomedir"], "1");
    assert_eq!(list[0]["body"]["ip"], "1");
    assert_eq!(list[0]["body"]["user"], "example");
    let all = s.get("/__sim/requests").await.body;
    assert!(!all.contains("luggage12345") && !all.contains("\"pp\""), "{all}");
    let r = s
        .get("/__sim/requests?function=create_remote_root_transfer_session")
        .await
        .json();
    let body = &r["requests"][0]["body"];
    for k in ["password", "root_password", "sshkey_passphrase"] {
        assert_eq!(body[k], "********", "{k}");
    }
    assert_eq!(body["user"], "bob");
    // reset forgets counts and captures
    s.post_json("/__sim/reset", "{}").await;
    assert_eq!(s.get("/__sim/calls").await.json(), json!({}));
}

fn tail_url() -> String {
    format!(
        "/cpsess{TOKEN}/cgi/live_tail_log.cgi?system_id=transfers&session_id={DEMO_SESSION}&termination_integer=7&log_file1=master.log&log_file_position1=0"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_tail_faults() {
    let s = sim(&[]).await;
    let tail = "live_tail_log.cgi";
    // no newline: 1 MiB of bytes, never a line
    fault(
        &s,
        json!({"function": tail, "kind": "nonewline", "size_bytes": 1_048_576, "times": 1}),
    )
    .await;
    let (status, ct, n, _, _, newline) = measure(&s, &tail_url(), Duration::from_secs(20)).await;
    assert_eq!((status, ct.as_str()), (StatusCode::OK, "text/plain; charset=utf-8"));
    assert_eq!(n, 1_048_576);
    assert!(!newline);
    // stalled: headers, then nothing at all
    fault(&s, json!({"function": tail, "kind": "stall", "times": 1})).await;
    let (status, _, n, ..) = measure(&s, &tail_url(), Duration::from_millis(300)).await;
    assert_eq!((status, n), (StatusCode::OK, 0));
    // the status pages, the login page, denied, drop and delay work on the tail too
    for (kind, status) in [
        ("http502", 502),
        ("http504", 504),
        ("html", 200),
        ("denied", 403),
        ("drop", 500),
    ] {
        fault(&s, json!({"function": tail, "kind": kind, "times": 1})).await;
        let r = s.get(&tail_url()).await;
        assert_eq!(r.status.as_u16(), status, "{kind}");
    }
    // malformed and deep lines, then the normal stream again
    fault(
        &s,
        json!({"function": tail, "kind": "deep", "depth": 10000, "times": 1}),
    )
    .await;
    let r = s.get(&tail_url()).await;
    assert_eq!(r.body.matches('[').count(), 10_000);
    fault(&s, json!({"function": tail, "kind": "malformed", "times": 1})).await;
    let r = s.get(&tail_url()).await;
    let line = r.body.lines().next().unwrap_or_default();
    let json_part = line.splitn(3, '|').nth(2).unwrap_or_default();
    assert!(serde_json::from_str::<Value>(json_part).is_err(), "{line}");
    let calls = s.get("/__sim/calls").await.json();
    assert_eq!(calls[tail], json!(9));
}

#[tokio::test]
async fn every_kind_is_listed_and_unknown_kinds_refused() {
    let s = sim(&[]).await;
    for kind in [
        "delay",
        "http500",
        "http502",
        "http504",
        "html",
        "denied",
        "malformed",
        "truncated",
        "drop",
        "expire",
        "result0",
        "huge",
        "deep",
        "nonewline",
        "stall",
    ] {
        fault(&s, json!({"function": "x", "kind": kind})).await;
    }
    assert_eq!(
        s.get("/__sim/faults").await.json()["faults"].as_array().map(Vec::len),
        Some(15)
    );
    let r = s
        .post_json("/__sim/faults", r#"{"function":"x","kind":"http503"}"#)
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}
