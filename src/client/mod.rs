//! Transport: WHM API 1 calls from the browser.
//!
//! - [`Whm::call`] sends one typed request and returns its data, or one [`WhmError`]: the envelope is
//!   unpacked here, once, for every caller.
//! - Every call is a form-encoded POST: parameters, and so secrets, never appear in a URL.
//! - Each call has a timeout and belongs to an [`Owner`]: dropping the owner (e.g. the component or
//!   store that asked) aborts whatever it still has in flight; such a call ends in
//!   [`WhmError::Cancelled`], which nobody shows.
//! - Nothing is retried here, ever, and a mutating call identical to one still in flight is refused
//!   ([`WhmError::AlreadySending`]) instead of being sent twice.
//! - Replies are read with a size cap; the live tail is split into bounded lines and watched for
//!   silence.
//!
//! How bytes reach WHM is the [`Transport`]: a same-origin `fetch` (plugin, simulator) today; the
//! browser extension's relay through the WHM tab is a second variant. Nothing above this module knows
//! which one runs.

pub mod relay;
mod same_origin;

use crate::whm::logs::TailFrame;
use crate::whm::request::{Call, Request};
use crate::whm::tail::{LineSplitter, LiveTail, SplitError};
use crate::whm::{self, HttpReply, WhmError};
use std::cell::RefCell;
use std::future::Future;
use std::hash::{Hash, Hasher};
use std::rc::Rc;
use web_sys::AbortController;

/// A reply body's bytes as text: UTF-8 as it is, without a copy; invalid sequences replaced (WHM writes
/// UTF-8, a proxy's error page may not).
pub(crate) fn reply_text(bytes: Vec<u8>) -> String {
    match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

/// The largest reply body read (a 10,000-account analysis is about 6 MB).
pub const MAX_REPLY_BYTES: usize = 64 << 20;
/// The live tail sends a keep-alive line every few seconds; this long without a byte means the
/// connection has stalled.
pub const TAIL_IDLE_MS: u32 = 45_000;

/// How requests reach WHM.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Transport {
    /// The page itself is served by WHM: `fetch` on the same origin, with the page's cookie, and the
    /// security token taken from the page's path.
    SameOrigin { token: Rc<str> },
    /// The browser extension: each request is relayed through the WHM tab the admin picked, which
    /// reads its own token and fetches same-origin (§2.7).
    Relay(relay::Relay),
}

/// What a transport hands back for one request.
pub(crate) struct RawReply {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: String,
}

/// A successful call's data with WHM's side notes and, when asked for, the body as sent.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer<T> {
    pub data: T,
    /// `metadata.output.warnings`: WHM's own remarks on a success (shown, never dropped).
    pub warnings: Vec<String>,
    /// The reply body (for the raw JSON view); empty unless asked for.
    pub body: Rc<str>,
}

/// Where WHM is and how to reach it. Cheap to clone; shared through the app's context.
#[derive(Clone, Debug)]
pub struct Whm {
    transport: Transport,
    host: Rc<str>,
    /// Hashes of the mutating calls in flight (function + body): a second identical one is refused.
    mutations: InFlight,
}

/// Hashes of mutating calls in flight.
type InFlight = Rc<RefCell<Vec<u64>>>;

impl PartialEq for Whm {
    fn eq(&self, other: &Self) -> bool {
        self.transport == other.transport && self.host == other.host
    }
}

impl Whm {
    /// From `location.pathname` (`/cpsess` + 10 digits). `None` when the page was not opened through WHM.
    pub fn from_location() -> Option<Whm> {
        let location = web_sys::window()?.location();
        let path = location.pathname().ok()?;
        let origin = location.origin().unwrap_or_default();
        let token = whm::security_token_from_path(&path)?;
        Some(Whm::same_origin(token, &origin))
    }

    /// For tests and for pages that learn the token another way.
    pub fn with_token(token: &str) -> Whm {
        Whm::same_origin(token, "")
    }

    fn same_origin(token: &str, origin: &str) -> Whm {
        Whm {
            transport: Transport::SameOrigin { token: token.into() },
            host: origin.split("://").nth(1).unwrap_or(origin).into(),
            mutations: mutations_of(origin.split("://").nth(1).unwrap_or(origin)),
        }
    }

    /// Through the browser extension's relay in a WHM tab.
    pub fn via_relay(relay: relay::Relay) -> Whm {
        let host = crate::store::connect::host_of(relay.origin());
        Whm {
            mutations: mutations_of(host),
            host: host.into(),
            transport: Transport::Relay(relay),
        }
    }

    /// The host shown in the header.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// Sends one typed request and returns its data. The call is registered with `owner` right away;
    /// the returned future does not borrow it, so a component can drop its owner (unmount) while the
    /// future is still running (it then ends in [`WhmError::Cancelled`]).
    pub fn call<R: Request>(
        &self,
        request: &R,
        owner: &Owner,
    ) -> impl Future<Output = Result<R::Data, WhmError>> + 'static {
        let answer = self.exchange::<R>(request.call(), owner, false);
        async move { answer.await.map(|a| a.data) }
    }

    /// Like [`Whm::call`], also returning WHM's warnings and the reply body (for the raw JSON view).
    pub fn call_answer<R: Request>(
        &self,
        request: &R,
        owner: &Owner,
    ) -> impl Future<Output = Result<Answer<R::Data>, WhmError>> + 'static {
        self.exchange::<R>(request.call(), owner, true)
    }

    /// One connection of the live tail (§6.4). The frames of each chunk go to `on_frames` as they
    /// arrive (keep-alives left out). Resolves
    /// with `true` when the stream ended with this connection's terminator (the session is over),
    /// `false` when it ended without one (reconnect from the new position). Errors: a refused login,
    /// an HTTP error, a broken connection, a line past the cap that is not a log line (a log line past it
    /// is passed over: [`TailFrame::TooLong`]), or [`WhmError::Timeout`] when no byte
    /// came for [`TAIL_IDLE_MS`]. A GET: it carries no secret.
    pub fn tail(
        &self,
        tail: &LiveTail,
        owner: &Owner,
        on_frames: Rc<dyn Fn(Vec<TailFrame>)>,
    ) -> impl Future<Output = Result<bool, WhmError>> + 'static {
        let registered = owner.begin();
        let in_flight = Rc::downgrade(&owner.in_flight);
        let transport = self.transport.clone();
        let path = tail.path();
        let termination = tail.termination;
        async move {
            let controller = registered?;
            let mut splitter = LineSplitter::new();
            let mut frames = Vec::new();
            let mut overflow = None;
            let mut on_chunk = |chunk: &str| {
                if overflow.is_some() {
                    return false;
                }
                if let Err(SplitError::LineTooLong { limit }) = splitter.push(chunk, termination, &mut frames) {
                    overflow = Some(limit);
                }
                frames.retain(|f| !matches!(f, TailFrame::KeepAlive));
                if !frames.is_empty() {
                    on_frames(std::mem::take(&mut frames));
                }
                overflow.is_none()
            };
            let result = match &transport {
                Transport::SameOrigin { token } => {
                    same_origin::stream(&format!("{token}{path}"), &controller, TAIL_IDLE_MS, &mut on_chunk).await
                }
                Transport::Relay(r) => relay::stream_call(r, &path, &controller, TAIL_IDLE_MS, &mut on_chunk).await,
            };
            forget(&in_flight, &controller);
            if let Some(limit) = overflow {
                return Err(WhmError::Malformed {
                    detail: format!("a live log line was longer than {} KB", limit / 1024),
                    at: "live tail".into(),
                    truncated: false,
                });
            }
            result.map(|()| splitter.ended())
        }
    }

    fn exchange<R: Request>(
        &self,
        call: Call,
        owner: &Owner,
        keep_body: bool,
    ) -> impl Future<Output = Result<Answer<R::Data>, WhmError>> + 'static {
        let registered = owner.begin();
        let in_flight = Rc::downgrade(&owner.in_flight);
        let transport = self.transport.clone();
        let guard = if call.mutating {
            MutationGuard::claim(&self.mutations, &call)
        } else {
            Ok(None)
        };
        async move {
            let _guard = guard?;
            let controller = registered?;
            let result = match &transport {
                Transport::SameOrigin { token } => same_origin::post(token, &call, &controller).await,
                Transport::Relay(r) => relay::post_call(r, &call, &controller).await,
            };
            forget(&in_flight, &controller);
            let raw = result?;
            let http = HttpReply {
                status: raw.status,
                content_type: raw.content_type.as_deref(),
                body: &raw.body,
            };
            // (a constant per request type: the other decoder is not compiled in for it)
            let reply = if R::LARGE_DATA {
                whm::decode::<R::Data>(http)
            } else {
                whm::decode_small::<R::Data>(http)
            }?;
            let warnings = reply.metadata.output.warnings.clone();
            let data = whm::request::unpack::<R>(reply)?;
            Ok(Answer {
                data,
                warnings,
                body: if keep_body { raw.body.into() } else { "".into() },
            })
        }
    }
}

thread_local! {
    /// The mutating calls in flight, per WHM host: shared by every connection to that host, so a new
    /// one (another tab of the same WHM, or the same tab picked again) cannot send a call identical to
    /// one still on its way through the old.
    static MUTATIONS: RefCell<Vec<(String, InFlight)>> = const { RefCell::new(Vec::new()) };
}

fn mutations_of(host: &str) -> InFlight {
    MUTATIONS.with(|m| {
        let mut m = m.borrow_mut();
        if let Some((_, list)) = m.iter().find(|(h, _)| h == host) {
            return list.clone();
        }
        let list = InFlight::default();
        m.push((host.to_owned(), list.clone()));
        list
    })
}

fn forget(in_flight: &std::rc::Weak<RefCell<Vec<AbortController>>>, controller: &AbortController) {
    if let Some(list) = in_flight.upgrade() {
        list.borrow_mut().retain(|c| c != controller);
    }
}

/// Holds a mutating call's place while it is in flight.
struct MutationGuard {
    list: Rc<RefCell<Vec<u64>>>,
    key: u64,
}

impl MutationGuard {
    fn claim(list: &Rc<RefCell<Vec<u64>>>, call: &Call) -> Result<Option<MutationGuard>, WhmError> {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        call.function.hash(&mut h);
        call.form_body().hash(&mut h);
        let key = h.finish();
        let mut l = list.borrow_mut();
        if l.contains(&key) {
            return Err(WhmError::AlreadySending {
                command: call.function.to_owned(),
            });
        }
        l.push(key);
        Ok(Some(MutationGuard {
            list: list.clone(),
            key,
        }))
    }
}

impl Drop for MutationGuard {
    fn drop(&mut self) {
        let mut l = self.list.borrow_mut();
        if let Some(i) = l.iter().position(|k| *k == self.key) {
            l.swap_remove(i);
        }
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

    /// Aborts every call this owner still has in flight (they end in [`WhmError::Cancelled`]).
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
