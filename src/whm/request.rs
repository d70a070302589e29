//! One typed request per WHM API 1 function (§3.0: the 15 Transfers functions, `validate_system_user`
//! and `remote_basic_credential_check`). A request renders to a URL path that carries no parameters
//! and an `application/x-www-form-urlencoded` POST body; secrets live only in that body.

use super::analysis::Analysis;
use super::responses::*;
use serde::de::DeserializeOwned;
use std::fmt;

/// A password or passphrase. It has no `Display`, its `Debug` is redacted, and the only way out is
/// into a POST body (via [`Call::form_body`]).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_empty() {
            "Secret(empty)"
        } else {
            "Secret(redacted)"
        })
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret(s.to_owned())
    }
}

/// A parameter value: plain text or a secret.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Value {
    Text(String),
    Secret(Secret),
}

/// A rendered call: function name, parameters in order, and how the transport must treat it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Call {
    pub function: &'static str,
    pub params: Vec<(String, Value)>,
    /// Changes server state: never retried automatically, never sent twice.
    pub mutating: bool,
    /// How long the transport waits before giving up (ms).
    pub timeout_ms: u32,
}

/// Default wait for a quick call.
pub const QUICK_TIMEOUT_MS: u32 = 30_000;
/// Calls that contact the source server (SSH, remote scripts, analysis) take minutes.
pub const REMOTE_TIMEOUT_MS: u32 = 600_000;

impl Call {
    fn new(function: &'static str, mutating: bool) -> Self {
        Call {
            function,
            params: Vec::new(),
            mutating,
            timeout_ms: QUICK_TIMEOUT_MS,
        }
    }
    fn text(mut self, name: &str, value: impl ToString) -> Self {
        self.params.push((name.to_owned(), Value::Text(value.to_string())));
        self
    }
    fn opt_text(self, name: &str, value: Option<&str>) -> Self {
        match value {
            Some(v) => self.text(name, v),
            None => self,
        }
    }
    fn flag(self, name: &str, value: bool) -> Self {
        self.text(name, if value { "1" } else { "0" })
    }
    fn secret(mut self, name: &str, value: &Option<Secret>) -> Self {
        if let Some(s) = value {
            self.params.push((name.to_owned(), Value::Secret(s.clone())));
        }
        self
    }
    fn timeout(mut self, ms: u32) -> Self {
        self.timeout_ms = ms;
        self
    }

    /// The URL path for a browser-session call: `<token>/json-api/<function>`. No query string: every
    /// parameter, `api.version` included, goes in the body.
    pub fn path(&self, security_token: &str) -> String {
        format!("{}/json-api/{}", security_token.trim_end_matches('/'), self.function)
    }

    /// The form-encoded POST body, `api.version=1` first.
    pub fn form_body(&self) -> String {
        let mut out = String::from("api.version=1");
        for (name, value) in &self.params {
            out.push('&');
            form_encode_into(&mut out, name);
            out.push('=');
            match value {
                Value::Text(t) => form_encode_into(&mut out, t),
                Value::Secret(s) => form_encode_into(&mut out, &s.0),
            }
        }
        out
    }

    /// Whether any parameter is a secret.
    pub fn has_secret(&self) -> bool {
        self.params.iter().any(|(_, v)| matches!(v, Value::Secret(_)))
    }

    /// A one-line description safe for logs and error messages: secrets shown as `***`.
    pub fn describe(&self) -> String {
        let params: Vec<String> = self
            .params
            .iter()
            .map(|(n, v)| match v {
                Value::Text(t) => format!("{n}={t}"),
                Value::Secret(_) => format!("{n}=***"),
            })
            .collect();
        format!("{}({})", self.function, params.join(", "))
    }

    /// The text value of a parameter (secrets are not returned).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(n, _)| n == name).and_then(|(_, v)| match v {
            Value::Text(t) => Some(t.as_str()),
            Value::Secret(_) => None,
        })
    }
}

/// `application/x-www-form-urlencoded` encoding (WHATWG): unreserved `*-._` and alphanumerics kept,
/// space as `+`, everything else as UTF-8 `%XX`.
pub fn form_encode_into(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in text.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => out.push(b as char),
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                out.push(HEX[usize::from(b >> 4)] as char);
                out.push(HEX[usize::from(b & 15)] as char);
            }
        }
    }
}

/// A typed WHM API 1 function call.
pub trait Request {
    /// The function's name, as WHM spells it.
    const FUNCTION: &'static str;
    /// The `data` it returns (`()` for metadata-only functions).
    type Data: DeserializeOwned;
    /// WHM may answer success without `data` (metadata-only functions, or data nobody relies on):
    /// such a success then decodes as an empty object.
    const DATA_OPTIONAL: bool = false;
    /// Its data can run to megabytes (the analysis): decoded as it is read, in one pass
    /// ([`super::decode`]); every other reply goes through the smaller two-pass decoder
    /// ([`super::decode_small`]), which gives the same answers.
    const LARGE_DATA: bool = false;
    fn call(&self) -> Call;
}

/// Unpacks a successful reply into the request's data, once, for every caller: where data is optional
/// an absent `data` is an empty object; any other function must send `data`.
pub fn unpack<R: Request>(reply: super::Reply<R::Data>) -> Result<R::Data, super::WhmError> {
    if R::DATA_OPTIONAL && reply.data.is_none() {
        return serde_json::from_str::<R::Data>("{}").map_err(|e| super::WhmError::Malformed {
            detail: e.to_string(),
            at: "data".into(),
            truncated: false,
        });
    }
    reply.require_data()
}

/// Metadata-only functions decode their (absent) data into this.
pub type NoData = serde::de::IgnoredAny;

macro_rules! session_call {
    ($(#[$doc:meta])* $name:ident, $fn_name:literal, $data:ty, mutating = $mutating:literal, timeout = $timeout:expr $(, data_optional = $optional:literal)? $(, large_data = $large:literal)?) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name {
            pub transfer_session_id: String,
        }
        impl Request for $name {
            const FUNCTION: &'static str = $fn_name;
            type Data = $data;
            const DATA_OPTIONAL: bool = false $(|| $optional)?;
            const LARGE_DATA: bool = false $(|| $large)?;
            fn call(&self) -> Call {
                Call::new(Self::FUNCTION, $mutating).timeout($timeout).text("transfer_session_id", &self.transfer_session_id)
            }
        }
    };
}

session_call!(
    /// Abort a session (PENDING → FAILED quirk, §3.12). May take ~15 s. Metadata only.
    AbortTransferSession, "abort_transfer_session", NoData, mutating = true, timeout = 120_000, data_optional = true
);
session_call!(
    /// Re-run the whole remote analysis and store it (§3.4). Metadata only.
    AnalyzeTransferSessionRemote, "analyze_transfer_session_remote", NoData, mutating = true, timeout = REMOTE_TIMEOUT_MS, data_optional = true
);
session_call!(
    /// The stored analysis (§3.5, §4).
    RetrieveTransferSessionRemoteAnalysis, "retrieve_transfer_session_remote_analysis", Analysis, mutating = false, timeout = 120_000, large_data = true
);
session_call!(
    /// Start, or resume a PAUSED session (§3.10).
    StartTransferSession, "start_transfer_session", StartedSession, mutating = true, timeout = 120_000, data_optional = true
);
session_call!(
    /// Ask workers to stop after their current item (§3.11). Metadata only.
    PauseTransferSession, "pause_transfer_session", NoData, mutating = true, timeout = QUICK_TIMEOUT_MS, data_optional = true
);
session_call!(
    /// The session state name (§3.13).
    GetTransferSessionState, "get_transfer_session_state", SessionStateData, mutating = false, timeout = QUICK_TIMEOUT_MS
);

/// `available_transfer_modules` (§3.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AvailableTransferModules;
impl Request for AvailableTransferModules {
    const FUNCTION: &'static str = "available_transfer_modules";
    type Data = TransferModules;
    fn call(&self) -> Call {
        Call::new(Self::FUNCTION, false)
    }
}

/// `restore_modules_summary` (§3.16).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RestoreModulesSummaryRequest;
impl Request for RestoreModulesSummaryRequest {
    const FUNCTION: &'static str = "restore_modules_summary";
    type Data = RestoreModulesSummary;
    fn call(&self) -> Call {
        Call::new(Self::FUNCTION, false)
    }
}

/// `transfer_module_schema` (§3.8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferModuleSchema {
    pub module: String,
}
impl Request for TransferModuleSchema {
    const FUNCTION: &'static str = "transfer_module_schema";
    type Data = ModuleSchemaData;
    fn call(&self) -> Call {
        Call::new(Self::FUNCTION, false).text("module", &self.module)
    }
}

/// `validate_system_user` (§3.6, §5.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidateSystemUser {
    pub user: String,
}
impl Request for ValidateSystemUser {
    const FUNCTION: &'static str = "validate_system_user";
    type Data = SystemUserVerdict;
    fn call(&self) -> Call {
        Call::new(Self::FUNCTION, false)
            .timeout(15_000)
            .text("user", &self.user)
    }
}

/// `fetch_transfer_session_log` (§3.14). Mind the blocking quirk: fetch `master.log` only once terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchTransferSessionLog {
    pub transfer_session_id: String,
    /// `master.log`, `master.error_log`, or `item-<QUEUE>_<Type>_<item>`.
    pub logfile: String,
}
impl Request for FetchTransferSessionLog {
    const FUNCTION: &'static str = "fetch_transfer_session_log";
    type Data = SessionLog;
    fn call(&self) -> Call {
        Call::new(Self::FUNCTION, false)
            .timeout(120_000)
            .text("transfer_session_id", &self.transfer_session_id)
            .text("logfile", &self.logfile)
    }
}

/// `delete_account_archives` (§3.15). Metadata only (messages/warnings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteAccountArchives {
    pub user: String,
    /// Default `/home` on the server when omitted.
    pub mountpoint: Option<String>,
}
impl Request for DeleteAccountArchives {
    const FUNCTION: &'static str = "delete_account_archives";
    type Data = NoData;
    const DATA_OPTIONAL: bool = true;
    fn call(&self) -> Call {
        Call::new(Self::FUNCTION, true)
            .text("user", &self.user)
            .opt_text("mountpoint", self.mountpoint.as_deref())
    }
}

/// `comm_transport` of a root session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CommTransport {
    #[default]
    Ssh,
    Whostmgr,
    WhostmgrInsecure,
}
impl CommTransport {
    pub fn as_str(self) -> &'static str {
        match self {
            CommTransport::Ssh => "ssh",
            CommTransport::Whostmgr => "whostmgr",
            CommTransport::WhostmgrInsecure => "whostmgr_insecure",
        }
    }
}

/// `root_escalation_method`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Escalation {
    Su,
    Sudo,
}
impl Escalation {
    pub fn as_str(self) -> &'static str {
        match self {
            Escalation::Su => "su",
            Escalation::Sudo => "sudo",
        }
    }
}

/// `create_remote_root_transfer_session` (§3.2). Every documented parameter is sent (the docs mark
/// them required even where the code has defaults).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateRemoteRootTransferSession {
    pub host: String,
    pub user: String,
    pub password: Option<Secret>,
    pub port: u16,
    pub root_escalation_method: Option<Escalation>,
    pub root_password: Option<Secret>,
    pub sshkey_name: Option<String>,
    pub sshkey_passphrase: Option<Secret>,
    pub comm_transport: CommTransport,
    pub transfer_threads: u8,
    pub restore_threads: u8,
    pub unrestricted_restore: bool,
    pub copy_reseller_privs: bool,
    pub compressed: bool,
    pub unencrypted: bool,
    pub use_backups: bool,
    pub low_priority: bool,
    pub enable_custom_pkgacct: bool,
    pub remote_server_type: Option<String>,
    pub session_timeout: Option<u32>,
}

impl Default for CreateRemoteRootTransferSession {
    fn default() -> Self {
        CreateRemoteRootTransferSession {
            host: String::new(),
            user: "root".into(),
            password: None,
            port: 22,
            root_escalation_method: None,
            root_password: None,
            sshkey_name: None,
            sshkey_passphrase: None,
            comm_transport: CommTransport::Ssh,
            transfer_threads: 1,
            restore_threads: 1,
            unrestricted_restore: false,
            copy_reseller_privs: false,
            compressed: false,
            unencrypted: false,
            use_backups: false,
            low_priority: false,
            enable_custom_pkgacct: false,
            remote_server_type: None,
            session_timeout: None,
        }
    }
}

impl Request for CreateRemoteRootTransferSession {
    const FUNCTION: &'static str = "create_remote_root_transfer_session";
    type Data = CreatedSession;
    fn call(&self) -> Call {
        let c = Call::new(Self::FUNCTION, true)
            .timeout(REMOTE_TIMEOUT_MS)
            .text("host", &self.host)
            .text("user", &self.user)
            .secret("password", &self.password)
            .text("port", self.port)
            .opt_text(
                "root_escalation_method",
                self.root_escalation_method.map(Escalation::as_str),
            )
            .secret("root_password", &self.root_password)
            .opt_text("sshkey_name", self.sshkey_name.as_deref())
            .secret("sshkey_passphrase", &self.sshkey_passphrase)
            .text("comm_transport", self.comm_transport.as_str())
            .text("transfer_threads", self.transfer_threads.max(1))
            .text("restore_threads", self.restore_threads.max(1))
            .flag("unrestricted_restore", self.unrestricted_restore)
            .flag("copy_reseller_privs", self.copy_reseller_privs)
            .flag("compressed", self.compressed)
            .flag("unencrypted", self.unencrypted)
            .flag("use_backups", self.use_backups)
            .flag("low_priority", self.low_priority)
            .flag("enable_custom_pkgacct", self.enable_custom_pkgacct)
            .opt_text("remote_server_type", self.remote_server_type.as_deref());
        match self.session_timeout {
            Some(t) => c.text("session_timeout", t),
            None => c,
        }
    }
}

/// `create_remote_user_transfer_session` (§3.3): a cPanel account's own password; no `user` parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateRemoteUserTransferSession {
    pub host: String,
    pub password: Secret,
    /// The docs say it must be 1; the code accepts 0 (restricted restore).
    pub unrestricted_restore: bool,
}
impl Request for CreateRemoteUserTransferSession {
    const FUNCTION: &'static str = "create_remote_user_transfer_session";
    type Data = CreatedSession;
    fn call(&self) -> Call {
        Call::new(Self::FUNCTION, true)
            .timeout(120_000)
            .text("host", &self.host)
            .secret("password", &Some(self.password.clone()))
            .flag("unrestricted_restore", self.unrestricted_restore)
    }
}

/// `remote_basic_credential_check` (§3.18): a "test connection" call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteBasicCredentialCheck {
    pub host: String,
    pub user: String,
    pub password: Option<Secret>,
    pub port: u16,
    pub root_escalation_method: Option<Escalation>,
    pub root_password: Option<Secret>,
    pub sshkey_name: Option<String>,
    pub sshkey_passphrase: Option<Secret>,
}
impl Request for RemoteBasicCredentialCheck {
    const FUNCTION: &'static str = "remote_basic_credential_check";
    type Data = CredentialCheck;
    fn call(&self) -> Call {
        Call::new(Self::FUNCTION, false)
            .timeout(120_000)
            .text("host", &self.host)
            .text("user", &self.user)
            .secret("password", &self.password)
            .text("port", self.port)
            .opt_text(
                "root_escalation_method",
                self.root_escalation_method.map(Escalation::as_str),
            )
            .secret("root_password", &self.root_password)
            .opt_text("sshkey_name", self.sshkey_name.as_deref())
            .secret("sshkey_passphrase", &self.sshkey_passphrase)
    }
}

/// `start_local_cpmove_restore` (§3.17).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StartLocalCpmoveRestore {
    pub cpmovepath: String,
    pub username: Option<String>,
    pub overwrite: bool,
    pub dedicated_ip: bool,
    pub restricted: bool,
    pub delete_archive: bool,
    /// `all` (default) or `basic`.
    pub update_a_records: Option<String>,
    pub mail_location: Option<String>,
}
impl Request for StartLocalCpmoveRestore {
    const FUNCTION: &'static str = "start_local_cpmove_restore";
    type Data = CreatedSession;
    fn call(&self) -> Call {
        Call::new(Self::FUNCTION, true)
            .timeout(120_000)
            .text("cpmovepath", &self.cpmovepath)
            .opt_text("username", self.username.as_deref())
            .flag("overwrite", self.overwrite)
            .flag("dedicated_ip", self.dedicated_ip)
            .flag("restricted", self.restricted)
            .flag("delete_archive", self.delete_archive)
            .opt_text("update_a_records", self.update_a_records.as_deref())
            .opt_text("mail_location", self.mail_location.as_deref())
    }
}

/// `enqueue_transfer_item` (§3.9): one item. Keys must be exactly schema keys; use the typed builders
/// ([`AccountItem`], [`EnqueueTransferItem::package`]) where possible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnqueueTransferItem {
    pub transfer_session_id: String,
    pub module: String,
    /// Item keys in the order they are sent. Never contains `transfer_session_id` or `module`.
    pub keys: Vec<(String, String)>,
}
impl Request for EnqueueTransferItem {
    const FUNCTION: &'static str = "enqueue_transfer_item";
    type Data = NoData;
    const DATA_OPTIONAL: bool = true;
    fn call(&self) -> Call {
        let mut c = Call::new(Self::FUNCTION, true)
            .text("transfer_session_id", &self.transfer_session_id)
            .text("module", &self.module);
        for (k, v) in &self.keys {
            if k != "transfer_session_id" && k != "module" {
                c = c.text(k, v);
            }
        }
        c
    }
}

impl EnqueueTransferItem {
    /// A `PackageRemoteRoot` item.
    pub fn package(transfer_session_id: &str, package: &str) -> Self {
        EnqueueTransferItem {
            transfer_session_id: transfer_session_id.into(),
            module: "PackageRemoteRoot".into(),
            keys: vec![("package".into(), package.into())],
        }
    }
}

/// An account item for `AccountRemoteRoot` / `AccountRemoteUser` (shared schema, §3.9). Flags left
/// `None` are not sent (server default), except `skipres`, which is always sent (see §3.2 ⚠️).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AccountItem {
    pub user: String,
    pub localuser: String,
    pub domain: Option<String>,
    pub size: Option<u64>,
    pub files: Option<u64>,
    pub ip: bool,
    pub customip: Option<String>,
    /// `all` or `basic`.
    pub replaceip: Option<String>,
    pub reseller: bool,
    pub force: bool,
    pub skipres: bool,
    pub skipaccount: bool,
    pub skiphomedir: bool,
    pub skipacctdb: bool,
    pub skipbwdata: bool,
    pub skipemail: bool,
    pub skipsubdomains: bool,
    pub shared_mysql_server: bool,
    pub overwrite_with_delete: bool,
    /// `overwrite_all_dbs` and `overwrite_all_dbusers`.
    pub overwrite_all: bool,
    /// `overwrite_sameowner_dbs` and `overwrite_sameowner_dbusers`.
    pub overwrite_sameowner: bool,
    pub live_transfer: bool,
    /// Legacy Express Transfer.
    pub xferpoint: bool,
    pub mail_location: Option<String>,
}

/// One key's value in an account item's call, before it is written as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyValue<'a> {
    Text(&'a str),
    Flag(bool),
    Number(u64),
}

impl KeyValue<'_> {
    /// Whether this is what WHM assumes when the key is absent (a `0` or an empty text).
    pub fn is_default(self) -> bool {
        match self {
            KeyValue::Text(t) => t.is_empty() || t == "0",
            KeyValue::Flag(b) => !b,
            KeyValue::Number(n) => n == 0,
        }
    }

    /// As the form body carries it.
    pub fn to_text(self) -> String {
        match self {
            KeyValue::Text(t) => t.to_owned(),
            KeyValue::Flag(b) => if b { "1" } else { "0" }.to_owned(),
            KeyValue::Number(n) => n.to_string(),
        }
    }
}

impl AccountItem {
    pub fn into_request(self, transfer_session_id: &str, module: &str) -> EnqueueTransferItem {
        let mut keys: Vec<(String, String)> = Vec::with_capacity(28);
        self.visit_keys(module, |k, v| keys.push((k.to_owned(), v.to_text())));
        EnqueueTransferItem {
            transfer_session_id: transfer_session_id.into(),
            module: module.into(),
            keys,
        }
    }

    /// Every key of this item's call for `module`, in the order it is sent, without building the
    /// call (the plan check counts the keys of 10,000 items this way).
    pub fn visit_keys(&self, module: &str, mut key: impl FnMut(&'static str, KeyValue<'_>)) {
        use KeyValue::{Flag, Number, Text};
        key("user", Text(&self.user));
        key("localuser", Text(&self.localuser));
        if let Some(d) = &self.domain {
            key("domain", Text(d));
        }
        if let Some(s) = self.size {
            key("size", Number(s));
        }
        if let Some(f) = self.files {
            key("files", Number(f));
        }
        if module == "AccountRemoteRoot" {
            key("detected_remote_user", Text(&self.user));
        }
        key("ip", Flag(self.ip));
        if let Some(c) = &self.customip {
            key("customip", Text(c));
        }
        if let Some(r) = &self.replaceip {
            key("replaceip", Text(r));
        }
        key("reseller", Flag(self.reseller));
        key("force", Flag(self.force));
        key("skipres", Flag(self.skipres));
        key("skipaccount", Flag(self.skipaccount));
        key("skiphomedir", Flag(self.skiphomedir));
        key("skipacctdb", Flag(self.skipacctdb));
        key("skipbwdata", Flag(self.skipbwdata));
        key("skipemail", Flag(self.skipemail));
        key("skipsubdomains", Flag(self.skipsubdomains));
        key("shared_mysql_server", Flag(self.shared_mysql_server));
        key("overwrite_with_delete", Flag(self.overwrite_with_delete));
        if self.overwrite_all {
            key("overwrite_all_dbs", Flag(true));
            key("overwrite_all_dbusers", Flag(true));
        }
        if self.overwrite_sameowner {
            key("overwrite_sameowner_dbs", Flag(true));
            key("overwrite_sameowner_dbusers", Flag(true));
        }
        key("live_transfer", Flag(self.live_transfer));
        if self.xferpoint {
            key("xferpoint", Flag(true));
        }
        if let Some(m) = &self.mail_location {
            key("mail_location", Text(m));
        }
    }
}

// Constructors named after the functions, for call sites that read like the API docs.

pub fn abort_transfer_session(id: &str) -> AbortTransferSession {
    AbortTransferSession {
        transfer_session_id: id.into(),
    }
}
pub fn analyze_transfer_session_remote(id: &str) -> AnalyzeTransferSessionRemote {
    AnalyzeTransferSessionRemote {
        transfer_session_id: id.into(),
    }
}
pub fn available_transfer_modules() -> AvailableTransferModules {
    AvailableTransferModules
}
pub fn create_remote_root_transfer_session(
    host: &str,
    user: &str,
    password: Secret,
) -> CreateRemoteRootTransferSession {
    CreateRemoteRootTransferSession {
        host: host.into(),
        user: user.into(),
        password: Some(password),
        ..Default::default()
    }
}
pub fn create_remote_user_transfer_session(host: &str, password: Secret) -> CreateRemoteUserTransferSession {
    CreateRemoteUserTransferSession {
        host: host.into(),
        password,
        unrestricted_restore: true,
    }
}
pub fn delete_account_archives(user: &str) -> DeleteAccountArchives {
    DeleteAccountArchives {
        user: user.into(),
        mountpoint: None,
    }
}
pub fn enqueue_transfer_item(id: &str, module: &str, keys: Vec<(String, String)>) -> EnqueueTransferItem {
    EnqueueTransferItem {
        transfer_session_id: id.into(),
        module: module.into(),
        keys,
    }
}
pub fn fetch_transfer_session_log(id: &str, logfile: &str) -> FetchTransferSessionLog {
    FetchTransferSessionLog {
        transfer_session_id: id.into(),
        logfile: logfile.into(),
    }
}
pub fn get_transfer_session_state(id: &str) -> GetTransferSessionState {
    GetTransferSessionState {
        transfer_session_id: id.into(),
    }
}
pub fn pause_transfer_session(id: &str) -> PauseTransferSession {
    PauseTransferSession {
        transfer_session_id: id.into(),
    }
}
pub fn restore_modules_summary() -> RestoreModulesSummaryRequest {
    RestoreModulesSummaryRequest
}
pub fn retrieve_transfer_session_remote_analysis(id: &str) -> RetrieveTransferSessionRemoteAnalysis {
    RetrieveTransferSessionRemoteAnalysis {
        transfer_session_id: id.into(),
    }
}
pub fn start_transfer_session(id: &str) -> StartTransferSession {
    StartTransferSession {
        transfer_session_id: id.into(),
    }
}
pub fn transfer_module_schema(module: &str) -> TransferModuleSchema {
    TransferModuleSchema { module: module.into() }
}
pub fn start_local_cpmove_restore(cpmovepath: &str) -> StartLocalCpmoveRestore {
    StartLocalCpmoveRestore {
        cpmovepath: cpmovepath.into(),
        ..Default::default()
    }
}
pub fn validate_system_user(user: &str) -> ValidateSystemUser {
    ValidateSystemUser { user: user.into() }
}
pub fn remote_basic_credential_check(host: &str, user: &str, password: Secret) -> RemoteBasicCredentialCheck {
    RemoteBasicCredentialCheck {
        host: host.into(),
        user: user.into(),
        password: Some(password),
        port: 22,
        root_escalation_method: None,
        root_password: None,
        sshkey_name: None,
        sshkey_passphrase: None,
    }
}

/// Validates a `transfer_session_id` the way WHM does before any call (§3.1): non-empty, only
/// `[0-9A-Za-z_]`. Returns WHM's own message on failure.
pub fn check_session_id(id: &str) -> Result<(), String> {
    if id.is_empty() {
        return Err("Enter a transfer session ID.".into());
    }
    if !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Err(format!(
            "The session ID “{id}” may only contain alphanumeric characters and underscores."
        ));
    }
    Ok(())
}

/// `accountsummary` (WHM API 1, Accounts): one account of this server by user name. Used after a
/// session to confirm each restored account arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountSummaryRequest {
    pub user: String,
}
impl Request for AccountSummaryRequest {
    const FUNCTION: &'static str = "accountsummary";
    type Data = AccountSummaryData;
    fn call(&self) -> Call {
        Call::new(Self::FUNCTION, false).text("user", &self.user)
    }
}

pub fn accountsummary(user: &str) -> AccountSummaryRequest {
    AccountSummaryRequest { user: user.into() }
}
