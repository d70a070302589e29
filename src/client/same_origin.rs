//! The same-origin transport: `fetch` from a page WHM itself serves (plugin, simulator), with the
//! page's cookie. `Referrer-Policy: same-origin`: WHM's optional blank-referrer check refuses calls
//! without a Referer, and the Referer never leaves WHM's origin. A redirect is never followed: the
//! browser would send the POST, secrets and all, again to wherever it points (a 307 or 308 keeps the
//! body), and read that server's answer as WHM's.

use super::{MAX_REPLY_BYTES, RawReply};
use crate::whm::WhmError;
use crate::whm::request::Call;
use gloo::net::http::{Request as HttpRequest, Response};
use gloo::timers::callback::Timeout;
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::AbortController;

/// Why a fetch ended early: told apart by who aborted it.
struct Abort {
    timed_out: Rc<Cell<bool>>,
    after_ms: u32,
}

impl Abort {
    fn classify(&self, controller: &AbortController, detail: String) -> WhmError {
        if self.timed_out.get() {
            WhmError::Timeout {
                after_ms: self.after_ms,
            }
        } else if controller.signal().aborted() {
            WhmError::Cancelled
        } else {
            WhmError::Network { detail }
        }
    }
}

/// What an answer that was a redirect is, as an error (`redirect: "manual"` gives an opaque one).
/// Whether WHM did the work first is not known.
fn redirected(response: &Response) -> Result<(), WhmError> {
    if response.type_() == web_sys::ResponseType::Opaqueredirect {
        return Err(WhmError::Network {
            detail: REDIRECT_DETAIL.into(),
        });
    }
    Ok(())
}

/// Said of a redirect, here and by the extension's relay.
const REDIRECT_DETAIL: &str = "WHM answered with a redirect to another address, which the console does not follow; check the address WHM is reached at (a proxy in front of it?)";

/// One form POST of `call` to `<token>/json-api/<function>`.
pub(super) async fn post(token: &str, call: &Call, controller: &AbortController) -> Result<RawReply, WhmError> {
    let abort = Abort {
        timed_out: Rc::new(Cell::new(false)),
        after_ms: call.timeout_ms,
    };
    let _timer = {
        let (controller, timed_out) = (controller.clone(), abort.timed_out.clone());
        Timeout::new(call.timeout_ms, move || {
            timed_out.set(true);
            controller.abort();
        })
    };
    let signal = controller.signal();
    let request = HttpRequest::post(&call.path(token))
        .header("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
        .header("Accept", "application/json")
        .credentials(web_sys::RequestCredentials::SameOrigin)
        .referrer_policy(web_sys::ReferrerPolicy::SameOrigin)
        .cache(web_sys::RequestCache::NoStore)
        .redirect(web_sys::RequestRedirect::Manual)
        .abort_signal(Some(&signal))
        .body(call.form_body())
        .map_err(|e| abort.classify(controller, e.to_string()))?;
    let response = request
        .send()
        .await
        .map_err(|e| abort.classify(controller, e.to_string()))?;
    redirected(&response)?;
    let status = response.status();
    let content_type = response.headers().get("content-type");
    let body = read_capped(&response, MAX_REPLY_BYTES).await.map_err(|e| match e {
        ReadError::TooLarge => WhmError::TooLarge {
            limit_bytes: MAX_REPLY_BYTES as u64,
        },
        ReadError::Broken(d) => {
            abort.classify(controller, format!("the connection broke while reading the reply: {d}"))
        }
    })?;
    Ok(RawReply {
        status,
        content_type,
        body,
    })
}

/// A streamed GET of `url`. Each decoded chunk goes to `on_chunk`, which returns `false` to stop.
/// No byte for `idle_ms` aborts it with [`WhmError::Timeout`].
pub(super) async fn stream(
    url: &str,
    controller: &AbortController,
    idle_ms: u32,
    on_chunk: &mut dyn FnMut(&str) -> bool,
) -> Result<(), WhmError> {
    let abort = Abort {
        timed_out: Rc::new(Cell::new(false)),
        after_ms: idle_ms,
    };
    let watchdog = || {
        let (controller, timed_out) = (controller.clone(), abort.timed_out.clone());
        Timeout::new(idle_ms, move || {
            timed_out.set(true);
            controller.abort();
        })
    };
    let mut timer = watchdog();
    let signal = controller.signal();
    let response = HttpRequest::get(url)
        .credentials(web_sys::RequestCredentials::SameOrigin)
        .referrer_policy(web_sys::ReferrerPolicy::SameOrigin)
        .cache(web_sys::RequestCache::NoStore)
        .redirect(web_sys::RequestRedirect::Manual)
        .abort_signal(Some(&signal))
        .send()
        .await
        .map_err(|e| abort.classify(controller, e.to_string()))?;
    redirected(&response)?;
    if let Some(e) = WhmError::from_status(response.status(), "the live log") {
        return Err(e);
    }
    let is_html = response
        .headers()
        .get("content-type")
        .is_some_and(|ct| ct.to_ascii_lowercase().contains("text/html"));
    if is_html {
        return Err(WhmError::SessionLost {
            status: response.status(),
            detail: "the live log answered with a login page".into(),
        });
    }
    let reader = reader_of(&response)?;
    let decoder = decoder()?;
    let options = web_sys::TextDecodeOptions::new();
    options.set_stream(true);
    loop {
        let chunk = wasm_bindgen_futures::JsFuture::from(reader.read())
            .await
            .map_err(|_| abort.classify(controller, "the live log connection broke".into()))?;
        timer.cancel();
        timer = watchdog();
        let Some(bytes) = chunk_bytes(&chunk) else { break };
        let text = decoder
            .decode_with_js_u8_array_and_options(&bytes, &options)
            .unwrap_or_default();
        if !on_chunk(&text) {
            controller.abort();
            break;
        }
    }
    timer.cancel();
    Ok(())
}

enum ReadError {
    TooLarge,
    Broken(String),
}

/// Reads a body as UTF-8 text, stopping (and cancelling the download) past `cap` bytes.
async fn read_capped(response: &Response, cap: usize) -> Result<String, ReadError> {
    let reader = reader_of(response).map_err(|e| ReadError::Broken(e.to_string()))?;
    let mut bytes: Vec<u8> = Vec::new();
    loop {
        let chunk = wasm_bindgen_futures::JsFuture::from(reader.read())
            .await
            .map_err(|e| ReadError::Broken(format!("{e:?}")))?;
        let Some(part) = chunk_bytes(&chunk) else { break };
        let n = part.length() as usize;
        if bytes.len() + n > cap {
            let _ = reader.cancel();
            return Err(ReadError::TooLarge);
        }
        let start = bytes.len();
        bytes.resize(start + n, 0);
        part.copy_to(&mut bytes[start..]);
    }
    Ok(super::reply_text(bytes))
}

fn reader_of(response: &Response) -> Result<web_sys::ReadableStreamDefaultReader, WhmError> {
    match response.body() {
        Some(body) => Ok(body.get_reader().unchecked_into()),
        None => Err(WhmError::Malformed {
            detail: "the reply has no body".into(),
            at: "body".into(),
            truncated: true,
        }),
    }
}

fn decoder() -> Result<web_sys::TextDecoder, WhmError> {
    web_sys::TextDecoder::new().map_err(|_| WhmError::Network {
        detail: "this browser has no TextDecoder; use a current browser".into(),
    })
}

/// The bytes of one `reader.read()` result, or `None` when the stream is done.
fn chunk_bytes(chunk: &wasm_bindgen::JsValue) -> Option<js_sys::Uint8Array> {
    let done = js_sys::Reflect::get(chunk, &"done".into())
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(true);
    if done {
        return None;
    }
    js_sys::Reflect::get(chunk, &"value".into())
        .ok()
        .and_then(|v| v.dyn_into::<js_sys::Uint8Array>().ok())
}
