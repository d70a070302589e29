//! `#/sessions`: the history of sessions this browser created or opened, kept in localStorage
//! (ids, hosts, states, counts: nothing secret), with "refresh all", open, forget and export.
//! The store is `store::history`; here only storage, the calls and rendering.
//!
//! Other pages tell the history what they learn with [`record`] (the session page) and
//! [`remember`] (a session created or opened).

use super::hooks::{use_owner, use_whm};
use crate::route::Route;
use crate::store::format;
use crate::store::history::{self, Entry, HistoryAction, HistoryState, LastState, SessionKind, SessionOrigin};
use crate::whm::display;
use crate::whm::request as rq;
use std::rc::Rc;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

pub use crate::store::history::HistoryUpdate;

/// The current document (`store::history::serialize`).
const KEY: &str = "whm-transfer-console.history";
/// The older one-id-per-line list (`store::recent`), read once and migrated.
const LEGACY_KEY: &str = "whm-transfer-console.sessions";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn now_ms() -> u64 {
    js_sys::Date::now().max(0.0) as u64
}

/// The stored history (the older id list when nothing newer is stored).
pub fn load() -> Vec<Entry> {
    let Some(s) = storage() else { return Vec::new() };
    match s.get_item(KEY).ok().flatten() {
        Some(doc) => history::parse(&doc),
        None => s
            .get_item(LEGACY_KEY)
            .ok()
            .flatten()
            .map(|t| history::parse(&t))
            .unwrap_or_default(),
    }
}

/// Where a stored history that does not parse is kept before it is written over (once: the first
/// damaged copy is the one worth keeping).
const DAMAGED_KEY: &str = "whm-transfer-console.history.damaged";

fn save(entries: &[Entry]) {
    let Some(s) = storage() else { return };
    if let Some(old) = s.get_item(KEY).ok().flatten()
        && history::is_damaged(&old)
        && s.get_item(DAMAGED_KEY).ok().flatten().is_none()
    {
        let _ = s.set_item(DAMAGED_KEY, &old);
    }
    if s.set_item(KEY, &history::serialize(entries)).is_ok() {
        // Migrated: the older list is not read again.
        let _ = s.remove_item(LEGACY_KEY);
    }
}

/// A session was created or opened: it goes first in the history.
pub fn remember(id: &str) {
    save(&history::remember(&load(), id, now_ms()));
}

/// A session was created here: it goes first in the history, with its source host and kind (and, for
/// a cPanel-user session, the source account; never a password).
pub fn remember_created(id: &str, host: &str, origin: SessionOrigin) {
    let now = now_ms();
    let entries = history::remember(&load(), id, now);
    let update = HistoryUpdate::default().with_host(host).with_origin(origin);
    save(&history::record(&entries, id, &update, now, false));
}

/// How session `id` was created, as far as this browser knows (`store::history::origin_of`): its
/// kind (root or cPanel user) and a user session's source account.
pub fn origin(id: &str) -> Option<SessionOrigin> {
    history::origin_of(&load(), id)
}

/// Whether this browser created session `id` (`store::history::created_here`).
pub fn created_here(id: &str) -> bool {
    history::created_here(&load(), id)
}

/// What a page learned about a session (its state, item counts, source host). Adds the session to
/// the history when it is not there yet. For the session page, e.g.
/// `record(&id, HistoryUpdate::seen(state).with_progress(&progress))`.
pub fn record(id: &str, update: HistoryUpdate) {
    save(&history::record(&load(), id, &update, now_ms(), true));
}

/// Like [`record`], for a session still in the history only: what a page learns later never brings
/// back a session forgotten meanwhile (in another tab).
pub fn record_known(id: &str, update: HistoryUpdate) {
    save(&history::record(&load(), id, &update, now_ms(), false));
}

/// A refresh answer: changes a session still in the history, never brings back a forgotten one.
fn record_refresh(id: &str, update: &HistoryUpdate, now: u64) {
    save(&history::record(&load(), id, update, now, false));
}

fn forget(id: &str) {
    save(&history::forget(&load(), id));
}

#[derive(PartialEq)]
struct Store(HistoryState);

impl Reducible for Store {
    type Action = HistoryAction;
    fn reduce(self: Rc<Self>, action: HistoryAction) -> Rc<Self> {
        let mut s = self.0.clone();
        s.apply(action);
        Rc::new(Store(s))
    }
}

#[function_component(HistoryPage)]
pub fn history_page() -> Html {
    let store = use_reducer(|| Store(HistoryState::new(load())));
    let whm = use_whm();
    let owner = use_owner();
    // The highest `seq` sent: each read is sent exactly once.
    let sent = use_mut_ref(|| 0u64);
    let now = now_ms();

    // Another tab (or page) changed the history: read it again.
    {
        let dispatch = store.dispatcher();
        use_effect_with((), move |_| {
            let listener = web_sys::window().map(|w| {
                gloo::events::EventListener::new(&w, "storage", move |_| {
                    dispatch.dispatch(HistoryAction::Loaded(load()))
                })
            });
            move || drop(listener)
        });
    }
    // The reads in flight: send the new ones.
    {
        let (dispatch, whm, owner, sent) = (store.dispatcher(), whm.clone(), owner.clone(), sent.clone());
        // (also when a WHM is connected again: reads asked for meanwhile wait for it)
        use_effect_with((store.0.in_flight.clone(), whm.is_some()), move |(in_flight, _)| {
            let Some(whm) = whm else { return };
            for f in in_flight.iter().filter(|f| f.seq > *sent.borrow()) {
                *sent.borrow_mut() = f.seq;
                let fut = whm.call(&rq::get_transfer_session_state(&f.id), &owner);
                let (dispatch, seq, id) = (dispatch.clone(), f.seq, f.id.clone());
                spawn_local(async move {
                    let result = fut.await.map(|d| d.state());
                    let now = now_ms();
                    if let Some(update) = HistoryUpdate::from_state_read(&result) {
                        record_refresh(&id, &update, now);
                    }
                    dispatch.dispatch(HistoryAction::Refreshed {
                        seq,
                        result,
                        now_ms: now,
                    });
                });
            }
        });
    }

    let s = &store.0;
    let on_refresh = {
        let dispatch = store.dispatcher();
        Callback::from(move |_: MouseEvent| dispatch.dispatch(HistoryAction::RefreshAll))
    };
    let on_export = {
        let entries = s.entries.clone();
        Callback::from(move |_: MouseEvent| {
            let text = history::export_json(&entries, now_ms());
            super::download::download("transfer-sessions.json", "application/json", &text);
        })
    };
    let on_forget = {
        let dispatch = store.dispatcher();
        Callback::from(move |id: String| {
            forget(&id);
            dispatch.dispatch(HistoryAction::Forget(id));
        })
    };
    let (done, total) = s.refresh_progress();
    let gone = s.entries.iter().filter(|e| e.state == Some(LastState::Gone)).count();

    html! {
        <section class="history" aria-labelledby="history-h">
            <h1 id="history-h">{ "Your transfer sessions" }</h1>
            <p class="muted">{ "Every session this browser created or opened (WHM cannot list them, and purges them after 30 days). Only ids, source hosts, the kind of session (and a cPanel-user session’s account name), states and counts are kept here, never a password." }</p>
            if whm.is_none() {
                <super::not_connected::NotConnected to="read the sessions’ states" still="The list below is what this browser last saw." />
            }
            <p class="actions">
                <button type="button" data-testid="history-refresh" onclick={on_refresh}
                    disabled={whm.is_none() || s.refreshing() || s.entries.is_empty()}
                    aria-busy={s.refreshing().to_string()}>
                    { if s.refreshing() { format!("Refreshing… {done}/{total}") } else { "Refresh all".to_owned() } }
                </button>
                { " " }
                <button type="button" data-testid="history-export" onclick={on_export} disabled={s.entries.is_empty()}>
                    { "Export (JSON)" }
                </button>
            </p>
            <p role="status" class="muted" data-testid="history-status" data-refreshing={s.refreshing().to_string()}>
                if s.refreshing() {
                    { if total == 1 { "Reading the state of the session from WHM…".to_owned() } else { format!("Reading the state of {total} sessions from WHM, three at a time…") } }
                } else if gone > 0 {
                    { format!("{} no longer on this server (purged after 30 days, or never created here).", format::plural(gone, "session is", "sessions are")) }
                }
            </p>
            if s.login_lost {
                <div class="banner" role="alert" data-testid="history-login-lost">
                    <strong>{ "Your WHM session ended: the refresh stopped." }</strong>
                    <p class="next">{ "Log in to WHM again in another tab, then press “Refresh all”." }</p>
                </div>
            }
            if s.entries.is_empty() {
                <p data-testid="history-empty">{ "No sessions yet. " }<a href={Route::New.to_hash()}>{ "Create one" }</a>{ " or " }<a href={Route::Check(None).to_hash()}>{ "open one by its id" }</a>{ "." }</p>
            } else {
                <table class="plain history-table">
                    <thead><tr>
                        <th scope="col">{ "Session" }</th>
                        <th scope="col">{ "Source" }</th>
                        <th scope="col">{ "Created" }</th>
                        <th scope="col">{ "Last known state" }</th>
                        <th scope="col">{ "Items" }</th>
                        <th scope="col">{ "Open" }</th>
                    </tr></thead>
                    <tbody>
                        { for s.entries.iter().map(|e| html! {
                            <Row key={e.id.clone()} entry={e.clone()} now={now}
                                busy={s.is_in_flight(&e.id)}
                                error={s.errors.get(&e.id).map(|err| err.title())}
                                on_forget={on_forget.clone()} />
                        }) }
                    </tbody>
                </table>
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct RowProps {
    entry: Entry,
    now: u64,
    busy: bool,
    error: Option<String>,
    on_forget: Callback<String>,
}

fn state_class(s: Option<&LastState>) -> &'static str {
    use crate::whm::responses::SessionState as S;
    match s {
        Some(LastState::State(S::Completed)) => "ok",
        Some(LastState::State(S::Failed | S::Aborted)) => "error",
        Some(LastState::State(S::Pausing | S::Paused | S::Aborting)) => "warning",
        Some(LastState::Gone) => "muted",
        _ => "info",
    }
}

#[function_component(Row)]
fn row(props: &RowProps) -> Html {
    let e = &props.entry;
    let id = e.id.clone();
    let on_forget = {
        let (cb, id) = (props.on_forget.clone(), id.clone());
        Callback::from(move |_: MouseEvent| cb.emit(id.clone()))
    };
    let gone = e.state == Some(LastState::Gone);
    let kind = e.kind();
    html! {
        <tr data-testid="history-row" data-session={id.clone()} data-state={e.state_name().to_owned()}
            data-kind={kind.map_or("unknown", SessionKind::id)}
            class={classes!(gone.then_some("gone"))} aria-busy={props.busy.to_string()}>
            <td>
                <code class="mono">{ &id }</code>
                if kind == Some(SessionKind::User) {
                    <br /><span class="badge info" data-testid="history-kind" data-kind="user"
                        title="Created with one cPanel account’s own password: it transfers that account only, without an analysis.">
                        { match &e.remote_user {
                            Some(u) => format!("cPanel user session · {}", display::name(u)),
                            None => "cPanel user session".to_owned(),
                        } }
                    </span>
                }
            </td>
            <td>{ e.host.as_deref().map_or_else(|| "—".to_owned(), display::name) }</td>
            <td>{ e.created().map_or_else(|| "—".to_owned(), |c| c.to_string()) }</td>
            <td>
                <span class={classes!("badge", state_class(e.state.as_ref()))} data-testid="history-state">
                    { e.state.as_ref().map_or_else(|| "Not read yet".to_owned(), LastState::label) }
                </span>
                if let Some(t) = e.seen_ms {
                    { " " }<span class="muted" title={history::utc(t)}>{ format!("seen {}", history::age(props.now, t)) }</span>
                }
                if props.busy {
                    { " " }<span class="muted">{ "reading…" }</span>
                }
                if let Some(err) = &props.error {
                    <br /><span class="sev-warning" data-testid="history-row-error">{ format!("Could not read it now: {err}") }</span>
                }
            </td>
            <td data-testid="history-items">
                { match e.items {
                    Some((total, 0)) => format::plural(total as usize, "item", "items"),
                    Some((total, failed)) => format!("{}, {} failed", format::plural(total as usize, "item", "items"), format::count(u128::from(failed))),
                    None => "—".to_owned(),
                } }
            </td>
            <td class="actions">
                if !gone {
                    <a href={Route::Check(Some(id.clone())).to_hash()}>{ "check" }</a>{ " · " }
                    <a href={Route::Session(id.clone()).to_hash()}>{ "run" }</a>{ " · " }
                }
                <button type="button" class="link" data-testid="history-forget" onclick={on_forget}
                    aria-label={format!("Forget {id}")}>{ "forget" }</button>
            </td>
        </tr>
    }
}
