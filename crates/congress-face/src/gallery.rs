//! The enrolled delegates' embeddings and 1:N matching. A probe is matched only if its best
//! delegate is within the distance threshold AND beats the second-best *delegate* (not the
//! same delegate's other photo) by a margin; otherwise it is `Unknown` or `Ambiguous`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::embed::{Embedding, Metric};
use crate::error::FaceError;

/// Result of a 1:N search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum MatchOutcome {
    /// One delegate is clearly closest and close enough.
    Match {
        /// Delegate id.
        delegate_id: String,
        /// Distance to that delegate's nearest embedding.
        distance: f32,
        /// Second-best delegate's distance minus `distance` (infinite if there is none).
        margin: f32,
    },
    /// Nobody is within the threshold.
    Unknown {
        /// Best distance seen, if the gallery is not empty.
        best_distance: Option<f32>,
    },
    /// The two best delegates are within the threshold but too close to each other.
    Ambiguous {
        /// Closest delegate.
        best: String,
        /// Runner-up.
        second: String,
        /// Closest distance.
        distance: f32,
        /// The (insufficient) margin.
        margin: f32,
    },
}

impl MatchOutcome {
    /// Delegate id if matched.
    pub fn delegate(&self) -> Option<&str> {
        match self {
            MatchOutcome::Match { delegate_id, .. } => Some(delegate_id),
            _ => None,
        }
    }
}

/// Delegate id → embeddings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gallery {
    metric: Metric,
    threshold: f32,
    margin: f32,
    dim: Option<usize>,
    entries: BTreeMap<String, Vec<Embedding>>,
}

impl Gallery {
    /// Empty gallery with a metric, a distance threshold and a margin.
    pub fn new(metric: Metric, threshold: f32, margin: f32) -> Self {
        Gallery {
            metric,
            threshold,
            margin,
            dim: None,
            entries: BTreeMap::new(),
        }
    }

    /// Metric in use.
    pub fn metric(&self) -> Metric {
        self.metric
    }
    /// Threshold in use.
    pub fn threshold(&self) -> f32 {
        self.threshold
    }
    /// Margin in use.
    pub fn margin(&self) -> f32 {
        self.margin
    }

    /// Change threshold and margin.
    pub fn set_rule(&mut self, threshold: f32, margin: f32) {
        self.threshold = threshold;
        self.margin = margin;
    }

    /// Add an embedding for a delegate (a delegate may have several photos).
    pub fn add(&mut self, delegate_id: impl Into<String>, e: Embedding) -> Result<(), FaceError> {
        match self.dim {
            Some(d) if d != e.dim() => {
                return Err(FaceError::DimensionMismatch {
                    expected: d,
                    got: e.dim(),
                });
            }
            _ => self.dim = Some(e.dim()),
        }
        self.entries.entry(delegate_id.into()).or_default().push(e);
        Ok(())
    }

    /// Remove a delegate; returns whether it was present.
    pub fn remove(&mut self, delegate_id: &str) -> bool {
        self.entries.remove(delegate_id).is_some()
    }

    /// Number of delegates.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// No delegates.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Nearest distance per delegate, sorted ascending.
    pub fn ranked(&self, probe: &Embedding) -> Vec<(&str, f32)> {
        let mut v: Vec<(&str, f32)> = self
            .entries
            .iter()
            .filter_map(|(id, es)| {
                es.iter()
                    .map(|e| e.distance(probe, self.metric))
                    .min_by(|a, b| a.total_cmp(b))
                    .map(|d| (id.as_str(), d))
            })
            .collect();
        v.sort_by(|a, b| a.1.total_cmp(&b.1));
        v
    }

    /// 1:N match with threshold and margin.
    pub fn find(&self, probe: &Embedding) -> MatchOutcome {
        if self.dim.is_some_and(|d| d != probe.dim()) {
            return MatchOutcome::Unknown {
                best_distance: None,
            };
        }
        // one pass keeping the best two *delegates* (no allocation, no sort)
        let mut best: Option<(&str, f32)> = None;
        let mut second: Option<(&str, f32)> = None;
        for (id, es) in &self.entries {
            let Some(d) = es
                .iter()
                .map(|e| e.distance(probe, self.metric))
                .min_by(|a, b| a.total_cmp(b))
            else {
                continue;
            };
            match best {
                Some((_, bd)) if d.total_cmp(&bd).is_ge() => {
                    if second.is_none_or(|(_, sd)| d < sd) {
                        second = Some((id, d));
                    }
                }
                _ => {
                    second = best;
                    best = Some((id, d));
                }
            }
        }
        let ranked: Vec<(&str, f32)> = best.into_iter().chain(second).collect();
        let Some(&(best, distance)) = ranked.first() else {
            return MatchOutcome::Unknown {
                best_distance: None,
            };
        };
        if distance.is_nan() || distance > self.threshold {
            return MatchOutcome::Unknown {
                best_distance: Some(distance),
            };
        }
        match ranked.get(1) {
            Some(&(second, d2)) if d2 - distance < self.margin => MatchOutcome::Ambiguous {
                best: best.to_string(),
                second: second.to_string(),
                distance,
                margin: d2 - distance,
            },
            other => MatchOutcome::Match {
                delegate_id: best.to_string(),
                distance,
                margin: other.map_or(f32::INFINITY, |&(_, d2)| d2 - distance),
            },
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn e(v: &[f32]) -> Embedding {
        Embedding(v.to_vec())
    }

    fn gallery() -> Gallery {
        let mut g = Gallery::new(Metric::Euclidean, 0.5, 0.1);
        g.add("alice", e(&[0.0, 0.0])).unwrap();
        g.add("alice", e(&[0.1, 0.0])).unwrap();
        g.add("bob", e(&[1.0, 0.0])).unwrap();
        g
    }

    #[test]
    fn matches_within_threshold_with_margin() {
        let g = gallery();
        match g.find(&e(&[0.05, 0.02])) {
            MatchOutcome::Match {
                delegate_id,
                distance,
                margin,
            } => {
                assert_eq!(delegate_id, "alice");
                assert!(distance < 0.06);
                assert!(
                    margin > 0.8,
                    "margin must be against bob, not alice's 2nd photo: {margin}"
                );
            }
            o => panic!("expected match, got {o:?}"),
        }
    }

    #[test]
    fn unknown_beyond_threshold() {
        let g = gallery();
        assert_eq!(
            g.find(&e(&[0.0, 0.7])),
            MatchOutcome::Unknown {
                best_distance: Some(0.7)
            }
        );
        // exactly at the threshold still matches; just beyond does not
        assert!(matches!(
            g.find(&e(&[-0.5, 0.0])),
            MatchOutcome::Match { .. }
        ));
        assert!(matches!(
            g.find(&e(&[-0.5001, 0.0])),
            MatchOutcome::Unknown { .. }
        ));
    }

    #[test]
    fn ambiguous_when_two_delegates_close() {
        let mut g = Gallery::new(Metric::Euclidean, 0.6, 0.1);
        g.add("alice", e(&[0.0, 0.0])).unwrap();
        g.add("bob", e(&[0.5, 0.0])).unwrap();
        match g.find(&e(&[0.24, 0.0])) {
            MatchOutcome::Ambiguous { best, second, .. } => {
                assert_eq!(best, "alice");
                assert_eq!(second, "bob");
            }
            o => panic!("expected ambiguous, got {o:?}"),
        }
        // with a smaller margin requirement it matches
        g.set_rule(0.6, 0.01);
        assert_eq!(g.find(&e(&[0.24, 0.0])).delegate(), Some("alice"));
    }

    #[test]
    fn single_pass_agrees_with_full_ranking() {
        let mut seed = 12345u32;
        let mut rnd = || {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (seed >> 8) as f32 / (1u32 << 24) as f32
        };
        let mut g = Gallery::new(Metric::Euclidean, 10.0, 0.0);
        for d in 0..200 {
            for _ in 0..1 + d % 3 {
                g.add(format!("d{d}"), e(&[rnd(), rnd(), rnd(), rnd()]))
                    .unwrap();
            }
        }
        for _ in 0..200 {
            let p = e(&[rnd(), rnd(), rnd(), rnd()]);
            let ranked = g.ranked(&p);
            match g.find(&p) {
                MatchOutcome::Match {
                    delegate_id,
                    distance,
                    margin,
                } => {
                    assert_eq!(delegate_id, ranked[0].0);
                    assert_eq!(distance, ranked[0].1);
                    assert!((margin - (ranked[1].1 - ranked[0].1)).abs() < 1e-6);
                }
                o => panic!("{o:?}"),
            }
        }
    }

    #[test]
    fn empty_and_dimension_checks() {
        let g = Gallery::new(Metric::Cosine, 0.5, 0.1);
        assert_eq!(
            g.find(&e(&[1.0])),
            MatchOutcome::Unknown {
                best_distance: None
            }
        );
        let mut g = gallery();
        assert!(matches!(
            g.add("carol", e(&[1.0, 2.0, 3.0])),
            Err(FaceError::DimensionMismatch { .. })
        ));
        assert_eq!(
            g.find(&e(&[1.0, 2.0, 3.0])),
            MatchOutcome::Unknown {
                best_distance: None
            }
        );
        assert!(g.remove("bob"));
        assert_eq!(g.len(), 1);
        // single delegate: match with infinite margin
        assert!(
            matches!(g.find(&e(&[0.0, 0.0])), MatchOutcome::Match { margin, .. } if margin.is_infinite())
        );
    }
}
