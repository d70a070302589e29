//! The queue step: the plan as text an admin can edit in bulk (one account per line, `user` or
//! `user localuser` to restore it under another name, `#` comments), parsed into a [`QueuePlan`] that
//! the checks engine validates; and the enqueue run as a state machine ([`QueueState`]): items keyed by
//! (module, user), each pending, sending, queued, refused or unknown. An item that is queued or unknown
//! is never sent again without the admin's explicit decision ([`QueueAction::RetryUnknown`]); the run
//! stops at the first refusal or failure and says what was and was not queued. Queued and unknown items
//! are kept per session (see [`serialize`]) so a reload never resends them.

use crate::checks::username::FastSet;
use crate::checks::{PlannedAccount, QueuePlan, Report, Severity, SubjectKind};
use crate::whm::WhmError;
use crate::whm::analysis::Analysis;
use crate::whm::display;
use crate::whm::request::EnqueueTransferItem;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

/// A line the parser could not use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineIssue {
    pub line_no: usize,
    pub message: String,
}

/// The starting text: every account without an error finding, one per line, with a short header.
/// Remote names are not trusted: a name that would not read back as exactly one word (a space, a
/// newline, `#`, a control or invisible character) is commented out with a note, escaped, so no line
/// can mean something else than the account it names.
pub fn default_text(analysis: &Analysis, report: &Report) -> String {
    let blocked: HashSet<&str> = report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error && f.subject.kind == SubjectKind::Account)
        .map(|f| f.subject.name.as_str())
        .collect();
    let mut out = String::from(
        "# One account per line: `user`, or `user newname` to restore it under another local name.\n\
         # Accounts with errors in the analysis are left out; add them back once fixed.\n",
    );
    for a in &analysis.items.accounts {
        if !is_plan_word(&a.user) {
            let _ = writeln!(
                out,
                "# left out: the remote account “{}” has a space, “#”, or a control or invisible character, so a plan line cannot name it; rename it on the source first.",
                display::name(&a.user)
            );
        } else if blocked.contains(a.user.as_str()) {
            let _ = writeln!(out, "# {}", a.user);
        } else {
            out.push_str(&a.user);
            out.push('\n');
        }
    }
    out
}

/// One usable line of a plan text: `user` or `user localuser`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanLine<'a> {
    pub line_no: usize,
    pub user: &'a str,
    pub local: Option<&'a str>,
}

/// The lines of a plan text (`#` starts a comment, blank lines skipped), each read as one or two
/// words, or the issue that line has.
pub fn plan_lines(text: &str) -> impl Iterator<Item = Result<PlanLine<'_>, LineIssue>> {
    text.lines().enumerate().filter_map(|(i, raw)| {
        let line = raw.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            return None;
        }
        let mut words = line.split_whitespace();
        Some(match (words.next(), words.next(), words.next()) {
            (Some(user), local, None) => Ok(PlanLine {
                line_no: i + 1,
                user,
                local,
            }),
            _ => Err(LineIssue {
                line_no: i + 1,
                message: format!(
                    "Line {}: expected “user” or “user newname”, found “{}”.",
                    i + 1,
                    display::name(line)
                ),
            }),
        })
    })
}

/// Whether `name` reads back from a plan line as exactly this one word.
pub fn is_plan_word(name: &str) -> bool {
    !name.is_empty()
        && !name
            .chars()
            .any(|c| c == '#' || c.is_whitespace() || display::is_invisible(c))
}

/// Reads the text into a plan, taking each account's domain, size, files and dedicated IP from the
/// analysis. Unknown accounts are kept (validation reports them) with no size.
pub fn parse(text: &str, analysis: &Analysis, with_packages: bool) -> (QueuePlan, Vec<LineIssue>) {
    let known: HashMap<&str, &crate::whm::analysis::Account> =
        analysis.items.accounts.iter().map(|a| (a.user.as_str(), a)).collect();
    let mut plan = QueuePlan {
        accounts: Vec::new(),
        packages: if with_packages {
            analysis.items.packages.iter().map(|p| p.name.clone()).collect()
        } else {
            Vec::new()
        },
        shared_mysql_server: analysis.config.shared_mysql_server == Some(true),
        ..QueuePlan::default()
    };
    let mut issues = Vec::new();
    for line in plan_lines(text) {
        let (user, local) = match line {
            Ok(PlanLine { user, local, .. }) => (user, local),
            Err(issue) => {
                issues.push(issue);
                continue;
            }
        };
        let mut account = match known.get(user) {
            Some(a) => PlannedAccount::from_account(a),
            None => PlannedAccount::new(user),
        };
        if let Some(l) = local {
            account.localuser = l.to_owned();
        }
        plan.accounts.push(account);
    }
    (plan, issues)
}

/// Which item: the module and the source user (for a package, its name). Unique within a session:
/// WHM would take the same source account twice.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ItemKey {
    pub module: String,
    pub user: String,
}

fn key_value<'a>(item: &'a EnqueueTransferItem, name: &str) -> &'a str {
    item.keys
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

impl ItemKey {
    pub fn of(item: &EnqueueTransferItem) -> ItemKey {
        let (module, user) = ItemKey::parts_of(item);
        ItemKey {
            module: module.to_owned(),
            user: user.to_owned(),
        }
    }

    /// [`ItemKey::of`] without copying: the module and its primary key's value, borrowed from the
    /// call. The primary key is `user` for accounts, `package`, `featurelist`, or a configuration
    /// module's `name`.
    pub fn parts_of(item: &EnqueueTransferItem) -> (&str, &str) {
        let user = ["user", "package", "featurelist", "name"]
            .into_iter()
            .map(|k| key_value(item, k))
            .find(|v| !v.is_empty())
            .unwrap_or("");
        (item.module.as_str(), user)
    }

    /// This key, borrowed, to look up among [`ItemKey::parts_of`].
    pub fn parts(&self) -> (&str, &str) {
        (self.module.as_str(), self.user.as_str())
    }
}

/// Where an item stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// To be sent in this run (or, once the run has stopped, not sent).
    Pending,
    /// On its way to WHM.
    Sending,
    Queued,
    /// WHM refused it (`result` 0), with WHM's reason.
    Refused(String),
    /// Sent, but no answer says whether WHM took it (timeout, dropped connection, 502, cut-short reply,
    /// page left): WHM may have it. Never resent without the admin's decision.
    Unknown,
}

impl Outcome {
    /// `data-outcome`: queued, refused, unknown, sending, or "not-sent" for a pending item.
    pub fn id(&self) -> &'static str {
        match self {
            Outcome::Pending => "not-sent",
            Outcome::Sending => "sending",
            Outcome::Queued => "queued",
            Outcome::Refused(_) => "refused",
            Outcome::Unknown => "unknown",
        }
    }
    /// WHM has it, or may have it: never sent again by itself.
    pub fn is_settled(&self) -> bool {
        matches!(self, Outcome::Queued | Outcome::Unknown | Outcome::Sending)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueItem {
    pub key: ItemKey,
    pub localuser: String,
    pub outcome: Outcome,
    /// The call to send (absent for items remembered from an earlier page).
    request: Option<EnqueueTransferItem>,
}

impl QueueItem {
    fn new(request: EnqueueTransferItem) -> QueueItem {
        QueueItem {
            key: ItemKey::of(&request),
            localuser: key_value(&request, "localuser").to_owned(),
            outcome: Outcome::Pending,
            request: Some(request),
        }
    }

    /// For the admin: `Package “gold”`, `Account “bob”`, `Account “bob” → “bob2”` (remote names escaped).
    pub fn label(&self) -> String {
        if self.key.module.starts_with("Package") {
            format!("Package “{}”", display::name(&self.key.user))
        } else if self.key.module.starts_with("FeatureList") {
            format!("Feature list “{}”", display::name(&self.key.user))
        } else if !self.key.module.starts_with("Account") {
            format!("Configuration “{}”", display::name(&self.key.user))
        } else if !self.localuser.is_empty() && self.localuser != self.key.user {
            format!(
                "Account “{}” → “{}”",
                display::name(&self.key.user),
                display::name(&self.localuser)
            )
        } else {
            format!("Account “{}”", display::name(&self.key.user))
        }
    }
}

/// Why the last run stopped before its end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// WHM refused this item; the ones after it were not sent.
    Refused(ItemKey),
    /// The session is not PENDING: WHM takes new items only before it starts (§3.9). Nothing was sent.
    Started { state: String },
    /// A call failed (login gone, connection, …): shown as an error banner.
    Failed(WhmError),
}

/// A run in progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Run {
    id: u32,
    /// `get_transfer_session_state` first; then the items one by one.
    checking: bool,
}

/// What the page's loop must send now, if anything: one call at a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    CheckState {
        run: u32,
    },
    Send {
        run: u32,
        key: ItemKey,
        request: EnqueueTransferItem,
    },
}

/// The enqueue run of one session.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueState {
    pub items: Vec<QueueItem>,
    pub stop: Option<Stop>,
    running: Option<Run>,
    runs: u32,
    /// The unknown item being sent again ([`QueueAction::RetryUnknown`]): unless WHM then has it,
    /// it stays unknown, as the first call may still have reached WHM.
    retrying: Option<ItemKey>,
}

#[derive(Debug, Clone)]
pub enum QueueAction {
    /// Items remembered for this session (queued or unknown), e.g. after a reload.
    Restore { session_id: String, items: Vec<Stored> },
    /// The admin confirmed sending the plan. Items already queued, unknown or on their way are left
    /// out; refused and unsent ones are replaced by the plan's.
    Start(Vec<EnqueueTransferItem>),
    /// The admin confirmed, knowing WHM may already have it, sending an unknown item again: the
    /// very call sent the first time ([`QueueState::can_retry`]), whatever the table holds now.
    RetryUnknown(ItemKey),
    /// `get_transfer_session_state` answered (its `state_name`).
    StateChecked { run: u32, result: Result<String, WhmError> },
    /// `enqueue_transfer_item` answered for this item.
    Sent {
        run: u32,
        key: ItemKey,
        result: Result<(), WhmError>,
    },
}

impl QueueState {
    pub fn is_running(&self) -> bool {
        self.running.is_some()
    }

    pub fn item(&self, key: &ItemKey) -> Option<&QueueItem> {
        self.items.iter().find(|i| &i.key == key)
    }

    /// Whether an item is unknown and its first call is known, so that exactly it can be sent again
    /// (items remembered by an earlier version of the page kept no call).
    pub fn can_retry(&self, key: &ItemKey) -> bool {
        self.item(key)
            .is_some_and(|i| i.outcome == Outcome::Unknown && i.request.is_some())
    }

    /// The plan's calls that a new run would send: not those WHM has or may have.
    pub fn to_send(&self, plan: &[EnqueueTransferItem]) -> Vec<EnqueueTransferItem> {
        self.unsent(plan).cloned().collect()
    }

    /// The keys of the items WHM has or may have (never offered again by themselves).
    pub fn settled_keys(&self) -> FastSet<(&str, &str)> {
        self.items
            .iter()
            .filter(|i| i.outcome.is_settled())
            .map(|i| i.key.parts())
            .collect()
    }

    /// How many calls [`QueueState::to_send`] would give, counted from the plan's item keys alone
    /// ([`crate::store::queue_table::QueueTable::plan_keys`]): no call is built or copied (the page
    /// shows this count on every render; a large session's plan has 10,000 calls).
    pub fn count_unsent_keys<'a>(&'a self, keys: impl Iterator<Item = (&'a str, &'a str)> + 'a) -> usize {
        self.first_unsent(keys, |k| *k).count()
    }

    /// The plan's calls a new run would send, borrowed, in plan order, each key once.
    pub fn unsent<'a>(&'a self, plan: &'a [EnqueueTransferItem]) -> impl Iterator<Item = &'a EnqueueTransferItem> {
        self.first_unsent(plan.iter(), |r| ItemKey::parts_of(r))
    }

    /// What [`QueueState::unsent`] and [`QueueState::count_unsent_keys`] share: of `items`, those
    /// whose key is not settled, the first of each key.
    fn first_unsent<'a, T: 'a>(
        &'a self,
        items: impl Iterator<Item = T> + 'a,
        key: impl Fn(&T) -> (&'a str, &'a str) + 'a,
    ) -> impl Iterator<Item = T> + 'a {
        let settled = self.settled_keys();
        // The engine's hasher: this runs over 10,000 keys on every render of a large session's page.
        let room = items.size_hint().1.unwrap_or(0).min(MAX_STORED);
        let mut seen: FastSet<(&str, &str)> = FastSet::with_capacity_and_hasher(room, Default::default());
        items.filter(move |i| {
            let k = key(i);
            !settled.contains(&k) && seen.insert(k)
        })
    }

    /// The call the loop must make now.
    pub fn step(&self) -> Option<Step> {
        let run = self.running?;
        if run.checking {
            return Some(Step::CheckState { run: run.id });
        }
        self.items.iter().find(|i| i.outcome == Outcome::Sending).and_then(|i| {
            i.request.clone().map(|request| Step::Send {
                run: run.id,
                key: i.key.clone(),
                request,
            })
        })
    }

    pub fn count(&self, outcome: fn(&Outcome) -> bool) -> usize {
        self.items.iter().filter(|i| outcome(&i.outcome)).count()
    }

    pub fn apply(mut self, action: QueueAction) -> Self {
        match action {
            QueueAction::Restore { session_id, items } => {
                for s in items {
                    let key = ItemKey {
                        module: s.module,
                        user: s.user,
                    };
                    if self.item(&key).is_none() {
                        let unknown = s.outcome == StoredOutcome::Unknown;
                        // The call an unknown item was sent with, to send exactly it again.
                        let request = (unknown && !s.call.is_empty()).then(|| EnqueueTransferItem {
                            transfer_session_id: session_id.clone(),
                            module: key.module.clone(),
                            keys: s.call,
                        });
                        self.items.push(QueueItem {
                            key,
                            localuser: s.localuser,
                            outcome: if unknown { Outcome::Unknown } else { Outcome::Queued },
                            request,
                        });
                    }
                }
            }
            QueueAction::Start(plan) => {
                if self.running.is_some() {
                    return self; // one run at a time
                }
                let fresh = self.to_send(&plan);
                if fresh.is_empty() {
                    return self;
                }
                self.items.retain(|i| i.outcome.is_settled());
                self.items.extend(fresh.into_iter().map(QueueItem::new));
                self.begin();
            }
            QueueAction::RetryUnknown(key) => {
                if self.running.is_some() || !self.can_retry(&key) {
                    return self;
                }
                // Only this item: what an earlier run did not send waits for the next "Queue".
                self.items.retain(|i| i.outcome != Outcome::Pending);
                if let Some(item) = self.items.iter_mut().find(|i| i.key == key) {
                    item.outcome = Outcome::Pending;
                }
                self.retrying = Some(key);
                self.begin();
            }
            QueueAction::StateChecked { run, result } => {
                if self.running
                    != Some(Run {
                        id: run,
                        checking: true,
                    })
                {
                    return self;
                }
                match result {
                    Ok(state) if state == "PENDING" => {
                        self.running = Some(Run {
                            id: run,
                            checking: false,
                        });
                        self.send_next();
                    }
                    Ok(state) => {
                        self.stop = Some(Stop::Started { state });
                        self.running = None;
                        self.unknown_again();
                    }
                    Err(e) => {
                        if !e.is_cancelled() {
                            self.stop = Some(Stop::Failed(e));
                        }
                        self.running = None;
                        self.unknown_again();
                    }
                }
            }
            QueueAction::Sent { run, key, result } => {
                if self.running.map(|r| r.id) != Some(run) {
                    return self;
                }
                let retried = self.retrying.take_if(|k| *k == key).is_some();
                let Some(item) = self
                    .items
                    .iter_mut()
                    .find(|i| i.key == key && i.outcome == Outcome::Sending)
                else {
                    return self;
                };
                match result {
                    Ok(()) => {
                        item.outcome = Outcome::Queued;
                        self.send_next();
                    }
                    // Sent again, and WHM says it has the item: the first call did reach it.
                    Err(e) if retried && e.is_duplicate_item() => {
                        item.outcome = Outcome::Queued;
                        self.running = None;
                    }
                    // Sent again and refused: that says nothing of the first call.
                    Err(e @ WhmError::Api { .. }) if retried => {
                        item.outcome = Outcome::Unknown;
                        self.stop = Some(Stop::Failed(e));
                        self.running = None;
                    }
                    Err(WhmError::Api { reason, .. }) => {
                        item.outcome = Outcome::Refused(reason);
                        self.stop = Some(Stop::Refused(key));
                        self.running = None;
                    }
                    Err(e) => {
                        // Not sent (a refused login, no access to the tab, a 4xx) or maybe sent.
                        // An item sent again stays unknown either way: the first call may have.
                        item.outcome = if e.outcome_unknown() || retried {
                            Outcome::Unknown
                        } else {
                            Outcome::Pending
                        };
                        if !e.is_cancelled() {
                            self.stop = Some(Stop::Failed(e));
                        }
                        self.running = None;
                    }
                }
            }
        }
        self
    }

    /// The run stopped before the item being sent again was sent: it is unknown, as before.
    fn unknown_again(&mut self) {
        if let Some(key) = self.retrying.take()
            && let Some(item) = self
                .items
                .iter_mut()
                .find(|i| i.key == key && i.outcome == Outcome::Pending)
        {
            item.outcome = Outcome::Unknown;
        }
    }

    fn begin(&mut self) {
        self.runs += 1;
        self.stop = None;
        self.running = Some(Run {
            id: self.runs,
            checking: true,
        });
    }

    /// Marks the next pending item as sending, or ends the run.
    fn send_next(&mut self) {
        match self
            .items
            .iter_mut()
            .find(|i| i.outcome == Outcome::Pending && i.request.is_some())
        {
            Some(next) => next.outcome = Outcome::Sending,
            None => self.running = None,
        }
    }

    /// What was and was not queued, in one paragraph (empty before any run).
    pub fn summary(&self) -> String {
        let pick = |f: fn(&Outcome) -> bool| -> Vec<String> {
            self.items
                .iter()
                .filter(|i| f(&i.outcome))
                .map(QueueItem::label)
                .collect()
        };
        let queued = pick(|o| *o == Outcome::Queued);
        let refused = pick(|o| matches!(o, Outcome::Refused(_)));
        let unknown = pick(|o| *o == Outcome::Unknown);
        let not_sent = pick(|o| *o == Outcome::Pending);
        if self.items.is_empty() || self.running.is_some() {
            return String::new();
        }
        let list = |v: &[String]| {
            if v.len() > 10 {
                format!("{} and {} more", v[..10].join(", "), v.len() - 10)
            } else {
                v.join(", ")
            }
        };
        let mut out = match &self.stop {
            Some(Stop::Refused(key)) => format!(
                "Stopped: WHM refused {}. ",
                self.item(key).map(QueueItem::label).unwrap_or_default()
            ),
            Some(Stop::Started { state }) => format!("Nothing sent: the session is {state}. "),
            Some(Stop::Failed(_)) => "Stopped by the error above. ".to_owned(),
            None => String::new(),
        };
        let _ = write!(out, "Queued: {}", queued.len());
        if !queued.is_empty() {
            let _ = write!(out, " ({})", list(&queued));
        }
        out.push('.');
        if !refused.is_empty() {
            let _ = write!(out, " Refused: {} ({}).", refused.len(), list(&refused));
        }
        if !unknown.is_empty() {
            let _ = write!(
                out,
                " Unknown, WHM may have them: {} ({}) — check the session before sending them again.",
                unknown.len(),
                list(&unknown)
            );
        }
        if !not_sent.is_empty() {
            let _ = write!(out, " Not sent: {} ({}).", not_sent.len(), list(&not_sent));
        }
        out
    }

    /// The items to remember for this session: queued and unknown ones (an item on its way is kept as
    /// unknown, since the page may close before its answer).
    pub fn stored(&self) -> Vec<Stored> {
        self.items
            .iter()
            .filter_map(|i| {
                let outcome = match i.outcome {
                    Outcome::Queued => StoredOutcome::Queued,
                    Outcome::Unknown | Outcome::Sending => StoredOutcome::Unknown,
                    _ => return None,
                };
                // An unknown item keeps its call, to be sent again exactly as it was; a queued one only
                // its name (10,000 calls would not fit in the browser's storage).
                let call = match (outcome, &i.request) {
                    (StoredOutcome::Unknown, Some(r)) => r.keys.clone(),
                    _ => Vec::new(),
                };
                Some(Stored {
                    module: i.key.module.clone(),
                    user: i.key.user.clone(),
                    localuser: i.localuser.clone(),
                    outcome,
                    call,
                })
            })
            .collect()
    }
}

/// One remembered item: names and outcome, and for an unknown item the keys of its call (names and
/// options: an enqueue call carries nothing secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stored {
    pub module: String,
    pub user: String,
    pub localuser: String,
    pub outcome: StoredOutcome,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub call: Vec<(String, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StoredOutcome {
    Queued,
    Unknown,
}

#[derive(Serialize, Deserialize)]
struct StoredFile {
    session: String,
    items: Vec<Stored>,
}

/// Items kept per session at most (far more than any real source server has).
pub const MAX_STORED: usize = 50_000;

/// The localStorage key for a session's remembered items.
pub fn storage_key(session_id: &str) -> String {
    format!("whm-transfer-console.queue.{session_id}")
}

/// The text kept for a session: its id and the items.
pub fn serialize(session_id: &str, items: &[Stored]) -> String {
    serde_json::to_string(&StoredFile {
        session: session_id.to_owned(),
        items: items.iter().take(MAX_STORED).cloned().collect(),
    })
    .unwrap_or_default()
}

/// Reads kept text back; anything unreadable, for another session, or oversized is ignored.
pub fn deserialize(session_id: &str, text: &str) -> Vec<Stored> {
    match serde_json::from_str::<StoredFile>(text) {
        Ok(f) if f.session == session_id => f
            .items
            .into_iter()
            .filter(|s| !s.module.is_empty() && !s.user.is_empty())
            .take(MAX_STORED)
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::check::{Loaded, Source};

    const POPULATED: &str = include_str!("../../tests/fixtures/populated-analysis.json");

    #[test]
    fn default_text_round_trips_into_a_plan() {
        let loaded = Loaded::from_text(Source::Paste, POPULATED).unwrap();
        let text = default_text(&loaded.analysis, &loaded.report);
        assert!(text.lines().any(|l| l == "bob"), "{text}");
        let (plan, issues) = parse(&text, &loaded.analysis, true);
        assert!(issues.is_empty());
        assert_eq!(plan.accounts.len(), 1);
        assert_eq!(plan.accounts[0].size, Some(52_428_800), "size from the analysis");
        assert_eq!(plan.packages, ["res1_gold"]);
    }

    #[test]
    fn renames_comments_and_bad_lines() {
        let loaded = Loaded::from_text(Source::Paste, POPULATED).unwrap();
        let (plan, issues) = parse(
            "bob bob2  # rename\n\n# skipped\nghost\na b c\n",
            &loaded.analysis,
            false,
        );
        assert_eq!(plan.accounts.len(), 2);
        assert_eq!(
            (plan.accounts[0].user.as_str(), plan.accounts[0].localuser.as_str()),
            ("bob", "bob2")
        );
        assert_eq!(
            plan.accounts[1].size, None,
            "unknown account kept for validation to report"
        );
        assert!(plan.packages.is_empty());
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].line_no, 5);
    }

    fn req(user: &str, localuser: &str) -> EnqueueTransferItem {
        EnqueueTransferItem {
            transfer_session_id: "s1".into(),
            module: "AccountRemoteRoot".into(),
            keys: vec![("user".into(), user.into()), ("localuser".into(), localuser.into())],
        }
    }

    fn key(user: &str) -> ItemKey {
        ItemKey {
            module: "AccountRemoteRoot".into(),
            user: user.into(),
        }
    }

    fn sent(user: &str) -> impl Fn(&Step) -> bool + '_ {
        move |s| matches!(s, Step::Send { key, .. } if key.user == user)
    }

    /// Runs the loop as the page does: answers each step with `answer(user)` until the run ends.
    fn drive(s: QueueState, answer: impl Fn(&str) -> Result<(), WhmError>) -> (QueueState, Vec<String>) {
        let (s, sent) = drive_calls(s, answer);
        (s, sent.iter().map(|r| ItemKey::of(r).user).collect())
    }

    /// [`drive`], giving the calls sent.
    fn drive_calls(
        mut s: QueueState,
        answer: impl Fn(&str) -> Result<(), WhmError>,
    ) -> (QueueState, Vec<EnqueueTransferItem>) {
        let mut calls = Vec::new();
        while let Some(step) = s.step() {
            s = match step {
                Step::CheckState { run } => s.apply(QueueAction::StateChecked {
                    run,
                    result: Ok("PENDING".into()),
                }),
                Step::Send { run, key, request } => {
                    assert_eq!(ItemKey::of(&request), key);
                    calls.push(request);
                    let result = answer(&key.user);
                    s.apply(QueueAction::Sent { run, key, result })
                }
            };
        }
        (s, calls)
    }

    fn refused() -> WhmError {
        WhmError::Api {
            command: "enqueue_transfer_item".into(),
            reason: "The user “b” is already queued.".into(),
        }
    }

    #[test]
    fn the_loop_sends_one_item_at_a_time_after_checking_the_state() {
        let s = QueueState::default().apply(QueueAction::Start(vec![req("a", "a"), req("b", "b2")]));
        assert!(matches!(s.step(), Some(Step::CheckState { .. })), "the state first");
        let again = s.clone().apply(QueueAction::Start(vec![req("c", "c")]));
        assert_eq!(again, s, "no second run while one is going");
        let (s, calls) = drive(s, |_| Ok(()));
        assert_eq!(calls, ["a", "b"]);
        assert!(!s.is_running() && s.stop.is_none());
        assert_eq!(s.summary(), "Queued: 2 (Account “a”, Account “b” → “b2”).");
    }

    /// A state where "b" is unknown (its call timed out).
    fn b_unknown() -> QueueState {
        let s = QueueState::default().apply(QueueAction::Start(vec![req("a", "a"), req("b", "b")]));
        let (s, _) = drive(s, |u| {
            if u == "b" {
                Err(WhmError::Timeout { after_ms: 1 })
            } else {
                Ok(())
            }
        });
        assert_eq!(s.item(&key("b")).map(|i| &i.outcome), Some(&Outcome::Unknown));
        s
    }

    fn outcome(s: &QueueState, user: &str) -> Option<Outcome> {
        s.item(&key(user)).map(|i| i.outcome.clone())
    }

    #[test]
    fn sending_an_unknown_item_again_keeps_it_unknown_unless_whm_then_has_it() {
        // the session has started meanwhile: nothing sent, and b is still unknown (not "not sent")
        let s = b_unknown().apply(QueueAction::RetryUnknown(key("b")));
        let Some(Step::CheckState { run }) = s.step() else {
            panic!("state first")
        };
        let s = s.apply(QueueAction::StateChecked {
            run,
            result: Ok("RUNNING".into()),
        });
        assert_eq!(outcome(&s, "b"), Some(Outcome::Unknown));
        assert!(s.to_send(&[req("b", "b")]).is_empty(), "a plain Queue does not send it");
        // the state read fails: the same
        let s = s.apply(QueueAction::RetryUnknown(key("b")));
        let Some(Step::CheckState { run }) = s.step() else {
            panic!("state first")
        };
        let s = s.apply(QueueAction::StateChecked {
            run,
            result: Err(WhmError::Network { detail: "x".into() }),
        });
        assert_eq!(outcome(&s, "b"), Some(Outcome::Unknown));
        // sent, and the login was refused (not sent this time; the first call may have been)
        let (s, calls) = drive(s.apply(QueueAction::RetryUnknown(key("b"))), |_| {
            Err(WhmError::SessionLost {
                status: 403,
                detail: "x".into(),
            })
        });
        assert_eq!(calls, ["b"]);
        assert_eq!(outcome(&s, "b"), Some(Outcome::Unknown));
        // refused for another reason: that says nothing of the first call either
        let (s, _) = drive(s.apply(QueueAction::RetryUnknown(key("b"))), |_| Err(refused()));
        assert_eq!(outcome(&s, "b"), Some(Outcome::Unknown));
        assert!(matches!(s.stop, Some(Stop::Failed(WhmError::Api { .. }))));
        // WHM says its queue has the item: the first call reached it
        let duplicate = WhmError::Api {
            command: "enqueue_transfer_item".into(),
            reason:
                "An item with a “user” key value of “b” and a type of “AccountRemoteRoot” already exists in the queue."
                    .into(),
        };
        let (s, _) = drive(s.apply(QueueAction::RetryUnknown(key("b"))), |_| Err(duplicate.clone()));
        assert_eq!(outcome(&s, "b"), Some(Outcome::Queued));
        // a first send refused as a duplicate is a refusal (someone else's item), shown as such
        let s = QueueState::default().apply(QueueAction::Start(vec![req("c", "c")]));
        let (s, _) = drive(s, |_| Err(duplicate.clone()));
        assert!(matches!(outcome(&s, "c"), Some(Outcome::Refused(_))));
    }

    #[test]
    fn a_call_that_was_never_sent_leaves_its_item_unsent() {
        for (e, unknown) in [
            (
                WhmError::PermissionNeeded {
                    origin: "https://h:2087".into(),
                },
                false,
            ),
            (
                WhmError::Http {
                    status: 429,
                    detail: "x".into(),
                },
                false,
            ),
            (
                WhmError::Http {
                    status: 502,
                    detail: "x".into(),
                },
                true,
            ),
        ] {
            let s = QueueState::default().apply(QueueAction::Start(vec![req("a", "a")]));
            let (s, _) = drive(s, |_| Err(e.clone()));
            let want = if unknown { Outcome::Unknown } else { Outcome::Pending };
            assert_eq!(outcome(&s, "a"), Some(want), "{e:?}");
        }
    }

    #[test]
    fn a_queued_or_unknown_item_is_never_resent() {
        let s = QueueState::default().apply(QueueAction::Start(vec![req("a", "a"), req("b", "b"), req("c", "c")]));
        let timeout = WhmError::Timeout { after_ms: 30_000 };
        let (s, calls) = drive(s, |u| if u == "b" { Err(timeout.clone()) } else { Ok(()) });
        assert_eq!(calls, ["a", "b"], "stopped at the unknown one");
        assert_eq!(s.item(&key("b")).map(|i| &i.outcome), Some(&Outcome::Unknown));
        assert_eq!(s.item(&key("c")).map(|i| &i.outcome), Some(&Outcome::Pending));
        assert!(matches!(s.stop, Some(Stop::Failed(WhmError::Timeout { .. }))));
        // queueing the same plan again (even renamed) sends only what WHM has not got and may not have
        let plan = vec![req("a", "a"), req("b", "other"), req("c", "c")];
        assert_eq!(s.to_send(&plan), vec![req("c", "c")]);
        // the count the page shows is of the same calls (and a key listed twice counts once)
        let twice = [plan.clone(), vec![req("c", "c2")]].concat();
        assert_eq!(s.to_send(&twice).len(), 1);
        assert_eq!(s.to_send(&twice), vec![req("c", "c")]);
        let (s, calls) = drive(s.apply(QueueAction::Start(plan.clone())), |_| Ok(()));
        assert_eq!(calls, ["c"]);
        let (s, calls) = drive(s.apply(QueueAction::Start(plan.clone())), |_| Ok(()));
        assert!(calls.is_empty(), "everything is queued or unknown: nothing sent");
        assert!(!s.is_running());
        // the admin's explicit decision resends that one item, and only it
        let (s, calls) = drive_calls(s.apply(QueueAction::RetryUnknown(key("b"))), |_| Ok(()));
        assert_eq!(
            calls,
            [req("b", "b")],
            "the very call sent first, not the later plan's `other`"
        );
        assert_eq!(s.item(&key("b")).map(|i| &i.outcome), Some(&Outcome::Queued));
        let (_, calls) = drive(s.apply(QueueAction::RetryUnknown(key("b"))), |_| Ok(()));
        assert!(calls.is_empty(), "a queued item cannot be retried");
    }

    #[test]
    fn a_502_a_cut_short_reply_or_leaving_the_page_leaves_the_item_unknown() {
        for e in [
            WhmError::Http {
                status: 502,
                detail: String::new(),
            },
            WhmError::Malformed {
                detail: String::new(),
                at: String::new(),
                truncated: true,
            },
            WhmError::Network { detail: "reset".into() },
            WhmError::Cancelled,
        ] {
            let s = QueueState::default().apply(QueueAction::Start(vec![req("a", "a")]));
            let (s, _) = drive(s, |_| Err(e.clone()));
            assert_eq!(s.item(&key("a")).map(|i| &i.outcome), Some(&Outcome::Unknown), "{e:?}");
            assert!(s.to_send(&[req("a", "a")]).is_empty());
        }
        // a refused login never reached enqueue_transfer_item: not sent, offered again
        let s = QueueState::default().apply(QueueAction::Start(vec![req("a", "a")]));
        let (s, _) = drive(s, |_| Err(WhmError::from_status(403, "x").unwrap()));
        assert_eq!(s.item(&key("a")).map(|i| &i.outcome), Some(&Outcome::Pending));
        assert_eq!(s.to_send(&[req("a", "a")]).len(), 1);
    }

    #[test]
    fn a_refusal_stops_the_loop_and_says_what_was_and_was_not_queued() {
        let s = QueueState::default().apply(QueueAction::Start(vec![
            req("a", "a"),
            req("b", "b"),
            req("c", "c"),
            req("d", "d"),
        ]));
        let (s, calls) = drive(s, |u| if u == "b" { Err(refused()) } else { Ok(()) });
        assert_eq!(calls, ["a", "b"], "nothing sent after the refusal");
        assert_eq!(s.stop, Some(Stop::Refused(key("b"))));
        assert_eq!(
            s.summary(),
            "Stopped: WHM refused Account “b”. Queued: 1 (Account “a”). Refused: 1 (Account “b”). Not sent: 2 (Account “c”, Account “d”)."
        );
        assert!(matches!(&s.item(&key("b")).unwrap().outcome, Outcome::Refused(r) if r.contains("already queued")));
        // fixed and queued again: the refused and unsent items go, the queued one is not resent
        let (_, calls) = drive(
            s.apply(QueueAction::Start(vec![req("a", "a"), req("b", "b"), req("c", "c")])),
            |_| Ok(()),
        );
        assert_eq!(calls, ["b", "c"]);
    }

    #[test]
    fn a_started_session_takes_nothing_and_late_answers_are_ignored() {
        let s = QueueState::default().apply(QueueAction::Start(vec![req("a", "a")]));
        let Some(Step::CheckState { run }) = s.step() else {
            panic!()
        };
        let s = s.apply(QueueAction::StateChecked {
            run,
            result: Ok("COMPLETED".into()),
        });
        assert_eq!(s.step(), None);
        assert_eq!(
            s.stop,
            Some(Stop::Started {
                state: "COMPLETED".into()
            })
        );
        assert_eq!(
            s.summary(),
            "Nothing sent: the session is COMPLETED. Queued: 0. Not sent: 1 (Account “a”)."
        );
        // an answer from an old run changes nothing
        let s2 = s.clone().apply(QueueAction::Sent {
            run,
            key: key("a"),
            result: Ok(()),
        });
        assert_eq!(s2, s);
        let s = s.apply(QueueAction::Start(vec![req("a", "a")]));
        assert!(
            s.step().is_some_and(|st| !sent("a")(&st)),
            "a new run checks the state again first"
        );
    }

    #[test]
    fn queued_and_unknown_items_survive_a_reload_and_are_not_resent() {
        let s = QueueState::default().apply(QueueAction::Start(vec![req("a", "a"), req("b", "b2"), req("c", "c")]));
        let Some(Step::CheckState { run }) = s.step() else {
            panic!()
        };
        let s = s.apply(QueueAction::StateChecked {
            run,
            result: Ok("PENDING".into()),
        });
        let s = s.apply(QueueAction::Sent {
            run,
            key: key("a"),
            result: Ok(()),
        });
        // the page closes while "b" is on its way: it is kept as unknown
        let text = serialize("s1", &s.stored());
        assert!(
            !text.contains("transfer_session_id") && !text.contains("size"),
            "{text}"
        );
        let back = deserialize("s1", &text);
        assert_eq!(back.len(), 2);
        assert_eq!(back[1].outcome, StoredOutcome::Unknown);
        assert_eq!(back[1].localuser, "b2");
        assert!(
            deserialize("s2", &text).is_empty(),
            "another session's items are not taken"
        );
        assert!(deserialize("s1", "{not json").is_empty());
        let restore = |items| QueueAction::Restore {
            session_id: "s1".into(),
            items,
        };
        let fresh = QueueState::default().apply(restore(back.clone()));
        let plan = vec![req("a", "a"), req("b", "b"), req("c", "c")];
        assert_eq!(fresh.to_send(&plan), vec![req("c", "c")]);
        let (fresh, calls) = drive(fresh.apply(QueueAction::Start(plan)), |_| Ok(()));
        assert_eq!(calls, ["c"]);
        assert_eq!(fresh.item(&key("b")).map(|i| &i.outcome), Some(&Outcome::Unknown));
        // "Send again" after the reload sends b as it was first sent (b2), though the table now says b
        assert!(fresh.can_retry(&key("b")));
        assert!(!fresh.can_retry(&key("a")), "a queued item is never sent again");
        let (_, calls) = drive_calls(fresh.apply(QueueAction::RetryUnknown(key("b"))), |_| Ok(()));
        assert_eq!(calls, [req("b", "b2")]);
        // an item remembered without its call (an earlier version of the page) is not sent again
        let mut old = back;
        old[1].call.clear();
        let fresh = QueueState::default().apply(restore(old));
        assert!(!fresh.can_retry(&key("b")));
        let (_, calls) = drive(fresh.apply(QueueAction::RetryUnknown(key("b"))), |_| Ok(()));
        assert!(calls.is_empty());
    }

    #[test]
    fn hostile_remote_names_never_make_a_line_that_means_something_else() {
        let mut loaded = Loaded::from_text(Source::Paste, POPULATED).unwrap();
        let mut analysis = (*loaded.analysis).clone();
        let template = analysis.items.accounts[0].clone();
        let hostile = [
            "bob carol",
            "eve\nroot",
            "mal#lory",
            "x\u{202e}toor",
            "tab\tme",
            "nb\u{a0}sp",
            "cr\rlf",
            "\u{2028}ls",
        ];
        analysis.items.accounts = hostile
            .iter()
            .map(|u| crate::whm::analysis::Account {
                user: (*u).into(),
                ..template.clone()
            })
            .collect();
        loaded.analysis = crate::shared::Shared::new(analysis);
        let text = default_text(&loaded.analysis, &loaded.report);
        let (plan, issues) = parse(&text, &loaded.analysis, false);
        assert!(plan.accounts.is_empty(), "every hostile name is commented out: {text}");
        assert!(issues.is_empty());
        assert_eq!(text.lines().count(), 2 + hostile.len(), "one line per account: {text}");
        assert!(text.contains("“eve\\u{a}root”"), "{text}");
        assert!(text.contains("“x\\u{202e}toor”"), "{text}");
        assert!(!text.contains('\u{202e}'));
    }
}
