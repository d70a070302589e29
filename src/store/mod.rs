//! App state and view models: pure Rust, natively tested. Components in `ui/` hold these in Yew hooks
//! and only dispatch actions and render.

pub mod arrival;
pub mod chart;
pub mod check;
pub mod connect;
pub mod create;
pub mod export;
pub mod format;
pub mod history;
pub mod item_log;
pub mod latest;
pub mod plan;
pub mod progress;
pub mod queue;
pub mod queue_table;
pub mod reanalysis;
pub mod recent;
pub mod report;
pub mod session;
pub mod table;
pub mod username;
