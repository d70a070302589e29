//! `data` of every Transfers function that returns some (§3), plus session/item states (§6.1, §6.2).

use super::scalar::{self, lenient_struct};
use std::collections::BTreeMap;
use std::fmt;

lenient_struct! {
    /// `create_remote_root_transfer_session`, `create_remote_user_transfer_session`, `start_local_cpmove_restore`.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct CreatedSession {
        pub transfer_session_id: String = "transfer_session_id" => scalar::string,
        /// Console text captured on the server; may contain HTML (`<strong>…`): show as text only.
        pub create_rawout: Option<String> = "create_rawout" => scalar::opt_string,
        pub analyze_rawout: Option<String> = "analyze_rawout" => scalar::opt_string,
    }
}

lenient_struct! {
    /// `validate_system_user` (§5.4).
    #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
    pub struct SystemUserVerdict {
        /// Any system user of that name exists (root, nobody, daemons included).
        pub exists: bool = "exists" => scalar::flag,
        pub reserved: bool = "reserved" => scalar::flag,
        pub valid_for_transfer: bool = "valid_for_transfer" => scalar::flag,
        pub valid_for_new: bool = "valid_for_new" => scalar::flag,
    }
}

lenient_struct! {
    /// `available_transfer_modules`: module name → priority (lower runs first).
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct TransferModules {
        pub modules: BTreeMap<String, u64> = "modules" => priority_map,
    }
}

/// A module's priority: a number, or last (`u64::MAX`) when unreadable; the entry is always kept.
struct Priority(u64);

impl scalar::Lenient for Priority {
    fn lenient<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        Ok(Some(Priority(scalar::opt_u64(d)?.unwrap_or(u64::MAX))))
    }
}

fn priority_map<'de, D: serde::Deserializer<'de>>(d: D) -> Result<BTreeMap<String, u64>, D::Error> {
    let m: BTreeMap<String, Priority> = scalar::map(d)?;
    Ok(m.into_iter().map(|(k, Priority(v))| (k, v)).collect())
}

impl TransferModules {
    /// Module names in queue order (priority, then name).
    pub fn in_queue_order(&self) -> Vec<(&str, u64)> {
        let mut v: Vec<_> = self.modules.iter().map(|(k, p)| (k.as_str(), *p)).collect();
        v.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(b.0)));
        v
    }
}

lenient_struct! {
    /// `transfer_module_schema`.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct ModuleSchemaData {
        pub schema: ModuleSchema = "schema" => scalar::object,
    }
}

lenient_struct! {
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct ModuleSchema {
        pub keys: BTreeMap<String, KeyDef> = "keys" => scalar::map,
        pub primary: Vec<String> = "primary" => scalar::list,
        pub required: Vec<String> = "required" => scalar::list,
        pub prerequisite: Option<String> = "prerequisite" => scalar::opt_string,
    }
}

lenient_struct! {
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct KeyDef {
        /// e.g. `varchar(255) DEFAULT NULL`
        pub def: String = "def" => scalar::string,
    }
}

impl KeyDef {
    /// The SQL type part of `def` (`varchar(255)`, `BIGINT UNSIGNED`, …).
    pub fn sql_type(&self) -> &str {
        let upper = self.def.to_ascii_uppercase();
        match upper.find(" DEFAULT") {
            Some(i) => self.def[..i].trim(),
            None => self.def.trim(),
        }
    }
    /// The default, as written after `DEFAULT` (`NULL`, `1`, `'all'` …).
    pub fn default_value(&self) -> Option<&str> {
        let upper = self.def.to_ascii_uppercase();
        upper.find("DEFAULT ").map(|i| self.def[i + 8..].trim())
    }
}

lenient_struct! {
    /// `start_transfer_session`.
    #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
    pub struct StartedSession {
        pub pid: Option<u64> = "pid" => scalar::opt_u64,
    }
}

lenient_struct! {
    /// `get_transfer_session_state`.
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct SessionStateData {
        pub state_name: String = "state_name" => scalar::string,
    }
}

impl SessionStateData {
    pub fn state(&self) -> ReportedState {
        ReportedState::parse(&self.state_name)
    }
}

lenient_struct! {
    /// `fetch_transfer_session_log`.
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct SessionLog {
        pub log: String = "log" => scalar::string,
    }
}

lenient_struct! {
    /// `restore_modules_summary` (§3.16).
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct RestoreModulesSummary {
        pub modules: Vec<RestoreModule> = "modules" => scalar::list,
    }
}

lenient_struct! {
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct RestoreModule {
        pub module: String = "module" => scalar::string,
        pub summary: Vec<String> = "summary" => scalar::text_lines,
        pub restricted_available: bool = "restricted_available" => scalar::flag,
        pub restricted_summary: Vec<String> = "restricted_summary" => scalar::text_lines,
        pub notes: Vec<String> = "notes" => scalar::text_lines,
    }
}

lenient_struct! {
    /// `remote_basic_credential_check` (§3.18).
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct CredentialCheck {
        pub output: Option<String> = "output" => scalar::opt_string,
        pub response: Option<String> = "response" => scalar::opt_string,
        pub escalation_method_used: Option<String> = "escalation_method_used" => scalar::opt_string,
    }
}

/// Session states with their numeric codes (§6.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SessionState {
    Pending = 0,
    ReachedMaxMem = 10,
    Running = 20,
    Pausing = 50,
    Aborting = 60,
    Paused = 70,
    Completed = 100,
    Aborted = 150,
    Failed = 200,
}

impl SessionState {
    pub const ALL: [SessionState; 9] = [
        SessionState::Pending,
        SessionState::ReachedMaxMem,
        SessionState::Running,
        SessionState::Pausing,
        SessionState::Aborting,
        SessionState::Paused,
        SessionState::Completed,
        SessionState::Aborted,
        SessionState::Failed,
    ];

    pub fn code(self) -> u16 {
        self as u16
    }
    pub fn from_code(code: u16) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
    pub fn name(self) -> &'static str {
        match self {
            SessionState::Pending => "PENDING",
            SessionState::ReachedMaxMem => "REACHEDMAXMEM",
            SessionState::Running => "RUNNING",
            SessionState::Pausing => "PAUSING",
            SessionState::Aborting => "ABORTING",
            SessionState::Paused => "PAUSED",
            SessionState::Completed => "COMPLETED",
            SessionState::Aborted => "ABORTED",
            SessionState::Failed => "FAILED",
        }
    }
    pub fn from_name(name: &str) -> Option<Self> {
        let n = name.trim();
        Self::ALL.into_iter().find(|s| s.name().eq_ignore_ascii_case(n))
    }
    /// WHM's own UI labels (§6.4).
    pub fn label(self) -> &'static str {
        match self {
            SessionState::Pending => "Pending",
            SessionState::ReachedMaxMem | SessionState::Running => "Processing",
            SessionState::Pausing => "Pausing …",
            SessionState::Aborting => "Aborting …",
            SessionState::Paused => "Paused",
            SessionState::Completed => "Completed",
            SessionState::Aborted => "Aborted",
            SessionState::Failed => "Failed",
        }
    }
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            SessionState::Completed | SessionState::Aborted | SessionState::Failed
        )
    }
    /// The transitions `can_change_state` allows (§6.1).
    pub fn can_become(self, to: SessionState) -> bool {
        use SessionState::*;
        match to {
            Running => matches!(self, Pending | Paused),
            Pausing => self == Running,
            Paused => self == Pausing,
            Aborting => matches!(self, Pending | Running | Pausing | Paused),
            Aborted => self == Aborting,
            Completed => self == Running,
            Failed => true,
            Pending | ReachedMaxMem => false,
        }
    }
    /// Which controls make sense in this state (WHM's buttons, §6.4).
    pub fn can_pause(self) -> bool {
        self == SessionState::Running
    }
    /// Resume is `start_transfer_session` from PAUSED (start from PENDING).
    pub fn can_start(self) -> bool {
        matches!(self, SessionState::Pending | SessionState::Paused)
    }
    pub fn can_abort(self) -> bool {
        matches!(
            self,
            SessionState::Pending | SessionState::Running | SessionState::Pausing | SessionState::Paused
        )
    }
}

impl fmt::Display for SessionState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Per-item queue states (§6.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ItemState {
    TransferPending = 0,
    TransferInProgress = 10,
    RestorePending = 30,
    RestoreInProgress = 40,
    Completed = 100,
    Failed = 200,
}

impl ItemState {
    pub const ALL: [ItemState; 6] = [
        ItemState::TransferPending,
        ItemState::TransferInProgress,
        ItemState::RestorePending,
        ItemState::RestoreInProgress,
        ItemState::Completed,
        ItemState::Failed,
    ];
    pub fn code(self) -> u16 {
        self as u16
    }
    pub fn from_code(code: u16) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
    pub fn name(self) -> &'static str {
        match self {
            ItemState::TransferPending => "TRANSFER_PENDING",
            ItemState::TransferInProgress => "TRANSFER_INPROGRESS",
            ItemState::RestorePending => "RESTORE_PENDING",
            ItemState::RestoreInProgress => "RESTORE_INPROGRESS",
            ItemState::Completed => "COMPLETED",
            ItemState::Failed => "FAILED",
        }
    }
    pub fn from_name(name: &str) -> Option<Self> {
        let n = name.trim();
        Self::ALL.into_iter().find(|s| s.name().eq_ignore_ascii_case(n))
    }
}

/// What `get_transfer_session_state` reported. v120 returns session states, but the docs list item
/// states (§3.13 ⚠️): both are modelled, and anything else is kept as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportedState {
    Session(SessionState),
    Item(ItemState),
    Unknown(String),
}

impl ReportedState {
    pub fn parse(name: &str) -> Self {
        if let Some(s) = SessionState::from_name(name) {
            ReportedState::Session(s)
        } else if let Some(i) = ItemState::from_name(name) {
            ReportedState::Item(i)
        } else {
            ReportedState::Unknown(name.to_owned())
        }
    }
    /// An item state means work is under way: treat it as RUNNING for the controls.
    pub fn as_session(&self) -> Option<SessionState> {
        match self {
            ReportedState::Session(s) => Some(*s),
            ReportedState::Item(ItemState::Completed) => Some(SessionState::Completed),
            ReportedState::Item(ItemState::Failed) => Some(SessionState::Failed),
            ReportedState::Item(_) => Some(SessionState::Running),
            ReportedState::Unknown(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_codes_match_the_reference() {
        let codes: Vec<_> = SessionState::ALL.iter().map(|s| (s.name(), s.code())).collect();
        assert_eq!(
            codes,
            [
                ("PENDING", 0),
                ("REACHEDMAXMEM", 10),
                ("RUNNING", 20),
                ("PAUSING", 50),
                ("ABORTING", 60),
                ("PAUSED", 70),
                ("COMPLETED", 100),
                ("ABORTED", 150),
                ("FAILED", 200)
            ]
        );
        let items: Vec<_> = ItemState::ALL.iter().map(|s| s.code()).collect();
        assert_eq!(items, [0, 10, 30, 40, 100, 200]);
        for s in SessionState::ALL {
            assert_eq!(SessionState::from_code(s.code()), Some(s));
            assert_eq!(SessionState::from_name(s.name()), Some(s));
        }
    }

    #[test]
    fn transitions_follow_can_change_state() {
        use SessionState::*;
        assert!(Pending.can_become(Running) && Paused.can_become(Running));
        assert!(!Running.can_become(Running) && !Completed.can_become(Running));
        assert!(Running.can_become(Pausing) && !Paused.can_become(Pausing));
        assert!(Pausing.can_become(Paused) && !Running.can_become(Paused));
        for s in [Pending, Running, Pausing, Paused] {
            assert!(s.can_become(Aborting));
        }
        assert!(!Completed.can_become(Aborting) && !Aborted.can_become(Aborting));
        assert!(Aborting.can_become(Aborted) && !Running.can_become(Aborted));
        assert!(Running.can_become(Completed) && !Paused.can_become(Completed));
        assert!(SessionState::ALL.iter().all(|s| s.can_become(Failed)));
        assert!([Completed, Aborted, Failed].iter().all(|s| s.is_terminal()));
    }

    #[test]
    fn reported_state_accepts_item_states() {
        assert_eq!(
            ReportedState::parse("RUNNING").as_session(),
            Some(SessionState::Running)
        );
        assert_eq!(
            ReportedState::parse("TRANSFER_INPROGRESS"),
            ReportedState::Item(ItemState::TransferInProgress)
        );
        assert_eq!(
            ReportedState::parse("TRANSFER_INPROGRESS").as_session(),
            Some(SessionState::Running)
        );
        assert_eq!(ReportedState::parse("weird").as_session(), None);
    }

    #[test]
    fn key_defs_split_type_and_default() {
        let k = KeyDef {
            def: "BIGINT UNSIGNED DEFAULT 1".into(),
        };
        assert_eq!(k.sql_type(), "BIGINT UNSIGNED");
        assert_eq!(k.default_value(), Some("1"));
        let k = KeyDef {
            def: "varchar(255)".into(),
        };
        assert_eq!(k.sql_type(), "varchar(255)");
        assert_eq!(k.default_value(), None);
    }
}
