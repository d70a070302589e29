//! Speed of the checks engine, stage by stage, at 1,000 / 10,000 / 50,000 remote accounts against a
//! server with 5× as many local users, groups, domains, databases and database users (and one remote
//! database per account): the rule context, the bulk username check of every account name, the
//! findings (with a fresh context, so building its owner index is included) and the validation of a
//! 1,000-account queue plan (with the context of the loaded analysis, as the check page does).
//! Each stage should grow linearly with the accounts; the plan check should not grow at all.
//! Native only (criterion).
//!
//! `cargo bench -p whm-transfer-console --bench checks -- --warm-up-time 1 --measurement-time 3`

#[cfg(not(target_arch = "wasm32"))]
mod common;

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use crate::common::Lcg;
    use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group};
    use std::collections::HashMap;
    use std::hint::black_box;
    use whm_transfer_console::checks::Report;
    use whm_transfer_console::checks::{
        FindingsInput, PlanInput, PlannedAccount, Purpose, QueuePlan, RuleContext, check_bulk, findings, validate_plan,
    };
    use whm_transfer_console::shared::Shared;
    use whm_transfer_console::store::queue_table::{QueueTable, TableAction};
    use whm_transfer_console::whm::Analysis;
    use whm_transfer_console::whm::analysis::{Account, DbOwnership, LinkedNode, ModuleAnalysis};
    use whm_transfer_console::whm::request::AccountItem;
    use whm_transfer_console::whm::responses::{KeyDef, ModuleSchema};

    const SYLLABLES: [&str; 24] = [
        "ka", "lo", "mi", "ne", "ru", "sa", "te", "vi", "do", "ba", "ze", "po", "qu", "ri", "xa", "yo", "fe", "gu",
        "ha", "ji", "wo", "ce", "on", "el",
    ];

    fn word(r: &mut Lcg, min: u64, max: u64) -> String {
        let len = min + r.below(max - min + 1);
        let mut s = String::new();
        while (s.len() as u64) < len {
            s.push_str(SYLLABLES[r.below(SYLLABLES.len() as u64) as usize]);
        }
        s.truncate(len as usize);
        s
    }

    /// `count` usernames: mostly valid, with duplicates (every 50th), shared 16-character prefixes,
    /// and some invalid or reserved names that need suggestions.
    pub fn names(seed: u64, count: usize) -> Vec<String> {
        let mut r = Lcg(seed);
        let mut out: Vec<String> = Vec::with_capacity(count);
        for i in 0..count {
            let name = match i % 50 {
                7 if i >= 7 => out[i - 7].clone(),
                13 => format!("sharedprefixname{}", r.below(100)),
                21 => format!("{}{}", word(&mut r, 3, 6).to_uppercase(), r.below(10)),
                29 => format!("test{}", word(&mut r, 2, 6)),
                33 => word(&mut r, 17, 20),
                _ => format!("{}{}", word(&mut r, 3, 10), r.below(1000)),
            };
            out.push(name);
        }
        out
    }

    fn context(users: &[String], owners: &[String]) -> RuleContext {
        RuleContext {
            local_users: users.iter().cloned().collect(),
            local_groups: users.iter().cloned().collect(),
            local_db_owners: owners.iter().cloned().collect(),
            ..RuleContext::default()
        }
    }

    /// `accounts` remote accounts; 5× as many local users, groups, domains, databases and database
    /// users; one remote database per account; a few dedicated IPs and mail nodes.
    pub fn analysis(accounts: usize) -> Analysis {
        let mut a = Analysis::default();
        a.options.unrestricted = Some(true);
        a.remote.supports_live_transfers = Some(true);
        let local = names(1, 5 * accounts);
        let remote = names(2, accounts);
        a.local.users = local.iter().cloned().collect();
        a.local.groups = local.iter().cloned().collect();
        let mut local_dbs = DbOwnership::default();
        for (i, u) in local.iter().enumerate() {
            local_dbs.dbs.mysql.insert(format!("{u}_db{i}"), u.clone());
            local_dbs.users.mysql.insert(format!("{u}_u{i}"), u.clone());
            a.local.domains.insert(format!("{u}{i}.example"), u.clone());
        }
        a.local.dbs = Some(local_dbs);
        a.local.available_ips = (0..50).map(|i| format!("203.0.113.{i}")).collect();
        a.local.linked_nodes.get_or_insert_with(Vec::new).push(LinkedNode {
            alias: "mail1".into(),
            worker_capabilities: ["Mail".to_owned()].into(),
            ..Default::default()
        });
        let mut remote_dbs = DbOwnership::default();
        let mut r = Lcg(3);
        for (i, u) in remote.iter().enumerate() {
            let mut acct = Account {
                user: u.clone(),
                domain: format!("{u}.example"),
                owner: Some(format!("res{}", i % 37)),
                bytesused: r.below(1 << 34),
                filesused: r.below(200_000),
                has_dedicated_ip: i % 97 == 0,
                ..Default::default()
            };
            if i % 11 == 0 {
                acct.worker_nodes
                    .insert(if i % 22 == 0 { "Mail" } else { "Web" }.into(), "node".into());
            }
            remote_dbs.dbs.mysql.insert(format!("{u}_db{i}"), u.clone());
            a.items.accounts.push(acct);
        }
        a.remote.dbs = Some(remote_dbs);
        let mut m = ModuleAnalysis::default();
        m.analysis.insert("Local Type".into(), "MariaDB".into());
        m.analysis.insert("Local Version".into(), "10.6".into());
        a.modules.insert("MySQL".into(), m);
        a
    }

    const SIZES: [usize; 3] = [1_000, 10_000, 50_000];

    /// How many accounts the admin selects for the queue (issue 10's budget: under 16 ms).
    const SELECTED: usize = 1_000;

    fn stages(c: &mut Criterion) {
        for &n in &SIZES {
            let a = analysis(n);
            let ctx = RuleContext::from_analysis(&a);
            let verdicts = HashMap::new();
            let report = findings(FindingsInput {
                analysis: &a,
                ctx: &ctx,
                server_verdicts: &verdicts,
                live_transfer_requested: false,
            });
            assert!(report.has_errors(), "the data has findings");
            let names: Vec<String> = a.items.accounts.iter().map(|x| x.user.clone()).collect();
            assert!(!check_bulk(&names, &ctx, Purpose::Transfer).collisions.is_empty());
            let mut plan = QueuePlan::from_analysis(&a);
            plan.accounts.truncate(SELECTED);
            plan.accounts
                .iter_mut()
                .step_by(10)
                .for_each(|p: &mut PlannedAccount| p.localuser.push('x'));
            plan.packages.clear();
            assert!(!validate_plan(PlanInput::new(&plan, &a, &ctx)).is_empty());

            let mut group = c.benchmark_group("checks");
            group.throughput(Throughput::Elements(n as u64));
            if n >= 10_000 {
                group.sample_size(10);
            }
            group.bench_with_input(BenchmarkId::new("context", n), &a, |b, a| {
                b.iter(|| RuleContext::from_analysis(black_box(a)))
            });
            group.bench_with_input(BenchmarkId::new("bulk-usernames", n), &names, |b, names| {
                b.iter(|| check_bulk(black_box(names), black_box(&ctx), Purpose::Transfer))
            });
            // A fresh context each time (a clone drops the owner index): findings pay for indexing
            // the owners once, as on a load.
            group.bench_with_input(BenchmarkId::new("findings", n), &ctx, |b, ctx| {
                b.iter_batched(
                    || ctx.clone(),
                    |fresh| {
                        findings(black_box(FindingsInput {
                            analysis: &a,
                            ctx: &fresh,
                            server_verdicts: &verdicts,
                            live_transfer_requested: false,
                        }))
                    },
                    BatchSize::LargeInput,
                )
            });
            group.throughput(Throughput::Elements(SELECTED as u64));
            group.bench_with_input(BenchmarkId::new("plan-1000-selected", n), &plan, |b, plan| {
                b.iter(|| validate_plan(black_box(PlanInput::new(plan, &a, &ctx))))
            });
            // One keystroke in the queue table with 1,000 accounts selected: the reducer's copy of the
            // table, the edit and the plan check it triggers (what the page waits for).
            let table = queue_table(&a, &report, &ctx, SELECTED);
            // At 1,000 accounts, the ones whose name occurs once (about 950).
            assert!(
                table.selected_count() >= SELECTED * 9 / 10,
                "{}",
                table.selected_count()
            );
            let first = table.rows.first().map(|r| r.account.user.clone()).unwrap_or_default();
            group.bench_with_input(
                BenchmarkId::new("queue-table-edit-1000-selected", n),
                &table,
                |b, table| {
                    b.iter(|| {
                        black_box(table.clone()).apply(TableAction::SetTarget {
                            user: first.clone(),
                            name: format!("{first}x"),
                        })
                    })
                },
            );
            // The queue panel's first build: every account, selected unless it has an error, checked.
            let shared = (Shared::new(a.clone()), Shared::new(ctx.clone()));
            group.throughput(Throughput::Elements(n as u64));
            group.bench_with_input(BenchmarkId::new("queue-table-new", n), &shared, |b, (a, ctx)| {
                b.iter(|| QueueTable::new(a.clone(), black_box(&report), ctx.clone()))
            });
            // The account module's schema arriving while every account is selected (a fresh table's
            // first moments on a large session): the plan check without re-checking the accounts.
            let all = queue_table(&a, &report, &ctx, usize::MAX);
            group.throughput(Throughput::Elements(all.selected_count() as u64));
            group.bench_with_input(
                BenchmarkId::new("queue-table-schema-answer-all-selected", n),
                &all,
                |b, t| {
                    b.iter(|| {
                        black_box(t.clone())
                            .apply(TableAction::SchemaRequested(ROOT.into()))
                            .apply(TableAction::SchemaLoaded {
                                module: ROOT.into(),
                                result: Ok(account_schema()),
                            })
                    })
                },
            );
            group.finish();
        }
    }

    const ROOT: &str = "AccountRemoteRoot";

    /// `AccountRemoteRoot`'s schema with every key the console sends: those of a call with every
    /// optional key set, as the console writes it.
    fn account_schema() -> ModuleSchema {
        let every = AccountItem {
            domain: Some("d".into()),
            size: Some(1),
            files: Some(1),
            customip: Some("192.0.2.1".into()),
            replaceip: Some("all".into()),
            overwrite_all: true,
            overwrite_sameowner: true,
            xferpoint: true,
            mail_location: Some(".local".into()),
            ..AccountItem::default()
        };
        let mut keys: Vec<String> = ["transfer_session_id", "module"].map(String::from).into();
        keys.extend(every.into_request("s", ROOT).keys.into_iter().map(|(k, _)| k));
        ModuleSchema {
            keys: keys.into_iter().map(|k| (k, KeyDef::default())).collect(),
            required: vec!["user".into()],
            ..Default::default()
        }
    }

    /// The check page's queue table for `a`, with its first `selected` accounts selected.
    fn queue_table(a: &Analysis, report: &Report, ctx: &RuleContext, selected: usize) -> QueueTable {
        // Source names that occur once (a duplicated one names one row, the table's last).
        let mut count: HashMap<&str, usize> = HashMap::new();
        for x in &a.items.accounts {
            *count.entry(x.user.as_str()).or_default() += 1;
        }
        let text: String = a
            .items
            .accounts
            .iter()
            .filter(|x| {
                !x.user.contains(char::is_whitespace) && !x.user.contains('#') && count.get(x.user.as_str()) == Some(&1)
            })
            .take(selected)
            .map(|x| format!("{}\n", x.user))
            .collect();
        QueueTable::new(Shared::new(a.clone()), report, Shared::new(ctx.clone())).apply(TableAction::ApplyText {
            text,
            settled: Default::default(),
        })
    }

    fn bench_bulk(c: &mut Criterion) {
        let list = names(42, 10_000);
        let local = names(7, 50_000);
        let ctx = context(&local, &local[..20_000]);
        let report = check_bulk(&list, &ctx, Purpose::Transfer);
        assert!(!report.collisions.is_empty(), "the data has collisions");
        c.bench_function("check_bulk 10k names (50k users, 20k DB owners)", |b| {
            b.iter(|| check_bulk(black_box(&list), black_box(&ctx), Purpose::Transfer))
        });
        let empty = RuleContext::default();
        c.bench_function("check_bulk 10k names (empty context)", |b| {
            b.iter(|| check_bulk(black_box(&list), black_box(&empty), Purpose::Transfer))
        });
    }

    criterion_group!(checks, stages, bench_bulk);
}
#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_main!(native::checks);

#[cfg(target_arch = "wasm32")]
fn main() {}
