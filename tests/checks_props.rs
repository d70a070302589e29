//! Property tests: the rules agree with an independent reading of the regexes, suggestions pass, bulk
//! collisions are exactly the pairs with equal keys, and nothing panics on any input.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use std::collections::{BTreeMap, HashMap, HashSet};
use whm_transfer_console::checks::findings::kinds;
use whm_transfer_console::checks::{
    FindingsInput, PlanInput, PlannedAccount, Purpose, QueuePlan, Rule, RuleContext, Severity, SubjectKind, check_bulk,
    check_username, findings, to_requests, validate_plan,
};
use whm_transfer_console::whm::Analysis;
use whm_transfer_console::whm::analysis::{
    Account, Conflict, DbOwnership, LinkedNode, ModuleAnalysis, OwnerConflicts, Package,
};
use whm_transfer_console::whm::responses::SystemUserVerdict;

const LOWER: &str = "abcdefghijklmnopqrstuvwxyz";
const DIGITS: &str = "0123456789";

/// `^(?![-.0-9])[-._a-z0-9]{1,16}$`, read literally.
fn naive_transfer(name: &str) -> bool {
    let chars: Vec<char> = name.chars().collect();
    if chars.is_empty() || chars.len() > 16 {
        return false;
    }
    if chars[0] == '-' || chars[0] == '.' || DIGITS.contains(chars[0]) {
        return false;
    }
    chars
        .iter()
        .all(|c| LOWER.contains(*c) || DIGITS.contains(*c) || "-._".contains(*c))
}

/// `^(?![-.0-9])[a-z0-9]{1,16}$` (prefixing) or `^(?![-.0-9])[_a-z0-9]{1,16}$`.
fn naive_new(name: &str, prefixing: bool) -> bool {
    let chars: Vec<char> = name.chars().collect();
    if chars.is_empty() || chars.len() > 16 || DIGITS.contains(chars[0]) {
        return false;
    }
    chars
        .iter()
        .all(|c| LOWER.contains(*c) || DIGITS.contains(*c) || (*c == '_' && !prefixing))
}

/// The first-N key, read literally: drop `_` and `.`, lowercase ASCII, take N characters.
fn naive_key(name: &str, n: u8) -> String {
    let n = if n == 0 { 16 } else { usize::from(n) };
    let kept: Vec<char> = name
        .chars()
        .filter(|c| *c != '_' && *c != '.')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    kept.into_iter().take(n).collect()
}

/// Names around the interesting space: the username alphabet, capitals, spaces, ñ, reserved pieces.
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[-._a-z0-9]{0,18}",
        2 => "[-._a-zA-Z0-9 ñ]{0,20}",
        1 => prop::sample::select(vec!["root", "test", "tester", "password", "abc.lock", "123", "_x", "a_b", "cpanelx", "_lock", "nobody"])
            .prop_map(String::from),
        1 => "(test|cpanel|pg_temp|passwd\\.)?[a-z]{0,6}(assword|\\.db|\\.lock)?",
        1 => any::<String>(),
    ]
}

prop_compose! {
    fn context()(
        db_prefixing in any::<bool>(),
        prefix_length in prop_oneof![Just(0u8), Just(8u8), Just(16u8), any::<u8>()],
        owners in prop::collection::vec(name(), 0..8),
        users in prop::collection::vec(name(), 0..8),
        groups in prop::collection::vec(name(), 0..8),
        aliases in prop::collection::vec(name(), 0..3),
    ) -> RuleContext {
        RuleContext {
            db_prefixing,
            prefix_length,
            extra_reserved: aliases.into_iter().collect(),
            local_users: users.into_iter().collect(),
            local_groups: groups.into_iter().collect(),
            local_db_owners: owners.into_iter().collect(),
        }
    }
}

fn purpose() -> impl Strategy<Value = Purpose> {
    prop_oneof![Just(Purpose::Transfer), Just(Purpose::NewAccount)]
}

fn owner_map() -> impl Strategy<Value = BTreeMap<String, String>> {
    prop::collection::btree_map(name(), name(), 0..5)
}

prop_compose! {
    fn ownership()(a in owner_map(), b in owner_map(), c in owner_map(), d in owner_map()) -> DbOwnership {
        let mut o = DbOwnership::default();
        o.dbs.mysql = a.into_iter().collect();
        o.dbs.pgsql = b.into_iter().collect();
        o.users.mysql = c.into_iter().collect();
        o.users.pgsql = d.into_iter().collect();
        o
    }
}

prop_compose! {
    fn account()(
        user in name(),
        domain in "[a-z.]{0,12}",
        owner in prop::option::of(name()),
        bytesused in any::<u64>(),
        filesused in any::<u64>(),
        has_dedicated_ip in any::<bool>(),
        worker_nodes in prop::collection::btree_map(prop::sample::select(vec!["Mail", "Web", "DNS"]).prop_map(String::from), name(), 0..2),
    ) -> Account {
        Account { user, ensim_user: None, domain, owner, bytesused, filesused, has_dedicated_ip, worker_nodes }
    }
}

fn opt_flag() -> impl Strategy<Value = Option<bool>> {
    prop::option::of(any::<bool>())
}

prop_compose! {
    fn analysis()(
        accounts in prop::collection::vec(account(), 0..12),
        packages in prop::collection::vec(name(), 0..3),
        users in prop::collection::btree_set(name(), 0..8),
        groups in prop::collection::btree_set(name(), 0..8),
        domains in prop::collection::btree_map("[a-z.*]{0,12}", name(), 0..6),
        local_dbs in prop::option::of(ownership()),
        remote_dbs in prop::option::of(ownership()),
        conflicts in prop::collection::btree_map(name(), prop::collection::btree_map(name(), (prop::option::of(name()), prop::option::of(name())), 0..3), 0..3),
        ips in prop::collection::vec("[0-9.]{1,15}", 0..3),
        caps in prop::collection::vec(prop::sample::select(vec!["Mail", "Web"]).prop_map(String::from), 0..2),
        unrestricted in opt_flag(),
        shared in opt_flag(),
        live in opt_flag(),
        module_texts in prop::collection::vec((prop::option::of(any::<String>()), prop::option::of(any::<String>())), 0..3),
        mysql_version in prop::option::of("[0-9.]{0,5}"),
    ) -> Analysis {
        let mut a = Analysis::default();
        a.items.accounts = accounts;
        a.items.packages = packages.into_iter().map(|name| Package { name, featurelist: None }).collect();
        a.local.users = users.into_iter().collect();
        a.local.groups = groups.into_iter().collect();
        a.local.domains = domains.into_iter().collect();
        a.local.dbs = local_dbs;
        a.remote.dbs = remote_dbs;
        for (owner, names) in conflicts {
            let mut oc = OwnerConflicts::default();
            for (n, (remote_owner, local_owner)) in names {
                oc.dbs.mysql.insert(n, Conflict { remote_owner, local_owner });
            }
            a.remote.conflicts.insert(owner, oc);
        }
        a.local.available_ips = ips;
        if !caps.is_empty() {
            a.local.linked_nodes.get_or_insert_with(Vec::new).push(LinkedNode { alias: "node".into(), worker_capabilities: caps.into_iter().collect(), ..Default::default() });
        }
        a.options.unrestricted = unrestricted;
        a.config.shared_mysql_server = shared;
        a.remote.supports_live_transfers = live;
        for (i, (error, warning)) in module_texts.into_iter().enumerate() {
            a.modules.insert(format!("M{i}"), ModuleAnalysis { name: None, analysis: BTreeMap::new(), warning, error });
        }
        if let Some(v) = mysql_version {
            let mut m = ModuleAnalysis::default();
            m.analysis.insert("Local Type".into(), "MySQL".into());
            m.analysis.insert("Local Version".into(), v);
            a.modules.insert("MySQL".into(), m);
        }
        a
    }
}

fn verdict_strategy() -> impl Strategy<Value = SystemUserVerdict> {
    (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()).prop_map(
        |(exists, reserved, valid_for_transfer, valid_for_new)| SystemUserVerdict {
            exists,
            reserved,
            valid_for_transfer,
            valid_for_new,
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn accepted_transfer_names_match_the_transfer_regex(n in name(), ctx in context()) {
        let v = check_username(&n, &ctx, Purpose::Transfer);
        prop_assert_eq!(v.valid_for_transfer, naive_transfer(&n));
        prop_assert_eq!(v.valid_for_new, naive_new(&n, ctx.db_prefixing));
        let syntax_ok = !v.violations.iter().any(|x| x.rule.is_syntax());
        prop_assert_eq!(syntax_ok, naive_transfer(&n), "{:?}: {:?}", n, v.rule_ids());
        if v.is_ok() {
            prop_assert!(naive_transfer(&n));
        }
        prop_assert!(!v.breaks(Rule::UnderscoreWithDbPrefix) && !v.breaks(Rule::DotInNewAccount));
    }

    #[test]
    fn accepted_new_names_match_the_strict_regex(n in name(), ctx in context()) {
        let v = check_username(&n, &ctx, Purpose::NewAccount);
        let syntax_ok = !v.violations.iter().any(|x| x.rule.is_syntax());
        prop_assert_eq!(syntax_ok, naive_new(&n, ctx.db_prefixing), "{:?}: {:?}", n, v.rule_ids());
    }

    #[test]
    fn verdicts_are_consistent(n in name(), ctx in context(), p in purpose()) {
        let v = check_username(&n, &ctx, p);
        prop_assert_eq!(&v.name, &n);
        let rules: Vec<Rule> = v.violations.iter().map(|x| x.rule).collect();
        let mut sorted = rules.clone();
        sorted.sort();
        sorted.dedup();
        prop_assert_eq!(&rules, &sorted, "in Rule order, each once");
        prop_assert_eq!(v.reserved, rules.iter().any(|r| r.is_reserved()));
        prop_assert_eq!(v.is_ok(), rules.is_empty() && !v.exists_as_user && !v.exists_as_group);
        if v.is_ok() {
            prop_assert!(v.suggestion.is_none());
        }
        for x in &v.violations {
            prop_assert!(x.rule.applies_to(p));
            prop_assert!(!x.explanation.contains('\n') && !x.explanation.is_empty() && !x.fix.is_empty());
        }
    }

    #[test]
    fn a_suggestion_always_passes(n in name(), ctx in context(), p in purpose()) {
        let v = check_username(&n, &ctx, p);
        if let Some(s) = &v.suggestion {
            prop_assert!(!v.is_ok());
            prop_assert_ne!(s, &n);
            let again = check_username(s, &ctx, p);
            prop_assert!(again.is_ok(), "{:?} → {:?}: {:?}", n, s, again.rule_ids());
        }
    }

    #[test]
    fn bulk_collisions_are_exactly_the_equal_keys(
        names in prop::collection::vec(prop_oneof![name(), "[aA][bB_.]{0,2}c?".prop_map(String::from)], 0..14),
        ctx in context(),
        p in purpose(),
    ) {
        let report = check_bulk(&names, &ctx, p);
        prop_assert_eq!(report.verdicts.len(), names.len());
        let keys: Vec<String> = names.iter().map(|x| naive_key(x, ctx.prefix_length)).collect();
        let mut want = Vec::new();
        for i in 0..names.len() {
            for j in i + 1..names.len() {
                if !keys[i].is_empty() && keys[i] == keys[j] {
                    want.push((i, j));
                }
            }
        }
        let mut got: Vec<(usize, usize)> = Vec::new();
        for c in &report.collisions {
            prop_assert!(c.members.len() >= 2 && c.members.windows(2).all(|w| w[0] < w[1]));
            prop_assert!(c.members.iter().all(|&m| keys[m] == c.key || naive_key(&names[m], ctx.prefix_length) == c.key));
            for (x, &a) in c.members.iter().enumerate() {
                for &b in &c.members[x + 1..] {
                    got.push((a, b));
                }
            }
        }
        got.sort_unstable();
        prop_assert_eq!(report.collisions.iter().map(|c| c.pair_count()).sum::<usize>(), got.len());
        prop_assert_eq!(&got, &want);
        let involved: HashSet<usize> = want.iter().flat_map(|(a, b)| [*a, *b]).collect();
        let mut suggested = HashSet::new();
        for (i, v) in report.verdicts.iter().enumerate() {
            if involved.contains(&i) {
                prop_assert!(v.breaks(Rule::PrefixCollision));
            }
            // Apart from the list, the verdict is the single check's.
            let single = check_username(&names[i], &ctx, p);
            prop_assert_eq!(single.valid_for_transfer, v.valid_for_transfer);
            prop_assert_eq!(single.exists_as_user, v.exists_as_user);
            if !involved.contains(&i) {
                prop_assert_eq!(single.rule_ids(), v.rule_ids());
            }
            if let Some(s) = &v.suggestion {
                prop_assert!(check_username(s, &ctx, p).is_ok(), "{:?}", s);
                let key = naive_key(s, ctx.prefix_length);
                prop_assert!(suggested.insert(key.clone()), "suggested twice: {:?}", s);
                for (j, k) in keys.iter().enumerate() {
                    prop_assert!(j == i || *k != key, "{:?} collides with {:?}", s, names[j]);
                }
            }
        }
    }

    #[test]
    fn findings_never_panic_and_are_sorted(
        a in analysis(),
        verdicts in prop::collection::hash_map(name(), verdict_strategy(), 0..4),
        live in any::<bool>(),
        extra in prop::collection::btree_set(name(), 0..3),
    ) {
        let mut ctx = RuleContext::from_analysis(&a);
        ctx.extra_reserved = extra;
        let r = findings(FindingsInput { analysis: &a, ctx: &ctx, server_verdicts: &verdicts, live_transfer_requested: live });
        for w in r.findings.windows(2) {
            let key = |f: &whm_transfer_console::checks::Finding| (f.severity, f.kind, f.subject.clone());
            prop_assert!(key(&w[0]) <= key(&w[1]));
        }
        let users: HashSet<&str> = a.items.accounts.iter().map(|x| x.user.as_str()).collect();
        for f in &r.findings {
            prop_assert!(kinds::ALL.contains(&f.kind), "{}", f.kind);
            prop_assert!(!f.message.is_empty() && !f.fix.is_empty());
            if f.subject.kind == SubjectKind::Account {
                prop_assert!(users.contains(f.subject.name.as_str()));
            }
        }
        prop_assert_eq!(r.has_errors(), r.findings.iter().any(|f| f.severity == Severity::Error));
        prop_assert_eq!(r.totals.accounts, a.items.accounts.len());
        prop_assert_eq!(r.totals.by_owner.iter().map(|o| o.accounts).sum::<usize>(), a.items.accounts.len());
        prop_assert_eq!(r.totals.by_owner.iter().map(|o| o.bytes).sum::<u128>(), r.totals.bytes);
        prop_assert!(r.totals.by_owner.windows(2).all(|w| w[0].bytes >= w[1].bytes));
        let no_items = r.findings.iter().any(|f| f.kind == kinds::NO_ITEMS);
        prop_assert_eq!(no_items, a.items.accounts.is_empty() && a.items.packages.is_empty());
    }

    #[test]
    fn plan_validation_never_panics(
        a in analysis(),
        renames in prop::collection::vec((name(), any::<[bool; 6]>(), prop::option::of("[0-9.]{0,15}"), prop::option::of("[.a-z]{0,8}")), 0..10),
        packages in prop::collection::vec(name(), 0..3),
        unrestricted in any::<bool>(),
        user_session in any::<bool>(),
    ) {
        let ctx = RuleContext::from_analysis(&a);
        let mut plan = QueuePlan::from_analysis(&a);
        for (i, (localuser, flags, customip, mail)) in renames.into_iter().enumerate() {
            let source = a.items.accounts.get(i).map(|x| x.user.clone()).unwrap_or_else(|| localuser.clone());
            let mut p = PlannedAccount::new(source);
            p.localuser = localuser;
            [p.ip, p.force, p.skipaccount, p.skipres, p.live_transfer, p.reseller] = flags;
            p.customip = customip;
            p.mail_location = mail;
            plan.accounts.push(p);
        }
        plan.packages.extend(packages);
        let module = if user_session { "AccountRemoteUser" } else { "AccountRemoteRoot" };
        let verdicts: HashMap<String, SystemUserVerdict> = HashMap::new();
        let input = PlanInput {
            module,
            unrestricted,
            server_verdicts: Some(&verdicts),
            analysis: if user_session { None } else { Some(&a) },
            ..PlanInput::new(&plan, &a, &ctx)
        };
        let problems = validate_plan(input);
        let accounts: HashSet<&str> = plan.accounts.iter().map(|x| x.user.as_str()).collect();
        for p in &problems {
            prop_assert!(!p.message.is_empty() && !p.fix.is_empty());
            if p.subject.kind == SubjectKind::Account {
                prop_assert!(accounts.contains(p.subject.name.as_str()));
            }
        }
        let reqs = to_requests(&plan, "s", module);
        prop_assert_eq!(reqs.len(), plan.accounts.len() + plan.packages.len());
        prop_assert!(reqs.iter().filter(|r| r.module == module).all(|r| r.keys.iter().any(|(k, _)| k == "skipres")));
    }
}
