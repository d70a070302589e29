//! The analysis view: summary, findings, accounts, packages, local vs remote, linked nodes, disk
//! chart, exports and the raw JSON. Everything from WHM is rendered as text.

use super::chart::BarChart;
use super::download::download;
use super::table::AccountsTable;
use super::tree::JsonTree;
use crate::checks::{Finding, Severity};
use crate::shared::Shared;
use crate::store::check::Loaded;
use crate::store::{chart, export, format};
use crate::whm::analysis::{Analysis, LinkedNode, PerEngine};
use crate::whm::display;
use std::collections::BTreeSet;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct AnalysisViewProps {
    pub loaded: Loaded,
    #[prop_or_default]
    pub on_refresh: Option<Callback<()>>,
    #[prop_or_default]
    pub refreshing: bool,
    /// The queue step is sending items: Refresh waits until it is done.
    #[prop_or_default]
    pub refresh_blocked: bool,
}

#[function_component(AnalysisView)]
pub fn analysis_view(props: &AnalysisViewProps) -> Html {
    let loaded = &props.loaded;
    let whm = super::hooks::use_whm();
    // Clicking a finding's subject filters the accounts table to it.
    let focus = use_state(|| None::<(String, u32)>);
    let on_focus = {
        let focus = focus.clone();
        Callback::from(move |user: String| {
            let n = focus.as_ref().map_or(0, |(_, n)| n.wrapping_add(1));
            focus.set(Some((user, n)));
            if let Some(el) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id("accounts"))
            {
                el.scroll_into_view();
            }
        })
    };
    html! {
        <div class="analysis" data-testid="analysis">
            <Summary loaded={loaded.clone()} on_refresh={props.on_refresh.clone()} refreshing={props.refreshing} refresh_blocked={props.refresh_blocked} />
            <FindingsPanel findings={loaded.report.clone()} on_focus={on_focus} />
            <section class="panel" id="accounts" aria-labelledby="accounts-h">
                <h2 id="accounts-h">{ "Accounts" }</h2>
                <AccountsTable loaded={loaded.clone()} focus={(*focus).clone()} />
            </section>
            if let (Some(_), crate::store::check::Source::Server { session_id }) = (&whm, &loaded.source) {
                <super::queue::QueuePanel key={session_id.clone()} loaded={loaded.clone()} session_id={session_id.clone()} />
            }
            <div class="grid2">
                <Packages analysis={loaded.analysis.clone()} />
                <LinkedNodes analysis={loaded.analysis.clone()} />
            </div>
            <Compare analysis={loaded.analysis.clone()} />
            <DiskCharts analysis={loaded.analysis.clone()} />
            <Exports loaded={loaded.clone()} />
            <section class="panel" aria-labelledby="raw-h">
                <h2 id="raw-h">{ "Raw analysis" }</h2>
                <JsonTree root={loaded.raw.clone()} />
            </section>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct SummaryProps {
    loaded: Loaded,
    on_refresh: Option<Callback<()>>,
    refreshing: bool,
    refresh_blocked: bool,
}

fn yes_no(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "yes",
        Some(false) => "no",
        None => "unknown",
    }
}

#[function_component(Summary)]
fn summary(props: &SummaryProps) -> Html {
    let a = &props.loaded.analysis;
    let r = &props.loaded.report;
    let t = &r.totals;
    let count = |s: Severity| r.findings.iter().filter(|f| f.severity == s).count();
    let (errors, warnings, infos) = (count(Severity::Error), count(Severity::Warning), count(Severity::Info));
    // Remote strings through the display guard (bidi overrides and invisible characters escaped).
    let remote = a
        .remote
        .host
        .as_deref()
        .or(a.remote.hostname.as_deref())
        .map_or_else(|| "unknown host".into(), display::name);
    let remote_type = match (&a.remote.server_type, &a.remote.version) {
        (Some(t), Some(v)) => format!("{t}, version {v}"),
        (Some(t), None) => t.clone(),
        (None, Some(v)) => format!("version {v}"),
        (None, None) => "type unknown".into(),
    };
    let restore = match a.options.unrestricted {
        Some(true) => "unrestricted",
        Some(false) => "restricted",
        None => "unknown",
    };
    let refresh = props.on_refresh.as_ref().map(|cb| {
        let cb = cb.clone();
        html! {
            <button type="button" data-testid="analysis-refresh" disabled={props.refreshing || props.refresh_blocked}
                title={if props.refresh_blocked {
                    "Wait until the items are queued: a new analysis would rebuild the queue table under the run"
                } else {
                    "Re-run the remote analysis on the server (analyze_transfer_session_remote), then reload it"
                }}
                onclick={Callback::from(move |_| cb.emit(()))}>
                { if props.refreshing { "Refreshing…" } else { "Refresh" } }
            </button>
        }
    });
    html! {
        <section class="panel summary" data-testid="analysis-summary" aria-labelledby="summary-h">
            <div class="summary-head">
                <h2 id="summary-h">{ "Session " }<code>{ &a.transfer_session_id }</code></h2>
                <span class="source">{ format!("from {}", props.loaded.source.describe()) }</span>
                { refresh }
                if let crate::store::check::Source::Server { session_id } = &props.loaded.source {
                    <a class="button-link" data-testid="open-session" href={crate::route::Route::Session(session_id.clone()).to_hash()}>{ "Run this session" }</a>
                }
            </div>
            <div class="verdict" data-errors={errors.to_string()}>
                if errors > 0 {
                    <span class="badge error">{ format::plural(errors, "error", "errors") }</span>
                } else {
                    <span class="badge ok">{ "no errors" }</span>
                }
                <span class="badge warning">{ format::plural(warnings, "warning", "warnings") }</span>
                <span class="badge info">{ format::plural(infos, "note", "notes") }</span>
            </div>
            <dl class="facts">
                <div><dt>{ "Source server" }</dt><dd>{ remote }<span class="muted">{ format!(" ({})", display::name(&remote_type)) }</span></dd></div>
                <div><dt>{ "This server" }</dt><dd>{ a.local.host.as_deref().map_or_else(|| "unknown".into(), display::name) }
                    if let Some(v) = &a.local.version { <span class="muted">{ format!(" (version {})", display::name(v)) }</span> }</dd></div>
                <div><dt>{ "Accounts" }</dt><dd data-testid="summary-accounts">{ format::count(t.accounts as u128) }</dd></div>
                <div><dt>{ "Packages" }</dt><dd>{ format::count(t.packages as u128) }</dd></div>
                <div><dt>{ "Disk to copy" }</dt><dd data-testid="summary-disk">{ if a.remote.has_disk_used == Some(false) {
                    "not known (no quota data on the source)".to_owned()
                } else {
                    format::bytes(t.bytes)
                } }</dd></div>
                <div><dt>{ "Files" }</dt><dd>{ format::count(t.files) }</dd></div>
                <div><dt>{ "Restore mode" }</dt><dd>{ restore }</dd></div>
                <div><dt>{ "Live transfers supported" }</dt><dd>{ yes_no(a.remote.supports_live_transfers) }</dd></div>
                <div><dt>{ "Shared MySQL server" }</dt><dd>{ yes_no(a.config.shared_mysql_server) }</dd></div>
                <div><dt>{ "Express transfer (xferpoint)" }</dt><dd>{ yes_no(a.remote.has_xfertool) }</dd></div>
                <div><dt>{ "Free dedicated IPs here" }</dt><dd>{ a.local.available_ips.len() }</dd></div>
                <div><dt>{ "First-N uniqueness" }</dt><dd>{ format!("{} characters", props.loaded.ctx.prefix_length) }
                    if a.local_prefix_length().is_none() {
                        <span class="muted" title="WHM uses 8 when the database server is old, not running or not known">{ " (database server not in the analysis: WHM’s fallback)" }</span>
                    }</dd></div>
            </dl>
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct FindingsProps {
    findings: Shared<crate::checks::Report>,
    on_focus: Callback<String>,
}

#[function_component(FindingsPanel)]
fn findings_panel(props: &FindingsProps) -> Html {
    let list = &props.findings.findings;
    html! {
        <section class="panel findings" aria-labelledby="findings-h">
            <h2 id="findings-h">{ "What will collide or fail" }</h2>
            if list.is_empty() {
                <p class="ok-text" data-testid="no-findings">{ "Nothing in this analysis will collide or fail." }</p>
            } else {
                <ul class="finding-list">
                    { for list.iter().take(500).map(|f| finding_item(f, &props.on_focus)) }
                </ul>
                if list.len() > 500 {
                    <p class="hint">{ format!("{} more findings: export them as CSV or JSON below, or filter the accounts table by finding.", list.len() - 500) }</p>
                }
            }
        </section>
    }
}

fn finding_item(f: &Finding, on_focus: &Callback<String>) -> Html {
    let sev = f.severity.as_str();
    let subject = if f.subject.kind == crate::checks::SubjectKind::Account {
        let name = f.subject.name.clone();
        let on_focus = on_focus.clone();
        html! {
            <button type="button" class="link" title="Show this account in the table"
                onclick={Callback::from(move |_| on_focus.emit(name.clone()))}>{ display::name(&f.subject.name) }</button>
        }
    } else {
        html! { <span class="subject-name">{ display::name(&f.subject.name) }</span> }
    };
    html! {
        <li class={classes!("finding", sev)} data-testid="finding" data-kind={f.kind} data-severity={sev}
            data-subject={f.subject.name.clone()}>
            <span class={classes!("badge", sev)}>{ sev }</span>
            <span class="kind mono">{ f.kind }</span>
            <span class="subject">{ f.subject.kind.as_str() }{ " " }{ subject }</span>
            <p class="message">{ &f.message }</p>
            <p class="fix"><strong>{ "Fix: " }</strong>{ &f.fix }</p>
        </li>
    }
}

#[derive(Properties, PartialEq)]
struct AnalysisProps {
    analysis: Shared<Analysis>,
}

#[function_component(Packages)]
fn packages(props: &AnalysisProps) -> Html {
    let p = &props.analysis.items.packages;
    html! {
        <section class="panel" aria-labelledby="packages-h">
            <h2 id="packages-h">{ format!("Packages ({})", p.len()) }</h2>
            if p.is_empty() {
                <p class="muted">{ "No packages on the source." }</p>
            } else {
                <table class="plain">
                    <thead><tr><th>{ "Package" }</th><th>{ "Feature list" }</th></tr></thead>
                    <tbody>{ for p.iter().map(|p| html! {
                        <tr data-testid="package-row"><td>{ display::name(&p.name) }</td><td>{ p.featurelist.as_deref().map(display::name).unwrap_or_default() }</td></tr>
                    }) }</tbody>
                </table>
            }
        </section>
    }
}

fn node_row(n: &LinkedNode) -> Html {
    let caps: Vec<&str> = n.worker_capabilities.iter().map(String::as_str).collect();
    html! {
        <li><strong>{ display::name(&n.alias) }</strong>{ " " }<span class="muted">{ n.hostname.as_deref().map(display::name).unwrap_or_default() }</span>
            <br /><span class="caps">{ if caps.is_empty() { "no capabilities".to_owned() } else { display::name(&caps.join(", ")) } }</span></li>
    }
}

#[function_component(LinkedNodes)]
fn linked_nodes(props: &AnalysisProps) -> Html {
    let a = &props.analysis;
    html! {
        <section class="panel" aria-labelledby="nodes-h">
            <h2 id="nodes-h">{ "Linked nodes" }</h2>
            <div class="side-by-side">
                <div><h3>{ "Source" }</h3>
                    if a.remote.linked_nodes.is_empty() { <p class="muted">{ "none" }</p> }
                    else { <ul class="nodes">{ for a.remote.linked_nodes.iter().map(node_row) }</ul> }
                </div>
                <div><h3>{ "This server" }</h3>
                    { match a.local.linked_nodes.as_deref() {
                        None => html! { <p class="muted" data-testid="local-nodes-unlisted">{ "not listed by this server’s analysis" }</p> },
                        Some([]) => html! { <p class="muted">{ "none" }</p> },
                        Some(nodes) => html! { <ul class="nodes">{ for nodes.iter().map(node_row) }</ul> },
                    } }
                </div>
            </div>
        </section>
    }
}

/// Names on both sides, remote first, with those that also exist here marked.
/// `local` is this server's side: how many names it has, and whether it has one.
fn compare_list(title: &str, remote: &BTreeSet<String>, local: (usize, &dyn Fn(&str) -> bool)) -> Html {
    let (local_len, has) = local;
    let clash: Vec<&String> = remote.iter().filter(|n| has(n)).collect();
    html! {
        <div class="compare-col">
            <h3>{ title }</h3>
            <p class="muted">{ format!("{} on the source, {} here, {} on both", remote.len(), local_len, clash.len()) }</p>
            if !clash.is_empty() {
                <p class="clash">{ "On both: " }{ for clash.iter().take(50).enumerate().map(|(i, n)| html! {
                    <>{ if i > 0 { ", " } else { "" } }<code>{ display::name(n) }</code></>
                }) }{ if clash.len() > 50 { format!(" and {} more", clash.len() - 50) } else { String::new() } }</p>
            }
        </div>
    }
}

fn engine_names(p: &PerEngine) -> BTreeSet<String> {
    p.mysql.keys().chain(p.pgsql.keys()).map(str::to_owned).collect()
}

/// How many names either engine has (a name in both counted once).
fn engine_count(p: &PerEngine) -> usize {
    p.mysql.len() + p.pgsql.keys().filter(|k| !p.mysql.contains_key(k)).count()
}

fn engine_has(p: &PerEngine, name: &str) -> bool {
    p.mysql.contains_key(name) || p.pgsql.contains_key(name)
}

#[function_component(Compare)]
fn compare(props: &AnalysisProps) -> Html {
    let a = &props.analysis;
    let remote_users: BTreeSet<String> = a.items.accounts.iter().map(|x| x.user.clone()).collect();
    let empty = Default::default();
    let (rdb, ldb) = (
        a.remote.dbs.as_ref().unwrap_or(&empty),
        a.local.dbs.as_ref().unwrap_or(&empty),
    );
    let (users, groups) = (&a.local.users, &a.local.groups);
    let (dbs, db_users) = (&ldb.dbs, &ldb.users);
    html! {
        <section class="panel" aria-labelledby="compare-h">
            <h2 id="compare-h">{ "Source accounts against this server" }</h2>
            <div class="compare">
                { compare_list("Usernames vs local users", &remote_users, (users.len(), &|n| users.contains(n))) }
                { compare_list("Usernames vs local groups", &remote_users, (groups.len(), &|n| groups.contains(n))) }
                { compare_list("Databases", &engine_names(&rdb.dbs), (engine_count(dbs), &|n| engine_has(dbs, n))) }
                { compare_list("Database users", &engine_names(&rdb.users), (engine_count(db_users), &|n| engine_has(db_users, n))) }
            </div>
        </section>
    }
}

#[function_component(DiskCharts)]
fn disk_charts(props: &AnalysisProps) -> Html {
    let accounts = &props.analysis.items.accounts;
    let owners = use_memo(props.analysis.clone(), |a| chart::by_owner(&a.items.accounts, 10));
    let top = use_memo(props.analysis.clone(), |a| chart::top_accounts(&a.items.accounts, 10));
    html! {
        <section class="panel" aria-labelledby="disk-h">
            <h2 id="disk-h">{ "Disk usage" }</h2>
            if accounts.is_empty() {
                <p class="muted">{ "No accounts." }</p>
            } else {
                <div class="grid2">
                    <BarChart title="By owner" bars={owners} />
                    <BarChart title="Largest accounts" bars={top} />
                </div>
            }
        </section>
    }
}

#[function_component(Exports)]
fn exports(props: &AnalysisViewPropsLite) -> Html {
    let l = &props.loaded;
    let base = if l.analysis.transfer_session_id.is_empty() {
        "analysis".to_owned()
    } else {
        l.analysis.transfer_session_id.clone()
    };
    let mk =
        |label: &'static str, testid: &'static str, file: String, mime: &'static str, make: fn(&Loaded) -> String| {
            let loaded = l.clone();
            html! {
                <button type="button" data-testid={testid}
                    onclick={Callback::from(move |_| download(&file, mime, &make(&loaded)))}>{ label }</button>
            }
        };
    html! {
        <section class="panel" aria-labelledby="export-h">
            <h2 id="export-h">{ "Export" }</h2>
            <div class="row">
                { mk("Findings (CSV)", "export-findings-csv", format!("{base}-findings.csv"), "text/csv", |l| export::findings_csv(&l.report.findings)) }
                { mk("Accounts (CSV)", "export-accounts-csv", format!("{base}-accounts.csv"), "text/csv", |l| export::accounts_csv(&l.analysis)) }
                { mk("Everything (JSON)", "export-json", format!("{base}-check.json"), "application/json", |l| export::report_json(&l.analysis, &l.report)) }
                { mk("Report (Markdown)", "export-markdown", format!("{base}-report.md"), "text/markdown", |l| export::markdown_report(&l.analysis, &l.report)) }
            </div>
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct AnalysisViewPropsLite {
    loaded: Loaded,
}
