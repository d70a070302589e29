//! The history of transfer sessions this browser created or opened (`#/sessions`). WHM API 1 has no
//! call that lists sessions and purges them after 30 days (whm-transfer-api.md §3.0, §3.1), so the
//! console keeps its own record: id, source host, kind of session (root or cPanel user, with the
//! source account of a user session), last known state and when it was seen, item counts.
//! Nothing secret is stored. Pure: the storage document (parse/serialise, with the migration from
//! the older one-id-per-line text of `store::recent`), the merge of what a page learns, and the
//! "refresh all" state machine ([`HistoryState::apply`]); `ui/history.rs` does the storage and calls.

use super::progress::{Outcome, Progress};
use crate::whm::WhmError;
use crate::whm::request::check_session_id;
use crate::whm::responses::{ReportedState, SessionState};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// The version of the stored document written now.
pub const VERSION: u64 = 1;
/// How many sessions are kept (oldest dropped first).
pub const KEEP: usize = 200;
/// Most `get_transfer_session_state` calls in flight during "refresh all".
pub const MAX_IN_FLIGHT: usize = 3;
/// Longest source host kept.
const HOST_CHARS: usize = 255;
/// Longest source cPanel username kept.
const REMOTE_USER_CHARS: usize = 64;

/// Which kind of session it is (§3.1, §3.3): root-authenticated (initiator `copyacct`) or cPanel-user
/// (`norootcopy`: one account, with that account's password; no analysis).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    Root,
    User,
}

impl SessionKind {
    /// The stored name and `data-kind`: `root` or `user`.
    pub fn id(self) -> &'static str {
        match self {
            SessionKind::Root => "root",
            SessionKind::User => "user",
        }
    }

    pub fn parse(name: &str) -> Option<SessionKind> {
        match name.trim() {
            "root" => Some(SessionKind::Root),
            "user" => Some(SessionKind::User),
            _ => None,
        }
    }
}

/// How a session was created, as far as this browser knows: its kind and, for a cPanel-user session,
/// the source account it is for (not secret; its password is never kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionOrigin {
    pub kind: SessionKind,
    pub remote_user: Option<String>,
}

/// The kind of session an id names, read from the initiator WHM puts in it (§3.1: `copya` for root
/// sessions, `noroo` for user sessions, followed by the creation time). `None` when the id does not
/// have that shape (ids are not guaranteed to keep it).
pub fn kind_from_id(id: &str) -> Option<SessionKind> {
    let b = id.as_bytes();
    let marked = |marker: &str| {
        id.match_indices(marker).any(|(at, _)| {
            let start = at + marker.len();
            b.get(start..start + 14)
                .is_some_and(|d| d.iter().all(u8::is_ascii_digit) && created_at(d).is_some())
        })
    };
    match (marked("copya"), marked("noroo")) {
        (true, false) => Some(SessionKind::Root),
        (false, true) => Some(SessionKind::User),
        _ => None,
    }
}

/// What this browser knows of how session `id` was created: what was recorded when it was created
/// here, else what its id says (then without the source account). For the check page: a user session
/// has no analysis and queues its one account.
/// Whether this browser created session `id` (its create form recorded the kind): only then does
/// the console know how it was created, e.g. that a cPanel-user session restores unrestricted.
pub fn created_here(entries: &[Entry], id: &str) -> bool {
    entries.iter().any(|e| e.id == id && e.kind.is_some())
}

pub fn origin_of(entries: &[Entry], id: &str) -> Option<SessionOrigin> {
    match entries.iter().find(|e| e.id == id) {
        Some(e) => e.kind().map(|kind| SessionOrigin {
            kind,
            remote_user: e.remote_user.clone(),
        }),
        None => kind_from_id(id).map(|kind| SessionOrigin {
            kind,
            remote_user: None,
        }),
    }
}

/// The last state known for a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LastState {
    State(SessionState),
    /// WHM answered with a state this console does not know (kept as a short upper-case word).
    Other(String),
    /// WHM says the session does not exist (purged after 30 days, or never on this server).
    Gone,
}

impl LastState {
    /// The stable name (`data-state`): `COMPLETED`, `GONE`, …
    pub fn name(&self) -> &str {
        match self {
            LastState::State(s) => s.name(),
            LastState::Other(s) => s,
            LastState::Gone => "GONE",
        }
    }

    /// What the admin reads.
    pub fn label(&self) -> String {
        match self {
            LastState::State(s) => s.label().to_owned(),
            LastState::Other(s) => format!("Reported as “{s}”"),
            LastState::Gone => "Gone from WHM".to_owned(),
        }
    }

    /// Reads a stored or reported name; `None` for nothing usable.
    pub fn parse(name: &str) -> Option<LastState> {
        let n = name.trim();
        if n.eq_ignore_ascii_case("GONE") {
            return Some(LastState::Gone);
        }
        match ReportedState::parse(n).as_session() {
            Some(s) => Some(LastState::State(s)),
            None => {
                let word: String = n
                    .chars()
                    .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .take(32)
                    .collect::<String>()
                    .to_ascii_uppercase();
                (!word.is_empty()).then_some(LastState::Other(word))
            }
        }
    }

    /// The session can no longer change (ended, or gone).
    pub fn is_final(&self) -> bool {
        match self {
            LastState::State(s) => s.is_terminal(),
            LastState::Other(_) => false,
            LastState::Gone => true,
        }
    }
}

impl From<SessionState> for LastState {
    fn from(s: SessionState) -> Self {
        LastState::State(s)
    }
}

impl From<&ReportedState> for LastState {
    fn from(r: &ReportedState) -> Self {
        match r {
            ReportedState::Unknown(name) => {
                LastState::parse(name).unwrap_or_else(|| LastState::Other("UNKNOWN".into()))
            }
            other => other
                .as_session()
                .map_or_else(|| LastState::Other("UNKNOWN".into()), LastState::State),
        }
    }
}

impl From<ReportedState> for LastState {
    fn from(r: ReportedState) -> Self {
        LastState::from(&r)
    }
}

/// One remembered session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: String,
    /// The source server, when a page learned it (`remotehost` in the master log, or the create form).
    pub host: Option<String>,
    /// Recorded when this browser created it.
    pub kind: Option<SessionKind>,
    /// The source cPanel account of a user session created here.
    pub remote_user: Option<String>,
    pub state: Option<LastState>,
    /// When `state` was seen (ms since the Unix epoch).
    pub seen_ms: Option<u64>,
    /// Items (distinct accounts and packages) and how many of them failed, when known.
    pub items: Option<(u64, u64)>,
    /// When this browser first remembered it (ms since the Unix epoch).
    pub added_ms: Option<u64>,
    /// Fields this version does not know (a newer console wrote them), written back as they were:
    /// going back to an older console loses nothing the newer one stored.
    pub extra: serde_json::Map<String, Value>,
}

/// The fields of a stored entry this version reads.
const KNOWN_FIELDS: [&str; 9] = [
    "id",
    "host",
    "kind",
    "remote_user",
    "state",
    "seen",
    "items",
    "failed",
    "added",
];

impl Entry {
    pub fn new(id: &str) -> Entry {
        Entry {
            id: id.to_owned(),
            host: None,
            kind: None,
            remote_user: None,
            state: None,
            seen_ms: None,
            items: None,
            added_ms: None,
            extra: serde_json::Map::new(),
        }
    }

    /// When WHM created it, read from the id (§3.1).
    pub fn created(&self) -> Option<Created> {
        created_from_id(&self.id)
    }

    /// The kind recorded when it was created here, else the one its id names.
    pub fn kind(&self) -> Option<SessionKind> {
        self.kind.or_else(|| kind_from_id(&self.id))
    }

    /// `data-state`: the last state's name, `UNKNOWN` before any was seen.
    pub fn state_name(&self) -> &str {
        self.state.as_ref().map_or("UNKNOWN", LastState::name)
    }
}

/// What a page learned about a session. Every field is optional: only what is `Some` changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryUpdate {
    pub state: Option<LastState>,
    /// (items, failed items).
    pub items: Option<(u64, u64)>,
    pub host: Option<String>,
    /// How it was created (the create page knows).
    pub origin: Option<SessionOrigin>,
}

impl HistoryUpdate {
    /// The session was seen in this state.
    pub fn seen(state: impl Into<LastState>) -> Self {
        HistoryUpdate {
            state: Some(state.into()),
            ..Default::default()
        }
    }

    /// Item counts and the source host from a session's progress (its master log).
    pub fn with_progress(mut self, progress: &Progress) -> Self {
        self.items = Some(item_counts(progress));
        if let Some(h) = progress.remote_host.as_deref().filter(|h| !h.trim().is_empty()) {
            self.host = Some(h.trim().to_owned());
        }
        self
    }

    /// The kind of session and, for a user session, its source account.
    pub fn with_origin(mut self, origin: SessionOrigin) -> Self {
        self.origin = Some(origin);
        self
    }

    pub fn with_host(mut self, host: &str) -> Self {
        if !host.trim().is_empty() {
            self.host = Some(host.trim().to_owned());
        }
        self
    }

    /// What a `get_transfer_session_state` answer tells the history: a state, "gone" for a session
    /// WHM no longer has, nothing for any other failure (the last known state stays).
    pub fn from_state_read(result: &Result<ReportedState, WhmError>) -> Option<HistoryUpdate> {
        match result {
            Ok(state) => Some(HistoryUpdate::seen(state)),
            Err(e) if e.is_no_such_session() => Some(HistoryUpdate::seen(LastState::Gone)),
            Err(_) => None,
        }
    }
}

/// (distinct items, distinct failed items) of a progress: an item counts once across its TRANSFER and
/// RESTORE rows; items a queue announced but never started count too.
pub fn item_counts(progress: &Progress) -> (u64, u64) {
    let mut all = BTreeSet::new();
    let mut failed = BTreeSet::new();
    for row in &progress.items {
        let key = (row.item_type.as_str(), row.item.as_str());
        all.insert(key);
        if matches!(row.outcome, Outcome::Failed(_)) {
            failed.insert(key);
        }
    }
    let announced = progress.queues.values().map(|q| q.0).max().unwrap_or(0);
    ((all.len() as u64).max(announced), failed.len() as u64)
}

/// Puts `id` first (created or opened now), keeping what is known about it. Invalid ids are ignored.
pub fn remember(entries: &[Entry], id: &str, now_ms: u64) -> Vec<Entry> {
    if check_session_id(id).is_err() {
        return entries.to_vec();
    }
    let existing = entries.iter().find(|e| e.id == id).cloned();
    let mut first = existing.unwrap_or_else(|| Entry::new(id));
    first.added_ms.get_or_insert(now_ms);
    std::iter::once(first)
        .chain(entries.iter().filter(|e| e.id != id).cloned())
        .take(KEEP)
        .collect()
}

/// Applies what a page learned. A session not yet in the history is added first when `insert`
/// (the session page learned it); a refresh answer for a forgotten one changes nothing.
pub fn record(entries: &[Entry], id: &str, update: &HistoryUpdate, now_ms: u64, insert: bool) -> Vec<Entry> {
    let mut out = if insert && !entries.iter().any(|e| e.id == id) {
        remember(entries, id, now_ms)
    } else {
        entries.to_vec()
    };
    if let Some(e) = out.iter_mut().find(|e| e.id == id) {
        merge(e, update, now_ms);
    }
    out
}

fn merge(e: &mut Entry, update: &HistoryUpdate, now_ms: u64) {
    if let Some(s) = &update.state {
        e.state = Some(s.clone());
        e.seen_ms = Some(now_ms);
    }
    if let Some(items) = update.items {
        e.items = Some(items);
    }
    if let Some(h) = &update.host {
        e.host = Some(clean_host(h));
    }
    if let Some(o) = &update.origin {
        e.kind = Some(o.kind);
        e.remote_user = o
            .remote_user
            .as_deref()
            .map(clean_remote_user)
            .filter(|u| !u.is_empty());
    }
}

fn clean_host(h: &str) -> String {
    h.trim().chars().filter(|c| !c.is_control()).take(HOST_CHARS).collect()
}

fn clean_remote_user(u: &str) -> String {
    u.trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(REMOTE_USER_CHARS)
        .collect()
}

pub fn forget(entries: &[Entry], id: &str) -> Vec<Entry> {
    entries.iter().filter(|e| e.id != id).cloned().collect()
}

// ---------------------------------------------------------------------------------------------
// The stored document

/// Reads what is stored: the versioned JSON document, or the older text of `store::recent` (one id
/// per line). Anything unreadable is dropped, never an error: garbage gives an empty history.
pub fn parse(stored: &str) -> Vec<Entry> {
    let text = stored.trim_start_matches('\u{feff}').trim();
    if text.is_empty() {
        return Vec::new();
    }
    if text.starts_with('{') || text.starts_with('[') {
        let Ok(v) = serde_json::from_str::<Value>(text) else {
            return Vec::new();
        };
        let list = match &v {
            Value::Array(a) => a.as_slice(),
            Value::Object(o) => match o.get("sessions") {
                Some(Value::Array(a)) => a.as_slice(),
                _ => &[],
            },
            _ => &[],
        };
        let mut out: Vec<Entry> = Vec::new();
        for item in list {
            if let Some(e) = entry_from_json(item)
                && !out.iter().any(|x| x.id == e.id)
                && out.len() < KEEP
            {
                out.push(e);
            }
        }
        return out;
    }
    // Version 0: `store::recent`'s text, one id per line, newest first.
    super::recent::parse(text).iter().map(|id| Entry::new(id)).collect()
}

/// Whether what is stored is a JSON document that does not parse (cut short by a full storage, or
/// edited by hand): [`parse`] reads it as an empty history, so the page keeps a copy before it writes
/// over it.
pub fn is_damaged(stored: &str) -> bool {
    let text = stored.trim_start_matches('\u{feff}').trim();
    (text.starts_with('{') || text.starts_with('[')) && serde_json::from_str::<serde::de::IgnoredAny>(text).is_err()
}

fn entry_from_json(v: &Value) -> Option<Entry> {
    if let Some(id) = v.as_str() {
        return check_session_id(id.trim()).is_ok().then(|| Entry::new(id.trim()));
    }
    let o = v.as_object()?;
    let id = o.get("id")?.as_str()?.trim();
    check_session_id(id).ok()?;
    let num = |k: &str| -> Option<u64> {
        match o.get(k)? {
            Value::Number(n) => n
                .as_u64()
                .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64)),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    };
    let items = match (num("items"), num("failed")) {
        (Some(total), failed) => Some((total, failed.unwrap_or(0).min(total))),
        _ => None,
    };
    Some(Entry {
        id: id.to_owned(),
        host: o
            .get("host")
            .and_then(Value::as_str)
            .map(clean_host)
            .filter(|h| !h.is_empty()),
        kind: o.get("kind").and_then(Value::as_str).and_then(SessionKind::parse),
        remote_user: o
            .get("remote_user")
            .and_then(Value::as_str)
            .map(clean_remote_user)
            .filter(|u| !u.is_empty()),
        state: o.get("state").and_then(Value::as_str).and_then(LastState::parse),
        seen_ms: num("seen"),
        items,
        added_ms: num("added"),
        extra: o
            .iter()
            .filter(|(k, _)| !KNOWN_FIELDS.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    })
}

fn entry_json(e: &Entry) -> Value {
    let mut o = serde_json::Map::new();
    o.insert("id".into(), json!(e.id));
    if let Some(h) = &e.host {
        o.insert("host".into(), json!(h));
    }
    if let Some(k) = e.kind {
        o.insert("kind".into(), json!(k.id()));
    }
    if let Some(u) = &e.remote_user {
        o.insert("remote_user".into(), json!(u));
    }
    if let Some(s) = &e.state {
        o.insert("state".into(), json!(s.name()));
    }
    if let Some(t) = e.seen_ms {
        o.insert("seen".into(), json!(t));
    }
    if let Some((total, failed)) = e.items {
        o.insert("items".into(), json!(total));
        o.insert("failed".into(), json!(failed));
    }
    if let Some(t) = e.added_ms {
        o.insert("added".into(), json!(t));
    }
    for (k, v) in &e.extra {
        o.entry(k.clone()).or_insert_with(|| v.clone());
    }
    Value::Object(o)
}

/// The stored document: `{"version":1,"sessions":[{"id":…,"host":…,"kind":"root"|"user","remote_user":…,"state":…,"seen":ms,"items":n,"failed":n,"added":ms}]}`.
pub fn serialize(entries: &[Entry]) -> String {
    let doc = json!({
        "version": VERSION,
        "sessions": entries.iter().map(entry_json).collect::<Vec<_>>(),
    });
    doc.to_string()
}

/// The export (a JSON download): the stored fields plus the creation time read from each id and
/// readable times, so the file stands on its own.
pub fn export_json(entries: &[Entry], now_ms: u64) -> String {
    let sessions: Vec<Value> = entries
        .iter()
        .map(|e| {
            let mut v = entry_json(e);
            if let Value::Object(o) = &mut v {
                if let Some(c) = e.created() {
                    o.insert("created".into(), json!(c.to_string()));
                }
                if let Some(t) = e.seen_ms {
                    o.insert("seen_utc".into(), json!(utc(t)));
                }
                o.insert("state".into(), json!(e.state_name()));
            }
            v
        })
        .collect();
    let doc = json!({
        "kind": "whm-transfer-console.history",
        "version": VERSION,
        "exported_utc": utc(now_ms),
        "sessions": sessions,
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// Times

/// When a session was created, as written in its id (the source server's local time, §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Created {
    pub year: u16,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
}

impl std::fmt::Display for Created {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

fn created_at(digits: &[u8]) -> Option<Created> {
    let n = |a: usize, b: usize| -> Option<u32> { std::str::from_utf8(digits.get(a..b)?).ok()?.parse().ok() };
    let c = Created {
        year: u16::try_from(n(0, 4)?).ok()?,
        month: u8::try_from(n(4, 6)?).ok()?,
        day: u8::try_from(n(6, 8)?).ok()?,
        hour: u8::try_from(n(8, 10)?).ok()?,
        minute: u8::try_from(n(10, 12)?).ok()?,
        second: u8::try_from(n(12, 14)?).ok()?,
    };
    let plausible = (1990..=2999).contains(&c.year)
        && (1..=12).contains(&c.month)
        && (1..=31).contains(&c.day)
        && c.hour < 24
        && c.minute < 60
        && c.second < 61;
    plausible.then_some(c)
}

/// Reads the creation time from an id such as `exampleservercopya20140206192428NtyW`: the 14 digits
/// after the initiator (`copya`, `noroo`), else the first plausible run of 14 digits. `None` when the
/// id holds none (ids are not guaranteed to keep this shape).
pub fn created_from_id(id: &str) -> Option<Created> {
    let b = id.as_bytes();
    for marker in ["copya", "noroo"] {
        let mut from = 0;
        while let Some(at) = id.get(from..).and_then(|rest| rest.find(marker)) {
            let start = from + at + marker.len();
            if let Some(digits) = b.get(start..start + 14)
                && digits.iter().all(u8::is_ascii_digit)
                && let Some(c) = created_at(digits)
            {
                return Some(c);
            }
            from = start;
        }
    }
    (0..b.len().saturating_sub(13)).find_map(|i| {
        let digits = b.get(i..i + 14)?;
        let starts_run = i == 0 || !b[i - 1].is_ascii_digit();
        (starts_run && digits.iter().all(u8::is_ascii_digit))
            .then(|| created_at(digits))
            .flatten()
    })
}

/// `2026-12-01 22:35:29 UTC` for ms since the Unix epoch.
pub fn utc(ms: u64) -> String {
    let secs = ms / 1000;
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    )
}

/// "just now", "5 min ago", "3 h ago", "2 days ago".
pub fn age(now_ms: u64, then_ms: u64) -> String {
    let s = now_ms.saturating_sub(then_ms) / 1000;
    match s {
        0..=59 => "just now".into(),
        60..=3599 => format!("{} min ago", s / 60),
        3600..=86_399 => format!("{} h ago", s / 3600),
        _ => {
            let d = s / 86_400;
            format!("{d} day{} ago", if d == 1 { "" } else { "s" })
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The history page's state machine

/// One `get_transfer_session_state` to send (exactly once: `seq` only grows).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetch {
    pub seq: u64,
    pub id: String,
}

/// The history page: the sessions, and "refresh all" with at most [`MAX_IN_FLIGHT`] reads at a time.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HistoryState {
    pub entries: Vec<Entry>,
    /// Reads in flight; the page's effect sends each `seq` it has not sent yet.
    pub in_flight: Vec<Fetch>,
    /// Ids still to read in this refresh.
    waiting: VecDeque<String>,
    /// The last refresh of a session failed for another reason than "gone" (id → the error).
    pub errors: BTreeMap<String, WhmError>,
    /// The WHM login is gone: the refresh stopped.
    pub login_lost: bool,
    /// How many sessions the refresh under way reads.
    refresh_total: usize,
    next_seq: u64,
}

/// What the admin or a finished read did.
#[derive(Debug, Clone)]
pub enum HistoryAction {
    /// The stored history was (re)read.
    Loaded(Vec<Entry>),
    RefreshAll,
    /// One read ended (`seq` from its [`Fetch`]) at `now_ms`.
    Refreshed {
        seq: u64,
        result: Result<ReportedState, WhmError>,
        now_ms: u64,
    },
    Forget(String),
}

impl HistoryState {
    pub fn new(entries: Vec<Entry>) -> Self {
        HistoryState {
            entries,
            ..Default::default()
        }
    }

    /// A refresh is under way.
    pub fn refreshing(&self) -> bool {
        !self.in_flight.is_empty() || !self.waiting.is_empty()
    }

    /// (done, total) of the refresh under way.
    pub fn refresh_progress(&self) -> (usize, usize) {
        let left = self.in_flight.len() + self.waiting.len();
        let total = self.refresh_total.max(left);
        (total - left, total)
    }

    pub fn is_in_flight(&self, id: &str) -> bool {
        self.in_flight.iter().any(|f| f.id == id)
    }

    fn fill(&mut self) {
        while self.in_flight.len() < MAX_IN_FLIGHT {
            let Some(id) = self.waiting.pop_front() else { break };
            self.next_seq += 1;
            self.in_flight.push(Fetch { seq: self.next_seq, id });
        }
    }

    pub fn apply(&mut self, action: HistoryAction) {
        match action {
            HistoryAction::Loaded(entries) => self.entries = entries,
            HistoryAction::RefreshAll => {
                if self.refreshing() {
                    return; // never a second read of a session while one is on its way
                }
                self.errors.clear();
                self.login_lost = false;
                self.waiting = self.entries.iter().map(|e| e.id.clone()).collect();
                self.refresh_total = self.waiting.len();
                self.fill();
            }
            HistoryAction::Refreshed { seq, result, now_ms } => {
                let Some(at) = self.in_flight.iter().position(|f| f.seq == seq) else {
                    return; // not ours (stale)
                };
                let id = self.in_flight.remove(at).id;
                match &result {
                    Err(e) if e.is_cancelled() => {}
                    Err(e) if e.is_session_lost() => {
                        self.login_lost = true;
                        self.waiting.clear();
                    }
                    _ => match HistoryUpdate::from_state_read(&result) {
                        Some(update) => {
                            self.errors.remove(&id);
                            self.entries = record(&self.entries, &id, &update, now_ms, false);
                        }
                        None => {
                            if let Err(e) = result {
                                self.errors.insert(id, e);
                            }
                        }
                    },
                }
                self.fill();
            }
            HistoryAction::Forget(id) => {
                self.entries = forget(&self.entries, &id);
                self.waiting.retain(|w| *w != id);
                self.errors.remove(&id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEMO: &str = "exampleservercopya20140206192428NtyW";

    #[test]
    fn reads_the_creation_time_from_ids_leniently() {
        let c = created_from_id(DEMO).unwrap();
        assert_eq!(c.to_string(), "2014-02-06 19:24:28");
        assert_eq!(
            created_from_id("vm5docscpanelcopya20140430200606V06z")
                .unwrap()
                .to_string(),
            "2014-04-30 20:06:06"
        );
        assert_eq!(
            created_from_id("hostnoroo20260101000000AAAA").unwrap().to_string(),
            "2026-01-01 00:00:00"
        );
        // a host made of digits before the marker does not confuse it
        assert_eq!(
            created_from_id("10132200copya20200229235959abcd").unwrap().to_string(),
            "2020-02-29 23:59:59"
        );
        // no marker: the first plausible 14 digits
        assert_eq!(
            created_from_id("x_20211231120000_y").unwrap().to_string(),
            "2021-12-31 12:00:00"
        );
        for none in ["", "abc", "copya", "copya2014", "copya99999999999999", "a1"] {
            assert_eq!(created_from_id(none), None, "{none}");
        }
    }

    #[test]
    fn migrates_the_old_recent_ids_text() {
        let old = format!("{DEMO}\nbad id!\n\nsecond_1\n{DEMO}\n");
        let e = parse(&old);
        assert_eq!(e.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(), [DEMO, "second_1"]);
        assert!(e.iter().all(|e| e.state.is_none() && e.host.is_none()));
        // and once written, it is the versioned document
        let doc = serialize(&e);
        let v: Value = serde_json::from_str(&doc).unwrap();
        assert_eq!(v["version"], 1);
        assert_eq!(parse(&doc), e);
    }

    #[test]
    fn round_trips_every_field() {
        let e = vec![
            Entry {
                id: DEMO.into(),
                host: Some("remote.example.com".into()),
                kind: Some(SessionKind::Root),
                remote_user: None,
                state: Some(LastState::State(SessionState::Completed)),
                seen_ms: Some(1_764_628_529_000),
                items: Some((7, 2)),
                added_ms: Some(1_764_628_000_000),
                extra: serde_json::Map::new(),
            },
            Entry {
                state: Some(LastState::Gone),
                ..Entry::new("gone_1")
            },
            Entry {
                kind: Some(SessionKind::User),
                remote_user: Some("example".into()),
                ..Entry::new("remoteexamplenoroo20260101000000Ab12")
            },
            Entry {
                state: Some(LastState::Other("WEIRD_STATE".into())),
                ..Entry::new("odd_1")
            },
            Entry::new("bare_1"),
        ];
        assert_eq!(parse(&serialize(&e)), e);
    }

    #[test]
    fn garbage_and_odd_documents_never_fail() {
        for junk in [
            "{",
            "[1,2",
            "{\"version\":1}",
            "{\"sessions\":\"x\"}",
            "{\"sessions\":[1,null,{},{\"id\":5},{\"id\":\"<script>\"}]}",
            "\u{feff}",
            "\u{0}\u{1}",
            "<img src=x onerror=alert(1)>",
            "[null, 4.5, true]",
        ] {
            assert!(parse(junk).is_empty(), "{junk:?}");
        }
        // a newer version with fields we do not know: what we understand is kept
        let future = r#"{"version":9,"sessions":[{"id":"a_1","state":"running","seen":"12","items":"3","failed":9,"host":"h\u0007ost","extra":{}}, "b_2", {"id":"a_1"}]}"#;
        let e = parse(future);
        assert_eq!(e.len(), 2, "duplicates dropped");
        assert_eq!(e[0].state, Some(LastState::State(SessionState::Running)));
        assert_eq!(e[0].seen_ms, Some(12));
        assert_eq!(e[0].items, Some((3, 3)), "failed never exceeds the items");
        assert_eq!(e[0].host.as_deref(), Some("host"), "control characters dropped");
        assert_eq!(e[1].id, "b_2");
        // and what we do not understand is written back as it was, beside what we do
        assert_eq!(e[0].extra.get("extra"), Some(&json!({})));
        let written: Value = serde_json::from_str(&serialize(&record(
            &e,
            "a_1",
            &HistoryUpdate {
                items: Some((4, 1)),
                ..Default::default()
            },
            99,
            false,
        )))
        .unwrap();
        let a = written["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == "a_1")
            .unwrap();
        assert_eq!(a["extra"], json!({}));
        assert_eq!((a["items"].clone(), a["failed"].clone()), (json!(4), json!(1)));
        // an item state as WHM's docs list them counts as the session state it implies
        assert_eq!(
            LastState::parse("TRANSFER_INPROGRESS"),
            Some(LastState::State(SessionState::Running))
        );
        assert_eq!(LastState::parse("  "), None);
        assert_eq!(LastState::parse("<b>x</b>"), Some(LastState::Other("BXB".into())));
        let many: Vec<String> = (0..500).map(|i| format!("\"s{i}\"")).collect();
        assert_eq!(parse(&format!("[{}]", many.join(","))).len(), KEEP);
    }

    #[test]
    fn nothing_secret_is_stored() {
        let e = record(
            &[],
            DEMO,
            &HistoryUpdate::seen(SessionState::Pending).with_host("remote.example.com"),
            5,
            true,
        );
        let doc = serialize(&e);
        let v: Value = serde_json::from_str(&doc).unwrap();
        let keys: Vec<&String> = v["sessions"][0].as_object().unwrap().keys().collect();
        assert_eq!(keys, ["added", "host", "id", "seen", "state"]);
    }

    #[test]
    fn a_user_session_is_remembered_with_its_kind_and_source_account_never_a_password() {
        let id = "remoteexamplenoroo20261202063000Ab12";
        let origin = SessionOrigin {
            kind: SessionKind::User,
            remote_user: Some(" example ".into()),
        };
        let e = remember(&[], id, 5);
        let e = record(
            &e,
            id,
            &HistoryUpdate::default()
                .with_host("remote.example.com")
                .with_origin(origin),
            5,
            true,
        );
        let doc = serialize(&e);
        let v: Value = serde_json::from_str(&doc).unwrap();
        let keys: Vec<&String> = v["sessions"][0].as_object().unwrap().keys().collect();
        assert_eq!(keys, ["added", "host", "id", "kind", "remote_user"]);
        assert_eq!(v["sessions"][0]["kind"], "user");
        assert_eq!(v["sessions"][0]["remote_user"], "example");
        let back = parse(&doc);
        assert_eq!(
            origin_of(&back, id),
            Some(SessionOrigin {
                kind: SessionKind::User,
                remote_user: Some("example".into()),
            })
        );
        // a later state read keeps the origin
        let back = record(&back, id, &HistoryUpdate::seen(SessionState::Running), 9, false);
        assert_eq!(back[0].kind, Some(SessionKind::User));
        assert_eq!(back[0].remote_user.as_deref(), Some("example"));
        let exported: Value = serde_json::from_str(&export_json(&back, 9)).unwrap();
        assert_eq!(exported["sessions"][0]["kind"], "user");
    }

    #[test]
    fn the_kind_of_a_session_not_created_here_comes_from_its_id() {
        assert_eq!(kind_from_id(DEMO), Some(SessionKind::Root));
        assert_eq!(
            kind_from_id("vm5docscpanelnoroo201402251939519hmy"),
            Some(SessionKind::User)
        );
        for none in ["", "s0", "copyanoroo", "hostcopya2014", "x_20211231120000_y"] {
            assert_eq!(kind_from_id(none), None, "{none}");
        }
        // both markers with a time: ambiguous, so unknown
        assert_eq!(kind_from_id("noroo20140225193951copya20140225193951"), None);
        assert_eq!(
            origin_of(&[], DEMO),
            Some(SessionOrigin {
                kind: SessionKind::Root,
                remote_user: None
            })
        );
        assert_eq!(origin_of(&[Entry::new("s0")], "s0"), None);
        // what was recorded wins over the id
        let e = record(
            &[],
            "s0",
            &HistoryUpdate::default().with_origin(SessionOrigin {
                kind: SessionKind::User,
                remote_user: None,
            }),
            1,
            true,
        );
        assert_eq!(origin_of(&e, "s0").map(|o| o.kind), Some(SessionKind::User));
        // only a recorded kind says this browser created it; one read from the id does not
        assert!(created_here(&e, "s0"));
        let opened = remember(&[], "remoteexamplenoroo20260101000000Ab12", 1);
        assert_eq!(
            origin_of(&opened, "remoteexamplenoroo20260101000000Ab12").map(|o| o.kind),
            Some(SessionKind::User)
        );
        assert!(!created_here(&opened, "remoteexamplenoroo20260101000000Ab12"));
        assert!(!created_here(&[], "s0"));
        // garbage in the stored fields is dropped
        let e = parse(r#"{"sessions":[{"id":"s1","kind":"admin","remote_user":"\u0007"}]}"#);
        assert_eq!((e[0].kind, e[0].remote_user.clone()), (None, None));
    }

    #[test]
    fn remember_and_record_merge_what_is_known() {
        let e = remember(&[], "a_1", 10);
        let e = remember(&e, "b_2", 20);
        let e = record(&e, "a_1", &HistoryUpdate::seen(SessionState::Running), 30, true);
        assert_eq!(e[0].id, "b_2", "an update does not reorder");
        assert_eq!(e[1].seen_ms, Some(30));
        let e = record(&e, "a_1", &HistoryUpdate::default().with_host("src.example"), 40, true);
        assert_eq!(e[1].state, Some(LastState::State(SessionState::Running)), "state kept");
        assert_eq!(e[1].seen_ms, Some(30), "seen only moves with a state");
        assert_eq!(e[1].host.as_deref(), Some("src.example"));
        let e = remember(&e, "a_1", 50);
        assert_eq!(e[0].id, "a_1");
        assert_eq!(e[0].added_ms, Some(10), "first remembered time kept");
        assert_eq!(e[0].host.as_deref(), Some("src.example"));
        let e = record(&e, "new_3", &HistoryUpdate::seen(SessionState::Paused), 60, true);
        assert_eq!(e[0].id, "new_3", "the session page adds a session it opened");
        let e2 = record(&e, "forgotten_4", &HistoryUpdate::seen(SessionState::Paused), 60, false);
        assert_eq!(e2, e, "a refresh does not bring back a forgotten session");
        assert_eq!(remember(&e, "bad id", 1), e);
        assert_eq!(forget(&e, "a_1").len(), 2);
        let many = (0..300).fold(Vec::new(), |l, i| remember(&l, &format!("s{i}"), i));
        assert_eq!(many.len(), KEEP);
        assert_eq!(many[0].id, "s299");
    }

    #[test]
    fn item_counts_join_the_two_queues() {
        use crate::whm::logs::parse_log;
        let line = |action: &str, queue: &str, item: &str, extra: &str| {
            format!(
                r#"{{"type":"control","contents":{{"action":"{action}","child_number":1,"queue":"{queue}","item":"{item}","item_type":"AccountRemoteRoot"{extra}}}}}"#
            )
        };
        let log = [
            r#"{"type":"control","contents":{"action":"queue_count","child_number":0,"queue":"TRANSFER","msg":3}}"#
                .to_string(),
            r#"{"type":"control","contents":{"action":"remotehost","child_number":0,"msg":"src.example.com"}}"#
                .to_string(),
            line("success-item", "TRANSFER", "amy", ""),
            line("success-item", "RESTORE", "amy", ""),
            line("failed-item", "TRANSFER", "bob", r#","msg":{"failure":"x"}"#),
            line("failed-item", "RESTORE", "bob", r#","msg":{"failure":"x"}"#),
        ]
        .join("\n");
        let p = Progress::from_log(&parse_log(&log));
        assert_eq!(
            item_counts(&p),
            (3, 1),
            "three announced, bob failed once in two queues"
        );
        let u = HistoryUpdate::seen(SessionState::Completed).with_progress(&p);
        assert_eq!(u.host.as_deref(), Some("src.example.com"));
        assert_eq!(u.items, Some((3, 1)));
    }

    fn api_err(reason: &str) -> WhmError {
        WhmError::Api {
            command: "get_transfer_session_state".into(),
            reason: reason.into(),
        }
    }

    fn ids(n: usize) -> Vec<Entry> {
        (0..n).map(|i| Entry::new(&format!("s{i}"))).collect()
    }

    fn sent(s: &HistoryState) -> Vec<(u64, String)> {
        s.in_flight.iter().map(|f| (f.seq, f.id.clone())).collect()
    }

    #[test]
    fn refresh_all_reads_three_at_a_time_and_marks_purged_sessions_gone() {
        let mut s = HistoryState::new(ids(5));
        s.apply(HistoryAction::RefreshAll);
        assert_eq!(sent(&s), [(1, "s0".into()), (2, "s1".into()), (3, "s2".into())]);
        s.apply(HistoryAction::RefreshAll);
        assert_eq!(s.in_flight.len(), 3, "a second click sends nothing more");
        s.apply(HistoryAction::Refreshed {
            seq: 2,
            result: Ok(ReportedState::parse("COMPLETED")),
            now_ms: 100,
        });
        assert_eq!(s.in_flight.len(), 3, "the next one starts as one ends");
        assert_eq!(s.in_flight[2].id, "s3");
        assert_eq!(s.entries[1].state, Some(LastState::State(SessionState::Completed)));
        assert_eq!(s.entries[1].seen_ms, Some(100));
        s.apply(HistoryAction::Refreshed {
            seq: 1,
            result: Err(api_err("The session ID “s0” does not exist.")),
            now_ms: 110,
        });
        assert_eq!(s.entries[0].state_name(), "GONE");
        assert!(s.errors.is_empty(), "gone is not an error");
        s.apply(HistoryAction::Refreshed {
            seq: 3,
            result: Err(WhmError::Timeout { after_ms: 1 }),
            now_ms: 120,
        });
        assert!(s.errors.contains_key("s2"), "another failure is shown on its row");
        assert_eq!(s.entries[2].state, None, "and changes nothing known");
        assert_eq!(s.refresh_progress(), (3, 5));
        // a stale or repeated answer changes nothing
        let before = s.clone();
        s.apply(HistoryAction::Refreshed {
            seq: 2,
            result: Ok(ReportedState::parse("FAILED")),
            now_ms: 130,
        });
        assert_eq!(s, before);
        for f in s.in_flight.clone() {
            s.apply(HistoryAction::Refreshed {
                seq: f.seq,
                result: Ok(ReportedState::parse("PENDING")),
                now_ms: 140,
            });
        }
        assert!(!s.refreshing());
        assert_eq!(s.next_seq, 5, "each session read once");
        assert_eq!(s.refresh_progress(), (5, 5));
    }

    #[test]
    fn a_lost_login_stops_the_refresh_and_a_cancelled_read_is_no_error() {
        let mut s = HistoryState::new(ids(6));
        s.apply(HistoryAction::RefreshAll);
        s.apply(HistoryAction::Refreshed {
            seq: 1,
            result: Err(WhmError::SessionLost {
                status: 401,
                detail: String::new(),
            }),
            now_ms: 1,
        });
        assert!(s.login_lost);
        assert_eq!(s.in_flight.len(), 2, "no new read after the login is gone");
        let mut t = HistoryState::new(ids(6));
        t.apply(HistoryAction::RefreshAll);
        t.apply(HistoryAction::Refreshed {
            seq: 1,
            result: Err(WhmError::Cancelled),
            now_ms: 1,
        });
        assert!(t.errors.is_empty(), "a cancelled read is not an error");
        assert_eq!(t.entries[0].state, None);
    }

    #[test]
    fn forgetting_during_a_refresh() {
        let mut s = HistoryState::new(ids(5));
        s.apply(HistoryAction::RefreshAll);
        s.apply(HistoryAction::Forget("s4".into()));
        s.apply(HistoryAction::Forget("s0".into()));
        s.apply(HistoryAction::Refreshed {
            seq: 1,
            result: Ok(ReportedState::parse("RUNNING")),
            now_ms: 1,
        });
        assert!(
            s.entries.iter().all(|e| e.id != "s0"),
            "a forgotten session stays forgotten"
        );
        assert_eq!(
            s.in_flight.iter().map(|f| f.id.as_str()).collect::<Vec<_>>(),
            ["s1", "s2", "s3"]
        );
        for seq in [2, 3, 4] {
            s.apply(HistoryAction::Refreshed {
                seq,
                result: Ok(ReportedState::parse("RUNNING")),
                now_ms: 1,
            });
        }
        assert!(!s.refreshing(), "s4 was never read");
    }

    #[test]
    fn times_read_well() {
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc(1_391_714_668_000), "2014-02-06 19:24:28 UTC");
        assert_eq!(utc(951_782_400_000), "2000-02-29 00:00:00 UTC");
        assert_eq!(age(100_000, 99_000), "just now");
        assert_eq!(age(10 * 60_000, 0), "10 min ago");
        assert_eq!(age(3 * 3_600_000, 0), "3 h ago");
        assert_eq!(age(86_400_000, 0), "1 day ago");
        assert_eq!(age(0, 5_000), "just now", "a clock set back is not negative");
    }

    #[test]
    fn export_is_readable_on_its_own() {
        let e = record(
            &[],
            DEMO,
            &HistoryUpdate::seen(LastState::Gone),
            1_391_714_668_000,
            true,
        );
        let v: Value = serde_json::from_str(&export_json(&e, 1_391_714_668_000)).unwrap();
        assert_eq!(v["sessions"][0]["created"], "2014-02-06 19:24:28");
        assert_eq!(v["sessions"][0]["state"], "GONE");
        assert_eq!(v["sessions"][0]["seen_utc"], "2014-02-06 19:24:28 UTC");
        let fresh: Value = serde_json::from_str(&export_json(&[Entry::new("x_1")], 0)).unwrap();
        assert_eq!(fresh["sessions"][0]["state"], "UNKNOWN");
    }

    #[test]
    fn a_document_that_does_not_parse_is_told_apart_from_an_empty_one() {
        let doc = serialize(&[Entry::new("abc_1")]);
        assert!(!is_damaged(&doc));
        assert!(!is_damaged(r#"{"version":1,"sessions":[]}"#));
        assert!(!is_damaged(""));
        assert!(!is_damaged("abc_1\ndef_2"), "the older one-id-per-line text");
        let cut = &doc[..doc.len() - 3];
        assert!(is_damaged(cut), "cut short");
        assert!(parse(cut).is_empty(), "which reads as an empty history");
    }
}
