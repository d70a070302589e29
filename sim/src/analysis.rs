//! Building the remote analysis (§4) from the local server and a remote server.

use serde_json::{Map, Value, json};

use crate::model::{LocalServer, RemoteServer};
use crate::util::{name_map, str_of};

/// The `local` section (§4.1).
pub fn local_section(local: &LocalServer) -> Value {
    let mut m = Map::new();
    m.insert("users".into(), name_map(local.users.iter()));
    m.insert("groups".into(), name_map(local.groups.iter()));
    m.insert("domains".into(), Value::Object(local.domains.clone()));
    m.insert("dedicated_ips".into(), Value::Object(local.dedicated_ips.clone()));
    m.insert("available_ips".into(), json!(local.available_ips));
    m.insert("dbs".into(), local.dbs.clone().unwrap_or(Value::Null));
    m.insert("version".into(), json!(local.version));
    m.insert("major_version".into(), json!(local.major_version));
    m.insert("host".into(), json!(local.host));
    m.insert("roundcube_dbtype".into(), json!(local.roundcube_dbtype));
    if let Some(n) = &local.linked_nodes {
        m.insert("linked_nodes".into(), n.clone());
    }
    Value::Object(m)
}

/// DB names/users owned by different users on the two servers:
/// `{remote_owner: {dbs|users: {MYSQL|PGSQL: {name: {remote_owner, local_owner}}}}}`.
pub fn conflicts(remote_dbs: Option<&Value>, local: &LocalServer) -> Value {
    let mut out = Map::new();
    let Some(rd) = remote_dbs else {
        return Value::Object(out);
    };
    for section in ["dbs", "users"] {
        for engine in ["MYSQL", "PGSQL"] {
            let Some(m) = rd.get(section).and_then(|s| s.get(engine)).and_then(Value::as_object) else {
                continue;
            };
            for (name, e) in m {
                let Some(remote_owner) = str_of(e.get("owner")) else {
                    continue;
                };
                let Some(local_owner) = local.db_owner_of(section, engine, name) else {
                    continue;
                };
                if local_owner == remote_owner {
                    continue;
                }
                let entry = json!({"remote_owner": remote_owner, "local_owner": local_owner});
                let owner = out.entry(remote_owner.clone()).or_insert_with(|| json!({}));
                if let Some(owner) = owner.as_object_mut() {
                    let sec = owner.entry(section.to_string()).or_insert_with(|| json!({}));
                    if let Some(sec) = sec.as_object_mut() {
                        let eng = sec.entry(engine.to_string()).or_insert_with(|| json!({}));
                        if let Some(eng) = eng.as_object_mut() {
                            eng.insert(name.clone(), entry);
                        }
                    }
                }
            }
        }
    }
    Value::Object(out)
}

/// The `remote` section: the scenario's template, `host` as typed, computed `conflicts`
/// unless the template fixes them.
pub fn remote_section(remote: &RemoteServer, host_as_typed: &str, local: &LocalServer) -> Value {
    let mut m = remote.remote.clone();
    // `sim_*` keys are simulator hints, never part of the wire format.
    m.retain(|k, _| !k.starts_with("sim_"));
    m.insert("host".into(), json!(host_as_typed));
    if !m.contains_key("dbs") {
        m.insert("dbs".into(), Value::Null);
    }
    if !m.contains_key("conflicts") {
        let c = conflicts(m.get("dbs"), local);
        m.insert("conflicts".into(), c);
    }
    Value::Object(m)
}

/// A whole analysis `data` object.
pub fn build(
    id: &str,
    options: Value,
    config: Value,
    local: &LocalServer,
    remote: Option<(&RemoteServer, &str)>,
) -> Value {
    let mut d = Map::new();
    d.insert("transfer_session_id".into(), json!(id));
    d.insert("options".into(), options);
    d.insert("config".into(), config);
    d.insert("local".into(), local_section(local));
    match remote {
        Some((r, host)) => {
            d.insert("remote".into(), remote_section(r, host, local));
            d.insert("items".into(), r.items.clone());
            d.insert("modules".into(), r.modules.clone());
        }
        None => {
            d.insert("remote".into(), json!({}));
            d.insert("items".into(), json!({"packages": [], "accounts": []}));
            d.insert("modules".into(), json!({}));
        }
    }
    Value::Object(d)
}
