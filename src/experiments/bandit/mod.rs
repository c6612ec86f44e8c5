//! The wheel-bandit experiment (Riquelme, Tucker & Snoek, ICLR 2018): uniform, exact
//! linear Thompson sampling, MC-dropout Thompson sampling and greedy on the wheel for
//! every δ, over several seeds; cumulative regret normalised to the uniform policy's
//! (mean ± standard error), and regret-over-time curves.

mod report;

pub use report::{PUBLISHED, bandit_figure, markdown};

use crate::bandit::{
    ARMS, CONTEXT_DIM, DropoutConfig, DropoutMode, DropoutPolicy, LinearTs, LinearTsConfig, Policy,
    Uniform, Wheel, simulate,
};
use crate::error::{Error, Result};
use rayon::prelude::*;
use serde::Serialize;

/// The policies compared, in report order.
pub const POLICIES: [&str; 4] = ["uniform", "linear-ts", "dropout-ts", "greedy"];

/// Settings of the bandit experiment.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct BanditConfig {
    /// Exploration parameters δ (default the paper's 0.5, 0.7, 0.9, 0.95, 0.99).
    pub deltas: Vec<f64>,
    /// Decisions per run (default 2000).
    pub horizon: usize,
    /// Independent runs per δ (default 10).
    pub seeds: usize,
    /// Base seed (default 0).
    pub seed: u64,
    /// Points of the regret-over-time curves (default 100).
    pub checkpoints: usize,
    /// Policies run, a subset of [`POLICIES`] (default all four).
    pub policies: Vec<String>,
    /// The dropout network and its schedule.
    #[serde(skip)]
    pub dropout: DropoutConfig,
    /// Whether the dropout policies use one shared network (see
    /// [`DropoutConfig::shared`]); a copy for the report.
    pub shared_network: bool,
    /// The linear posterior's prior.
    #[serde(skip)]
    pub linear: LinearTsConfig,
}

impl Default for BanditConfig {
    fn default() -> Self {
        Self {
            deltas: vec![0.5, 0.7, 0.9, 0.95, 0.99],
            horizon: 2000,
            seeds: 10,
            seed: 0,
            checkpoints: 100,
            policies: POLICIES.iter().map(|p| p.to_string()).collect(),
            dropout: DropoutConfig::default(),
            shared_network: false,
            linear: LinearTsConfig::default(),
        }
    }
}

/// Mean ± standard error of one policy at one δ.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolicyResult {
    /// Policy name.
    pub policy: String,
    /// δ.
    pub delta: f64,
    /// Normalised regret of every run (100 × regret / uniform's expected regret).
    pub runs: Vec<f64>,
    /// Their mean.
    pub mean: f64,
    /// Their standard error (sample std / √runs).
    pub se: f64,
    /// Mean cumulative (unnormalised) regret at each checkpoint.
    pub curve_mean: Vec<f64>,
    /// Its standard error at each checkpoint.
    pub curve_se: Vec<f64>,
    /// Wall time per 1000 decisions (s), mean over runs.
    pub seconds_per_1000: f64,
}

/// Everything the experiment measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BanditReport {
    /// The settings.
    pub config: BanditConfig,
    /// Decision index (1-based) of each curve point.
    pub checkpoints: Vec<usize>,
    /// One entry per (δ, policy), δ-major, policies in the configuration's order.
    pub results: Vec<PolicyResult>,
    /// Total wall time (s).
    pub seconds: f64,
}

/// Mean and standard error (sample std / √n; 0 for one value).
pub fn mean_se(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    if v.len() < 2 {
        return (mean, 0.0);
    }
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

fn make_policy(name: &str, cfg: &BanditConfig, seed: u64) -> Result<Box<dyn Policy>> {
    Ok(match name {
        "uniform" => Box::new(Uniform::new(ARMS, seed)?),
        "linear-ts" => Box::new(LinearTs::new(CONTEXT_DIM, ARMS, cfg.linear.clone(), seed)?),
        "dropout-ts" => Box::new(DropoutPolicy::new(
            CONTEXT_DIM,
            ARMS,
            cfg.dropout.clone(),
            DropoutMode::Thompson,
            seed,
        )?),
        "greedy" => Box::new(DropoutPolicy::new(
            CONTEXT_DIM,
            ARMS,
            cfg.dropout.clone(),
            DropoutMode::Greedy,
            seed,
        )?),
        other => return Err(unknown_policy(other)),
    })
}

fn unknown_policy(name: &str) -> Error {
    Error::InvalidParameter {
        name: "--policies".into(),
        reason: format!(
            "unknown policy {name:?} (expected some of {})",
            POLICIES.join(", ")
        ),
    }
}

/// Checks the settings before any work.
pub fn validate(cfg: &BanditConfig) -> Result<()> {
    for &d in &cfg.deltas {
        Wheel::new(d)?;
    }
    if let Some(p) = cfg
        .policies
        .iter()
        .find(|p| !POLICIES.contains(&p.as_str()))
    {
        return Err(unknown_policy(p));
    }
    if cfg.policies.is_empty() {
        return Err(Error::InvalidParameter {
            name: "--policies".into(),
            reason: "give at least one policy".into(),
        });
    }
    if cfg.deltas.is_empty() {
        return Err(Error::InvalidParameter {
            name: "--deltas".into(),
            reason: "give at least one δ".into(),
        });
    }
    if cfg.horizon == 0 || cfg.seeds == 0 || cfg.checkpoints == 0 {
        return Err(Error::InvalidParameter {
            name: "--horizon/--seeds".into(),
            reason: "the horizon, the number of seeds and of checkpoints must be at least 1".into(),
        });
    }
    cfg.dropout.validate()?;
    // Each run in flight holds its problem (12 numbers per decision), its trajectory (2)
    // and the dropout data (up to 7); every run keeps its curve.
    let runs = cfg.deltas.len() as f64 * cfg.seeds as f64 * cfg.policies.len() as f64;
    let in_flight = rayon::current_num_threads() as f64;
    crate::limits::check_memory(
        "the bandit runs",
        8.0 * (21.0 * cfg.horizon as f64 * in_flight + runs * (cfg.checkpoints as f64 + 8.0)),
    )
}

/// Runs every (δ, seed, policy) in parallel on the current rayon pool; results do not
/// depend on the thread count. `progress(done, total)` is called as runs finish.
pub fn run_bandit(
    cfg: &BanditConfig,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<BanditReport> {
    validate(cfg)?;
    let start = std::time::Instant::now();
    let jobs: Vec<(usize, usize, usize)> = (0..cfg.deltas.len())
        .flat_map(|d| {
            (0..cfg.seeds).flat_map(move |s| (0..cfg.policies.len()).map(move |p| (d, s, p)))
        })
        .collect();
    let total = jobs.len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let step = cfg.horizon.div_ceil(cfg.checkpoints).max(1);
    let checkpoints: Vec<usize> = (1..=cfg.horizon)
        .filter(|t| t % step == 0 || *t == cfg.horizon)
        .collect();
    let runs: Vec<(f64, Vec<f64>, f64)> = jobs
        .par_iter()
        .map(|&(d, s, p)| -> Result<(f64, Vec<f64>, f64)> {
            let wheel = Wheel::new(cfg.deltas[d])?;
            // The problem depends on (seed, δ index, run) only: every policy sees the same
            // contexts and rewards.
            let problem_seed = cfg.seed.wrapping_add((d * 1_000_003 + s) as u64);
            let data = wheel.sample(cfg.horizon, problem_seed);
            let mut policy = make_policy(&cfg.policies[p], cfg, problem_seed)?;
            let traj = simulate(&data, policy.as_mut())?;
            let curve = checkpoints
                .iter()
                .map(|&t| traj.cumulative_regret[t - 1])
                .collect();
            let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            progress(n, total);
            Ok((traj.normalised_regret(), curve, traj.seconds))
        })
        .collect::<Result<_>>()?;
    let mut results = Vec::new();
    for (d, &delta) in cfg.deltas.iter().enumerate() {
        for (p, name) in cfg.policies.iter().enumerate() {
            let mine: Vec<&(f64, Vec<f64>, f64)> = jobs
                .iter()
                .zip(&runs)
                .filter(|((jd, _, jp), _)| *jd == d && *jp == p)
                .map(|(_, r)| r)
                .collect();
            let norm: Vec<f64> = mine.iter().map(|r| r.0).collect();
            let (mean, se) = mean_se(&norm);
            let (curve_mean, curve_se) = (0..checkpoints.len())
                .map(|i| mean_se(&mine.iter().map(|r| r.1[i]).collect::<Vec<_>>()))
                .unzip();
            let secs = mine.iter().map(|r| r.2).sum::<f64>() / mine.len() as f64;
            results.push(PolicyResult {
                policy: name.clone(),
                delta,
                runs: norm,
                mean,
                se,
                curve_mean,
                curve_se,
                seconds_per_1000: secs * 1000.0 / cfg.horizon as f64,
            });
        }
    }
    Ok(BanditReport {
        config: cfg.clone(),
        checkpoints,
        results,
        seconds: start.elapsed().as_secs_f64(),
    })
}
