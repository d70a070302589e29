//! Transfer sessions, items, states (§6.1, §6.2) and their logs (§6.3).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use serde::Serialize;
use serde_json::{Map, Value, json};
use tokio::sync::watch;

use crate::modules::ModuleDef;
use crate::util::now_epoch;

/// Session types (§6.2 "Other enums").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    RemoteRoot,
    RemoteUser,
    Local,
}

impl SessionKind {
    pub fn initiator(self) -> &'static str {
        match self {
            Self::RemoteRoot => "copyacct",
            Self::RemoteUser => "norootcopy",
            Self::Local => "start_local_cpmove_restore",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "RemoteRoot" | "copyacct" => Some(Self::RemoteRoot),
            "RemoteUser" | "norootcopy" => Some(Self::RemoteUser),
            "Local" | "start_local_cpmove_restore" => Some(Self::Local),
            _ => None,
        }
    }
}

/// Session states (§6.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionState {
    Pending,
    Running,
    Pausing,
    Aborting,
    Paused,
    Completed,
    Aborted,
    Failed,
}

impl SessionState {
    pub fn name(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Running => "RUNNING",
            Self::Pausing => "PAUSING",
            Self::Aborting => "ABORTING",
            Self::Paused => "PAUSED",
            Self::Completed => "COMPLETED",
            Self::Aborted => "ABORTED",
            Self::Failed => "FAILED",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "PENDING" => Self::Pending,
            "RUNNING" => Self::Running,
            "PAUSING" => Self::Pausing,
            "ABORTING" => Self::Aborting,
            "PAUSED" => Self::Paused,
            "COMPLETED" => Self::Completed,
            "ABORTED" => Self::Aborted,
            "FAILED" => Self::Failed,
            _ => return None,
        })
    }

    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Completed | Self::Aborted | Self::Failed)
    }
}

/// Item (queue) states (§6.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemState {
    TransferPending,
    TransferInProgress,
    RestorePending,
    RestoreInProgress,
    Completed,
    Failed,
}

impl ItemState {
    pub fn name(self) -> &'static str {
        match self {
            Self::TransferPending => "TRANSFER_PENDING",
            Self::TransferInProgress => "TRANSFER_INPROGRESS",
            Self::RestorePending => "RESTORE_PENDING",
            Self::RestoreInProgress => "RESTORE_INPROGRESS",
            Self::Completed => "COMPLETED",
            Self::Failed => "FAILED",
        }
    }
}

/// The two queues every item runs through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queue {
    Transfer,
    Restore,
}

impl Queue {
    pub fn name(self) -> &'static str {
        match self {
            Self::Transfer => "TRANSFER",
            Self::Restore => "RESTORE",
        }
    }
}

/// One enqueued item.
#[derive(Debug, Clone)]
pub struct Item {
    pub seq: u64,
    pub module: &'static ModuleDef,
    /// Primary key value (`user`, `package`, `featurelist`, `name`).
    pub key: String,
    /// Local name (`localuser` for accounts, else the key).
    pub local_key: String,
    /// The schema keys that were sent, as strings.
    pub params: HashMap<String, String>,
    pub size: u64,
    pub priority: i64,
    pub state: ItemState,
}

impl Item {
    pub fn flag(&self, k: &str) -> bool {
        self.params.get(k).is_some_and(|v| crate::util::truthy(v))
    }

    pub fn param(&self, k: &str) -> Option<&str> {
        self.params.get(k).map(String::as_str).filter(|v| !v.is_empty())
    }

    pub fn log_name(&self, q: Queue) -> String {
        format!("item-{}_{}_{}", q.name(), self.module.name, self.key)
    }

    fn order_key(&self, idx: usize) -> QueueKey {
        Reverse((self.module.priority, self.priority, Reverse(self.size), self.seq, idx))
    }
}

type QueueKey = Reverse<(u32, i64, Reverse<u64>, u64, usize)>;

/// One log file (kept in memory). `open` = still being written (`.name` on disk).
#[derive(Debug, Clone, Default)]
pub struct LogFile {
    pub content: String,
    pub open: bool,
}

#[derive(Serialize)]
struct LogLine<'a> {
    pid: u32,
    #[serde(rename = "type")]
    kind: &'a str,
    indent: u32,
    partial: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<&'a str>,
    contents: &'a Value,
}

/// One JSON log line per §6.3 (`{"pid":N,"type":T,"indent":0,"partial":0,"contents":{…}}`).
pub fn log_line(pid: u32, kind: &str, source: Option<&str>, contents: &Value) -> String {
    serde_json::to_string(&LogLine {
        pid,
        kind,
        indent: 0,
        partial: 0,
        source,
        contents,
    })
    .unwrap_or_default()
}

/// A transfer session.
#[derive(Debug)]
pub struct TransferSession {
    pub id: String,
    pub kind: SessionKind,
    /// Source host as typed (empty for local sessions).
    pub remote_host: String,
    /// Index into the scenario's remotes.
    pub remote_index: Option<usize>,
    pub state: SessionState,
    pub transfer_threads: usize,
    pub restore_threads: usize,
    pub unrestricted: bool,
    pub skipres_default: bool,
    /// A cPanel-user session's password (§3.3: kept for every item). Never listed or logged.
    pub user_password: Option<String>,
    pub analysis: Option<Value>,
    /// The analysis came verbatim from the scenario (never recomputed).
    pub analysis_verbatim: bool,
    pub items: Vec<Item>,
    pub logs: HashMap<String, LogFile>,
    pub log_tx: watch::Sender<u64>,
    pub master_pid: Option<u32>,
    /// A processor (simulated `start_transfer`) is running for this session.
    pub processor_alive: bool,
    /// Incremented on every processor start; stale workers notice and stop.
    pub epoch: u64,
    pub transfer_queue: BinaryHeap<QueueKey>,
    pub restore_queue: BinaryHeap<QueueKey>,
    pub in_transfer: usize,
    pub in_restore: usize,
    pub created: i64,
    next_seq: u64,
}

impl TransferSession {
    pub fn new(id: String, kind: SessionKind, remote_host: String, remote_index: Option<usize>) -> Self {
        let (log_tx, _) = watch::channel(0);
        Self {
            id,
            kind,
            remote_host,
            remote_index,
            state: SessionState::Pending,
            transfer_threads: 1,
            restore_threads: 1,
            unrestricted: false,
            skipres_default: false,
            user_password: None,
            analysis: None,
            analysis_verbatim: false,
            items: Vec::new(),
            logs: HashMap::new(),
            log_tx,
            master_pid: None,
            processor_alive: false,
            epoch: 0,
            transfer_queue: BinaryHeap::new(),
            restore_queue: BinaryHeap::new(),
            in_transfer: 0,
            in_restore: 0,
            created: now_epoch(),
            next_seq: 0,
        }
    }

    pub fn next_seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    /// Wake live tails and blocking log readers.
    pub fn bump(&self) {
        self.log_tx.send_modify(|v| *v = v.wrapping_add(1));
    }

    /// Append one line to a log (creating it open if needed).
    pub fn append(&mut self, log: &str, line: &str) {
        let f = self.logs.entry(log.to_string()).or_insert_with(|| LogFile {
            content: String::new(),
            open: true,
        });
        f.content.push_str(line);
        f.content.push('\n');
        self.bump();
    }

    /// Append raw text (for `master.error_log`).
    pub fn append_raw(&mut self, log: &str, text: &str) {
        let f = self.logs.entry(log.to_string()).or_insert_with(|| LogFile {
            content: String::new(),
            open: true,
        });
        f.content.push_str(text);
        self.bump();
    }

    pub fn set_open(&mut self, log: &str, open: bool) {
        let f = self.logs.entry(log.to_string()).or_default();
        f.open = open;
        self.bump();
    }

    /// A `control` line in master.log (`contents.time` is added).
    pub fn master(&mut self, pid: u32, mut contents: Map<String, Value>) {
        contents.insert("time".to_string(), json!(now_epoch()));
        let line = log_line(pid, "control", None, &Value::Object(contents));
        self.append("master.log", &line);
    }

    /// A child-0 control line with just an action (and optional msg).
    pub fn master_action(&mut self, pid: u32, action: &str, msg: Option<Value>) {
        let mut c = Map::new();
        c.insert("action".to_string(), json!(action));
        c.insert("child_number".to_string(), json!(0));
        if let Some(m) = msg {
            c.insert("msg".to_string(), m);
        }
        self.master(pid, c);
    }

    /// Master-log item fields (`queue`, `item`, `local_item`, `item_type`, `item_name`, `logfile`).
    pub fn item_fields(&self, idx: usize, q: Queue, child: usize) -> Map<String, Value> {
        let mut c = Map::new();
        c.insert("child_number".to_string(), json!(child));
        c.insert("queue".to_string(), json!(q.name()));
        if let Some(it) = self.items.get(idx) {
            c.insert("item".to_string(), json!(it.key));
            c.insert("local_item".to_string(), json!(it.local_key));
            c.insert("item_type".to_string(), json!(it.module.name));
            c.insert("item_name".to_string(), json!(it.module.label));
            c.insert("logfile".to_string(), json!(it.log_name(q)));
        }
        c
    }

    /// An item-log line.
    pub fn item_log(&mut self, idx: usize, q: Queue, pid: u32, kind: &str, source: Option<&str>, contents: Value) {
        let Some(name) = self.items.get(idx).map(|it| it.log_name(q)) else {
            return;
        };
        let line = log_line(pid, kind, source, &contents);
        self.append(&name, &line);
    }

    /// Rebuild both queues from the item states (start and resume).
    pub fn rebuild_queues(&mut self) {
        self.transfer_queue.clear();
        self.restore_queue.clear();
        self.in_transfer = 0;
        self.in_restore = 0;
        for (idx, it) in self.items.iter_mut().enumerate() {
            match it.state {
                ItemState::TransferPending | ItemState::TransferInProgress => {
                    it.state = ItemState::TransferPending;
                    self.transfer_queue.push(it.order_key(idx));
                }
                ItemState::RestorePending | ItemState::RestoreInProgress => {
                    it.state = ItemState::RestorePending;
                    self.restore_queue.push(it.order_key(idx));
                }
                ItemState::Completed | ItemState::Failed => {}
            }
        }
    }

    pub fn pop_transfer(&mut self) -> Option<usize> {
        self.transfer_queue.pop().map(|Reverse((.., idx))| idx)
    }

    pub fn pop_restore(&mut self) -> Option<usize> {
        self.restore_queue.pop().map(|Reverse((.., idx))| idx)
    }

    pub fn push_restore(&mut self, idx: usize) {
        if let Some(it) = self.items.get(idx) {
            let k = it.order_key(idx);
            self.restore_queue.push(k);
        }
    }

    /// Items not finished yet (pending or in progress in either queue).
    pub fn unfinished(&self) -> usize {
        self.items
            .iter()
            .filter(|i| !matches!(i.state, ItemState::Completed | ItemState::Failed))
            .count()
    }

    pub fn set_item_state(&mut self, idx: usize, st: ItemState) {
        if let Some(it) = self.items.get_mut(idx) {
            it.state = st;
        }
    }
}
