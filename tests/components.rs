//! Component tests in headless Chromium: render into a detached root, await Yew's scheduler
//! (`yew::scheduler::flush`, never a sleep), and assert what an admin would see.
#![cfg(target_arch = "wasm32")]
// `#[wasm_bindgen_test]` functions are not `#[test]` to clippy, so clippy.toml's test allowance misses them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlInputElement};
use whm_transfer_console::store::check::{Loaded, Source};
use whm_transfer_console::ui::analysis::{AnalysisView, AnalysisViewProps};
use whm_transfer_console::ui::banner::{ErrorBanner, ErrorBannerProps};
use whm_transfer_console::ui::table::{AccountsTable, AccountsTableProps};
use whm_transfer_console::ui::username::{UsernamePage, UsernamePageProps};
use whm_transfer_console::whm::WhmError;
use whm_transfer_console::whm::analysis::{Account, Analysis};
use yew::Renderer;

wasm_bindgen_test_configure!(run_in_browser);

const GUIDE: &str = include_str!("fixtures/guide/retrieve_transfer_session_remote_analysis.json");

fn root() -> Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let div = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&div).unwrap();
    div
}

fn all(root: &Element, selector: &str) -> Vec<Element> {
    let list = root.query_selector_all(selector).unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i)?.dyn_into::<Element>().ok())
        .collect()
}

fn one(root: &Element, selector: &str) -> Element {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no {selector}"))
}

async fn type_into(input: &Element, text: &str) {
    let input: HtmlInputElement = input.clone().dyn_into().unwrap();
    input.set_value(text);
    let init = web_sys::InputEventInit::new();
    init.set_bubbles(true);
    let ev = web_sys::InputEvent::new_with_event_init_dict("input", &init).unwrap();
    input.dispatch_event(&ev).unwrap();
    yew::scheduler::flush().await;
}

#[wasm_bindgen_test]
async fn error_banner_names_the_kind_and_the_next_step() {
    let errors = [
        WhmError::SessionLost {
            status: 403,
            detail: "Access denied".into(),
        },
        WhmError::Api {
            command: "x".into(),
            reason: "The session ID “a” does not exist.".into(),
        },
        WhmError::Http {
            status: 500,
            detail: "Internal".into(),
        },
        WhmError::Network {
            detail: "refused".into(),
        },
        WhmError::Timeout { after_ms: 15_000 },
        WhmError::Malformed {
            detail: "cut".into(),
            at: "body, line 1 column 9".into(),
            truncated: true,
        },
    ];
    for e in errors {
        let r = root();
        Renderer::<ErrorBanner>::with_root_and_props(
            r.clone(),
            ErrorBannerProps {
                error: e.clone(),
                context: Default::default(),
                next_step: None,
                on_retry: None,
                on_dismiss: None,
            },
        )
        .render();
        yew::scheduler::flush().await;
        let banner = one(&r, "[data-testid=error-banner]");
        assert_eq!(banner.get_attribute("data-kind").as_deref(), Some(e.kind()));
        let text = banner.text_content().unwrap_or_default();
        assert!(text.contains(e.next_step()), "{text}");
        if e.kind() == "api" {
            assert!(text.contains("“a”"), "WHM's reason shown with its quotes");
        }
    }
}

#[wasm_bindgen_test]
async fn username_verdict_follows_every_keystroke() {
    let r = root();
    Renderer::<UsernamePage>::with_root_and_props(r.clone(), UsernamePageProps { last_analysis: None }).render();
    yew::scheduler::flush().await;
    let input = one(&r, "[data-testid=username-input]");
    type_into(&input, "Bob").await;
    let verdict = one(&r, "[data-testid=username-local-verdict]");
    assert_eq!(verdict.get_attribute("data-valid").as_deref(), Some("false"));
    let rules: Vec<String> = all(&r, "[data-testid=username-reason]")
        .iter()
        .filter_map(|e| e.get_attribute("data-rule"))
        .collect();
    assert_eq!(rules, ["uppercase"]);
    assert!(
        one(&r, "[data-testid=username-suggestion]")
            .text_content()
            .unwrap()
            .contains("bob")
    );
    type_into(&input, "bob").await;
    let verdict = one(&r, "[data-testid=username-local-verdict]");
    assert_eq!(verdict.get_attribute("data-valid").as_deref(), Some("true"));
    assert!(all(&r, "[data-testid=username-reason]").is_empty());
    assert!(
        r.text_content().unwrap().contains("Not connected to WHM"),
        "no server verdict without WHM"
    );
}

#[wasm_bindgen_test]
async fn bulk_check_of_ten_thousand_names_renders_only_a_window() {
    let r = root();
    Renderer::<UsernamePage>::with_root_and_props(r.clone(), UsernamePageProps { last_analysis: None }).render();
    yew::scheduler::flush().await;
    let names: Vec<String> = (0..10_000).map(|i| format!("user{i:05}")).collect();
    let area: web_sys::HtmlTextAreaElement = one(&r, "[data-testid=username-bulk-input]").dyn_into().unwrap();
    area.set_value(&format!("{}\nBob", names.join("\n")));
    let init = web_sys::InputEventInit::new();
    init.set_bubbles(true);
    area.dispatch_event(&web_sys::InputEvent::new_with_event_init_dict("input", &init).unwrap())
        .unwrap();
    yew::scheduler::flush().await;
    let summary = one(&r, "[data-testid=username-bulk-summary]").text_content().unwrap();
    assert!(
        summary.starts_with("10001 names: 10000 fine, 1 with problems"),
        "{summary}"
    );
    let rows = all(&r, "[data-testid=username-bulk-row]");
    assert!(!rows.is_empty() && rows.len() < 100, "{} rows in the DOM", rows.len());
    assert_eq!(rows[0].get_attribute("data-user").as_deref(), Some("user00000"));
    // scrolled to the bottom, the last name (the one with a problem) is there
    let scroller: web_sys::HtmlElement = one(&r, "[data-testid=username-bulk-scroll]").dyn_into().unwrap();
    // styles.css is not loaded here: what makes it a scroll area
    scroller.style().set_property("overflow", "auto").unwrap();
    scroller.set_scroll_top(scroller.scroll_height());
    assert!(scroller.scroll_top() > 0, "scrollable");
    scroller
        .dispatch_event(&web_sys::Event::new("scroll").unwrap())
        .unwrap();
    yew::scheduler::flush().await;
    let rows = all(&r, "[data-testid=username-bulk-row]");
    assert!(rows.len() < 100, "{} rows in the DOM", rows.len());
    let last = rows.last().unwrap();
    assert_eq!(last.get_attribute("data-user").as_deref(), Some("Bob"));
    assert_eq!(last.get_attribute("data-valid").as_deref(), Some("false"));
}

#[wasm_bindgen_test]
async fn guide_analysis_renders_offline() {
    let r = root();
    let loaded = Loaded::from_text(Source::Paste, GUIDE).unwrap();
    Renderer::<AnalysisView>::with_root_and_props(
        r.clone(),
        AnalysisViewProps {
            loaded,
            on_refresh: None,
            refreshing: false,
            refresh_blocked: false,
        },
    )
    .render();
    yew::scheduler::flush().await;
    assert!(
        one(&r, "[data-testid=analysis-summary]")
            .text_content()
            .unwrap()
            .contains("exampleservercopya20140206192428NtyW")
    );
    let kinds: Vec<String> = all(&r, "[data-testid=finding]")
        .iter()
        .filter_map(|e| e.get_attribute("data-kind"))
        .collect();
    assert!(kinds.contains(&"no-items".to_string()), "{kinds:?}");
    assert!(all(&r, "[data-testid=account-row]").is_empty());
    // The raw tree is built only when asked for, and dropped when hidden.
    assert!(all(&r, "[data-testid=raw-json]").is_empty(), "no tree until opened");
    let toggle: web_sys::HtmlElement = one(&r, "[data-testid=raw-json-toggle]").dyn_into().unwrap();
    assert_eq!(toggle.get_attribute("aria-expanded").as_deref(), Some("false"));
    toggle.click();
    yew::scheduler::flush().await;
    let tree = one(&r, "[data-testid=raw-json]").text_content().unwrap();
    assert!(
        tree.contains("data") && tree.contains("local") && tree.contains("remote"),
        "{tree}"
    );
    assert_eq!(toggle.get_attribute("aria-expanded").as_deref(), Some("true"));
    toggle.click();
    yew::scheduler::flush().await;
    assert!(all(&r, "[data-testid=raw-json]").is_empty(), "hidden again");
}

#[wasm_bindgen_test]
async fn ten_thousand_accounts_render_only_a_window() {
    let mut analysis = Analysis::default();
    analysis.items.accounts = (0..10_000)
        .map(|i| Account {
            user: format!("user{i:05}"),
            domain: format!("d{i}.example"),
            bytesused: i,
            ..Default::default()
        })
        .collect();
    let loaded = Loaded::new(Source::Paste, analysis, "".into());
    let r = root();
    Renderer::<AccountsTable>::with_root_and_props(r.clone(), AccountsTableProps { loaded, focus: None }).render();
    yew::scheduler::flush().await;
    let rows = all(&r, "[data-testid=account-row]");
    assert!(!rows.is_empty() && rows.len() < 100, "{} rows in the DOM", rows.len());
    assert_eq!(rows[0].get_attribute("data-user").as_deref(), Some("user00000"));
    assert!(
        one(&r, "[data-testid=account-count]")
            .text_content()
            .unwrap()
            .contains("10,000 accounts")
    );
    // filtering narrows to the matching row
    type_into(&one(&r, "[data-testid=account-filter]"), "user09999").await;
    let rows = all(&r, "[data-testid=account-row]");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].get_attribute("data-user").as_deref(), Some("user09999"));
}

#[wasm_bindgen_test]
async fn report_export_offers_the_three_formats() {
    use whm_transfer_console::store::progress::Progress;
    use whm_transfer_console::ui::report::{ReportExport, ReportExportProps};
    use whm_transfer_console::whm::logs::parse_log;
    use whm_transfer_console::whm::responses::ReportedState;
    let log = r#"{"type":"control","contents":{"action":"success-item","child_number":1,"queue":"TRANSFER","item":"amy","item_type":"AccountRemoteRoot","msg":{"size":1}}}"#;
    let r = root();
    Renderer::<ReportExport>::with_root_and_props(
        r.clone(),
        ReportExportProps {
            progress: whm_transfer_console::shared::Shared::new(Progress::from_log(&parse_log(log))),
            session_id: "exampleservercopya20140206192428NtyW".into(),
            state: Some(ReportedState::parse("COMPLETED")),
            host: None,
        },
    )
    .render();
    yew::scheduler::flush().await;
    let formats: Vec<String> = all(&r, "[data-testid=report-export]")
        .iter()
        .filter_map(|b| b.get_attribute("data-format"))
        .collect();
    assert_eq!(formats, ["md", "csv", "json"]);
    assert!(
        all(&r, "[data-testid=report-export]")
            .iter()
            .all(|b| b.tag_name() == "BUTTON")
    );
}

#[wasm_bindgen_test]
async fn history_page_migrates_the_older_id_list_and_shows_what_it_knows() {
    use whm_transfer_console::ui::history::{HistoryPage, HistoryUpdate, record};
    use whm_transfer_console::whm::responses::SessionState;
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    storage.clear().unwrap();
    storage
        .set_item(
            "whm-transfer-console.sessions",
            "exampleservercopya20140206192428NtyW\n<img src=x>\nother_1\n",
        )
        .unwrap();
    // The session page tells the history what it learned: one line.
    record(
        "other_1",
        HistoryUpdate::seen(SessionState::Completed).with_host("src.example.com"),
    );
    assert_eq!(
        storage.get_item("whm-transfer-console.sessions").unwrap(),
        None,
        "migrated"
    );
    let r = root();
    Renderer::<HistoryPage>::with_root(r.clone()).render();
    yew::scheduler::flush().await;
    let rows = all(&r, "[data-testid=history-row]");
    let seen: Vec<(String, String)> = rows
        .iter()
        .map(|row| {
            (
                row.get_attribute("data-session").unwrap(),
                row.get_attribute("data-state").unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("exampleservercopya20140206192428NtyW".to_owned(), "UNKNOWN".to_owned()),
            ("other_1".to_owned(), "COMPLETED".to_owned())
        ]
    );
    assert!(rows[0].text_content().unwrap().contains("2014-02-06 19:24:28"));
    assert!(rows[1].text_content().unwrap().contains("src.example.com"));
    // Not connected to WHM: nothing can be read.
    assert!(one(&r, "[data-testid=history-refresh]").has_attribute("disabled"));
    storage.clear().unwrap();
}

mod send_once {
    use std::cell::RefCell;
    use std::rc::Rc;
    use wasm_bindgen_test::*;
    use whm_transfer_console::client::Whm;
    use whm_transfer_console::ui::hooks::use_send_once;
    use yew::prelude::*;

    #[derive(Properties, PartialEq)]
    struct ProbeProps {
        want: Option<u32>,
        connected: bool,
        sent: Rc<RefCell<Vec<u32>>>,
    }

    #[function_component(Probe)]
    fn probe(p: &ProbeProps) -> Html {
        let sent = p.sent.clone();
        let whm = p.connected.then(|| Whm::with_token("/cpsess0123456789"));
        use_send_once(p.want, whm, move |w, _| sent.borrow_mut().push(w));
        html! {}
    }

    #[wasm_bindgen_test]
    async fn a_want_waits_for_a_connection_and_is_sent_once_whatever_the_connection_does() {
        let sent = Rc::new(RefCell::new(Vec::new()));
        let props = |want, connected| ProbeProps {
            want,
            connected,
            sent: sent.clone(),
        };
        let mut app = yew::Renderer::<Probe>::with_root_and_props(super::root(), props(Some(1), false)).render();
        yew::scheduler::flush().await;
        assert!(sent.borrow().is_empty(), "no WHM: nothing sent, and nothing lost");
        // connected: sent; disconnected and connected again (the extension's tab picked again): not again
        for connected in [true, false, true] {
            app.update(props(Some(1), connected));
            yew::scheduler::flush().await;
        }
        assert_eq!(*sent.borrow(), [1]);
        app.update(props(Some(2), true));
        yew::scheduler::flush().await;
        app.update(props(None, true));
        yew::scheduler::flush().await;
        assert_eq!(*sent.borrow(), [1, 2]);
    }
}
