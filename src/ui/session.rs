//! `#/session/<id>`: start, pause, resume and abort a session, follow its state and its items live,
//! and read each item's outcome from `master.log` once it has ended. A view of
//! [`crate::store::session::SessionFlow`]; the effects are in `hooks::use_session_flow`.

use super::banner::ErrorBanner;
use super::hooks::{confirm, use_session_flow, use_whm};
use crate::store::format;
use crate::store::session::{Control, Live, LiveStop, Outcome, Progress, SessionAction};
use crate::whm::responses::{ReportedState, SessionState};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SessionPageProps {
    pub session_id: String,
}

#[function_component(SessionPage)]
pub fn session_page(props: &SessionPageProps) -> Html {
    let whm = use_whm();
    let store = use_session_flow(&props.session_id);
    let flow = &store.0;
    let id = flow.id.clone();
    let current = flow.session_state();

    let on_control = {
        let store = store.clone();
        Callback::from(move |control: Control| {
            let Some(state) = store.0.session_state() else { return };
            if let Some(question) = control.confirmation(state)
                && !confirm(question)
            {
                return;
            }
            store.dispatch(SessionAction::Press(control));
        })
    };
    let dispatch_on = |action: SessionAction| {
        let store = store.clone();
        Callback::from(move |_: MouseEvent| store.dispatch(action.clone()))
    };

    let name = match &flow.state {
        Some(ReportedState::Session(s)) => s.name().to_owned(),
        Some(ReportedState::Item(i)) => i.name().to_owned(),
        Some(ReportedState::Unknown(t)) => t.clone(),
        None => String::new(),
    };
    html! {
        <section class="session">
            <h1>{ "Transfer session " }<code>{ &id }</code></h1>
            if whm.is_none() {
                <super::not_connected::NotConnected to="run sessions" />
            }
            if let Some(why) = &flow.id_error {
                <div class="notice error" role="alert" data-testid="session-id-invalid">
                    { format!("This is not a transfer session ID: {why} ") }
                    <a href="#/">{ "Go to the start page" }</a>{ "." }
                </div>
            }
            <div class="panel">
                <div class="row state-row">
                    <div>
                        <span class="muted">{ "State" }</span>
                        <p class="state" data-testid="session-state" data-state={name.clone()}>
                            { match current {
                                Some(s) => html! { <span class={classes!("badge", state_class(s))}>{ s.label() }</span> },
                                None if name.is_empty() => html! { <span class="muted">{ if flow.id_error.is_some() { "—" } else { "reading…" } }</span> },
                                None => html! { <span class="badge info">{ name.clone() }</span> },
                            } }
                        </p>
                    </div>
                    <div class="controls row">
                        { for flow.controls().into_iter().map(|(c, enabled)| {
                            let on_control = on_control.clone();
                            html! {
                                <button type="button" data-testid={c.testid()} class={classes!((c == Control::Abort).then_some("danger"), matches!(c, Control::Start | Control::Resume).then_some("primary"))}
                                    disabled={!enabled} aria-busy={(flow.busy == Some(c)).to_string()} onclick={Callback::from(move |_| on_control.emit(c))}>
                                    { if flow.busy == Some(c) { format!("{}…", c.label()) } else { c.label().to_owned() } }
                                </button>
                            }
                        }) }
                        <a class="button-link" href={crate::route::Route::Check(Some(id.clone())).to_hash()}>{ "Check its analysis" }</a>
                    </div>
                </div>
                if current.is_some_and(|s| !s.is_terminal()) {
                    <p class="hint">{ "The state refreshes every few seconds and items follow live. Closing this page does not stop the session; the verdict appears when it has ended." }</p>
                }
                <LiveStatus live={flow.live.clone()} on_retry={dispatch_on(SessionAction::RetryLive)} />
            </div>
            if let Some(e) = &flow.control_error {
                <ErrorBanner error={e.clone()} context="The control" on_dismiss={Some({
                    let store = store.clone();
                    Callback::from(move |_| store.dispatch(SessionAction::DismissControlError))
                })} />
            }
            if let Some(e) = &flow.read_error {
                <ErrorBanner error={e.clone()} context="Reading the session" />
            }
            if flow.log_failed {
                <p><button type="button" data-testid="session-log-retry" onclick={dispatch_on(SessionAction::RetryLog)}>{ "Read master.log again" }</button></p>
            }
            if let Some((p, live)) = flow.progress() {
                <Results progress={p.clone()} state={current} live={live} />
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct LiveStatusProps {
    live: Live,
    on_retry: Callback<MouseEvent>,
}

/// Whether items are followed live, and what to do when they are not.
#[function_component(LiveStatus)]
fn live_status(props: &LiveStatusProps) -> Html {
    let (state, text, retry) = match &props.live {
        Live::Idle => return html! {},
        Live::Following => ("following", "Following the log live.".to_owned(), false),
        Live::Reconnecting { failures, delay_ms, .. } if *failures == 0 => (
            "reconnecting",
            format!("The live log connection closed; reconnecting in {} s.", delay_ms / 1000),
            false,
        ),
        Live::Reconnecting { failures, delay_ms, .. } => (
            "reconnecting",
            format!(
                "The live log connection failed ({failures} in a row); reconnecting in {} s.",
                delay_ms.div_ceil(1000)
            ),
            false,
        ),
        Live::Stopped {
            why: LiveStop::GaveUp(e),
        } => (
            "stopped",
            format!("Live view stopped: {} The session itself goes on.", e.title()),
            true,
        ),
        Live::Stopped {
            why: LiveStop::SessionLost(_),
        } => (
            "stopped",
            "Live view stopped: your WHM login ended. Log in to WHM again, then retry.".to_owned(),
            true,
        ),
    };
    html! {
        <p class={classes!("live-status", (state == "stopped").then_some("sev-warning"))} role="status" data-testid="live-status" data-state={state}>
            { text }
            if retry {
                { " " }<button type="button" data-testid="live-retry" onclick={props.on_retry.clone()}>{ "Retry" }</button>
            }
        </p>
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
