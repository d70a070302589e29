//! The session page's effects: it performs what [`SessionFlow::wants`] asks for — state polls,
//! controls, the master log, live-tail connections and their timers — and dispatches the answers.
//! Every decision is the store's (`store/session.rs`).

use super::live_tail::use_live_tail;
use super::{use_owner, use_send_once, use_whm};
use crate::store::session::{POLL_MS, SessionAction, SessionFlow};
use crate::whm::request as rq;
use std::rc::Rc;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

/// [`SessionFlow`] as a Yew reducer.
#[derive(PartialEq)]
pub struct SessionStore(pub SessionFlow);

impl Reducible for SessionStore {
    type Action = SessionAction;
    fn reduce(self: Rc<Self>, action: SessionAction) -> Rc<Self> {
        let mut flow = self.0.clone();
        flow.apply(action);
        Rc::new(SessionStore(flow))
    }
}

/// The session flow for `id`, with its effects running while the component is mounted.
#[hook]
pub fn use_session_flow(id: &str) -> UseReducerHandle<SessionStore> {
    let store = use_reducer({
        let id = id.to_owned();
        move || SessionStore(SessionFlow::new(&id))
    });
    let whm = use_whm();
    let owner = use_owner();
    let wants = store.0.wants.clone();
    let id = store.0.id.clone();

    // Opening the page reads the state.
    {
        let dispatch = store.dispatcher();
        use_effect_with((), move |_| dispatch.dispatch(SessionAction::Refresh));
    }

    // A new connection to WHM (the extension: a WHM tab picked again on the same server): the store
    // reads again what it had given up on (e.g. the old tab was closed) and reopens the item tail.
    {
        let dispatch = store.dispatcher();
        use_effect_with(whm.clone(), move |whm| {
            if whm.is_some() {
                dispatch.dispatch(SessionAction::Reconnected);
            }
        });
    }

    // A state read.
    {
        let (dispatch, owner, id) = (store.dispatcher(), owner.clone(), id.clone());
        use_send_once(wants.poll, whm.clone(), move |generation, whm| {
            let fut = whm.call(&rq::get_transfer_session_state(&id), &owner);
            spawn_local(async move {
                let result = fut.await.map(|d| d.state());
                dispatch.dispatch(SessionAction::Polled(generation, result));
            });
        });
    }

    // The next read after the interval; a newer schedule replaces the timer, unmounting drops it.
    {
        let dispatch = store.dispatcher();
        super::use_timeout(
            wants.poll_later,
            |_| POLL_MS,
            move |_| dispatch.dispatch(SessionAction::PollDue),
        );
    }

    // A control: sent exactly once per ticket.
    {
        let (dispatch, owner, id) = (store.dispatcher(), owner.clone(), id.clone());
        use_send_once(wants.control, whm.clone(), move |(ticket, control), whm| {
            use crate::store::session::Control;
            {
                let fut: std::pin::Pin<Box<dyn std::future::Future<Output = _>>> = match control {
                    Control::Start | Control::Resume => {
                        let f = whm.call(&rq::start_transfer_session(&id), &owner);
                        Box::pin(async move { f.await.map(drop) })
                    }
                    Control::Pause => {
                        let f = whm.call(&rq::pause_transfer_session(&id), &owner);
                        Box::pin(async move { f.await.map(drop) })
                    }
                    Control::Abort => {
                        let f = whm.call(&rq::abort_transfer_session(&id), &owner);
                        Box::pin(async move { f.await.map(drop) })
                    }
                };
                spawn_local(async move { dispatch.dispatch(SessionAction::Controlled(ticket, fut.await)) });
            }
        });
    }

    // master.log, once the session is over.
    {
        let (dispatch, owner, id) = (store.dispatcher(), owner.clone(), id.clone());
        use_send_once(wants.log, whm.clone(), move |ticket, whm| {
            let fut = whm.call(&rq::fetch_transfer_session_log(&id, "master.log"), &owner);
            spawn_local(async move {
                let result = fut.await.map(|l| l.log);
                dispatch.dispatch(SessionAction::LogRead(ticket, result));
            });
        });
    }

    // An item's log, or master.error_log, once they are closed.
    {
        let (dispatch, owner, id) = (store.dispatcher(), owner.clone(), id.clone());
        use_send_once(wants.item_log.clone(), whm.clone(), move |(ticket, logfile), whm| {
            let fut = whm.call(&rq::fetch_transfer_session_log(&id, &logfile), &owner);
            spawn_local(async move {
                let result = fut.await.map(|l| l.log);
                dispatch.dispatch(SessionAction::ItemLogRead(ticket, result));
            });
        });
    }
    {
        let (dispatch, owner, id) = (store.dispatcher(), owner.clone(), id.clone());
        use_send_once(wants.error_log, whm.clone(), move |ticket, whm| {
            let fut = whm.call(&rq::fetch_transfer_session_log(&id, "master.error_log"), &owner);
            spawn_local(async move {
                let result = fut.await.map(|l| l.log);
                dispatch.dispatch(SessionAction::ErrorLogRead(ticket, result));
            });
        });
    }

    // The arrival check: the analysis once, then one account at a time.
    {
        let (dispatch, owner, id) = (store.dispatcher(), owner.clone(), id.clone());
        use_send_once(wants.arrival_analysis, whm.clone(), move |ticket, whm| {
            let fut = whm.call(&rq::retrieve_transfer_session_remote_analysis(&id), &owner);
            spawn_local(async move {
                let result = fut.await.map(Box::new);
                dispatch.dispatch(SessionAction::ArrivalAnalysis(ticket, result));
            });
        });
    }
    {
        let (dispatch, owner) = (store.dispatcher(), owner.clone());
        use_send_once(wants.arrival_probe.clone(), whm.clone(), move |(ticket, user), whm| {
            let fut = whm.call(&rq::accountsummary(&user), &owner);
            spawn_local(async move {
                let result = fut.await.map(|d| d.acct);
                dispatch.dispatch(SessionAction::ArrivalProbed(ticket, user, result));
            });
        });
    }

    // The desktop notification the admin asked for.
    use_effect_with(wants.notify.clone(), |notify| {
        if let Some((_, text)) = notify {
            let options = web_sys::NotificationOptions::new();
            options.set_body("WHM Transfer Console");
            let _ = web_sys::Notification::new_with_options(text, &options);
        }
    });

    use_live_tail(&store, whm, owner);
    store
}

/// Asks the browser for permission to notify (call it from a click: browsers require a gesture)
/// and tells the store the answer.
pub fn ask_notify(store: &UseReducerHandle<SessionStore>) {
    store.dispatch(SessionAction::AskNotify);
    let dispatch = store.dispatcher();
    let supported = web_sys::window()
        .map(|w| js_sys::Reflect::has(&w, &"Notification".into()).unwrap_or(false))
        .unwrap_or(false);
    if !supported {
        dispatch.dispatch(SessionAction::NotifyAnswer(false));
        return;
    }
    match web_sys::Notification::request_permission() {
        Ok(promise) => spawn_local(async move {
            let answer = wasm_bindgen_futures::JsFuture::from(promise).await;
            let granted = answer.ok().and_then(|v| v.as_string()).is_some_and(|s| s == "granted");
            dispatch.dispatch(SessionAction::NotifyAnswer(granted));
        }),
        Err(_) => dispatch.dispatch(SessionAction::NotifyAnswer(false)),
    }
}
