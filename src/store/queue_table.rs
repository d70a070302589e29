//! The queue table on the check page: one row per source account, keyed by its source username, with
//! the target local username and the per-account options of WHM's Transfer Tool (what to copy, the
//! dedicated IP, the overwrite policies, Live Transfer, mail location), the packages, feature lists and
//! configuration modules to bring along, bulk edits over the table's own filters, "fix all conflicts"
//! as a diff the admin accepts, and the same selection as text, both ways.
//!
//! Every edit re-runs the checks engine's plan check ([`validate_plan`]) over the selection, so each
//! row shows every broken rule of its target name as it is typed; `validate_system_user` answers
//! (fetched after a pause by the page, see [`QueueTable::next_lookup`]) join the check when they
//! arrive, and answers for a name no row holds any more are dropped. The keys each call may carry come
//! from `transfer_module_schema` ([`QueueTable::next_schema`]): options a module's schema lacks are
//! not offered, and nothing outside a schema is ever sent ([`fit_to_schemas`]). Pure: no `web_sys`.

use crate::checks::plan::{
    self, DbOverwrite, FEATURE_LIST_MODULE, Fix, PACKAGE_MODULE, PlanInput, PlannedAccount, QueuePlan,
    ROOT_ACCOUNT_MODULE, USER_ACCOUNT_MODULE, account_findings, config_module, fit_to_schemas, suggest_fixes,
    to_requests, validate_plan_with,
};
use crate::checks::username::FastSet;
use crate::checks::{Finding, Report, RuleContext, Severity, SubjectKind};
use crate::shared::Shared;
use crate::store::format::plural;
use crate::store::queue::{LineIssue, PlanLine, is_plan_word, plan_lines};
use crate::store::table::{self, AccountFlags, TableQuery};
use crate::whm::WhmError;
use crate::whm::analysis::Analysis;
use crate::whm::display;
use crate::whm::request::EnqueueTransferItem;
use crate::whm::responses::{ModuleSchema, SystemUserVerdict, TransferModules};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt::Write as _;

/// Rows shown at first, and added by each "show more".
pub const PAGE: usize = 100;

/// An on/off option of an account row, named for the admin; [`Opt::key`] is the enqueue key it sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Opt {
    /// Copy the home directory (`skiphomedir=0`).
    CopyHomedir,
    /// Copy MySQL and PostgreSQL databases (`skipacctdb=0`).
    CopyDatabases,
    /// Copy the bandwidth history (`skipbwdata=0`).
    CopyBandwidth,
    /// Copy mail (`skipemail=0`).
    CopyEmail,
    /// Copy subdomains (`skipsubdomains=0`).
    CopySubdomains,
    /// Copy reseller privileges (`skipres=0`; WHM skips them in restricted sessions).
    CopyReseller,
    /// A dedicated IP (`ip=1`).
    DedicatedIp,
    /// Live Transfer (`live_transfer=1`).
    LiveTransfer,
    /// Express Transfer, the legacy DNS repoint (`xferpoint=1`).
    ExpressTransfer,
}

impl Opt {
    pub const ALL: [Opt; 9] = [
        Opt::CopyHomedir,
        Opt::CopyDatabases,
        Opt::CopyBandwidth,
        Opt::CopyEmail,
        Opt::CopySubdomains,
        Opt::CopyReseller,
        Opt::DedicatedIp,
        Opt::LiveTransfer,
        Opt::ExpressTransfer,
    ];
    /// What to copy, in the Transfer Tool's order.
    pub const COPY: [Opt; 6] = [
        Opt::CopyHomedir,
        Opt::CopyDatabases,
        Opt::CopyBandwidth,
        Opt::CopyEmail,
        Opt::CopySubdomains,
        Opt::CopyReseller,
    ];

    /// The enqueue key (`data-key` in the UI).
    pub fn key(self) -> &'static str {
        match self {
            Opt::CopyHomedir => "skiphomedir",
            Opt::CopyDatabases => "skipacctdb",
            Opt::CopyBandwidth => "skipbwdata",
            Opt::CopyEmail => "skipemail",
            Opt::CopySubdomains => "skipsubdomains",
            Opt::CopyReseller => "skipres",
            Opt::DedicatedIp => "ip",
            Opt::LiveTransfer => "live_transfer",
            Opt::ExpressTransfer => "xferpoint",
        }
    }

    pub fn from_key(key: &str) -> Option<Opt> {
        Opt::ALL.into_iter().find(|o| o.key() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            Opt::CopyHomedir => "Home directory",
            Opt::CopyDatabases => "Databases",
            Opt::CopyBandwidth => "Bandwidth data",
            Opt::CopyEmail => "Email",
            Opt::CopySubdomains => "Subdomains",
            Opt::CopyReseller => "Reseller privileges",
            Opt::DedicatedIp => "Dedicated IP",
            Opt::LiveTransfer => "Live Transfer",
            Opt::ExpressTransfer => "Express Transfer (legacy)",
        }
    }

    pub fn get(self, a: &PlannedAccount) -> bool {
        match self {
            Opt::CopyHomedir => !a.skiphomedir,
            Opt::CopyDatabases => !a.skipacctdb,
            Opt::CopyBandwidth => !a.skipbwdata,
            Opt::CopyEmail => !a.skipemail,
            Opt::CopySubdomains => !a.skipsubdomains,
            Opt::CopyReseller => !a.skipres,
            Opt::DedicatedIp => a.ip,
            Opt::LiveTransfer => a.live_transfer,
            Opt::ExpressTransfer => a.xferpoint,
        }
    }

    fn set(self, a: &mut PlannedAccount, on: bool) {
        match self {
            Opt::CopyHomedir => a.skiphomedir = !on,
            Opt::CopyDatabases => a.skipacctdb = !on,
            Opt::CopyBandwidth => a.skipbwdata = !on,
            Opt::CopyEmail => a.skipemail = !on,
            Opt::CopySubdomains => a.skipsubdomains = !on,
            Opt::CopyReseller => a.skipres = !on,
            Opt::DedicatedIp => {
                a.ip = on;
                if !on {
                    a.customip = None;
                }
            }
            // Live Transfer supersedes the legacy Express Transfer: never both.
            Opt::LiveTransfer => {
                a.live_transfer = on;
                if on {
                    a.xferpoint = false;
                }
            }
            Opt::ExpressTransfer => {
                a.xferpoint = on;
                if on {
                    a.live_transfer = false;
                }
            }
        }
    }

    /// The value WHM assumes when the key is absent, i.e. what the option is once hidden.
    fn default_on(self) -> bool {
        Opt::COPY.contains(&self) && self != Opt::CopyReseller
    }
}

/// How an account meets an existing local account of the same name (`force`, `skipaccount`,
/// `overwrite_with_delete`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Overwrite {
    /// Create a new account; an existing one makes the restore fail.
    #[default]
    Create,
    /// Restore into the existing account (`skipaccount=1`; same name on both servers).
    IntoExisting,
    /// Overwrite the existing account (`force=1`; unrestricted sessions, same name).
    Overwrite,
    /// Overwrite and delete files the archive does not have (`force=1`, `overwrite_with_delete=1`).
    OverwriteWithDelete,
}

impl Overwrite {
    pub const ALL: [Overwrite; 4] = [
        Overwrite::Create,
        Overwrite::IntoExisting,
        Overwrite::Overwrite,
        Overwrite::OverwriteWithDelete,
    ];
    pub fn id(self) -> &'static str {
        match self {
            Overwrite::Create => "create",
            Overwrite::IntoExisting => "into-existing",
            Overwrite::Overwrite => "overwrite",
            Overwrite::OverwriteWithDelete => "overwrite-delete",
        }
    }
    pub fn parse(id: &str) -> Option<Overwrite> {
        Overwrite::ALL.into_iter().find(|o| o.id() == id)
    }
    pub fn label(self) -> &'static str {
        match self {
            Overwrite::Create => "Do not overwrite",
            Overwrite::IntoExisting => "Restore into the existing account",
            Overwrite::Overwrite => "Overwrite the existing account",
            Overwrite::OverwriteWithDelete => "Overwrite, deleting files not in the archive",
        }
    }
    fn of(a: &PlannedAccount) -> Overwrite {
        if a.skipaccount {
            Overwrite::IntoExisting
        } else if a.force && a.overwrite_with_delete {
            Overwrite::OverwriteWithDelete
        } else if a.force {
            Overwrite::Overwrite
        } else {
            Overwrite::Create
        }
    }
    fn set(self, a: &mut PlannedAccount) {
        a.skipaccount = self == Overwrite::IntoExisting;
        a.force = matches!(self, Overwrite::Overwrite | Overwrite::OverwriteWithDelete);
        a.overwrite_with_delete = self == Overwrite::OverwriteWithDelete;
    }
}

/// One change to an account row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    Flag(Opt, bool),
    Overwrite(Overwrite),
    Databases(DbOverwrite),
    /// A specific free IP (turns the dedicated IP on), or none.
    CustomIp(Option<String>),
    /// `.local`, `.existing` or a linked node alias; `None` leaves WHM's default (`.existing`).
    MailLocation(Option<String>),
}

/// A source account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub selected: bool,
    /// Everything its call carries (the target local username is `account.localuser`).
    pub account: PlannedAccount,
    pub domain: String,
    pub owner: String,
    pub has_dedicated_ip: bool,
}

/// A package, feature list or configuration module that may be queued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pick {
    /// The enqueue module.
    pub module: String,
    /// Its primary key's value (`package`, `featurelist`, `name`).
    pub name: String,
    /// For the admin (a configuration module's key, e.g. `Apache`).
    pub label: String,
    pub selected: bool,
    /// The analysis' warning / error for a configuration module (escaped, one line each).
    pub warning: Option<String>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PickKind {
    Package,
    FeatureList,
    Config,
}

/// Where a module schema stands.
#[derive(Debug, Clone, PartialEq)]
pub enum SchemaState {
    Loading,
    Loaded(ModuleSchema),
    Failed(WhmError),
}

/// The target-name verdict of one row, for its badge.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TargetVerdict {
    /// No username problem (errors) for this target.
    pub valid: bool,
    /// `validate_system_user` has answered for this exact name.
    pub server_checked: bool,
    /// Every broken rule with its fix: (message, fix).
    pub problems: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
pub enum TableAction {
    Select {
        user: String,
        on: bool,
    },
    /// Select or unselect every row the filter shows.
    SelectShown {
        on: bool,
    },
    SetFilter(TableQuery),
    SetTarget {
        user: String,
        name: String,
    },
    Edit {
        user: String,
        edit: Edit,
    },
    /// The edit for every selected row (where it applies), except the `settled` ones: rows whose item
    /// WHM already has (or may have), which keep what was sent.
    Bulk {
        edit: Edit,
        settled: FastSet<String>,
    },
    ShowMore,
    Pick {
        kind: PickKind,
        name: String,
        on: bool,
    },
    /// Compute "fix all conflicts" as a diff. The `settled` rows (WHM has, or may have, their item)
    /// keep their names, which the others must then avoid.
    ProposeFixes {
        settled: FastSet<String>,
    },
    /// The admin changes a proposed name.
    EditFix {
        user: String,
        name: String,
    },
    /// Apply the diff: rename every fixed account (the selection is left as it is, unless `select`),
    /// except those settled since the diff was made.
    AcceptFixes {
        select: bool,
        settled: FastSet<String>,
    },
    DiscardFixes,
    /// The selection edited as text (`user` or `user localuser` per line, `#` comments). The
    /// `settled` rows keep their name and selection.
    ApplyText {
        text: String,
        settled: FastSet<String>,
    },
    /// The session was analysed again (the admin's Refresh): [`QueueTable::reanalysed`].
    Reanalysed {
        analysis: Shared<Analysis>,
        report: Shared<Report>,
        ctx: Shared<RuleContext>,
    },
    /// The admin closed the notes of the last refresh.
    DismissRefreshNotes,
    /// `available_transfer_modules` answered.
    ModulesLoaded(Result<TransferModules, WhmError>),
    /// The page asked WHM for this module's schema.
    SchemaRequested(String),
    SchemaLoaded {
        module: String,
        result: Result<ModuleSchema, WhmError>,
    },
    /// Fetch failed schemas again (the admin's Retry).
    RetrySchemas,
    /// The page asked `validate_system_user` about this name; `ticket` tells this call's answer apart
    /// (the page numbers its calls).
    LookupSent {
        name: String,
        ticket: u64,
    },
    /// The answer to the call of `ticket`. Only the latest call about a name since the last refresh
    /// counts: an answer asked before a Refresh describes the server as it was then, and is dropped.
    Lookup {
        name: String,
        ticket: u64,
        result: Result<SystemUserVerdict, WhmError>,
    },
}

/// Whether a re-check must look at the accounts again ([`QueueTable::recheck_with`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Accounts {
    Changed,
    Unchanged,
}

/// Which analysis a table holds, compared by identity (never by content: comparing two 10,000-account
/// analyses would cost what keying on it saves).
#[derive(Debug, Clone, PartialEq)]
pub struct AnalysisId(Option<Shared<Analysis>>);

impl AnalysisId {
    pub fn of(analysis: &Shared<Analysis>) -> AnalysisId {
        AnalysisId(Some(analysis.clone()))
    }
}

/// The table of one session. What is shared ([`Shared`]) compares by identity: the page compares the
/// table on every render, and comparing 10,000 accounts, the rule context and every row field by field
/// would cost more than the render. An edit replaces what it changes, so a changed table is never
/// equal to the one before it.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueTable {
    analysis: Option<Shared<Analysis>>,
    ctx: Shared<RuleContext>,
    flags: Shared<HashMap<String, AccountFlags>>,
    /// `AccountRemoteRoot` or `AccountRemoteUser`.
    pub module: &'static str,
    pub unrestricted: bool,
    /// Shared with earlier versions of the table: an edit copies the one row it changes.
    pub rows: Vec<Shared<Row>>,
    index: Shared<HashMap<String, usize>>,
    pub picks: Vec<Pick>,
    pub filter: TableQuery,
    /// How many filtered rows are rendered.
    pub shown: usize,
    pub modules: Option<Result<TransferModules, WhmError>>,
    pub schemas: BTreeMap<String, SchemaState>,
    /// The loaded schemas, as the plan check and [`fit_to_schemas`] take them.
    loaded: Shared<BTreeMap<String, ModuleSchema>>,
    verdicts: HashMap<String, SystemUserVerdict>,
    /// Names asked about and not answered, or whose lookup failed (not asked again), each with the
    /// ticket of its latest call.
    asked: HashMap<String, u64>,
    /// "Fix all conflicts" waiting for the admin: (fix, the name the admin settled on).
    pub fixes: Option<Vec<Fix>>,
    /// The last text applied, if it had lines the table could not use.
    pub text_issues: Vec<LineIssue>,
    /// Checked on every edit: the plan's problems, and per account the username part.
    problems: Shared<Vec<Finding>>,
    /// The plan check's findings about the selected accounts alone (`checks::plan::account_findings`),
    /// kept while the rows and the server's verdicts stay as they are: the module list and the schemas
    /// arriving re-check the rest of the plan, not 10,000 accounts.
    account_problems: Shared<Vec<Finding>>,
    targets: Shared<HashMap<String, TargetVerdict>>,
    /// Bumped on every change of what would be sent.
    pub revision: u64,
    /// The admin has changed the table (names, options, the selection): leaving the page would drop
    /// those changes, which the page asks about while some of them are not queued yet.
    pub edited: bool,
    /// The accounts of the previous analysis that the last refresh no longer listed (their rows and
    /// edits are gone with them).
    pub gone: Vec<String>,
    /// The accounts the last refresh unselected: the new analysis found an error the old one had not.
    pub unselected: Vec<String>,
}

/// The username kinds of the plan check, shown at the target field.
const NAME_KINDS: [&str; 5] = [
    plan::kinds::INVALID_USERNAME,
    plan::kinds::RESERVED_USERNAME,
    plan::kinds::USER_EXISTS,
    plan::kinds::GROUP_EXISTS,
    plan::kinds::PREFIX_COLLISION,
];

impl QueueTable {
    /// A root session's table: every account of the analysis, selected unless it has an error
    /// finding, keeping its name, with its dedicated IP pre-ticked when it has one on the source;
    /// the packages and their feature lists selected; configuration modules not (they change this
    /// server's own settings), and never those the analysis marks with an error.
    pub fn new(analysis: Shared<Analysis>, report: &Report, ctx: Shared<RuleContext>) -> QueueTable {
        let (flags, rows, picks) = QueueTable::parts(&analysis, report);
        let unrestricted = analysis.options.unrestricted == Some(true);
        QueueTable::assemble(
            Some(analysis),
            ctx,
            flags,
            ROOT_ACCOUNT_MODULE,
            unrestricted,
            rows,
            picks,
        )
    }

    /// The rows and picks of an analysis with their first choices ([`QueueTable::new`]), and the
    /// accounts' finding flags.
    fn parts(analysis: &Analysis, report: &Report) -> (HashMap<String, AccountFlags>, Vec<Shared<Row>>, Vec<Pick>) {
        let flags = table::account_flags(&report.findings);
        let rows: Vec<Shared<Row>> = analysis
            .items
            .accounts
            .iter()
            .map(|a| {
                Shared::new(Row {
                    selected: flags.get(&a.user).is_none_or(|f| f.errors == 0),
                    account: PlannedAccount::from_account(a),
                    domain: a.domain.clone(),
                    owner: a.owner_or_root().to_owned(),
                    has_dedicated_ip: a.has_dedicated_ip,
                })
            })
            .collect();
        let mut picks: Vec<Pick> = Vec::new();
        for (key, m) in &analysis.modules {
            picks.push(Pick {
                module: config_module(key),
                name: m.name.clone().filter(|n| !n.is_empty()).unwrap_or_else(|| key.clone()),
                label: key.clone(),
                selected: false,
                warning: m.warning.as_deref().map(one_line),
                error: m.error.as_deref().map(one_line),
            });
        }
        let lists: BTreeSet<&str> = analysis
            .items
            .packages
            .iter()
            .filter_map(|p| p.featurelist.as_deref())
            .filter(|f| !f.is_empty())
            .collect();
        for f in lists {
            picks.push(Pick {
                module: FEATURE_LIST_MODULE.into(),
                name: f.to_owned(),
                label: f.to_owned(),
                selected: true,
                warning: None,
                error: None,
            });
        }
        for p in &analysis.items.packages {
            picks.push(Pick {
                module: PACKAGE_MODULE.into(),
                name: p.name.clone(),
                label: p.name.clone(),
                selected: true,
                warning: None,
                error: None,
            });
        }
        (flags, rows, picks)
    }

    /// The same session analysed again (the admin's Refresh): the rows and picks of the new analysis
    /// and its rule context, keeping what the admin chose for every account and pick still in it
    /// (selection, target name, options). The server's earlier answers about names are dropped: the
    /// server may have changed, which is why the admin refreshed. A proposed "fix all conflicts" was
    /// worked out against the old analysis, so it is dropped too. Accounts the new analysis no longer
    /// lists are named in [`QueueTable::gone`].
    fn reanalysed(mut self, analysis: Shared<Analysis>, report: &Report, ctx: Shared<RuleContext>) -> QueueTable {
        let (flags, mut rows, mut picks) = QueueTable::parts(&analysis, report);
        let mut kept = HashSet::new();
        let errors = |f: &HashMap<String, AccountFlags>, user: &str| f.get(user).is_some_and(|f| f.errors > 0);
        self.unselected.clear();
        for r in &mut rows {
            if let Some(old) = self.index.get(&r.account.user).and_then(|&i| self.rows.get(i)) {
                kept.insert(r.account.user.clone());
                let r = Shared::make_mut(r);
                // What the source reports (domain, disk use, file count) comes from the new analysis;
                // what the admin chose (target name, options) is kept.
                let fresh = std::mem::replace(&mut r.account, old.account.clone());
                r.account.domain = fresh.domain;
                r.account.size = fresh.size;
                r.account.files = fresh.files;
                // An account the new analysis finds an error for, and the old one did not, is left
                // out as a fresh table would leave it out: the admin decides again.
                let new_error = errors(&flags, &r.account.user) && !errors(&self.flags, &r.account.user);
                r.selected = old.selected && !new_error;
                if old.selected && !r.selected {
                    self.unselected.push(r.account.user.clone());
                }
            }
        }
        self.gone = self
            .rows
            .iter()
            .map(|r| &r.account.user)
            .filter(|u| !kept.contains(*u))
            .cloned()
            .collect();
        for p in &mut picks {
            if let Some(old) = self.picks.iter().find(|o| o.module == p.module && o.name == p.name) {
                p.selected = old.selected;
            }
        }
        self.unrestricted = analysis.options.unrestricted == Some(true);
        self.analysis = Some(analysis);
        self.ctx = ctx;
        self.flags = Shared::new(flags);
        self.rows = rows;
        self.picks = picks;
        self.verdicts.clear();
        self.asked.clear();
        self.fixes = None;
        self.text_issues.clear();
        self.reindex();
        self.unpick_unoffered();
        self.normalize_to_schema();
        self.recheck();
        self
    }

    /// After a refresh, what changed in the table without the admin: the accounts the new analysis
    /// no longer lists (saying which of them WHM has or may have: `settled`, as
    /// [`crate::store::queue::QueueState::settled_keys`] gives them), and those it unselected.
    pub fn refresh_notes(&self, settled: &FastSet<(&str, &str)>) -> Vec<String> {
        let names = |users: &[&String]| -> String {
            const NAMED: usize = 5;
            let mut names: Vec<String> = users.iter().take(NAMED).map(|u| display::name(u)).collect();
            if users.len() > NAMED {
                names.push(format!("and {} more", users.len() - NAMED));
            }
            names.join(", ")
        };
        let mut notes = Vec::new();
        let (in_whm, dropped): (Vec<&String>, Vec<&String>) = self
            .gone
            .iter()
            .partition(|u| settled.contains(&(self.module, u.as_str())));
        if !dropped.is_empty() {
            notes.push(format!(
                "The refreshed analysis no longer lists {}: {}. Their rows and your edits to them are gone.",
                plural(dropped.len(), "account", "accounts"),
                names(&dropped)
            ));
        }
        if !in_whm.is_empty() {
            notes.push(format!(
                "The refreshed analysis no longer lists {}, but this session already has (or may have) {}: {}. Expect {} to fail when the session runs, or abort the session.",
                plural(in_whm.len(), "account", "accounts"),
                if in_whm.len() == 1 { "its item" } else { "their items" },
                names(&in_whm),
                if in_whm.len() == 1 { "it" } else { "them" }
            ));
        }
        if !self.unselected.is_empty() {
            let users: Vec<&String> = self.unselected.iter().collect();
            notes.push(format!(
                "Unselected {}: the refreshed analysis found an error for {} that it did not find before: {}. See the findings above, then select again what you still want to queue.",
                plural(users.len(), "account", "accounts"),
                if users.len() == 1 { "it" } else { "them" },
                names(&users)
            ));
        }
        notes
    }

    /// Picks of modules the server does not offer are never sent.
    fn unpick_unoffered(&mut self) {
        if let Some(Ok(m)) = &self.modules {
            for p in &mut self.picks {
                if !m.modules.contains_key(&p.module) {
                    p.selected = false;
                }
            }
        }
    }

    /// A table with these rows and picks, nothing fetched or edited yet, checked once.
    fn assemble(
        analysis: Option<Shared<Analysis>>,
        ctx: Shared<RuleContext>,
        flags: HashMap<String, AccountFlags>,
        module: &'static str,
        unrestricted: bool,
        rows: Vec<Shared<Row>>,
        picks: Vec<Pick>,
    ) -> QueueTable {
        let mut t = QueueTable {
            analysis,
            ctx,
            flags: Shared::new(flags),
            module,
            unrestricted,
            rows,
            index: Shared::default(),
            loaded: Shared::default(),
            picks,
            filter: TableQuery::default(),
            shown: PAGE,
            modules: None,
            schemas: BTreeMap::new(),
            verdicts: HashMap::new(),
            asked: HashMap::new(),
            fixes: None,
            text_issues: Vec::new(),
            problems: Shared::new(Vec::new()),
            account_problems: Shared::new(Vec::new()),
            targets: Shared::new(HashMap::new()),
            revision: 0,
            edited: false,
            gone: Vec::new(),
            unselected: Vec::new(),
        };
        t.reindex();
        t.recheck();
        t
    }

    /// A cPanel-user session's table (WHM has no analysis for those): the one account the session
    /// may pull, `AccountRemoteUser`, keeping its name. `user` may be empty until the admin types it.
    pub fn for_user_session(user: &str, unrestricted: bool) -> QueueTable {
        let mut account = PlannedAccount::new(user.trim());
        account.skipres = true;
        let row = Row {
            selected: true,
            account,
            domain: String::new(),
            owner: String::new(),
            has_dedicated_ip: false,
        };
        QueueTable::assemble(
            None,
            Shared::new(RuleContext::default()),
            HashMap::new(),
            USER_ACCOUNT_MODULE,
            unrestricted,
            vec![Shared::new(row)],
            Vec::new(),
        )
    }

    pub fn is_user_session(&self) -> bool {
        self.module == USER_ACCOUNT_MODULE
    }

    fn reindex(&mut self) {
        self.index = Shared::new(
            self.rows
                .iter()
                .enumerate()
                .map(|(i, r)| (r.account.user.clone(), i))
                .collect(),
        );
    }

    pub fn row(&self, user: &str) -> Option<&Row> {
        self.index.get(user).and_then(|&i| self.rows.get(i)).map(|r| &**r)
    }

    fn row_mut(&mut self, user: &str) -> Option<&mut Row> {
        let i = *self.index.get(user)?;
        self.rows.get_mut(i).map(Shared::make_mut)
    }

    pub fn selected_count(&self) -> usize {
        self.rows.iter().filter(|r| r.selected).count()
    }

    /// Indices of the rows the filter shows, in table order.
    pub fn filtered(&self) -> Vec<usize> {
        match &self.analysis {
            Some(a) if a.items.accounts.len() == self.rows.len() => {
                table::rows(&a.items.accounts, &self.flags, &self.filter)
            }
            _ => (0..self.rows.len()).collect(),
        }
    }

    /// The analysis this table was built from, by identity: a key for what the page works out once
    /// per analysis (the owner and finding lists).
    pub fn analysis_id(&self) -> AnalysisId {
        AnalysisId(self.analysis.clone())
    }

    /// The owners of the source accounts, for the owner filter.
    pub fn owners(&self) -> Vec<String> {
        self.analysis
            .as_ref()
            .map(|a| table::owners(&a.items.accounts))
            .unwrap_or_default()
    }

    /// The finding kinds accounts have, for the finding filter.
    pub fn finding_kinds(&self) -> Vec<&'static str> {
        let set: BTreeSet<&'static str> = self.flags.values().flat_map(|f| f.kinds.iter().copied()).collect();
        set.into_iter().collect()
    }

    /// The plan's problems (every edit re-checks them).
    pub fn problems(&self) -> &[Finding] {
        &self.problems
    }

    pub fn errors(&self) -> usize {
        self.problems.iter().filter(|p| p.severity == Severity::Error).count()
    }

    /// The target-name verdict of a row: for a selected row, the plan check's (clashes with the
    /// rest of the selection included); for an unselected one, its name on its own against this
    /// server (computed when asked, i.e. for the rows on screen).
    pub fn target(&self, user: &str) -> TargetVerdict {
        let Some(row) = self.row(user) else {
            return TargetVerdict::default();
        };
        let local = &row.account.localuser;
        let server = self.verdicts.get(local);
        if row.selected {
            return self.targets.get(user).cloned().unwrap_or(TargetVerdict {
                valid: true,
                server_checked: server.is_some(),
                problems: Vec::new(),
            });
        }
        let v = crate::checks::check_username(local, &self.ctx, crate::checks::Purpose::Transfer);
        let mut problems: Vec<(String, String)> = v
            .violations
            .iter()
            .map(|x| (x.explanation.clone(), x.fix.clone()))
            .chain(v.conflicts.iter().map(|c| (c.explanation.clone(), c.fix.clone())))
            .collect();
        if server.is_some_and(|s| s.exists) && v.conflicts.is_empty() {
            problems.push((
                format!(
                    "WHM says a user named “{}” exists on this server.",
                    display::name(local)
                ),
                "Transfer it under another local username.".into(),
            ));
        }
        TargetVerdict {
            valid: problems.is_empty(),
            server_checked: server.is_some(),
            problems,
        }
    }

    /// Whether this session's schemas offer a key for the account module (unknown yet: offered).
    pub fn offers(&self, key: &str) -> bool {
        match self.schemas.get(self.module) {
            Some(SchemaState::Loaded(s)) => s.keys.contains_key(key),
            _ => true,
        }
    }

    /// Which options the table offers at all: the schema has the key, and the source / this server
    /// can do it (Live Transfer needs a source that supports it, Express Transfer the source's
    /// xferpoint script, reseller privileges an unrestricted session).
    pub fn offered(&self, opt: Opt) -> bool {
        if !self.offers(opt.key()) {
            return false;
        }
        let remote = self.analysis.as_ref().map(|a| &a.remote);
        match opt {
            Opt::LiveTransfer => remote.is_none_or(|r| r.supports_live_transfers == Some(true)),
            Opt::ExpressTransfer => remote.is_some_and(|r| r.has_xfertool == Some(true)),
            Opt::CopyReseller => self.unrestricted,
            _ => true,
        }
    }

    /// The overwrite choices WHM honours for this row: restoring into an existing account needs the
    /// same name on both servers and that account here; overwriting needs an unrestricted session
    /// and the same name (WHM ignores `force` otherwise).
    pub fn overwrite_choices(&self, user: &str) -> Vec<Overwrite> {
        let Some(row) = self.row(user) else {
            return vec![Overwrite::Create];
        };
        let same = !row.account.renamed();
        let exists = self.exists_here(&row.account.localuser);
        let mut out = vec![Overwrite::Create];
        if same && exists && self.offers("skipaccount") {
            out.push(Overwrite::IntoExisting);
        }
        if same && self.unrestricted && self.offers("force") {
            out.push(Overwrite::Overwrite);
            if self.offers("overwrite_with_delete") {
                out.push(Overwrite::OverwriteWithDelete);
            }
        }
        out
    }

    pub fn overwrite_of(&self, user: &str) -> Overwrite {
        self.row(user).map(|r| Overwrite::of(&r.account)).unwrap_or_default()
    }

    /// Whether the databases' overwrite policy can be sent.
    pub fn offers_db_policy(&self) -> bool {
        ["overwrite_all_dbs", "overwrite_sameowner_dbs"]
            .iter()
            .all(|k| self.offers(k))
    }

    /// Free IPs of this server (for a specific dedicated IP).
    pub fn free_ips(&self) -> &[String] {
        self.analysis
            .as_ref()
            .map(|a| a.local.available_ips.as_slice())
            .unwrap_or(&[])
    }

    /// Mail locations to offer: only when this server has linked nodes.
    pub fn mail_locations(&self) -> Vec<String> {
        let Some(a) = &self.analysis else { return Vec::new() };
        let nodes = a.local.linked_nodes.as_deref().unwrap_or_default();
        if nodes.is_empty() || !self.offers("mail_location") {
            return Vec::new();
        }
        let mut out = vec![".existing".to_owned(), ".local".to_owned()];
        out.extend(nodes.iter().map(|n| n.alias.clone()));
        out
    }

    fn exists_here(&self, name: &str) -> bool {
        self.ctx.local_users.contains(name)
            || self.analysis.as_ref().is_some_and(|a| a.local.users.contains(name))
            || self.verdicts.get(name).is_some_and(|v| v.exists)
    }

    /// The selection as the checks engine's plan.
    pub fn plan(&self) -> QueuePlan {
        self.plan_of(|r| r.selected)
    }

    fn plan_of(&self, take: impl Fn(&Row) -> bool) -> QueuePlan {
        let picked =
            |kind: &str| -> Vec<&Pick> { self.picks.iter().filter(|p| p.selected && p.module == kind).collect() };
        QueuePlan {
            accounts: self
                .rows
                .iter()
                .filter(|r| take(r))
                .map(|r| r.account.clone())
                .collect(),
            packages: picked(PACKAGE_MODULE).into_iter().map(|p| p.name.clone()).collect(),
            feature_lists: picked(FEATURE_LIST_MODULE)
                .into_iter()
                .map(|p| p.name.clone())
                .collect(),
            config: self
                .picks
                .iter()
                .filter(|p| p.selected && p.module != PACKAGE_MODULE && p.module != FEATURE_LIST_MODULE)
                .map(|p| (p.module.clone(), p.name.clone()))
                .collect(),
            shared_mysql_server: self
                .analysis
                .as_ref()
                .is_some_and(|a| a.config.shared_mysql_server == Some(true)),
        }
    }

    fn loaded_schemas(&self) -> Shared<BTreeMap<String, ModuleSchema>> {
        self.loaded.clone()
    }

    /// The modules the selection's calls use.
    pub fn needed_modules(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        if self.rows.iter().any(|r| r.selected) {
            out.insert(self.module.to_owned());
        }
        for p in self.picks.iter().filter(|p| p.selected) {
            out.insert(p.module.clone());
        }
        out
    }

    /// Every call of the selection, fitted to the module schemas.
    pub fn calls(&self, session_id: &str) -> Vec<EnqueueTransferItem> {
        let mut calls = to_requests(&self.plan(), session_id, self.module);
        fit_to_schemas(&mut calls, &self.loaded_schemas());
        calls
    }

    /// The item keys of [`QueueTable::calls`] (module, primary key's value, as
    /// [`crate::store::queue::ItemKey::parts_of`] reads them), in the same order, without building
    /// a call: what the page counts on every render.
    pub fn plan_keys(&self) -> impl Iterator<Item = (&str, &str)> {
        // As `fit_to_schemas` sends it: a key dropped there leaves the call no primary key value.
        let sent = move |module: &str, key: &str, value: &'_ str| -> bool {
            plan::keeps_key(self.loaded.get(module), key, value)
        };
        let picked = move |pred: fn(&str) -> bool, key: &'static str| {
            self.picks
                .iter()
                .filter(move |p| p.selected && pred(&p.module))
                .map(move |p| {
                    (
                        p.module.as_str(),
                        if sent(&p.module, key, &p.name) {
                            p.name.as_str()
                        } else {
                            ""
                        },
                    )
                })
        };
        picked(|m| m != PACKAGE_MODULE && m != FEATURE_LIST_MODULE, "name")
            .chain(picked(|m| m == FEATURE_LIST_MODULE, "featurelist"))
            .chain(picked(|m| m == PACKAGE_MODULE, "package"))
            .chain(self.rows.iter().filter(|r| r.selected).map(move |r| {
                let user = r.account.user.as_str();
                (self.module, if sent(self.module, "user", user) { user } else { "" })
            }))
    }

    /// Why the selection cannot be sent yet (schemas still loading or failed), if so.
    pub fn not_ready(&self) -> Option<String> {
        let needed = self.needed_modules();
        let missing: Vec<&str> = needed
            .iter()
            .filter(|m| !matches!(self.schemas.get(*m), Some(SchemaState::Loaded(_))))
            .map(String::as_str)
            .collect();
        if missing.is_empty() {
            None
        } else {
            Some(format!(
                "Reading which options WHM takes for {} first (transfer_module_schema).",
                missing.join(", ")
            ))
        }
    }

    /// A schema failure to show, if any.
    pub fn schema_error(&self) -> Option<(&str, &WhmError)> {
        self.schemas.iter().find_map(|(m, s)| match s {
            SchemaState::Failed(e) => Some((m.as_str(), e)),
            _ => None,
        })
    }

    /// The next schema the page should fetch: each module once per table.
    pub fn next_schema(&self) -> Option<String> {
        let mut wanted: BTreeSet<String> = self.needed_modules();
        wanted.insert(self.module.to_owned());
        for p in &self.picks {
            wanted.insert(p.module.clone());
        }
        // Modules the server does not offer are not asked about (their picks are hidden).
        if let Some(Ok(m)) = &self.modules {
            wanted.retain(|name| m.modules.contains_key(name));
        }
        wanted.into_iter().find(|m| !self.schemas.contains_key(m))
    }

    /// Whether the server offers this module (unknown yet: offered).
    pub fn module_offered(&self, module: &str) -> bool {
        match &self.modules {
            Some(Ok(m)) => m.modules.contains_key(module),
            _ => true,
        }
    }

    /// The next local username `validate_system_user` should be asked about: a selected row's
    /// target the admin changed (or a fix chose), not asked about yet. Names that keep the source
    /// name are checked against the analysis alone (it lists every user here).
    pub fn next_lookup(&self) -> Option<String> {
        if self.analysis.is_none() {
            return self
                .rows
                .iter()
                .map(|r| r.account.localuser.trim())
                .find(|n| !n.is_empty() && !self.verdicts.contains_key(*n) && !self.asked.contains_key(*n))
                .map(str::to_owned);
        }
        self.rows
            .iter()
            .filter(|r| r.selected && r.account.renamed() && !r.account.localuser.is_empty())
            .map(|r| r.account.localuser.as_str())
            .find(|n| !self.verdicts.contains_key(*n) && !self.asked.contains_key(*n) && self.ctx_accepts(n))
            .map(str::to_owned)
    }

    /// Only names the local rules accept are worth a server round trip.
    fn ctx_accepts(&self, name: &str) -> bool {
        plan::acceptable_for_transfer(&self.ctx, name)
    }

    /// The plan as text: selected accounts as `user` or `user localuser`, the others commented out.
    pub fn to_text(&self) -> String {
        let mut out = String::from(
            "# One account per line: `user`, or `user newname` to restore it under another local name.\n\
             # Lines starting with # are not queued. Options set in the table are kept.\n",
        );
        for r in &self.rows {
            let a = &r.account;
            if !is_plan_word(&a.user) {
                let _ = writeln!(
                    out,
                    "# left out: “{}” cannot be named on a plan line (a space, “#”, or an invisible character); use the table.",
                    display::name(&a.user)
                );
                continue;
            }
            if !r.selected {
                out.push_str("# ");
            }
            out.push_str(&a.user);
            if a.renamed() {
                out.push(' ');
                out.push_str(&a.localuser);
            }
            out.push('\n');
        }
        out
    }

    fn recheck(&mut self) {
        self.recheck_with(Accounts::Changed);
    }

    /// [`QueueTable::recheck`]; with [`Accounts::Unchanged`] the account findings of the last check are
    /// kept (only for changes that touch neither the rows nor the server's verdicts).
    fn recheck_with(&mut self, accounts: Accounts) {
        self.revision += 1;
        let plan = self.plan();
        let schemas = self.loaded_schemas();
        let modules = match &self.modules {
            Some(Ok(m)) => Some(m),
            _ => None,
        };
        let input = PlanInput {
            plan: &plan,
            analysis: self.analysis.as_deref(),
            ctx: &self.ctx,
            module: self.module,
            unrestricted: self.unrestricted,
            modules,
            schemas: (!schemas.is_empty()).then_some(&*schemas),
            server_verdicts: Some(&self.verdicts),
        };
        if accounts == Accounts::Changed {
            self.account_problems = Shared::new(account_findings(input));
        }
        let problems = validate_plan_with(input, &self.account_problems);
        let mut targets: HashMap<String, TargetVerdict> = HashMap::new();
        for p in problems.iter().filter(|p| p.subject.kind == SubjectKind::Account) {
            if !NAME_KINDS.contains(&p.kind) {
                continue;
            }
            let t = targets.entry(p.subject.name.clone()).or_insert_with(|| TargetVerdict {
                valid: true,
                ..TargetVerdict::default()
            });
            if p.severity == Severity::Error {
                t.valid = false;
            }
            t.problems.push((p.message.clone(), p.fix.clone()));
        }
        for (user, t) in targets.iter_mut() {
            t.server_checked = self
                .row(user)
                .is_some_and(|r| self.verdicts.contains_key(&r.account.localuser));
        }
        self.problems = Shared::new(problems);
        self.targets = Shared::new(targets);
    }

    /// Hidden options carry WHM's default, so a schema without a key never makes an option stick.
    /// Returns whether any row changed (rows already at the defaults are left as they are, not copied).
    fn normalize_to_schema(&mut self) -> bool {
        let hidden: Vec<Opt> = Opt::ALL.into_iter().filter(|o| !self.offers(o.key())).collect();
        let no_db = !self.offers_db_policy();
        let no_mail = !self.offers("mail_location");
        let no_customip = !self.offers("customip");
        let off_default = |a: &PlannedAccount| {
            hidden.iter().any(|o| o.get(a) != o.default_on())
                || (no_db && a.db_overwrite != DbOverwrite::Keep)
                || (no_mail && a.mail_location.is_some())
                || (no_customip && a.customip.is_some())
                // Turning the dedicated IP off also forgets a specific IP.
                || (hidden.contains(&Opt::DedicatedIp) && a.customip.is_some())
        };
        let mut changed = false;
        for r in &mut self.rows {
            if !off_default(&r.account) {
                continue;
            }
            changed = true;
            let r = Shared::make_mut(r);
            for o in &hidden {
                o.set(&mut r.account, o.default_on());
            }
            if no_db {
                r.account.db_overwrite = DbOverwrite::Keep;
            }
            if no_mail {
                r.account.mail_location = None;
            }
            if no_customip {
                r.account.customip = None;
            }
        }
        changed
    }

    fn apply_edit(&mut self, i: usize, edit: &Edit) {
        let allowed = self.edit_allowed(i, edit);
        if !allowed {
            return;
        }
        let Some(row) = self.rows.get_mut(i).map(Shared::make_mut) else {
            return;
        };
        let a = &mut row.account;
        match edit {
            Edit::Flag(o, on) => o.set(a, *on),
            Edit::Overwrite(o) => o.set(a),
            Edit::Databases(d) => a.db_overwrite = *d,
            Edit::CustomIp(ip) => {
                a.customip = ip.clone().filter(|s| !s.trim().is_empty());
                if a.customip.is_some() {
                    a.ip = true;
                }
            }
            Edit::MailLocation(m) => a.mail_location = m.clone().filter(|s| !s.is_empty()),
        }
    }

    /// Whether WHM would honour the edit on this row (bulk edits skip the rows it does not fit).
    fn edit_allowed(&self, i: usize, edit: &Edit) -> bool {
        let Some(row) = self.rows.get(i) else { return false };
        match edit {
            Edit::Flag(o, on) => !*on || self.offered(*o),
            Edit::Overwrite(o) => self.overwrite_choices(&row.account.user).contains(o),
            Edit::Databases(d) => *d == DbOverwrite::Keep || self.offers_db_policy(),
            Edit::CustomIp(ip) => ip.as_ref().is_none_or(|ip| self.free_ips().contains(ip)),
            Edit::MailLocation(m) => m.as_ref().is_none_or(|m| self.mail_locations().contains(m)),
        }
    }

    pub fn apply(mut self, action: TableAction) -> Self {
        // (the text counts once it applies: `apply_text`)
        self.edited |= matches!(
            action,
            TableAction::Select { .. }
                | TableAction::SelectShown { .. }
                | TableAction::SetTarget { .. }
                | TableAction::Edit { .. }
                | TableAction::Bulk { .. }
                | TableAction::Pick { .. }
                | TableAction::AcceptFixes { .. }
        );
        match action {
            TableAction::Select { user, on } => {
                if let Some(r) = self.row_mut(&user) {
                    r.selected = on;
                }
            }
            TableAction::SelectShown { on } => {
                for i in self.filtered() {
                    if let Some(r) = self.rows.get_mut(i).filter(|r| r.selected != on) {
                        Shared::make_mut(r).selected = on;
                    }
                }
            }
            TableAction::SetFilter(q) => {
                self.filter = q;
                self.shown = PAGE;
                return self; // nothing to re-check
            }
            TableAction::ShowMore => {
                self.shown = self.shown.saturating_add(PAGE);
                return self;
            }
            TableAction::SetTarget { user, name } => {
                let name: String = name.chars().filter(|c| !c.is_control()).take(64).collect();
                let user_session = self.is_user_session();
                if let Some(r) = self.row_mut(&user) {
                    r.account.localuser = name.clone();
                    if user_session {
                        // A user session pulls the account it names; the local name follows unless renamed.
                        r.account.user = name;
                    }
                    // A rename cannot restore into, or overwrite, the existing account.
                    if r.account.renamed() {
                        Overwrite::Create.set(&mut r.account);
                    }
                }
                if user_session {
                    self.reindex();
                }
            }
            TableAction::Edit { user, edit } => {
                if let Some(&i) = self.index.get(&user) {
                    self.apply_edit(i, &edit);
                }
            }
            TableAction::Bulk { edit, settled } => {
                for i in 0..self.rows.len() {
                    if self
                        .rows
                        .get(i)
                        .is_some_and(|r| r.selected && !settled.contains(&r.account.user))
                    {
                        self.apply_edit(i, &edit);
                    }
                }
            }
            TableAction::Pick { kind, name, on } => {
                for p in &mut self.picks {
                    let k = match p.module.as_str() {
                        PACKAGE_MODULE => PickKind::Package,
                        FEATURE_LIST_MODULE => PickKind::FeatureList,
                        _ => PickKind::Config,
                    };
                    if k == kind && p.name == name {
                        p.selected = on;
                    }
                }
            }
            TableAction::ProposeFixes { settled } => {
                let plan = self.plan_of(|_| true);
                let input = PlanInput {
                    plan: &plan,
                    analysis: self.analysis.as_deref(),
                    ctx: &self.ctx,
                    module: self.module,
                    unrestricted: self.unrestricted,
                    modules: None,
                    schemas: None,
                    server_verdicts: Some(&self.verdicts),
                };
                self.fixes = Some(suggest_fixes(input, &settled));
                return self;
            }
            TableAction::EditFix { user, name } => {
                if let Some(f) = self.fixes.as_mut().and_then(|f| f.iter_mut().find(|f| f.user == user)) {
                    f.to = name.chars().filter(|c| !c.is_control()).take(64).collect();
                }
                return self;
            }
            TableAction::AcceptFixes { select, settled } => {
                for fix in self.fixes.take().unwrap_or_default() {
                    if settled.contains(&fix.user) {
                        continue;
                    }
                    if let Some(r) = self.row_mut(&fix.user) {
                        r.account.localuser = fix.to;
                        r.selected |= select;
                        if r.account.renamed() {
                            Overwrite::Create.set(&mut r.account);
                        }
                    }
                }
            }
            TableAction::DiscardFixes => {
                self.fixes = None;
                return self;
            }
            TableAction::ApplyText { text, settled } => self.apply_text(&text, &settled),
            TableAction::DismissRefreshNotes => {
                self.gone.clear();
                self.unselected.clear();
                return self;
            }
            TableAction::Reanalysed { analysis, report, ctx } => {
                // The same analysis again, or a cPanel-user session's table (which has none).
                if self.analysis.as_ref().is_none_or(|a| *a == analysis) {
                    return self;
                }
                return self.reanalysed(analysis, &report, ctx);
            }
            TableAction::ModulesLoaded(result) => {
                self.modules = Some(result);
                self.unpick_unoffered();
                // Only the picks changed: the accounts' findings stand.
                self.recheck_with(Accounts::Unchanged);
                return self;
            }
            TableAction::SchemaRequested(module) => {
                self.schemas.entry(module).or_insert(SchemaState::Loading);
                return self;
            }
            TableAction::SchemaLoaded { module, result } => {
                if !matches!(self.schemas.get(&module), Some(SchemaState::Loading)) {
                    return self;
                }
                let state = match result {
                    Ok(s) => {
                        Shared::make_mut(&mut self.loaded).insert(module.clone(), s.clone());
                        SchemaState::Loaded(s)
                    }
                    Err(e) => SchemaState::Failed(e),
                };
                self.schemas.insert(module.clone(), state);
                let accounts = if module == self.module {
                    // Rows change only where the schema hides an option a row had set.
                    if self.normalize_to_schema() {
                        Accounts::Changed
                    } else {
                        Accounts::Unchanged
                    }
                } else if self.needed_modules().contains(&module) {
                    // A package, feature list or configuration schema: the accounts' findings stand.
                    Accounts::Unchanged
                } else {
                    // No call of the selection uses this module, so neither the calls nor the plan
                    // check can change: the check (10,000 accounts in a large session) is not re-run.
                    // Picking from the module later re-checks with every schema loaded by then.
                    return self;
                };
                self.recheck_with(accounts);
                return self;
            }
            TableAction::RetrySchemas => {
                self.schemas.retain(|_, s| !matches!(s, SchemaState::Failed(_)));
                return self;
            }
            TableAction::LookupSent { name, ticket } => {
                self.asked.insert(name, ticket);
                return self;
            }
            TableAction::Lookup { name, ticket, result } => {
                // Not the latest call about the name since the last refresh (which forgot every
                // call): it describes the server as it was, and is dropped.
                if self.asked.get(&name) != Some(&ticket) {
                    return self;
                }
                // An answer for a name no row holds any more is stale: dropped.
                let held = self.rows.iter().any(|r| r.account.localuser == name);
                match result {
                    Ok(v) if held => {
                        self.asked.remove(&name);
                        self.verdicts.insert(name, v);
                    }
                    Ok(_) => {
                        self.asked.remove(&name);
                        return self;
                    }
                    // A failed read is not retried by itself (the name stays asked); the local
                    // rules still judge the name.
                    Err(_) => return self,
                }
            }
        }
        self.recheck();
        self
    }

    /// Text back into the table: listed accounts selected (with their local name), all others not;
    /// options set in the table are kept. Lines naming no account are reported, not guessed.
    fn apply_text(&mut self, text: &str, settled: &FastSet<String>) {
        let mut issues = Vec::new();
        let mut wanted: Vec<(usize, Option<String>)> = Vec::new();
        for line in plan_lines(text) {
            let PlanLine { line_no, user, local } = match line {
                Ok(l) => l,
                Err(issue) => {
                    issues.push(issue);
                    continue;
                }
            };
            let local = local.map(str::to_owned);
            match self.index.get(user) {
                Some(&r) => wanted.push((r, local)),
                None => issues.push(LineIssue {
                    line_no,
                    message: format!(
                        "Line {line_no}: the source has no account named “{}”.",
                        display::name(user)
                    ),
                }),
            }
        }
        if !issues.is_empty() {
            // Nothing half-applied: the table keeps its selection until the text reads cleanly.
            self.text_issues = issues;
            return;
        }
        self.text_issues.clear();
        self.edited = true;
        for r in &mut self.rows {
            if r.selected && !settled.contains(&r.account.user) {
                Shared::make_mut(r).selected = false;
            }
        }
        for (i, local) in wanted {
            if self.rows.get(i).is_some_and(|r| settled.contains(&r.account.user)) {
                continue;
            }
            if let Some(r) = self.rows.get_mut(i).map(Shared::make_mut) {
                r.selected = true;
                r.account.localuser = local.unwrap_or_else(|| r.account.user.clone());
                if r.account.renamed() {
                    Overwrite::Create.set(&mut r.account);
                }
            }
        }
    }
}

fn one_line(s: &str) -> String {
    display::guard(&s.replace('\n', " "), 300, false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::{FindingsInput, findings};
    use crate::whm::analysis::{Account, Package};
    use crate::whm::responses::KeyDef;

    fn account(user: &str) -> Account {
        Account {
            user: user.into(),
            domain: format!("{user}.example"),
            owner: Some("root".into()),
            bytesused: 4096,
            ..Default::default()
        }
    }

    /// An analysis of these accounts (each `<user>.example`, owned by root) and the package `gold`,
    /// against a server with these users, checked: what a table is built from.
    fn analysed(accounts: &[&str], local_users: &[&str]) -> (Shared<Analysis>, Shared<Report>, Shared<RuleContext>) {
        let mut a = Analysis::default();
        a.options.unrestricted = Some(true);
        for u in accounts {
            a.items.accounts.push(account(u));
        }
        a.items.packages.push(Package {
            name: "gold".into(),
            featurelist: Some("default".into()),
        });
        for u in local_users {
            a.local.users.insert((*u).into());
        }
        let ctx = RuleContext::from_analysis(&a);
        let report = findings(FindingsInput {
            analysis: &a,
            ctx: &ctx,
            server_verdicts: &HashMap::new(),
            live_transfer_requested: false,
        });
        (Shared::new(a), Shared::new(report), Shared::new(ctx))
    }

    /// Accounts, one with a finding of its own (`alice` exists here), and a package.
    fn table() -> QueueTable {
        let (a, report, ctx) = analysed(&["bob", "alice", "carol"], &["alice"]);
        QueueTable::new(a, &report, ctx)
            .apply(TableAction::Select {
                user: "alice".into(),
                on: true,
            })
            .apply(TableAction::Edit {
                user: "bob".into(),
                edit: Edit::Flag(Opt::CopyEmail, false),
            })
    }

    fn schema(keys: &[&str]) -> ModuleSchema {
        ModuleSchema {
            keys: keys.iter().map(|k| ((*k).to_owned(), KeyDef::default())).collect(),
            ..Default::default()
        }
    }

    fn loaded(t: QueueTable, module: &str, s: ModuleSchema) -> QueueTable {
        t.apply(TableAction::SchemaRequested(module.into()))
            .apply(TableAction::SchemaLoaded {
                module: module.into(),
                result: Ok(s),
            })
    }

    /// The same table checked from scratch: what the kept account findings must add up to.
    fn from_scratch(t: &QueueTable) -> Vec<Finding> {
        let mut fresh = t.clone();
        fresh.recheck();
        fresh.problems.to_vec()
    }

    #[test]
    fn kept_account_findings_give_the_same_problems_as_a_full_check() {
        let t = table();
        assert!(
            t.problems.iter().any(|p| p.subject.kind == SubjectKind::Account),
            "the fixture has account findings"
        );
        let mut modules = TransferModules::default();
        for m in [ROOT_ACCOUNT_MODULE, PACKAGE_MODULE] {
            modules.modules.insert(m.into(), 1);
        }
        let all_keys = || {
            let mut keys: Vec<&str> = Opt::ALL.iter().map(|o| o.key()).collect();
            keys.extend(["user", "localuser"]);
            keys
        };
        // An account schema that hides nothing: no row changes, the account findings are kept.
        let first = t.account_problems.clone();
        let full = loaded(t.clone(), ROOT_ACCOUNT_MODULE, schema(&all_keys()));
        assert!(first == full.account_problems);
        assert_eq!(
            *full.problems,
            from_scratch(&full),
            "after an account schema that hides nothing"
        );
        // The module list: the feature list's module is not offered, so its pick goes.
        let t = t.apply(TableAction::ModulesLoaded(Ok(modules)));
        assert!(first == t.account_problems);
        assert_eq!(*t.problems, from_scratch(&t), "after the module list");
        // A package schema (needed: gold is picked) that lacks `package`.
        let t = loaded(t, PACKAGE_MODULE, schema(&["size"]));
        assert!(first == t.account_problems);
        assert!(
            t.problems.iter().any(|p| p.kind == "schema-unknown-key"),
            "the package schema is checked"
        );
        assert_eq!(*t.problems, from_scratch(&t), "after a package schema");
        // The account schema without `skipemail`: bob's choice goes back to WHM's default, so the
        // accounts are checked again.
        let mut keys = all_keys();
        keys.retain(|k| *k != "skipemail");
        let t = loaded(t, ROOT_ACCOUNT_MODULE, schema(&keys));
        assert!(t.row("bob").is_some_and(|r| !r.account.skipemail));
        assert!(first != t.account_problems);
        assert_eq!(*t.problems, from_scratch(&t), "after the account schema");
        // Any edit checks the accounts again: without alice, her "exists here" error is gone.
        let before = t.problems.clone();
        let t = t.apply(TableAction::Select {
            user: "alice".into(),
            on: false,
        });
        assert!(before.iter().any(|p| p.kind == "user-exists"));
        assert!(!t.problems.iter().any(|p| p.kind == "user-exists"));
        assert_eq!(*t.problems, from_scratch(&t), "after an edit");
    }

    /// `validate_system_user`'s answer for a valid name, which exists here or not.
    fn server_says(exists: bool) -> SystemUserVerdict {
        SystemUserVerdict {
            exists,
            reserved: false,
            valid_for_transfer: true,
            valid_for_new: !exists,
        }
    }

    #[test]
    fn an_answer_asked_before_a_refresh_is_dropped_and_the_name_asked_again() {
        let exists = server_says(true);
        let t = table().apply(TableAction::SetTarget {
            user: "alice".into(),
            name: "alice2".into(),
        });
        assert_eq!(t.next_lookup().as_deref(), Some("alice2"));
        let t = t.apply(TableAction::LookupSent {
            name: "alice2".into(),
            ticket: 1,
        });
        assert_eq!(t.next_lookup(), None, "asked, not answered yet");
        let (analysis, report, ctx) = reanalysis();
        let t = t.apply(TableAction::Reanalysed { analysis, report, ctx });
        assert_eq!(
            t.next_lookup().as_deref(),
            Some("alice2"),
            "asked again after the refresh"
        );
        let t = t
            .apply(TableAction::LookupSent {
                name: "alice2".into(),
                ticket: 2,
            })
            .apply(TableAction::Lookup {
                name: "alice2".into(),
                ticket: 1,
                result: Ok(exists),
            });
        assert!(t.target("alice").valid, "the answer from before the refresh is dropped");
        assert_eq!(t.next_lookup(), None, "the new call is still awaited");
        let t = t.apply(TableAction::Lookup {
            name: "alice2".into(),
            ticket: 2,
            result: Ok(exists),
        });
        let v = t.target("alice");
        assert!(!v.valid && v.server_checked, "the new answer counts: {v:?}");
    }

    /// An analysis like [`table`]'s, analysed again after the server changed: `carol` left the
    /// source, `dave` arrived, and a user `bob` now exists here.
    fn reanalysis() -> (Shared<Analysis>, Shared<Report>, Shared<RuleContext>) {
        let (a, _, _) = analysed(&["bob", "alice", "dave"], &["alice", "bob"]);
        let mut a = Shared::unwrap_or_clone(a);
        // bob's account grew and moved to another domain on the source
        if let Some(bob) = a.items.accounts.first_mut() {
            bob.bytesused = 8192;
            bob.domain = "bob.example.net".into();
        }
        let ctx = RuleContext::from_analysis(&a);
        let report = findings(FindingsInput {
            analysis: &a,
            ctx: &ctx,
            server_verdicts: &HashMap::new(),
            live_transfer_requested: false,
        });
        (Shared::new(a), Shared::new(report), Shared::new(ctx))
    }

    #[test]
    fn a_refresh_checks_against_the_new_analysis_and_keeps_the_admins_choices() {
        let verdict = server_says(false);
        let t = table()
            .apply(TableAction::SetTarget {
                user: "alice".into(),
                name: "alice2".into(),
            })
            .apply(TableAction::Pick {
                kind: PickKind::Package,
                name: "gold".into(),
                on: false,
            })
            .apply(TableAction::LookupSent {
                name: "alice2".into(),
                ticket: 1,
            })
            .apply(TableAction::Lookup {
                name: "alice2".into(),
                ticket: 1,
                result: Ok(verdict),
            })
            .apply(TableAction::ProposeFixes {
                settled: FastSet::default(),
            });
        assert!(t.target("bob").valid, "bob is free before the refresh");
        assert_eq!(t.next_lookup(), None, "alice2 was answered");
        assert!(t.fixes.is_some());
        let before = t.revision;

        let (analysis, report, ctx) = reanalysis();
        let t = t.apply(TableAction::Reanalysed {
            analysis: analysis.clone(),
            report: report.clone(),
            ctx: ctx.clone(),
        });
        let users: Vec<&str> = t.rows.iter().map(|r| r.account.user.as_str()).collect();
        assert_eq!(users, ["bob", "alice", "dave"], "the new analysis' accounts");
        assert_eq!(t.gone, ["carol"]);
        let notes = t.refresh_notes(&FastSet::default());
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(notes[0].contains("1 account: carol."), "{notes:?}");
        assert!(
            notes[1].contains("Unselected 1 account") && notes[1].contains("bob"),
            "{notes:?}"
        );
        // carol's item already in WHM: the note says so instead
        let settled: FastSet<(&str, &str)> = [(ROOT_ACCOUNT_MODULE, "carol")].into_iter().collect();
        let notes = t.refresh_notes(&settled);
        assert!(
            notes[0].contains("already has (or may have) its item: carol."),
            "{notes:?}"
        );
        assert!(
            t.clone()
                .apply(TableAction::DismissRefreshNotes)
                .refresh_notes(&settled)
                .is_empty()
        );
        // the admin's edits stand
        assert!(t.row("bob").is_some_and(|r| !Opt::CopyEmail.get(&r.account)));
        assert!(
            t.row("alice")
                .is_some_and(|r| r.selected && r.account.localuser == "alice2")
        );
        assert!(!t.picks.iter().any(|p| p.name == "gold" && p.selected));
        // a new account starts as a fresh table would start it
        assert!(
            t.row("dave")
                .is_some_and(|r| r.selected && r.account.localuser == "dave")
        );
        // what the source reports comes from the new analysis
        assert!(t.row("bob").is_some_and(|r| r.account.size == Some(8192) && r.account.domain.as_deref() == Some("bob.example.net")));
        // bob has an error now (he exists here) and had none: unselected, as a fresh table would
        assert!(t.row("bob").is_some_and(|r| !r.selected));
        assert_eq!(t.unselected, ["bob"]);
        let t = t.apply(TableAction::Select {
            user: "bob".into(),
            on: true,
        });
        // checked against the new server: bob now exists here
        let bob = t.target("bob");
        assert!(!bob.valid);
        assert!(!bob.problems.is_empty());
        assert!(
            t.problems
                .iter()
                .any(|p| p.kind == plan::kinds::USER_EXISTS && p.subject.name == "bob")
        );
        // the server is asked about alice2 again; the old proposal is dropped
        assert_eq!(t.next_lookup().as_deref(), Some("alice2"));
        assert!(t.fixes.is_none());
        assert!(t.revision > before, "what would be sent is worked out again");
        assert_eq!(*t.problems, from_scratch(&t));
        assert_eq!(t.analysis_id(), AnalysisId(Some(analysis.clone())));

        // the same analysis handed in again changes nothing
        let again = t.clone().apply(TableAction::Reanalysed { analysis, report, ctx });
        assert_eq!(again, t);
    }

    #[test]
    fn a_user_sessions_table_ignores_an_analysis() {
        let t = QueueTable::for_user_session("bob", true);
        let (analysis, report, ctx) = reanalysis();
        let after = t.clone().apply(TableAction::Reanalysed { analysis, report, ctx });
        assert_eq!(after, t);
    }
}
