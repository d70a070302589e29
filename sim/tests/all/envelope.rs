//! §1 envelope: result typing, metadata-only replies, unknown functions, API 0, GET/POST.

use serde_json::{Value, json};

use crate::common::*;

#[tokio::test]
async fn success_result_is_string_one_by_default_and_int_with_flag() {
    let s = sim(&[]).await;
    let v = s.api_json("available_transfer_modules", "").await;
    assert_eq!(v["metadata"]["result"], json!("1"));
    assert_eq!(v["metadata"]["version"], json!(1));
    assert_eq!(v["metadata"]["reason"], json!("OK"));
    assert_eq!(v["metadata"]["command"], json!("available_transfer_modules"));

    let s = sim(&["--int-results"]).await;
    let v = s.api_json("available_transfer_modules", "").await;
    assert_eq!(v["metadata"]["result"], json!(1));
}

#[tokio::test]
async fn failures_are_integer_zero_without_data() {
    for flags in [&[][..], &["--int-results"][..]] {
        let s = sim(flags).await;
        let v = s
            .api_json("get_transfer_session_state", "transfer_session_id=nosuchid")
            .await;
        assert_eq!(
            v,
            json!({"metadata":{"version":1,"command":"get_transfer_session_state","result":0,
                "reason":"The session ID “nosuchid” does not exist."}})
        );
    }
}

#[tokio::test]
async fn metadata_only_replies_have_no_data_key() {
    let s = sim(&[]).await;
    let checks = [
        (
            "enqueue_transfer_item",
            format!("transfer_session_id={DEMO_SESSION}&module=PackageRemoteRoot&package=gold"),
        ),
        (
            "analyze_transfer_session_remote",
            format!("transfer_session_id={DEMO_SESSION}"),
        ),
        ("delete_account_archives", "user=bob".to_string()),
        ("pause_transfer_session", format!("transfer_session_id={STALE_SESSION}")),
        ("abort_transfer_session", format!("transfer_session_id={DEMO_SESSION}")),
    ];
    for (f, p) in checks {
        let v = s.api_json(f, &p).await;
        assert!(ok(&v), "{f}: {v}");
        assert!(v.get("data").is_none(), "{f}: {v}");
        assert_eq!(reason(&v), if f == "pause_transfer_session" { "OK." } else { "OK" });
    }
    // functions with data keep it
    let v = s
        .api_json(
            "get_transfer_session_state",
            &format!("transfer_session_id={DEMO_SESSION}"),
        )
        .await;
    assert!(v.get("data").is_some());
}

#[tokio::test]
async fn raw_body_of_a_metadata_only_reply() {
    let s = sim(&[]).await;
    let r = s
        .api(
            "enqueue_transfer_item",
            &format!("transfer_session_id={DEMO_SESSION}&module=PackageRemoteRoot&package=package1"),
        )
        .await;
    assert_eq!(
        r.body,
        r#"{"metadata":{"version":1,"reason":"OK","result":"1","command":"enqueue_transfer_item"}}"#
    );
    assert!(r.header("content-type").starts_with("application/json"));
}

#[tokio::test]
async fn unknown_function() {
    let s = sim(&[]).await;
    let v = s.api_json("resume_transfer_session", "transfer_session_id=x").await;
    assert_eq!(v["metadata"]["result"], json!(0));
    assert_eq!(
        reason(&v),
        "Unknown app (“resume_transfer_session”) requested for this version (1) of the API."
    );
    assert!(v.get("data").is_none());
}

#[tokio::test]
async fn without_api_version_it_is_legacy_api_0() {
    let s = sim(&[]).await;
    let r = s
        .get(&format!(
            "/cpsess{TOKEN}/json-api/get_transfer_session_state?transfer_session_id={DEMO_SESSION}"
        ))
        .await;
    let v = r.json();
    assert_eq!(
        v["cpanelresult"]["error"],
        json!("Unknown app (get_transfer_session_state) requested for this version (0) of the API.")
    );
    assert_eq!(v["cpanelresult"]["data"]["result"], json!("0"));
    let r = s
        .get(&format!(
            "/cpsess{TOKEN}/json-api/get_transfer_session_state?api.version=2&transfer_session_id={DEMO_SESSION}"
        ))
        .await;
    assert!(r.json().get("cpanelresult").is_some());
}

#[tokio::test]
async fn get_query_and_post_body_merge_with_body_winning() {
    let s = sim(&[]).await;
    let r = s
        .get(&format!(
            "/cpsess{TOKEN}/json-api/validate_system_user?api.version=1&user=root"
        ))
        .await;
    assert_eq!(r.json()["data"]["exists"], json!(1));
    // api.version only in the body; user in both (body wins)
    let r = s
        .post_form(
            &format!("/cpsess{TOKEN}/json-api/validate_system_user?user=root"),
            "api.version=1&user=zzznotthere",
        )
        .await;
    let v = r.json();
    assert_eq!(v["data"]["exists"], json!(0), "{v}");
    assert_eq!(v["data"]["reserved"], json!(0));
}

#[tokio::test]
async fn validate_system_user_per_section_5() {
    let s = sim(&[]).await;
    let cases: [(&str, [i64; 4]); 10] = [
        // exists, reserved, valid_for_transfer, valid_for_new
        ("root", [1, 1, 1, 1]),
        ("nobody", [1, 1, 1, 1]),
        ("you", [1, 0, 1, 1]),
        ("bob", [0, 0, 1, 1]),
        ("shop_one", [0, 0, 1, 0]),
        ("testsite", [0, 1, 1, 1]),
        ("averyveryverylongname", [0, 0, 0, 0]),
        ("mailer-daemon", [0, 1, 1, 0]),
        ("1abc", [0, 0, 0, 0]),
        ("Bob", [0, 0, 0, 0]),
    ];
    for (u, [e, r, t, n]) in cases {
        let v = s.api_json("validate_system_user", &format!("user={u}")).await;
        assert_eq!(
            v["data"],
            json!({"exists": e, "reserved": r, "valid_for_transfer": t, "valid_for_new": n}),
            "{u}"
        );
    }
    let v = s.api_json("validate_system_user", "").await;
    assert_eq!(reason(&v), "No user name supplied: “user” is a required argument.");
    assert_eq!(v["metadata"]["result"], Value::from(0));
}

#[tokio::test]
async fn missing_and_malformed_session_ids() {
    let s = sim(&[]).await;
    let v = s.api_json("get_transfer_session_state", "").await;
    assert_eq!(reason(&v), "Provide the “transfer_session_id” parameter.");
    let v = s
        .api_json("get_transfer_session_state", "transfer_session_id=a-b")
        .await;
    assert_eq!(
        reason(&v),
        "The session ID “a-b” may only contain alphanumeric characters and underscores."
    );
    let v = s
        .api_json("analyze_transfer_session_remote", "transfer_session_id=")
        .await;
    assert_eq!(reason(&v), "Provide the “transfer_session_id” parameter.");
}
