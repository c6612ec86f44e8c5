//! Figures and the markdown table of the digits experiments.

use super::DigitsReport;
use super::fgsm::FgsmRow;
use super::rotation::RotationResult;
use crate::plot::{Figure, LegendAt, Panel, Series, Style};
use std::fmt::Write;

fn panel(title: &str, x: &str, y: &str, series: Vec<Series>) -> Panel {
    Panel {
        title: title.into(),
        x_label: x.into(),
        y_label: y.into(),
        x_range: None,
        y_range: None,
        series,
        legend: LegendAt::UpperLeft,
    }
}

/// The paper-style rotation figure (2 × 2): the T softmax inputs and outputs of the top
/// classes per angle (a small horizontal offset per class keeps them apart), the mean
/// probabilities, and the predictive entropy and mutual information against the angle.
pub fn rotation_figure(r: &RotationResult) -> Figure {
    let k = r.top_classes.len() as f64;
    let scatter = |s: &Vec<Vec<Vec<f64>>>| -> Vec<Series> {
        s.iter()
            .enumerate()
            .map(|(ci, per_angle)| {
                let off = 3.0 * (ci as f64 - (k - 1.0) / 2.0);
                let pts = per_angle
                    .iter()
                    .zip(&r.angles)
                    .flat_map(|(v, &a)| v.iter().map(move |&y| (a + off, y)))
                    .collect();
                Series::new(
                    &format!("class {}", r.top_classes[ci]),
                    pts,
                    Style::Scatter,
                    ci,
                )
            })
            .collect()
    };
    let mean = r
        .top_classes
        .iter()
        .enumerate()
        .map(|(ci, c)| {
            let pts = r
                .angles
                .iter()
                .zip(&r.mean_probs)
                .map(|(&a, p)| (a, p[ci]))
                .collect();
            Series::new(&format!("class {c}"), pts, Style::Line, ci)
        })
        .collect();
    let line = |name: &str, v: &[f64], c: usize| {
        Series::new(
            name,
            r.angles.iter().copied().zip(v.iter().copied()).collect(),
            Style::Line,
            c,
        )
    };
    let mut probs = panel(
        "softmax output (T samples)",
        "rotation (degrees)",
        "probability",
        scatter(&r.prob_scatter),
    );
    probs.y_range = Some((-0.02, 1.02));
    let mut mp = panel(
        "mean of the T softmax outputs",
        "rotation (degrees)",
        "probability",
        mean,
    );
    mp.legend = LegendAt::MiddleRight;
    mp.y_range = Some((-0.02, 1.02));
    Figure {
        rows: 2,
        cols: 2,
        panels: vec![
            panel(
                "softmax input (T samples)",
                "rotation (degrees)",
                "logit",
                scatter(&r.logit_scatter),
            ),
            probs,
            mp,
            panel(
                "uncertainty",
                "rotation (degrees)",
                "nats",
                vec![
                    line("entropy (this digit)", &r.entropy, 0),
                    line("mutual information (this digit)", &r.mutual_info, 3),
                    line("entropy (mean, all test images)", &r.all_entropy, 5),
                    line("MI (mean, all test images)", &r.all_mutual_info, 6),
                ],
            ),
        ],
    }
}

/// The FGSM figure (1 × 2): accuracy and confidence, and MC entropy and mutual
/// information, against ε.
pub fn fgsm_figure(rows: &[FgsmRow]) -> Figure {
    let s = |name: &str, f: &dyn Fn(&FgsmRow) -> f64, c: usize| {
        Series::new(
            name,
            rows.iter().map(|r| (r.eps, f(r))).collect(),
            Style::Line,
            c,
        )
    };
    let mut left = panel(
        "FGSM: accuracy and confidence",
        "ε (pixel units, pixels 0–16)",
        "fraction",
        vec![
            s("deterministic accuracy", &|r| r.det_accuracy, 0),
            s("deterministic mean confidence", &|r| r.det_confidence, 1),
            s("MC accuracy", &|r| r.mc_accuracy, 2),
            s(
                "MC mean confidence (max of mean probs)",
                &|r| r.mc_confidence,
                4,
            ),
        ],
    );
    left.y_range = Some((0.0, 1.05));
    left.legend = LegendAt::MiddleRight;
    Figure {
        rows: 1,
        cols: 2,
        panels: vec![
            left,
            panel(
                "FGSM: MC dropout uncertainty",
                "ε (pixel units, pixels 0–16)",
                "nats",
                vec![
                    s("mean predictive entropy", &|r| r.mc_entropy, 0),
                    s("mean mutual information", &|r| r.mc_mutual_info, 3),
                ],
            ),
        ],
    }
}

/// The metrics as markdown tables.
pub fn markdown(r: &DigitsReport) -> String {
    let mut s = String::new();
    let c = &r.config;
    let _ = writeln!(
        s,
        "Digits (8×8, {} train / {} test, seed {}): MLP 64→{:?}→10, dropout {} (input) / {} (hidden), \
         weight decay {:e}, {} epochs; T = {} MC samples; ECE with {} equal-width bins.\n",
        r.n_train,
        r.n_test,
        c.seed,
        c.hidden,
        c.input_dropout,
        c.hidden_dropout,
        c.weight_decay,
        c.epochs,
        c.samples,
        c.bins
    );
    let _ = writeln!(s, "| test set | accuracy | NLL | Brier | ECE | MCE |");
    let _ = writeln!(s, "|---|---|---|---|---|---|");
    for (name, m) in [("deterministic", &r.deterministic), ("MC dropout", &r.mc)] {
        let _ = writeln!(
            s,
            "| {name} | {:.4} | {:.4} | {:.4} | {:.4} | {:.4} |",
            m.accuracy, m.nll, m.brier, m.calibration.ece, m.calibration.mce
        );
    }
    let rot = &r.rotation;
    let _ = writeln!(
        s,
        "\nRotated digit (test image {}, label {}; the test image of that label with the highest deterministic probability): \
         top classes {:?}; mutual information {:.4} at 0°, mean {:.4} over the 11 rotated angles; \
         correlation of mutual information with angle {:.3} (over all test images: mean MI {:.4} at 0°, {:.4} averaged over the rotated angles).\n",
        rot.test_index,
        c.rotated_label,
        rot.top_classes,
        rot.mutual_info[0],
        rot.mi_rotated_mean,
        rot.mi_angle_correlation,
        rot.all_mutual_info[0],
        rot.all_mutual_info[1..].iter().sum::<f64>() / (rot.all_mutual_info.len() - 1) as f64
    );
    let _ = writeln!(
        s,
        "| angle (°) | predicted | entropy | mutual information | mean entropy, all test images | mean MI, all test images |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|---|");
    for i in 0..rot.angles.len() {
        let _ = writeln!(
            s,
            "| {:.1} | {} | {:.4} | {:.4} | {:.4} | {:.4} |",
            rot.angles[i],
            rot.predicted[i],
            rot.entropy[i],
            rot.mutual_info[i],
            rot.all_entropy[i],
            rot.all_mutual_info[i]
        );
    }
    let o = &r.ood;
    let _ = writeln!(
        s,
        "\nUnrotated (in-distribution) vs 90°-rotated test images:\n"
    );
    let _ = writeln!(
        s,
        "| score | AUROC | AUPR | mean unrotated | mean rotated |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|");
    let _ = writeln!(
        s,
        "| predictive entropy | {:.4} | {:.4} | {:.4} | {:.4} |",
        o.auroc_entropy, o.aupr_entropy, o.mean_entropy.0, o.mean_entropy.1
    );
    let _ = writeln!(
        s,
        "| mutual information | {:.4} | {:.4} | {:.4} | {:.4} |",
        o.auroc_mutual_info, o.aupr_mutual_info, o.mean_mutual_info.0, o.mean_mutual_info.1
    );
    let _ = writeln!(s, "\nFGSM against the deterministic net (pixels 0–16):\n");
    let _ = writeln!(
        s,
        "| ε | det. accuracy | det. mean confidence | MC accuracy | MC mean max p̄ | MC entropy | MC mutual information |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|---|---|");
    for f in &r.fgsm {
        let _ = writeln!(
            s,
            "| {} | {:.4} | {:.4} | {:.4} | {:.4} | {:.4} | {:.4} |",
            f.eps,
            f.det_accuracy,
            f.det_confidence,
            f.mc_accuracy,
            f.mc_confidence,
            f.mc_entropy,
            f.mc_mutual_info
        );
    }
    let _ = writeln!(
        s,
        "\nTraining {:.1} s; everything {:.1} s.",
        r.train_seconds, r.seconds
    );
    s
}
