//! Integration tests of whm-sim, driven through the axum Router (no sockets) except `http`.

mod auth;
mod common;
mod enqueue;
mod envelope;
mod faults;
mod guide;
mod http;
mod livetail;
mod logs;
mod openapi;
mod scenarios;
mod states;
