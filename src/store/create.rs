//! The "create a session" flow: what the admin typed, checked before the call, and the call itself
//! ([`CreateState`]). Two kinds of session ([`CreateMode`]): root-authenticated
//! (`create_remote_root_transfer_session`, §3.2, slow: it connects to the source and analyses it) and
//! cPanel-user (`create_remote_user_transfer_session`, §3.3: one account's own password). The state lives at app level, so leaving `#/new` while WHM works
//! and coming back shows the call still running, then its outcome: the new session's id (with WHM's
//! warnings), or the error with the field values kept. Secrets are not part of it: the page reads them
//! from their fields only when sending, and they travel only in the request body.

use crate::checks::username::plausible_source_username;
use crate::whm::WhmError;
use crate::whm::request::{
    CommTransport, CreateRemoteRootTransferSession, CreateRemoteUserTransferSession, Escalation, Secret,
};

/// Which kind of session the form creates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CreateMode {
    /// Root-authenticated (§3.2): SSH or WHM as root; analysed at once; any number of accounts.
    #[default]
    Root,
    /// cPanel-user (§3.3): one account's own cPanel password; no analysis.
    User,
}

impl CreateMode {
    /// The radio's `value`: `root` or `user`.
    pub fn id(self) -> &'static str {
        match self {
            CreateMode::Root => "root",
            CreateMode::User => "user",
        }
    }

    pub fn parse(value: &str) -> Option<CreateMode> {
        match value {
            "root" => Some(CreateMode::Root),
            "user" => Some(CreateMode::User),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateForm {
    pub mode: CreateMode,
    /// The source server, shared by both forms.
    pub host: String,
    /// The account's cPanel username on the source (user sessions). Not sent when creating the
    /// session (§3.3: the call has no `user`): the account is named by the item queued later.
    pub cpanel_user: String,
    pub user: String,
    /// Authenticate with an SSH key from WHM's "Manage root's SSH Keys" instead of a password.
    pub use_key: bool,
    pub sshkey_name: String,
    pub port: String,
    /// "", "su" or "sudo".
    pub escalation: String,
    pub transport: CommTransport,
    pub transfer_threads: String,
    pub restore_threads: String,
    pub unrestricted_restore: bool,
    pub copy_reseller_privs: bool,
    pub compressed: bool,
    pub unencrypted: bool,
    pub use_backups: bool,
    pub low_priority: bool,
    pub enable_custom_pkgacct: bool,
}

impl Default for CreateForm {
    fn default() -> Self {
        CreateForm {
            mode: CreateMode::Root,
            host: String::new(),
            cpanel_user: String::new(),
            user: "root".into(),
            use_key: false,
            sshkey_name: String::new(),
            port: "22".into(),
            escalation: String::new(),
            transport: CommTransport::Ssh,
            transfer_threads: "1".into(),
            restore_threads: "1".into(),
            unrestricted_restore: false,
            copy_reseller_privs: false,
            compressed: true,
            unencrypted: false,
            use_backups: false,
            low_priority: false,
            enable_custom_pkgacct: false,
        }
    }
}

/// A field and what is wrong with it.
pub type FieldError = (&'static str, String);

fn threads(field: &'static str, text: &str, errors: &mut Vec<FieldError>) -> u8 {
    match text.trim().parse::<u8>() {
        Ok(n @ 1..=9) => n,
        _ => {
            errors.push((field, "Use 1 to 9 (WHM caps workers at 9).".into()));
            1
        }
    }
}

/// What is wrong with the source host as typed, if anything.
fn host_error(host: &str) -> Option<String> {
    if host.is_empty() {
        Some("Enter the source server’s hostname or IP address.".into())
    } else if host.contains(['/', ' ', ':', '?', '#', '@']) {
        Some("Enter a bare hostname or IP address (no scheme, port or path).".into())
    } else {
        None
    }
}

/// A cPanel-user session to create: the call, and the account it is for (remembered in the history,
/// never sent with the call).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserSessionRequest {
    pub request: CreateRemoteUserTransferSession,
    pub remote_user: String,
}

impl CreateForm {
    /// The root session's request, or every field error at once.
    pub fn to_request(
        &self,
        password: Secret,
        root_password: Secret,
        passphrase: Secret,
    ) -> Result<CreateRemoteRootTransferSession, Vec<FieldError>> {
        let mut errors = Vec::new();
        let host = self.host.trim();
        if let Some(e) = host_error(host) {
            errors.push(("host", e));
        }
        let user = self.user.trim();
        if user.is_empty() {
            errors.push(("user", "Enter the SSH user (usually root).".into()));
        }
        let port = match self.port.trim().parse::<u16>() {
            Ok(p) if p > 0 => p,
            _ => {
                errors.push(("port", "Enter a port from 1 to 65535.".into()));
                22
            }
        };
        if self.use_key {
            if self.sshkey_name.trim().is_empty() {
                errors.push((
                    "sshkey_name",
                    "Enter the name of one of root’s SSH keys on this server.".into(),
                ));
            }
        } else if password.is_empty() {
            errors.push((
                "password",
                format!("Enter the password of “{user}” on the source server."),
            ));
        }
        let escalation = match self.escalation.as_str() {
            "su" => Some(Escalation::Su),
            "sudo" => Some(Escalation::Sudo),
            _ => None,
        };
        if escalation == Some(Escalation::Su) && root_password.is_empty() {
            errors.push(("root_password", "su needs the source server’s root password.".into()));
        }
        if user != "root" && escalation.is_none() {
            errors.push((
                "escalation",
                "A user other than root needs su or sudo to become root.".into(),
            ));
        }
        let transfer_threads = threads("transfer_threads", &self.transfer_threads, &mut errors);
        let restore_threads = threads("restore_threads", &self.restore_threads, &mut errors);
        if !errors.is_empty() {
            return Err(errors);
        }
        let secret = |s: Secret| (!s.is_empty()).then_some(s);
        Ok(CreateRemoteRootTransferSession {
            host: host.to_owned(),
            user: user.to_owned(),
            password: if self.use_key { None } else { secret(password) },
            port,
            root_escalation_method: escalation,
            // Only su needs it: a hidden field's old value is never sent.
            root_password: if escalation == Some(Escalation::Su) {
                secret(root_password)
            } else {
                None
            },
            sshkey_name: self.use_key.then(|| self.sshkey_name.trim().to_owned()),
            sshkey_passphrase: if self.use_key { secret(passphrase) } else { None },
            comm_transport: self.transport,
            transfer_threads,
            restore_threads,
            unrestricted_restore: self.unrestricted_restore,
            copy_reseller_privs: self.copy_reseller_privs,
            compressed: self.compressed,
            unencrypted: self.unencrypted,
            use_backups: self.use_backups,
            low_priority: self.low_priority,
            enable_custom_pkgacct: self.enable_custom_pkgacct,
            remote_server_type: Some("cpanel".into()),
            session_timeout: None,
        })
    }

    /// The cPanel-user session's request (§3.3: `host`, `password`, `unrestricted_restore=1`), or every
    /// field error at once. Field names are the user form's: `cpanel_host`, `cpanel_user`, `cpanel_password`.
    pub fn to_user_request(&self, password: Secret) -> Result<UserSessionRequest, Vec<FieldError>> {
        let mut errors = Vec::new();
        let host = self.host.trim();
        if let Some(e) = host_error(host) {
            errors.push(("cpanel_host", e));
        }
        let user = self.cpanel_user.trim();
        if user.is_empty() {
            errors.push((
                "cpanel_user",
                "Enter the account’s cPanel username on the source server.".into(),
            ));
        } else if user.chars().any(|c| c.is_ascii_uppercase()) {
            errors.push((
                "cpanel_user",
                format!(
                    "cPanel usernames are lower case: enter “{}”.",
                    user.to_ascii_lowercase()
                ),
            ));
        } else if !plausible_source_username(user) {
            errors.push((
                "cpanel_user",
                "A cPanel username has only lower-case letters, digits, “-”, “.” and “_”, does not start with a digit, “-” or “.”, and has at most 31 characters.".into(),
            ));
        }
        if password.is_empty() {
            errors.push((
                "cpanel_password",
                if user.is_empty() {
                    "Enter the account’s cPanel password on the source server.".to_owned()
                } else {
                    format!("Enter the cPanel password of “{user}” on the source server.")
                },
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(UserSessionRequest {
            request: CreateRemoteUserTransferSession {
                host: host.to_owned(),
                password,
                // §3.3: documented as "must be 1"; WHM's own page sends 1 unless restricted is asked for.
                unrestricted_restore: true,
            },
            remote_user: user.to_owned(),
        })
    }
}

/// Where the create call stands.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum CreatePhase {
    #[default]
    Editing,
    /// The create call is on its way (a root session's can take minutes); [`CreateState::sent_mode`]
    /// says which.
    Sending {
        attempt: u32,
    },
    /// WHM created the session; its warnings (`metadata.output.warnings`) are shown, never dropped.
    Created {
        session_id: String,
        warnings: Vec<String>,
    },
    Failed(WhmError),
}

/// The form and the create call, held at app level.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CreateState {
    pub form: CreateForm,
    pub errors: Vec<FieldError>,
    pub phase: CreatePhase,
    /// The kind of session the last call sent creates (for the running and created messages).
    pub sent_mode: CreateMode,
    attempts: u32,
}

#[derive(Debug, Clone)]
pub enum CreateAction {
    Edit(CreateForm),
    /// One field changed: `set` applies the input's value (or checkbox state) to the current form.
    Set {
        set: fn(&mut CreateForm, String, bool),
        value: String,
        checked: bool,
    },
    /// The admin chose the kind of session: the other form's errors are dropped.
    Mode(CreateMode),
    /// The form was checked and refused before anything was sent.
    Invalid(Vec<FieldError>),
    /// The page is sending attempt [`CreateState::next_attempt`]. Ignored while a call is in flight.
    Begin(u32),
    /// The call's answer: the session id and WHM's warnings, or the error.
    Finished {
        attempt: u32,
        result: Result<(String, Vec<String>), WhmError>,
    },
    /// The new session was opened (or the admin asked for a fresh form): back to an empty form.
    Done,
    DismissError,
}

impl CreateState {
    pub fn is_sending(&self) -> bool {
        matches!(self.phase, CreatePhase::Sending { .. })
    }

    /// The attempt number the next [`CreateAction::Begin`] must carry.
    pub fn next_attempt(&self) -> u32 {
        self.attempts + 1
    }

    /// A failure after which WHM may have created the session anyway: never invite a plain retry.
    pub fn may_have_been_created(&self) -> bool {
        matches!(&self.phase, CreatePhase::Failed(e) if e.outcome_unknown())
    }

    pub fn apply(mut self, action: CreateAction) -> Self {
        match action {
            CreateAction::Edit(form) => {
                self.form = form;
            }
            CreateAction::Set { set, value, checked } => set(&mut self.form, value, checked),
            CreateAction::Mode(mode) => {
                if self.form.mode != mode {
                    self.form.mode = mode;
                    self.errors.clear();
                }
            }
            CreateAction::Invalid(errors) => {
                if !self.is_sending() {
                    self.errors = errors;
                }
            }
            CreateAction::Begin(attempt) => {
                if !self.is_sending() && attempt == self.next_attempt() {
                    self.attempts = attempt;
                    self.errors.clear();
                    self.sent_mode = self.form.mode;
                    self.phase = CreatePhase::Sending { attempt };
                }
            }
            CreateAction::Finished { attempt, result } => {
                if self.phase != (CreatePhase::Sending { attempt }) {
                    return self;
                }
                self.phase = match result {
                    Ok((session_id, warnings)) => CreatePhase::Created { session_id, warnings },
                    // A second, identical call was refused by the transport; the first one's answer
                    // is still coming.
                    Err(WhmError::AlreadySending { .. }) => return self,
                    Err(e) => CreatePhase::Failed(e),
                };
            }
            CreateAction::Done => {
                if matches!(self.phase, CreatePhase::Created { .. }) {
                    // A fresh form for the next session, of the same kind (user sessions are one
                    // account each: the next one is likely another user session).
                    self = CreateState {
                        form: CreateForm {
                            mode: self.form.mode,
                            ..CreateForm::default()
                        },
                        sent_mode: self.sent_mode,
                        attempts: self.attempts,
                        ..CreateState::default()
                    };
                }
            }
            CreateAction::DismissError => {
                if matches!(self.phase, CreatePhase::Failed(_)) {
                    self.phase = CreatePhase::Editing;
                }
            }
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::whm::request::Request;

    fn none() -> Secret {
        Secret::default()
    }

    #[test]
    fn a_password_session_renders_every_parameter_with_the_secret_in_the_body_only() {
        let form = CreateForm {
            host: " remote.example.com ".into(),
            ..Default::default()
        };
        let req = form.to_request(Secret::new("luggage12345"), none(), none()).unwrap();
        let call = req.call();
        assert_eq!(call.param("host"), Some("remote.example.com"));
        assert_eq!(call.param("compressed"), Some("1"));
        assert!(call.form_body().contains("password=luggage12345"));
        assert!(!call.path("/cpsess0123456789").contains("luggage"));
        assert_eq!(req.sshkey_passphrase, None);
        let sudo = CreateForm {
            escalation: "sudo".into(),
            ..form
        };
        let req = sudo
            .to_request(Secret::new("p"), Secret::new("typed-then-hidden"), none())
            .unwrap();
        assert_eq!(req.root_password, None, "the root password goes only with su");
    }

    #[test]
    fn every_field_error_at_once() {
        let form = CreateForm {
            host: "https://x".into(),
            user: "admin".into(),
            port: "0".into(),
            transfer_threads: "12".into(),
            ..Default::default()
        };
        let errors = form.to_request(none(), none(), none()).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["host", "port", "password", "escalation", "transfer_threads"]);
    }

    #[test]
    fn key_sessions_need_a_key_name_and_su_needs_the_root_password() {
        let form = CreateForm {
            host: "h".into(),
            use_key: true,
            escalation: "su".into(),
            ..Default::default()
        };
        let fields: Vec<_> = form
            .to_request(Secret::new("ignored"), none(), none())
            .unwrap_err()
            .iter()
            .map(|(f, _)| *f)
            .collect();
        assert_eq!(fields, ["sshkey_name", "root_password"]);
        let form = CreateForm {
            sshkey_name: "key1".into(),
            ..form
        };
        let req = form
            .to_request(Secret::new("ignored"), Secret::new("r"), Secret::new("pp"))
            .unwrap();
        assert_eq!(req.password, None, "a key session sends no password");
        assert_eq!(req.sshkey_name.as_deref(), Some("key1"));
        assert!(req.sshkey_passphrase.is_some() && req.root_password.is_some());
    }

    fn sending() -> CreateState {
        let form = CreateForm {
            host: "remote.example.com".into(),
            ..Default::default()
        };
        let s = CreateState::default().apply(CreateAction::Edit(form));
        let attempt = s.next_attempt();
        s.apply(CreateAction::Begin(attempt))
    }

    #[test]
    fn leaving_and_returning_keeps_the_call_in_flight_and_its_outcome() {
        // The app-level state outlives the page: what a page shows on return is this state.
        let s = sending();
        assert!(s.is_sending());
        let again = s.clone().apply(CreateAction::Begin(s.next_attempt()));
        assert_eq!(again, s, "no second create while one is in flight");
        let edited = CreateForm {
            host: "edited.example.com".into(),
            ..s.form.clone()
        };
        let s = s.apply(CreateAction::Edit(edited));
        assert!(s.is_sending(), "editing the form does not forget the call");
        let s = s.apply(CreateAction::Finished {
            attempt: 1,
            result: Ok((
                "remoteexamplecopya20260101000000Ab12".into(),
                vec!["Rsync is missing.".into()],
            )),
        });
        assert_eq!(
            s.phase,
            CreatePhase::Created {
                session_id: "remoteexamplecopya20260101000000Ab12".into(),
                warnings: vec!["Rsync is missing.".into()],
            }
        );
        let s = s.apply(CreateAction::Done);
        assert_eq!(s.phase, CreatePhase::Editing);
        assert_eq!(s.form, CreateForm::default(), "a fresh form for the next session");
        assert_eq!(s.next_attempt(), 2);
    }

    #[test]
    fn an_answer_of_another_attempt_or_a_refused_duplicate_is_ignored() {
        let s = sending();
        let dup = s.clone().apply(CreateAction::Finished {
            attempt: 1,
            result: Err(WhmError::AlreadySending {
                command: "create_remote_root_transfer_session".into(),
            }),
        });
        assert!(dup.is_sending(), "the first call's answer is still coming");
        let stale = s.clone().apply(CreateAction::Finished {
            attempt: 7,
            result: Ok(("x".into(), vec![])),
        });
        assert_eq!(stale, s);
    }

    #[test]
    fn a_failure_that_may_have_created_the_session_says_so_and_keeps_the_fields() {
        for (e, unknown) in [
            (WhmError::Timeout { after_ms: 1 }, true),
            (WhmError::from_status(502, "x").unwrap(), true),
            (WhmError::from_status(504, "x").unwrap(), true),
            (
                WhmError::Malformed {
                    detail: String::new(),
                    at: String::new(),
                    truncated: true,
                },
                true,
            ),
            (WhmError::Network { detail: "reset".into() }, true),
            (
                WhmError::Api {
                    command: "create_remote_root_transfer_session".into(),
                    reason: "Permission denied.".into(),
                },
                false,
            ),
            (WhmError::from_status(403, "x").unwrap(), false),
        ] {
            let s = sending().apply(CreateAction::Finished {
                attempt: 1,
                result: Err(e.clone()),
            });
            assert_eq!(s.may_have_been_created(), unknown, "{e:?}");
            assert_eq!(s.form.host, "remote.example.com", "fields kept");
            assert!(!s.is_sending());
        }
    }

    fn user_form(host: &str, user: &str) -> CreateForm {
        CreateForm {
            mode: CreateMode::User,
            host: host.into(),
            cpanel_user: user.into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_user_session_sends_exactly_host_password_and_unrestricted_restore_in_the_body() {
        let req = user_form(" remote.example.com ", " example ")
            .to_user_request(Secret::new("suitcase12345"))
            .unwrap();
        assert_eq!(req.remote_user, "example");
        let call = req.request.call();
        assert_eq!(call.function, "create_remote_user_transfer_session");
        assert!(call.mutating, "never retried, never sent twice");
        let names: Vec<&str> = call.params.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            ["host", "password", "unrestricted_restore"],
            "§3.3: no user parameter"
        );
        assert_eq!(call.param("host"), Some("remote.example.com"));
        assert_eq!(call.param("unrestricted_restore"), Some("1"));
        assert_eq!(call.param("password"), None, "a secret, not text");
        assert_eq!(
            call.form_body(),
            "api.version=1&host=remote.example.com&password=suitcase12345&unrestricted_restore=1"
        );
        let path = call.path("/cpsess0123456789");
        assert!(!path.contains("suitcase") && !path.contains('?'), "{path}");
        assert!(!format!("{req:?}").contains("suitcase"), "redacted in Debug");
    }

    #[test]
    fn the_user_form_reports_every_field_error_at_once() {
        let fields = |form: &CreateForm, pw: &str| -> Vec<(&'static str, String)> {
            form.to_user_request(Secret::new(pw)).unwrap_err()
        };
        let e = fields(&user_form("", ""), "");
        assert_eq!(
            e.iter().map(|(f, _)| *f).collect::<Vec<_>>(),
            ["cpanel_host", "cpanel_user", "cpanel_password"]
        );
        let e = fields(&user_form("https://remote.example.com/", "Example"), "pw");
        assert_eq!(e.len(), 2);
        assert!(e[1].1.contains("lower case: enter “example”"), "{}", e[1].1);
        for bad in ["1abc", "-abc", ".abc", "ab cd", "ab@c", "a\u{202e}b", &"a".repeat(32)] {
            let e = fields(&user_form("h", bad), "pw");
            assert_eq!(
                e.iter().map(|(f, _)| *f).collect::<Vec<_>>(),
                ["cpanel_user"],
                "{bad:?}"
            );
        }
        let e = fields(&user_form("h", "example"), "");
        assert!(e[0].1.contains("cPanel password of “example”"), "{}", e[0].1);
        // an account name the source has although this server would refuse it as a new name
        for ok in ["averyveryverylongname", "shop_one", "a.b-c", "x1"] {
            assert!(user_form("h", ok).to_user_request(Secret::new("pw")).is_ok(), "{ok}");
        }
    }

    #[test]
    fn switching_the_kind_of_session_drops_the_other_forms_errors_and_keeps_the_host() {
        let form = CreateForm {
            host: "remote.example.com".into(),
            ..Default::default()
        };
        let s = CreateState::default().apply(CreateAction::Edit(form.clone()));
        let errors = s.form.to_request(none(), none(), none()).unwrap_err();
        let s = s.apply(CreateAction::Invalid(errors));
        assert!(!s.errors.is_empty());
        let s = s.apply(CreateAction::Mode(CreateMode::User));
        assert_eq!(s.form.mode, CreateMode::User);
        assert!(s.errors.is_empty());
        assert_eq!(s.form.host, "remote.example.com", "one source host for both forms");
        assert_eq!(CreateMode::parse("user"), Some(CreateMode::User));
        assert_eq!(CreateMode::parse(CreateMode::Root.id()), Some(CreateMode::Root));
        assert_eq!(CreateMode::parse("admin"), None);
    }

    #[test]
    fn a_user_session_call_in_flight_its_outcome_and_a_fresh_user_form() {
        let s = CreateState::default().apply(CreateAction::Edit(user_form("remote.example.com", "example")));
        let s = s.clone().apply(CreateAction::Begin(s.next_attempt()));
        assert!(s.is_sending());
        assert_eq!(s.sent_mode, CreateMode::User);
        // the admin looks at the root form meanwhile: the call is still the user session's
        let s = s.apply(CreateAction::Mode(CreateMode::Root));
        assert_eq!(s.sent_mode, CreateMode::User);
        let failed = s.clone().apply(CreateAction::Finished {
            attempt: 1,
            result: Err(WhmError::from_status(504, "x").unwrap()),
        });
        assert!(failed.may_have_been_created(), "same handling as the root form");
        assert_eq!(failed.form.cpanel_user, "example", "fields kept");
        let s = s
            .apply(CreateAction::Mode(CreateMode::User))
            .apply(CreateAction::Finished {
                attempt: 1,
                result: Ok(("remoteexamplenoroo20260101000000Ab12".into(), vec![])),
            })
            .apply(CreateAction::Done);
        assert_eq!(s.phase, CreatePhase::Editing);
        assert_eq!(s.form, user_form("", ""), "a fresh form of the same kind");
    }
}
