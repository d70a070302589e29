//! The shipped static files agree with the build: cache-busting version, strict CSP, pinned tools.
#![cfg(not(target_arch = "wasm32"))]

#[allow(clippy::unwrap_used)] // a test helper (not a #[test] fn, so clippy.toml's test allowance misses it)
fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[test]
fn boot_js_busts_caches_with_the_package_version() {
    let boot = read("www/boot.js");
    let v = format!("?v={}", env!("CARGO_PKG_VERSION"));
    assert_eq!(
        boot.matches(&v).count(),
        2,
        "both the JS and the wasm URL carry {v}: {boot}"
    );
}

#[test]
fn index_html_has_a_strict_csp_and_no_referrer() {
    let html = read("index.html");
    let csp = html
        .split("Content-Security-Policy\" content=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a CSP meta tag");
    assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval'"), "{csp}");
    assert!(
        csp.contains("style-src 'self'") && csp.contains("object-src 'none'"),
        "{csp}"
    );
    assert!(!csp.contains("unsafe-inline") && !csp.contains("http"), "{csp}");
    assert!(html.contains(r#"<meta name="referrer" content="no-referrer" />"#));
    assert!(
        !html.contains("<script>") && !html.contains("style="),
        "no inline script or style"
    );
}

#[test]
fn trunk_pins_the_same_wasm_bindgen_as_cargo() {
    let cargo = read("Cargo.toml");
    let pinned = cargo
        .lines()
        .find_map(|l| l.strip_prefix("wasm-bindgen = \"="))
        .and_then(|r| r.strip_suffix('"'))
        .expect("Cargo.toml pins wasm-bindgen");
    let trunk = read("Trunk.toml");
    assert!(trunk.contains(&format!("wasm_bindgen = \"{pinned}\"")), "{trunk}");
    assert!(trunk.contains("wasm_opt = \"version_132\"") && trunk.contains("offline = true"));
}
