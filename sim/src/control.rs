//! `/__sim/…`: the test controls (faults, reset, call counts, request capture, lose an account, add a local user,
//! purge a session, a long log line, schema overrides). One guard covers every route: loopback peers only, and a mutating request
//! must be one a web page cannot send cross-site (JSON body, no foreign `Origin`, no cross-site
//! `Sec-Fetch-Site`). The Host check of every route is in `web`.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::Uri;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::App;
use crate::faults::{Fault, FaultSpec};
use crate::util::Params;

pub fn router() -> Router<Arc<App>> {
    Router::new()
        .route("/health", get(|| async { "ok" }))
        .route("/faults", post(add_fault).delete(clear_faults).get(list_faults))
        .route("/reset", post(reset))
        .route("/sessions", get(list_sessions))
        .route("/calls", get(list_calls).delete(clear_calls))
        .route("/requests", get(list_requests))
        .route("/lose-account", post(lose_account))
        .route("/add-local-user", post(add_local_user))
        .route("/purge-session", post(purge_session))
        .route("/long-log-line", post(long_log_line))
        .route(
            "/schema",
            post(drop_schema_keys).delete(restore_schemas).get(list_schema_drops),
        )
        .layer(middleware::from_fn(guard))
}

type Reply = Result<Response, Response>;

fn text(status: StatusCode, body: impl Into<String>) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        body.into(),
    )
        .into_response()
}

fn json_reply(v: &Value) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        v.to_string(),
    )
        .into_response()
}

fn header_str(h: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

/// Why a control request is refused, if it is: not from loopback, or (for a mutating method)
/// something a page in the same browser could have sent from another site.
pub fn refusal(req: &Request) -> Option<(StatusCode, &'static str)> {
    let loopback = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .is_none_or(|ConnectInfo(a)| a.ip().is_loopback());
    if !loopback {
        return Some((StatusCode::FORBIDDEN, "loopback only"));
    }
    if matches!(*req.method(), Method::GET | Method::HEAD) {
        return None;
    }
    let h = req.headers();
    if let Some(origin) = header_str(h, header::ORIGIN) {
        let host = header_str(h, header::HOST).unwrap_or_default();
        let same = origin
            .strip_prefix("http://")
            .is_some_and(|o| o.eq_ignore_ascii_case(host));
        if !same {
            return Some((StatusCode::FORBIDDEN, "cross-origin control requests are refused"));
        }
    }
    if let Some(site) = h.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && !matches!(site, "same-origin" | "none")
    {
        return Some((StatusCode::FORBIDDEN, "cross-site control requests are refused"));
    }
    // A form or a no-cors fetch can POST text/plain, urlencoded or multipart cross-site, never
    // application/json. DELETE cannot be sent cross-site without a CORS preflight, which this
    // server never grants, so it needs no body.
    if *req.method() != Method::DELETE {
        let json = header_str(h, header::CONTENT_TYPE)
            .and_then(|ct| ct.split(';').next())
            .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"));
        if !json {
            return Some((
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "control requests need Content-Type: application/json",
            ));
        }
    }
    None
}

async fn guard(req: Request, next: Next) -> Response {
    match refusal(&req) {
        Some((status, why)) => text(status, why),
        None => next.run(req).await,
    }
}

async fn add_fault(State(app): State<Arc<App>>, body: Bytes) -> Reply {
    let spec: FaultSpec =
        serde_json::from_slice(&body).map_err(|e| text(StatusCode::BAD_REQUEST, format!("invalid fault: {e}")))?;
    let mut w = app.lock();
    w.fault_seq += 1;
    let f = Fault::from_spec(w.fault_seq, spec);
    let id = f.id;
    w.faults.push(f);
    Ok(json_reply(&json!({"id": id, "faults": w.faults})))
}

async fn clear_faults(State(app): State<Arc<App>>) -> Response {
    let mut w = app.lock();
    let n = w.faults.len();
    w.faults.clear();
    json_reply(&json!({ "cleared": n }))
}

async fn list_faults(State(app): State<Arc<App>>) -> Response {
    json_reply(&json!({ "faults": app.lock().faults }))
}

async fn reset(State(app): State<Arc<App>>) -> Reply {
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
    json_reply(&json!({ "sessions": v }))
}

async fn list_calls(State(app): State<Arc<App>>) -> Response {
    json_reply(&json!(app.lock().calls))
}

async fn clear_calls(State(app): State<Arc<App>>) -> Response {
    let mut w = app.lock();
    w.calls.clear();
    w.requests.clear();
    json_reply(&json!({ "cleared": true }))
}

/// `?function=NAME` narrows the list to one function.
async fn list_requests(State(app): State<Arc<App>>, uri: Uri) -> Response {
    let q = Params::parse(uri.query().unwrap_or(""));
    let function = q.non_empty("function");
    let w = app.lock();
    let list: Vec<&Value> = w
        .requests
        .iter()
        .filter(|r| function.is_none_or(|func| r["function"] == func))
        .collect();
    json_reply(&json!({ "requests": list }))
}

#[derive(Deserialize)]
struct LoseAccount {
    user: String,
}

/// Make a restored account disappear from this server (for the arrival check).
async fn lose_account(State(app): State<Arc<App>>, body: Bytes) -> Reply {
    let LoseAccount { user } =
        serde_json::from_slice(&body).map_err(|e| text(StatusCode::BAD_REQUEST, format!("invalid request: {e}")))?;
    let mut w = app.lock();
    let local = &mut w.local;
    if local.accounts.remove(&user).is_none() {
        return Err(text(
            StatusCode::NOT_FOUND,
            format!("no restored account named {user:?}"),
        ));
    }
    local.remove_user(&user);
    Ok(json_reply(&json!({ "lost": user })))
}

/// Another admin created a system user (and its group) on this server meanwhile: the next analysis
/// lists it, and `validate_system_user` says it exists.
async fn add_local_user(State(app): State<Arc<App>>, body: Bytes) -> Reply {
    let LoseAccount { user } =
        serde_json::from_slice(&body).map_err(|e| text(StatusCode::BAD_REQUEST, format!("invalid request: {e}")))?;
    let mut w = app.lock();
    let added = w.local.users.insert(user.clone());
    w.local.groups.insert(user.clone());
    if !added {
        return Err(text(StatusCode::CONFLICT, format!("{user:?} is already a user here")));
    }
    Ok(json_reply(&json!({ "added": user })))
}

#[derive(Deserialize)]
struct PurgeSession {
    session_id: String,
}

/// Forget a transfer session as WHM does after 30 days: every later call says it does not exist.
async fn purge_session(State(app): State<Arc<App>>, body: Bytes) -> Reply {
    let PurgeSession { session_id } =
        serde_json::from_slice(&body).map_err(|e| text(StatusCode::BAD_REQUEST, format!("invalid request: {e}")))?;
    // A running processor notices the session is gone at its next step and stops.
    if app.lock().sessions.remove(&session_id).is_none() {
        return Err(text(StatusCode::NOT_FOUND, format!("no session named {session_id:?}")));
    }
    Ok(json_reply(&json!({ "purged": session_id })))
}

#[derive(Deserialize)]
struct LongLogLine {
    session_id: String,
    log: String,
    bytes: usize,
}

/// The largest line `/__sim/long-log-line` writes.
const MAX_LONG_LINE: usize = 64 << 20;

/// A module prints a huge listing: one `out` line of about `bytes` bytes (at most 64 MiB) lands in
/// an open log of a session, and the live tail sends it like any other line.
async fn long_log_line(State(app): State<Arc<App>>, body: Bytes) -> Reply {
    let LongLogLine { session_id, log, bytes } =
        serde_json::from_slice(&body).map_err(|e| text(StatusCode::BAD_REQUEST, format!("invalid request: {e}")))?;
    let mut w = app.lock();
    let s = w
        .sessions
        .get_mut(&session_id)
        .ok_or_else(|| text(StatusCode::NOT_FOUND, format!("no session named {session_id:?}")))?;
    if !s.logs.get(&log).is_some_and(|f| f.open) {
        return Err(text(
            StatusCode::CONFLICT,
            format!("{log:?} is not an open log of this session"),
        ));
    }
    let pid = s.master_pid.unwrap_or(1);
    let line = crate::session::log_line(
        pid,
        "out",
        None,
        &json!({ "msg": ["x".repeat(bytes.min(MAX_LONG_LINE))] }),
    );
    let written = line.len() + 1;
    s.append(&log, &line);
    Ok(json_reply(&json!({ "log": log, "bytes": written })))
}

#[derive(Deserialize)]
struct SchemaDrop {
    module: String,
    drop: Vec<String>,
}

fn schema_drops_json(w: &crate::World) -> Value {
    json!({ "dropped": w.schema_drops })
}

/// Make this WHM's schema of a module lack some keys: `transfer_module_schema` leaves them out and
/// `enqueue_transfer_item` refuses them (`The “K” parameter is not valid for the “M” module.`), as a
/// WHM version without them would. Adds to what an earlier call dropped.
async fn drop_schema_keys(State(app): State<Arc<App>>, body: Bytes) -> Reply {
    let SchemaDrop { module, drop } =
        serde_json::from_slice(&body).map_err(|e| text(StatusCode::BAD_REQUEST, format!("invalid request: {e}")))?;
    let def = crate::modules::find(&module)
        .ok_or_else(|| text(StatusCode::NOT_FOUND, format!("no transfer module named {module:?}")))?;
    if let Some(unknown) = drop.iter().find(|k| !def.has_key(k)) {
        return Err(text(
            StatusCode::BAD_REQUEST,
            format!("the {module} schema has no key {unknown:?}"),
        ));
    }
    let mut w = app.lock();
    w.schema_drops.entry(def.name.to_string()).or_default().extend(drop);
    Ok(json_reply(&schema_drops_json(&w)))
}

/// Every module's full schema again.
async fn restore_schemas(State(app): State<Arc<App>>) -> Response {
    let mut w = app.lock();
    let n = w.schema_drops.len();
    w.schema_drops.clear();
    json_reply(&json!({ "cleared": n }))
}

async fn list_schema_drops(State(app): State<Arc<App>>) -> Response {
    json_reply(&schema_drops_json(&app.lock()))
}

/// Keys whose values never leave the simulator: anything named like a password or a secret.
pub fn is_secret_key(k: &str) -> bool {
    let k = k.to_ascii_lowercase();
    k.contains("pass") || k.contains("secret") || k.contains("token")
}

/// Parameters as a JSON object, secret values replaced by `********`.
pub fn redacted(p: &Params) -> Value {
    let mut m = serde_json::Map::new();
    for k in p.keys() {
        let v = p.get(k).unwrap_or_default();
        let shown = if is_secret_key(k) && !v.is_empty() {
            "********"
        } else {
            v
        };
        m.insert(k.to_string(), json!(shown));
    }
    Value::Object(m)
}
