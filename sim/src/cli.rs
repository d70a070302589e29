//! Command-line flags. The parsed struct doubles as the simulator's configuration.

use std::path::PathBuf;

use clap::{Parser, ValueEnum};

/// How json-api authentication failures are answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuthFailure {
    /// HTTP 403, `text/plain`, the API-2 style `cpanelresult` "Access denied" body (§2.4 item 2).
    Json,
    /// HTTP 401 with the HTML "Access Denied: Security Token Failure" page (§2.4 item 1).
    Html,
}

/// whm-sim: a simulator of cPanel WHM API 1's account-transfer functions.
#[derive(Debug, Clone, Parser)]
#[command(name = "whm-sim", version, about)]
pub struct Config {
    /// TCP port on 127.0.0.1 (0 picks a free port).
    #[arg(long, default_value_t = 2087)]
    pub port: u16,

    /// Directory of the built app, served at /cpsessNNNNNNNNNN/cgi/transfer_console/.
    #[arg(long)]
    pub dist: Option<PathBuf>,

    /// Scenario: demo, guide-empty, large or hostile.
    #[arg(long, default_value = "demo")]
    pub scenario: String,

    /// Seed for generated scenario data (the `large` scenario).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,

    /// Fixed security token: 10 digits (a leading "/cpsess" or "cpsess" is accepted).
    #[arg(long, value_parser = parse_token)]
    pub token: Option<String>,

    /// Disable demo auto-login (GET / then shows a login form instead of logging in).
    #[arg(long)]
    pub no_autologin: bool,

    /// WHM login user accepted by POST /login/.
    #[arg(long, default_value = "root")]
    pub user: String,

    /// WHM login password accepted by POST /login/.
    #[arg(long, default_value = "demo")]
    pub pass: String,

    /// How json-api authentication failures are answered.
    #[arg(long, value_enum, default_value_t = AuthFailure::Json)]
    pub auth_failure: AuthFailure,

    /// Login sessions expire after this many seconds of inactivity.
    #[arg(long, default_value_t = 86400)]
    pub session_ttl: u64,

    /// Send `metadata.result` as the integer 1 on success instead of the string "1".
    #[arg(long)]
    pub int_results: bool,

    /// Speed multiplier of the simulated transfer workers (1.0 ≈ 5–10 s per account).
    #[arg(long, default_value_t = 1.0, value_parser = parse_speed)]
    pub speed: f64,

    /// Make fetch_transfer_session_log block until a log that is still being written is closed (v120 behaviour).
    #[arg(long)]
    pub blocking_logs: bool,

    /// Append one line per request (`METHOD PATH?QUERY STATUS`, never bodies; the token masked) to this file.
    #[arg(long)]
    pub access_log: Option<PathBuf>,

    /// Serve an installed WHM plugin as cpsrvd does: `/cpsessN/cgi/<path>` from
    /// DIR/usr/local/cpanel/whostmgr/docroot/cgi/<path> (`*.cgi` run as CGI/1.1) and
    /// `/cpsessN/addon_plugins/<file>`; the login lands on cgi/transfer_console/index.cgi.
    #[arg(long, value_name = "DIR")]
    pub install_root: Option<PathBuf>,

    /// Time limit of one CGI run, in seconds (then 500).
    #[arg(long, default_value_t = 30)]
    pub cgi_timeout: u64,

    /// WHM's "Referrer safety check": refuse calls whose Referer names another host.
    #[arg(long)]
    pub referrer_safety: bool,

    /// WHM's "Blank referrer safety check": also refuse calls without a Referer (implies --referrer-safety).
    #[arg(long)]
    pub blank_referrer_safety: bool,
}

impl Config {
    /// A configuration with every default (as if started without flags).
    pub fn defaults() -> Self {
        Self::parse_from(["whm-sim"])
    }

    /// Parse from an argument list (first item = program name).
    pub fn from_args<I, T>(args: I) -> Result<Self, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        Self::try_parse_from(args)
    }
}

fn parse_token(s: &str) -> Result<String, String> {
    let digits = s
        .strip_prefix("/cpsess")
        .or_else(|| s.strip_prefix("cpsess"))
        .unwrap_or(s);
    if digits.len() == 10 && digits.bytes().all(|b| b.is_ascii_digit()) {
        Ok(digits.to_string())
    } else {
        Err("the security token must be exactly 10 digits".to_string())
    }
}

fn parse_speed(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        _ => Err("the speed must be a positive number".to_string()),
    }
}
