//! The extension's connection bar: finds the open WHM tabs, lets the admin pick one, asks for access
//! to exactly that origin (from the click, with the reason), and says where things stand
//! (`whm-connection`, `data-state`). It hands the shell a [`Relay`] once connected.

use super::hooks::confirm;
use super::hooks::queue::QueueRunning;
use crate::client::relay::{self, Relay, TabEvent};
use crate::store::connect::{ConnectAction, ConnectState, Lost, Picked, Status, whm_tabs};
use std::rc::Rc;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

/// Asked before "Use another WHM tab" while the queue step sends items.
const CHANGE_DURING_RUN: &str = "Items are still being queued into this session. Using another WHM tab starts the console's pages afresh: the run stops after the call in flight, whose item may then be unknown to this page, and edits in the queue table are lost. Use another tab?";
#[derive(Clone, PartialEq, Default)]
struct Store(ConnectState);

impl Reducible for Store {
    type Action = ConnectAction;
    fn reduce(self: Rc<Self>, action: ConnectAction) -> Rc<Self> {
        Rc::new(Store(self.0.clone().apply(action)))
    }
}

type Handle = UseReducerHandle<Store>;

#[derive(Properties, PartialEq)]
pub struct ConnectProps {
    /// Told the relay once connected, and `None` when the admin lets go of the picked tab.
    pub on_relay: Callback<Option<Relay>>,
}

/// Lists the tabs again and hands the list to the store.
fn refresh(store: Handle) {
    spawn_local(async move {
        match relay::list_tabs().await {
            Ok(tabs) => store.dispatch(ConnectAction::Listed(tabs)),
            Err(e) => log(&format!("listing the tabs failed: {e}")),
        }
    });
}

fn log(text: &str) {
    web_sys::console::warn_1(&format!("WHM Transfer Console: {text}").into());
}

/// A failed probe, as the store takes it.
fn lost_action(tab_id: u32, e: &crate::whm::WhmError) -> ConnectAction {
    match relay::lost_kind(e) {
        Some(lost) => ConnectAction::Lost(tab_id, lost, e.detail()),
        None => ConnectAction::Failed(tab_id, e.detail()),
    }
}

#[function_component(Connect)]
pub fn connect(props: &ConnectProps) -> Html {
    let store = use_reducer(Store::default);
    let state = &store.0;

    // First look, reconnecting to the WHM picked last time when its tab is open and access is still
    // granted; then follow tab and permission changes.
    {
        let store = store.clone();
        use_effect_with((), move |_| {
            {
                let store = store.clone();
                spawn_local(async move {
                    let tabs = match relay::list_tabs().await {
                        Ok(t) => t,
                        Err(e) => {
                            log(&format!("listing the tabs failed: {e}"));
                            Vec::new()
                        }
                    };
                    let whm = whm_tabs(&tabs);
                    store.dispatch(ConnectAction::Listed(tabs));
                    let Some(origin) = relay::remembered().await else {
                        return;
                    };
                    let Some(tab) = whm.iter().find(|t| t.origin == origin) else {
                        return;
                    };
                    if relay::has_access(&origin).await {
                        store.dispatch(ConnectAction::Resume(Picked {
                            tab_id: tab.tab_id,
                            origin,
                        }));
                    }
                });
            }
            let watch = {
                let store = store.clone();
                relay::watch(move |e: TabEvent| {
                    if e.event == "session-lost"
                        && let Ok(tab_id) = u32::try_from(e.tab_id)
                    {
                        store.dispatch(ConnectAction::Lost(
                            tab_id,
                            Lost::SessionLost,
                            "WHM refused a call: the tab's login has ended".into(),
                        ));
                    }
                    refresh(store.clone());
                })
            };
            move || drop(watch)
        });
    }

    // Probe the relay whenever the store asks for it.
    {
        let store = store.clone();
        let picked = state.picked.clone();
        let connecting = state.status == Status::Connecting;
        use_effect_with(state.probe, move |probe| {
            if let (true, Some(p)) = (connecting, picked) {
                let probe = *probe;
                spawn_local(async move {
                    match relay::probe(p.tab_id, &p.origin).await {
                        Ok(()) => store.dispatch(ConnectAction::Connected(probe)),
                        Err(e) => store.dispatch(lost_action(p.tab_id, &e)),
                    }
                });
            }
        });
    }

    // Hand the relay to the shell: once connected, and `None` when nothing is picked any more.
    {
        let on_relay = props.on_relay.clone();
        let connected = state.connected().cloned();
        let picked = state.picked.is_some();
        use_effect_with((connected, picked), move |(connected, picked)| {
            if let Some(p) = connected {
                on_relay.emit(Some(Relay::new(p.tab_id, &p.origin)));
            } else if !picked {
                on_relay.emit(None);
            }
        });
    }

    let pick = |tab_id: u32, origin: String| {
        let store = store.clone();
        Callback::from(move |_: MouseEvent| {
            store.dispatch(ConnectAction::Pick(Picked {
                tab_id,
                origin: origin.clone(),
            }));
            // Asked right here, inside the click: Chromium shows its prompt only for a user gesture.
            let answer = relay::request_access(&origin);
            let store = store.clone();
            let origin = origin.clone();
            spawn_local(async move {
                let granted = answer.await;
                if granted {
                    relay::remember(&origin);
                }
                store.dispatch(ConnectAction::Access(granted));
            });
        })
    };
    // Another WHM tab gives every page a fresh start, so a queue run stops after its call in flight:
    // asked first, as a route change is.
    let queue_running = use_context::<QueueRunning>();
    let change = {
        let store = store.clone();
        Callback::from(move |_: MouseEvent| {
            if queue_running.as_ref().is_some_and(QueueRunning::get) && !confirm(CHANGE_DURING_RUN) {
                return;
            }
            store.dispatch(ConnectAction::Change)
        })
    };
    let look_again = {
        let store = store.clone();
        Callback::from(move |_: MouseEvent| refresh(store.clone()))
    };

    let data_state = state.data_state();
    let (what, next) = state.message();
    let ok = data_state == "connected";
    let busy = data_state == "connecting" || data_state == "looking";
    let class = classes!(
        "whm-connection",
        if ok {
            "ok"
        } else if busy {
            "busy"
        } else {
            "attention"
        }
    );
    html! {
        <section class={class} data-testid="whm-connection" data-state={data_state} aria-live="polite" aria-label="Connection to WHM">
            <p class="what"><strong>{ what }</strong></p>
            if !next.is_empty() {
                <p class="next">{ next }</p>
            }
            if !state.detail.is_empty() && !ok {
                <details><summary>{ "Details" }</summary><p class="mono">{ state.detail.clone() }</p></details>
            }
            if state.offers_tabs() && !state.tabs.is_empty() {
                <ul class="whm-tabs">
                    { for state.tabs.iter().map(|t| {
                        let current = state.picked.as_ref().is_some_and(|p| p.tab_id == t.tab_id);
                        html! {
                            <li>
                                <button type="button" class="whm-tab" data-testid="whm-tab" data-origin={t.origin.clone()} data-tab-id={t.tab_id.to_string()}
                                    aria-pressed={current.to_string()} onclick={pick(t.tab_id, t.origin.clone())}>
                                    <strong>{ t.host().to_owned() }</strong>
                                    if !t.title.is_empty() { <span class="title">{ t.title.clone() }</span> }
                                </button>
                            </li>
                        }
                    }) }
                </ul>
            }
            <p class="actions">
                if ok {
                    <button type="button" data-testid="whm-change" onclick={change}>{ "Use another WHM tab" }</button>
                } else if !busy {
                    <button type="button" data-testid="whm-look-again" onclick={look_again}>{ "Look again" }</button>
                }
            </p>
        </section>
    }
}
