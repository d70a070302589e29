//! What each transfer module moves, in an admin's words (§3.7, §3.9): the plan on `#/new` lists the
//! modules `available_transfer_modules` reports, in queue order, each with one line from this table.
//! A module WHM reports that is not here gets a neutral line, never an error: a newer WHM may add some.

use super::responses::TransferModules;

/// Which sessions may queue a module (§3.9 step 5): a root session takes only root modules, a user
/// session only `AccountRemoteUser`; the rest are not queued from a remote transfer session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModuleScope {
    /// Root-authenticated sessions (`create_remote_root_transfer_session`).
    RootSession,
    /// cPanel-user sessions (`create_remote_user_transfer_session`).
    UserSession,
    /// Restores from an archive or backup already on this server.
    ThisServer,
    /// Used by WHM itself.
    Internal,
    /// Not in this table.
    Unknown,
}

impl ModuleScope {
    /// `data-scope`.
    pub fn id(self) -> &'static str {
        match self {
            ModuleScope::RootSession => "root",
            ModuleScope::UserSession => "user",
            ModuleScope::ThisServer => "local",
            ModuleScope::Internal => "internal",
            ModuleScope::Unknown => "unknown",
        }
    }

    /// A short label for the row.
    pub fn label(self) -> &'static str {
        match self {
            ModuleScope::RootSession => "root sessions",
            ModuleScope::UserSession => "cPanel-user sessions",
            ModuleScope::ThisServer => "from this server",
            ModuleScope::Internal => "WHM internal",
            ModuleScope::Unknown => "—",
        }
    }
}

/// One module's description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModuleInfo {
    pub name: &'static str,
    /// A short name for the row.
    pub label: &'static str,
    /// One line: what it transfers.
    pub explains: &'static str,
    pub scope: ModuleScope,
}

const fn m(name: &'static str, label: &'static str, scope: ModuleScope, explains: &'static str) -> ModuleInfo {
    ModuleInfo {
        name,
        label,
        explains,
        scope,
    }
}

use ModuleScope::{Internal, RootSession, ThisServer, UserSession};

/// The 19 modules of v120 (§3.7), in their queue order.
pub static MODULES: [ModuleInfo; 19] = [
    m(
        "FeatureListRemoteRoot",
        "Feature lists",
        RootSession,
        "A feature list of the source (which cPanel features its packages allow), by name; runs before the packages that use it.",
    ),
    m(
        "BackupsRemoteRoot",
        "Backup configuration",
        RootSession,
        "The source server’s backup configuration.",
    ),
    m(
        "EximRemoteRoot",
        "Exim configuration",
        RootSession,
        "The source server’s Exim (mail server) configuration.",
    ),
    m(
        "ThemesRemoteRoot",
        "Themes",
        RootSession,
        "The source server’s cPanel themes.",
    ),
    m(
        "ApacheRemoteRoot",
        "Apache configuration",
        RootSession,
        "The source server’s Apache web server configuration.",
    ),
    m(
        "MySQLRemoteRoot",
        "MySQL configuration",
        RootSession,
        "The source server’s MySQL/MariaDB server configuration (not the databases: they go with each account).",
    ),
    m(
        "WHMConfRemoteRoot",
        "WHM configuration",
        RootSession,
        "The source server’s WHM settings.",
    ),
    m(
        "GreyListRemoteRoot",
        "Greylisting configuration",
        RootSession,
        "The source server’s mail greylisting configuration.",
    ),
    m(
        "HulkRemoteRoot",
        "cPHulk configuration",
        RootSession,
        "The source server’s cPHulk brute-force protection configuration.",
    ),
    m(
        "AutoSSLOptionsRemoteRoot",
        "AutoSSL options",
        RootSession,
        "The source server’s AutoSSL options.",
    ),
    m(
        "ModSecurityRemoteRoot",
        "ModSecurity configuration",
        RootSession,
        "The source server’s ModSecurity configuration.",
    ),
    m(
        "PackageRemoteRoot",
        "Packages",
        RootSession,
        "A hosting package (plan) of the source, by name; runs before the accounts that use it.",
    ),
    m(
        "AccountRemoteRoot",
        "Accounts (as root)",
        RootSession,
        "A cPanel account, packaged on the source as root and restored here: home directory, databases, mail, subdomains, bandwidth data, optionally a dedicated IP and reseller privileges; it may be renamed.",
    ),
    m(
        "AccountRemoteUser",
        "Accounts (with their own password)",
        UserSession,
        "One cPanel account, pulled with that account’s own cPanel password (no root access to the source needed) and restored here.",
    ),
    m(
        "AccountLocal",
        "Account archives on this server",
        ThisServer,
        "An account restored from a cpmove archive already on this server.",
    ),
    m(
        "LegacyAccountBackup",
        "Legacy backups",
        ThisServer,
        "An account restored from a legacy daily, weekly or monthly backup on this server (always unrestricted, with reseller privileges).",
    ),
    m(
        "AccountUpload",
        "Uploaded account archives",
        Internal,
        "An account archive uploaded through WHM; used by WHM itself.",
    ),
    m(
        "RearrangeAccount",
        "Rearrange an account",
        Internal,
        "Moves an account on this server; used by WHM itself, not queued by this console.",
    ),
    m(
        "MailboxConversion",
        "Mailbox conversion",
        Internal,
        "Converts an account’s mailboxes to another format; used by WHM itself, not queued by this console.",
    ),
];

/// The line for a module this table does not know.
pub const UNKNOWN_EXPLAINS: &str = "This server offers it; the console has no description of it and does not queue it.";

/// What the table says of `name` (exact, case-sensitive: WHM's names), if anything.
pub fn describe(name: &str) -> Option<&'static ModuleInfo> {
    MODULES.iter().find(|m| m.name == name)
}

/// One row of the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleRow {
    /// WHM's name (`data-module`).
    pub name: String,
    /// `u64::MAX` when WHM's value was unreadable (shown last).
    pub priority: u64,
    pub label: String,
    pub explains: &'static str,
    pub scope: ModuleScope,
}

impl ModuleRow {
    /// Whether a session of this kind can queue it (`user` = a cPanel-user session).
    pub fn usable_in(&self, user: bool) -> bool {
        match self.scope {
            ModuleScope::RootSession => !user,
            ModuleScope::UserSession => user,
            _ => false,
        }
    }
}

/// The plan's rows: every module WHM reported, lower priority first (then by name), each explained.
pub fn plan_rows(modules: &TransferModules) -> Vec<ModuleRow> {
    modules
        .in_queue_order()
        .into_iter()
        .map(|(name, priority)| match describe(name) {
            Some(info) => ModuleRow {
                name: name.to_owned(),
                priority,
                label: info.label.to_owned(),
                explains: info.explains,
                scope: info.scope,
            },
            None => ModuleRow {
                name: name.to_owned(),
                priority,
                label: "Other module".to_owned(),
                explains: UNKNOWN_EXPLAINS,
                scope: ModuleScope::Unknown,
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_in_v120_queue_order_without_duplicates() {
        let names: Vec<&str> = MODULES.iter().map(|m| m.name).collect();
        let mut sorted = names.clone();
        sorted.dedup();
        assert_eq!(sorted.len(), 19);
        assert_eq!(names[0], "FeatureListRemoteRoot");
        assert_eq!(describe("AccountRemoteUser").map(|m| m.scope), Some(UserSession));
        assert_eq!(describe("accountremoteroot"), None, "WHM's names are exact");
        assert!(MODULES.iter().all(|m| !m.explains.is_empty() && !m.label.is_empty()));
    }

    fn decoded(body: &str) -> TransferModules {
        let reply = crate::whm::HttpReply {
            status: 200,
            content_type: Some("application/json"),
            body,
        };
        crate::whm::decode_small::<TransferModules>(reply)
            .unwrap()
            .require_data()
            .unwrap()
    }

    #[test]
    fn the_openapi_reply_is_planned_in_priority_order_each_explained() {
        let body = include_str!("../../tests/fixtures/openapi/available_transfer_modules.json");
        let rows = plan_rows(&decoded(body));
        let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "FeatureListRemoteRoot",
                "PackageRemoteRoot",
                "AccountRemoteRoot",
                "AccountRemoteUser",
                "AccountLocal",
                "LegacyAccountBackup"
            ]
        );
        assert!(rows.windows(2).all(|w| w[0].priority <= w[1].priority));
        assert!(
            rows.iter()
                .all(|r| r.scope != ModuleScope::Unknown && r.explains != UNKNOWN_EXPLAINS)
        );
        assert!(
            rows[2].usable_in(false) && !rows[2].usable_in(true),
            "AccountRemoteRoot: root sessions"
        );
        assert!(
            rows[3].usable_in(true) && !rows[3].usable_in(false),
            "AccountRemoteUser: user sessions"
        );
        assert!(
            !rows[4].usable_in(false) && !rows[4].usable_in(true),
            "AccountLocal: neither"
        );
    }

    #[test]
    fn every_v120_module_and_an_unknown_one_with_an_odd_priority() {
        // §3.7's v120 priorities, in the table's order.
        let v120 = [
            1000, 1045, 1050, 1052, 1054, 1056, 1058, 1060, 1061, 1062, 1070, 2000, 3000, 4000, 5000, 6000, 7000, 8000,
            9000,
        ];
        let all: Vec<String> = MODULES
            .iter()
            .zip(v120)
            .rev()
            .map(|(m, p)| format!(r#""{}":"{p}""#, m.name))
            .collect();
        let body = format!(
            r#"{{"data":{{"modules":{{{},"FancyNewRemoteRoot":"2500","BrokenRemoteRoot":{{}},"<b>x</b>":"1"}}}},"metadata":{{"result":1,"reason":"OK","command":"available_transfer_modules","version":1}}}}"#,
            all.join(",")
        );
        let rows = plan_rows(&decoded(&body));
        assert_eq!(rows.len(), 22);
        assert_eq!(rows[0].name, "<b>x</b>", "priority 1 first, whatever its name");
        assert_eq!(
            rows[0].explains, UNKNOWN_EXPLAINS,
            "an unknown module gets a neutral line"
        );
        assert_eq!(rows[1].name, "FeatureListRemoteRoot");
        let fancy = rows.iter().position(|r| r.name == "FancyNewRemoteRoot").unwrap();
        let package = rows.iter().position(|r| r.name == "PackageRemoteRoot").unwrap();
        assert_eq!(fancy, package + 1, "2500 sorts between packages and accounts");
        assert_eq!(rows[fancy].scope, ModuleScope::Unknown);
        assert!(!rows[fancy].usable_in(false));
        let last = rows.last().unwrap();
        assert_eq!(
            (last.name.as_str(), last.priority),
            ("BrokenRemoteRoot", u64::MAX),
            "an unreadable priority is kept, last"
        );
        let known: Vec<&str> = rows
            .iter()
            .filter(|r| r.scope != ModuleScope::Unknown)
            .map(|r| r.name.as_str())
            .collect();
        let table: Vec<&str> = MODULES.iter().map(|m| m.name).collect();
        assert_eq!(known, table, "v120's own order");
    }
}
