//! Every failure an admin can meet when the console talks to WHM, in one type.

use std::fmt;

/// How the console reaches WHM: served by WHM itself (the plugin; also the simulator), or as the
/// browser extension through a WHM tab.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    InsideWhm,
    Extension,
}

/// What went wrong with a WHM API 1 call. Each variant says, in [`WhmError::next_step`], what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WhmError {
    /// The WHM login is gone: HTTP 401/403, an HTML login page instead of JSON, or cpsrvd's
    /// `cpanelresult.error` body (docs/whm-api.md §2.4).
    SessionLost { status: u16, detail: String },
    /// WHM answered, but the function failed (`metadata.result` 0). `reason` is WHM's own text,
    /// typographic quotes kept.
    Api { command: String, reason: String },
    /// Some other HTTP status (a 500, a proxy error…).
    Http { status: u16, detail: String },
    /// The request never got an answer: connection refused or dropped, DNS, offline.
    Network { detail: String },
    /// No answer within the time allowed for this call.
    Timeout { after_ms: u32 },
    /// The body was not the JSON WHM sends: invalid, cut short (`truncated`), or of an unexpected shape.
    /// `at` says where it broke.
    Malformed {
        detail: String,
        at: String,
        truncated: bool,
    },
    /// The reply was larger than the console accepts for this call (it stopped reading).
    TooLarge { limit_bytes: u64 },
    /// The same mutating call is already in flight: it was not sent a second time.
    AlreadySending { command: String },
    /// The caller went away (page left, call superseded) and the call was aborted. Nobody waits for
    /// the answer, so it is never shown; for a mutating call the outcome is unknown.
    Cancelled,
    /// The browser extension's WHM tab was closed before or while the call went through it
    /// (whm-transfer-api.md §2.7). For a mutating call in flight the outcome is unknown.
    TabClosed { origin: String },
    /// The browser extension may not use this WHM origin (access declined or revoked). Nothing was sent.
    PermissionNeeded { origin: String },
}

impl WhmError {
    /// A stable machine name, used by the UI's error banner (`data-kind`).
    pub fn kind(&self) -> &'static str {
        match self {
            WhmError::SessionLost { .. } => "session-lost",
            WhmError::Api { .. } => "api",
            WhmError::Http { .. } => "http",
            WhmError::Network { .. } => "network",
            WhmError::Timeout { .. } => "timeout",
            WhmError::Malformed { .. } => "malformed",
            WhmError::TooLarge { .. } => "too-large",
            WhmError::AlreadySending { .. } => "already-sending",
            WhmError::Cancelled => "cancelled",
            WhmError::TabClosed { .. } => "tab-closed",
            WhmError::PermissionNeeded { .. } => "permission-needed",
        }
    }

    /// One short sentence: what happened.
    pub fn title(&self) -> String {
        match self {
            WhmError::SessionLost { .. } => "Your WHM session ended.".into(),
            WhmError::Api { command, reason } => {
                let command = super::display::name(command);
                if reason.trim().is_empty() {
                    format!("WHM refused “{command}” without giving a reason.")
                } else {
                    format!("WHM refused “{command}”: {}", super::display::text(reason))
                }
            }
            WhmError::Http { status, .. } => format!("WHM answered with HTTP error {status}."),
            WhmError::Network { .. } => "The console could not reach WHM.".into(),
            WhmError::Timeout { after_ms } => {
                format!("WHM did not answer within {}.", human_duration(*after_ms))
            }
            WhmError::Malformed { truncated: true, .. } => "WHM’s answer was cut short.".into(),
            WhmError::Malformed { .. } => "WHM’s answer could not be read.".into(),
            WhmError::TooLarge { limit_bytes } => format!(
                "WHM’s answer was larger than {} MB, so the console stopped reading it.",
                limit_bytes / 1_000_000
            ),
            WhmError::AlreadySending { command } => {
                format!("“{command}” is already on its way to WHM; it was not sent a second time.")
            }
            WhmError::Cancelled => "The call was cancelled.".into(),
            WhmError::TabClosed { .. } => "The WHM tab this console works through was closed.".into(),
            WhmError::PermissionNeeded { origin } => format!("The extension may not use {origin} yet."),
        }
    }

    /// What the admin should do next, where the console runs inside WHM (the plugin, the simulator).
    /// [`WhmError::next_step_in`] says it for either way of running.
    pub fn next_step(&self) -> &'static str {
        self.next_step_in(Mode::InsideWhm)
    }

    /// What the admin should do next, in `mode`. Only a lost login differs: inside WHM the page holds
    /// the old `/cpsess` token and must be reloaded, which loses what it has not sent; as the extension
    /// each call reads the WHM tab's token afresh, so logging in there is enough.
    pub fn next_step_in(&self, mode: Mode) -> &'static str {
        match self {
            WhmError::SessionLost { .. } if mode == Mode::Extension => {
                "Log in to WHM again in the WHM tab this console works through, then try again. Nothing you typed here is lost."
            }
            WhmError::SessionLost { .. } => {
                "Log in to WHM again in this browser, then reload this page. What WHM has (sessions, queued items) shows again after the reload; what this page has not sent yet (the create form, edits in the queue table) does not, so note it first."
            }
            WhmError::Api { .. } => "Check the values you entered against WHM’s message, then try again.",
            WhmError::Http { .. } => {
                "WHM or a proxy in front of it failed. Try again in a moment; if it persists, check cpsrvd’s error log (/usr/local/cpanel/logs/error_log)."
            }
            WhmError::Network { .. } => "Check that the server is up and reachable from this browser, then try again.",
            WhmError::Timeout { .. } => {
                "The server may be busy. Try again; for long operations the work may still be running on the server."
            }
            WhmError::Malformed { .. } => {
                "Try again. If it keeps happening, a proxy may be altering WHM’s replies; the details below say where the reply broke."
            }
            WhmError::TooLarge { .. } => {
                "This is far larger than any real WHM reply: check that the console is talking to WHM and not to something in front of it."
            }
            WhmError::AlreadySending { .. } => "Wait for the answer to the first call; it appears here when it comes.",
            WhmError::Cancelled => "Nothing to do: nobody is waiting for this answer.",
            WhmError::TabClosed { .. } => {
                "Open WHM again in a tab (log in if asked), pick it in the connection bar at the top, then try again. Nothing you typed here is lost."
            }
            WhmError::PermissionNeeded { .. } => {
                "Pick the WHM tab again in the connection bar at the top and allow access in Chromium’s prompt: the extension needs it to send calls through that tab."
            }
        }
    }

    /// Extra detail for the curious (kept short, plain text).
    pub fn detail(&self) -> String {
        super::display::text(&self.raw_detail())
    }

    fn raw_detail(&self) -> String {
        match self {
            // status 0: found before anything was sent (the extension's WHM tab shows no login)
            WhmError::SessionLost { status: 0, detail } => detail.clone(),
            WhmError::SessionLost { status, detail } => format!("HTTP {status}: {detail}"),
            WhmError::Api { .. } => String::new(),
            WhmError::Http { detail, .. } | WhmError::Network { detail } => detail.clone(),
            WhmError::Timeout { .. } => String::new(),
            WhmError::Malformed { detail, at, .. } => format!("{detail} ({at})"),
            WhmError::TooLarge { .. } | WhmError::AlreadySending { .. } | WhmError::Cancelled => String::new(),
            WhmError::TabClosed { origin } | WhmError::PermissionNeeded { origin } => origin.clone(),
        }
    }

    /// Whether the same call may be sent again as it is. Mutating calls are never retried
    /// automatically whatever this says; this only tells the UI whether a "Try again" makes sense.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            WhmError::Network { .. } | WhmError::Timeout { .. } | WhmError::Http { .. } | WhmError::Malformed { .. }
        )
    }

    /// The call was aborted because nobody waits for it any more: never shown.
    pub fn is_cancelled(&self) -> bool {
        matches!(self, WhmError::Cancelled)
    }

    /// The WHM login is gone: no call can succeed until the admin logs in again.
    pub fn is_session_lost(&self) -> bool {
        matches!(self, WhmError::SessionLost { .. })
    }

    /// WHM says the transfer session does not exist (never created, or purged: §3.1).
    pub fn is_no_such_session(&self) -> bool {
        match self {
            WhmError::Api { reason, .. } => {
                let r = reason.to_ascii_lowercase();
                // WHM: “The session ID “…” does not exist.” (not the module variant of that message).
                r.contains("session id") && r.contains("does not exist")
            }
            _ => false,
        }
    }

    /// WHM refuses the call because the session is not root-authenticated (a cPanel-user session has
    /// no analysis, §3.3: “… has an invalid session type. You must provide a session ID with a session
    /// type of “RemoteRoot”.”).
    pub fn is_not_root_session(&self) -> bool {
        match self {
            WhmError::Api { reason, .. } => reason.to_ascii_lowercase().contains("invalid session type"),
            _ => false,
        }
    }

    /// `accountsummary` says there is no such account (WHM: “Account does not exist.”).
    pub fn is_no_such_account(&self) -> bool {
        matches!(self, WhmError::Api { command, reason } if command == "accountsummary" && reason.to_ascii_lowercase().contains("does not exist"))
    }

    /// `enqueue_transfer_item` refused an item because the session's queue has it already (§3.9
    /// step 9: `An item with a “user” key value of “bob” and a type of “…” already exists in the
    /// queue.`).
    pub fn is_duplicate_item(&self) -> bool {
        matches!(self, WhmError::Api { reason, .. } if reason.contains("already exists in the queue"))
    }

    /// For a mutating call: whether WHM may have carried it out although no success came back.
    /// Only a definite refusal (WHM's own `result: 0`, a refused login, a call never sent) says it
    /// did not; a timeout, a broken connection, a proxy error (502/504), an unreadable or cut-short
    /// reply, or an abort after sending all leave the outcome unknown.
    pub fn outcome_unknown(&self) -> bool {
        match self {
            WhmError::Api { .. }
            | WhmError::SessionLost { .. }
            | WhmError::AlreadySending { .. }
            | WhmError::PermissionNeeded { .. } => false,
            WhmError::Http { status, .. } => *status >= 500 || *status == 408,
            WhmError::Network { .. }
            | WhmError::Timeout { .. }
            | WhmError::Malformed { .. }
            | WhmError::TooLarge { .. }
            | WhmError::Cancelled
            | WhmError::TabClosed { .. } => true,
        }
    }

    /// Polling may go on after this error: it stops only when no read can succeed (logged out, or
    /// the session is gone).
    pub fn polling_can_recover(&self) -> bool {
        !(self.is_session_lost()
            || self.is_no_such_session()
            || self.is_cancelled()
            || matches!(self, WhmError::TabClosed { .. } | WhmError::PermissionNeeded { .. }))
    }

    /// The one rule for HTTP statuses (§2.4): 401/403 mean the WHM login is gone; any other status
    /// outside 2xx is an HTTP error. `None` for a 2xx status. `what` names the call for the detail.
    pub fn from_status(status: u16, what: &str) -> Option<WhmError> {
        let detail = if matches!(status, 401 | 403) {
            format!("{what} was refused")
        } else {
            what.to_owned()
        };
        Self::for_status(status, detail)
    }

    /// [`WhmError::from_status`]'s rule with the detail given as it is (the title of the HTML page or
    /// the start of the body WHM sent with the status).
    pub fn for_status(status: u16, detail: String) -> Option<WhmError> {
        match status {
            401 | 403 => Some(WhmError::SessionLost { status, detail }),
            200..=299 => None,
            _ => Some(WhmError::Http { status, detail }),
        }
    }
}

fn human_duration(ms: u32) -> String {
    if ms < 1000 {
        format!("{ms} ms")
    } else if ms.is_multiple_of(1000) {
        let s = ms / 1000;
        if s == 1 {
            "1 second".into()
        } else {
            format!("{s} seconds")
        }
    } else {
        format!("{:.1} seconds", f64::from(ms) / 1000.0)
    }
}

impl fmt::Display for WhmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.title(), self.next_step())
    }
}

impl std::error::Error for WhmError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_has_a_kind_title_and_next_step() {
        let all = [
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
                detail: String::new(),
            },
            WhmError::Network {
                detail: "refused".into(),
            },
            WhmError::Timeout { after_ms: 30_000 },
            WhmError::Malformed {
                detail: "EOF".into(),
                at: "line 1 column 9".into(),
                truncated: true,
            },
        ];
        let kinds: Vec<_> = all.iter().map(WhmError::kind).collect();
        assert_eq!(
            kinds,
            ["session-lost", "api", "http", "network", "timeout", "malformed"]
        );
        for e in &all {
            assert!(!e.title().is_empty());
            assert!(e.next_step().ends_with('.'));
        }
        assert!(all[1].title().contains("“a”"), "curly quotes kept");
        assert_eq!(all[4].title(), "WHM did not answer within 30 seconds.");
        assert!(all[0].next_step().contains("Log in to WHM again"));
    }

    #[test]
    fn a_lost_login_says_what_a_reload_keeps_inside_whm_and_that_the_extension_needs_none() {
        let lost = WhmError::SessionLost {
            status: 401,
            detail: String::new(),
        };
        let inside = lost.next_step_in(Mode::InsideWhm);
        assert_eq!(inside, lost.next_step());
        assert!(inside.contains("reload this page"));
        assert!(inside.contains("has not sent yet"), "says what the reload loses");
        assert!(!inside.contains("Nothing you typed here is lost"));
        let extension = lost.next_step_in(Mode::Extension);
        assert!(extension.contains("in the WHM tab"));
        assert!(!extension.contains("reload"));
        // every other error says the same either way
        let http = WhmError::Http {
            status: 502,
            detail: String::new(),
        };
        assert_eq!(http.next_step_in(Mode::Extension), http.next_step_in(Mode::InsideWhm));
    }

    #[test]
    fn the_extensions_tab_errors_have_their_own_kinds() {
        let closed = WhmError::TabClosed {
            origin: "https://h:2087".into(),
        };
        let denied = WhmError::PermissionNeeded {
            origin: "https://h:2087".into(),
        };
        assert_eq!(closed.kind(), "tab-closed");
        assert_eq!(denied.kind(), "permission-needed");
        assert!(closed.next_step().contains("pick it in the connection bar"));
        assert!(denied.title().contains("https://h:2087"));
        assert!(closed.outcome_unknown(), "the tab may have closed after sending");
        assert!(!denied.outcome_unknown(), "checked before anything is sent");
        assert!(!closed.polling_can_recover() && !denied.polling_can_recover());
        assert!(!closed.is_transient());
        let blank = WhmError::SessionLost {
            status: 0,
            detail: "no token in the tab".into(),
        };
        assert_eq!(blank.detail(), "no token in the tab");
    }

    #[test]
    fn outcome_is_unknown_unless_whm_clearly_refused() {
        let api = WhmError::Api {
            command: "create_remote_root_transfer_session".into(),
            reason: "Login failed.".into(),
        };
        assert!(!api.outcome_unknown());
        assert!(!WhmError::from_status(403, "x").unwrap().outcome_unknown());
        for status in [500, 502, 504] {
            assert!(
                WhmError::from_status(status, "x").unwrap().outcome_unknown(),
                "{status}"
            );
        }
        let truncated = WhmError::Malformed {
            detail: String::new(),
            at: String::new(),
            truncated: true,
        };
        assert!(truncated.outcome_unknown());
        assert!(WhmError::Timeout { after_ms: 1 }.outcome_unknown());
        assert!(WhmError::Cancelled.outcome_unknown());
        assert!(!WhmError::AlreadySending { command: "x".into() }.outcome_unknown());
    }

    #[test]
    fn polling_stops_only_when_it_cannot_succeed() {
        let gone = WhmError::Api {
            command: "get_transfer_session_state".into(),
            reason: "The session ID “abc” does not exist.".into(),
        };
        assert!(gone.is_no_such_session() && !gone.polling_can_recover());
        let module = WhmError::Api {
            command: "enqueue_transfer_item".into(),
            reason: "The transfer session module “X” does not exist.".into(),
        };
        assert!(!module.is_no_such_session());
        assert!(!WhmError::from_status(401, "x").unwrap().polling_can_recover());
        assert!(WhmError::from_status(502, "x").unwrap().polling_can_recover());
        assert!(WhmError::Timeout { after_ms: 1 }.polling_can_recover());
        assert_eq!(WhmError::from_status(204, "x"), None);
    }
}
