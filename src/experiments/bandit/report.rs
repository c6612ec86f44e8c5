//! The bandit experiment's table and figure.

use super::BanditReport;
use crate::plot::active::{BandLine, BandPanel};

/// Published rows (Riquelme, Tucker & Snoek, ICLR 2018, the wheel-bandit table):
/// `(policy, [(δ, mean, se)])`. Empty: the stored copies of the paper reachable from
/// this project's tools did not include the table (see README, "Thompson sampling").
pub const PUBLISHED: &[PublishedRow] = &[];

/// A published row: policy name and `(δ, mean, standard error)` per δ.
pub type PublishedRow = (&'static str, &'static [(f64, f64, f64)]);

/// The markdown table: normalised cumulative regret per δ and policy, mean ± s.e.
pub fn markdown(r: &BanditReport) -> String {
    let mut s = String::new();
    s.push_str(&format!(
        "Wheel bandit, {} decisions, {} seeds per δ; cumulative regret as % of the uniform policy's expected regret (mean ± s.e.).\n\n",
        r.config.horizon, r.config.seeds
    ));
    s.push_str("| policy |");
    for d in &r.config.deltas {
        s.push_str(&format!(" δ = {d} |"));
    }
    s.push_str("\n|---|");
    s.push_str(&"---:|".repeat(r.config.deltas.len()));
    s.push('\n');
    for name in &r.config.policies {
        s.push_str(&format!("| {name} (ours) |"));
        for d in &r.config.deltas {
            match r
                .results
                .iter()
                .find(|x| &x.policy == name && x.delta == *d)
            {
                Some(x) => s.push_str(&format!(" {:.2} ± {:.2} |", x.mean, x.se)),
                None => s.push_str(" – |"),
            }
        }
        s.push('\n');
    }
    for (name, rows) in PUBLISHED {
        s.push_str(&format!("| {name} (published) |"));
        for d in &r.config.deltas {
            match rows.iter().find(|x| x.0 == *d) {
                Some(x) => s.push_str(&format!(" {:.2} ± {:.2} |", x.1, x.2)),
                None => s.push_str(" – |"),
            }
        }
        s.push('\n');
    }
    s.push_str(&format!(
        "\nTime per 1000 decisions (mean over runs): {}. Total wall time {:.1} s.\n",
        r.config
            .policies
            .iter()
            .map(|p| {
                let v: Vec<f64> = r
                    .results
                    .iter()
                    .filter(|x| x.policy == *p)
                    .map(|x| x.seconds_per_1000)
                    .collect();
                format!("{p} {:.3} s", v.iter().sum::<f64>() / v.len().max(1) as f64)
            })
            .collect::<Vec<_>>()
            .join(", "),
        r.seconds
    ));
    s
}

/// Regret over time: one panel per δ, cumulative expected regret of each policy (mean ±
/// 1 s.e. band).
pub fn bandit_figure(r: &BanditReport) -> Vec<BandPanel> {
    r.config
        .deltas
        .iter()
        .map(|&d| BandPanel {
            title: format!("wheel, δ = {d}"),
            x_label: "decision".into(),
            y_label: "cumulative regret".into(),
            lines: r
                .config
                .policies
                .iter()
                .enumerate()
                .filter_map(|(i, p)| {
                    r.results
                        .iter()
                        .find(|x| x.policy == *p && x.delta == d)
                        .map(|x| BandLine {
                            name: p.clone(),
                            x: r.checkpoints.iter().map(|&t| t as f64).collect(),
                            mean: x.curve_mean.clone(),
                            se: x.curve_se.clone(),
                            color: i,
                        })
                })
                .collect(),
        })
        .collect()
}
