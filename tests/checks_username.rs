//! Table tests of the cPanel username rules (docs/whm-api.md §5.1–§5.3).
#![cfg(not(target_arch = "wasm32"))]

use std::collections::HashSet;
use whm_transfer_console::checks::username::{
    RESERVED_NAMES, RESERVED_PREFIXES, RESERVED_SUFFIXES, dbowner, first_n_key, matches_new_account_regex,
    matches_transfer_regex,
};
use whm_transfer_console::checks::{Purpose, Rule, RuleContext, check_bulk, check_username};

use Purpose::{NewAccount, Transfer};

/// Named contexts for the tables.
#[derive(Clone, Copy, Debug)]
enum Ctx {
    Default,
    NoPrefixing,
    /// Prefix length 8, DB owners `alice`, `abcdefghxyz`, `mixed_case.owner`.
    Short,
    /// Prefix length 16, DB owners `alice`, `abcdefghijklmnop`.
    Long,
    /// The alias `mailer-daemon` is reserved.
    Aliases,
}

fn ctx(c: Ctx) -> RuleContext {
    let mut r = RuleContext::default();
    match c {
        Ctx::Default => {}
        Ctx::NoPrefixing => r.db_prefixing = false,
        Ctx::Short => {
            r.prefix_length = 8;
            r.local_db_owners = ["alice", "abcdefghxyz", "mixed_case.owner"].map(String::from).into();
        }
        Ctx::Long => {
            r.local_db_owners = ["alice", "abcdefghijklmnop"].map(String::from).into();
        }
        Ctx::Aliases => {
            r.extra_reserved.insert("mailer-daemon".into());
        }
    }
    r
}

fn ids(name: &str, purpose: Purpose, c: Ctx) -> Vec<&'static str> {
    check_username(name, &ctx(c), purpose).rule_ids()
}

#[test]
fn exact_rule_lists() {
    let sixteen = "abcdefghijklmnop";
    let seventeen = "abcdefghijklmnopq";
    let n16 = "ñ".repeat(16);
    let cases: &[(&str, Purpose, Ctx, &[&str])] = &[
        ("bob", Transfer, Ctx::Default, &[]),
        ("bob", NewAccount, Ctx::Default, &[]),
        ("", Transfer, Ctx::Default, &["empty"]),
        ("", NewAccount, Ctx::Default, &["empty"]),
        (sixteen, Transfer, Ctx::Default, &[]),
        (seventeen, Transfer, Ctx::Default, &["too-long"]),
        (&n16, Transfer, Ctx::Default, &["bad-char"]),
        ("ñandu", Transfer, Ctx::Default, &["bad-char"]),
        ("Bob", Transfer, Ctx::Default, &["uppercase"]),
        ("BOBBYTABLESXXXXXX", Transfer, Ctx::Default, &["too-long", "uppercase"]),
        ("bob smith", Transfer, Ctx::Default, &["bad-char"]),
        (" bob", Transfer, Ctx::Default, &["bad-char"]),
        ("bob\n", Transfer, Ctx::Default, &["bad-char"]),
        ("\t", Transfer, Ctx::Default, &["bad-char"]),
        ("bob🙂", Transfer, Ctx::Default, &["bad-char"]),
        ("1abc", Transfer, Ctx::Default, &["bad-first-char"]),
        ("-abc", Transfer, Ctx::Default, &["bad-first-char"]),
        (".abc", Transfer, Ctx::Default, &["bad-first-char"]),
        ("_x", Transfer, Ctx::Default, &[]),
        ("_x", NewAccount, Ctx::Default, &["underscore-with-db-prefix"]),
        ("_x", NewAccount, Ctx::NoPrefixing, &[]),
        ("a_b", Transfer, Ctx::Default, &[]),
        ("a_b", NewAccount, Ctx::Default, &["underscore-with-db-prefix"]),
        ("a_b", NewAccount, Ctx::NoPrefixing, &[]),
        ("a.b", Transfer, Ctx::Default, &[]),
        ("a.b", NewAccount, Ctx::Default, &["dot-in-new-account"]),
        ("a.b", NewAccount, Ctx::NoPrefixing, &["dot-in-new-account"]),
        ("a-b", Transfer, Ctx::Default, &[]),
        ("a-b", NewAccount, Ctx::Default, &["bad-char"]),
        ("root", Transfer, Ctx::Default, &["reserved-name"]),
        ("ROOT", Transfer, Ctx::Default, &["uppercase", "reserved-name"]),
        ("rooty", Transfer, Ctx::Default, &[]),
        ("_lock", Transfer, Ctx::Default, &["reserved-name"]),
        (
            "cpanel-ccs",
            Transfer,
            Ctx::Default,
            &["reserved-name", "reserved-prefix"],
        ),
        ("mailer-daemon", Transfer, Ctx::Default, &[]),
        ("mailer-daemon", Transfer, Ctx::Aliases, &["reserved-name"]),
        ("test", Transfer, Ctx::Default, &["reserved-prefix"]),
        ("tester", Transfer, Ctx::Default, &["reserved-prefix"]),
        ("testing1", Transfer, Ctx::Default, &["reserved-prefix"]),
        ("cpanelx", Transfer, Ctx::Default, &["reserved-prefix"]),
        ("atest", Transfer, Ctx::Default, &[]),
        ("password", Transfer, Ctx::Default, &["reserved-suffix"]),
        ("mypassword", Transfer, Ctx::Default, &["reserved-suffix"]),
        ("abc.lock", Transfer, Ctx::Default, &["reserved-suffix"]),
        (
            "abc.lock",
            NewAccount,
            Ctx::Default,
            &["dot-in-new-account", "reserved-suffix"],
        ),
        ("abclock", Transfer, Ctx::Default, &[]),
        ("passwor", Transfer, Ctx::Default, &[]),
        (
            "123",
            Transfer,
            Ctx::Default,
            &["bad-first-char", "digits-and-punctuation-only"],
        ),
        ("_1", Transfer, Ctx::Default, &["digits-and-punctuation-only"]),
        ("_", Transfer, Ctx::Default, &["digits-and-punctuation-only"]),
        ("_1a", Transfer, Ctx::Default, &[]),
        ("alice", Transfer, Ctx::Long, &["prefix-collision"]),
        ("al_ice", Transfer, Ctx::Long, &["prefix-collision"]),
        ("a.lice", Transfer, Ctx::Long, &["prefix-collision"]),
        ("alicia", Transfer, Ctx::Long, &[]),
        ("mixedcaseowner", Transfer, Ctx::Short, &["prefix-collision"]),
        // 8 characters share the first 8 of `abcdefghxyz`; 7 are too short to be compared.
        ("abcdefgh", Transfer, Ctx::Short, &["prefix-collision"]),
        ("abcdefg", Transfer, Ctx::Short, &[]),
        ("abcdefgz", Transfer, Ctx::Short, &[]),
        ("abcdefghijklmnoq", Transfer, Ctx::Long, &[]),
        (seventeen, Transfer, Ctx::Long, &["too-long", "prefix-collision"]),
    ];
    for (name, purpose, c, want) in cases {
        assert_eq!(ids(name, *purpose, *c), *want, "{name:?} {purpose:?} {c:?}");
    }
}

/// For every rule: names that break it and names that do not, in the context where it matters.
#[test]
fn every_rule_accepts_and_rejects() {
    type Case = (&'static str, Purpose, Ctx);
    let table: &[(Rule, &[Case], &[Case])] = &[
        (
            Rule::Empty,
            &[("", Transfer, Ctx::Default)],
            &[("a", Transfer, Ctx::Default), (" ", Transfer, Ctx::Default)],
        ),
        (
            Rule::TooLong,
            &[
                ("abcdefghijklmnopq", Transfer, Ctx::Default),
                ("abcdefghijklmnopq", NewAccount, Ctx::Default),
            ],
            &[
                ("abcdefghijklmnop", Transfer, Ctx::Default),
                ("ññññññññññññññññ", Transfer, Ctx::Default),
            ],
        ),
        (
            Rule::Uppercase,
            &[("Bob", Transfer, Ctx::Default), ("bOB", NewAccount, Ctx::Default)],
            &[("bob", Transfer, Ctx::Default), ("Ñandu", Transfer, Ctx::Default)],
        ),
        (
            Rule::BadChar,
            &[
                ("ñandu", Transfer, Ctx::Default),
                ("a b", Transfer, Ctx::Default),
                ("a-b", NewAccount, Ctx::Default),
                ("Ñandu", Transfer, Ctx::Default),
            ],
            &[("a-b.c_d", Transfer, Ctx::Default), ("Bob", Transfer, Ctx::Default)],
        ),
        (
            Rule::BadFirstChar,
            &[
                ("1a", Transfer, Ctx::Default),
                ("-a", Transfer, Ctx::Default),
                (".a", Transfer, Ctx::Default),
            ],
            &[
                ("a1", Transfer, Ctx::Default),
                ("_a", Transfer, Ctx::Default),
                ("", Transfer, Ctx::Default),
            ],
        ),
        (
            Rule::UnderscoreWithDbPrefix,
            &[("a_b", NewAccount, Ctx::Default)],
            &[
                ("a_b", Transfer, Ctx::Default),
                ("a_b", NewAccount, Ctx::NoPrefixing),
                ("ab", NewAccount, Ctx::Default),
            ],
        ),
        (
            Rule::DotInNewAccount,
            &[("a.b", NewAccount, Ctx::Default), ("a.b", NewAccount, Ctx::NoPrefixing)],
            &[("a.b", Transfer, Ctx::Default), ("ab", NewAccount, Ctx::Default)],
        ),
        (
            Rule::ReservedName,
            &[
                ("root", Transfer, Ctx::Default),
                ("nobody", NewAccount, Ctx::Default),
                ("mailer-daemon", Transfer, Ctx::Aliases),
            ],
            &[
                ("rooty", Transfer, Ctx::Default),
                ("mailer-daemon", Transfer, Ctx::Default),
            ],
        ),
        (
            Rule::ReservedPrefix,
            &[
                ("test", Transfer, Ctx::Default),
                ("tester", Transfer, Ctx::Default),
                ("passwd.x", Transfer, Ctx::Default),
                ("pg_tempx", Transfer, Ctx::Default),
            ],
            &[
                ("atest", Transfer, Ctx::Default),
                ("tes", Transfer, Ctx::Default),
                ("passwdx", Transfer, Ctx::Default),
            ],
        ),
        (
            Rule::ReservedSuffix,
            &[
                ("password", Transfer, Ctx::Default),
                ("abc.lock", Transfer, Ctx::Default),
                ("x.json", Transfer, Ctx::Default),
                ("x.db", Transfer, Ctx::Default),
            ],
            &[
                ("abclock", Transfer, Ctx::Default),
                ("passwords", Transfer, Ctx::Default),
                ("xdb", Transfer, Ctx::Default),
            ],
        ),
        (
            Rule::DigitsAndPunctuationOnly,
            &[
                ("123", Transfer, Ctx::Default),
                ("_1", Transfer, Ctx::Default),
                ("1.2-3_", Transfer, Ctx::Default),
            ],
            &[
                ("a123", Transfer, Ctx::Default),
                ("_1a", Transfer, Ctx::Default),
                ("", Transfer, Ctx::Default),
            ],
        ),
        (
            Rule::PrefixCollision,
            &[
                ("alice", Transfer, Ctx::Long),
                ("al_ice", NewAccount, Ctx::Long),
                ("abcdefgh", Transfer, Ctx::Short),
                ("abcdefghijklmnopz", Transfer, Ctx::Long),
            ],
            &[
                ("alicia", Transfer, Ctx::Long),
                ("abcdefg", Transfer, Ctx::Short),
                ("alice", Transfer, Ctx::Default),
                ("abcdefghijklmnoz", Transfer, Ctx::Long),
            ],
        ),
    ];
    let covered: HashSet<Rule> = table.iter().map(|(r, ..)| *r).collect();
    assert_eq!(covered.len(), Rule::ALL.len(), "every rule has a row");
    for (rule, rejects, accepts) in table {
        assert!(!rejects.is_empty() && !accepts.is_empty(), "{rule:?}");
        for (name, purpose, c) in *rejects {
            let v = check_username(name, &ctx(*c), *purpose);
            assert!(
                v.breaks(*rule),
                "{name:?} {purpose:?} {c:?} should break {}: {:?}",
                rule.id(),
                v.rule_ids()
            );
            assert!(!v.is_ok());
        }
        for (name, purpose, c) in *accepts {
            let v = check_username(name, &ctx(*c), *purpose);
            assert!(
                !v.breaks(*rule),
                "{name:?} {purpose:?} {c:?} should not break {}",
                rule.id()
            );
        }
    }
}

#[test]
fn rule_ids_are_stable() {
    let ids: Vec<&str> = Rule::ALL.iter().map(|r| r.id()).collect();
    assert_eq!(
        ids,
        [
            "empty",
            "too-long",
            "uppercase",
            "bad-char",
            "bad-first-char",
            "underscore-with-db-prefix",
            "dot-in-new-account",
            "reserved-name",
            "reserved-prefix",
            "reserved-suffix",
            "digits-and-punctuation-only",
            "prefix-collision",
        ]
    );
    for r in Rule::ALL {
        assert_eq!(Rule::from_id(r.id()), Some(r));
    }
    assert_eq!(Rule::from_id("nope"), None);
}

#[test]
fn reserved_lists_match_the_reference() {
    // Names docs/whm-api.md §5.2 lists, from each corner of the list: the system's own accounts,
    // cPanel's services, the database schemas and the lock name.
    for known in [
        "root",
        "toor",
        "nobody",
        "all",
        "cpses",
        "cphulkd",
        "whmxfer",
        "mailman",
        "dovecot",
        "postgres",
        "information_schema",
        "performance_schema",
        "virtfs",
        "_lock",
    ] {
        assert!(RESERVED_NAMES.contains(&known), "{known} is listed");
    }
    // The list is the exact names only: prefixes and suffixes are separate rules, and every entry is
    // a distinct name a cPanel account could otherwise have (lowercase, not empty).
    assert_eq!(
        RESERVED_NAMES.iter().collect::<HashSet<_>>().len(),
        RESERVED_NAMES.len(),
        "no duplicates"
    );
    for name in RESERVED_NAMES {
        assert!(!name.is_empty() && name.to_lowercase() == name, "{name}");
    }
    for name in ["test", "tester", "password", "abc.lock", "bob", "alice"] {
        assert!(!RESERVED_NAMES.contains(&name), "{name} is not in the exact list");
    }
    for name in RESERVED_NAMES {
        let v = check_username(name, &RuleContext::default(), Transfer);
        assert!(v.reserved && v.breaks(Rule::ReservedName), "{name}");
    }
    for p in RESERVED_PREFIXES {
        assert!(
            check_username(&format!("{p}x"), &RuleContext::default(), Transfer).breaks(Rule::ReservedPrefix),
            "{p}"
        );
    }
    for s in RESERVED_SUFFIXES {
        assert!(
            check_username(&format!("x{s}"), &RuleContext::default(), Transfer).breaks(Rule::ReservedSuffix),
            "{s}"
        );
    }
}

#[test]
fn regex_flags_follow_the_two_regexes() {
    let c = RuleContext::default();
    let flags = |name: &str, c: &RuleContext| {
        let v = check_username(name, c, Transfer);
        (v.valid_for_transfer, v.valid_for_new)
    };
    assert_eq!(flags("bob", &c), (true, true));
    assert_eq!(
        flags("a_b", &c),
        (true, false),
        "valid_for_new is computed for transfers too"
    );
    assert_eq!(flags("a.b", &c), (true, false));
    assert_eq!(flags("a-b", &c), (true, false));
    assert_eq!(flags("Bob", &c), (false, false));
    assert_eq!(flags("1bob", &c), (false, false));
    assert_eq!(flags("", &c), (false, false));
    assert_eq!(flags("abcdefghijklmnop", &c), (true, true));
    assert_eq!(flags("abcdefghijklmnopq", &c), (false, false));
    // Reserved names still match the regexes: WHM reports the two separately.
    assert_eq!(flags("root", &c), (true, true));
    let off = RuleContext {
        db_prefixing: false,
        ..RuleContext::default()
    };
    assert_eq!(flags("a_b", &off), (true, true));
    assert_eq!(flags("_ab", &off), (true, true));
    assert_eq!(flags("a.b", &off), (true, false));
    assert!(matches_transfer_regex("_"));
    assert!(!matches_new_account_regex("_", true));
    assert!(matches_new_account_regex("_", false));
}

#[test]
fn explanations_use_whm_wording_on_one_line() {
    let mut c = ctx(Ctx::Short);
    c.local_users.insert("you".into());
    c.local_groups.insert("you".into());
    let v = check_username("root", &c, Transfer);
    assert_eq!(
        v.violation(Rule::ReservedName).unwrap().explanation,
        "“root” is a reserved username on this system."
    );
    let v = check_username("alice", &c, Transfer);
    assert_eq!(
        v.violation(Rule::PrefixCollision).unwrap().explanation,
        "This system already has a database owner named “alice”."
    );
    let v = check_username("abcdefghijk", &c, Transfer);
    let e = &v.violation(Rule::PrefixCollision).unwrap().explanation;
    assert!(
        e.starts_with(
            "The name of another account on this server has the same initial 8 characters as the given username (abcdefghijk). Each username’s first 8 characters must be unique."
        ),
        "{e}"
    );
    let v = check_username("you", &c, Transfer);
    let texts: Vec<(&str, &str)> = v
        .conflicts
        .iter()
        .map(|c| (c.kind.id(), c.explanation.as_str()))
        .collect();
    assert_eq!(
        texts,
        [
            ("user-exists", "This system already has an account named “you”."),
            ("group-exists", "This system already has a group named “you”."),
        ]
    );
    assert!(v.violations.is_empty() && v.exists_as_user && v.exists_as_group && !v.is_ok());

    // A newline in the name does not break the one-line explanation.
    let v = check_username("a\nb\u{202e}", &c, Transfer);
    for x in &v.violations {
        assert!(
            !x.explanation.contains('\n') && !x.explanation.contains('\u{202e}'),
            "{}",
            x.explanation
        );
        assert!(!x.fix.is_empty());
    }
    let v = check_username("Bob", &c, Transfer);
    assert_eq!(v.violation(Rule::Uppercase).unwrap().fix, "Use “bob”.");
}

#[test]
fn existing_users_and_groups_are_flags_not_rules() {
    let mut c = RuleContext::default();
    c.local_users.insert("let".into());
    c.local_groups.insert("give".into());
    let v = check_username("let", &c, Transfer);
    assert!(v.exists_as_user && !v.exists_as_group && v.violations.is_empty() && !v.is_ok());
    let v = check_username("give", &c, Transfer);
    assert!(!v.exists_as_user && v.exists_as_group && !v.is_ok());
    let v = check_username("other", &c, Transfer);
    assert!(v.is_ok() && v.suggestion.is_none());
}

#[test]
fn suggestions_are_near_and_pass() {
    let mut c = ctx(Ctx::Short);
    c.local_users.extend(["bob", "bob1"].map(String::from));
    let cases: &[(&str, Purpose, &str)] = &[
        ("Bob", Transfer, "bob2"),
        ("bob", Transfer, "bob2"),
        ("Ñandú", Transfer, "nandu"),
        ("root", Transfer, "root1"),
        ("tester", Transfer, "utester"),
        ("password", Transfer, "password1"),
        ("abc.lock", Transfer, "abc.lock1"),
        ("abc.lock", NewAccount, "abclock"),
        ("123", Transfer, "u123"),
        ("1abc", Transfer, "abc"),
        ("", Transfer, "user"),
        ("a_b", NewAccount, "ab"),
        ("john smith", Transfer, "johnsmith"),
        ("zyxwvutsrqponmlkjih", Transfer, "zyxwvutsrqponmlk"),
        // First 8 characters collide with the owner `abcdefghxyz`: the suggestion changes them.
        ("abcdefghij", Transfer, "abcdefg1"),
    ];
    for (name, purpose, want) in cases {
        let v = check_username(name, &c, *purpose);
        assert_eq!(v.suggestion.as_deref(), Some(*want), "{name:?} {purpose:?}");
        assert!(check_username(want, &c, *purpose).is_ok(), "{want}");
    }
}

#[test]
fn bulk_flags_every_pair_with_the_same_first_n_key() {
    let c = RuleContext {
        prefix_length: 8,
        ..RuleContext::default()
    };
    let names: Vec<String> = [
        "abcdefgh1",
        "abcdefgh2",
        "other",
        "ab_cdefgh3",
        "Other",
        "solo",
        "other",
    ]
    .map(String::from)
    .to_vec();
    let report = check_bulk(&names, &c, Transfer);
    let groups: Vec<(&[usize], &str)> = report
        .collisions
        .iter()
        .map(|x| (x.members.as_slice(), x.key.as_str()))
        .collect();
    assert_eq!(groups, [(&[0, 1, 3][..], "abcdefgh"), (&[2, 4, 6][..], "other")]);
    assert_eq!(report.collisions.iter().map(|c| c.pair_count()).sum::<usize>(), 6);
    for (i, v) in report.verdicts.iter().enumerate() {
        assert_eq!(v.breaks(Rule::PrefixCollision), i != 5, "{i}");
    }
    let e = &report.verdicts[0].violation(Rule::PrefixCollision).unwrap().explanation;
    assert!(
        e.contains("“abcdefgh2”") && e.contains("“ab_cdefgh3”") && e.contains("8 characters"),
        "{e}"
    );
    let e = &report.verdicts[2].violation(Rule::PrefixCollision).unwrap().explanation;
    assert!(e.contains("another “other”") && e.contains("“Other”"), "{e}");

    // Suggestions avoid every key of the list and each other, and pass on their own.
    let mut seen = HashSet::new();
    for (i, v) in report.verdicts.iter().enumerate() {
        if v.is_ok() {
            assert!(v.suggestion.is_none());
            continue;
        }
        let s = v.suggestion.clone().expect("a suggestion");
        assert!(check_username(&s, &c, Transfer).is_ok(), "{s}");
        let key = first_n_key(&s, 8);
        assert!(seen.insert(key.clone()), "{s} given twice");
        for (j, n) in names.iter().enumerate() {
            assert!(j == i || first_n_key(n, 8) != key, "{s} collides with {n}");
        }
    }
}

#[test]
fn bulk_keeps_local_collisions_and_adds_the_list() {
    let mut c = ctx(Ctx::Long);
    c.local_users.insert("carol".into());
    let names: Vec<String> = ["alice", "al.ice", "carol", "dave"].map(String::from).to_vec();
    let report = check_bulk(&names, &c, Transfer);
    let e = &report.verdicts[0].violation(Rule::PrefixCollision).unwrap().explanation;
    assert!(
        e.starts_with("This system already has a database owner named “alice”.") && e.contains("“al.ice”"),
        "{e}"
    );
    assert_eq!(report.verdicts[0].violations.len(), 1, "one violation per rule");
    assert!(report.verdicts[2].exists_as_user && !report.verdicts[2].breaks(Rule::PrefixCollision));
    assert!(report.verdicts[3].is_ok());
    assert_eq!(report.collisions.len(), 1);
}

#[test]
fn a_huge_shared_prefix_stays_linear() {
    // 10,000 names with one first-8 key: 49,995,000 pairs, kept as one group.
    let names: Vec<String> = (0..10_000).map(|i| format!("customer{i:05}")).collect();
    let report = check_bulk(&names, &ctx(Ctx::Short), Transfer);
    assert_eq!(report.collisions.len(), 1);
    assert_eq!(report.collisions[0].members.len(), 10_000);
    assert_eq!(report.collisions[0].pair_count(), 49_995_000);
    let e = &report.verdicts[0].violation(Rule::PrefixCollision).unwrap().explanation;
    assert!(e.contains("and 9996 more"), "names at most three others: {e}");
}

#[test]
fn keys_and_db_owners() {
    assert_eq!(dbowner("a_b.c"), "abc");
    assert_eq!(first_n_key("Ab_cdefghijk", 8), "abcdefgh");
    assert_eq!(first_n_key("ñ_ñ", 1), "ñ");
    assert_eq!(first_n_key("abc", 0), "abc", "0 means the default 16");
    let c = RuleContext {
        prefix_length: 0,
        ..ctx(Ctx::Long)
    };
    assert!(check_username("abcdefghijklmnopz", &c, Transfer).breaks(Rule::PrefixCollision));
}

#[test]
fn context_from_the_populated_analysis() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/populated-analysis.json"
    ))
    .unwrap();
    let analysis: whm_transfer_console::whm::Analysis = whm_transfer_console::whm::decode_saved(&text).unwrap();
    let c = RuleContext::from_analysis(&analysis);
    assert_eq!(c.prefix_length, 16, "MariaDB 10.6");
    assert!(c.db_prefixing);
    assert!(c.local_users.contains("alice") && c.local_groups.contains("alice"));
    assert_eq!(c.local_db_owners, HashSet::from(["alice".to_owned()]));
    assert!(check_username("al_ice", &c, Transfer).breaks(Rule::PrefixCollision));
    assert_eq!(
        RuleContext::from_analysis(&Default::default()).prefix_length,
        8,
        "unknown server: WHM falls back to 8"
    );
}
