//! The Yew app: shell, router and pages. Components only dispatch and render; logic lives in the
//! pure modules (`whm`, `checks`, `store`, `route`).

pub mod analysis;
pub mod banner;
pub mod chart;
pub mod check;
pub mod connect;
pub mod create;
pub mod download;
pub mod history;
pub mod hooks;
pub mod not_connected;
pub mod queue;
pub mod recent;
pub mod report;
pub mod rows;
pub mod session;
pub mod shell;
pub mod table;
pub mod tree;
pub mod username;

use yew::Renderer;

/// Mounts the app on `<body>`.
pub fn start() {
    Renderer::<shell::App>::new().render();
}
