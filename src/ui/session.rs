//! `#/session/<id>`: start, pause, resume and abort a session, follow its state and its items live,
//! and read each item's outcome from `master.log` once it has ended. A view of
//! [`crate::store::session::SessionFlow`]; the effects are in `hooks::use_session_flow`.

use super::banner::ErrorBanner;
use super::hooks::{confirm, use_session_flow, use_whm};
use crate::shared::Shared;
use crate::store::format;
use crate::store::session::{Control, Live, LiveStop, Notify, Outcome, Progress, SessionAction};
use crate::whm::responses::{ReportedState, SessionState};
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

    // A background tab tells how it goes: "42% · Processing — Transfer Console".
    {
        let title = match (current, flow.progress()) {
            (Some(s), Some((p, _))) => format!("{:.0}% · {} — Transfer Console", p.overall_percent(), s.label()),
            (Some(s), None) => format!("{} — Transfer Console", s.label()),
            _ => "Transfer session — Transfer Console".to_owned(),
        };
        use_effect_with(title, |title| {
            if let Some(d) = web_sys::window().and_then(|w| w.document()) {
                d.set_title(title);
            }
            || {
                if let Some(d) = web_sys::window().and_then(|w| w.document()) {
                    d.set_title("WHM Transfer Console");
                }
            }
        });
    }
    // What this page learns goes into the history (#/sessions): state, item counts, source host.
    {
        let key = (flow.state.clone(), flow.final_progress.is_some());
        let (id, progress) = (id.clone(), flow.final_progress.clone());
        // The first state read adds the session (opening it remembers it); later ones only update it,
        // so forgetting it in another tab meanwhile holds.
        let recorded = use_mut_ref(|| false);
        use_effect_with(key, move |(state, _)| {
            if let Some(state) = state {
                let update = crate::store::history::HistoryUpdate::seen(state);
                let update = match &progress {
                    Some(p) => update.with_progress(p),
                    None => update,
                };
                if recorded.replace(true) {
                    super::history::record_known(&id, update);
                } else {
                    super::history::record(&id, update);
                }
            }
        });
    }
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
                                    disabled={!enabled || whm.is_none()} aria-busy={(flow.busy == Some(c)).to_string()} onclick={Callback::from(move |_| on_control.emit(c))}>
                                    { if flow.busy == Some(c) { format!("{}…", c.label()) } else { c.label().to_owned() } }
                                </button>
                            }
                        }) }
                        <a class="button-link" href={crate::route::Route::Check(Some(id.clone())).to_hash()}>{ "Check its analysis" }</a>
                    </div>
                </div>
                if current.is_some_and(|s| !s.is_terminal()) {
                    <p class="hint">{ "The state refreshes every few seconds and items follow live. Closing this page does not stop the session; the verdict appears when it has ended." }</p>
                    { match flow.notify {
                        Notify::Off => html! {
                            <button type="button" class="link" data-testid="session-notify" onclick={{
                                let store = store.clone();
                                Callback::from(move |_| super::hooks::ask_notify(&store))
                            }}>{ "Notify me when it ends" }</button>
                        },
                        Notify::Asking => html! { <span class="muted">{ "Asking the browser…" }</span> },
                        Notify::On => html! { <span class="muted" data-testid="session-notify-on">{ "You will get a notification when it ends (keep this tab open)." }</span> },
                        Notify::Refused => html! { <span class="muted">{ "This browser does not allow notifications from this page." }</span> },
                    } }
                }
                <LiveStatus live={flow.live.clone()} on_retry={dispatch_on(SessionAction::RetryLive)} skipped={flow.tail_skipped} />
                <ItemLiveStatus live={flow.item_live.clone()} on_retry={dispatch_on(SessionAction::RetryItemLive)} />
            </div>
            if let Some(e) = &flow.control_error {
                <ErrorBanner error={e.clone()} context="The control" on_dismiss={Some({
                    let store = store.clone();
                    Callback::from(move |_| store.dispatch(SessionAction::DismissControlError))
                })} />
            }
            if let Some(e) = &flow.read_error {
                <ErrorBanner error={e.clone()} context="Reading the session" />
                // Polling waits out what may mend by itself; after the rest it stops until asked.
                if flow.polling_stopped() {
                    <p><button type="button" data-testid="session-read-retry" onclick={dispatch_on(SessionAction::Refresh)}>{ "Read the session’s state again" }</button></p>
                }
            }
            if let Some(e) = &flow.log_error {
                <ErrorBanner error={e.clone()} context="Reading the session’s master.log" />
            }
            if flow.log_failed {
                <p><button type="button" data-testid="session-log-retry" onclick={dispatch_on(SessionAction::RetryLog)}>{ "Read master.log again" }</button></p>
            }
            if let Some(open) = &flow.open_log {
                <ItemLogView open={open.clone()} item_live={flow.item_live.clone()} on_close={dispatch_on(SessionAction::CloseItemLog)}
                    on_retry={dispatch_on(SessionAction::RetryItemLive)} />
            }
            if let (Some(p), Some(state)) = (&flow.final_progress, &flow.state) {
                <section class="panel" aria-label="Report">
                    <p class="hint">{ "A report of this session for a ticket or a customer:" }</p>
                    <super::report::ReportExport progress={Shared::from(p.clone())} session_id={AttrValue::from(id.clone())} state={Some(state.clone())} />
                </section>
            }
            if let Some((p, live)) = flow.progress() {
                <Results progress={Shared::from(p.clone())} state={current} live={live} on_open_log={{
                    let store = store.clone();
                    Callback::from(move |(item, logfile): (String, String)| store.dispatch(SessionAction::OpenItemLog { item, logfile }))
                }} />
            }
            if flow.final_progress.is_some() && current.is_some_and(SessionState::is_terminal) {
                <ArrivalView arrival={flow.arrival.clone()} busy={flow.wants.arrival_analysis.is_some() || flow.wants.arrival_probe.is_some()}
                    on_check={dispatch_on(SessionAction::CheckArrival)} />
            }
            if let Some(text) = &flow.error_log {
                <details class="panel" data-testid="session-error-log">
                    <summary>{ "master.error_log is not empty" }</summary>
                    <pre class="mono">{ text }</pre>
                </details>
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct LiveStatusProps {
    live: Live,
    on_retry: Callback<MouseEvent>,
    /// Log lines passed over live, too long to read (the master log only).
    #[prop_or_default]
    skipped: u32,
}

/// Whether items are followed live, and what to do when they are not.
#[function_component(LiveStatus)]
fn live_status(props: &LiveStatusProps) -> Html {
    let (state, text, retry) = match &props.live {
        Live::Idle => return html! {},
        Live::Following if props.skipped > 0 => (
            "following",
            format!(
                "Following the log live. {} too long to show live {} passed over; the whole log is read when the session ends.",
                format::plural(props.skipped as usize, "log line", "log lines"),
                if props.skipped == 1 { "was" } else { "were" }
            ),
            false,
        ),
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

/// The item tail (the logs of the items in progress), shown only when it is not simply following:
/// without it the bars move only when an item ends.
#[function_component(ItemLiveStatus)]
fn item_live_status(props: &LiveStatusProps) -> Html {
    let (state, text, retry) = match &props.live {
        Live::Idle | Live::Following => return html! {},
        Live::Reconnecting { delay_ms, .. } => (
            "reconnecting",
            format!(
                "The items’ live logs are reconnecting in {} s; their bars move again then.",
                delay_ms.div_ceil(1000)
            ),
            false,
        ),
        Live::Stopped {
            why: LiveStop::GaveUp(e),
        } => (
            "stopped",
            format!(
                "Live view of the items’ logs stopped: {} Their bars now move only when an item ends.",
                e.title()
            ),
            true,
        ),
        Live::Stopped {
            why: LiveStop::SessionLost(_),
        } => (
            "stopped",
            "Live view of the items’ logs stopped: your WHM login ended. Log in to WHM again, then retry.".to_owned(),
            true,
        ),
    };
    html! {
        <p class={classes!("live-status", (state == "stopped").then_some("sev-warning"))} role="status" data-testid="item-live-status" data-state={state}>
            { text }
            if retry {
                { " " }<button type="button" data-testid="item-live-retry" onclick={props.on_retry.clone()}>{ "Retry" }</button>
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
    /// Compared by identity.
    progress: Shared<Progress>,
    state: Option<SessionState>,
    /// Read from the live tail while the session runs (no verdict yet).
    live: bool,
    on_open_log: Callback<(String, String)>,
}

/// Queue bars, the verdict and one row per item (both steps joined).
#[function_component(Results)]
fn results(props: &ResultsProps) -> Html {
    let p = &props.progress;
    let tally = p.tally();
    let missing: u64 = p.queues.keys().map(|q| p.missing(q)).sum();
    let completed = props.state == Some(SessionState::Completed);
    let live = props.live;
    let joined = p.joined();
    html! {
        <section class="panel" aria-labelledby="results-h" data-testid="session-results" data-live={live.to_string()}>
            <h2 id="results-h">{ "Items" }</h2>
            <div class="queues">
                // TRANSFER (fetch on the source) comes before RESTORE (restore here).
                { for p.queues.iter().rev().map(|(q, (count, size))| {
                    let pct = p.queue_fraction(q) * 100.0;
                    let rate = p.rate(q);
                    html! {
                        <div class="queue" data-testid="queue-progress" data-queue={q.clone()} data-percent={format!("{pct:.0}")}>
                            <p data-testid="session-queue" data-queue={q.clone()}>
                                <strong>{ q }</strong>{ format!(": {}, {} — {:.0}% done", format::plural(*count as usize, "item", "items"), format::bytes(u128::from(*size)), pct) }
                                if let Some(r) = rate {
                                    <span class="muted">{ format!(" · {} elapsed · {}/s", duration(r.elapsed_s), format::bytes(r.bytes_per_s as u128)) }
                                        { r.eta_s.filter(|_| pct < 100.0).map(|e| format!(" · about {} left", duration(e))).unwrap_or_default() }</span>
                                }
                            </p>
                            <progress max="100" value={format!("{pct:.1}")} aria-label={format!("{q} queue progress")}></progress>
                        </div>
                    }
                }) }
            </div>
            if live {
                <p class="muted" role="status">{ "Live: items appear as the workers take them; the verdict follows when the session ends." }</p>
            } else {
                <Verdict tally={tally.clone()} missing={missing} completed={completed} all_ok={completed && p.all_succeeded()} />
            }
            <table class="plain items">
                <thead><tr><th>{ "Item" }</th><th>{ "Size" }</th><th>{ "Progress" }</th><th>{ "Result" }</th></tr></thead>
                <tbody>
                    { for joined.iter().map(|j| item_row(j, live, &props.on_open_log)) }
                </tbody>
            </table>
            <details class="steps">
                <summary>{ "Each step (TRANSFER on the source, RESTORE here)" }</summary>
                <table class="plain">
                    <thead><tr><th>{ "Queue" }</th><th>{ "Item" }</th><th>{ "Size" }</th><th>{ "Result" }</th></tr></thead>
                    <tbody>
                        { for p.items.iter().map(|i| html! {
                            <tr data-testid="session-item" data-queue={i.queue.clone()} data-item={i.item.clone()} data-outcome={i.outcome.as_str()}>
                                <td>{ &i.queue }</td>
                                <td>{ i.label() }</td>
                                <td>{ format::bytes(u128::from(i.size)) }</td>
                                <td>
                                    <span class={classes!("badge", outcome_class(&i.outcome))}>{ i.outcome.as_str() }</span>
                                    if let Outcome::Failed(f) = &i.outcome {
                                        { " " }<span class="result-text">{ crate::whm::display::text(f) }</span>
                                    }
                                </td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            </details>
        </section>
    }
}

fn outcome_class(o: &Outcome) -> &'static str {
    match o {
        Outcome::Success => "ok",
        Outcome::Warning => "warning",
        Outcome::Failed(_) => "error",
        Outcome::Running | Outcome::Waiting => "info",
    }
}

fn item_row(j: &crate::store::session::JoinedItem<'_>, live: bool, on_open_log: &Callback<(String, String)>) -> Html {
    let outcome = j.outcome();
    let pct = j.percent();
    let item = j.item().to_owned();
    let text = match &outcome {
        Outcome::Success => String::new(),
        Outcome::Warning => {
            // (WHM's counts, added without overflow: a hostile log may hold any number)
            let n = j
                .notes()
                .iter()
                .flat_map(|n| n.counts.iter())
                .fold(0u64, |sum, c| sum.saturating_add(*c));
            format::plural(
                usize::try_from(n).unwrap_or(usize::MAX),
                "remark in its log",
                "remarks in its log",
            )
        }
        Outcome::Failed(f) => crate::whm::display::text(f),
        Outcome::Running => if live { "in progress" } else { "did not finish" }.to_owned(),
        Outcome::Waiting => "not started".to_owned(),
    };
    let advice = match &outcome {
        Outcome::Failed(f) => Some(crate::store::progress::failure_advice(f)),
        _ => None,
    };
    let logs: Vec<String> = j.logfiles().into_iter().map(str::to_owned).collect();
    html! {
        <tr data-testid="item-row" data-item={item.clone()} data-outcome={outcome.as_str()}>
            <td>{ j.label() }</td>
            <td>{ format::bytes(u128::from(j.size())) }</td>
            <td>
                <div class="bar">
                    <progress data-testid="item-progress" data-item={item.clone()} data-percent={format!("{pct:.0}")} max="100" value={format!("{pct:.1}")}
                        aria-label={format!("{} progress", crate::whm::display::name(&item))}></progress>
                    <span class="pct muted" aria-hidden="true">{ format!("{pct:.0}%") }</span>
                </div>
            </td>
            <td>
                <span class={classes!("badge", outcome_class(&outcome))}>{ outcome.as_str() }</span>{ " " }
                <span class="result-text">{ text }</span>
                if let Some(a) = advice {
                    <p class="hint" data-testid="item-advice">{ a }</p>
                }
                { for logs.into_iter().map(|logfile| {
                    let on_open_log = on_open_log.clone();
                    let (item, file) = (item.clone(), logfile.clone());
                    let step = if logfile.contains("RESTORE") { "restore log" } else { "transfer log" };
                    html! {
                        <button type="button" class="link" data-testid="item-log-open" data-item={item.clone()} data-log={logfile.clone()}
                            onclick={Callback::from(move |_| on_open_log.emit((item.clone(), file.clone())))}>{ step }</button>
                    }
                }) }
            </td>
        </tr>
    }
}

#[derive(Properties, PartialEq)]
struct VerdictProps {
    tally: crate::store::session::Tally,
    missing: u64,
    completed: bool,
    all_ok: bool,
}

/// Results by status, and a plain sentence about how the session ended.
#[function_component(Verdict)]
fn verdict(props: &VerdictProps) -> Html {
    let t = &props.tally;
    let counts = [
        ("succeeded", t.success, "ok"),
        ("with warnings", t.warnings, "warning"),
        ("failed", t.failed, "error"),
        ("did not finish", t.unfinished, "info"),
        ("with skipped files", t.skipped, "warning"),
        ("with dangerous items", t.dangerous, "warning"),
        ("with altered items", t.altered, "warning"),
    ];
    let sentence = if props.all_ok {
        "Every item succeeded.".to_owned()
    } else if props.completed && t.failed > 0 {
        format!(
            "The session completed, but {} — WHM calls a session “Completed” even when items fail.",
            format::plural(t.failed, "item failed", "items failed")
        )
    } else if props.completed {
        let mut s = String::from("The session completed");
        if t.warnings > 0 {
            s.push_str(&format!(
                "; {} to read",
                format::plural(t.warnings, "item has remarks", "items have remarks")
            ));
        }
        if props.missing > 0 {
            s.push_str(&format!("; {} queued steps never ran", props.missing));
        }
        s.push('.');
        s
    } else {
        "The session did not complete: items not marked succeeded did not arrive.".to_owned()
    };
    html! {
        <div class={classes!("verdict", if props.all_ok { "ok-text" } else { "sev-error" })} data-testid="session-verdict"
            data-ok={props.all_ok.to_string()} data-failed={t.failed.to_string()}>
            <p>{ sentence }</p>
            <ul class="tally">
                { for counts.iter().filter(|(_, n, _)| *n > 0).map(|(label, n, class)| html! {
                    <li><span class={classes!("badge", *class)}>{ n }</span>{ format!(" {label}") }</li>
                }) }
            </ul>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct ItemLogProps {
    open: crate::store::session::OpenLog,
    /// The item tail, which brings a running item's lines.
    item_live: Live,
    on_close: Callback<MouseEvent>,
    on_retry: Callback<MouseEvent>,
}

fn entry(e: &crate::store::item_log::Entry) -> Html {
    html! { <li data-testid={e.kind.testid()} class={classes!("log-entry", e.kind.testid())}>{ &e.text }</li> }
}

fn entries(log: &crate::store::item_log::ItemLog) -> Html {
    html! {
        <>
            <ol class="log-entries">
                { for log.head.iter().map(entry) }
                if log.cut > 0 {
                    <li class="log-cut muted" data-testid="log-cut">{ format!(
                        "{} lines not shown here: the first {} and the latest {} are.",
                        format::count(log.cut as u128), format::count(crate::store::item_log::HEAD_ENTRIES as u128),
                        format::count((crate::store::item_log::MAX_ENTRIES - crate::store::item_log::HEAD_ENTRIES) as u128)
                    ) }</li>
                }
                { for log.tail.iter().map(entry) }
            </ol>
        </>
    }
}

/// An item's log, readable: kinds as badges, WHM's lists, everything as text.
#[function_component(ItemLogView)]
fn item_log_view(props: &ItemLogProps) -> Html {
    use crate::store::session::LogContent;
    let o = &props.open;
    let live = matches!(o.content, LogContent::Live { ended: false, .. });
    html! {
        <section class="panel item-log" data-testid="item-log" data-log={o.logfile.clone()} data-live={live.to_string()} aria-labelledby="item-log-h">
            <div class="row">
                <h2 id="item-log-h">{ format!("Log of “{}”", crate::whm::display::name(&o.item)) }</h2>
                <button type="button" data-testid="item-log-close" onclick={props.on_close.clone()}>{ "Close" }</button>
            </div>
            <p class="muted"><code>{ crate::whm::display::name(&o.logfile) }</code></p>
            { match &o.content {
                LogContent::Loading => html! { <p class="muted" role="status">{ "Reading the log…" }</p> },
                LogContent::NotYet => html! { <p class="muted" role="status">{ "This item has not finished and the session is not running, so there is nothing to follow live. Its full log opens here once it has finished (WHM holds a log back while it is being written)." }</p> },
                LogContent::Failed(e) => html! { <ErrorBanner error={e.clone()} context="Reading the item log" /> },
                LogContent::Loaded(log) => entries(log),
                LogContent::Live { log, ended } => {
                    let (status, retry) = match (&props.item_live, ended) {
                        (_, true) => ("The item has finished; reading its whole log…".to_owned(), false),
                        (Live::Stopped { why: LiveStop::SessionLost(_) }, _) => (
                            "Live view stopped: your WHM login ended. Log in to WHM again, then retry.".to_owned(),
                            true,
                        ),
                        (Live::Stopped { why: LiveStop::GaveUp(e) }, _) => {
                            (format!("Live view stopped: {} The item itself goes on.", e.title()), true)
                        }
                        (Live::Reconnecting { delay_ms, .. }, _) => {
                            (format!("The live log connection closed; reconnecting in {} s.", delay_ms.div_ceil(1000)), false)
                        }
                        _ => ("Live: lines appear as WHM writes them; the whole log is read once the item ends.".to_owned(), false),
                    };
                    html! {
                        <>
                            <p class="muted" role="status" data-testid="item-log-status">
                                { status }
                                if retry {
                                    { " " }<button type="button" data-testid="item-log-retry" onclick={props.on_retry.clone()}>{ "Retry" }</button>
                                }
                            </p>
                            { entries(log) }
                        </>
                    }
                }
            } }
        </section>
    }
}

fn duration(s: u64) -> String {
    if s < 60 {
        format!("{s} s")
    } else if s < 3600 {
        format!("{} min", s / 60)
    } else {
        format!("{} h {} min", s / 3600, (s % 3600) / 60)
    }
}

#[derive(Properties, PartialEq)]
struct ArrivalProps {
    arrival: Option<crate::store::arrival::Arrival>,
    busy: bool,
    on_check: Callback<MouseEvent>,
}

/// "Did they really arrive?": each restored account looked up on this server.
#[function_component(ArrivalView)]
fn arrival_view(props: &ArrivalProps) -> Html {
    use crate::store::arrival::Verdict;
    let label = if props.busy {
        "Checking…"
    } else if props.arrival.is_some() {
        "Check again"
    } else {
        "Check that the accounts arrived"
    };
    html! {
        <section class="panel" aria-labelledby="arrival-h" data-testid="arrival">
            <div class="row">
                <h2 id="arrival-h">{ "Arrival check" }</h2>
                <button type="button" data-testid="arrival-check" disabled={props.busy} onclick={props.on_check.clone()}>{ label }</button>
            </div>
            <p class="hint">{ "Looks up every restored account on this server (WHM’s accountsummary) and compares its domain, owner and disk use with the source." }</p>
            if let Some(a) = &props.arrival {
                if a.without_analysis {
                    <p class="muted">{ "The session’s analysis could not be read, so only whether each account exists is checked." }</p>
                }
                if a.done() {
                    <p class={if a.flagged() == 0 { "ok-text" } else { "sev-error" }} data-testid="arrival-summary" data-flagged={a.flagged().to_string()}>
                        { if a.rows.is_empty() { "No account was restored, so there is nothing to check.".to_owned() }
                          else if a.flagged() == 0 { format!("All {} restored accounts are here as expected.", a.rows.len()) }
                          else { format!("{} of {} restored accounts need attention.", a.flagged(), a.rows.len()) } }
                    </p>
                }
                <table class="plain">
                    <thead><tr><th>{ "Account" }</th><th>{ "Here" }</th><th>{ "Details" }</th></tr></thead>
                    <tbody>
                        { for a.rows.iter().map(|r| {
                            let e = &r.expected;
                            let name = if e.local == e.remote { crate::whm::display::name(&e.local) }
                                else { format!("{} → {}", crate::whm::display::name(&e.remote), crate::whm::display::name(&e.local)) };
                            let (badge, class, lines): (&str, &str, Vec<String>) = match &r.verdict {
                                Verdict::Pending => ("checking", "info", vec![]),
                                Verdict::Arrived { notes } => ("arrived", "ok", notes.clone()),
                                Verdict::Missing => ("missing", "error", vec!["WHM has no account of that name.".into()]),
                                Verdict::Mismatch { problems } => ("differs", "error", problems.clone()),
                                Verdict::Unknown(e) => ("unknown", "warning", vec![e.title()]),
                            };
                            html! {
                                <tr data-testid="arrival-row" data-user={e.local.clone()}
                                    data-arrived={r.verdict.arrived().map(|b| b.to_string()).unwrap_or_else(|| "unknown".into())}>
                                    <td>{ name }</td>
                                    <td><span class={classes!("badge", class)}>{ badge }</span></td>
                                    <td>
                                        { for lines.iter().map(|l| html! { <p>{ l }</p> }) }
                                        if let Some(next) = r.verdict.next_step() {
                                            <p class="hint">{ next }</p>
                                        }
                                    </td>
                                </tr>
                            }
                        }) }
                    </tbody>
                </table>
            }
        </section>
    }
}
