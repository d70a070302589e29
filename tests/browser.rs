//! Browser tier (wasm-bindgen-test in headless Chromium): the transport against a stubbed `fetch`.
#![cfg(target_arch = "wasm32")]
// `#[wasm_bindgen_test]` functions are not `#[test]` to clippy, so clippy.toml's test allowance misses them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;
use whm_transfer_console::client::{Owner, Whm};
use whm_transfer_console::whm::WhmError;
use whm_transfer_console::whm::request as rq;

wasm_bindgen_test_configure!(run_in_browser);

/// Replaces `window.fetch` with `stub` (JS source of a function `(request) => Promise<Response>`), and
/// records every request's URL, method and body in `window.__calls`.
fn stub_fetch(stub: &str) {
    let install = js_sys::Function::new_no_args(&format!(
        "window.__calls = []; const stub = {stub};
         window.fetch = async (req) => {{
           window.__calls.push({{ url: req.url, method: req.method, body: await req.clone().text() }});
           return stub(req);
         }};"
    ));
    install.call0(&JsValue::NULL).expect("install stub");
}

fn recorded_calls() -> js_sys::Array {
    js_sys::Reflect::get(&web_sys::window().unwrap(), &"__calls".into())
        .unwrap()
        .unchecked_into()
}

fn whm() -> Whm {
    Whm::with_token("/cpsess0123456789")
}

#[wasm_bindgen_test]
async fn access_denied_403_text_plain_is_session_lost() {
    stub_fetch(
        r#"() => new Response('{"cpanelresult":{"apiversion":"2","error":"Access denied","data":{"reason":"Access denied","result":"0"},"type":"text"}}',
            { status: 403, headers: { "Content-Type": "text/plain; charset=\"utf-8\"" } })"#,
    );
    let owner = Owner::new();
    let err = whm().call(&rq::validate_system_user("bob"), &owner).await.unwrap_err();
    assert_eq!(err.kind(), "session-lost");
    assert!(err.next_step().contains("Log in to WHM again"));
}

#[wasm_bindgen_test]
async fn calls_are_form_posts_with_secrets_only_in_the_body() {
    stub_fetch(
        r#"() => new Response('{"metadata":{"version":1,"command":"create_remote_root_transfer_session","result":"1","reason":"OK"},"data":{"transfer_session_id":"remoteexamplecopya20260101000000abcd"}}',
            { status: 200, headers: { "Content-Type": "application/json" } })"#,
    );
    let owner = Owner::new();
    let req = rq::create_remote_root_transfer_session("remote.example.com", "root", "luggage12345".into());
    let created = whm().call(&req, &owner).await.unwrap();
    assert_eq!(created.transfer_session_id, "remoteexamplecopya20260101000000abcd");
    let calls = recorded_calls();
    assert_eq!(calls.length(), 1, "sent exactly once");
    let call = calls.get(0);
    let get = |k: &str| js_sys::Reflect::get(&call, &k.into()).unwrap().as_string().unwrap();
    assert_eq!(get("method"), "POST");
    let url = get("url");
    assert!(
        url.ends_with("/cpsess0123456789/json-api/create_remote_root_transfer_session"),
        "{url}"
    );
    assert!(!url.contains("luggage"), "no secret in the URL");
    assert!(get("body").contains("password=luggage12345"));
    assert!(get("body").starts_with("api.version=1&"));
}

#[wasm_bindgen_test]
async fn a_rejected_fetch_is_a_network_error() {
    stub_fetch("() => Promise.reject(new TypeError('Failed to fetch'))");
    let owner = Owner::new();
    let err = whm()
        .call(&rq::get_transfer_session_state("s"), &owner)
        .await
        .unwrap_err();
    assert!(matches!(err, WhmError::Network { .. }), "{err:?}");
}

#[wasm_bindgen_test]
async fn dropping_the_owner_cancels_without_an_error() {
    // A fetch that only ends when its signal aborts, like a real hung request.
    stub_fetch(
        "(req) => new Promise((_, reject) => {
            const fail = () => reject(new DOMException('aborted', 'AbortError'));
            if (req.signal.aborted) fail(); else req.signal.addEventListener('abort', fail);
        })",
    );
    let owner = Owner::new();
    let whm = whm();
    let req = rq::get_transfer_session_state("s");
    let fut = whm.call(&req, &owner);
    // Abort once the request is in flight.
    let (result, ()) = futures_join(fut, async {
        next_task().await;
        assert_eq!(owner.in_flight(), 1);
        drop(owner); // e.g. the component that asked was unmounted
    })
    .await;
    assert!(
        result.unwrap_err().is_cancelled(),
        "cancelled calls end as Cancelled, which no banner shows"
    );
}

/// A fetch that never answers until aborted.
const HANGING: &str = "(req) => new Promise((_, reject) => {
    const fail = () => reject(new DOMException('aborted', 'AbortError'));
    if (req.signal.aborted) fail(); else req.signal.addEventListener('abort', fail);
})";

#[wasm_bindgen_test]
async fn an_identical_mutating_call_in_flight_is_not_sent_again() {
    stub_fetch(HANGING);
    let owner = Owner::new();
    let whm = whm();
    let first = whm.call(&rq::start_transfer_session("s"), &owner);
    let second = whm.call(&rq::start_transfer_session("s"), &owner);
    let (first, (second, other)) = futures_join(first, async {
        let second = second.await;
        // a new connection to the same WHM (the extension's tab picked again) shares what is in flight
        let other = Whm::with_token("/cpsess0123456789")
            .call(&rq::start_transfer_session("s"), &owner)
            .await;
        next_task().await;
        owner.cancel_all();
        (second, other)
    })
    .await;
    assert!(matches!(second, Err(WhmError::AlreadySending { .. })), "{second:?}");
    assert!(matches!(other, Err(WhmError::AlreadySending { .. })), "{other:?}");
    assert!(first.unwrap_err().is_cancelled());
    assert_eq!(
        recorded_calls().length(),
        1,
        "start_transfer_session was sent exactly once"
    );
    // Once the first has ended, the same call may be sent again (by an explicit admin action).
    let owner = Owner::new();
    let again = whm.call(&rq::start_transfer_session("s"), &owner);
    let (again, ()) = futures_join(again, async {
        next_task().await;
        owner.cancel_all();
    })
    .await;
    assert!(again.unwrap_err().is_cancelled());
    assert_eq!(recorded_calls().length(), 2);
}

#[wasm_bindgen_test]
async fn reads_are_not_deduplicated() {
    stub_fetch(
        r#"() => new Response('{"metadata":{"command":"get_transfer_session_state","result":1},"data":{"state_name":"PENDING"}}',
            { status: 200, headers: { "Content-Type": "application/json" } })"#,
    );
    let owner = Owner::new();
    let whm = whm();
    let (a, b) = futures_join(
        whm.call(&rq::get_transfer_session_state("s"), &owner),
        whm.call(&rq::get_transfer_session_state("s"), &owner),
    )
    .await;
    assert_eq!(a.unwrap().state_name, "PENDING");
    assert_eq!(b.unwrap().state_name, "PENDING");
    assert_eq!(recorded_calls().length(), 2);
}

#[wasm_bindgen_test]
async fn a_metadata_only_success_needs_no_data() {
    stub_fetch(
        r#"() => new Response('{"metadata":{"command":"pause_transfer_session","result":1,"reason":"OK"}}',
            { status: 200, headers: { "Content-Type": "application/json" } })"#,
    );
    let owner = Owner::new();
    assert!(whm().call(&rq::pause_transfer_session("s"), &owner).await.is_ok());
}

#[wasm_bindgen_test]
async fn a_reply_past_the_size_cap_is_refused() {
    // 65 MiB of spaces, streamed in 1 MiB chunks.
    stub_fetch(
        "() => { let n = 0; const chunk = new Uint8Array(1 << 20).fill(32);
            return new Response(new ReadableStream({ pull(c) { if (n++ < 65) c.enqueue(chunk); else c.close(); } }),
                { status: 200, headers: { 'Content-Type': 'application/json' } }); }",
    );
    let owner = Owner::new();
    let err = whm()
        .call(&rq::get_transfer_session_state("s"), &owner)
        .await
        .unwrap_err();
    assert!(matches!(err, WhmError::TooLarge { .. }), "{err:?}");
}

#[wasm_bindgen_test]
async fn requests_send_the_referrer_to_whm_only() {
    let install = js_sys::Function::new_no_args(
        "window.__policies = []; window.fetch = async (req) => { window.__policies.push(req.referrerPolicy);
           return new Response('{\"metadata\":{\"command\":\"x\",\"result\":1},\"data\":{\"state_name\":\"PENDING\"}}', { status: 200 }); };",
    );
    install.call0(&JsValue::NULL).unwrap();
    let owner = Owner::new();
    whm().call(&rq::get_transfer_session_state("s"), &owner).await.unwrap();
    let policies: js_sys::Array = js_sys::Reflect::get(&web_sys::window().unwrap(), &"__policies".into())
        .unwrap()
        .unchecked_into();
    assert_eq!(policies.get(0).as_string().as_deref(), Some("same-origin"));
}

/// Resolves on the next macrotask (after the pending fetch has been issued).
async fn next_task() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = web_sys::window().unwrap().set_timeout_with_callback(&resolve);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Minimal join of two futures (keeps the test free of extra crates).
async fn futures_join<A, B>(a: A, b: B) -> (A::Output, B::Output)
where
    A: std::future::Future,
    B: std::future::Future,
{
    use std::task::Poll;
    let mut a = Box::pin(a);
    let mut b = Box::pin(b);
    let (mut out_a, mut out_b) = (None, None);
    std::future::poll_fn(|cx| {
        if out_a.is_none()
            && let Poll::Ready(v) = a.as_mut().poll(cx)
        {
            out_a = Some(v);
        }
        if out_b.is_none()
            && let Poll::Ready(v) = b.as_mut().poll(cx)
        {
            out_b = Some(v);
        }
        if out_a.is_some() && out_b.is_some() {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
    .await;
    (out_a.expect("a finished"), out_b.expect("b finished"))
}

/// Installs a stub of the extension's bridge whose `post` answers with `body` (JS source of the value).
fn stub_relay(body: &str) {
    let install = js_sys::Function::new_no_args(&format!(
        "globalThis.whmRelay = {{ post: async () => ({{ status: 200, contentType: 'application/json', body: {body} }}) }};"
    ));
    install.call0(&JsValue::NULL).expect("install relay stub");
}

#[wasm_bindgen_test]
async fn a_relayed_body_arrives_as_bytes_or_as_text() {
    use whm_transfer_console::client::relay::Relay;
    let reply = r#"'{"metadata":{"command":"get_transfer_session_state","result":1,"reason":"OK"},"data":{"state_name":"ÉTAT “x” ✓"}}'"#;
    let owner = Owner::new();
    for body in [format!("new TextEncoder().encode({reply})"), reply.to_owned()] {
        stub_relay(&body);
        let whm = Whm::via_relay(Relay::new(7, "https://whm.example:2087"));
        let state = whm
            .call(&rq::get_transfer_session_state("s"), &owner)
            .await
            .expect(&body);
        assert_eq!(state.state_name, "ÉTAT “x” ✓", "{body}");
    }
    js_sys::Reflect::delete_property(&js_sys::global().unchecked_into::<js_sys::Object>(), &"whmRelay".into()).unwrap();
}
