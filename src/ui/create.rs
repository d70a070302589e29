//! `#/new`: create a root-authenticated transfer session (`create_remote_root_transfer_session`).
//! Passwords and passphrases are read from their fields only when sending, travel only in the POST
//! body, and are cleared from the fields once the session exists.

use super::banner::ErrorBanner;
use super::hooks::use_whm;
use crate::client::Owner;
use crate::route::Route;
use crate::store::create::{CreateForm, FieldError};
use crate::whm::WhmError;
use crate::whm::request::{CommTransport, Secret};
use std::rc::Rc;
use wasm_bindgen_futures::spawn_local;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

type Setter = Rc<dyn Fn(&mut CreateForm, String, bool)>;

#[function_component(CreatePage)]
pub fn create_page() -> Html {
    let whm = use_whm();
    let form = use_state(CreateForm::default);
    let errors = use_state(Vec::<FieldError>::new);
    let busy = use_state(|| false);
    let failure = use_state(|| None::<WhmError>);
    // Secrets live only in memory, in these fields' state (never stored, logged or put in a URL), and
    // are cleared once the session exists. Controlled like the other fields, so a re-render can never
    // lose what the admin typed.
    let (password, root_password, passphrase) =
        (use_state(String::new), use_state(String::new), use_state(String::new));

    // One callback shape for every plain field: text inputs, selects and checkboxes.
    let bind = |set: Setter| {
        let form = form.clone();
        Callback::from(move |e: Event| {
            let mut f = (*form).clone();
            if let Some(i) = e.target_dyn_into::<HtmlInputElement>() {
                set(&mut f, i.value(), i.checked());
            } else if let Some(s) = e.target_dyn_into::<HtmlSelectElement>() {
                set(&mut f, s.value(), false);
            }
            form.set(f);
        })
    };
    let error_of = |field: &str| errors.iter().find(|(f, _)| *f == field).map(|(_, m)| m.clone());
    let secret_of = |value: &UseStateHandle<String>| Secret::new((**value).clone());

    let on_submit = {
        let (form, errors, busy, failure) = (form.clone(), errors.clone(), busy.clone(), failure.clone());
        let (password, root_password, passphrase) = (password.clone(), root_password.clone(), passphrase.clone());
        let whm = whm.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(whm) = whm.clone() else { return };
            if *busy {
                return; // sent once, never twice
            }
            let request = match form.to_request(secret_of(&password), secret_of(&root_password), secret_of(&passphrase))
            {
                Ok(r) => r,
                Err(list) => return errors.set(list),
            };
            errors.set(Vec::new());
            failure.set(None);
            busy.set(true);
            // Not tied to this page: WHM creates the session (and an API token on the source) whatever
            // the browser does, so leaving the page must not abandon the answer and its id.
            let owner = Owner::new();
            let fut = whm.call(&request, &owner);
            drop(request); // the secrets now live only in the request body in flight
            let (busy, failure) = (busy.clone(), failure.clone());
            let secret_fields = [password.clone(), root_password.clone(), passphrase.clone()];
            spawn_local(async move {
                let result = fut.await;
                drop(owner);
                busy.set(false);
                match result {
                    Ok(created) => {
                        for field in &secret_fields {
                            field.set(String::new());
                        }
                        super::recent::remember(&created.transfer_session_id);
                        // Open the new session's analysis, unless the admin has moved on meanwhile.
                        if let Some(location) = web_sys::window().map(|w| w.location())
                            && location.hash().is_ok_and(|h| h == Route::New.to_hash())
                        {
                            let _ = location.set_hash(&Route::Check(Some(created.transfer_session_id)).to_hash());
                        }
                    }
                    Err(e) if e.is_cancelled() => {}
                    Err(e) => failure.set(Some(e)),
                }
            });
        })
    };

    let f = &*form;
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
                    { text("host", "Source server", &f.host, Rc::new(|f, v, _| f.host = v), field_error("host")) }
                    { text("user", "SSH user", &f.user, Rc::new(|f, v, _| f.user = v), field_error("user")) }
                    { text("port", "SSH port", &f.port, Rc::new(|f, v, _| f.port = v), field_error("port")) }
                </div>
                <div class="row">
                    { flag("use_key", "Use one of root’s SSH keys instead of a password", f.use_key, Rc::new(|f, _, c| f.use_key = c), "WHM » Manage root’s SSH Keys") }
                </div>
                <div class="row">
                    if f.use_key {
                        { text("sshkey_name", "SSH key name", &f.sshkey_name, Rc::new(|f, v, _| f.sshkey_name = v), field_error("sshkey_name")) }
                        { secret("sshkey_passphrase", "Key passphrase (if any)", &passphrase, field_error("sshkey_passphrase")) }
                    } else {
                        { secret("password", "Password", &password, field_error("password")) }
                    }
                    <div class="field">
                        <label for="c-escalation">{ "Become root with" }</label>
                        <select id="c-escalation" data-testid="create-escalation" onchange={bind(Rc::new(|f, v, _| f.escalation = v))}>
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
                        <select id="c-transport" data-testid="create-transport" onchange={bind(Rc::new(|f, v, _| f.transport = match v.as_str() {
                            "whostmgr" => CommTransport::Whostmgr,
                            "whostmgr_insecure" => CommTransport::WhostmgrInsecure,
                            _ => CommTransport::Ssh,
                        }))}>
                            <option value="ssh" selected={f.transport == CommTransport::Ssh}>{ "SSH" }</option>
                            <option value="whostmgr" selected={f.transport == CommTransport::Whostmgr}>{ "WHM (TLS verified), then SSH" }</option>
                            <option value="whostmgr_insecure" selected={f.transport == CommTransport::WhostmgrInsecure}>{ "WHM (TLS not verified), then SSH" }</option>
                        </select>
                    </div>
                    { text("transfer_threads", "Transfer workers", &f.transfer_threads, Rc::new(|f, v, _| f.transfer_threads = v), field_error("transfer_threads")) }
                    { text("restore_threads", "Restore workers", &f.restore_threads, Rc::new(|f, v, _| f.restore_threads = v), field_error("restore_threads")) }
                </div>
                <fieldset class="flags-set">
                    <legend>{ "Options" }</legend>
                    { flag("unrestricted_restore", "Unrestricted restore", f.unrestricted_restore, Rc::new(|f, _, c| f.unrestricted_restore = c), "Restricted restore refuses risky archive contents; unrestricted restores everything (and allows overwriting accounts).") }
                    { flag("copy_reseller_privs", "Copy reseller privileges", f.copy_reseller_privs, Rc::new(|f, _, c| f.copy_reseller_privs = c), "Items queued here always send their own skipres value.") }
                    { flag("compressed", "Compress the transfer", f.compressed, Rc::new(|f, _, c| f.compressed = c), "") }
                    { flag("unencrypted", "Do not encrypt (disables streaming)", f.unencrypted, Rc::new(|f, _, c| f.unencrypted = c), "") }
                    { flag("use_backups", "Use a backup less than a day old", f.use_backups, Rc::new(|f, _, c| f.use_backups = c), "") }
                    { flag("low_priority", "Low priority", f.low_priority, Rc::new(|f, _, c| f.low_priority = c), "") }
                    { flag("enable_custom_pkgacct", "Use the source’s custom pkgacct", f.enable_custom_pkgacct, Rc::new(|f, _, c| f.enable_custom_pkgacct = c), "") }
                </fieldset>
                <p class="row">
                    <button type="submit" class="primary" data-testid="create-submit" disabled={*busy || whm.is_none()}>
                        { if *busy { "Connecting and analysing…" } else { "Create session" } }
                    </button>
                </p>
            </form>
            if let Some(e) = &*failure {
                <ErrorBanner error={e.clone()} context="Creating the session" next_step={
                    matches!(e, WhmError::Timeout { .. } | WhmError::Network { .. }).then(|| AttrValue::from(
                        "The session may have been created anyway: look for it in WHM’s Transfer Tool before creating another."))
                } />
            }
        </section>
    }
}
