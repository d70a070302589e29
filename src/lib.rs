//! WHM Transfer Console: a browser console for WHM API 1 account transfers.
//!
//! The pure core (`whm`, `checks`) builds and tests natively; the browser half (`client`, `ui`) is
//! compiled for `wasm32-unknown-unknown` only.

pub mod whm;

#[cfg(target_arch = "wasm32")]
pub mod client;
pub mod checks;
