//! Bayesian active learning on the 8×8 digits (after Gal, Islam & Ghahramani, ICML 2017):
//! from a small class-balanced labelled set, acquire batches from an unlabelled pool by
//! an acquisition function scored from one MC-dropout run, retrain, and track the test
//! accuracy against the number of labels, for several functions and seeds.

mod report;

pub use report::{active_figure, labels_to_reach, markdown};

use crate::acquire::{Acquisition, class_scores, top_k};
use crate::classify::ClassifierParams;
use crate::error::{Error, Result};
use crate::experiments::digits::Digits;
use crate::predict::McOptions;
use crate::rng::{Purpose, stream};
use crate::train::TrainConfig;
use ndarray::Axis;
use rand::RngCore;
use rand::seq::SliceRandom;
use rayon::prelude::*;
use serde::Serialize;

/// Settings of the active-learning experiment.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct ActiveConfig {
    /// Acquisition functions compared.
    pub functions: Vec<Acquisition>,
    /// Seeds (each: its own split, start set, initialisations and masks; default 10).
    pub seeds: usize,
    /// Base seed.
    pub seed: u64,
    /// Fraction held out for testing (default 1/3).
    pub test_fraction: f64,
    /// Labelled images per class at the start (default 2: 20 labels).
    pub start_per_class: usize,
    /// Images acquired per round (default 10).
    pub batch: usize,
    /// Images acquired in total after the start set (default 380: 400 labels at the end).
    pub budget: usize,
    /// Hidden widths (default 128).
    pub hidden: Vec<usize>,
    /// Drop probability of the hidden units (default 0.5).
    pub dropout: f64,
    /// Prior length-scale l; weight decay λ = l² (1 − p) / (2N) (default 0.5).
    pub length_scale: f64,
    /// Optimiser steps per training (default 500; Adam lr 1e-3, minibatch 32).
    pub steps: usize,
    /// Minibatch size (default 32).
    pub train_batch: usize,
    /// MC passes T for the pool scores and the test predictions (default 20).
    pub samples: usize,
}

impl Default for ActiveConfig {
    fn default() -> Self {
        Self {
            functions: Acquisition::CLASSIFIER.to_vec(),
            seeds: 10,
            seed: 0,
            test_fraction: 1.0 / 3.0,
            start_per_class: 2,
            batch: 10,
            budget: 380,
            hidden: vec![128],
            dropout: 0.5,
            length_scale: 0.5,
            steps: 500,
            train_batch: 32,
            samples: 20,
        }
    }
}

/// One function's curve on one seed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Curve {
    /// Acquisition function.
    pub function: Acquisition,
    /// Seed index.
    pub seed: usize,
    /// Labelled-set size at each round.
    pub labels: Vec<usize>,
    /// Test accuracy (MC predictive) at each round.
    pub accuracy: Vec<f64>,
    /// Seconds spent training, summed over rounds.
    pub train_seconds: f64,
    /// Seconds spent scoring the pool and selecting, summed over rounds.
    pub score_seconds: f64,
    /// Acquisition rounds.
    pub rounds: usize,
}

/// Everything the experiment measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActiveReport {
    /// The settings.
    pub config: ActiveConfig,
    /// Test images.
    pub n_test: usize,
    /// Pool size at the start (after the start set was taken out).
    pub n_pool: usize,
    /// One curve per (function, seed), function-major.
    pub curves: Vec<Curve>,
    /// Total wall time (s).
    pub seconds: f64,
}

fn bad(name: &str, reason: String) -> Error {
    Error::InvalidParameter {
        name: name.into(),
        reason,
    }
}

/// Checks the settings against a data set of `n` images before any work.
pub fn validate(cfg: &ActiveConfig, n: usize) -> Result<(usize, usize)> {
    if !(cfg.test_fraction > 0.0 && cfg.test_fraction < 1.0) {
        return Err(bad(
            "--test-fraction",
            format!("must be in (0, 1), got {}", cfg.test_fraction),
        ));
    }
    if cfg.functions.is_empty() {
        return Err(bad(
            "--functions",
            "give at least one acquisition function".into(),
        ));
    }
    if let Some(f) = cfg.functions.iter().find(|f| !f.for_classifiers()) {
        return Err(bad(
            "--functions",
            format!("{f} does not apply to classifiers"),
        ));
    }
    if cfg.seeds == 0
        || cfg.samples == 0
        || cfg.steps == 0
        || cfg.train_batch == 0
        || cfg.start_per_class == 0
    {
        return Err(bad(
            "settings",
            "--seeds, --samples, --steps, the minibatch and --start-per-class must be at least 1"
                .into(),
        ));
    }
    if !(0.0..1.0).contains(&cfg.dropout) {
        return Err(bad(
            "--dropout",
            format!("must be in [0, 1), got {}", cfg.dropout),
        ));
    }
    let n_test = ((n as f64 * cfg.test_fraction).round() as usize).clamp(1, n.saturating_sub(1));
    let pool = n - n_test;
    let start = cfg.start_per_class.saturating_mul(10);
    let pool_left = pool.saturating_sub(start);
    if cfg.batch == 0 {
        return Err(bad("--batch", "must be at least 1, got 0".into()));
    }
    if cfg.start_per_class.saturating_mul(10) > pool {
        return Err(bad(
            "--start-per-class",
            format!(
                "{} images per class × 10 classes is more than the pool of {pool} training images",
                cfg.start_per_class
            ),
        ));
    }
    if cfg.batch > pool_left {
        return Err(bad(
            "--batch",
            format!(
                "{} is larger than the pool of {pool_left} unlabelled images",
                cfg.batch
            ),
        ));
    }
    if cfg.budget > pool_left {
        return Err(bad(
            "--budget",
            format!(
                "{} is larger than the pool of {pool_left} unlabelled images",
                cfg.budget
            ),
        ));
    }
    crate::limits::check_memory(
        "the active-learning curves",
        64.0 * cfg.seeds as f64 * cfg.functions.len() as f64 * (cfg.budget / cfg.batch + 2) as f64,
    )?;
    if cfg.budget == 0 {
        return Err(bad("--budget", "must be at least 1, got 0".into()));
    }
    Ok((n_test, pool_left))
}

/// Runs every (function, seed) in parallel on the current rayon pool; results do not
/// depend on the thread count. `progress(done, total)` is called as curves finish.
pub fn run_active(
    data: &Digits,
    cfg: &ActiveConfig,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<ActiveReport> {
    let start = std::time::Instant::now();
    let (n_test, n_pool) = validate(cfg, data.y.len())?;
    let jobs: Vec<(Acquisition, usize)> = cfg
        .functions
        .iter()
        .flat_map(|&f| (0..cfg.seeds).map(move |s| (f, s)))
        .collect();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let curves = jobs
        .par_iter()
        .map(|&(f, s)| {
            let c = run_curve(data, cfg, f, s, n_test);
            let k = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            progress(k, jobs.len());
            c
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(ActiveReport {
        config: cfg.clone(),
        n_test,
        n_pool,
        curves,
        seconds: start.elapsed().as_secs_f64(),
    })
}

/// One function on one seed: the split and the start set depend on the seed only, so
/// every function starts from the same labelled images.
fn run_curve(
    data: &Digits,
    cfg: &ActiveConfig,
    f: Acquisition,
    s: usize,
    n_test: usize,
) -> Result<Curve> {
    let seed = cfg.seed.wrapping_add(s as u64);
    let n = data.y.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(&mut stream(seed, Purpose::Split, 10));
    let (test, pool) = order.split_at(n_test);
    let mut labelled = Vec::new();
    let mut count = [0usize; 10];
    let mut unlabelled = Vec::new();
    for &i in pool {
        let c = data.y[i] as usize;
        if c < 10 && count[c] < cfg.start_per_class {
            count[c] += 1;
            labelled.push(i);
        } else {
            unlabelled.push(i);
        }
    }
    if count.iter().any(|&c| c < cfg.start_per_class) {
        return Err(bad(
            "--start-per-class",
            format!(
                "the pool has too few images of some class for {} per class",
                cfg.start_per_class
            ),
        ));
    }
    let x_test = data.x.select(Axis(0), test);
    let y_test = data.y.select(Axis(0), test);
    let rounds = cfg.budget.div_ceil(cfg.batch);
    let mut curve = Curve {
        function: f,
        seed: s,
        labels: Vec::new(),
        accuracy: Vec::new(),
        train_seconds: 0.0,
        score_seconds: 0.0,
        rounds,
    };
    let mut acquired = 0;
    for round in 0..=rounds {
        let t0 = std::time::Instant::now();
        let model = fit(data, &labelled, cfg, seed, round)?;
        curve.train_seconds += t0.elapsed().as_secs_f64();
        let mut opts = McOptions::new(
            cfg.samples,
            stream(seed, Purpose::McMasks, 1000 + round as u64).next_u64(),
        );
        let pred = model.predict_mc(x_test.view(), &opts)?;
        let y_idx = model.label_indices(y_test.view())?;
        let acc = pred
            .class_index
            .iter()
            .zip(&y_idx)
            .filter(|(a, b)| a == b)
            .count() as f64
            / y_idx.len() as f64;
        curve.labels.push(labelled.len());
        curve.accuracy.push(acc);
        if round == rounds {
            break;
        }
        let t1 = std::time::Instant::now();
        let k = cfg.batch.min(cfg.budget - acquired);
        // Pool rows keyed by their image index: a candidate's masks and random score do
        // not depend on which other images are still in the pool.
        opts.row_keys = Some(unlabelled.iter().map(|&i| i as u64).collect());
        opts.seed = stream(seed, Purpose::McMasks, 2000 + round as u64).next_u64();
        let x_pool = data.x.select(Axis(0), &unlabelled);
        let scores = class_scores(&model, x_pool.view(), f, &opts)?;
        let mut picked = top_k(&scores, k)?;
        picked.sort_unstable();
        for &p in picked.iter().rev() {
            labelled.push(unlabelled.remove(p));
        }
        acquired += k;
        curve.score_seconds += t1.elapsed().as_secs_f64();
    }
    Ok(curve)
}

fn fit(
    data: &Digits,
    labelled: &[usize],
    cfg: &ActiveConfig,
    seed: u64,
    round: usize,
) -> Result<crate::classify::Classifier> {
    let n = labelled.len();
    let batch = cfg.train_batch.min(n);
    let mut rates = vec![0.0];
    rates.extend(std::iter::repeat_n(cfg.dropout, cfg.hidden.len()));
    let train = TrainConfig {
        epochs: cfg.steps.div_ceil(n.div_ceil(batch)).max(1),
        batch_size: batch,
        seed: stream(seed, Purpose::Init, round as u64).next_u64(),
        ..TrainConfig::default()
    };
    let params = ClassifierParams {
        hidden: cfg.hidden.clone(),
        dropout_per_layer: Some(rates),
        length_scale: cfg.length_scale,
        fixed_input_scale: Some((0.0, 16.0)),
        train,
        target_name: Some("digit".into()),
        ..ClassifierParams::default()
    };
    let x = data.x.select(Axis(0), labelled);
    let y = data.y.select(Axis(0), labelled);
    params.fit(x.view(), y.view())
}
