//! The queue step on the check screen: edit the plan as text, see every problem the checks engine
//! finds before anything is sent, then enqueue items one by one (never retried, never sent twice).

use super::banner::ErrorBanner;
use super::hooks::{confirm, use_owner, use_whm};
use crate::checks::{PlanInput, Severity, to_requests, validate_plan};
use crate::route::Route;
use crate::store::check::Loaded;
use crate::store::queue::{self, ItemKey, Outcome, QueueAction, QueueState, Step, Stop};
use crate::whm::request::{EnqueueTransferItem, get_transfer_session_state};
use std::rc::Rc;
use wasm_bindgen_futures::spawn_local;
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

const MODULE: &str = "AccountRemoteRoot";

#[derive(Properties, PartialEq)]
pub struct QueuePanelProps {
    pub loaded: Loaded,
    /// The session the analysis was loaded for (not the id echoed inside it, which WHM may omit).
    pub session_id: AttrValue,
}

/// Yew wrapper around the pure [`QueueState`].
#[derive(PartialEq)]
struct Store(QueueState);

impl Reducible for Store {
    type Action = QueueAction;
    fn reduce(self: Rc<Self>, action: QueueAction) -> Rc<Self> {
        Rc::new(Store(self.0.clone().apply(action)))
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The items remembered for this session (queued or unknown: never resent after a reload).
fn load(session_id: &str) -> Vec<queue::Stored> {
    storage()
        .and_then(|s| s.get_item(&queue::storage_key(session_id)).ok().flatten())
        .map(|t| queue::deserialize(session_id, &t))
        .unwrap_or_default()
}

#[function_component(QueuePanel)]
pub fn queue_panel(props: &QueuePanelProps) -> Html {
    let text = use_state(|| queue::default_text(&props.loaded.analysis, &props.loaded.report));
    let with_packages = use_state(|| true);
    let session_id = props.session_id.to_string();
    let store = {
        let id = session_id.clone();
        use_reducer(move || Store(QueueState::default().apply(QueueAction::Restore(load(&id)))))
    };
    let owner = use_owner();
    let whm = use_whm();
    let state = &store.0;

    // Remember what WHM has or may have, per session (names and outcomes only).
    {
        let id = session_id.clone();
        use_effect_with(state.stored(), move |stored| {
            if !stored.is_empty()
                && let Some(s) = storage()
            {
                let _ = s.set_item(&queue::storage_key(&id), &queue::serialize(&id, stored));
            }
        });
    }
    // The loop: send what the store asks for, one call at a time, and hand back each answer.
    {
        let (store, owner, whm) = (store.clone(), owner.clone(), whm.clone());
        let id = session_id.clone();
        use_effect_with(state.step(), move |step| {
            let Some(whm) = whm else { return };
            match step.clone() {
                // WHM's Transfer Tool accepts items only before the session starts (§3.9).
                Some(Step::CheckState { run }) => {
                    let fut = whm.call(&get_transfer_session_state(&id), &owner);
                    spawn_local(async move {
                        let result = fut.await.map(|d| d.state_name);
                        store.dispatch(QueueAction::StateChecked { run, result });
                    });
                }
                Some(Step::Send { run, key, request }) => {
                    let fut = whm.call(&request, &owner);
                    spawn_local(async move {
                        let result = fut.await.map(|_| ());
                        store.dispatch(QueueAction::Sent { run, key, result });
                    });
                }
                None => {}
            }
        });
    }

    let checked = use_memo(
        ((*text).clone(), *with_packages, props.loaded.clone()),
        |(text, pk, loaded)| {
            let (plan, issues) = queue::parse(text, &loaded.analysis, *pk);
            let problems = validate_plan(PlanInput::new(&plan, &loaded.analysis, &loaded.ctx));
            (plan, issues, problems)
        },
    );
    let (plan, issues, problems) = &*checked;
    let errors = problems.iter().filter(|p| p.severity == Severity::Error).count() + issues.len();
    let plan_requests: Vec<EnqueueTransferItem> = to_requests(plan, &session_id, MODULE);
    // What WHM has or may have is not offered again.
    let requests = state.to_send(&plan_requests);
    let count = requests.len();
    let running = state.is_running();
    let settled = state.count(Outcome::is_settled);

    let on_text = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| {
            let t: HtmlTextAreaElement = e.target_unchecked_into();
            text.set(t.value());
        })
    };
    let on_packages = {
        let with_packages = with_packages.clone();
        Callback::from(move |e: Event| {
            let i: HtmlInputElement = e.target_unchecked_into();
            with_packages.set(i.checked());
        })
    };
    let on_submit = {
        let store = store.clone();
        let requests = requests.clone();
        let session_id = session_id.clone();
        let connected = whm.is_some();
        Callback::from(move |_| {
            if !connected || store.0.is_running() || requests.is_empty() {
                return;
            }
            let question = format!(
                "Queue {} items into session {session_id}? WHM cannot remove items from a session once they are queued.",
                requests.len()
            );
            if confirm(&question) {
                store.dispatch(QueueAction::Start(requests.clone()));
            }
        })
    };
    let on_retry = {
        let store = store.clone();
        let plan_requests = plan_requests.clone();
        Callback::from(move |key: ItemKey| {
            let Some(request) = plan_requests.iter().find(|r| ItemKey::of(r) == key).cloned() else {
                return;
            };
            let label = store.0.item(&key).map(|i| i.label()).unwrap_or_default();
            let question = format!(
                "Send {label} again? Its first call got no clear answer, so WHM may already have it: look at the session first (a second copy of an item fails or transfers it twice)."
            );
            if confirm(&question) {
                store.dispatch(QueueAction::RetryUnknown(request));
            }
        })
    };
    let in_plan: std::collections::HashSet<ItemKey> = plan_requests.iter().map(ItemKey::of).collect();

    let sent_ok = state.count(|o| *o == Outcome::Queued);
    let summary = state.summary();
    html! {
        <section class="panel queue" aria-labelledby="queue-h">
            <h2 id="queue-h">{ "Queue items" }</h2>
            <p class="hint">{ format!("Each line becomes one enqueue_transfer_item call into session {session_id} ({MODULE}), checked first against the analysis. Reseller privileges are skipped.") }</p>
            <label for="queue-plan">{ "Accounts to queue" }</label>
            <textarea id="queue-plan" data-testid="queue-plan" value={(*text).clone()} oninput={on_text} spellcheck="false" disabled={running} />
            <div class="checkbox-row">
                <input id="queue-packages" type="checkbox" data-testid="queue-packages" checked={*with_packages} onchange={on_packages} disabled={running} />
                <label for="queue-packages">{ format!("Also queue the {} packages", props.loaded.analysis.items.packages.len()) }</label>
            </div>
            if !issues.is_empty() || !problems.is_empty() {
                <ul class="finding-list plan-problems">
                    { for issues.iter().map(|i| html! {
                        <li class="finding error" data-testid="queue-problem" data-kind="bad-line" data-severity="error" data-subject={i.line_no.to_string()}>
                            <span class="badge error">{ "error" }</span><span class="kind mono">{ "bad-line" }</span><span />
                            <p class="message">{ &i.message }</p>
                        </li>
                    }) }
                    { for problems.iter().take(300).map(|p| html! {
                        <li class={classes!("finding", p.severity.as_str())} data-testid="queue-problem" data-kind={p.kind}
                            data-severity={p.severity.as_str()} data-subject={p.subject.name.clone()}>
                            <span class={classes!("badge", p.severity.as_str())}>{ p.severity.as_str() }</span>
                            <span class="kind mono">{ p.kind }</span>
                            <span class="subject">{ p.subject.kind.as_str() }{ " " }{ &p.subject.name }</span>
                            <p class="message">{ &p.message }</p>
                            <p class="fix"><strong>{ "Fix: " }</strong>{ &p.fix }</p>
                        </li>
                    }) }
                </ul>
            }
            <p class="row">
                <button type="button" class="primary" data-testid="queue-submit" onclick={on_submit}
                    disabled={running || errors > 0 || count == 0 || whm.is_none()}>
                    { if running { "Queueing…".to_owned() } else if count == 0 && settled > 0 { "Everything is queued".to_owned() } else { format!("Queue {count} items") } }
                </button>
                if errors > 0 {
                    <span class="sev-error">{ format!("Fix the {errors} errors above first: WHM would refuse these items or the restore would fail.") }</span>
                }
            </p>
            if let Some(Stop::Started { state }) = &state.stop {
                <p class="sev-error" data-testid="queue-blocked">{ format!(
                    "The session is {}: WHM accepts new items only before a session starts. Create a new session for these accounts.",
                    queue::escape_to(state, 40)
                ) }</p>
            }
            if let Some(Stop::Failed(e)) = &state.stop {
                <ErrorBanner error={e.clone()} context="Queueing stopped" />
            }
            if !state.items.is_empty() {
                <ul class="queue-results">
                    { for state.items.iter().map(|item| {
                        let text = match &item.outcome {
                            Outcome::Queued => "queued".to_owned(),
                            Outcome::Refused(reason) => format!("refused: {}", queue::escape_to(reason, 500)),
                            Outcome::Unknown => "unknown: no clear answer came back, so WHM may have it; check the session before sending it again".to_owned(),
                            Outcome::Sending => "sending…".to_owned(),
                            Outcome::Pending if running => "waiting".to_owned(),
                            Outcome::Pending => "not sent".to_owned(),
                        };
                        let retry = (item.outcome == Outcome::Unknown && !running && in_plan.contains(&item.key)).then(|| {
                            let on_retry = on_retry.clone();
                            let key = item.key.clone();
                            html! { <button type="button" data-testid="queue-retry-unknown" onclick={Callback::from(move |_| on_retry.emit(key.clone()))}>{ "Send again…" }</button> }
                        });
                        html! {
                            <li data-testid="queue-result" data-item={item.label()} data-user={item.key.user.clone()} data-module={item.key.module.clone()}
                                data-outcome={item.outcome.id()} data-ok={(item.outcome == Outcome::Queued).to_string()}>
                                { item.label() }{ " — " }{ text }{ " " }{ retry }
                            </li>
                        }
                    }) }
                </ul>
                if !summary.is_empty() {
                    <p data-testid="queue-summary" role="status">{ summary }</p>
                }
                if !running && sent_ok > 0 {
                    <p><a class="button-link" href={Route::Session(session_id.clone()).to_hash()}>{ format!("{sent_ok} items queued: run this session") }</a></p>
                }
            }
        </section>
    }
}
