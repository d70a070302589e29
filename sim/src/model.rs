//! Scenario model: the local server, the remote servers and the preexisting sessions.
//! Scenario files are JSON under `scenarios/`, embedded with `include_str!`.

use std::collections::{BTreeMap, HashSet};

use serde_json::{Map, Value, json};

use crate::session::{SessionKind, SessionState};
use crate::util::{flag_of, names_of, obj_of, str_of, u64_of};

/// Names of the built-in scenarios.
pub const SCENARIOS: [&str; 4] = ["demo", "guide-empty", "large", "hostile"];

fn source(name: &str) -> Option<&'static str> {
    Some(match name {
        "demo" => include_str!("../scenarios/demo.json"),
        "guide-empty" => include_str!("../scenarios/guide-empty.json"),
        "large" => include_str!("../scenarios/large.json"),
        "hostile" => include_str!("../scenarios/hostile.json"),
        _ => return None,
    })
}

/// An ordered set of names.
#[derive(Debug, Clone, Default)]
pub struct NameSet {
    order: Vec<String>,
    set: HashSet<String>,
}

impl NameSet {
    pub fn from_names(names: Vec<String>) -> Self {
        let mut s = Self::default();
        for n in names {
            s.insert(n);
        }
        s
    }

    pub fn insert(&mut self, n: String) -> bool {
        if self.set.contains(&n) {
            return false;
        }
        self.set.insert(n.clone());
        self.order.push(n);
        true
    }

    pub fn contains(&self, n: &str) -> bool {
        self.set.contains(n)
    }

    pub fn remove(&mut self, n: &str) -> bool {
        if !self.set.remove(n) {
            return false;
        }
        self.order.retain(|x| x != n);
        true
    }

    pub fn iter(&self) -> impl Iterator<Item = &String> {
        self.order.iter()
    }

    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }
}

/// This (the target) server.
#[derive(Debug, Clone)]
pub struct LocalServer {
    pub host: String,
    /// Names and addresses that resolve to this server.
    pub addresses: Vec<String>,
    pub version: String,
    pub major_version: String,
    pub roundcube_dbtype: String,
    pub users: NameSet,
    pub groups: NameSet,
    pub aliases: HashSet<String>,
    pub domains: Map<String, Value>,
    pub dedicated_ips: Map<String, Value>,
    pub available_ips: Vec<String>,
    /// `{"dbs":{MYSQL,PGSQL},"users":{MYSQL,PGSQL}}` or None (→ null).
    pub dbs: Option<Value>,
    pub db_owners: HashSet<String>,
    pub linked_nodes: Option<Value>,
    /// DB prefix length: 8 or 16 (§5.3).
    pub prefix_length: usize,
    pub database_prefix: bool,
    pub cpmove_files: Vec<String>,
    pub packages: NameSet,
    /// Archives left behind (user → path), for delete_account_archives.
    pub archives: BTreeMap<String, String>,
    /// cPanel accounts restored here (local user → `accountsummary` record).
    pub accounts: BTreeMap<String, Value>,
    pub next_pid: u32,
}

impl LocalServer {
    /// `getpwnam`: any system user; root always exists.
    pub fn user_exists(&self, name: &str) -> bool {
        name == "root" || self.users.contains(name)
    }

    pub fn resolves_here(&self, host: &str) -> bool {
        let h = host.trim().trim_end_matches('.').to_ascii_lowercase();
        h == self.host.to_ascii_lowercase()
            || h == "localhost"
            || h == "127.0.0.1"
            || h == "::1"
            || h.starts_with("127.")
            || self.addresses.iter().any(|a| a.to_ascii_lowercase() == h)
    }

    /// Remove a user with its group, database owner and domains (a lost account).
    pub fn remove_user(&mut self, user: &str) {
        self.users.remove(user);
        self.groups.remove(user);
        self.db_owners.remove(&crate::usernames::db_owner_key(user));
        self.domains.retain(|_, owner| owner.as_str() != Some(user));
    }

    pub fn alloc_pid(&mut self) -> u32 {
        self.next_pid = if self.next_pid >= 4_000_000 {
            1000
        } else {
            self.next_pid + 1
        };
        self.next_pid
    }

    /// Owner of a local database or database user (`section` = "dbs"|"users").
    pub fn db_owner_of(&self, section: &str, engine: &str, name: &str) -> Option<String> {
        let v = self.dbs.as_ref()?.get(section)?.get(engine)?.get(name)?;
        str_of(v.get("owner"))
    }

    /// Record a database (or DB user) as owned by `owner`.
    pub fn add_db(&mut self, section: &str, engine: &str, name: &str, owner: &str) {
        let dbs = self
            .dbs
            .get_or_insert_with(|| json!({"dbs":{"MYSQL":{},"PGSQL":{}},"users":{"MYSQL":{},"PGSQL":{}}}));
        if !dbs.is_object() {
            *dbs = json!({});
        }
        if let Some(root) = dbs.as_object_mut() {
            let sec = root.entry(section.to_string()).or_insert_with(|| json!({}));
            if !sec.is_object() {
                *sec = json!({});
            }
            if let Some(sec) = sec.as_object_mut() {
                let eng = sec.entry(engine.to_string()).or_insert_with(|| json!({}));
                if !eng.is_object() {
                    *eng = json!({});
                }
                if let Some(eng) = eng.as_object_mut() {
                    eng.insert(name.to_string(), json!({ "owner": owner }));
                }
            }
        }
    }
}

/// A source server that `create_remote_*_transfer_session` can reach.
#[derive(Debug, Clone)]
pub struct RemoteServer {
    pub host: String,
    pub addresses: Vec<String>,
    pub root_password: String,
    pub shared_mysql_server: bool,
    /// The analysis `remote` section (without `host`, which is the host as typed).
    pub remote: Map<String, Value>,
    /// The analysis `items` (`packages`, `accounts`).
    pub items: Value,
    /// The analysis `modules`.
    pub modules: Value,
    /// Simulation hints per source user: `warnings`, `transfer_failure`, `restore_failure`.
    pub outcomes: Map<String, Value>,
    /// cPanel account passwords on the source (`cpanel_passwords`: user → password), for items of
    /// cPanel-user sessions (§3.3). An account not listed has no password that works.
    pub cpanel_passwords: Map<String, Value>,
}

impl RemoteServer {
    pub fn matches(&self, host: &str) -> bool {
        let h = host.trim().trim_end_matches('.').to_ascii_lowercase();
        h == self.host.to_ascii_lowercase() || self.addresses.iter().any(|a| a.to_ascii_lowercase() == h)
    }

    /// Does `password` log in to the source's cPanel as `user`?
    pub fn cpanel_login_ok(&self, user: &str, password: &str) -> bool {
        !password.is_empty() && self.cpanel_passwords.get(user).and_then(Value::as_str) == Some(password)
    }

    pub fn account(&self, user: &str) -> Option<&Map<String, Value>> {
        self.items
            .get("accounts")?
            .as_array()?
            .iter()
            .filter_map(Value::as_object)
            .find(|a| str_of(a.get("user")).as_deref() == Some(user))
    }

    pub fn has_package(&self, name: &str) -> bool {
        self.items
            .get("packages")
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().any(|p| str_of(p.get("name")).as_deref() == Some(name)))
    }

    /// Remote databases (section "dbs"|"users", engine MYSQL) owned by `user`.
    pub fn dbs_owned_by(&self, section: &str, user: &str) -> Vec<String> {
        let Some(m) = self
            .remote
            .get("dbs")
            .and_then(|d| d.get(section))
            .and_then(|s| s.get("MYSQL"))
            .and_then(Value::as_object)
        else {
            return Vec::new();
        };
        m.iter()
            .filter(|(_, v)| str_of(v.get("owner")).as_deref() == Some(user))
            .map(|(k, _)| k.clone())
            .collect()
    }

    pub fn outcome(&self, user: &str) -> Map<String, Value> {
        obj_of(self.outcomes.get(user))
    }

    pub fn supports_live_transfers(&self) -> bool {
        flag_of(self.remote.get("supports_live_transfers"))
    }
}

/// A session that exists when the simulator starts.
#[derive(Debug, Clone)]
pub struct SessionSeed {
    pub id: String,
    pub kind: SessionKind,
    pub remote: Option<String>,
    pub state: SessionState,
    pub transfer_threads: usize,
    pub restore_threads: usize,
    pub options: Value,
    pub config: Value,
    /// Verbatim analysis `data` (else it is computed from the local and remote servers).
    pub analysis: Option<Value>,
    /// Items to enqueue at load time (parameter maps as for enqueue_transfer_item).
    pub items: Vec<Map<String, Value>>,
}

#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    pub local: LocalServer,
    pub remotes: Vec<RemoteServer>,
    pub sessions: Vec<SessionSeed>,
}

impl Scenario {
    /// Load a built-in scenario by name.
    pub fn load(name: &str, seed: u64) -> Result<Self, String> {
        let text = source(name)
            .ok_or_else(|| format!("unknown scenario “{name}” (choose one of: {})", SCENARIOS.join(", ")))?;
        let mut v: Value = serde_json::from_str(text).map_err(|e| format!("scenario “{name}”: {e}"))?;
        if name == "large" {
            crate::large::expand(&mut v, seed);
        }
        Self::from_value(name, &v)
    }

    pub fn from_value(name: &str, v: &Value) -> Result<Self, String> {
        let local = parse_local(v.get("local").unwrap_or(&Value::Null));
        let remotes = v
            .get("remotes")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(parse_remote).collect())
            .unwrap_or_default();
        let mut sessions = Vec::new();
        for s in v.get("sessions").and_then(Value::as_array).into_iter().flatten() {
            sessions.push(parse_seed(s).map_err(|e| format!("scenario “{name}”: {e}"))?);
        }
        Ok(Self {
            name: name.to_string(),
            description: str_of(v.get("description")).unwrap_or_default(),
            local,
            remotes,
            sessions,
        })
    }

    pub fn remote_for(&self, host: &str) -> Option<usize> {
        self.remotes.iter().position(|r| r.matches(host))
    }
}

fn major_of(version: &str) -> String {
    version.split('.').take(2).collect::<Vec<_>>().join(".")
}

/// Prefix length per §5.3: 16 on MySQL ≥ 5.7 and MariaDB ≥ 10, else 8.
pub fn prefix_length_for(db_type: &str, db_version: &str) -> usize {
    let mut parts = db_version.split('.').map(|p| p.trim().parse::<u32>().unwrap_or(0));
    let major = parts.next().unwrap_or(0);
    let minor = parts.next().unwrap_or(0);
    match db_type.to_ascii_lowercase().as_str() {
        "mariadb" if major >= 10 => 16,
        "mysql" if major > 5 || (major == 5 && minor >= 7) => 16,
        _ => 8,
    }
}

fn parse_local(v: &Value) -> LocalServer {
    let version = str_of(v.get("version")).unwrap_or_else(|| "11.120.0.16".to_string());
    let dbs = match v.get("dbs") {
        Some(d @ Value::Object(_)) => Some(d.clone()),
        _ => None,
    };
    let mut db_owners: HashSet<String> = names_of(v.get("db_owners")).into_iter().collect();
    if let Some(d) = &dbs {
        for section in ["dbs", "users"] {
            for engine in ["MYSQL", "PGSQL"] {
                if let Some(m) = d.get(section).and_then(|s| s.get(engine)).and_then(Value::as_object) {
                    for e in m.values() {
                        if let Some(o) = str_of(e.get("owner")) {
                            db_owners.insert(o);
                        }
                    }
                }
            }
        }
    }
    let mysql = v.get("mysql");
    let prefix_length = match u64_of(v.get("prefix_length")) {
        Some(8) => 8,
        Some(16) => 16,
        _ => prefix_length_for(
            &str_of(mysql.and_then(|m| m.get("type"))).unwrap_or_default(),
            &str_of(mysql.and_then(|m| m.get("version"))).unwrap_or_default(),
        ),
    };
    LocalServer {
        host: str_of(v.get("host")).unwrap_or_else(|| "localhost.localdomain".to_string()),
        addresses: names_of(v.get("addresses")),
        major_version: str_of(v.get("major_version")).unwrap_or_else(|| major_of(&version)),
        version,
        roundcube_dbtype: str_of(v.get("roundcube_dbtype")).unwrap_or_else(|| "sqlite".to_string()),
        users: NameSet::from_names(names_of(v.get("users"))),
        groups: NameSet::from_names(names_of(v.get("groups"))),
        aliases: names_of(v.get("aliases")).into_iter().collect(),
        domains: obj_of(v.get("domains")),
        dedicated_ips: obj_of(v.get("dedicated_ips")),
        available_ips: names_of(v.get("available_ips")),
        dbs,
        db_owners,
        linked_nodes: v.get("linked_nodes").cloned(),
        prefix_length,
        database_prefix: v.get("database_prefix").is_none_or(|d| flag_of(Some(d))),
        cpmove_files: names_of(v.get("cpmove_files")),
        packages: NameSet::from_names(names_of(v.get("packages"))),
        archives: BTreeMap::new(),
        accounts: BTreeMap::new(),
        next_pid: 12_788,
    }
}

fn parse_remote(v: &Value) -> Option<RemoteServer> {
    let host = str_of(v.get("host"))?;
    Some(RemoteServer {
        host,
        addresses: names_of(v.get("addresses")),
        root_password: str_of(v.get("root_password")).unwrap_or_else(|| "luggage12345".to_string()),
        shared_mysql_server: flag_of(v.get("shared_mysql_server")),
        remote: obj_of(v.get("remote")),
        items: v
            .get("items")
            .cloned()
            .unwrap_or_else(|| json!({"packages": [], "accounts": []})),
        modules: v.get("modules").cloned().unwrap_or_else(|| json!({})),
        outcomes: obj_of(v.get("outcomes")),
        cpanel_passwords: obj_of(v.get("cpanel_passwords")),
    })
}

fn parse_seed(v: &Value) -> Result<SessionSeed, String> {
    let id = str_of(v.get("id")).ok_or("a session without an id")?;
    let kind_name = str_of(v.get("type")).unwrap_or_else(|| "RemoteRoot".to_string());
    let kind = SessionKind::parse(&kind_name).ok_or_else(|| format!("session {id}: bad type {kind_name}"))?;
    let state_name = str_of(v.get("state")).unwrap_or_else(|| "PENDING".to_string());
    let state = SessionState::parse(&state_name).ok_or_else(|| format!("session {id}: bad state {state_name}"))?;
    let threads = |k: &str| {
        u64_of(v.get(k))
            .map(|n| usize::try_from(n.clamp(1, 9)).unwrap_or(1))
            .unwrap_or(1)
    };
    Ok(SessionSeed {
        kind,
        remote: str_of(v.get("remote")),
        state,
        transfer_threads: threads("transfer_threads"),
        restore_threads: threads("restore_threads"),
        options: v
            .get("options")
            .cloned()
            .unwrap_or_else(|| json!({"unrestricted": "0", "skip_reseller_privs": "0"})),
        config: v
            .get("config")
            .cloned()
            .unwrap_or_else(|| json!({"shared_mysql_server": "0"})),
        analysis: v.get("analysis").cloned(),
        items: v
            .get("items")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|i| i.as_object().cloned()).collect())
            .unwrap_or_default(),
        id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_lengths() {
        assert_eq!(prefix_length_for("MariaDB", "10.6"), 16);
        assert_eq!(prefix_length_for("MySQL", "5.7"), 16);
        assert_eq!(prefix_length_for("MySQL", "8.0"), 16);
        assert_eq!(prefix_length_for("MySQL", "5.6"), 8);
        assert_eq!(prefix_length_for("", ""), 8);
    }

    #[test]
    fn all_scenarios_load() {
        for name in SCENARIOS {
            let s = Scenario::load(name, 1);
            assert!(s.is_ok(), "{name}: {:?}", s.err());
        }
        assert!(Scenario::load("nope", 1).is_err());
    }
}
