//! The queue step on the check screen: edit the plan as text, see every problem the checks engine
//! finds before anything is sent, then enqueue items one by one (never retried, never sent twice).

use super::banner::ErrorBanner;
use super::hooks::{use_owner, use_whm};
use crate::checks::{PlanInput, Severity, to_requests, validate_plan};
use crate::route::Route;
use crate::store::check::Loaded;
use crate::store::queue;
use crate::whm::WhmError;
use crate::whm::request::EnqueueTransferItem;
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

/// One enqueue call's result.
#[derive(Clone, PartialEq)]
enum Outcome {
    Queued,
    Refused(String),
    /// The connection failed while this item was on its way: it may or may not be queued.
    Unknown,
    NotSent,
}

fn label(item: &EnqueueTransferItem) -> String {
    let key = |k: &str| {
        item.keys
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    if item.module == "PackageRemoteRoot" {
        format!("Package “{}”", key("package"))
    } else if key("user") != key("localuser") {
        format!("Account “{}” → “{}”", key("user"), key("localuser"))
    } else {
        format!("Account “{}”", key("user"))
    }
}

#[function_component(QueuePanel)]
pub fn queue_panel(props: &QueuePanelProps) -> Html {
    let text = use_state(|| queue::default_text(&props.loaded.analysis, &props.loaded.report));
    let with_packages = use_state(|| true);
    let results = use_state(Vec::<(String, Outcome)>::new);
    let running = use_state(|| false);
    let fatal = use_state(|| None::<WhmError>);
    let owner = use_owner();
    let whm = use_whm();
    let session_id = props.session_id.to_string();
    let blocked = use_state(|| None::<String>);

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
    // Items this panel already queued are not sent again.
    let already: std::collections::HashSet<String> = results
        .iter()
        .filter(|(_, r)| *r == Outcome::Queued)
        .map(|(l, _)| l.clone())
        .collect();
    let requests: Vec<EnqueueTransferItem> = to_requests(plan, &session_id, MODULE)
        .into_iter()
        .filter(|r| !already.contains(&label(r)))
        .collect();
    let count = requests.len();

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
        let (results, running, fatal, owner, blocked) = (
            results.clone(),
            running.clone(),
            fatal.clone(),
            owner.clone(),
            blocked.clone(),
        );
        let whm = whm.clone();
        let requests = requests.clone();
        let session_id = session_id.clone();
        Callback::from(move |_| {
            let Some(whm) = whm.clone() else { return };
            if *running || requests.is_empty() {
                return;
            }
            let question = format!(
                "Queue {} items into session {session_id}? WHM cannot remove items from a session once they are queued.",
                requests.len()
            );
            if !web_sys::window()
                .and_then(|w| w.confirm_with_message(&question).ok())
                .unwrap_or(false)
            {
                return;
            }
            running.set(true);
            fatal.set(None);
            blocked.set(None);
            let (results, running, fatal, owner, whm, blocked) = (
                results.clone(),
                running.clone(),
                fatal.clone(),
                owner.clone(),
                whm.clone(),
                blocked.clone(),
            );
            let requests = requests.clone();
            let session_id = session_id.clone();
            // The loop holds the owner: once started, queueing goes on even if the page is left, so a
            // plan is never cut in half by navigation.
            spawn_local(async move {
                // WHM's Transfer Tool accepts items only before the session starts (§3.9).
                match whm
                    .call(&crate::whm::request::get_transfer_session_state(&session_id), &owner)
                    .await
                {
                    Ok(data) => {
                        let state = data.state_name;
                        if state != "PENDING" {
                            blocked.set(Some(format!(
                                "The session is {state}: WHM accepts new items only before a session starts. Create a new session for these accounts."
                            )));
                            running.set(false);
                            return;
                        }
                    }
                    Err(e) if e.is_cancelled() => return,
                    Err(e) => {
                        fatal.set(Some(e));
                        running.set(false);
                        return;
                    }
                }
                let mut done: Vec<(String, Outcome)> = (*results)
                    .iter()
                    .filter(|(_, r)| *r == Outcome::Queued)
                    .cloned()
                    .collect();
                let start = done.len();
                done.extend(requests.iter().map(|r| (label(r), Outcome::NotSent)));
                for (i, req) in requests.iter().enumerate() {
                    let slot = start + i;
                    let outcome = match whm.call(req, &owner).await {
                        Ok(_) => Outcome::Queued,
                        Err(WhmError::Api { reason, .. }) => Outcome::Refused(reason),
                        Err(e) => {
                            // The login or the connection is gone: stop. This item's fate is unknown
                            // (unless WHM refused the login); the ones after it were not sent.
                            if let Some(entry) = done.get_mut(slot) {
                                entry.1 = if matches!(e, WhmError::SessionLost { .. }) {
                                    Outcome::NotSent
                                } else {
                                    Outcome::Unknown
                                };
                            }
                            fatal.set(Some(e));
                            break;
                        }
                    };
                    if let Some(entry) = done.get_mut(slot) {
                        entry.1 = outcome;
                    }
                    results.set(done.clone());
                }
                results.set(done);
                running.set(false);
            });
        })
    };

    let sent_ok = results.iter().filter(|(_, r)| *r == Outcome::Queued).count();
    html! {
        <section class="panel queue" aria-labelledby="queue-h">
            <h2 id="queue-h">{ "Queue items" }</h2>
            <p class="hint">{ format!("Each line becomes one enqueue_transfer_item call into session {session_id} ({MODULE}), checked first against the analysis. Reseller privileges are skipped.") }</p>
            <label for="queue-plan">{ "Accounts to queue" }</label>
            <textarea id="queue-plan" data-testid="queue-plan" value={(*text).clone()} oninput={on_text} spellcheck="false" disabled={*running} />
            <div class="checkbox-row">
                <input id="queue-packages" type="checkbox" data-testid="queue-packages" checked={*with_packages} onchange={on_packages} disabled={*running} />
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
                    disabled={*running || errors > 0 || count == 0}>
                    { if *running { "Queueing…".to_owned() } else if count == 0 && !already.is_empty() { "Everything is queued".to_owned() } else { format!("Queue {count} items") } }
                </button>
                if errors > 0 {
                    <span class="sev-error">{ format!("Fix the {errors} errors above first: WHM would refuse these items or the restore would fail.") }</span>
                }
            </p>
            if let Some(msg) = &*blocked {
                <p class="sev-error" data-testid="queue-blocked">{ msg }</p>
            }
            if let Some(e) = &*fatal {
                <ErrorBanner error={e.clone()} context="Queueing stopped" />
            }
            if !results.is_empty() {
                <ul class="queue-results">
                    { for results.iter().map(|(label, r)| {
                        let (ok, text) = match r {
                            Outcome::Queued => ("true", "queued".to_owned()),
                            Outcome::Refused(reason) => ("false", format!("refused: {reason}")),
                            Outcome::Unknown => ("false", "unknown: the connection failed while it was sent; check the session before sending it again".to_owned()),
                            Outcome::NotSent => ("false", "not sent".to_owned()),
                        };
                        html! { <li data-testid="queue-result" data-item={label.clone()} data-ok={ok}>{ label }{ " — " }{ text }</li> }
                    }) }
                </ul>
                if !*running && sent_ok > 0 {
                    <p><a class="button-link" href={Route::Session(session_id.clone()).to_hash()}>{ format!("{sent_ok} items queued: run this session") }</a></p>
                }
            }
        </section>
    }
}
