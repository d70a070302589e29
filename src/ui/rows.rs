//! A scrolling list of fixed-height rows that renders only the rows in view (plus a few on each side),
//! whatever the list's length: the window arithmetic is [`crate::store::table::window`]. Scrolling
//! re-renders this component alone, which asks its parent's `row` callback for the visible rows.

use crate::store::table;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};
use yew::prelude::*;

/// Must match `.trow { height }` in styles.css.
pub const ROW_PX: f64 = 34.0;
const OVERSCAN: usize = 8;
/// The scroll area's height when the list is longer (`.tscroll { height }` in styles.css).
pub const VIEWPORT_PX: f64 = 480.0;

#[derive(Properties, PartialEq)]
pub struct VirtualRowsProps {
    /// How many rows the list has.
    pub total: usize,
    /// Renders row `i` (a `.trow`). Its key is replaced by the row's slot in the window
    /// ([`table::Window::slot`]): a scroll step refills the rows that left with the rows that came in,
    /// instead of removing and building DOM rows.
    pub row: Callback<usize, Html>,
    /// The scroll area's `data-testid`.
    pub testid: AttrValue,
}

/// A CSSOM write (allowed under `style-src 'self'`; style attributes in markup are not).
pub fn set_style(node: &NodeRef, property: &str, value: &str) {
    if let Some(el) = node.cast::<HtmlElement>() {
        let _ = el.style().set_property(property, value);
    }
}

/// A row keyed by its slot (a row is one element; anything else is left as it is).
fn slotted(mut row: Html, slot: usize) -> Html {
    if let Html::VTag(tag) = &mut row {
        // The row was just built, so this does not copy it.
        std::rc::Rc::make_mut(tag).key = Some(slot.into());
    }
    row
}

#[function_component(VirtualRows)]
pub fn virtual_rows(props: &VirtualRowsProps) -> Html {
    let scroll = use_state(|| (0.0f64, VIEWPORT_PX));
    let (scroller, spacer, rows_ref) = (use_node_ref(), use_node_ref(), use_node_ref());
    let w = table::window(scroll.0, scroll.1, ROW_PX, props.total, OVERSCAN);
    {
        let (spacer, rows_ref, scroller) = (spacer.clone(), rows_ref.clone(), scroller.clone());
        use_effect_with((w.total_px as u64, w.offset_px as u64), move |(total, offset)| {
            set_style(&spacer, "height", &format!("{total}px"));
            // A short list gets a short area; a long one scrolls inside VIEWPORT_PX.
            let height = (*total as f64).clamp(ROW_PX, VIEWPORT_PX);
            set_style(&scroller, "height", &format!("{height}px"));
            set_style(&rows_ref, "transform", &format!("translateY({offset}px)"));
        });
    }
    let on_scroll = {
        let scroll = scroll.clone();
        Callback::from(move |e: Event| {
            if let Some(el) = e.target().and_then(|t| t.dyn_into::<Element>().ok()) {
                let h = f64::from(el.client_height());
                let next = (f64::from(el.scroll_top()), if h > 0.0 { h } else { VIEWPORT_PX });
                if next != *scroll {
                    scroll.set(next);
                }
            }
        })
    };
    html! {
        <div class="tscroll" ref={scroller} onscroll={on_scroll} tabindex="0" data-testid={props.testid.clone()}>
            <div class="tspacer" ref={spacer}>
                <div role="rowgroup" class="trows" ref={rows_ref}>{ for (w.start..w.end).map(|i| slotted(props.row.emit(i), w.slot(i))) }</div>
            </div>
        </div>
    }
}
