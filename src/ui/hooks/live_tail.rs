//! The live tail's effects: one connection at a time as the session store asks, frames dispatched
//! as they arrive, and the reconnect timer. Backoff, caps and when to stop are the store's.

use super::session::SessionStore;
use crate::client::{Owner, Whm};
use crate::store::session::SessionAction;
use crate::whm::logs::TailFrame;
use crate::whm::tail::LiveTail;
use std::rc::Rc;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

#[hook]
pub fn use_live_tail(store: &UseReducerHandle<SessionStore>, whm: Option<Whm>, owner: Rc<Owner>) {
    let wants = &store.0.wants;
    let id = store.0.id.clone();
    {
        let dispatch = store.dispatcher();
        use_effect_with(wants.tail, move |tail| {
            if let (Some((ticket, position)), Some(whm)) = (*tail, whm) {
                // A fresh terminator per connection: only this connection's end marker ends it.
                let termination = (js_sys::Math::random() * 1e9) as u64 + 1;
                let request = LiveTail::master(&id, termination, position);
                let on_frames: Rc<dyn Fn(Vec<TailFrame>)> = {
                    let dispatch = dispatch.clone();
                    Rc::new(move |frames| dispatch.dispatch(SessionAction::TailFrames(ticket, frames)))
                };
                let fut = whm.tail(&request, &owner, on_frames);
                spawn_local(async move { dispatch.dispatch(SessionAction::TailEnded(ticket, fut.await)) });
            }
        });
    }
    let dispatch = store.dispatcher();
    super::use_timeout(
        wants.tail_later,
        |(_, delay_ms)| *delay_ms,
        move |(ticket, _)| dispatch.dispatch(SessionAction::TailReconnect(ticket)),
    );
}
