//! §2.4 authentication failures, login, auto-login, cookies, session TTL, static headers.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::json;

use crate::common::*;

const DENIED: &str = r#"{"cpanelresult":{"apiversion":"2","error":"Access denied","data":{"reason":"Access denied","result":"0"},"type":"text"}}"#;

#[tokio::test]
async fn json_api_without_cookie_is_403_text_plain() {
    let s = sim(&[]).await;
    let r = s
        .get_anon(&format!(
            "/cpsess{TOKEN}/json-api/available_transfer_modules?api.version=1"
        ))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.header("content-type"), "text/plain; charset=\"utf-8\"");
    assert_eq!(r.body, DENIED);
}

#[tokio::test]
async fn json_api_with_wrong_token_is_403() {
    let s = sim(&[]).await;
    let r = s
        .get("/cpsess9999999999/json-api/available_transfer_modules?api.version=1")
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.body, DENIED);
    // no cpsess segment at all
    let r = s.get("/json-api/available_transfer_modules?api.version=1").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.body, DENIED);
}

#[tokio::test]
async fn html_mode_sends_the_token_denied_page() {
    let s = sim(&["--auth-failure", "html"]).await;
    let r = s
        .get("/cpsess9999999999/json-api/available_transfer_modules?api.version=1")
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.header("content-type").starts_with("text/html"));
    assert!(r.body.contains("<title>Access Denied: Security Token Failure</title>"));
    assert!(r.body.contains(r#"name="token_denied" value="1""#));
    assert!(r.body.contains(r#"action="/login""#));
    assert!(r.body.contains(r#"type="password""#));
}

#[tokio::test]
async fn page_with_bad_token_is_401_html() {
    let s = sim(&[]).await;
    let r = s.get("/cpsess1111111111/cgi/transfer_console/").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("Access Denied: Security Token Failure"));
    assert!(r.body.contains(r#"name="goto_uri" value="/cgi/transfer_console/""#));
    // the good token works
    let r = s.get(&format!("/cpsess{TOKEN}/cgi/transfer_console/")).await;
    assert_eq!(r.status, StatusCode::OK);
    // goto_uri is escaped
    let r = s.get("/cpsess1111111111/cgi/%22%3E%3Cscript%3E").await;
    assert!(!r.body.contains("\"><script>"));
}

#[tokio::test]
async fn login_only_success_and_failure() {
    let s = sim(&[]).await;
    let r = s
        .send(
            Request::post("/login/?login_only=1")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from("user=root&pass=demo"))
                .unwrap_or_default(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.json(),
        json!({"status":1,"security_token":format!("/cpsess{TOKEN}"),"redirect":format!("/cpsess{TOKEN}/")})
    );
    let cookie = r.header("set-cookie");
    assert!(cookie.starts_with("whostmgrsession=root%3A"), "{cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/"));

    let r = s
        .send(
            Request::post("/login/?login_only=1")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from("user=root&pass=wrong"))
                .unwrap_or_default(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json(), json!({"status":0,"message":"invalid_login"}));
    assert!(r.header("set-cookie").is_empty());
}

#[tokio::test]
async fn custom_credentials_and_random_token() {
    let cfg = whm_sim::Config::from_args(["whm-sim", "--user", "admin", "--pass", "s3cret"]);
    let Ok(cfg) = cfg else { panic!("flags") };
    let Ok(app) = whm_sim::App::new(cfg) else { panic!("app") };
    let router = whm_sim::web::router(app.clone());
    let s = Sim {
        app,
        router,
        cookie: String::new(),
    };
    let r = s
        .send(
            Request::post("/login/?login_only=1")
                .body(Body::from("user=admin&pass=s3cret"))
                .unwrap_or_default(),
        )
        .await;
    let v = r.json();
    let tok = v["security_token"].as_str().unwrap_or_default().to_string();
    assert!(
        tok.starts_with("/cpsess") && tok.len() == 17 && tok[7..].bytes().all(|b| b.is_ascii_digit()),
        "{tok}"
    );
}

#[tokio::test]
async fn autologin_redirects_with_cookie() {
    let s = sim(&[]).await;
    let r = s.get_anon("/").await;
    assert_eq!(r.status, StatusCode::FOUND);
    assert_eq!(r.header("location"), format!("/cpsess{TOKEN}/cgi/transfer_console/"));
    let c = r.header("set-cookie");
    assert!(c.starts_with("whostmgrsession=root%3A") && c.contains("HttpOnly") && c.contains("SameSite=Strict"));
    let cookie = c.split(';').next().unwrap_or_default().to_string();
    let r = s
        .send(
            Request::get(format!(
                "/cpsess{TOKEN}/json-api/available_transfer_modules?api.version=1"
            ))
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .unwrap_or_default(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);

    let s = sim(&["--no-autologin"]).await;
    let r = s.get_anon("/").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("WHM Login"));
    assert!(r.header("set-cookie").is_empty());
}

#[tokio::test]
async fn sessions_expire_after_ttl() {
    let s = sim(&["--session-ttl", "0"]).await;
    let r = s.api("available_transfer_modules", "").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let s = sim(&["--session-ttl", "60"]).await;
    let r = s.api("available_transfer_modules", "").await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn app_path_redirects_and_headers() {
    let s = sim(&[]).await;
    let r = s.get(&format!("/cpsess{TOKEN}/cgi/transfer_console")).await;
    assert_eq!(r.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(r.header("location"), format!("/cpsess{TOKEN}/cgi/transfer_console/"));
    let r = s.get(&format!("/cpsess{TOKEN}/")).await;
    assert_eq!(r.status, StatusCode::FOUND);
    let r = s.get(&format!("/cpsess{TOKEN}/cgi/transfer_console/")).await;
    assert_eq!(r.header("referrer-policy"), "no-referrer");
    assert_eq!(r.header("x-content-type-options"), "nosniff");
    assert_eq!(r.header("x-frame-options"), "SAMEORIGIN");
    assert_eq!(r.header("cache-control"), "no-cache");
}

#[tokio::test]
async fn dist_files_with_explicit_types() {
    let dir = std::env::temp_dir().join(format!("whm-sim-dist-{}", std::process::id()));
    let _ = std::fs::create_dir_all(dir.join("assets"));
    let files = [
        ("index.html", "<!doctype html><title>app</title>"),
        ("app_bg.wasm", "\0asm"),
        ("app.js", "export {}"),
        ("assets/style.css", "body{}"),
        ("icon.svg", "<svg/>"),
        ("data.json", "{}"),
    ];
    for (f, c) in files {
        let _ = std::fs::write(dir.join(f), c);
    }
    let d = dir.to_string_lossy().to_string();
    let s = sim(&["--dist", &d]).await;
    let base = format!("/cpsess{TOKEN}/cgi/transfer_console/");
    for (f, ct) in [
        ("", "text/html; charset=utf-8"),
        ("app_bg.wasm", "application/wasm"),
        ("app.js", "text/javascript; charset=utf-8"),
        ("assets/style.css", "text/css; charset=utf-8"),
        ("icon.svg", "image/svg+xml"),
        ("data.json", "application/json"),
        ("some/route", "text/html; charset=utf-8"),
    ] {
        let r = s.get(&format!("{base}{f}")).await;
        assert_eq!(r.status, StatusCode::OK, "{f}");
        assert_eq!(r.header("content-type"), ct, "{f}");
        assert_eq!(r.header("cache-control"), "no-cache");
        assert_eq!(r.header("referrer-policy"), "no-referrer");
    }
    for bad in ["../Cargo.toml", "%2e%2e/x", "missing.js"] {
        let r = s.get(&format!("{base}{bad}")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{bad}");
    }
    let r = s.get_anon(&format!("{base}app.js")).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let _ = std::fs::remove_dir_all(dir);
}
