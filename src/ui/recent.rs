//! The remembered session ids, in localStorage (ids only; see `store::recent`).

use crate::store::recent;

const KEY: &str = "whm-transfer-console.sessions";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

pub fn load() -> Vec<String> {
    storage()
        .and_then(|s| s.get_item(KEY).ok().flatten())
        .map(|t| recent::parse(&t))
        .unwrap_or_default()
}

pub fn remember(id: &str) {
    let list = recent::remember(&load(), id);
    if let Some(s) = storage() {
        let _ = s.set_item(KEY, &recent::serialize(&list));
    }
}
