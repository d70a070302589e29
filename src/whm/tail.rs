//! The live tail of a session's logs: `cgi/live_tail_log.cgi` (§6.4), as a typed request, and a
//! bounded line splitter for its stream. Pure: the transport hands it text chunks as they arrive.

use super::logs::{TailFrame, parse_tail_line};
use super::request::form_encode_into;

/// Longest stream line kept (a `master.log` line is a few hundred bytes; an item log line with a long
/// list can reach tens of KB). A longer log line is skipped: its prefix names its file and length, so
/// the stream goes on past it ([`TailFrame::TooLong`]). A longer line without that prefix is a
/// fault: the stream is stopped with an error.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// How far into a line its `<logfile>|<byte_count>|` prefix is looked for.
const PREFIX_BYTES: usize = 1024;

/// One connection following log files of a session from given byte positions. A GET: it carries no
/// secret, only the session id and positions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveTail {
    pub transfer_session_id: String,
    /// Sent back as `[tail_end:N]` when the session is over; random per connection.
    pub termination: u64,
    /// (log file name, byte position) pairs, in order (`log_file1`, `log_file_position1`, …).
    pub files: Vec<(String, u64)>,
}

impl LiveTail {
    /// Follows `master.log` from `position`.
    pub fn master(transfer_session_id: &str, termination: u64, position: u64) -> Self {
        LiveTail {
            transfer_session_id: transfer_session_id.to_owned(),
            termination,
            files: vec![("master.log".to_owned(), position)],
        }
    }

    /// The path after the security token, with its query string.
    pub fn path(&self) -> String {
        let mut p = String::from("/cgi/live_tail_log.cgi?system_id=transfers&session_id=");
        form_encode_into(&mut p, &self.transfer_session_id);
        p.push_str("&termination_integer=");
        p.push_str(&self.termination.to_string());
        for (i, (file, position)) in self.files.iter().enumerate() {
            let n = i + 1;
            p.push_str(&format!("&log_file{n}="));
            form_encode_into(&mut p, file);
            p.push_str(&format!("&log_file_position{n}={position}"));
        }
        p
    }
}

/// Why a stream was stopped by the splitter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SplitError {
    /// A line grew past [`MAX_LINE_BYTES`] without a newline.
    LineTooLong { limit: usize },
}

/// Splits stream text into tail frames, keeping at most one partial line of bounded size.
#[derive(Debug, Default)]
pub struct LineSplitter {
    pending: String,
    /// Inside a log line past the cap, already reported: its text is dropped up to its newline.
    skipping: bool,
    ended: bool,
}

impl LineSplitter {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds one chunk; every complete line becomes a frame, and a log line past the cap a
    /// [`TailFrame::TooLong`] as soon as the cap is reached. `termination` marks the end frame of
    /// this connection (after which [`LineSplitter::ended`] is true).
    pub fn push(&mut self, chunk: &str, termination: u64, out: &mut Vec<TailFrame>) -> Result<(), SplitError> {
        let mut rest = chunk;
        if self.skipping {
            match rest.find('\n') {
                Some(end) => {
                    rest = &rest[end + 1..];
                    self.skipping = false;
                }
                None => return Ok(()),
            }
        }
        while let Some(end) = rest.find('\n') {
            let (head, tail) = rest.split_at(end + 1);
            rest = tail;
            if self.pending.len() + head.len() > MAX_LINE_BYTES {
                out.push(self.too_long(head)?);
                continue;
            }
            let frame = if self.pending.is_empty() {
                parse_tail_line(head)
            } else {
                self.pending.push_str(head);
                let f = parse_tail_line(&self.pending);
                self.pending.clear();
                f
            };
            if frame == TailFrame::End(termination) {
                self.ended = true;
            }
            out.push(frame);
        }
        if self.pending.len() + rest.len() > MAX_LINE_BYTES {
            out.push(self.too_long(rest)?);
            self.skipping = true;
            return Ok(());
        }
        self.pending.push_str(rest);
        Ok(())
    }

    /// The line in `pending` followed by `more` is past the cap: the frame that skips it, read from
    /// its prefix. The partial line is dropped either way.
    fn too_long(&mut self, more: &str) -> Result<TailFrame, SplitError> {
        let seen = self.pending.len() + more.len();
        let mut start = std::mem::take(&mut self.pending);
        if start.len() < PREFIX_BYTES {
            let mut n = (PREFIX_BYTES - start.len()).min(more.len());
            while !more.is_char_boundary(n) {
                n -= 1;
            }
            start.push_str(&more[..n]);
        }
        // the prefix is complete: the JSON that follows it is cut off, not needed
        let too_long = Err(SplitError::LineTooLong { limit: MAX_LINE_BYTES });
        let Some(second) = start
            .find('|')
            .and_then(|a| start[a + 1..].find('|').map(|b| a + 1 + b))
        else {
            return too_long;
        };
        match parse_tail_line(&start[..=second]) {
            // The count is the log line's length with its newline: at least what came after the
            // prefix so far. A smaller one would not move the position past the line, and the next
            // connection would meet it again.
            TailFrame::Line {
                logfile, byte_count, ..
            } if usize::try_from(byte_count).is_ok_and(|n| n >= seen.saturating_sub(second + 1)) => {
                Ok(TailFrame::TooLong { logfile, byte_count })
            }
            _ => too_long,
        }
    }

    /// Whether this connection's end marker was seen (the session is over).
    pub fn ended(&self) -> bool {
        self.ended
    }

    /// Bytes of the line still waiting for its newline.
    pub fn pending_len(&self) -> usize {
        self.pending.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_path_carries_the_session_and_positions_and_no_token() {
        let t = LiveTail::master("abc 1&x", 42, 1234);
        assert_eq!(
            t.path(),
            "/cgi/live_tail_log.cgi?system_id=transfers&session_id=abc+1%26x&termination_integer=42&log_file1=master.log&log_file_position1=1234"
        );
    }

    #[test]
    fn lines_split_across_chunks_are_joined() {
        let mut s = LineSplitter::new();
        let mut out = Vec::new();
        s.push("master.log|10|{\"a\"", 7, &mut out).unwrap();
        assert!(out.is_empty());
        s.push(":1}\n.\n[tail_end:7]\n", 7, &mut out).unwrap();
        assert_eq!(out.len(), 3);
        assert!(matches!(&out[0], TailFrame::Line { byte_count: 10, .. }));
        assert_eq!(out[1], TailFrame::KeepAlive);
        assert!(s.ended());
    }

    #[test]
    fn another_connections_end_marker_does_not_end_this_one() {
        let mut s = LineSplitter::new();
        let mut out = Vec::new();
        s.push("[tail_end:8]\n", 7, &mut out).unwrap();
        assert!(!s.ended());
    }

    #[test]
    fn a_stream_without_newlines_is_stopped_at_the_cap() {
        let mut s = LineSplitter::new();
        let mut out = Vec::new();
        let chunk = "x".repeat(64 * 1024);
        let mut result = Ok(());
        for _ in 0..(MAX_LINE_BYTES / chunk.len() + 2) {
            result = s.push(&chunk, 1, &mut out);
            if result.is_err() {
                break;
            }
        }
        assert_eq!(result, Err(SplitError::LineTooLong { limit: MAX_LINE_BYTES }));
        assert_eq!(s.pending_len(), 0, "the partial line is dropped, not kept");
        assert!(out.is_empty());
    }

    /// Feeds `text` in chunks of `size` bytes (at char boundaries).
    fn feed(s: &mut LineSplitter, text: &str, size: usize, out: &mut Vec<TailFrame>) -> Result<(), SplitError> {
        let mut rest = text;
        while !rest.is_empty() {
            let mut n = size.min(rest.len());
            while !rest.is_char_boundary(n) {
                n += 1;
            }
            s.push(&rest[..n], 3, out)?;
            rest = &rest[n..];
        }
        Ok(())
    }

    #[test]
    fn a_log_line_past_the_cap_is_skipped_by_its_length_and_the_stream_goes_on() {
        let long = format!(
            "{{\"type\":\"out\",\"contents\":{{\"msg\":\"{}\"}}}}",
            "é".repeat(MAX_LINE_BYTES)
        );
        let text = format!(
            "master.log|10|{{\"a\":1}}\nitem-TRANSFER_AccountRemoteRoot_bob|{}|{long}\nmaster.log|12|{{\"b\":2}}\n[tail_end:3]\n",
            long.len() + 1
        );
        for size in [7, 4096, 64 * 1024, text.len()] {
            let mut s = LineSplitter::new();
            let mut out = Vec::new();
            feed(&mut s, &text, size, &mut out).unwrap();
            assert_eq!(out.len(), 4, "chunks of {size}");
            assert_eq!(
                out[1],
                TailFrame::TooLong {
                    logfile: "item-TRANSFER_AccountRemoteRoot_bob".into(),
                    byte_count: long.len() as u64 + 1
                }
            );
            assert!(matches!(&out[2], TailFrame::Line { byte_count: 12, json, .. } if json == "{\"b\":2}"));
            assert!(s.ended());
            assert!(s.pending_len() < 1024, "the long line is not kept");
        }
    }

    #[test]
    fn a_long_line_without_a_log_prefix_still_stops_the_stream() {
        // (a count smaller than the line would leave the position before it)
        for bad in [
            "master.log|".to_owned(),
            "master.log|x|".to_owned(),
            String::new(),
            "master.log|0|".to_owned(),
            "master.log|1000|".to_owned(),
        ] {
            let mut s = LineSplitter::new();
            let text = format!("{bad}{}\n", "y".repeat(MAX_LINE_BYTES + 1));
            assert_eq!(
                feed(&mut s, &text, 64 * 1024, &mut Vec::new()),
                Err(SplitError::LineTooLong { limit: MAX_LINE_BYTES })
            );
        }
    }
}
