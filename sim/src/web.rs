//! HTTP surface: login, cpsess-token dispatch, json-api, static app files, live tail,
//! control endpoints (`/__sim/…`) and the access log.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;

use crate::faults::{self, Action, Fault, FaultSpec};
use crate::util::{Params, html_escape};
use crate::{App, AuthFailure, Login, api, livetail};

/// The app's path under the security token.
pub const APP_PATH: &str = "/cgi/transfer_console/";
/// The access-denied body cpsrvd sends for json-api requests (§2.4 item 2).
pub const ACCESS_DENIED_BODY: &str = r#"{"cpanelresult":{"apiversion":"2","error":"Access denied","data":{"reason":"Access denied","result":"0"},"type":"text"}}"#;
const MAX_BODY: usize = 4 * 1024 * 1024;

/// Response marker: the server loop closes the connection instead of answering.
#[derive(Debug, Clone, Copy)]
pub struct DropConnection;

/// The router (no sockets: usable with `tower::ServiceExt::oneshot`).
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(root))
        .route("/login", get(login_form).post(login))
        .route("/login/", get(login_form).post(login))
        .route("/logout", get(logout))
        .route("/logout/", get(logout))
        .nest("/__sim", control_router())
        .fallback(dispatch)
        .layer(middleware::from_fn_with_state(app.clone(), access_log))
        .layer(middleware::from_fn(security_headers))
        .with_state(app)
}

// ---------------------------------------------------------------------------------------------
// middleware

async fn access_log(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let method = req.method().to_string();
    let pq = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| req.uri().path().to_string());
    let resp = next.run(req).await;
    let status = if resp.extensions().get::<DropConnection>().is_some() {
        "000".to_string()
    } else {
        resp.status().as_u16().to_string()
    };
    app.access(&method, &pq, &status);
    resp
}

async fn security_headers(req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    for (k, v) in [
        ("x-frame-options", "SAMEORIGIN"),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
        ("cache-control", "no-cache"),
    ] {
        if !h.contains_key(k) {
            h.insert(k, HeaderValue::from_static(v));
        }
    }
    resp
}

// ---------------------------------------------------------------------------------------------
// helpers

fn html(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
}

fn text(status: StatusCode, body: impl Into<String>) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        body.into(),
    )
        .into_response()
}

fn json_response(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body,
    )
        .into_response()
}

fn redirect(status: StatusCode, location: &str) -> Response {
    let mut r = Response::new(Body::empty());
    *r.status_mut() = status;
    if let Ok(v) = HeaderValue::from_str(location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

fn is_loopback(req: &Request) -> bool {
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .is_none_or(|ConnectInfo(a)| a.ip().is_loopback())
}

/// The cookie secret from `whostmgrsession=user%3A<hex>`.
fn cookie_secret(headers: &HeaderMap) -> Option<String> {
    for v in headers.get_all(header::COOKIE) {
        let Ok(s) = v.to_str() else { continue };
        for part in s.split(';') {
            let Some(val) = part.trim().strip_prefix("whostmgrsession=") else {
                continue;
            };
            let decoded: String = form_urlencoded::parse(format!("v={val}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default();
            let secret = decoded.rsplit([':', ',']).next().unwrap_or_default();
            if !secret.is_empty() {
                return Some(secret.to_string());
            }
        }
    }
    None
}

enum Auth {
    Ok(String),
    NoSession,
    BadToken,
}

fn authenticate(app: &App, headers: &HeaderMap, token: &str) -> Auth {
    let Some(secret) = cookie_secret(headers) else {
        return Auth::NoSession;
    };
    let mut w = app.lock();
    let ttl = app.cfg.session_ttl;
    let expired = match w.logins.get(&secret) {
        None => return Auth::NoSession,
        Some(l) => l.last_seen.elapsed().as_secs() >= ttl,
    };
    if expired {
        w.logins.remove(&secret);
        return Auth::NoSession;
    }
    match w.logins.get_mut(&secret) {
        Some(l) if l.token == token => {
            l.last_seen = Instant::now();
            Auth::Ok(secret)
        }
        Some(_) => Auth::BadToken,
        None => Auth::NoSession,
    }
}

fn new_login(app: &App, user: &str) -> (String, String) {
    let mut w = app.lock();
    let token = match &app.cfg.token {
        Some(t) => t.clone(),
        None => w.new_token(),
    };
    let secret = w.new_secret();
    w.logins.insert(
        secret.clone(),
        Login {
            user: user.to_string(),
            token: token.clone(),
            last_seen: Instant::now(),
        },
    );
    (token, secret)
}

fn session_cookie(user: &str, secret: &str) -> String {
    let enc: String = form_urlencoded::byte_serialize(format!("{user}:{secret}").as_bytes()).collect();
    format!("whostmgrsession={enc}; HttpOnly; SameSite=Strict; Path=/")
}

fn with_cookie(mut r: Response, cookie: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(cookie) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}

// ---------------------------------------------------------------------------------------------
// pages

/// WHM's login page (also served by the `html` fault).
pub fn login_page(error: Option<&str>, goto_uri: &str) -> String {
    let err = error
        .map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>", html_escape(e)))
        .unwrap_or_default();
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>WHM Login</title></head>\n<body><main><h1>WHM Login</h1>{err}\n<form method=\"post\" action=\"/login/\">\n<input type=\"hidden\" name=\"goto_uri\" value=\"{}\">\n<label>Username <input name=\"user\" autocomplete=\"username\"></label>\n<label>Password <input type=\"password\" name=\"pass\" autocomplete=\"current-password\"></label>\n<button type=\"submit\">Log in</button>\n</form></main></body></html>\n",
        html_escape(goto_uri)
    )
}

/// cpsrvd's token-denied page (§2.4 item 1), HTTP 401.
pub fn token_denied_page(goto_uri: &str, user: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Access Denied: Security Token Failure</title></head>\n<body><main><h1>Access Denied</h1>\n<p>Token denied: the security token in the URL is missing, incorrect or expired. Enter your password to continue (WHM Login).</p>\n<form method=\"post\" action=\"/login\">\n<input type=\"hidden\" name=\"token_denied\" value=\"1\">\n<input type=\"hidden\" name=\"goto_uri\" value=\"{}\">\n<input type=\"hidden\" name=\"parameterized_form\" value=\"1\">\n<label>Username <input name=\"user\" value=\"{}\" autocomplete=\"username\"></label>\n<label>Password <input type=\"password\" name=\"pass\" autocomplete=\"current-password\"></label>\n<button type=\"submit\">Log in</button>\n</form></main></body></html>\n",
        html_escape(goto_uri),
        html_escape(user)
    )
}

fn token_denied(app: &App, goto_uri: &str) -> Response {
    html(StatusCode::UNAUTHORIZED, token_denied_page(goto_uri, &app.cfg.user))
}

/// The json-api authentication failure in the configured style.
fn json_api_denied(app: &App, goto_uri: &str) -> Response {
    match app.cfg.auth_failure {
        AuthFailure::Json => {
            let mut r = (
                StatusCode::FORBIDDEN,
                [(header::CONTENT_TYPE, "text/plain; charset=\"utf-8\"")],
                ACCESS_DENIED_BODY,
            )
                .into_response();
            r.extensions_mut()
                .insert(hyper::ext::ReasonPhrase::from_static(b"Forbidden Access denied"));
            r
        }
        AuthFailure::Html => token_denied(app, goto_uri),
    }
}

fn placeholder_index(app: &App) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>WHM Transfer Console (simulator)</title></head>\n<body><h1>whm-sim</h1><p>No <code>--dist</code> directory was given, so there is no app to serve. Scenario: <code>{}</code>.</p></body></html>\n",
        html_escape(&app.scenario.name)
    )
}

// ---------------------------------------------------------------------------------------------
// login

async fn root(State(app): State<Arc<App>>) -> Response {
    if app.cfg.no_autologin {
        return html(StatusCode::OK, login_page(None, APP_PATH));
    }
    let user = app.cfg.user.clone();
    let (token, secret) = new_login(&app, &user);
    with_cookie(
        redirect(StatusCode::FOUND, &format!("/cpsess{token}{APP_PATH}")),
        &session_cookie(&user, &secret),
    )
}

async fn login_form() -> Response {
    html(StatusCode::OK, login_page(None, APP_PATH))
}

/// Keep a post-login target on this server and under the new token.
fn login_target(goto: Option<&str>, token: &str) -> String {
    let g = goto.unwrap_or(APP_PATH);
    if !g.starts_with('/') || g.starts_with("//") || g.contains('\\') {
        return format!("/cpsess{token}{APP_PATH}");
    }
    let rest = match g.strip_prefix("/cpsess") {
        Some(r) => r.trim_start_matches(|c: char| c.is_ascii_digit()),
        None => g,
    };
    let rest = if rest.is_empty() { "/" } else { rest };
    format!("/cpsess{token}{rest}")
}

async fn login(State(app): State<Arc<App>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let mut p = Params::parse(parts.uri.query().unwrap_or(""));
    let Ok(bytes) = to_bytes(body, MAX_BODY).await else {
        return text(StatusCode::PAYLOAD_TOO_LARGE, "Request body too large.");
    };
    p.merge_str(&String::from_utf8_lossy(&bytes));
    let login_only = p.flag("login_only");
    let ok = p.get("user") == Some(app.cfg.user.as_str()) && p.get("pass") == Some(app.cfg.pass.as_str());
    if !ok {
        return if login_only {
            json_response(
                StatusCode::UNAUTHORIZED,
                json!({"status": 0, "message": "invalid_login"}).to_string(),
            )
        } else {
            html(
                StatusCode::UNAUTHORIZED,
                login_page(Some("The login is invalid."), p.get("goto_uri").unwrap_or(APP_PATH)),
            )
        };
    }
    let user = app.cfg.user.clone();
    let (token, secret) = new_login(&app, &user);
    let cookie = session_cookie(&user, &secret);
    if login_only {
        let body =
            json!({"status": 1, "security_token": format!("/cpsess{token}"), "redirect": format!("/cpsess{token}/")});
        return with_cookie(json_response(StatusCode::OK, body.to_string()), &cookie);
    }
    with_cookie(
        redirect(StatusCode::FOUND, &login_target(p.get("goto_uri"), &token)),
        &cookie,
    )
}

async fn logout(State(app): State<Arc<App>>, req: Request) -> Response {
    if let Some(secret) = cookie_secret(req.headers()) {
        app.lock().logins.remove(&secret);
    }
    with_cookie(
        redirect(StatusCode::FOUND, "/"),
        "whostmgrsession=closed; HttpOnly; SameSite=Strict; Path=/; Max-Age=0",
    )
}

// ---------------------------------------------------------------------------------------------
// control endpoints

/// `/__sim/…`: test controls, behind one guard.
fn control_router() -> Router<Arc<App>> {
    Router::new()
        .route("/health", get(|| async { "ok" }))
        .route("/faults", post(add_fault).delete(clear_faults).get(list_faults))
        .route("/reset", post(reset))
        .route("/sessions", get(list_sessions))
        .layer(middleware::from_fn(control_guard))
}

/// Controls answer loopback peers only (checked once, here, for every `/__sim` route).
async fn control_guard(req: Request, next: Next) -> Response {
    if !is_loopback(&req) {
        return text(StatusCode::FORBIDDEN, "loopback only");
    }
    next.run(req).await
}

async fn add_fault(State(app): State<Arc<App>>, body: Bytes) -> Result<Response, Response> {
    let spec: FaultSpec =
        serde_json::from_slice(&body).map_err(|e| text(StatusCode::BAD_REQUEST, format!("invalid fault: {e}")))?;
    let mut w = app.lock();
    w.fault_seq += 1;
    let f = Fault::from_spec(w.fault_seq, spec);
    let id = f.id;
    w.faults.push(f);
    Ok(json_response(
        StatusCode::OK,
        json!({"id": id, "faults": w.faults}).to_string(),
    ))
}

async fn clear_faults(State(app): State<Arc<App>>) -> Response {
    let mut w = app.lock();
    let n = w.faults.len();
    w.faults.clear();
    json_response(StatusCode::OK, json!({"cleared": n}).to_string())
}

async fn list_faults(State(app): State<Arc<App>>) -> Response {
    let w = app.lock();
    json_response(StatusCode::OK, json!({"faults": w.faults}).to_string())
}

async fn reset(State(app): State<Arc<App>>) -> Result<Response, Response> {
    app.reset().map_err(|e| text(StatusCode::INTERNAL_SERVER_ERROR, e))?;
    Ok(text(StatusCode::OK, "ok"))
}

async fn list_sessions(State(app): State<Arc<App>>) -> Response {
    let w = app.lock();
    let mut v: Vec<_> = w
        .sessions
        .values()
        .map(|s| {
            json!({
                "transfer_session_id": s.id,
                "state_name": s.state.name(),
                "initiator": s.kind.initiator(),
                "remote_host": s.remote_host,
                "items": s.items.iter().map(|i| json!({"module": i.module.name, "item": i.key, "local_item": i.local_key, "state": i.state.name()})).collect::<Vec<_>>(),
            })
        })
        .collect();
    v.sort_by(|a, b| {
        a["transfer_session_id"]
            .as_str()
            .cmp(&b["transfer_session_id"].as_str())
    });
    json_response(StatusCode::OK, json!({ "sessions": v }).to_string())
}

// ---------------------------------------------------------------------------------------------
// cpsess dispatch

async fn dispatch(State(app): State<Arc<App>>, req: Request) -> Response {
    let path = req.uri().path().to_string();
    if path.starts_with("/json-api/") || path == "/json-api" {
        // Token/basic-auth style calls: the simulator only knows browser sessions.
        return json_api_denied(&app, &path);
    }
    let Some(after) = path.strip_prefix("/cpsess") else {
        return text(StatusCode::NOT_FOUND, "Not Found");
    };
    let (token, rest) = match after.find('/') {
        Some(i) => (&after[..i], &after[i..]),
        None => (after, ""),
    };
    if !token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return text(StatusCode::NOT_FOUND, "Not Found");
    }
    let token = token.to_string();
    let rest = rest.to_string();
    if let Some(func) = rest.strip_prefix("/json-api/") {
        let func = func.to_string();
        return json_api(app, req, &token, &func, &rest).await;
    }
    let secret = match authenticate(&app, req.headers(), &token) {
        Auth::Ok(s) => s,
        Auth::NoSession | Auth::BadToken => return token_denied(&app, if rest.is_empty() { "/" } else { &rest }),
    };
    let query = req.uri().query().map(|q| format!("?{q}")).unwrap_or_default();
    match rest.as_str() {
        "" | "/" => redirect(StatusCode::FOUND, &format!("/cpsess{token}{APP_PATH}")),
        "/cgi/transfer_console" => redirect(
            StatusCode::MOVED_PERMANENTLY,
            &format!("/cpsess{token}{APP_PATH}{query}"),
        ),
        "/cgi/live_tail_log.cgi" => live_tail(app, req, &secret).await,
        "/logout" | "/logout/" => {
            app.lock().logins.remove(&secret);
            with_cookie(
                redirect(StatusCode::FOUND, "/"),
                "whostmgrsession=closed; HttpOnly; SameSite=Strict; Path=/; Max-Age=0",
            )
        }
        r => match r.strip_prefix(APP_PATH) {
            Some(file) if req.method() == Method::GET || req.method() == Method::HEAD => static_file(&app, file).await,
            Some(_) => text(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed"),
            None => text(StatusCode::NOT_FOUND, "Not Found"),
        },
    }
}

async fn json_api(app: Arc<App>, req: Request, token: &str, func: &str, rest: &str) -> Response {
    if req.method() != Method::GET && req.method() != Method::POST {
        return text(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed");
    }
    let (parts, body) = req.into_parts();
    let mut params = Params::parse(parts.uri.query().unwrap_or(""));
    let is_form = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|ct| ct.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded"));
    let Ok(bytes) = to_bytes(body, MAX_BODY).await else {
        return text(StatusCode::PAYLOAD_TOO_LARGE, "Request body too large.");
    };
    if is_form && !bytes.is_empty() {
        params.merge_str(&String::from_utf8_lossy(&bytes));
    }
    let secret = match authenticate(&app, &parts.headers, token) {
        Auth::Ok(s) => s,
        _ => return json_api_denied(&app, rest),
    };
    let action = {
        let mut w = app.lock();
        faults::take(&mut w.faults, func, &params)
    };
    match action {
        Some(Action::Expire) => {
            app.lock().logins.remove(&secret);
            return json_api_denied(&app, rest);
        }
        Some(Action::Http500) => {
            return html(
                StatusCode::INTERNAL_SERVER_ERROR,
                "<!DOCTYPE html>\n<html><head><title>500 Internal Server Error</title></head><body><h1>Internal Server Error</h1><p>The server encountered an internal error.</p></body></html>\n".to_string(),
            );
        }
        Some(Action::Html) => return html(StatusCode::OK, login_page(None, rest)),
        Some(Action::Malformed) => {
            return json_response(
                StatusCode::OK,
                // Complete but invalid JSON (a stray token), unlike `truncated`, which ends early.
                format!(
                    "{{\"metadata\":{{\"version\":1,\"command\":\"{}\",\"result\":1 OK}}}}",
                    func.escape_default()
                ),
            );
        }
        Some(Action::Drop) => {
            let mut r = text(StatusCode::INTERNAL_SERVER_ERROR, "connection dropped");
            r.extensions_mut().insert(DropConnection);
            return r;
        }
        Some(Action::Delay(ms)) => tokio::time::sleep(std::time::Duration::from_millis(ms)).await,
        Some(Action::Truncated) | None => {}
    }
    let mut body = if params.get("api.version") != Some("1") {
        api::legacy_api0_body(func)
    } else {
        let reply = match api::call(&app, func, &params).await {
            Some(r) => r,
            None => api::unknown_function(func),
        };
        api::envelope(func, &reply, app.ok_result())
    };
    if action == Some(Action::Truncated) {
        let mut cut = body.len() / 2;
        while cut > 0 && !body.is_char_boundary(cut) {
            cut -= 1;
        }
        body.truncate(cut);
    }
    json_response(StatusCode::OK, body)
}

async fn live_tail(app: Arc<App>, req: Request, _secret: &str) -> Response {
    if req.method() != Method::GET {
        return text(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed");
    }
    let p = Params::parse(req.uri().query().unwrap_or(""));
    let action = {
        let mut w = app.lock();
        faults::take(&mut w.faults, "live_tail_log.cgi", &p)
    };
    match action {
        Some(Action::Expire) => {
            if let Some(secret) = cookie_secret(req.headers()) {
                app.lock().logins.remove(&secret);
            }
            return token_denied(&app, "/cgi/live_tail_log.cgi");
        }
        Some(Action::Http500) => {
            return html(StatusCode::INTERNAL_SERVER_ERROR, "<!DOCTYPE html>\n<html><head><title>500 Internal Server Error</title></head><body><h1>Internal Server Error</h1></body></html>\n".to_string());
        }
        Some(Action::Html) => return html(StatusCode::OK, login_page(None, "/cgi/live_tail_log.cgi")),
        Some(Action::Drop) => {
            let mut r = text(StatusCode::INTERNAL_SERVER_ERROR, "connection dropped");
            r.extensions_mut().insert(DropConnection);
            return r;
        }
        Some(Action::Delay(ms)) => tokio::time::sleep(std::time::Duration::from_millis(ms)).await,
        _ => {}
    }
    let tail = match livetail::parse(&p) {
        Ok(t) => t,
        Err(e) => return text(StatusCode::BAD_REQUEST, e),
    };
    if !app.lock().sessions.contains_key(&tail.session_id) {
        return text(
            StatusCode::NOT_FOUND,
            format!("The session ID “{}” does not exist.", tail.session_id),
        );
    }
    let mut r = Response::new(livetail::stream(app.clone(), tail));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r.headers_mut()
        .insert("x-accel-buffering", HeaderValue::from_static("no"));
    r
}

// ---------------------------------------------------------------------------------------------
// static files

/// Content type by file extension (explicit, as cpsrvd's handling is unverified — §2.6).
pub fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "json" | "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "txt" => "text/plain; charset=utf-8",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        _ => "application/octet-stream",
    }
}

/// Decode and check a relative URL path; `None` for anything that could escape the directory.
fn safe_relative(rel: &str) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for seg in rel.split('/') {
        if seg.is_empty() {
            continue;
        }
        let bytes: Vec<u8> = percent_decode(seg)?;
        let s = String::from_utf8(bytes).ok()?;
        if s == "." || s == ".." || s.contains(['/', '\\', '\0']) || s.starts_with('.') {
            return None;
        }
        out.push(s);
    }
    Some(out)
}

fn percent_decode(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = b.get(i + 1..i + 3)?;
            let h = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(h, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Some(out)
}

async fn static_file(app: &App, rel: &str) -> Response {
    let Some(dist) = &app.cfg.dist else {
        return if rel.is_empty() || rel == "index.html" {
            html(StatusCode::OK, placeholder_index(app))
        } else {
            text(StatusCode::NOT_FOUND, "Not Found")
        };
    };
    let Some(relpath) = safe_relative(rel) else {
        return text(StatusCode::NOT_FOUND, "Not Found");
    };
    let mut path = dist.join(&relpath);
    if rel.is_empty() || rel.ends_with('/') {
        path = path.join("index.html");
    }
    let bytes = match tokio::fs::read(&path).await {
        Ok(b) => b,
        Err(_) => {
            // A history-API route of the SPA (no extension) falls back to index.html.
            if relpath.extension().is_none() && !rel.is_empty() {
                path = dist.join("index.html");
                match tokio::fs::read(&path).await {
                    Ok(b) => b,
                    Err(_) => return text(StatusCode::NOT_FOUND, "Not Found"),
                }
            } else {
                return text(StatusCode::NOT_FOUND, "Not Found");
            }
        }
    };
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, content_type(&path)),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        assert_eq!(safe_relative("a/b.js"), Some(PathBuf::from("a/b.js")));
        assert_eq!(safe_relative("a%20b.js"), Some(PathBuf::from("a b.js")));
        assert_eq!(safe_relative("../x"), None);
        assert_eq!(safe_relative("%2e%2e/x"), None);
        assert_eq!(safe_relative("a%2fb"), None);
        assert_eq!(safe_relative("%zz"), None);
        assert_eq!(safe_relative(".env"), None);
    }

    #[test]
    fn targets() {
        assert_eq!(login_target(None, "1"), "/cpsess1/cgi/transfer_console/");
        assert_eq!(login_target(Some("//evil"), "1"), "/cpsess1/cgi/transfer_console/");
        assert_eq!(login_target(Some("/cpsess999/cgi/x"), "1"), "/cpsess1/cgi/x");
        assert_eq!(login_target(Some("https://e"), "1"), "/cpsess1/cgi/transfer_console/");
    }

    #[test]
    fn types() {
        assert_eq!(content_type(Path::new("a_bg.wasm")), "application/wasm");
        assert_eq!(content_type(Path::new("a.js")), "text/javascript; charset=utf-8");
    }
}
