//! The fitted dropout classifier: deterministic and Monte-Carlo prediction, evaluation.

use super::labels::{class_indices, integer_labels};
use super::metrics::{Calibration, accuracy, brier, calibration, nll};
use super::uncertainty::{RowUncertainty, argmax, summarise_logits};
use crate::data::Standardizer;
use crate::error::{Error, Result};
use crate::nn::Network;
use crate::predict::{McOptions, mc_map};
use crate::prior::Prior;
use crate::train::softmax::softmax_into;
use crate::train::{TrainConfig, TrainReport};
use ndarray::{Array1, Array2, Array3, ArrayView1, ArrayView2};
use serde::Serialize;

/// A trained dropout classifier with the standardisation of its training inputs and its
/// classes (the distinct training labels, increasing; class index `c` is `classes[c]`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Classifier {
    /// The network (standardised inputs → C logits).
    pub network: Network,
    /// Standardisation of the inputs.
    pub x_scaler: Standardizer,
    /// The label value of each class index.
    pub classes: Vec<i64>,
    /// The prior that set the weight decay (τ = 1).
    pub prior: Prior,
    /// How it was trained.
    pub train: TrainConfig,
    /// What training did.
    pub report: TrainReport,
    /// Feature names.
    pub feature_names: Vec<String>,
    /// How the raw columns of a table become the network's inputs (`feature_names`):
    /// one-hot text columns, imputed cells; `None` when the inputs are the columns as
    /// they are.
    pub encoding: Option<crate::data::Encoding>,
    /// Name of the label column.
    pub target_name: String,
}

/// Monte-Carlo dropout predictions of a classifier for N rows and C classes (DESIGN §4).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ClassPrediction {
    /// Mean probabilities p̄ (`N × C`).
    pub probs: Array2<f64>,
    /// Predicted class index `argmax_c p̄` (first on ties).
    pub class_index: Vec<usize>,
    /// Predicted label (`classes[class_index]`).
    pub labels: Vec<i64>,
    /// Predictive entropy H[p̄] (nats).
    pub entropy: Array1<f64>,
    /// Mutual information (BALD) (nats).
    pub mutual_info: Array1<f64>,
    /// Variation ratio.
    pub variation_ratio: Array1<f64>,
    /// With `keep_samples`: the T × N × C logits (softmax inputs).
    pub logit_samples: Option<Array3<f64>>,
    /// With `keep_samples`: the T × N × C softmax outputs.
    pub prob_samples: Option<Array3<f64>>,
}

/// Scores of one set of probabilities against labels.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scores {
    /// Fraction correct.
    pub accuracy: f64,
    /// Mean negative log-likelihood (nats).
    pub nll: f64,
    /// Multi-class Brier score.
    pub brier: f64,
    /// ECE, MCE and the reliability bins.
    pub calibration: Calibration,
}

impl Scores {
    /// Scores of `probs` (`N × C`) against class indices `y`, with `bins` calibration bins.
    pub fn of(probs: ArrayView2<f64>, y: &[usize], bins: usize) -> Result<Self> {
        Ok(Self {
            accuracy: accuracy(probs, y)?,
            nll: nll(probs, y)?,
            brier: brier(probs, y)?,
            calibration: calibration(probs, y, bins)?,
        })
    }
}

/// Held-out figures of a classifier: the deterministic pass and MC dropout side by side.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct ClassEvaluation {
    /// Rows scored.
    pub n: usize,
    /// MC samples T.
    pub samples: usize,
    /// Calibration bins.
    pub bins: usize,
    /// The deterministic (weight-averaged) pass.
    pub deterministic: Scores,
    /// The MC predictive p̄.
    pub mc: Scores,
    /// Mean predictive entropy.
    pub mean_entropy: f64,
    /// Mean mutual information.
    pub mean_mutual_info: f64,
    /// Mean variation ratio.
    pub mean_variation_ratio: f64,
}

/// Row-wise softmax of an `N × C` array.
pub fn softmax_rows(logits: ArrayView2<f64>) -> Array2<f64> {
    let mut out = logits.to_owned();
    let mut p = vec![0.0; logits.ncols()];
    for mut row in out.rows_mut() {
        let z = row.to_vec();
        softmax_into(&z, &mut p);
        row.iter_mut().zip(&p).for_each(|(o, &v)| *o = v);
    }
    out
}

impl Classifier {
    /// Number of classes C.
    pub fn n_classes(&self) -> usize {
        self.classes.len()
    }

    /// Standardises `x` with the training statistics, checking its width.
    pub fn standardise(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        if x.ncols() != self.network.n_inputs() {
            return Err(Error::Shape(format!(
                "the model was trained on {} features ({}), the data has {} columns",
                self.network.n_inputs(),
                crate::error::name_list(&self.feature_names),
                x.ncols()
            )));
        }
        self.x_scaler.transform(x)
    }

    /// Class indices of the labels `y` (integers seen in training), or an error naming the
    /// first non-integer or unseen label.
    pub fn label_indices(&self, y: ArrayView1<f64>) -> Result<Vec<usize>> {
        class_indices(&integer_labels(y, &self.target_name)?, &self.classes)
    }

    /// Softmax probabilities of the deterministic (weight-averaged) pass, `N × C`.
    pub fn predict_proba(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        let xs = self.standardise(x)?;
        Ok(softmax_rows(self.network.forward(xs.view())?.view()))
    }

    /// Monte-Carlo dropout prediction with `opts.samples` passes per row (deterministic
    /// given `opts.seed`, whatever the thread count).
    pub fn predict_mc(&self, x: ArrayView2<f64>, opts: &McOptions) -> Result<ClassPrediction> {
        let xs = self.standardise(x)?;
        self.predict_mc_standardised(xs.view(), opts)
    }

    /// As [`predict_mc`](Self::predict_mc) on inputs already standardised.
    pub fn predict_mc_standardised(
        &self,
        xs: ArrayView2<f64>,
        opts: &McOptions,
    ) -> Result<ClassPrediction> {
        let c = self.n_classes();
        let kept = if opts.keep_samples { 2 * c } else { 0 };
        crate::limits::check_mc(&self.network.arch.sizes, xs.nrows(), opts.samples, kept)?;
        type Row = (RowUncertainty, Option<(Vec<f64>, Vec<f64>)>);
        let rows: Vec<Row> = mc_map(&self.network, xs, opts, |_, s| {
            if opts.keep_samples {
                let mut probs = Vec::with_capacity(s.len());
                let u = summarise_logits(s, c, Some(&mut probs));
                (u, Some((s.to_vec(), probs)))
            } else {
                (summarise_logits(s, c, None), None)
            }
        })?;
        let n = rows.len();
        let t = opts.samples;
        let stack = |which: usize| -> Option<Array3<f64>> {
            let cols: Option<Vec<&Vec<f64>>> = rows
                .iter()
                .map(|r| r.1.as_ref().map(|p| if which == 0 { &p.0 } else { &p.1 }))
                .collect();
            cols.map(|v| Array3::from_shape_fn((t, n, c), |(i, j, k)| v[j][i * c + k]))
        };
        let class_index: Vec<usize> = rows.iter().map(|r| r.0.class).collect();
        if let Some((i, &value)) = rows
            .iter()
            .enumerate()
            .find_map(|(i, r)| r.0.probs.iter().find(|p| !p.is_finite()).map(|p| (i, p)))
        {
            return Err(Error::NonFiniteResult {
                what: format!("a class probability of row {i} (0-based)"),
                value,
            });
        }
        Ok(ClassPrediction {
            probs: Array2::from_shape_fn((n, c), |(i, k)| rows[i].0.probs[k]),
            labels: class_index.iter().map(|&k| self.classes[k]).collect(),
            class_index,
            entropy: rows.iter().map(|r| r.0.entropy).collect(),
            mutual_info: rows.iter().map(|r| r.0.mutual_info).collect(),
            variation_ratio: rows.iter().map(|r| r.0.variation_ratio).collect(),
            logit_samples: stack(0),
            prob_samples: stack(1),
        })
    }

    /// Accuracy, NLL, Brier, ECE/MCE (`bins` equal-width bins) of the deterministic pass
    /// and of MC dropout on `(x, y)`; `y` holds labels seen in training.
    pub fn evaluate(
        &self,
        x: ArrayView2<f64>,
        y: ArrayView1<f64>,
        opts: &McOptions,
        bins: usize,
    ) -> Result<ClassEvaluation> {
        if y.len() != x.nrows() {
            return Err(Error::Shape(format!(
                "{} rows but {} labels",
                x.nrows(),
                y.len()
            )));
        }
        let idx = self.label_indices(y)?;
        let det = self.predict_proba(x)?;
        let mc = self.predict_mc(x, opts)?;
        let mean = |a: &Array1<f64>| a.mean().unwrap_or(f64::NAN);
        Ok(ClassEvaluation {
            n: idx.len(),
            samples: opts.samples,
            bins,
            deterministic: Scores::of(det.view(), &idx, bins)?,
            mc: Scores::of(mc.probs.view(), &idx, bins)?,
            mean_entropy: mean(&mc.entropy),
            mean_mutual_info: mean(&mc.mutual_info),
            mean_variation_ratio: mean(&mc.variation_ratio),
        })
    }

    /// Predicted class indices of the deterministic pass.
    pub fn predict_class(&self, x: ArrayView2<f64>) -> Result<Vec<usize>> {
        let p = self.predict_proba(x)?;
        Ok(p.rows().into_iter().map(|r| argmax(&r.to_vec())).collect())
    }
}
