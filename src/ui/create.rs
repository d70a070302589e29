//! `#/new`: the plan (the modules this server offers and the guide's prerequisites, [`Plan`]) and the
//! create forms: a root-authenticated session (`create_remote_root_transfer_session`) or a cPanel-user
//! session (`create_remote_user_transfer_session`, one account with its own password).
//! The form and the call live in the app-level [`CreateState`] (provided by the shell), so leaving the
//! page while WHM works and coming back shows the call still running, then its outcome. Passwords and
//! passphrases are page state only: read from their fields when sending, they travel only in the POST
//! body, and are cleared once the session exists.

use super::banner::ErrorBanner;
use super::hooks::{use_owner, use_whm};
use crate::client::{Owner, Whm};
use crate::route::Route;
use crate::store::create::{CreateAction, CreateForm, CreateMode, CreatePhase, CreateState};
use crate::store::history::{SessionKind, SessionOrigin};
use crate::store::plan::{PlanAction, PlanPhase, PlanState, prerequisites};
use crate::whm::Request;
use crate::whm::display;
use crate::whm::request::{CommTransport, Secret};
use crate::whm::responses::CreatedSession;
use std::rc::Rc;
use wasm_bindgen_futures::spawn_local;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

type Setter = fn(&mut CreateForm, String, bool);

/// Yew wrapper around the pure [`CreateState`].
#[derive(PartialEq, Default)]
pub struct CreateStore(pub CreateState);

impl Reducible for CreateStore {
    type Action = CreateAction;
    fn reduce(self: Rc<Self>, action: CreateAction) -> Rc<Self> {
        Rc::new(CreateStore(self.0.clone().apply(action)))
    }
}

/// The app-level create store, provided by the shell.
pub type CreateContext = UseReducerHandle<CreateStore>;

fn on_new_page() -> bool {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .is_some_and(|h| h == Route::New.to_hash())
}

fn set_hash(hash: &str) {
    if let Some(w) = web_sys::window() {
        let _ = w.location().set_hash(hash);
    }
}

/// Sends one create call (attempt `attempt`, already begun) and hands its answer to the app-level
/// store. Not tied to the page: WHM creates the session (and, for a root session, an API token on the
/// source) whatever the browser does, so leaving the page must not abandon the answer and its id.
/// The new session is remembered with its source host and kind, and opens on the check page.
fn send_create<R: Request<Data = CreatedSession>>(
    whm: &Whm,
    store: CreateContext,
    request: R,
    attempt: u32,
    host: String,
    origin: SessionOrigin,
) {
    let owner = Owner::new();
    let fut = whm.call_answer(&request, &owner);
    drop(request); // the secrets now live only in the request body in flight
    spawn_local(async move {
        let result = fut.await;
        drop(owner);
        let result = result.map(|a| (a.data.transfer_session_id, a.warnings));
        let opened = match &result {
            Ok((id, warnings)) => {
                super::history::remember_created(id, &host, origin);
                // Open the new session, unless the admin has moved on meanwhile or WHM's warnings
                // must be read first.
                (warnings.is_empty() && on_new_page()).then(|| id.clone())
            }
            Err(_) => None,
        };
        store.dispatch(CreateAction::Finished { attempt, result });
        if let Some(id) = opened {
            store.dispatch(CreateAction::Done);
            set_hash(&Route::Check(Some(id)).to_hash());
        }
    });
}

#[function_component(CreatePage)]
pub fn create_page() -> Html {
    let whm = use_whm();
    // The shell's store; a page rendered on its own (tests) gets one of its own.
    let own = use_reducer(CreateStore::default);
    let store = use_context::<CreateContext>().unwrap_or(own);
    let state = &store.0;
    // Secrets live only in memory, in these fields' state (never stored, logged, put in a URL or in
    // the app-level store), and are cleared once the session exists.
    let (password, root_password, passphrase) =
        (use_state(String::new), use_state(String::new), use_state(String::new));
    let cpanel_password = use_state(String::new);
    {
        let created = matches!(state.phase, CreatePhase::Created { .. });
        let secret_fields = [
            password.clone(),
            root_password.clone(),
            passphrase.clone(),
            cpanel_password.clone(),
        ];
        use_effect_with(created, move |created| {
            if *created {
                for field in &secret_fields {
                    field.set(String::new());
                }
            }
        });
    }

    // One callback shape for every plain field: text inputs, selects and checkboxes.
    let bind = |set: Setter| {
        let store = store.clone();
        Callback::from(move |e: Event| {
            if let Some(i) = e.target_dyn_into::<HtmlInputElement>() {
                store.dispatch(CreateAction::Set {
                    set,
                    value: i.value(),
                    checked: i.checked(),
                });
            } else if let Some(s) = e.target_dyn_into::<HtmlSelectElement>() {
                store.dispatch(CreateAction::Set {
                    set,
                    value: s.value(),
                    checked: false,
                });
            }
        })
    };
    let error_of = |field: &str| state.errors.iter().find(|(f, _)| *f == field).map(|(_, m)| m.clone());
    let secret_of = |value: &UseStateHandle<String>| Secret::new((**value).clone());

    let on_submit = {
        let store = store.clone();
        let (password, root_password, passphrase) = (password.clone(), root_password.clone(), passphrase.clone());
        let whm = whm.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(whm) = whm.clone() else { return };
            let s = &store.0;
            if s.is_sending() {
                return; // sent once, never twice
            }
            let request =
                match s
                    .form
                    .to_request(secret_of(&password), secret_of(&root_password), secret_of(&passphrase))
                {
                    Ok(r) => r,
                    Err(list) => return store.dispatch(CreateAction::Invalid(list)),
                };
            let attempt = s.next_attempt();
            let host = s.form.host.trim().to_owned();
            store.dispatch(CreateAction::Begin(attempt));
            let origin = SessionOrigin {
                kind: SessionKind::Root,
                remote_user: None,
            };
            send_create(&whm, store.clone(), request, attempt, host, origin);
        })
    };
    let on_submit_user = {
        let store = store.clone();
        let cpanel_password = cpanel_password.clone();
        let whm = whm.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(whm) = whm.clone() else { return };
            let s = &store.0;
            if s.is_sending() {
                return; // sent once, never twice
            }
            let user_session = match s.form.to_user_request(secret_of(&cpanel_password)) {
                Ok(r) => r,
                Err(list) => return store.dispatch(CreateAction::Invalid(list)),
            };
            let attempt = s.next_attempt();
            let host = user_session.request.host.clone();
            store.dispatch(CreateAction::Begin(attempt));
            let origin = SessionOrigin {
                kind: SessionKind::User,
                remote_user: Some(user_session.remote_user),
            };
            send_create(&whm, store.clone(), user_session.request, attempt, host, origin);
        })
    };
    let on_mode = {
        let store = store.clone();
        Callback::from(move |e: Event| {
            if let Some(i) = e.target_dyn_into::<HtmlInputElement>()
                && i.checked()
                && let Some(mode) = CreateMode::parse(&i.value())
            {
                store.dispatch(CreateAction::Mode(mode));
            }
        })
    };
    let on_done = {
        let store = store.clone();
        Callback::from(move |_| store.dispatch(CreateAction::Done))
    };
    let on_dismiss = {
        let store = store.clone();
        Callback::from(move |_| store.dispatch(CreateAction::DismissError))
    };
    let busy = state.is_sending();

    let f = &state.form;
    let field_error = |field: &str| {
        error_of(field)
            .map(|m| html! { <p class="field-error" data-testid={format!("create-error-{field}")}>{ m }</p> })
    };
    let invalid = |field: &str| error_of(field).is_some().to_string();
    let text = |id: &'static str, label: &'static str, value: &str, set: Setter, error: Option<Html>| {
        html! {
            <div class="field">
                <label for={format!("c-{id}")}>{ label }</label>
                <input id={format!("c-{id}")} type="text" data-testid={format!("create-{id}")} value={value.to_owned()}
                    onchange={bind(set)} autocomplete="off" spellcheck="false" aria-invalid={invalid(id)} />
                { error }
            </div>
        }
    };
    let secret = |id: &'static str, label: &'static str, value: &UseStateHandle<String>, error: Option<Html>| {
        let handle = value.clone();
        let on_input = Callback::from(move |e: InputEvent| {
            let i: HtmlInputElement = e.target_unchecked_into();
            handle.set(i.value());
        });
        html! {
            <div class="field">
                <label for={format!("c-{id}")}>{ label }</label>
                <input id={format!("c-{id}")} type="password" data-testid={format!("create-{id}")} value={(**value).clone()}
                    oninput={on_input} autocomplete="new-password" aria-invalid={invalid(id)} />
                { error }
            </div>
        }
    };
    let flag = |id: &'static str, label: &'static str, checked: bool, set: Setter, hint: &'static str| {
        html! {
            <div class="checkbox-row" title={hint}>
                <input id={format!("c-{id}")} type="checkbox" data-testid={format!("create-{id}")} checked={checked} onchange={bind(set)} />
                <label for={format!("c-{id}")}>{ label }</label>
            </div>
        }
    };
    let mode = f.mode;
    let user_busy = busy && state.sent_mode == CreateMode::User;
    let choice = |m: CreateMode, title: &'static str, what: &'static str| {
        html! {
            <label class="mode-choice">
                <input type="radio" name="create-mode" data-testid="create-mode" value={m.id()}
                    checked={mode == m} onchange={on_mode.clone()} />
                <span><strong>{ title }</strong><span class="muted">{ what }</span></span>
            </label>
        }
    };
    html! {
        <section class="create">
            <h1>{ "Create a transfer session" }</h1>
            if whm.is_none() {
                <super::not_connected::NotConnected to="create sessions" />
            }
            <Plan mode={mode} ssh_port={AttrValue::from(f.port.clone())} />
            <fieldset class="create-mode">
                <legend>{ "Kind of session" }</legend>
                { choice(CreateMode::Root, "Root",
                    "Log in to the source as root (SSH or WHM): any accounts, packages and configuration, analysed before anything is queued.") }
                { choice(CreateMode::User, "cPanel user",
                    "One account, with its own cPanel password: no root access to the source needed; no analysis.") }
            </fieldset>
            if mode == CreateMode::User {
                <form class="panel" onsubmit={on_submit_user} aria-label="cPanel account on the source" autocomplete="off" data-testid="create-user-form">
                    <p class="hint">{ "WHM creates the session at once (it does not contact the source yet); the account is copied with its own password when it runs. The password is sent only in the request body and never stored." }</p>
                    <div class="row">
                        { text("cpanel_host", "Source server", &f.host, |f, v, _| f.host = v, field_error("cpanel_host")) }
                        { text("cpanel_user", "cPanel username", &f.cpanel_user, |f, v, _| f.cpanel_user = v, field_error("cpanel_user")) }
                        { secret("cpanel_password", "cPanel password", &cpanel_password, field_error("cpanel_password")) }
                    </div>
                    <p class="row">
                        <button type="submit" class="primary" data-testid="create-cpanel-submit" disabled={busy || whm.is_none()}>
                            { if busy { "Creating…" } else { "Create user session" } }
                        </button>
                    </p>
                </form>
            } else {
                <form class="panel" onsubmit={on_submit} aria-label="Source server" autocomplete="off" data-testid="create-root-form">
                    <p class="hint">{ "WHM connects to the source over SSH (or WHM), copies its tools there and analyses it: this takes a while. Passwords are sent only in the request body and never stored." }</p>
                    <div class="row">
                        { text("host", "Source server", &f.host, |f, v, _| f.host = v, field_error("host")) }
                        { text("user", "SSH user", &f.user, |f, v, _| f.user = v, field_error("user")) }
                        { text("port", "SSH port", &f.port, |f, v, _| f.port = v, field_error("port")) }
                    </div>
                    <div class="row">
                        { flag("use_key", "Use one of root’s SSH keys instead of a password", f.use_key, |f, _, c| f.use_key = c, "WHM » Manage root’s SSH Keys") }
                    </div>
                    <div class="row">
                        if f.use_key {
                            { text("sshkey_name", "SSH key name", &f.sshkey_name, |f, v, _| f.sshkey_name = v, field_error("sshkey_name")) }
                            { secret("sshkey_passphrase", "Key passphrase (if any)", &passphrase, field_error("sshkey_passphrase")) }
                        } else {
                            { secret("password", "Password", &password, field_error("password")) }
                        }
                        <div class="field">
                            <label for="c-escalation">{ "Become root with" }</label>
                            <select id="c-escalation" data-testid="create-escalation" onchange={bind(|f, v, _| f.escalation = v)}>
                                <option value="" selected={f.escalation.is_empty()}>{ "nothing (logging in as root)" }</option>
                                <option value="sudo" selected={f.escalation == "sudo"}>{ "sudo" }</option>
                                <option value="su" selected={f.escalation == "su"}>{ "su" }</option>
                            </select>
                            { field_error("escalation") }
                        </div>
                        if f.escalation == "su" {
                            { secret("root_password", "Root password (for su)", &root_password, field_error("root_password")) }
                        }
                    </div>
                    <div class="row">
                        <div class="field">
                            <label for="c-transport">{ "Connection" }</label>
                            <select id="c-transport" data-testid="create-transport" onchange={bind(|f, v, _| f.transport = match v.as_str() {
                                "whostmgr" => CommTransport::Whostmgr,
                                "whostmgr_insecure" => CommTransport::WhostmgrInsecure,
                                _ => CommTransport::Ssh,
                            })}>
                                <option value="ssh" selected={f.transport == CommTransport::Ssh}>{ "SSH" }</option>
                                <option value="whostmgr" selected={f.transport == CommTransport::Whostmgr}>{ "WHM (TLS verified), then SSH" }</option>
                                <option value="whostmgr_insecure" selected={f.transport == CommTransport::WhostmgrInsecure}>{ "WHM (TLS not verified), then SSH" }</option>
                            </select>
                        </div>
                        { text("transfer_threads", "Transfer workers", &f.transfer_threads, |f, v, _| f.transfer_threads = v, field_error("transfer_threads")) }
                        { text("restore_threads", "Restore workers", &f.restore_threads, |f, v, _| f.restore_threads = v, field_error("restore_threads")) }
                    </div>
                    <fieldset class="flags-set">
                        <legend>{ "Options" }</legend>
                        { flag("unrestricted_restore", "Unrestricted restore", f.unrestricted_restore, |f, _, c| f.unrestricted_restore = c, "Restricted restore refuses risky archive contents; unrestricted restores everything (and allows overwriting accounts).") }
                        { flag("copy_reseller_privs", "Copy reseller privileges", f.copy_reseller_privs, |f, _, c| f.copy_reseller_privs = c, "Items queued here always send their own skipres value.") }
                        { flag("compressed", "Compress the transfer", f.compressed, |f, _, c| f.compressed = c, "") }
                        { flag("unencrypted", "Do not encrypt (disables streaming)", f.unencrypted, |f, _, c| f.unencrypted = c, "") }
                        { flag("use_backups", "Use a backup less than a day old", f.use_backups, |f, _, c| f.use_backups = c, "") }
                        { flag("low_priority", "Low priority", f.low_priority, |f, _, c| f.low_priority = c, "") }
                        { flag("enable_custom_pkgacct", "Use the source’s custom pkgacct", f.enable_custom_pkgacct, |f, _, c| f.enable_custom_pkgacct = c, "") }
                    </fieldset>
                    <p class="row">
                        <button type="submit" class="primary" data-testid="create-submit" disabled={busy || whm.is_none()}>
                            { match (busy, user_busy) {
                                (true, false) => "Connecting and analysing…",
                                (true, true) => "Creating…",
                                _ => "Create session",
                            } }
                        </button>
                    </p>
                </form>
            }
            if busy {
                <p class="loading" role="status" data-testid="create-running" data-mode={state.sent_mode.id()}>
                    if user_busy {
                        { "WHM is creating the cPanel-user session. You can open other pages of the console meanwhile: the answer is kept here." }
                    } else {
                        { "WHM is connecting to the source and analysing it; this can take several minutes. You can open other pages of the console meanwhile: the answer is kept here. Keep this tab open until it arrives: the new session’s id comes only in the answer." }
                    }
                </p>
            }
            { match &state.phase {
                CreatePhase::Created { session_id, warnings } => html! {
                    <div class="panel created" role="status" data-testid="create-done" data-id={session_id.clone()}>
                        <p>{ "WHM created session " }<code>{ session_id }</code>{ "." }</p>
                        if !warnings.is_empty() {
                            <p>{ "WHM’s warnings:" }</p>
                            <ul class="warnings">
                                { for warnings.iter().map(|w| html! { <li data-testid="create-warning">{ crate::whm::display::guard(w, 500, false) }</li> }) }
                            </ul>
                        }
                        <p class="row">
                            <a class="button-link primary" href={Route::Check(Some(session_id.clone())).to_hash()} onclick={on_done.reform(|_| ())} data-testid="create-open">
                                { if state.sent_mode == CreateMode::User { "Open it" } else { "Check its analysis" } }
                            </a>
                            <button type="button" onclick={on_done.reform(|_| ())}>{ "Create another session" }</button>
                        </p>
                    </div>
                },
                CreatePhase::Failed(e) => html! {
                    <ErrorBanner error={e.clone()} context="Creating the session" on_dismiss={Some(on_dismiss)} next_step={
                        state.may_have_been_created().then(|| AttrValue::from(
                            "The session may have been created anyway: look for it in WHM’s Transfer Tool (WHM » Transfers » Transfer Tool, its transfer sessions) before creating another. The values you entered are kept."))
                    } />
                },
                _ => html! {},
            } }
        </section>
    }
}

/// Yew wrapper around the pure [`PlanState`].
#[derive(PartialEq, Default)]
struct PlanStore(PlanState);

impl Reducible for PlanStore {
    type Action = PlanAction;
    fn reduce(self: Rc<Self>, action: PlanAction) -> Rc<Self> {
        Rc::new(PlanStore(self.0.clone().apply(action)))
    }
}

#[derive(Properties, PartialEq)]
struct PlanProps {
    /// The kind of session being created: the checklist and which modules it can queue follow it.
    mode: CreateMode,
    /// The root form's SSH port, for the checklist.
    ssh_port: AttrValue,
}

/// The plan: the guide's prerequisites, and the modules this server offers (`available_transfer_modules`,
/// read when the page opens), in the order WHM runs them, each explained.
#[function_component(Plan)]
fn plan(props: &PlanProps) -> Html {
    let whm = use_whm();
    let owner = use_owner();
    let store = use_reducer(PlanStore::default);
    {
        let dispatch = store.dispatcher();
        use_effect_with(whm.is_some(), move |connected| {
            if *connected {
                dispatch.dispatch(PlanAction::Load);
            }
        });
    }
    {
        let (dispatch, whm, owner) = (store.dispatcher(), whm.clone(), owner.clone());
        use_effect_with((store.0.seq, store.0.is_loading()), move |(seq, loading)| {
            if let (true, Some(whm)) = (*loading, whm) {
                let fut = whm.call(&crate::whm::request::available_transfer_modules(), &owner);
                let seq = *seq;
                spawn_local(async move {
                    let result = fut.await;
                    dispatch.dispatch(PlanAction::Loaded { seq, result });
                });
            }
        });
    }
    let on_retry = {
        let dispatch = store.dispatcher();
        Callback::from(move |()| dispatch.dispatch(PlanAction::Load))
    };
    let user = props.mode == CreateMode::User;
    let checklist = prerequisites(props.mode, &props.ssh_port);
    html! {
        <section class="panel plan" aria-labelledby="plan-h" data-testid="plan">
            <h2 id="plan-h">{ "Before you start" }</h2>
            <ul class="checklist" data-testid="prerequisites" data-mode={props.mode.id()}>
                { for checklist.iter().map(|p| html! {
                    <li data-testid="prerequisite" data-id={p.id}>{ &p.text }</li>
                }) }
            </ul>
            <details class="modules" open={true}>
                <summary>
                    { match &store.0.phase {
                        PlanPhase::Loaded(rows) => format!("What this server can transfer: {} modules, in the order WHM runs them", rows.len()),
                        _ => "What this server can transfer".to_owned(),
                    } }
                </summary>
                { match &store.0.phase {
                    PlanPhase::Idle if whm.is_none() => html! {
                        <p class="muted">{ "Connected to WHM, this lists the transfer modules it offers." }</p>
                    },
                    PlanPhase::Idle | PlanPhase::Loading => html! {
                        <p class="loading" role="status" data-testid="modules-loading">{ "Reading the transfer modules WHM offers…" }</p>
                    },
                    PlanPhase::Failed(e) => html! {
                        <ErrorBanner error={e.clone()} context="Reading the transfer modules" on_retry={Some(on_retry)} />
                    },
                    PlanPhase::Loaded(rows) if rows.is_empty() => html! {
                        <p class="muted" data-testid="modules-empty">{ "WHM listed no transfer modules." }</p>
                    },
                    PlanPhase::Loaded(rows) => html! {
                        <table class="plain modules-table" data-testid="modules">
                            <thead><tr>
                                <th scope="col">{ "Order" }</th>
                                <th scope="col">{ "Module" }</th>
                                <th scope="col">{ "What it transfers" }</th>
                                <th scope="col">{ "Queued in" }</th>
                            </tr></thead>
                            <tbody>
                                { for rows.iter().map(|r| {
                                    let usable = r.usable_in(user);
                                    html! {
                                        <tr key={r.name.clone()} data-testid="module-row" data-module={r.name.clone()}
                                            data-priority={r.priority.to_string()} data-scope={r.scope.id()} data-usable={usable.to_string()}
                                            class={classes!((!usable).then_some("not-usable"))}>
                                            <td class="num">{ if r.priority == u64::MAX { "—".to_owned() } else { r.priority.to_string() } }</td>
                                            <td><strong>{ &r.label }</strong><br /><code>{ display::name(&r.name) }</code></td>
                                            <td>{ r.explains }</td>
                                            <td>{ r.scope.label() }</td>
                                        </tr>
                                    }
                                }) }
                            </tbody>
                        </table>
                    },
                } }
            </details>
        </section>
    }
}
