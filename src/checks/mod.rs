//! Client-side checks: cPanel username rules, analysis findings, queue-plan validation. Pure Rust.
//!
//! * [`username`](mod@username): the rules of §5 for one name ([`check_username`]) or a list
//!   ([`check_bulk`]).
//! * [`findings`](mod@findings): what a decoded analysis (§4) means for the transfer: errors, warnings, totals.
//! * [`plan`](mod@plan): the admin's queue selection checked against the analysis, modules and schemas (§3.9),
//!   and turned into `enqueue_transfer_item` requests.
//! * `name_findings`: the username findings both of them report, from one place; `text`: how names
//!   are quoted and lists and counts worded in every message.

pub mod findings;
mod name_findings;
pub mod plan;
pub(crate) mod text;
pub mod username;

pub use findings::{Finding, FindingsInput, OwnerTotal, Report, Severity, Subject, SubjectKind, Totals, findings};
pub use plan::{
    DbOverwrite, Fix, PlanInput, PlanProblem, PlannedAccount, QueuePlan, fit_to_schemas, suggest_fixes, to_requests,
    validate_plan,
};
pub use username::{
    BulkReport, Collision, Conflict, ConflictKind, NameSet, Purpose, Rule, RuleContext, Verdict, Violation, check_bulk,
    check_username, find_collisions,
};
