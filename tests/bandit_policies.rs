//! The policies: Thompson sampling reproducible by seed with a fresh mask set per
//! decision, greedy deterministic, the linear posterior's draws against its mean, regret
//! bookkeeping against an oracle.

use mcdropout::Result;
use mcdropout::bandit::{
    ARMS, CONTEXT_DIM, DropoutConfig, DropoutMode, DropoutPolicy, LinearTs, LinearTsConfig, Policy,
    Uniform, Wheel, WheelData, simulate,
};

fn small_cfg() -> DropoutConfig {
    let mut c = DropoutConfig::default();
    c.train_every = 25;
    c.steps = 20;
    c
}

fn run_dropout(data: &WheelData, mode: DropoutMode, seed: u64) -> Vec<usize> {
    let mut p = DropoutPolicy::new(CONTEXT_DIM, ARMS, small_cfg(), mode, seed).unwrap();
    simulate(data, &mut p).unwrap().actions
}

fn run_linear(data: &WheelData, seed: u64) -> Vec<usize> {
    let mut p = LinearTs::new(CONTEXT_DIM, ARMS, LinearTsConfig::default(), seed).unwrap();
    simulate(data, &mut p).unwrap().actions
}

#[test]
fn thompson_is_reproducible_by_seed() {
    let data = Wheel::new(0.5).unwrap().sample(300, 1);
    let a = run_dropout(&data, DropoutMode::Thompson, 4);
    assert_eq!(a, run_dropout(&data, DropoutMode::Thompson, 4));
    assert_ne!(a, run_dropout(&data, DropoutMode::Thompson, 5));
    let l = run_linear(&data, 9);
    assert_eq!(l, run_linear(&data, 9));
    assert_ne!(l, run_linear(&data, 10));
    // The first k × initial_pulls decisions go round robin.
    assert_eq!(&a[..10], &[0, 1, 2, 3, 4, 0, 1, 2, 3, 4]);
}

/// Thompson values at one context change from decision to decision (a fresh mask set
/// each time) but are the same when the same decision is asked again; greedy values do
/// not depend on the decision.
#[test]
fn thompson_draws_fresh_masks_per_decision() {
    let data = Wheel::new(0.5).unwrap().sample(100, 2);
    let mut ts =
        DropoutPolicy::new(CONTEXT_DIM, ARMS, small_cfg(), DropoutMode::Thompson, 3).unwrap();
    let mut gr =
        DropoutPolicy::new(CONTEXT_DIM, ARMS, small_cfg(), DropoutMode::Greedy, 3).unwrap();
    simulate(&data, &mut ts).unwrap();
    simulate(&data, &mut gr).unwrap();
    let x = [0.3, -0.4];
    let v100 = ts.values(100, &x).unwrap();
    assert_eq!(v100, ts.values(100, &x).unwrap());
    let distinct = (101..121)
        .filter(|&t| ts.values(t, &x).unwrap() != v100)
        .count();
    assert!(
        distinct >= 15,
        "only {distinct} of 20 decisions drew different values"
    );
    let g = gr.values(100, &x).unwrap();
    assert!((101..110).all(|t| gr.values(t, &x).unwrap() == g));
    assert!(v100.iter().all(|v| v.is_finite()));
}

/// After fixed updates, the average of many Thompson draws of the linear policy's value
/// approaches the posterior mean μᵀ[x, 1]: E[β] = μ whatever σ². The tolerance is 5
/// standard errors of the mean of the 4000 draws, estimated from the draws themselves.
#[test]
fn linear_draws_average_to_the_posterior_mean() {
    let mut p = LinearTs::new(2, 2, LinearTsConfig::default(), 1).unwrap();
    let pts = [
        ([0.1, 0.2], 0, 1.0),
        ([0.5, -0.3], 0, 2.0),
        ([-0.4, 0.1], 1, 0.5),
        ([0.2, 0.9], 1, 1.5),
        ([0.7, 0.7], 0, 2.5),
    ];
    for (t, (x, a, r)) in pts.iter().enumerate() {
        p.update(t, x, *a, *r).unwrap();
    }
    let x = [0.3, 0.1];
    let mut sums = [0.0; 2];
    let mut sq = [0.0; 2];
    let n = 4000;
    for _ in 0..n {
        let v = p.sample_values(&x).unwrap();
        for a in 0..2 {
            sums[a] += v[a];
            sq[a] += v[a] * v[a];
        }
    }
    for a in 0..2 {
        let mu = p.posterior_mean(a).unwrap();
        let want = mu[0] * x[0] + mu[1] * x[1] + mu[2];
        let mean = sums[a] / n as f64;
        let se = ((sq[a] / n as f64 - mean * mean) / n as f64).sqrt();
        assert!(
            (mean - want).abs() < 5.0 * se,
            "arm {a}: {mean} vs {want} (se {se})"
        );
    }
}

struct Oracle(Wheel);

impl Policy for Oracle {
    fn name(&self) -> &str {
        "oracle"
    }
    fn choose(&mut self, _t: usize, x: &[f64]) -> Result<usize> {
        Ok(self.0.optimal_arm(&[x[0], x[1]]))
    }
    fn update(&mut self, _t: usize, _x: &[f64], _a: usize, _r: f64) -> Result<()> {
        Ok(())
    }
}

/// The oracle has zero regret; uniform's normalised regret is 100 in expectation (its
/// per-run value has std ≈ 100 · 24/(29.4 √n) ≈ 1.8 at n = 2000, checked within 5 %).
#[test]
fn regret_bookkeeping() {
    let w = Wheel::new(0.5).unwrap();
    let data = w.sample(2000, 8);
    let t = simulate(&data, &mut Oracle(w)).unwrap();
    assert_eq!(*t.cumulative_regret.last().unwrap(), 0.0);
    let u = simulate(&data, &mut Uniform::new(ARMS, 3).unwrap()).unwrap();
    assert!(
        (u.normalised_regret() - 100.0).abs() < 5.0,
        "{}",
        u.normalised_regret()
    );
    // Regret of one decision by hand: arm 4 at an outer context costs 50 − 1.2.
    let i = data.contexts.iter().position(|x| w.is_outer(x)).unwrap();
    assert!((data.regret(i, 4) - 48.8).abs() < 1e-12);
}

#[test]
fn bad_pulls_are_refused() {
    let mut p = LinearTs::new(2, 5, LinearTsConfig::default(), 0).unwrap();
    assert!(
        p.update(0, &[0.0, 0.0], 5, 1.0)
            .unwrap_err()
            .to_string()
            .contains("arm 5")
    );
    assert!(
        p.update(0, &[0.0, 0.0], 1, f64::NAN)
            .unwrap_err()
            .to_string()
            .contains("reward")
    );
    assert!(p.choose(20, &[0.0]).is_err());
    let mut c = DropoutConfig::default();
    c.dropout = 1.0;
    let e = DropoutPolicy::new(2, 5, c, DropoutMode::Thompson, 0).unwrap_err();
    assert!(e.to_string().contains("dropout"), "{e}");
    assert!(Uniform::new(0, 0).is_err());
}

/// The shared network (input [x, one-hot(arm)]): reproducible by seed; asking the same
/// decision twice gives the same values, the next decision fresh ones.
#[test]
fn shared_network_is_reproducible() {
    let data = Wheel::new(0.7).unwrap().sample(300, 4);
    let mut cfg = small_cfg();
    cfg.shared = true;
    let run = |seed| {
        let mut p = DropoutPolicy::new(CONTEXT_DIM, ARMS, cfg.clone(), DropoutMode::Thompson, seed)
            .unwrap();
        let t = simulate(&data, &mut p).unwrap();
        (t.actions, p)
    };
    let (a, p) = run(2);
    assert_eq!(a, run(2).0);
    assert_ne!(a, run(3).0);
    let x = [0.2, 0.9];
    assert_eq!(p.values(400, &x).unwrap(), p.values(400, &x).unwrap());
    assert_ne!(p.values(400, &x).unwrap(), p.values(401, &x).unwrap());
    assert_eq!(p.network(0).unwrap().n_inputs(), CONTEXT_DIM + ARMS);
}
