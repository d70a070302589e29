//! §3.9 enqueue validation, in the documented order, with the exact messages.

use serde_json::json;

use crate::common::*;

async fn enq(s: &Sim, params: &str) -> String {
    let v = s.api_json("enqueue_transfer_item", params).await;
    if ok(&v) {
        "OK".to_string()
    } else {
        reason(&v).to_string()
    }
}

#[tokio::test]
async fn messages_in_order() {
    let s = sim(&[]).await;
    let id = DEMO_SESSION;
    assert_eq!(
        enq(&s, "module=AccountRemoteRoot").await,
        "Provide the “transfer_session_id” parameter."
    );
    assert_eq!(
        enq(&s, &format!("transfer_session_id={id}")).await,
        "Provide the “module” parameter."
    );
    // module is checked before the session
    assert_eq!(
        enq(&s, "transfer_session_id=nosuch&module=Bogus").await,
        "The transfer session module “Bogus” does not exist."
    );
    assert_eq!(
        enq(
            &s,
            "transfer_session_id=nosuch&module=AccountRemoteRoot&user=a&localuser=a"
        )
        .await,
        "The session ID “nosuch” does not exist."
    );
    assert_eq!(
        enq(
            &s,
            &format!("transfer_session_id={id}&module=AccountRemoteUser&user=a&localuser=a")
        )
        .await,
        "Root-authenticated transfer sessions cannot enqueue items of this type. Try again from a user-authenticated transfer session."
    );
    assert_eq!(
        enq(
            &s,
            &format!("transfer_session_id={id}&module=AccountRemoteRoot&user=a&localuser=a&mail_location=nowhere")
        )
        .await,
        "The linked node “nowhere” does not exist."
    );
    assert_eq!(
        enq(
            &s,
            &format!(
                "transfer_session_id={id}&module=AccountRemoteRoot&user=a&localuser=a&mail_location=localmailnode"
            )
        )
        .await,
        "OK"
    );
    assert_eq!(
        enq(&s, &format!("transfer_session_id={id}&module=AccountRemoteRoot&user=b")).await,
        "The “localuser” parameter is required for the “AccountRemoteRoot” module."
    );
    assert_eq!(
        enq(
            &s,
            &format!("transfer_session_id={id}&module=AccountRemoteRoot&localuser=b")
        )
        .await,
        "The “user” parameter is required for the “AccountRemoteRoot” module."
    );
    assert_eq!(
        enq(
            &s,
            &format!("transfer_session_id={id}&module=AccountRemoteRoot&user=b&localuser=b&overwrite=1")
        )
        .await,
        "The “overwrite” parameter is not valid for the “AccountRemoteRoot” module."
    );
    assert_eq!(
        enq(
            &s,
            &format!("transfer_session_id={id}&module=AccountRemoteRoot&user=a&localuser=other")
        )
        .await,
        "An item with a “user” key value of “a” and a type of “AccountRemoteRoot” already exists in the queue."
    );
    assert_eq!(
        enq(
            &s,
            &format!("transfer_session_id={id}&module=PackageRemoteRoot&package=gold&size=5")
        )
        .await,
        "OK"
    );
    assert_eq!(
        enq(
            &s,
            &format!("transfer_session_id={id}&module=PackageRemoteRoot&package=gold")
        )
        .await,
        "An item with a “package” key value of “gold” and a type of “PackageRemoteRoot” already exists in the queue."
    );
    assert_eq!(
        enq(
            &s,
            &format!("transfer_session_id={id}&module=PackageRemoteRoot&package=x&localuser=y")
        )
        .await,
        "The “localuser” parameter is not valid for the “PackageRemoteRoot” module."
    );
}

#[tokio::test]
async fn the_guide_example_bodies_are_accepted() {
    let s = sim(&[]).await;
    let id = DEMO_SESSION;
    let body = format!(
        "transfer_session_id={id}&module=AccountRemoteRoot&user=example&size=123456789&localuser=username&detected_remote_user=example&domain=example.com&replaceip=all&reseller=0&force=0&ip=0&skiphomedir=0&shared_mysql_server=0&skipres=1&skipacctdb=0&skipbwdata=0&skipaccount=0&live_transfer=1&xferpoint=1"
    );
    assert_eq!(enq(&s, &body).await, "OK");
    assert_eq!(
        enq(
            &s,
            &format!("transfer_session_id={id}&module=PackageRemoteRoot&package=package1")
        )
        .await,
        "OK"
    );
    assert_eq!(
        enq(
            &s,
            &format!("transfer_session_id={id}&module=FeatureListRemoteRoot&featurelist=default")
        )
        .await,
        "OK"
    );
    assert_eq!(
        enq(&s, &format!("transfer_session_id={id}&module=EximRemoteRoot&name=exim")).await,
        "OK"
    );
}

#[tokio::test]
async fn user_sessions_take_only_user_items() {
    let s = sim(&[]).await;
    let v = s
        .api_json(
            "create_remote_user_transfer_session",
            "host=remote.example.com&password=luggage12345&unrestricted_restore=1",
        )
        .await;
    let id = v["data"]["transfer_session_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(id.starts_with("remoteexamplenoroo2"), "{id}");
    assert_eq!(
        enq(
            &s,
            &format!("transfer_session_id={id}&module=AccountRemoteRoot&user=a&localuser=a")
        )
        .await,
        "User-authenticated transfer sessions cannot enqueue items of this type. Try again from a root-authenticated transfer session."
    );
    assert_eq!(
        enq(&s, &format!("transfer_session_id={id}&module=AccountRemoteUser&user=example&localuser=example&overwrite_with_delete=1")).await,
        "OK"
    );
    let v = s
        .api_json(
            "retrieve_transfer_session_remote_analysis",
            &format!("transfer_session_id={id}"),
        )
        .await;
    assert_eq!(
        reason(&v),
        "The supplied session ID has an invalid session type. You must provide a session ID with a session type of “RemoteRoot”."
    );
}

#[tokio::test]
async fn live_transfer_needs_a_capable_source() {
    let s = sim(&["--scenario", "hostile"]).await;
    let id = "hostileservercopya20260101000000BBBB";
    assert_eq!(
        enq(
            &s,
            &format!("transfer_session_id={id}&module=AccountRemoteRoot&user=okuser&localuser=okuser&live_transfer=1")
        )
        .await,
        "The source server “hostile.server” does not support Live Transfers."
    );
    assert_eq!(
        enq(
            &s,
            &format!("transfer_session_id={id}&module=AccountRemoteRoot&user=okuser&localuser=okuser&live_transfer=0")
        )
        .await,
        "OK"
    );
}

#[tokio::test]
async fn module_schemas() {
    let s = sim(&[]).await;
    let v = s.api_json("transfer_module_schema", "module=PackageRemoteRoot").await;
    assert_eq!(
        v["data"],
        json!({"schema":{"keys":{"package":{"def":"varchar(255) DEFAULT NULL"},"size":{"def":"BIGINT UNSIGNED DEFAULT 1"}},
               "primary":["package"],"required":["package"]}})
    );
    let v = s
        .api_json("transfer_module_schema", "module=FeaturesListRemoteRoot")
        .await;
    assert_eq!(
        reason(&v),
        "The transfer session module “FeaturesListRemoteRoot” does not exist."
    );
    let v = s.api_json("transfer_module_schema", "").await;
    assert_eq!(reason(&v), "Provide the “module” parameter.");
    for m in ["AccountRemoteRoot", "AccountRemoteUser", "AccountLocal"] {
        let v = s.api_json("transfer_module_schema", &format!("module={m}")).await;
        let schema = &v["data"]["schema"];
        assert_eq!(schema["primary"], json!(["user"]));
        assert_eq!(schema["required"], json!(["user", "localuser"]));
        assert_eq!(schema["prerequisite"], json!("prerequisite_user"));
        assert_eq!(schema["keys"]["priority"]["def"], json!("int(1) DEFAULT 255"));
        assert_eq!(schema["keys"]["keep_local_cpuser_values"]["def"], json!("text"));
    }
    let v = s.api_json("transfer_module_schema", "module=LegacyAccountBackup").await;
    assert_eq!(v["data"]["schema"]["required"], json!(["user", "restoretype"]));
    let v = s.api_json("transfer_module_schema", "module=HulkRemoteRoot").await;
    assert_eq!(v["data"]["schema"]["primary"], json!(["name"]));
}
