//! The plan step on `#/new` (the guide's "Plan the transfer session"): the modules this server
//! offers (`available_transfer_modules`, §3.7), read once when the page opens and again on "Try
//! again", and the guide's prerequisites for the kind of session being created. Pure: the page's
//! hook sends the read a [`PlanState`] asks for and dispatches the answer.

use super::create::CreateMode;
use crate::whm::WhmError;
use crate::whm::modules::{ModuleRow, plan_rows};
use crate::whm::responses::TransferModules;
use std::rc::Rc;

/// Where the modules read stands.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum PlanPhase {
    /// Nothing asked yet (not connected to WHM).
    #[default]
    Idle,
    Loading,
    /// The rows in queue order (lower priority first).
    Loaded(Rc<[ModuleRow]>),
    Failed(WhmError),
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlanState {
    pub phase: PlanPhase,
    /// The read the page must send (`Loading`) carries this number; an answer of another is stale.
    pub seq: u64,
}

#[derive(Debug, Clone)]
pub enum PlanAction {
    /// Read the modules (the page opened, or "Try again"). Ignored while a read is on its way.
    Load,
    Loaded {
        seq: u64,
        result: Result<TransferModules, WhmError>,
    },
}

impl PlanState {
    pub fn is_loading(&self) -> bool {
        self.phase == PlanPhase::Loading
    }

    pub fn apply(mut self, action: PlanAction) -> Self {
        match action {
            PlanAction::Load => {
                if !self.is_loading() {
                    self.seq += 1;
                    self.phase = PlanPhase::Loading;
                }
            }
            PlanAction::Loaded { seq, result } => {
                if seq != self.seq || !self.is_loading() {
                    return self;
                }
                self.phase = match result {
                    Ok(modules) => PlanPhase::Loaded(plan_rows(&modules).into()),
                    // The page went away: nothing to show, the next visit reads again.
                    Err(WhmError::Cancelled) => PlanPhase::Idle,
                    Err(e) => PlanPhase::Failed(e),
                };
            }
        }
        self
    }
}

/// One item of the prerequisites checklist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prerequisite {
    /// `data-id`: `ports`, `no-update`, `login`.
    pub id: &'static str,
    pub text: String,
}

/// The guide's prerequisites for a session of `mode`; `ssh_port` is what the root form holds.
pub fn prerequisites(mode: CreateMode, ssh_port: &str) -> Vec<Prerequisite> {
    let port = match (mode, ssh_port.trim().parse::<u16>()) {
        (CreateMode::Root, Ok(p)) if p > 0 => format!("{p} (SSH)"),
        _ => "the source’s SSH port".to_owned(),
    };
    vec![
        Prerequisite {
            id: "ports",
            text: format!("Ports 2087 (WHM) and {port} are open from this server to the source server."),
        },
        Prerequisite {
            id: "no-update",
            text: "No cPanel update (upcp) is running on either server, and none will start until the transfer has ended: the update would fail.".to_owned(),
        },
        Prerequisite {
            id: "login",
            text: match mode {
                CreateMode::Root => "You can log in to the source as root: over SSH as root, as a user who can become root with su or sudo, or with one of root’s SSH keys (or root’s WHM login with the WHM connection).".to_owned(),
                CreateMode::User => "You know the account’s cPanel username and password on the source (no root access to it is needed).".to_owned(),
            },
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn modules(pairs: &[(&str, &str)]) -> TransferModules {
        let body = format!(
            r#"{{"modules":{{{}}}}}"#,
            pairs
                .iter()
                .map(|(k, v)| format!(r#""{k}":"{v}""#))
                .collect::<Vec<_>>()
                .join(",")
        );
        serde_json::from_str(&body).unwrap()
    }

    #[test]
    fn a_read_then_its_answer_and_a_stale_one_ignored() {
        let s = PlanState::default().apply(PlanAction::Load);
        assert!(s.is_loading());
        assert_eq!(s.seq, 1);
        let again = s.clone().apply(PlanAction::Load);
        assert_eq!(again, s, "no second read while one is on its way");
        let stale = s.clone().apply(PlanAction::Loaded {
            seq: 7,
            result: Ok(TransferModules::default()),
        });
        assert_eq!(stale, s);
        let s = s.apply(PlanAction::Loaded {
            seq: 1,
            result: Ok(modules(&[
                ("AccountRemoteRoot", "3000"),
                ("FeatureListRemoteRoot", "1000"),
            ])),
        });
        let PlanPhase::Loaded(rows) = &s.phase else {
            panic!("{s:?}")
        };
        assert_eq!(rows[0].name, "FeatureListRemoteRoot");
    }

    #[test]
    fn a_failure_can_be_retried_and_a_cancelled_read_shows_nothing() {
        let s = PlanState::default().apply(PlanAction::Load).apply(PlanAction::Loaded {
            seq: 1,
            result: Err(WhmError::Timeout { after_ms: 1 }),
        });
        assert!(matches!(s.phase, PlanPhase::Failed(WhmError::Timeout { .. })));
        let s = s.apply(PlanAction::Load);
        assert!(s.is_loading());
        assert_eq!(s.seq, 2);
        let s = s.apply(PlanAction::Loaded {
            seq: 2,
            result: Err(WhmError::Cancelled),
        });
        assert_eq!(s.phase, PlanPhase::Idle);
    }

    #[test]
    fn the_checklist_follows_the_kind_of_session() {
        let root = prerequisites(CreateMode::Root, "2222");
        assert_eq!(
            root.iter().map(|p| p.id).collect::<Vec<_>>(),
            ["ports", "no-update", "login"]
        );
        assert!(root[0].text.contains("2087 (WHM) and 2222 (SSH)"), "{}", root[0].text);
        assert!(root[2].text.contains("su or sudo"));
        assert!(
            prerequisites(CreateMode::Root, "x")[0]
                .text
                .contains("the source’s SSH port")
        );
        let user = prerequisites(CreateMode::User, "2222");
        assert!(
            user[0].text.contains("the source’s SSH port"),
            "the root form's port is not the user's"
        );
        assert!(user[2].text.contains("cPanel username and password"));
    }
}
