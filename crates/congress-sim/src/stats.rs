//! Percentiles and small measuring helpers.

/// The `p`-th percentile (0–100) of `samples` by nearest rank; 0 for no samples.
pub fn percentile(samples: &[f64], p: f64) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    let mut v = samples.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    let rank = ((p / 100.0) * v.len() as f64).ceil() as usize;
    v[rank.clamp(1, v.len()) - 1]
}

/// Rounds to two decimals for reporting.
pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// [`percentile`] rounded with [`round2`], as the benches report it.
pub fn reported(samples: &[f64], p: f64) -> f64 {
    round2(percentile(samples, p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&v, 50.0), 50.0);
        assert_eq!(percentile(&v, 99.0), 99.0);
        assert_eq!(percentile(&v, 100.0), 100.0);
        assert_eq!(percentile(&[], 99.0), 0.0);
        assert_eq!(percentile(&[3.0], 1.0), 3.0);
    }
}
