//! The queue table (src/store/queue_table.rs): defaults taken from the analysis, per-row and bulk
//! options, "fix all conflicts", schema-driven calls, the text view both ways, and the debounced
//! `validate_system_user` answers (stale ones dropped).
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeMap;
use whm_transfer_console::checks::{self, FindingsInput, RuleContext};
use whm_transfer_console::names::FastSet;
use whm_transfer_console::shared::Shared;
use whm_transfer_console::store::queue::{ItemKey, QueueAction, QueueState, Stored, StoredOutcome};
use whm_transfer_console::store::queue_table::{Edit, Opt, Overwrite, PickKind, QueueTable, TableAction};
use whm_transfer_console::store::table::TableQuery;
use whm_transfer_console::whm::Analysis;
use whm_transfer_console::whm::analysis::{Account, ModuleAnalysis, Package};
use whm_transfer_console::whm::request::EnqueueTransferItem;
use whm_transfer_console::whm::responses::{KeyDef, ModuleSchema, SystemUserVerdict, TransferModules};

const ACCOUNT_KEYS: [&str; 33] = [
    "copypoint",
    "cpmovefile",
    "customip",
    "detected_remote_user",
    "disabled",
    "domain",
    "files",
    "force",
    "ip",
    "keep_local_cpuser_values",
    "live_transfer",
    "localuser",
    "mail_location",
    "overwrite_all_dbs",
    "overwrite_all_dbusers",
    "overwrite_sameowner_dbs",
    "overwrite_sameowner_dbusers",
    "overwrite_with_delete",
    "prerequisite_user",
    "priority",
    "replaceip",
    "reseller",
    "shared_mysql_server",
    "size",
    "skipaccount",
    "skipacctdb",
    "skipbwdata",
    "skipemail",
    "skiphomedir",
    "skipres",
    "skipsubdomains",
    "user",
    "xferpoint",
];

fn schema(keys: &[&str], required: &[&str]) -> ModuleSchema {
    ModuleSchema {
        keys: keys.iter().map(|k| ((*k).to_owned(), KeyDef::default())).collect(),
        primary: vec![required.first().map(|s| (*s).to_owned()).unwrap_or_default()],
        required: required.iter().map(|s| (*s).to_owned()).collect(),
        prerequisite: None,
    }
}

fn account_schema_without(drop: &[&str]) -> ModuleSchema {
    let keys: Vec<&str> = ACCOUNT_KEYS.iter().copied().filter(|k| !drop.contains(k)).collect();
    schema(&keys, &["user", "localuser"])
}

fn account(user: &str, owner: &str, bytes: u64, dedicated: bool) -> Account {
    Account {
        user: user.into(),
        domain: format!("{user}.example"),
        owner: Some(owner.into()),
        bytesused: bytes,
        filesused: 3,
        has_dedicated_ip: dedicated,
        ..Default::default()
    }
}

/// Root session, restricted unless `unrestricted`. Accounts: `bob` (dedicated IP), `carol`,
/// `alice` (exists here as user and group), `testsite` (reserved), `longname1`/`longname2` (same first
/// 8 characters), `dave` (owner `res2`). Package `gold` with feature list `default`.
fn analysis(unrestricted: bool) -> Analysis {
    let mut a = Analysis::default();
    a.options.unrestricted = Some(unrestricted);
    a.remote.supports_live_transfers = Some(true);
    for (u, o, d) in [
        ("bob", "res1", true),
        ("carol", "res1", false),
        ("alice", "root", false),
        ("testsite", "root", false),
        ("longname1", "root", false),
        ("longname2", "root", false),
        ("dave", "res2", false),
    ] {
        a.items.accounts.push(account(u, o, 4096, d));
    }
    a.items.packages.push(Package {
        name: "gold".into(),
        featurelist: Some("default".into()),
    });
    for u in ["root", "nobody", "alice"] {
        a.local.users.insert(u.into());
    }
    a.local.groups.insert("alice".into());
    a.local.available_ips = vec!["203.0.113.8".into(), "203.0.113.9".into()];
    a
}

fn table(a: Analysis) -> QueueTable {
    let ctx = RuleContext::from_analysis(&a);
    let verdicts = Default::default();
    let report = checks::findings(FindingsInput {
        analysis: &a,
        ctx: &ctx,
        server_verdicts: &verdicts,
        live_transfer_requested: false,
    });
    QueueTable::new(Shared::new(a), &report, Shared::new(ctx))
}

fn with_schemas(mut t: QueueTable, account: ModuleSchema) -> QueueTable {
    for m in t.needed_modules().into_iter().chain(["AccountRemoteRoot".to_owned()]) {
        t = t.apply(TableAction::SchemaRequested(m.clone()));
        let s = match m.as_str() {
            "AccountRemoteRoot" | "AccountRemoteUser" => account.clone(),
            "PackageRemoteRoot" => schema(&["package", "size"], &["package"]),
            "FeatureListRemoteRoot" => schema(&["featurelist", "size"], &["featurelist"]),
            _ => schema(&["name", "size"], &["name"]),
        };
        t = t.apply(TableAction::SchemaLoaded {
            module: m,
            result: Ok(s),
        });
    }
    t
}

#[allow(clippy::panic)] // a test helper: a missing call fails the test
fn call_for<'a>(calls: &'a [EnqueueTransferItem], user: &str) -> &'a EnqueueTransferItem {
    calls
        .iter()
        .find(|c| c.keys.iter().any(|(k, v)| k == "user" && v == user))
        .unwrap_or_else(|| panic!("a call for {user} in {calls:?}"))
}

fn key<'a>(call: &'a EnqueueTransferItem, name: &str) -> Option<&'a str> {
    call.keys.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn target(user: &str, name: &str) -> TableAction {
    TableAction::SetTarget {
        user: user.into(),
        name: name.into(),
    }
}

#[test]
fn rows_start_from_the_analysis_with_errors_unselected_and_dedicated_ips_ticked() {
    let t = table(analysis(false));
    let selected = |u: &str| t.row(u).map(|r| r.selected);
    assert_eq!(selected("bob"), Some(true));
    assert_eq!(selected("alice"), Some(false), "exists here: an error");
    assert_eq!(selected("testsite"), Some(false), "reserved: an error");
    assert!(t.not_ready().is_some(), "no call before the schemas are read");
    let t = with_schemas(t, account_schema_without(&[]));
    assert_eq!(t.not_ready(), None);
    let calls = t.calls("s1");
    assert_eq!(
        key(call_for(&calls, "bob"), "ip"),
        Some("1"),
        "has_dedicated_ip pre-ticks ip"
    );
    assert_eq!(key(call_for(&calls, "carol"), "ip"), Some("0"));
    assert_eq!(
        key(call_for(&calls, "bob"), "size"),
        Some("4096"),
        "size from bytesused"
    );
    assert!(
        calls
            .iter()
            .any(|c| c.module == "PackageRemoteRoot" && key(c, "package") == Some("gold"))
    );
    assert!(
        calls
            .iter()
            .any(|c| c.module == "FeatureListRemoteRoot" && key(c, "featurelist") == Some("default"))
    );
    assert!(!calls.iter().any(|c| key(c, "user") == Some("alice")));
}

#[test]
fn a_skip_flag_reaches_only_its_own_call() {
    let t = with_schemas(table(analysis(false)), account_schema_without(&[]));
    let t = t.apply(TableAction::Edit {
        user: "bob".into(),
        edit: Edit::Flag(Opt::CopyHomedir, false),
    });
    let calls = t.calls("s1");
    assert_eq!(key(call_for(&calls, "bob"), "skiphomedir"), Some("1"));
    assert_eq!(key(call_for(&calls, "carol"), "skiphomedir"), Some("0"));
}

#[test]
fn an_option_the_schema_lacks_is_not_offered_and_never_sent() {
    let t = with_schemas(
        table(analysis(true)),
        account_schema_without(&["live_transfer", "skipbwdata"]),
    );
    assert!(!t.offered(Opt::LiveTransfer));
    assert!(!t.offered(Opt::CopyBandwidth));
    assert!(t.offered(Opt::CopyEmail));
    let t = t
        .apply(TableAction::Edit {
            user: "bob".into(),
            edit: Edit::Flag(Opt::LiveTransfer, true),
        })
        .apply(TableAction::Bulk {
            edit: Edit::Flag(Opt::LiveTransfer, true),
            settled: Default::default(),
        });
    for c in t.calls("s1") {
        assert_eq!(key(&c, "live_transfer"), None, "{c:?}");
        assert_eq!(key(&c, "skipbwdata"), None, "{c:?}");
    }
    assert_eq!(t.errors(), 0, "{:?}", t.problems());
}

#[test]
fn overwrite_is_offered_only_where_whm_honours_it() {
    let restricted = with_schemas(table(analysis(false)), account_schema_without(&[]));
    assert_eq!(
        restricted.overwrite_choices("alice"),
        vec![Overwrite::Create, Overwrite::IntoExisting],
        "force is ignored in restricted sessions"
    );
    assert_eq!(
        restricted.overwrite_choices("bob"),
        vec![Overwrite::Create],
        "bob does not exist here"
    );
    let open = with_schemas(table(analysis(true)), account_schema_without(&[]));
    assert_eq!(open.overwrite_choices("alice").len(), 4);
    // Restoring into alice is fine; renaming it afterwards drops the overwrite (skipaccount needs the same name).
    let t = open
        .apply(TableAction::Select {
            user: "alice".into(),
            on: true,
        })
        .apply(TableAction::Edit {
            user: "alice".into(),
            edit: Edit::Overwrite(Overwrite::IntoExisting),
        });
    assert_eq!(key(call_for(&t.calls("s"), "alice"), "skipaccount"), Some("1"));
    assert!(t.target("alice").valid, "{:?}", t.target("alice"));
    let t = t.apply(target("alice", "alice2"));
    assert_eq!(t.overwrite_of("alice"), Overwrite::Create);
    assert_eq!(key(call_for(&t.calls("s"), "alice"), "skipaccount"), Some("0"));
}

#[test]
fn rows_already_queued_keep_their_names_in_fix_all_and_in_the_text() {
    let t = with_schemas(table(analysis(false)), account_schema_without(&[]));
    // longname2 is queued (WHM has it) under its name, which clashes with longname1's first letters:
    // longname1 is the one to rename now
    let settled: FastSet<String> = ["longname2".to_owned()].into_iter().collect();
    let t = t.apply(TableAction::ProposeFixes {
        settled: settled.clone(),
    });
    let fixes = t.fixes.clone().unwrap_or_default();
    let fixed: Vec<&str> = fixes.iter().map(|f| f.user.as_str()).collect();
    assert!(fixed.contains(&"longname1"), "{fixes:?}");
    assert!(!fixed.contains(&"longname2"), "{fixes:?}");
    // a diff made before an item was settled renames it no more
    let stale = t.clone().apply(TableAction::AcceptFixes {
        select: false,
        settled: ["longname1".to_owned()].into_iter().collect(),
    });
    assert_eq!(
        stale.row("longname1").map(|r| r.account.localuser.as_str()),
        Some("longname1")
    );
    let t = t.apply(TableAction::AcceptFixes {
        select: false,
        settled: settled.clone(),
    });
    assert_ne!(
        t.row("longname1").map(|r| r.account.localuser.as_str()),
        Some("longname1")
    );
    assert_eq!(
        t.row("longname2").map(|r| r.account.localuser.as_str()),
        Some("longname2")
    );
    // the text renames or unselects a queued row no more
    let was_selected = t.row("longname2").map(|r| r.selected);
    let t = t.apply(TableAction::ApplyText {
        text: "bob\nlongname2 other2\n".into(),
        settled: settled.clone(),
    });
    assert_eq!(
        t.row("longname2").map(|r| r.account.localuser.as_str()),
        Some("longname2")
    );
    let t = t.apply(TableAction::ApplyText {
        text: "bob\n".into(),
        settled,
    });
    assert_eq!(
        t.row("longname2").map(|r| r.selected),
        was_selected,
        "its selection stays"
    );
    assert_eq!(t.row("bob").map(|r| r.selected), Some(true));
    assert_eq!(
        t.row("longname1").map(|r| r.selected),
        Some(false),
        "the others follow the text"
    );
}

#[test]
fn fix_all_gives_every_conflict_a_free_unique_name_the_admin_can_edit() {
    let t = with_schemas(table(analysis(false)), account_schema_without(&[]));
    let t = t.apply(TableAction::ProposeFixes {
        settled: Default::default(),
    });
    let fixes = t.fixes.clone().unwrap_or_default();
    let fixed: Vec<&str> = fixes.iter().map(|f| f.user.as_str()).collect();
    assert!(fixed.contains(&"alice") && fixed.contains(&"testsite"), "{fixes:?}");
    assert!(fixed.contains(&"longname2"), "the second of a clashing pair: {fixes:?}");
    assert!(!fixed.contains(&"longname1"), "the first keeps its name: {fixes:?}");
    assert!(!fixed.contains(&"bob"));
    // The admin edits one suggestion, then accepts.
    let t = t
        .apply(TableAction::EditFix {
            user: "testsite".into(),
            name: "tsite".into(),
        })
        .apply(TableAction::AcceptFixes {
            select: true,
            settled: Default::default(),
        });
    assert!(t.fixes.is_none());
    assert_eq!(t.row("testsite").map(|r| r.account.localuser.as_str()), Some("tsite"));
    for u in ["alice", "testsite", "longname2"] {
        assert_eq!(t.row(u).map(|r| r.selected), Some(true), "{u} selected");
        assert!(t.target(u).valid, "{u}: {:?}", t.target(u));
    }
    let all = t.apply(TableAction::SelectShown { on: true });
    assert_eq!(all.errors(), 0, "{:?}", all.problems());
    let mut names: Vec<String> = all.rows.iter().map(|r| r.account.localuser.clone()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), all.rows.len(), "unique within the batch");
}

#[test]
fn the_target_is_checked_as_typed_and_server_answers_for_old_names_are_dropped() {
    let t = with_schemas(table(analysis(false)), account_schema_without(&[]));
    let t = t.apply(target("bob", "Bob!"));
    let v = t.target("bob");
    assert!(!v.valid);
    assert!(!v.problems.is_empty(), "every broken rule, with its fix");
    assert_eq!(
        t.next_lookup(),
        None,
        "a name the local rules refuse is not sent to WHM"
    );
    let t = t.apply(target("bob", "bob2"));
    assert_eq!(t.next_lookup().as_deref(), Some("bob2"));
    let t = t
        .apply(TableAction::LookupSent {
            name: "bob2".into(),
            ticket: 1,
        })
        .apply(target("bob", "bob3"));
    assert_eq!(t.next_lookup().as_deref(), Some("bob3"));
    let t = t.apply(TableAction::LookupSent {
        name: "bob3".into(),
        ticket: 2,
    });
    let exists = SystemUserVerdict {
        exists: true,
        reserved: false,
        valid_for_transfer: true,
        valid_for_new: false,
    };
    let t = t.apply(TableAction::Lookup {
        name: "bob2".into(),
        ticket: 1,
        result: Ok(exists),
    });
    assert!(t.target("bob").valid, "the stale answer for bob2 is dropped");
    let t = t.apply(TableAction::Lookup {
        name: "bob3".into(),
        ticket: 2,
        result: Ok(exists),
    });
    let v = t.target("bob");
    assert!(!v.valid && v.server_checked, "{v:?}");
}

#[test]
fn the_text_view_reads_back_the_same_selection_and_keeps_options() {
    let t = with_schemas(table(analysis(false)), account_schema_without(&[]));
    let t = t.apply(TableAction::Edit {
        user: "carol".into(),
        edit: Edit::Flag(Opt::CopyEmail, false),
    });
    let text = t.to_text();
    assert!(text.contains("\nbob\n") && text.contains("\n# alice\n"), "{text}");
    let same = t.clone().apply(TableAction::ApplyText {
        text: text.clone(),
        settled: Default::default(),
    });
    assert_eq!(same.plan(), t.plan(), "round trip");
    let edited = text
        .replace("\ncarol\n", "\ncarol carol2\n")
        .replace("\nbob\n", "\n# bob\n");
    let t2 = t.clone().apply(TableAction::ApplyText {
        text: edited,
        settled: Default::default(),
    });
    assert_eq!(t2.row("bob").map(|r| r.selected), Some(false));
    let carol = t2
        .row("carol")
        .map(|r| r.account.clone())
        .unwrap_or_else(|| panic!("carol"));
    assert_eq!(carol.localuser, "carol2");
    assert!(carol.skipemail, "options set in the table are kept");
    let bad = t.clone().apply(TableAction::ApplyText {
        text: "bob\nnosuch\nbob x y\n".into(),
        settled: Default::default(),
    });
    assert_eq!(bad.text_issues.len(), 2);
    assert_eq!(bad.plan(), t.plan(), "nothing half-applied");
}

#[test]
fn bulk_edits_follow_the_tables_filters() {
    let t = with_schemas(table(analysis(false)), account_schema_without(&[]));
    let t = t
        .apply(TableAction::SetFilter(TableQuery {
            owner: Some("res1".into()),
            ..TableQuery::default()
        }))
        .apply(TableAction::SelectShown { on: false });
    assert_eq!(t.row("bob").map(|r| r.selected), Some(false));
    assert_eq!(t.row("carol").map(|r| r.selected), Some(false));
    assert_eq!(t.row("dave").map(|r| r.selected), Some(true));
    // a selected row already queued (`except`) keeps what was sent
    let t = t.apply(TableAction::Select {
        user: "carol".into(),
        on: true,
    });
    let t = t.apply(TableAction::Bulk {
        edit: Edit::Flag(Opt::CopyEmail, false),
        settled: ["carol".to_owned()].into_iter().collect(),
    });
    let calls = t.calls("s");
    assert_eq!(key(call_for(&calls, "dave"), "skipemail"), Some("1"));
    assert!(
        t.row("bob").is_some_and(|r| !r.account.skipemail),
        "unselected rows untouched"
    );
    assert!(
        t.row("carol").is_some_and(|r| r.selected && !r.account.skipemail),
        "a queued row keeps its options"
    );
    // A specific IP must be a free one; choosing it ticks the dedicated IP.
    let t = t.apply(TableAction::Edit {
        user: "dave".into(),
        edit: Edit::CustomIp(Some("198.51.100.1".into())),
    });
    assert_eq!(key(call_for(&t.calls("s"), "dave"), "customip"), None);
    let t = t.apply(TableAction::Edit {
        user: "dave".into(),
        edit: Edit::CustomIp(Some("203.0.113.9".into())),
    });
    let calls = t.calls("s");
    assert_eq!(key(call_for(&calls, "dave"), "customip"), Some("203.0.113.9"));
    assert_eq!(key(call_for(&calls, "dave"), "ip"), Some("1"));
}

#[test]
fn modules_the_server_lacks_are_neither_fetched_nor_sent() {
    let t = table(analysis(false));
    let mut offered = TransferModules::default();
    for (m, p) in [("AccountRemoteRoot", 3000), ("PackageRemoteRoot", 2000)] {
        offered.modules.insert(m.into(), p);
    }
    let t = t.apply(TableAction::ModulesLoaded(Ok(offered)));
    let mut fetched = Vec::new();
    let mut t = t;
    while let Some(m) = t.next_schema() {
        fetched.push(m.clone());
        t = t.apply(TableAction::SchemaRequested(m.clone()));
        let s = if m == "AccountRemoteRoot" {
            account_schema_without(&[])
        } else {
            schema(&["package", "size"], &["package"])
        };
        t = t.apply(TableAction::SchemaLoaded {
            module: m,
            result: Ok(s),
        });
    }
    assert_eq!(fetched, ["AccountRemoteRoot", "PackageRemoteRoot"], "each once");
    assert!(!t.calls("s").iter().any(|c| c.module == "FeatureListRemoteRoot"));
    assert_eq!(t.not_ready(), None);
}

#[test]
fn a_schema_for_a_module_nothing_selected_uses_does_not_recheck_the_plan() {
    let pick = |on| TableAction::Pick {
        kind: PickKind::Package,
        name: "gold".into(),
        on,
    };
    // The package's schema lacks `package`: a plan that queues it has a problem.
    let load = |t: QueueTable| {
        t.apply(TableAction::SchemaRequested("PackageRemoteRoot".into()))
            .apply(TableAction::SchemaLoaded {
                module: "PackageRemoteRoot".into(),
                result: Ok(schema(&["size"], &[])),
            })
    };
    // The account module's schema loaded, the package's not yet.
    let unpicked = with_schemas(table(analysis(false)).apply(pick(false)), account_schema_without(&[]));
    // Not picked: the schema arrives and the plan check is not re-run.
    assert!(!unpicked.needed_modules().contains("PackageRemoteRoot"));
    let loaded = load(unpicked.clone());
    assert_eq!(
        loaded.revision, unpicked.revision,
        "nothing the selection sends changed"
    );
    assert_eq!(loaded.problems(), unpicked.problems());
    // Picked afterwards: the same calls and problems as when it was picked before the schema came.
    let later = loaded.apply(pick(true));
    let before = load(unpicked.clone().apply(pick(true)));
    assert!(later.calls("s").iter().any(|c| c.module == "PackageRemoteRoot"));
    assert_eq!(later.calls("s"), before.calls("s"));
    assert_eq!(later.problems(), before.problems());
    assert_ne!(
        later.problems(),
        unpicked.problems(),
        "the package's schema is checked once it is picked"
    );
}

#[test]
fn the_keys_the_page_counts_are_those_of_the_calls_it_would_send() {
    let mut a = analysis(true);
    a.modules.insert(
        "Apache".into(),
        ModuleAnalysis {
            name: Some("ApacheRemoteRoot".into()),
            ..Default::default()
        },
    );
    let root = with_schemas(table(a), account_schema_without(&[]));
    let all_picked = root.clone().apply(TableAction::Pick {
        kind: PickKind::Config,
        name: "ApacheRemoteRoot".into(),
        on: true,
    });
    let none = root.clone().apply(TableAction::SelectShown { on: false });
    let renamed = root.clone().apply(target("bob", "bob2"));
    // A package named "0" while its module's schema lacks `package`: the call goes without its key.
    let mut z = analysis(true);
    z.items.packages.push(Package {
        name: "0".into(),
        featurelist: None,
    });
    let zero = table(z)
        .apply(TableAction::SchemaRequested("PackageRemoteRoot".into()))
        .apply(TableAction::SchemaLoaded {
            module: "PackageRemoteRoot".into(),
            result: Ok(schema(&["size"], &[])),
        });
    assert!(
        zero.calls("s")
            .iter()
            .any(|c| ItemKey::parts_of(c) == ("PackageRemoteRoot", ""))
    );
    let unnamed_user_session = QueueTable::for_user_session("", true);
    let user_session = QueueTable::for_user_session("you", false);
    for (what, t) in [
        ("root", &root),
        ("every pick", &all_picked),
        ("nothing selected", &none),
        ("a rename", &renamed),
        ("a package named 0 its schema lacks the key of", &zero),
        ("a user session without a name", &unnamed_user_session),
        ("a user session", &user_session),
    ] {
        let calls = t.calls("s");
        let of_calls: Vec<(&str, &str)> = calls.iter().map(ItemKey::parts_of).collect();
        assert_eq!(t.plan_keys().collect::<Vec<_>>(), of_calls, "{what}");
        let fresh = QueueState::default();
        assert_eq!(
            fresh.count_unsent_keys(t.plan_keys()),
            fresh.to_send(&calls).len(),
            "{what}"
        );
    }
    assert!(
        all_picked.calls("s").iter().any(|c| c.module != "AccountRemoteRoot"
            && c.module != "PackageRemoteRoot"
            && c.module != "FeatureListRemoteRoot"),
        "a configuration call is among them"
    );
    // Items WHM has or may have are not counted, as they are not sent.
    let calls = root.calls("s");
    let (first, second) = (ItemKey::of(&calls[0]), ItemKey::of(&calls[1]));
    let stored = |k: &ItemKey, outcome| Stored {
        module: k.module.clone(),
        user: k.user.clone(),
        localuser: k.user.clone(),
        outcome,
        call: Vec::new(),
    };
    let restored = QueueState::default().apply(QueueAction::Restore {
        session_id: "s".into(),
        items: vec![
            stored(&first, StoredOutcome::Queued),
            stored(&second, StoredOutcome::Unknown),
        ],
    });
    assert_eq!(
        restored.count_unsent_keys(root.plan_keys()),
        restored.to_send(&calls).len()
    );
    assert_eq!(
        restored.to_send(&calls).len(),
        calls.len() - 2,
        "a queued and an unknown item are not offered again"
    );
}

#[test]
fn a_user_session_queues_the_one_account_it_names() {
    let t = QueueTable::for_user_session("", true);
    assert!(t.is_user_session());
    assert_eq!(t.next_lookup(), None);
    let t = t.apply(target("", "joe"));
    let mut schemas = BTreeMap::new();
    schemas.insert("AccountRemoteUser".to_owned(), account_schema_without(&[]));
    let t = with_schemas(t, account_schema_without(&[]));
    let calls = t.calls("s");
    assert_eq!(calls.len(), 1, "{calls:?}");
    let c = &calls[0];
    assert_eq!(c.module, "AccountRemoteUser");
    assert_eq!(key(c, "user"), Some("joe"));
    assert_eq!(key(c, "localuser"), Some("joe"));
    assert_eq!(key(c, "detected_remote_user"), None);
    assert_eq!(t.next_lookup().as_deref(), Some("joe"));
}

#[test]
fn accepting_fixes_leaves_the_selection_alone_unless_asked() {
    let t = with_schemas(table(analysis(false)), account_schema_without(&[]))
        .apply(TableAction::ProposeFixes {
            settled: Default::default(),
        })
        .apply(TableAction::AcceptFixes {
            select: false,
            settled: Default::default(),
        });
    assert_eq!(t.row("alice").map(|r| r.selected), Some(false));
    assert_ne!(t.row("alice").map(|r| r.account.localuser.as_str()), Some("alice"));
    assert!(
        t.target("alice").valid,
        "the unselected row's own verdict: {:?}",
        t.target("alice")
    );
}

#[test]
fn the_table_knows_when_the_admin_has_changed_it() {
    let t = with_schemas(table(analysis(false)), account_schema_without(&[]));
    assert!(!t.edited, "a fresh table");
    // looking is not changing
    let t = t
        .apply(TableAction::SetFilter(TableQuery {
            owner: Some("res1".into()),
            ..TableQuery::default()
        }))
        .apply(TableAction::ShowMore)
        .apply(TableAction::ProposeFixes {
            settled: Default::default(),
        })
        .apply(TableAction::DiscardFixes)
        .apply(TableAction::ApplyText {
            text: "nosuch\n".into(),
            settled: Default::default(),
        });
    assert!(!t.edited, "a text that does not apply changes nothing");
    for edit in [
        TableAction::Select {
            user: "bob".into(),
            on: false,
        },
        TableAction::SetTarget {
            user: "bob".into(),
            name: "bob2".into(),
        },
        TableAction::ApplyText {
            text: "bob\n".into(),
            settled: Default::default(),
        },
    ] {
        assert!(t.clone().apply(edit.clone()).edited, "{edit:?}");
    }
}
