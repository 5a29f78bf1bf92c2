//! Numbers as people read them.

/// Rounds to hundredths for presentation; sums are taken before rounding.
pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
