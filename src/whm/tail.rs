//! The live tail of a session's logs: `cgi/live_tail_log.cgi` (§6.4), as a typed request, and a
//! bounded line splitter for its stream. Pure: the transport hands it text chunks as they arrive.

use super::logs::{TailFrame, parse_tail_line};
use super::request::form_encode_into;

/// Longest stream line kept (a `master.log` line is a few hundred bytes; an item log line with a long
/// list can reach tens of KB). A longer line is a fault: the stream is stopped with an error.
pub const MAX_LINE_BYTES: usize = 1 << 20;

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
    ended: bool,
}

impl LineSplitter {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds one chunk; every complete line becomes a frame. `termination` marks the end frame of
    /// this connection (after which [`LineSplitter::ended`] is true).
    pub fn push(&mut self, chunk: &str, termination: u64, out: &mut Vec<TailFrame>) -> Result<(), SplitError> {
        let mut rest = chunk;
        while let Some(end) = rest.find('\n') {
            let (head, tail) = rest.split_at(end + 1);
            rest = tail;
            if self.pending.len() + head.len() > MAX_LINE_BYTES {
                self.pending.clear();
                return Err(SplitError::LineTooLong { limit: MAX_LINE_BYTES });
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
            self.pending.clear();
            return Err(SplitError::LineTooLong { limit: MAX_LINE_BYTES });
        }
        self.pending.push_str(rest);
        Ok(())
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
}
