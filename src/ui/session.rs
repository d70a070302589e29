//! `#/session/<id>`: start, pause, resume and abort a session, follow its state, and read each
//! item's outcome from `master.log` once it has ended.
//!
//! The state is polled with `get_transfer_session_state` (cPanel's own API clients poll it every 5 s).
//! `master.log` is fetched only once the session is terminal: on v120 `fetch_transfer_session_log`
//! blocks until a log is closed (whm-transfer-api.md §3.14).

use super::banner::ErrorBanner;
use crate::client::{Owner, Whm};
use crate::store::format;
use crate::store::session::{Outcome, Progress};
use crate::whm::WhmError;
use crate::whm::logs::parse_log;
use crate::whm::request as rq;
use crate::whm::responses::{ReportedState, SessionState};
use gloo::timers::callback::Timeout;
use std::rc::Rc;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

const POLL_MS: u32 = 3_000;

#[derive(Properties, PartialEq)]
pub struct SessionPageProps {
    pub whm: Option<Whm>,
    pub session_id: String,
}

/// A control's mutating call.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Control {
    Start,
    Resume,
    Pause,
    Abort,
}

impl Control {
    fn label(self) -> &'static str {
        match self {
            Control::Start => "Start",
            Control::Resume => "Resume queue",
            Control::Pause => "Pause queue",
            Control::Abort => "Abort",
        }
    }
    fn testid(self) -> &'static str {
        match self {
            Control::Start => "session-start",
            Control::Resume => "session-resume",
            Control::Pause => "session-pause",
            Control::Abort => "session-abort",
        }
    }
    /// What the admin must agree to first (WHM asks too), or None.
    fn confirmation(self, state: SessionState) -> Option<&'static str> {
        match self {
            Control::Pause => {
                Some("Pause the queue? Items in progress finish first; no new item starts until you resume.")
            }
            Control::Abort if state == SessionState::Pending => Some(
                "Abort this session? It has not started, so WHM marks it Failed (not Aborted) and it cannot be started again.",
            ),
            Control::Abort => Some(
                "Abort this session? Running transfers stop; restores in progress may complete first. An aborted session cannot be resumed.",
            ),
            _ => None,
        }
    }
    fn available(state: SessionState) -> Vec<Control> {
        let mut v = Vec::new();
        if state == SessionState::Pending {
            v.push(Control::Start);
        }
        if state == SessionState::Paused {
            v.push(Control::Resume);
        }
        if state.can_pause() {
            v.push(Control::Pause);
        }
        if state.can_abort() {
            v.push(Control::Abort);
        }
        v
    }
}

#[function_component(SessionPage)]
pub fn session_page(props: &SessionPageProps) -> Html {
    let state = use_state(|| None::<ReportedState>);
    let error = use_state(|| None::<WhmError>);
    let busy = use_state(|| None::<Control>);
    let progress = use_state(|| None::<Rc<Progress>>);
    let tick = use_state(|| 0u32);
    let timer = use_mut_ref(|| None::<Timeout>);
    let owner = use_memo((), |_| Owner::new());
    let id = props.session_id.clone();

    // Poll the state; schedule the next poll while the session can still change.
    {
        let (state, error, tick, timer, owner, progress) = (
            state.clone(),
            error.clone(),
            tick.clone(),
            timer.clone(),
            owner.clone(),
            progress.clone(),
        );
        let whm = props.whm.clone();
        let id = id.clone();
        use_effect_with(*tick, move |n| {
            let n = *n;
            if let Some(whm) = whm {
                let fut = whm.send(&rq::get_transfer_session_state(&id), &owner);
                spawn_local(async move {
                    let terminal = match fut.await {
                        Ok(Some(reply)) => match reply.require_data() {
                            Ok(d) => {
                                let s = d.state();
                                let terminal = s.as_session().is_some_and(SessionState::is_terminal);
                                state.set(Some(s));
                                error.set(None);
                                terminal
                            }
                            Err(e) => {
                                error.set(Some(e));
                                false
                            }
                        },
                        Ok(None) => return,
                        Err(e) => {
                            let stop = matches!(e, WhmError::SessionLost { .. } | WhmError::Api { .. });
                            error.set(Some(e));
                            stop
                        }
                    };
                    if terminal {
                        if progress.is_none() {
                            fetch_master_log(whm, owner, id, progress, error).await;
                        }
                    } else {
                        *timer.borrow_mut() = Some(Timeout::new(POLL_MS, move || tick.set(n.wrapping_add(1))));
                    }
                });
            }
        });
    }

    let on_control = {
        let (busy, error, tick, owner) = (busy.clone(), error.clone(), tick.clone(), owner.clone());
        let whm = props.whm.clone();
        let id = id.clone();
        let current = state.as_ref().and_then(ReportedState::as_session);
        Callback::from(move |control: Control| {
            let (Some(whm), Some(current)) = (whm.clone(), current) else {
                return;
            };
            if busy.is_some() {
                return; // one mutating call at a time, never twice
            }
            if let Some(question) = control.confirmation(current) {
                let agreed = web_sys::window()
                    .and_then(|w| w.confirm_with_message(question).ok())
                    .unwrap_or(false);
                if !agreed {
                    return;
                }
            }
            busy.set(Some(control));
            let (busy, error, tick, owner, id) = (busy.clone(), error.clone(), tick.clone(), owner.clone(), id.clone());
            spawn_local(async move {
                let result = match control {
                    Control::Start | Control::Resume => whm
                        .send(&rq::start_transfer_session(&id), &owner)
                        .await
                        .map(|r| r.map(drop)),
                    Control::Pause => whm
                        .send(&rq::pause_transfer_session(&id), &owner)
                        .await
                        .map(|r| r.map(drop)),
                    Control::Abort => whm
                        .send(&rq::abort_transfer_session(&id), &owner)
                        .await
                        .map(|r| r.map(drop)),
                };
                busy.set(None);
                match result {
                    Ok(Some(())) => error.set(None),
                    Ok(None) => return,
                    Err(e) => error.set(Some(e)),
                }
                tick.set(tick.wrapping_add(1000)); // re-read the state now
            });
        })
    };

    let current = state.as_ref().and_then(ReportedState::as_session);
    let name = match &*state {
        Some(ReportedState::Session(s)) => s.name().to_owned(),
        Some(ReportedState::Item(i)) => i.name().to_owned(),
        Some(ReportedState::Unknown(t)) => t.clone(),
        None => String::new(),
    };
    html! {
        <section class="session">
            <h1>{ "Transfer session " }<code>{ &id }</code></h1>
            if props.whm.is_none() {
                <div class="notice" role="status">{ "Not connected to WHM: open this page from WHM to run sessions." }</div>
            }
            <div class="panel">
                <div class="row state-row">
                    <div>
                        <span class="muted">{ "State" }</span>
                        <p class="state" data-testid="session-state" data-state={name.clone()}>
                            { match current {
                                Some(s) => html! { <span class={classes!("badge", state_class(s))}>{ s.label() }</span> },
                                None if name.is_empty() => html! { <span class="muted">{ "reading…" }</span> },
                                None => html! { <span class="badge info">{ name.clone() }</span> },
                            } }
                        </p>
                    </div>
                    <div class="controls row">
                        { for current.map(Control::available).unwrap_or_default().into_iter().map(|c| {
                            let on_control = on_control.clone();
                            html! {
                                <button type="button" data-testid={c.testid()} class={classes!((c == Control::Abort).then_some("danger"), matches!(c, Control::Start | Control::Resume).then_some("primary"))}
                                    disabled={busy.is_some()} onclick={Callback::from(move |_| on_control.emit(c))}>
                                    { if *busy == Some(c) { format!("{}…", c.label()) } else { c.label().to_owned() } }
                                </button>
                            }
                        }) }
                        <a class="button-link" href={crate::route::Route::Check(Some(id.clone())).to_hash()}>{ "Check its analysis" }</a>
                    </div>
                </div>
                if current.is_some_and(|s| !s.is_terminal()) {
                    <p class="hint">{ "The state refreshes every few seconds. Closing this page does not stop the session. Item results appear when it has ended." }</p>
                }
            </div>
            if let Some(e) = &*error {
                <ErrorBanner error={e.clone()} context="Transfer session" />
            }
            if let Some(p) = &*progress {
                <Results progress={p.clone()} />
            }
        </section>
    }
}

fn state_class(s: SessionState) -> &'static str {
    match s {
        SessionState::Completed => "ok",
        SessionState::Failed | SessionState::Aborted => "error",
        SessionState::Pausing | SessionState::Paused | SessionState::Aborting => "warning",
        _ => "info",
    }
}

async fn fetch_master_log(
    whm: Whm,
    owner: Rc<Owner>,
    id: String,
    progress: UseStateHandle<Option<Rc<Progress>>>,
    error: UseStateHandle<Option<WhmError>>,
) {
    match whm
        .send(&rq::fetch_transfer_session_log(&id, "master.log"), &owner)
        .await
    {
        Ok(Some(reply)) => match reply.require_data() {
            Ok(log) => progress.set(Some(Rc::new(Progress::from_log(&parse_log(&log.log))))),
            Err(e) => error.set(Some(e)),
        },
        Ok(None) => {}
        Err(e) => error.set(Some(e)),
    }
}

#[derive(Properties, PartialEq)]
struct ResultsProps {
    progress: Rc<Progress>,
}

#[function_component(Results)]
fn results(props: &ResultsProps) -> Html {
    let p = &props.progress;
    let problems = p.problems().count();
    html! {
        <section class="panel" aria-labelledby="results-h">
            <h2 id="results-h">{ "Items" }</h2>
            <div class="queues">
                // TRANSFER (fetch on the source) comes before RESTORE (restore here).
                { for p.queues.iter().rev().map(|(q, (count, size))| html! {
                    <p data-testid="session-queue" data-queue={q.clone()}>
                        <strong>{ q }</strong>{ format!(": {} items, {} — {:.0}% done", count, format::bytes(u128::from(*size)), p.queue_fraction(q) * 100.0) }
                    </p>
                }) }
            </div>
            if problems == 0 {
                <p class="ok-text">{ "Every item succeeded." }</p>
            } else {
                <p class="sev-error">{ format::plural(problems, "item needs attention", "items need attention") }</p>
            }
            <table class="plain">
                <thead><tr><th>{ "Queue" }</th><th>{ "Item" }</th><th>{ "Size" }</th><th>{ "Result" }</th></tr></thead>
                <tbody>
                    { for p.items.iter().map(|i| {
                        let (class, text) = match &i.outcome {
                            Outcome::Success => ("ok", String::new()),
                            Outcome::Warning => ("warning", "finished with warnings".to_owned()),
                            Outcome::Failed(f) => ("error", if f.is_empty() { "failed".to_owned() } else { format!("failed: {f}") }),
                            Outcome::Running => ("info", "did not finish".to_owned()),
                            Outcome::Waiting => ("info", "not started".to_owned()),
                        };
                        html! {
                            <tr data-testid="session-item" data-queue={i.queue.clone()} data-item={i.item.clone()} data-outcome={i.outcome.as_str()}>
                                <td>{ &i.queue }</td>
                                <td>{ i.label() }</td>
                                <td>{ format::bytes(u128::from(i.size)) }</td>
                                <td><span class={classes!("badge", class)}>{ i.outcome.as_str() }</span>{ " " }<span class="result-text">{ text }</span></td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
        </section>
    }
}
