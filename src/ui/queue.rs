//! The queue step on the check page: the queue table (one row per source account, its target name
//! checked as it is typed, its options), packages, feature lists and configuration modules, bulk edits
//! over the table's filters, "fix all conflicts", the plan as text, a preview of every call, then the
//! enqueue run (one call at a time, never retried, never sent twice). State lives in
//! [`crate::store::queue_table`] and [`crate::store::queue`]; effects in [`super::hooks::queue`].

use super::banner::ErrorBanner;
use super::hooks::queue::{
    RunStore, TableStore, use_enqueue, use_name_lookups, use_queue_schemas, use_report_edits, use_report_running,
};
use super::hooks::{confirm, use_whm};
use crate::checks::DbOverwrite;
use crate::names::hash::FastSet;
use crate::route::Route;
use crate::store::check::Loaded;
use crate::store::format::{bytes, plural};
use crate::store::queue::{self, ItemKey, Outcome, QueueAction, QueueState, Stop};
use crate::store::queue_table::{self, AnalysisId, Edit, Opt, Overwrite, PickKind, QueueTable, TableAction};
use crate::store::table::TableQuery;
use crate::whm::display;
use crate::whm::request::EnqueueTransferItem;
use std::cell::OnceCell;
use std::collections::HashSet;
use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct QueuePanelProps {
    pub loaded: Loaded,
    /// The session the analysis was loaded for (not the id echoed inside it, which WHM may omit).
    pub session_id: AttrValue,
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

/// A root session's queue step, from its analysis. Built after the page above it has painted (a
/// plan check of every account is the heaviest part of a large session's first render).
#[function_component(QueuePanel)]
pub fn queue_panel(props: &QueuePanelProps) -> Html {
    let ready = use_state(|| false);
    {
        let ready = ready.clone();
        super::hooks::use_after_paint(move || ready.set(true));
    }
    if !*ready {
        return html! {
            <section class="panel queue" aria-labelledby="queue-h">
                <h2 id="queue-h">{ "Queue items" }</h2>
                <p class="loading" role="status">{ "Preparing the queue table…" }</p>
            </section>
        };
    }
    html! { <QueueTableOf loaded={props.loaded.clone()} session_id={props.session_id.clone()} /> }
}

#[function_component(QueueTableOf)]
fn queue_table_of(props: &QueuePanelProps) -> Html {
    let table = {
        let l = props.loaded.clone();
        use_reducer(move || TableStore(QueueTable::new(l.analysis.clone(), &l.report, l.ctx.clone())))
    };
    {
        // A refresh hands down a new analysis: the table follows it, keeping the admin's choices.
        let table = table.clone();
        let l = props.loaded.clone();
        use_effect_with(AnalysisId::of(&props.loaded.analysis), move |id| {
            if table.0.analysis_id() != *id {
                table.dispatch(TableAction::Reanalysed {
                    analysis: l.analysis,
                    report: l.report,
                    ctx: l.ctx,
                });
            }
        });
    }
    html! { <QueueStep table={table} session_id={props.session_id.clone()} /> }
}

#[derive(Properties, PartialEq)]
pub struct UserQueuePanelProps {
    pub session_id: AttrValue,
    /// The source cPanel account, when this browser created the session.
    #[prop_or_default]
    pub user: AttrValue,
    /// Whether the session restores unrestricted: known only when this browser created it (its
    /// create form always asks for that). Otherwise it may be restricted, where WHM ignores
    /// `force` and always skips reseller privileges (§3.9), so neither is offered.
    #[prop_or_default]
    pub unrestricted: bool,
}

/// A cPanel-user session's queue step: WHM has no analysis for it, so one row for the account it pulls.
#[function_component(UserQueuePanel)]
pub fn user_queue_panel(props: &UserQueuePanelProps) -> Html {
    let table = {
        let (user, unrestricted) = (props.user.to_string(), props.unrestricted);
        use_reducer(move || TableStore(QueueTable::for_user_session(&user, unrestricted)))
    };
    html! { <QueueStep table={table} session_id={props.session_id.clone()} /> }
}

#[derive(Properties, PartialEq)]
struct StepProps {
    table: UseReducerHandle<TableStore>,
    session_id: AttrValue,
}

fn input_value(e: &InputEvent) -> String {
    let i: HtmlInputElement = e.target_unchecked_into();
    i.value()
}

fn select_value(e: &Event) -> String {
    let s: HtmlSelectElement = e.target_unchecked_into();
    s.value()
}

fn checked(e: &Event) -> bool {
    let i: HtmlInputElement = e.target_unchecked_into();
    i.checked()
}

#[function_component(QueueStep)]
fn queue_step(props: &StepProps) -> Html {
    let session_id = props.session_id.to_string();
    let table = props.table.clone();
    let run = {
        let id = session_id.clone();
        use_reducer(move || {
            let items = load(&id);
            RunStore(QueueState::default().apply(QueueAction::Restore { session_id: id, items }))
        })
    };
    use_queue_schemas(table.clone(), session_id.clone());
    use_name_lookups(table.clone());
    use_enqueue(run.clone(), session_id.clone());
    let whm = use_whm();
    let expanded = use_state(HashSet::<String>::new);
    let text_open = use_state(|| false);
    let text = use_state(String::new);
    let preview_open = use_state(|| false);

    // Remember what WHM has or may have, per session (names and outcomes only). Nothing is written
    // before there is something to remember (the first render comes before the restore); once
    // written, an empty list is written too (an item on its way that turned out not sent).
    // Whether the last write failed (storage full or disabled): the page says what that means.
    let memory_failed = use_state(|| false);
    {
        let id = session_id.clone();
        let wrote = use_mut_ref(|| false);
        let memory_failed = memory_failed.clone();
        use_effect_with(run.0.stored(), move |stored| {
            if (!stored.is_empty() || *wrote.borrow())
                && let Some(s) = storage()
            {
                let key = queue::storage_key(&id);
                let written = if stored.is_empty() {
                    s.remove_item(&key).is_ok()
                } else {
                    s.set_item(&key, &queue::serialize(&id, stored)).is_ok()
                };
                if *memory_failed == written {
                    memory_failed.set(!written);
                }
                *wrote.borrow_mut() = true;
            }
        });
    }

    let t = &table.0;
    let state = &run.0;
    let calls = Calls {
        cell: use_memo((t.revision, session_id.clone()), |_| OnceCell::new()),
        table: table.clone(),
        session_id: session_id.clone(),
    };
    // What WHM has or may have is not offered again. A render needs only the count, from the plan's
    // item keys: the calls themselves are built when the admin presses Queue, opens the preview or
    // sends an item again (a large session's plan has 10,000 of them, and this page renders again on
    // every answer it gets).
    let count = state.count_unsent_keys(t.plan_keys());
    let running = state.is_running();
    use_report_running(running);
    // The admin's changes, while some of what they would send is not queued yet.
    use_report_edits(t.edited && count > 0 && !running);
    // The first page of rows is built a quarter at a time, one quarter per painted frame: a large
    // session's 100 rows with their inputs are one long task otherwise, right after the page appears.
    let warm = use_state(|| WARM_STEP);
    {
        let warm = warm.clone();
        super::hooks::use_after_paint_with(*warm, move || {
            if *warm < queue_table::PAGE {
                warm.set(*warm + WARM_STEP);
            } else if *warm != usize::MAX {
                warm.set(usize::MAX);
            }
        });
    }
    let settled_keys = state.settled_keys();
    let errors = t.errors();
    let not_ready = t.not_ready();
    let dispatch = {
        let table = table.clone();
        Callback::from(move |a: TableAction| table.dispatch(a))
    };

    let on_submit = {
        let run = run.clone();
        let calls = calls.clone();
        let session_id = session_id.clone();
        let connected = whm.is_some();
        let blocked = errors > 0 || not_ready.is_some();
        Callback::from(move |_| {
            let to_send = run.0.to_send(calls.get());
            if !connected || blocked || run.0.is_running() || to_send.is_empty() {
                return;
            }
            let question = format!(
                "Queue {} into session {session_id}? WHM cannot remove items from a session once they are queued.",
                plural(to_send.len(), "item", "items")
            );
            if confirm(&question) {
                run.dispatch(QueueAction::Start(to_send));
            }
        })
    };
    let on_retry = {
        let run = run.clone();
        Callback::from(move |key: ItemKey| {
            if !run.0.can_retry(&key) {
                return;
            }
            let label = run.0.item(&key).map(|i| i.label()).unwrap_or_default();
            let question = format!(
                "Send {label} again? Its first call got no clear answer, so WHM may already have it: look at the session first (a second copy of an item fails or transfers it twice)."
            );
            if confirm(&question) {
                run.dispatch(QueueAction::RetryUnknown(key));
            }
        })
    };

    // The filter's rows, the owners and the finding kinds change only with the filter (or another
    // table): not worked out again over every account on each render.
    let analysis_id = t.analysis_id();
    let filtered = {
        let handle = table.clone();
        use_memo((t.filter.clone(), t.rows.len(), analysis_id.clone()), move |_| {
            handle.0.filtered()
        })
    };
    let owners = {
        let handle = table.clone();
        use_memo(analysis_id.clone(), move |_| handle.0.owners())
    };
    let kinds = {
        let handle = table.clone();
        use_memo(analysis_id, move |_| handle.0.finding_kinds())
    };
    let shown: Vec<usize> = filtered.iter().copied().take(t.shown.min(*warm)).collect();
    let sent_ok = state.count(|o| *o == Outcome::Queued);
    // Every item of the queue step, answered or not (a refused one counts as answered on both sides).
    let total_run = state.items.len();
    let done_run = state.count(|o| !matches!(o, Outcome::Pending | Outcome::Sending));
    let summary = state.summary();
    let user_session = t.is_user_session();

    html! {
        <section class="panel queue" aria-labelledby="queue-h">
            <h2 id="queue-h">{ "Queue items" }</h2>
            <p class="hint">{ if user_session {
                format!("A cPanel-user session pulls one account with that account’s own password (AccountRemoteUser, session {session_id}). WHM has no analysis for these sessions: name the account, choose its options, then queue it.")
            } else {
                format!("One row per source account of session {session_id}. Every edit is checked at once; target names are also asked of WHM (validate_system_user) after a pause. Nothing is sent until you press Queue.")
            } }</p>
            if let Some((module, e)) = t.schema_error() {
                <ErrorBanner error={e.clone()} context={format!("Reading the options WHM takes for {module}")}
                    on_retry={Some(dispatch.reform(|_| TableAction::RetrySchemas))} />
            }
            if let Some(Err(e)) = &t.modules {
                <ErrorBanner error={e.clone()} context="Reading the transfer modules this server offers" />
            }
            if let notes @ [_, ..] = &t.refresh_notes(&settled_keys)[..] {
                <div class="notice" data-testid="queue-refresh-notes" role="status">
                    { for notes.iter().map(|n| html! { <p>{ n }</p> }) }
                    <button type="button" data-testid="queue-refresh-notes-dismiss" onclick={dispatch.reform(|_| TableAction::DismissRefreshNotes)}>{ "Dismiss" }</button>
                </div>
            }
            if !user_session {
                { tools(&table, &run, Lists { filtered: filtered.len(), owners: &owners, kinds: &kinds }, &dispatch, &text_open, &text) }
                { fixes_view(t, &run, &dispatch) }
                if *text_open {
                    { text_view(&table, &run, &dispatch, &text) }
                }
            }
            <div class="table-scroll">
            <table class="queue-table" data-testid="queue-table">
                <thead><tr>
                    <th scope="col">{ "Queue" }</th>
                    <th scope="col">{ "Source account" }</th>
                    <th scope="col">{ "Local username" }</th>
                    <th scope="col">{ "Options" }</th>
                </tr></thead>
                <tbody>
                    { for shown.iter().filter_map(|&i| t.rows.get(i)).map(|row| {
                        let key = ItemKey { module: t.module.to_owned(), user: row.account.user.clone() };
                        let outcome = state.item(&key).filter(|_| settled_keys.contains(&key.parts())).map(|i| i.outcome.id());
                        row_view(t, row, &dispatch, &expanded, outcome, running)
                    }) }
                </tbody>
            </table>
            </div>
            if filtered.len() > shown.len() {
                <p class="row">
                    <button type="button" data-testid="queue-more" onclick={dispatch.reform(|_| TableAction::ShowMore)}>
                        { format!("Show more ({} of {} shown)", shown.len(), filtered.len()) }
                    </button>
                    <span class="hint">{ "Bulk actions apply to every row the filter matches, shown or not." }</span>
                </p>
            }
            { picks_view(t, &dispatch, running) }
            { problems_view(t) }
            <p class="row queue-actions">
                <button type="button" data-testid="queue-preview" aria-expanded={preview_open.to_string()}
                    onclick={{ let p = preview_open.clone(); Callback::from(move |_| p.set(!*p)) }}>
                    { if *preview_open { "Hide the calls" } else { "Preview the calls" } }
                </button>
                <button type="button" class="primary" data-testid="queue-submit" onclick={on_submit}
                    disabled={running || errors > 0 || count == 0 || whm.is_none() || not_ready.is_some()}>
                    { if running { "Queueing…".to_owned() } else if count == 0 && !settled_keys.is_empty() { "Everything selected is queued".to_owned() } else { format!("Queue {}", plural(count, "item", "items")) } }
                </button>
                if errors > 0 {
                    <span class="sev-error">{ if errors == 1 {
                        "Fix the error above first: WHM would refuse this item or the restore would fail.".to_owned()
                    } else {
                        format!("Fix the {errors} errors above first: WHM would refuse these items or the restore would fail.")
                    } }</span>
                } else if let Some(why) = &not_ready {
                    <span class="hint" role="status">{ why }</span>
                }
            </p>
            if *preview_open {
                <ol class="queue-calls" data-testid="queue-preview-list">
                    { for state.unsent(calls.get()).map(|c| {
                        let k = ItemKey::of(c);
                        let params = c.keys.iter().map(|(k, v)| format!("{k}={}", display::name(v))).collect::<Vec<_>>().join(" ");
                        html! {
                            <li data-testid="queue-call" data-module={c.module.clone()} data-user={k.user.clone()}>
                                <span class="mono">{ "enqueue_transfer_item module=" }{ &c.module }</span>{ " " }
                                <span class="mono params">{ params }</span>
                            </li>
                        }
                    }) }
                </ol>
            }
            if running || (done_run > 0 && total_run > 0 && !summary.is_empty()) {
                <p class="row" data-testid="queue-send-progress" data-done={done_run.to_string()} data-total={total_run.to_string()}>
                    <progress max={total_run.max(1).to_string()} value={done_run.to_string()} />
                    <span>{ format!("{done_run} of {total_run} answered") }</span>
                </p>
            }
            if let Some(Stop::Started { state }) = &state.stop {
                <p class="sev-error" data-testid="queue-blocked">{ format!(
                    "The session is {}: WHM accepts new items only before a session starts. Create a new session for these accounts.",
                    crate::whm::display::guard(state, 40, false)
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
                            Outcome::Refused(reason) => format!("refused: {}", crate::whm::display::guard(reason, 500, false)),
                            Outcome::Unknown => "unknown: no clear answer came back, so WHM may have it; check the session before sending it again".to_owned(),
                            Outcome::Sending => "sending…".to_owned(),
                            Outcome::Pending if running => "waiting".to_owned(),
                            Outcome::Pending => "not sent".to_owned(),
                        };
                        // An unknown item is sent again only as it was first sent, whatever the table says now.
                        let retry = (item.outcome == Outcome::Unknown && !running).then(|| if state.can_retry(&item.key) {
                            let on_retry = on_retry.clone();
                            let key = item.key.clone();
                            html! { <button type="button" data-testid="queue-retry-unknown" onclick={Callback::from(move |_| on_retry.emit(key.clone()))}>{ "Send again…" }</button> }
                        } else {
                            html! { <span class="hint">{ "(its call was not kept by the page that sent it: look at the session in WHM)" }</span> }
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
                if *memory_failed {
                    <p class="notice" data-testid="queue-memory-failed" role="status">{
                        "This browser could not remember which items are queued (its storage is full or turned off). After a reload this page would offer them again; WHM refuses an item its queue already has, so nothing is queued twice, but check the session before queueing again."
                    }</p>
                }
                if !running && sent_ok > 0 {
                    <p><a class="button-link" data-testid="queue-run-link" href={Route::Session(session_id.clone()).to_hash()}>{ format!("{} queued: run this session", plural(sent_ok, "item", "items")) }</a></p>
                }
            }
        </section>
    }
}

/// How many more rows of the first page each painted frame builds.
const WARM_STEP: usize = queue_table::PAGE / 4;

/// The selection's calls, built on first use and kept until the table's next revision.
#[derive(Clone)]
struct Calls {
    cell: Rc<OnceCell<Vec<EnqueueTransferItem>>>,
    /// The table as of this render (its revision is the one `cell` is kept for).
    table: UseReducerHandle<TableStore>,
    session_id: String,
}

impl Calls {
    fn get(&self) -> &[EnqueueTransferItem] {
        self.cell.get_or_init(|| self.table.0.calls(&self.session_id))
    }
}

/// What the filters offer, worked out once per filter (see [`queue_step`]).
struct Lists<'a> {
    /// How many rows the filter matches.
    filtered: usize,
    owners: &'a [String],
    kinds: &'a [&'static str],
}

/// Filters, selection by filter, bulk options, fix all, text view.
fn tools(
    table: &UseReducerHandle<TableStore>,
    run: &UseReducerHandle<RunStore>,
    lists: Lists<'_>,
    dispatch: &Callback<TableAction>,
    text_open: &UseStateHandle<bool>,
    text: &UseStateHandle<String>,
) -> Html {
    let t = &table.0;
    let q = t.filter.clone();
    let set = |f: fn(&mut TableQuery, String)| {
        let q = q.clone();
        dispatch.reform(move |v: String| {
            let mut q = q.clone();
            f(&mut q, v);
            TableAction::SetFilter(q)
        })
    };
    let on_text = set(|q, v| q.text = v).reform(|e: InputEvent| input_value(&e));
    let on_owner = set(|q, v| q.owner = Some(v).filter(|v| !v.is_empty())).reform(|e: Event| select_value(&e));
    let on_finding = set(|q, v| q.finding = Some(v).filter(|v| !v.is_empty())).reform(|e: Event| select_value(&e));
    let filtered = lists.filtered;
    // While items are sent, what is sent was fixed when Queue was pressed: the table stays as it is.
    let running = run.0.is_running();
    let on_fix_all = {
        let (run, module) = (run.clone(), t.module);
        dispatch.reform(move |_| TableAction::ProposeFixes {
            settled: settled_users(&run, module),
        })
    };
    let bulk_opts: Vec<Opt> = Opt::ALL.into_iter().filter(|o| t.offered(*o)).collect();
    let on_bulk = {
        let dispatch = dispatch.clone();
        let (run, module) = (run.clone(), t.module);
        Callback::from(move |_| {
            let doc = web_sys::window().and_then(|w| w.document());
            let value = |id: &str| {
                doc.as_ref()
                    .and_then(|d| d.get_element_by_id(id))
                    .map(|e| {
                        use wasm_bindgen::JsCast;
                        e.unchecked_into::<HtmlSelectElement>().value()
                    })
                    .unwrap_or_default()
            };
            let (key, on) = (value("queue-bulk-key"), value("queue-bulk-value") == "on");
            if let Some(o) = Opt::from_key(&key) {
                // the rows already queued keep what was sent (they are locked on screen)
                let settled = settled_users(&run, module);
                dispatch.emit(TableAction::Bulk {
                    edit: Edit::Flag(o, on),
                    settled,
                });
            }
        })
    };
    // The text is written from the table when the admin opens it, not on every render.
    let on_text_toggle = {
        let (text_open, text, table) = (text_open.clone(), text.clone(), table.clone());
        Callback::from(move |_| {
            if !*text_open {
                text.set(table.0.to_text());
            }
            text_open.set(!*text_open);
        })
    };
    html! {
        <div class="queue-tools">
            <div class="row filters">
                <label for="queue-filter-text" class="visually-hidden">{ "Filter accounts" }</label>
                <input id="queue-filter-text" type="search" data-testid="queue-filter-text" placeholder="Filter: user, domain or owner"
                    value={q.text.clone()} oninput={on_text} />
                <label for="queue-filter-owner">{ "Owner" }</label>
                <select id="queue-filter-owner" data-testid="queue-filter-owner" onchange={on_owner}>
                    <option value="" selected={q.owner.is_none()}>{ "any" }</option>
                    { for lists.owners.iter().map(|o| html! {
                        <option value={o.clone()} selected={q.owner.as_deref() == Some(o.as_str())}>{ display::name(o) }</option>
                    }) }
                </select>
                <label for="queue-filter-finding">{ "Finding" }</label>
                <select id="queue-filter-finding" data-testid="queue-filter-finding" onchange={on_finding}>
                    <option value="" selected={q.finding.is_none()}>{ "any or none" }</option>
                    <option value="any" selected={q.finding.as_deref() == Some("any")}>{ "with any finding" }</option>
                    { for lists.kinds.iter().copied().map(|k| html! {
                        <option value={k} selected={q.finding.as_deref() == Some(k)}>{ k }</option>
                    }) }
                </select>
                <button type="button" data-testid="queue-select-shown" onclick={dispatch.reform(|_| TableAction::SelectShown { on: true })} disabled={running}>
                    { format!("Select these {filtered}") }
                </button>
                <button type="button" data-testid="queue-unselect-shown" onclick={dispatch.reform(|_| TableAction::SelectShown { on: false })} disabled={running}>
                    { format!("Unselect these {filtered}") }
                </button>
            </div>
            <div class="row bulk">
                <label for="queue-bulk-key">{ format!("For the {} selected:", t.selected_count()) }</label>
                <select id="queue-bulk-key" data-testid="queue-bulk-key">
                    { for bulk_opts.iter().enumerate().map(|(i, o)| html! { <option value={o.key()} selected={i == 0}>{ o.label() }</option> }) }
                </select>
                <select id="queue-bulk-value" data-testid="queue-bulk-value" aria-label="On or off">
                    <option value="on">{ "on" }</option>
                    <option value="off">{ "off" }</option>
                </select>
                <button type="button" data-testid="queue-bulk-apply" onclick={on_bulk} disabled={running}>{ "Apply" }</button>
                <span class="spacer" />
                <button type="button" data-testid="queue-fix-all" onclick={on_fix_all} disabled={running}
                    title="Suggest a local username for every account whose name breaks a rule, exists here or clashes">
                    { "Fix all conflicts…" }
                </button>
                <button type="button" data-testid="queue-text-toggle" aria-expanded={text_open.to_string()} onclick={on_text_toggle}>
                    { if **text_open { "Close the text" } else { "Edit as text" } }
                </button>
            </div>
        </div>
    }
}

/// The users of this table's module whose item WHM has, or may have (sending, queued, unknown):
/// their rows keep what was sent.
fn settled_users(run: &UseReducerHandle<RunStore>, module: &str) -> FastSet<String> {
    run.0
        .settled_keys()
        .into_iter()
        .filter(|(m, _)| *m == module)
        .map(|(_, u)| u.to_owned())
        .collect()
}

/// "Fix all conflicts" as a diff: the admin edits any name, then accepts or discards.
fn fixes_view(t: &QueueTable, run: &UseReducerHandle<RunStore>, dispatch: &Callback<TableAction>) -> Html {
    let Some(fixes) = &t.fixes else { return Html::default() };
    let running = run.0.is_running();
    let accept = |select: bool| {
        let (run, module) = (run.clone(), t.module);
        dispatch.reform(move |_| TableAction::AcceptFixes {
            select,
            settled: settled_users(&run, module),
        })
    };
    if fixes.is_empty() {
        return html! {
            <div class="panel fix-diff" data-testid="queue-fix-diff" role="status">
                <p>{ "No account needs another local username." }</p>
                <button type="button" onclick={dispatch.reform(|_| TableAction::DiscardFixes)}>{ "Close" }</button>
            </div>
        };
    }
    html! {
        <div class="panel fix-diff" data-testid="queue-fix-diff">
            <p>{ format!("{} a new local username that passes every rule, is free here and unique in this queue. Edit any of them, then accept; the selection stays as it is unless you queue them too.",
                if fixes.len() == 1 { "1 account gets".to_owned() } else { format!("{} accounts get", fixes.len()) }) }</p>
            <table>
                <thead><tr><th scope="col">{ "Source account" }</th><th scope="col">{ "Was" }</th><th scope="col">{ "Becomes" }</th></tr></thead>
                <tbody>
                    { for fixes.iter().map(|f| {
                        let user = f.user.clone();
                        let on_input = dispatch.reform(move |e: InputEvent| TableAction::EditFix { user: user.clone(), name: input_value(&e) });
                        html! {
                            <tr data-testid="queue-fix" data-user={f.user.clone()}>
                                <td class="mono">{ display::name(&f.user) }</td>
                                <td class="mono"><del>{ display::name(&f.from) }</del></td>
                                <td><input type="text" class="mono" data-testid="queue-fix-name" value={f.to.clone()} oninput={on_input}
                                    aria-label={format!("New local username for {}", display::name(&f.user))} spellcheck="false" autocomplete="off" /></td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
            <p class="row">
                <button type="button" class="primary" data-testid="queue-fix-accept" onclick={accept(false)} disabled={running}>
                    { format!("Accept {} renames", fixes.len()) }
                </button>
                <button type="button" data-testid="queue-fix-accept-select" onclick={accept(true)} disabled={running}>
                    { "Accept and queue them too" }
                </button>
                <button type="button" data-testid="queue-fix-discard" onclick={dispatch.reform(|_| TableAction::DiscardFixes)}>{ "Discard" }</button>
            </p>
        </div>
    }
}

fn text_view(
    table: &UseReducerHandle<TableStore>,
    run: &UseReducerHandle<RunStore>,
    dispatch: &Callback<TableAction>,
    text: &UseStateHandle<String>,
) -> Html {
    let t = &table.0;
    let running = run.0.is_running();
    let on_input = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| {
            let a: HtmlTextAreaElement = e.target_unchecked_into();
            text.set(a.value());
        })
    };
    let on_apply = {
        let text = text.clone();
        let (run, module) = (run.clone(), t.module);
        dispatch.reform(move |_| TableAction::ApplyText {
            text: (*text).clone(),
            settled: settled_users(&run, module),
        })
    };
    let on_reload = {
        let (text, table) = (text.clone(), table.clone());
        Callback::from(move |_| text.set(table.0.to_text()))
    };
    html! {
        <div class="panel queue-text">
            <label for="queue-plan">{ "The selection as text: one account per line, “user” or “user newname”; # comments out" }</label>
            <textarea id="queue-plan" data-testid="queue-plan" value={(**text).clone()} oninput={on_input} spellcheck="false" disabled={running} />
            <p class="row">
                <button type="button" data-testid="queue-text-apply" onclick={on_apply} disabled={running}>{ "Apply the text to the table" }</button>
                <button type="button" onclick={on_reload}>{ "Reload from the table" }</button>
            </p>
            if !t.text_issues.is_empty() {
                <ul class="finding-list">
                    { for t.text_issues.iter().map(|i| html! {
                        <li class="finding error" data-testid="queue-problem" data-kind="bad-line" data-severity="error" data-subject={i.line_no.to_string()}>
                            <span class="badge error">{ "error" }</span>
                            <p class="message">{ &i.message }{ " The table is unchanged until the text reads cleanly." }</p>
                        </li>
                    }) }
                </ul>
            }
        </div>
    }
}

fn row_view(
    t: &QueueTable,
    row: &crate::store::queue_table::Row,
    dispatch: &Callback<TableAction>,
    expanded: &UseStateHandle<HashSet<String>>,
    outcome: Option<&'static str>,
    running: bool,
) -> Html {
    let a = &row.account;
    let user = a.user.clone();
    let locked = running || outcome.is_some();
    let verdict = t.target(&user);
    let on_select = {
        let user = user.clone();
        dispatch.reform(move |e: Event| TableAction::Select {
            user: user.clone(),
            on: checked(&e),
        })
    };
    let on_target = {
        let user = user.clone();
        dispatch.reform(move |e: InputEvent| TableAction::SetTarget {
            user: user.clone(),
            name: input_value(&e),
        })
    };
    let flag = |o: Opt| {
        let id = format!("q-{}-{}", o.key(), display::name(&user));
        let user = user.clone();
        let on_change = dispatch.reform(move |e: Event| TableAction::Edit {
            user: user.clone(),
            edit: Edit::Flag(o, checked(&e)),
        });
        html! {
            <span class="opt">
                <input type="checkbox" id={id.clone()} data-testid="queue-option" data-key={o.key()} checked={o.get(a)}
                    onchange={on_change} disabled={locked} />
                <label for={id}>{ o.label() }</label>
            </span>
        }
    };
    let is_open = expanded.contains(&user);
    let on_more = {
        let (expanded, user) = (expanded.clone(), user.clone());
        Callback::from(move |_| {
            let mut set = (*expanded).clone();
            if !set.remove(&user) {
                set.insert(user.clone());
            }
            expanded.set(set);
        })
    };
    let verdict_text = if verdict.valid {
        if verdict.problems.is_empty() {
            if verdict.server_checked {
                "✓ free here (WHM agrees)"
            } else {
                "✓ passes every rule"
            }
            .to_owned()
        } else {
            "⚠ see the note".to_owned()
        }
    } else {
        "✗".to_owned()
    };
    let offers_ip = t.offers("customip") && !t.free_ips().is_empty();
    let offers_mail = !t.mail_locations().is_empty();
    let addresses = offers_ip || offers_mail || t.offered(Opt::ExpressTransfer);
    let shown_user = if a.user.is_empty() {
        "(name the account)".to_owned()
    } else {
        display::name(&a.user)
    };
    html! {
        <>
        <tr data-testid="queue-row" data-user={user.clone()} data-selected={row.selected.to_string()}
            data-outcome={outcome} class={classes!(row.selected.then_some("selected"), (!verdict.valid).then_some("invalid"))}>
            <td>
                <input type="checkbox" data-testid="queue-select" checked={row.selected} onchange={on_select} disabled={locked}
                    aria-label={format!("Queue {shown_user}")} />
            </td>
            <td>
                <span class="mono">{ shown_user.clone() }</span>
                if !row.domain.is_empty() {
                    <div class="sub">{ display::name(&row.domain) }{ " · " }{ display::name(&row.owner) }
                        { a.size.map(|s| format!(" · {}", bytes(u128::from(s)))).unwrap_or_default() }</div>
                }
                if let Some(o) = outcome {
                    <div class={classes!("badge", if o == "queued" { "ok" } else { "warning" })}>{ o }</div>
                }
            </td>
            <td class="target">
                <input type="text" class="mono" data-testid="queue-target" value={a.localuser.clone()} oninput={on_target}
                    disabled={locked} spellcheck="false" autocomplete="off"
                    aria-label={format!("Local username for {shown_user}")} aria-invalid={(!verdict.valid).to_string()} />
                <div data-testid="queue-target-verdict" data-valid={verdict.valid.to_string()}
                    class={classes!("verdict", if verdict.valid { "ok" } else { "error" })}>
                    <span>{ verdict_text }</span>
                    if !verdict.problems.is_empty() {
                        <ul>
                            { for verdict.problems.iter().map(|(msg, fix)| html! {
                                <li>{ msg }{ " " }<strong>{ "Fix: " }</strong>{ fix }</li>
                            }) }
                        </ul>
                    }
                </div>
            </td>
            <td class="options">
                if t.offered(Opt::DedicatedIp) { { flag(Opt::DedicatedIp) } }
                if t.offered(Opt::LiveTransfer) { { flag(Opt::LiveTransfer) } }
                <button type="button" class="link" data-testid="queue-row-more" aria-expanded={is_open.to_string()} onclick={on_more}>
                    { if is_open { "Fewer options" } else { "More options…" } }
                </button>
            </td>
        </tr>
        if is_open {
            <tr class="queue-row-options" data-testid="queue-row-options" data-user={user.clone()}>
                <td />
                <td colspan="3">
                    <fieldset class="row" disabled={locked}>
                        <legend>{ "Copy" }</legend>
                        { for Opt::COPY.into_iter().filter(|o| t.offered(*o)).map(flag) }
                    </fieldset>
                    <fieldset class="row" disabled={locked}>
                        <legend>{ "Existing data here" }</legend>
                        { overwrite_select(t, &user, dispatch) }
                        if t.offers_db_policy() { { db_select(a.db_overwrite, &user, dispatch) } }
                    </fieldset>
                    if addresses {
                        <fieldset class="row" disabled={locked}>
                            <legend>{ "Addresses and mail" }</legend>
                            if offers_ip { { ip_select(t, a.customip.as_deref(), &user, dispatch) } }
                            if offers_mail { { mail_select(t, a.mail_location.as_deref(), &user, dispatch) } }
                            if t.offered(Opt::ExpressTransfer) { { flag(Opt::ExpressTransfer) } }
                        </fieldset>
                    }
                </td>
            </tr>
        }
        </>
    }
}

fn overwrite_select(t: &QueueTable, user: &str, dispatch: &Callback<TableAction>) -> Html {
    let current = t.overwrite_of(user);
    let u = user.to_owned();
    let on_change = dispatch.reform(move |e: Event| TableAction::Edit {
        user: u.clone(),
        edit: Edit::Overwrite(Overwrite::parse(&select_value(&e)).unwrap_or_default()),
    });
    let choices = t.overwrite_choices(user);
    html! {
        <label class="opt">{ "Account " }
            <select data-testid="queue-option" data-key="force" onchange={on_change} disabled={choices.len() < 2}
                title="Only the choices WHM honours for this account are offered">
                { for choices.into_iter().map(|o| html! { <option value={o.id()} selected={o == current}>{ o.label() }</option> }) }
            </select>
        </label>
    }
}

fn db_select(current: DbOverwrite, user: &str, dispatch: &Callback<TableAction>) -> Html {
    let u = user.to_owned();
    let on_change = dispatch.reform(move |e: Event| TableAction::Edit {
        user: u.clone(),
        edit: Edit::Databases(DbOverwrite::parse(&select_value(&e)).unwrap_or_default()),
    });
    html! {
        <label class="opt">{ "Databases " }
            <select data-testid="queue-option" data-key="overwrite_all_dbs" onchange={on_change}>
                { for DbOverwrite::ALL.into_iter().map(|d| html! { <option value={d.id()} selected={d == current}>{ d.label() }</option> }) }
            </select>
        </label>
    }
}

fn ip_select(t: &QueueTable, current: Option<&str>, user: &str, dispatch: &Callback<TableAction>) -> Html {
    let u = user.to_owned();
    let on_change = dispatch.reform(move |e: Event| TableAction::Edit {
        user: u.clone(),
        edit: Edit::CustomIp(Some(select_value(&e)).filter(|v| !v.is_empty())),
    });
    html! {
        <label class="opt">{ "Specific IP " }
            <select data-testid="queue-option" data-key="customip" onchange={on_change}>
                <option value="" selected={current.is_none()}>{ "any free IP" }</option>
                { for t.free_ips().iter().map(|ip| html! {
                    <option value={ip.clone()} selected={current == Some(ip.as_str())}>{ display::name(ip) }</option>
                }) }
            </select>
        </label>
    }
}

fn mail_select(t: &QueueTable, current: Option<&str>, user: &str, dispatch: &Callback<TableAction>) -> Html {
    let u = user.to_owned();
    let on_change = dispatch.reform(move |e: Event| TableAction::Edit {
        user: u.clone(),
        edit: Edit::MailLocation(Some(select_value(&e)).filter(|v| !v.is_empty())),
    });
    html! {
        <label class="opt">{ "Mail " }
            <select data-testid="queue-option" data-key="mail_location" onchange={on_change}>
                <option value="" selected={current.is_none()}>{ "WHM’s default (.existing)" }</option>
                { for t.mail_locations().into_iter().map(|m| html! {
                    <option value={m.clone()} selected={current == Some(m.as_str())}>{ display::name(&m) }</option>
                }) }
            </select>
        </label>
    }
}

/// Packages, feature lists and configuration modules.
fn picks_view(t: &QueueTable, dispatch: &Callback<TableAction>, running: bool) -> Html {
    let visible: Vec<&crate::store::queue_table::Pick> =
        t.picks.iter().filter(|p| t.module_offered(&p.module)).collect();
    if visible.is_empty() {
        return Html::default();
    }
    let group = |title: &str, kind: PickKind, of: &dyn Fn(&str) -> bool| -> Html {
        let items: Vec<&&crate::store::queue_table::Pick> = visible.iter().filter(|p| of(&p.module)).collect();
        if items.is_empty() {
            return Html::default();
        }
        html! {
            <fieldset class="picks" disabled={running}>
                <legend>{ title }</legend>
                { for items.into_iter().map(|p| {
                    let name = p.name.clone();
                    let on_change = dispatch.reform(move |e: Event| TableAction::Pick { kind, name: name.clone(), on: checked(&e) });
                    let id = format!("pick-{}-{}", p.module, display::name(&p.name));
                    html! {
                        <div class="pick">
                            <input type="checkbox" id={id.clone()} data-testid="queue-pick" data-module={p.module.clone()} data-name={p.name.clone()}
                                checked={p.selected} onchange={on_change} />
                            <label for={id}>{ display::name(&p.label) }</label>
                            if let Some(e) = &p.error { <p class="sev-error">{ e }</p> }
                            if let Some(w) = &p.warning { <p class="sev-warning">{ w }</p> }
                        </div>
                    }
                }) }
            </fieldset>
        }
    };
    html! {
        <div class="queue-picks">
            { group("Packages", PickKind::Package, &|m| m == crate::checks::plan::PACKAGE_MODULE) }
            { group("Feature lists", PickKind::FeatureList, &|m| m == crate::checks::plan::FEATURE_LIST_MODULE) }
            { group("Server configuration (changes this server’s own settings)", PickKind::Config,
                &|m| m != crate::checks::plan::PACKAGE_MODULE && m != crate::checks::plan::FEATURE_LIST_MODULE) }
        </div>
    }
}

fn problems_view(t: &QueueTable) -> Html {
    let problems = t.problems();
    if problems.is_empty() {
        return Html::default();
    }
    html! {
        <ul class="finding-list plan-problems">
            { for problems.iter().take(300).map(|p| html! {
                <li class={classes!("finding", p.severity.as_str())} data-testid="queue-problem" data-kind={p.kind}
                    data-severity={p.severity.as_str()} data-subject={p.subject.name.clone()}>
                    <span class={classes!("badge", p.severity.as_str())}>{ p.severity.as_str() }</span>
                    <span class="kind mono">{ p.kind }</span>
                    <span class="subject">{ p.subject.kind.as_str() }{ " " }{ display::name(&p.subject.name) }</span>
                    <p class="message">{ &p.message }</p>
                    <p class="fix"><strong>{ "Fix: " }</strong>{ &p.fix }</p>
                </li>
            }) }
            if problems.len() > 300 {
                <li class="hint">{ format!("{} more problems: narrow the selection, or fix all conflicts.", problems.len() - 300) }</li>
            }
        </ul>
    }
}
