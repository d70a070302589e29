//! Queue-plan validation and the enqueue requests it produces (docs/whm-api.md §3.9).
#![cfg(not(target_arch = "wasm32"))]

use std::collections::{BTreeMap, HashMap};
use whm_transfer_console::checks::plan::{kinds, to_requests};
use whm_transfer_console::checks::{
    PlanInput, PlanProblem, PlannedAccount, QueuePlan, RuleContext, Severity, SubjectKind, validate_plan,
};
use whm_transfer_console::whm::analysis::{Account, DbOwnership, LinkedNode, Package};
use whm_transfer_console::whm::responses::{KeyDef, ModuleSchema, SystemUserVerdict, TransferModules};
use whm_transfer_console::whm::{Analysis, decode_saved};

#[allow(clippy::unwrap_used)] // a test helper (not a #[test] fn, so clippy.toml's test allowance misses it)
fn populated() -> Analysis {
    let path = format!("{}/tests/fixtures/populated-analysis.json", env!("CARGO_MANIFEST_DIR"));
    decode_saved(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// An unrestricted root session with accounts `bob`, `carol`, `dave`, `erin`, package `gold`; local
/// user+group `alice` (also a DB owner), free IP 203.0.113.8, a linked mail node `localmail`.
fn analysis() -> Analysis {
    let mut a = Analysis::default();
    a.options.unrestricted = Some(true);
    a.remote.supports_live_transfers = Some(true);
    for u in ["bob", "carol", "dave", "erin", "alice"] {
        a.items.accounts.push(Account {
            user: u.into(),
            domain: format!("{u}.example"),
            bytesused: 1000,
            filesused: 7,
            ..Default::default()
        });
    }
    a.items.packages.push(Package {
        name: "gold".into(),
        featurelist: None,
    });
    a.local.users.insert("alice".into());
    a.local.groups.insert("alice".into());
    a.local.groups.insert("staff".into());
    let mut dbs = DbOwnership::default();
    dbs.dbs.mysql.insert("alice_wp".into(), "alice".into());
    a.local.dbs = Some(dbs);
    a.local.available_ips = vec!["203.0.113.8".into()];
    a.local.linked_nodes.get_or_insert_with(Vec::new).push(LinkedNode {
        alias: "localmail".into(),
        worker_capabilities: ["Mail".to_owned()].into(),
        ..Default::default()
    });
    a
}

fn plan(users: &[&str]) -> QueuePlan {
    QueuePlan {
        accounts: users.iter().map(|u| PlannedAccount::new(*u)).collect(),
        packages: vec![],
        shared_mysql_server: false,
        ..QueuePlan::default()
    }
}

fn validate(p: &QueuePlan, a: &Analysis) -> Vec<PlanProblem> {
    let ctx = RuleContext::from_analysis(a);
    validate_plan(PlanInput::new(p, a, &ctx))
}

fn kinds_of(problems: &[PlanProblem]) -> Vec<(&'static str, String)> {
    problems.iter().map(|p| (p.kind, p.subject.name.clone())).collect()
}

fn k(kind: &'static str, name: &str) -> (&'static str, String) {
    (kind, name.to_owned())
}

#[test]
fn a_clean_plan_has_no_problems() {
    let a = populated();
    let p = QueuePlan::from_analysis(&a);
    assert_eq!(p.accounts.len(), 1);
    assert_eq!(p.packages, ["res1_gold"]);
    assert!(validate(&p, &a).is_empty(), "{:#?}", validate(&p, &a));
    let a = analysis();
    let mut p = plan(&["bob", "carol"]);
    p.packages.push("gold".into());
    assert!(validate(&p, &a).is_empty());
}

#[test]
fn an_empty_plan_is_noted() {
    let a = analysis();
    let problems = validate(&QueuePlan::default(), &a);
    assert_eq!(kinds_of(&problems), [k(kinds::NO_ITEMS, "session")]);
    assert_eq!(problems[0].severity, Severity::Info);
}

#[test]
fn unknown_and_duplicate_items() {
    let a = analysis();
    let mut p = plan(&["bob", "zoe", "bob"]);
    p.packages = vec!["gold".into(), "silver".into(), "gold".into()];
    let problems = validate(&p, &a);
    assert_eq!(
        kinds_of(&problems),
        [
            k(kinds::DUPLICATE_ACCOUNT, "bob"),
            k(kinds::DUPLICATE_PACKAGE, "gold"),
            k(kinds::UNKNOWN_ACCOUNT, "zoe"),
            k(kinds::UNKNOWN_PACKAGE, "silver"),
        ]
    );
    let dup = problems.iter().find(|x| x.kind == kinds::DUPLICATE_ACCOUNT).unwrap();
    assert_eq!(
        dup.message,
        "An item with a “user” key value of “bob” and a type of “AccountRemoteRoot” already exists in the queue."
    );
    assert!(problems.iter().all(|x| x.severity == Severity::Error));
    // Without an analysis (user sessions) names cannot be checked against the source.
    let ctx = RuleContext::default();
    let input = PlanInput {
        analysis: None,
        ..PlanInput::new(&p, &a, &ctx)
    };
    assert!(
        validate_plan(input)
            .iter()
            .all(|x| x.kind != kinds::UNKNOWN_ACCOUNT && x.kind != kinds::UNKNOWN_PACKAGE)
    );
}

#[test]
fn renamed_targets_collide_with_each_other_and_with_local_names() {
    let mut a = analysis();
    // MySQL 5.6: first 8 characters.
    let mut m = whm_transfer_console::whm::analysis::ModuleAnalysis::default();
    m.analysis.insert("Local Type".into(), "MySQL".into());
    m.analysis.insert("Local Version".into(), "5.6".into());
    a.modules.insert("MySQL".into(), m);
    let mut p = plan(&["bob", "carol", "dave", "erin"]);
    p.accounts[0].localuser = "longname_one".into();
    p.accounts[1].localuser = "longnameone2".into();
    p.accounts[2].localuser = "staff".into();
    p.accounts[3].localuser = "al.ice".into();
    let problems = validate(&p, &a);
    assert_eq!(
        kinds_of(&problems),
        [
            k(kinds::GROUP_EXISTS, "dave"),
            k(kinds::PREFIX_COLLISION, "bob"),
            k(kinds::PREFIX_COLLISION, "carol"),
            k(kinds::PREFIX_COLLISION, "erin"),
        ]
    );
    let bob = problems.iter().find(|x| x.subject.name == "bob").unwrap();
    assert!(
        bob.message.contains("“longname_one”") && bob.message.contains("“longnameone2”"),
        "{}",
        bob.message
    );
    assert_eq!(bob.subject.kind, SubjectKind::Account);
    let erin = problems.iter().find(|x| x.subject.name == "erin").unwrap();
    assert_eq!(erin.message, "This system already has a database owner named “alice”.");
    // Suggestions in the fixes avoid the other planned names.
    let carol = problems.iter().find(|x| x.subject.name == "carol").unwrap();
    assert!(carol.fix.contains("e.g. “longnam"), "{}", carol.fix);
    assert_ne!(bob.fix, carol.fix);
}

#[test]
fn renamed_into_an_existing_user_or_an_invalid_or_reserved_name() {
    let a = analysis();
    let mut p = plan(&["bob", "carol", "dave", "erin"]);
    p.accounts[0].localuser = "alice".into();
    p.accounts[1].localuser = "Carol Smith".into();
    p.accounts[2].localuser = "root".into();
    p.accounts[3].localuser = "erin".into();
    let mut verdicts = HashMap::new();
    verdicts.insert(
        "erin".to_owned(),
        SystemUserVerdict {
            exists: true,
            reserved: false,
            valid_for_transfer: true,
            valid_for_new: true,
        },
    );
    let ctx = RuleContext::from_analysis(&a);
    let input = PlanInput {
        server_verdicts: Some(&verdicts),
        ..PlanInput::new(&p, &a, &ctx)
    };
    let problems = validate_plan(input);
    assert_eq!(
        kinds_of(&problems),
        [
            k(kinds::GROUP_EXISTS, "bob"),
            k(kinds::INVALID_USERNAME, "carol"),
            // no prefix-collision for "alice": an existing account is its own DB owner (user-exists says it)
            k(kinds::RESERVED_USERNAME, "dave"),
            k(kinds::USER_EXISTS, "bob"),
            k(kinds::USER_EXISTS, "erin"),
        ]
    );
    let bob = problems
        .iter()
        .find(|x| x.kind == kinds::USER_EXISTS && x.subject.name == "bob")
        .unwrap();
    assert_eq!(bob.message, "This system already has an account named “alice”.");
}

#[test]
fn skipaccount_needs_the_same_existing_name() {
    let a = analysis();
    let mut p = plan(&["alice", "bob"]);
    p.accounts[0].skipaccount = true;
    assert!(
        validate(&p, &a).is_empty(),
        "restoring into the existing alice is fine: {:#?}",
        validate(&p, &a)
    );
    p.accounts[1].skipaccount = true;
    p.accounts[1].localuser = "bobby".into();
    let problems = validate(&p, &a);
    assert_eq!(
        kinds_of(&problems),
        [
            k(kinds::SKIPACCOUNT_NO_USER, "bob"),
            k(kinds::SKIPACCOUNT_RENAME, "bob")
        ]
    );
    let no_user = problems.iter().find(|x| x.kind == kinds::SKIPACCOUNT_NO_USER).unwrap();
    assert_eq!(no_user.message, "No user named “bobby” exists on this server.");
}

#[test]
fn force_depends_on_the_session_and_the_name() {
    let mut a = analysis();
    let mut p = plan(&["alice", "bob"]);
    p.accounts[0].force = true;
    // Unrestricted, same name: a deliberate overwrite.
    assert_eq!(kinds_of(&validate(&p, &a)), [k(kinds::OVERWRITE_EXISTING, "alice")]);
    assert_eq!(validate(&p, &a)[0].severity, Severity::Warning);
    // Renamed while the target exists: WHM refuses.
    p.accounts[1].force = true;
    p.accounts[1].localuser = "alice2".into();
    a.local.users.insert("alice2".into());
    let problems = validate(&p, &a);
    assert!(
        kinds_of(&problems).contains(&k(kinds::OVERWRITE_RENAME, "bob")),
        "{problems:#?}"
    );
    let text = &problems
        .iter()
        .find(|x| x.kind == kinds::OVERWRITE_RENAME)
        .unwrap()
        .message;
    assert_eq!(
        text,
        "Account Restore Failed: You cannot overwrite an account if you change the account’s username."
    );
    // Restricted: force is ignored, so the existing account is an error again.
    a.options.unrestricted = Some(false);
    let mut p = plan(&["alice"]);
    p.accounts[0].force = true;
    let problems = validate(&p, &a);
    assert_eq!(
        kinds_of(&problems),
        [
            k(kinds::GROUP_EXISTS, "alice"),
            k(kinds::USER_EXISTS, "alice"),
            k(kinds::FORCE_IGNORED, "alice")
        ]
    );
}

#[test]
fn overwrite_of_an_account_that_is_not_here_is_checked_as_a_new_account() {
    // bob is not a user here, but his group is, and WHM would create him: the new account's checks apply
    let mut a = analysis();
    a.local.groups.insert("bob".into());
    let mut p = plan(&["bob"]);
    p.accounts[0].force = true;
    let problems = validate(&p, &a);
    assert!(
        kinds_of(&problems).contains(&k(kinds::GROUP_EXISTS, "bob")),
        "{problems:#?}"
    );
    assert!(!kinds_of(&problems).contains(&k(kinds::OVERWRITE_EXISTING, "bob")));
    // and "fix all" proposes another name for him
    let ctx = RuleContext::from_analysis(&a);
    let fixes = whm_transfer_console::checks::plan::suggest_fixes(PlanInput::new(&p, &a, &ctx), &Default::default());
    assert!(fixes.iter().any(|f| f.user == "bob"), "{fixes:?}");
}

#[test]
fn overwriting_databases_of_the_same_name_warns_when_another_account_owns_one_here() {
    use whm_transfer_console::checks::DbOverwrite;
    // bob's alice_wp on the source; alice owns alice_wp here
    let mut a = analysis();
    let mut remote = DbOwnership::default();
    remote.dbs.mysql.insert("alice_wp".into(), "bob".into());
    a.remote.dbs = Some(remote);
    let mut p = plan(&["bob", "carol"]);
    assert!(
        !kinds_of(&validate(&p, &a))
            .iter()
            .any(|(k, _)| *k == kinds::DB_OVERWRITE_OTHERS)
    );
    p.accounts[0].db_overwrite = DbOverwrite::SameOwner;
    assert!(
        !kinds_of(&validate(&p, &a))
            .iter()
            .any(|(k, _)| *k == kinds::DB_OVERWRITE_OTHERS)
    );
    p.accounts[0].db_overwrite = DbOverwrite::All;
    p.accounts[1].db_overwrite = DbOverwrite::All; // carol has no clash
    let problems = validate(&p, &a);
    let found: Vec<_> = problems
        .iter()
        .filter(|x| x.kind == kinds::DB_OVERWRITE_OTHERS)
        .collect();
    assert_eq!(found.len(), 1, "{problems:#?}");
    assert_eq!(found[0].subject.name, "bob");
    assert_eq!(found[0].severity, Severity::Warning);
    assert!(
        found[0].message.contains("“alice_wp” (owned here by “alice”)"),
        "{}",
        found[0].message
    );
    // databases left out: nothing is overwritten
    p.accounts[0].skipacctdb = true;
    assert!(
        !kinds_of(&validate(&p, &a))
            .iter()
            .any(|(k, _)| *k == kinds::DB_OVERWRITE_OTHERS)
    );
}

#[test]
fn reseller_privileges_in_a_restricted_session() {
    let mut a = analysis();
    a.options.unrestricted = Some(false);
    let mut p = plan(&["bob", "carol"]);
    p.accounts[0].skipres = false;
    let problems = validate(&p, &a);
    assert_eq!(kinds_of(&problems), [k(kinds::SKIPRES_FORCED, "bob")]);
    a.options.unrestricted = Some(true);
    assert!(validate(&p, &a).is_empty());
}

#[test]
fn ips() {
    let a = analysis();
    let mut p = plan(&["bob", "carol", "dave", "erin"]);
    p.accounts[0].ip = true;
    assert!(validate(&p, &a).is_empty());
    p.accounts[1].ip = true;
    assert_eq!(
        kinds_of(&validate(&p, &a)),
        [k(kinds::DEDICATED_IP_SHORTAGE, "dedicated IPs")]
    );
    p.accounts[1].ip = false;
    p.accounts[0].customip = Some("203.0.113.8".into());
    assert!(validate(&p, &a).is_empty());
    p.accounts[2].customip = Some("203.0.113.8".into());
    p.accounts[3].ip = true;
    p.accounts[3].customip = Some("198.51.100.1".into());
    let problems = validate(&p, &a);
    assert_eq!(
        kinds_of(&problems),
        [
            k(kinds::CUSTOMIP_INVALID, "dave"),
            k(kinds::CUSTOMIP_INVALID, "erin"),
            k(kinds::DEDICATED_IP_SHORTAGE, "dedicated IPs")
        ]
    );
    assert!(
        problems[0].message.contains("needs a dedicated IP"),
        "{}",
        problems[0].message
    );
    assert!(
        problems[1].message.contains("not a free IP address"),
        "{}",
        problems[1].message
    );
    p.accounts[2].ip = true;
    let problems = validate(&p, &a);
    let dave = problems.iter().find(|x| x.subject.name == "dave").unwrap();
    assert!(dave.message.contains("already planned for “bob”"), "{}", dave.message);
}

#[test]
fn replaceip_and_mail_location() {
    let a = analysis();
    let mut p = plan(&["bob", "carol", "dave", "erin"]);
    p.accounts[0].replaceip = Some("basic".into());
    p.accounts[1].replaceip = Some("some".into());
    p.accounts[2].mail_location = Some("localmail".into());
    p.accounts[3].mail_location = Some("remotemailnode".into());
    assert_eq!(
        kinds_of(&validate(&p, &a)),
        [
            k(kinds::MAIL_LOCATION_UNKNOWN, "erin"),
            k(kinds::REPLACEIP_INVALID, "carol")
        ]
    );
    p.accounts[1].replaceip = Some("all".into());
    p.accounts[3].mail_location = Some(".existing".into());
    assert!(validate(&p, &a).is_empty());
}

#[test]
fn live_transfer_needs_support() {
    let mut a = analysis();
    let mut p = plan(&["bob", "carol"]);
    p.accounts[0].live_transfer = true;
    assert!(validate(&p, &a).is_empty());
    a.remote.supports_live_transfers = Some(false);
    let problems = validate(&p, &a);
    assert_eq!(kinds_of(&problems), [k(kinds::LIVE_TRANSFER_UNSUPPORTED, "bob")]);
    assert_eq!(problems[0].severity, Severity::Error);
}

#[test]
fn modules_and_user_sessions() {
    let a = analysis();
    let mut p = plan(&["bob"]);
    p.packages.push("gold".into());
    let ctx = RuleContext::from_analysis(&a);
    let mut modules = TransferModules::default();
    modules.modules.insert("AccountRemoteRoot".into(), 3000);
    let input = PlanInput {
        modules: Some(&modules),
        ..PlanInput::new(&p, &a, &ctx)
    };
    let problems = validate_plan(input);
    assert_eq!(kinds_of(&problems), [k(kinds::UNKNOWN_MODULE, "PackageRemoteRoot")]);
    assert_eq!(
        problems[0].message,
        "The transfer session module “PackageRemoteRoot” does not exist."
    );
    modules.modules.insert("PackageRemoteRoot".into(), 2000);
    let input = PlanInput {
        modules: Some(&modules),
        ..PlanInput::new(&p, &a, &ctx)
    };
    assert!(validate_plan(input).is_empty());

    let input = PlanInput {
        module: "AccountRemoteUser",
        analysis: None,
        ..PlanInput::new(&p, &a, &ctx)
    };
    assert_eq!(
        kinds_of(&validate_plan(input)),
        [k(kinds::PACKAGES_IN_USER_SESSION, "PackageRemoteRoot")]
    );
}

fn account_schema() -> ModuleSchema {
    let mut s = ModuleSchema::default();
    for key in [
        "user",
        "localuser",
        "detected_remote_user",
        "domain",
        "size",
        "files",
        "ip",
        "customip",
        "replaceip",
        "reseller",
        "force",
        "skipres",
        "skipaccount",
        "skiphomedir",
        "skipacctdb",
        "skipbwdata",
        "skipemail",
        "skipsubdomains",
        "shared_mysql_server",
        "overwrite_all_dbs",
        "overwrite_all_dbusers",
        "overwrite_sameowner_dbs",
        "overwrite_sameowner_dbusers",
        "overwrite_with_delete",
        "live_transfer",
        "xferpoint",
        "mail_location",
        "keep_local_cpuser_values",
        "disabled",
        "copypoint",
        "cpmovefile",
        "prerequisite_user",
        "priority",
    ] {
        s.keys.insert(
            key.into(),
            KeyDef {
                def: "varchar(255) DEFAULT NULL".into(),
            },
        );
    }
    s.primary = vec!["user".into()];
    s.required = vec!["user".into(), "localuser".into()];
    s
}

#[test]
fn schema_keys() {
    let a = analysis();
    let mut p = QueuePlan::from_analysis(&a);
    p.accounts.retain(|x| x.user == "bob");
    // A chosen option the schema lacks is reported; one left at WHM's default is just not sent.
    p.accounts[0].skipemail = true;
    let ctx = RuleContext::from_analysis(&a);
    let mut schemas = BTreeMap::new();
    schemas.insert("AccountRemoteRoot".to_owned(), account_schema());
    let input = PlanInput {
        schemas: Some(&schemas),
        ..PlanInput::new(&p, &a, &ctx)
    };
    assert!(validate_plan(input).is_empty(), "{:#?}", validate_plan(input));

    let mut narrow = account_schema();
    narrow.keys.remove("skipemail");
    narrow.keys.remove("skipbwdata"); // bob's skipbwdata=0 is dropped, not an error
    narrow.required.push("priority".into());
    schemas.insert("AccountRemoteRoot".to_owned(), narrow);
    let mut package = ModuleSchema::default();
    package.keys.insert("size".into(), KeyDef::default());
    package.required.push("package".into());
    schemas.insert("PackageRemoteRoot".to_owned(), package);
    let input = PlanInput {
        schemas: Some(&schemas),
        ..PlanInput::new(&p, &a, &ctx)
    };
    let problems = validate_plan(input);
    let got: Vec<(&str, &str)> = problems.iter().map(|x| (x.kind, x.message.as_str())).collect();
    assert_eq!(
        got,
        [
            (
                "schema-missing-key",
                "The “priority” parameter is required for the “AccountRemoteRoot” module."
            ),
            (
                "schema-unknown-key",
                "The “skipemail” parameter is not valid for the “AccountRemoteRoot” module."
            ),
            (
                "schema-unknown-key",
                "The “package” parameter is not valid for the “PackageRemoteRoot” module."
            ),
        ]
    );
    assert!(problems.iter().all(|x| x.subject.kind == SubjectKind::Module));
}

#[test]
fn requests_carry_every_planned_value() {
    let a = analysis();
    let mut p = QueuePlan::from_analysis(&a);
    p.accounts.truncate(2);
    p.accounts[1].localuser = "carol2".into();
    p.accounts[1].skipres = false;
    p.accounts[1].mail_location = Some(".local".into());
    p.shared_mysql_server = true;
    let reqs = to_requests(&p, "sess1", "AccountRemoteRoot");
    assert_eq!(reqs.len(), 3);
    assert_eq!(
        (reqs[0].module.as_str(), reqs[0].keys.clone()),
        ("PackageRemoteRoot", vec![("package".to_owned(), "gold".to_owned())])
    );
    let get = |i: usize, key: &str| reqs[i].keys.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
    assert!(reqs.iter().all(|r| r.transfer_session_id == "sess1"));
    assert_eq!(reqs[1].module, "AccountRemoteRoot");
    assert_eq!(get(1, "user"), Some("bob"));
    assert_eq!(get(1, "localuser"), Some("bob"));
    assert_eq!(get(1, "skipres"), Some("1"));
    assert_eq!(get(1, "size"), Some("1000"));
    assert_eq!(get(1, "files"), Some("7"));
    assert_eq!(get(1, "domain"), Some("bob.example"));
    assert_eq!(get(1, "shared_mysql_server"), Some("1"));
    assert_eq!(get(1, "detected_remote_user"), Some("bob"));
    assert_eq!(get(2, "localuser"), Some("carol2"));
    assert_eq!(get(2, "skipres"), Some("0"), "skipres is sent even when off");
    assert_eq!(get(2, "mail_location"), Some(".local"));
    let user_reqs = to_requests(&p, "sess2", "AccountRemoteUser");
    assert!(user_reqs[1].keys.iter().all(|(k, _)| k != "detected_remote_user"));
    assert!(user_reqs[1].keys.iter().any(|(k, v)| k == "skipres" && v == "1"));
}
