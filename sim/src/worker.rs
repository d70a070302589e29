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
    let World {
        sessions, local, tasks, ..
    } = w;
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
                let mut c = Map::new();
                c.insert("action".into(), json!(action));
                c.insert("child_number".into(), json!(0));
                c.insert("queue".into(), json!(q.name()));
                c.insert("msg".into(), json!(msg));
                s.master(pid, c);
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
    tasks.retain(|t| !t.is_finished());
    tasks.push(handle.abort_handle());
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
        set.spawn(transfer_worker(ctx.clone(), n));
    }
    for n in 1..=rt {
        set.spawn(restore_worker(ctx.clone(), n));
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

fn worker_start_line(s: &mut TransferSession, pid: u32, q: Queue, child: usize, item: Option<usize>) {
    let mut c = match item {
        Some(idx) => s.item_fields(idx, q, child),
        None => {
            let mut c = Map::new();
            c.insert("child_number".into(), json!(child));
            c.insert("queue".into(), json!(q.name()));
            c
        }
    };
    c.insert("action".into(), json!("start"));
    s.master(pid, c);
}

fn begin_item(s: &mut TransferSession, pid: u32, q: Queue, child: usize, idx: usize) {
    let logfile = s.items.get(idx).map(|i| i.log_name(q)).unwrap_or_default();
    let size = s.items.get(idx).map_or(1, |i| i.size);
    let mut c = s.item_fields(idx, q, child);
    c.insert("action".into(), json!("process-item"));
    c.insert("msg".into(), json!(logfile));
    s.master(pid, c);
    let mut c = s.item_fields(idx, q, child);
    c.insert("action".into(), json!("start-item"));
    c.insert("msg".into(), json!({ "size": size }));
    s.master(pid, c);
    s.set_open(&logfile, true);
    let (label, key) = s
        .items
        .get(idx)
        .map(|i| (i.module.label, i.key.clone()))
        .unwrap_or_default();
    s.item_log(
        idx,
        q,
        pid,
        "start",
        None,
        json!({ "msg": [format!("Starting “{}” for “{label}” “{key}”.", q.name())] }),
    );
}

fn complete_line(s: &mut TransferSession, pid: u32, q: Queue, child: usize) {
    let mut c = Map::new();
    c.insert("action".into(), json!("complete"));
    c.insert("child_number".into(), json!(child));
    c.insert("queue".into(), json!(q.name()));
    s.master(pid, c);
}

async fn transfer_worker(ctx: Ctx, child: usize) -> WorkerEnd {
    let Some(pid) = ctx.with(|_, local, _| local.alloc_pid()) else {
        return WorkerEnd::Stopped;
    };
    let mut started = false;
    loop {
        let act = ctx.with(|s, _, _| {
            let act = match s.state {
                SessionState::Running | SessionState::Pausing => {
                    if s.transfer_queue.is_empty() {
                        Act::Complete
                    } else if s.state == SessionState::Pausing {
                        Act::Stop
                    } else {
                        match s.pop_transfer() {
                            Some(idx) => Act::Take(idx),
                            None => Act::Complete,
                        }
                    }
                }
                _ => Act::Stop,
            };
            if !started && !matches!(act, Act::Stop) {
                let item = if let Act::Take(i) = act { Some(i) } else { None };
                worker_start_line(s, pid, Queue::Transfer, child, item);
            }
            match act {
                Act::Take(idx) => {
                    s.set_item_state(idx, ItemState::TransferInProgress);
                    s.in_transfer += 1;
                    begin_item(s, pid, Queue::Transfer, child, idx);
                }
                Act::Complete => complete_line(s, pid, Queue::Transfer, child),
                _ => {}
            }
            act
        });
        started = true;
        match act {
            Some(Act::Take(idx)) => run_transfer(&ctx, idx, pid, child).await,
            Some(Act::Complete) => return WorkerEnd::Completed,
            _ => return WorkerEnd::Stopped,
        }
    }
}

async fn restore_worker(ctx: Ctx, child: usize) -> WorkerEnd {
    let Some(pid) = ctx.with(|_, local, _| local.alloc_pid()) else {
        return WorkerEnd::Stopped;
    };
    let mut started = false;
    loop {
        let mut rx = None;
        let act = ctx.with(|s, _, _| {
            let act = match s.state {
                SessionState::Running | SessionState::Pausing => {
                    if !s.restore_queue.is_empty() {
                        if s.state == SessionState::Pausing {
                            Act::Stop
                        } else {
                            match s.pop_restore() {
                                Some(idx) => Act::Take(idx),
                                None => Act::Wait,
                            }
                        }
                    } else if s.transfer_queue.is_empty() && s.in_transfer == 0 {
                        Act::Complete
                    } else if s.state == SessionState::Pausing && s.in_transfer == 0 {
                        Act::Stop
                    } else {
                        Act::Wait
                    }
                }
                _ => Act::Stop,
            };
            if !started && matches!(act, Act::Take(_) | Act::Complete) {
                let item = if let Act::Take(i) = act { Some(i) } else { None };
                worker_start_line(s, pid, Queue::Restore, child, item);
                started = true;
            }
            match act {
                Act::Take(idx) => {
                    s.set_item_state(idx, ItemState::RestoreInProgress);
                    s.in_restore += 1;
                    begin_item(s, pid, Queue::Restore, child, idx);
                }
                Act::Complete => complete_line(s, pid, Queue::Restore, child),
                Act::Wait => rx = Some(s.log_tx.subscribe()),
                Act::Stop => {}
            }
            act
        });
        match act {
            Some(Act::Take(idx)) => run_restore(&ctx, idx, pid, child).await,
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

struct Step {
    /// Fraction of the item's total duration.
    frac: f64,
    /// Abort is honoured before this step (transfer steps check for TERM between steps).
    checkpoint: bool,
    lines: Vec<Line>,
}

fn step(frac: f64, lines: Vec<Line>) -> Step {
    Step {
        frac,
        checkpoint: true,
        lines,
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
            plan.steps.push(step(0.1, vec![relayed(mail), pct(10)]));
            plan.steps.push(step(0.1, vec![relayed(home), pct(20)]));
            plan.steps.push(step(0.1, vec![relayed(db), pct(30)]));
            plan.steps.push(step(
                0.1,
                vec![relayed(format!("Creating Archive “cpmove-{key}.tar.gz” …")), pct(40)],
            ));
            plan.steps.push(step(
                0.05,
                vec![relayed(format!("Archive ready: “/home/cpmove-{key}.tar.gz”")), pct(50)],
            ));
            for p in [60, 70, 80, 90, 95] {
                plan.steps
                    .push(step(0.07, vec![out(format!("Downloading archive … {p}%")), pct(p)]));
            }
            plan.steps.push(step(
                0.05,
                vec![
                    out(format!(
                        "Archive downloaded: “/home/cpmove-{key}.tar.gz” ({})",
                        human_size(it.size)
                    )),
                    pct(100),
                ],
            ));
        }
        ModuleKind::Package => {
            if !remote.is_some_and(|r| r.has_package(&key)) {
                plan.failure = Some(format!("The package “{key}” does not exist on “{host}”."));
            }
            plan.steps.push(step(
                0.5,
                vec![pct(0), out(format!("Fetching package “{key}” from “{host}” …"))],
            ));
            if plan.failure.is_none() {
                plan.steps.push(step(0.5, vec![out("Done."), pct(100)]));
            }
        }
        _ => {
            let label = it.module.label;
            plan.steps.push(step(
                0.5,
                vec![pct(0), out(format!("Fetching “{label}” “{key}” from “{host}” …"))],
            ));
            plan.steps.push(step(0.5, vec![out("Done."), pct(100)]));
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
            plan.steps.push(Step {
                frac: 0.08,
                checkpoint: false,
                lines: vec![pct(10), out(verb)],
            });
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
                plan.steps.push(Step {
                    frac: 0.8 / total as f64,
                    checkpoint: false,
                    lines,
                });
            }
            plan.steps.push(Step {
                frac: 0.1,
                checkpoint: false,
                lines: vec![f.summary_line(), pct(92)],
            });
            plan.steps.push(Step {
                frac: 0.02,
                checkpoint: false,
                lines: vec![pct(100)],
            });
            plan.findings = f;
        }
        ModuleKind::Package => {
            local.packages.insert(key.clone());
            plan.steps.push(Step {
                frac: 0.5,
                checkpoint: false,
                lines: vec![pct(10), out(format!("Restoring package “{key}” …"))],
            });
            plan.steps.push(Step {
                frac: 0.5,
                checkpoint: false,
                lines: vec![out("Done."), pct(100)],
            });
        }
        _ => {
            let label = it.module.label;
            plan.steps.push(Step {
                frac: 0.5,
                checkpoint: false,
                lines: vec![pct(10), out(format!("Restoring “{label}” “{key}” …"))],
            });
            plan.steps.push(Step {
                frac: 0.5,
                checkpoint: false,
                lines: vec![out("Done."), pct(100)],
            });
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
async fn play(ctx: &Ctx, idx: usize, q: Queue, pid: u32, child: usize, plan: &mut Plan) -> Option<bool> {
    let steps = std::mem::take(&mut plan.steps);
    for st in steps {
        ctx.sleep(plan.secs * st.frac).await;
        let aborted = ctx.with(|s, _, _| {
            if st.checkpoint && q == Queue::Transfer && s.state == SessionState::Aborting {
                return true;
            }
            write_lines(s, idx, q, pid, st.lines);
            false
        })?;
        if aborted {
            plan.failure = Some("Aborted.".into());
            let _ = child;
            return Some(false);
        }
    }
    Some(true)
}

fn failed(s: &mut TransferSession, idx: usize, q: Queue, pid: u32, child: usize, failure: &str) {
    s.item_log(idx, q, pid, "error", None, json!({ "msg": [failure] }));
    s.item_log(
        idx,
        q,
        pid,
        "failed",
        None,
        json!({ "msg": [format!("Failed: {failure}")] }),
    );
    let size = s.items.get(idx).map_or(1, |i| i.size);
    let mut c = s.item_fields(idx, q, child);
    c.insert("action".into(), json!("failed-item"));
    c.insert(
        "msg".into(),
        json!({
            "size": size, "failure": failure, "warnings": 0, "skipped_items": 0, "dangerous_items": 0, "altered_items": 0,
            "contents": {"warnings": null, "skipped_items": null, "dangerous_items": null, "altered_items": null}
        }),
    );
    s.master(pid, c);
    if let Some(name) = s.items.get(idx).map(|i| i.log_name(q)) {
        s.set_open(&name, false);
    }
    let (label, key) = s
        .items
        .get(idx)
        .map(|i| (i.module.label, i.key.clone()))
        .unwrap_or_default();
    s.append_raw(
        "master.error_log",
        &format!("warn [{}] {label} “{key}”: {failure}\n", q.name().to_ascii_lowercase()),
    );
    s.set_item_state(idx, ItemState::Failed);
}

async fn run_transfer(ctx: &Ctx, idx: usize, pid: u32, child: usize) {
    let Some(mut plan) = ctx.with(|s, _, sc| plan_transfer(s, idx, sc)) else {
        return;
    };
    let Some(_) = play(ctx, idx, Queue::Transfer, pid, child, &mut plan).await else {
        return;
    };
    ctx.with(|s, _, _| {
        s.in_transfer = s.in_transfer.saturating_sub(1);
        match &plan.failure {
            Some(f) => {
                failed(s, idx, Queue::Transfer, pid, child, f);
                // A transfer failure also emits start-item + failed-item for the RESTORE step.
                let size = s.items.get(idx).map_or(1, |i| i.size);
                let mut c = s.item_fields(idx, Queue::Restore, child);
                c.insert("action".into(), json!("start-item"));
                c.insert("msg".into(), json!({ "size": size }));
                s.master(pid, c);
                let mut c = s.item_fields(idx, Queue::Restore, child);
                c.insert("action".into(), json!("failed-item"));
                c.insert("msg".into(), json!({ "size": size, "failure": f }));
                s.master(pid, c);
            }
            None => {
                s.item_log(
                    idx,
                    Queue::Transfer,
                    pid,
                    "success",
                    None,
                    json!({ "msg": ["Success."] }),
                );
                let size = s.items.get(idx).map_or(1, |i| i.size);
                let mut c = s.item_fields(idx, Queue::Transfer, child);
                c.insert("action".into(), json!("success-item"));
                c.insert("msg".into(), Findings::default().master_msg(size));
                s.master(pid, c);
                if let Some(name) = s.items.get(idx).map(|i| i.log_name(Queue::Transfer)) {
                    s.set_open(&name, false);
                }
                s.set_item_state(idx, ItemState::RestorePending);
                s.push_restore(idx);
            }
        }
    });
}

async fn run_restore(ctx: &Ctx, idx: usize, pid: u32, child: usize) {
    let Some(mut plan) = ctx.with(|s, local, sc| plan_restore(s, idx, local, sc)) else {
        return;
    };
    let Some(_) = play(ctx, idx, Queue::Restore, pid, child, &mut plan).await else {
        return;
    };
    ctx.with(|s, local, _| {
        s.in_restore = s.in_restore.saturating_sub(1);
        match &plan.failure {
            Some(f) => {
                failed(s, idx, Queue::Restore, pid, child, f);
                if let Some(it) = s.items.get(idx)
                    && it.module.is_account()
                {
                    // The downloaded archive stays behind after a failed restore.
                    local
                        .archives
                        .insert(it.local_key.clone(), format!("/home/cpmove-{}.tar.gz", it.key));
                }
            }
            None => {
                s.item_log(
                    idx,
                    Queue::Restore,
                    pid,
                    "success",
                    None,
                    json!({ "msg": ["Success."] }),
                );
                let size = s.items.get(idx).map_or(1, |i| i.size);
                let action = if plan.findings.is_empty() {
                    "success-item"
                } else {
                    "warning-item"
                };
                let mut c = s.item_fields(idx, Queue::Restore, child);
                c.insert("action".into(), json!(action));
                c.insert("msg".into(), plan.findings.master_msg(size));
                s.master(pid, c);
                if let Some(name) = s.items.get(idx).map(|i| i.log_name(Queue::Restore)) {
                    s.set_open(&name, false);
                }
                s.set_item_state(idx, ItemState::Completed);
            }
        }
    });
}

/// Bytes a scenario account says it uses (for tests and tools).
pub fn account_size(acct: &Map<String, Value>) -> u64 {
    u64_of(acct.get("bytesused")).unwrap_or(1)
}
