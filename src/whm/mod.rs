//! The WHM API 1 wire layer: pure Rust, no browser types. See docs/whm-api.md.

pub mod analysis;
pub mod display;
pub mod envelope;
pub mod error;
pub mod logs;
pub mod modules;
pub mod request;
pub mod responses;
pub mod scalar;
pub mod tail;

pub use analysis::Analysis;
pub use envelope::{HttpReply, Metadata, Reply, decode, decode_saved, decode_small};
pub use error::{Mode, WhmError};
pub use request::{Call, Request, Secret};

/// Extracts the `/cpsessNNNNNNNNNN` security token from a page path (`location.pathname`), as cPanel's
/// own libraries do: the first path segment, `cpsess` followed by exactly 10 digits (§1.1, §2.6).
pub fn security_token_from_path(path: &str) -> Option<&str> {
    let rest = path.strip_prefix('/')?;
    let seg = rest.split('/').next()?;
    let digits = seg.strip_prefix("cpsess")?;
    (digits.len() == 10 && digits.bytes().all(|b| b.is_ascii_digit())).then(|| &path[..seg.len() + 1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_comes_from_the_first_path_segment() {
        assert_eq!(
            security_token_from_path("/cpsess0123456789/cgi/transfer_console/"),
            Some("/cpsess0123456789")
        );
        assert_eq!(security_token_from_path("/cpsess0123456789"), Some("/cpsess0123456789"));
        assert_eq!(security_token_from_path("/cpsess012345678/x"), None, "9 digits");
        assert_eq!(security_token_from_path("/cpsess01234567890/x"), None, "11 digits");
        assert_eq!(security_token_from_path("/x/cpsess0123456789/"), None);
        assert_eq!(security_token_from_path("/index.html"), None);
        assert_eq!(security_token_from_path(""), None);
    }
}
