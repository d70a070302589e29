//! The session page's state machine (`#/session/<id>`): the reported state, which controls are
//! offered and when they are enabled, the control in flight, state polls with generations, the
//! live tail's status with backoff, and the items' progress, applied line by line.
//!
//! The page's hooks only perform what this asks for (a poll, a control, the log, a tail connection)
//! and dispatch what came back. Every rule an admin relies on is here and natively tested:
//! - one control at a time, never sent twice: a control stays "in flight" from the click until a
//!   state read *sent after its reply* comes back; polls sent earlier are ignored (§3.10–3.13);
//! - polling stops only when it cannot succeed (logged out, no such session) or the session ended;
//! - the live tail reconnects from the last byte with backoff, a clean end is not a failure, the
//!   failure count resets when lines arrive, it stops at once on a lost login, says when it gives up
//!   ("live view stopped — Retry"), and starts again after a pause (§6.4);
//! - `master.log` is read once the session is terminal: before that it would block (§3.14);
//! - a second tail follows the logs of the items in progress, as WHM's page does (§6.4): their
//!   `percentage` lines move the item and queue bars between start and end, and an item log the
//!   admin opens while its item runs shows its lines as they arrive; it reconnects, backs off and
//!   stops like the master tail, and once the item ends its whole log is read once (§3.14).

pub use super::progress::{ItemRow, JoinedItem, Outcome, Progress, Tally};

use super::arrival::Arrival;
use super::item_log::ItemLog;
use crate::whm::Analysis;
use crate::whm::WhmError;
use crate::whm::logs::{TailFrame, parse_log};
use crate::whm::request::check_session_id;
use crate::whm::responses::AccountSummary;
use crate::whm::responses::{ReportedState, SessionState};
use std::rc::Rc;

/// How often the state is read while the session can still change (cPanel's own clients: 5 s).
pub const POLL_MS: u32 = 3_000;
/// Consecutive tail failures before the live view stops and offers Retry.
pub const MAX_TAIL_FAILURES: u32 = 6;
/// Most item logs followed at once by the item tail (one per worker is the usual need; the open
/// log comes first).
pub const MAX_ITEM_TAIL_FILES: usize = 24;

/// A control's mutating call.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Control {
    Start,
    Resume,
    Pause,
    Abort,
}

impl Control {
    pub fn label(self) -> &'static str {
        match self {
            Control::Start => "Start",
            Control::Resume => "Resume queue",
            Control::Pause => "Pause queue",
            Control::Abort => "Abort",
        }
    }

    pub fn testid(self) -> &'static str {
        match self {
            Control::Start => "session-start",
            Control::Resume => "session-resume",
            Control::Pause => "session-pause",
            Control::Abort => "session-abort",
        }
    }

    /// What the admin must agree to first (WHM asks too), or None.
    pub fn confirmation(self, state: SessionState) -> Option<&'static str> {
        match self {
            Control::Pause => {
                Some("Pause the queue? Items in progress finish first; no new item starts until you resume.")
            }
            Control::Abort if state == SessionState::Pending => Some(
                "Abort this session? It has not started, so WHM marks it Failed (not Aborted) and it cannot be started again.",
            ),
            Control::Abort => Some(
                "Abort this session? Running transfers stop; restores in progress may complete first. An aborted session cannot be resumed.",
            ),
            _ => None,
        }
    }

    /// The controls WHM accepts in a state.
    pub fn available(state: SessionState) -> Vec<Control> {
        let mut v = Vec::new();
        if state == SessionState::Pending {
            v.push(Control::Start);
        }
        if state == SessionState::Paused {
            v.push(Control::Resume);
        }
        if state.can_pause() {
            v.push(Control::Pause);
        }
        if state.can_abort() {
            v.push(Control::Abort);
        }
        v
    }
}

/// A request the page's hooks must perform, identified by a ticket so that its answer can be
/// matched (and a stale one dropped).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Ticket(pub u64);

/// The live tail's status, as the admin sees it.
#[derive(Clone, PartialEq, Debug)]
pub enum Live {
    /// Not wanted (the session has not started, or has ended normally).
    Idle,
    /// A connection is open or being opened.
    Following,
    /// Waiting `delay_ms` before reconnecting, after `failures` failures in a row.
    Reconnecting {
        failures: u32,
        delay_ms: u32,
        why: Option<WhmError>,
    },
    /// Stopped: the admin may retry.
    Stopped { why: LiveStop },
}

#[derive(Clone, PartialEq, Debug)]
pub enum LiveStop {
    /// Too many failures in a row; the last one.
    GaveUp(WhmError),
    /// The WHM login is gone: retrying cannot help until the admin logs in again.
    SessionLost(WhmError),
}

/// What the page's hooks must do next (read by effects keyed on these values).
#[derive(Clone, PartialEq, Debug, Default)]
pub struct Wants {
    /// Read the state now (generation).
    pub poll: Option<u64>,
    /// Schedule the next state read after [`POLL_MS`] (a counter: each new value is one timer).
    pub poll_later: Option<u64>,
    /// Send this control.
    pub control: Option<(Ticket, Control)>,
    /// Fetch `master.log` (the session is over).
    pub log: Option<Ticket>,
    /// Open a tail connection from `position`.
    pub tail: Option<(Ticket, u64)>,
    /// Reconnect the tail after a delay (ticket of the connection to open, delay ms).
    pub tail_later: Option<(Ticket, u32)>,
    /// Fetch an item's log (by file name).
    pub item_log: Option<(Ticket, String)>,
    /// Open the item tail: these item logs, each from its byte position. A new value replaces the
    /// connection (the previous one is closed); `None` closes it.
    pub item_tail: Option<(Ticket, Vec<(String, u64)>)>,
    /// Reconnect the item tail after a delay (ticket of the connection to open, delay ms).
    pub item_tail_later: Option<(Ticket, u32)>,
    /// Fetch `master.error_log` (the session is over).
    pub error_log: Option<Ticket>,
    /// Read the analysis for the arrival check (expected domains and owners).
    pub arrival_analysis: Option<Ticket>,
    /// Look up one local account (`accountsummary`).
    pub arrival_probe: Option<(Ticket, String)>,
    /// Show a desktop notification with this text (the session ended and the admin asked for it).
    pub notify: Option<(Ticket, String)>,
}

/// Whether the admin asked to be told when the session ends.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum Notify {
    #[default]
    Off,
    /// Permission asked (only ever on a click), answer pending.
    Asking,
    On,
    /// The browser refused (or cannot notify).
    Refused,
}

/// An item log the admin opened.
#[derive(Clone, PartialEq, Debug)]
pub struct OpenLog {
    pub item: String,
    pub logfile: String,
    pub content: LogContent,
}

#[derive(Clone, PartialEq, Debug)]
pub enum LogContent {
    Loading,
    Loaded(Rc<ItemLog>),
    Failed(WhmError),
    /// The item has not finished and is not followed (the session is not running): WHM would
    /// hold the call until its log closes (§3.14).
    NotYet,
    /// The item is running: its lines as they arrive through the item tail. `ended`: the item has
    /// finished and its whole log is being read.
    Live {
        log: Rc<ItemLog>,
        ended: bool,
    },
}

/// The session page's whole state.
#[derive(Clone, PartialEq, Debug)]
pub struct SessionFlow {
    pub id: String,
    /// Why the id in the route cannot be a session id: nothing is sent.
    pub id_error: Option<String>,
    pub state: Option<ReportedState>,
    /// Reading the state or the log failed (kept apart from control errors).
    pub read_error: Option<WhmError>,
    pub control_error: Option<WhmError>,
    /// The control whose call (or whose effect) is awaited: every control is disabled meanwhile.
    pub busy: Option<Control>,
    /// Polls of a generation below this were sent before the last control's reply: ignored.
    barrier: u64,
    generation: u64,
    polling_stopped: bool,
    next_ticket: u64,
    pub live: Live,
    tail_failures: u32,
    /// The last tail connection ended with its terminator ("the session is over") and this state
    /// read was asked for then: if it (or a later one) still says running, that end was wrong and
    /// counts as a failure (no hot loop).
    tail_ended: Option<u64>,
    /// Bytes of `master.log` already read through the tail.
    pub tail_position: u64,
    /// The generation of the newest state read applied: an older one answering late is ignored.
    applied: u64,
    /// `master.log` lines passed over live because they were too long to read
    /// ([`TailFrame::TooLong`]); the log read whole once the session is over has them.
    pub tail_skipped: u32,
    /// The item tail's status (the logs of the items in progress).
    pub item_live: Live,
    item_tail_failures: u32,
    /// The item logs the item tail follows, with the bytes of each already read.
    item_tail_files: Vec<(String, u64)>,
    /// Items followed live (from the tail).
    pub live_progress: Option<Rc<Progress>>,
    /// Items read from the whole `master.log` once the session ended.
    pub final_progress: Option<Rc<Progress>>,
    pub log_failed: bool,
    /// Why the last read of `master.log` failed (apart from [`SessionFlow::read_error`], the state
    /// reads' error: a log read that works on retry clears this one only).
    pub log_error: Option<WhmError>,
    /// The item log being shown, if any.
    pub open_log: Option<OpenLog>,
    /// `master.error_log`, when the session is over and it is not empty.
    pub error_log: Option<String>,
    /// The arrival check, once asked for.
    pub arrival: Option<Arrival>,
    pub notify: Notify,
    pub wants: Wants,
}

/// What happened: the admin's verbs and the answers the hooks bring back.
#[derive(Clone, Debug)]
pub enum SessionAction {
    /// The page opened (or the admin asked to read the state again).
    Refresh,
    /// A WHM connection came (back): the extension's tab picked again. What polling had given up on
    /// is read again, and the item tail reopens from the bytes read. (A call asked for while no WHM
    /// was connected waits in the page's effects and goes out now.)
    Reconnected,
    /// The scheduled poll timer fired.
    PollDue,
    Polled(u64, Result<ReportedState, WhmError>),
    /// The admin pressed a control (and agreed to its confirmation).
    Press(Control),
    Controlled(Ticket, Result<(), WhmError>),
    DismissControlError,
    LogRead(Ticket, Result<String, WhmError>),
    RetryLog,
    /// Frames of one tail connection, as they arrived.
    TailFrames(Ticket, Vec<TailFrame>),
    /// A tail connection ended: `Ok(true)` with its terminator (the session is over), `Ok(false)`
    /// without (reconnect), or an error.
    TailEnded(Ticket, Result<bool, WhmError>),
    /// The reconnect delay is over.
    TailReconnect(Ticket),
    /// The admin asked to follow live again.
    RetryLive,
    /// Frames of one item-tail connection.
    ItemTailFrames(Ticket, Vec<TailFrame>),
    /// An item-tail connection ended (as [`SessionAction::TailEnded`]).
    ItemTailEnded(Ticket, Result<bool, WhmError>),
    /// The item tail's reconnect delay is over.
    ItemTailReconnect(Ticket),
    /// The admin asked to follow the item logs live again.
    RetryItemLive,
    /// Show an item's log.
    OpenItemLog {
        item: String,
        logfile: String,
    },
    ItemLogRead(Ticket, Result<String, WhmError>),
    CloseItemLog,
    ErrorLogRead(Ticket, Result<String, WhmError>),
    /// The admin asked to confirm the restored accounts are here.
    CheckArrival,
    ArrivalAnalysis(Ticket, Result<Box<Analysis>, WhmError>),
    ArrivalProbed(Ticket, String, Result<Vec<AccountSummary>, WhmError>),
    /// The admin clicked "notify me" (the page asks the browser for permission on that click).
    AskNotify,
    /// The browser's answer: allowed or not.
    NotifyAnswer(bool),
}

/// Workers are (still) writing the log: running, or finishing items while pausing or aborting.
fn is_running(s: SessionState) -> bool {
    matches!(
        s,
        SessionState::Running | SessionState::ReachedMaxMem | SessionState::Pausing | SessionState::Aborting
    )
}

/// Waiting before reconnect attempt `failures` (1-based): 1 s, 2 s, 4 s … at most 30 s.
pub fn backoff_ms(failures: u32) -> u32 {
    let exp = failures.saturating_sub(1).min(5);
    (1_000u32 << exp).min(30_000)
}

/// What the end of a tail connection (master or item) calls for.
enum TailNext {
    /// It ended with its terminator: the session is over.
    Over,
    /// Cancelled by the page: nothing to do.
    Quiet,
    /// Reconnect: after a clean end (`None`) or a failure.
    Reconnect(Option<WhmError>),
    Stop(LiveStop),
}

/// A clean end is not a failure; a lost login stops at once; other failures count, and stop the
/// live view after [`MAX_TAIL_FAILURES`] in a row.
fn tail_next(failures: &mut u32, result: Result<bool, WhmError>) -> TailNext {
    match result {
        Ok(true) => TailNext::Over,
        Ok(false) => TailNext::Reconnect(None),
        Err(e) if e.is_cancelled() => TailNext::Quiet,
        Err(e) if e.is_session_lost() => TailNext::Stop(LiveStop::SessionLost(e)),
        Err(e) => {
            *failures += 1;
            if *failures >= MAX_TAIL_FAILURES {
                TailNext::Stop(LiveStop::GaveUp(e))
            } else {
                TailNext::Reconnect(Some(e))
            }
        }
    }
}

/// The delay before a reconnect and the status shown meanwhile.
fn reconnecting(failures: u32, why: Option<WhmError>) -> (u32, Live) {
    let delay_ms = if why.is_some() { backoff_ms(failures) } else { 1_000 };
    (
        delay_ms,
        Live::Reconnecting {
            failures,
            delay_ms,
            why,
        },
    )
}

impl SessionFlow {
    pub fn new(id: &str) -> Self {
        let id_error = check_session_id(id).err();
        SessionFlow {
            id: id.to_owned(),
            id_error,
            state: None,
            read_error: None,
            control_error: None,
            busy: None,
            barrier: 0,
            generation: 0,
            polling_stopped: false,
            next_ticket: 0,
            live: Live::Idle,
            tail_failures: 0,
            tail_ended: None,
            tail_position: 0,
            tail_skipped: 0,
            applied: 0,
            item_live: Live::Idle,
            item_tail_failures: 0,
            item_tail_files: Vec::new(),
            live_progress: None,
            final_progress: None,
            log_failed: false,
            log_error: None,
            open_log: None,
            error_log: None,
            arrival: None,
            notify: Notify::Off,
            wants: Wants::default(),
        }
    }

    /// The state as a session state (item states count as running).
    pub fn session_state(&self) -> Option<SessionState> {
        self.state.as_ref().and_then(ReportedState::as_session)
    }

    /// The controls to show, each with whether it is enabled now.
    pub fn controls(&self) -> Vec<(Control, bool)> {
        let enabled = self.busy.is_none();
        self.session_state()
            .map(Control::available)
            .unwrap_or_default()
            .into_iter()
            .map(|c| (c, enabled))
            .collect()
    }

    /// Whether the state is no longer read by itself: after an error that waiting cannot mend (the
    /// login or the WHM tab gone, no such session). [`SessionAction::Refresh`] reads it again and,
    /// if that works, polls again.
    pub fn polling_stopped(&self) -> bool {
        self.polling_stopped
    }

    /// The items to show: the whole log once read, else what the tail brought.
    pub fn progress(&self) -> Option<(&Rc<Progress>, bool)> {
        match (&self.final_progress, &self.live_progress) {
            (Some(p), _) => Some((p, false)),
            (None, Some(p)) => Some((p, true)),
            _ => None,
        }
    }

    fn ticket(&mut self) -> Ticket {
        self.next_ticket += 1;
        Ticket(self.next_ticket)
    }

    fn poll_now(&mut self) {
        if self.id_error.is_some() {
            return;
        }
        self.generation += 1;
        self.wants.poll = Some(self.generation);
        self.polling_stopped = false;
    }

    fn poll_later(&mut self) {
        let n = self.wants.poll_later.map_or(1, |n| n + 1);
        self.wants.poll_later = Some(n);
    }

    fn open_tail(&mut self) {
        let t = self.ticket();
        self.live = Live::Following;
        self.wants.tail = Some((t, self.tail_position));
        self.wants.tail_later = None;
    }

    fn tail_is_current(&self, t: Ticket) -> bool {
        self.wants.tail.is_some_and(|(w, _)| w == t)
    }

    /// Applies an action in place.
    pub fn apply(&mut self, action: SessionAction) {
        match action {
            SessionAction::Refresh => self.poll_now(),
            SessionAction::Reconnected => {
                if self.polling_stopped && self.session_state().is_none_or(|s| !s.is_terminal()) {
                    self.poll_now();
                }
                if self.wants.item_tail.is_some() {
                    self.sync_item_tail(true);
                }
            }
            SessionAction::PollDue => {
                if !self.polling_stopped {
                    self.poll_now();
                }
            }
            SessionAction::Polled(generation, result) => self.polled(generation, result),
            SessionAction::Press(control) => {
                let offered = self
                    .session_state()
                    .is_some_and(|s| Control::available(s).contains(&control));
                if self.busy.is_some() || !offered || self.id_error.is_some() {
                    return; // one mutating call at a time, and only one WHM accepts now
                }
                self.busy = Some(control);
                self.control_error = None;
                self.barrier = u64::MAX; // no poll clears `busy` until the reply is in
                let t = self.ticket();
                self.wants.control = Some((t, control));
            }
            SessionAction::Controlled(t, result) => {
                if self.wants.control.is_none_or(|(w, _)| w != t) {
                    return;
                }
                self.wants.control = None;
                if let Err(e) = result {
                    if e.is_cancelled() {
                        return;
                    }
                    self.control_error = Some(e);
                }
                // Stay busy until a state read sent from now on shows the effect.
                self.barrier = self.generation + 1;
                self.poll_now();
            }
            SessionAction::DismissControlError => self.control_error = None,
            SessionAction::LogRead(t, result) => {
                if self.wants.log != Some(t) {
                    return;
                }
                self.wants.log = None;
                match result {
                    Ok(text) => {
                        self.final_progress = Some(Rc::new(Progress::from_log(&parse_log(&text))));
                        self.log_failed = false;
                        self.log_error = None;
                    }
                    Err(e) if e.is_cancelled() => {}
                    Err(e) => {
                        self.log_error = Some(e);
                        self.log_failed = true;
                    }
                }
            }
            SessionAction::RetryLog => {
                if self.wants.log.is_none() && self.final_progress.is_none() {
                    self.log_failed = false;
                    let t = self.ticket();
                    self.wants.log = Some(t);
                }
            }
            SessionAction::TailFrames(t, frames) => {
                if !self.tail_is_current(t) {
                    return;
                }
                let progress = Rc::make_mut(self.live_progress.get_or_insert_with(Rc::default));
                let mut lines = false;
                for frame in frames {
                    match frame {
                        TailFrame::Line {
                            logfile,
                            byte_count,
                            json,
                        } if logfile == "master.log" => {
                            self.tail_position = self.tail_position.saturating_add(byte_count);
                            for line in parse_log(&json) {
                                progress.apply_line(&line);
                            }
                            lines = true;
                        }
                        TailFrame::TooLong { logfile, byte_count } if logfile == "master.log" => {
                            self.tail_position = self.tail_position.saturating_add(byte_count);
                            self.tail_skipped += 1;
                            lines = true;
                        }
                        _ => {}
                    }
                }
                if lines {
                    self.tail_failures = 0;
                    // Items started or ended: follow the logs of those in progress.
                    self.sync_item_tail(false);
                }
            }
            SessionAction::TailEnded(t, result) => {
                if !self.tail_is_current(t) {
                    return;
                }
                self.wants.tail = None;
                match tail_next(&mut self.tail_failures, result) {
                    TailNext::Over => {
                        // The session is over: the state read says how it ended.
                        self.live = Live::Idle;
                        self.poll_now();
                        self.tail_ended = Some(self.generation);
                    }
                    TailNext::Quiet => self.live = Live::Idle,
                    TailNext::Reconnect(why) => self.schedule_reconnect(why),
                    TailNext::Stop(why) => self.live = Live::Stopped { why },
                }
            }
            SessionAction::TailReconnect(t) => {
                if self.wants.tail_later.is_some_and(|(w, _)| w == t) {
                    if self.wants_live() {
                        self.open_tail();
                    } else {
                        // Paused (or ended) meanwhile: nothing to follow now. Idle, so the read that
                        // shows it running again (a resume) opens the tail.
                        self.wants.tail_later = None;
                        self.live = Live::Idle;
                    }
                }
            }
            SessionAction::OpenItemLog { item, logfile } => {
                let finished = self.session_state().is_some_and(SessionState::is_terminal)
                    || self.progress().is_some_and(|(p, _)| {
                        p.items
                            .iter()
                            .any(|r| r.logfile.as_deref() == Some(logfile.as_str()) && r.outcome.is_done())
                    });
                self.wants.item_log = None;
                let live = !finished && self.wants_live();
                let content = if finished {
                    let t = self.ticket();
                    self.wants.item_log = Some((t, logfile.clone()));
                    LogContent::Loading
                } else if live {
                    // Followed from its first byte through the item tail, as it is written.
                    self.item_tail_files.retain(|(f, _)| *f != logfile);
                    LogContent::Live {
                        log: Rc::default(),
                        ended: false,
                    }
                } else {
                    LogContent::NotYet
                };
                self.open_log = Some(OpenLog { item, logfile, content });
                self.sync_item_tail(live);
            }
            SessionAction::ItemLogRead(t, result) => {
                if self.wants.item_log.as_ref().is_none_or(|(w, _)| *w != t) {
                    return;
                }
                self.wants.item_log = None;
                if let Some(open) = &mut self.open_log {
                    open.content = match result {
                        Ok(text) => LogContent::Loaded(Rc::new(ItemLog::parse(&text))),
                        Err(e) if e.is_cancelled() => return,
                        Err(e) => LogContent::Failed(e),
                    };
                }
            }
            SessionAction::CloseItemLog => {
                self.open_log = None;
                self.wants.item_log = None;
                self.sync_item_tail(false);
            }
            SessionAction::ErrorLogRead(t, result) => {
                if self.wants.error_log != Some(t) {
                    return;
                }
                self.wants.error_log = None;
                // An error reading the error log is not worth a banner: the verdict stands.
                if let Ok(text) = result
                    && !text.trim().is_empty()
                {
                    self.error_log = Some(crate::whm::display::text(&text));
                }
            }
            SessionAction::CheckArrival => {
                let ready =
                    self.final_progress.is_some() && self.session_state().is_some_and(SessionState::is_terminal);
                let running = self.wants.arrival_analysis.is_some() || self.wants.arrival_probe.is_some();
                if ready && !running {
                    self.arrival = None;
                    let t = self.ticket();
                    self.wants.arrival_analysis = Some(t);
                }
            }
            SessionAction::ArrivalAnalysis(t, result) => {
                if self.wants.arrival_analysis != Some(t) {
                    return;
                }
                self.wants.arrival_analysis = None;
                if result.as_ref().is_err_and(WhmError::is_cancelled) {
                    return;
                }
                let Some(progress) = &self.final_progress else { return };
                let analysis = result.ok();
                let expected = super::arrival::expectations(progress, analysis.as_deref());
                self.arrival = Some(Arrival::new(expected, analysis.is_none()));
                self.probe_next();
            }
            SessionAction::ArrivalProbed(t, local, result) => {
                if self.wants.arrival_probe.as_ref().is_none_or(|(w, _)| *w != t) {
                    return;
                }
                self.wants.arrival_probe = None;
                if result.as_ref().is_err_and(WhmError::is_cancelled) {
                    return;
                }
                if let Some(a) = &mut self.arrival {
                    a.answer(&local, result);
                }
                self.probe_next();
            }
            SessionAction::AskNotify => {
                if matches!(self.notify, Notify::Off | Notify::Refused) {
                    self.notify = Notify::Asking;
                }
            }
            SessionAction::NotifyAnswer(allowed) => {
                if self.notify == Notify::Asking {
                    self.notify = if allowed { Notify::On } else { Notify::Refused };
                }
            }
            SessionAction::RetryLive => {
                if matches!(self.live, Live::Stopped { .. }) && self.wants_live() {
                    self.tail_failures = 0;
                    self.open_tail();
                }
            }
            SessionAction::ItemTailFrames(t, frames) => {
                if self.wants.item_tail.as_ref().is_none_or(|(w, _)| *w != t) {
                    return;
                }
                self.item_tail_frames(frames);
            }
            SessionAction::ItemTailEnded(t, result) => {
                if self.wants.item_tail.as_ref().is_none_or(|(w, _)| *w != t) {
                    return;
                }
                self.wants.item_tail = None;
                match tail_next(&mut self.item_tail_failures, result) {
                    // The master tail and the state read tell how the session ended.
                    TailNext::Over | TailNext::Quiet => self.item_live = Live::Idle,
                    TailNext::Stop(why) => self.item_live = Live::Stopped { why },
                    TailNext::Reconnect(why) => {
                        if self.item_tail_files.is_empty() || !self.wants_live() {
                            self.item_live = Live::Idle;
                        } else {
                            let (delay_ms, live) = reconnecting(self.item_tail_failures, why);
                            let t = self.ticket();
                            self.item_live = live;
                            self.wants.item_tail_later = Some((t, delay_ms));
                        }
                    }
                }
            }
            SessionAction::ItemTailReconnect(t) => {
                if self.wants.item_tail_later.is_some_and(|(w, _)| w == t) {
                    self.wants.item_tail_later = None;
                    self.item_live = Live::Idle;
                    self.sync_item_tail(false);
                }
            }
            SessionAction::RetryItemLive => {
                if matches!(self.item_live, Live::Stopped { .. }) {
                    self.item_tail_failures = 0;
                    self.item_live = Live::Idle;
                    self.sync_item_tail(false);
                }
            }
        }
    }

    /// The item logs worth following now: the open one while its item runs, then every item in
    /// progress (their `percentage` lines move the bars), at most [`MAX_ITEM_TAIL_FILES`].
    fn item_tail_wanted(&self) -> Vec<String> {
        let mut files = Vec::new();
        if !self.wants_live() {
            return files;
        }
        if let Some(OpenLog {
            logfile,
            content: LogContent::Live { ended: false, .. },
            ..
        }) = &self.open_log
        {
            files.push(logfile.clone());
        }
        if let Some(p) = &self.live_progress {
            for row in p.items.iter().filter(|r| r.outcome == Outcome::Running) {
                if files.len() >= MAX_ITEM_TAIL_FILES {
                    break;
                }
                if let Some(f) = &row.logfile
                    && !files.contains(f)
                {
                    files.push(f.clone());
                }
            }
        }
        files
    }

    /// Brings the item tail in line with what is wanted: a new connection when a log is to be
    /// followed that the open one does not carry (or `restart`: the open log from its first byte),
    /// none when nothing runs. A log whose item ended simply stops growing, so dropping it needs no
    /// new connection. Also reads an open log in full once its item has ended.
    fn sync_item_tail(&mut self, restart: bool) {
        self.read_open_log_once_ended();
        let wanted = self.item_tail_wanted();
        let known = std::mem::take(&mut self.item_tail_files);
        self.item_tail_files = wanted
            .into_iter()
            .map(|f| {
                let at = known.iter().find(|(k, _)| *k == f).map_or(0, |(_, p)| *p);
                (f, at)
            })
            .collect();
        if self.item_tail_files.is_empty() {
            self.wants.item_tail = None;
            self.wants.item_tail_later = None;
            if !self.wants_live() || !matches!(self.item_live, Live::Stopped { .. }) {
                self.item_live = Live::Idle;
            }
            return;
        }
        if matches!(self.item_live, Live::Stopped { .. } | Live::Reconnecting { .. }) {
            // Stopped: the admin retries. Reconnecting: the timer opens with the files wanted then.
            return;
        }
        let covered = self.wants.item_tail.as_ref().is_some_and(|(_, open)| {
            self.item_tail_files
                .iter()
                .all(|(f, _)| open.iter().any(|(o, _)| o == f))
        });
        if restart || !covered {
            let t = self.ticket();
            self.item_live = Live::Following;
            self.wants.item_tail = Some((t, self.item_tail_files.clone()));
        }
    }

    /// Once the item of a log shown live has ended (or the session is over), its log is closed:
    /// read it whole, once.
    fn read_open_log_once_ended(&mut self) {
        let terminal = self.session_state().is_some_and(SessionState::is_terminal);
        let Some(open) = &self.open_log else { return };
        if !matches!(open.content, LogContent::Live { ended: false, .. }) {
            return;
        }
        let done = terminal
            || self.progress().is_some_and(|(p, _)| {
                p.items
                    .iter()
                    .any(|r| r.logfile.as_deref() == Some(open.logfile.as_str()) && r.outcome.is_done())
            });
        if !done {
            return;
        }
        let logfile = open.logfile.clone();
        let t = self.ticket();
        self.wants.item_log = Some((t, logfile));
        if let Some(OpenLog {
            content: LogContent::Live { ended, .. },
            ..
        }) = &mut self.open_log
        {
            *ended = true;
        }
    }

    fn item_tail_frames(&mut self, frames: Vec<TailFrame>) {
        let mut lines = false;
        for frame in frames {
            let (logfile, byte_count, json) = match frame {
                TailFrame::Line {
                    logfile,
                    byte_count,
                    json,
                } => (logfile, byte_count, Some(json)),
                TailFrame::TooLong { logfile, byte_count } => (logfile, byte_count, None),
                _ => continue,
            };
            let Some((_, at)) = self.item_tail_files.iter_mut().find(|(f, _)| *f == logfile) else {
                continue;
            };
            *at = at.saturating_add(byte_count);
            lines = true;
            let Some(json) = json else {
                // Too long to read live: the open log says so; it is read whole when the item ends.
                if let Some(OpenLog {
                    logfile: open,
                    content: LogContent::Live { log, ended: false },
                    ..
                }) = &mut self.open_log
                    && *open == logfile
                {
                    Rc::make_mut(log).add_too_long(byte_count);
                }
                continue;
            };
            let parsed = parse_log(&json);
            if let Some(p) = &mut self.live_progress {
                let p = Rc::make_mut(p);
                for line in &parsed {
                    p.apply_item_line(&logfile, line);
                }
            }
            if let Some(OpenLog {
                logfile: open,
                content: LogContent::Live { log, ended: false },
                ..
            }) = &mut self.open_log
                && *open == logfile
            {
                Rc::make_mut(log).add_line(&json);
            }
        }
        if lines {
            self.item_tail_failures = 0;
        }
    }

    fn probe_next(&mut self) {
        let next = self.arrival.as_ref().and_then(|a| a.next()).map(str::to_owned);
        if let Some(local) = next {
            let t = self.ticket();
            self.wants.arrival_probe = Some((t, local));
        }
    }

    /// One more tail failure in a row: reconnect with backoff, or give up and offer Retry.
    fn tail_failed(&mut self, e: WhmError) {
        match tail_next(&mut self.tail_failures, Err(e)) {
            TailNext::Reconnect(why) => self.schedule_reconnect(why),
            TailNext::Stop(why) => self.live = Live::Stopped { why },
            TailNext::Over | TailNext::Quiet => self.live = Live::Idle,
        }
    }

    /// A clean end reconnects after a short pause without counting as a failure; an error waits
    /// longer each time.
    fn schedule_reconnect(&mut self, why: Option<WhmError>) {
        if !self.wants_live() {
            self.live = Live::Idle;
            return;
        }
        let (delay_ms, live) = reconnecting(self.tail_failures, why);
        let t = self.ticket();
        self.live = live;
        self.wants.tail_later = Some((t, delay_ms));
    }

    /// The tail is wanted while the session runs (not before it starts, not after it ended).
    fn wants_live(&self) -> bool {
        self.session_state().is_some_and(is_running)
    }

    fn polled(&mut self, generation: u64, result: Result<ReportedState, WhmError>) {
        if self.wants.poll == Some(generation) {
            self.wants.poll = None;
        }
        if generation < self.applied {
            // An older read answering after a newer one was applied: it describes the session as it
            // was before, and would turn the state back.
            return;
        }
        if generation < self.barrier {
            // Sent before the last control's reply: it may predate the control's effect. Ignored;
            // a fresh read follows.
            if self.wants.poll.is_none() && !self.polling_stopped {
                self.poll_later();
            }
            return;
        }
        if !result.as_ref().is_err_and(WhmError::is_cancelled) {
            self.applied = generation;
        }
        match result {
            Ok(state) => {
                let was_running = self.session_state().is_some_and(is_running);
                self.state = Some(state);
                self.read_error = None;
                self.busy = None; // the control's effect is now visible
                let now = self.session_state();
                let terminal = now.is_some_and(SessionState::is_terminal);
                if terminal && was_running && self.notify == Notify::On && self.wants.notify.is_none() {
                    let t = self.ticket();
                    let label = now.map_or("ended", SessionState::label);
                    self.wants.notify = Some((t, format!("Transfer session {}: {label}.", self.id)));
                }
                if terminal {
                    self.polling_stopped = true;
                    self.wants.tail_later = None;
                    if !matches!(self.live, Live::Stopped { .. }) {
                        self.live = Live::Idle;
                    }
                    if self.final_progress.is_none() && self.wants.log.is_none() && !self.log_failed {
                        let t = self.ticket();
                        self.wants.log = Some(t);
                        let t = self.ticket();
                        self.wants.error_log = Some(t);
                    }
                } else {
                    self.poll_later();
                }
                let running = now.is_some_and(is_running);
                let tail_idle = matches!(self.live, Live::Idle)
                    || (!was_running
                        && matches!(
                            self.live,
                            Live::Stopped {
                                why: LiveStop::GaveUp(_)
                            }
                        ));
                // After a terminator, the first read sent since decides whether it was the real end.
                let decided = match self.tail_ended {
                    Some(g) if generation >= g => {
                        self.tail_ended = None;
                        Some(true)
                    }
                    Some(_) => Some(false),
                    None => None,
                };
                if running && tail_idle && self.wants.tail.is_none() && self.wants.tail_later.is_none() {
                    match decided {
                        // The tail said the session was over and a read sent since says it still
                        // runs: a failure, with backoff, never an immediate reconnect (a broken or
                        // hostile server answering only the terminator would be asked again and again).
                        Some(true) => {
                            self.tail_failed(WhmError::Malformed {
                                detail:
                                    "the live log ended as if the session were over, but WHM reports it still running"
                                        .into(),
                                at: "live tail".into(),
                                truncated: false,
                            });
                        }
                        // A read sent before the terminator cannot tell: wait for the one sent after.
                        Some(false) => {}
                        None => {
                            // Started, resumed, or running when the page opened: follow it live.
                            self.tail_failures = 0;
                            self.open_tail();
                        }
                    }
                }
                // Running or not any more: the item tail follows (or closes).
                self.sync_item_tail(false);
            }
            Err(e) if e.is_cancelled() => {}
            Err(e) => {
                // `busy` stays: the control's effect is not known until a read works, and the
                // control enabled again on the state from before would let a second click send it
                // again. (A read that cannot work any more leaves "Read the state again".)
                if e.polling_can_recover() {
                    self.poll_later();
                } else {
                    self.polling_stopped = true;
                }
                self.read_error = Some(e);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "exampleservercopya20140206192428NtyW";

    fn state(name: &str) -> Result<ReportedState, WhmError> {
        Ok(ReportedState::parse(name))
    }

    /// A page that has read `name` once.
    fn at(name: &str) -> SessionFlow {
        let mut f = SessionFlow::new(ID);
        f.apply(SessionAction::Refresh);
        let g = f.wants.poll.unwrap();
        f.apply(SessionAction::Polled(g, state(name)));
        f
    }

    fn enabled(f: &SessionFlow, c: Control) -> bool {
        f.controls().iter().any(|(x, on)| *x == c && *on)
    }

    #[test]
    fn an_invalid_route_id_sends_nothing() {
        let mut f = SessionFlow::new("bad id!");
        assert!(f.id_error.is_some());
        f.apply(SessionAction::Refresh);
        f.apply(SessionAction::PollDue);
        assert_eq!(f.wants, Wants::default(), "no poll, ever");
    }

    #[test]
    fn a_poll_sent_before_a_controls_reply_never_re_enables_the_control() {
        let mut f = at("PENDING");
        assert!(enabled(&f, Control::Start));
        // a scheduled poll goes out…
        f.apply(SessionAction::PollDue);
        let early = f.wants.poll.unwrap();
        // …then the admin presses Start
        f.apply(SessionAction::Press(Control::Start));
        let (t, c) = f.wants.control.unwrap();
        assert_eq!(c, Control::Start);
        assert!(!enabled(&f, Control::Start));
        // the early poll answers PENDING while start is still in flight
        f.apply(SessionAction::Polled(early, state("PENDING")));
        assert!(!enabled(&f, Control::Start), "still busy");
        assert_eq!(f.busy, Some(Control::Start));
        // a second click sends nothing
        f.apply(SessionAction::Press(Control::Start));
        assert_eq!(f.wants.control, Some((t, Control::Start)), "the same single call");
        // the reply comes; a poll sent before it (answering late) is ignored too
        f.apply(SessionAction::PollDue);
        let before_reply = f.wants.poll.unwrap();
        f.apply(SessionAction::Controlled(t, Ok(())));
        assert!(f.wants.control.is_none());
        let after_reply = f.wants.poll.unwrap();
        assert!(after_reply > before_reply);
        f.apply(SessionAction::Polled(before_reply, state("PENDING")));
        assert_eq!(
            f.busy,
            Some(Control::Start),
            "a read sent before the reply proves nothing"
        );
        // the first read sent after the reply shows the effect
        f.apply(SessionAction::Polled(after_reply, state("RUNNING")));
        assert_eq!(f.busy, None);
        assert!(enabled(&f, Control::Pause) && enabled(&f, Control::Abort));
        assert!(!f.controls().iter().any(|(c, _)| *c == Control::Start));
    }

    #[test]
    fn a_failed_control_is_shown_and_the_state_is_read_again() {
        let mut f = at("PENDING");
        f.apply(SessionAction::Press(Control::Abort));
        let (t, _) = f.wants.control.unwrap();
        f.apply(SessionAction::Controlled(t, Err(WhmError::Timeout { after_ms: 1 })));
        assert!(f.control_error.is_some());
        assert_eq!(
            f.busy,
            Some(Control::Abort),
            "busy until the state is read: it may have aborted"
        );
        let g = f.wants.poll.unwrap();
        f.apply(SessionAction::Polled(g, state("FAILED")));
        assert_eq!(f.busy, None);
        assert!(f.controls().is_empty());
        assert!(
            f.control_error.is_some(),
            "a successful read does not hide why the control failed"
        );
    }

    #[test]
    fn a_failed_read_after_a_control_keeps_it_busy_until_a_read_works() {
        let mut f = at("RUNNING");
        f.apply(SessionAction::Press(Control::Pause));
        let (t, _) = f.wants.control.unwrap();
        f.apply(SessionAction::Controlled(t, Ok(())));
        let g = f.wants.poll.unwrap();
        f.apply(SessionAction::Polled(g, Err(WhmError::Network { detail: "x".into() })));
        assert!(f.read_error.is_some());
        assert_eq!(f.busy, Some(Control::Pause), "the pause may have happened");
        assert!(!enabled(&f, Control::Pause), "no second pause on the state from before");
        f.apply(SessionAction::Press(Control::Pause));
        assert!(f.wants.control.is_none(), "nothing sent");
        f.apply(SessionAction::PollDue);
        let g = f.wants.poll.unwrap();
        f.apply(SessionAction::Polled(g, state("PAUSING")));
        assert_eq!(f.busy, None);
        assert!(enabled(&f, Control::Abort));
    }

    #[test]
    fn a_control_not_offered_in_this_state_is_not_sent() {
        let mut f = at("COMPLETED");
        f.apply(SessionAction::Press(Control::Start));
        assert!(f.wants.control.is_none());
    }

    /// A page whose first state read failed with `e`, and that read's generation.
    fn first_read_failed(e: WhmError) -> (SessionFlow, u64) {
        let mut f = SessionFlow::new(ID);
        f.apply(SessionAction::Refresh);
        let g = f.wants.poll.unwrap();
        f.apply(SessionAction::Polled(g, Err(e)));
        (f, g)
    }

    #[test]
    fn polling_stops_when_it_cannot_succeed_or_the_session_ended() {
        let (mut f, _) = first_read_failed(WhmError::Api {
            command: "get_transfer_session_state".into(),
            reason: format!("The session ID “{ID}” does not exist."),
        });
        assert!(f.wants.poll_later.is_none());
        f.apply(SessionAction::PollDue);
        assert!(
            f.wants.poll.is_none(),
            "no more polls for a session that does not exist"
        );

        let (f, _) = first_read_failed(WhmError::Network { detail: "x".into() });
        assert!(
            f.wants.poll_later.is_some(),
            "a network error is retried by the next poll"
        );

        let f = at("COMPLETED");
        assert!(f.wants.poll_later.is_none());
        assert!(f.wants.log.is_some(), "master.log is read once terminal");
    }

    #[test]
    fn a_connection_coming_back_reads_what_was_given_up_and_reopens_the_item_tail_from_the_bytes_read() {
        let (mut f, _) = first_read_failed(WhmError::TabClosed {
            origin: "https://h:2087".into(),
        });
        assert!(f.polling_stopped());
        f.apply(SessionAction::Reconnected);
        assert!(!f.polling_stopped() && f.wants.poll.is_some(), "read again");
        // a running session with an item followed live
        let mut f = at("RUNNING");
        let bob = log_of("TRANSFER", "bob");
        master_frames(&mut f, vec![master("start-item", "TRANSFER", "bob", 1)]);
        let (before, _) = f.wants.item_tail.clone().unwrap();
        item_frames(&mut f, vec![percent(&bob, 5)]);
        let read = line_len(&percent(&bob, 5));
        f.apply(SessionAction::Reconnected);
        let (after, files) = f.wants.item_tail.clone().unwrap();
        assert_ne!(before, after, "a new connection");
        assert_eq!(files, [(bob, read)], "from the bytes already read");
        // a finished session is not read again by it
        let mut done = at("COMPLETED");
        assert!(done.polling_stopped());
        done.apply(SessionAction::Reconnected);
        assert!(done.wants.poll.is_none());
    }

    #[test]
    fn a_stopped_read_is_asked_for_again_and_then_polls_as_before() {
        let (mut f, g) = first_read_failed(WhmError::TabClosed {
            origin: "https://h:2087".into(),
        });
        assert!(f.polling_stopped(), "a closed WHM tab does not come back by waiting");
        assert!(f.read_error.is_some());
        f.apply(SessionAction::PollDue);
        assert!(f.wants.poll.is_none());
        // the admin asks again (or the page gets a new connection): one read, then polling as before
        f.apply(SessionAction::Refresh);
        assert!(!f.polling_stopped());
        let again = f.wants.poll.unwrap();
        assert!(again > g);
        f.apply(SessionAction::Polled(again, state("RUNNING")));
        assert!(f.read_error.is_none(), "the error goes once a read works");
        assert!(f.wants.poll_later.is_some(), "and the next read is scheduled");
    }

    #[test]
    fn master_log_is_read_only_once_terminal() {
        let f = at("RUNNING");
        assert!(f.wants.log.is_none());
        let mut f = at("COMPLETED");
        let t = f.wants.log.unwrap();
        f.apply(SessionAction::LogRead(t, Err(WhmError::Timeout { after_ms: 1 })));
        assert!(f.log_failed);
        assert!(matches!(f.log_error, Some(WhmError::Timeout { .. })));
        assert!(f.read_error.is_none(), "the state reads did not fail");
        f.apply(SessionAction::RetryLog);
        let t2 = f.wants.log.unwrap();
        assert_ne!(t, t2);
        f.apply(SessionAction::LogRead(t2, Ok(String::new())));
        assert!(f.final_progress.is_some() && !f.log_failed);
        assert!(f.log_error.is_none(), "the retry worked: its error goes");
    }

    fn line(action: &str, item: &str) -> TailFrame {
        let json = format!(
            r#"{{"type":"control","contents":{{"action":"{action}","child_number":1,"queue":"TRANSFER","item":"{item}","item_type":"AccountRemoteRoot"}}}}"#
        );
        TailFrame::Line {
            logfile: "master.log".into(),
            byte_count: json.len() as u64 + 1,
            json,
        }
    }

    #[test]
    fn the_tail_follows_a_running_session_and_applies_lines_incrementally() {
        let mut f = at("RUNNING");
        let (t, from) = f.wants.tail.unwrap();
        assert_eq!(from, 0);
        assert_eq!(f.live, Live::Following);
        f.apply(SessionAction::TailFrames(
            t,
            vec![line("start-item", "bob"), TailFrame::KeepAlive],
        ));
        f.apply(SessionAction::TailFrames(
            t,
            vec![line("success-item", "bob"), line("start-item", "amy")],
        ));
        let (p, live) = f.progress().unwrap();
        assert!(live);
        assert_eq!(p.items.len(), 2);
        assert_eq!(p.items[0].outcome, Outcome::Success);
        assert!(f.tail_position > 0);
    }

    #[test]
    fn a_clean_end_reconnects_from_the_last_byte_without_counting_as_failure() {
        let mut f = at("RUNNING");
        let (t, _) = f.wants.tail.unwrap();
        f.apply(SessionAction::TailFrames(t, vec![line("start-item", "bob")]));
        let pos = f.tail_position;
        for _ in 0..(MAX_TAIL_FAILURES + 2) {
            let (t, _) = f.wants.tail.unwrap();
            f.apply(SessionAction::TailEnded(t, Ok(false)));
            let (later, delay) = f.wants.tail_later.unwrap();
            assert_eq!(delay, 1_000);
            f.apply(SessionAction::TailReconnect(later));
        }
        assert_eq!(f.live, Live::Following, "clean ends never stop the live view");
        assert_eq!(f.wants.tail.unwrap().1, pos, "from the last byte read");
    }

    #[test]
    fn failures_back_off_reset_when_lines_arrive_and_give_up_with_retry() {
        let mut f = at("RUNNING");
        let err = || Err(WhmError::Network { detail: "x".into() });
        let mut delays = Vec::new();
        for i in 0..MAX_TAIL_FAILURES {
            let (t, _) = f.wants.tail.unwrap();
            if i == 2 {
                // lines arrive: the count starts again
                f.apply(SessionAction::TailFrames(t, vec![line("start-item", "bob")]));
            }
            f.apply(SessionAction::TailEnded(t, err()));
            let (later, delay) = f.wants.tail_later.unwrap();
            delays.push(delay);
            f.apply(SessionAction::TailReconnect(later));
        }
        assert_eq!(delays, [1_000, 2_000, 1_000, 2_000, 4_000, 8_000]);
        // without any line now, it gives up after MAX_TAIL_FAILURES in a row
        for _ in 0..MAX_TAIL_FAILURES {
            if let Some((t, _)) = f.wants.tail {
                f.apply(SessionAction::TailEnded(t, err()));
            }
            if let Some((later, _)) = f.wants.tail_later {
                f.apply(SessionAction::TailReconnect(later));
            }
        }
        assert!(
            matches!(
                f.live,
                Live::Stopped {
                    why: LiveStop::GaveUp(_)
                }
            ),
            "{:?}",
            f.live
        );
        assert!(f.wants.tail.is_none());
        f.apply(SessionAction::RetryLive);
        assert_eq!(f.live, Live::Following);
        assert!(f.wants.tail.is_some());
    }

    #[test]
    fn a_terminator_while_whm_says_running_backs_off_instead_of_reconnecting_at_once() {
        let mut f = at("RUNNING");
        let mut delays = Vec::new();
        for _ in 0..MAX_TAIL_FAILURES {
            let (t, _) = f.wants.tail.expect("a tail connection asked for");
            // a server that answers nothing but the terminator
            f.apply(SessionAction::TailEnded(t, Ok(true)));
            assert!(f.wants.tail.is_none(), "not reopened before the state is read");
            let g = f.wants.poll.expect("the state is read");
            f.apply(SessionAction::Polled(g, state("RUNNING")));
            assert!(f.wants.tail.is_none(), "never reopened at once: {:?}", f.live);
            match f.wants.tail_later {
                Some((later, delay)) => {
                    delays.push(delay);
                    f.apply(SessionAction::TailReconnect(later));
                }
                None => break,
            }
        }
        assert_eq!(delays, [1_000, 2_000, 4_000, 8_000, 16_000]);
        assert!(
            matches!(
                f.live,
                Live::Stopped {
                    why: LiveStop::GaveUp(_)
                }
            ),
            "{:?}",
            f.live
        );
    }

    #[test]
    fn a_terminator_at_the_real_end_stops_the_tail_without_a_failure() {
        let mut f = at("RUNNING");
        let (t, _) = f.wants.tail.unwrap();
        // a regular poll was already on its way when the tail ended
        f.apply(SessionAction::PollDue);
        let early = f.wants.poll.unwrap();
        f.apply(SessionAction::TailEnded(t, Ok(true)));
        let after = f.wants.poll.unwrap();
        assert!(after > early);
        // the early read still says RUNNING: it cannot tell, so nothing counts as failed yet
        f.apply(SessionAction::Polled(early, state("RUNNING")));
        assert_eq!(f.live, Live::Idle);
        assert!(
            f.wants.tail.is_none() && f.wants.tail_later.is_none(),
            "waits for the read sent after the end"
        );
        f.apply(SessionAction::Polled(after, state("COMPLETED")));
        assert_eq!(f.live, Live::Idle);
        assert!(f.wants.tail.is_none() && f.wants.tail_later.is_none());
    }

    #[test]
    fn a_lost_login_stops_the_tail_at_once() {
        let mut f = at("RUNNING");
        let (t, _) = f.wants.tail.unwrap();
        f.apply(SessionAction::TailEnded(
            t,
            Err(WhmError::from_status(401, "x").unwrap()),
        ));
        assert!(matches!(
            f.live,
            Live::Stopped {
                why: LiveStop::SessionLost(_)
            }
        ));
        assert!(f.wants.tail_later.is_none());
    }

    #[test]
    fn the_tail_starts_again_after_a_pause() {
        let mut f = at("RUNNING");
        let (t, _) = f.wants.tail.unwrap();
        // paused: the connection ends without a terminator and the state says PAUSED
        let g = {
            f.apply(SessionAction::PollDue);
            f.wants.poll.unwrap()
        };
        f.apply(SessionAction::Polled(g, state("PAUSED")));
        f.apply(SessionAction::TailEnded(t, Ok(false)));
        assert_eq!(f.live, Live::Idle, "no reconnects while paused");
        assert!(f.wants.tail_later.is_none());
        f.apply(SessionAction::PollDue);
        let g = f.wants.poll.unwrap();
        f.apply(SessionAction::Polled(g, state("RUNNING")));
        assert_eq!(f.live, Live::Following, "resumed: followed live again");
        assert!(f.wants.tail.is_some());
    }

    #[test]
    fn the_tail_starts_again_after_a_pause_that_came_during_a_reconnect() {
        let mut f = at("RUNNING");
        let (t, _) = f.wants.tail.unwrap();
        // the connection drops while still running: a reconnect is scheduled…
        f.apply(SessionAction::TailEnded(t, Ok(false)));
        let (later, _) = f.wants.tail_later.unwrap();
        // …and the session is paused before it is due
        f.apply(SessionAction::PollDue);
        let g = f.wants.poll.unwrap();
        f.apply(SessionAction::Polled(g, state("PAUSED")));
        f.apply(SessionAction::TailReconnect(later));
        assert_eq!(f.live, Live::Idle, "nothing to follow while paused");
        assert!(f.wants.tail_later.is_none());
        // resumed: followed live again
        f.apply(SessionAction::PollDue);
        let g = f.wants.poll.unwrap();
        f.apply(SessionAction::Polled(g, state("RUNNING")));
        assert_eq!(f.live, Live::Following);
        assert!(f.wants.tail.is_some_and(|(n, _)| n != t));
    }

    #[test]
    fn an_older_state_read_answering_late_does_not_turn_the_state_back() {
        let mut f = at("RUNNING");
        f.apply(SessionAction::PollDue);
        let older = f.wants.poll.unwrap();
        f.apply(SessionAction::Refresh); // e.g. after the tail's end marker
        let newer = f.wants.poll.unwrap();
        assert!(newer > older);
        f.apply(SessionAction::Polled(newer, state("COMPLETED")));
        let tail = f.wants.tail;
        f.apply(SessionAction::Polled(older, state("RUNNING")));
        assert_eq!(f.session_state(), Some(SessionState::Completed));
        assert!(f.polling_stopped(), "still over: nothing polls");
        assert_eq!(f.wants.tail, tail, "no tail reopened");
    }

    #[test]
    fn a_stale_tail_connection_changes_nothing() {
        let mut f = at("RUNNING");
        let (old, _) = f.wants.tail.unwrap();
        f.apply(SessionAction::TailEnded(old, Ok(false)));
        let (later, _) = f.wants.tail_later.unwrap();
        f.apply(SessionAction::TailReconnect(later));
        f.apply(SessionAction::TailFrames(old, vec![line("start-item", "ghost")]));
        assert!(f.live_progress.as_ref().is_none_or(|p| p.items.is_empty()));
    }

    #[test]
    fn an_item_log_follows_live_while_it_runs_and_opens_whole_once_finished() {
        let mut f = at("RUNNING");
        let (t, _) = f.wants.tail.unwrap();
        let mut running = line("start-item", "bob");
        if let TailFrame::Line { json, .. } = &mut running {
            *json = json.replace(
                r#""item_type""#,
                r#""logfile":"item-TRANSFER_AccountRemoteRoot_bob","item_type""#,
            );
        }
        f.apply(SessionAction::TailFrames(t, vec![running]));
        f.apply(SessionAction::OpenItemLog {
            item: "bob".into(),
            logfile: "item-TRANSFER_AccountRemoteRoot_bob".into(),
        });
        assert!(matches!(
            f.open_log.as_ref().map(|o| &o.content),
            Some(LogContent::Live { ended: false, .. })
        ));
        assert!(f.wants.item_log.is_none(), "an open log would block the call");
        // not running (paused) and not finished: nothing to follow, nothing to read yet
        let mut f = at("PAUSED");
        f.apply(SessionAction::OpenItemLog {
            item: "bob".into(),
            logfile: "item-TRANSFER_AccountRemoteRoot_bob".into(),
        });
        assert_eq!(f.open_log.as_ref().map(|o| &o.content), Some(&LogContent::NotYet));
        assert!(f.wants.item_log.is_none() && f.wants.item_tail.is_none());
        let mut f = at("COMPLETED");
        f.apply(SessionAction::OpenItemLog {
            item: "bob".into(),
            logfile: "item-RESTORE_AccountRemoteRoot_bob".into(),
        });
        let (t, file) = f.wants.item_log.clone().unwrap();
        assert_eq!(file, "item-RESTORE_AccountRemoteRoot_bob");
        f.apply(SessionAction::ItemLogRead(
            t,
            Ok(r#"{"type":"warn","contents":{"msg":["Quota could not be set."]}}"#.into()),
        ));
        match &f.open_log.as_ref().unwrap().content {
            LogContent::Loaded(l) => assert_eq!(l.count(crate::store::item_log::EntryKind::Warning), 1),
            other => panic!("{other:?}"),
        }
        assert!(
            f.wants.error_log.is_some(),
            "master.error_log is read once terminal too"
        );
    }

    #[test]
    fn the_arrival_check_looks_up_each_restored_account_once() {
        let mut f = at("COMPLETED");
        let t = f.wants.log.unwrap();
        let log = [
            r#"{"type":"control","contents":{"action":"success-item","child_number":1,"queue":"RESTORE","item":"bob","item_type":"AccountRemoteRoot","msg":{"size":1}}}"#,
            r#"{"type":"control","contents":{"action":"success-item","child_number":1,"queue":"RESTORE","item":"amy","item_type":"AccountRemoteRoot","msg":{"size":1}}}"#,
        ]
        .join("\n");
        f.apply(SessionAction::LogRead(t, Ok(log)));
        f.apply(SessionAction::CheckArrival);
        let t = f.wants.arrival_analysis.unwrap();
        f.apply(SessionAction::CheckArrival);
        assert_eq!(f.wants.arrival_analysis, Some(t), "one check at a time");
        f.apply(SessionAction::ArrivalAnalysis(
            t,
            Err(WhmError::Timeout { after_ms: 1 }),
        ));
        assert!(f.arrival.as_ref().unwrap().without_analysis);
        let (t, user) = f.wants.arrival_probe.clone().unwrap();
        assert_eq!(user, "bob");
        f.apply(SessionAction::ArrivalProbed(
            t,
            user,
            Ok(vec![AccountSummary {
                user: "bob".into(),
                diskused: "1M".into(),
                ..Default::default()
            }]),
        ));
        let (t, user) = f.wants.arrival_probe.clone().unwrap();
        assert_eq!(user, "amy");
        f.apply(SessionAction::ArrivalProbed(
            t,
            user,
            Err(WhmError::Api {
                command: "accountsummary".into(),
                reason: "Account does not exist.".into(),
            }),
        ));
        let a = f.arrival.as_ref().unwrap();
        assert!(a.done() && f.wants.arrival_probe.is_none());
        assert_eq!(a.flagged(), 1);
        assert_eq!(a.rows[0].verdict.arrived(), Some(true));
    }

    #[test]
    fn the_end_is_notified_once_and_only_when_asked() {
        let mut f = at("RUNNING");
        f.apply(SessionAction::AskNotify);
        assert_eq!(f.notify, Notify::Asking);
        f.apply(SessionAction::NotifyAnswer(true));
        f.apply(SessionAction::PollDue);
        let g = f.wants.poll.unwrap();
        f.apply(SessionAction::Polled(g, state("COMPLETED")));
        let (_, text) = f.wants.notify.clone().unwrap();
        assert!(text.contains("Completed"));
        let mut quiet = at("RUNNING");
        quiet.apply(SessionAction::PollDue);
        let g = quiet.wants.poll.unwrap();
        quiet.apply(SessionAction::Polled(g, state("COMPLETED")));
        assert!(quiet.wants.notify.is_none(), "never without the admin's click");
        let opened_after = at("COMPLETED");
        assert!(opened_after.wants.notify.is_none());
    }

    #[test]
    fn backoff_is_capped() {
        assert_eq!(backoff_ms(1), 1_000);
        assert_eq!(backoff_ms(40), 30_000);
    }

    fn log_of(queue: &str, item: &str) -> String {
        format!("item-{queue}_AccountRemoteRoot_{item}")
    }

    /// A master.log line about an item, naming its log and size.
    fn master(action: &str, queue: &str, item: &str, size: u64) -> TailFrame {
        let json = format!(
            r#"{{"type":"control","contents":{{"action":"{action}","child_number":1,"queue":"{queue}","item":"{item}","item_type":"AccountRemoteRoot","logfile":"{}","msg":{{"size":{size}}}}}}}"#,
            log_of(queue, item)
        );
        TailFrame::Line {
            logfile: "master.log".into(),
            byte_count: json.len() as u64 + 1,
            json,
        }
    }

    fn queue_size(queue: &str, size: u64) -> TailFrame {
        let json = format!(
            r#"{{"type":"control","contents":{{"action":"queue_size","child_number":0,"queue":"{queue}","msg":{size}}}}}"#
        );
        TailFrame::Line {
            logfile: "master.log".into(),
            byte_count: json.len() as u64 + 1,
            json,
        }
    }

    /// A line of an item's own log.
    fn item_frame(logfile: &str, json: &str) -> TailFrame {
        TailFrame::Line {
            logfile: logfile.into(),
            byte_count: json.len() as u64 + 1,
            json: json.into(),
        }
    }

    fn percent(logfile: &str, p: u32) -> TailFrame {
        item_frame(
            logfile,
            &format!(r#"{{"type":"control","contents":{{"action":"percentage","percentage":{p}}}}}"#),
        )
    }

    fn out(logfile: &str, text: &str) -> TailFrame {
        item_frame(logfile, &format!(r#"{{"type":"out","contents":{{"msg":["{text}"]}}}}"#))
    }

    fn master_frames(f: &mut SessionFlow, frames: Vec<TailFrame>) {
        let (t, _) = f.wants.tail.unwrap();
        f.apply(SessionAction::TailFrames(t, frames));
    }

    fn item_frames(f: &mut SessionFlow, frames: Vec<TailFrame>) {
        let (t, _) = f.wants.item_tail.clone().unwrap();
        f.apply(SessionAction::ItemTailFrames(t, frames));
    }

    fn tailed(f: &SessionFlow) -> Vec<(String, u64)> {
        f.wants.item_tail.clone().map(|(_, files)| files).unwrap_or_default()
    }

    #[test]
    fn the_logs_of_items_in_progress_are_tailed_and_their_percentages_move_the_bars_by_size() {
        let mut f = at("RUNNING");
        assert!(f.wants.item_tail.is_none(), "nothing runs yet");
        let (bob, amy) = (log_of("TRANSFER", "bob"), log_of("TRANSFER", "amy"));
        master_frames(
            &mut f,
            vec![
                queue_size("TRANSFER", 300),
                master("process-item", "TRANSFER", "bob", 100),
                master("start-item", "TRANSFER", "bob", 100),
                master("start-item", "TRANSFER", "amy", 200),
            ],
        );
        assert_eq!(tailed(&f), [(bob.clone(), 0), (amy.clone(), 0)]);
        assert_eq!(f.item_live, Live::Following);
        let bar = |f: &SessionFlow| f.live_progress.as_ref().unwrap().queue_fraction("TRANSFER");
        assert_eq!(bar(&f), 0.0);
        item_frames(&mut f, vec![percent(&amy, 50)]);
        assert!((bar(&f) - 100.0 / 300.0).abs() < 1e-9, "200 bytes × 50% of 300");
        item_frames(&mut f, vec![percent(&bob, 10), out(&bob, "Copying homedir …")]);
        assert!((bar(&f) - 110.0 / 300.0).abs() < 1e-9, "(100 × 10% + 200 × 50%) / 300");
        let p = f.live_progress.clone().unwrap();
        let amy_row = p.joined().into_iter().find(|j| j.item() == "amy").unwrap();
        assert_eq!(amy_row.percent(), 25.0, "half of the transfer is a quarter of the item");
        // lines of logs the tail does not follow are ignored
        item_frames(&mut f, vec![percent(&log_of("TRANSFER", "ghost"), 90)]);
        assert!((bar(&f) - 110.0 / 300.0).abs() < 1e-9);
    }

    #[test]
    fn a_new_item_reopens_the_item_tail_from_the_bytes_read_and_an_ended_one_needs_none() {
        let mut f = at("RUNNING");
        let bob = log_of("TRANSFER", "bob");
        master_frames(&mut f, vec![master("start-item", "TRANSFER", "bob", 1)]);
        let first = f.wants.item_tail.clone().unwrap().0;
        item_frames(&mut f, vec![percent(&bob, 5)]);
        let read = percent(&bob, 5);
        let TailFrame::Line { byte_count, .. } = read else {
            unreachable!()
        };
        master_frames(&mut f, vec![master("start-item", "TRANSFER", "amy", 1)]);
        let (second, files) = f.wants.item_tail.clone().unwrap();
        assert_ne!(first, second, "a log to add: a new connection");
        assert_eq!(files, [(bob.clone(), byte_count), (log_of("TRANSFER", "amy"), 0)]);
        // bob's transfer ends: its log just stops growing, the connection stays
        master_frames(&mut f, vec![master("success-item", "TRANSFER", "bob", 1)]);
        assert_eq!(f.wants.item_tail.clone().unwrap().0, second);
        // nothing runs any more: no connection
        master_frames(&mut f, vec![master("success-item", "TRANSFER", "amy", 1)]);
        assert!(f.wants.item_tail.is_none());
        assert_eq!(f.item_live, Live::Idle);
        // a frame of the closed connection changes nothing
        f.apply(SessionAction::ItemTailFrames(second, vec![percent(&bob, 1)]));
        f.apply(SessionAction::ItemTailEnded(second, Err(WhmError::Cancelled)));
        assert_eq!(f.item_live, Live::Idle);
    }

    #[test]
    fn lines_too_long_to_read_live_move_the_positions_past_them_and_are_said() {
        let mut f = at("RUNNING");
        master_frames(&mut f, vec![master("start-item", "TRANSFER", "bob", 1)]);
        let pos = f.tail_position;
        master_frames(
            &mut f,
            vec![
                TailFrame::TooLong {
                    logfile: "master.log".into(),
                    byte_count: 3_000_000,
                },
                master("success-item", "TRANSFER", "bob", 1),
            ],
        );
        assert_eq!(
            f.tail_position,
            pos + 3_000_000 + line_len(&master("success-item", "TRANSFER", "bob", 1))
        );
        assert_eq!(f.tail_skipped, 1);
        let p = f.live_progress.clone().unwrap();
        assert_eq!(p.items[0].outcome, Outcome::Success, "the lines after it are read");
        // an item log: the next connection starts past the line, and the open log says where it was
        master_frames(&mut f, vec![master("start-item", "TRANSFER", "amy", 1)]);
        let amy = log_of("TRANSFER", "amy");
        f.apply(SessionAction::OpenItemLog {
            item: "amy".into(),
            logfile: amy.clone(),
        });
        item_frames(
            &mut f,
            vec![
                out(&amy, "before"),
                TailFrame::TooLong {
                    logfile: amy.clone(),
                    byte_count: 2 << 20,
                },
                out(&amy, "after"),
            ],
        );
        let LogContent::Live { log, .. } = &f.open_log.as_ref().unwrap().content else {
            panic!("live")
        };
        let kinds: Vec<_> = log.entries().map(|e| (e.kind, e.text.clone())).collect();
        assert_eq!(kinds.len(), 3);
        assert_eq!(kinds[1].0, crate::store::item_log::EntryKind::TooLong);
        assert!(
            kinds[1].1.starts_with("A line of 2.0 MiB was too long to show live."),
            "{}",
            kinds[1].1
        );
        assert_eq!(kinds[2].1, "after");
        let at = tailed(&f).into_iter().find(|(l, _)| *l == amy).unwrap().1;
        assert_eq!(at, 0, "this connection was opened from byte 0");
        master_frames(&mut f, vec![master("start-item", "TRANSFER", "cat", 1)]);
        let at = tailed(&f).into_iter().find(|(l, _)| *l == amy).unwrap().1;
        assert_eq!(
            at,
            line_len(&out(&amy, "before")) + (2 << 20) + line_len(&out(&amy, "after")),
            "the reopened tail starts past the long line"
        );
    }

    fn line_len(f: &TailFrame) -> u64 {
        match f {
            TailFrame::Line { byte_count, .. } => *byte_count,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_running_items_log_follows_live_then_is_read_whole_once_the_item_ends() {
        let mut f = at("RUNNING");
        let log = log_of("TRANSFER", "bob");
        master_frames(
            &mut f,
            vec![
                master("start-item", "TRANSFER", "bob", 1),
                master("start-item", "TRANSFER", "amy", 1),
            ],
        );
        item_frames(&mut f, vec![out(&log, "Remote host: “remote.example.com”")]);
        let before = f.wants.item_tail.clone().unwrap().0;
        f.apply(SessionAction::OpenItemLog {
            item: "bob".into(),
            logfile: log.clone(),
        });
        assert!(
            f.wants.item_log.is_none(),
            "an open log would block fetch_transfer_session_log"
        );
        let (t, files) = f.wants.item_tail.clone().unwrap();
        assert_ne!(t, before, "reconnected…");
        assert_eq!(
            files[0],
            (log.clone(), 0),
            "…with the open log first, from its first byte"
        );
        let shown = |f: &SessionFlow| match &f.open_log.as_ref().unwrap().content {
            LogContent::Live { log, .. } => log.entries().count(),
            other => panic!("{other:?}"),
        };
        assert_eq!(shown(&f), 0);
        item_frames(
            &mut f,
            vec![out(&log, "Remote host: “remote.example.com”"), percent(&log, 5)],
        );
        item_frames(&mut f, vec![out(&log, "Copying homedir …")]);
        assert_eq!(shown(&f), 2, "lines appear as they arrive");
        item_frames(&mut f, vec![out(&log_of("TRANSFER", "amy"), "not bob's")]);
        assert_eq!(shown(&f), 2, "only the open log's lines");
        // the item ends: its whole log is read once, the live lines stay until it comes
        master_frames(&mut f, vec![master("success-item", "TRANSFER", "bob", 1)]);
        let (t, file) = f.wants.item_log.clone().unwrap();
        assert_eq!(file, log);
        assert!(matches!(
            f.open_log.as_ref().unwrap().content,
            LogContent::Live { ended: true, .. }
        ));
        assert_eq!(
            f.item_tail_files.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>(),
            [log_of("TRANSFER", "amy")],
            "amy still runs: her log is still followed, bob's is not"
        );
        item_frames(&mut f, vec![out(&log, "late")]);
        assert_eq!(shown(&f), 2);
        f.apply(SessionAction::ItemLogRead(
            t,
            Ok(r#"{"type":"success","contents":{"msg":["Success."]}}"#.into()),
        ));
        assert!(matches!(f.open_log.as_ref().unwrap().content, LogContent::Loaded(_)));
        assert!(f.wants.item_log.is_none());
    }

    #[test]
    fn closing_the_panel_stops_the_live_lines_and_the_full_read() {
        let mut f = at("RUNNING");
        let log = log_of("RESTORE", "bob");
        master_frames(&mut f, vec![master("start-item", "RESTORE", "bob", 1)]);
        f.apply(SessionAction::OpenItemLog {
            item: "bob".into(),
            logfile: log.clone(),
        });
        f.apply(SessionAction::CloseItemLog);
        assert!(f.open_log.is_none());
        master_frames(&mut f, vec![master("success-item", "RESTORE", "bob", 1)]);
        assert!(f.wants.item_log.is_none(), "nobody reads it");
        assert!(f.wants.item_tail.is_none(), "nothing runs: the item tail is closed");
    }

    #[test]
    fn the_item_tail_backs_off_gives_up_with_retry_and_stops_on_a_lost_login() {
        let mut f = at("RUNNING");
        let bob = log_of("TRANSFER", "bob");
        master_frames(&mut f, vec![master("start-item", "TRANSFER", "bob", 1)]);
        let err = || Err(WhmError::Network { detail: "x".into() });
        let mut delays = Vec::new();
        for i in 0..MAX_TAIL_FAILURES {
            let (t, _) = f.wants.item_tail.clone().unwrap();
            if i == 2 {
                f.apply(SessionAction::ItemTailFrames(t, vec![percent(&bob, 20)]));
            }
            f.apply(SessionAction::ItemTailEnded(t, err()));
            let (later, delay) = f.wants.item_tail_later.unwrap();
            assert!(matches!(f.item_live, Live::Reconnecting { .. }));
            delays.push(delay);
            f.apply(SessionAction::ItemTailReconnect(later));
        }
        assert_eq!(
            delays,
            [1_000, 2_000, 1_000, 2_000, 4_000, 8_000],
            "reset when lines arrive"
        );
        let (t, files) = f.wants.item_tail.clone().unwrap();
        assert!(files[0].1 > 0, "reconnects from the bytes read");
        f.apply(SessionAction::ItemTailEnded(t, Ok(false)));
        assert_eq!(f.wants.item_tail_later.unwrap().1, 1_000, "a clean end is no failure");
        for _ in 0..=MAX_TAIL_FAILURES {
            if let Some((later, _)) = f.wants.item_tail_later {
                f.apply(SessionAction::ItemTailReconnect(later));
            }
            if let Some((t, _)) = f.wants.item_tail.clone() {
                f.apply(SessionAction::ItemTailEnded(t, err()));
            }
        }
        assert!(
            matches!(
                f.item_live,
                Live::Stopped {
                    why: LiveStop::GaveUp(_)
                }
            ),
            "{:?}",
            f.item_live
        );
        assert!(f.wants.item_tail.is_none() && f.wants.item_tail_later.is_none());
        assert_eq!(f.live, Live::Following, "the master tail is not affected");
        // a new item does not restart it behind the admin's back; Retry does
        master_frames(&mut f, vec![master("start-item", "TRANSFER", "amy", 1)]);
        assert!(f.wants.item_tail.is_none());
        f.apply(SessionAction::RetryItemLive);
        assert_eq!(f.item_live, Live::Following);
        assert_eq!(tailed(&f).len(), 2);
        // a lost login stops it at once
        let (t, _) = f.wants.item_tail.clone().unwrap();
        f.apply(SessionAction::ItemTailEnded(
            t,
            Err(WhmError::from_status(401, "x").unwrap()),
        ));
        assert!(matches!(
            f.item_live,
            Live::Stopped {
                why: LiveStop::SessionLost(_)
            }
        ));
        assert!(f.wants.item_tail_later.is_none());
    }

    #[test]
    fn the_item_tail_closes_when_the_session_stops_running() {
        let mut f = at("RUNNING");
        let log = log_of("TRANSFER", "bob");
        master_frames(&mut f, vec![master("start-item", "TRANSFER", "bob", 1)]);
        f.apply(SessionAction::OpenItemLog {
            item: "bob".into(),
            logfile: log.clone(),
        });
        assert!(f.wants.item_tail.is_some());
        f.apply(SessionAction::PollDue);
        let g = f.wants.poll.unwrap();
        f.apply(SessionAction::Polled(g, state("ABORTED")));
        assert!(f.wants.item_tail.is_none(), "closed");
        assert_eq!(f.item_live, Live::Idle);
        let (_, file) = f.wants.item_log.clone().unwrap();
        assert_eq!(file, log, "the session is over: the open log is read whole");
        // opened after the end, a log of an unfinished item is read at once too
        f.apply(SessionAction::OpenItemLog {
            item: "amy".into(),
            logfile: log_of("TRANSFER", "amy"),
        });
        assert_eq!(f.wants.item_log.clone().unwrap().1, log_of("TRANSFER", "amy"));
    }
}
