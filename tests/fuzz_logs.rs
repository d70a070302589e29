//! Fuzzing the transfer-log parser (`master.log` and item logs, §6.3) and the live-tail stream framing
//! (`cgi/live_tail_log.cgi`, §6.4): any text parses without panicking, one entry per non-blank line, the
//! same way every time; frames built from their parts read back as those parts, in any stream chunking.
#![cfg(not(target_arch = "wasm32"))]

mod fuzz;

use fuzz::{config, json};
use proptest::prelude::*;
use serde_json::{Value, json};
use whm_transfer_console::whm::logs::{LogLine, ParsedLine, TailFrame, parse_log, parse_tail_line};

/// A log line object with the vocabulary of `master.log`, each field in a random wire shape.
fn log_line() -> impl Strategy<Value = Value> {
    let action = prop::sample::select(vec![
        "start",
        "process-item",
        "start-item",
        "success-item",
        "warning-item",
        "failed-item",
        "percentage",
        "queue_count",
        "queue_size",
        "remotehost",
        "summary",
        "version",
    ]);
    (
        action,
        json(),
        json(),
        fuzz::scalar(),
        fuzz::scalar(),
        "[a-z]{0,10}",
        fuzz::object(),
    )
        .prop_map(|(action, msg, extra, pid, child, item, more)| {
            let mut contents = more;
            contents.insert("action".into(), json!(action));
            contents.insert("msg".into(), msg);
            contents.insert("child_number".into(), child);
            contents.insert("item".into(), json!(item));
            contents.insert("queue".into(), json!("TRANSFER"));
            json!({"pid": pid, "type": "control", "indent": 0, "partial": extra, "contents": contents})
        })
}

fn check_text(text: &str) {
    let lines = parse_log(text);
    assert_eq!(lines, parse_log(text), "deterministic");
    let non_blank: Vec<(usize, &str)> = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), non_blank.len(), "one entry per non-blank line");
    for (parsed, (i, raw)) in lines.iter().zip(&non_blank) {
        match parsed {
            ParsedLine::Entry(e) => {
                assert!(raw.trim_start().starts_with('{'), "{raw:?}");
                let _ = (e.contents.msg_text(), e.contents.msg_size());
            }
            ParsedLine::Raw { line_no, text } => {
                assert_eq!(*line_no, i + 1);
                assert_eq!(text, raw);
            }
        }
    }
    for line in text.split_inclusive('\n') {
        let f = parse_tail_line(line);
        assert_eq!(f, parse_tail_line(line));
    }
}

/// Reassembles stream chunks into complete lines the way the transport does (keeps a partial last line).
fn frames_from_chunks(chunks: &[&str]) -> Vec<TailFrame> {
    let mut pending = String::new();
    let mut out = Vec::new();
    for c in chunks {
        pending.push_str(c);
        while let Some(nl) = pending.find('\n') {
            let line: String = pending.drain(..=nl).collect();
            out.push(parse_tail_line(&line));
        }
    }
    out
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn any_text_parses(bytes in prop::collection::vec(any::<u8>(), 0..800)) {
        check_text(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn any_json_lines_parse(values in prop::collection::vec(json(), 0..12), crlf in any::<bool>()) {
        let text: Vec<String> = values.iter().map(Value::to_string).collect();
        let joined = text.join(if crlf { "\r\n" } else { "\n" });
        check_text(&joined);
        // every object line is an entry, whatever its fields hold
        let lines = parse_log(&joined);
        for (v, parsed) in values.iter().zip(&lines) {
            prop_assert_eq!(v.is_object(), matches!(parsed, ParsedLine::Entry(_)), "{}", v);
        }
    }

    /// Log lines of any field shape decode to entries; the values WHM sends as strings or numbers read alike.
    #[test]
    fn master_log_lines_decode(lines in prop::collection::vec(log_line(), 1..10), child in 0u64..1000, as_text in any::<bool>()) {
        let mut lines = lines;
        if let Some(c) = lines[0].get_mut("contents").and_then(Value::as_object_mut) {
            c.insert("child_number".into(), if as_text { json!(child.to_string()) } else { json!(child) });
        }
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        check_text(&text);
        let parsed = parse_log(&text);
        prop_assert_eq!(parsed.len(), lines.len());
        prop_assert!(parsed.iter().all(|p| matches!(p, ParsedLine::Entry(_))));
        if let ParsedLine::Entry(first) = &parsed[0] {
            prop_assert_eq!(first.contents.child_number, Some(child));
        }
        let direct: Result<LogLine, _> = serde_json::from_str(&lines[0].to_string());
        prop_assert!(direct.is_ok());
    }

    /// Live-tail frames: what is sent is what is read, for any split of the stream into chunks.
    #[test]
    fn tail_frames_read_back_in_any_chunking(
        frames in prop::collection::vec(prop_oneof![
            ("[a-z._/-]{1,20}", any::<u64>(), log_line()).prop_map(|(f, n, v)| (0u8, f, n, v.to_string())),
            Just((1u8, String::new(), 0, String::new())),
            any::<u64>().prop_map(|n| (2u8, String::new(), n, String::new())),
            "[^\r\n]{0,30}".prop_map(|t| (3u8, String::new(), 0, t)),
        ], 0..12),
        cuts in prop::collection::vec(0usize..4000, 0..8),
        crlf in any::<bool>(),
    ) {
        let eol = if crlf { "\r\n" } else { "\n" };
        let mut stream = String::new();
        for (kind, file, n, payload) in &frames {
            match kind {
                0 => stream.push_str(&format!("{file}|{n}|{payload}")),
                1 => stream.push('.'),
                2 => stream.push_str(&format!("[tail_end:{n}]")),
                _ => stream.push_str(payload),
            }
            stream.push_str(eol);
        }
        let mut points: Vec<usize> = cuts.iter().map(|c| fuzz::cut(&stream, *c).len()).collect();
        points.sort_unstable();
        points.dedup();
        let mut chunks = Vec::new();
        let mut from = 0;
        for p in points.into_iter().chain([stream.len()]) {
            chunks.push(&stream[from..p]);
            from = p;
        }
        let got = frames_from_chunks(&chunks);
        prop_assert_eq!(got.len(), frames.len());
        for (frame, (kind, file, n, payload)) in got.iter().zip(&frames) {
            match kind {
                0 => {
                    prop_assert_eq!(frame, &TailFrame::Line { logfile: file.clone(), byte_count: *n, json: payload.clone() });
                    prop_assert!(matches!(parse_log(payload).as_slice(), [ParsedLine::Entry(_)]));
                }
                1 => prop_assert_eq!(frame, &TailFrame::KeepAlive),
                2 => prop_assert_eq!(frame, &TailFrame::End(*n)),
                _ => { let _ = frame; }
            }
        }
    }
}
