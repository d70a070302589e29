//! The check page's Refresh, app-wide: `analyze_transfer_session_remote` re-runs a session's remote
//! analysis on the server. The call is slow and mutating, and WHM goes on with it whatever the browser
//! does, so it belongs to the app, not to the page that asked: leaving the page does not abandon it,
//! and coming back during it shows it still running instead of offering a second one.
//!
//! The shell holds [`Reanalyses`] and sends what it asks for ([`Reanalyses::to_send`]); the check page
//! asks, shows a run in flight, and handles a run's answer once ([`ReanalysisAction::Seen`]).

use crate::whm::WhmError;

/// Which session, on which WHM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunKey {
    pub host: String,
    pub session_id: String,
}

impl RunKey {
    pub fn new(host: &str, session_id: &str) -> RunKey {
        RunKey {
            host: host.to_owned(),
            session_id: session_id.to_owned(),
        }
    }
}

/// One session's analyses asked for by this console.
#[derive(Debug, Clone, PartialEq)]
struct Runs {
    key: RunKey,
    /// Counts of the runs asked for, sent and answered (the n-th run is number n).
    asked: u32,
    sent: u32,
    answered: u32,
    /// The last answer, until a page has handled it.
    unseen: Option<Result<(), WhmError>>,
}

/// A run the shell must send now.
#[derive(Debug, Clone, PartialEq)]
pub struct ToSend {
    pub key: RunKey,
    pub run: u32,
}

/// What a page needs to know about a session's runs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunView {
    /// A run is asked for or on its way: the server may be analysing right now.
    pub in_flight: bool,
    /// How many runs have been answered (the latest is this number).
    pub answered: u32,
    /// The latest answer, if no page has handled it yet.
    pub unseen: Option<Result<(), WhmError>>,
}

#[derive(Debug, Clone)]
pub enum ReanalysisAction {
    /// The admin pressed Refresh. Ignored while a run of the same session is in flight: the server
    /// is analysing it already.
    Ask(RunKey),
    /// The shell has sent run `run`.
    Sent { key: RunKey, run: u32 },
    /// Run `run` was answered. A cancelled call (none is, as the shell never drops its owner) ends
    /// the run with nothing to show.
    Answered {
        key: RunKey,
        run: u32,
        result: Result<(), WhmError>,
    },
    /// A page has handled the answer of run `run`.
    Seen { key: RunKey, run: u32 },
}

/// Every session's runs since the console was opened.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reanalyses {
    runs: Vec<Runs>,
}

impl Reanalyses {
    fn get(&self, key: &RunKey) -> Option<&Runs> {
        self.runs.iter().find(|r| r.key == *key)
    }

    fn get_mut(&mut self, key: &RunKey) -> Option<&mut Runs> {
        self.runs.iter_mut().find(|r| r.key == *key)
    }

    pub fn view(&self, key: &RunKey) -> RunView {
        self.get(key).map_or_else(RunView::default, |r| RunView {
            in_flight: r.asked > r.answered,
            answered: r.answered,
            unseen: r.unseen.clone(),
        })
    }

    /// The runs asked for and not yet sent.
    pub fn to_send(&self) -> Vec<ToSend> {
        self.runs
            .iter()
            .filter(|r| r.asked > r.sent)
            .map(|r| ToSend {
                key: r.key.clone(),
                run: r.asked,
            })
            .collect()
    }

    pub fn apply(mut self, action: ReanalysisAction) -> Self {
        match action {
            ReanalysisAction::Ask(key) => match self.get_mut(&key) {
                Some(r) if r.asked > r.answered => {}
                Some(r) => {
                    r.asked += 1;
                    r.unseen = None;
                }
                None => self.runs.push(Runs {
                    key,
                    asked: 1,
                    sent: 0,
                    answered: 0,
                    unseen: None,
                }),
            },
            ReanalysisAction::Sent { key, run } => {
                if let Some(r) = self.get_mut(&key).filter(|r| r.asked == run) {
                    r.sent = run;
                }
            }
            ReanalysisAction::Answered { key, run, result } => {
                if let Some(r) = self.get_mut(&key).filter(|r| r.asked == run && r.answered < run) {
                    r.sent = run;
                    r.answered = run;
                    r.unseen = match result {
                        Err(e) if e.is_cancelled() => None,
                        other => Some(other),
                    };
                }
            }
            ReanalysisAction::Seen { key, run } => {
                if let Some(r) = self.get_mut(&key).filter(|r| r.answered == run) {
                    r.unseen = None;
                }
            }
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(id: &str) -> RunKey {
        RunKey::new("whm.example.com", id)
    }

    #[test]
    fn a_refresh_is_sent_once_however_often_it_is_asked_for() {
        let s = Reanalyses::default().apply(ReanalysisAction::Ask(key("a")));
        assert_eq!(s.to_send(), vec![ToSend { key: key("a"), run: 1 }]);
        assert!(s.view(&key("a")).in_flight);
        // a double click, or the page left and opened again
        let s = s.apply(ReanalysisAction::Ask(key("a")));
        let s = s.apply(ReanalysisAction::Sent { key: key("a"), run: 1 });
        assert!(s.to_send().is_empty(), "sent once");
        let s = s.apply(ReanalysisAction::Ask(key("a")));
        assert!(s.to_send().is_empty(), "not again while the server analyses");
        assert!(s.view(&key("a")).in_flight);
        assert!(!s.view(&key("b")).in_flight, "another session is not busy");
    }

    #[test]
    fn an_answer_is_kept_until_a_page_handles_it() {
        let s = Reanalyses::default()
            .apply(ReanalysisAction::Ask(key("a")))
            .apply(ReanalysisAction::Sent { key: key("a"), run: 1 })
            .apply(ReanalysisAction::Answered {
                key: key("a"),
                run: 1,
                result: Err(WhmError::Timeout { after_ms: 1 }),
            });
        let v = s.view(&key("a"));
        assert!(!v.in_flight);
        assert_eq!(v.answered, 1);
        assert!(matches!(v.unseen, Some(Err(WhmError::Timeout { .. }))));
        let s = s.apply(ReanalysisAction::Seen { key: key("a"), run: 1 });
        assert_eq!(s.view(&key("a")).unseen, None);
        // a new run may be asked for now, and numbers on
        let s = s.apply(ReanalysisAction::Ask(key("a")));
        assert_eq!(s.to_send(), vec![ToSend { key: key("a"), run: 2 }]);
    }

    #[test]
    fn late_or_foreign_messages_change_nothing() {
        let s = Reanalyses::default().apply(ReanalysisAction::Ask(key("a")));
        let before = s.clone();
        let s = s
            .apply(ReanalysisAction::Sent { key: key("a"), run: 7 })
            .apply(ReanalysisAction::Answered {
                key: key("b"),
                run: 1,
                result: Ok(()),
            })
            .apply(ReanalysisAction::Seen { key: key("a"), run: 1 });
        assert_eq!(s, before);
        // the same session on another WHM is another run
        let other = RunKey::new("other.example.com", "a");
        assert!(!s.view(&other).in_flight);
        let s = s
            .apply(ReanalysisAction::Answered {
                key: key("a"),
                run: 1,
                result: Ok(()),
            })
            .apply(ReanalysisAction::Answered {
                key: key("a"),
                run: 1,
                result: Err(WhmError::Timeout { after_ms: 1 }),
            });
        assert_eq!(s.view(&key("a")).unseen, Some(Ok(())), "a run is answered once");
    }

    #[test]
    fn a_cancelled_call_ends_its_run_with_nothing_to_show() {
        let s = Reanalyses::default()
            .apply(ReanalysisAction::Ask(key("a")))
            .apply(ReanalysisAction::Answered {
                key: key("a"),
                run: 1,
                result: Err(WhmError::Cancelled),
            });
        let v = s.view(&key("a"));
        assert!(!v.in_flight && v.unseen.is_none());
    }
}
