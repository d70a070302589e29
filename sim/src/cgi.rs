//! An installed WHM plugin served as cpsrvd serves it (§2.6): files under
//! `<install-root>/usr/local/cpanel/whostmgr/docroot/{cgi,addon_plugins}/`, `*.cgi` run as
//! CGI/1.1 with `cp_security_token` in a clean environment, static types and cache lifetimes
//! as `Cpanel/Server/Response.pm` sets them (unknown types, `.wasm` included, as
//! `application/octet-stream`).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tokio::io::AsyncWriteExt;

/// The docroot under an install root.
pub const DOCROOT: &str = "usr/local/cpanel/whostmgr/docroot";
/// CGI output kept at most (more → 500).
const MAX_OUTPUT: usize = 32 * 1024 * 1024;

/// One request for a file under `cgi/` or `addon_plugins/`.
pub struct CgiRequest<'a> {
    /// `cgi` or `addon_plugins`.
    pub area: &'a str,
    /// The path after `/cpsessN/<area>/`, still percent-encoded.
    pub rel: &'a str,
    pub token: &'a str,
    pub method: &'a str,
    pub query: &'a str,
    pub host: &'a str,
    pub user: &'a str,
    pub content_type: Option<&'a str>,
    pub body: Vec<u8>,
}

fn text(status: StatusCode, body: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        body.to_string(),
    )
        .into_response()
}

fn server_error() -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        "<!DOCTYPE html>\n<html><head><title>500 Internal Server Error</title></head><body><h1>Internal Server Error</h1><p>The CGI program failed.</p></body></html>\n",
    )
        .into_response()
}

/// Content type as cpsrvd sends it for a static file.
pub fn static_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    match ext.as_str() {
        "js" => "text/javascript",
        "css" => "text/css",
        "png" => "image/png",
        "html" | "htm" => "text/html",
        "json" => "application/json",
        // `.wasm` included: no wasm type is known to cpsrvd (§2.6).
        _ => "application/octet-stream",
    }
}

/// `Cache-Control: max-age=5184000, public` for JS, CSS, `application*` and `image*`.
pub fn long_cache(content_type: &str) -> bool {
    content_type.starts_with("text/javascript")
        || content_type.starts_with("text/css")
        || content_type.starts_with("application")
        || content_type.starts_with("image")
}

/// Percent-decode and check a relative path: segments only, no `..`, no dot-files, no NUL.
pub fn safe_segments(rel: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    for seg in rel.split('/') {
        if seg.is_empty() {
            continue;
        }
        let bytes = crate::web::percent_decode(seg)?;
        let s = String::from_utf8(bytes).ok()?;
        if s == "." || s == ".." || s.contains(['/', '\\', '\0']) || s.starts_with('.') {
            return None;
        }
        out.push(s);
    }
    Some(out)
}

/// Serve one request from the install root.
pub async fn serve(root: &Path, timeout: Duration, req: CgiRequest<'_>) -> Response {
    let Some(segs) = safe_segments(req.rel) else {
        return text(StatusCode::NOT_FOUND, "Not Found");
    };
    let base = root.join(DOCROOT).join(req.area);
    // The first `*.cgi` file on the path is the script; what follows is PATH_INFO.
    let mut path = base.clone();
    for (i, seg) in segs.iter().enumerate() {
        path.push(seg);
        if req.area == "cgi" && seg.ends_with(".cgi") && tokio::fs::metadata(&path).await.is_ok_and(|m| m.is_file()) {
            let script_rel = segs[..=i].join("/");
            let path_info = if i + 1 < segs.len() {
                format!("/{}", segs[i + 1..].join("/"))
            } else {
                String::new()
            };
            return run(&path, &script_rel, &path_info, timeout, &req).await;
        }
    }
    if !matches!(req.method, "GET" | "HEAD") {
        return text(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed");
    }
    match tokio::fs::metadata(&path).await {
        Ok(m) if m.is_file() => {}
        _ => return text(StatusCode::NOT_FOUND, "Not Found"),
    }
    let Ok(bytes) = tokio::fs::read(&path).await else {
        return text(StatusCode::NOT_FOUND, "Not Found");
    };
    let ct = static_type(&path);
    let mut r = (StatusCode::OK, [(header::CONTENT_TYPE, ct)], bytes).into_response();
    if long_cache(ct) {
        r.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("max-age=5184000, public"),
        );
    }
    r
}

fn port_of(host: &str) -> &str {
    let after = match host.rfind(']') {
        Some(i) => &host[i + 1..],
        None => host,
    };
    match after.rsplit_once(':') {
        Some((_, p)) if !p.is_empty() => p,
        _ => "2087",
    }
}

async fn run(script: &PathBuf, script_rel: &str, path_info: &str, timeout: Duration, req: &CgiRequest<'_>) -> Response {
    let mut cmd = tokio::process::Command::new(script);
    cmd.env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("GATEWAY_INTERFACE", "CGI/1.1")
        .env("SERVER_PROTOCOL", "HTTP/1.1")
        .env("SERVER_SOFTWARE", "cpsrvd (whm-sim)")
        .env("cp_security_token", format!("/cpsess{}", req.token))
        .env("REQUEST_METHOD", req.method)
        .env("QUERY_STRING", req.query)
        .env("SCRIPT_NAME", format!("/cpsess{}/cgi/{script_rel}", req.token))
        .env("SCRIPT_FILENAME", script)
        .env("PATH_INFO", path_info)
        .env("REMOTE_USER", req.user)
        .env("REMOTE_ADDR", "127.0.0.1")
        .env("HTTP_HOST", req.host)
        .env("SERVER_NAME", req.host.rsplit_once(':').map_or(req.host, |(h, _)| h))
        .env("SERVER_PORT", port_of(req.host))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    if let Some(dir) = script.parent() {
        cmd.current_dir(dir);
    }
    if !req.body.is_empty() || req.method == "POST" {
        cmd.env("CONTENT_LENGTH", req.body.len().to_string());
        if let Some(ct) = req.content_type {
            cmd.env("CONTENT_TYPE", ct);
        }
    }
    let Ok(mut child) = cmd.spawn() else {
        return server_error();
    };
    let body = req.body.clone();
    let stdin = child.stdin.take();
    let feed = async move {
        if let Some(mut stdin) = stdin {
            let _ = stdin.write_all(&body).await;
            let _ = stdin.shutdown().await;
        }
    };
    let output = async {
        feed.await;
        child.wait_with_output().await
    };
    let out = match tokio::time::timeout(timeout, output).await {
        Ok(Ok(o)) => o,
        // Timed out (the child is killed when dropped) or failed to run.
        _ => return server_error(),
    };
    if !out.status.success() || out.stdout.len() > MAX_OUTPUT {
        return server_error();
    }
    parse_output(&out.stdout).unwrap_or_else(server_error)
}

/// Split CGI output into headers and body (RFC 3875 §6): `Status:`, `Content-Type:`,
/// `Location:` and any other header lines, a blank line, then the body.
pub fn parse_output(out: &[u8]) -> Option<Response> {
    let (head, body) = split_head(out)?;
    let head = std::str::from_utf8(head).ok()?;
    let mut status = None;
    let mut headers = Vec::new();
    let mut has_type = false;
    let mut has_location = false;
    for line in head.lines() {
        let line = line.trim_end_matches('\r');
        let (name, value) = line.split_once(':')?;
        let value = value.trim();
        if name.eq_ignore_ascii_case("status") {
            let code: u16 = value.split_whitespace().next()?.parse().ok()?;
            status = Some(StatusCode::from_u16(code).ok()?);
            continue;
        }
        let name = HeaderName::from_bytes(name.trim().as_bytes()).ok()?;
        has_type |= name == header::CONTENT_TYPE;
        has_location |= name == header::LOCATION;
        headers.push((name, HeaderValue::from_str(value).ok()?));
    }
    if !has_type && !has_location && status.is_none() {
        return None;
    }
    let status = status.unwrap_or(if has_location && !has_type {
        StatusCode::FOUND
    } else {
        StatusCode::OK
    });
    let mut r = Response::new(Body::from(body.to_vec()));
    *r.status_mut() = status;
    for (k, v) in headers {
        r.headers_mut().append(k, v);
    }
    Some(r)
}

fn split_head(out: &[u8]) -> Option<(&[u8], &[u8])> {
    let crlf = out.windows(4).position(|w| w == b"\r\n\r\n").map(|i| (i, 4));
    let lf = out.windows(2).position(|w| w == b"\n\n").map(|i| (i, 2));
    let (i, n) = match (crlf, lf) {
        (Some(a), Some(b)) => {
            if a.0 < b.0 {
                a
            } else {
                b
            }
        }
        (Some(a), None) => a,
        (None, Some(b)) => b,
        (None, None) => return None,
    };
    Some((&out[..i], &out[i + n..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_parsing() {
        let r = parse_output(b"Status: 201 Created\r\nContent-Type: text/plain\r\nX-A: b\r\n\r\nhi");
        let r = r.unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        assert_eq!(r.headers()["x-a"], "b");
        assert_eq!(
            parse_output(b"Location: /x\n\n").map(|r| r.status()),
            Some(StatusCode::FOUND)
        );
        assert!(parse_output(b"no headers at all").is_none());
        assert!(parse_output(b"X-Only: 1\n\nbody").is_none());
        assert!(parse_output(b"Status: abc\n\n").is_none());
        assert!(parse_output(b"Bad Header Name: 1\nContent-Type: text/html\n\n").is_none());
    }

    #[test]
    fn types_and_cache() {
        assert_eq!(static_type(Path::new("a.wasm")), "application/octet-stream");
        assert_eq!(static_type(Path::new("a.js")), "text/javascript");
        assert_eq!(static_type(Path::new("a.unknown")), "application/octet-stream");
        assert!(long_cache("application/octet-stream") && long_cache("image/png") && long_cache("text/css"));
        assert!(!long_cache("text/html"));
        assert_eq!(port_of("127.0.0.1:28101"), "28101");
        assert_eq!(port_of("[::1]"), "2087");
    }

    #[test]
    fn traversal() {
        assert!(safe_segments("a/../b").is_none());
        assert!(safe_segments("%2e%2e/b").is_none());
        assert!(safe_segments("a%2fb").is_none());
        assert_eq!(
            safe_segments("a//b.js"),
            Some(vec!["a".to_string(), "b.js".to_string()])
        );
    }
}
