//! Exports of a checked analysis: findings and accounts as CSV and JSON, and a Markdown report.

use super::format;
use crate::checks::{Finding, Report};
use crate::whm::analysis::Analysis;
use crate::whm::display;
use serde_json::json;

/// One CSV cell: quoted when needed (RFC 4180), and defused when a spreadsheet would read it as a
/// formula (remote strings are untrusted). Shared by every CSV the console writes. A `;` is quoted
/// too: a spreadsheet whose locale separates lists with `;` (German, French, Dutch…) would split the
/// cell there, and a part starting with `=` would then be read as a formula.
pub fn csv_cell(text: &str) -> String {
    let defused = match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_owned(),
    };
    if defused.contains([',', ';', '"', '\n', '\r']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

/// One CSV line (CRLF-terminated) of cells.
pub fn csv_line(out: &mut String, cells: &[&str]) {
    let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
    out.push_str(&line.join(","));
    out.push_str("\r\n");
}

pub fn findings_csv(findings: &[Finding]) -> String {
    let mut out = String::new();
    csv_line(
        &mut out,
        &["severity", "kind", "subject_type", "subject", "message", "fix"],
    );
    for f in findings {
        csv_line(
            &mut out,
            &[
                f.severity.as_str(),
                f.kind,
                f.subject.kind.as_str(),
                &f.subject.name,
                &f.message,
                &f.fix,
            ],
        );
    }
    out
}

pub fn accounts_csv(analysis: &Analysis) -> String {
    let mut out = String::new();
    csv_line(
        &mut out,
        &[
            "user",
            "domain",
            "owner",
            "bytesused",
            "filesused",
            "has_dedicated_ip",
            "worker_nodes",
        ],
    );
    for a in &analysis.items.accounts {
        let nodes: Vec<String> = a.worker_nodes.iter().map(|(k, v)| format!("{k}={v}")).collect();
        csv_line(
            &mut out,
            &[
                &a.user,
                &a.domain,
                a.owner_or_root(),
                &a.bytesused.to_string(),
                &a.filesused.to_string(),
                if a.has_dedicated_ip { "1" } else { "0" },
                &nodes.join(" "),
            ],
        );
    }
    out
}

fn finding_json(f: &Finding) -> serde_json::Value {
    json!({
        "severity": f.severity.as_str(),
        "kind": f.kind,
        "subject": { "type": f.subject.kind.as_str(), "name": f.subject.name },
        "message": f.message,
        "fix": f.fix,
    })
}

/// Findings, totals and accounts as one JSON document.
pub fn report_json(analysis: &Analysis, report: &Report) -> String {
    let accounts: Vec<_> = analysis
        .items
        .accounts
        .iter()
        .map(|a| {
            json!({
                "user": a.user, "domain": a.domain, "owner": a.owner_or_root(),
                "bytesused": a.bytesused, "filesused": a.filesused,
                "has_dedicated_ip": a.has_dedicated_ip, "worker_nodes": a.worker_nodes,
            })
        })
        .collect();
    let owners: Vec<_> = report
        .totals
        .by_owner
        .iter()
        .map(|o| json!({ "owner": o.owner, "accounts": o.accounts, "bytes": o.bytes.to_string(), "files": o.files.to_string() }))
        .collect();
    let doc = json!({
        "transfer_session_id": analysis.transfer_session_id,
        "remote_host": analysis.remote.host.as_deref().or(analysis.remote.hostname.as_deref()),
        "totals": {
            "accounts": report.totals.accounts,
            "packages": report.totals.packages,
            "bytes": report.totals.bytes.to_string(),
            "files": report.totals.files.to_string(),
            "by_owner": owners,
        },
        "findings": report.findings.iter().map(finding_json).collect::<Vec<_>>(),
        "accounts": accounts,
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

/// Markdown-safe inline text: no table breaks, no HTML, no link syntax; bidi overrides and invisible
/// characters escaped by the display guard, as on screen.
fn md(text: &str) -> String {
    let guarded = display::guard(text, display::TEXT_CHARS, true);
    let mut out = String::with_capacity(guarded.len());
    for c in guarded.chars() {
        match c {
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A report an admin can paste into a ticket.
pub fn markdown_report(analysis: &Analysis, report: &Report) -> String {
    let t = &report.totals;
    let count = |s: crate::checks::Severity| report.findings.iter().filter(|f| f.severity == s).count();
    let mut out = String::new();
    out.push_str(&format!("# Transfer check: {}\n\n", md(&analysis.transfer_session_id)));
    let remote = analysis
        .remote
        .host
        .as_deref()
        .or(analysis.remote.hostname.as_deref())
        .unwrap_or("unknown");
    let local = analysis.local.host.as_deref().unwrap_or("this server");
    out.push_str(&format!("From **{}** to **{}**.\n\n", md(remote), md(local)));
    out.push_str(&format!(
        "- {} ({} packages), {} on disk, {} files\n",
        format::plural(t.accounts, "account", "accounts"),
        format::count(t.packages as u128),
        format::bytes(t.bytes),
        format::count(t.files)
    ));
    out.push_str(&format!(
        "- Findings: {} errors, {} warnings, {} notes\n\n",
        count(crate::checks::Severity::Error),
        count(crate::checks::Severity::Warning),
        count(crate::checks::Severity::Info)
    ));
    out.push_str("## Findings\n\n");
    if report.findings.is_empty() {
        out.push_str("Nothing will collide or fail, as far as the analysis shows.\n\n");
    } else {
        out.push_str("| Severity | Kind | Subject | Problem | Fix |\n|---|---|---|---|---|\n");
        for f in &report.findings {
            out.push_str(&format!(
                "| {} | {} | {} {} | {} | {} |\n",
                f.severity.as_str(),
                f.kind,
                f.subject.kind.as_str(),
                md(&f.subject.name),
                md(&f.message),
                md(&f.fix)
            ));
        }
        out.push('\n');
    }
    out.push_str("## Disk by owner\n\n| Owner | Accounts | Disk | Files |\n|---|---:|---:|---:|\n");
    for o in &t.by_owner {
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            md(&o.owner),
            o.accounts,
            format::bytes(o.bytes),
            format::count(o.files)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_quoted_and_defused() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("-1"), "'-1");
        assert_eq!(csv_cell("line\nbreak"), "\"line\nbreak\"");
        // split at `;` by a spreadsheet in some locales: quoted, so the `=` part stays text
        assert_eq!(csv_cell("Could not restore;=cmd"), "\"Could not restore;=cmd\"");
    }

    #[test]
    fn markdown_text_cannot_break_the_table_or_inject_html() {
        assert_eq!(md("a|b\n<script>"), "a\\|b \\<script\\>");
        assert_eq!(md("[x](y)"), "\\[x\\](y)");
        assert_eq!(
            md("rtl\u{202e}resu"),
            "rtl\\\\u{202e}resu",
            "a bidi override shows as an escape"
        );
    }
}
