//! Client-side checks: cPanel username rules, analysis findings, queue-plan validation. Pure Rust.
