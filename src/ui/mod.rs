//! The Yew app: shell, router and pages. Components only dispatch and render; logic lives in the
//! pure modules (`whm`, `checks`, `route`).

mod shell;

use yew::Renderer;

/// Mounts the app on `<body>`.
pub fn start() {
    Renderer::<shell::App>::new().render();
}
