//! Deterministic generation of the `large` scenario: 10,000 accounts, 50,000 local users, 25,000 local
//! databases and 25,000 local DB users, 10,000 remote databases (and as many remote DB users).

use std::collections::HashSet;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Map, Value, json};

pub const ACCOUNTS: usize = 10_000;
pub const LOCAL_USERS: usize = 50_000;
/// Local MySQL databases, and as many local MySQL DB users (one of each for every other cPanel user).
pub const LOCAL_DBS: usize = 25_000;
/// Remote MySQL databases, and as many remote DB users (one of each per remote account).
pub const REMOTE_DBS: usize = ACCOUNTS;

const SYLLABLES: [&str; 40] = [
    "al", "be", "co", "da", "el", "fi", "go", "ha", "in", "jo", "ka", "li", "mo", "na", "or", "pe", "qu", "ra", "si",
    "to", "ul", "vi", "wa", "xe", "yo", "zu", "bar", "cor", "den", "fen", "gar", "hil", "jun", "kel", "lor", "mar",
    "nor", "pin", "ros", "sun",
];

const SYSTEM_USERS: [&str; 12] = [
    "root", "nobody", "bin", "daemon", "mail", "mailnull", "named", "sshd", "dovecot", "cpanel", "mysql", "cpses",
];

fn word<R: Rng>(rng: &mut R) -> String {
    let n = rng.random_range(2..=3);
    let mut s = String::new();
    for _ in 0..n {
        s.push_str(SYLLABLES[rng.random_range(0..SYLLABLES.len())]);
    }
    if rng.random_range(0..3) == 0 {
        s.push_str(&rng.random_range(1..999).to_string());
    }
    s
}

fn num_or_string<R: Rng>(rng: &mut R, n: u64) -> Value {
    if rng.random_range(0..10) < 3 {
        json!(n.to_string())
    } else {
        json!(n)
    }
}

/// Fill the `large` scenario's local server, remote items and remote databases.
pub fn expand(v: &mut Value, seed: u64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);

    // Local users: system users first, then cPanel accounts.
    let mut users: Vec<String> = SYSTEM_USERS.iter().map(|s| (*s).to_string()).collect();
    let mut seen: HashSet<String> = users.iter().cloned().collect();
    while users.len() < LOCAL_USERS {
        let mut w = word(&mut rng);
        if w.len() > 16 {
            w.truncate(16);
        }
        if seen.insert(w.clone()) {
            users.push(w);
        }
    }
    let cp_users: Vec<String> = users[SYSTEM_USERS.len()..].to_vec();
    let mut groups = users.clone();
    groups.extend(
        ["wheel", "cpanelphpmyadmin", "mailman"]
            .iter()
            .map(|s| (*s).to_string()),
    );

    let mut domains = Map::new();
    domains.insert("*".into(), json!("nobody"));
    for u in &cp_users {
        domains.insert(format!("{u}.example"), json!(u));
    }

    // Local databases and DB users: `<user>_wp` and `<user>_wpu`, cPanel's prefix style.
    let mut ldbs = Map::new();
    let mut ldbusers = Map::new();
    let mut local_db_names = Vec::with_capacity(LOCAL_DBS);
    // Every other user first, then the rest: generated names can repeat, and each database name must be
    // unique, so exactly LOCAL_DBS of them exist whatever the seed.
    let order = cp_users.iter().step_by(2).chain(cp_users.iter().skip(1).step_by(2));
    for u in order {
        if ldbs.len() == LOCAL_DBS {
            break;
        }
        let name = format!("{u}_wp");
        if ldbs.contains_key(&name) {
            continue;
        }
        ldbs.insert(name.clone(), json!({ "owner": u }));
        ldbusers.insert(format!("{u}_wpu"), json!({ "owner": u }));
        local_db_names.push((name, u.clone()));
    }
    let local_dbs = json!({"dbs": {"MYSQL": ldbs, "PGSQL": {}}, "users": {"MYSQL": ldbusers, "PGSQL": {}}});

    let available_ips: Vec<String> = (10..40).map(|i| format!("198.51.100.{i}")).collect();
    let mut dedicated = Map::new();
    for (i, u) in cp_users.iter().take(40).enumerate() {
        dedicated.insert(format!("203.0.113.{}", i + 10), json!(format!("{u}.example")));
    }

    // Remote accounts with collisions, invalid and reserved names, DB-owner clashes.
    let mut accounts = Vec::with_capacity(ACCOUNTS);
    let mut acct_names: HashSet<String> = HashSet::new();
    let mut rdbs = Map::new();
    let mut rdbusers = Map::new();
    let resellers: Vec<String> = (1..=30).map(|i| format!("res{i:02}")).collect();
    let mut tries = 0usize;
    while accounts.len() < ACCOUNTS && tries < ACCOUNTS * 20 {
        tries += 1;
        let r = rng.random_range(0..100);
        let name = match r {
            0..=5 => cp_users[rng.random_range(0..cp_users.len())].clone(),
            6 => {
                let mut s = word(&mut rng);
                while s.len() < 17 {
                    s.push_str(&word(&mut rng));
                }
                s.truncate(24);
                s
            }
            7 => format!("test{}", word(&mut rng)),
            8 => {
                let (_, owner) = &local_db_names[rng.random_range(0..local_db_names.len())];
                let cut = owner.len().min(2);
                format!("{}_{}", &owner[..cut], &owner[cut..])
            }
            _ => {
                let mut w = word(&mut rng);
                w.truncate(16);
                if seen.contains(&w) {
                    continue;
                }
                w
            }
        };
        if !acct_names.insert(name.clone()) {
            continue;
        }
        let owner = if rng.random_range(0..10) < 4 {
            "root".to_string()
        } else {
            resellers[rng.random_range(0..resellers.len())].clone()
        };
        let bytes = rng.random_range(100_000u64..50_000_000_000u64);
        let files = rng.random_range(10u64..500_000u64);
        let tld = if rng.random_range(0..4) == 0 { "test" } else { "example" };
        let worker_nodes = if rng.random_range(0..50) == 0 {
            json!({"Mail": "remotemailnode"})
        } else {
            json!({})
        };
        let mut a = Map::new();
        a.insert("user".into(), json!(name));
        a.insert("ensim_user".into(), json!(name));
        a.insert("domain".into(), json!(format!("{name}.{tld}")));
        a.insert("owner".into(), json!(owner));
        a.insert("bytesused".into(), num_or_string(&mut rng, bytes));
        a.insert("filesused".into(), num_or_string(&mut rng, files));
        a.insert("has_dedicated_ip".into(), json!(u8::from(rng.random_range(0..100) < 3)));
        a.insert("worker_nodes".into(), worker_nodes);
        accounts.push(Value::Object(a));
        // One database and one DB user per account; about 1 in 100 reuses a local database's name
        // (a clash with another owner here).
        let mut db = format!("{name}_db");
        if rng.random_range(0..100) == 0 {
            let (clash, _) = &local_db_names[rng.random_range(0..local_db_names.len())];
            if !rdbs.contains_key(clash) {
                db.clone_from(clash);
            }
        }
        if rdbs.contains_key(&db) {
            db = format!("{name}_db{}", accounts.len());
        }
        rdbs.insert(db, json!({ "owner": name }));
        rdbusers.insert(format!("{name}_dbu"), json!({ "owner": name }));
    }
    let packages: Vec<Value> = (1..=40)
        .map(|i| {
            json!({"name": format!("pkg_{i:02}"), "featurelist": if i % 3 == 0 { format!("fl_{i:02}") } else { "default".to_string() }})
        })
        .collect();
    let mut reseller_map = Map::new();
    for r in &resellers {
        reseller_map.insert(r.clone(), json!(1));
    }
    reseller_map.insert("root".into(), json!(1));
    let remote_dbs = json!({"dbs": {"MYSQL": rdbs, "PGSQL": {}}, "users": {"MYSQL": rdbusers, "PGSQL": {}}});

    if let Some(local) = v.get_mut("local").and_then(Value::as_object_mut) {
        local.insert("users".into(), json!(users));
        local.insert("groups".into(), json!(groups));
        local.insert("domains".into(), Value::Object(domains));
        local.insert("dbs".into(), local_dbs);
        local.insert("available_ips".into(), json!(available_ips));
        local.insert("dedicated_ips".into(), Value::Object(dedicated));
    }
    if let Some(remote) = v
        .get_mut("remotes")
        .and_then(Value::as_array_mut)
        .and_then(|a| a.first_mut())
        .and_then(Value::as_object_mut)
    {
        remote.insert("items".into(), json!({"packages": packages, "accounts": accounts}));
        let section = remote.entry("remote").or_insert_with(|| json!({}));
        if let Some(section) = section.as_object_mut() {
            section.insert("dbs".into(), remote_dbs);
            section.insert("resellers".into(), Value::Object(reseller_map));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_sized() {
        let base = json!({"local": {}, "remotes": [{"host": "large.server"}]});
        let mut a = base.clone();
        let mut b = base.clone();
        expand(&mut a, 7);
        expand(&mut b, 7);
        assert_eq!(a, b);
        let accts = a["remotes"][0]["items"]["accounts"].as_array().map(Vec::len);
        assert_eq!(accts, Some(ACCOUNTS));
        assert_eq!(a["local"]["users"].as_array().map(Vec::len), Some(LOCAL_USERS));
        let count = |v: &Value| v.as_object().map(Map::len);
        assert_eq!(count(&a["local"]["dbs"]["dbs"]["MYSQL"]), Some(LOCAL_DBS));
        assert_eq!(count(&a["local"]["dbs"]["users"]["MYSQL"]), Some(LOCAL_DBS));
        let remote = &a["remotes"][0]["remote"]["dbs"];
        assert_eq!(count(&remote["dbs"]["MYSQL"]), Some(REMOTE_DBS));
        assert_eq!(count(&remote["users"]["MYSQL"]), Some(REMOTE_DBS));
        // some remote databases clash with a local one of another owner
        let local = a["local"]["dbs"]["dbs"]["MYSQL"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        let clashes = remote["dbs"]["MYSQL"]
            .as_object()
            .map(|m| m.keys().filter(|k| local.contains_key(*k)).count())
            .unwrap_or(0);
        assert!(clashes > 20, "{clashes}");
        let mut c = base;
        expand(&mut c, 8);
        assert_ne!(a, c);
    }
}
