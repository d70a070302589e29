//! `#/username`: cPanel's username rules as the admin types, the server's `validate_system_user`
//! verdict beside them after a short pause, and a bulk mode for pasted lists.

use super::banner::ErrorBanner;
use super::hooks::{use_owner, use_whm};
use super::rows::VirtualRows;
use crate::checks::{Purpose, RuleContext, Verdict, check_bulk, check_username};
use crate::shared::Shared;
use crate::store::check::AnalysisNote;
use crate::store::username::{ServerAction, ServerAnswer, ServerCheck, parse_names, reconcile};
use crate::whm::request as rq;
use gloo::timers::callback::Timeout;
use std::rc::Rc;
use wasm_bindgen_futures::spawn_local;
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

/// How long typing must pause before the server is asked.
const SERVER_DELAY_MS: u32 = 350;

/// Yew wrapper around the pure [`ServerCheck`].
#[derive(PartialEq, Default)]
struct Store(ServerCheck);

impl Reducible for Store {
    type Action = ServerAction;
    fn reduce(self: Rc<Self>, action: ServerAction) -> Rc<Self> {
        Rc::new(Store(self.0.clone().apply(action)))
    }
}

#[derive(Properties, PartialEq)]
pub struct UsernamePageProps {
    /// The session and first-N length of the last analysis loaded on the check page, if any.
    #[prop_or_default]
    pub last_analysis: Option<AnalysisNote>,
}

#[function_component(UsernamePage)]
pub fn username_page(props: &UsernamePageProps) -> Html {
    let name = use_state(String::new);
    let purpose = use_state(|| Purpose::Transfer);
    let db_prefixing = use_state(|| true);
    let prefix_length = use_state(|| props.last_analysis.as_ref().map_or(16, |n| n.prefix_length));
    let server = use_reducer(Store::default);
    let debounce = use_mut_ref(|| None::<Timeout>);
    let owner = use_owner();
    let whm = use_whm();

    // The effect that sends the pending call, once per ticket; its answer goes back to the store,
    // which drops it if the input has changed since.
    {
        let (server, owner, whm) = (server.clone(), owner.clone(), whm.clone());
        use_effect_with(server.0.pending.clone(), move |pending| {
            if let (Some((ticket, name)), Some(whm)) = (pending.clone(), whm) {
                let fut = whm.call(&rq::validate_system_user(&name), &owner);
                spawn_local(async move {
                    let result = fut.await;
                    server.dispatch(ServerAction::Answered(ticket, result));
                });
            }
        });
    }

    let aliases = use_state(String::new);
    // Rebuilt only when one of its inputs changes.
    let ctx = use_memo(
        (*db_prefixing, *prefix_length, (*aliases).clone()),
        |(prefixing, length, aliases)| RuleContext {
            db_prefixing: *prefixing,
            prefix_length: *length,
            extra_reserved: parse_names(aliases).into_iter().map(|n| n.to_lowercase()).collect(),
            ..RuleContext::default()
        },
    );
    let local = use_memo(((*name).clone(), ctx.clone(), *purpose), |(n, c, p)| {
        check_username(n, c, *p)
    });

    let on_input = {
        let name = name.clone();
        let server = server.clone();
        let debounce = debounce.clone();
        let connected = whm.is_some();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let value = input.value();
            name.set(value.clone());
            // Whatever was pending is now about an older input.
            server.dispatch(ServerAction::Typed {
                name: value.clone(),
                connected,
            });
            *debounce.borrow_mut() = None;
            if connected && !value.is_empty() {
                let server = server.clone();
                *debounce.borrow_mut() = Some(Timeout::new(SERVER_DELAY_MS, move || {
                    server.dispatch(ServerAction::Ask(value));
                }));
            }
        })
    };
    let on_purpose = {
        let purpose = purpose.clone();
        Callback::from(move |e: Event| {
            let s: HtmlSelectElement = e.target_unchecked_into();
            purpose.set(if s.value() == "new" {
                Purpose::NewAccount
            } else {
                Purpose::Transfer
            });
        })
    };
    let on_prefixing = {
        let db_prefixing = db_prefixing.clone();
        Callback::from(move |e: Event| {
            let i: HtmlInputElement = e.target_unchecked_into();
            db_prefixing.set(i.checked());
        })
    };
    let on_length = {
        let prefix_length = prefix_length.clone();
        Callback::from(move |e: Event| {
            let s: HtmlSelectElement = e.target_unchecked_into();
            prefix_length.set(if s.value() == "8" { 8 } else { 16 });
        })
    };
    let on_aliases = {
        let aliases = aliases.clone();
        Callback::from(move |e: InputEvent| {
            let i: HtmlInputElement = e.target_unchecked_into();
            aliases.set(i.value());
        })
    };

    html! {
        <section class="username">
            <h1>{ "Validate usernames" }</h1>
            <div class="panel">
                <fieldset class="context row">
                    <legend>{ "Rules in force" }</legend>
                    <div><label for="u-purpose">{ "Check for" }</label>
                        <select id="u-purpose" data-testid="username-purpose" onchange={on_purpose}>
                            <option value="transfer" selected={*purpose == Purpose::Transfer}>{ "a transfer or restore" }</option>
                            <option value="new" selected={*purpose == Purpose::NewAccount}>{ "a new account" }</option>
                        </select></div>
                    <div><label for="u-len">{ "First-N uniqueness" }</label>
                        <select id="u-len" data-testid="username-prefix-length" onchange={on_length}
                            title="WHM uses 8 with MySQL 5.5/5.6, with Tweak Setting force_short_prefix, or when it cannot tell the database server">
                            <option value="16" selected={*prefix_length == 16}>{ "16 (MySQL ≥ 5.7, MariaDB ≥ 10)" }</option>
                            <option value="8" selected={*prefix_length == 8}>{ "8 (older MySQL, or unknown)" }</option>
                        </select></div>
                    <div class="checkbox-row"><input id="u-prefix" type="checkbox" data-testid="username-db-prefixing"
                        checked={*db_prefixing} onchange={on_prefixing} />
                        <label for="u-prefix">{ "Database prefixing on" }</label></div>
                    <div><label for="u-aliases">{ "Mail aliases here (reserved too)" }</label>
                        <input id="u-aliases" type="text" data-testid="username-aliases" value={(*aliases).clone()} oninput={on_aliases}
                            placeholder="abuse, hostmaster, www…" title="Names from /etc/aliases and /etc/localaliases on this server" /></div>
                </fieldset>
                <p class="hint">
                    if let Some(note) = &props.last_analysis {
                        { format!("The first-N length starts from session {}’s analysis.", note.session_id) }
                    } else {
                        { "Load a session on the check page to take the first-N length from its analysis." }
                    }
                </p>
                <label for="u-name">{ "Username" }</label>
                <input id="u-name" type="text" class="wide" data-testid="username-input" value={(*name).clone()}
                    oninput={on_input} autocomplete="off" spellcheck="false" autocapitalize="off"
                    aria-describedby="u-local" />
                <div class="verdicts">
                    <LocalVerdict verdict={local.clone()} purpose={*purpose} />
                    <div class="server-side" data-testid="username-server" data-dropped={server.0.dropped.to_string()}>
                        <ServerVerdictView answer={server.0.answer.clone()} local={local.clone()} purpose={*purpose}
                            connected={whm.is_some()} current={(*name).clone()} />
                    </div>
                </div>
            </div>
            <Bulk ctx={Shared::from(ctx)} purpose={*purpose} />
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct LocalVerdictProps {
    verdict: Rc<Verdict>,
    purpose: Purpose,
}

#[function_component(LocalVerdict)]
fn local_verdict(props: &LocalVerdictProps) -> Html {
    let v = &props.verdict;
    let ok = v.is_ok();
    html! {
        <div class="verdict-box" id="u-local" data-testid="username-local-verdict" data-valid={ok.to_string()} aria-live="polite">
            <h2>{ "cPanel’s rules (in this browser)" }</h2>
            if v.name.is_empty() {
                <p class="muted">{ "Type a username." }</p>
            } else if ok {
                <p class="ok-text">{ format!("“{}” passes every rule for {}.", v.name, purpose_text(props.purpose)) }</p>
                <p class="hint">{ "Whether it already exists here is the server’s part of the check." }</p>
            } else {
                <ul class="reasons">
                    { for v.violations.iter().map(|x| html! {
                        <li data-testid="username-reason" data-rule={x.rule.id()}>
                            <strong>{ x.rule.title() }</strong>{ ": " }{ &x.explanation }
                            <span class="fix">{ " " }{ &x.fix }</span>
                        </li>
                    }) }
                    { for v.conflicts.iter().map(|c| html! {
                        <li data-testid="username-conflict" data-kind={c.kind.id()}>{ &c.explanation }<span class="fix">{ " " }{ &c.fix }</span></li>
                    }) }
                </ul>
                if let Some(s) = &v.suggestion {
                    <p class="suggestion" data-testid="username-suggestion">{ "Try " }<code>{ s }</code>{ "." }</p>
                }
            }
        </div>
    }
}

fn purpose_text(p: Purpose) -> &'static str {
    match p {
        Purpose::Transfer => "a transfer",
        Purpose::NewAccount => "a new account",
    }
}

#[derive(Properties, PartialEq)]
struct ServerVerdictProps {
    answer: ServerAnswer,
    local: Rc<Verdict>,
    purpose: Purpose,
    connected: bool,
    /// The name in the field now: an answer about any other name is never shown.
    current: String,
}

fn flag(b: bool) -> &'static str {
    if b { "1" } else { "0" }
}

#[function_component(ServerVerdictView)]
fn server_verdict(props: &ServerVerdictProps) -> Html {
    let body = match &props.answer {
        _ if !props.connected => {
            html! { <super::not_connected::NotConnected to="get the server’s own verdict" still="The browser’s rules above still apply." /> }
        }
        ServerAnswer::Idle => html! { <p class="muted">{ "The server’s verdict appears when you pause typing." }</p> },
        ServerAnswer::Waiting(n) if *n == props.current => {
            html! { <p class="muted" role="status">{ "Asking the server…" }</p> }
        }
        ServerAnswer::Done(n, v) if *n == props.current => html! {
            <div data-testid="username-server-verdict" data-user={n.clone()} data-exists={flag(v.exists)} data-reserved={flag(v.reserved)}
                data-valid-for-new={flag(v.valid_for_new)} data-valid-for-transfer={flag(v.valid_for_transfer)}>
                <ul class="flags">
                    <li class={if v.exists { "bad" } else { "good" }}>{ if v.exists { "exists on the server" } else { "does not exist on the server" } }</li>
                    <li class={if v.reserved { "bad" } else { "good" }}>{ if v.reserved { "reserved" } else { "not reserved" } }</li>
                    <li class={if v.valid_for_transfer { "good" } else { "bad" }}>{ if v.valid_for_transfer { "valid for transfer" } else { "not valid for transfer" } }</li>
                    <li class={if v.valid_for_new { "good" } else { "bad" }}>{ if v.valid_for_new { "valid for a new account" } else { "not valid for a new account" } }</li>
                </ul>
                <p class="reconcile" data-testid="username-reconcile">{ reconcile(&props.local, v, props.purpose) }</p>
            </div>
        },
        ServerAnswer::Failed(n, e) if *n == props.current => {
            html! { <ErrorBanner error={e.clone()} context="validate_system_user" /> }
        }
        _ => html! { <p class="muted">{ "Asking the server…" }</p> },
    };
    html! {
        <div class="verdict-box" aria-live="polite">
            <h2>{ "The server (validate_system_user)" }</h2>
            { body }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct BulkProps {
    /// Compared by identity.
    ctx: Shared<RuleContext>,
    purpose: Purpose,
}

#[function_component(Bulk)]
fn bulk(props: &BulkProps) -> Html {
    let text = use_state(String::new);
    let report = use_memo(((*text).clone(), props.ctx.clone(), props.purpose), |(t, c, p)| {
        let names = parse_names(t);
        let report = check_bulk(&names, c, *p);
        (names, report)
    });
    let on_input = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| {
            let t: HtmlTextAreaElement = e.target_unchecked_into();
            text.set(t.value());
        })
    };
    let (names, rep) = &*report;
    let bad = rep.verdicts.iter().filter(|v| !v.is_ok()).count();
    // Only the rows in view are rendered (the list can hold every name of a server).
    let bulk_row = {
        let report = report.clone();
        Callback::from(move |i: usize| {
            let Some(v) = report.1.verdicts.get(i) else {
                return html! {};
            };
            let ok = v.is_ok();
            let problems: Vec<&str> = v
                .violations
                .iter()
                .map(|x| x.rule.id())
                .chain(v.conflicts.iter().map(|c| c.kind.id()))
                .collect();
            let problems = problems.join(", ");
            html! {
                <div role="row" class="trow" key={i} data-testid="username-bulk-row" data-user={v.name.clone()} data-valid={ok.to_string()}>
                    <div role="cell" class="cell mono" title={v.name.clone()}>{ &v.name }</div>
                    <div role="cell" class="cell">{ if ok { html!{ <span class="badge ok">{ "ok" }</span> } } else { html!{ <span class="badge error">{ "problem" }</span> } } }</div>
                    <div role="cell" class="cell mono" title={problems.clone()}>{ problems }</div>
                    <div role="cell" class="cell mono">{ v.suggestion.clone().unwrap_or_default() }</div>
                </div>
            }
        })
    };
    html! {
        <section class="panel bulk" aria-labelledby="bulk-h">
            <h2 id="bulk-h">{ "Many names at once" }</h2>
            <label for="u-bulk">{ "Paste names (one per line, or separated by spaces or commas)" }</label>
            <textarea id="u-bulk" data-testid="username-bulk-input" value={(*text).clone()} oninput={on_input} spellcheck="false" />
            if !names.is_empty() {
                <p data-testid="username-bulk-summary">{ format!("{} names: {} fine, {} with problems, {} colliding pairs in {} groups.",
                    names.len(), names.len() - bad, bad, crate::store::format::count(u128::from(rep.total_pairs())), rep.collisions.len()) }</p>
                if !rep.collisions.is_empty() {
                    <h3>{ "Collisions" }</h3>
                    <ul class="collisions">
                        { for rep.collisions.iter().take(200).map(|c| {
                            let shown: Vec<String> = c.members.iter().take(6).filter_map(|&i| names.get(i).cloned()).collect();
                            let more = c.members.len().saturating_sub(shown.len());
                            html! {
                                <li data-testid="username-bulk-collision">
                                    { for shown.iter().enumerate().map(|(x, n)| html! { <>{ if x > 0 { ", " } else { "" } }<code>{ n }</code></> }) }
                                    { if more > 0 { format!(" and {more} more") } else { String::new() } }
                                    { format!(" share “{}”", c.key) }
                                </li>
                            }
                        }) }
                    </ul>
                }
                <div role="table" aria-label="Names checked" aria-rowcount={names.len().to_string()} class="vtable bulk-rows">
                    <div role="rowgroup" class="thead"><div role="row" class="trow head">
                        <div role="columnheader" class="cell">{ "Name" }</div><div role="columnheader" class="cell">{ "Verdict" }</div>
                        <div role="columnheader" class="cell">{ "Problems" }</div><div role="columnheader" class="cell">{ "Suggestion" }</div>
                    </div></div>
                    <VirtualRows total={rep.verdicts.len()} row={bulk_row} testid="username-bulk-scroll" />
                </div>
            }
        </section>
    }
}
