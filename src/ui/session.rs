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
    // Errors of reading the state or the log, and of the controls, kept apart: a successful poll must
    // not hide why a control failed.
    let read_error = use_state(|| None::<WhmError>);
    let control_error = use_state(|| None::<WhmError>);
    let busy = use_state(|| None::<Control>);
    let progress = use_state(|| None::<Rc<Progress>>);
    let log_failed = use_state(|| false);
    // Poll generations: `tick` triggers a read; `generation` is the newest one asked for, so an older
    // reply that arrives late is ignored.
    let tick = use_state(|| 0u32);
    let generation = use_mut_ref(|| 0u32);
    let timer = use_mut_ref(|| None::<Timeout>);
    let owner = use_memo((), |_| Owner::new());
    let id = props.session_id.clone();

    let bump = {
        let (tick, generation, timer) = (tick.clone(), generation.clone(), timer.clone());
        Rc::new(move || {
            timer.borrow_mut().take(); // a pending scheduled poll is replaced by this one
            let next = generation.borrow().wrapping_add(1);
            *generation.borrow_mut() = next;
            tick.set(next);
        })
    };

    // Poll the state; schedule the next poll while the session can still change.
    {
        let (state, read_error, busy, progress, log_failed) = (
            state.clone(),
            read_error.clone(),
            busy.clone(),
            progress.clone(),
            log_failed.clone(),
        );
        let (generation, timer, bump) = (generation.clone(), timer.clone(), bump.clone());
        let owner = Rc::downgrade(&owner);
        let whm = props.whm.clone();
        let id = id.clone();
        use_effect_with(*tick, move |n| {
            let n = *n;
            // The task holds only a weak owner: leaving the page aborts the call in flight.
            if let (Some(whm), Some(strong)) = (whm, owner.upgrade()) {
                let fut = whm.call(&rq::get_transfer_session_state(&id), &strong);
                drop(strong);
                spawn_local(async move {
                    let result = fut.await;
                    if *generation.borrow() != n {
                        return; // a newer read was started meanwhile
                    }
                    let keep_polling = match result {
                        Ok(d) => {
                            {
                                let s = d.state();
                                let terminal = s.as_session().is_some_and(SessionState::is_terminal);
                                state.set(Some(s));
                                read_error.set(None);
                                busy.set(None); // a control's effect is now visible
                                if terminal
                                    && progress.is_none()
                                    && let Some(strong) = owner.upgrade()
                                {
                                    let fut = whm.call(&rq::fetch_transfer_session_log(&id, "master.log"), &strong);
                                    drop(strong);
                                    read_master_log(fut.await, &progress, &read_error, &log_failed);
                                }
                                !terminal
                            }
                        }
                        Err(e) if e.is_cancelled() => return, // the page was left
                        Err(e) => {
                            busy.set(None);
                            // Stop only when polling cannot succeed: logged out, or no such session.
                            let go_on = e.polling_can_recover();
                            read_error.set(Some(e));
                            go_on
                        }
                    };
                    if keep_polling {
                        *timer.borrow_mut() = Some(Timeout::new(POLL_MS, move || bump()));
                    }
                });
            }
        });
    }

    // While the session runs, follow master.log through the live tail (§6.4): fetching the log itself
    // would block until the session ends (§3.14). Reconnects from the last byte, at most 10 failures.
    let live = use_state(|| None::<Rc<Progress>>);
    let tailing = use_mut_ref(|| false);
    {
        let (live, tailing) = (live.clone(), tailing.clone());
        let owner = Rc::downgrade(&owner);
        let whm = props.whm.clone();
        let id = id.clone();
        let running = state
            .as_ref()
            .and_then(ReportedState::as_session)
            .is_some_and(|s| !s.is_terminal() && s != SessionState::Pending);
        use_effect_with(running, move |running| {
            if *running
                && !*tailing.borrow()
                && let Some(whm) = whm
            {
                *tailing.borrow_mut() = true;
                spawn_local(follow_master_log(whm, owner, id, live, tailing));
            }
        });
    }

    let on_retry_log = {
        let (progress, read_error, log_failed, owner) =
            (progress.clone(), read_error.clone(), log_failed.clone(), owner.clone());
        let whm = props.whm.clone();
        let id = id.clone();
        Callback::from(move |_| {
            let Some(whm) = whm.clone() else { return };
            log_failed.set(false);
            let fut = whm.call(&rq::fetch_transfer_session_log(&id, "master.log"), &owner);
            let (progress, read_error, log_failed) = (progress.clone(), read_error.clone(), log_failed.clone());
            spawn_local(async move { read_master_log(fut.await, &progress, &read_error, &log_failed) });
        })
    };

    let on_control = {
        let (busy, control_error, owner) = (busy.clone(), control_error.clone(), owner.clone());
        let bump = bump.clone();
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
            control_error.set(None);
            let fut = match control {
                Control::Start | Control::Resume => sent(whm.call(&rq::start_transfer_session(&id), &owner)),
                Control::Pause => sent(whm.call(&rq::pause_transfer_session(&id), &owner)),
                Control::Abort => sent(whm.call(&rq::abort_transfer_session(&id), &owner)),
            };
            let (busy, control_error, bump) = (busy.clone(), control_error.clone(), bump.clone());
            spawn_local(async move {
                match fut.await {
                    // Stay busy until the next state read shows the change (no second call meanwhile).
                    Ok(()) => bump(),
                    Err(e) if e.is_cancelled() => {}
                    Err(e) => {
                        control_error.set(Some(e));
                        busy.set(None);
                        bump();
                    }
                }
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
                    <p class="hint">{ "The state refreshes every few seconds and items follow live. Closing this page does not stop the session; the verdict appears when it has ended." }</p>
                }
            </div>
            if let Some(e) = &*control_error {
                <ErrorBanner error={e.clone()} context="The control" on_dismiss={Some({
                    let control_error = control_error.clone();
                    Callback::from(move |_| control_error.set(None))
                })} />
            }
            if let Some(e) = &*read_error {
                <ErrorBanner error={e.clone()} context="Reading the session" />
            }
            if *log_failed {
                <p><button type="button" data-testid="session-log-retry" onclick={on_retry_log}>{ "Read master.log again" }</button></p>
            }
            if let Some(p) = &*progress {
                <Results progress={p.clone()} state={current} live={false} />
            } else if let Some(p) = &*live {
                <Results progress={p.clone()} state={current} live={true} />
            }
        </section>
    }
}

/// Drops a call's data: the controls only need to know it succeeded.
fn sent<T: 'static>(
    fut: impl std::future::Future<Output = Result<T, WhmError>> + 'static,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), WhmError>>>> {
    Box::pin(async move { fut.await.map(drop) })
}

fn read_master_log(
    result: Result<crate::whm::responses::SessionLog, WhmError>,
    progress: &UseStateHandle<Option<Rc<Progress>>>,
    error: &UseStateHandle<Option<WhmError>>,
    failed: &UseStateHandle<bool>,
) {
    match result {
        Ok(log) => progress.set(Some(Rc::new(Progress::from_log(&parse_log(&log.log))))),
        Err(e) if e.is_cancelled() => {}
        Err(e) => {
            error.set(Some(e));
            failed.set(true);
        }
    }
}

async fn follow_master_log(
    whm: Whm,
    owner: std::rc::Weak<Owner>,
    id: String,
    live: UseStateHandle<Option<Rc<Progress>>>,
    tailing: Rc<std::cell::RefCell<bool>>,
) {
    let lines: Rc<std::cell::RefCell<Vec<crate::whm::logs::ParsedLine>>> = Rc::default();
    let position = Rc::new(std::cell::Cell::new(0u64));
    let mut failures = 0;
    loop {
        let Some(strong) = owner.upgrade() else { break };
        let on_frame: Rc<dyn Fn(crate::whm::logs::TailFrame)> = {
            let (lines, position, live) = (lines.clone(), position.clone(), live.clone());
            Rc::new(move |frame| {
                if let crate::whm::logs::TailFrame::Line {
                    logfile,
                    byte_count,
                    json,
                } = frame
                    && logfile == "master.log"
                {
                    position.set(position.get().saturating_add(byte_count));
                    lines.borrow_mut().extend(parse_log(&json));
                    live.set(Some(Rc::new(Progress::from_log(&lines.borrow()))));
                }
            })
        };
        let termination = (js_sys::Math::random() * 1e9) as u64 + 1;
        let tail = crate::whm::tail::LiveTail::master(&id, termination, position.get());
        let fut = whm.tail(&tail, &strong, on_frame);
        drop(strong);
        match fut.await {
            Ok(true) => break,
            Err(e) if e.is_cancelled() => break,
            Ok(false) | Err(_) => failures += 1,
        }
        if failures >= 10 {
            break;
        }
        let pause = js_sys::Promise::new(&mut |resolve, _| {
            if let Some(w) = web_sys::window() {
                let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 1000);
            }
        });
        let _ = wasm_bindgen_futures::JsFuture::from(pause).await;
    }
    *tailing.borrow_mut() = false;
}

fn state_class(s: SessionState) -> &'static str {
    match s {
        SessionState::Completed => "ok",
        SessionState::Failed | SessionState::Aborted => "error",
        SessionState::Pausing | SessionState::Paused | SessionState::Aborting => "warning",
        _ => "info",
    }
}

#[derive(Properties, PartialEq)]
struct ResultsProps {
    progress: Rc<Progress>,
    state: Option<SessionState>,
    /// Read from the live tail while the session runs (no verdict yet).
    live: bool,
}

#[function_component(Results)]
fn results(props: &ResultsProps) -> Html {
    let p = &props.progress;
    let attention = p.items_needing_attention();
    let missing: u64 = p.queues.keys().map(|q| p.missing(q)).sum();
    let completed = props.state == Some(SessionState::Completed);
    let live = props.live;
    html! {
        <section class="panel" aria-labelledby="results-h" data-testid="session-results" data-live={props.live.to_string()}>
            <h2 id="results-h">{ "Items" }</h2>
            <div class="queues">
                // TRANSFER (fetch on the source) comes before RESTORE (restore here).
                { for p.queues.iter().rev().map(|(q, (count, size))| html! {
                    <p data-testid="session-queue" data-queue={q.clone()}>
                        <strong>{ q }</strong>{ format!(": {} items, {} — {:.0}% done", count, format::bytes(u128::from(*size)), p.queue_fraction(q) * 100.0) }
                    </p>
                }) }
            </div>
            if props.live {
                <p class="muted" role="status">{ "Live: items appear as the workers take them; the verdict follows when the session ends." }</p>
            } else if completed && p.all_succeeded() {
                <p class="ok-text" data-testid="session-verdict" data-ok="true">{ "Every item succeeded." }</p>
            } else {
                <p class="sev-error" data-testid="session-verdict" data-ok="false">
                    if attention > 0 { { format::plural(attention, "item needs attention. ", "items need attention. ") } }
                    if missing > 0 { { format!("{missing} queued steps never ran. ") } }
                    if !completed { { "The session did not complete." } }
                </p>
            }
            <table class="plain">
                <thead><tr><th>{ "Queue" }</th><th>{ "Item" }</th><th>{ "Size" }</th><th>{ "Result" }</th></tr></thead>
                <tbody>
                    { for p.items.iter().map(|i| {
                        let (class, text) = match &i.outcome {
                            Outcome::Success => ("ok", String::new()),
                            Outcome::Warning => ("warning", "finished with warnings".to_owned()),
                            Outcome::Failed(f) => ("error", if f.is_empty() { "failed".to_owned() } else { format!("failed: {f}") }),
                            Outcome::Running => ("info", if live { "in progress" } else { "did not finish" }.to_owned()),
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
