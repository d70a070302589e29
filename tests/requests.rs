//! Request rendering: exact parameter names, `api.version=1`, and secrets only ever in POST bodies.
#![cfg(not(target_arch = "wasm32"))]

use whm_transfer_console::whm::request::{self as rq, AccountItem, Call, CommTransport, Escalation, Request, Secret};

const TOKEN: &str = "/cpsess0123456789";

fn names(call: &Call) -> Vec<&str> {
    call.params.iter().map(|(n, _)| n.as_str()).collect()
}

/// Every request type, with secrets set wherever the function takes one.
fn every_call() -> Vec<Call> {
    let pw = Secret::new("luggage12345");
    vec![
        rq::abort_transfer_session("s1").call(),
        rq::analyze_transfer_session_remote("s1").call(),
        rq::available_transfer_modules().call(),
        rq::CreateRemoteRootTransferSession {
            host: "remote.example.com".into(),
            password: Some(pw.clone()),
            root_escalation_method: Some(Escalation::Su),
            root_password: Some(Secret::new("R00Tpw pass&=?")),
            sshkey_name: Some("key1".into()),
            sshkey_passphrase: Some(Secret::new("PHRASE9/with#hash")),
            comm_transport: CommTransport::WhostmgrInsecure,
            ..Default::default()
        }
        .call(),
        rq::create_remote_user_transfer_session("remote.example.com", pw.clone()).call(),
        rq::delete_account_archives("bob").call(),
        rq::enqueue_transfer_item("s1", "PackageRemoteRoot", vec![("package".into(), "package1".into())]).call(),
        rq::fetch_transfer_session_log("s1", "master.log").call(),
        rq::get_transfer_session_state("s1").call(),
        rq::pause_transfer_session("s1").call(),
        rq::restore_modules_summary().call(),
        rq::retrieve_transfer_session_remote_analysis("s1").call(),
        rq::start_transfer_session("s1").call(),
        rq::transfer_module_schema("AccountRemoteRoot").call(),
        rq::start_local_cpmove_restore("/home/cpmove-bob.tar.gz").call(),
        rq::validate_system_user("bob").call(),
        rq::RemoteBasicCredentialCheck {
            root_password: Some(Secret::new("r00tcheck")),
            sshkey_passphrase: Some(Secret::new("ppcheck")),
            ..rq::remote_basic_credential_check("remote.example.com", "admin", pw)
        }
        .call(),
    ]
}

#[test]
fn every_function_is_covered_with_its_exact_name() {
    let mut fns: Vec<_> = every_call().iter().map(|c| c.function).collect();
    fns.sort_unstable();
    assert_eq!(
        fns,
        [
            "abort_transfer_session",
            "analyze_transfer_session_remote",
            "available_transfer_modules",
            "create_remote_root_transfer_session",
            "create_remote_user_transfer_session",
            "delete_account_archives",
            "enqueue_transfer_item",
            "fetch_transfer_session_log",
            "get_transfer_session_state",
            "pause_transfer_session",
            "remote_basic_credential_check",
            "restore_modules_summary",
            "retrieve_transfer_session_remote_analysis",
            "start_local_cpmove_restore",
            "start_transfer_session",
            "transfer_module_schema",
            "validate_system_user",
        ]
    );
}

#[test]
fn urls_carry_no_parameters_and_no_secret() {
    for call in every_call() {
        let path = call.path(TOKEN);
        assert_eq!(path, format!("{TOKEN}/json-api/{}", call.function));
        assert!(!path.contains('?'), "{path}");
        let described = call.describe();
        for secret in ["luggage12345", "R00Tpw", "PHRASE9", "r00tcheck", "ppcheck"] {
            assert!(!path.contains(secret), "{path}");
            assert!(!described.contains(secret), "describe() leaks: {described}");
            assert!(!format!("{call:?}").contains(secret), "Debug leaks a secret");
        }
        assert!(call.form_body().starts_with("api.version=1"), "{}", call.function);
    }
}

#[test]
fn secrets_travel_encoded_in_the_body() {
    let calls = every_call();
    let root = calls
        .iter()
        .find(|c| c.function == "create_remote_root_transfer_session")
        .unwrap();
    assert!(root.has_secret());
    let body = root.form_body();
    assert!(body.contains("&password=luggage12345"));
    assert!(body.contains("&root_password=R00Tpw+pass%26%3D%3F"), "{body}");
    assert!(body.contains("&sshkey_passphrase=PHRASE9%2Fwith%23hash"));
    assert!(root.describe().contains("password=***"));
}

#[test]
fn root_session_sends_every_documented_parameter() {
    let call = rq::create_remote_root_transfer_session("remote.example.com", "root", Secret::new("x")).call();
    assert_eq!(
        names(&call),
        [
            "host",
            "user",
            "password",
            "port",
            "comm_transport",
            "transfer_threads",
            "restore_threads",
            "unrestricted_restore",
            "copy_reseller_privs",
            "compressed",
            "unencrypted",
            "use_backups",
            "low_priority",
            "enable_custom_pkgacct"
        ]
    );
    assert_eq!(call.param("port"), Some("22"));
    assert_eq!(call.param("comm_transport"), Some("ssh"));
    assert_eq!(call.param("transfer_threads"), Some("1"));
    assert_eq!(
        call.param("unrestricted_restore"),
        Some("0"),
        "booleans as 1/0, never true/false"
    );
    assert!(call.mutating);
    assert!(call.timeout_ms >= 300_000, "remote calls are slow");
}

#[test]
fn user_session_has_no_user_parameter() {
    let call = rq::create_remote_user_transfer_session("h", Secret::new("x")).call();
    assert_eq!(names(&call), ["host", "password", "unrestricted_restore"]);
    assert_eq!(call.param("unrestricted_restore"), Some("1"));
}

#[test]
fn reads_are_not_mutating_and_writes_are() {
    for call in every_call() {
        let expect = matches!(
            call.function,
            "abort_transfer_session"
                | "analyze_transfer_session_remote"
                | "create_remote_root_transfer_session"
                | "create_remote_user_transfer_session"
                | "delete_account_archives"
                | "enqueue_transfer_item"
                | "pause_transfer_session"
                | "start_transfer_session"
                | "start_local_cpmove_restore"
        );
        assert_eq!(call.mutating, expect, "{}", call.function);
    }
}

#[test]
fn account_items_render_like_the_guide_and_always_send_skipres() {
    let item = AccountItem {
        user: "user".into(),
        localuser: "username".into(),
        domain: Some("example.com".into()),
        size: Some(123_456_789),
        replaceip: Some("all".into()),
        skipres: true,
        live_transfer: true,
        ..Default::default()
    }
    .into_request("remoteexamplecopya20140211211719FxjU", "AccountRemoteRoot");
    let body = item.call().form_body();
    assert!(body.starts_with(
        "api.version=1&transfer_session_id=remoteexamplecopya20140211211719FxjU&module=AccountRemoteRoot&user=user&localuser=username&domain=example.com&size=123456789&detected_remote_user=user"
    ), "{body}");
    for kv in ["&replaceip=all", "&skipres=1", "&live_transfer=1", "&force=0", "&ip=0"] {
        assert!(body.contains(kv), "{kv} in {body}");
    }
    let user = AccountItem {
        user: "u".into(),
        localuser: "u".into(),
        ..Default::default()
    }
    .into_request("s", "AccountRemoteUser");
    let call = user.call();
    assert_eq!(call.param("skipres"), Some("0"));
    assert_eq!(call.param("detected_remote_user"), None, "only for root sessions");
}

#[test]
fn enqueue_never_duplicates_session_or_module() {
    let call = rq::enqueue_transfer_item(
        "s",
        "PackageRemoteRoot",
        vec![("module".into(), "X".into()), ("package".into(), "p 1".into())],
    )
    .call();
    assert_eq!(names(&call), ["transfer_session_id", "module", "package"]);
    assert_eq!(
        call.form_body(),
        "api.version=1&transfer_session_id=s&module=PackageRemoteRoot&package=p+1"
    );
}

#[test]
fn form_encoding_handles_unicode() {
    let call = rq::validate_system_user("ñ é/").call();
    assert_eq!(call.form_body(), "api.version=1&user=%C3%B1+%C3%A9%2F");
}

#[test]
fn session_ids_are_checked_like_whm() {
    assert!(rq::check_session_id("exampleservercopya20140206192428NtyW").is_ok());
    assert_eq!(
        rq::check_session_id("bad id").unwrap_err(),
        "The session ID “bad id” may only contain alphanumeric characters and underscores."
    );
    assert!(rq::check_session_id("").is_err());
    assert!(rq::check_session_id("a-b").is_err());
}
