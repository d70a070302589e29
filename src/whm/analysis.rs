//! `retrieve_transfer_session_remote_analysis` data, in full (docs/whm-api.md §4).

use super::scalar::{self, lenient_struct};
use crate::names::{NameMap, Names};
use std::collections::{BTreeMap, BTreeSet};

lenient_struct! {
    /// The stored analysis of a RemoteRoot transfer session.
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct Analysis {
        pub transfer_session_id: String = "transfer_session_id" => scalar::string,
        pub options: SessionOptions = "options" => scalar::object,
        pub config: SessionConfig = "config" => scalar::object,
        pub local: LocalServer = "local" => scalar::object,
        pub remote: RemoteServer = "remote" => scalar::object,
        pub items: Items = "items" => scalar::object,
        /// Config-module comparison, keyed `Apache`, `MySQL`, … .
        pub modules: BTreeMap<String, ModuleAnalysis> = "modules" => scalar::map,
    }
}

lenient_struct! {
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct SessionOptions {
        /// `unrestricted_restore` of the create call.
        pub unrestricted: Option<bool> = "unrestricted" => scalar::opt_flag,
        /// Session-level `skipres` (see §3.2: looks inverted relative to `copy_reseller_privs`).
        pub skip_reseller_privs: Option<bool> = "skip_reseller_privs" => scalar::opt_flag,
    }
}

lenient_struct! {
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct SessionConfig {
        pub shared_mysql_server: Option<bool> = "shared_mysql_server" => scalar::opt_flag,
    }
}

lenient_struct! {
    /// The server this console runs on (the restore target).
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct LocalServer {
        /// Decoded straight into one buffer, each name hashed once (50,000 names or more).
        pub users: Names = "users" => scalar::names,
        pub groups: Names = "groups" => scalar::names,
        /// domain → user (one per domain of the server: 50,000 or more)
        pub domains: NameMap = "domains" => scalar::name_map,
        /// ip → domain
        pub dedicated_ips: BTreeMap<String, String> = "dedicated_ips" => scalar::map,
        pub available_ips: Vec<String> = "available_ips" => ip_list,
        pub dbs: Option<DbOwnership> = "dbs" => scalar::opt_object,
        pub version: Option<String> = "version" => scalar::opt_string,
        pub major_version: Option<String> = "major_version" => scalar::opt_string,
        pub host: Option<String> = "host" => scalar::opt_string,
        pub roundcube_dbtype: Option<String> = "roundcube_dbtype" => scalar::opt_string,
        /// `None` when the analysis leaves the key out (the v120 code does, §4.1): not "no nodes".
        pub linked_nodes: Option<Vec<LinkedNode>> = "linked_nodes" => scalar::opt_list,
    }
}

lenient_struct! {
    /// The source server.
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct RemoteServer {
        pub host: Option<String> = "host" => scalar::opt_string,
        pub hostname: Option<String> = "hostname" => scalar::opt_string,
        pub server_type: Option<String> = "server_type" => scalar::opt_string,
        pub cpversion: Option<String> = "cpversion" => scalar::opt_string,
        pub version: Option<String> = "version" => scalar::opt_string,
        pub major_version: Option<String> = "major_version" => scalar::opt_string,
        pub resellers: BTreeSet<String> = "resellers" => scalar::name_set,
        pub has_owners: Option<bool> = "has_owners" => scalar::opt_flag,
        pub has_disk_used: Option<bool> = "has_disk_used" => scalar::opt_flag,
        pub has_files_used: Option<bool> = "has_files_used" => scalar::opt_flag,
        pub has_xfertool: Option<bool> = "has_xfertool" => scalar::opt_flag,
        pub has_package_extensions: Option<bool> = "has_package_extensions" => scalar::opt_flag,
        pub supports_live_transfers: Option<bool> = "supports_live_transfers" => scalar::opt_flag,
        pub roundcube_dbtype: Option<String> = "roundcube_dbtype" => scalar::opt_string,
        pub linked_nodes: Vec<LinkedNode> = "linked_nodes" => scalar::list,
        pub dbs: Option<DbOwnership> = "dbs" => scalar::opt_object,
        /// remote owner → conflicting names (§4.1).
        pub conflicts: BTreeMap<String, OwnerConflicts> = "conflicts" => scalar::map,
    }
}

lenient_struct! {
    /// A linked server node (mail worker …).
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct LinkedNode {
        pub alias: String = "alias" => scalar::string,
        pub hostname: Option<String> = "hostname" => scalar::opt_string,
        pub username: Option<String> = "username" => scalar::opt_string,
        pub version: Option<String> = "version" => scalar::opt_string,
        pub last_check: Option<String> = "last_check" => scalar::opt_string,
        pub tls_verified: Option<bool> = "tls_verified" => scalar::opt_flag,
        /// Capability names (`Mail`, …); their option objects are not needed.
        pub worker_capabilities: BTreeSet<String> = "worker_capabilities" => scalar::name_set,
    }
}

lenient_struct! {
    /// `dbs` on either side: databases and DB users per engine, each with its owner.
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct DbOwnership {
        pub dbs: PerEngine = "dbs" => scalar::object,
        pub users: PerEngine = "users" => scalar::object,
    }
}

lenient_struct! {
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct PerEngine {
        /// name → owner
        pub mysql: NameMap = "MYSQL" => owner_map,
        /// name → owner. Note §4.1: v120 fills this from the MySQL map; don't trust it.
        pub pgsql: NameMap = "PGSQL" => owner_map,
    }
}

lenient_struct! {
    #[derive(Default)]
    struct Owned {
        owner: String = "owner" => scalar::string,
    }
}

/// `{name: {owner}}`: an entry without an object is dropped, one without an owner keeps "".
fn owner_map<'de, D: serde::Deserializer<'de>>(d: D) -> Result<NameMap, D::Error> {
    scalar::name_map_of(d, |v: &Owned| v.owner.as_str())
}

/// An available IP: a string, or an object with `ip` (or `address`).
struct Ip(String);

impl scalar::Lenient for Ip {
    fn lenient<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        use serde::Deserializer;
        use serde::de::{self, IgnoredAny, MapAccess, Visitor};
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Option<Ip>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an IP address or an object with one")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Some(Ip(v.to_owned())))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut ip = None;
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    match &*key {
                        "ip" | "address" => {
                            if let Some(t) = map.next_value_seed(TextSeed)? {
                                ip = Some(Ip(t));
                            }
                        }
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(ip)
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(None)
            }
            scalar::empty_for_non_text!(None);
        }
        struct TextSeed;
        impl<'de> de::DeserializeSeed<'de> for TextSeed {
            type Value = Option<String>;
            fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Option<String>, D::Error> {
                scalar::opt_string(d)
            }
        }
        d.deserialize_any(V)
    }
}

fn ip_list<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let items: Vec<Ip> = scalar::list(d)?;
    Ok(items.into_iter().map(|Ip(t)| t).collect())
}

lenient_struct! {
    /// `{dbs|users: {MYSQL|PGSQL: {name: {remote_owner, local_owner}}}}` for one remote owner.
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct OwnerConflicts {
        pub dbs: ConflictEngines = "dbs" => scalar::object,
        pub users: ConflictEngines = "users" => scalar::object,
    }
}

lenient_struct! {
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct ConflictEngines {
        pub mysql: BTreeMap<String, Conflict> = "MYSQL" => scalar::map,
        pub pgsql: BTreeMap<String, Conflict> = "PGSQL" => scalar::map,
    }
}

lenient_struct! {
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct Conflict {
        pub remote_owner: Option<String> = "remote_owner" => scalar::opt_string,
        pub local_owner: Option<String> = "local_owner" => scalar::opt_string,
    }
}

lenient_struct! {
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct Items {
        pub packages: Vec<Package> = "packages" => scalar::list,
        pub accounts: Vec<Account> = "accounts" => scalar::list,
    }
}

lenient_struct! {
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct Package {
        pub name: String = "name" => scalar::string,
        pub featurelist: Option<String> = "featurelist" => scalar::opt_string,
    }
}

lenient_struct! {
    /// One remote account (one main domain), exactly the keys of §4.1.
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct Account {
        pub user: String = "user" => scalar::string,
        pub ensim_user: Option<String> = "ensim_user" => scalar::opt_string,
        pub domain: String = "domain" => scalar::string,
        pub owner: Option<String> = "owner" => scalar::opt_string,
        /// Bytes (quota KiB × 1024).
        pub bytesused: u64 = "bytesused" => scalar::u64_or_zero,
        pub filesused: u64 = "filesused" => scalar::u64_or_zero,
        pub has_dedicated_ip: bool = "has_dedicated_ip" => scalar::flag,
        /// WorkerType → node alias, e.g. `{"Mail": "mailnode"}`.
        pub worker_nodes: BTreeMap<String, String> = "worker_nodes" => scalar::map,
    }
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

lenient_struct! {
    /// One configuration module's comparison (`modules.MySQL` …).
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct ModuleAnalysis {
        pub name: Option<String> = "name" => scalar::opt_string,
        pub analysis: BTreeMap<String, String> = "analysis" => scalar::map,
        pub warning: Option<String> = "warning" => scalar::opt_string,
        pub error: Option<String> = "error" => scalar::opt_string,
    }
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
    fn odd_elements_are_dropped_and_repeated_keys_keep_the_last() {
        let a: Analysis = serde_json::from_str(
            r#"{"items":{"accounts":[{"user":"a","bytesused":"2048"},"junk",null,7,{"user":"b","user":"c","x":{"deep":[1]}}]},
                "local":{"available_ips":["192.0.2.1",{"address":"192.0.2.2"},{"ip":3},{"nope":1},[]],
                         "dbs":{"dbs":{"MYSQL":{"a_db":{"owner":"a"},"b_db":"bob"}}}}}"#,
        )
        .unwrap();
        let users: Vec<_> = a.items.accounts.iter().map(|a| a.user.as_str()).collect();
        assert_eq!(users, ["a", "c"]);
        assert_eq!(a.items.accounts[0].bytesused, 2048);
        assert_eq!(a.local.available_ips, ["192.0.2.1", "192.0.2.2", "3"]);
        let dbs = a.local.dbs.unwrap().dbs.mysql;
        assert_eq!(dbs.len(), 1);
        assert_eq!(dbs.get("a_db"), Some("a"));
    }

    #[test]
    fn the_top_level_must_be_an_object() {
        assert!(serde_json::from_str::<Analysis>("\"x\"").is_err());
        assert!(serde_json::from_str::<Analysis>("[1]").is_err());
        assert_eq!(serde_json::from_str::<Analysis>("[]").unwrap(), Analysis::default());
    }

    #[test]
    fn empty_containers_in_every_shape() {
        let a: Analysis = serde_json::from_str(
            r#"{"local":{"users":[],"groups":null,"dbs":[],"linked_nodes":{}},"remote":null,"items":{"accounts":null,"packages":{}},"modules":[]}"#,
        )
        .unwrap();
        assert!(a.local.users.is_empty() && a.local.groups.is_empty() && a.local.dbs.is_none());
        assert_eq!(a.local.linked_nodes, Some(Vec::new()), "listed, empty");
        assert!(a.items.accounts.is_empty());
        assert_eq!(a.remote, RemoteServer::default());
        // left out (v120): not known
        let a: Analysis = serde_json::from_str(r#"{"local":{"users":[]}}"#).unwrap();
        assert_eq!(a.local.linked_nodes, None);
    }
}
