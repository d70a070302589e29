//! whm-sim: a simulator of cPanel WHM API 1's account-transfer functions, written from
//! `docs/whm-api.md` independently of the app it serves (it shares no code with it).

pub mod analysis;
pub mod api;
pub mod cgi;
pub mod cli;
pub mod control;
pub mod faults;
pub mod large;
pub mod livetail;
pub mod model;
pub mod modules;
pub mod server;
pub mod session;
pub mod usernames;
pub mod util;
pub mod web;
pub mod worker;

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use rand::SeedableRng;
use rand::rngs::StdRng;
use serde_json::{Value, json};

pub use cli::{AuthFailure, Config};
use model::{LocalServer, Scenario};
use session::{SessionKind, SessionState, TransferSession};
use util::{Params, compact_timestamp, flag_of, now_epoch, random_alnum, value_as_param};

/// A logged-in browser session (`whostmgrsession` cookie).
#[derive(Debug, Clone)]
pub struct Login {
    pub user: String,
    /// The 10 digits of `/cpsessNNNNNNNNNN`.
    pub token: String,
    pub last_seen: Instant,
    /// The `post_login` value of the landing URL this login was sent to: a GET carrying it
    /// passes the referrer checks (the first page after a login has no Referer of its own).
    pub post_login: String,
}

/// Logins kept at most; the least recently seen go first.
pub const MAX_LOGINS: usize = 1000;
/// Captured json-api requests kept (oldest dropped).
pub const MAX_CAPTURED: usize = 2000;

/// Everything that changes while the simulator runs.
pub struct World {
    pub local: LocalServer,
    pub sessions: HashMap<String, TransferSession>,
    /// Cookie secret (hex) → login.
    pub logins: HashMap<String, Login>,
    pub faults: Vec<faults::Fault>,
    pub fault_seq: u64,
    pub rng: StdRng,
    /// Bumped by `/__sim/reset`; workers of an older generation stop.
    pub generation: u64,
    pub tasks: Vec<tokio::task::AbortHandle>,
    /// json-api calls received per function (and `live_tail_log.cgi`), for `/__sim/calls`.
    pub calls: BTreeMap<String, u64>,
    /// Captured json-api requests (secrets redacted), for `/__sim/requests`.
    pub requests: VecDeque<Value>,
    /// Schema keys removed per module by `POST /__sim/schema`: left out of `transfer_module_schema`
    /// and refused by `enqueue_transfer_item`, as a WHM without them would.
    pub schema_drops: BTreeMap<String, BTreeSet<String>>,
}

impl World {
    /// Keeps a task for `/__sim/reset` to abort, dropping the handles of the finished ones.
    pub fn track(&mut self, task: tokio::task::AbortHandle) {
        self.tasks.retain(|t| !t.is_finished());
        self.tasks.push(task);
    }

    /// A fresh transfer session id per §3.1.
    pub fn new_session_id(&mut self, host: &str, initiator: &str) -> String {
        let head: String = host.chars().take(15).collect::<String>()
            + &initiator.chars().take(5).collect::<String>()
            + &compact_timestamp(now_epoch());
        let base: String = head
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        loop {
            let pad = 36usize.saturating_sub(base.len());
            let id = format!("{base}{}", random_alnum(&mut self.rng, pad));
            if !self.sessions.contains_key(&id) {
                return id;
            }
        }
    }

    /// A random 10-digit security token.
    pub fn new_token(&mut self) -> String {
        use rand::Rng;
        format!("{:010}", self.rng.random_range(0..10_000_000_000u64))
    }

    /// A random cookie secret.
    pub fn new_secret(&mut self) -> String {
        use rand::Rng;
        (0..32)
            .map(|_| char::from(b"0123456789abcdef"[self.rng.random_range(0..16usize)]))
            .collect()
    }
}

/// The shared application state.
pub struct App {
    pub cfg: Config,
    pub scenario: Scenario,
    world: Mutex<World>,
    access_log: Option<Mutex<File>>,
}

impl App {
    /// Load the scenario and build the initial state.
    pub fn new(cfg: Config) -> Result<Arc<Self>, String> {
        let scenario = Scenario::load(&cfg.scenario, cfg.seed)?;
        let access_log = match &cfg.access_log {
            Some(p) => Some(Mutex::new(
                OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(p)
                    .map_err(|e| format!("cannot open access log {}: {e}", p.display()))?,
            )),
            None => None,
        };
        let (local, sessions) = initial_state(&scenario)?;
        let world = World {
            local,
            sessions,
            logins: HashMap::new(),
            faults: Vec::new(),
            fault_seq: 0,
            rng: StdRng::from_os_rng(),
            generation: 0,
            tasks: Vec::new(),
            calls: BTreeMap::new(),
            requests: VecDeque::new(),
            schema_drops: BTreeMap::new(),
        };
        Ok(Arc::new(Self {
            cfg,
            scenario,
            world: Mutex::new(world),
            access_log,
        }))
    }

    /// Lock the world (recovering from a poisoned lock rather than panicking).
    pub fn lock(&self) -> MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Where a login lands: the installed plugin's `index.cgi` with `--install-root`, else the app.
    pub fn landing(&self) -> &'static str {
        if self.cfg.install_root.is_some() {
            "/cgi/transfer_console/index.cgi"
        } else {
            "/cgi/transfer_console/"
        }
    }

    /// Either referrer check is on.
    pub fn referrer_checks(&self) -> bool {
        self.cfg.referrer_safety || self.cfg.blank_referrer_safety
    }

    /// Restore the scenario's initial state (login sessions are kept; faults, call counts and
    /// captured requests are cleared).
    pub fn reset(&self) -> Result<(), String> {
        let (local, sessions) = initial_state(&self.scenario)?;
        let mut w = self.lock();
        for t in w.tasks.drain(..) {
            t.abort();
        }
        w.generation += 1;
        w.local = local;
        w.sessions = sessions;
        w.faults.clear();
        w.calls.clear();
        w.requests.clear();
        w.schema_drops.clear();
        Ok(())
    }

    /// `metadata.result` for a success.
    pub fn ok_result(&self) -> Value {
        if self.cfg.int_results { json!(1) } else { json!("1") }
    }

    /// A simulated duration scaled by `--speed`.
    pub fn pace(&self, secs: f64) -> Duration {
        let s = secs / self.cfg.speed;
        if s.is_finite() && s > 0.0 {
            Duration::from_secs_f64(s.min(3600.0))
        } else {
            Duration::ZERO
        }
    }

    /// Append one access-log line (`METHOD PATH?QUERY STATUS`); every `cpsess` token is masked.
    pub fn access(&self, method: &str, path_and_query: &str, status: &str) {
        if let Some(f) = &self.access_log {
            let line = mask_tokens(path_and_query);
            let mut f = f.lock().unwrap_or_else(|e| e.into_inner());
            let _ = writeln!(f, "{method} {line} {status}");
            let _ = f.flush();
        }
    }
}

/// Build the local server and the preexisting sessions of a scenario.
fn initial_state(sc: &Scenario) -> Result<(LocalServer, HashMap<String, TransferSession>), String> {
    let mut local = sc.local.clone();
    let mut sessions = HashMap::new();
    for seed in &sc.sessions {
        let remote_index = seed.remote.as_deref().and_then(|h| sc.remote_for(h));
        let host = seed.remote.clone().unwrap_or_else(|| local.host.clone());
        let mut s = TransferSession::new(seed.id.clone(), seed.kind, host.clone(), remote_index);
        s.transfer_threads = seed.transfer_threads;
        s.restore_threads = seed.restore_threads;
        s.unrestricted = flag_of(seed.options.get("unrestricted"));
        s.skipres_default = flag_of(seed.options.get("skip_reseller_privs"));
        if seed.kind == SessionKind::RemoteRoot {
            s.analysis = Some(match &seed.analysis {
                Some(a) => {
                    s.analysis_verbatim = true;
                    a.clone()
                }
                None => analysis::build(
                    &seed.id,
                    seed.options.clone(),
                    seed.config.clone(),
                    &local,
                    remote_index.and_then(|i| sc.remotes.get(i)).map(|r| (r, host.as_str())),
                ),
            });
        }
        for item in &seed.items {
            let mut p = Params::default();
            for (k, v) in item {
                p.insert(k.clone(), value_as_param(v));
            }
            let module = p.get("module").unwrap_or_default().to_string();
            let remote = remote_index.and_then(|i| sc.remotes.get(i));
            api::add_item(&mut s, &module, &p, &local, remote, false, &BTreeSet::new())
                .map_err(|e| format!("session {}: {e}", seed.id))?;
        }
        s.state = seed.state;
        if matches!(
            seed.state,
            SessionState::Running | SessionState::Pausing | SessionState::Aborting
        ) {
            // A session the database calls active but whose processor is gone (the §3.11 quirk).
            s.master_pid = Some(local.alloc_pid());
            s.processor_alive = false;
        }
        sessions.insert(seed.id.clone(), s);
    }
    Ok((local, sessions))
}

/// Replace what follows every `cpsess` (the security token) with ten `*`.
pub fn mask_tokens(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("cpsess") {
        out.push_str(&rest[..i + 6]);
        rest = &rest[i + 6..];
        let n = rest
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
        if n > 0 {
            out.push_str("**********");
        }
        rest = &rest[n..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_are_masked() {
        assert_eq!(
            super::mask_tokens("/cpsess0123456789/json-api/x?goto=%2Fcpsess1%2F"),
            "/cpsess**********/json-api/x?goto=%2Fcpsess**********%2F"
        );
        assert_eq!(super::mask_tokens("/login/?login_only=1"), "/login/?login_only=1");
    }
}
