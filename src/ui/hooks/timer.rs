//! A one-shot timer tied to a trigger value: each new `Some(trigger)` starts a fresh timer (the
//! previous one is dropped, so it never fires), and unmounting drops it too.

use gloo::timers::callback::Timeout;
use yew::prelude::*;

#[hook]
pub fn use_timeout<K, F>(trigger: Option<K>, delay_ms: impl Fn(&K) -> u32 + 'static, on_fire: F)
where
    K: PartialEq + Clone + 'static,
    F: Fn(K) + 'static,
{
    let timer = use_mut_ref(|| None::<Timeout>);
    use_effect_with(trigger, move |trigger| {
        if let Some(k) = trigger.clone() {
            let ms = delay_ms(&k);
            *timer.borrow_mut() = Some(Timeout::new(ms, move || on_fire(k)));
        }
        move || drop(timer.borrow_mut().take())
    });
}

/// Runs `f` once, after the browser has painted what this render put on screen: on the next
/// animation frame a task is queued (a frame, then a task, so the paint comes first). A plain
/// `setTimeout(0)` may run before the browser paints, holding back what the admin should see first
/// behind heavier work below it. A hidden tab runs no animation frames, so there (or if no frame can
/// be asked for) the task is queued at once, and a fallback timer runs `f` if no frame has come
/// within [`AFTER_PAINT_FALLBACK_MS`] (the tab was hidden meanwhile): whichever is first runs it,
/// once. Unmounting first cancels all of it.
#[hook]
pub fn use_after_paint<F>(f: F)
where
    F: FnOnce() + 'static,
{
    use_after_paint_with((), f);
}

/// [`use_after_paint`] again after each render whose `deps` differ from the last (a change first
/// cancels what the previous one had scheduled).
#[hook]
pub fn use_after_paint_with<D, F>(deps: D, f: F)
where
    D: PartialEq + 'static,
    F: FnOnce() + 'static,
{
    use std::cell::RefCell;
    use std::rc::Rc;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    use_effect_with(deps, move |_| {
        let f = Rc::new(RefCell::new(Some(f)));
        let run = {
            let f = f.clone();
            move || {
                let once = f.borrow_mut().take();
                if let Some(f) = once {
                    f();
                }
            }
        };
        let task = Rc::new(RefCell::new(None::<Timeout>));
        let window = web_sys::window();
        let hidden = window.as_ref().and_then(|w| w.document()).is_none_or(|d| d.hidden());
        let mut frame_id = None;
        let mut frame = None;
        if !hidden {
            let (task, run) = (task.clone(), run.clone());
            let on_frame = Closure::once(move || *task.borrow_mut() = Some(Timeout::new(0, run)));
            frame_id = window
                .as_ref()
                .and_then(|w| w.request_animation_frame(on_frame.as_ref().unchecked_ref()).ok());
            frame = Some(on_frame);
        }
        let fallback = if frame_id.is_some() {
            Timeout::new(AFTER_PAINT_FALLBACK_MS, run)
        } else {
            Timeout::new(0, run)
        };
        move || {
            if let (Some(w), Some(id)) = (window, frame_id) {
                let _ = w.cancel_animation_frame(id);
            }
            drop(task.borrow_mut().take());
            drop(fallback);
            drop(frame);
            drop(f.borrow_mut().take());
        }
    });
}

/// How long [`use_after_paint`] waits for a frame before running anyway.
pub const AFTER_PAINT_FALLBACK_MS: u32 = 500;
