//! "Latest request wins": a late answer for an older input must never overwrite a newer one.

/// Issues increasing tickets; only the newest ticket's answer is accepted.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Latest {
    issued: u64,
}

/// Identifies one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket(u64);

impl Latest {
    /// A ticket for a new request; every earlier ticket becomes stale.
    pub fn issue(&mut self) -> Ticket {
        self.issued += 1;
        Ticket(self.issued)
    }
    /// Makes every issued ticket stale (input cleared, page left).
    pub fn invalidate(&mut self) {
        self.issued += 1;
    }
    /// Whether an answer for `ticket` may be shown.
    pub fn is_current(&self, ticket: Ticket) -> bool {
        ticket.0 == self.issued
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_newest_answer_is_current() {
        let mut l = Latest::default();
        let first = l.issue();
        let second = l.issue();
        assert!(!l.is_current(first), "an older answer arriving late is dropped");
        assert!(l.is_current(second));
        l.invalidate();
        assert!(!l.is_current(second));
    }
}
