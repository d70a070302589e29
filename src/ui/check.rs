//! `#/check/<id>`: load a session's analysis from WHM (or a saved one offline) and inspect it.

use super::analysis::AnalysisView;
use super::banner::ErrorBanner;
use super::hooks::queue::{OnQueueRunning, QueueEdits, QueueRunning};
use super::hooks::{ReanalysisContext, confirm, use_owner, use_reanalyses, use_whm};
use crate::client::{Owner, Whm};
use crate::route::Route;
use crate::store::check::{AnalysisNote, Busy, CheckAction, CheckState, Loaded, Pending, Source};
use crate::store::reanalysis::{ReanalysisAction, RunKey};
use crate::whm::WhmError;
use crate::whm::request as rq;
use std::rc::Rc;
use wasm_bindgen_futures::spawn_local;
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

/// Yew wrapper around the pure [`CheckState`].
#[derive(Clone, PartialEq, Default)]
struct Store(CheckState);

impl Reducible for Store {
    type Action = CheckAction;
    fn reduce(self: Rc<Self>, action: CheckAction) -> Rc<Self> {
        Rc::new(Store(self.0.clone().apply(action).0))
    }
}

#[derive(Properties, PartialEq)]
pub struct CheckPageProps {
    /// The id in the route, loaded on arrival.
    pub session_id: Option<String>,
    /// Told about each analysis loaded, so the username page can use its prefix length.
    #[prop_or_default]
    pub on_context: Callback<AnalysisNote>,
}

#[function_component(CheckPage)]
pub fn check_page(props: &CheckPageProps) -> Html {
    let store = use_reducer(|| Store(CheckState::with_input(props.session_id.as_deref().unwrap_or(""))));
    let owner = use_owner();
    let whm = use_whm();
    let state = &store.0;
    // The app's re-analyses (Refresh); a page rendered on its own (tests) has its own.
    let own = use_reanalyses(whm.clone());
    let reanalyses = use_context::<ReanalysisContext>().unwrap_or(own);
    // This page's session on this WHM: the analysis on screen, or until one is, the route's.
    let run_key = whm.as_ref().and_then(|w| {
        let id = state.refresh_target().or(props.session_id.as_deref())?;
        Some(RunKey::new(w.host(), id))
    });
    let run = run_key.as_ref().map(|k| reanalyses.0.view(k)).unwrap_or_default();
    // The app's flag (`ui::shell`), which also asks before any route change during a run.
    let queue_running = use_context::<QueueRunning>().unwrap_or_default();
    // Replacing the analysis in place (an inspected file) replaces its queue step, which stops after
    // the call in flight. (Loading another id changes the route, which the app asks about.)
    let queue_edits = use_context::<QueueEdits>().unwrap_or_default();
    let may_replace = {
        let queue_running = queue_running.clone();
        move || {
            if queue_running.get() {
                confirm(
                    "Items are still being queued into this session. Going on stops after the call in flight, whose item may then be unknown to this page. Go on?",
                )
            } else if queue_edits.get() {
                confirm(
                    "The queue table has changes that are not queued yet (names, options or the selection). Another analysis replaces it. Go on?",
                )
            } else {
                true
            }
        }
    };

    // Arriving with an id in the route (or a reload) loads it right away.
    {
        let store = store.clone();
        let connected = whm.is_some();
        use_effect_with(props.session_id.clone(), move |id| {
            if id.is_some() && connected {
                store.dispatch(CheckAction::StartLoad);
            }
        });
    }

    // The effect that sends the pending call, once per ticket.
    {
        let store = store.clone();
        let whm = whm.clone();
        let owner = owner.clone();
        use_effect_with(state.pending.clone(), move |pending| {
            if let (Some(p), Some(whm)) = (pending.clone(), whm) {
                spawn_local(run_pending(whm, owner, p, store));
            }
        });
    }

    // A re-analysis answered: read the new analysis, or show why there is none. Once per answer; an
    // answer that came while the page was away only needs showing if it failed, as the page's
    // arrival load (sent now) reads what the server has.
    {
        let store = store.clone();
        let reanalyses = reanalyses.clone();
        let mounted = use_mut_ref(|| false);
        use_effect_with(
            (run_key.clone(), run.answered, run.unseen.is_some()),
            move |(key, answered, _)| {
                let arriving = !mounted.replace(true);
                let outcome = key
                    .as_ref()
                    .and_then(|k| reanalyses.0.view(k).unseen.map(|o| (k.clone(), o)));
                if let Some((key, outcome)) = outcome {
                    match outcome {
                        Ok(()) if arriving => {}
                        Ok(()) => store.dispatch(CheckAction::Reanalysed(key.session_id.clone())),
                        Err(e) => store.dispatch(CheckAction::ReanalysisFailed(e)),
                    }
                    reanalyses.dispatch(ReanalysisAction::Seen { key, run: *answered });
                }
            },
        );
    }

    {
        let on_context = props.on_context.clone();
        let note = state.loaded.as_ref().map(Loaded::note);
        use_effect_with(note, move |note| {
            if let Some(note) = note {
                on_context.emit(note.clone());
            }
        });
    }
    let on_input = {
        let store = store.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            store.dispatch(CheckAction::Edit(input.value()));
        })
    };
    let on_submit = {
        let store = store.clone();
        let route_id = props.session_id.clone();
        let connected = whm.is_some();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if !connected {
                return;
            }
            let s = &store.0;
            match s.session_id() {
                // A new id goes through the route, so reload and back/forward work.
                Some(id) if route_id.as_deref() != Some(id) => set_hash(&Route::Check(Some(id.to_owned())).to_hash()),
                _ => store.dispatch(CheckAction::StartLoad),
            }
        })
    };
    let on_refresh = {
        let reanalyses = reanalyses.clone();
        let key = whm
            .as_ref()
            .zip(state.refresh_target())
            .map(|(w, id)| RunKey::new(w.host(), id));
        Callback::from(move |_| {
            if let Some(key) = key.clone() {
                reanalyses.dispatch(ReanalysisAction::Ask(key));
            }
        })
    };
    let on_dismiss = {
        let store = store.clone();
        Callback::from(move |_| store.dispatch(CheckAction::DismissError))
    };
    let on_retry = {
        let store = store.clone();
        Callback::from(move |_| store.dispatch(CheckAction::StartLoad))
    };
    let on_inspect = {
        let store = store.clone();
        let may_replace = may_replace.clone();
        Callback::from(move |result: Result<Loaded, WhmError>| {
            if may_replace() {
                store.dispatch(CheckAction::Inspect(result.map(Box::new)))
            }
        })
    };

    // The server analysing this session again counts as busy, whoever asked and whenever.
    // Whether this page's queue step is sending (Refresh waits for it).
    let queue_busy = use_state(|| false);
    let on_queue_running = {
        let queue_busy = queue_busy.clone();
        OnQueueRunning(Callback::from(move |on: bool| {
            if *queue_busy != on {
                queue_busy.set(on);
            }
        }))
    };
    let busy = state
        .pending
        .as_ref()
        .map(|p| p.kind)
        .or(run.in_flight.then_some(Busy::Refreshing));
    let connected = whm.is_some();
    let invalid = state.input_error.is_some();
    html! {
        <section class="check">
            <h1>{ "Check a transfer session" }</h1>
            <form class="panel" onsubmit={on_submit} aria-label="Load a session from WHM">
                <label for="session-id">{ "Transfer session ID" }</label>
                <div class="row">
                    <input id="session-id" type="text" class="wide" data-testid="session-id-input"
                        value={state.input.clone()} oninput={on_input} autocomplete="off" spellcheck="false"
                        placeholder="exampleservercopya20140206192428NtyW"
                        aria-invalid={invalid.to_string()} aria-describedby="session-id-help" />
                    <button type="submit" class="primary" data-testid="analysis-load" disabled={busy.is_some() || !connected}>
                        { if busy == Some(Busy::Loading) { "Loading…" } else { "Load" } }
                    </button>
                </div>
                if let Some(msg) = &state.input_error {
                    <p class="field-error" data-testid="session-id-error">{ msg }</p>
                }
                <p class="hint" id="session-id-help">
                    { "The ID WHM gave the session when it was created (create_remote_root_transfer_session or create_remote_user_transfer_session): letters, digits and underscores." }
                </p>
            </form>
            if !connected {
                <super::not_connected::NotConnected to="load sessions" still="You can still inspect a saved analysis below." />
            }
            <OfflineInspect on_loaded={on_inspect} open={!connected || props.session_id.is_none()} />
            if let (Some(err), Some(id)) = (state.error.as_ref().filter(|e| e.is_not_root_session()), props.session_id.clone()) {
                <p class="notice" data-testid="user-session-note" role="status" title={crate::whm::display::text(&err.title())}>{ format!(
                    "Session {} is a cPanel-user session. WHM analyses only root-authenticated sessions, so there is nothing to check beyond the account’s name: queue it below.",
                    crate::whm::display::name(&id)
                ) }</p>
                <super::queue::UserQueuePanel key={id.clone()} session_id={id.clone()}
                    user={super::history::origin(&id).and_then(|o| o.remote_user).unwrap_or_default()}
                    unrestricted={super::history::created_here(&id)} />
            } else if let Some(err) = &state.error {
                if state.offline_error {
                    <ErrorBanner error={err.clone()} context="The saved analysis" on_dismiss={Some(on_dismiss)}
                        next_step={Some(AttrValue::from(OFFLINE_NEXT_STEP))} />
                } else {
                    <ErrorBanner error={err.clone()} context={context_of(state)}
                        on_retry={connected.then_some(on_retry)} on_dismiss={Some(on_dismiss)} />
                }
            }
            if let Some(loaded) = &state.loaded {
                <ContextProvider<OnQueueRunning> context={on_queue_running}>
                <AnalysisView loaded={loaded.clone()}
                    on_refresh={matches!(loaded.source, Source::Server { .. }).then_some(on_refresh)}
                    refreshing={run.in_flight || busy == Some(Busy::Refreshing)}
                    refresh_blocked={*queue_busy} />
                </ContextProvider<OnQueueRunning>>
            } else if busy == Some(Busy::Loading) {
                <p class="loading" role="status">{ "Loading the analysis…" }</p>
            }
        </section>
    }
}

const OFFLINE_NEXT_STEP: &str = "Use the JSON that `whmapi1 --output=json retrieve_transfer_session_remote_analysis transfer_session_id=…` prints (with or without its metadata envelope), complete and unedited.";

fn context_of(state: &CheckState) -> AttrValue {
    match state.session_id() {
        Some(id) => AttrValue::from(format!("Session {id}")),
        None => AttrValue::default(),
    }
}

async fn run_pending(whm: Whm, owner: Rc<Owner>, pending: Pending, store: UseReducerHandle<Store>) {
    let Pending { ticket, session_id, .. } = pending;
    let result = whm
        .call_answer(&rq::retrieve_transfer_session_remote_analysis(&session_id), &owner)
        .await;
    match result {
        Ok(answer) => {
            super::recent::remember(&session_id);
            store.dispatch(CheckAction::Loaded(
                ticket,
                Box::new(Loaded::new(Source::Server { session_id }, answer.data, answer.body)),
            ))
        }
        Err(e) if e.is_cancelled() => store.dispatch(CheckAction::Cancelled(ticket)),
        Err(e) => store.dispatch(CheckAction::Failed(ticket, e)),
    }
}

fn set_hash(hash: &str) {
    if let Some(w) = web_sys::window() {
        let _ = w.location().set_hash(hash);
    }
}

#[derive(Properties, PartialEq)]
struct OfflineProps {
    on_loaded: Callback<Result<Loaded, WhmError>>,
    /// Open unless a session from WHM is being shown; the admin can fold it either way.
    open: bool,
}

/// Drop, pick or paste a saved analysis (`whmapi1 --output=json retrieve_transfer_session_remote_analysis`).
#[function_component(OfflineInspect)]
fn offline_inspect(props: &OfflineProps) -> Html {
    let paste = use_state(String::new);
    let dragging = use_state(|| false);

    let read_file = {
        let on_loaded = props.on_loaded.clone();
        move |file: web_sys::File| {
            let on_loaded = on_loaded.clone();
            let name = file.name();
            spawn_local(async move {
                let text = wasm_bindgen_futures::JsFuture::from(file.text()).await;
                let result = match text.ok().and_then(|t| t.as_string()) {
                    Some(text) => Loaded::from_text(Source::File { name }, &text),
                    None => Err(WhmError::Malformed {
                        detail: "the file could not be read as text".into(),
                        at: name,
                        truncated: false,
                    }),
                };
                on_loaded.emit(result);
            });
        }
    };
    let on_file = {
        let read_file = read_file.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Some(file) = input.files().and_then(|f| f.get(0)) {
                read_file(file);
            }
            input.set_value("");
        })
    };
    let on_drop = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(false);
            if let Some(file) = e.data_transfer().and_then(|d| d.files()).and_then(|f| f.get(0)) {
                read_file(file);
            }
        })
    };
    let on_drag_over = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(true);
        })
    };
    let on_drag_leave = {
        let dragging = dragging.clone();
        Callback::from(move |_| dragging.set(false))
    };
    let on_paste_input = {
        let paste = paste.clone();
        Callback::from(move |e: InputEvent| {
            let t: HtmlTextAreaElement = e.target_unchecked_into();
            paste.set(t.value());
        })
    };
    let on_paste_load = {
        let paste = paste.clone();
        let on_loaded = props.on_loaded.clone();
        Callback::from(move |_| on_loaded.emit(Loaded::from_text(Source::Paste, &paste)))
    };
    let drop_class = classes!("dropzone", dragging.then_some("dragging"));
    html! {
        <details class="panel offline" open={props.open}>
            <summary>{ "Inspect a saved analysis (no server needed)" }</summary>
            <div class={drop_class} ondrop={on_drop} ondragover={on_drag_over} ondragleave={on_drag_leave}>
                <label for="analysis-file">{ "Drop a JSON file here, or choose one" }</label>
                <input id="analysis-file" type="file" accept=".json,application/json,text/plain" data-testid="analysis-file" onchange={on_file} />
                <p class="hint">{ "The output of " }<code>{ "whmapi1 --output=json retrieve_transfer_session_remote_analysis transfer_session_id=…" }</code>{ ", with or without the metadata envelope. The file stays in this browser." }</p>
            </div>
            <label for="analysis-paste">{ "…or paste it" }</label>
            <textarea id="analysis-paste" data-testid="analysis-paste" value={(*paste).clone()} oninput={on_paste_input} spellcheck="false" />
            <p><button type="button" data-testid="analysis-paste-load" onclick={on_paste_load} disabled={paste.trim().is_empty()}>{ "Inspect pasted text" }</button></p>
        </details>
    }
}
