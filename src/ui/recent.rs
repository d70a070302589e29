//! The sessions this browser remembers, for the pages that create or open one. Superseded by the
//! history (`ui::history`, `#/sessions`), which also reads the older id list it replaces.

/// The remembered ids, newest first.
pub fn load() -> Vec<String> {
    super::history::load().into_iter().map(|e| e.id).collect()
}

/// A session was created or opened.
pub fn remember(id: &str) {
    super::history::remember(id);
}
