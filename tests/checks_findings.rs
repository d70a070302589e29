//! Findings from an analysis: one test per kind, positive and negative, plus the guide's example.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::HashMap;
use whm_transfer_console::checks::findings::{kinds, sort_findings};
use whm_transfer_console::checks::{
    Finding, FindingsInput, Report, RuleContext, Severity, Subject, SubjectKind, findings,
};
use whm_transfer_console::whm::analysis::{Account, Conflict, LinkedNode, ModuleAnalysis, Package};
use whm_transfer_console::whm::responses::SystemUserVerdict;
use whm_transfer_console::whm::{Analysis, decode_saved};

#[allow(clippy::unwrap_used)] // a test helper (not a #[test] fn, so clippy.toml's test allowance misses it)
fn fixture(name: &str) -> Analysis {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    decode_saved(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn account(user: &str) -> Account {
    Account {
        user: user.into(),
        domain: format!("{user}.example"),
        ..Default::default()
    }
}

/// A root session that supports everything, with the given remote accounts.
fn analysis(users: &[&str]) -> Analysis {
    let mut a = Analysis::default();
    a.options.unrestricted = Some(true);
    a.remote.supports_live_transfers = Some(true);
    a.items.accounts = users.iter().map(|u| account(u)).collect();
    a
}

fn check(a: &Analysis) -> Report {
    check_with(a, &HashMap::new(), false)
}

fn check_with(a: &Analysis, verdicts: &HashMap<String, SystemUserVerdict>, live: bool) -> Report {
    let ctx = RuleContext::from_analysis(a);
    findings(FindingsInput {
        analysis: a,
        ctx: &ctx,
        server_verdicts: verdicts,
        live_transfer_requested: live,
    })
}

/// (severity, subject name) of every finding of a kind.
fn of(r: &Report, kind: &str) -> Vec<(Severity, String)> {
    r.findings
        .iter()
        .filter(|f| f.kind == kind)
        .map(|f| (f.severity, f.subject.name.clone()))
        .collect()
}

fn one(r: &Report, kind: &str) -> Finding {
    let all: Vec<&Finding> = r.findings.iter().filter(|f| f.kind == kind).collect();
    assert_eq!(all.len(), 1, "{kind}: {:#?}", r.findings);
    all[0].clone()
}

fn err(name: &str) -> (Severity, String) {
    (Severity::Error, name.into())
}

#[test]
fn guide_example_you_exists_as_user_and_group() {
    let mut a = fixture("guide/retrieve_transfer_session_remote_analysis.json");
    let r = check(&a);
    assert_eq!(of(&r, kinds::NO_ITEMS), [(Severity::Info, "session".to_owned())]);
    assert_eq!(r.findings.len(), 1, "{:#?}", r.findings);

    for u in ["you", "never", "let", "give", "rick"] {
        a.items.accounts.push(account(u));
    }
    let r = check(&a);
    assert_eq!(of(&r, kinds::USER_EXISTS), [err("let"), err("never"), err("you")]);
    assert_eq!(of(&r, kinds::GROUP_EXISTS), [err("give"), err("never"), err("you")]);
    let f = r
        .findings
        .iter()
        .find(|f| f.kind == kinds::USER_EXISTS && f.subject.name == "you")
        .unwrap();
    assert_eq!(f.subject.kind, SubjectKind::Account);
    assert!(
        f.message.starts_with("This system already has an account named “you”."),
        "{}",
        f.message
    );
    assert!(f.fix.contains("“you1”"), "{}", f.fix);
    let f = r
        .findings
        .iter()
        .find(|f| f.kind == kinds::GROUP_EXISTS && f.subject.name == "you")
        .unwrap();
    assert_eq!(f.message, "This system already has a group named “you”.");
    assert!(of(&r, kinds::NO_ITEMS).is_empty());
    assert!(r.findings.iter().all(|f| f.subject.name != "rick"), "{:#?}", r.findings);
}

#[test]
fn user_exists_from_the_analysis_or_the_server() {
    let mut a = analysis(&["bob", "carol", "dave"]);
    a.local.users.insert("bob".into());
    let mut verdicts = HashMap::new();
    verdicts.insert(
        "carol".to_owned(),
        SystemUserVerdict {
            exists: true,
            valid_for_transfer: true,
            valid_for_new: true,
            reserved: false,
        },
    );
    verdicts.insert(
        "dave".to_owned(),
        SystemUserVerdict {
            exists: false,
            valid_for_transfer: true,
            valid_for_new: true,
            reserved: false,
        },
    );
    let r = check_with(&a, &verdicts, false);
    assert_eq!(of(&r, kinds::USER_EXISTS), [err("bob"), err("carol")]);
    assert!(of(&check(&analysis(&["bob", "dave"])), kinds::USER_EXISTS).is_empty());
}

#[test]
fn group_exists() {
    let mut a = analysis(&["bob", "carol"]);
    a.local.groups.insert("carol".into());
    let r = check(&a);
    assert_eq!(of(&r, kinds::GROUP_EXISTS), [err("carol")]);
    assert!(of(&r, kinds::USER_EXISTS).is_empty());
}

#[test]
fn reserved_username_from_rules_or_server() {
    let a = analysis(&["root", "tester", "password", "123", "mailer-daemon", "bob"]);
    let mut verdicts = HashMap::new();
    verdicts.insert(
        "mailer-daemon".to_owned(),
        SystemUserVerdict {
            exists: false,
            reserved: true,
            valid_for_transfer: true,
            valid_for_new: false,
        },
    );
    let r = check_with(&a, &verdicts, false);
    assert_eq!(
        of(&r, kinds::RESERVED_USERNAME),
        [
            err("123"),
            err("mailer-daemon"),
            err("password"),
            err("root"),
            err("tester")
        ]
    );
    assert_eq!(
        r.findings
            .iter()
            .find(|f| f.kind == kinds::RESERVED_USERNAME && f.subject.name == "root")
            .unwrap()
            .message,
        "“root” is a reserved username on this system."
    );
    let with_alias = {
        let mut ctx = RuleContext::from_analysis(&a);
        ctx.extra_reserved.insert("mailer-daemon".into());
        findings(FindingsInput {
            analysis: &a,
            ctx: &ctx,
            server_verdicts: &HashMap::new(),
            live_transfer_requested: false,
        })
    };
    assert!(of(&with_alias, kinds::RESERVED_USERNAME).contains(&err("mailer-daemon")));
    assert!(!of(&check(&a), kinds::RESERVED_USERNAME).contains(&err("mailer-daemon")));
}

#[test]
fn invalid_username() {
    let a = analysis(&["averyveryverylongname", "Bob", "bad name", "ok.name_1"]);
    let r = check(&a);
    assert_eq!(
        of(&r, kinds::INVALID_USERNAME),
        [err("Bob"), err("averyveryverylongname"), err("bad name")]
    );
    let f = r
        .findings
        .iter()
        .find(|f| f.subject.name == "averyveryverylongname")
        .unwrap();
    assert!(f.message.contains("21 characters") && f.fix.contains("e.g."), "{f:?}");
}

#[test]
fn prefix_collision_inside_the_session_and_with_local_owners() {
    let mut a = analysis(&["abcdefgh1", "abcdefgh2", "al_ice", "zed"]);
    // MySQL 5.6 → first 8 characters must be unique.
    let mut m = ModuleAnalysis::default();
    m.analysis.insert("Local Type".into(), "MySQL".into());
    m.analysis.insert("Local Version".into(), "5.6".into());
    a.modules.insert("MySQL".into(), m);
    let mut dbs = whm_transfer_console::whm::analysis::DbOwnership::default();
    dbs.dbs.mysql.insert("alice_wp".into(), "alice".into());
    a.local.dbs = Some(dbs);
    let r = check(&a);
    assert_eq!(
        of(&r, kinds::PREFIX_COLLISION),
        [err("abcdefgh1"), err("abcdefgh2"), err("al_ice")]
    );
    let f = r.findings.iter().find(|f| f.subject.name == "abcdefgh1").unwrap();
    assert!(
        f.message.contains("“abcdefgh2”") && f.message.contains("first 8 characters"),
        "{}",
        f.message
    );
    let f = r.findings.iter().find(|f| f.subject.name == "al_ice").unwrap();
    assert_eq!(f.message, "This system already has a database owner named “alice”.");
    // With 16 characters (MariaDB) the two long names no longer clash.
    let mut m = ModuleAnalysis::default();
    m.analysis.insert("Local Type".into(), "MariaDB".into());
    m.analysis.insert("Local Version".into(), "10.6".into());
    a.modules.insert("MySQL".into(), m);
    assert_eq!(of(&check(&a), kinds::PREFIX_COLLISION), [err("al_ice")]);
    // Without the database server in the analysis, WHM's fallback of 8 applies (§5.3).
    a.modules.clear();
    assert_eq!(
        of(&check(&a), kinds::PREFIX_COLLISION),
        [err("abcdefgh1"), err("abcdefgh2"), err("al_ice")]
    );
}

#[test]
fn domain_exists() {
    let mut a = analysis(&["bob", "carol"]);
    a.local.domains.insert("bob.example".into(), "alice".into());
    a.local.domains.insert("carol.example".into(), "carol".into());
    a.local.domains.insert("*".into(), "nobody".into());
    let r = check(&a);
    let f = one(&r, kinds::DOMAIN_EXISTS);
    assert_eq!((f.severity, f.subject.name.as_str()), (Severity::Error, "bob"));
    assert!(f.message.contains("“alice”"), "{}", f.message);
}

#[test]
fn domain_exists_whatever_the_local_spelling() {
    // A local domain written with capitals or spaces still belongs to its account here.
    let mut a = analysis(&["bob", "carol"]);
    a.local.domains.insert(" Bob.Example".into(), "alice".into());
    a.local.domains.insert("*".into(), "nobody".into());
    a.items.accounts[1].domain = "*".into();
    let r = check(&a);
    let f = one(&r, kinds::DOMAIN_EXISTS);
    assert_eq!(f.subject.name, "bob");
    assert!(f.message.contains("“alice”"), "{}", f.message);
    // The wildcard entry is nobody's main domain.
    a.local.domains.remove(" Bob.Example");
    assert_eq!(check(&a).of_kind(kinds::DOMAIN_EXISTS).count(), 0);
}

#[test]
fn db_conflict_is_deduplicated_across_sources_and_engines() {
    let mut a = analysis(&["bob"]);
    let mut local = whm_transfer_console::whm::analysis::DbOwnership::default();
    local.dbs.mysql.insert("shop".into(), "alice".into());
    local.dbs.pgsql.insert("shop".into(), "alice".into());
    local.users.mysql.insert("shopper".into(), "alice".into());
    local.dbs.mysql.insert("same".into(), "bob".into());
    let mut remote = whm_transfer_console::whm::analysis::DbOwnership::default();
    remote.dbs.mysql.insert("shop".into(), "bob".into());
    remote.dbs.pgsql.insert("shop".into(), "bob".into());
    remote.users.mysql.insert("shopper".into(), "bob".into());
    remote.dbs.mysql.insert("same".into(), "bob".into());
    remote.dbs.mysql.insert("onlyremote".into(), "bob".into());
    a.local.dbs = Some(local);
    a.remote.dbs = Some(remote);
    let mut oc = whm_transfer_console::whm::analysis::OwnerConflicts::default();
    oc.dbs.mysql.insert(
        "shop".into(),
        Conflict {
            remote_owner: Some("bob".into()),
            local_owner: Some("alice".into()),
        },
    );
    oc.users.mysql.insert(
        "legacy".into(),
        Conflict {
            remote_owner: None,
            local_owner: Some("eve".into()),
        },
    );
    a.remote.conflicts.insert("bob".into(), oc);
    let r = check(&a);
    let got: Vec<(Severity, SubjectKind, String)> = r
        .findings
        .iter()
        .filter(|f| f.kind == kinds::DB_CONFLICT)
        .map(|f| (f.severity, f.subject.kind, f.subject.name.clone()))
        .collect();
    assert_eq!(
        got,
        [
            (Severity::Warning, SubjectKind::Database, "shop".to_owned()),
            (Severity::Warning, SubjectKind::DbUser, "legacy".to_owned()),
            (Severity::Warning, SubjectKind::DbUser, "shopper".to_owned()),
        ]
    );
    let shop = r.findings.iter().find(|f| f.subject.name == "shop").unwrap();
    assert_eq!(
        shop.message,
        "The MySQL and PostgreSQL database “shop” belongs to “bob” on the source but to “alice” on this server."
    );
    let legacy = r.findings.iter().find(|f| f.subject.name == "legacy").unwrap();
    assert!(
        legacy.message.contains("“bob”") && legacy.message.contains("“eve”"),
        "{}",
        legacy.message
    );

    a.remote.conflicts.clear();
    a.remote.dbs = None;
    assert!(of(&check(&a), kinds::DB_CONFLICT).is_empty());
}

#[test]
fn dedicated_ip_shortage() {
    let mut a = analysis(&["a1", "b1", "c1"]);
    a.items.accounts[0].has_dedicated_ip = true;
    a.items.accounts[1].has_dedicated_ip = true;
    a.local.available_ips = vec!["203.0.113.8".into()];
    let f = one(&check(&a), kinds::DEDICATED_IP_SHORTAGE);
    assert_eq!((f.severity, f.subject.kind), (Severity::Warning, SubjectKind::Ip));
    assert!(
        f.message.starts_with("2 accounts have a dedicated IP") && f.message.contains("only 1 free IP address."),
        "{}",
        f.message
    );
    a.local.available_ips.push("203.0.113.9".into());
    assert!(of(&check(&a), kinds::DEDICATED_IP_SHORTAGE).is_empty());
}

#[test]
fn linked_node_missing() {
    let mut a = analysis(&["bob", "carol"]);
    a.items.accounts[0]
        .worker_nodes
        .insert("Mail".into(), "mailnode".into());
    // this server's analysis does not list its nodes (v120 leaves the key out): not known, so said so
    a.local.linked_nodes = None;
    let f = one(&check(&a), kinds::LINKED_NODE_MISSING);
    assert_eq!((f.severity, f.subject.name.as_str()), (Severity::Info, "bob"));
    assert!(f.message.contains("does not list its own linked nodes"), "{f:?}");
    // it lists none
    a.local.linked_nodes = Some(Vec::new());
    let r = check(&a);
    let f = one(&r, kinds::LINKED_NODE_MISSING);
    assert_eq!((f.severity, f.subject.name.as_str()), (Severity::Warning, "bob"));
    assert!(
        f.message.contains("Mail (“mailnode”)") && f.fix.contains(".local"),
        "{f:?}"
    );
    a.local.linked_nodes.get_or_insert_with(Vec::new).push(LinkedNode {
        alias: "localmail".into(),
        worker_capabilities: ["Mail".to_owned()].into(),
        ..Default::default()
    });
    assert!(of(&check(&a), kinds::LINKED_NODE_MISSING).is_empty());
}

#[test]
fn live_transfer_unsupported() {
    let mut a = analysis(&["bob"]);
    a.remote.supports_live_transfers = Some(false);
    let v = HashMap::new();
    let f = one(&check_with(&a, &v, true), kinds::LIVE_TRANSFER_UNSUPPORTED);
    assert_eq!((f.severity, f.subject.kind), (Severity::Error, SubjectKind::Session));
    assert!(
        of(&check_with(&a, &v, false), kinds::LIVE_TRANSFER_UNSUPPORTED).is_empty(),
        "not requested"
    );
    a.remote.supports_live_transfers = Some(true);
    assert!(of(&check_with(&a, &v, true), kinds::LIVE_TRANSFER_UNSUPPORTED).is_empty());
}

#[test]
fn sizes_without_quota_data_on_the_source_are_not_known() {
    let mut a = analysis(&["bob"]);
    assert!(
        of(&check(&a), kinds::SIZES_UNKNOWN).is_empty(),
        "unsaid: the sizes count"
    );
    a.remote.has_disk_used = Some(true);
    assert!(of(&check(&a), kinds::SIZES_UNKNOWN).is_empty());
    a.remote.has_disk_used = Some(false);
    let f = one(&check(&a), kinds::SIZES_UNKNOWN);
    assert_eq!((f.severity, f.subject.kind), (Severity::Info, SubjectKind::Session));
    assert!(f.message.contains("no quota data"), "{f:?}");
}

#[test]
fn shared_mysql_needs_an_unrestricted_session() {
    let mut a = analysis(&["bob"]);
    a.config.shared_mysql_server = Some(true);
    a.options.unrestricted = Some(false);
    let f = one(&check(&a), kinds::SHARED_MYSQL);
    assert_eq!(f.severity, Severity::Error);
    assert!(f.message.starts_with("The Restricted Restore mode is not available"));
    a.options.unrestricted = None;
    assert_eq!(
        of(&check(&a), kinds::SHARED_MYSQL).len(),
        1,
        "absent counts as restricted"
    );
    a.options.unrestricted = Some(true);
    assert!(of(&check(&a), kinds::SHARED_MYSQL).is_empty());
    a.options.unrestricted = Some(false);
    a.config.shared_mysql_server = None;
    assert!(of(&check(&a), kinds::SHARED_MYSQL).is_empty());
}

#[test]
fn no_items() {
    let mut a = analysis(&[]);
    assert_eq!(
        of(&check(&a), kinds::NO_ITEMS),
        [(Severity::Info, "session".to_owned())]
    );
    a.items.packages.push(Package {
        name: "gold".into(),
        featurelist: None,
    });
    assert!(of(&check(&a), kinds::NO_ITEMS).is_empty());
}

#[test]
fn module_errors_and_warnings() {
    let mut a = analysis(&["bob"]);
    let mysql = ModuleAnalysis {
        name: Some("Database Server".into()),
        error: Some("Downgrades are not supported.\nRemote 10.11 > local 10.6".into()),
        warning: Some("  ".into()),
        ..Default::default()
    };
    let exim = ModuleAnalysis {
        warning: Some("Exim settings differ.".into()),
        ..Default::default()
    };
    a.modules.insert("MySQL".into(), mysql);
    a.modules.insert("Exim".into(), exim);
    a.modules.insert("Apache".into(), ModuleAnalysis::default());
    let r = check(&a);
    let e = one(&r, kinds::MODULE_ERROR);
    assert_eq!(
        (e.severity, e.subject.clone()),
        (Severity::Error, Subject::new(SubjectKind::Module, "MySQL"))
    );
    assert_eq!(
        e.message,
        "Database Server: Downgrades are not supported.; Remote 10.11 > local 10.6"
    );
    let w = one(&r, kinds::MODULE_WARNING);
    assert_eq!(
        (w.severity, w.subject.name.as_str(), w.message.as_str()),
        (Severity::Warning, "Exim", "Exim: Exim settings differ.")
    );
}

#[test]
fn server_disagrees_is_reported_as_info() {
    let a = analysis(&["bob", "carol"]);
    let mut verdicts = HashMap::new();
    verdicts.insert(
        "bob".to_owned(),
        SystemUserVerdict {
            exists: false,
            reserved: true,
            valid_for_transfer: true,
            valid_for_new: true,
        },
    );
    verdicts.insert(
        "carol".to_owned(),
        SystemUserVerdict {
            exists: false,
            reserved: false,
            valid_for_transfer: true,
            valid_for_new: true,
        },
    );
    let r = check_with(&a, &verdicts, false);
    let f = one(&r, kinds::SERVER_DISAGREES);
    assert_eq!((f.severity, f.subject.name.as_str()), (Severity::Info, "bob"));
    assert!(
        f.message.contains("reserved=1 (local rules: 0)") && f.fix.contains("mail aliases"),
        "{f:?}"
    );
    assert_eq!(
        of(&r, kinds::RESERVED_USERNAME),
        [err("bob")],
        "the server's word counts"
    );
}

#[test]
fn findings_are_sorted_errors_first() {
    let mut a = analysis(&["root", "bob", "you"]);
    a.local.users.insert("you".into());
    a.items.accounts[1].has_dedicated_ip = true;
    a.items.accounts[1].worker_nodes.insert("Mail".into(), "m".into());
    a.local.linked_nodes = Some(Vec::new()); // listed, none
    let r = check(&a);
    let order: Vec<(&str, &str, &str)> = r
        .findings
        .iter()
        .map(|f| (f.severity.as_str(), f.kind, f.subject.name.as_str()))
        .collect();
    assert_eq!(
        order,
        [
            ("error", "reserved-username", "root"),
            ("error", "user-exists", "you"),
            ("warning", "dedicated-ip-shortage", "dedicated IPs"),
            ("warning", "linked-node-missing", "bob"),
        ]
    );
    let mut shuffled: Vec<Finding> = r.findings.iter().rev().cloned().collect();
    sort_findings(&mut shuffled);
    assert_eq!(shuffled, r.findings);
    assert!(r.has_errors() && r.count(Severity::Warning) == 2);
}

#[test]
fn totals_by_owner() {
    let mut a = analysis(&["a1", "a2", "b1", "c1"]);
    let set = |a: &mut Analysis, i: usize, owner: Option<&str>, bytes: u64, files: u64| {
        let x = &mut a.items.accounts[i];
        x.owner = owner.map(String::from);
        x.bytesused = bytes;
        x.filesused = files;
    };
    set(&mut a, 0, Some("res1"), u64::MAX, 10);
    set(&mut a, 1, Some("res1"), u64::MAX, 5);
    set(&mut a, 2, None, 100, 1);
    set(&mut a, 3, Some(""), 50, 2);
    a.items.packages.push(Package {
        name: "gold".into(),
        featurelist: None,
    });
    let t = check(&a).totals;
    assert_eq!((t.accounts, t.packages), (4, 1));
    assert_eq!(t.bytes, 2 * u128::from(u64::MAX) + 150);
    assert_eq!(t.files, 18);
    let owners: Vec<(&str, usize, u128, u128)> = t
        .by_owner
        .iter()
        .map(|o| (o.owner.as_str(), o.accounts, o.bytes, o.files))
        .collect();
    assert_eq!(owners, [("res1", 2, 2 * u128::from(u64::MAX), 15), ("root", 2, 150, 3)]);
}

#[test]
fn populated_example_is_clean() {
    let a = fixture("populated-analysis.json");
    let r = check(&a);
    assert!(r.findings.is_empty(), "{:#?}", r.findings);
    assert_eq!(r.totals.bytes, 52_428_800);
    assert_eq!(r.totals.files, 1843);
    assert_eq!(r.totals.by_owner[0].owner, "res1");
}

#[test]
fn every_kind_has_a_stable_name() {
    assert_eq!(kinds::ALL.len(), 16);
    let set: std::collections::HashSet<&str> = kinds::ALL.into_iter().collect();
    assert_eq!(set.len(), kinds::ALL.len());
    for k in [
        "user-exists",
        "group-exists",
        "reserved-username",
        "invalid-username",
        "prefix-collision",
        "db-conflict",
        "dedicated-ip-shortage",
        "linked-node-missing",
        "live-transfer-unsupported",
        "shared-mysql",
        "no-items",
        "sizes-unknown",
    ] {
        assert!(set.contains(k), "{k}");
    }
    assert_eq!(Severity::Error.as_str(), "error");
    assert_eq!(SubjectKind::DbUser.as_str(), "db-user");
    assert_eq!(SubjectKind::LinkedNode.as_str(), "linked-node");
}

#[test]
fn postgresql_maps_copied_from_mysql_are_not_reported_twice() {
    // v120 fills the PGSQL maps from the MySQL ones (§4.1): only MySQL is named.
    let mut a = analysis(&["bob"]);
    let mut local = whm_transfer_console::whm::analysis::DbOwnership::default();
    local.dbs.mysql.insert("shop".into(), "alice".into());
    local.dbs.pgsql = local.dbs.mysql.clone();
    let mut remote = whm_transfer_console::whm::analysis::DbOwnership::default();
    remote.dbs.mysql.insert("shop".into(), "bob".into());
    remote.dbs.pgsql = remote.dbs.mysql.clone();
    a.local.dbs = Some(local);
    a.remote.dbs = Some(remote);
    let r = check(&a);
    let f = r
        .findings
        .iter()
        .find(|f| f.kind == kinds::DB_CONFLICT)
        .expect("db-conflict");
    assert!(f.message.starts_with("The MySQL database “shop”"), "{}", f.message);
    assert!(!f.message.contains("PostgreSQL"), "{}", f.message);
}
