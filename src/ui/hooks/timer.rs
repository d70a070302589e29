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
