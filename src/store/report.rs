//! A finished session's report, to hand to a customer or paste into a ticket: Markdown, CSV (one
//! row per item and queue) and JSON, from the session's [`Progress`] (its master log, §6.3). Every
//! string from WHM or the remote server is untrusted: CSV cells are defused against formula
//! injection and quoted per RFC 4180; Markdown escapes every character with a meaning and shows
//! control, bidi and invisible characters as escapes (`whm::display`).

use super::format;
use super::progress::{ItemRow, Outcome, Progress};
use crate::whm::display;
use crate::whm::responses::ReportedState;
use serde_json::json;

/// What a report is made from.
#[derive(Debug, Clone, Copy)]
pub struct ReportInput<'a> {
    pub session_id: &'a str,
    /// The last state read (`None` when unknown).
    pub state: Option<&'a ReportedState>,
    /// The source host when known elsewhere; else the master log's `remotehost`.
    pub host: Option<&'a str>,
    pub progress: &'a Progress,
}

/// The formats offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Markdown,
    Csv,
    Json,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Markdown, Format::Csv, Format::Json];

    /// `data-format` and the file extension.
    pub fn ext(self) -> &'static str {
        match self {
            Format::Markdown => "md",
            Format::Csv => "csv",
            Format::Json => "json",
        }
    }
    pub fn mime(self) -> &'static str {
        match self {
            Format::Markdown => "text/markdown;charset=utf-8",
            Format::Csv => "text/csv;charset=utf-8",
            Format::Json => "application/json",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Format::Markdown => "Report (Markdown)",
            Format::Csv => "Items (CSV)",
            Format::Json => "Report (JSON)",
        }
    }
}

impl ReportInput<'_> {
    fn state_name(&self) -> String {
        match self.state {
            Some(ReportedState::Unknown(s)) => s.clone(),
            Some(s) => s.as_session().map(|s| s.name().to_owned()).unwrap_or_default(),
            None => "UNKNOWN".into(),
        }
    }

    /// Whether the report may say every item succeeded: the session completed, with items, none of
    /// them needing attention (as the page's verdict: an aborted or failed session, or one that
    /// never ran an item, did not).
    fn all_succeeded(&self) -> bool {
        let completed = matches!(
            self.state.and_then(ReportedState::as_session),
            Some(crate::whm::responses::SessionState::Completed)
        );
        completed && !self.progress.items.is_empty() && self.progress.all_succeeded()
    }

    fn host(&self) -> Option<&str> {
        self.host
            .or(self.progress.remote_host.as_deref())
            .map(str::trim)
            .filter(|h| !h.is_empty())
    }

    /// `transfer-<id>.<ext>`; the id is checked upstream, but only `[0-9A-Za-z_]` is kept anyway.
    pub fn filename(&self, format: Format) -> String {
        let id: String = self
            .session_id
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .take(64)
            .collect();
        format!("transfer-{id}.{}", format.ext())
    }

    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Markdown => markdown(self),
            Format::Csv => csv(self),
            Format::Json => json(self),
        }
    }
}

fn reason(o: &Outcome) -> &str {
    match o {
        Outcome::Failed(r) => r,
        _ => "",
    }
}

// ---------------------------------------------------------------------------------------------
// CSV

pub use super::export::csv_cell;
use super::export::csv_line;

/// One row per item and queue. Cells hold the raw strings (defused, not display-escaped): a
/// spreadsheet is a tool, and the admin may need the exact names.
pub fn csv(input: &ReportInput<'_>) -> String {
    let mut out = String::new();
    csv_line(
        &mut out,
        &[
            "session_id",
            "host",
            "session_state",
            "queue",
            "item",
            "local_item",
            "item_type",
            "size_bytes",
            "outcome",
            "reason",
        ],
    );
    let state = input.state_name();
    let host = input.host().unwrap_or("");
    for i in &input.progress.items {
        csv_line(
            &mut out,
            &[
                input.session_id,
                host,
                &state,
                &i.queue,
                &i.item,
                i.local_item.as_deref().unwrap_or(""),
                &i.item_type,
                &i.size.to_string(),
                i.outcome.as_str(),
                reason(&i.outcome),
            ],
        );
    }
    out
}

// ---------------------------------------------------------------------------------------------
// JSON

pub fn json(input: &ReportInput<'_>) -> String {
    let p = input.progress;
    let (items, failed) = super::history::item_counts(p);
    let queues: serde_json::Map<String, serde_json::Value> = p
        .queues
        .iter()
        .map(|(q, (count, size))| {
            (
                q.clone(),
                json!({ "items": count, "size_bytes": size, "done_fraction": p.queue_fraction(q), "never_started": p.missing(q) }),
            )
        })
        .collect();
    let rows: Vec<serde_json::Value> = p
        .items
        .iter()
        .map(|i| {
            json!({
                "queue": i.queue,
                "item": i.item,
                "local_item": i.local_item,
                "item_type": i.item_type,
                "size_bytes": i.size,
                "outcome": i.outcome.as_str(),
                "reason": match &i.outcome { Outcome::Failed(r) => Some(r.as_str()), _ => None },
                "logfile": i.logfile,
            })
        })
        .collect();
    let doc = json!({
        "kind": "whm-transfer-console.session-report",
        "version": 1,
        "session_id": input.session_id,
        "host": input.host(),
        "state": input.state_name(),
        "all_succeeded": input.all_succeeded(),
        "counts": { "items": items, "failed": failed, "needing_attention": p.items_needing_attention() },
        "queues": queues,
        "items": rows,
        "unreadable_log_lines": p.unreadable,
        "items_cut": p.dropped_items(),
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// Markdown

/// A remote string as inert Markdown text on one line: guarded for display, then every character
/// Markdown or HTML could read as markup backslash-escaped (`<` and `>` as entities, which GitHub,
/// GitLab and Jira all show as text; `|` escaped so a table cell cannot be split).
pub fn md_text(text: &str, max_chars: usize) -> String {
    let guarded = display::guard(text, max_chars, false);
    let mut out = String::with_capacity(guarded.len() + 8);
    for c in guarded.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '(' | ')' | '#' | '+' | '-' | '.' | '!' | '|' | '~'
            | '"' | '\'' | ':' | '=' | '$' | '^' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

fn md_name(text: &str) -> String {
    md_text(text, display::NAME_CHARS)
}

fn outcome_word(o: &Outcome) -> &'static str {
    match o {
        Outcome::Waiting => "not started",
        Outcome::Running => "did not finish",
        Outcome::Success => "success",
        Outcome::Warning => "warnings",
        Outcome::Failed(_) => "**failed**",
    }
}

fn item_label(i: &ItemRow) -> String {
    match &i.local_item {
        Some(l) if *l != i.item => format!("{} → {}", md_name(&i.item), md_name(l)),
        _ => md_name(&i.item),
    }
}

pub fn markdown(input: &ReportInput<'_>) -> String {
    let p = input.progress;
    let mut out = String::new();
    let (items, failed) = super::history::item_counts(p);
    out.push_str(&format!("# Transfer session {}\n\n", md_name(input.session_id)));
    out.push_str(&format!(
        "- **Source server:** {}\n",
        input.host().map_or_else(|| "unknown".to_owned(), md_name)
    ));
    out.push_str(&format!("- **Final state:** {}\n", md_name(&input.state_name())));
    out.push_str(&format!(
        "- **Items:** {} ({} failed, {} needing attention)\n",
        format::count(u128::from(items)),
        format::count(u128::from(failed)),
        format::count(p.items_needing_attention() as u128)
    ));
    let verdict = if input.all_succeeded() {
        "Every item was transferred and restored successfully."
    } else if p.items.is_empty() {
        "No item was run in this session."
    } else if failed > 0 {
        "Some items failed: see the reasons below."
    } else {
        "Some items finished with warnings or did not finish: see below."
    };
    out.push_str(&format!("\n{verdict}\n"));
    for (q, (count, size)) in &p.queues {
        out.push_str(&format!(
            "\n- {} queue: {}, {}, {:.0}% done",
            md_name(q),
            format::plural(*count as usize, "item", "items"),
            format::bytes(u128::from(*size)),
            p.queue_fraction(q) * 100.0
        ));
        let missing = p.missing(q);
        if missing > 0 {
            out.push_str(&format!(", {} never started", format::count(u128::from(missing))));
        }
    }
    if !p.queues.is_empty() {
        out.push('\n');
    }
    out.push_str("\n## Items\n\n| Queue | Item | Type | Size | Outcome | Reason |\n|---|---|---|---:|---|---|\n");
    for i in &p.items {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            md_name(&i.queue),
            item_label(i),
            md_name(&i.item_type),
            format::bytes(u128::from(i.size)),
            outcome_word(&i.outcome),
            md_text(reason(&i.outcome), display::TEXT_CHARS),
        ));
    }
    if p.items.is_empty() {
        out.push_str("| | no items in the log | | | | |\n");
    }
    if p.dropped_items() {
        out.push_str("\nThe log announced more items than this report holds.\n");
    }
    if p.unreadable > 0 {
        out.push_str(&format!(
            "\n{} line(s) of the master log could not be read.\n",
            format::count(u128::from(p.unreadable))
        ));
    }
    out.push_str("\n_Generated by WHM Transfer Console from the session’s master log\\._\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::whm::logs::parse_log;

    const HOSTILE: &str = "=cmd|' /C calc'!A0";
    const DEMO: &str = "exampleservercopya20140206192428NtyW";

    fn line(action: &str, queue: &str, item: &str, extra: &str) -> String {
        let item = serde_json::to_string(item).unwrap();
        format!(
            r#"{{"type":"control","contents":{{"action":"{action}","child_number":1,"queue":"{queue}","item":{item},"item_type":"AccountRemoteRoot"{extra}}}}}"#
        )
    }

    /// amy succeeds, a hostile name fails with a hostile reason, bob → bob2 warns, carl never ends.
    fn progress() -> Progress {
        let failure =
            serde_json::to_string("=HYPERLINK(\"x\")|<b>[link](javascript:x)\nline2 `tick` \u{202e}evil").unwrap();
        let log = [
            r#"{"type":"control","contents":{"action":"queue_count","child_number":0,"queue":"TRANSFER","msg":4}}"#
                .to_string(),
            r#"{"type":"control","contents":{"action":"queue_size","child_number":0,"queue":"TRANSFER","msg":4096}}"#
                .to_string(),
            r#"{"type":"control","contents":{"action":"remotehost","child_number":0,"msg":"src.example.com"}}"#
                .to_string(),
            line("success-item", "TRANSFER", "amy", r#","msg":{"size":1024}"#),
            line(
                "failed-item",
                "TRANSFER",
                &format!("{HOSTILE}|x\ny\u{202e}z"),
                &format!(r#","msg":{{"size":2048,"failure":{failure}}}"#),
            ),
            line(
                "warning-item",
                "TRANSFER",
                "bob",
                r#","local_item":"bob2","msg":{"size":1}"#,
            ),
            line("start-item", "TRANSFER", "carl", r#","msg":{"size":1}"#),
        ]
        .join("\n");
        Progress::from_log(&parse_log(&log))
    }

    fn input<'a>(p: &'a Progress, state: &'a ReportedState) -> ReportInput<'a> {
        ReportInput {
            session_id: DEMO,
            state: Some(state),
            host: None,
            progress: p,
        }
    }

    /// A minimal RFC 4180 reader, to check the CSV reads back to exactly the cells written.
    fn read_csv(text: &str) -> Vec<Vec<String>> {
        let mut rows = vec![];
        let mut row = vec![];
        let mut cell = String::new();
        let mut quoted = false;
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match (quoted, c) {
                (true, '"') if chars.peek() == Some(&'"') => {
                    chars.next();
                    cell.push('"');
                }
                (true, '"') => quoted = false,
                (true, c) => cell.push(c),
                (false, '"') => quoted = true,
                (false, ',') => row.push(std::mem::take(&mut cell)),
                (false, '\r') => {}
                (false, '\n') => {
                    row.push(std::mem::take(&mut cell));
                    rows.push(std::mem::take(&mut row));
                }
                (false, c) => cell.push(c),
            }
        }
        rows
    }

    #[test]
    fn csv_has_one_row_per_item_and_defuses_formulas() {
        let p = progress();
        let st = ReportedState::parse("COMPLETED");
        let text = csv(&input(&p, &st));
        let rows = read_csv(&text);
        assert_eq!(rows.len(), 5, "header + 4 items");
        assert!(
            rows.iter().all(|r| r.len() == 10),
            "every row has every column: {rows:?}"
        );
        assert_eq!(rows[1][..4], [DEMO, "src.example.com", "COMPLETED", "TRANSFER"]);
        assert_eq!(rows[1][4], "amy");
        assert_eq!(rows[1][7], "1024");
        assert_eq!(rows[1][8], "success");
        let hostile = &rows[2];
        assert_eq!(
            hostile[4],
            format!("'{HOSTILE}|x\ny\u{202e}z"),
            "prefixed, quoted, exact"
        );
        assert_eq!(hostile[8], "failed");
        assert!(hostile[9].starts_with("'=HYPERLINK"), "the reason is defused too");
        assert_eq!(rows[3][5], "bob2");
        assert_eq!(rows[3][8], "warning");
        assert_eq!(rows[4][8], "running");
        for c in ["=1", "+1", "-1", "@x", "\tx", "\rx"] {
            assert!(csv_cell(c).trim_start_matches('"').starts_with('\''), "{c:?}");
        }
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("plain"), "plain");
    }

    #[test]
    fn markdown_holds_every_item_and_no_markup_from_the_remote_side() {
        let p = progress();
        let st = ReportedState::parse("COMPLETED");
        let md = markdown(&input(&p, &st));
        let table: Vec<&str> = md.lines().filter(|l| l.starts_with("| ")).collect();
        assert_eq!(table.len(), 5, "header + 4 items:\n{md}");
        for row in &table {
            // unescaped pipes delimit exactly 6 cells
            let bare = row.replace("\\|", "");
            assert_eq!(bare.matches('|').count(), 7, "{row}");
        }
        let hostile_row = table[2];
        assert!(hostile_row.contains("\\=cmd\\|\\' /C calc\\'\\!A0"), "{hostile_row}");
        assert!(
            hostile_row.contains("\\\\u\\{202e\\}"),
            "bidi override shown as an escape"
        );
        assert!(!hostile_row.contains('\u{202e}'));
        assert!(hostile_row.contains("\\\\u\\{a\\}"), "the newline cannot end the row");
        assert!(!md.contains("<b>") && md.contains("&lt;b&gt;"));
        assert!(!md.contains("[link](") && md.contains("\\[link\\]\\(javascript"));
        assert!(md.contains("\\`tick\\`"));
        assert!(md.contains("bob → bob2"));
        assert!(md.contains("Source server:** src\\.example\\.com"));
        assert!(md.contains("Final state:** COMPLETED"));
        assert!(
            md.contains("Some items failed"),
            "a COMPLETED session with a failure says so"
        );
        assert!(md.contains("| did not finish |"), "carl");
        // an explicit host wins over the log's
        let given = ReportInput {
            host: Some("typed.example"),
            ..input(&p, &st)
        };
        assert!(markdown(&given).contains("typed\\.example"));
    }

    #[test]
    fn a_session_that_failed_or_ran_nothing_never_reads_as_every_item_succeeded() {
        // aborted before it started: WHM marks it FAILED, and the master log has no item
        let empty = Progress::default();
        let failed = ReportedState::parse("FAILED");
        let v: serde_json::Value = serde_json::from_str(&json(&input(&empty, &failed))).unwrap();
        assert_eq!(v["all_succeeded"], false);
        let md = markdown(&input(&empty, &failed));
        assert!(md.contains("No item was run in this session."), "{md}");
        assert!(!md.contains("Every item was transferred"), "{md}");
        // a completed session whose items all succeeded does
        let ok = Progress::from_log(&crate::whm::logs::parse_log(concat!(
            r#"{"type":"control","contents":{"action":"start-item","child_number":1,"queue":"TRANSFER","item":"amy","item_type":"AccountRemoteRoot","msg":{"size":1}}}"#,
            "\n",
            r#"{"type":"control","contents":{"action":"success-item","child_number":1,"queue":"TRANSFER","item":"amy","item_type":"AccountRemoteRoot"}}"#,
            "\n",
            r#"{"type":"control","contents":{"action":"start-item","child_number":1,"queue":"RESTORE","item":"amy","item_type":"AccountRemoteRoot","msg":{"size":1}}}"#,
            "\n",
            r#"{"type":"control","contents":{"action":"success-item","child_number":1,"queue":"RESTORE","item":"amy","item_type":"AccountRemoteRoot"}}"#,
        )));
        let completed = ReportedState::parse("COMPLETED");
        assert!(markdown(&input(&ok, &completed)).contains("Every item was transferred and restored successfully."));
        // the same items in an aborted session: not every item succeeded
        let aborted = ReportedState::parse("ABORTED");
        let v: serde_json::Value = serde_json::from_str(&json(&input(&ok, &aborted))).unwrap();
        assert_eq!(v["all_succeeded"], false);
    }

    #[test]
    fn json_holds_every_item_with_its_reason() {
        let p = progress();
        let st = ReportedState::parse("FAILED");
        let v: serde_json::Value = serde_json::from_str(&json(&input(&p, &st))).unwrap();
        assert_eq!(v["session_id"], DEMO);
        assert_eq!(v["state"], "FAILED");
        assert_eq!(v["host"], "src.example.com");
        assert_eq!(v["items"].as_array().unwrap().len(), 4);
        assert_eq!(
            v["items"][1]["item"],
            format!("{HOSTILE}|x\ny\u{202e}z"),
            "exact, as data"
        );
        assert_eq!(v["items"][1]["outcome"], "failed");
        assert!(v["items"][1]["reason"].as_str().unwrap().starts_with("=HYPERLINK"));
        assert_eq!(v["items"][0]["reason"], serde_json::Value::Null);
        assert_eq!(v["items"][2]["local_item"], "bob2");
        assert_eq!(v["counts"]["items"], 4);
        assert_eq!(v["counts"]["failed"], 1);
        assert_eq!(v["all_succeeded"], false);
        assert_eq!(v["queues"]["TRANSFER"]["size_bytes"], 4096);
    }

    #[test]
    fn an_empty_or_unknown_session_still_reports() {
        let p = Progress::default();
        let i = ReportInput {
            session_id: "bad/../id",
            state: None,
            host: None,
            progress: &p,
        };
        assert_eq!(i.filename(Format::Csv), "transfer-badid.csv");
        assert!(markdown(&i).contains("Final state:** UNKNOWN"));
        assert!(markdown(&i).contains("Source server:** unknown"));
        assert_eq!(read_csv(&csv(&i)).len(), 1, "just the header");
        let v: serde_json::Value = serde_json::from_str(&json(&i)).unwrap();
        assert_eq!(v["items"], serde_json::json!([]));
        for f in Format::ALL {
            assert!(!i.render(f).is_empty());
        }
    }
}
