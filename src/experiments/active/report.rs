//! The active-learning table and figure.

use super::ActiveReport;
use crate::acquire::Acquisition;
use crate::experiments::bandit::mean_se;
use crate::plot::active::{BandLine, BandPanel};

/// Labels at the first round whose accuracy is at least `target`, per curve (`None`
/// when the curve never reaches it).
pub fn labels_to_reach(labels: &[usize], accuracy: &[f64], target: f64) -> Option<usize> {
    labels
        .iter()
        .zip(accuracy)
        .find(|(_, a)| **a >= target)
        .map(|(l, _)| *l)
}

fn curves_of(r: &ActiveReport, f: Acquisition) -> Vec<&super::Curve> {
    r.curves.iter().filter(|c| c.function == f).collect()
}

/// Mean accuracy and its standard error over seeds at each round of function `f`.
fn mean_curve(r: &ActiveReport, f: Acquisition) -> (Vec<usize>, Vec<f64>, Vec<f64>) {
    let cs = curves_of(r, f);
    let rounds = cs.iter().map(|c| c.accuracy.len()).min().unwrap_or(0);
    let (m, s) = (0..rounds)
        .map(|i| mean_se(&cs.iter().map(|c| c.accuracy[i]).collect::<Vec<_>>()))
        .unzip();
    (
        cs.first()
            .map(|c| c.labels[..rounds].to_vec())
            .unwrap_or_default(),
        m,
        s,
    )
}

fn reach_cell(r: &ActiveReport, f: Acquisition, target: f64) -> String {
    let (labels, mean, _) = mean_curve(r, f);
    let on_mean = labels_to_reach(&labels, &mean, target);
    let per_seed: Vec<Option<usize>> = curves_of(r, f)
        .iter()
        .map(|c| labels_to_reach(&c.labels, &c.accuracy, target))
        .collect();
    let reached: Vec<f64> = per_seed.iter().flatten().map(|&v| v as f64).collect();
    let mean_part = on_mean.map_or("not reached".to_string(), |v| v.to_string());
    if reached.len() == per_seed.len() {
        let (m, s) = mean_se(&reached);
        format!("{mean_part} ({m:.0} ± {s:.0})")
    } else {
        format!(
            "{mean_part} ({}/{} seeds reach it)",
            reached.len(),
            per_seed.len()
        )
    }
}

/// The markdown table: labels needed to reach 90 % and 95 % test accuracy per function
/// (on the mean curve; in brackets the mean ± s.e. of the per-seed first crossing), the
/// final accuracy, and the time per round.
pub fn markdown(r: &ActiveReport) -> String {
    let c = &r.config;
    let mut s = format!(
        "Digits active learning: {} test images, pool {} after a start set of {} labels ({} per class); batch {}, {} rounds, {} seeds, T = {}.\n\n",
        r.n_test,
        r.n_pool,
        c.start_per_class * 10,
        c.start_per_class,
        c.batch,
        c.budget.div_ceil(c.batch),
        c.seeds,
        c.samples
    );
    s.push_str("| acquisition | labels to 90 % | labels to 95 % | accuracy at the end | area under curve | s / round (train + score) |\n|---|---:|---:|---:|---:|---:|\n");
    for &f in &c.functions {
        let (_, mean, se) = mean_curve(r, f);
        let cs = curves_of(r, f);
        let rounds: usize = cs.iter().map(|c| c.rounds + 1).sum();
        let t: f64 = cs.iter().map(|c| c.train_seconds + c.score_seconds).sum();
        let aucs: Vec<f64> = cs
            .iter()
            .map(|c| c.accuracy.iter().sum::<f64>() / c.accuracy.len() as f64)
            .collect();
        let (am, ase) = mean_se(&aucs);
        s.push_str(&format!(
            "| {f} | {} | {} | {:.2} ± {:.2} % | {:.2} ± {:.2} % | {:.2} |\n",
            reach_cell(r, f, 0.90),
            reach_cell(r, f, 0.95),
            100.0 * mean.last().copied().unwrap_or(f64::NAN),
            100.0 * se.last().copied().unwrap_or(f64::NAN),
            100.0 * am,
            100.0 * ase,
            t / rounds.max(1) as f64
        ));
    }
    let score: f64 = r.curves.iter().map(|c| c.score_seconds).sum::<f64>()
        / r.curves.iter().map(|c| c.rounds).sum::<usize>().max(1) as f64;
    s.push_str(&format!(
        "\nLabels to reach a target: first round whose mean accuracy over the seeds reaches it (in brackets: mean ± s.e. over seeds of each seed's first crossing). Area under curve: mean test accuracy over all rounds. Scoring the pool and selecting takes {score:.3} s per round on average; total wall time {:.1} s.\n",
        r.seconds
    ));
    s
}

/// Test accuracy against labels, mean ± 1 s.e. band per function.
pub fn active_figure(r: &ActiveReport) -> Vec<BandPanel> {
    let lines = r
        .config
        .functions
        .iter()
        .enumerate()
        .map(|(i, &f)| {
            let (labels, mean, se) = mean_curve(r, f);
            BandLine {
                name: f.to_string(),
                x: labels.iter().map(|&l| l as f64).collect(),
                mean: mean.iter().map(|v| 100.0 * v).collect(),
                se: se.iter().map(|v| 100.0 * v).collect(),
                color: i,
            }
        })
        .collect();
    vec![BandPanel {
        title: format!(
            "digits: test accuracy vs labels ({} seeds, ±1 s.e.)",
            r.config.seeds
        ),
        x_label: "labelled images".into(),
        y_label: "test accuracy (%)".into(),
        lines,
    }]
}
