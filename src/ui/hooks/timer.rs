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
/// behind heavier work below it. Unmounting first cancels it.
#[hook]
pub fn use_after_paint<F>(f: F)
where
    F: FnOnce() + 'static,
{
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    use_effect_with((), move |_| {
        let task = std::rc::Rc::new(std::cell::RefCell::new(None::<Timeout>));
        let frame = {
            let task = task.clone();
            Closure::once(move || *task.borrow_mut() = Some(Timeout::new(0, f)))
        };
        let window = web_sys::window();
        let id = window
            .as_ref()
            .and_then(|w| w.request_animation_frame(frame.as_ref().unchecked_ref()).ok());
        move || {
            if let (Some(w), Some(id)) = (window, id) {
                let _ = w.cancel_animation_frame(id);
            }
            drop(task.borrow_mut().take());
            drop(frame);
        }
    });
}
