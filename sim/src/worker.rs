//! Simulated transfer processor: TRANSFER and RESTORE workers moving items through the
//! §6.2 states and writing master/item logs in the §6.3 format.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value, json};
use tokio::task::JoinSet;

use crate::model::{LocalServer, RemoteServer, Scenario};
use crate::modules::ModuleKind;
use crate::session::{ItemState, Queue, SessionKind, SessionState, TransferSession};
use crate::usernames;
use crate::util::{flag_of, str_of, u64_of};
use crate::{App, World};

/// Start (or resume) a session's processor. Returns the master pid.
pub fn start(app: &Arc<App>, w: &mut World, id: &str, resume: bool) -> Option<u32> {
    let generation = w.generation;
    let World { sessions, local, .. } = w;
    let s = sessions.get_mut(id)?;
    let pid = local.alloc_pid();
    s.master_pid = Some(pid);
    s.epoch += 1;
    s.state = SessionState::Running;
    s.processor_alive = true;
    s.rebuild_queues();
    s.set_open("master.log", true);
    if !s.logs.contains_key("master.error_log") {
        s.append_raw("master.error_log", "");
    }
    s.set_open("master.error_log", true);
    if resume {
        s.master_action(pid, "resume", None);
    } else {
        s.master_action(pid, "start", None);
        s.master_action(pid, "initiator", Some(json!(s.kind.initiator())));
        s.master_action(pid, "version", Some(json!(2.3)));
        for q in [Queue::Transfer, Queue::Restore] {
            let (count, size) = s
                .items
                .iter()
                .filter(|i| !matches!(i.state, ItemState::Completed | ItemState::Failed))
                .fold((0u64, 0u64), |(c, z), i| (c + 1, z.saturating_add(i.size)));
            for (action, msg) in [("queue_count", count), ("queue_size", size)] {
                event(s, pid, q, 0, None, action, Some(json!(msg)));
            }
        }
        let host = s.remote_host.clone();
        s.master_action(pid, "remotehost", Some(json!(host)));
    }
    let ctx = Ctx {
        app: app.clone(),
        id: Arc::from(id),
        epoch: s.epoch,
        generation,
    };
    let handle = tokio::spawn(processor(ctx));
    w.track(handle.abort_handle());
    Some(pid)
}

#[derive(Clone)]
struct Ctx {
    app: Arc<App>,
    id: Arc<str>,
    epoch: u64,
    generation: u64,
}

impl Ctx {
    /// Run `f` on this run's session under the lock; `None` once the session was reset,
    /// removed or restarted by a newer processor.
    fn with<R>(&self, f: impl FnOnce(&mut TransferSession, &mut LocalServer, &Scenario) -> R) -> Option<R> {
        let mut guard = self.app.lock();
        if guard.generation != self.generation {
            return None;
        }
        let World { sessions, local, .. } = &mut *guard;
        let s = sessions.get_mut(&*self.id)?;
        if s.epoch != self.epoch {
            return None;
        }
        Some(f(s, local, &self.app.scenario))
    }

    async fn sleep(&self, secs: f64) {
        tokio::time::sleep(self.app.pace(secs)).await;
    }
}

#[derive(Debug, PartialEq, Eq)]
enum WorkerEnd {
    Completed,
    Stopped,
}

async fn processor(ctx: Ctx) {
    let Some((tt, rt)) = ctx.with(|s, _, _| (s.transfer_threads.max(1), s.restore_threads.max(1))) else {
        return;
    };
    let mut set = JoinSet::new();
    for n in 1..=tt {
        set.spawn(worker(ctx.clone(), Queue::Transfer, n));
    }
    for n in 1..=rt {
        set.spawn(worker(ctx.clone(), Queue::Restore, n));
    }
    let mut all_completed = true;
    while let Some(r) = set.join_next().await {
        if !matches!(r, Ok(WorkerEnd::Completed)) {
            all_completed = false;
        }
    }
    ctx.with(|s, _, _| {
        let pid = s.master_pid.unwrap_or(0);
        s.processor_alive = false;
        if s.state == SessionState::Aborting {
            s.master_action(pid, "abort", None);
            s.state = SessionState::Aborted;
        } else if all_completed && s.unfinished() == 0 {
            s.master_action(pid, "complete", None);
            s.state = SessionState::Completed;
        } else if s.state == SessionState::Pausing {
            s.master_action(pid, "pause", None);
            s.state = SessionState::Paused;
        } else {
            s.master_action(pid, "complete", None);
            s.state = SessionState::Completed;
        }
        s.set_open("master.log", false);
        s.set_open("master.error_log", false);
    });
}

enum Act {
    Take(usize),
    Complete,
    Stop,
    Wait,
}

/// A master.log control line about one item (or the worker itself when `item` is None).
fn event(
    s: &mut TransferSession,
    pid: u32,
    q: Queue,
    child: usize,
    item: Option<usize>,
    action: &str,
    msg: Option<Value>,
) {
    let mut c = match item {
        Some(idx) => s.item_fields(idx, q, child),
        None => {
            let mut c = Map::new();
            c.insert("child_number".into(), json!(child));
            c.insert("queue".into(), json!(q.name()));
            c
        }
    };
    c.insert("action".into(), json!(action));
    if let Some(m) = msg {
        c.insert("msg".into(), m);
    }
    s.master(pid, c);
}

fn begin_item(s: &mut TransferSession, pid: u32, q: Queue, child: usize, idx: usize) {
    let Some(it) = s.items.get(idx) else { return };
    let (logfile, size, label, key) = (it.log_name(q), it.size, it.module.label, it.key.clone());
    event(s, pid, q, child, Some(idx), "process-item", Some(json!(logfile)));
    event(s, pid, q, child, Some(idx), "start-item", Some(json!({ "size": size })));
    s.set_open(&logfile, true);
    let msg = format!("Starting “{}” for “{label}” “{key}”.", q.name());
    s.item_log(idx, q, pid, "start", None, json!({ "msg": [msg] }));
}

/// What a worker of queue `q` does next. TRANSFER workers end when their queue is empty; RESTORE
/// workers wait for transfers still running and end once both queues are drained.
fn next_act(s: &mut TransferSession, q: Queue) -> Act {
    if !matches!(s.state, SessionState::Running | SessionState::Pausing) {
        return Act::Stop;
    }
    let pausing = s.state == SessionState::Pausing;
    match q {
        Queue::Transfer if s.transfer_queue.is_empty() => Act::Complete,
        Queue::Transfer if pausing => Act::Stop,
        Queue::Transfer => s.pop_transfer().map_or(Act::Complete, Act::Take),
        Queue::Restore if !s.restore_queue.is_empty() => {
            if pausing {
                Act::Stop
            } else {
                s.pop_restore().map_or(Act::Wait, Act::Take)
            }
        }
        Queue::Restore if s.transfer_queue.is_empty() && s.in_transfer == 0 => Act::Complete,
        Queue::Restore if pausing && s.in_transfer == 0 => Act::Stop,
        Queue::Restore => Act::Wait,
    }
}

/// One TRANSFER or RESTORE worker (child `child` of the processor).
async fn worker(ctx: Ctx, q: Queue, child: usize) -> WorkerEnd {
    let Some(pid) = ctx.with(|_, local, _| local.alloc_pid()) else {
        return WorkerEnd::Stopped;
    };
    let mut started = false;
    loop {
        let mut rx = None;
        let act = ctx.with(|s, _, _| {
            let act = next_act(s, q);
            if !started && matches!(act, Act::Take(_) | Act::Complete) {
                let item = if let Act::Take(i) = act { Some(i) } else { None };
                event(s, pid, q, child, item, "start", None);
                started = true;
            }
            match act {
                Act::Take(idx) => {
                    match q {
                        Queue::Transfer => {
                            s.set_item_state(idx, ItemState::TransferInProgress);
                            s.in_transfer += 1;
                        }
                        Queue::Restore => {
                            s.set_item_state(idx, ItemState::RestoreInProgress);
                            s.in_restore += 1;
                        }
                    }
                    begin_item(s, pid, q, child, idx);
                }
                Act::Complete => event(s, pid, q, child, None, "complete", None),
                Act::Wait => rx = Some(s.log_tx.subscribe()),
                Act::Stop => {}
            }
            act
        });
        match act {
            Some(Act::Take(idx)) => run_item(&ctx, q, idx, pid, child).await,
            Some(Act::Complete) => return WorkerEnd::Completed,
            Some(Act::Wait) => {
                if let Some(mut rx) = rx {
                    let _ = tokio::time::timeout(Duration::from_millis(200), rx.changed()).await;
                }
            }
            _ => return WorkerEnd::Stopped,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// item plans

/// One item-log line to write.
struct Line {
    kind: &'static str,
    /// Relayed from the source server (adds `"source": host`).
    relayed: bool,
    contents: Value,
}

fn out(text: impl Into<String>) -> Line {
    Line {
        kind: "out",
        relayed: false,
        contents: json!({ "msg": [text.into()] }),
    }
}

fn relayed(text: impl Into<String>) -> Line {
    Line {
        kind: "out",
        relayed: true,
        contents: json!({ "msg": [text.into()] }),
    }
}

fn pct(p: u32) -> Line {
    Line {
        kind: "control",
        relayed: false,
        contents: json!({ "action": "percentage", "percentage": p }),
    }
}

fn warn_line(text: &str) -> Line {
    Line {
        kind: "warn",
        relayed: false,
        contents: json!({ "msg": [text] }),
    }
}

fn modulestatus(module: &str, statusmsg: &str) -> Line {
    Line {
        kind: "modulestatus",
        relayed: false,
        contents: json!({ "module": module, "status": 1, "statusmsg": statusmsg }),
    }
}

/// A pause (a fraction of the item's duration), then lines. A TRANSFER item honours an abort
/// before each step (the transfer checks for TERM between steps); a RESTORE runs to its end.
struct Step {
    frac: f64,
    lines: Vec<Line>,
}

fn step(frac: f64, lines: Vec<Line>) -> Step {
    Step { frac, lines }
}

/// `pct(from)` + a line, then `Done.` + `pct(100)`: the plan of every non-account item.
fn two_steps(plan: &mut Plan, from: u32, text: String, done: bool) {
    plan.steps.push(step(0.5, vec![pct(from), out(text)]));
    if done {
        plan.steps.push(step(0.5, vec![out("Done."), pct(100)]));
    }
}

/// Warnings and other summary lists of an item (§6.3 `summary`).
#[derive(Default)]
struct Findings {
    warnings: Vec<Value>,
    skipped: Vec<Value>,
    dangerous: Vec<Value>,
    altered: Vec<Value>,
}

fn entry(module: &str, text: &str) -> Value {
    json!([[format!("Whostmgr::Transfers::Systems::{module}"), "restore", 0], text])
}

impl Findings {
    fn is_empty(&self) -> bool {
        self.warnings.is_empty() && self.skipped.is_empty() && self.dangerous.is_empty() && self.altered.is_empty()
    }

    fn list(v: &[Value]) -> Value {
        if v.is_empty() { Value::Null } else { json!(v) }
    }

    fn summary_line(&self) -> Line {
        Line {
            kind: "control",
            relayed: false,
            contents: json!({
                "action": "summary",
                "warnings": self.warnings,
                "skipped_items": self.skipped,
                "dangerous_items": self.dangerous,
                "altered_items": self.altered,
            }),
        }
    }

    fn master_msg(&self, size: u64) -> Value {
        json!({
            "size": size,
            "message": "Success.",
            "warnings": self.warnings.len(),
            "skipped_items": self.skipped.len(),
            "dangerous_items": self.dangerous.len(),
            "altered_items": self.altered.len(),
            "contents": {
                "warnings": Self::list(&self.warnings),
                "skipped_items": Self::list(&self.skipped),
                "dangerous_items": Self::list(&self.dangerous),
                "altered_items": Self::list(&self.altered),
            }
        })
    }
}

struct Plan {
    secs: f64,
    steps: Vec<Step>,
    failure: Option<String>,
    findings: Findings,
}

fn size_factor(size: u64) -> f64 {
    (((size.max(1) as f64).log10() - 6.0) / 4.0).clamp(0.0, 1.0)
}

fn human_size(b: u64) -> String {
    let f = b as f64;
    if f >= 1_073_741_824.0 {
        format!("{:.1} GB", f / 1_073_741_824.0)
    } else if f >= 1_048_576.0 {
        format!("{:.1} MB", f / 1_048_576.0)
    } else {
        format!("{:.1} KB", f / 1024.0)
    }
}

fn remote_of<'a>(s: &TransferSession, sc: &'a Scenario) -> Option<&'a RemoteServer> {
    s.remote_index.and_then(|i| sc.remotes.get(i))
}

fn plan_transfer(s: &TransferSession, idx: usize, sc: &Scenario) -> Plan {
    let mut plan = Plan {
        secs: 0.6,
        steps: Vec::new(),
        failure: None,
        findings: Findings::default(),
    };
    let Some(it) = s.items.get(idx) else {
        return plan;
    };
    let host = s.remote_host.clone();
    let remote = remote_of(s, sc);
    let key = it.key.clone();
    match it.module.kind {
        ModuleKind::Account => {
            plan.secs = 2.5 + 2.5 * size_factor(it.size);
            if s.kind == SessionKind::Local || it.module.name == "AccountLocal" {
                let file = it.param("cpmovefile").unwrap_or("cpmove.tar.gz").to_string();
                plan.secs = 0.4;
                plan.steps.push(step(
                    1.0,
                    vec![pct(0), out(format!("Setup “{file}”: success!")), pct(100)],
                ));
                return plan;
            }
            let outcome = remote.map(|r| r.outcome(&key)).unwrap_or_default();
            let exists = remote.is_some_and(|r| r.account(&key).is_some());
            plan.failure = str_of(outcome.get("transfer_failure")).or_else(|| {
                (!exists).then(|| format!("The remote server “{host}” does not have an account named “{key}”."))
            });
            if s.kind == SessionKind::RemoteUser {
                plan.steps.push(step(
                    0.05,
                    vec![pct(0), out(format!("Logging in to “{host}” as “{key}” …"))],
                ));
                // The session's password logs in to the source's cPanel as the item's user (ours: the
                // wording of this failure is not documented).
                let password = s.user_password.as_deref().unwrap_or_default();
                if !remote.is_some_and(|r| r.cpanel_login_ok(&key, password)) {
                    plan.failure = Some(format!(
                        "The system failed to log in to “{host}” as the cPanel user “{key}”: The login is invalid."
                    ));
                    return plan;
                }
                plan.steps.push(step(
                    0.1,
                    vec![pct(5), out("Requesting a full backup of the account …")],
                ));
            } else {
                plan.steps
                    .push(step(0.05, vec![pct(0), out(format!("Remote host: “{host}”"))]));
                plan.steps.push(step(
                    0.1,
                    vec![pct(5), relayed(format!("pkgacct started for “{key}” on “{host}” …"))],
                ));
            }
            if plan.failure.is_some() {
                return plan;
            }
            let skip = |k: &str| it.flag(k);
            let mail = if skip("skipemail") {
                "Skipping mail (skipemail) …"
            } else {
                "Copying Mail files …"
            };
            let home = if skip("skiphomedir") {
                "Skipping homedir (skiphomedir) …"
            } else {
                "Copying homedir …"
            };
            let db = if skip("skipacctdb") {
                "Skipping databases (skipacctdb) …"
            } else {
                "Storing mysql dbs …"
            };
            // pkgacct on the source (relayed lines), then the download: (share of the time, line, percent).
            let mut script = vec![
                (0.1, relayed(mail), 10),
                (0.1, relayed(home), 20),
                (0.1, relayed(db), 30),
                (0.1, relayed(format!("Creating Archive “cpmove-{key}.tar.gz” …")), 40),
                (0.05, relayed(format!("Archive ready: “/home/cpmove-{key}.tar.gz”")), 50),
            ];
            for p in [60, 70, 80, 90, 95] {
                script.push((0.07, out(format!("Downloading archive … {p}%")), p));
            }
            let done = format!(
                "Archive downloaded: “/home/cpmove-{key}.tar.gz” ({})",
                human_size(it.size)
            );
            script.push((0.05, out(done), 100));
            plan.steps
                .extend(script.into_iter().map(|(frac, line, p)| step(frac, vec![line, pct(p)])));
        }
        ModuleKind::Package => {
            if !remote.is_some_and(|r| r.has_package(&key)) {
                plan.failure = Some(format!("The package “{key}” does not exist on “{host}”."));
            }
            let done = plan.failure.is_none();
            two_steps(&mut plan, 0, format!("Fetching package “{key}” from “{host}” …"), done);
        }
        _ => {
            let label = it.module.label;
            two_steps(
                &mut plan,
                0,
                format!("Fetching “{label}” “{key}” from “{host}” …"),
                true,
            );
        }
    }
    plan
}

/// Restore pre-checks (`AccountRestoreBase`, `verify_new_username_for_restore` §5.3).
fn account_precheck(s: &TransferSession, idx: usize, local: &LocalServer) -> Result<(), String> {
    let Some(it) = s.items.get(idx) else {
        return Err("The item does not exist.".into());
    };
    let user = it.key.as_str();
    let localuser = it.local_key.as_str();
    let force = it.flag("force") && s.unrestricted;
    let exists = local.user_exists(localuser);
    if it.flag("skipaccount") {
        return if exists {
            Ok(())
        } else {
            Err(format!("No user named “{localuser}” exists on this server."))
        };
    }
    if force && user != localuser && (exists || local.user_exists(user)) {
        return Err(
            "Account Restore Failed: You cannot overwrite an account if you change the account’s username.".into(),
        );
    }
    if exists {
        return if force {
            Ok(())
        } else {
            Err(format!("A user named “{localuser}” already exists on this server."))
        };
    }
    if !usernames::valid_for_transfer(localuser) {
        return Err(format!("“{localuser}” is not a valid username on this system."));
    }
    if usernames::is_reserved(localuser, &local.aliases) {
        return Err(format!("“{localuser}” is a reserved username on this system."));
    }
    if local.groups.contains(localuser) {
        return Err(format!("This system already has a group named “{localuser}”."));
    }
    let owner = usernames::db_owner_key(localuser);
    if local.db_owners.contains(&owner) {
        return Err(format!("This system already has a database owner named “{owner}”."));
    }
    let n = local.prefix_length;
    if localuser.len() >= n {
        let prefix: String = owner.chars().take(n).collect();
        if local.db_owners.iter().any(|o| o.starts_with(&prefix)) {
            return Err(format!(
                "The name of another account on this server has the same initial {n} characters as the given username ({localuser}). Each username’s first {n} characters must be unique."
            ));
        }
    }
    Ok(())
}

fn plan_restore(s: &TransferSession, idx: usize, local: &mut LocalServer, sc: &Scenario) -> Plan {
    let mut plan = Plan {
        secs: 0.6,
        steps: Vec::new(),
        failure: None,
        findings: Findings::default(),
    };
    let Some(it) = s.items.get(idx).cloned() else {
        return plan;
    };
    let remote = remote_of(s, sc);
    let key = it.key.clone();
    let localuser = it.local_key.clone();
    match it.module.kind {
        ModuleKind::Account => {
            let verb = if key == localuser {
                format!("Restoring “Account” “{key}” …")
            } else {
                format!("Restoring “Account” “{key}” as “{localuser}” …")
            };
            plan.steps.push(step(0.08, vec![pct(10), out(verb)]));
            let outcome = remote.map(|r| r.outcome(&key)).unwrap_or_default();
            let failure = match str_of(outcome.get("restore_failure")) {
                Some(f) => Err(f),
                None => account_precheck(s, idx, local),
            };
            if let Err(f) = failure {
                plan.secs = 0.4;
                plan.failure = Some(f);
                return plan;
            }
            plan.secs = 2.5 + 2.5 * size_factor(it.size);
            let mut f = Findings::default();
            let remote_acct = remote.and_then(|r| r.account(&key)).cloned().unwrap_or_default();
            // --- commit: the account now exists here
            let created = local.users.insert(localuser.clone());
            local.groups.insert(localuser.clone());
            local.db_owners.insert(usernames::db_owner_key(&localuser));
            let domain = it
                .param("domain")
                .map(str::to_string)
                .or_else(|| str_of(remote_acct.get("domain")));
            if let Some(d) = &domain {
                local.domains.insert(d.clone(), json!(localuser));
            }
            // IP address
            let mut ip_msg = "The account uses the shared IP address.".to_string();
            let mut account_ip = None;
            if it.flag("ip") {
                let wanted = it.param("customip").map(str::to_string);
                let pick = match &wanted {
                    Some(c) => local.available_ips.iter().position(|x| x == c),
                    None => (!local.available_ips.is_empty()).then_some(0),
                };
                match pick {
                    Some(i) => {
                        let ip = local.available_ips.remove(i);
                        local
                            .dedicated_ips
                            .insert(ip.clone(), json!(domain.clone().unwrap_or_default()));
                        ip_msg = format!("The account now uses the dedicated IP address “{ip}”.");
                        account_ip = Some(ip);
                    }
                    None => {
                        let w = match wanted {
                            Some(c) => format!("The IP address “{c}” is not available. The account uses the shared IP address instead."),
                            None => "The system could not assign a dedicated IP address because this server has no unused IP addresses. The account uses the shared IP address instead.".to_string(),
                        };
                        f.warnings.push(entry("IPAddress", &w));
                    }
                }
            } else if flag_of(remote_acct.get("has_dedicated_ip")) {
                f.altered.push(entry(
                    "IPAddress",
                    "The account had a dedicated IP address on the source server; it uses the shared IP address here.",
                ));
            }
            let summary = account_record(&localuser, domain.as_deref(), account_ip, &remote_acct, it.size, local);
            local.accounts.insert(localuser.clone(), summary);
            // databases
            let mut db_lines = Vec::new();
            if !it.flag("skipacctdb")
                && let Some(r) = remote
            {
                for section in ["dbs", "users"] {
                    for name in r.dbs_owned_by(section, &key) {
                        match local.db_owner_of(section, "MYSQL", &name) {
                            Some(owner) if owner != localuser => {
                                let what = if section == "dbs" { "database" } else { "database user" };
                                let text = format!(
                                    "The system skipped the MySQL {what} “{name}” because the account “{owner}” on this server already owns a {what} with that name."
                                );
                                f.skipped.push(entry("Mysql", &text));
                                db_lines.push(warn_line(&text));
                            }
                            _ => local.add_db(section, "MYSQL", &name, &localuser),
                        }
                    }
                }
            }
            // mail on a linked node
            if let Some(wn) = remote_acct.get("worker_nodes").and_then(Value::as_object)
                && let Some(node) = wn.get("Mail").and_then(Value::as_str)
            {
                let loc = it.param("mail_location").unwrap_or(".existing");
                if loc == ".existing" {
                    f.warnings.push(entry(
                        "Mail",
                        &format!(
                            "The account’s mail is on the source server’s linked node “{node}”, which this server cannot use. The system restored the mail to this server."
                        ),
                    ));
                } else {
                    f.altered.push(entry(
                        "Mail",
                        &format!("The system moved the account’s mail from the linked node “{node}” to “{loc}”."),
                    ));
                }
            }
            if !created {
                f.dangerous.push(entry(
                    "Account",
                    &format!("The system overwrote the existing account “{localuser}”."),
                ));
            }
            for wtext in outcome
                .get("warnings")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                f.warnings.push(entry("Account", wtext));
            }
            // steps
            let skip = |k: &str| it.flag(k);
            let mut mods: Vec<(&str, String, Vec<Line>)> = vec![
                ("Account", format!("Creating account “{localuser}” …"), Vec::new()),
                (
                    "Homedir",
                    if skip("skiphomedir") {
                        "Skipping home directory (skiphomedir) …".into()
                    } else {
                        "Restoring home directory …".into()
                    },
                    Vec::new(),
                ),
                (
                    "Mail",
                    if skip("skipemail") {
                        "Skipping mail (skipemail) …".into()
                    } else {
                        "Restoring mail …".into()
                    },
                    Vec::new(),
                ),
                (
                    "Mysql",
                    if skip("skipacctdb") {
                        "Skipping databases (skipacctdb) …".into()
                    } else {
                        "Restoring MySQL databases …".into()
                    },
                    db_lines,
                ),
                ("ZoneFile", "Restoring DNS zones …".into(), Vec::new()),
                ("SSL", "Restoring SSL certificates …".into(), Vec::new()),
                ("IPAddress", ip_msg, Vec::new()),
            ];
            if !skip("skipsubdomains") {
                mods.insert(5, ("Subdomains", "Restoring subdomains …".into(), Vec::new()));
            }
            let total = mods.len();
            for (k, (module, text, extra)) in mods.into_iter().enumerate() {
                let mut lines = vec![out(text)];
                lines.extend(extra);
                for e in f.warnings.iter().chain(f.altered.iter()) {
                    if e.pointer("/0/0")
                        .and_then(Value::as_str)
                        .is_some_and(|m| m.ends_with(&format!("::{module}")))
                        && let Some(t) = e.get(1).and_then(Value::as_str)
                    {
                        lines.push(warn_line(t));
                    }
                }
                lines.push(modulestatus(module, "Done."));
                let p = 10 + u32::try_from(80 * (k + 1) / total).unwrap_or(80);
                lines.push(pct(p));
                plan.steps.push(step(0.8 / total as f64, lines));
            }
            plan.steps.push(step(0.1, vec![f.summary_line(), pct(92)]));
            plan.steps.push(step(0.02, vec![pct(100)]));
            plan.findings = f;
        }
        ModuleKind::Package => {
            local.packages.insert(key.clone());
            two_steps(&mut plan, 10, format!("Restoring package “{key}” …"), true);
        }
        _ => {
            let label = it.module.label;
            two_steps(&mut plan, 10, format!("Restoring “{label}” “{key}” …"), true);
        }
    }
    plan
}

fn write_lines(s: &mut TransferSession, idx: usize, q: Queue, pid: u32, lines: Vec<Line>) {
    let host = s.remote_host.clone();
    for l in lines {
        let source = l.relayed.then_some(host.as_str());
        s.item_log(idx, q, pid, l.kind, source, l.contents);
    }
}

/// Play a plan's steps. Returns false when the run ended (reset) or the item was aborted.
async fn play(ctx: &Ctx, idx: usize, q: Queue, pid: u32, plan: &mut Plan) -> Option<bool> {
    let steps = std::mem::take(&mut plan.steps);
    for st in steps {
        ctx.sleep(plan.secs * st.frac).await;
        let aborted = ctx.with(|s, _, _| {
            if q == Queue::Transfer && s.state == SessionState::Aborting {
                return true;
            }
            write_lines(s, idx, q, pid, st.lines);
            false
        })?;
        if aborted {
            plan.failure = Some("Aborted.".into());
            return Some(false);
        }
    }
    Some(true)
}

fn failed(s: &mut TransferSession, idx: usize, q: Queue, pid: u32, child: usize, failure: &str) {
    s.item_log(idx, q, pid, "error", None, json!({ "msg": [failure] }));
    let msg = format!("Failed: {failure}");
    s.item_log(idx, q, pid, "failed", None, json!({ "msg": [msg] }));
    let Some(it) = s.items.get(idx) else { return };
    let (size, name, label, key) = (it.size, it.log_name(q), it.module.label, it.key.clone());
    let msg = json!({
        "size": size, "failure": failure, "warnings": 0, "skipped_items": 0, "dangerous_items": 0, "altered_items": 0,
        "contents": {"warnings": null, "skipped_items": null, "dangerous_items": null, "altered_items": null}
    });
    event(s, pid, q, child, Some(idx), "failed-item", Some(msg));
    s.set_open(&name, false);
    let queue = q.name().to_ascii_lowercase();
    s.append_raw(
        "master.error_log",
        &format!("warn [{queue}] {label} “{key}”: {failure}\n"),
    );
    s.set_item_state(idx, ItemState::Failed);
}

fn succeeded(s: &mut TransferSession, idx: usize, q: Queue, pid: u32, child: usize, findings: &Findings) {
    s.item_log(idx, q, pid, "success", None, json!({ "msg": ["Success."] }));
    let Some(it) = s.items.get(idx) else { return };
    let (size, name) = (it.size, it.log_name(q));
    let action = if findings.is_empty() {
        "success-item"
    } else {
        "warning-item"
    };
    event(s, pid, q, child, Some(idx), action, Some(findings.master_msg(size)));
    s.set_open(&name, false);
}

/// Plan, play and conclude one item in queue `q`.
async fn run_item(ctx: &Ctx, q: Queue, idx: usize, pid: u32, child: usize) {
    let Some(mut plan) = ctx.with(|s, local, sc| match q {
        Queue::Transfer => plan_transfer(s, idx, sc),
        Queue::Restore => plan_restore(s, idx, local, sc),
    }) else {
        return;
    };
    if play(ctx, idx, q, pid, &mut plan).await.is_none() {
        return;
    }
    ctx.with(|s, local, _| {
        match q {
            Queue::Transfer => s.in_transfer = s.in_transfer.saturating_sub(1),
            Queue::Restore => s.in_restore = s.in_restore.saturating_sub(1),
        }
        let size = s.items.get(idx).map_or(1, |i| i.size);
        match (&plan.failure, q) {
            (Some(f), Queue::Transfer) => {
                failed(s, idx, q, pid, child, f);
                // A transfer failure also emits start-item + failed-item for the RESTORE step.
                let r = Queue::Restore;
                event(s, pid, r, child, Some(idx), "start-item", Some(json!({ "size": size })));
                let msg = json!({ "size": size, "failure": f });
                event(s, pid, r, child, Some(idx), "failed-item", Some(msg));
            }
            (Some(f), Queue::Restore) => {
                failed(s, idx, q, pid, child, f);
                if let Some(it) = s.items.get(idx)
                    && it.module.is_account()
                {
                    // The downloaded archive stays behind after a failed restore.
                    let path = format!("/home/cpmove-{}.tar.gz", it.key);
                    local.archives.insert(it.local_key.clone(), path);
                }
            }
            (None, Queue::Transfer) => {
                succeeded(s, idx, q, pid, child, &Findings::default());
                s.set_item_state(idx, ItemState::RestorePending);
                s.push_restore(idx);
            }
            (None, Queue::Restore) => {
                succeeded(s, idx, q, pid, child, &plan.findings);
                s.set_item_state(idx, ItemState::Completed);
            }
        }
    });
}

/// The `accountsummary` record (`data.acct[0]`) of an account restored here.
fn account_record(
    user: &str,
    domain: Option<&str>,
    ip: Option<String>,
    remote: &Map<String, Value>,
    size: u64,
    local: &LocalServer,
) -> Value {
    let now = crate::util::now_epoch();
    let shared_ip = local
        .addresses
        .iter()
        .find(|a| a.parse::<std::net::Ipv4Addr>().is_ok())
        .cloned()
        .unwrap_or_else(|| "192.0.2.1".to_string());
    json!({
        "user": user,
        "domain": domain.unwrap_or_default(),
        "owner": str_of(remote.get("owner")).unwrap_or_else(|| "root".to_string()),
        // What the account holds on the source (`bytesused`), else the enqueued `size`.
        "diskused": format!("{}M", u64_of(remote.get("bytesused")).unwrap_or(size) / 1_048_576),
        "disklimit": "unlimited",
        "plan": str_of(remote.get("plan")).unwrap_or_else(|| "default".to_string()),
        "ip": ip.unwrap_or(shared_ip),
        "ipv6": [],
        "email": format!("{user}@{}", domain.unwrap_or("localhost")),
        "partition": "home",
        "theme": "jupiter",
        "shell": "/usr/local/cpanel/bin/noshell",
        "startdate": crate::util::compact_timestamp(now),
        "unix_startdate": now,
        "suspended": 0,
        "suspendreason": "not suspended",
        "suspendtime": null,
        "is_locked": 0,
        "temporary": 0,
        "backup": 0,
        "legacy_backup": 0,
        "outgoing_mail_hold": 0,
        "outgoing_mail_suspended": 0,
        "maxaddons": "unlimited",
        "maxparked": "unlimited",
        "maxsub": "unlimited",
        "maxftp": "unlimited",
        "maxsql": "unlimited",
        "maxpop": "unlimited",
        "maxlst": "unlimited",
        "max_email_per_hour": "unlimited",
        "max_emailacct_quota": "unlimited",
        "child_nodes": [],
    })
}

/// Bytes a scenario account says it uses (for tests and tools).
pub fn account_size(acct: &Map<String, Value>) -> u64 {
    u64_of(acct.get("bytesused")).unwrap_or(1)
}
