//! Transfer session logs (§6.3) and the live-tail stream framing (§6.4).

use super::scalar::{self, lenient_struct};
use serde_json::Value;

lenient_struct! {
    /// One line of `master.log` or an item log: `{"pid":N,"type":T,"indent":0,"partial":0,"contents":{…}}`.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct LogLine {
        pub pid: Option<u64> = "pid" => scalar::opt_u64,
        /// `control`, `start`, `out`, `warn`, `error`, `success`, `failed`, `modulestatus` …
        pub kind: String = "type" => scalar::string,
        pub indent: u64 = "indent" => scalar::u64_or_zero,
        pub partial: bool = "partial" => scalar::flag,
        /// Set on lines relayed from the source server.
        pub source: Option<String> = "source" => scalar::opt_string,
        pub contents: LogContents = "contents" => scalar::object,
    }
}

lenient_struct! {
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct LogContents {
        /// Control lines: `start`, `process-item`, `start-item`, `success-item`, `percentage`, `summary` …
        pub action: Option<String> = "action" => scalar::opt_string,
        pub child_number: Option<u64> = "child_number" => scalar::opt_u64,
        pub time: Option<i64> = "time" => scalar::opt_i64,
        pub queue: Option<String> = "queue" => scalar::opt_string,
        pub item: Option<String> = "item" => scalar::opt_string,
        pub local_item: Option<String> = "local_item" => scalar::opt_string,
        pub item_type: Option<String> = "item_type" => scalar::opt_string,
        pub item_name: Option<String> = "item_name" => scalar::opt_string,
        pub logfile: Option<String> = "logfile" => scalar::opt_string,
        pub percentage: Option<f64> = "percentage" => scalar::opt_f64,
        /// `modulestatus` lines.
        pub module: Option<String> = "module" => scalar::opt_string,
        pub status: Option<String> = "status" => scalar::opt_string,
        pub statusmsg: Option<String> = "statusmsg" => scalar::opt_string,
        /// Free-form: a string, a list of strings, or an object (`{size, failure, warnings…}`).
        pub msg: Option<Value> = "msg" => scalar::opt_value,
    }
}

impl LogContents {
    /// `msg` as display text: strings joined by newlines; objects give their `message`/`failure`.
    pub fn msg_text(&self) -> String {
        fn text(v: &Value) -> String {
            match v {
                Value::String(s) => s.clone(),
                Value::Array(a) => a
                    .iter()
                    .map(text)
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join("\n"),
                Value::Object(o) => o
                    .get("failure")
                    .or_else(|| o.get("message"))
                    .map(text)
                    .unwrap_or_default(),
                Value::Null => String::new(),
                other => other.to_string(),
            }
        }
        self.msg.as_ref().map(text).unwrap_or_default()
    }

    /// `msg.size` of `start-item` / `*-item` lines (bytes), leniently.
    pub fn msg_size(&self) -> Option<u64> {
        let v = self.msg.as_ref()?.get("size")?;
        match v {
            Value::Number(n) => n
                .as_u64()
                .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64)),
            Value::String(s) => scalar::parse_int(s).and_then(|i| u64::try_from(i).ok()),
            _ => None,
        }
    }
}

/// A log file split into lines; unreadable lines are kept as raw text with their line number.
#[derive(Debug, Clone, PartialEq)]
pub enum ParsedLine {
    Entry(Box<LogLine>),
    Raw { line_no: usize, text: String },
}

/// Parses a JSON-lines log (`master.log`, item logs). Plain text (`master.error_log`) comes back as raw
/// lines. Never panics.
pub fn parse_log(text: &str) -> Vec<ParsedLine> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| match serde_json::from_str::<LogLine>(l) {
            Ok(line) if l.trim_start().starts_with('{') => ParsedLine::Entry(Box::new(line)),
            _ => ParsedLine::Raw {
                line_no: i + 1,
                text: l.to_owned(),
            },
        })
        .collect()
}

/// One frame of `cgi/live_tail_log.cgi`'s stream.
#[derive(Debug, Clone, PartialEq)]
pub enum TailFrame {
    /// `<logfile>|<byte_count>|<json>`
    Line {
        logfile: String,
        byte_count: u64,
        json: String,
    },
    /// A `<logfile>|<byte_count>|…` line longer than the splitter keeps: only its prefix was read.
    /// The position moves past it; its text is in the log file, read whole later.
    TooLong { logfile: String, byte_count: u64 },
    /// `.`
    KeepAlive,
    /// `[tail_end:<termination_integer>]`
    End(u64),
    /// Anything else (kept for diagnostics).
    Other(String),
}

/// Splits a chunk of complete stream lines into frames (the caller keeps any partial last line).
pub fn parse_tail_line(line: &str) -> TailFrame {
    let l = line.trim_end_matches(['\r', '\n']);
    if l == "." {
        return TailFrame::KeepAlive;
    }
    if let Some(Ok(n)) = l
        .strip_prefix("[tail_end:")
        .and_then(|r| r.strip_suffix(']'))
        .map(|r| r.trim().parse())
    {
        return TailFrame::End(n);
    }
    let mut parts = l.splitn(3, '|');
    if let (Some(file), Some(Ok(byte_count)), Some(json)) = (
        parts.next(),
        parts.next().map(|c| c.trim().parse::<u64>()),
        parts.next(),
    ) {
        return TailFrame::Line {
            logfile: file.to_owned(),
            byte_count,
            json: json.to_owned(),
        };
    }
    TailFrame::Other(l.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_master_log_lines_with_string_numbers() {
        let log = concat!(
            r#"{"contents":{"action":"start","time":1598991042,"child_number":0},"pid":12789,"type":"control","indent":0,"partial":0}"#,
            "\n",
            r#"{"pid":"12790","type":"control","indent":"0","partial":"0","contents":{"action":"start-item","child_number":"1","queue":"TRANSFER","item":"bob","msg":{"size":"52428800"}}}"#,
            "\nnot json\n\n"
        );
        let lines = parse_log(log);
        assert_eq!(lines.len(), 3);
        let ParsedLine::Entry(first) = &lines[0] else { panic!() };
        assert_eq!(first.contents.action.as_deref(), Some("start"));
        assert_eq!(first.pid, Some(12789));
        let ParsedLine::Entry(second) = &lines[1] else { panic!() };
        assert_eq!(second.contents.child_number, Some(1));
        assert_eq!(second.contents.msg_size(), Some(52_428_800));
        assert_eq!(
            lines[2],
            ParsedLine::Raw {
                line_no: 3,
                text: "not json".into()
            }
        );
    }

    #[test]
    fn msg_text_covers_strings_lists_and_objects() {
        let c: LogContents = serde_json::from_str(r#"{"msg":["Starting “TRANSFER”.","x"]}"#).unwrap();
        assert_eq!(c.msg_text(), "Starting “TRANSFER”.\nx");
        let c: LogContents = serde_json::from_str(r#"{"msg":{"failure":"Failed: boom","size":1}}"#).unwrap();
        assert_eq!(c.msg_text(), "Failed: boom");
    }

    #[test]
    fn tail_frames() {
        assert_eq!(parse_tail_line("."), TailFrame::KeepAlive);
        assert_eq!(parse_tail_line("[tail_end:42]"), TailFrame::End(42));
        assert_eq!(
            parse_tail_line(r#"master.log|120|{"a":"x|y"}"#),
            TailFrame::Line {
                logfile: "master.log".into(),
                byte_count: 120,
                json: r#"{"a":"x|y"}"#.into()
            }
        );
        assert!(matches!(parse_tail_line("garbage"), TailFrame::Other(_)));
    }
}
