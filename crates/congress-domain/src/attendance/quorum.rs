//! Quorum arithmetic: exact integers, no floating point.

use congress_proto::{QuorumRule, QuorumState};

/// Whether a rule is usable: a fraction in (0, 1].
pub fn rule_is_valid(rule: QuorumRule) -> bool {
    rule.denominator > 0 && rule.numerator > 0 && rule.numerator <= rule.denominator
}

/// The smallest number of delegates present that satisfies `rule` for `convened` delegates:
/// ⌈convened × numerator / denominator⌉.
pub fn required(rule: QuorumRule, convened: u32) -> u32 {
    if rule.denominator == 0 {
        return u32::MAX;
    }
    let n = u64::from(convened) * u64::from(rule.numerator);
    let d = u64::from(rule.denominator);
    u32::try_from(n.div_ceil(d)).unwrap_or(u32::MAX)
}

/// The live quorum for `present` of `convened` delegates. With nobody convened there is no
/// quorum.
pub fn state(rule: QuorumRule, present: u32, convened: u32) -> QuorumState {
    let required = required(rule, convened);
    QuorumState {
        rule,
        present,
        convened,
        required,
        reached: convened > 0 && present >= required,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO_THIRDS: QuorumRule = QuorumRule {
        numerator: 2,
        denominator: 3,
    };
    const HALF: QuorumRule = QuorumRule {
        numerator: 1,
        denominator: 2,
    };

    #[test]
    fn two_thirds_of_450_is_300() {
        assert_eq!(required(TWO_THIRDS, 450), 300);
        assert!(!state(TWO_THIRDS, 299, 450).reached);
        assert!(state(TWO_THIRDS, 300, 450).reached);
    }

    #[test]
    fn rounds_up_when_not_divisible() {
        // 2/3 of 451 = 300.67 → 301.
        assert_eq!(required(TWO_THIRDS, 451), 301);
        assert!(!state(TWO_THIRDS, 300, 451).reached);
        assert!(state(TWO_THIRDS, 301, 451).reached);
        // 2/3 of 1600 = 1066.67 → 1067.
        assert_eq!(required(TWO_THIRDS, 1600), 1067);
        // Half of 1 is 0.5 → 1.
        assert_eq!(required(HALF, 1), 1);
        assert_eq!(required(HALF, 2), 1);
        assert_eq!(required(HALF, 3), 2);
    }

    #[test]
    fn nobody_convened_is_never_a_quorum() {
        assert_eq!(required(TWO_THIRDS, 0), 0);
        assert!(!state(TWO_THIRDS, 0, 0).reached);
    }

    #[test]
    fn whole_and_tiny_rules() {
        let all = QuorumRule {
            numerator: 1,
            denominator: 1,
        };
        assert_eq!(required(all, 450), 450);
        assert!(!state(all, 449, 450).reached);
        assert!(state(all, 450, 450).reached);
        assert_eq!(required(TWO_THIRDS, u32::MAX), 2_863_311_530);
    }

    #[test]
    fn validity() {
        assert!(rule_is_valid(TWO_THIRDS));
        assert!(!rule_is_valid(QuorumRule {
            numerator: 1,
            denominator: 0
        }));
        assert!(!rule_is_valid(QuorumRule {
            numerator: 0,
            denominator: 3
        }));
        assert!(!rule_is_valid(QuorumRule {
            numerator: 4,
            denominator: 3
        }));
    }
}
