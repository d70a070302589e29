//! Issue 13 (simulator): Host check (DNS rebinding), control routes a web page cannot drive
//! cross-site, bounded logins, no token in the access log.

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use tower::ServiceExt;

use crate::common::*;

#[tokio::test]
async fn only_loopback_host_names_are_answered() {
    let s = sim(&[]).await;
    let api = format!("/cpsess{TOKEN}/json-api/available_transfer_modules?api.version=1");
    for path in ["/", "/__sim/health", api.as_str(), "/login/"] {
        for host in [
            "evil.example",
            "evil.example:2087",
            "127.0.0.1.nip.io",
            "localhost.evil.example:80",
        ] {
            let r = s
                .send(
                    Request::get(path)
                        .header(header::HOST, host)
                        .header(header::COOKIE, &s.cookie)
                        .body(Body::empty())
                        .unwrap(),
                )
                .await;
            assert_eq!(r.status, StatusCode::MISDIRECTED_REQUEST, "{host} {path}");
            assert!(r.header("set-cookie").is_empty(), "no login for a foreign name");
            assert_eq!(r.header("x-frame-options"), "SAMEORIGIN");
            assert_eq!(r.header("x-content-type-options"), "nosniff");
        }
        for host in ["127.0.0.1", "localhost:28101", "[::1]:2087"] {
            let r = s
                .send(
                    Request::get(path)
                        .header(header::HOST, host)
                        .header(header::COOKIE, &s.cookie)
                        .body(Body::empty())
                        .unwrap(),
                )
                .await;
            assert_ne!(r.status, StatusCode::MISDIRECTED_REQUEST, "{host} {path}");
        }
    }
    // no Host at all (HTTP/1.1 requires one)
    let resp = s
        .router
        .clone()
        .oneshot(Request::get("/__sim/health").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
}

async fn control(s: &Sim, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Resp {
    let mut b = Request::builder().method(method).uri(path);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    s.send(b.body(Body::from(body.to_string())).unwrap()).await
}

#[tokio::test]
async fn control_routes_refuse_what_a_page_could_send_cross_site() {
    let s = sim(&[]).await;
    s.enqueue_account(DEMO_SESSION, "example", "").await;
    let fault = r#"{"function":"*","kind":"http500"}"#;
    let json = ("content-type", "application/json");
    let drop = r#"{"module":"AccountRemoteRoot","drop":["live_transfer"]}"#;
    for (path, body) in [
        ("/__sim/reset", "{}"),
        ("/__sim/faults", fault),
        ("/__sim/schema", drop),
    ] {
        // what a form or a no-cors fetch can send: text/plain, urlencoded, multipart, nothing
        for ct in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
        ] {
            let r = control(&s, "POST", path, &[("content-type", ct)], body).await;
            assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{path} {ct}");
        }
        assert_eq!(
            control(&s, "POST", path, &[], body).await.status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE
        );
        // JSON, but from another origin or site
        for h in [
            ("origin", "http://evil.example"),
            ("origin", "null"),
            ("origin", "http://127.0.0.1:9999"),
            ("sec-fetch-site", "cross-site"),
            ("sec-fetch-site", "same-site"),
        ] {
            let r = control(&s, "POST", path, &[json, h], body).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{path} {h:?}");
        }
        for route in ["/__sim/faults", "/__sim/schema"] {
            let r = control(&s, "DELETE", route, &[("origin", "http://evil.example")], "").await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{route}");
        }
    }
    // nothing of the above had an effect
    assert_eq!(s.get("/__sim/faults").await.json()["faults"], serde_json::json!([]));
    assert_eq!(s.get("/__sim/schema").await.json()["dropped"], serde_json::json!({}));
    let v = s.get("/__sim/sessions").await.json();
    let demo = v["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["transfer_session_id"] == DEMO_SESSION)
        .cloned();
    assert_eq!(demo.unwrap()["items"].as_array().map(Vec::len), Some(1), "not reset");
    // the test harness' own requests work: JSON, same origin or no origin, DELETE without a body
    let same = ("origin", "http://127.0.0.1:2087");
    let r = control(
        &s,
        "POST",
        "/__sim/faults",
        &[json, same, ("sec-fetch-site", "same-origin")],
        fault,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        control(&s, "DELETE", "/__sim/faults", &[], "").await.status,
        StatusCode::OK
    );
    assert_eq!(
        control(&s, "POST", "/__sim/reset", &[json], "").await.status,
        StatusCode::OK
    );
    let v = s.get("/__sim/sessions").await.json();
    let demo = v["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["transfer_session_id"] == DEMO_SESSION)
        .cloned();
    assert_eq!(demo.unwrap()["items"].as_array().map(Vec::len), Some(0), "reset");
}

#[tokio::test]
async fn logins_are_purged_and_bounded() {
    let s = sim(&[]).await;
    let old = Instant::now().checked_sub(Duration::from_secs(2 * 86_400)).unwrap();
    {
        let mut w = s.app.lock();
        for i in 0..50 {
            w.logins.insert(
                format!("stale{i}"),
                whm_sim::Login {
                    user: "root".into(),
                    token: TOKEN.into(),
                    last_seen: old,
                    post_login: String::new(),
                },
            );
        }
    }
    s.get_anon("/").await;
    {
        let w = s.app.lock();
        assert!(
            w.logins.keys().all(|k| !k.starts_with("stale")),
            "expired logins are gone"
        );
        assert_eq!(w.logins.len(), 2);
    }
    {
        let mut w = s.app.lock();
        for i in 0..whm_sim::MAX_LOGINS {
            w.logins.insert(
                format!("fresh{i}"),
                whm_sim::Login {
                    user: "root".into(),
                    token: TOKEN.into(),
                    last_seen: Instant::now(),
                    post_login: String::new(),
                },
            );
        }
    }
    for _ in 0..3 {
        s.get_anon("/").await;
    }
    assert!(s.app.lock().logins.len() <= whm_sim::MAX_LOGINS);
    // the newest login works
    let r = s.get_anon("/").await;
    let cookie = r.header("set-cookie").split(';').next().unwrap().to_string();
    let r = s
        .send(
            Request::get(format!(
                "/cpsess{TOKEN}/json-api/available_transfer_modules?api.version=1"
            ))
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .unwrap(),
        )
        .await;
    assert!(ok(&r.json()));
}

#[tokio::test]
async fn the_access_log_masks_tokens_everywhere_and_keeps_no_body() {
    let path = std::env::temp_dir().join(format!("whm-sim-mask-{}.log", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let p = path.to_string_lossy().to_string();
    let s = sim(&["--access-log", &p]).await;
    s.get_anon("/").await;
    s.get(&format!(
        "/cpsess{TOKEN}/cgi/live_tail_log.cgi?system_id=transfers&session_id=x&log_file1=master.log"
    ))
    .await;
    s.get(&format!("/cpsess1111111111/x?goto_uri=/cpsess{TOKEN}/y")).await;
    s.api(
        "enqueue_transfer_item",
        &format!("transfer_session_id={DEMO_SESSION}&module=AccountRemoteRoot&user=example&password=hunter2"),
    )
    .await;
    let log = std::fs::read_to_string(&path).unwrap_or_default();
    let _ = std::fs::remove_file(&path);
    assert!(!log.contains(TOKEN) && !log.contains("1111111111"), "{log}");
    assert!(!log.contains("hunter2") && !log.contains("example"), "{log}");
    assert!(
        log.contains(
            "GET /cpsess**********/cgi/live_tail_log.cgi?system_id=transfers&session_id=x&log_file1=master.log 404"
        ),
        "{log}"
    );
    assert!(log.contains("goto_uri=/cpsess**********/y"), "{log}");
}
