//! A repeating read with generations: each read carries the generation it was asked in, and a
//! newer request (a control's reply, a manual refresh) supersedes the reads in flight.

use gloo::timers::callback::Timeout;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use yew::prelude::*;

/// Drives a poll: `now()` asks for a read at once (replacing the scheduled one), `later()` schedules
/// the next read after the interval, `stop()` cancels the scheduled one.
#[derive(Clone)]
pub struct PollControl {
    tick: UseStateHandle<u64>,
    generation: Rc<Cell<u64>>,
    timer: Rc<RefCell<Option<Timeout>>>,
    interval_ms: u32,
}

impl PollControl {
    /// A read now. Returns its generation.
    pub fn now(&self) -> u64 {
        self.timer.borrow_mut().take();
        let next = self.generation.get().wrapping_add(1);
        self.generation.set(next);
        self.tick.set(next);
        next
    }

    /// The next read after the interval.
    pub fn later(&self) {
        let this = self.clone();
        *self.timer.borrow_mut() = Some(Timeout::new(self.interval_ms, move || {
            this.now();
        }));
    }

    pub fn stop(&self) {
        self.timer.borrow_mut().take();
    }
}

impl PartialEq for PollControl {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.generation, &other.generation)
    }
}

/// Calls `read(generation)` once at mount and again each time [`PollControl::now`] is called (also
/// from the scheduled timer). The timer is dropped with the component.
#[hook]
pub fn use_poll<F>(interval_ms: u32, read: F) -> PollControl
where
    F: Fn(u64) + 'static,
{
    let tick = use_state(|| 1u64);
    let control = use_memo((), {
        let tick = tick.clone();
        move |_| PollControl {
            tick,
            generation: Rc::new(Cell::new(1)),
            timer: Rc::new(RefCell::new(None)),
            interval_ms,
        }
    });
    use_effect_with(*tick, move |n| read(*n));
    {
        let control = control.clone();
        use_effect_with((), move |_| move || control.stop());
    }
    (*control).clone()
}
