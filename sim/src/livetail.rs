//! `cgi/live_tail_log.cgi` (§6.4): a chunked stream of `<logfile>|<byte_count>|<json>` lines,
//! `.` keep-alives about once a second when idle, and `[tail_end:N]` twice once the session is
//! terminal and every requested log is drained. `byte_count` is the byte length of the log line
//! including its newline, so a client can add it to `log_file_positionN` when it reconnects
//! (as `Cpanel::LogTailer::Client::LiveTailLog` does).

use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};

use crate::App;
use crate::util::Params;

const KEEPALIVE: Duration = Duration::from_secs(1);

#[derive(Debug, Clone)]
pub struct TailRequest {
    pub session_id: String,
    pub termination: String,
    /// (log file name, byte position)
    pub files: Vec<(String, usize)>,
}

/// Parse the CGI query. Errors are plain-text messages.
pub fn parse(p: &Params) -> Result<TailRequest, String> {
    match p.get("system_id") {
        Some("transfers") => {}
        Some(other) => return Err(format!("The system ID “{other}” is not supported.")),
        None => return Err("Provide the “system_id” parameter.".into()),
    }
    let session_id = p
        .non_empty("session_id")
        .ok_or("Provide the “session_id” parameter.")?
        .to_string();
    let termination: String = p
        .get("termination_integer")
        .unwrap_or("0")
        .chars()
        .filter(char::is_ascii_digit)
        .take(32)
        .collect();
    let termination = if termination.is_empty() {
        "0".to_string()
    } else {
        termination
    };
    let mut numbered: Vec<(u64, String, usize)> = Vec::new();
    for k in p.keys() {
        let Some(n) = k.strip_prefix("log_file").and_then(|n| n.parse::<u64>().ok()) else {
            continue;
        };
        let Some(name) = p.non_empty(k) else {
            continue;
        };
        let pos = p
            .get(&format!("log_file_position{n}"))
            .and_then(|v| v.trim().parse::<usize>().ok())
            .unwrap_or(0);
        numbered.push((n, name.to_string(), pos));
    }
    numbered.sort_by_key(|(n, ..)| *n);
    numbered.truncate(256);
    let files: Vec<(String, usize)> = numbered.into_iter().map(|(_, name, pos)| (name, pos)).collect();
    if files.is_empty() {
        return Err("Provide at least one “log_file” parameter.".into());
    }
    Ok(TailRequest {
        session_id,
        termination,
        files,
    })
}

struct TailState {
    app: Arc<App>,
    req: TailRequest,
    last_sent: Instant,
    done: bool,
    /// The `truncated` fault: the first data chunk is cut in the middle of a line and the
    /// stream ends there (no `[tail_end]`).
    truncate: bool,
}

enum Poll {
    Data(String),
    End,
    Idle(tokio::sync::watch::Receiver<u64>),
    Gone,
}

fn poll(st: &mut TailState) -> Poll {
    let w = st.app.lock();
    let Some(s) = w.sessions.get(&st.req.session_id) else {
        return Poll::Gone;
    };
    let mut out = String::new();
    for (name, pos) in st.req.files.iter_mut() {
        let Some(f) = s.logs.get(name.as_str()) else {
            continue;
        };
        let bytes = f.content.as_bytes();
        if *pos > bytes.len() {
            continue;
        }
        let mut start = *pos;
        if start > 0 && bytes.get(start - 1) != Some(&b'\n') {
            // A position inside a line: resume at the next full line.
            match bytes[start..].iter().position(|b| *b == b'\n') {
                Some(nl) => start += nl + 1,
                None => continue,
            }
        }
        while let Some(nl) = bytes[start..].iter().position(|b| *b == b'\n') {
            let line = String::from_utf8_lossy(&bytes[start..start + nl]);
            out.push_str(&format!("{name}|{}|{line}\n", nl + 1));
            start += nl + 1;
        }
        *pos = start;
    }
    if !out.is_empty() {
        return Poll::Data(out);
    }
    let drained = st
        .req
        .files
        .iter()
        .all(|(n, pos)| s.logs.get(n.as_str()).is_none_or(|f| *pos >= f.content.len()));
    if s.state.is_terminal() && drained {
        return Poll::End;
    }
    Poll::Idle(s.log_tx.subscribe())
}

async fn next_chunk(mut st: TailState) -> Option<(Result<Bytes, Infallible>, TailState)> {
    if st.done {
        return None;
    }
    loop {
        match poll(&mut st) {
            Poll::Data(mut d) => {
                st.last_sent = Instant::now();
                if st.truncate {
                    st.done = true;
                    let mut cut = d.len() / 2;
                    while cut > 0 && !d.is_char_boundary(cut) {
                        cut -= 1;
                    }
                    d.truncate(cut.max(1));
                }
                return Some((Ok(Bytes::from(d)), st));
            }
            Poll::End | Poll::Gone => {
                st.done = true;
                let n = &st.req.termination;
                return Some((Ok(Bytes::from(format!("[tail_end:{n}]\n[tail_end:{n}]\n"))), st));
            }
            Poll::Idle(mut rx) => {
                let since = st.last_sent.elapsed();
                if since >= KEEPALIVE {
                    st.last_sent = Instant::now();
                    return Some((Ok(Bytes::from_static(b".\n")), st));
                }
                let _ = tokio::time::timeout(KEEPALIVE - since, rx.changed()).await;
            }
        }
    }
}

/// The streaming body.
pub fn stream(app: Arc<App>, req: TailRequest, truncate: bool) -> Body {
    let st = TailState {
        app,
        req,
        last_sent: Instant::now(),
        done: false,
        truncate,
    };
    Body::from_stream(futures_util::stream::unfold(st, next_chunk))
}
