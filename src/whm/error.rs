//! Every failure an admin can meet when the console talks to WHM, in one type.

use std::fmt;

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
        }
    }

    /// One short sentence: what happened.
    pub fn title(&self) -> String {
        match self {
            WhmError::SessionLost { .. } => "Your WHM session ended.".into(),
            WhmError::Api { command, reason } => {
                if reason.trim().is_empty() {
                    format!("WHM refused “{command}” without giving a reason.")
                } else {
                    format!("WHM refused “{command}”: {reason}")
                }
            }
            WhmError::Http { status, .. } => format!("WHM answered with HTTP error {status}."),
            WhmError::Network { .. } => "The console could not reach WHM.".into(),
            WhmError::Timeout { after_ms } => {
                format!("WHM did not answer within {}.", human_duration(*after_ms))
            }
            WhmError::Malformed { truncated: true, .. } => "WHM’s answer was cut short.".into(),
            WhmError::Malformed { .. } => "WHM’s answer could not be read.".into(),
        }
    }

    /// What the admin should do next.
    pub fn next_step(&self) -> &'static str {
        match self {
            WhmError::SessionLost { .. } => {
                "Log in to WHM again in this browser, then reload this page. Nothing you typed here is lost."
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
        }
    }

    /// Extra detail for the curious (kept short, plain text).
    pub fn detail(&self) -> String {
        match self {
            WhmError::SessionLost { status, detail } => format!("HTTP {status}: {detail}"),
            WhmError::Api { .. } => String::new(),
            WhmError::Http { detail, .. } | WhmError::Network { detail } => detail.clone(),
            WhmError::Timeout { .. } => String::new(),
            WhmError::Malformed { detail, at, .. } => format!("{detail} ({at})"),
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
}
