//! whm-sim binary: parse flags, bind 127.0.0.1:PORT, print the listening line, serve until
//! SIGINT/SIGTERM.

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use clap::Parser;
use whm_sim::{App, Config, server, web};

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cfg = Config::parse();
    let app = match App::new(cfg.clone()) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("whm-sim: {e}");
            return ExitCode::from(2);
        }
    };
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, cfg.port));
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("whm-sim: cannot listen on {addr}: {e}");
            return ExitCode::from(1);
        }
    };
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(cfg.port);
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "whm-sim listening on http://127.0.0.1:{port}/");
    let _ = out.flush();
    let _ = writeln!(
        out,
        "scenario: {} ({} preexisting session(s)); speed ×{}; results as {}",
        app.scenario.name,
        app.scenario.sessions.len(),
        cfg.speed,
        if cfg.int_results { "integers" } else { "strings" }
    );
    if cfg.no_autologin {
        let _ = writeln!(out, "open the URL above and log in as {}", cfg.user);
    } else {
        let _ = writeln!(out, "open the URL above: it logs in automatically and shows the app");
    }
    if let Some(d) = &cfg.dist {
        let _ = writeln!(out, "serving {} at /cpsessNNNNNNNNNN{}", d.display(), web::APP_PATH);
    }
    let _ = out.flush();
    drop(out);
    server::serve(listener, web::router(app), shutdown_signal()).await;
    ExitCode::SUCCESS
}
