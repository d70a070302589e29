//! State of the check screen: which session, loading, the loaded analysis with its findings, errors.

use super::latest::{Latest, Ticket};
use crate::checks::{self, FindingsInput, Report, RuleContext};
use crate::shared::Shared;
use crate::whm::request::check_session_id;
use crate::whm::{self, Analysis, WhmError};
use std::collections::HashMap;
use std::rc::Rc;

/// Where an analysis came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Server { session_id: String },
    File { name: String },
    Paste,
}

impl Source {
    pub fn describe(&self) -> String {
        match self {
            Source::Server { .. } => "this server’s WHM".into(),
            Source::File { name } => format!("the file “{name}”"),
            Source::Paste => "pasted text".into(),
        }
    }
}

/// A decoded analysis with everything derived from it, computed once. The page compares props on every
/// render, so the shared parts compare by identity ([`Shared`]): two loads of equal content are
/// different loads.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    pub source: Source,
    pub analysis: Shared<Analysis>,
    pub report: Shared<Report>,
    pub ctx: Shared<RuleContext>,
    /// The reply's text as received, for the raw tree view: parsed ([`raw_data`]) only while that
    /// panel is open, so a load holds no second copy of the analysis as a JSON tree.
    pub raw: Shared<str>,
}

impl Loaded {
    /// Runs the checks engine over a decoded analysis.
    pub fn new(source: Source, analysis: Analysis, raw: Rc<str>) -> Loaded {
        let ctx = RuleContext::from_analysis(&analysis);
        let verdicts = HashMap::new();
        let report = checks::findings(FindingsInput {
            analysis: &analysis,
            ctx: &ctx,
            server_verdicts: &verdicts,
            live_transfer_requested: false,
        });
        Loaded {
            source,
            analysis: Shared::new(analysis),
            report: Shared::new(report),
            ctx: Shared::new(ctx),
            raw: raw.into(),
        }
    }

    /// From a saved reply (`whmapi1 --output=json …`, with or without the envelope) or a server body.
    pub fn from_text(source: Source, text: &str) -> Result<Loaded, WhmError> {
        let analysis: Analysis = whm::decode_saved(text)?;
        Ok(Loaded::new(source, analysis, Rc::from(text)))
    }
}

/// The `data` part of a reply as a JSON value (the whole document when there is no envelope), for the
/// raw tree view when it is opened. `Null` when the text is not JSON.
pub fn raw_data(text: &str) -> serde_json::Value {
    match serde_json::from_str::<serde_json::Value>(text.trim_start_matches('\u{feff}')) {
        Ok(mut v) => {
            if v.get("metadata").is_some() {
                v.get_mut("data").map(serde_json::Value::take).unwrap_or_default()
            } else {
                v
            }
        }
        Err(_) => serde_json::Value::Null,
    }
}

/// All that outlives the check page of an analysis: its session and first-N length, for the username
/// page. Nothing of its names: the analysis and everything derived from it are freed with the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnalysisNote {
    pub session_id: String,
    pub prefix_length: u8,
}

impl Loaded {
    pub fn note(&self) -> AnalysisNote {
        AnalysisNote {
            session_id: self.analysis.transfer_session_id.clone(),
            prefix_length: self.ctx.prefix_length,
        }
    }
}

/// What the check screen is doing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CheckState {
    /// The session-id field, exactly as typed (never cleared by an error).
    pub input: String,
    /// Why the typed id cannot be sent, shown under the field.
    pub input_error: Option<String>,
    /// The server call in flight (load or refresh), if any. The page's effect sends it.
    pub pending: Option<Pending>,
    pub loaded: Option<Loaded>,
    pub error: Option<WhmError>,
    /// The error came from an offline file or paste, not from WHM: "Try again" makes no sense.
    pub offline_error: bool,
    latest: Latest,
}

/// A call to make: which, for which session, and the ticket its answer must carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub ticket: Ticket,
    pub kind: Busy,
    pub session_id: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Busy {
    /// `retrieve_transfer_session_remote_analysis`
    Loading,
    /// The same retrieve, after the server has analysed the session again (the admin's Refresh,
    /// which the app sends: `store::reanalysis`).
    Refreshing,
}

/// What the admin or a finished call did.
#[derive(Debug, Clone)]
pub enum CheckAction {
    Edit(String),
    /// A load was asked for; the caller sends the request only if [`CheckState::pending`] returns a ticket.
    StartLoad,
    /// The server has analysed this session again (`store::reanalysis`): read the new analysis if
    /// this session's is on screen. A load still on its way is superseded: it may have read the
    /// analysis from before.
    Reanalysed(String),
    /// Analysing the session again failed (or may not have run).
    ReanalysisFailed(WhmError),
    Loaded(Ticket, Box<Loaded>),
    Failed(Ticket, WhmError),
    /// The call was cancelled (page left): forget it.
    Cancelled(Ticket),
    /// An offline file or paste: no server involved.
    Inspect(Result<Box<Loaded>, WhmError>),
    DismissError,
}

impl CheckState {
    pub fn with_input(id: &str) -> Self {
        CheckState {
            input: id.to_owned(),
            ..Default::default()
        }
    }

    /// A new call to send (it supersedes any still on its way): its ticket.
    fn send(&mut self, kind: Busy, session_id: String) -> Ticket {
        self.error = None;
        let ticket = self.latest.issue();
        self.pending = Some(Pending {
            ticket,
            kind,
            session_id,
        });
        ticket
    }

    /// The call with this ticket has ended, whatever its answer.
    fn finish(&mut self, ticket: Ticket) {
        if self.pending.as_ref().is_some_and(|p| p.ticket == ticket) {
            self.pending = None;
        }
    }

    /// The session Refresh re-analyses: the one on screen, if it came from WHM (whatever the field
    /// holds now). An analysis from a file or paste has none.
    pub fn refresh_target(&self) -> Option<&str> {
        match &self.loaded {
            Some(Loaded {
                source: Source::Server { session_id },
                ..
            }) => Some(session_id),
            _ => None,
        }
    }

    /// The id to send, if the field holds a valid one.
    pub fn session_id(&self) -> Option<&str> {
        let id = self.input.trim();
        check_session_id(id).ok().map(|_| id)
    }

    /// Applies an action. Returns the new state and, when a request must be sent, its ticket
    /// (also kept in [`CheckState::pending`]).
    pub fn apply(mut self, action: CheckAction) -> (Self, Option<Ticket>) {
        match action {
            CheckAction::Edit(text) => {
                self.input_error = None;
                self.input = text;
                (self, None)
            }
            CheckAction::StartLoad => {
                if self.pending.is_some() {
                    // never send a second call while one is in flight
                    return (self, None);
                }
                let trimmed = self.input.trim().to_owned();
                if let Err(msg) = check_session_id(&trimmed) {
                    self.input_error = Some(msg);
                    return (self, None);
                }
                self.input_error = None;
                let ticket = self.send(Busy::Loading, trimmed);
                (self, Some(ticket))
            }
            CheckAction::Reanalysed(id) => {
                if self.refresh_target() != Some(id.as_str()) {
                    // the admin has moved on to a file or paste
                    return (self, None);
                }
                let ticket = self.send(Busy::Refreshing, id);
                (self, Some(ticket))
            }
            CheckAction::ReanalysisFailed(err) => {
                self.error = Some(err);
                self.offline_error = false;
                (self, None)
            }
            CheckAction::Loaded(ticket, loaded) => {
                self.finish(ticket);
                if self.latest.is_current(ticket) {
                    self.error = None;
                    self.loaded = Some(*loaded);
                }
                (self, None)
            }
            CheckAction::Failed(ticket, err) => {
                self.finish(ticket);
                if self.latest.is_current(ticket) {
                    self.error = Some(err);
                    self.offline_error = false;
                }
                (self, None)
            }
            CheckAction::Cancelled(ticket) => {
                self.finish(ticket);
                (self, None)
            }
            CheckAction::Inspect(result) => {
                match result {
                    Ok(loaded) => {
                        // A server answer still on its way is no longer wanted. The call itself stays
                        // "in flight" until it ends, so nothing is sent twice meanwhile.
                        self.latest.invalidate();
                        self.error = None;
                        self.loaded = Some(*loaded);
                    }
                    Err(e) => {
                        self.error = Some(e);
                        self.offline_error = true;
                    }
                }
                (self, None)
            }
            CheckAction::DismissError => {
                self.error = None;
                (self, None)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GUIDE: &str = include_str!("../../tests/fixtures/guide/retrieve_transfer_session_remote_analysis.json");

    #[test]
    fn invalid_ids_are_refused_before_any_call() {
        let (s, ticket) = CheckState::with_input("bad id!").apply(CheckAction::StartLoad);
        assert!(ticket.is_none());
        assert!(
            s.input_error
                .unwrap()
                .contains("may only contain alphanumeric characters and underscores")
        );
        assert_eq!(s.input, "bad id!", "input kept");
        let (s, ticket) = CheckState::with_input("").apply(CheckAction::StartLoad);
        assert!(ticket.is_none() && s.input_error.is_some());
    }

    #[test]
    fn one_call_at_a_time_and_stale_answers_ignored() {
        let s = CheckState::with_input(" exampleservercopya20140206192428NtyW ");
        assert_eq!(s.session_id(), Some("exampleservercopya20140206192428NtyW"));
        let (s, first) = s.apply(CheckAction::StartLoad);
        let first = first.expect("sent");
        let (s, again) = s.apply(CheckAction::StartLoad);
        assert!(again.is_none(), "no second call while busy");
        let loaded = Loaded::from_text(server("exampleservercopya20140206192428NtyW"), GUIDE).unwrap();
        let (s, _) = s.apply(CheckAction::Loaded(first, Box::new(loaded)));
        assert!(s.pending.is_none() && s.loaded.is_some());
        // an answer to a superseded ticket changes nothing
        let (s, second) = s.apply(CheckAction::Reanalysed("exampleservercopya20140206192428NtyW".into()));
        let (s, _) = s.apply(CheckAction::Inspect(
            Loaded::from_text(Source::Paste, GUIDE).map(Box::new),
        ));
        let (s, _) = s.apply(CheckAction::Failed(second.unwrap(), WhmError::Timeout { after_ms: 1 }));
        assert!(s.error.is_none(), "late failure of a superseded call is not shown");
    }

    fn server(id: &str) -> Source {
        Source::Server { session_id: id.into() }
    }

    #[test]
    fn refresh_re_analyses_the_session_on_screen_not_the_field() {
        let (s, t) = CheckState::with_input("exampleservercopya20140206192428NtyW").apply(CheckAction::StartLoad);
        let loaded = Loaded::from_text(server("exampleservercopya20140206192428NtyW"), GUIDE).unwrap();
        let (s, _) = s.apply(CheckAction::Loaded(t.unwrap(), Box::new(loaded)));
        let (s, _) = s.apply(CheckAction::Edit("someothersession".into()));
        assert_eq!(s.refresh_target(), Some("exampleservercopya20140206192428NtyW"));
        let (s, t) = s.apply(CheckAction::Reanalysed("exampleservercopya20140206192428NtyW".into()));
        assert!(t.is_some());
        assert_eq!(
            s.pending.as_ref().map(|p| (p.session_id.as_str(), p.kind)),
            Some(("exampleservercopya20140206192428NtyW", Busy::Refreshing))
        );
        assert_eq!(s.input, "someothersession", "the field is left as typed");
    }

    #[test]
    fn a_reanalysis_supersedes_a_load_still_on_its_way() {
        // back on the page while the server analysed: the arrival load may read the old analysis
        let id = "exampleservercopya20140206192428NtyW";
        let (s, t) = CheckState::with_input(id).apply(CheckAction::StartLoad);
        let (s, _) = s.apply(CheckAction::Loaded(
            t.unwrap(),
            Box::new(Loaded::from_text(server(id), GUIDE).unwrap()),
        ));
        let (s, arrival) = s.apply(CheckAction::StartLoad);
        let (s, fresh) = s.apply(CheckAction::Reanalysed(id.into()));
        assert!(fresh.is_some() && fresh != arrival);
        let (s, _) = s.apply(CheckAction::Failed(arrival.unwrap(), WhmError::Timeout { after_ms: 1 }));
        assert!(
            s.error.is_none() && s.pending.is_some(),
            "the older load no longer counts"
        );
        // another session's answer, or one for a page showing a file, reads nothing
        let (s, t) = s.apply(CheckAction::Reanalysed("another".into()));
        assert!(t.is_none());
        let (s, _) = s.apply(CheckAction::ReanalysisFailed(WhmError::Timeout { after_ms: 5 }));
        assert_eq!(s.error.as_ref().map(WhmError::kind), Some("timeout"));
    }

    #[test]
    fn refresh_of_an_offline_analysis_is_refused() {
        let (s, _) = CheckState::with_input("abc").apply(CheckAction::Inspect(
            Loaded::from_text(Source::Paste, GUIDE).map(Box::new),
        ));
        assert_eq!(s.refresh_target(), None);
        let (s, t) = s.apply(CheckAction::Reanalysed("abc".into()));
        assert!(t.is_none() && s.pending.is_none());
    }

    #[test]
    fn errors_keep_the_input_and_the_last_analysis() {
        let (s, t) = CheckState::with_input("abc").apply(CheckAction::StartLoad);
        let (s, _) = s.apply(CheckAction::Failed(
            t.unwrap(),
            WhmError::Network { detail: "x".into() },
        ));
        assert_eq!(s.input, "abc");
        assert_eq!(s.error.as_ref().map(WhmError::kind), Some("network"));
        assert!(s.pending.is_none());
    }

    #[test]
    fn offline_text_with_or_without_envelope() {
        let with = Loaded::from_text(Source::Paste, GUIDE).unwrap();
        assert_eq!(
            with.analysis.transfer_session_id,
            "exampleservercopya20140206192428NtyW"
        );
        let raw = raw_data(&with.raw);
        assert!(raw.get("local").is_some(), "raw tree holds data, not the envelope");
        let bare = serde_json::to_string(&raw).unwrap();
        assert_eq!(raw_data(&bare), raw, "a bare document is its own data");
        let without = Loaded::from_text(Source::Paste, &bare).unwrap();
        assert_eq!(*without.analysis, *with.analysis, "the same analysis either way");
        assert!(matches!(
            Loaded::from_text(Source::Paste, "{not json"),
            Err(WhmError::Malformed { .. })
        ));
    }
}
