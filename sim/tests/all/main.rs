//! Integration tests of whm-sim, driven through the axum Router (no sockets) except `http`.

// A test crate: clippy.toml allows these in `#[test]` functions only, not in the shared helpers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod arrival;
mod auth;
mod common;
mod cpsrvd;
mod enqueue;
mod envelope;
mod fault_kinds;
mod faults;
mod guide;
mod hardening;
mod http;
mod livetail;
mod logs;
mod openapi;
mod scenarios;
mod schema;
mod states;
