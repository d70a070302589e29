//! Speed of the wire layer on the 10,000-account analysis: `whm::decode::<Analysis>` of the whole reply
//! text, beside the floors it is compared with (`serde_json::Value`, the Rust analogue of the browser's
//! `JSON.parse`, and a validating skip with `IgnoredAny`). Native only (criterion).
//!
//! The reply is generated here the way whm-sim's `large` scenario builds it (`sim/src/large.rs`): 50,000
//! local users and groups as `{name: 1}` maps, one domain per user, 25,000 local databases and DB users,
//! 10,000 remote accounts (sizes as numbers and numeric strings) with one database and DB user each.
//!
//! `cargo bench -p whm-transfer-console --bench decode -- --warm-up-time 1 --measurement-time 5`

#[cfg(not(target_arch = "wasm32"))]
mod common;

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use crate::common::Lcg;
    use criterion::{BatchSize, Criterion, Throughput, criterion_group};
    use serde_json::{Map, Value, json};
    use std::collections::{BTreeSet, HashMap};
    use std::hint::black_box;
    use whm_transfer_console::checks::{self, FindingsInput, RuleContext};
    use whm_transfer_console::whm::{self, Analysis, HttpReply};

    const SYLLABLES: [&str; 40] = [
        "al", "be", "co", "da", "el", "fi", "go", "ha", "in", "jo", "ka", "li", "mo", "na", "or", "pe", "qu", "ra",
        "si", "to", "ul", "vi", "wa", "xe", "yo", "zu", "bar", "cor", "den", "fen", "gar", "hil", "jun", "kel", "lor",
        "mar", "nor", "pin", "ros", "sun",
    ];

    fn word(r: &mut Lcg) -> String {
        let mut s = String::new();
        for _ in 0..2 + r.below(2) {
            s.push_str(SYLLABLES[r.below(SYLLABLES.len() as u64) as usize]);
        }
        if r.below(3) == 0 {
            s.push_str(&(1 + r.below(998)).to_string());
        }
        s.truncate(16);
        s
    }

    fn num_or_string(r: &mut Lcg, n: u64) -> Value {
        if r.below(10) < 3 {
            json!(n.to_string())
        } else {
            json!(n)
        }
    }

    /// The `retrieve_transfer_session_remote_analysis` reply of the 10,000-account session, as text.
    pub fn reply_text() -> String {
        let mut r = Lcg(7);
        let mut seen = BTreeSet::new();
        let mut users = Vec::new();
        while users.len() < 50_000 {
            let w = word(&mut r);
            if seen.insert(w.clone()) {
                users.push(w);
            }
        }
        let names = |v: &[String]| Value::Object(v.iter().map(|u| (u.clone(), json!(1))).collect());
        let mut domains = Map::new();
        for u in &users {
            domains.insert(format!("{u}.example"), json!(u));
        }
        let (mut ldbs, mut ldbusers) = (Map::new(), Map::new());
        for u in users.iter().step_by(2) {
            ldbs.insert(format!("{u}_wp"), json!({ "owner": u }));
            ldbusers.insert(format!("{u}_wpu"), json!({ "owner": u }));
        }
        let (mut accounts, mut rdbs, mut rdbusers) = (Vec::new(), Map::new(), Map::new());
        let mut taken = BTreeSet::new();
        while accounts.len() < 10_000 {
            let name = match r.below(100) {
                0..=5 => users[r.below(users.len() as u64) as usize].clone(),
                6 => format!("{}{}{}", word(&mut r), word(&mut r), word(&mut r)),
                7 => format!("test{}", word(&mut r)),
                _ => word(&mut r),
            };
            if !taken.insert(name.clone()) {
                continue;
            }
            let owner = if r.below(10) < 4 {
                "root".to_string()
            } else {
                format!("res{:02}", 1 + r.below(30))
            };
            let (bytes, files) = (100_000 + r.below(50_000_000_000), 10 + r.below(500_000));
            accounts.push(json!({
                "user": name, "ensim_user": name, "domain": format!("{name}.example"), "owner": owner,
                "bytesused": num_or_string(&mut r, bytes), "filesused": num_or_string(&mut r, files),
                "has_dedicated_ip": u8::from(r.below(100) < 3),
                "worker_nodes": if r.below(50) == 0 { json!({"Mail": "remotemailnode"}) } else { json!({}) },
            }));
            rdbs.insert(format!("{name}_db"), json!({ "owner": name }));
            rdbusers.insert(format!("{name}_dbu"), json!({ "owner": name }));
        }
        let data = json!({
            "transfer_session_id": "largeservercopya20260101000000AAAAAA",
            "options": {"unrestricted": "1", "skip_reseller_privs": null},
            "config": {"shared_mysql_server": 0},
            "local": {
                "users": names(&users), "groups": names(&users), "domains": domains,
                "dedicated_ips": {}, "available_ips": (10..40).map(|i| format!("198.51.100.{i}")).collect::<Vec<_>>(),
                "dbs": {"dbs": {"MYSQL": ldbs, "PGSQL": {}}, "users": {"MYSQL": ldbusers, "PGSQL": {}}},
                "version": "11.120.0.16", "major_version": "120", "host": "local.example.com",
                "roundcube_dbtype": "sqlite", "linked_nodes": [],
            },
            "remote": {
                "host": "large.server", "hostname": "large.server", "server_type": "cpanel",
                "cpversion": "11.118.0.5", "version": "11.118.0.5", "major_version": "118",
                "resellers": (1..=30).map(|i| (format!("res{i:02}"), json!(1))).collect::<Map<_, _>>(),
                "has_owners": 1, "has_disk_used": "1", "has_files_used": 1, "has_xfertool": 1,
                "has_package_extensions": 1, "supports_live_transfers": 1, "roundcube_dbtype": "sqlite",
                "linked_nodes": [],
                "dbs": {"dbs": {"MYSQL": rdbs, "PGSQL": {}}, "users": {"MYSQL": rdbusers, "PGSQL": {}}},
                "conflicts": {},
            },
            "items": {
                "packages": (1..=40).map(|i| json!({"name": format!("pkg_{i:02}"), "featurelist": "default"})).collect::<Vec<_>>(),
                "accounts": accounts,
            },
            "modules": {"MySQL": {"name": "MySQL", "analysis": {"Local Type": "MariaDB", "Local Version": "10.6"}}},
        });
        let reply = json!({
            "metadata": {"version": 1, "command": "retrieve_transfer_session_remote_analysis", "result": 1, "reason": "OK"},
            "data": data,
        });
        reply.to_string()
    }

    pub fn bench(c: &mut Criterion) {
        let text = reply_text();
        let check: Analysis = whm::decode::<Analysis>(HttpReply {
            status: 200,
            content_type: Some("application/json"),
            body: &text,
        })
        .ok()
        .and_then(|r| r.data)
        .unwrap_or_default();
        assert_eq!(check.items.accounts.len(), 10_000);
        assert_eq!(check.local.users.len(), 50_000);
        assert!(check.local.dbs.as_ref().is_some_and(|d| d.dbs.mysql.len() == 25_000));
        let mut g = c.benchmark_group("decode 10k-account analysis");
        g.sample_size(20);
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_function("whm::decode::<Analysis>", |b| {
            b.iter(|| {
                let reply = whm::decode::<Analysis>(HttpReply {
                    status: 200,
                    content_type: Some("application/json"),
                    body: black_box(&text),
                });
                black_box(reply.map(|r| r.data.map(|a| a.items.accounts.len())).ok())
            })
        });
        g.bench_function("whm::decode_saved::<Analysis>", |b| {
            b.iter(|| {
                black_box(
                    whm::decode_saved::<Analysis>(black_box(&text))
                        .map(|a| a.items.accounts.len())
                        .ok(),
                )
            })
        });
        g.bench_function("serde_json::Value (≈ JSON.parse)", |b| {
            b.iter(|| black_box(serde_json::from_str::<Value>(black_box(&text)).is_ok()))
        });
        g.bench_function("IgnoredAny (validate only)", |b| {
            b.iter(|| black_box(serde_json::from_str::<serde::de::IgnoredAny>(black_box(&text)).is_ok()))
        });
        g.finish();

        // The check page's work after the fetch, stage by stage (what `bench_decode_checks` does in the
        // browser): the decode, the rule context, the findings, and dropping the analysis.
        let mut g = c.benchmark_group("decode + checks 10k-account analysis");
        g.sample_size(20);
        let decoded = || whm::decode_saved::<Analysis>(&text).unwrap_or_default();
        g.bench_function("rule context", |b| {
            let a = decoded();
            b.iter(|| black_box(RuleContext::from_analysis(black_box(&a)).local_users.len()))
        });
        g.bench_function("findings", |b| {
            let a = decoded();
            let ctx = RuleContext::from_analysis(&a);
            let verdicts = HashMap::new();
            b.iter(|| {
                let report = checks::findings(FindingsInput {
                    analysis: black_box(&a),
                    ctx: &ctx,
                    server_verdicts: &verdicts,
                    live_transfer_requested: false,
                });
                black_box(report.findings.len())
            })
        });
        g.bench_function("drop the analysis", |b| {
            b.iter_batched(decoded, drop, BatchSize::LargeInput)
        });
        g.bench_function("all: decode, context, findings, drop", |b| {
            let verdicts = HashMap::new();
            b.iter(|| {
                let a = whm::decode_saved::<Analysis>(black_box(&text)).unwrap_or_default();
                let ctx = RuleContext::from_analysis(&a);
                let report = checks::findings(FindingsInput {
                    analysis: &a,
                    ctx: &ctx,
                    server_verdicts: &verdicts,
                    live_transfer_requested: false,
                });
                black_box(report.findings.len())
            })
        });
        g.finish();
        eprintln!("reply: {} bytes", text.len());
    }

    criterion_group!(benches, bench);
}

#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_main!(native::benches);

#[cfg(target_arch = "wasm32")]
fn main() {}
