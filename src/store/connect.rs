//! The browser extension's connection to WHM: which open tabs are WHM, which one the admin picked,
//! and whether the console can relay calls through it (whm-transfer-api.md §2.7).
//!
//! The extension lists the browser's tabs, this module keeps those showing WHM (a `/cpsess` + 10
//! digits path, any port), and the admin picks one; access to exactly its origin is asked for at run
//! time, then the relay is probed. The `ui::connect` component dispatches [`ConnectAction`]s and does
//! the effects [`ConnectState`] asks for (a probe when [`ConnectState::probe`] changes).

use serde::Deserialize;

/// An open browser tab as the extension lists it: its origin and, if its address carries a `/cpsess`
/// security token, the rest of its path and its title; never the token itself (nor a query or
/// fragment).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BrowserTab {
    pub tab_id: u32,
    #[serde(default)]
    pub window_id: i64,
    pub origin: String,
    /// The path after the token (`/scripts7/…`, `/frontend/jupiter/…`).
    #[serde(default)]
    pub path: String,
    /// The address starts with `/cpsess` and 10 digits.
    #[serde(default)]
    pub has_token: bool,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub active: bool,
}

/// An open tab showing WHM, logged in (its address carries a security token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhmTab {
    pub tab_id: u32,
    pub origin: String,
    pub title: String,
    pub active: bool,
}

impl WhmTab {
    /// `host:port` as the admin typed it (the origin without its scheme).
    pub fn host(&self) -> &str {
        host_of(&self.origin)
    }
}

/// The origin without its scheme.
pub fn host_of(origin: &str) -> &str {
    origin.split_once("://").map_or(origin, |(_, h)| h)
}

/// The ports cPanel (2082, 2083) and Webmail (2095, 2096) answer on: their tabs carry a `/cpsess`
/// token too, but they do not serve WHM API 1.
const CPANEL_PORTS: [&str; 4] = ["2082", "2083", "2095", "2096"];

/// Whether a tab is a logged-in WHM page: http(s), a security token, and neither cPanel nor Webmail
/// (their ports, or, behind a proxy on any port, their pages: `/frontend/<theme>/…`, `/webmail/…`).
pub fn is_whm(tab: &BrowserTab) -> bool {
    let web = tab.origin.starts_with("https://") || tab.origin.starts_with("http://");
    let port = host_of(&tab.origin)
        .rsplit_once(':')
        .map(|(_, p)| p)
        .filter(|p| p.bytes().all(|b| b.is_ascii_digit()));
    let cpanel_port = port.is_some_and(|p| CPANEL_PORTS.contains(&p));
    let cpanel_page = ["/frontend/", "/webmail/"].iter().any(|p| tab.path.starts_with(p));
    web && tab.has_token && !cpanel_port && !cpanel_page
}

/// The WHM tabs among `tabs`, in a stable order (origin, then tab id).
pub fn whm_tabs(tabs: &[BrowserTab]) -> Vec<WhmTab> {
    let mut out: Vec<WhmTab> = tabs
        .iter()
        .filter(|t| is_whm(t))
        .map(|t| WhmTab {
            tab_id: t.tab_id,
            origin: t.origin.clone(),
            title: t.title.clone(),
            active: t.active,
        })
        .collect();
    out.sort_by(|a, b| a.origin.cmp(&b.origin).then(a.tab_id.cmp(&b.tab_id)));
    out
}

/// Whether a relayed reply says the tab's WHM login is gone (§2.4: HTTP 401/403, or an HTML page
/// where JSON or a log was expected), so the connection view can say so at once.
pub fn logged_out_reply(status: u16, content_type: Option<&str>) -> bool {
    matches!(status, 401 | 403)
        || content_type.is_some_and(|c| c.trim_start().to_ascii_lowercase().starts_with("text/html"))
}

/// The tab the admin picked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picked {
    pub tab_id: u32,
    pub origin: String,
}

/// How a relayed call or a probe failed, as the bridge names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lost {
    TabClosed,
    SessionLost,
    PermissionNeeded,
}

/// Where the connection stands.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Status {
    /// Nothing picked (yet, or the admin chose to pick again).
    #[default]
    Idle,
    /// Chromium's permission prompt is open.
    Asking,
    /// Checking that the relay runs in the tab.
    Connecting,
    Connected,
    /// The admin declined access, or it was revoked.
    PermissionNeeded,
    TabClosed,
    /// The tab shows WHM's login page, or another site.
    SessionLost,
    /// The relay could not start in the tab (detail in [`ConnectState::detail`]).
    Failed,
}

/// What the admin, the browser or a finished effect did.
#[derive(Debug, Clone, PartialEq)]
pub enum ConnectAction {
    /// A fresh list of the browser's tabs.
    Listed(Vec<BrowserTab>),
    /// The admin clicked a WHM tab; the permission prompt is being shown.
    Pick(Picked),
    /// The permission prompt's answer.
    Access(bool),
    /// A tab with the origin picked last time is open and access is still granted: reconnect.
    Resume(Picked),
    /// The probe with this number succeeded (an answer to an older probe is ignored).
    Connected(u32),
    /// The probe or a call found the tab with this id gone, logged out, or out of reach (`detail`
    /// for the curious).
    Lost(u32, Lost, String),
    /// The relay could not start in the tab with this id for another reason.
    Failed(u32, String),
    /// The admin wants to pick another tab.
    Change,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ConnectState {
    /// Whether the tabs were listed at least once (before that, "no tab" would be a guess).
    pub listed: bool,
    /// Every open tab (to tell a closed tab from one that left WHM).
    all: Vec<BrowserTab>,
    pub tabs: Vec<WhmTab>,
    pub picked: Option<Picked>,
    pub status: Status,
    pub detail: String,
    /// Bumped whenever the relay must be probed: the component probes once per value.
    pub probe: u32,
    /// The picked tab was seen without a logged-in WHM address since it was last connected: when it
    /// shows one again, the admin logged in again and the console reconnects. (A call refused with
    /// 401 while the address still has its token does not reconnect on its own.)
    seen_logged_out: bool,
}

impl ConnectState {
    pub fn apply(mut self, action: ConnectAction) -> Self {
        match action {
            ConnectAction::Listed(all) => {
                self.listed = true;
                self.tabs = whm_tabs(&all);
                self.all = all;
                self.follow_picked_tab();
            }
            ConnectAction::Pick(p) => {
                self.picked = Some(p);
                self.status = Status::Asking;
                self.detail.clear();
            }
            ConnectAction::Access(granted) => {
                if self.status == Status::Asking {
                    if granted {
                        self.start_probe();
                    } else {
                        self.status = Status::PermissionNeeded;
                    }
                }
            }
            ConnectAction::Resume(p) => {
                if self.picked.is_none() {
                    self.picked = Some(p);
                    self.start_probe();
                }
            }
            ConnectAction::Connected(probe) => {
                if self.status == Status::Connecting && probe == self.probe {
                    self.status = Status::Connected;
                    self.detail.clear();
                }
            }
            ConnectAction::Lost(tab_id, lost, detail) => {
                if self.is_picked(tab_id) && self.status != Status::Asking {
                    self.status = match lost {
                        Lost::TabClosed => Status::TabClosed,
                        Lost::SessionLost => Status::SessionLost,
                        Lost::PermissionNeeded => Status::PermissionNeeded,
                    };
                    self.detail = detail;
                }
            }
            ConnectAction::Failed(tab_id, detail) => {
                if self.is_picked(tab_id) && self.status != Status::Asking {
                    self.status = Status::Failed;
                    self.detail = detail;
                }
            }
            ConnectAction::Change => {
                self.picked = None;
                self.status = Status::Idle;
                self.detail.clear();
            }
        }
        self
    }

    fn is_picked(&self, tab_id: u32) -> bool {
        self.picked.as_ref().is_some_and(|p| p.tab_id == tab_id)
    }

    fn start_probe(&mut self) {
        self.seen_logged_out = false;
        self.status = Status::Connecting;
        self.detail.clear();
        self.probe = self.probe.wrapping_add(1);
    }

    /// After a new tab list: the picked tab closed, left WHM, or came back logged in.
    fn follow_picked_tab(&mut self) {
        let Some(p) = &self.picked else { return };
        if matches!(self.status, Status::Idle | Status::Asking | Status::PermissionNeeded) {
            return; // nothing to follow until access is granted
        }
        let open = self.all.iter().find(|t| t.tab_id == p.tab_id);
        let logged_in = self.tabs.iter().any(|t| t.tab_id == p.tab_id && t.origin == p.origin);
        match (open, logged_in) {
            (None, _) => {
                if self.status != Status::TabClosed {
                    self.status = Status::TabClosed;
                    self.detail = "the tab is no longer open".into();
                }
            }
            (Some(_), false) => {
                self.seen_logged_out = true;
                if self.status != Status::SessionLost {
                    self.status = Status::SessionLost;
                    self.detail = "the tab no longer shows a logged-in WHM page".into();
                }
            }
            (Some(_), true) => {
                // The tab left WHM's pages and shows a logged-in one again: reconnect.
                if self.status == Status::SessionLost && self.seen_logged_out {
                    self.start_probe();
                }
            }
        }
    }

    /// The value of `data-state` on `whm-connection`. The issue's contract names `connected`,
    /// `no-tab`, `tab-closed`, `session-lost` and `permission-needed`; while nothing is decided it
    /// is `looking` (tabs not listed yet), `pick` (WHM tabs open, none picked), `connecting`, or
    /// `failed` (the relay could not start).
    pub fn data_state(&self) -> &'static str {
        match self.status {
            Status::Idle if !self.listed => "looking",
            Status::Idle if self.tabs.is_empty() => "no-tab",
            Status::Idle => "pick",
            Status::Asking | Status::Connecting => "connecting",
            Status::Connected => "connected",
            Status::PermissionNeeded => "permission-needed",
            Status::TabClosed => "tab-closed",
            Status::SessionLost => "session-lost",
            Status::Failed => "failed",
        }
    }

    /// The tab calls go through, once connected.
    pub fn connected(&self) -> Option<&Picked> {
        (self.status == Status::Connected)
            .then_some(self.picked.as_ref())
            .flatten()
    }

    /// The picked origin without its scheme, for the messages.
    pub fn picked_host(&self) -> Option<&str> {
        self.picked.as_ref().map(|p| host_of(&p.origin))
    }

    /// Whether the tab list should be offered (nothing picked, or the picked tab is out of reach).
    pub fn offers_tabs(&self) -> bool {
        matches!(
            self.status,
            Status::Idle | Status::TabClosed | Status::SessionLost | Status::PermissionNeeded | Status::Failed
        )
    }

    /// What the admin sees: one sentence on where things stand, one on what to do.
    pub fn message(&self) -> (String, String) {
        let host = self.picked_host().unwrap_or("WHM").to_owned();
        match self.data_state() {
            "looking" => ("Looking for open WHM tabs…".into(), String::new()),
            "no-tab" => (
                "No WHM tab is open in this browser.".into(),
                "Open WHM in a tab (https://your-server:2087/) and log in; it appears here by itself.".into(),
            ),
            "pick" => (
                if self.tabs.len() == 1 {
                    "One WHM tab is open.".into()
                } else {
                    format!("{} WHM tabs are open.", self.tabs.len())
                },
                "Pick the WHM to work with. The console sends its WHM calls through that tab, with its login; Chromium then asks you to let this extension use that one server (only it, and you can revoke it in the extension’s details).".into(),
            ),
            "connecting" if self.status == Status::Asking => (
                format!("Asking for access to {host}…"),
                "Answer Chromium’s prompt: the extension needs access to this server only, to relay the console’s calls through your WHM tab.".into(),
            ),
            "connecting" => (format!("Connecting to {host}…"), String::new()),
            "connected" => (
                format!("Connected to {host} through your WHM tab."),
                "Keep that tab open (any WHM page will do, but stay on it while items are being queued: a page change cuts the call in flight). The console uses its login and never stores it.".into(),
            ),
            "permission-needed" => (
                format!("The extension may not use {host} yet."),
                "To send WHM calls through your WHM tab, the extension needs access to that one server. Click the tab again and allow it in Chromium’s prompt.".into(),
            ),
            "tab-closed" => (
                format!("The WHM tab for {host} was closed."),
                "Open WHM again in a tab (log in if asked), then pick it here. Nothing you typed in the console is lost.".into(),
            ),
            "session-lost" => (
                format!("The WHM tab for {host} is no longer logged in."),
                "Log in to WHM in that tab; the console reconnects by itself when the tab shows WHM again. Or pick another WHM tab.".into(),
            ),
            _ => (
                format!("The console could not start its relay in the tab for {host}."),
                "Reload the WHM tab and pick it again; if it keeps failing, reload the extension on chrome://extensions.".into(),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tab as the bridge lists it from its whole address: the token split off.
    fn tab(id: u32, origin: &str, path: &str) -> BrowserTab {
        let token = crate::whm::security_token_from_path(path);
        BrowserTab {
            tab_id: id,
            window_id: 1,
            origin: origin.into(),
            path: token.map_or(path, |t| &path[t.len()..]).into(),
            has_token: token.is_some(),
            title: format!("tab {id}"),
            active: false,
        }
    }

    const WHM: &str = "https://host.example.com:2087";

    fn whm(id: u32) -> BrowserTab {
        tab(id, WHM, "/cpsess0123456789/scripts/command?PFILE=main")
    }

    fn connected(id: u32) -> ConnectState {
        let s = ConnectState::default()
            .apply(ConnectAction::Listed(vec![whm(id)]))
            .apply(ConnectAction::Pick(Picked {
                tab_id: id,
                origin: WHM.into(),
            }))
            .apply(ConnectAction::Access(true));
        assert_eq!(s.data_state(), "connecting");
        let probe = s.probe;
        let s = s.apply(ConnectAction::Connected(probe));
        assert_eq!(s.data_state(), "connected");
        s
    }

    #[test]
    fn only_logged_in_whm_pages_count_on_any_port() {
        let all = vec![
            tab(1, "https://host.example.com:2087", "/cpsess0123456789/"),
            tab(2, "http://127.0.0.1:28112", "/cpsess9876543210/cgi/transfer_console/"),
            tab(3, "https://proxy.example.com", "/cpsess1111111111"),
            tab(4, "https://host.example.com:2087", "/"),
            tab(5, "https://host.example.com:2087", "/cpsess012345678/"),
            tab(6, "https://evil.example.com", "/x/cpsess0123456789/"),
            tab(7, "chrome-extension://abc", "/cpsess0123456789/"),
        ];
        let ids: Vec<u32> = whm_tabs(&all).iter().map(|t| t.tab_id).collect();
        assert_eq!(ids, [2, 1, 3], "sorted by origin, non-WHM pages left out");
        // cPanel and Webmail carry a token too: by their ports, or behind a proxy by their pages
        let cpanel = vec![
            tab(1, "https://host.example.com:2083", "/cpsess0123456789/"),
            tab(
                2,
                "https://host.example.com:2096",
                "/cpsess0123456789/webmail/jupiter/index.html",
            ),
            tab(3, "http://host.example.com:2082", "/cpsess0123456789/"),
            tab(
                4,
                "https://cpanel.example.com",
                "/cpsess0123456789/frontend/jupiter/index.html",
            ),
            tab(5, "https://webmail.example.com", "/cpsess0123456789/webmail/jupiter/"),
            tab(6, "https://whm.example.com", "/cpsess0123456789/scripts7/transfer_tool"),
            tab(7, "https://[2001:db8::1]:2087", "/cpsess0123456789/"),
            tab(8, "https://[2001:db8::2083]", "/cpsess0123456789/"),
        ];
        let ids: Vec<u32> = whm_tabs(&cpanel).iter().map(|t| t.tab_id).collect();
        assert_eq!(ids, [7, 8, 6], "WHM behind a proxy and on IPv6 still counts");
        assert_eq!(whm_tabs(&all)[1].host(), "host.example.com:2087");
    }

    #[test]
    fn before_a_pick_it_says_whether_any_whm_tab_is_open() {
        let s = ConnectState::default();
        assert_eq!(s.data_state(), "looking");
        let s = s.apply(ConnectAction::Listed(vec![tab(1, "https://example.com", "/")]));
        assert_eq!(s.data_state(), "no-tab");
        assert!(s.message().1.contains("log in"));
        let s = s.apply(ConnectAction::Listed(vec![whm(1), whm(2)]));
        assert_eq!(s.data_state(), "pick");
        assert_eq!(s.message().0, "2 WHM tabs are open.");
        assert!(s.connected().is_none());
    }

    #[test]
    fn declining_access_asks_again_with_the_reason() {
        let s = ConnectState::default()
            .apply(ConnectAction::Listed(vec![whm(1)]))
            .apply(ConnectAction::Pick(Picked {
                tab_id: 1,
                origin: WHM.into(),
            }));
        let probe = s.probe;
        let s = s.apply(ConnectAction::Access(false));
        assert_eq!(s.data_state(), "permission-needed");
        assert_eq!(s.probe, probe, "no probe without access");
        assert!(s.message().1.contains("that one server"));
        assert!(s.offers_tabs());
    }

    #[test]
    fn a_closed_tab_is_reported_from_the_tab_list_or_a_call() {
        let s = connected(1).apply(ConnectAction::Listed(vec![whm(2)]));
        assert_eq!(s.data_state(), "tab-closed");
        assert!(s.connected().is_none());
        assert!(s.message().0.contains("host.example.com:2087"));
        let s = connected(1).apply(ConnectAction::Lost(1, Lost::TabClosed, "closed".into()));
        assert_eq!(s.data_state(), "tab-closed");
        let s = connected(1).apply(ConnectAction::Lost(2, Lost::TabClosed, "another tab".into()));
        assert_eq!(s.data_state(), "connected", "only the picked tab matters");
    }

    #[test]
    fn a_logged_out_tab_is_session_lost_and_reconnects_when_logged_in_again() {
        let s = connected(1).apply(ConnectAction::Listed(vec![tab(1, WHM, "/login/")]));
        assert_eq!(s.data_state(), "session-lost");
        let probe = s.probe;
        let s = s.apply(ConnectAction::Listed(vec![whm(1)]));
        assert_eq!(s.data_state(), "connecting");
        assert_eq!(s.probe, probe + 1, "one probe");
        // a tab navigating to another site is not "logged in" either
        let s = connected(1).apply(ConnectAction::Listed(vec![tab(
            1,
            "https://other.example",
            "/cpsess0123456789/",
        )]));
        assert_eq!(s.data_state(), "session-lost");
    }

    #[test]
    fn a_refused_call_stays_session_lost_until_the_tab_logs_in_again() {
        let s = connected(1).apply(ConnectAction::Lost(1, Lost::SessionLost, "HTTP 401".into()));
        // the tab's address still has its token: a new tab list does not pretend all is well
        let s = s.apply(ConnectAction::Listed(vec![whm(1)]));
        assert_eq!(s.data_state(), "session-lost");
        // the admin logs in again in that tab: the login page, then a WHM page
        let s = s.apply(ConnectAction::Listed(vec![tab(1, WHM, "/")]));
        assert_eq!(s.data_state(), "session-lost");
        let s = s.apply(ConnectAction::Listed(vec![whm(1)]));
        assert_eq!(s.data_state(), "connecting");
    }

    #[test]
    fn a_call_reporting_a_lost_login_or_permission_shows_it() {
        let s = connected(1).apply(ConnectAction::Lost(1, Lost::SessionLost, "HTTP 401".into()));
        assert_eq!(s.data_state(), "session-lost");
        let s = connected(1).apply(ConnectAction::Lost(1, Lost::PermissionNeeded, String::new()));
        assert_eq!(s.data_state(), "permission-needed");
        let s = connected(1).apply(ConnectAction::Failed(1, "no relay".into()));
        assert_eq!(s.data_state(), "failed");
        assert_eq!(s.detail, "no relay");
        // with nothing picked, a stray report changes nothing
        let s = ConnectState::default().apply(ConnectAction::Lost(1, Lost::TabClosed, String::new()));
        assert_eq!(s.data_state(), "looking");
    }

    #[test]
    fn resume_only_when_nothing_is_picked_and_change_starts_over() {
        let p = Picked {
            tab_id: 1,
            origin: WHM.into(),
        };
        let s = ConnectState::default()
            .apply(ConnectAction::Listed(vec![whm(1)]))
            .apply(ConnectAction::Resume(p.clone()));
        assert_eq!(s.data_state(), "connecting");
        let probe = s.probe;
        let s = s.apply(ConnectAction::Connected(probe));
        assert_eq!(s.connected(), Some(&p));
        let other = Picked {
            tab_id: 2,
            origin: WHM.into(),
        };
        let s = s.apply(ConnectAction::Resume(other));
        assert_eq!(s.connected(), Some(&p), "a resume never replaces a pick");
        let s = s.apply(ConnectAction::Change);
        assert_eq!(s.data_state(), "pick");
        assert!(s.picked.is_none());
    }

    #[test]
    fn a_late_probe_answer_is_ignored() {
        let p = |id| Picked {
            tab_id: id,
            origin: WHM.into(),
        };
        let s = ConnectState::default()
            .apply(ConnectAction::Listed(vec![whm(1), whm(2)]))
            .apply(ConnectAction::Resume(p(1)));
        let first = s.probe;
        let s = s.apply(ConnectAction::Change);
        assert_eq!(s.clone().apply(ConnectAction::Connected(first)).data_state(), "pick");
        let s = s.apply(ConnectAction::Pick(p(2))).apply(ConnectAction::Access(true));
        let s = s.apply(ConnectAction::Connected(first));
        assert_eq!(
            s.data_state(),
            "connecting",
            "the first probe answered for tab 1, not tab 2"
        );
        let s = s.apply(ConnectAction::Lost(1, Lost::TabClosed, String::new()));
        assert_eq!(s.data_state(), "connecting", "tab 1 closing does not matter any more");
    }

    #[test]
    fn logged_out_replies() {
        assert!(logged_out_reply(401, Some("text/html")));
        assert!(logged_out_reply(403, Some("text/plain; charset=\"utf-8\"")));
        assert!(logged_out_reply(200, Some("Text/HTML; charset=utf-8")));
        assert!(!logged_out_reply(200, Some("application/json")));
        assert!(!logged_out_reply(500, None));
    }

    #[test]
    fn tabs_deserialize_from_the_bridge_shape() {
        let t: BrowserTab = serde_json::from_str(
            r#"{"tabId":7,"windowId":3,"origin":"http://127.0.0.1:28112","path":"/scripts7/","hasToken":true,"title":"WHM","active":true}"#,
        )
        .unwrap();
        assert_eq!(t.tab_id, 7);
        assert!(is_whm(&t));
        // a tab listed without the flag (an older bridge, or no token) is not WHM
        let t: BrowserTab =
            serde_json::from_str(r#"{"tabId":8,"origin":"https://h:2087","path":"/cpsess0123456789/"}"#).unwrap();
        assert!(!is_whm(&t));
    }
}
