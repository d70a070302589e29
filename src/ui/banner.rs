//! One banner for every error class of the wire layer, with the next step.

use crate::whm::{Mode, WhmError};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ErrorBannerProps {
    pub error: WhmError,
    /// What the console was doing, e.g. "Loading the analysis".
    #[prop_or_default]
    pub context: AttrValue,
    /// Replaces the error's own next step where the context knows better (e.g. an offline file).
    #[prop_or_default]
    pub next_step: Option<AttrValue>,
    #[prop_or_default]
    pub on_retry: Option<Callback<()>>,
    #[prop_or_default]
    pub on_dismiss: Option<Callback<()>>,
}

#[function_component(ErrorBanner)]
pub fn error_banner(props: &ErrorBannerProps) -> Html {
    let e = &props.error;
    let mode = if crate::client::relay::available() {
        Mode::Extension
    } else {
        Mode::InsideWhm
    };
    let detail = e.detail();
    let retry = props.on_retry.as_ref().filter(|_| e.is_transient()).map(|cb| {
        let cb = cb.clone();
        html! { <button type="button" onclick={Callback::from(move |_| cb.emit(()))}>{ "Try again" }</button> }
    });
    // Inside WHM the login is on this page's origin; as the extension it is in the WHM tab (this
    // page's own origin is the extension's).
    let login = (matches!(e, WhmError::SessionLost { .. }) && mode == Mode::InsideWhm).then(|| {
        html! { <a class="button-link" href="/" rel="noreferrer" target="_blank">{ "Open the WHM login" }</a> }
    });
    let dismiss = props.on_dismiss.as_ref().map(|cb| {
        let cb = cb.clone();
        html! { <button type="button" class="dismiss" aria-label="Dismiss" onclick={Callback::from(move |_| cb.emit(()))}>{ "×" }</button> }
    });
    html! {
        <div class="banner" role="alert" data-testid="error-banner" data-kind={e.kind()}>
            { dismiss }
            <strong>
                if !props.context.is_empty() { { format!("{}: ", props.context) } }
                { e.title() }
            </strong>
            <p class="next">{ props.next_step.clone().unwrap_or_else(|| AttrValue::from(e.next_step_in(mode))) }</p>
            if !detail.is_empty() {
                <details><summary>{ "Details" }</summary><p class="mono">{ detail }</p></details>
            }
            if retry.is_some() || login.is_some() {
                <p class="actions">{ retry }{ login }</p>
            }
        </div>
    }
}
