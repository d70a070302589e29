//! Measurement hooks for `make bench-browser` (cargo feature `bench-hooks`, off by default: the shipped
//! build has none of these exports). Each runs one stage of loading an analysis on text (or bytes) the
//! page already holds, so the benchmark can time it beside `JSON.parse` of the same text in the same page. Each returns
//! a count, so the work cannot be skipped and the page can check it decoded what it expected.

use crate::checks::{self, FindingsInput, RuleContext};
use crate::store::check::{Loaded, Source};
use crate::whm::{self, Analysis, HttpReply};
use std::collections::HashMap;
use wasm_bindgen::prelude::*;

fn decode(text: &str) -> Option<Analysis> {
    whm::decode::<Analysis>(HttpReply {
        status: 200,
        content_type: Some("application/json"),
        body: text,
    })
    .ok()
    .and_then(|r| r.data)
}

/// The wire layer alone: `whm::decode::<Analysis>` of a whole reply. Returns the number of accounts.
#[wasm_bindgen]
pub fn bench_decode(text: &str) -> u32 {
    decode(text).map_or(0, |a| u32::try_from(a.items.accounts.len()).unwrap_or(u32::MAX))
}

/// Decode, rule context and findings, nothing else, from text the page holds (as the extension's relay
/// hands a reply over: a JS string, copied into wasm). Returns the number of findings.
#[wasm_bindgen]
pub fn bench_decode_checks(text: &str) -> u32 {
    decode_checks(text)
}

/// The same from the reply's bytes, as the same-origin client reads a body (`client::reply_text` of the
/// bytes copied into wasm: no JS string is made). Returns the number of findings.
#[wasm_bindgen]
pub fn bench_decode_checks_bytes(bytes: Vec<u8>) -> u32 {
    decode_checks(&crate::client::reply_text(bytes))
}

fn decode_checks(text: &str) -> u32 {
    let Some(analysis) = decode(text) else { return 0 };
    let ctx = RuleContext::from_analysis(&analysis);
    let verdicts = HashMap::new();
    let report = checks::findings(FindingsInput {
        analysis: &analysis,
        ctx: &ctx,
        server_verdicts: &verdicts,
        live_transfer_requested: false,
    });
    u32::try_from(report.findings.len()).unwrap_or(u32::MAX)
}

/// What the check page does with a reply's text before rendering (`Loaded::from_text`: decode, rule
/// context, findings; the text is kept for the raw tree view, not parsed). Returns the number of findings.
#[wasm_bindgen]
pub fn bench_load(text: &str) -> u32 {
    Loaded::from_text(Source::Paste, text).map_or(0, |l| u32::try_from(l.report.findings.len()).unwrap_or(u32::MAX))
}

/// What opening the raw tree view costs (`store::check::raw_data`: the reply's `data` as a JSON tree).
/// Returns the number of keys of `data`.
#[wasm_bindgen]
pub fn bench_raw_tree(text: &str) -> u32 {
    let data = crate::store::check::raw_data(text);
    data.as_object()
        .map_or(0, |o| u32::try_from(o.len()).unwrap_or(u32::MAX))
}

/// The bulk box's own work without the page: the names read from the pasted text
/// (`store::username::parse_names`) and `check_bulk` against the username page's default settings (no
/// analysis, first-N length 16, as the page starts). Returns the number of names with a problem.
#[wasm_bindgen]
pub fn bench_bulk(text: &str) -> u32 {
    let names = crate::store::username::parse_names(text);
    let report = checks::check_bulk(&names, &RuleContext::default(), checks::Purpose::Transfer);
    u32::try_from(report.verdicts.iter().filter(|v| !v.is_ok()).count()).unwrap_or(u32::MAX)
}
