//! Transport: WHM API 1 calls from the browser (gloo-net).
//!
//! - The base is the page's own `/cpsessNNNNNNNNNN` token (same origin, cookie sent by the browser).
//! - Every call is a form-encoded POST: parameters, and so secrets, never appear in a URL.
//! - Each call has a timeout (AbortController) and belongs to an [`Owner`]: dropping the owner
//!   (e.g. the component that asked) aborts whatever it still has in flight.
//! - Nothing is retried here, ever: a mutating call is sent exactly once.

use crate::whm::logs::{TailFrame, parse_tail_line};
use crate::whm::request::{Call, Request};
use crate::whm::{self, HttpReply, Reply, WhmError};
use gloo::net::http::Request as HttpRequest;
use gloo::timers::callback::Timeout;
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::rc::Rc;
use web_sys::AbortController;

/// The outcome of a call: `Ok(None)` when its owner cancelled it (nobody waits for an answer).
pub type Sent<T> = Result<Option<T>, WhmError>;

/// Where WHM is: the security-token prefix of every API path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Whm {
    token: Rc<str>,
    origin: Rc<str>,
}

impl Whm {
    /// From `location.pathname` (`/cpsess` + 10 digits). `None` when the page was not opened through WHM.
    pub fn from_location() -> Option<Whm> {
        let location = web_sys::window()?.location();
        let path = location.pathname().ok()?;
        let origin = location.origin().unwrap_or_default();
        let token = whm::security_token_from_path(&path)?;
        Some(Whm {
            token: token.into(),
            origin: origin.into(),
        })
    }

    /// For tests and for pages that learn the token another way.
    pub fn with_token(token: &str) -> Whm {
        Whm {
            token: token.into(),
            origin: "".into(),
        }
    }

    pub fn token(&self) -> &str {
        &self.token
    }

    /// The host shown in the header (from the page origin).
    pub fn host(&self) -> String {
        self.origin.split("://").nth(1).unwrap_or(&self.origin).to_owned()
    }

    /// Sends one typed request and decodes its reply. `Ok(None)` means the owner cancelled the call
    /// (the owner was dropped or [`Owner::cancel_all`] was called): nobody is waiting for an answer, so
    /// there is nothing to show. Callers that supersede calls without cancelling them drop stale
    /// answers themselves (see `store::latest`).
    ///
    /// The call is registered with `owner` right away; the returned future does not borrow it, so a
    /// component can drop its owner (unmount) while the future is still running.
    pub fn send<R: Request>(&self, request: &R, owner: &Owner) -> impl Future<Output = Sent<Reply<R::Data>>> + 'static {
        let exchange = self.exchange(request.call(), owner);
        async move {
            let Some(raw) = exchange.await? else {
                return Ok(None);
            };
            raw.decode::<R::Data>().map(Some)
        }
    }

    /// Like [`Whm::send`], also returning the reply body (for the raw JSON view).
    pub fn send_with_body<R: Request>(
        &self,
        request: &R,
        owner: &Owner,
    ) -> impl Future<Output = Sent<(Reply<R::Data>, String)>> + 'static {
        let exchange = self.exchange(request.call(), owner);
        async move {
            let Some(raw) = exchange.await? else {
                return Ok(None);
            };
            let reply = raw.decode::<R::Data>()?;
            Ok(Some((reply, raw.body)))
        }
    }

    /// One connection to `cgi/live_tail_log.cgi` (§6.4) following `master.log` from byte `position`.
    /// Every complete stream line goes to `on_frame`. `Ok(Some(true))` when the stream ended with its
    /// terminator (the session is over), `Ok(Some(false))` when it ended without one (reconnect from
    /// the new position), `Ok(None)` when the owner cancelled it. A GET: it carries no secret.
    pub fn tail_master_log(
        &self,
        owner: &Owner,
        session_id: &str,
        position: u64,
        on_frame: Rc<dyn Fn(TailFrame)>,
    ) -> impl Future<Output = Sent<bool>> + 'static {
        let registered = owner.begin();
        let in_flight = Rc::downgrade(&owner.in_flight);
        let termination = (js_sys::Math::random() * 1e9) as u64 + 1;
        let mut url = format!("{}/cgi/live_tail_log.cgi?system_id=transfers&session_id=", self.token);
        crate::whm::request::form_encode_into(&mut url, session_id);
        url.push_str(&format!(
            "&termination_integer={termination}&log_file1=master.log&log_file_position1={position}"
        ));
        async move {
            let controller = registered?;
            let result = stream_lines(&url, &controller, termination, &*on_frame).await;
            if let Some(list) = in_flight.upgrade() {
                list.borrow_mut().retain(|c| c != &controller);
            }
            result
        }
    }

    fn exchange(
        &self,
        call: Call,
        owner: &Owner,
    ) -> impl Future<Output = Result<Option<RawReply>, WhmError>> + 'static {
        let registered = owner.begin();
        let in_flight = Rc::downgrade(&owner.in_flight);
        let url = call.path(&self.token);
        async move {
            let controller = registered?;
            let result = fetch(&call, &url, &controller).await;
            if let Some(list) = in_flight.upgrade() {
                list.borrow_mut().retain(|c| c != &controller);
            }
            result
        }
    }
}

async fn fetch(call: &Call, url: &str, controller: &AbortController) -> Result<Option<RawReply>, WhmError> {
    let timed_out = Rc::new(Cell::new(false));
    let _timer = {
        let controller = controller.clone();
        let timed_out = timed_out.clone();
        Timeout::new(call.timeout_ms, move || {
            timed_out.set(true);
            controller.abort();
        })
    };
    let signal = controller.signal();
    let classify = |detail: String| {
        if timed_out.get() {
            Err(WhmError::Timeout {
                after_ms: call.timeout_ms,
            })
        } else if signal.aborted() {
            Ok(None)
        } else {
            Err(WhmError::Network { detail })
        }
    };
    let request = HttpRequest::post(url)
        .header("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
        .header("Accept", "application/json")
        .credentials(web_sys::RequestCredentials::SameOrigin)
        .referrer_policy(web_sys::ReferrerPolicy::NoReferrer)
        .cache(web_sys::RequestCache::NoStore)
        .abort_signal(Some(&signal))
        .body(call.form_body());
    let request = match request {
        Ok(r) => r,
        Err(e) => return classify(e.to_string()),
    };
    let response = match request.send().await {
        Ok(r) => r,
        Err(e) => return classify(e.to_string()),
    };
    let status = response.status();
    let content_type = response.headers().get("content-type");
    match response.text().await {
        Ok(body) => Ok(Some(RawReply {
            status,
            content_type,
            body,
        })),
        Err(e) => classify(format!("the connection broke while reading the reply: {e}")),
    }
}

async fn stream_lines(
    url: &str,
    controller: &AbortController,
    termination: u64,
    on_frame: &dyn Fn(TailFrame),
) -> Sent<bool> {
    use wasm_bindgen::JsCast;
    let signal = controller.signal();
    let lost = |detail: String| {
        if signal.aborted() {
            Ok(None)
        } else {
            Err(WhmError::Network { detail })
        }
    };
    let response = match HttpRequest::get(url)
        .credentials(web_sys::RequestCredentials::SameOrigin)
        .referrer_policy(web_sys::ReferrerPolicy::NoReferrer)
        .cache(web_sys::RequestCache::NoStore)
        .abort_signal(Some(&signal))
        .send()
        .await
    {
        Ok(r) => r,
        Err(e) => return lost(e.to_string()),
    };
    let status = response.status();
    if status == 401 || status == 403 {
        return Err(WhmError::SessionLost {
            status,
            detail: "the live log was refused".into(),
        });
    }
    if !(200..300).contains(&status) {
        return Err(WhmError::Http {
            status,
            detail: "live_tail_log.cgi".into(),
        });
    }
    let Some(body) = response.body() else {
        return Err(WhmError::Malformed {
            detail: "the live log has no body".into(),
            at: "stream".into(),
            truncated: true,
        });
    };
    let reader: web_sys::ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let decoder = web_sys::TextDecoder::new().map_err(|_| WhmError::Network {
        detail: "no TextDecoder".into(),
    })?;
    let options = web_sys::TextDecodeOptions::new();
    options.set_stream(true);
    let mut pending = String::new();
    let mut ended = false;
    loop {
        let chunk = match wasm_bindgen_futures::JsFuture::from(reader.read()).await {
            Ok(c) => c,
            Err(_) => return lost("the live log connection broke".into()),
        };
        let done = js_sys::Reflect::get(&chunk, &"done".into())
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(true);
        if done {
            break;
        }
        let Some(bytes) = js_sys::Reflect::get(&chunk, &"value".into())
            .ok()
            .and_then(|v| v.dyn_into::<js_sys::Uint8Array>().ok())
        else {
            break;
        };
        if let Ok(text) = decoder.decode_with_js_u8_array_and_options(&bytes, &options) {
            pending.push_str(&text);
        }
        while let Some(end) = pending.find('\n') {
            let line: String = pending.drain(..=end).collect();
            let frame = parse_tail_line(&line);
            if frame == TailFrame::End(termination) {
                ended = true;
            }
            on_frame(frame);
        }
    }
    Ok(Some(ended))
}

struct RawReply {
    status: u16,
    content_type: Option<String>,
    body: String,
}

impl RawReply {
    fn decode<T: serde::de::DeserializeOwned>(&self) -> Result<Reply<T>, WhmError> {
        whm::decode::<T>(HttpReply {
            status: self.status,
            content_type: self.content_type.as_deref(),
            body: &self.body,
        })
    }
}

/// Owns in-flight calls. Dropping it (or calling [`Owner::cancel_all`]) aborts them.
#[derive(Default)]
pub struct Owner {
    in_flight: Rc<RefCell<Vec<AbortController>>>,
}

impl Owner {
    pub fn new() -> Self {
        Self::default()
    }

    fn begin(&self) -> Result<AbortController, WhmError> {
        let controller = AbortController::new().map_err(|_| WhmError::Network {
            detail: "this browser cannot cancel requests (no AbortController); use a current browser".into(),
        })?;
        self.in_flight.borrow_mut().push(controller.clone());
        Ok(controller)
    }

    /// Aborts every call this owner still has in flight (their `send` returns `Ok(None)`).
    pub fn cancel_all(&self) {
        for c in self.in_flight.borrow_mut().drain(..) {
            c.abort();
        }
    }

    pub fn in_flight(&self) -> usize {
        self.in_flight.borrow().len()
    }
}

impl Drop for Owner {
    fn drop(&mut self) {
        self.cancel_all();
    }
}
