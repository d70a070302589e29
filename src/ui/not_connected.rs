//! The one notice shown where a page needs WHM and none is connected.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct NotConnectedProps {
    /// What cannot be done without WHM, e.g. "create sessions".
    pub to: AttrValue,
    /// What still works, if anything.
    #[prop_or_default]
    pub still: Option<AttrValue>,
}

#[function_component(NotConnected)]
pub fn not_connected(props: &NotConnectedProps) -> Html {
    html! {
        <div class="notice" role="status" data-testid="not-connected-notice">
            { format!("Not connected to WHM: open this console from WHM (or pick a WHM tab in the extension) to {}.", props.to) }
            if let Some(still) = &props.still {
                { " " }{ still.clone() }
            }
        </div>
    }
}
