//! Hash routes. WHM serves the app as static files, so every view lives after `#` and a reload
//! lands on the same view.

/// A view of the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Home,
    /// `#/check` or `#/check/<session_id>`.
    Check(Option<String>),
    /// `#/username`.
    Username,
    /// `#/new`: create a session.
    New,
    /// `#/session/<session_id>`: run and follow a session.
    Session(String),
    /// `#/sessions`: the history of sessions this browser created or opened.
    Sessions,
    /// Anything else, kept for the "not found" page.
    NotFound(String),
}

impl Route {
    /// Parses `location.hash` (with or without the leading `#`).
    pub fn parse(hash: &str) -> Route {
        let h = hash.strip_prefix('#').unwrap_or(hash);
        let path = h.split('?').next().unwrap_or("");
        let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
        match parts.as_slice() {
            [] => Route::Home,
            ["check"] => Route::Check(None),
            ["check", id] => Route::Check(Some(percent_decode(id))),
            ["username"] => Route::Username,
            ["new"] => Route::New,
            ["session", id] => Route::Session(percent_decode(id)),
            ["sessions"] => Route::Sessions,
            _ => Route::NotFound(h.to_owned()),
        }
    }

    /// The hash for this route, e.g. `#/check/abc`.
    pub fn to_hash(&self) -> String {
        match self {
            Route::Home => "#/".into(),
            Route::Check(None) => "#/check".into(),
            Route::Check(Some(id)) => {
                let mut out = String::from("#/check/");
                crate::whm::request::form_encode_into(&mut out, id);
                out
            }
            Route::Username => "#/username".into(),
            Route::New => "#/new".into(),
            Route::Session(id) => {
                let mut out = String::from("#/session/");
                crate::whm::request::form_encode_into(&mut out, id);
                out
            }
            Route::Sessions => "#/sessions".into(),
            Route::NotFound(h) => format!("#{h}"),
        }
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = |b: u8| (b as char).to_digit(16);
                match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                    (Some(h), Some(l)) => {
                        out.push((h * 16 + l) as u8);
                        i += 3;
                        continue;
                    }
                    _ => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The place of a history entry: its index in the tab's session history (the Navigation API's
/// `navigation.currentEntry.index`). A declined route change uses it to take the browser back to the
/// entry the page shows, instead of rewriting the entry it arrived at, which left two entries for one
/// page and a Back that did nothing once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HistoryPlace(pub u32);

impl HistoryPlace {
    /// For a declined change from `self` to `arrived`: how far to go in the history (`history.go`) to
    /// be back on `self`'s entry. A link or an edited address pushes an entry right after the shown
    /// one (dropping those ahead), so it is one step back; Back or Forward, the steps it took. `None`
    /// when there is no such step (the same place: the entry was rewritten in place, or a step beyond
    /// any history), where the address is put back instead.
    pub fn undo_from(self, arrived: HistoryPlace) -> Option<i32> {
        let delta = i64::from(self.0) - i64::from(arrived.0);
        i32::try_from(delta).ok().filter(|d| *d != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_route() {
        assert_eq!(Route::parse(""), Route::Home);
        assert_eq!(Route::parse("#/"), Route::Home);
        assert_eq!(Route::parse("#/check"), Route::Check(None));
        assert_eq!(
            Route::parse("#/check/exampleservercopya20140206192428NtyW"),
            Route::Check(Some("exampleservercopya20140206192428NtyW".into()))
        );
        assert_eq!(Route::parse("#/username"), Route::Username);
        assert_eq!(Route::parse("#/new"), Route::New);
        assert_eq!(Route::parse("#/sessions"), Route::Sessions);
        assert_eq!(Route::parse(&Route::Sessions.to_hash()), Route::Sessions);
        assert_eq!(Route::parse("#/nope/x"), Route::NotFound("/nope/x".into()));
    }

    #[test]
    fn round_trips_odd_session_ids() {
        for id in ["abc_123", "bad id", "ñ%/x", "%", "%4"] {
            let r = Route::Check(Some(id.into()));
            assert_eq!(Route::parse(&r.to_hash()), r, "{id}");
            let r = Route::Session(id.into());
            assert_eq!(Route::parse(&r.to_hash()), r, "{id}");
        }
    }

    #[test]
    fn a_declined_change_goes_back_to_the_shown_entry() {
        let shown = HistoryPlace(3);
        // a link or an edited address: a new entry after the shown one; declined, Back once
        assert_eq!(shown.undo_from(HistoryPlace(4)), Some(-1));
        // Back by two (the history menu): declined, Forward by two
        assert_eq!(shown.undo_from(HistoryPlace(1)), Some(2));
        // the same entry rewritten: no step to take
        assert_eq!(shown.undo_from(shown), None);
        // a step no browser could take is not attempted
        assert_eq!(HistoryPlace(u32::MAX).undo_from(HistoryPlace(0)), None);
    }
}
