//! `retrieve_transfer_session_remote_analysis` data, in full (docs/whm-api.md §4).

use super::scalar;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

/// The stored analysis of a RemoteRoot transfer session.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct Analysis {
    #[serde(deserialize_with = "scalar::string")]
    pub transfer_session_id: String,
    #[serde(deserialize_with = "scalar::object")]
    pub options: SessionOptions,
    #[serde(deserialize_with = "scalar::object")]
    pub config: SessionConfig,
    #[serde(deserialize_with = "scalar::object")]
    pub local: LocalServer,
    #[serde(deserialize_with = "scalar::object")]
    pub remote: RemoteServer,
    #[serde(deserialize_with = "scalar::object")]
    pub items: Items,
    /// Config-module comparison, keyed `Apache`, `MySQL`, … .
    #[serde(deserialize_with = "scalar::map")]
    pub modules: BTreeMap<String, ModuleAnalysis>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct SessionOptions {
    /// `unrestricted_restore` of the create call.
    #[serde(deserialize_with = "scalar::opt_flag")]
    pub unrestricted: Option<bool>,
    /// Session-level `skipres` (see §3.2: looks inverted relative to `copy_reseller_privs`).
    #[serde(deserialize_with = "scalar::opt_flag")]
    pub skip_reseller_privs: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct SessionConfig {
    #[serde(deserialize_with = "scalar::opt_flag")]
    pub shared_mysql_server: Option<bool>,
}

/// The server this console runs on (the restore target).
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct LocalServer {
    #[serde(deserialize_with = "scalar::name_set")]
    pub users: BTreeSet<String>,
    #[serde(deserialize_with = "scalar::name_set")]
    pub groups: BTreeSet<String>,
    /// domain → user
    #[serde(deserialize_with = "scalar::map")]
    pub domains: BTreeMap<String, String>,
    /// ip → domain
    #[serde(deserialize_with = "scalar::map")]
    pub dedicated_ips: BTreeMap<String, String>,
    #[serde(deserialize_with = "ip_list")]
    pub available_ips: Vec<String>,
    #[serde(deserialize_with = "scalar::opt_object")]
    pub dbs: Option<DbOwnership>,
    #[serde(deserialize_with = "scalar::opt_string")]
    pub version: Option<String>,
    #[serde(deserialize_with = "scalar::opt_string")]
    pub major_version: Option<String>,
    #[serde(deserialize_with = "scalar::opt_string")]
    pub host: Option<String>,
    #[serde(deserialize_with = "scalar::opt_string")]
    pub roundcube_dbtype: Option<String>,
    #[serde(deserialize_with = "scalar::list")]
    pub linked_nodes: Vec<LinkedNode>,
}

/// The source server.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct RemoteServer {
    #[serde(deserialize_with = "scalar::opt_string")]
    pub host: Option<String>,
    #[serde(deserialize_with = "scalar::opt_string")]
    pub hostname: Option<String>,
    #[serde(deserialize_with = "scalar::opt_string")]
    pub server_type: Option<String>,
    #[serde(deserialize_with = "scalar::opt_string")]
    pub cpversion: Option<String>,
    #[serde(deserialize_with = "scalar::opt_string")]
    pub version: Option<String>,
    #[serde(deserialize_with = "scalar::opt_string")]
    pub major_version: Option<String>,
    #[serde(deserialize_with = "scalar::name_set")]
    pub resellers: BTreeSet<String>,
    #[serde(deserialize_with = "scalar::opt_flag")]
    pub has_owners: Option<bool>,
    #[serde(deserialize_with = "scalar::opt_flag")]
    pub has_disk_used: Option<bool>,
    #[serde(deserialize_with = "scalar::opt_flag")]
    pub has_files_used: Option<bool>,
    #[serde(deserialize_with = "scalar::opt_flag")]
    pub has_xfertool: Option<bool>,
    #[serde(deserialize_with = "scalar::opt_flag")]
    pub has_package_extensions: Option<bool>,
    #[serde(deserialize_with = "scalar::opt_flag")]
    pub supports_live_transfers: Option<bool>,
    #[serde(deserialize_with = "scalar::opt_string")]
    pub roundcube_dbtype: Option<String>,
    #[serde(deserialize_with = "scalar::list")]
    pub linked_nodes: Vec<LinkedNode>,
    #[serde(deserialize_with = "scalar::opt_object")]
    pub dbs: Option<DbOwnership>,
    /// remote owner → conflicting names (§4.1).
    #[serde(deserialize_with = "scalar::map")]
    pub conflicts: BTreeMap<String, OwnerConflicts>,
}

/// A linked server node (mail worker …).
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct LinkedNode {
    #[serde(deserialize_with = "scalar::string")]
    pub alias: String,
    #[serde(deserialize_with = "scalar::opt_string")]
    pub hostname: Option<String>,
    #[serde(deserialize_with = "scalar::opt_string")]
    pub username: Option<String>,
    #[serde(deserialize_with = "scalar::opt_string")]
    pub version: Option<String>,
    #[serde(deserialize_with = "scalar::opt_string")]
    pub last_check: Option<String>,
    #[serde(deserialize_with = "scalar::opt_flag")]
    pub tls_verified: Option<bool>,
    /// Capability names (`Mail`, …); their option objects are not needed.
    #[serde(deserialize_with = "scalar::name_set")]
    pub worker_capabilities: BTreeSet<String>,
}

/// `dbs` on either side: databases and DB users per engine, each with its owner.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct DbOwnership {
    #[serde(deserialize_with = "scalar::object")]
    pub dbs: PerEngine,
    #[serde(deserialize_with = "scalar::object")]
    pub users: PerEngine,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct PerEngine {
    /// name → owner
    #[serde(rename = "MYSQL", deserialize_with = "owner_map")]
    pub mysql: BTreeMap<String, String>,
    /// name → owner. Note §4.1: v120 fills this from the MySQL map; don't trust it.
    #[serde(rename = "PGSQL", deserialize_with = "owner_map")]
    pub pgsql: BTreeMap<String, String>,
}

#[derive(Deserialize, Default)]
struct Owned {
    #[serde(default, deserialize_with = "scalar::string")]
    owner: String,
}

fn owner_map<'de, D: serde::Deserializer<'de>>(d: D) -> Result<BTreeMap<String, String>, D::Error> {
    let m: BTreeMap<String, Owned> = scalar::map(d)?;
    Ok(m.into_iter().map(|(k, v)| (k, v.owner)).collect())
}

fn ip_list<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Ip {
        Text(String),
        Obj {
            #[serde(alias = "address")]
            ip: String,
        },
    }
    let items: Vec<Ip> = scalar::list(d)?;
    Ok(items
        .into_iter()
        .map(|i| match i {
            Ip::Text(t) | Ip::Obj { ip: t } => t,
        })
        .collect())
}

/// `{dbs|users: {MYSQL|PGSQL: {name: {remote_owner, local_owner}}}}` for one remote owner.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct OwnerConflicts {
    #[serde(deserialize_with = "scalar::object")]
    pub dbs: ConflictEngines,
    #[serde(deserialize_with = "scalar::object")]
    pub users: ConflictEngines,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct ConflictEngines {
    #[serde(rename = "MYSQL", deserialize_with = "scalar::map")]
    pub mysql: BTreeMap<String, Conflict>,
    #[serde(rename = "PGSQL", deserialize_with = "scalar::map")]
    pub pgsql: BTreeMap<String, Conflict>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct Conflict {
    #[serde(deserialize_with = "scalar::opt_string")]
    pub remote_owner: Option<String>,
    #[serde(deserialize_with = "scalar::opt_string")]
    pub local_owner: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct Items {
    #[serde(deserialize_with = "scalar::list")]
    pub packages: Vec<Package>,
    #[serde(deserialize_with = "scalar::list")]
    pub accounts: Vec<Account>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct Package {
    #[serde(deserialize_with = "scalar::string")]
    pub name: String,
    #[serde(deserialize_with = "scalar::opt_string")]
    pub featurelist: Option<String>,
}

/// One remote account (one main domain), exactly the keys of §4.1.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct Account {
    #[serde(deserialize_with = "scalar::string")]
    pub user: String,
    #[serde(deserialize_with = "scalar::opt_string")]
    pub ensim_user: Option<String>,
    #[serde(deserialize_with = "scalar::string")]
    pub domain: String,
    #[serde(deserialize_with = "scalar::opt_string")]
    pub owner: Option<String>,
    /// Bytes (quota KiB × 1024).
    #[serde(deserialize_with = "scalar::u64_or_zero")]
    pub bytesused: u64,
    #[serde(deserialize_with = "scalar::u64_or_zero")]
    pub filesused: u64,
    #[serde(deserialize_with = "scalar::flag")]
    pub has_dedicated_ip: bool,
    /// WorkerType → node alias, e.g. `{"Mail": "mailnode"}`.
    #[serde(deserialize_with = "scalar::map")]
    pub worker_nodes: BTreeMap<String, String>,
}

impl Account {
    /// The owner, with WHM's rule that a source without an owners file means root owns all.
    pub fn owner_or_root(&self) -> &str {
        match self.owner.as_deref() {
            Some(o) if !o.is_empty() => o,
            _ => "root",
        }
    }
}

/// One configuration module's comparison (`modules.MySQL` …).
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct ModuleAnalysis {
    #[serde(deserialize_with = "scalar::opt_string")]
    pub name: Option<String>,
    #[serde(deserialize_with = "scalar::map")]
    pub analysis: BTreeMap<String, String>,
    #[serde(deserialize_with = "scalar::opt_string")]
    pub warning: Option<String>,
    #[serde(deserialize_with = "scalar::opt_string")]
    pub error: Option<String>,
}

impl Analysis {
    /// The local database engine's first-N uniqueness length, when the analysis tells it (§5.3):
    /// 16 on MySQL ≥ 5.7 and MariaDB ≥ 10, 8 on older MySQL. `None` when unknown.
    pub fn local_prefix_length(&self) -> Option<u8> {
        let m = self.modules.get("MySQL")?;
        let kind = m
            .analysis
            .get("Local Type")
            .map(|s| s.to_ascii_lowercase())
            .unwrap_or_default();
        let version = m.analysis.get("Local Version")?;
        let mut parts = version.trim().split('.').map(|p| p.trim().parse::<u32>().ok());
        let major = parts.next().flatten()?;
        let minor = parts.next().flatten().unwrap_or(0);
        if kind.contains("mariadb") || major >= 10 {
            return Some(if major >= 10 { 16 } else { 8 });
        }
        Some(if (major, minor) >= (5, 7) { 16 } else { 8 })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_length_follows_the_local_database() {
        let with = |t: &str, v: &str| {
            let mut a = Analysis::default();
            let mut m = ModuleAnalysis::default();
            m.analysis.insert("Local Type".into(), t.into());
            m.analysis.insert("Local Version".into(), v.into());
            a.modules.insert("MySQL".into(), m);
            a.local_prefix_length()
        };
        assert_eq!(with("MariaDB", "10.6"), Some(16));
        assert_eq!(with("MySQL", "8.0"), Some(16));
        assert_eq!(with("MySQL", "5.7"), Some(16));
        assert_eq!(with("MySQL", "5.6"), Some(8));
        assert_eq!(with("MySQL", "x"), None);
        assert_eq!(Analysis::default().local_prefix_length(), None);
    }

    #[test]
    fn empty_containers_in_every_shape() {
        let a: Analysis = serde_json::from_str(
            r#"{"local":{"users":[],"groups":null,"dbs":[],"linked_nodes":{}},"remote":null,"items":{"accounts":null,"packages":{}},"modules":[]}"#,
        )
        .unwrap();
        assert!(a.local.users.is_empty() && a.local.groups.is_empty() && a.local.dbs.is_none());
        assert!(a.items.accounts.is_empty());
        assert_eq!(a.remote, RemoteServer::default());
    }
}
