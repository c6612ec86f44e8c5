//! Acquisition scores from Monte-Carlo samples: per candidate row, from its T passes.

use super::Acquisition;
use crate::classify::Classifier;
use crate::classify::uncertainty::{summarise_logits, summarise_probs};
use crate::error::{Error, Result};
use crate::metrics::mean_var;
use crate::model::Regressor;
use crate::predict::{McOptions, mc_map};
use crate::rng::{Purpose, stream_of};
use ndarray::{ArrayView2, ArrayView3};
use rand::Rng;

/// Sub-stream index of the random acquisition scores (under [`Purpose::Split`]), so that
/// they never coincide with a split's stream.
const RANDOM_SUB: u64 = 0xAC0_u64;

/// Mean over the C classes of the standard deviation (divisor T) of `p_t[c]` over the
/// T passes; `probs` is `T × C`, pass-major.
pub fn mean_std(probs: &[f64], classes: usize) -> f64 {
    let t = probs.len() / classes.max(1);
    if t == 0 {
        return 0.0;
    }
    let mut total = 0.0;
    let mut column = Vec::with_capacity(t);
    for c in 0..classes {
        column.clear();
        column.extend(probs.chunks_exact(classes).map(|p| p[c]));
        total += mean_var(&column).1.max(0.0).sqrt();
    }
    total / classes as f64
}

/// The score of one candidate under `acq` from its T probability vectors (`T × C`,
/// pass-major). `Random` and `MaxVariance` are not functions of class probabilities: they
/// give an error naming the function.
pub fn row_scores(acq: Acquisition, probs: &[f64], classes: usize) -> Result<f64> {
    Ok(match acq {
        Acquisition::Bald => summarise_probs(probs, classes).mutual_info,
        Acquisition::MaxEntropy => summarise_probs(probs, classes).entropy,
        Acquisition::VariationRatio => summarise_probs(probs, classes).variation_ratio,
        Acquisition::MeanStd => mean_std(probs, classes),
        Acquisition::MaxVariance | Acquisition::Random => {
            return Err(Error::InvalidParameter {
                name: "acquisition function".into(),
                reason: format!("{acq} is not computed from one candidate's class probabilities"),
            });
        }
    })
}

/// Seeded uniform scores in [0, 1) for `n` candidates: candidate `i` draws from the
/// stream keyed by `(seed, keys[i])` (`keys` default to the positions), so its score does
/// not depend on which other candidates are in the pool.
pub fn random_scores(n: usize, seed: u64, keys: Option<&[u64]>) -> Result<Vec<f64>> {
    if let Some(k) = keys
        && k.len() != n
    {
        return Err(Error::Shape(format!("{} keys for {n} candidates", k.len())));
    }
    Ok((0..n)
        .map(|i| {
            let key = keys.map_or(i as u64, |k| k[i]);
            stream_of(seed, Purpose::Split, key, RANDOM_SUB).random::<f64>()
        })
        .collect())
}

/// Scores of the N candidates of `probs` (`T × N × C` softmax outputs of T passes, as in
/// [`crate::classify::ClassPrediction::prob_samples`]); `seed` is used by `Random` only.
/// Probabilities must be finite and in [0, 1].
pub fn class_scores_from_probs(
    acq: Acquisition,
    probs: ArrayView3<f64>,
    seed: u64,
) -> Result<Vec<f64>> {
    let (t, n, c) = probs.dim();
    if t == 0 || c == 0 {
        return Err(Error::Shape(format!(
            "class probability samples need at least one pass and one class, got {t} × {n} × {c}"
        )));
    }
    if let Some(v) = probs.iter().find(|v| !(0.0..=1.0).contains(*v)) {
        return Err(Error::InvalidParameter {
            name: "class probabilities".into(),
            reason: format!("every probability must be in [0, 1], found {v}"),
        });
    }
    if !acq.for_classifiers() {
        return Err(not_for("classifiers", acq));
    }
    if acq == Acquisition::Random {
        return random_scores(n, seed, None);
    }
    let mut row = Vec::with_capacity(t * c);
    (0..n)
        .map(|i| {
            row.clear();
            for pass in 0..t {
                row.extend((0..c).map(|k| probs[(pass, i, k)]));
            }
            row_scores(acq, &row, c)
        })
        .collect()
}

/// Scores of the pool `x` (original units) under a classifier, from one MC run with
/// `opts` (T passes per row; masks keyed by `opts.seed` and the row keys). `Random` uses
/// `opts.seed` and the row keys without running the network.
pub fn class_scores(
    model: &Classifier,
    x: ArrayView2<f64>,
    acq: Acquisition,
    opts: &McOptions,
) -> Result<Vec<f64>> {
    if !acq.for_classifiers() {
        return Err(not_for("classifiers", acq));
    }
    let xs = model.standardise(x)?;
    if acq == Acquisition::Random {
        opts.validate()?;
        return random_scores(x.nrows(), opts.seed, opts.row_keys.as_deref());
    }
    let c = model.n_classes();
    crate::limits::check_mc(&model.network.arch.sizes, xs.nrows(), opts.samples, 0)?;
    let scores: Vec<Result<f64>> = mc_map(&model.network, xs.view(), opts, |_, logits| {
        let mut probs = Vec::with_capacity(logits.len());
        let u = summarise_logits(logits, c, Some(&mut probs));
        Ok(match acq {
            Acquisition::Bald => u.mutual_info,
            Acquisition::MaxEntropy => u.entropy,
            Acquisition::VariationRatio => u.variation_ratio,
            _ => mean_std(&probs, c),
        })
    })?;
    let scores: Vec<f64> = scores.into_iter().collect::<Result<_>>()?;
    finite(scores)
}

/// Scores of N candidates from `samples` (`T × N` regression outputs of T passes):
/// `MaxVariance` is the variance (divisor T) of each column; `Random` uses `seed`.
pub fn regression_scores_from_samples(
    acq: Acquisition,
    samples: ArrayView2<f64>,
    seed: u64,
) -> Result<Vec<f64>> {
    let (t, n) = samples.dim();
    if t == 0 {
        return Err(Error::Shape(
            "regression samples need at least one pass".into(),
        ));
    }
    if let Some(v) = samples.iter().find(|v| !v.is_finite()) {
        return Err(Error::InvalidParameter {
            name: "regression samples".into(),
            reason: format!("every sample must be finite, found {v}"),
        });
    }
    match acq {
        Acquisition::MaxVariance => Ok((0..n)
            .map(|j| mean_var(&samples.column(j).to_vec()).1)
            .collect()),
        Acquisition::Random => random_scores(n, seed, None),
        other => Err(not_for("regressors", other)),
    }
}

/// Scores of the pool `x` (original units) under a regressor: `MaxVariance` is the
/// epistemic variance of [`Regressor::predict_mc`] (in target units²); `Random` uses
/// `opts.seed` and the row keys.
pub fn regression_scores(
    model: &Regressor,
    x: ArrayView2<f64>,
    acq: Acquisition,
    opts: &McOptions,
) -> Result<Vec<f64>> {
    match acq {
        Acquisition::MaxVariance => Ok(model.predict_mc(x, opts)?.epistemic_var.to_vec()),
        Acquisition::Random => {
            opts.validate()?;
            random_scores(x.nrows(), opts.seed, opts.row_keys.as_deref())
        }
        other => Err(not_for("regressors", other)),
    }
}

fn not_for(kind: &str, acq: Acquisition) -> Error {
    Error::InvalidParameter {
        name: "acquisition function".into(),
        reason: format!("{acq} does not apply to {kind}"),
    }
}

fn finite(scores: Vec<f64>) -> Result<Vec<f64>> {
    if let Some((i, &v)) = scores.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(Error::NonFiniteResult {
            what: format!("the acquisition score of pool row {i} (0-based)"),
            value: v,
        });
    }
    Ok(scores)
}
