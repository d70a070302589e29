//! `#/new`: create a root-authenticated transfer session (`create_remote_root_transfer_session`).
//! The form and the call live in the app-level [`CreateState`] (provided by the shell), so leaving the
//! page while WHM works and coming back shows the call still running, then its outcome. Passwords and
//! passphrases are page state only: read from their fields when sending, they travel only in the POST
//! body, and are cleared once the session exists.

use super::banner::ErrorBanner;
use super::hooks::use_whm;
use crate::client::Owner;
use crate::route::Route;
use crate::store::create::{CreateAction, CreateForm, CreatePhase, CreateState};
use crate::whm::request::{CommTransport, Secret};
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
    {
        let created = matches!(state.phase, CreatePhase::Created { .. });
        let secret_fields = [password.clone(), root_password.clone(), passphrase.clone()];
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
            store.dispatch(CreateAction::Begin(attempt));
            // Not tied to this page: WHM creates the session (and an API token on the source) whatever
            // the browser does, so leaving the page must not abandon the answer and its id. The answer
            // goes to the app-level store.
            let owner = Owner::new();
            let fut = whm.call_answer(&request, &owner);
            drop(request); // the secrets now live only in the request body in flight
            let store = store.clone();
            spawn_local(async move {
                let result = fut.await;
                drop(owner);
                let result = result.map(|a| (a.data.transfer_session_id, a.warnings));
                let opened = match &result {
                    Ok((id, warnings)) => {
                        super::recent::remember(id);
                        // Open the new session's analysis, unless the admin has moved on meanwhile or
                        // WHM's warnings must be read first.
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
    html! {
        <section class="create">
            <h1>{ "Create a transfer session" }</h1>
            if whm.is_none() {
                <super::not_connected::NotConnected to="create sessions" />
            }
            <form class="panel" onsubmit={on_submit} aria-label="Source server" autocomplete="off">
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
                        { if busy { "Connecting and analysing…" } else { "Create session" } }
                    </button>
                </p>
            </form>
            if busy {
                <p class="loading" role="status" data-testid="create-running">
                    { "WHM is connecting to the source and analysing it; this can take several minutes. You can leave this page: the answer is kept here." }
                </p>
            }
            { match &state.phase {
                CreatePhase::Created { session_id, warnings } => html! {
                    <div class="panel created" role="status" data-testid="create-done" data-id={session_id.clone()}>
                        <p>{ "WHM created session " }<code>{ session_id }</code>{ "." }</p>
                        if !warnings.is_empty() {
                            <p>{ "WHM’s warnings:" }</p>
                            <ul class="warnings">
                                { for warnings.iter().map(|w| html! { <li data-testid="create-warning">{ crate::store::queue::escape_to(w, 500) }</li> }) }
                            </ul>
                        }
                        <p class="row">
                            <a class="button-link primary" href={Route::Check(Some(session_id.clone())).to_hash()} onclick={on_done.reform(|_| ())} data-testid="create-open">{ "Check its analysis" }</a>
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
