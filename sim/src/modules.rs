//! Transfer modules (§3.7), their priorities and schemas (§3.8, §3.9, §3.19).

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModuleKind {
    Account,
    Package,
    FeatureList,
    KeyValue,
    LegacyAccountBackup,
    RearrangeAccount,
    MailboxConversion,
}

#[derive(Debug)]
pub struct ModuleDef {
    pub name: &'static str,
    pub priority: u32,
    pub kind: ModuleKind,
    /// `item_name` in master-log lines (e.g. "Account").
    pub label: &'static str,
}

macro_rules! m {
    ($name:literal, $prio:literal, $kind:ident, $label:literal) => {
        ModuleDef {
            name: $name,
            priority: $prio,
            kind: ModuleKind::$kind,
            label: $label,
        }
    };
}

/// The 19 modules of v120 (§3.7).
pub static MODULES: [ModuleDef; 19] = [
    m!("FeatureListRemoteRoot", 1000, FeatureList, "Feature List"),
    m!("BackupsRemoteRoot", 1045, KeyValue, "Backup Configuration"),
    m!("EximRemoteRoot", 1050, KeyValue, "Exim Configuration"),
    m!("ThemesRemoteRoot", 1052, KeyValue, "Themes"),
    m!("ApacheRemoteRoot", 1054, KeyValue, "Apache Configuration"),
    m!("MySQLRemoteRoot", 1056, KeyValue, "MySQL Configuration"),
    m!("WHMConfRemoteRoot", 1058, KeyValue, "WHM Configuration"),
    m!("GreyListRemoteRoot", 1060, KeyValue, "Greylisting Configuration"),
    m!("HulkRemoteRoot", 1061, KeyValue, "cPHulk Configuration"),
    m!("AutoSSLOptionsRemoteRoot", 1062, KeyValue, "AutoSSL Options"),
    m!("ModSecurityRemoteRoot", 1070, KeyValue, "ModSecurity Configuration"),
    m!("PackageRemoteRoot", 2000, Package, "Package"),
    m!("AccountRemoteRoot", 3000, Account, "Account"),
    m!("AccountRemoteUser", 4000, Account, "Account"),
    m!("AccountLocal", 5000, Account, "Account"),
    m!(
        "LegacyAccountBackup",
        6000,
        LegacyAccountBackup,
        "Legacy Account Backup"
    ),
    m!("AccountUpload", 7000, Account, "Account"),
    m!("RearrangeAccount", 8000, RearrangeAccount, "Rearrange Account"),
    m!("MailboxConversion", 9000, MailboxConversion, "Mailbox Conversion"),
];

const C255: &str = "char(255) DEFAULT NULL";
const V255: &str = "varchar(255) DEFAULT NULL";
const INT0: &str = "int(1) DEFAULT 0";
const BIG1: &str = "BIGINT UNSIGNED DEFAULT 1";

/// Account schema (`Schema/AccountBase.pm`; defs as in the OpenAPI example, plus
/// `keep_local_cpuser_values` which v120 has and the OpenAPI omits).
static ACCOUNT_KEYS: [(&str, &str); 34] = [
    ("copypoint", "text"),
    ("cpmovefile", "text"),
    ("customip", C255),
    ("detected_remote_user", C255),
    ("disabled", "text"),
    ("domain", C255),
    ("files", BIG1),
    ("force", INT0),
    ("ip", INT0),
    ("keep_local_cpuser_values", "text"),
    ("live_transfer", INT0),
    ("localuser", C255),
    ("mail_location", C255),
    ("overwrite_all_dbs", INT0),
    ("overwrite_all_dbusers", INT0),
    ("overwrite_sameowner_dbs", INT0),
    ("overwrite_sameowner_dbusers", INT0),
    ("overwrite_with_delete", INT0),
    ("prerequisite_user", C255),
    ("priority", "int(1) DEFAULT 255"),
    ("replaceip", C255),
    ("reseller", INT0),
    ("shared_mysql_server", INT0),
    ("size", BIG1),
    ("skipaccount", INT0),
    ("skipacctdb", INT0),
    ("skipbwdata", INT0),
    ("skipemail", INT0),
    ("skiphomedir", INT0),
    ("skipres", INT0),
    ("skipsubdomains", INT0),
    ("user", C255),
    ("xferpoint", INT0),
    // kept last so the OpenAPI's alphabetical example order is preserved above
    ("_", ""),
];

static PACKAGE_KEYS: [(&str, &str); 2] = [("package", V255), ("size", BIG1)];
static FEATURELIST_KEYS: [(&str, &str); 2] = [("featurelist", V255), ("size", BIG1)];
static KEYVALUE_KEYS: [(&str, &str); 2] = [("name", V255), ("size", BIG1)];
static LEGACY_KEYS: [(&str, &str); 19] = [
    ("files", BIG1),
    ("mysql_dbs_to_restore", "text"),
    ("overwrite_all_dbs", INT0),
    ("overwrite_all_dbusers", INT0),
    ("overwrite_sameowner_dbs", INT0),
    ("overwrite_sameowner_dbusers", INT0),
    ("pgsql_dbs_to_restore", "text"),
    ("restoreall", INT0),
    ("restorebwdata", INT0),
    ("restoreip", INT0),
    ("restoremail", INT0),
    ("restoremysql", INT0),
    ("restorepsql", INT0),
    ("restoresubs", INT0),
    ("restoretype", C255),
    ("size", BIG1),
    ("unrestricted_restore", INT0),
    ("user", C255),
    ("_", ""),
];
static REARRANGE_KEYS: [(&str, &str); 3] = [("size", BIG1), ("target", C255), ("user", C255)];
static MAILBOX_KEYS: [(&str, &str); 5] = [
    ("size", BIG1),
    ("skip_removal", INT0),
    ("source_format", C255),
    ("target_format", C255),
    ("user", C255),
];

pub fn find(name: &str) -> Option<&'static ModuleDef> {
    MODULES.iter().find(|m| m.name == name)
}

impl ModuleDef {
    /// Schema keys with their SQL definitions.
    pub fn keys(&self) -> impl Iterator<Item = (&'static str, &'static str)> {
        let keys: &'static [(&'static str, &'static str)] = match self.kind {
            ModuleKind::Account => &ACCOUNT_KEYS,
            ModuleKind::Package => &PACKAGE_KEYS,
            ModuleKind::FeatureList => &FEATURELIST_KEYS,
            ModuleKind::KeyValue => &KEYVALUE_KEYS,
            ModuleKind::LegacyAccountBackup => &LEGACY_KEYS,
            ModuleKind::RearrangeAccount => &REARRANGE_KEYS,
            ModuleKind::MailboxConversion => &MAILBOX_KEYS,
        };
        keys.iter().copied().filter(|(k, _)| *k != "_")
    }

    pub fn has_key(&self, key: &str) -> bool {
        self.keys().any(|(k, _)| k == key)
    }

    pub fn primary(&self) -> &'static str {
        match self.kind {
            ModuleKind::Account
            | ModuleKind::LegacyAccountBackup
            | ModuleKind::RearrangeAccount
            | ModuleKind::MailboxConversion => "user",
            ModuleKind::Package => "package",
            ModuleKind::FeatureList => "featurelist",
            ModuleKind::KeyValue => "name",
        }
    }

    pub fn required(&self) -> &'static [&'static str] {
        match self.kind {
            ModuleKind::Account => &["user", "localuser"],
            ModuleKind::LegacyAccountBackup => &["user", "restoretype"],
            ModuleKind::RearrangeAccount => &["user", "target"],
            ModuleKind::MailboxConversion => &["user", "source_format", "target_format"],
            ModuleKind::Package => &["package"],
            ModuleKind::FeatureList => &["featurelist"],
            ModuleKind::KeyValue => &["name"],
        }
    }

    pub fn is_account(&self) -> bool {
        self.kind == ModuleKind::Account
    }

    /// `data.schema` of transfer_module_schema.
    pub fn schema_json(&self) -> Value {
        self.schema_json_without(&BTreeSet::new())
    }

    /// `data.schema` with the `dropped` keys left out everywhere (keys, primary, required).
    pub fn schema_json_without(&self, dropped: &BTreeSet<String>) -> Value {
        let kept = |k: &&str| !dropped.contains(*k);
        let mut keys = Map::new();
        for (k, def) in self.keys().filter(|(k, _)| kept(k)) {
            keys.insert(k.to_string(), json!({ "def": def }));
        }
        let mut schema = Map::new();
        schema.insert("keys".to_string(), Value::Object(keys));
        let primary: Vec<&str> = std::iter::once(self.primary()).filter(kept).collect();
        schema.insert("primary".to_string(), json!(primary));
        let required: Vec<&str> = self.required().iter().copied().filter(kept).collect();
        schema.insert("required".to_string(), json!(required));
        if self.is_account() {
            schema.insert("prerequisite".to_string(), json!("prerequisite_user"));
        }
        Value::Object(schema)
    }

    /// May this module be enqueued in a root-authenticated (copyacct) session?
    pub fn root_session_ok(&self) -> bool {
        self.name != "AccountRemoteUser"
    }

    /// May this module be enqueued in a user-authenticated (norootcopy) session?
    pub fn user_session_ok(&self) -> bool {
        self.name == "AccountRemoteUser"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_schema_is_exactly_3_19() {
        let Some(m) = find("PackageRemoteRoot") else {
            panic!("module missing");
        };
        assert_eq!(
            m.schema_json(),
            json!({"keys":{"package":{"def":"varchar(255) DEFAULT NULL"},"size":{"def":"BIGINT UNSIGNED DEFAULT 1"}},
                   "primary":["package"],"required":["package"]})
        );
    }

    #[test]
    fn account_schema_has_all_keys() {
        let Some(m) = find("AccountRemoteRoot") else {
            panic!("module missing");
        };
        assert_eq!(m.keys().count(), 33);
        assert!(m.has_key("localuser"));
        assert!(!m.has_key("overwrite"));
        assert!(!m.has_key("_"));
    }
}
