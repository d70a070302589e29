//! The WHM API 1 envelope (`metadata` + optional `data`) and the one function that turns an HTTP reply
//! into either typed data or a [`WhmError`].

use super::error::WhmError;
use super::scalar::{self, lenient_struct};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

lenient_struct! {
    /// `metadata` of every WHM API 1 reply (§1.3).
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct Metadata {
        pub version: Option<u64> = "version" => scalar::opt_u64,
        pub command: String = "command" => scalar::string,
        /// `1`/`"1"` success, `0` failure. Absent or unreadable counts as failure.
        pub result: bool = "result" => scalar::flag,
        pub reason: String = "reason" => scalar::string,
        pub output: Output = "output" => lenient_output,
    }
}

lenient_struct! {
    /// `metadata.output`: warnings and messages, as arrays or newline-joined strings.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct Output {
        pub warnings: Vec<String> = "warnings" => scalar::text_lines,
        pub messages: Vec<String> = "messages" => scalar::text_lines,
        pub raw: Option<String> = "raw" => scalar::opt_string,
    }
}

/// `output` may be absent, null, or (from other WHM functions) not an object at all.
fn lenient_output<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Output, D::Error> {
    scalar::object(d)
}

/// A successful reply: its data (when the function returns any) and WHM's side notes.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply<T> {
    pub data: Option<T>,
    pub metadata: Metadata,
}

impl<T> Reply<T> {
    /// The data, or a [`WhmError::Malformed`] saying it was missing.
    pub fn require_data(self) -> Result<T, WhmError> {
        let command = self.metadata.command;
        self.data.ok_or_else(|| WhmError::Malformed {
            detail: format!("WHM reported success for “{command}” but sent no data"),
            at: "data".into(),
            truncated: false,
        })
    }
}

/// What the transport saw: enough to decide without any browser type.
#[derive(Debug, Clone, Copy)]
pub struct HttpReply<'a> {
    pub status: u16,
    /// The `Content-Type` header, if any.
    pub content_type: Option<&'a str>,
    pub body: &'a str,
}

#[derive(Deserialize)]
struct RawEnvelope<'a> {
    #[serde(default, borrow)]
    metadata: Option<&'a RawValue>,
    #[serde(default, borrow)]
    data: Option<&'a RawValue>,
    #[serde(default, borrow)]
    cpanelresult: Option<&'a RawValue>,
}

/// The same envelope in one pass, `data` decoded as it is read: the usual case. A 7 MB analysis is
/// then read once, not scanned as raw text first. Any failure falls back to [`RawEnvelope`]'s two
/// passes, which find and report what is wrong exactly as before.
#[derive(Deserialize)]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
struct Envelope<'a, T> {
    #[serde(default)]
    metadata: Option<Metadata>,
    #[serde(default = "none")]
    data: Option<T>,
    #[serde(default, borrow)]
    cpanelresult: Option<&'a RawValue>,
}

fn none<T>() -> Option<T> {
    None
}

lenient_struct! {
    #[derive(Default)]
    struct CpanelResult {
        error: Option<String> = "error" => scalar::opt_string,
    }
}

fn looks_like_html(reply: &HttpReply<'_>) -> bool {
    let ct_html = reply
        .content_type
        .is_some_and(|ct| ct.to_ascii_lowercase().contains("text/html"));
    let body = reply.body.trim_start_matches('\u{feff}').trim_start();
    ct_html || body.starts_with('<')
}

/// Best-effort page title of an HTML body, for error details (plain text, at most 120 chars).
fn html_title(body: &str) -> String {
    let lower = body.to_ascii_lowercase();
    let title = lower
        .find("<title>")
        .and_then(|s| lower[s + 7..].find("</title>").map(|e| (s + 7, s + 7 + e)))
        .map(|(s, e)| body.get(s..e).unwrap_or("").trim().to_owned())
        .unwrap_or_default();
    let t = if title.is_empty() {
        "an HTML page instead of JSON".to_owned()
    } else {
        title
    };
    t.chars().take(120).collect()
}

fn snippet(body: &str) -> String {
    let one_line: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut s: String = one_line.chars().take(120).collect();
    if one_line.chars().count() > 120 {
        s.push('…');
    }
    s
}

/// Whether a parse error sits at the very end of `text`: the text was cut short even when the parser calls
/// it a syntax error (a number cut after its `e`, `-` or `.`, or a literal cut inside `tru`).
fn error_at_end(err: &serde_json::Error, text: &str) -> bool {
    let text = text.trim_end();
    let lines = text.bytes().filter(|b| *b == b'\n').count() + 1;
    let last_line = text.rsplit('\n').next().unwrap_or("");
    err.line() == lines && err.column() >= last_line.len()
}

fn malformed(err: &serde_json::Error, part: &str, text: &str) -> WhmError {
    let truncated = err.is_eof() || (err.is_syntax() && error_at_end(err, text));
    WhmError::Malformed {
        detail: if truncated {
            "the reply ends in the middle of the JSON".into()
        } else {
            match err.classify() {
                serde_json::error::Category::Syntax => "the reply is not valid JSON".into(),
                _ => format!("unexpected shape in {part}"),
            }
        },
        at: format!("{part}, line {} column {}", err.line(), err.column()),
        truncated,
    }
}

/// Turns an HTTP reply into typed data, following the client rule of §2.4:
/// 401/403, an HTML body or a `cpanelresult.error` body → session lost; 200 + `metadata` → the API
/// result; anything else → an HTTP or malformed-body error. Never panics.
///
/// `data` is decoded as it is read, in one pass over the text, falling back to [`decode_small`]'s two
/// passes on any failure: for replies whose data runs to megabytes (the analysis). The one pass is
/// compiled per data type (about 8 KB gzip of wasm for the dozen small replies), so those use
/// [`decode_small`], which gives the same answers.
pub fn decode<T: DeserializeOwned>(reply: HttpReply<'_>) -> Result<Reply<T>, WhmError> {
    let body = readable_body(&reply)?;
    if let Ok(env) = serde_json::from_str::<Envelope<'_, T>>(body) {
        logged_in(reply.status, env.cpanelresult)?;
        let metadata = succeeded(env.metadata.ok_or_else(no_metadata)?)?;
        return Ok(Reply {
            data: env.data,
            metadata,
        });
    }
    two_passes(reply.status, body)
}

/// As [`decode`], in two passes (the envelope's parts found as raw text, then each decoded): for small
/// replies, where the one pass would save nothing worth its code.
pub fn decode_small<T: DeserializeOwned>(reply: HttpReply<'_>) -> Result<Reply<T>, WhmError> {
    let body = readable_body(&reply)?;
    two_passes(reply.status, body)
}

/// The body of a reply that may hold JSON, or the error that the status, an HTML page or an empty
/// body already tells.
fn readable_body<'a>(reply: &HttpReply<'a>) -> Result<&'a str, WhmError> {
    if !(200..300).contains(&reply.status) {
        let detail = if looks_like_html(reply) {
            html_title(reply.body)
        } else {
            snippet(reply.body)
        };
        if let Some(e) = WhmError::for_status(reply.status, detail) {
            return Err(e);
        }
    }
    if looks_like_html(reply) {
        return Err(WhmError::SessionLost {
            status: reply.status,
            detail: html_title(reply.body),
        });
    }
    let body = reply.body.trim_start_matches('\u{feff}');
    if body.trim().is_empty() {
        return Err(WhmError::Malformed {
            detail: "the reply is empty".into(),
            at: "byte 0".into(),
            truncated: true,
        });
    }
    Ok(body)
}

fn two_passes<T: DeserializeOwned>(status: u16, body: &str) -> Result<Reply<T>, WhmError> {
    let raw: RawEnvelope<'_> = serde_json::from_str(body).map_err(|e| malformed(&e, "body", body))?;
    logged_in(status, raw.cpanelresult)?;
    let Some(meta_raw) = raw.metadata else {
        return Err(no_metadata());
    };
    let metadata: Metadata =
        serde_json::from_str(meta_raw.get()).map_err(|e| malformed(&e, "metadata", meta_raw.get()))?;
    let metadata = succeeded(metadata)?;
    let data = match raw.data {
        None => None,
        Some(d) if d.get() == "null" => None,
        Some(d) => Some(serde_json::from_str::<T>(d.get()).map_err(|e| malformed(&e, "data", d.get()))?),
    };
    Ok(Reply { data, metadata })
}

fn no_metadata() -> WhmError {
    WhmError::Malformed {
        detail: "the reply has no “metadata”: it is not a WHM API 1 answer".into(),
        at: "metadata".into(),
        truncated: false,
    }
}

/// A `cpanelresult` body with an `error` is cPanel's answer when the WHM login is gone.
fn logged_in(status: u16, cpanelresult: Option<&RawValue>) -> Result<(), WhmError> {
    let error = cpanelresult.and_then(|raw| {
        serde_json::from_str::<CpanelResult>(raw.get())
            .unwrap_or_default()
            .error
    });
    match error {
        Some(detail) => Err(WhmError::SessionLost { status, detail }),
        None => Ok(()),
    }
}

/// The metadata of a call that ran, or WHM's refusal.
fn succeeded(metadata: Metadata) -> Result<Metadata, WhmError> {
    if metadata.result {
        Ok(metadata)
    } else {
        Err(WhmError::Api {
            command: metadata.command,
            reason: metadata.reason,
        })
    }
}

/// For offline inspection: accepts a saved reply with or without the envelope (`whmapi1 --output=json`
/// prints the envelope; a bare `data` object is accepted too). A failed saved reply is an [`WhmError::Api`].
pub fn decode_saved<T: DeserializeOwned>(text: &str) -> Result<T, WhmError> {
    let text = text.trim_start_matches('\u{feff}');
    let raw: RawEnvelope<'_> = serde_json::from_str(text).map_err(|e| malformed(&e, "file", text))?;
    if raw.metadata.is_some() || raw.data.is_some() {
        let reply = decode::<T>(HttpReply {
            status: 200,
            content_type: Some("application/json"),
            body: text,
        })?;
        return reply.require_data();
    }
    serde_json::from_str::<T>(text).map_err(|e| malformed(&e, "file", text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn ok(body: &str) -> HttpReply<'_> {
        HttpReply {
            status: 200,
            content_type: Some("application/json"),
            body,
        }
    }

    #[test]
    fn result_as_string_or_int_both_succeed() {
        for r in ["1", "\"1\"", "true"] {
            let body =
                format!(r#"{{"metadata":{{"version":1,"command":"x","result":{r},"reason":"OK"}},"data":{{"a":1}}}}"#);
            let reply = decode::<Value>(ok(&body)).expect(r);
            assert_eq!(reply.data.unwrap()["a"], 1);
        }
    }

    #[test]
    fn failure_keeps_reason_with_curly_quotes() {
        let body = r#"{"metadata":{"version":1,"command":"get_transfer_session_state","result":0,"reason":"The session ID “nosuchid” does not exist."}}"#;
        let err = decode::<Value>(ok(body)).unwrap_err();
        assert_eq!(
            err,
            WhmError::Api {
                command: "get_transfer_session_state".into(),
                reason: "The session ID “nosuchid” does not exist.".into()
            }
        );
    }

    /// `decode` (one pass first) and `decode_small` (two passes) give the same answers.
    #[test]
    fn both_decoders_agree() {
        #[derive(Debug, PartialEq, serde::Deserialize)]
        struct Strict {
            n: u64,
        }
        let bodies = [
            r#"{"data":{"n":1},"metadata":{"version":1,"command":"x","result":1,"reason":"OK"}}"#,
            r#"{"metadata":{"version":1,"command":"x","result":1,"reason":"OK"},"data":{"n":"x"}}"#,
            r#"{"data":{"n":"x"},"metadata":{"version":1,"command":"x","result":0,"reason":"No."}}"#,
            r#"{"metadata":{"version":1,"command":"x","result":1,"reason":"OK"},"data":null}"#,
            r#"{"metadata":{"version":1,"command":"x","result":1,"reason":"OK"}}"#,
            r#"{"cpanelresult":{"error":"Access denied"}}"#,
            r#"{"data":{"n":1}}"#,
            r#"{"metadata":{"version":1,"command":"x","result":1"#,
            "",
            "<html><title>Login</title></html>",
        ];
        for body in bodies {
            let one = decode::<Strict>(ok(body)).map(|r| (r.data, r.metadata.reason));
            let two = decode_small::<Strict>(ok(body)).map(|r| (r.data, r.metadata.reason));
            assert_eq!(format!("{one:?}"), format!("{two:?}"), "{body}");
        }
    }

    /// The one-pass decode and its two-pass fallback give the same answers.
    #[test]
    fn data_first_and_data_that_does_not_fit_decode_as_before() {
        let body = r#"{"data":{"a":1},"metadata":{"version":1,"command":"x","result":1,"reason":"OK"}}"#;
        assert_eq!(decode::<Value>(ok(body)).unwrap().data.unwrap()["a"], 1);
        #[derive(Debug, serde::Deserialize)]
        struct Strict {
            #[allow(dead_code)]
            n: u64,
        }
        // a refused call whose data does not fit the type: WHM's refusal, not a malformed reply
        let body = r#"{"data":{"n":"x"},"metadata":{"version":1,"command":"x","result":0,"reason":"No."}}"#;
        assert!(matches!(decode::<Strict>(ok(body)), Err(WhmError::Api { .. })));
        // a successful call whose data does not fit: malformed, found in `data`
        let body = r#"{"metadata":{"version":1,"command":"x","result":1,"reason":"OK"},"data":{"n":"x"}}"#;
        assert!(
            matches!(decode::<Strict>(ok(body)), Err(WhmError::Malformed { at, .. }) if at.contains("data")),
            "{:?}",
            decode::<Strict>(ok(body))
        );
        // `data: null` is no data
        let body = r#"{"metadata":{"version":1,"command":"x","result":1,"reason":"OK"},"data":null}"#;
        assert!(decode::<Value>(ok(body)).unwrap().data.is_none());
    }

    #[test]
    fn metadata_only_reply_has_no_data() {
        let body = r#"{"metadata":{"version":1,"command":"pause_transfer_session","result":1,"reason":"OK."}}"#;
        let reply = decode::<Value>(ok(body)).unwrap();
        assert!(reply.data.is_none());
        assert_eq!(reply.metadata.reason, "OK.");
        assert!(matches!(reply.require_data(), Err(WhmError::Malformed { .. })));
    }

    #[test]
    fn null_data_is_no_data() {
        let body = r#"{"metadata":{"command":"x","result":"1"},"data":null}"#;
        assert!(decode::<Value>(ok(body)).unwrap().data.is_none());
    }

    #[test]
    fn output_messages_and_warnings_in_both_shapes() {
        let body = r#"{"metadata":{"command":"delete_account_archives","result":1,"output":{"messages":["Found archive: /home/a.tar.gz"],"warnings":"one\ntwo"}}}"#;
        let reply = decode::<Value>(ok(body)).unwrap();
        assert_eq!(reply.metadata.output.messages, ["Found archive: /home/a.tar.gz"]);
        assert_eq!(reply.metadata.output.warnings, ["one", "two"]);
    }

    #[test]
    fn access_denied_403_is_session_lost() {
        let body = r#"{"cpanelresult":{"apiversion":"2","error":"Access denied","data":{"reason":"Access denied","result":"0"},"type":"text"}}"#;
        let err = decode::<Value>(HttpReply {
            status: 403,
            content_type: Some("text/plain; charset=\"utf-8\""),
            body,
        })
        .unwrap_err();
        assert_eq!(err.kind(), "session-lost");
        // the same body with a 200 is still a lost session
        let err = decode::<Value>(ok(body)).unwrap_err();
        assert_eq!(err.kind(), "session-lost");
    }

    #[test]
    fn token_denied_html_is_session_lost() {
        let body = "<html><head><title>Access Denied: Security Token Failure</title></head><body>…</body></html>";
        let err = decode::<Value>(HttpReply {
            status: 401,
            content_type: Some("text/html"),
            body,
        })
        .unwrap_err();
        assert_eq!(
            err,
            WhmError::SessionLost {
                status: 401,
                detail: "Access Denied: Security Token Failure".into()
            }
        );
        let err = decode::<Value>(HttpReply {
            status: 200,
            content_type: Some("text/html; charset=utf-8"),
            body,
        })
        .unwrap_err();
        assert_eq!(err.kind(), "session-lost");
    }

    #[test]
    fn server_errors_are_http_errors() {
        let err = decode::<Value>(HttpReply {
            status: 500,
            content_type: Some("text/html"),
            body: "<h1>Internal Server Error</h1>",
        })
        .unwrap_err();
        assert!(matches!(err, WhmError::Http { status: 500, .. }));
        let err = decode::<Value>(HttpReply {
            status: 502,
            content_type: None,
            body: "",
        })
        .unwrap_err();
        assert!(matches!(err, WhmError::Http { status: 502, .. }));
    }

    #[test]
    fn truncated_and_malformed_bodies_say_where() {
        let err = decode::<Value>(ok(r#"{"metadata":{"command":"x","res"#)).unwrap_err();
        match err {
            WhmError::Malformed { truncated, at, .. } => {
                assert!(truncated);
                assert!(at.contains("line 1 column"), "{at}");
            }
            other => panic!("{other:?}"),
        }
        let err = decode::<Value>(ok(r#"{"metadata": nope}"#)).unwrap_err();
        assert!(matches!(err, WhmError::Malformed { truncated: false, .. }));
        let err = decode::<Value>(ok("")).unwrap_err();
        assert!(matches!(err, WhmError::Malformed { truncated: true, .. }));
        let err = decode::<Value>(ok(r#"{"hello":1}"#)).unwrap_err();
        assert!(matches!(err, WhmError::Malformed { .. }));
        let err = decode::<Value>(ok("[1,2]")).unwrap_err();
        assert!(matches!(err, WhmError::Malformed { .. }));
    }

    #[test]
    fn a_reply_cut_inside_a_number_or_literal_is_truncated() {
        // found by tests/fuzz_decoders.rs: serde_json calls these syntax errors, but the text was cut short
        for body in [
            r#"{"metadata":{"result":1},"data":{"owner":-2.5e"#,
            r#"{"metadata":{"result":1},"data":{"owner":-"#,
            r#"{"metadata":{"result":1},"data":{"owner":1."#,
            r#"{"metadata":{"result":tr"#,
            "{\"metadata\":{\"result\":1},\n\"data\":{\"a\":nul",
        ] {
            match decode::<Value>(ok(body)) {
                Err(WhmError::Malformed { truncated, detail, .. }) => {
                    assert!(truncated, "{body}");
                    assert!(detail.contains("ends in the middle"), "{detail}");
                }
                other => panic!("{body}: {other:?}"),
            }
        }
        // a syntax error before the end is not a truncation
        let err = decode::<Value>(ok(r#"{"metadata":{"result":1e},"data":1}"#)).unwrap_err();
        assert!(matches!(err, WhmError::Malformed { truncated: false, .. }), "{err:?}");
    }

    #[test]
    fn wrong_data_shape_is_malformed_in_data() {
        #[derive(Deserialize, Debug)]
        struct Want {
            #[allow(dead_code)]
            pid: u64,
        }
        let err = decode::<Want>(ok(r#"{"metadata":{"command":"x","result":1},"data":{"pid":"abc"}}"#)).unwrap_err();
        match err {
            WhmError::Malformed { at, .. } => assert!(at.starts_with("data"), "{at}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn saved_files_with_and_without_envelope() {
        let with = r#"{"metadata":{"command":"x","result":"1"},"data":{"a":2}}"#;
        assert_eq!(decode_saved::<Value>(with).unwrap()["a"], 2);
        assert_eq!(decode_saved::<Value>(r#"{"a":3}"#).unwrap()["a"], 3);
        let failed = r#"{"metadata":{"command":"x","result":0,"reason":"no"}}"#;
        assert!(matches!(decode_saved::<Value>(failed), Err(WhmError::Api { .. })));
    }
}
