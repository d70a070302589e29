//! Sends the check page's Refresh (`analyze_transfer_session_remote`) for the whole app
//! ([`crate::store::reanalysis`]): the call outlives the page that asked.

use crate::client::{Owner, Whm};
use crate::store::reanalysis::{Reanalyses, ReanalysisAction, ToSend};
use crate::whm::request as rq;
use std::rc::Rc;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

/// Yew wrapper around the pure [`Reanalyses`].
#[derive(Clone, PartialEq, Default)]
pub struct ReanalysisStore(pub Reanalyses);

impl Reducible for ReanalysisStore {
    type Action = ReanalysisAction;
    fn reduce(self: Rc<Self>, action: ReanalysisAction) -> Rc<Self> {
        Rc::new(ReanalysisStore(self.0.clone().apply(action)))
    }
}

/// The app-level store, provided by the shell.
pub type ReanalysisContext = UseReducerHandle<ReanalysisStore>;

/// The app's store of re-analyses, and its effect: each run asked for is sent once, through the WHM
/// connected now, with an owner of its own that nothing drops (WHM analyses whatever the browser
/// does; its answer is wanted even after the page is left). A run asked for on another WHM than
/// the one connected now (the extension switched tabs in between) is not sent, and ends unanswered.
#[hook]
pub fn use_reanalyses(whm: Option<Whm>) -> ReanalysisContext {
    let store = use_reducer(ReanalysisStore::default);
    {
        let handle = store.clone();
        use_effect_with(store.0.to_send(), move |to_send| {
            for ToSend { key, run } in to_send.iter().cloned() {
                handle.dispatch(ReanalysisAction::Sent { key: key.clone(), run });
                let Some(whm) = whm.clone().filter(|w| w.host() == key.host) else {
                    handle.dispatch(ReanalysisAction::Answered {
                        key,
                        run,
                        result: Err(crate::whm::WhmError::Cancelled),
                    });
                    continue;
                };
                let owner = Owner::new();
                let call = whm.call(&rq::analyze_transfer_session_remote(&key.session_id), &owner);
                let handle = handle.clone();
                spawn_local(async move {
                    let result = call.await.map(|_| ());
                    drop(owner);
                    handle.dispatch(ReanalysisAction::Answered { key, run, result });
                });
            }
        });
    }
    store
}
