//! Entry point: mounts the app in the browser.

#[cfg(target_arch = "wasm32")]
fn main() {
    whm_transfer_console::ui::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "whm-transfer-console is a browser app: build it with `trunk build --release --offline` or run `make demo`."
    );
    std::process::exit(2);
}
