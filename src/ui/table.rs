//! The accounts table: sort, filter by text/owner/finding, and windowed rendering (only the rows in
//! view exist in the DOM, so 10,000 accounts scroll smoothly).

use super::rows::VirtualRows;
use crate::store::check::Loaded;
use crate::store::format;
use crate::store::table::{self, Column, TableQuery};
use crate::whm::display;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct AccountsTableProps {
    pub loaded: Loaded,
    /// Set when a finding's subject was clicked: show exactly that account. The number changes on
    /// every click, so clicking the same subject again shows it again.
    #[prop_or_default]
    pub focus: Option<(String, u32)>,
}

/// Option labels stay short; the value keeps the whole name.
/// A remote name for an `<option>` (which cannot isolate bidi text): guarded and cut short.
fn short(text: &str) -> String {
    display::guard(text, 39, false)
}

#[function_component(AccountsTable)]
pub fn accounts_table(props: &AccountsTableProps) -> Html {
    let query = use_state(TableQuery::default);
    // Bumped on every filter change and focus: the rows' scroll area starts again at the top. The
    // scroll position itself lives in `VirtualRows`, so scrolling re-renders the rows alone, not the
    // filters, the owner list and the header.
    let generation = use_state(|| 0u32);

    let flags = use_memo(props.loaded.report.clone(), |r| table::account_flags(&r.findings));
    let owners = use_memo(props.loaded.analysis.clone(), |a| table::owners(&a.items.accounts));
    let kinds = use_memo(flags.clone(), |f| {
        let mut k: Vec<&'static str> = f.values().flat_map(|x| x.kinds.iter().copied()).collect();
        k.sort_unstable();
        k.dedup();
        k
    });
    let visible = {
        let analysis = props.loaded.analysis.clone();
        use_memo(((*query).clone(), analysis, flags.clone()), |(q, a, f)| {
            table::rows(&a.items.accounts, f, q)
        })
    };

    // A clicked finding subject filters to that account.
    {
        let (query, generation) = (query.clone(), generation.clone());
        use_effect_with(props.focus.clone(), move |focus| {
            if let Some((user, _)) = focus {
                query.set(TableQuery {
                    text: String::new(),
                    owner: None,
                    finding: None,
                    only_user: Some(user.clone()),
                    ..(*query).clone()
                });
                generation.set(generation.wrapping_add(1));
            }
        });
    }

    // Every filter change: leave "only this account", apply the edit, scroll back to the top.
    let refilter = {
        let (query, generation) = (query.clone(), generation.clone());
        std::rc::Rc::new(move |edit: &dyn Fn(&mut TableQuery)| {
            let mut q = TableQuery {
                only_user: None,
                ..(*query).clone()
            };
            edit(&mut q);
            query.set(q);
            generation.set(generation.wrapping_add(1));
        })
    };
    let on_text = {
        let refilter = refilter.clone();
        Callback::from(move |e: InputEvent| {
            let v = e.target_unchecked_into::<HtmlInputElement>().value();
            refilter(&|q| q.text = v.clone());
        })
    };
    let on_owner = {
        let refilter = refilter.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            refilter(&|q| q.owner = (!v.is_empty()).then(|| v.clone()));
        })
    };
    let on_finding = {
        let refilter = refilter.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            refilter(&|q| q.finding = (!v.is_empty()).then(|| v.clone()));
        })
    };

    let accounts = &props.loaded.analysis.items.accounts;
    let total = accounts.len();
    let header = Column::ALL.iter().map(|&c| {
        let query = query.clone();
        let sorted = query.sort == c;
        let aria = if !sorted { "none" } else if query.descending { "descending" } else { "ascending" };
        let arrow = if !sorted { "" } else if query.descending { " ▼" } else { " ▲" };
        html! {
            <div role="columnheader" aria-sort={aria} class={classes!("cell", format!("col-{}", c.title().to_lowercase().replace(' ', "-")))}>
                <button type="button" class="sort" data-testid={format!("sort-{}", c.title().to_lowercase().replace(' ', "-"))}
                    onclick={Callback::from(move |_| query.set(query.sorted_by(c)))}>{ c.title() }{ arrow }</button>
            </div>
        }
    });
    let row = {
        let (analysis, flags, visible) = (props.loaded.analysis.clone(), flags.clone(), visible.clone());
        Callback::from(move |n: usize| {
            let Some(&i) = visible.get(n) else { return html! {} };
            let Some(a) = analysis.items.accounts.get(i) else {
                return html! {};
            };
            account_row(a, flags.get(&a.user), i)
        })
    };
    html! {
        <div class="accounts">
            <div class="row filters">
                <div><label for="acct-filter">{ "Filter" }</label>
                    <input id="acct-filter" type="search" data-testid="account-filter" placeholder="user, domain or owner"
                        value={query.text.clone()} oninput={on_text} /></div>
                <div><label for="acct-owner">{ "Owner" }</label>
                    <select id="acct-owner" data-testid="account-owner-filter" onchange={on_owner}>
                        <option value="" selected={query.owner.is_none()}>{ "all owners" }</option>
                        { for owners.iter().map(|o| html! {
                            <option value={o.clone()} selected={query.owner.as_deref() == Some(o.as_str())}>{ short(o) }</option>
                        }) }
                    </select></div>
                <div><label for="acct-finding">{ "Findings" }</label>
                    <select id="acct-finding" data-testid="account-finding-filter" onchange={on_finding}>
                        <option value="" selected={query.finding.is_none()}>{ "all accounts" }</option>
                        <option value="any" selected={query.finding.as_deref() == Some("any")}>{ "with any finding" }</option>
                        <option value="none" selected={query.finding.as_deref() == Some("none")}>{ "without findings" }</option>
                        { for kinds.iter().map(|k| html! { <option value={*k} selected={query.finding.as_deref() == Some(*k)}>{ *k }</option> }) }
                    </select></div>
                if let Some(u) = &query.only_user {
                    <p class="only" data-testid="account-only">{ "Only " }<code>{ u }</code>{ " " }
                        <button type="button" class="link" onclick={{
                            let query = query.clone();
                            Callback::from(move |_| query.set(TableQuery { only_user: None, ..(*query).clone() }))
                        }}>{ "show all" }</button></p>
                }
                <p class="count" data-testid="account-count" role="status">{ format!("{} of {}", format::count(visible.len() as u128), format::plural(total, "account", "accounts")) }</p>
            </div>
            <div role="table" aria-label="Accounts" aria-rowcount={visible.len().to_string()} class="vtable">
                <div role="rowgroup" class="thead"><div role="row" class="trow head">{ for header }</div></div>
                <VirtualRows key={*generation} total={visible.len()} {row} testid="account-scroll" />
            </div>
            if visible.is_empty() && total > 0 {
                <p class="muted">{ "No account matches these filters." }</p>
            }
        </div>
    }
}

/// One account's row (`key` = its index in the analysis).
fn account_row(a: &crate::whm::analysis::Account, flags: Option<&table::AccountFlags>, key: usize) -> Html {
    let badge = match flags.and_then(|f| f.worst.map(|s| (f, s))) {
        None => html! { <span class="badge ok">{ "ok" }</span> },
        Some((f, s)) => html! {
            <span class={classes!("badge", s.as_str())} title={f.kinds.join(", ")}>
                { format::plural(f.total(), s.as_str(), &format!("{}s", s.as_str())) }
            </span>
        },
    };
    let nodes: Vec<String> = a
        .worker_nodes
        .iter()
        .map(|(k, v)| display::name(&format!("{k}: {v}")))
        .collect();
    // Remote names through the display guard: a bidi override or an invisible character shows as an
    // escape, so `rtl\u{202e}resu` cannot pass for "rtluser".
    html! {
        <div role="row" class="trow" key={key} data-testid="account-row" data-user={a.user.clone()}>
            <div role="cell" class="cell col-user mono">{ display::name(&a.user) }</div>
            <div role="cell" class="cell col-domain">{ display::name(&a.domain) }</div>
            <div role="cell" class="cell col-owner">{ display::name(a.owner_or_root()) }</div>
            <div role="cell" class="cell col-disk num">{ format::bytes(u128::from(a.bytesused)) }</div>
            <div role="cell" class="cell col-files num">{ format::count(u128::from(a.filesused)) }</div>
            <div role="cell" class="cell col-dedicated-ip">{ if a.has_dedicated_ip { "yes" } else { "" } }</div>
            <div role="cell" class="cell col-worker-nodes">{ nodes.join(", ") }</div>
            <div role="cell" class="cell col-findings">{ badge }</div>
        </div>
    }
}
