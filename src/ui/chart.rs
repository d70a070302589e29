//! Horizontal SVG bar chart (no chart library, no CDN). Labels are SVG text nodes: never HTML.

use crate::store::chart::Bar;
use crate::store::format;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct BarChartProps {
    pub title: AttrValue,
    pub bars: Rc<Vec<Bar>>,
}

const W: f64 = 520.0;
const LABEL_W: f64 = 150.0;
const VALUE_W: f64 = 90.0;
const BAR_H: f64 = 18.0;
const GAP: f64 = 8.0;

/// A remote name (an account or owner) as a bar's label: through the display guard, cut to `n`
/// characters (an SVG `<text>` cannot isolate bidi text, so an override would reorder the label).
fn clip(s: &str, n: usize) -> String {
    crate::whm::display::guard(s, n - 1, false)
}

#[function_component(BarChart)]
pub fn bar_chart(props: &BarChartProps) -> Html {
    let h = (props.bars.len() as f64) * (BAR_H + GAP) + GAP;
    let span = W - LABEL_W - VALUE_W;
    html! {
        <figure class="chart">
            <figcaption>{ &props.title }</figcaption>
            <svg viewBox={format!("0 0 {W} {h}")} role="img" aria-label={props.title.clone()} class="bars">
                { for props.bars.iter().enumerate().map(|(i, b)| {
                    let y = GAP + i as f64 * (BAR_H + GAP);
                    let w = (b.fraction.clamp(0.0, 1.0) * span).max(if b.bytes > 0 { 1.0 } else { 0.0 });
                    html! {
                        <g>
                            <title>{ format!("{}: {} ({})", crate::whm::display::name(&b.label), format::bytes(b.bytes), b.note) }</title>
                            <text x={(LABEL_W - 6.0).to_string()} y={(y + BAR_H - 4.0).to_string()} text-anchor="end" class="bar-label">{ clip(&b.label, 20) }</text>
                            <rect x={LABEL_W.to_string()} y={y.to_string()} width={format!("{w:.1}")} height={BAR_H.to_string()} rx="3" class="bar" />
                            <text x={(LABEL_W + w + 6.0).to_string()} y={(y + BAR_H - 4.0).to_string()} class="bar-value">{ format::bytes(b.bytes) }</text>
                        </g>
                    }
                }) }
            </svg>
        </figure>
    }
}
