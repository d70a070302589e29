//! The browser extension's transport: WHM calls relayed through the WHM tab the admin picked
//! (whm-transfer-api.md §2.7).
//!
//! The extension page cannot call WHM itself (WHM sends no CORS headers, §2.5, and an extension
//! page's requests carry no Referer, which WHM's blank-referrer check refuses). So each call goes to
//! `globalThis.whmRelay` (www/extension/bridge.js), which hands it over a port to a content script in
//! the WHM tab (www/extension/relay.js); that script reads the tab's `/cpsess` token from its address
//! and fetches same-origin, with the tab's cookie and Referer. Outside the extension the bridge is
//! absent ([`available`] is false) and the client uses same-origin fetch.
//!
//! Messages cross the boundary as plain objects, decoded with `serde-wasm-bindgen`; every failure the
//! bridge reports (`{kind, detail}`) becomes a typed [`WhmError`].

use super::{MAX_REPLY_BYTES, RawReply};
use crate::store::connect::{BrowserTab, Lost, logged_out_reply};
use crate::whm::WhmError;
use crate::whm::request::Call;
use gloo::timers::callback::Timeout;
use js_sys::{Function, Promise, Reflect};
use serde::Deserialize;
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal};

#[wasm_bindgen]
extern "C" {
    /// `globalThis.whmRelay`, defined by bridge.js.
    type Bridge;
    #[wasm_bindgen(method, catch, js_name = listTabs)]
    fn list_tabs(this: &Bridge) -> Result<Promise, JsValue>;
    #[wasm_bindgen(method, catch, js_name = requestAccess)]
    fn request_access(this: &Bridge, origin: &str) -> Result<Promise, JsValue>;
    #[wasm_bindgen(method, catch, js_name = hasAccess)]
    fn has_access(this: &Bridge, origin: &str) -> Result<Promise, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn probe(this: &Bridge, tab_id: u32, origin: &str) -> Result<Promise, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn post(
        this: &Bridge,
        tab_id: u32,
        origin: &str,
        path: &str,
        body: &str,
        signal: &AbortSignal,
        limit: f64,
    ) -> Result<Promise, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn stream(this: &Bridge, tab_id: u32, origin: &str, path: &str, signal: &AbortSignal) -> Result<Promise, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn watch(this: &Bridge, callback: &Function) -> Result<u32, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn unwatch(this: &Bridge, id: u32) -> Result<(), JsValue>;
    #[wasm_bindgen(method, catch)]
    fn report(this: &Bridge, tab_id: u32, kind: &str) -> Result<(), JsValue>;
    #[wasm_bindgen(method, catch)]
    fn remembered(this: &Bridge) -> Result<Promise, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn remember(this: &Bridge, origin: &str) -> Result<Promise, JsValue>;

    /// A stream's chunks (bridge.js `Chunks`).
    type Chunks;
    #[wasm_bindgen(method, catch)]
    fn next(this: &Chunks) -> Result<Promise, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn cancel(this: &Chunks) -> Result<(), JsValue>;
}

fn bridge() -> Option<Bridge> {
    let value = Reflect::get(&js_sys::global(), &JsValue::from_str("whmRelay")).ok()?;
    value.is_object().then(|| value.unchecked_into())
}

/// Whether the console runs as the extension (the bridge is there).
pub fn available() -> bool {
    bridge().is_some()
}

fn no_bridge() -> WhmError {
    WhmError::Network {
        detail: "the extension's relay is not loaded in this page".into(),
    }
}

/// A failure as the bridge reports it.
#[derive(Debug, Deserialize)]
struct Failure {
    kind: String,
    #[serde(default)]
    detail: String,
}

/// The typed error for a rejected bridge promise (`origin` names the WHM for the messages).
fn failure(err: JsValue, origin: &str) -> WhmError {
    match serde_wasm_bindgen::from_value::<Failure>(err.clone()) {
        Ok(f) => match f.kind.as_str() {
            "tab-closed" => WhmError::TabClosed { origin: origin.into() },
            "permission-needed" => WhmError::PermissionNeeded { origin: origin.into() },
            // Found before anything was sent: the tab shows WHM's login page, or left WHM.
            "session-lost" => WhmError::SessionLost {
                status: 0,
                detail: f.detail,
            },
            "aborted" => WhmError::Cancelled,
            "too-large" => WhmError::TooLarge {
                limit_bytes: super::MAX_REPLY_BYTES as u64,
            },
            "network" => WhmError::Network { detail: f.detail },
            _ => WhmError::Network {
                detail: format!("the extension's relay failed: {}", f.detail),
            },
        },
        Err(_) => WhmError::Network {
            detail: format!(
                "the extension's relay failed: {}",
                err.as_string()
                    .or_else(|| err.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())))
                    .unwrap_or_else(|| "no reason given".into())
            ),
        },
    }
}

/// How a relay failure shows in the connection view, if it is about the tab rather than the call.
pub fn lost_kind(err: &WhmError) -> Option<Lost> {
    match err {
        WhmError::TabClosed { .. } => Some(Lost::TabClosed),
        WhmError::PermissionNeeded { .. } => Some(Lost::PermissionNeeded),
        WhmError::SessionLost { .. } => Some(Lost::SessionLost),
        _ => None,
    }
}

async fn settle(promise: Result<Promise, JsValue>, origin: &str) -> Result<JsValue, WhmError> {
    let promise = promise.map_err(|e| failure(e, origin))?;
    JsFuture::from(promise).await.map_err(|e| failure(e, origin))
}

/// The head of a relayed reply; its `body` is read apart ([`body_text`]).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PostReply {
    status: u16,
    #[serde(default)]
    content_type: Option<String>,
}

/// A relayed reply's body: the bridge hands it over as UTF-8 bytes (a `Uint8Array`, encoded by the
/// browser), which are copied into wasm in one piece; a JS string would be copied character by
/// character (about 20 ms for a 7 MB analysis on a slow machine). A string is still accepted.
fn body_text(reply: &JsValue) -> String {
    let body = Reflect::get(reply, &JsValue::from_str("body")).unwrap_or(JsValue::UNDEFINED);
    match body.dyn_into::<js_sys::Uint8Array>() {
        Ok(bytes) => super::reply_text(bytes.to_vec()),
        Err(other) => other.as_string().unwrap_or_default(),
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StreamHead {
    status: u16,
    #[serde(default)]
    content_type: Option<String>,
}

fn unreadable(what: &str, e: serde_wasm_bindgen::Error) -> WhmError {
    WhmError::Network {
        detail: format!("the extension's relay sent an unreadable {what}: {e}"),
    }
}

/// The WHM tab calls go through. The token is never held here: the relay reads it from the tab on
/// every call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Relay {
    tab_id: u32,
    origin: Rc<str>,
}

impl Relay {
    pub fn new(tab_id: u32, origin: &str) -> Relay {
        Relay {
            tab_id,
            origin: origin.into(),
        }
    }

    /// The WHM origin (`https://host:2087`).
    pub fn origin(&self) -> &str {
        &self.origin
    }

    pub fn tab_id(&self) -> u32 {
        self.tab_id
    }

    /// Tells the connection view that a reply shows the tab's WHM login is gone.
    fn notice(&self, status: u16, content_type: Option<&str>) {
        if logged_out_reply(status, content_type)
            && let Some(b) = bridge()
        {
            let _ = b.report(self.tab_id, "session-lost");
        }
    }

    /// One POST of a form body to `path` (relative to the tab's token, e.g.
    /// `"/json-api/get_transfer_session_state?api.version=1"`). Resolves with (status, content type,
    /// body text). Aborted (`Err(WhmError::Cancelled)`) when `signal` aborts. Sent at most once: a
    /// failure after the relay took the call is never retried here.
    pub async fn post(
        &self,
        path: &str,
        body: &str,
        signal: &AbortSignal,
    ) -> Result<(u16, Option<String>, String), WhmError> {
        let b = bridge().ok_or_else(no_bridge)?;
        // The relay stops reading past the cap (the check below stays for a bridge that does not).
        let limit = super::MAX_REPLY_BYTES as f64;
        let value = settle(
            b.post(self.tab_id, &self.origin, path, body, signal, limit),
            &self.origin,
        )
        .await?;
        let body = body_text(&value);
        let reply: PostReply = serde_wasm_bindgen::from_value(value).map_err(|e| unreadable("reply", e))?;
        self.notice(reply.status, reply.content_type.as_deref());
        Ok((reply.status, reply.content_type, body))
    }

    /// A streamed GET of `path` (the live tail): each decoded text chunk goes to `on_chunk`, which
    /// returns `false` to stop reading; resolves with (status, content type) when the stream ends.
    /// For a reply that is not the log (not 2xx, or WHM's HTML login page) no chunk is passed and it
    /// resolves at once.
    pub async fn stream(
        &self,
        path: &str,
        signal: &AbortSignal,
        on_chunk: &mut dyn FnMut(&str) -> bool,
    ) -> Result<(u16, Option<String>), WhmError> {
        let b = bridge().ok_or_else(no_bridge)?;
        let value = settle(b.stream(self.tab_id, &self.origin, path, signal), &self.origin).await?;
        let head: StreamHead = serde_wasm_bindgen::from_value(value.clone()).map_err(|e| unreadable("stream", e))?;
        let chunks: Chunks = value.unchecked_into();
        self.notice(head.status, head.content_type.as_deref());
        if !(200..300).contains(&head.status) || logged_out_reply(head.status, head.content_type.as_deref()) {
            let _ = chunks.cancel();
            return Ok((head.status, head.content_type));
        }
        loop {
            let chunk = settle(chunks.next(), &self.origin).await?;
            let Some(text) = chunk.as_string() else { break }; // null: the stream ended
            if !on_chunk(&text) {
                let _ = chunks.cancel();
                break;
            }
        }
        Ok((head.status, head.content_type))
    }
}

/// An aborted relay call: a timeout when the timer fired, else the owner's cancel.
fn aborted(err: WhmError, timed_out: &Cell<bool>, after_ms: u32) -> WhmError {
    match err {
        WhmError::Cancelled if timed_out.get() => WhmError::Timeout { after_ms },
        e => e,
    }
}

/// One form POST of `call` through the relay, with the call's timeout and the reply size cap
/// (the transport seam's `post`).
pub(super) async fn post_call(relay: &Relay, call: &Call, controller: &AbortController) -> Result<RawReply, WhmError> {
    let timed_out = Rc::new(Cell::new(false));
    let _timer = {
        let (controller, timed_out) = (controller.clone(), timed_out.clone());
        Timeout::new(call.timeout_ms, move || {
            timed_out.set(true);
            controller.abort();
        })
    };
    let (status, content_type, body) = relay
        .post(&call.path(""), &call.form_body(), &controller.signal())
        .await
        .map_err(|e| aborted(e, &timed_out, call.timeout_ms))?;
    if body.len() > MAX_REPLY_BYTES {
        return Err(WhmError::TooLarge {
            limit_bytes: MAX_REPLY_BYTES as u64,
        });
    }
    Ok(RawReply {
        status,
        content_type,
        body,
    })
}

/// The live tail through the relay (the transport seam's `stream`): `path` is relative to the
/// token; no chunk for `idle_ms` ends it with [`WhmError::Timeout`]; a refused login or an HTTP
/// error is an error, as with same-origin fetch.
pub(super) async fn stream_call(
    relay: &Relay,
    path: &str,
    controller: &AbortController,
    idle_ms: u32,
    on_chunk: &mut dyn FnMut(&str) -> bool,
) -> Result<(), WhmError> {
    let timed_out = Rc::new(Cell::new(false));
    let watchdog = || {
        let (controller, timed_out) = (controller.clone(), timed_out.clone());
        Timeout::new(idle_ms, move || {
            timed_out.set(true);
            controller.abort();
        })
    };
    let timer = RefCell::new(Some(watchdog()));
    let mut fed = |text: &str| {
        if let Some(t) = timer.borrow_mut().take() {
            t.cancel();
        }
        *timer.borrow_mut() = Some(watchdog());
        on_chunk(text)
    };
    let result = relay.stream(path, &controller.signal(), &mut fed).await;
    if let Some(t) = timer.borrow_mut().take() {
        t.cancel();
    }
    let (status, content_type) = result.map_err(|e| aborted(e, &timed_out, idle_ms))?;
    if let Some(e) = WhmError::from_status(status, "the live log") {
        return Err(e);
    }
    if logged_out_reply(status, content_type.as_deref()) {
        return Err(WhmError::SessionLost {
            status,
            detail: "the live log answered with a login page".into(),
        });
    }
    Ok(())
}

/// Every open http(s) tab, for the tab picker.
pub async fn list_tabs() -> Result<Vec<BrowserTab>, WhmError> {
    let b = bridge().ok_or_else(no_bridge)?;
    let value = settle(b.list_tabs(), "").await?;
    serde_wasm_bindgen::from_value(value).map_err(|e| unreadable("tab list", e))
}

/// Asks Chromium for access to exactly `origin`. The prompt needs the admin's click, so this asks
/// right away (call it from the click handler) and the future resolves with the answer.
pub fn request_access(origin: &str) -> impl Future<Output = bool> + 'static {
    let asked = bridge().map(|b| b.request_access(origin));
    async move {
        match asked {
            Some(Ok(p)) => JsFuture::from(p).await.ok().and_then(|v| v.as_bool()).unwrap_or(false),
            _ => false,
        }
    }
}

/// Whether access to `origin` is granted already (no prompt).
pub async fn has_access(origin: &str) -> bool {
    let Some(b) = bridge() else { return false };
    settle(b.has_access(origin), origin)
        .await
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

/// Starts the relay in the tab and checks that it still shows WHM at `origin` with a token.
pub async fn probe(tab_id: u32, origin: &str) -> Result<(), WhmError> {
    let b = bridge().ok_or_else(no_bridge)?;
    settle(b.probe(tab_id, origin), origin).await.map(|_| ())
}

/// The WHM origin picked last time (a preference; no token).
pub async fn remembered() -> Option<String> {
    let b = bridge()?;
    settle(b.remembered(), "").await.ok()?.as_string()
}

/// Remembers the picked WHM origin for next time.
pub fn remember(origin: &str) {
    if let Some(b) = bridge() {
        let _ = b.remember(origin);
    }
}

/// A tab or permission change the bridge reports (`event`: "removed", "updated", "created",
/// "permissions", or a call's "session-lost").
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TabEvent {
    pub event: String,
    #[serde(default)]
    pub tab_id: i64,
}

/// A subscription to [`TabEvent`]s; dropping it unsubscribes.
pub struct Watch {
    id: u32,
    _callback: Closure<dyn FnMut(JsValue)>,
}

impl Drop for Watch {
    fn drop(&mut self) {
        if let Some(b) = bridge() {
            let _ = b.unwatch(self.id);
        }
    }
}

/// Calls `on_event` on every tab or permission change; `None` outside the extension.
pub fn watch(on_event: impl Fn(TabEvent) + 'static) -> Option<Watch> {
    let b = bridge()?;
    let callback = Closure::<dyn FnMut(JsValue)>::new(move |v: JsValue| {
        if let Ok(e) = serde_wasm_bindgen::from_value::<TabEvent>(v) {
            on_event(e);
        }
    });
    let id = b.watch(callback.as_ref().unchecked_ref()).ok()?;
    Some(Watch {
        id,
        _callback: callback,
    })
}
