//! The four scenarios load and answer as specified.

use serde_json::{Value, json};

use crate::common::*;

#[tokio::test]
async fn demo_analysis() {
    let s = sim(&[]).await;
    assert_eq!(s.app.scenario.name, "demo");
    let v = s
        .api_json(
            "retrieve_transfer_session_remote_analysis",
            &format!("transfer_session_id={DEMO_SESSION}"),
        )
        .await;
    let d = &v["data"];
    assert_eq!(d["transfer_session_id"], json!(DEMO_SESSION));
    assert_eq!(d["options"], json!({"unrestricted": "0", "skip_reseller_privs": null}));
    assert_eq!(d["config"], json!({"shared_mysql_server": "0"}));
    assert_eq!(d["local"]["host"], json!("local.example.com"));
    assert_eq!(d["local"]["version"], json!("11.120.0.16"));
    assert_eq!(d["local"]["available_ips"], json!(["192.0.2.10"]));
    assert_eq!(d["local"]["dedicated_ips"], json!({"192.0.2.5": "never.example"}));
    assert_eq!(d["local"]["linked_nodes"][0]["alias"], json!("localmailnode"));
    for u in ["root", "nobody", "never", "gonna", "let", "you", "down", "bigshop"] {
        assert_eq!(d["local"]["users"][u], json!(1), "{u}");
    }
    assert_eq!(d["remote"]["server_type"], json!("WHM1164"));
    assert_eq!(d["remote"]["version"], json!("11.118.0.7"));
    assert_eq!(d["remote"]["supports_live_transfers"], json!("1"));
    assert_eq!(d["remote"]["resellers"], json!({"res1": 1, "root": 1}));
    assert_eq!(d["remote"]["linked_nodes"][0]["alias"], json!("remotemailnode"));
    assert_eq!(
        d["remote"]["conflicts"]["dbclash"]["dbs"]["MYSQL"]["gonna_wp"],
        json!({"remote_owner": "dbclash", "local_owner": "gonna"})
    );
    let users: Vec<&str> = d["items"]["accounts"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["user"].as_str())
        .collect();
    assert_eq!(
        users,
        [
            "example",
            "you",
            "testsite",
            "averyveryverylongname",
            "shop_one",
            "shopone",
            "big_shop",
            "dbclash",
            "mailer",
            "ipone",
            "iptwo"
        ]
    );
    let ex = &d["items"]["accounts"][0];
    assert_eq!(
        ex,
        &json!({"user":"example","ensim_user":"example","domain":"example.com","owner":"root","bytesused":123456789,
                "filesused":4321,"has_dedicated_ip":0,"worker_nodes":{}})
    );
    assert_eq!(
        d["items"]["packages"],
        json!([{"name":"package1","featurelist":"default"},{"name":"gold","featurelist":"default"}])
    );
    assert_eq!(
        d["modules"]["MySQL"]["analysis"],
        json!({"Local Type":"MariaDB","Local Version":"10.6","Remote Type":"MariaDB","Remote Version":"10.3"})
    );
}

#[tokio::test]
async fn hostile_analysis_is_served_verbatim() {
    let s = sim(&["--scenario", "hostile"]).await;
    let id = "hostileservercopya20260101000000BBBB";
    let v = s
        .api_json(
            "retrieve_transfer_session_remote_analysis",
            &format!("transfer_session_id={id}"),
        )
        .await;
    let d = &v["data"];
    assert_eq!(d["local"]["users"], json!([]));
    assert_eq!(d["local"]["dbs"], Value::Null);
    assert_eq!(d["remote"]["conflicts"], Value::Null);
    assert_eq!(d["remote"]["resellers"], Value::Null);
    assert_eq!(d["items"]["accounts"][0]["user"], json!("<script>alert(1)</script>"));
    assert_eq!(d["items"]["accounts"][0]["worker_nodes"], Value::Null);
    assert_eq!(d["items"]["accounts"][0]["has_dedicated_ip"], json!("1"));
    assert!(v.to_string().contains('\u{202e}'));
    assert!(
        d["items"]["accounts"][3]["owner"]
            .as_str()
            .is_some_and(|o| o.len() >= 5000)
    );
    // validate_system_user: only root exists
    let v = s.api_json("validate_system_user", "user=okuser").await;
    assert_eq!(v["data"]["exists"], json!(0));
    let v = s.api_json("validate_system_user", "user=root").await;
    assert_eq!(v["data"]["exists"], json!(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_run_survives() {
    let s = sim(&["--scenario", "hostile"]).await;
    let id = "hostileservercopya20260101000000BBBB";
    for u in [
        "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "okuser",
        "longdomain",
        "emoji%F0%9F%98%80",
    ] {
        s.enqueue_account(id, u, "").await;
    }
    s.api_json("start_transfer_session", &format!("transfer_session_id={id}"))
        .await;
    s.wait_state(id, &["COMPLETED"]).await;
    let master = s.log(id, "master.log").await.unwrap_or_default();
    for l in master.lines() {
        assert!(serde_json::from_str::<Value>(l).is_ok(), "{l}");
    }
    assert!(master.contains("warning-item"));
    assert!(master.contains("pkgacct failed: <script>"));
}

#[tokio::test]
async fn large_scenario_is_large_and_deterministic() {
    let s = sim(&["--scenario", "large", "--seed", "3"]).await;
    let id = "largeservercopya20260101000000AAAAAA";
    let v = s
        .api_json(
            "retrieve_transfer_session_remote_analysis",
            &format!("transfer_session_id={id}"),
        )
        .await;
    let d = &v["data"];
    assert_eq!(d["items"]["accounts"].as_array().map(Vec::len), Some(10_000));
    assert_eq!(d["local"]["users"].as_object().map(|o| o.len()), Some(50_000));
    let accts = d["items"]["accounts"].as_array().cloned().unwrap_or_default();
    let collide = accts
        .iter()
        .filter(|a| a["user"].as_str().is_some_and(|u| d["local"]["users"].get(u).is_some()))
        .count();
    assert!(collide > 100, "{collide}");
    assert!(accts.iter().any(|a| a["has_dedicated_ip"] == json!(1)));
    assert!(accts.iter().any(|a| a["bytesused"].is_string()) && accts.iter().any(|a| a["bytesused"].is_u64()));
    let first = accts.first().cloned();
    let s2 = sim(&["--scenario", "large", "--seed", "3"]).await;
    let v2 = s2
        .api_json(
            "retrieve_transfer_session_remote_analysis",
            &format!("transfer_session_id={id}"),
        )
        .await;
    assert_eq!(v2["data"]["items"]["accounts"][0], first.unwrap_or_default());
}
