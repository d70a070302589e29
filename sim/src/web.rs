//! HTTP surface: login, cpsess-token dispatch, json-api, static app files, live tail,
//! control endpoints (`/__sim/…`) and the access log.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;

use crate::faults::{self, Action};
use crate::util::{Params, html_escape};
use crate::{App, AuthFailure, Login, MAX_CAPTURED, MAX_LOGINS, api, cgi, control, livetail};

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
        .nest("/__sim", control::router())
        .fallback(dispatch)
        .layer(middleware::from_fn(host_check))
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

/// The Host names this server answers to (any port): a page of another name that resolves here
/// (DNS rebinding) gets 421 and never reaches a route.
pub fn allowed_host(host: &str) -> bool {
    let (name, suffix) = match host.strip_prefix('[') {
        Some(rest) => match rest.split_once(']') {
            Some((inner, suffix)) => (format!("[{inner}]"), suffix),
            None => return false,
        },
        None => match host.find(':') {
            Some(i) => (host[..i].to_string(), &host[i..]),
            None => (host.to_string(), ""),
        },
    };
    let port_ok = suffix.is_empty()
        || suffix
            .strip_prefix(':')
            .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    port_ok && matches!(name.to_ascii_lowercase().as_str(), "127.0.0.1" | "localhost" | "[::1]")
}

/// The request's Host (header, or the authority of an absolute-form target).
fn request_host(req: &Request) -> Option<String> {
    req.headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| req.uri().authority().map(|a| a.as_str().to_string()))
}

async fn host_check(req: Request, next: Next) -> Response {
    match request_host(&req) {
        None => text(StatusCode::BAD_REQUEST, "A Host header is required."),
        Some(h) if !allowed_host(&h) => text(
            StatusCode::MISDIRECTED_REQUEST,
            "This server answers only to 127.0.0.1, localhost and [::1].",
        ),
        Some(_) => next.run(req).await,
    }
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

/// A new login: (token, cookie secret, post_login). Expired logins are purged first and the
/// map never holds more than [`MAX_LOGINS`] (the least recently seen go).
fn new_login(app: &App, user: &str) -> (String, String, String) {
    let mut w = app.lock();
    let ttl = app.cfg.session_ttl;
    w.logins.retain(|_, l| l.last_seen.elapsed().as_secs() < ttl);
    while w.logins.len() >= MAX_LOGINS {
        let oldest = w.logins.iter().min_by_key(|(_, l)| l.last_seen).map(|(k, _)| k.clone());
        match oldest {
            Some(k) => w.logins.remove(&k),
            None => break,
        };
    }
    let token = match &app.cfg.token {
        Some(t) => t.clone(),
        None => w.new_token(),
    };
    let secret = w.new_secret();
    let post_login = w.new_token();
    w.logins.insert(
        secret.clone(),
        Login {
            user: user.to_string(),
            token: token.clone(),
            last_seen: Instant::now(),
            post_login: post_login.clone(),
        },
    );
    (token, secret, post_login)
}

/// The URL a fresh login lands on; with a referrer check on it carries `?login=1&post_login=N`
/// as WHM's does, which lets that first page load without a Referer.
fn landing_url(app: &App, token: &str, path: &str, post_login: &str) -> String {
    if app.referrer_checks() {
        let sep = if path.contains('?') { '&' } else { '?' };
        format!("/cpsess{token}{path}{sep}login=1&post_login={post_login}")
    } else {
        format!("/cpsess{token}{path}")
    }
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

/// cpsrvd's referrer-check refusal (`Cpanel/LegacyLogin.pm referrer_denied`, §2.5), HTTP 401.
pub fn referrer_denied_page() -> String {
    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Access Denied: Referrer Check</title></head>\n<body><main><h1>401 Access Denied</h1>\n<p>The referrer safety check refused this request: direct linking is not allowed. Open WHM from its own pages (the request’s Referer was missing or named another host).</p>\n<p><a href=\"/\">WHM Login</a></p></main></body></html>\n".to_string()
}

fn token_denied(app: &App, goto_uri: &str) -> Response {
    html(StatusCode::UNAUTHORIZED, token_denied_page(goto_uri, &app.cfg.user))
}

/// cpsrvd's json-api refusal: HTTP 403 "Forbidden Access denied" with the cpanelresult error body.
fn access_denied() -> Response {
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

/// The json-api authentication failure in the configured style.
fn json_api_denied(app: &App, goto_uri: &str) -> Response {
    match app.cfg.auth_failure {
        AuthFailure::Json => access_denied(),
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
        return html(StatusCode::OK, login_page(None, app.landing()));
    }
    let user = app.cfg.user.clone();
    let (token, secret, post_login) = new_login(&app, &user);
    with_cookie(
        redirect(
            StatusCode::FOUND,
            &landing_url(&app, &token, app.landing(), &post_login),
        ),
        &session_cookie(&user, &secret),
    )
}

async fn login_form(State(app): State<Arc<App>>) -> Response {
    html(StatusCode::OK, login_page(None, app.landing()))
}

/// Keep a post-login target on this server: the path after any `/cpsessN` (the new token is
/// put in front by the caller), or `landing` for anything that could leave the server.
fn login_target(goto: Option<&str>, landing: &str) -> String {
    let g = goto.unwrap_or(landing);
    if !g.starts_with('/') || g.starts_with("//") || g.contains('\\') {
        return landing.to_string();
    }
    let rest = match g.strip_prefix("/cpsess") {
        Some(r) => r.trim_start_matches(|c: char| c.is_ascii_digit()),
        None => g,
    };
    if rest.is_empty() {
        "/".to_string()
    } else {
        rest.to_string()
    }
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
                login_page(
                    Some("The login is invalid."),
                    p.get("goto_uri").unwrap_or(app.landing()),
                ),
            )
        };
    }
    let user = app.cfg.user.clone();
    let (token, secret, post_login) = new_login(&app, &user);
    let cookie = session_cookie(&user, &secret);
    if login_only {
        let body =
            json!({"status": 1, "security_token": format!("/cpsess{token}"), "redirect": format!("/cpsess{token}/")});
        return with_cookie(json_response(StatusCode::OK, body.to_string()), &cookie);
    }
    let target = login_target(p.get("goto_uri"), app.landing());
    with_cookie(
        redirect(StatusCode::FOUND, &landing_url(&app, &token, &target, &post_login)),
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
// cpsess dispatch

/// Host name of a `Host` value or of a URL's authority (port and brackets kept apart).
fn host_name(authority: &str) -> String {
    let a = authority.rsplit('@').next().unwrap_or(authority);
    let name = if let Some(rest) = a.strip_prefix('[') {
        rest.split(']').next().unwrap_or(rest)
    } else {
        a.split(':').next().unwrap_or(a)
    };
    name.to_ascii_lowercase()
}

/// WHM's referrer checks (`--referrer-safety`, `--blank-referrer-safety`): `true` when the call
/// must be refused. A GET carrying its login's `post_login` (the landing page) passes.
fn referrer_refused(app: &App, req: &Request) -> bool {
    if !app.referrer_checks() {
        return false;
    }
    let h = req.headers();
    let referer = h
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .filter(|r| !r.is_empty());
    let Some(referer) = referer else {
        if !app.cfg.blank_referrer_safety {
            return false;
        }
        return !landing_pass(app, req);
    };
    let host = request_host(req).map(|h| host_name(&h)).unwrap_or_default();
    let ref_host = referer
        .split_once("://")
        .map(|(_, rest)| rest.split(['/', '?', '#']).next().unwrap_or_default())
        .map(host_name);
    ref_host.as_deref() != Some(host.as_str()) && !landing_pass(app, req)
}

fn landing_pass(app: &App, req: &Request) -> bool {
    if req.method() != Method::GET {
        return false;
    }
    let p = Params::parse(req.uri().query().unwrap_or(""));
    let Some(nonce) = p.non_empty("post_login") else {
        return false;
    };
    let Some(secret) = cookie_secret(req.headers()) else {
        return false;
    };
    app.lock().logins.get(&secret).is_some_and(|l| l.post_login == nonce)
}

async fn dispatch(State(app): State<Arc<App>>, req: Request) -> Response {
    dispatch_inner(app, req).await.unwrap_or_else(|r| r)
}

async fn dispatch_inner(app: Arc<App>, req: Request) -> Result<Response, Response> {
    let path = req.uri().path().to_string();
    if path.starts_with("/json-api/") || path == "/json-api" {
        // Token/basic-auth style calls: the simulator only knows browser sessions.
        return Err(json_api_denied(&app, &path));
    }
    let not_found = || text(StatusCode::NOT_FOUND, "Not Found");
    let after = path.strip_prefix("/cpsess").ok_or_else(not_found)?;
    let (token, rest) = match after.find('/') {
        Some(i) => (&after[..i], &after[i..]),
        None => (after, ""),
    };
    if !token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Err(not_found());
    }
    if referrer_refused(&app, &req) {
        return Err(html(StatusCode::UNAUTHORIZED, referrer_denied_page()));
    }
    let token = token.to_string();
    let rest = rest.to_string();
    if let Some(func) = rest.strip_prefix("/json-api/") {
        let func = func.to_string();
        return json_api(app, req, &token, &func, &rest).await;
    }
    let secret = match authenticate(&app, req.headers(), &token) {
        Auth::Ok(s) => s,
        Auth::NoSession | Auth::BadToken => {
            return Err(token_denied(&app, if rest.is_empty() { "/" } else { &rest }));
        }
    };
    let query = req.uri().query().map(|q| format!("?{q}")).unwrap_or_default();
    Ok(match rest.as_str() {
        "" | "/" => redirect(StatusCode::FOUND, &format!("/cpsess{token}{}", app.landing())),
        "/cgi/transfer_console" if app.cfg.install_root.is_none() => redirect(
            StatusCode::MOVED_PERMANENTLY,
            &format!("/cpsess{token}{APP_PATH}{query}"),
        ),
        "/cgi/live_tail_log.cgi" => live_tail(app, req, &secret).await?,
        "/logout" | "/logout/" => {
            app.lock().logins.remove(&secret);
            with_cookie(
                redirect(StatusCode::FOUND, "/"),
                "whostmgrsession=closed; HttpOnly; SameSite=Strict; Path=/; Max-Age=0",
            )
        }
        r => {
            if let Some(root) = app.cfg.install_root.clone() {
                let area = ["cgi", "addon_plugins"].into_iter().find(|a| {
                    r.strip_prefix('/')
                        .and_then(|x| x.strip_prefix(a))
                        .is_some_and(|x| x.starts_with('/'))
                });
                let Some(area) = area else { return Err(not_found()) };
                let rel = r[area.len() + 2..].to_string();
                return Ok(plugin_file(&app, &root, area, &rel, &token, &secret, req).await);
            }
            match r.strip_prefix(APP_PATH) {
                Some(file) if req.method() == Method::GET || req.method() == Method::HEAD => {
                    static_file(&app, file).await
                }
                Some(_) => text(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed"),
                None => not_found(),
            }
        }
    })
}

async fn plugin_file(
    app: &App,
    root: &Path,
    area: &str,
    rel: &str,
    token: &str,
    secret: &str,
    req: Request,
) -> Response {
    let user = app
        .lock()
        .logins
        .get(secret)
        .map(|l| l.user.clone())
        .unwrap_or_else(|| app.cfg.user.clone());
    let method = req.method().as_str().to_string();
    let query = req.uri().query().unwrap_or("").to_string();
    let host = request_host(&req).unwrap_or_default();
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    if !matches!(method.as_str(), "GET" | "HEAD" | "POST") {
        return text(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed");
    }
    let Ok(body) = to_bytes(req.into_body(), MAX_BODY).await else {
        return text(StatusCode::PAYLOAD_TOO_LARGE, "Request body too large.");
    };
    let r = cgi::CgiRequest {
        area,
        rel,
        token,
        method: &method,
        query: &query,
        host: &host,
        user: &user,
        content_type: content_type.as_deref(),
        body: body.to_vec(),
    };
    cgi::serve(root, Duration::from_secs(app.cfg.cgi_timeout.max(1)), r).await
}

/// Count and capture one call for `/__sim/calls` and `/__sim/requests` (secrets redacted).
fn record_call(app: &App, func: &str, method: &Method, query: &Params, body: Option<&Params>) {
    let mut w = app.lock();
    *w.calls.entry(func.to_string()).or_insert(0) += 1;
    let entry = json!({
        "function": func,
        "method": method.as_str(),
        "query": control::redacted(query),
        "body": body.map(control::redacted),
    });
    w.requests.push_back(entry);
    while w.requests.len() > MAX_CAPTURED {
        w.requests.pop_front();
    }
}

/// Answers that replace the call (`None` = run it). Shared by json-api and the live tail.
fn fault_reply(app: &App, action: &Action, func: &str, rest: &str, secret: &str, tail: bool) -> Option<Response> {
    Some(match action {
        Action::Expire => {
            app.lock().logins.remove(secret);
            if tail {
                token_denied(app, rest)
            } else {
                json_api_denied(app, rest)
            }
        }
        Action::Status(code) => html(
            StatusCode::from_u16(*code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            faults::error_page(*code),
        ),
        Action::Html => html(StatusCode::OK, login_page(None, rest)),
        Action::Denied => access_denied(),
        Action::Malformed if tail => stream_reply("master.log|12|{\"pid\":1,\"type\":\n[tail_end:0]\n[tail_end:0]\n"),
        // Complete but invalid JSON (a stray token), unlike `truncated`, which ends early.
        Action::Malformed => json_response(
            StatusCode::OK,
            format!(
                "{{\"metadata\":{{\"version\":1,\"command\":\"{}\",\"result\":1 OK}}}}",
                func.escape_default()
            ),
        ),
        Action::Drop => {
            let mut r = text(StatusCode::INTERNAL_SERVER_ERROR, "connection dropped");
            r.extensions_mut().insert(DropConnection);
            r
        }
        Action::Huge(n) if tail => {
            let head = "master.log|0|{\"pid\":1,\"type\":\"out\",\"indent\":0,\"partial\":0,\"contents\":{\"msg\":[\""
                .to_string();
            tail_response(faults::padded_stream(head, b'x', *n, "\"]}}\n".to_string()))
        }
        Action::Huge(n) => {
            let mut r = Response::new(faults::huge_envelope(func, *n));
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=utf-8"),
            );
            r
        }
        Action::Deep(d) if tail => {
            let mut line = "master.log|0|".to_string();
            line.extend(std::iter::repeat_n('[', *d));
            line.extend(std::iter::repeat_n(']', *d));
            line.push('\n');
            stream_reply(&line)
        }
        Action::Deep(d) => json_response(StatusCode::OK, faults::deep_envelope(func, *d)),
        Action::NoNewline(n) => tail_response(faults::no_newline_stream(*n)),
        Action::Stall => {
            let mut r = tail_response(faults::stalled_stream());
            if !tail {
                r.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json; charset=utf-8"),
                );
            }
            r
        }
        // 307 keeps the method and the body: a client that follows it sends the call again, elsewhere.
        Action::Redirect => {
            let mut r = text(StatusCode::TEMPORARY_REDIRECT, "moved");
            r.headers_mut()
                .insert(header::LOCATION, HeaderValue::from_static(faults::REDIRECT_TO));
            r
        }
        Action::Result0(_) | Action::Delay(_) | Action::Truncated => return None,
    })
}

fn tail_response(body: Body) -> Response {
    let mut r = Response::new(body);
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r.headers_mut()
        .insert("x-accel-buffering", HeaderValue::from_static("no"));
    r
}

fn stream_reply(s: &str) -> Response {
    tail_response(Body::from(s.to_string()))
}

async fn json_api(app: Arc<App>, req: Request, token: &str, func: &str, rest: &str) -> Result<Response, Response> {
    if req.method() != Method::GET && req.method() != Method::POST {
        return Err(text(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed"));
    }
    let (parts, body) = req.into_parts();
    let query = Params::parse(parts.uri.query().unwrap_or(""));
    let mut params = query.clone();
    let is_form = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|ct| ct.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded"));
    let bytes = to_bytes(body, MAX_BODY)
        .await
        .map_err(|_| text(StatusCode::PAYLOAD_TOO_LARGE, "Request body too large."))?;
    let form = (is_form && !bytes.is_empty()).then(|| String::from_utf8_lossy(&bytes).into_owned());
    if let Some(f) = &form {
        params.merge_str(f);
    }
    let form = form.map(|f| Params::parse(&f));
    record_call(&app, func, &parts.method, &query, form.as_ref());
    let secret = match authenticate(&app, &parts.headers, token) {
        Auth::Ok(s) => s,
        _ => return Err(json_api_denied(&app, rest)),
    };
    let action = faults::take(&mut app.lock().faults, func, &params);
    if let Some(a) = &action
        && let Some(r) = fault_reply(&app, a, func, rest, &secret, false)
    {
        return Err(r);
    }
    let delay = match action {
        Some(Action::Delay(ms)) => Some(Duration::from_millis(ms)),
        _ => None,
    };
    // The call runs in its own task: like WHM, it completes even when the client gives up
    // (a delayed start still starts; an "outcome unknown" really happened). `/__sim/reset` aborts it,
    // so a call held back by a delay never lands in the next test's fresh world.
    let (app2, func2, params2) = (app.clone(), func.to_string(), params.clone());
    let job = tokio::spawn(async move {
        if let Some(d) = delay {
            tokio::time::sleep(d).await;
        }
        if params2.get("api.version") != Some("1") {
            return api::legacy_api0_body(&func2);
        }
        let reply = match api::call(&app2, &func2, &params2).await {
            Some(r) => r,
            None => api::unknown_function(&func2),
        };
        api::envelope(&func2, &reply, app2.ok_result())
    });
    app.lock().track(job.abort_handle());
    let mut body = job
        .await
        .map_err(|_| text(StatusCode::INTERNAL_SERVER_ERROR, "The call failed."))?;
    match action {
        Some(Action::Truncated) => {
            let mut cut = body.len() / 2;
            while cut > 0 && !body.is_char_boundary(cut) {
                cut -= 1;
            }
            body.truncate(cut);
        }
        Some(Action::Result0(reason)) => {
            body = api::envelope(func, &api::Reply::Fail { reason, data: None }, app.ok_result());
        }
        _ => {}
    }
    Ok(json_response(StatusCode::OK, body))
}

async fn live_tail(app: Arc<App>, req: Request, secret: &str) -> Result<Response, Response> {
    const NAME: &str = "live_tail_log.cgi";
    if req.method() != Method::GET {
        return Err(text(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed"));
    }
    let p = Params::parse(req.uri().query().unwrap_or(""));
    record_call(&app, NAME, req.method(), &p, None);
    let action = faults::take(&mut app.lock().faults, NAME, &p);
    if let Some(a) = &action
        && let Some(r) = fault_reply(&app, a, NAME, "/cgi/live_tail_log.cgi", secret, true)
    {
        return Err(r);
    }
    if let Some(Action::Delay(ms)) = action {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    let tail = livetail::parse(&p).map_err(|e| text(StatusCode::BAD_REQUEST, e))?;
    if !app.lock().sessions.contains_key(&tail.session_id) {
        return Err(text(
            StatusCode::NOT_FOUND,
            format!("The session ID “{}” does not exist.", tail.session_id),
        ));
    }
    let truncated = action == Some(Action::Truncated);
    let body = livetail::stream(app.clone(), tail, truncated);
    Ok(tail_response(body))
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

pub fn percent_decode(s: &str) -> Option<Vec<u8>> {
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
        assert_eq!(login_target(None, APP_PATH), APP_PATH);
        assert_eq!(login_target(Some("//evil"), APP_PATH), APP_PATH);
        assert_eq!(login_target(Some("/cpsess999/cgi/x"), APP_PATH), "/cgi/x");
        assert_eq!(login_target(Some("https://e"), APP_PATH), APP_PATH);
    }

    #[test]
    fn hosts() {
        for ok in [
            "127.0.0.1",
            "127.0.0.1:28101",
            "localhost",
            "LOCALHOST:2087",
            "[::1]",
            "[::1]:80",
        ] {
            assert!(allowed_host(ok), "{ok}");
        }
        for bad in [
            "evil.example",
            "evil.example:2087",
            "127.0.0.1.evil.example",
            "localhost.",
            "[::2]",
            "127.0.0.1:x",
            "127.0.0.1:",
            "[::1",
        ] {
            assert!(!allowed_host(bad), "{bad}");
        }
        assert_eq!(host_name("[::1]:80"), "::1");
        assert_eq!(host_name("User@Example.com:8080"), "example.com");
    }

    #[test]
    fn types() {
        assert_eq!(content_type(Path::new("a_bg.wasm")), "application/wasm");
        assert_eq!(content_type(Path::new("a.js")), "text/javascript; charset=utf-8");
    }
}
