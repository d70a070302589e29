//! `<ReportExport>`: three buttons that download a finished session's report as Markdown, CSV and
//! JSON (`store::report`), e.g. on the session page:
//! `<ReportExport progress={progress.clone()} session_id={id.clone()} state={flow.state.clone()} />`.

use crate::shared::Shared;
use crate::store::progress::Progress;
use crate::store::report::{Format, ReportInput};
use crate::whm::responses::ReportedState;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ReportExportProps {
    /// The session's progress, read from its master log (compared by identity).
    pub progress: Shared<Progress>,
    pub session_id: AttrValue,
    /// The last state read (`None` while unknown).
    #[prop_or_default]
    pub state: Option<ReportedState>,
    /// The source host when known from elsewhere; else the master log's `remotehost` is used.
    #[prop_or_default]
    pub host: Option<AttrValue>,
}

#[function_component(ReportExport)]
pub fn report_export(props: &ReportExportProps) -> Html {
    let button = |format: Format| {
        let onclick = {
            let progress = props.progress.clone();
            let id = props.session_id.clone();
            let state = props.state.clone();
            let host = props.host.clone();
            Callback::from(move |_: MouseEvent| {
                let input = ReportInput {
                    session_id: &id,
                    state: state.as_ref(),
                    host: host.as_deref(),
                    progress: &progress,
                };
                super::download::download(&input.filename(format), format.mime(), &input.render(format));
            })
        };
        html! {
            <button type="button" data-testid="report-export" data-format={format.ext()} {onclick}>
                { format.label() }
            </button>
        }
    };
    html! {
        <p class="actions report-export" role="group" aria-label="Export the report">
            { for Format::ALL.into_iter().map(|f| html! { <>{ button(f) }{ " " }</> }) }
        </p>
    }
}
