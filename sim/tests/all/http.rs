//! One real-socket test: bind port 0, plain HTTP, and the `drop` fault closing the connection.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use whm_sim::{App, Config, server, web};

async fn roundtrip(port: u16, request: &str) -> String {
    let Ok(mut c) = TcpStream::connect(("127.0.0.1", port)).await else {
        panic!("connect");
    };
    let _ = c.write_all(request.as_bytes()).await;
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), c.read_to_end(&mut buf)).await;
    String::from_utf8_lossy(&buf).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_socket() {
    let Ok(cfg) = Config::from_args(["whm-sim", "--port", "0", "--token", "0123456789"]) else {
        panic!("flags");
    };
    let Ok(app) = App::new(cfg) else { panic!("app") };
    let Ok(listener) = TcpListener::bind(("127.0.0.1", 0)).await else {
        panic!("bind");
    };
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let handle = tokio::spawn(server::serve(listener, web::router(app), async {
        let _ = rx.await;
    }));

    let r = roundtrip(
        port,
        "GET /__sim/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(r.starts_with("HTTP/1.1 200 OK\r\n"), "{r}");
    assert!(r.ends_with("ok"));

    let r = roundtrip(
        port,
        "GET /cpsess0123456789/json-api/available_transfer_modules?api.version=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(r.starts_with("HTTP/1.1 403 Forbidden Access denied\r\n"), "{r}");

    let login = roundtrip(
        port,
        "POST /login/?login_only=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 19\r\nConnection: close\r\n\r\nuser=root&pass=demo",
    )
    .await;
    let cookie = login
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .and_then(|c| c.split(';').next())
        .unwrap_or_default()
        .to_string();
    assert!(cookie.starts_with("whostmgrsession="), "{login}");

    let spec = r#"{"function":"available_transfer_modules","kind":"drop","times":1}"#;
    let r = roundtrip(
        port,
        &format!(
            "POST /__sim/faults HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{spec}",
            spec.len()
        ),
    )
    .await;
    assert!(r.starts_with("HTTP/1.1 200"), "{r}");
    let call = format!(
        "GET /cpsess0123456789/json-api/available_transfer_modules?api.version=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"
    );
    let r = roundtrip(port, &call).await;
    assert_eq!(r, "", "dropped connections send nothing");
    let r = roundtrip(port, &call).await;
    assert!(r.starts_with("HTTP/1.1 200 OK\r\n"), "{r}");
    assert!(r.contains("transfer-encoding: chunked") || r.contains("content-length"));

    let _ = tx.send(());
    let _ = tokio::time::timeout(Duration::from_secs(5), handle).await;
}
