//! Effects of the queue step: the module list and schemas the table needs (each fetched once per
//! session and kept for the page's life), the debounced `validate_system_user` lookups of target
//! names, and the enqueue loop (one call at a time, each answer handed back to the store).

use super::{use_owner, use_timeout, use_whm};
use crate::shared::Shared;
use crate::store::queue::{QueueAction, QueueState, Step};
use crate::store::queue_table::{QueueTable, TableAction};
use crate::whm::request::{
    available_transfer_modules, get_transfer_session_state, transfer_module_schema, validate_system_user,
};
use crate::whm::responses::{ModuleSchema, TransferModules};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

/// Pause after the last edit of a target name before asking WHM about it.
const LOOKUP_PAUSE_MS: u32 = 450;

/// Whether the check page's queue step is sending items. Leaving the page, or replacing its analysis,
/// unmounts the queue step, which then stops after the call in flight: the app (`ui::shell`) asks the
/// admin before a route change and has the browser ask before the tab is closed or reloaded; the
/// check page asks before it replaces the analysis in place (an inspected file).
#[derive(Clone, Default, PartialEq)]
pub struct QueueRunning(Shared<Cell<bool>>);

impl QueueRunning {
    pub fn get(&self) -> bool {
        self.0.get()
    }
}

/// Whether the check page's queue table holds changes of the admin's (names, options, the
/// selection) that are not queued yet: the table lives with the page, so leaving it drops them, and
/// the app asks first, as for a run.
#[derive(Clone, Default, PartialEq)]
pub struct QueueEdits(Shared<Cell<bool>>);

impl QueueEdits {
    pub fn get(&self) -> bool {
        self.0.get()
    }
}

/// Tells the app's [`QueueEdits`] (if there is one) whether this queue step's table holds changes
/// not queued yet.
#[hook]
pub fn use_report_edits(unsent: bool) {
    let flag = use_context::<QueueEdits>();
    use_effect_with(unsent, move |unsent| {
        if let Some(f) = &flag {
            f.0.set(*unsent);
        }
        move || {
            if let Some(f) = flag {
                f.0.set(false);
            }
        }
    });
}

/// Told whenever a queue step starts or stops sending: the check page keeps its Refresh disabled
/// meanwhile (what is sent was fixed when Queue was pressed; a new analysis would rebuild the table
/// under the run).
#[derive(Clone, PartialEq)]
pub struct OnQueueRunning(pub Callback<bool>);

/// Tells the page's [`QueueRunning`] (if it has one) and [`OnQueueRunning`] whether this queue step
/// is sending.
#[hook]
pub fn use_report_running(running: bool) {
    let flag = use_context::<QueueRunning>();
    let tell = use_context::<OnQueueRunning>();
    use_effect_with(running, move |running| {
        if let Some(f) = &flag {
            f.0.set(*running);
        }
        if let Some(t) = &tell {
            t.0.emit(*running);
        }
        move || {
            if let Some(f) = flag {
                f.0.set(false);
            }
            if let Some(t) = tell {
                t.0.emit(false);
            }
        }
    });
}

/// Yew wrapper around the pure [`QueueTable`].
#[derive(PartialEq, Clone)]
pub struct TableStore(pub QueueTable);

impl Reducible for TableStore {
    type Action = TableAction;
    fn reduce(self: Rc<Self>, action: TableAction) -> Rc<Self> {
        let table = Rc::unwrap_or_clone(self).0;
        Rc::new(TableStore(table.apply(action)))
    }
}

/// Yew wrapper around the pure [`QueueState`].
#[derive(PartialEq, Clone)]
pub struct RunStore(pub QueueState);

impl Reducible for RunStore {
    type Action = QueueAction;
    fn reduce(self: Rc<Self>, action: QueueAction) -> Rc<Self> {
        let state = Rc::unwrap_or_clone(self).0;
        Rc::new(RunStore(state.apply(action)))
    }
}

thread_local! {
    /// Schemas and module lists already read, per session (WHM's answer does not change within one).
    static SCHEMAS: RefCell<HashMap<(String, String), ModuleSchema>> = RefCell::new(HashMap::new());
    static MODULES: RefCell<HashMap<String, TransferModules>> = RefCell::new(HashMap::new());
}

/// Fetches what the table asks for: the server's modules, then each module's schema, one at a time.
#[hook]
pub fn use_queue_schemas(table: UseReducerHandle<TableStore>, session_id: String) {
    let whm = use_whm();
    let owner = use_owner();
    let modules_known = table.0.modules.is_some();
    {
        let (table, owner, whm, id) = (table.clone(), owner.clone(), whm.clone(), session_id.clone());
        use_effect_with((modules_known, whm.is_some()), move |(known, _)| {
            if *known {
                return;
            }
            if let Some(m) = MODULES.with(|c| c.borrow().get(&id).cloned()) {
                table.dispatch(TableAction::ModulesLoaded(Ok(m)));
                return;
            }
            let Some(whm) = whm else { return };
            let fut = whm.call(&available_transfer_modules(), &owner);
            spawn_local(async move {
                let result = fut.await;
                if let Ok(m) = &result {
                    MODULES.with(|c| c.borrow_mut().insert(id, m.clone()));
                }
                if !matches!(&result, Err(e) if e.is_cancelled()) {
                    table.dispatch(TableAction::ModulesLoaded(result));
                }
            });
        });
    }
    // Schemas wait for the module list (modules the server lacks are not asked about).
    let next = if modules_known { table.0.next_schema() } else { None };
    {
        let (table, owner, whm, id) = (table.clone(), owner, whm, session_id);
        use_effect_with((next, whm.is_some()), move |(next, _)| {
            let Some(module) = next.clone() else { return };
            if let Some(s) = SCHEMAS.with(|c| c.borrow().get(&(id.clone(), module.clone())).cloned()) {
                table.dispatch(TableAction::SchemaRequested(module.clone()));
                table.dispatch(TableAction::SchemaLoaded { module, result: Ok(s) });
                return;
            }
            let Some(whm) = whm else { return };
            table.dispatch(TableAction::SchemaRequested(module.clone()));
            let fut = whm.call(&transfer_module_schema(&module), &owner);
            spawn_local(async move {
                let result = fut.await.map(|d| d.schema);
                if let Ok(s) = &result {
                    SCHEMAS.with(|c| c.borrow_mut().insert((id, module.clone()), s.clone()));
                }
                if !matches!(&result, Err(e) if e.is_cancelled()) {
                    table.dispatch(TableAction::SchemaLoaded { module, result });
                }
            });
        });
    }
}

/// Asks `validate_system_user` about the name the table wants checked, once the admin has paused.
/// A newer name restarts the pause; an answer for a name no row holds any more is dropped by the store.
#[hook]
pub fn use_name_lookups(table: UseReducerHandle<TableStore>) {
    let whm = use_whm();
    let owner = use_owner();
    // Numbers this page's calls, so the table can tell an answer from before a Refresh.
    let tickets = use_mut_ref(|| 0u64);
    let next = if whm.is_some() { table.0.next_lookup() } else { None };
    use_timeout(
        next,
        |_| LOOKUP_PAUSE_MS,
        move |name: String| {
            let Some(whm) = whm.clone() else { return };
            let ticket = {
                let mut t = tickets.borrow_mut();
                *t += 1;
                *t
            };
            table.dispatch(TableAction::LookupSent {
                name: name.clone(),
                ticket,
            });
            let fut = whm.call(&validate_system_user(&name), &owner);
            let table = table.clone();
            spawn_local(async move {
                let result = fut.await;
                if !matches!(&result, Err(e) if e.is_cancelled()) {
                    table.dispatch(TableAction::Lookup { name, ticket, result });
                }
            });
        },
    );
}

/// The enqueue loop: sends what the run store asks for, one call at a time, and hands back each answer.
#[hook]
pub fn use_enqueue(run: UseReducerHandle<RunStore>, session_id: String) {
    let whm = use_whm();
    let owner = use_owner();
    use_effect_with(run.0.step(), move |step| {
        let Some(whm) = whm else { return };
        match step.clone() {
            // WHM's Transfer Tool accepts items only before the session starts (§3.9).
            Some(Step::CheckState { run: id }) => {
                let fut = whm.call(&get_transfer_session_state(&session_id), &owner);
                spawn_local(async move {
                    let result = fut.await.map(|d| d.state_name);
                    run.dispatch(QueueAction::StateChecked { run: id, result });
                });
            }
            Some(Step::Send { run: id, key, request }) => {
                let fut = whm.call(&request, &owner);
                spawn_local(async move {
                    let result = fut.await.map(|_| ());
                    run.dispatch(QueueAction::Sent { run: id, key, result });
                });
            }
            None => {}
        }
    });
}
