//! Human formatting of sizes and counts.

/// Bytes in binary units, one decimal: `0 B`, `512 B`, `1.5 KiB`, `117.7 MiB`.
pub fn bytes(n: u128) -> String {
    const UNITS: [&str; 7] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// An integer with thin grouping: `123,456,789`.
pub fn count(n: u128) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// "1 account", "2 accounts".
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", count(n as u128), if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_sizes_and_counts() {
        assert_eq!(bytes(0), "0 B");
        assert_eq!(bytes(1023), "1023 B");
        assert_eq!(bytes(1536), "1.5 KiB");
        assert_eq!(bytes(123_456_789), "117.7 MiB");
        assert_eq!(
            bytes(u128::MAX),
            format!("{:.1} EiB", u128::MAX as f64 / 1024f64.powi(6))
        );
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(123_456_789), "123,456,789");
        assert_eq!(plural(1, "account", "accounts"), "1 account");
        assert_eq!(plural(10_000, "account", "accounts"), "10,000 accounts");
    }
}
