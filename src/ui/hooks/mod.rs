//! Hooks: effects only (sending, timers, streams). State and its transitions live in `store/`.

mod live_tail;
pub mod queue;
mod reanalysis;
mod session;
mod timer;

pub use live_tail::use_live_tail;
pub use reanalysis::{ReanalysisContext, ReanalysisStore, use_reanalyses};
pub use session::{SessionStore, ask_notify, use_session_flow};
pub use timer::{use_after_paint, use_after_paint_with, use_timeout};

use crate::client::{Owner, Whm};
use std::rc::Rc;
use yew::prelude::*;

/// The WHM connection the app talks through, shared by context from the shell. `None` when the page
/// was not opened through WHM (offline inspection and the username rules still work).
#[derive(Clone, PartialEq, Default)]
pub struct WhmContext(pub Option<Whm>);

/// The WHM connection, if any.
#[hook]
pub fn use_whm() -> Option<Whm> {
    use_context::<WhmContext>().and_then(|c| c.0)
}

/// Sends what the store wants, once: `send` runs for each new `want` as soon as a WHM is connected.
/// A want that comes while none is (the extension between two WHM tabs) waits for the next
/// connection instead of being lost; the same want is never sent twice, whatever the connection does.
#[hook]
pub fn use_send_once<T, F>(want: Option<T>, whm: Option<Whm>, send: F)
where
    T: PartialEq + Clone + 'static,
    F: FnOnce(T, Whm) + 'static,
{
    let sent = use_mut_ref(|| None::<T>);
    let connected = whm.is_some();
    use_effect_with((want, connected), move |(want, _)| {
        if let (Some(w), Some(whm)) = (want.clone(), whm)
            && sent.borrow().as_ref() != Some(&w)
        {
            *sent.borrow_mut() = Some(w.clone());
            send(w, whm);
        }
    });
}

/// An [`Owner`] for this component's calls: they are aborted when the component unmounts.
#[hook]
pub fn use_owner() -> Rc<Owner> {
    use_memo((), |_| Owner::new())
}

/// Asks the admin to agree (the browser's own dialog); `false` when the browser cannot ask.
pub fn confirm(question: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.confirm_with_message(question).ok())
        .unwrap_or(false)
}
