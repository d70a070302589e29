//! The simulator serving an installed WHM plugin as cpsrvd does (§2.6), and WHM's referrer checks (§2.5).

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};

use crate::common::*;

/// A temporary install root with a plugin folder and an icon.
struct Root(PathBuf);

impl Drop for Root {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn write(path: &Path, body: &[u8], exec: bool) {
    if let Some(d) = path.parent() {
        std::fs::create_dir_all(d).unwrap();
    }
    std::fs::write(path, body).unwrap();
    if exec {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

fn install(name: &str) -> Root {
    let root = std::env::temp_dir().join(format!("whm-sim-root-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let cgi = root.join("usr/local/cpanel/whostmgr/docroot/cgi/transfer_console");
    // Prints its environment and its stdin, with a custom header.
    write(
        &cgi.join("index.cgi"),
        b"#!/bin/sh\nprintf 'Content-Type: text/html\\r\\nX-Plugin: yes\\r\\n\\r\\n'\nenv | sort\necho BODY=$(cat)\n",
        true,
    );
    write(
        &cgi.join("moved.cgi"),
        b"#!/bin/sh\nprintf 'Status: 302 Found\\nLocation: /elsewhere\\n\\n'\n",
        true,
    );
    write(
        &cgi.join("fails.cgi"),
        b"#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\nhalf'\nexit 3\n",
        true,
    );
    write(&cgi.join("garbage.cgi"), b"#!/bin/sh\necho no headers here\n", true);
    write(&cgi.join("slow.cgi"), b"#!/bin/sh\nsleep 30\n", true);
    write(&cgi.join("app-1a2b.js"), b"console.log(1)", false);
    write(&cgi.join("app-1a2b_bg.wasm"), b"\0asm", false);
    write(&cgi.join("style.css"), b"body{}", false);
    write(&cgi.join("data.json"), b"{}", false);
    write(&cgi.join("page.html"), b"<p>x</p>", false);
    write(&cgi.join("notes.xyz"), b"?", false);
    write(
        &root.join("usr/local/cpanel/whostmgr/docroot/addon_plugins/transfer_console.png"),
        b"\x89PNG",
        false,
    );
    write(
        &root.join("usr/local/cpanel/whostmgr/docroot/secret.txt"),
        b"outside",
        false,
    );
    Root(root)
}

async fn plugin_sim(root: &Root, extra: &[&str]) -> Sim {
    let dir = root.0.to_string_lossy().to_string();
    let mut args = vec!["--install-root", dir.as_str(), "--cgi-timeout", "1"];
    args.extend_from_slice(extra);
    sim(&args).await
}

#[tokio::test]
async fn index_cgi_runs_with_the_token_in_a_clean_environment() {
    let root = install("env");
    let s = plugin_sim(&root, &[]).await;
    let r = s
        .send(
            Request::post(format!(
                "/cpsess{TOKEN}/cgi/transfer_console/index.cgi/extra/path?a=1&b=2"
            ))
            .header(header::COOKIE, &s.cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::HOST, "127.0.0.1:28101")
            .body(Body::from("hello=world"))
            .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.header("content-type"), "text/html");
    assert_eq!(r.header("x-plugin"), "yes");
    for line in [
        &format!("cp_security_token=/cpsess{TOKEN}"),
        "REQUEST_METHOD=POST",
        "QUERY_STRING=a=1&b=2",
        &format!("SCRIPT_NAME=/cpsess{TOKEN}/cgi/transfer_console/index.cgi"),
        "PATH_INFO=/extra/path",
        "REMOTE_USER=root",
        "HTTP_HOST=127.0.0.1:28101",
        "SERVER_PORT=28101",
        "CONTENT_TYPE=application/x-www-form-urlencoded",
        "CONTENT_LENGTH=11",
        "GATEWAY_INTERFACE=CGI/1.1",
        "BODY=hello=world",
    ] {
        assert!(r.body.lines().any(|l| l == line), "missing {line}:\n{}", r.body);
    }
    // a clean environment: nothing of the simulator's own (HOME, CARGO_*, the cookie) leaks in
    assert!(!r.body.contains("HOME=") && !r.body.contains("CARGO") && !r.body.contains("whostmgrsession"));
    assert_eq!(r.header("x-frame-options"), "SAMEORIGIN");
    assert_eq!(r.header("x-content-type-options"), "nosniff");
}

#[tokio::test]
async fn cgi_status_location_failures_and_time_limit() {
    let root = install("status");
    let s = plugin_sim(&root, &[]).await;
    let base = format!("/cpsess{TOKEN}/cgi/transfer_console");
    let r = s.get(&format!("{base}/moved.cgi")).await;
    assert_eq!(r.status, StatusCode::FOUND);
    assert_eq!(r.header("location"), "/elsewhere");
    for bad in ["fails.cgi", "garbage.cgi", "slow.cgi"] {
        let r = s.get(&format!("{base}/{bad}")).await;
        assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{bad}: {}", r.body);
        assert!(!r.body.contains("half"), "a failed CGI's partial output is not served");
    }
}

#[tokio::test]
async fn static_types_and_cache_lifetimes_as_cpsrvd() {
    let root = install("static");
    let s = plugin_sim(&root, &[]).await;
    let base = format!("/cpsess{TOKEN}/cgi/transfer_console");
    const LONG: &str = "max-age=5184000, public";
    for (file, ty, cache) in [
        ("app-1a2b.js", "text/javascript", LONG),
        ("app-1a2b_bg.wasm", "application/octet-stream", LONG),
        ("style.css", "text/css", LONG),
        ("data.json", "application/json", LONG),
        ("notes.xyz", "application/octet-stream", LONG),
        ("page.html", "text/html", "no-cache"),
    ] {
        let r = s.get(&format!("{base}/{file}")).await;
        assert_eq!(r.status, StatusCode::OK, "{file}");
        assert_eq!(r.header("content-type"), ty, "{file}");
        assert_eq!(r.header("cache-control"), cache, "{file}");
        assert_eq!(r.header("x-content-type-options"), "nosniff");
    }
    let r = s
        .get(&format!("/cpsess{TOKEN}/addon_plugins/transfer_console.png"))
        .await;
    assert_eq!(
        (r.status, r.header("content-type").as_str()),
        (StatusCode::OK, "image/png")
    );
    assert_eq!(r.header("cache-control"), LONG);
    // traversal is refused, in every spelling
    for bad in [
        "../secret.txt",
        "%2e%2e/secret.txt",
        "..%2fsecret.txt",
        "transfer_console/../../secret.txt",
    ] {
        let r = s.get(&format!("/cpsess{TOKEN}/cgi/{bad}")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{bad}");
        assert!(!r.body.contains("outside"));
    }
    assert_eq!(s.get(&format!("{base}/missing.js")).await.status, StatusCode::NOT_FOUND);
    // the live tail stays the simulator's own
    let r = s
        .get(&format!("/cpsess{TOKEN}/cgi/live_tail_log.cgi?system_id=transfers"))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn plugin_files_need_a_logged_in_session_and_the_login_lands_on_index_cgi() {
    let root = install("auth");
    let s = plugin_sim(&root, &[]).await;
    let r = s
        .get_anon(&format!("/cpsess{TOKEN}/cgi/transfer_console/index.cgi"))
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("Access Denied: Security Token Failure"));
    let r = s.get("/cpsess9999999999/cgi/transfer_console/app-1a2b.js").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = s.get_anon("/").await;
    assert_eq!(r.status, StatusCode::FOUND);
    assert_eq!(
        r.header("location"),
        format!("/cpsess{TOKEN}/cgi/transfer_console/index.cgi")
    );
    let r = s.get(&format!("/cpsess{TOKEN}/")).await;
    assert_eq!(
        r.header("location"),
        format!("/cpsess{TOKEN}/cgi/transfer_console/index.cgi")
    );
}

#[tokio::test]
async fn dist_mode_is_unchanged() {
    let s = sim(&[]).await;
    let r = s.get_anon("/").await;
    assert_eq!(r.header("location"), format!("/cpsess{TOKEN}/cgi/transfer_console/"));
    let r = s.get(&format!("/cpsess{TOKEN}/cgi/transfer_console/")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("No <code>--dist</code>"));
}

async fn with_referer(s: &Sim, path: &str, referer: Option<&str>) -> Resp {
    let mut b = Request::get(path).header(header::COOKIE, &s.cookie);
    if let Some(r) = referer {
        b = b.header(header::REFERER, r);
    }
    s.send(b.body(Body::empty()).unwrap()).await
}

fn refused(r: &Resp) -> bool {
    r.status == StatusCode::UNAUTHORIZED
        && r.header("content-type").starts_with("text/html")
        && r.body.contains("Access Denied: Referrer Check")
}

#[tokio::test]
async fn referrer_safety_refuses_a_foreign_referer_everywhere() {
    let s = sim(&["--referrer-safety"]).await;
    let api = format!("/cpsess{TOKEN}/json-api/available_transfer_modules?api.version=1");
    let tail =
        format!("/cpsess{TOKEN}/cgi/live_tail_log.cgi?system_id=transfers&session_id=nosuch&log_file1=master.log");
    let page = format!("/cpsess{TOKEN}/cgi/transfer_console/");
    for path in [&api, &tail, &page] {
        let r = with_referer(&s, path, Some("https://evil.example/cpsess1/x")).await;
        assert!(refused(&r), "{path}: {} {}", r.status, r.body);
        assert_eq!(r.header("x-frame-options"), "SAMEORIGIN");
        assert_eq!(r.header("x-content-type-options"), "nosniff");
        // same host (another port is still this host), or no Referer at all: allowed
        let r = with_referer(&s, path, Some("http://127.0.0.1:9/cpsess1/cgi/transfer_console/")).await;
        assert!(!refused(&r), "{path}");
        let r = with_referer(&s, path, None).await;
        assert!(!refused(&r), "{path}");
    }
    let r = with_referer(&s, &api, Some("http://127.0.0.1:2087/")).await;
    assert!(ok(&r.json()));
    // the login flow stays usable
    assert_eq!(s.get_anon("/").await.status, StatusCode::FOUND);
    assert!(s.login().await.starts_with("whostmgrsession="));
}

#[tokio::test]
async fn blank_referrer_safety_also_refuses_a_missing_referer_but_not_the_landing_page() {
    let root = install("blank");
    let s = plugin_sim(&root, &["--blank-referrer-safety"]).await;
    let api = format!("/cpsess{TOKEN}/json-api/available_transfer_modules?api.version=1");
    assert!(refused(&with_referer(&s, &api, None).await));
    assert!(refused(&with_referer(&s, &api, Some("http://evil.example/")).await));
    assert!(ok(&with_referer(&s, &api, Some("http://127.0.0.1:2087/x"))
        .await
        .json()));
    let index = format!("/cpsess{TOKEN}/cgi/transfer_console/index.cgi");
    assert!(
        refused(&with_referer(&s, &index, None).await),
        "a direct link is refused"
    );

    // GET / logs in and lands on index.cgi with WHM's post_login marker, which passes once typed
    // in the address bar (no Referer); the marker of another login does not.
    let r = s.get_anon("/").await;
    assert_eq!(r.status, StatusCode::FOUND);
    let landing = r.header("location");
    assert!(
        landing.starts_with(&format!("{index}?login=1&post_login=")),
        "{landing}"
    );
    let cookie = r.header("set-cookie").split(';').next().unwrap().to_string();
    let get = |cookie: String, path: String| {
        Request::get(path)
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .unwrap()
    };
    let r = s.send(get(cookie.clone(), landing.clone())).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains(&format!("cp_security_token=/cpsess{TOKEN}")));
    let r = s.send(get(s.cookie.clone(), landing.clone())).await;
    assert!(refused(&r), "another login's post_login does not pass");
    // the login form posts (Referer = the login page) and lands the same way
    let r = s
        .send(
            Request::post("/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::REFERER, "http://127.0.0.1:2087/login")
                .body(Body::from("user=root&pass=demo"))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::FOUND);
    assert!(r.header("location").contains("post_login="));
}
