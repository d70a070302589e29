//! The WHM API 1 functions (§3): 15 Transfers functions + remote_basic_credential_check +
//! validate_system_user. Each returns a [`Reply`]; [`envelope`] renders the JSON body.

use std::sync::Arc;

use serde::Serialize;
use serde_json::{Value, json};

use crate::model::{LocalServer, RemoteServer};
use crate::modules::{self, MODULES, ModuleDef, ModuleKind};
use std::collections::{BTreeSet, HashMap};

use crate::session::{Item, ItemState, SessionKind, SessionState, TransferSession};
use crate::usernames;
use crate::util::{Params, flag_of, truthy};
use crate::{App, World, analysis, worker};

/// Every function this simulator answers.
pub const FUNCTIONS: [&str; 18] = [
    "accountsummary",
    "abort_transfer_session",
    "analyze_transfer_session_remote",
    "available_transfer_modules",
    "create_remote_root_transfer_session",
    "create_remote_user_transfer_session",
    "delete_account_archives",
    "enqueue_transfer_item",
    "fetch_transfer_session_log",
    "get_transfer_session_state",
    "pause_transfer_session",
    "restore_modules_summary",
    "retrieve_transfer_session_remote_analysis",
    "start_transfer_session",
    "transfer_module_schema",
    "start_local_cpmove_restore",
    "remote_basic_credential_check",
    "validate_system_user",
];

/// The outcome of one call.
#[derive(Debug, Clone)]
pub enum Reply {
    Ok {
        data: Option<Value>,
        reason: &'static str,
        output: Option<Value>,
    },
    Fail {
        reason: String,
        data: Option<Value>,
    },
}

impl Reply {
    fn data(v: Value) -> Self {
        Self::Ok {
            data: Some(v),
            reason: "OK",
            output: None,
        }
    }

    /// Metadata-only success (no `data` key at all).
    fn empty() -> Self {
        Self::Ok {
            data: None,
            reason: "OK",
            output: None,
        }
    }

    fn fail(s: impl Into<String>) -> Self {
        Self::Fail {
            reason: s.into(),
            data: None,
        }
    }
}

#[derive(Serialize)]
struct Metadata<'a> {
    version: u32,
    reason: &'a str,
    result: Value,
    command: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    output: Option<&'a Value>,
}

#[derive(Serialize)]
struct Envelope<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a Value>,
    metadata: Metadata<'a>,
}

/// Render the WHM API 1 envelope (§1.3). Success `result` is `ok_result` ("1" or 1); failure is 0.
pub fn envelope(command: &str, reply: &Reply, ok_result: Value) -> String {
    let env = match reply {
        Reply::Ok { data, reason, output } => Envelope {
            data: data.as_ref(),
            metadata: Metadata {
                version: 1,
                reason,
                result: ok_result,
                command,
                output: output.as_ref(),
            },
        },
        Reply::Fail { reason, data } => Envelope {
            data: data.as_ref(),
            metadata: Metadata {
                version: 1,
                reason,
                result: json!(0),
                command,
                output: None,
            },
        },
    };
    serde_json::to_string(&env).unwrap_or_default()
}

/// Unknown function under API 1. The wording mirrors the documented API 0 text of
/// `Whostmgr/XMLUI/Meta.pm` with the version number changed and cPanel's usual curly
/// quotes around the name (chosen by us: the exact v1 wording is not documented).
pub fn unknown_function(name: &str) -> Reply {
    Reply::fail(format!(
        "Unknown app (“{name}”) requested for this version (1) of the API."
    ))
}

/// A call without `api.version=1` goes to legacy API 0, which has none of these functions.
/// We answer with cpsrvd's generic API-2 style error object (the same renderer as the §2.4
/// "Access denied" body), HTTP 200, and the documented text (§1.1).
pub fn legacy_api0_body(name: &str) -> String {
    let msg = format!("Unknown app ({name}) requested for this version (0) of the API.");
    json!({"cpanelresult": {"apiversion": "2", "error": msg, "data": {"reason": msg, "result": "0"}, "type": "text"}})
        .to_string()
}

/// What a function answers: `Err` is a failure reply, so checks chain with `?`.
pub type Answer = Result<Reply, Reply>;

/// A failure reply as an `Err`, for `return fail(…)` and `?`.
fn fail<T>(reason: impl Into<String>) -> Result<T, Reply> {
    Err(Reply::fail(reason))
}

fn missing<T>(name: &str) -> Result<T, Reply> {
    fail(format!("Provide the “{name}” parameter."))
}

/// Dispatch one call. `None` = unknown function.
pub async fn call(app: &Arc<App>, func: &str, p: &Params) -> Option<Reply> {
    let answer = match func {
        "abort_transfer_session" => abort(app, p),
        "analyze_transfer_session_remote" => analyze(app, p).await,
        "available_transfer_modules" => available_modules(),
        "create_remote_root_transfer_session" => create_root(app, p).await,
        "create_remote_user_transfer_session" => create_user(app, p).await,
        "delete_account_archives" => delete_archives(app, p),
        "enqueue_transfer_item" => enqueue(app, p),
        "fetch_transfer_session_log" => fetch_log(app, p).await,
        "get_transfer_session_state" => get_state(app, p),
        "pause_transfer_session" => pause(app, p),
        "restore_modules_summary" => restore_modules_summary(),
        "retrieve_transfer_session_remote_analysis" => retrieve_analysis(app, p),
        "start_transfer_session" => start(app, p),
        "transfer_module_schema" => module_schema(app, p),
        "start_local_cpmove_restore" => start_local_restore(app, p),
        "remote_basic_credential_check" => credential_check(app, p).await,
        "validate_system_user" => validate_system_user(app, p),
        "accountsummary" => account_summary(app, p),
        _ => return None,
    };
    Some(answer.unwrap_or_else(|failure| failure))
}

// ---------------------------------------------------------------------------------------------
// session id helpers (§3.1)

fn session_id_param(p: &Params, non_empty: bool) -> Result<String, Reply> {
    match p.get("transfer_session_id") {
        None => missing("transfer_session_id"),
        Some("") if non_empty => missing("transfer_session_id"),
        Some(id) => Ok(id.to_string()),
    }
}

fn check_id(id: &str) -> Result<(), Reply> {
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return fail(format!(
            "The session ID “{id}” may only contain alphanumeric characters and underscores."
        ));
    }
    Ok(())
}

fn no_such_session(id: &str) -> Reply {
    Reply::fail(format!("The session ID “{id}” does not exist."))
}

/// The session named by a checked id (§3.1 checks: characters, then existence).
fn session<'a>(w: &'a World, id: &str) -> Result<&'a TransferSession, Reply> {
    check_id(id)?;
    w.sessions.get(id).ok_or_else(|| no_such_session(id))
}

fn session_mut<'a>(
    sessions: &'a mut HashMap<String, TransferSession>,
    id: &str,
) -> Result<&'a mut TransferSession, Reply> {
    check_id(id)?;
    sessions.get_mut(id).ok_or_else(|| no_such_session(id))
}

const WRONG_TYPE: &str = "The supplied session ID has an invalid session type. You must provide a session ID with a session type of “RemoteRoot”.";

// ---------------------------------------------------------------------------------------------
// simple functions

fn available_modules() -> Answer {
    let mut m = serde_json::Map::new();
    for def in &MODULES {
        m.insert(def.name.to_string(), json!(def.priority.to_string()));
    }
    Ok(Reply::data(json!({ "modules": m })))
}

fn module_schema(app: &Arc<App>, p: &Params) -> Answer {
    let Some(name) = p.non_empty("module") else {
        return missing("module");
    };
    match modules::find(name) {
        Some(m) => {
            let w = app.lock();
            let schema = match w.schema_drops.get(m.name) {
                Some(dropped) => m.schema_json_without(dropped),
                None => m.schema_json(),
            };
            Ok(Reply::data(json!({ "schema": schema })))
        }
        None => fail(format!("The transfer session module “{name}” does not exist.")),
    }
}

fn validate_system_user(app: &Arc<App>, p: &Params) -> Answer {
    let Some(user) = p.non_empty("user") else {
        return fail("No user name supplied: “user” is a required argument.");
    };
    let w = app.lock();
    let local = &w.local;
    let int = |b: bool| json!(i32::from(b));
    Ok(Reply::data(json!({
        "valid_for_transfer": int(usernames::valid_for_transfer(user)),
        "reserved": int(usernames::is_reserved(user, &local.aliases)),
        "exists": int(local.user_exists(user)),
        "valid_for_new": int(usernames::valid_for_new(user, local.database_prefix)),
    })))
}

/// `accountsummary` (WHM API 1, `Whostmgr/API/1/Accounts.pm`): `user=` or `domain=`, answered
/// from the accounts this simulator restored. No match → result 0, `Account does not exist.`
fn account_summary(app: &Arc<App>, p: &Params) -> Answer {
    let w = app.lock();
    let accounts = &w.local.accounts;
    let found = if p.contains("user") {
        let user = p.get("user").unwrap_or_default();
        accounts.get(user)
    } else if p.contains("domain") {
        let domain = p.get("domain").unwrap_or_default().to_ascii_lowercase();
        accounts
            .values()
            .find(|a| a["domain"].as_str().is_some_and(|d| d.eq_ignore_ascii_case(&domain)))
    } else {
        return fail("You must specify a user or domain to get a summary of.");
    };
    match found {
        Some(a) => Ok(Reply::data(json!({ "acct": [a] }))),
        None => Err(Reply::Fail {
            reason: "Account does not exist.".to_string(),
            data: Some(json!({ "acct": [] })),
        }),
    }
}

fn get_state(app: &Arc<App>, p: &Params) -> Answer {
    let id = session_id_param(p, false)?;
    let w = app.lock();
    let state = session(&w, &id)?.state.name();
    Ok(Reply::data(json!({ "state_name": state })))
}

fn retrieve_analysis(app: &Arc<App>, p: &Params) -> Answer {
    let id = session_id_param(p, false)?;
    let w = app.lock();
    let s = session(&w, &id)?;
    if s.kind != SessionKind::RemoteRoot {
        return fail(WRONG_TYPE);
    }
    Ok(match &s.analysis {
        Some(a) => Reply::data(a.clone()),
        None => Reply::data(analysis::build(
            &id,
            json!({"unrestricted": "0", "skip_reseller_privs": "0"}),
            json!({"shared_mysql_server": "0"}),
            &w.local,
            None,
        )),
    })
}

async fn analyze(app: &Arc<App>, p: &Params) -> Answer {
    let id = session_id_param(p, true)?;
    if session(&app.lock(), &id)?.kind != SessionKind::RemoteRoot {
        return fail(WRONG_TYPE);
    }
    tokio::time::sleep(app.pace(1.0)).await;
    let mut guard = app.lock();
    let w = &mut *guard;
    let s = session_mut(&mut w.sessions, &id)?;
    if s.analysis_verbatim {
        return Ok(Reply::empty());
    }
    let remote = s.remote_index.and_then(|i| app.scenario.remotes.get(i));
    let Some(remote) = remote else {
        return fail(format!(
            "The system failed to fetch information about the remote server in preflight phase 1, and returned the error: The system was unable to resolve the host, “{}”, to an IP address.",
            s.remote_host
        ));
    };
    let old = s.analysis.clone().unwrap_or(Value::Null);
    let options = old
        .get("options")
        .cloned()
        .unwrap_or_else(|| json!({"unrestricted": "0", "skip_reseller_privs": "0"}));
    let config = old
        .get("config")
        .cloned()
        .unwrap_or_else(|| json!({"shared_mysql_server": "0"}));
    let host = s.remote_host.clone();
    s.analysis = Some(analysis::build(&id, options, config, &w.local, Some((remote, &host))));
    Ok(Reply::empty())
}

fn restore_modules_summary() -> Answer {
    Ok(Reply::data(json!({ "modules": [
        {"module": "Account", "summary": ["Creates the cPanel account and restores its configuration, package and feature list."], "restricted_available": 1},
        {"module": "Homedir", "summary": ["Restores the account’s home directory."], "restricted_available": 1,
         "restricted_summary": ["Restricted Restore does not restore files that the account does not own."]},
        {"module": "Mail", "summary": ["Restores email accounts, forwarders, filters and autoresponders."], "restricted_available": 1},
        {"module": "Mysql", "summary": ["Restores MySQL® databases, database users and grants."], "restricted_available": 1,
         "restricted_summary": ["Restricted Restore only overwrites databases and database users that the account already owns."]},
        {"module": "Postgres", "summary": ["Restores PostgreSQL databases and users."], "restricted_available": 1},
        {"module": "ZoneFile", "summary": ["Restores the account’s DNS zones."], "restricted_available": 1,
         "restricted_summary": ["Restricted Restore does not restore a zone that already exists on this server."]},
        {"module": "SSL", "summary": ["Restores SSL certificates, keys and installed hosts."], "restricted_available": 1},
        {"module": "Cron", "summary": ["Restores the account’s cron jobs."], "restricted_available": 0,
         "notes": ["Restricted Restore skips cron jobs."]},
        {"module": "Shell", "summary": ["Restores the account’s shell."], "restricted_available": 1,
         "restricted_summary": ["Restricted Restore sets the shell to “/usr/local/cpanel/bin/noshell” or jailshell."]},
        {"module": "Reseller", "summary": ["Restores reseller privileges and ACLs."], "restricted_available": 0,
         "notes": ["Restricted Restore never grants reseller privileges."]}
    ]})))
}

fn delete_archives(app: &Arc<App>, p: &Params) -> Answer {
    let Some(user) = p.non_empty("user") else {
        return missing("user");
    };
    let mount = p.non_empty("mountpoint").unwrap_or("/home").trim_end_matches('/');
    let mount = if mount.is_empty() { "/" } else { mount };
    let mut w = app.lock();
    let messages = match w.local.archives.remove(user) {
        Some(path) => vec![
            format!("Found archive: {path}"),
            format!("Removing “{path}” …"),
            "Done.".to_string(),
        ],
        None => vec![format!("No archives were found for “{user}” in “{mount}”.")],
    };
    Ok(Reply::Ok {
        data: None,
        reason: "OK",
        output: Some(json!({ "warnings": [], "messages": messages })),
    })
}

// ---------------------------------------------------------------------------------------------
// state machine (§6.1, §3.10–§3.12)

fn start(app: &Arc<App>, p: &Params) -> Answer {
    let id = session_id_param(p, false)?;
    let mut w = app.lock();
    let s = session(&w, &id)?;
    let wrap = |inner: String| {
        Reply::fail(format!(
            "The system failed to start the transfer session “{id}” because of an error: {inner}"
        ))
    };
    let pid = match s.state {
        SessionState::Running => s.master_pid.unwrap_or(1),
        SessionState::Pending | SessionState::Paused => {
            let resume = s.state == SessionState::Paused;
            worker::start(app, &mut w, &id, resume).ok_or_else(|| wrap("The processor failed to start.".to_string()))?
        }
        SessionState::Pausing => {
            return Err(wrap(format!(
                "The processor failed to start because the session “{id}” is pausing."
            )));
        }
        SessionState::Aborting | SessionState::Aborted => {
            return Err(wrap(format!(
                "The processor failed to start because the session “{id}” has been aborted."
            )));
        }
        SessionState::Completed | SessionState::Failed => {
            return Err(wrap(format!(
                "The processor failed to start because the session “{id}” is in the “{}” state.",
                s.state.name()
            )));
        }
    };
    Ok(Reply::data(json!({ "pid": pid })))
}

fn pause(app: &Arc<App>, p: &Params) -> Answer {
    let id = session_id_param(p, false)?;
    let mut w = app.lock();
    let s = session_mut(&mut w.sessions, &id)?;
    if s.state != SessionState::Running {
        return fail("The system failed to “pause” the transfer session.");
    }
    let pid = s.master_pid.unwrap_or(0);
    if s.processor_alive {
        s.state = SessionState::Pausing;
        s.master_action(pid, "pausing", None);
    } else {
        // §3.11 quirk: RUNNING in the database but no processor alive → FAILED, reported as success.
        s.state = SessionState::Failed;
        s.master_action(pid, "fail", None);
        s.set_open("master.log", false);
    }
    Ok(Reply::Ok {
        data: None,
        reason: "OK.",
        output: None,
    })
}

fn abort(app: &Arc<App>, p: &Params) -> Answer {
    let id = session_id_param(p, false)?;
    let mut guard = app.lock();
    let w = &mut *guard;
    let s = session_mut(&mut w.sessions, &id)?;
    let pid = match s.master_pid {
        Some(p) => p,
        None => w.local.alloc_pid(),
    };
    match s.state {
        SessionState::Pending => {
            // §3.12 quirk: a never-started session is marked FAILED and the call reports success.
            s.state = SessionState::Failed;
            s.master_action(pid, "fail", None);
            s.set_open("master.log", false);
        }
        SessionState::Running | SessionState::Pausing if s.processor_alive => {
            s.state = SessionState::Aborting;
            s.master_action(pid, "aborting", None);
        }
        SessionState::Running | SessionState::Pausing | SessionState::Paused => {
            s.state = SessionState::Aborted;
            s.master_action(pid, "abort", None);
            s.set_open("master.log", false);
            s.set_open("master.error_log", false);
        }
        _ => return fail("The system failed to “abort” the transfer session."),
    }
    Ok(Reply::empty())
}

// ---------------------------------------------------------------------------------------------
// enqueue (§3.9)

fn enqueue(app: &Arc<App>, p: &Params) -> Answer {
    // 1. transfer_session_id and module defined
    let Some(id) = p.get("transfer_session_id").map(str::to_string) else {
        return missing("transfer_session_id");
    };
    let Some(module) = p.get("module").map(str::to_string) else {
        return missing("module");
    };
    // 2. module exists
    if modules::find(&module).is_none() {
        return fail(format!("The transfer session module “{module}” does not exist."));
    }
    // 3. root or a module that allows non-root enqueueing: the simulator's only login is root.
    // 4. session exists
    let mut guard = app.lock();
    let w = &mut *guard;
    let none = BTreeSet::new();
    let dropped = w.schema_drops.get(&module).unwrap_or(&none);
    let s = session_mut(&mut w.sessions, &id)?;
    let remote = s.remote_index.and_then(|i| app.scenario.remotes.get(i));
    add_item(s, &module, p, &w.local, remote, true, dropped).map_err(Reply::fail)?;
    Ok(Reply::empty())
}

fn is_transport_param(k: &str) -> bool {
    k == "transfer_session_id" || k == "module" || k.starts_with("api.") || k.starts_with("cpanel_jsonapi_")
}

/// Checks 5–9 of §3.9 and the item creation (shared with scenario loading). `dropped`: schema keys
/// this WHM is told not to have (`/__sim/schema`).
pub fn add_item(
    s: &mut TransferSession,
    module: &str,
    p: &Params,
    local: &LocalServer,
    remote: Option<&RemoteServer>,
    check_started: bool,
    dropped: &BTreeSet<String>,
) -> Result<(), String> {
    let def: &'static ModuleDef =
        modules::find(module).ok_or_else(|| format!("The transfer session module “{module}” does not exist."))?;
    let has_key = |k: &str| def.has_key(k) && !dropped.contains(k);
    // 5. session/module compatibility
    match s.kind {
        SessionKind::RemoteUser if !def.user_session_ok() => {
            return Err("User-authenticated transfer sessions cannot enqueue items of this type. Try again from a root-authenticated transfer session.".into());
        }
        SessionKind::RemoteRoot | SessionKind::Local if !def.root_session_ok() => {
            return Err("Root-authenticated transfer sessions cannot enqueue items of this type. Try again from a user-authenticated transfer session.".into());
        }
        _ => {}
    }
    // (Transfer Tool rule) no inputs once the session has started
    if check_started && s.state != SessionState::Pending {
        return Err("The session has already started and cannot accept additional inputs.".into());
    }
    // 6. live transfers need a source that supports them
    if def.is_account() && p.flag("live_transfer") {
        let supported = match s.kind {
            SessionKind::Local => false,
            _ => remote.is_some_and(RemoteServer::supports_live_transfers),
        };
        if !supported {
            return Err(format!(
                "The source server “{}” does not support Live Transfers.",
                s.remote_host
            ));
        }
    }
    // 7. mail_location against the linked nodes
    if def.is_account()
        && let Some(loc) = p.non_empty("mail_location")
        && loc != ".local"
        && loc != ".existing"
    {
        let known = local
            .linked_nodes
            .as_ref()
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().any(|n| n.get("alias").and_then(Value::as_str) == Some(loc)));
        if !known {
            return Err(format!("The linked node “{loc}” does not exist."));
        }
    }
    // 8. required keys, then no key outside the schema
    for req in def.required().iter().filter(|r| has_key(r)) {
        if p.non_empty(req).is_none() {
            return Err(format!(
                "The “{req}” parameter is required for the “{}” module.",
                def.name
            ));
        }
    }
    if let Some(bad) = p.keys().find(|k| !is_transport_param(k) && !has_key(k)) {
        return Err(format!(
            "The “{bad}” parameter is not valid for the “{}” module.",
            def.name
        ));
    }
    // 9. duplicate primary key
    let pkey = def.primary();
    let key = p.get(pkey).unwrap_or_default().to_string();
    if s.items.iter().any(|i| std::ptr::eq(i.module, def) && i.key == key) {
        return Err(format!(
            "An item with a “{pkey}” key value of “{key}” and a type of “{}” already exists in the queue.",
            def.name
        ));
    }
    let mut params = std::collections::HashMap::new();
    for k in p.keys() {
        if def.has_key(k)
            && let Some(v) = p.get(k)
        {
            params.insert(k.to_string(), v.to_string());
        }
    }
    let local_key = if def.kind == ModuleKind::Account {
        p.non_empty("localuser").unwrap_or(&key).to_string()
    } else {
        key.clone()
    };
    let size = p.get("size").and_then(|v| v.trim().parse::<u64>().ok()).unwrap_or(1);
    let priority = p
        .get("priority")
        .and_then(|v| v.trim().parse::<i64>().ok())
        .unwrap_or(255);
    let seq = s.next_seq();
    s.items.push(Item {
        seq,
        module: def,
        key,
        local_key,
        params,
        size,
        priority,
        state: ItemState::TransferPending,
    });
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// logs (§3.14)

async fn fetch_log(app: &Arc<App>, p: &Params) -> Answer {
    let id = session_id_param(p, true)?;
    let Some(logfile) = p.non_empty("logfile").map(str::to_string) else {
        return missing("logfile");
    };
    loop {
        let mut rx = {
            let w = app.lock();
            let s = session(&w, &id)?;
            match s.logs.get(&logfile) {
                None => {
                    let dir = format!("/var/cpanel/transfer_sessions/{id}");
                    return fail(format!(
                        "The system failed to locate either the file “{dir}/{logfile}” or the file “{dir}/.{logfile}”."
                    ));
                }
                Some(f) if !app.cfg.blocking_logs || !f.open => {
                    return Ok(Reply::data(json!({ "log": f.content })));
                }
                Some(_) => s.log_tx.subscribe(),
            }
        };
        // v120 behaviour: loop until the log is closed.
        let _ = tokio::time::timeout(std::time::Duration::from_millis(250), rx.changed()).await;
    }
}

// ---------------------------------------------------------------------------------------------
// session creation (§3.2, §3.3, §3.17, §3.18)

enum Resolved<'a> {
    Remote(usize, &'a RemoteServer),
    Err(String),
}

fn is_ip_literal(h: &str) -> bool {
    h.parse::<std::net::IpAddr>().is_ok()
}

fn resolve<'a>(app: &'a App, local: &LocalServer, host: &str) -> Resolved<'a> {
    if local.resolves_here(host) {
        return Resolved::Err(format!(
            "“{host}” resolves to the local server. Provide a remote hostname or IP address instead."
        ));
    }
    match app.scenario.remote_for(host) {
        Some(i) => match app.scenario.remotes.get(i) {
            Some(r) => Resolved::Remote(i, r),
            None => Resolved::Err(format!(
                "The system was unable to resolve the host, “{host}”, to an IP address."
            )),
        },
        None if is_ip_literal(host) => Resolved::Err(format!(
            "The remote basic credential check failed due to an error (The system failed to connect to “{host}” on port 22: Connection timed out.) and response: "
        )),
        None => Resolved::Err(format!(
            "The system was unable to resolve the host, “{host}”, to an IP address."
        )),
    }
}

/// The simulated SSH credential check: `Ok(escalation method used)` or `Err(ssh error text)`.
fn check_credentials(remote: &RemoteServer, p: &Params) -> Result<Option<&'static str>, String> {
    let user = p.non_empty("user").unwrap_or("root");
    let denied = || Err("Permission denied, please try again.".to_string());
    let escalation = if user == "root" {
        None
    } else {
        match p.non_empty("root_escalation_method").unwrap_or("sudo") {
            "su" => Some("su"),
            "sudo" => Some("sudo"),
            other => return Err(format!("Invalid escalation method “{other}”.")),
        }
    };
    let login_ok = if p.non_empty("sshkey_name").is_some() {
        true
    } else {
        match p.non_empty("password") {
            Some(pw) => pw == remote.root_password,
            None => return denied(),
        }
    };
    if !login_ok {
        return denied();
    }
    if escalation == Some("su") && p.get("root_password") != Some(remote.root_password.as_str()) {
        return Err("su: Authentication failure".to_string());
    }
    Ok(escalation)
}

fn cred_failure(err: &str) -> String {
    format!("The remote basic credential check failed due to an error ({err}) and response: Permission denied.")
}

fn flag01(b: bool) -> &'static str {
    if b { "1" } else { "0" }
}

async fn create_root(app: &Arc<App>, p: &Params) -> Answer {
    let Some(host) = p.non_empty("host").map(|h| h.trim().to_string()) else {
        return fail("You must specify a source host.");
    };
    let transport = p.non_empty("comm_transport").unwrap_or("ssh");
    if !matches!(transport, "ssh" | "whostmgr" | "whostmgr_insecure") {
        return fail(format!("Invalid “comm_transport” ({transport})."));
    }
    tokio::time::sleep(app.pace(1.5)).await;
    let mut guard = app.lock();
    let w = &mut *guard;
    let (idx, remote) = match resolve(app, &w.local, &host) {
        Resolved::Remote(i, r) => (i, r),
        Resolved::Err(e) => return fail(e),
    };
    let mut warnings: Vec<String> = Vec::new();
    if transport == "ssh" && flag_of(remote.remote.get("sim_ssh_unavailable")) {
        warnings.push("ssh transport failed (Connection refused); trying whostmgr …".to_string());
    }
    if let Err(e) = check_credentials(remote, p) {
        return fail(cred_failure(&e));
    }
    let unrestricted = p.flag("unrestricted_restore");
    if !unrestricted && remote.shared_mysql_server {
        return fail(format!(
            "The Restricted Restore mode is not available because the local machine and the source server share the same MySQL server with the address: “{}”.",
            remote.host
        ));
    }
    let threads = |k: &str| {
        p.get(k)
            .and_then(|v| v.trim().parse::<i64>().ok())
            .map(|n| usize::try_from(n.clamp(1, 9)).unwrap_or(1))
            .unwrap_or(1)
    };
    let copy_reseller_privs = p.flag("copy_reseller_privs");
    let id = w.new_session_id(&host, SessionKind::RemoteRoot.initiator());
    let mut s = TransferSession::new(id.clone(), SessionKind::RemoteRoot, host.clone(), Some(idx));
    s.transfer_threads = threads("transfer_threads");
    s.restore_threads = threads("restore_threads");
    s.unrestricted = unrestricted;
    // ⚠️ §3.2: stored as skipres = copy_reseller_privs ? 1 : 0.
    s.skipres_default = copy_reseller_privs;
    let options = json!({"unrestricted": flag01(unrestricted), "skip_reseller_privs": flag01(copy_reseller_privs)});
    let config = json!({"shared_mysql_server": flag01(remote.shared_mysql_server)});
    s.analysis = Some(analysis::build(&id, options, config, &w.local, Some((remote, &host))));
    w.sessions.insert(id.clone(), s);

    let auth = if p.non_empty("sshkey_name").is_some() {
        "key"
    } else {
        "password"
    };
    let server_type = remote
        .remote
        .get("server_type")
        .and_then(Value::as_str)
        .unwrap_or("WHM1164");
    let streaming = if p.flag("unencrypted") {
        "<strong>Streaming Not Supported</strong>"
    } else {
        "<strong>Streaming Supported</strong>"
    };
    let create_rawout = format!(
        "Basic credential check … …\nDone\nFetching information from remote host: “{host}” … …\nDone\nFetching WHM Version …\nDone\nTesting “{host}” for transfer streaming support with {auth} authentication....{streaming}\nRemote Server Type: “{server_type}”\n"
    );
    let analyze_rawout = format!(
        "Fetching information from remote host: “{host}” … …\nDone\nFetching information from remote host: “{host}” … …\nDone\n"
    );
    Ok(Reply::Ok {
        data: Some(json!({
            "transfer_session_id": id,
            "create_rawout": create_rawout,
            "analyze_rawout": analyze_rawout,
        })),
        reason: "OK",
        output: if warnings.is_empty() {
            None
        } else {
            Some(json!({ "warnings": warnings }))
        },
    })
}

async fn create_user(app: &Arc<App>, p: &Params) -> Answer {
    let Some(host) = p.non_empty("host").map(|h| h.trim().to_string()) else {
        return fail("You must specify a source host.");
    };
    if p.non_empty("password").is_none() {
        return missing("password");
    }
    tokio::time::sleep(app.pace(0.3)).await;
    let mut guard = app.lock();
    let w = &mut *guard;
    let idx = match resolve(app, &w.local, &host) {
        Resolved::Remote(i, _) => i,
        Resolved::Err(e) => return fail(e),
    };
    let id = w.new_session_id(&host, SessionKind::RemoteUser.initiator());
    let mut s = TransferSession::new(id.clone(), SessionKind::RemoteUser, host, Some(idx));
    // The code accepts 0 (restricted) although the OpenAPI says "must be 1" (§3.3).
    s.unrestricted = p.get("unrestricted_restore").is_none_or(truthy);
    s.skipres_default = true;
    // Not checked here (§3.3: the call does not contact the source); each item logs in with it.
    s.user_password = p.get("password").map(str::to_string);
    w.sessions.insert(id.clone(), s);
    Ok(Reply::data(json!({ "transfer_session_id": id })))
}

async fn credential_check(app: &Arc<App>, p: &Params) -> Answer {
    let Some(host) = p.non_empty("host").map(|h| h.trim().to_string()) else {
        return missing("host");
    };
    if p.non_empty("user").is_none() {
        return missing("user");
    }
    tokio::time::sleep(app.pace(0.5)).await;
    let w = app.lock();
    let remote = match resolve(app, &w.local, &host) {
        Resolved::Remote(_, r) => r,
        Resolved::Err(e) => return fail(e),
    };
    match check_credentials(remote, p) {
        Ok(esc) => Ok(Reply::Ok {
            data: Some(json!({
                "output": "Basic credential check…\nDone\n",
                "response": "basic credential check\n",
                "escalation_method_used": esc,
            })),
            reason: "Success",
            output: None,
        }),
        Err(e) => Err(Reply::Fail {
            reason: cred_failure(&e),
            data: Some(json!({
                "output": "Basic credential check…\nFailed\n",
                "response": format!("{e}\n"),
                "escalation_method_used": Value::Null,
            })),
        }),
    }
}

fn start_local_restore(app: &Arc<App>, p: &Params) -> Answer {
    let Some(path) = p.non_empty("cpmovepath").map(str::to_string) else {
        return missing("cpmovepath");
    };
    let mut guard = app.lock();
    let w = &mut *guard;
    if !w.local.cpmove_files.contains(&path) {
        return fail(format!("The path “{path}” does not exist."));
    }
    let file = path.rsplit('/').next().unwrap_or(&path);
    let derived = file
        .trim_end_matches(".tar.gz")
        .trim_end_matches(".tgz")
        .trim_end_matches(".tar")
        .trim_start_matches("cpmove-")
        .to_string();
    let username = p.non_empty("username").map(str::to_string).unwrap_or(derived);
    let host = w.local.host.clone();
    let id = w.new_session_id(&host, SessionKind::Local.initiator());
    let mut s = TransferSession::new(id.clone(), SessionKind::Local, host, None);
    s.unrestricted = !p.flag("restricted");
    let mut ip = Params::default();
    ip.insert("user".into(), username.clone());
    ip.insert("localuser".into(), username);
    ip.insert("cpmovefile".into(), path);
    ip.insert("force".into(), flag01(p.flag("overwrite")).into());
    ip.insert("ip".into(), flag01(p.flag("dedicated_ip")).into());
    ip.insert(
        "replaceip".into(),
        p.non_empty("update_a_records").unwrap_or("all").to_string(),
    );
    if let Some(m) = p.non_empty("mail_location") {
        ip.insert("mail_location".into(), m.to_string());
    }
    if let Err(e) = add_item(&mut s, "AccountLocal", &ip, &w.local, None, true, &BTreeSet::new()) {
        return fail(e);
    }
    w.sessions.insert(id.clone(), s);
    if worker::start(app, w, &id, false).is_none() {
        return fail(format!(
            "The system failed to start the transfer session “{id}” because of an error: The processor failed to start."
        ));
    }
    Ok(Reply::data(json!({ "transfer_session_id": id })))
}
