//! The wheel bandit against its definition (Riquelme, Tucker & Snoek, ICLR 2018; reference
//! `sample_wheel_bandit_data`): hand-computed mean rewards and optimal arms, the δ
//! range, and the sampled contexts and rewards against their distributions.

use mcdropout::bandit::{ARMS, Wheel};

#[test]
fn mean_rewards_follow_the_definition() {
    let w = Wheel::new(0.5).unwrap();
    // Inside the radius: arm 4 (the paper's a₁) pays 1.2, the others 1.0.
    assert_eq!(w.mean_rewards(&[0.1, 0.1]), [1.0, 1.0, 1.0, 1.0, 1.2]);
    assert_eq!(w.optimal_arm(&[0.1, -0.3]), 4);
    // Outside: the quadrant's arm pays 50.
    assert_eq!(w.mean_rewards(&[0.6, 0.6]), [50.0, 1.0, 1.0, 1.0, 1.2]);
    assert_eq!(w.mean_rewards(&[0.6, -0.6]), [1.0, 50.0, 1.0, 1.0, 1.2]);
    assert_eq!(w.mean_rewards(&[-0.6, 0.6]), [1.0, 1.0, 50.0, 1.0, 1.2]);
    assert_eq!(w.mean_rewards(&[-0.6, -0.6]), [1.0, 1.0, 1.0, 50.0, 1.2]);
    // On the circle ‖x‖ = δ the context counts as outer (‖x‖ ≥ δ); x₂ = 0 is "x₂ ≤ 0"
    // and x₁ = 0 is "x₁ ≤ 0".
    assert_eq!(w.optimal_arm(&[0.5, 0.0]), 1);
    assert_eq!(w.optimal_arm(&[0.0, 0.5]), 2);
    assert_eq!(w.optimal_arm(&[0.0, -0.5]), 3);
    assert_eq!(w.optimal_arm(&[0.49, 0.0]), 4);
    // A larger δ moves (0.6, 0.6) (‖x‖ ≈ 0.85) inside.
    assert_eq!(Wheel::new(0.9).unwrap().optimal_arm(&[0.6, 0.6]), 4);
}

#[test]
fn delta_outside_the_open_unit_interval_is_refused() {
    for d in [0.0, 1.0, -0.1, 1.5, f64::NAN] {
        let e = Wheel::new(d).unwrap_err().to_string();
        assert!(e.contains("delta") && e.contains("(0, 1)"), "{d}: {e}");
    }
}

#[test]
fn uniform_regret_formula() {
    // δ = 0.5: 0.25 · 0.8 · 0.2 + 0.75 · (0.2 · 48.8 + 0.6 · 49) = 0.04 + 29.37.
    let w = Wheel::new(0.5).unwrap();
    assert!((w.uniform_regret_per_step() - 29.41).abs() < 1e-12);
}

/// n = 40 000 contexts: the outer-ring fraction has std √(p(1 − p)/n) ≤ 0.0025 and the
/// mean uniform regret per step has std ≤ 24/√n ≈ 0.12 (per-step regret lies in
/// [0, 49]); both are checked within 5 std. Reward noise: the residual std of the 1.0 /
/// 1.2 rewards (0.05) and the 50 rewards (0.01) within 5 % (the relative std of a sample
/// std is ≈ 1/√(2n), ≤ 1 % here).
#[test]
fn sampled_problem_has_the_stated_distribution() {
    let w = Wheel::new(0.7).unwrap();
    let n = 40_000;
    let data = w.sample(n, 5);
    assert_eq!(data, w.sample(n, 5), "same seed, same problem");
    assert!(data.contexts.iter().all(|x| x[0].hypot(x[1]) <= 1.0));
    let outer = data.contexts.iter().filter(|x| w.is_outer(x)).count() as f64 / n as f64;
    let p = 1.0 - 0.49;
    assert!(
        (outer - p).abs() < 5.0 * (p * (1.0 - p) / n as f64).sqrt(),
        "{outer}"
    );
    let per_step = data.uniform_regret() / n as f64;
    assert!((per_step - w.uniform_regret_per_step()).abs() < 5.0 * 24.0 / (n as f64).sqrt());
    let (mut small, mut large) = (Vec::new(), Vec::new());
    for (r, m) in data.rewards.iter().zip(&data.means) {
        for a in 0..ARMS {
            if m[a] == 50.0 {
                large.push(r[a] - m[a])
            } else {
                small.push(r[a] - m[a])
            }
        }
    }
    let sd = |v: &[f64]| (v.iter().map(|e| e * e).sum::<f64>() / v.len() as f64).sqrt();
    assert!((sd(&small) / 0.05 - 1.0).abs() < 0.05, "{}", sd(&small));
    assert!((sd(&large) / 0.01 - 1.0).abs() < 0.05, "{}", sd(&large));
}
