//! Test helpers.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{HeaderMap, HeaderValue, Request, StatusCode, header};
use serde_json::Value;
use tower::ServiceExt;
use whm_sim::{App, Config, web};

pub const TOKEN: &str = "0123456789";
pub const HOST: &str = "127.0.0.1:2087";
pub const DEMO_SESSION: &str = "exampleservercopya20140206192428NtyW";
pub const STALE_SESSION: &str = "staleservercopya20250102030405Stale1";

pub struct Sim {
    pub app: Arc<App>,
    pub router: Router,
    pub cookie: String,
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Resp {
    pub fn json(&self) -> Value {
        match serde_json::from_str(&self.body) {
            Ok(v) => v,
            Err(e) => panic!("not JSON ({e}): {}", self.body),
        }
    }

    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    }
}

/// A simulator with the given extra flags (always a fixed token; fast unless --speed is given).
pub async fn sim(extra: &[&str]) -> Sim {
    let mut args = vec!["whm-sim", "--token", TOKEN];
    if !extra.contains(&"--speed") {
        args.extend(["--speed", "2000"]);
    }
    args.extend_from_slice(extra);
    let cfg = match Config::from_args(args) {
        Ok(c) => c,
        Err(e) => panic!("bad flags: {e}"),
    };
    let app = match App::new(cfg) {
        Ok(a) => a,
        Err(e) => panic!("cannot build app: {e}"),
    };
    let router = web::router(app.clone());
    let mut s = Sim {
        app,
        router,
        cookie: String::new(),
    };
    s.cookie = s.login().await;
    s
}

impl Sim {
    /// Send a request through the router; a request without a Host gets `127.0.0.1:2087`.
    pub async fn send(&self, mut req: Request<Body>) -> Resp {
        if !req.headers().contains_key(header::HOST) {
            req.headers_mut().insert(header::HOST, HeaderValue::from_static(HOST));
        }
        let resp = match self.router.clone().oneshot(req).await {
            Ok(r) => r,
            Err(e) => match e {},
        };
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = to_bytes(resp.into_body(), usize::MAX).await.unwrap_or_default();
        Resp {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// POST /login/?login_only=1 and return the `whostmgrsession=…` cookie pair.
    pub async fn login(&self) -> String {
        let r = self
            .send(
                Request::post("/login/?login_only=1")
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from("user=root&pass=demo"))
                    .unwrap_or_default(),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.header("set-cookie").split(';').next().unwrap_or_default().to_string()
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.send(
            Request::get(path)
                .header(header::COOKIE, &self.cookie)
                .body(Body::empty())
                .unwrap_or_default(),
        )
        .await
    }

    pub async fn get_anon(&self, path: &str) -> Resp {
        self.send(Request::get(path).body(Body::empty()).unwrap_or_default())
            .await
    }

    pub async fn post_form(&self, path: &str, body: &str) -> Resp {
        self.send(
            Request::post(path)
                .header(header::COOKIE, &self.cookie)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body.to_string()))
                .unwrap_or_default(),
        )
        .await
    }

    pub async fn post_json(&self, path: &str, body: &str) -> Resp {
        self.send(
            Request::post(path)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .unwrap_or_default(),
        )
        .await
    }

    /// A bodyless DELETE (as the e2e helpers send it).
    pub async fn delete(&self, path: &str) -> Resp {
        self.send(Request::delete(path).body(Body::empty()).unwrap_or_default())
            .await
    }

    /// A json-api call (POST form body, api.version=1 added).
    pub async fn api(&self, func: &str, params: &str) -> Resp {
        let body = if params.is_empty() {
            "api.version=1".to_string()
        } else {
            format!("api.version=1&{params}")
        };
        self.post_form(&format!("/cpsess{TOKEN}/json-api/{func}"), &body).await
    }

    pub async fn api_json(&self, func: &str, params: &str) -> Value {
        let r = self.api(func, params).await;
        assert_eq!(r.status, StatusCode::OK, "{func}: {}", r.body);
        r.json()
    }

    pub async fn state(&self, id: &str) -> String {
        let v = self
            .api_json("get_transfer_session_state", &format!("transfer_session_id={id}"))
            .await;
        v["data"]["state_name"].as_str().unwrap_or_default().to_string()
    }

    /// Wait until the session reaches one of `states` (panics after 15 s).
    pub async fn wait_state(&self, id: &str, states: &[&str]) -> String {
        let start = Instant::now();
        loop {
            let s = self.state(id).await;
            if states.contains(&s.as_str()) {
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(15),
                "{id} stuck in {s}, wanted {states:?}"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    pub async fn log(&self, id: &str, logfile: &str) -> Option<String> {
        let v = self
            .api_json(
                "fetch_transfer_session_log",
                &format!("transfer_session_id={id}&logfile={logfile}"),
            )
            .await;
        v["data"]["log"].as_str().map(str::to_string)
    }

    /// Wait until a log contains `needle`.
    pub async fn wait_log(&self, id: &str, logfile: &str, needle: &str) -> String {
        let start = Instant::now();
        loop {
            if let Some(l) = self.log(id, logfile).await
                && l.contains(needle)
            {
                return l;
            }
            assert!(
                start.elapsed() < Duration::from_secs(15),
                "{logfile} never contained {needle}"
            );
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }

    pub async fn enqueue_account(&self, id: &str, user: &str, extra: &str) -> Value {
        let mut p = format!("transfer_session_id={id}&module=AccountRemoteRoot&user={user}&localuser={user}");
        if !extra.is_empty() {
            p.push('&');
            p.push_str(extra);
        }
        self.api_json("enqueue_transfer_item", &p).await
    }
}

pub fn reason(v: &Value) -> &str {
    v["metadata"]["reason"].as_str().unwrap_or_default()
}

pub fn ok(v: &Value) -> bool {
    v["metadata"]["result"] == "1" || v["metadata"]["result"] == 1
}

/// Master-log actions in order.
pub fn actions(log: &str) -> Vec<String> {
    log.lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|v| v["contents"]["action"].as_str().map(str::to_string))
        .collect()
}
