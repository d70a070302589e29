//! The queue step on the check screen: edit the plan as text, see every problem the checks engine
//! finds before anything is sent, then enqueue items one by one (never retried, never sent twice).

use super::banner::ErrorBanner;
use crate::checks::{PlanInput, Severity, to_requests, validate_plan};
use crate::client::{Owner, Whm};
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
    pub whm: Whm,
}

/// One enqueue call's result.
#[derive(Clone, PartialEq)]
enum Outcome {
    Queued,
    Refused(String),
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
    let owner = use_memo((), |_| Owner::new());
    let session_id = props.loaded.analysis.transfer_session_id.clone();

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
    let count = plan.accounts.len() + plan.packages.len();

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
        let (results, running, fatal, owner) = (results.clone(), running.clone(), fatal.clone(), owner.clone());
        let whm = props.whm.clone();
        let requests = to_requests(plan, &session_id, MODULE);
        let session_id = session_id.clone();
        Callback::from(move |_| {
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
            let (results, running, fatal, owner, whm) = (
                results.clone(),
                running.clone(),
                fatal.clone(),
                owner.clone(),
                whm.clone(),
            );
            let requests = requests.clone();
            spawn_local(async move {
                let mut done: Vec<(String, Outcome)> = requests.iter().map(|r| (label(r), Outcome::NotSent)).collect();
                for (i, req) in requests.iter().enumerate() {
                    match whm.send(req, &owner).await {
                        Ok(Some(_)) => done[i].1 = Outcome::Queued,
                        Ok(None) => return, // the page was left
                        Err(WhmError::Api { reason, .. }) => done[i].1 = Outcome::Refused(reason),
                        Err(e) => {
                            // The login or the connection is gone: stop, and say which items were not sent.
                            fatal.set(Some(e));
                            break;
                        }
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
                    { if *running { "Queueing…".to_owned() } else { format!("Queue {count} items") } }
                </button>
                if errors > 0 {
                    <span class="sev-error">{ format!("Fix the {errors} errors above first: WHM would refuse these items or the restore would fail.") }</span>
                }
            </p>
            if let Some(e) = &*fatal {
                <ErrorBanner error={e.clone()} context="Queueing stopped" />
            }
            if !results.is_empty() {
                <ul class="queue-results">
                    { for results.iter().map(|(label, r)| {
                        let (ok, text) = match r {
                            Outcome::Queued => ("true", "queued".to_owned()),
                            Outcome::Refused(reason) => ("false", format!("refused: {reason}")),
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
