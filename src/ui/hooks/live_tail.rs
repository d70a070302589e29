//! The live tails' effects, as the session store asks: the master tail (one connection at a time,
//! ended by the session's end) and the item tail (the logs of the items in progress: each new
//! connection the store asks for closes the previous one), frames dispatched as they arrive, and
//! the reconnect timers. Backoff, caps and when to stop are the store's.

use super::session::SessionStore;
use crate::client::{Owner, Whm};
use crate::store::session::SessionAction;
use crate::whm::logs::TailFrame;
use crate::whm::tail::LiveTail;
use std::rc::Rc;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

/// A fresh terminator per connection: only this connection's end marker ends it.
fn termination() -> u64 {
    (js_sys::Math::random() * 1e9) as u64 + 1
}

#[hook]
pub fn use_live_tail(store: &UseReducerHandle<SessionStore>, whm: Option<Whm>, owner: Rc<Owner>) {
    let wants = &store.0.wants;
    let id = store.0.id.clone();
    {
        let (dispatch, id) = (store.dispatcher(), id.clone());
        super::use_send_once(wants.tail, whm.clone(), move |(ticket, position), whm| {
            let request = LiveTail::master(&id, termination(), position);
            let on_frames: Rc<dyn Fn(Vec<TailFrame>)> = {
                let dispatch = dispatch.clone();
                Rc::new(move |frames| dispatch.dispatch(SessionAction::TailFrames(ticket, frames)))
            };
            let fut = whm.tail(&request, &owner, on_frames);
            spawn_local(async move { dispatch.dispatch(SessionAction::TailEnded(ticket, fut.await)) });
        });
    }
    {
        let dispatch = store.dispatcher();
        super::use_timeout(
            wants.tail_later,
            |(_, delay_ms)| *delay_ms,
            move |(ticket, _)| dispatch.dispatch(SessionAction::TailReconnect(ticket)),
        );
    }
    {
        // Each item-tail connection has its own owner: when the store asks for another set of logs
        // (or none), or the page unmounts, dropping it closes this one.
        let dispatch = store.dispatcher();
        use_effect_with(wants.item_tail.clone(), move |tail| {
            let connection = Owner::new();
            if let (Some((ticket, files)), Some(whm)) = (tail.clone(), whm) {
                let request = LiveTail {
                    transfer_session_id: id,
                    termination: termination(),
                    files,
                };
                let on_frames: Rc<dyn Fn(Vec<TailFrame>)> = {
                    let dispatch = dispatch.clone();
                    Rc::new(move |frames| dispatch.dispatch(SessionAction::ItemTailFrames(ticket, frames)))
                };
                let fut = whm.tail(&request, &connection, on_frames);
                spawn_local(async move { dispatch.dispatch(SessionAction::ItemTailEnded(ticket, fut.await)) });
            }
            move || drop(connection)
        });
    }
    let dispatch = store.dispatcher();
    super::use_timeout(
        wants.item_tail_later,
        |(_, delay_ms)| *delay_ms,
        move |(ticket, _)| dispatch.dispatch(SessionAction::ItemTailReconnect(ticket)),
    );
}
