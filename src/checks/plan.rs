//! Queue-plan validation: the admin's selection checked against the analysis, the available transfer
//! modules and their schemas (§3.9), then turned into `enqueue_transfer_item`
//! requests.
//!
//! Problems are [`Finding`]s (alias [`PlanProblem`]); account problems have the account's **source**
//! username as subject, so the UI can mark the row, and name the local username in the message.
//! Session-wide findings of the analysis (shared MySQL, module errors …) are [`crate::checks::findings()`]'
//! business and are not repeated here, except Live Transfer, which is chosen per account.

use super::findings::{Finding, Severity, Subject, SubjectKind, sort_findings};
use super::name_findings::{NameFindings, Voice};
use super::text::{free_ips, others_list, quote};
use super::username::{
    Checker, Collision, FastMap, FastSet, Purpose, Rule, RuleContext, Verdict, find_collisions, key_of,
};
use crate::whm::Analysis;
use crate::whm::analysis::Account;
use crate::whm::request::{AccountItem, EnqueueTransferItem, KeyValue};
use crate::whm::responses::{ModuleSchema, SystemUserVerdict, TransferModules};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

/// A problem of a queue plan.
pub type PlanProblem = Finding;

/// The module that enqueues packages.
pub const PACKAGE_MODULE: &str = "PackageRemoteRoot";
/// The account module of root sessions.
pub const ROOT_ACCOUNT_MODULE: &str = "AccountRemoteRoot";
/// The account module of user sessions (no packages there).
pub const USER_ACCOUNT_MODULE: &str = "AccountRemoteUser";

/// One account the admin wants to queue. Field meanings: §3.9.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedAccount {
    /// Username on the source.
    pub user: String,
    /// Username to create here (differs → rename).
    pub localuser: String,
    pub domain: Option<String>,
    pub size: Option<u64>,
    pub files: Option<u64>,
    /// Give the account a dedicated IP.
    pub ip: bool,
    /// A specific free IP (needs `ip`).
    pub customip: Option<String>,
    /// `all` or `basic`.
    pub replaceip: Option<String>,
    pub reseller: bool,
    /// Overwrite an existing local account (only in unrestricted sessions, only with `user == localuser`).
    pub force: bool,
    /// Skip reseller privileges. Always sent.
    pub skipres: bool,
    /// Restore into an existing account (`user` must equal `localuser`).
    pub skipaccount: bool,
    pub skiphomedir: bool,
    pub skipacctdb: bool,
    pub skipbwdata: bool,
    pub skipemail: bool,
    pub skipsubdomains: bool,
    pub overwrite_with_delete: bool,
    /// The databases' overwrite policy.
    pub db_overwrite: DbOverwrite,
    pub live_transfer: bool,
    /// Legacy Express Transfer: repoint the source's DNS when done (sources with the xferpoint script).
    pub xferpoint: bool,
    /// `.local`, `.existing` or a local linked node alias.
    pub mail_location: Option<String>,
}

/// What happens to databases and database users of the same name here (§3.9 `overwrite_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum DbOverwrite {
    /// Nothing is overwritten (WHM's default): a name taken here fails that database.
    #[default]
    Keep,
    /// Overwrite those this account already owns here (`overwrite_sameowner_dbs`, `…_dbusers`).
    SameOwner,
    /// Overwrite any of the same name, whoever owns it here (`overwrite_all_dbs`, `…_dbusers`).
    All,
}

impl DbOverwrite {
    pub const ALL: [DbOverwrite; 3] = [DbOverwrite::Keep, DbOverwrite::SameOwner, DbOverwrite::All];
    pub fn id(self) -> &'static str {
        match self {
            DbOverwrite::Keep => "keep",
            DbOverwrite::SameOwner => "sameowner",
            DbOverwrite::All => "all",
        }
    }
    pub fn parse(id: &str) -> Option<DbOverwrite> {
        DbOverwrite::ALL.into_iter().find(|d| d.id() == id)
    }
    pub fn label(self) -> &'static str {
        match self {
            DbOverwrite::Keep => "Keep existing databases",
            DbOverwrite::SameOwner => "Overwrite this account’s own databases",
            DbOverwrite::All => "Overwrite databases of the same name",
        }
    }
}

impl PlannedAccount {
    /// Keeps the name, skips reseller privileges (as WHM's own UI does), everything else off.
    pub fn new(user: impl Into<String>) -> Self {
        let user = user.into();
        PlannedAccount {
            localuser: user.clone(),
            user,
            domain: None,
            size: None,
            files: None,
            ip: false,
            customip: None,
            replaceip: None,
            reseller: false,
            force: false,
            skipres: true,
            skipaccount: false,
            skiphomedir: false,
            skipacctdb: false,
            skipbwdata: false,
            skipemail: false,
            skipsubdomains: false,
            overwrite_with_delete: false,
            db_overwrite: DbOverwrite::Keep,
            live_transfer: false,
            xferpoint: false,
            mail_location: None,
        }
    }

    /// From an analysis account: its domain, size and file count, and a dedicated IP when it has one
    /// on the source.
    pub fn from_account(account: &Account) -> Self {
        PlannedAccount {
            domain: Some(account.domain.clone()).filter(|d| !d.is_empty()),
            size: Some(account.bytesused),
            files: Some(account.filesused),
            ip: account.has_dedicated_ip,
            ..PlannedAccount::new(account.user.as_str())
        }
    }

    pub fn renamed(&self) -> bool {
        self.user != self.localuser
    }

    /// The wire item (§3.9) for this account.
    pub fn to_item(&self, shared_mysql_server: bool) -> AccountItem {
        AccountItem {
            user: self.user.clone(),
            localuser: self.localuser.clone(),
            domain: self.domain.clone(),
            size: self.size,
            files: self.files,
            ip: self.ip,
            customip: self.customip.clone(),
            replaceip: self.replaceip.clone(),
            reseller: self.reseller,
            force: self.force,
            skipres: self.skipres,
            skipaccount: self.skipaccount,
            skiphomedir: self.skiphomedir,
            skipacctdb: self.skipacctdb,
            skipbwdata: self.skipbwdata,
            skipemail: self.skipemail,
            skipsubdomains: self.skipsubdomains,
            shared_mysql_server,
            overwrite_with_delete: self.overwrite_with_delete,
            overwrite_all: self.db_overwrite == DbOverwrite::All,
            overwrite_sameowner: self.db_overwrite == DbOverwrite::SameOwner,
            live_transfer: self.live_transfer,
            xferpoint: self.xferpoint,
            mail_location: self.mail_location.clone(),
        }
    }
}

/// The admin's selection.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QueuePlan {
    pub accounts: Vec<PlannedAccount>,
    /// Package names (`PackageRemoteRoot`).
    pub packages: Vec<String>,
    /// Feature list names (`FeatureListRemoteRoot`).
    pub feature_lists: Vec<String>,
    /// Configuration modules: (module, its `name` key), e.g. (`ApacheRemoteRoot`, `Apache`).
    pub config: Vec<(String, String)>,
    /// Sent with every account item: `config.shared_mysql_server` of the analysis.
    pub shared_mysql_server: bool,
}

impl QueuePlan {
    /// Every account and package of the analysis, with [`PlannedAccount::from_account`] defaults.
    pub fn from_analysis(analysis: &Analysis) -> Self {
        QueuePlan {
            accounts: analysis
                .items
                .accounts
                .iter()
                .map(PlannedAccount::from_account)
                .collect(),
            packages: analysis.items.packages.iter().map(|p| p.name.clone()).collect(),
            feature_lists: Vec::new(),
            config: Vec::new(),
            shared_mysql_server: analysis.config.shared_mysql_server == Some(true),
        }
    }
}

/// The module that enqueues feature lists.
pub const FEATURE_LIST_MODULE: &str = "FeatureListRemoteRoot";

/// The enqueue module of a configuration module of the analysis (`modules.Apache` → `ApacheRemoteRoot`).
pub fn config_module(key: &str) -> String {
    format!("{key}RemoteRoot")
}

/// Configuration modules, feature lists, packages, then accounts, in plan order (WHM runs them by
/// module priority whatever the order). Every account item carries `skipres`.
pub fn to_requests(plan: &QueuePlan, transfer_session_id: &str, module: &str) -> Vec<EnqueueTransferItem> {
    let mut out =
        Vec::with_capacity(plan.config.len() + plan.feature_lists.len() + plan.packages.len() + plan.accounts.len());
    out.extend(other_requests(plan, transfer_session_id));
    out.extend(plan.accounts.iter().map(|a| {
        a.to_item(plan.shared_mysql_server)
            .into_request(transfer_session_id, module)
    }));
    out
}

/// The calls of the plan's configuration modules, feature lists and packages, in the order
/// [`to_requests`] sends them (before the accounts).
fn other_requests<'a>(
    plan: &'a QueuePlan,
    transfer_session_id: &'a str,
) -> impl Iterator<Item = EnqueueTransferItem> + 'a {
    let config = plan.config.iter().map(|(m, name)| EnqueueTransferItem {
        transfer_session_id: transfer_session_id.into(),
        module: m.clone(),
        keys: vec![("name".into(), name.clone())],
    });
    let lists = plan.feature_lists.iter().map(|f| EnqueueTransferItem {
        transfer_session_id: transfer_session_id.into(),
        module: FEATURE_LIST_MODULE.into(),
        keys: vec![("featurelist".into(), f.clone())],
    });
    let packages = plan
        .packages
        .iter()
        .map(|p| EnqueueTransferItem::package(transfer_session_id, p));
    config.chain(lists).chain(packages)
}

/// The calls with only the keys their module's schema has (nothing unknown is ever sent). A key the
/// schema lacks is dropped only when it carries the default; an option the admin chose stays, so
/// [`validate_plan`] reports it (`schema-unknown-key`) and nothing is silently lost. Modules with no
/// schema in `schemas` are left as they are.
pub fn fit_to_schemas(requests: &mut [EnqueueTransferItem], schemas: &BTreeMap<String, ModuleSchema>) {
    for r in requests {
        if let Some(schema) = schemas.get(&r.module) {
            r.keys.retain(|(k, v)| keeps_key(Some(schema), k, v));
        }
    }
}

/// Whether a call keeps `key=value` once fitted to its module's schema ([`fit_to_schemas`]): the
/// schema has the key, or the value is not WHM's default. Without a schema every key is kept.
pub fn keeps_key(schema: Option<&ModuleSchema>, key: &str, value: &str) -> bool {
    keeps(schema, key, KeyValue::Text(value))
}

/// [`keeps_key`] of a value not yet written as text.
fn keeps(schema: Option<&ModuleSchema>, key: &str, value: KeyValue<'_>) -> bool {
    kept(schema.is_none_or(|s| s.keys.contains_key(key)), value)
}

/// [`keeps`], once it is known whether the schema has the key.
fn kept(in_schema: bool, value: KeyValue<'_>) -> bool {
    in_schema || !value.is_default()
}

/// Whether the module's schema offers this key (unknown while the schema is not fetched: `true`).
pub fn offers(schemas: &BTreeMap<String, ModuleSchema>, module: &str, key: &str) -> bool {
    schemas.get(module).is_none_or(|s| s.keys.contains_key(key))
}

/// Everything [`validate_plan`] looks at.
#[derive(Debug, Clone, Copy)]
pub struct PlanInput<'a> {
    pub plan: &'a QueuePlan,
    /// The session's analysis; `None` for user sessions (WHM refuses to analyse those): then accounts,
    /// packages, IPs, linked nodes and Live Transfer support are not checked.
    pub analysis: Option<&'a Analysis>,
    pub ctx: &'a RuleContext,
    /// The account module: `AccountRemoteRoot` (root sessions) or `AccountRemoteUser`.
    pub module: &'a str,
    /// `unrestricted_restore` of the session.
    pub unrestricted: bool,
    /// `available_transfer_modules`, when fetched.
    pub modules: Option<&'a TransferModules>,
    /// `transfer_module_schema` replies by module name, when fetched (any subset).
    pub schemas: Option<&'a BTreeMap<String, ModuleSchema>>,
    /// `validate_system_user` replies by local username, when fetched.
    pub server_verdicts: Option<&'a HashMap<String, SystemUserVerdict>>,
}

impl<'a> PlanInput<'a> {
    /// A root session's plan: module `AccountRemoteRoot`, `unrestricted` from the analysis.
    pub fn new(plan: &'a QueuePlan, analysis: &'a Analysis, ctx: &'a RuleContext) -> Self {
        PlanInput {
            plan,
            analysis: Some(analysis),
            ctx,
            module: ROOT_ACCOUNT_MODULE,
            unrestricted: analysis.options.unrestricted == Some(true),
            modules: None,
            schemas: None,
            server_verdicts: None,
        }
    }

    /// Whether a user of this name exists here: in the rule context, the analysis, or by
    /// `validate_system_user`.
    fn exists_here(&self, name: &str) -> bool {
        self.ctx.local_users.contains(name)
            || self.analysis.is_some_and(|a| a.local.users.contains(name))
            || self.server_verdicts.and_then(|v| v.get(name)).is_some_and(|v| v.exists)
    }
}

/// The problem kinds of [`validate_plan`]; the username kinds are shared with [`crate::checks::findings::kinds`].
pub mod kinds {
    pub use crate::checks::findings::kinds::{
        DEDICATED_IP_SHORTAGE, GROUP_EXISTS, INVALID_USERNAME, LIVE_TRANSFER_UNSUPPORTED, NO_ITEMS, PREFIX_COLLISION,
        RESERVED_USERNAME, USER_EXISTS,
    };
    /// A module the plan needs is not in `available_transfer_modules`. Error.
    pub const UNKNOWN_MODULE: &str = "unknown-module";
    /// Packages in a user-authenticated session. Error.
    pub const PACKAGES_IN_USER_SESSION: &str = "packages-in-user-session";
    /// The account is not in the analysis. Error.
    pub const UNKNOWN_ACCOUNT: &str = "unknown-account";
    /// The package is not in the analysis. Error.
    pub const UNKNOWN_PACKAGE: &str = "unknown-package";
    /// The same source user twice (enqueue refuses the second). Error.
    pub const DUPLICATE_ACCOUNT: &str = "duplicate-account";
    /// The same package twice. Error.
    pub const DUPLICATE_PACKAGE: &str = "duplicate-package";
    /// `skipaccount` with `user ≠ localuser`. Error.
    pub const SKIPACCOUNT_RENAME: &str = "skipaccount-rename";
    /// `skipaccount` into a local user that does not exist. Error.
    pub const SKIPACCOUNT_NO_USER: &str = "skipaccount-no-user";
    /// `force` with a rename while either name exists. Error.
    pub const OVERWRITE_RENAME: &str = "overwrite-rename";
    /// `force` will overwrite an existing local account. Warning.
    pub const OVERWRITE_EXISTING: &str = "overwrite-existing";
    /// `force` in a restricted session: WHM ignores it. Warning.
    pub const FORCE_IGNORED: &str = "force-ignored";
    /// "Overwrite databases of the same name" where another account here owns one. Warning.
    pub const DB_OVERWRITE_OTHERS: &str = "db-overwrite-others";
    /// Reseller privileges wanted in a restricted session: WHM skips them. Warning.
    pub const SKIPRES_FORCED: &str = "skipres-forced";
    /// `customip` without `ip`, not free here, or given twice. Error.
    pub const CUSTOMIP_INVALID: &str = "customip-invalid";
    /// `replaceip` other than `all`/`basic`. Error.
    pub const REPLACEIP_INVALID: &str = "replaceip-invalid";
    /// `mail_location` other than `.local`, `.existing` or a local linked node alias. Error.
    pub const MAIL_LOCATION_UNKNOWN: &str = "mail-location-unknown";
    /// A key the module's schema does not have (enqueue refuses it). Error.
    pub const SCHEMA_UNKNOWN_KEY: &str = "schema-unknown-key";
    /// A required schema key the items do not send. Error.
    pub const SCHEMA_MISSING_KEY: &str = "schema-missing-key";

    pub const ALL: [&str; 26] = [
        NO_ITEMS,
        UNKNOWN_MODULE,
        PACKAGES_IN_USER_SESSION,
        UNKNOWN_ACCOUNT,
        UNKNOWN_PACKAGE,
        DUPLICATE_ACCOUNT,
        DUPLICATE_PACKAGE,
        INVALID_USERNAME,
        RESERVED_USERNAME,
        USER_EXISTS,
        GROUP_EXISTS,
        PREFIX_COLLISION,
        SKIPACCOUNT_RENAME,
        SKIPACCOUNT_NO_USER,
        OVERWRITE_RENAME,
        OVERWRITE_EXISTING,
        FORCE_IGNORED,
        DB_OVERWRITE_OTHERS,
        SKIPRES_FORCED,
        DEDICATED_IP_SHORTAGE,
        CUSTOMIP_INVALID,
        REPLACEIP_INVALID,
        MAIL_LOCATION_UNKNOWN,
        LIVE_TRANSFER_UNSUPPORTED,
        SCHEMA_UNKNOWN_KEY,
        SCHEMA_MISSING_KEY,
    ];
}

/// Everything that would make `enqueue_transfer_item` or the restore fail (or surprise), sorted like
/// findings. Linear in the plan size (plus sorting and colliding pairs).
pub fn validate_plan(input: PlanInput<'_>) -> Vec<PlanProblem> {
    validate_plan_with(input, &account_findings(input))
}

/// The part of [`validate_plan`] about the plan's accounts: their names, options and clashes. It
/// depends only on the accounts, the analysis, the rule context, the module, whether the session is
/// unrestricted and the server's verdicts, not on the module list, the schemas, the packages or the
/// configuration picks. So a caller whose accounts did not change can keep it
/// ([`validate_plan_with`]): at 10,000 accounts it is most of the check.
pub fn account_findings(input: PlanInput<'_>) -> Vec<PlanProblem> {
    let mut out = Vec::new();
    account_problems(&input, &mut out);
    out
}

/// [`validate_plan`] with its account part given: `accounts` must be [`account_findings`] of the same
/// accounts, analysis, context, module, restriction and verdicts. The result is then the same.
pub fn validate_plan_with(input: PlanInput<'_>, accounts: &[PlanProblem]) -> Vec<PlanProblem> {
    let mut out = Vec::new();
    let plan = input.plan;
    if plan.accounts.is_empty() && plan.packages.is_empty() {
        out.push(Finding::new(
            Severity::Info,
            kinds::NO_ITEMS,
            Subject::session(),
            "The plan has no accounts and no packages.".into(),
            "Select the accounts and packages to transfer.".into(),
        ));
    }
    module_problems(&input, &mut out);
    package_problems(&input, &mut out);
    out.extend_from_slice(accounts);
    schema_problems(&input, &mut out);
    sort_findings(&mut out);
    out
}

fn module_problems(input: &PlanInput<'_>, out: &mut Vec<Finding>) {
    let plan = input.plan;
    if !plan.packages.is_empty() && input.module == USER_ACCOUNT_MODULE {
        out.push(Finding::new(
            Severity::Error,
            kinds::PACKAGES_IN_USER_SESSION,
            Subject::new(SubjectKind::Module, PACKAGE_MODULE),
            "User-authenticated transfer sessions cannot enqueue items of this type. Try again from a root-authenticated transfer session.".into(),
            "Leave the packages out, or transfer them from a root session.".into(),
        ));
    }
    let Some(modules) = input.modules else { return };
    let mut needed = Vec::new();
    if !plan.accounts.is_empty() {
        needed.push(input.module);
    }
    if !plan.packages.is_empty() {
        needed.push(PACKAGE_MODULE);
    }
    for module in needed {
        if !modules.modules.contains_key(module) {
            out.push(Finding::new(
                Severity::Error,
                kinds::UNKNOWN_MODULE,
                Subject::new(SubjectKind::Module, module),
                format!("The transfer session module {} does not exist.", quote(module)),
                "This server cannot queue these items; check its cPanel version (available_transfer_modules).".into(),
            ));
        }
    }
}

fn package_problems(input: &PlanInput<'_>, out: &mut Vec<Finding>) {
    let known: Option<FastSet<&str>> = input
        .analysis
        .map(|a| a.items.packages.iter().map(|p| p.name.as_str()).collect());
    let mut seen: FastSet<&str> = FastSet::default();
    for package in &input.plan.packages {
        let subject = || Subject::new(SubjectKind::Package, package.as_str());
        if !seen.insert(package.as_str()) {
            out.push(Finding::new(
                Severity::Error,
                kinds::DUPLICATE_PACKAGE,
                subject(),
                format!(
                    "An item with a “package” key value of {} and a type of “{PACKAGE_MODULE}” already exists in the queue.",
                    quote(package)
                ),
                "Remove the second copy from the plan.".into(),
            ));
            continue;
        }
        if known.as_ref().is_some_and(|k| !k.contains(package.as_str())) {
            out.push(Finding::new(
                Severity::Error,
                kinds::UNKNOWN_PACKAGE,
                subject(),
                format!("The source has no package named {}.", quote(package)),
                "Remove it from the plan, or analyze the session again if it was just created.".into(),
            ));
        }
    }
}

/// How an account item meets an existing local account.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// A new account is created: existing names are errors.
    Create,
    /// `skipaccount`: the local account must exist.
    IntoExisting,
    /// `force` in an unrestricted session with the same name: existing names are overwritten.
    Overwrite,
}

fn account_problems(input: &PlanInput<'_>, out: &mut Vec<Finding>) {
    let plan = input.plan;
    let ctx = input.ctx;
    let analysis = input.analysis;
    let accounts = &plan.accounts;
    if accounts.is_empty() {
        return;
    }
    // The context keeps its owner index: a plan is checked without re-indexing the server's owners.
    let checker = Checker::indexed(ctx, Purpose::Transfer);
    let n = ctx.effective_prefix_length();
    let local_users: Vec<&str> = accounts.iter().map(|a| a.localuser.as_str()).collect();
    let collisions = find_collisions(&local_users, ctx.prefix_length);
    // A second item of the same source user is refused by enqueue (duplicate-account): it does not
    // also clash with the first.
    let mut first_of_user: FastSet<&str> = FastSet::default();
    let enqueued: Vec<bool> = accounts.iter().map(|a| first_of_user.insert(a.user.as_str())).collect();
    // Each enqueued account → its collision group (linear memory however large the group).
    let groups: Vec<Vec<usize>> = collisions
        .iter()
        .map(|Collision { members, .. }| {
            members
                .iter()
                .copied()
                .filter(|&m| enqueued.get(m) == Some(&true))
                .collect()
        })
        .filter(|m: &Vec<usize>| m.len() > 1)
        .collect();
    let mut colliding: FastMap<usize, usize> = FastMap::default();
    for (g, members) in groups.iter().enumerate() {
        for &m in members {
            colliding.insert(m, g);
        }
    }
    // First-N keys of the plan's local names, for suggestions that avoid them.
    let mut key_counts: FastMap<Cow<'_, str>, usize> = FastMap::default();
    for name in &local_users {
        *key_counts.entry(key_of(name, n)).or_default() += 1;
    }
    let known: Option<FastSet<&str>> = analysis.map(|a| a.items.accounts.iter().map(|x| x.user.as_str()).collect());
    let node_aliases: Option<FastSet<&str>> = analysis
        .and_then(|a| a.local.linked_nodes.as_ref())
        .map(|nodes| nodes.iter().map(|n| n.alias.as_str()).collect());
    let free_set: Option<FastSet<&str>> = analysis.map(|a| a.local.available_ips.iter().map(String::as_str).collect());
    let live_supported = analysis.map(|a| a.remote.supports_live_transfers == Some(true));
    let exists_here = |name: &str| input.exists_here(name);

    let mut seen_users: FastSet<&str> = FastSet::default();
    let mut suggested: FastSet<String> = FastSet::default();
    let mut hints = FastMap::default();
    let mut seen_ips: FastMap<&str, &str> = FastMap::default();
    let mut wanted_ips = 0usize;
    // The databases each source account shares a name with, owned by another account here: only
    // needed when some account overwrites databases of the same name.
    let clashes = analysis
        .filter(|_| {
            accounts
                .iter()
                .any(|a| a.db_overwrite == DbOverwrite::All && !a.skipacctdb)
        })
        .map(crate::checks::findings::db_clashes)
        .unwrap_or_default();
    let mut clashes_of: FastMap<&str, Vec<(&str, Option<&str>)>> = FastMap::default();
    for ((_, name), c) in &clashes {
        if let Some(owner) = c.remote_owner.as_deref() {
            clashes_of
                .entry(owner)
                .or_default()
                .push((name, c.local_owner.as_deref()));
        }
    }

    for (i, account) in accounts.iter().enumerate() {
        let user = account.user.as_str();
        let local = account.localuser.as_str();
        let subject = || Subject::account(user);
        let (qu, ql) = (quote(user), quote(local));

        if !seen_users.insert(user) {
            out.push(Finding::new(
                Severity::Error,
                kinds::DUPLICATE_ACCOUNT,
                subject(),
                format!(
                    "An item with a “user” key value of {qu} and a type of {} already exists in the queue.",
                    quote(input.module)
                ),
                "Remove the second copy from the plan.".into(),
            ));
        } else if known.as_ref().is_some_and(|k| !k.contains(user)) {
            out.push(Finding::new(
                Severity::Error,
                kinds::UNKNOWN_ACCOUNT,
                subject(),
                format!("The source has no account named {qu}."),
                "Remove it from the plan, or analyze the session again if it was just created.".into(),
            ));
        }

        // How the item meets the local server.
        let mut mode = Mode::Create;
        if account.skipaccount {
            mode = Mode::IntoExisting;
            if account.renamed() {
                out.push(Finding::new(
                    Severity::Error,
                    kinds::SKIPACCOUNT_RENAME,
                    subject(),
                    format!(
                        "Restoring into an existing account (skipaccount) needs the same name on both servers, but {qu} would become {ql}."
                    ),
                    "Use the source name as local username, or create a new account (turn skipaccount off).".into(),
                ));
            }
            if !exists_here(local) {
                out.push(Finding::new(
                    Severity::Error,
                    kinds::SKIPACCOUNT_NO_USER,
                    subject(),
                    format!("No user named {ql} exists on this server."),
                    "Turn skipaccount off to create the account, or pick the existing account to restore into.".into(),
                ));
            }
        } else if account.force {
            if !input.unrestricted {
                out.push(Finding::new(
                    Severity::Warning,
                    kinds::FORCE_IGNORED,
                    subject(),
                    format!("Overwrite (force) for {qu} is ignored: this is a restricted session."),
                    "Create an unrestricted session to overwrite accounts, or transfer under another local username."
                        .into(),
                ));
            } else if account.renamed() {
                if exists_here(user) || exists_here(local) {
                    out.push(Finding::new(
                        Severity::Error,
                        kinds::OVERWRITE_RENAME,
                        subject(),
                        "Account Restore Failed: You cannot overwrite an account if you change the account’s username."
                            .into(),
                        "Keep the source name to overwrite, or turn overwrite (force) off.".into(),
                    ));
                }
            } else if exists_here(local) {
                // Overwriting an account: the name is taken by design. (With no such account here,
                // WHM creates one, and every check of a new account applies: groups, first-N.)
                mode = Mode::Overwrite;
                out.push(Finding::new(
                    Severity::Warning,
                    kinds::OVERWRITE_EXISTING,
                    subject(),
                    format!("The existing account {ql} on this server will be overwritten."),
                    "Make sure that is intended; turn overwrite (force) off to keep it.".into(),
                ));
            }
        }

        if account.db_overwrite == DbOverwrite::All
            && !account.skipacctdb
            && let Some(names) = clashes_of.get(user)
        {
            const NAMED: usize = 3;
            let mut listed: Vec<String> = names
                .iter()
                .take(NAMED)
                .map(|(name, owner)| match owner {
                    Some(o) => format!("{} (owned here by {})", quote(name), quote(o)),
                    None => quote(name),
                })
                .collect();
            if names.len() > NAMED {
                listed.push(format!("and {} more", names.len() - NAMED));
            }
            out.push(Finding::new(
                Severity::Warning,
                kinds::DB_OVERWRITE_OTHERS,
                subject(),
                format!(
                    "{qu}’s databases are set to overwrite those of the same name, whoever owns them here: {} would be replaced.",
                    listed.join(", ")
                ),
                "Choose “Overwrite this account’s own databases” or “Keep existing databases”, or rename them on one server first."
                    .into(),
            ));
        }

        // The local username.
        let mut verdict = checker.evaluate(local);
        let server = input.server_verdicts.and_then(|v| v.get(local));
        let in_plan = colliding
            .get(&i)
            .and_then(|&g| groups.get(g))
            .map(|members| (i, members.as_slice()));
        let problem = !verdict.is_ok() || in_plan.is_some() || server.is_some_and(|s| s.exists || s.reserved);
        if problem {
            let own = key_of(local, n);
            let blocked = |key: &str| {
                key_counts
                    .get(key)
                    .copied()
                    .unwrap_or(0)
                    .saturating_sub(usize::from(key == own.as_ref()))
                    > 0
                    || suggested.contains(key)
            };
            verdict.suggestion = checker.suggest(local, &blocked, &mut hints);
            if let Some(s) = &verdict.suggestion {
                suggested.insert(key_of(s, n).into_owned());
            }
        }
        username_problems(account, &verdict, server, mode, in_plan, &local_users, out);

        if !input.unrestricted && !account.skipres {
            out.push(Finding::new(
                Severity::Warning,
                kinds::SKIPRES_FORCED,
                subject(),
                format!("Reseller privileges of {qu} will not be copied: this is a restricted session."),
                "Create an unrestricted session to copy reseller privileges.".into(),
            ));
        }

        // IPs.
        if account.ip {
            wanted_ips += 1;
        }
        if let Some(ip) = account.customip.as_deref().map(str::trim).filter(|ip| !ip.is_empty()) {
            let issue = if !account.ip {
                Some("a specific IP (customip) needs a dedicated IP (ip=1)".to_owned())
            } else if free_set.as_ref().is_some_and(|f| !f.contains(ip)) {
                Some(format!("{} is not a free IP address on this server", quote(ip)))
            } else {
                seen_ips
                    .insert(ip, user)
                    .map(|other| format!("{} is already planned for {}", quote(ip), quote(other)))
            };
            if let Some(issue) = issue {
                out.push(Finding::new(
                    Severity::Error,
                    kinds::CUSTOMIP_INVALID,
                    subject(),
                    format!("For {qu}, {issue}."),
                    "Pick one of the free IP addresses, each for one account, and turn on the dedicated IP.".into(),
                ));
            }
        }
        if let Some(r) = account
            .replaceip
            .as_deref()
            .filter(|r| !matches!(*r, "" | "all" | "basic"))
        {
            out.push(Finding::new(
                Severity::Error,
                kinds::REPLACEIP_INVALID,
                subject(),
                format!("replaceip for {qu} is {}; it must be “all” or “basic”.", quote(r)),
                "Choose “all” (every matching A record) or “basic” (only cPanel-managed ones).".into(),
            ));
        }
        if let Some(m) = account.mail_location.as_deref() {
            let valid = matches!(m, ".local" | ".existing") || node_aliases.as_ref().is_none_or(|n| n.contains(m));
            if !valid {
                out.push(Finding::new(
                    Severity::Error,
                    kinds::MAIL_LOCATION_UNKNOWN,
                    subject(),
                    format!(
                        "The mail location {} of {qu} is not “.local”, “.existing” or a linked node here.",
                        quote(m)
                    ),
                    "Choose “.local”, “.existing” or the alias of a linked mail node of this server.".into(),
                ));
            }
        }
        if account.live_transfer && live_supported == Some(false) {
            out.push(Finding::new(
                Severity::Error,
                kinds::LIVE_TRANSFER_UNSUPPORTED,
                subject(),
                format!("Live Transfer of {qu} needs a source running cPanel 11.89 or later; this source does not support it."),
                "Turn Live Transfer off for this account, or update cPanel on the source first.".into(),
            ));
        }
    }

    if let Some(a) = analysis {
        let free = a.local.available_ips.len();
        if wanted_ips > free {
            out.push(Finding::new(
                Severity::Warning,
                kinds::DEDICATED_IP_SHORTAGE,
                Subject::new(SubjectKind::Ip, "dedicated IPs"),
                format!(
                    "The plan asks for {wanted_ips} dedicated {}, but this server has {}.",
                    if wanted_ips == 1 { "IP" } else { "IPs" },
                    free_ips(free)
                ),
                "Add IP addresses here, or turn the dedicated IP off for some accounts: WHM falls back to the shared IP when none is free.".into(),
            ));
        }
    }
}

fn username_problems(
    account: &PlannedAccount,
    verdict: &Verdict,
    server: Option<&SystemUserVerdict>,
    mode: Mode,
    in_plan: Option<(usize, &[usize])>,
    local_users: &[&str],
    out: &mut Vec<Finding>,
) {
    let names = NameFindings {
        voice: Voice::Plan,
        account: account.user.as_str(),
        verdict,
        server,
    };
    out.extend(names.invalid());
    out.extend(names.reserved());
    if mode == Mode::Create {
        out.extend(names.user_exists());
        out.extend(names.group_exists());
    }
    let mut collision = Vec::new();
    if mode == Mode::Create
        && let Some(v) = verdict.violation(Rule::PrefixCollision)
    {
        collision.push(v.explanation.clone());
    }
    if let Some((me, members)) = in_plan {
        let others = members
            .iter()
            .filter(|&&j| j != me)
            .map(|&j| local_users.get(j).copied().unwrap_or_default());
        let list = others_list(others, members.len().saturating_sub(1), &account.localuser, 3, false);
        collision.push(format!(
            "The local username {} clashes with {list} in this plan: the first characters (ignoring “_” and “.”) must be unique.",
            quote(&account.localuser)
        ));
    }
    if !collision.is_empty() {
        out.push(names.prefix_collision(collision.join(" ")));
    }
}

/// How many items of a module send a key ([`sent_keys`]).
#[derive(Debug, PartialEq, Eq)]
struct KeyCount {
    items: usize,
    /// The index of the item that counted it last.
    last: usize,
}

/// Per module: how many items the plan sends, and per key how many of them send it once fitted to
/// the schemas ([`fit_to_schemas`]). `others` is the plan's calls other than accounts, fitted. One
/// hash lookup per key sent: a large plan sends about 30 keys for each of 10,000 accounts, so the
/// accounts' keys are visited ([`AccountItem::visit_keys`]), never built.
fn sent_keys<'p>(
    input: &PlanInput<'p>,
    others: &'p [EnqueueTransferItem],
    schemas: &BTreeMap<String, ModuleSchema>,
) -> BTreeMap<&'p str, (usize, FastMap<&'p str, KeyCount>)> {
    // `last` is the item that counted the key last, so a key listed twice in one item counts once.
    fn count<'k>(keys: &mut FastMap<&'k str, KeyCount>, key: &'k str, item: usize) {
        let c = keys.entry(key).or_insert(KeyCount {
            items: 0,
            last: usize::MAX,
        });
        if c.last != item {
            c.items += 1;
            c.last = item;
        }
    }
    let mut sent: BTreeMap<&str, (usize, FastMap<&str, KeyCount>)> = BTreeMap::new();
    for (i, r) in others.iter().enumerate() {
        let entry = sent.entry(r.module.as_str()).or_default();
        entry.0 += 1;
        for (k, _) in &r.keys {
            count(&mut entry.1, k, i);
        }
    }
    if !input.plan.accounts.is_empty() {
        let schema = schemas.get(input.module);
        // The account calls use a few dozen key names, each one literal in `visit_keys`, sent at most
        // once per call: per name, whether the schema has it and how many calls send it, found by the
        // literal's address (no string compared or hashed per key of 10,000 calls).
        struct Slot {
            key: &'static str,
            in_schema: bool,
            items: usize,
        }
        let mut slots: Vec<Slot> = Vec::with_capacity(32);
        for a in &input.plan.accounts {
            a.to_item(input.plan.shared_mysql_server)
                .visit_keys(input.module, |key, value| {
                    let slot = match slots.iter().position(|s| std::ptr::eq(s.key, key)) {
                        Some(i) => slots.get_mut(i),
                        None => {
                            slots.push(Slot {
                                key,
                                in_schema: schema.is_none_or(|s| s.keys.contains_key(key)),
                                items: 0,
                            });
                            slots.last_mut()
                        }
                    };
                    if let Some(slot) = slot
                        && kept(slot.in_schema, value)
                    {
                        slot.items += 1;
                    }
                });
        }
        let entry = sent.entry(input.module).or_default();
        entry.0 += input.plan.accounts.len();
        for s in slots.into_iter().filter(|s| s.items > 0) {
            let c = entry.1.entry(s.key).or_insert(KeyCount {
                items: 0,
                last: usize::MAX,
            });
            c.items += s.items;
        }
    }
    sent
}

/// Keys the items would send that the module schemas refuse, and required keys they lack.
fn schema_problems(input: &PlanInput<'_>, out: &mut Vec<Finding>) {
    let Some(schemas) = input.schemas else { return };
    let mut others: Vec<EnqueueTransferItem> = other_requests(input.plan, "").collect();
    fit_to_schemas(&mut others, schemas);
    let sent = sent_keys(input, &others, schemas);
    for (module, (items, keys)) in sent {
        let Some(schema) = schemas.get(module) else { continue };
        let subject = || Subject::new(SubjectKind::Module, module);
        let mut unknown: Vec<&str> = keys.keys().copied().filter(|k| !schema.keys.contains_key(*k)).collect();
        unknown.sort_unstable();
        for key in unknown {
            out.push(Finding::new(
                Severity::Error,
                kinds::SCHEMA_UNKNOWN_KEY,
                subject(),
                format!("The {} parameter is not valid for the {} module.", quote(key), quote(module)),
                "This server’s schema differs from the one this console knows: update the console, or leave that option unset.".into(),
            ));
        }
        for required in &schema.required {
            if required == "transfer_session_id" || required == "module" {
                continue;
            }
            let with = keys.get(required.as_str()).map_or(0, |c| c.items);
            if with < items {
                out.push(Finding::new(
                    Severity::Error,
                    kinds::SCHEMA_MISSING_KEY,
                    subject(),
                    format!(
                        "The {} parameter is required for the {} module.",
                        quote(required),
                        quote(module)
                    ),
                    "This server’s schema needs a value this console does not send: update the console.".into(),
                ));
            }
        }
    }
}

/// One rename of [`suggest_fixes`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// The source account.
    pub user: String,
    /// Its local username now.
    pub from: String,
    /// A name that passes every rule, exists here neither as user nor group, and whose first
    /// characters no other account of the plan (nor another fix) uses.
    pub to: String,
}

/// "Fix all conflicts": a suggested local username for every account the plan would create under a
/// name that breaks a rule, exists here (in the analysis, or by `validate_system_user`), or clashes
/// by its first characters with an earlier account of the plan. The first account of a clashing
/// group keeps its name; accounts restored into an existing account (`skipaccount`) or overwriting
/// one (`force` in an unrestricted session, same name) keep theirs, as do second copies of a source
/// account (enqueue refuses those anyway). Accounts for which the search gives up are left out, so
/// the findings still show them. Accounts whose item WHM already has (or may have: `settled`) keep
/// their names before any other can. Linear in the plan (with the checker's owner index).
pub fn suggest_fixes(input: PlanInput<'_>, settled: &FastSet<String>) -> Vec<Fix> {
    let ctx = input.ctx;
    let checker = Checker::indexed(ctx, Purpose::Transfer);
    let n = ctx.effective_prefix_length();
    let accounts = &input.plan.accounts;
    // Restored into, or overwriting, an account that is here: the name is meant to be taken.
    let keeps_name = |a: &PlannedAccount| {
        a.skipaccount || (a.force && input.unrestricted && !a.renamed() && input.exists_here(&a.localuser))
    };
    // Every first-N key the plan holds now: a suggestion takes none of them, nor another's.
    let mut taken: FastSet<String> = accounts.iter().map(|a| key_of(&a.localuser, n).into_owned()).collect();
    let mut kept: FastSet<Cow<'_, str>> = FastSet::default();
    let mut seen_users: FastSet<&str> = FastSet::default();
    let mut hints = FastMap::default();
    let mut out = Vec::new();
    for a in accounts.iter().filter(|a| settled.contains(&a.user)) {
        seen_users.insert(a.user.as_str());
        kept.insert(key_of(&a.localuser, n));
    }
    for a in accounts {
        if !seen_users.insert(a.user.as_str()) || keeps_name(a) {
            continue;
        }
        let local = a.localuser.as_str();
        let key = key_of(local, n);
        let server_bad = input
            .server_verdicts
            .and_then(|v| v.get(local))
            .is_some_and(|s| s.exists || s.reserved || !s.valid_for_transfer);
        let here = input
            .analysis
            .is_some_and(|an| an.local.users.contains(local) || an.local.groups.contains(local));
        if checker.acceptable(local) && !server_bad && !here && !kept.contains(&key) {
            kept.insert(key);
            continue;
        }
        let suggestion = checker.suggest(local, &|k: &str| taken.contains(k), &mut hints);
        if let Some(to) = suggestion {
            taken.insert(key_of(&to, n).into_owned());
            out.push(Fix {
                user: a.user.clone(),
                from: local.to_owned(),
                to,
            });
        }
    }
    out
}

/// Whether a local username passes every local rule for a transfer (no text built).
pub fn acceptable_for_transfer(ctx: &RuleContext, name: &str) -> bool {
    Checker::linear(ctx, Purpose::Transfer).acceptable(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::whm::responses::KeyDef;
    use std::collections::BTreeSet;

    fn schema(keys: &[&str]) -> ModuleSchema {
        ModuleSchema {
            keys: keys.iter().map(|k| ((*k).to_owned(), KeyDef::default())).collect(),
            ..Default::default()
        }
    }

    /// What [`sent_keys`] must count, from the calls as they are sent.
    fn from_calls(
        plan: &QueuePlan,
        schemas: &BTreeMap<String, ModuleSchema>,
    ) -> BTreeMap<String, (usize, BTreeMap<String, usize>)> {
        let mut calls = to_requests(plan, "", ROOT_ACCOUNT_MODULE);
        fit_to_schemas(&mut calls, schemas);
        let mut want: BTreeMap<String, (usize, BTreeMap<String, usize>)> = BTreeMap::new();
        for c in &calls {
            let e = want.entry(c.module.clone()).or_default();
            e.0 += 1;
            let keys: BTreeSet<&str> = c.keys.iter().map(|(k, _)| k.as_str()).collect();
            for k in keys {
                *e.1.entry(k.to_owned()).or_default() += 1;
            }
        }
        want
    }

    #[test]
    fn visited_keys_count_what_the_fitted_calls_send() {
        // Accounts with every combination of the options a schema may lack, set and unset.
        let mut accounts = Vec::new();
        for bits in 0u32..64 {
            let on = |b: u32| bits & (1 << b) != 0;
            let mut a = PlannedAccount::new(format!("user{bits}"));
            a.domain = on(0).then(|| format!("d{bits}.example"));
            a.size = on(1).then_some(u64::from(bits));
            a.customip = on(2).then(|| "192.0.2.10".to_owned());
            a.ip = on(2);
            a.skipemail = on(3);
            a.xferpoint = on(4);
            a.mail_location = on(5).then(|| ".local".to_owned());
            a.db_overwrite = match bits % 3 {
                0 => DbOverwrite::Keep,
                1 => DbOverwrite::All,
                _ => DbOverwrite::SameOwner,
            };
            a.files = (bits % 5 == 0).then_some(0);
            accounts.push(a);
        }
        let plan = QueuePlan {
            accounts,
            packages: vec!["gold".into(), "0".into()],
            feature_lists: vec!["default".into()],
            config: vec![("ApacheRemoteRoot".into(), "Apache".into())],
            shared_mysql_server: true,
        };
        let schema_sets: [&[(&str, &[&str])]; 3] = [
            &[],
            &[
                (ROOT_ACCOUNT_MODULE, &["user", "localuser", "ip", "skipres", "files"]),
                (PACKAGE_MODULE, &["size"]),
            ],
            &[
                (
                    ROOT_ACCOUNT_MODULE,
                    &["user", "localuser", "domain", "skipemail", "overwrite_all_dbs"],
                ),
                (FEATURE_LIST_MODULE, &["featurelist"]),
                ("ApacheRemoteRoot", &[]),
            ],
        ];
        for set in schema_sets {
            let schemas: BTreeMap<String, ModuleSchema> =
                set.iter().map(|(m, keys)| ((*m).to_owned(), schema(keys))).collect();
            let mut others: Vec<EnqueueTransferItem> = other_requests(&plan, "").collect();
            fit_to_schemas(&mut others, &schemas);
            let input = PlanInput {
                plan: &plan,
                analysis: None,
                ctx: &RuleContext::default(),
                module: ROOT_ACCOUNT_MODULE,
                unrestricted: false,
                modules: None,
                schemas: Some(&schemas),
                server_verdicts: None,
            };
            let got: BTreeMap<String, (usize, BTreeMap<String, usize>)> = sent_keys(&input, &others, &schemas)
                .into_iter()
                .map(|(m, (n, keys))| {
                    let keys = keys.into_iter().map(|(k, c)| (k.to_owned(), c.items)).collect();
                    (m.to_owned(), (n, keys))
                })
                .collect();
            assert_eq!(got, from_calls(&plan, &schemas), "schemas: {set:?}");
        }
    }
}
