//! WHM Transfer Console: a browser console for WHM API 1 account transfers.
//!
//! The pure core (`whm`, `checks`, `names`) builds and tests natively; the browser half (`client`, `ui`) is
//! compiled for `wasm32-unknown-unknown` only.
//!
//! `§` references are to docs/whm-api.md.

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod names;
pub mod route;
pub mod shared;
pub mod store;
pub mod whm;

pub mod checks;
#[cfg(target_arch = "wasm32")]
pub mod client;

#[cfg(target_arch = "wasm32")]
pub mod ui;

#[cfg(all(target_arch = "wasm32", feature = "bench-hooks"))]
pub mod bench_hooks;
