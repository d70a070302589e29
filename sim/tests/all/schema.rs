//! `/__sim/schema` (a WHM whose schema lacks some keys) and cPanel-user sessions that log in to the
//! source with the account's own password.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::common::*;

const DROP_LIVE: &str = r#"{"module":"AccountRemoteRoot","drop":["live_transfer"]}"#;

async fn schema_keys(s: &Sim, module: &str) -> Vec<String> {
    let v = s.api_json("transfer_module_schema", &format!("module={module}")).await;
    assert!(ok(&v), "{v}");
    v["data"]["schema"]["keys"]
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

async fn enqueue_live(s: &Sim, user: &str) -> Value {
    s.enqueue_account(DEMO_SESSION, user, "live_transfer=1").await
}

#[tokio::test]
async fn a_dropped_key_leaves_the_schema_and_is_refused_on_enqueue_until_restored() {
    let s = sim(&[]).await;
    assert!(
        schema_keys(&s, "AccountRemoteRoot")
            .await
            .contains(&"live_transfer".to_string())
    );
    let r = s.post_json("/__sim/schema", DROP_LIVE).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["dropped"], json!({"AccountRemoteRoot": ["live_transfer"]}));
    assert_eq!(s.get("/__sim/schema").await.json(), r.json());

    let keys = schema_keys(&s, "AccountRemoteRoot").await;
    assert!(!keys.contains(&"live_transfer".to_string()), "{keys:?}");
    assert_eq!(keys.len(), 32, "only that key is gone");
    assert!(
        schema_keys(&s, "AccountRemoteUser")
            .await
            .contains(&"live_transfer".to_string()),
        "other modules keep their schema"
    );
    let v = enqueue_live(&s, "example").await;
    assert_eq!(
        reason(&v),
        "The “live_transfer” parameter is not valid for the “AccountRemoteRoot” module."
    );
    assert!(
        ok(&s.enqueue_account(DEMO_SESSION, "example", "").await),
        "other keys still work"
    );

    // DELETE restores every schema
    let r = s.delete("/__sim/schema").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        schema_keys(&s, "AccountRemoteRoot")
            .await
            .contains(&"live_transfer".to_string())
    );
    assert!(ok(&enqueue_live(&s, "mailer").await));

    // so does a reset
    assert_eq!(s.post_json("/__sim/schema", DROP_LIVE).await.status, StatusCode::OK);
    assert!(!ok(&enqueue_live(&s, "ipone").await));
    assert_eq!(s.post_json("/__sim/reset", "{}").await.status, StatusCode::OK);
    assert_eq!(s.get("/__sim/schema").await.json()["dropped"], json!({}));
    assert!(ok(&enqueue_live(&s, "ipone").await));
}

#[tokio::test]
async fn dropping_adds_up_and_covers_required_keys_and_bad_requests_are_refused() {
    let s = sim(&[]).await;
    for body in [
        r#"{"module":"PackageRemoteRoot","drop":["size"]}"#,
        r#"{"module":"PackageRemoteRoot","drop":["package"]}"#,
    ] {
        assert_eq!(s.post_json("/__sim/schema", body).await.status, StatusCode::OK);
    }
    let v = s.api_json("transfer_module_schema", "module=PackageRemoteRoot").await;
    assert_eq!(
        v["data"]["schema"],
        json!({"keys": {}, "primary": [], "required": []}),
        "gone from keys, primary and required"
    );
    let v = s
        .api_json(
            "enqueue_transfer_item",
            &format!("transfer_session_id={DEMO_SESSION}&module=PackageRemoteRoot&package=gold"),
        )
        .await;
    assert_eq!(
        reason(&v),
        "The “package” parameter is not valid for the “PackageRemoteRoot” module."
    );
    for (body, status) in [
        (
            r#"{"module":"NoSuchRemoteRoot","drop":["size"]}"#,
            StatusCode::NOT_FOUND,
        ),
        (
            r#"{"module":"AccountRemoteRoot","drop":["overwrite"]}"#,
            StatusCode::BAD_REQUEST,
        ),
        (r#"{"module":"AccountRemoteRoot"}"#, StatusCode::BAD_REQUEST),
        ("{", StatusCode::BAD_REQUEST),
    ] {
        let r = s.post_json("/__sim/schema", body).await;
        assert_eq!(r.status, status, "{body}: {}", r.body);
    }
    assert_eq!(
        s.get("/__sim/schema").await.json()["dropped"],
        json!({"PackageRemoteRoot": ["package", "size"]}),
        "refused requests changed nothing"
    );
}

async fn user_session(s: &Sim, password: &str) -> String {
    let v = s
        .api_json(
            "create_remote_user_transfer_session",
            &format!("host=remote.example.com&password={password}&unrestricted_restore=1"),
        )
        .await;
    assert!(ok(&v), "{v}");
    v["data"]["transfer_session_id"].as_str().unwrap().to_string()
}

async fn run_one(s: &Sim, id: &str, user: &str) -> String {
    let v = s
        .api_json(
            "enqueue_transfer_item",
            &format!("transfer_session_id={id}&module=AccountRemoteUser&user={user}&localuser={user}&skipres=1"),
        )
        .await;
    assert!(ok(&v), "{v}");
    s.api_json("start_transfer_session", &format!("transfer_session_id={id}"))
        .await;
    s.wait_state(id, &["COMPLETED", "FAILED"]).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_session_with_the_accounts_password_runs_its_item_to_completion() {
    let s = sim(&[]).await;
    let id = user_session(&s, "suitcase12345").await;
    assert_eq!(run_one(&s, &id, "example").await, "COMPLETED");
    let master = s.log(&id, "master.log").await.unwrap_or_default();
    assert!(master.contains(r#""action":"success-item""#), "{master}");
    assert!(!master.contains("failed-item"), "{master}");
    let transfer = s
        .log(&id, "item-TRANSFER_AccountRemoteUser_example")
        .await
        .unwrap_or_default();
    assert!(
        transfer.contains("Logging in to “remote.example.com” as “example”"),
        "{transfer}"
    );
    assert!(ok(&s.api_json("accountsummary", "user=example").await), "restored here");
    // the password is nowhere to be read back
    let listing = s.get("/__sim/sessions").await.body;
    assert!(!listing.contains("suitcase12345"), "{listing}");
    let captured = s
        .get("/__sim/requests?function=create_remote_user_transfer_session")
        .await
        .json();
    assert_eq!(captured["requests"][0]["body"]["password"], "********");
    assert!(!master.contains("suitcase12345") && !transfer.contains("suitcase12345"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_or_another_account_fails_the_item_at_login() {
    let s = sim(&[]).await;
    // WHM does not contact the source when creating the session: any password is accepted there
    let id = user_session(&s, "wrong-password").await;
    run_one(&s, &id, "example").await;
    let err = s.log(&id, "master.error_log").await.unwrap_or_default();
    assert!(
        err.contains(
            "The system failed to log in to “remote.example.com” as the cPanel user “example”: The login is invalid."
        ),
        "{err}"
    );
    assert!(
        !ok(&s.api_json("accountsummary", "user=example").await),
        "nothing restored"
    );
    // example's password is not mailer's
    let id = user_session(&s, "suitcase12345").await;
    run_one(&s, &id, "mailer").await;
    let master = s.log(&id, "master.log").await.unwrap_or_default();
    assert!(master.contains("failed-item"), "{master}");
}
