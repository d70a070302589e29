//! App shell: header with the WHM connection, hash routing, pages.

use super::check::CheckPage;
use super::connect::Connect;
use super::create::{CreateContext, CreatePage, CreateStore};
use super::history::HistoryPage;
use super::hooks::queue::{QueueEdits, QueueRunning};
use super::hooks::{ReanalysisContext, WhmContext, confirm, use_reanalyses};
use super::session::SessionPage;
use super::username::UsernamePage;
use crate::client::Whm;
use crate::client::relay::{self, Relay};
use crate::route::{HistoryPlace, Route};
use crate::store::check::AnalysisNote;
use gloo::events::{EventListener, EventListenerOptions};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use yew::prelude::*;

fn current_route() -> Route {
    let hash = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default();
    Route::parse(&hash)
}

/// Asked before a route change while the queue step sends items.
const LEAVE_DURING_RUN: &str = "Items are still being queued into this session. Leaving this page stops after the call in flight, whose item may then be unknown to this page. Leave?";
/// Asked before a route change while the queue table holds changes not queued yet.
const LEAVE_WITH_EDITS: &str = "The queue table has changes that are not queued yet (names, options or the selection). Leaving this page drops them. Leave?";

fn history() -> Option<web_sys::History> {
    web_sys::window().and_then(|w| w.history().ok())
}

/// The current history entry's place: `navigation.currentEntry.index` where the browser has the
/// Navigation API (Chromium), else `None`.
fn place_now() -> Option<HistoryPlace> {
    use js_sys::Reflect;
    let w = wasm_bindgen::JsValue::from(web_sys::window()?);
    let navigation = Reflect::get(&w, &"navigation".into()).ok()?;
    let entry = Reflect::get(&navigation, &"currentEntry".into()).ok()?;
    let f = Reflect::get(&entry, &"index".into()).ok()?.as_f64()?;
    // -1 for an entry the API does not count
    (f.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&f)).then_some(HistoryPlace(f as u32))
}

/// Takes the browser from the entry it arrived at back to the shown page's (`shown`, whose entry is
/// at `place`): a step through the history where both places are known, so no entry is added or
/// rewritten and Back and Forward still go where the admin expects; else `shown`'s address put back
/// in the current entry.
fn undo_change(shown: &Route, place: Option<HistoryPlace>) {
    let Some(h) = history() else { return };
    match place.zip(place_now()).and_then(|(p, arrived)| p.undo_from(arrived)) {
        Some(delta) => {
            let _ = h.go_with_delta(delta);
        }
        None => {
            let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&shown.to_hash()));
        }
    }
}

/// The root component.
#[function_component(App)]
pub fn app() -> Html {
    let route = use_state(current_route);
    // Served by WHM (plugin, simulator): same-origin. As the browser extension: through the WHM tab
    // picked in the connection bar, once connected.
    let extension = *use_memo((), |_| relay::available());
    let same_origin = use_memo((), |_| Whm::from_location());
    let relayed = use_state(|| None::<Whm>);
    let on_relay = {
        let relayed = relayed.clone();
        Callback::from(move |r: Option<Relay>| {
            let next = r.map(Whm::via_relay);
            if *relayed != next {
                relayed.set(next);
            }
        })
    };
    let whm = if extension {
        (*relayed).clone()
    } else {
        (*same_origin).clone()
    };
    // A page per WHM: connecting to another server gives the page a fresh start. The last server
    // connected counts, so the time between "Use another WHM tab" and picking one (no WHM) keeps
    // the pages, and picking the same server again (or another tab of it) loses nothing typed.
    let last_host = use_mut_ref(String::new);
    if let Some(w) = whm.as_ref().filter(|w| *last_host.borrow() != w.host()) {
        *last_host.borrow_mut() = w.host().to_owned();
    }
    let page_key = |id: &str| format!("{id}@{}", last_host.borrow());
    // The create form and its call outlive `#/new`: leaving the page never loses the answer.
    let create = use_reducer(CreateStore::default);
    // So does the check page's Refresh: WHM analyses the session whatever the page does.
    let reanalyses = use_reanalyses(whm.clone());
    // The session and prefix length of the last analysis loaded on the check page, for the username
    // page: nothing of the analysis itself, which is freed when its page is left.
    let last_analysis = use_state(|| None::<AnalysisNote>);
    let on_context = {
        let last_analysis = last_analysis.clone();
        Callback::from(move |n: AnalysisNote| last_analysis.set(Some(n)))
    };
    // Set by the check page's queue step while it sends items: leaving the page then stops the run
    // after the call in flight, so a route change (a link, back/forward, an edited address) and
    // closing or reloading the tab are asked about first.
    let queue_running = use_memo((), |_| QueueRunning::default());
    // Set while the queue table holds changes of the admin's not queued yet: asked about the same way.
    let queue_edits = use_memo((), |_| QueueEdits::default());
    // Whether a create call is in flight. WHM creates the session whatever the browser does, but its
    // id only reaches this page in the answer (WHM API 1 cannot list sessions): closing or reloading
    // the tab meanwhile would lose it, so the browser asks first.
    let creating = use_memo((), |_| Rc::new(Cell::new(false)));
    {
        let creating = (*creating).clone();
        use_effect_with(create.0.is_sending(), move |sending| creating.set(*sending));
    }
    {
        let route = route.clone();
        let running = (*queue_running).clone();
        let edits = (*queue_edits).clone();
        let creating = (*creating).clone();
        use_effect_with((), move |_| {
            // The route the page shows (first the one read at the first render, which this handle
            // holds): what a declined change puts back in the address bar.
            let shown = Rc::new(RefCell::new((*route).clone()));
            // Where the shown page's entry stands in the history: what a declined change goes back to.
            let place = Rc::new(Cell::new(place_now()));
            let follow = {
                let (running, edits) = (running.clone(), edits.clone());
                move || {
                    let next = current_route();
                    let question = if running.get() {
                        Some(LEAVE_DURING_RUN)
                    } else if edits.get() {
                        Some(LEAVE_WITH_EDITS)
                    } else {
                        None
                    };
                    if next != *shown.borrow()
                        && let Some(q) = question
                        && !confirm(q)
                    {
                        undo_change(&shown.borrow(), place.get());
                        return;
                    }
                    place.set(place_now());
                    if next != *shown.borrow() {
                        shown.replace(next.clone());
                        route.set(next);
                    }
                }
            };
            // A hash set between the first render and now, whose event may have gone before the
            // listener was there.
            follow();
            let on_hash = move |_: &web_sys::Event| follow();
            let listeners = web_sys::window().map(|w| {
                // Not passive: a passive listener's preventDefault is ignored.
                let options = EventListenerOptions::enable_prevent_default();
                let unload = EventListener::new_with_options(&w, "beforeunload", options, move |e| {
                    if running.get() || edits.get() || creating.get() {
                        // The browser's own "Leave site?" dialog.
                        e.prevent_default();
                    }
                });
                (EventListener::new(&w, "hashchange", on_hash), unload)
            });
            move || drop(listeners)
        });
    }
    html! {
        <ContextProvider<WhmContext> context={WhmContext(whm.clone())}>
        <ContextProvider<CreateContext> context={create}>
        <ContextProvider<ReanalysisContext> context={reanalyses}>
        <ContextProvider<QueueRunning> context={(*queue_running).clone()}>
        <ContextProvider<QueueEdits> context={(*queue_edits).clone()}>
            <Header whm={whm.clone()} route={(*route).clone()} />
            <main id="main" class="page">
                if extension { <Connect {on_relay} /> }
                { match &*route {
                    Route::NotFound(h) => html! { <NotFound hash={h.clone()} /> },
                    Route::Check(id) => html! {
                        <CheckPage key={page_key(id.as_deref().unwrap_or_default())} session_id={id.clone()} on_context={on_context.clone()} />
                    },
                    Route::Username => html! { <UsernamePage last_analysis={(*last_analysis).clone()} /> },
                    Route::Home => html! { <Home connected={whm.is_some() || extension} /> },
                    Route::New => html! { <CreatePage /> },
                    Route::Session(id) => html! { <SessionPage key={page_key(id)} session_id={id.clone()} /> },
                    Route::Sessions => html! { <HistoryPage /> },
                } }
            </main>
        </ContextProvider<QueueEdits>>
        </ContextProvider<QueueRunning>>
        </ContextProvider<ReanalysisContext>>
        </ContextProvider<CreateContext>>
        </ContextProvider<WhmContext>>
    }
}

#[derive(Properties, PartialEq)]
struct HeaderProps {
    whm: Option<Whm>,
    route: Route,
}

/// `aria-current="page"` on the link of the view being shown.
fn current(on: bool) -> Option<AttrValue> {
    on.then(|| AttrValue::from("page"))
}

#[function_component(Header)]
fn header(props: &HeaderProps) -> Html {
    html! {
        <header class="app-header">
            <a class="skip-link" href="#main">{ "Skip to content" }</a>
            <a class="brand" href="#/">{ "WHM Transfer Console" }</a>
            <nav aria-label="Main">
                <a href="#/new" aria-current={current(matches!(props.route, Route::New))}>{ "New session" }</a>
                <a href="#/check" aria-current={current(matches!(props.route, Route::Check(_)))}>{ "Check a session" }</a>
                <a href="#/sessions" aria-current={current(matches!(props.route, Route::Sessions))}>{ "Your sessions" }</a>
                <a href="#/username" aria-current={current(matches!(props.route, Route::Username))}>{ "Usernames" }</a>
            </nav>
            { match &props.whm {
                Some(w) => html! {
                    <span class="conn conn-ok" data-testid="connection" data-connected="true">
                        { "Connected to " }<strong>{ w.host().to_owned() }</strong>
                    </span>
                },
                None => html! {
                    <span class="conn conn-none" data-testid="connection" data-connected="false">
                        { "Not connected to WHM" }
                    </span>
                },
            } }
        </header>
    }
}

#[derive(Properties, PartialEq)]
struct HomeProps {
    connected: bool,
}

#[function_component(Home)]
fn home(props: &HomeProps) -> Html {
    html! {
        <section class="home" data-testid="home">
            <h1>{ "Account transfers, checked before they run" }</h1>
            if !props.connected {
                <div class="notice" role="status" data-testid="not-connected">
                    <h2>{ "No WHM connected" }</h2>
                    <p>{ "This page was not opened through WHM, so it cannot call WHM API 1. Open it from WHM (it is served as a WHM plugin at /cpsess…/cgi/transfer_console/), or run the simulator with " }<code>{ "make demo" }</code>{ "." }</p>
                    <p>{ "You can still inspect a saved analysis file offline and check usernames with cPanel’s rules." }</p>
                </div>
            }
            <RecentSessions />
            <ul class="cards">
                <li><a href="#/new"><strong>{ "Create a transfer session" }</strong><span>{ "Connect to the source server; WHM analyses it." }</span></a></li>
                <li><a href="#/check"><strong>{ "Check a transfer session" }</strong><span>{ "See what will collide or fail: usernames, groups, databases, dedicated IPs, linked nodes, disk." }</span></a></li>
                <li><a href="#/username"><strong>{ "Validate usernames" }</strong><span>{ "cPanel’s own rules, instantly, beside the server’s verdict." }</span></a></li>
            </ul>
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct NotFoundProps {
    hash: String,
}

#[function_component(NotFound)]
fn not_found(props: &NotFoundProps) -> Html {
    html! {
        <section>
            <h1>{ "Nothing here" }</h1>
            <p>{ "There is no view at “" }<code>{ &props.hash }</code>{ "”. " }<a href="#/">{ "Go to the start page" }</a>{ "." }</p>
        </section>
    }
}

/// How many of the latest sessions the start page lists (the rest are in the history).
const HOME_RECENT: usize = 5;

/// The latest sessions this browser created or opened (WHM API 1 cannot list them); all of them,
/// with their states, are in the history (`#/sessions`).
#[function_component(RecentSessions)]
fn recent_sessions() -> Html {
    let list = use_memo((), |_| super::history::load());
    if list.is_empty() {
        return html! {};
    }
    html! {
        <section class="panel" aria-labelledby="recent-h">
            <h2 id="recent-h">{ "Your recent sessions" }</h2>
            <ul class="recent">
                { for list.iter().take(HOME_RECENT).map(|e| html! {
                    <li data-testid="recent-session" data-id={e.id.clone()} data-state={e.state_name().to_owned()}>
                        <code>{ &e.id }</code>{ " " }
                        if let Some(s) = &e.state { <span class="muted">{ format!("({}) ", s.label()) }</span> }
                        <a href={Route::Check(Some(e.id.clone())).to_hash()}>{ "check" }</a>{ " · " }
                        <a href={Route::Session(e.id.clone()).to_hash()}>{ "run" }</a>
                    </li>
                }) }
            </ul>
            <p><a href={Route::Sessions.to_hash()} data-testid="history-link">{ format!("All {} in the history, with their states →", crate::store::format::plural(list.len(), "session", "sessions")) }</a></p>
        </section>
    }
}
