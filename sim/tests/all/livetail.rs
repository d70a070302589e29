//! §6.4 live tail: framing, keep-alives, termination, reconnect positions.

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use futures_util::StreamExt;
use serde_json::Value;
use tower::ServiceExt;

use crate::common::*;

fn tail_url(id: &str, term: &str, files: &[(&str, usize)]) -> String {
    let mut u =
        format!("/cpsess{TOKEN}/cgi/live_tail_log.cgi?system_id=transfers&session_id={id}&termination_integer={term}");
    for (i, (f, p)) in files.iter().enumerate() {
        u.push_str(&format!("&log_file{n}={f}&log_file_position{n}={p}", n = i + 1));
    }
    u
}

/// Read the whole stream (bounded by a timeout).
async fn read_stream(s: &Sim, url: &str, max: Duration) -> (StatusCode, String) {
    let req = Request::get(url)
        .header(header::HOST, HOST)
        .header(header::COOKIE, &s.cookie)
        .body(Body::empty())
        .unwrap_or_default();
    let resp = match s.router.clone().oneshot(req).await {
        Ok(r) => r,
        Err(e) => match e {},
    };
    let status = resp.status();
    let mut stream = resp.into_body().into_data_stream();
    let mut out = Vec::new();
    let start = Instant::now();
    while start.elapsed() < max {
        match tokio::time::timeout(max.saturating_sub(start.elapsed()), stream.next()).await {
            Ok(Some(Ok(chunk))) => out.extend_from_slice(&chunk),
            _ => break,
        }
    }
    (status, String::from_utf8_lossy(&out).into_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn framing_and_termination() {
    let s = sim(&["--speed", "100"]).await;
    for u in ["example", "dbclash"] {
        s.enqueue_account(DEMO_SESSION, u, "").await;
    }
    s.api_json("start_transfer_session", &format!("transfer_session_id={DEMO_SESSION}"))
        .await;
    let url = tail_url(DEMO_SESSION, "31337", &[("master.log", 0), ("master.error_log", 0)]);
    let (status, body) = read_stream(&s, &url, Duration::from_secs(20)).await;
    assert_eq!(status, StatusCode::OK);
    let lines: Vec<&str> = body.lines().collect();
    assert!(lines.len() > 10, "{body}");
    assert_eq!(&lines[lines.len() - 2..], ["[tail_end:31337]", "[tail_end:31337]"]);
    let mut pos = 0usize;
    for l in &lines[..lines.len() - 2] {
        if *l == "." {
            continue;
        }
        let mut parts = l.splitn(3, '|');
        let (file, n, json) = (parts.next(), parts.next(), parts.next());
        assert_eq!(file, Some("master.log"), "{l}");
        let n: usize = n.and_then(|n| n.parse().ok()).unwrap_or(0);
        let json = json.unwrap_or_default();
        assert_eq!(n, json.len() + 1, "{l}");
        assert!(serde_json::from_str::<Value>(json).is_ok(), "{l}");
        pos += n;
    }
    // the byte counts add up to the file length
    let master = s.log(DEMO_SESSION, "master.log").await.unwrap_or_default();
    assert_eq!(pos, master.len());

    // reconnect from the end: nothing but the terminator
    let url = tail_url(DEMO_SESSION, "7", &[("master.log", pos)]);
    let (_, body) = read_stream(&s, &url, Duration::from_secs(5)).await;
    assert_eq!(body, "[tail_end:7]\n[tail_end:7]\n");

    // reconnect from the middle: exactly the rest
    let first_len = master.find('\n').map_or(0, |i| i + 1);
    let url = tail_url(DEMO_SESSION, "8", &[("master.log", first_len)]);
    let (_, body) = read_stream(&s, &url, Duration::from_secs(5)).await;
    let n = body.lines().filter(|l| l.starts_with("master.log|")).count();
    assert_eq!(n, master.lines().count() - 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keepalives_while_idle_and_errors() {
    let s = sim(&[]).await;
    // PENDING: no master.log yet → keep-alives about once a second
    let url = tail_url(DEMO_SESSION, "1", &[("master.log", 0)]);
    let (status, body) = read_stream(&s, &url, Duration::from_millis(1300)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, ".\n");

    let r = s.get(&tail_url("nosuchsession", "1", &[("master.log", 0)])).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = s
        .get(&format!(
            "/cpsess{TOKEN}/cgi/live_tail_log.cgi?system_id=pkgacct&session_id=x&log_file1=a"
        ))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = s.get_anon(&tail_url(DEMO_SESSION, "1", &[("master.log", 0)])).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn item_logs_can_be_tailed() {
    let s = sim(&["--speed", "200"]).await;
    s.enqueue_account(DEMO_SESSION, "example", "").await;
    s.api_json("start_transfer_session", &format!("transfer_session_id={DEMO_SESSION}"))
        .await;
    s.wait_state(DEMO_SESSION, &["COMPLETED"]).await;
    let url = tail_url(
        DEMO_SESSION,
        "5",
        &[
            ("item-TRANSFER_AccountRemoteRoot_example", 0),
            ("item-RESTORE_AccountRemoteRoot_example", 0),
        ],
    );
    let (_, body) = read_stream(&s, &url, Duration::from_secs(5)).await;
    assert!(body.contains("item-TRANSFER_AccountRemoteRoot_example|"));
    assert!(body.contains("item-RESTORE_AccountRemoteRoot_example|"));
    assert!(body.ends_with("[tail_end:5]\n[tail_end:5]\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_item_log_streams_while_its_item_runs_with_percentages_between_0_and_100() {
    let s = sim(&["--speed", "4"]).await;
    s.enqueue_account(DEMO_SESSION, "example", "").await;
    s.api_json("start_transfer_session", &format!("transfer_session_id={DEMO_SESSION}"))
        .await;
    // A client follows the item log from the start, as the console does once `process-item` names it.
    let log = "item-TRANSFER_AccountRemoteRoot_example";
    let req = Request::get(tail_url(DEMO_SESSION, "9", &[(log, 0)]))
        .header(header::HOST, HOST)
        .header(header::COOKIE, &s.cookie)
        .body(Body::empty())
        .unwrap_or_default();
    let resp = match s.router.clone().oneshot(req).await {
        Ok(r) => r,
        Err(e) => match e {},
    };
    assert_eq!(resp.status(), StatusCode::OK);
    let mut stream = resp.into_body().into_data_stream();
    let (mut pending, mut chunks_with_lines, mut percentages, mut ended) = (String::new(), 0, Vec::new(), false);
    let start = Instant::now();
    while !ended && start.elapsed() < Duration::from_secs(30) {
        let Ok(Some(Ok(chunk))) = tokio::time::timeout(Duration::from_secs(5), stream.next()).await else {
            break;
        };
        pending.push_str(&String::from_utf8_lossy(&chunk));
        let mut lines_here = false;
        while let Some(nl) = pending.find('\n') {
            let line: String = pending.drain(..=nl).collect();
            let Some(json) = line
                .strip_prefix(&format!("{log}|"))
                .and_then(|r| r.split_once('|'))
                .map(|(_, j)| j)
            else {
                continue;
            };
            lines_here = true;
            let v: Value = serde_json::from_str(json.trim_end()).unwrap_or_default();
            if v["contents"]["action"] == "percentage" {
                percentages.push(v["contents"]["percentage"].as_f64().unwrap_or(-1.0));
            }
            ended |= v["type"] == "success" || v["type"] == "failed";
        }
        chunks_with_lines += usize::from(lines_here);
    }
    assert!(ended, "the item's end line arrived: {percentages:?}");
    // the restore still runs: the lines came while the session ran, not after
    assert_eq!(s.state(DEMO_SESSION).await, "RUNNING");
    assert!(
        chunks_with_lines >= 3,
        "written step by step, streamed as written ({chunks_with_lines} chunks)"
    );
    let between: Vec<f64> = percentages.iter().copied().filter(|p| *p > 0.0 && *p < 100.0).collect();
    assert!(between.len() >= 5, "intermediate percentages: {percentages:?}");
    assert!(
        percentages.windows(2).all(|w| w[0] <= w[1]),
        "never back: {percentages:?}"
    );
    assert_eq!(percentages.last(), Some(&100.0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_log_line_is_written_into_an_open_log_and_streamed_with_its_length() {
    let s = sim(&["--speed", "1"]).await;
    let long = |log: &str, id: &str| format!(r#"{{"session_id":"{id}","log":"{log}","bytes":2000000}}"#);
    // nothing runs yet: master.log is not open
    let r = s
        .post_json("/__sim/long-log-line", &long("master.log", DEMO_SESSION))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let r = s
        .post_json("/__sim/long-log-line", &long("master.log", "nosuchsession"))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    s.enqueue_account(DEMO_SESSION, "example", "").await;
    s.api_json("start_transfer_session", &format!("transfer_session_id={DEMO_SESSION}"))
        .await;
    let before = s.log(DEMO_SESSION, "master.log").await.unwrap_or_default().len();
    let r = s
        .post_json("/__sim/long-log-line", &long("master.log", DEMO_SESSION))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let written = r.json()["bytes"].as_u64().unwrap_or(0) as usize;
    assert!(written > 2_000_000, "{}", r.body);
    let master = s.log(DEMO_SESSION, "master.log").await.unwrap_or_default();
    let line = master
        .get(before..)
        .and_then(|rest| rest.lines().find(|l| l.len() > 1_000_000))
        .unwrap_or_default();
    assert_eq!(line.len() + 1, written);
    assert!(serde_json::from_str::<Value>(line).is_ok_and(|v| v["type"] == "out"));
    // the tail sends it as any line: its length in the prefix
    let url = tail_url(DEMO_SESSION, "5", &[("master.log", 0)]);
    let (_, body) = read_stream(&s, &url, Duration::from_secs(3)).await;
    assert!(
        body.lines().any(|l| l.starts_with(&format!("master.log|{written}|"))),
        "no long line"
    );
}
