//! The results table: ours next to Gal's published figures.

use super::protocol::{DatasetResult, MeanSe};
use std::fmt::Write;

/// Whether `ours` is worse than `published` by more than two pooled standard errors
/// (`sqrt(se_ours² + se_published²)`); `higher_is_better` for log-likelihoods.
pub fn worse_than_published(ours: MeanSe, published: (f64, f64), higher_is_better: bool) -> bool {
    let pooled = (ours.se * ours.se + published.1 * published.1).sqrt();
    let gap = if higher_is_better {
        published.0 - ours.mean
    } else {
        ours.mean - published.0
    };
    gap > 2.0 * pooled
}

fn cell(v: MeanSe) -> String {
    let digits = if v.mean.abs() < 0.01 { 5 } else { 3 };
    format!("{:.*} ± {:.*}", digits, v.mean, digits, v.se)
}

/// A markdown table of the datasets: RMSE, MC RMSE and LL (mean ± s.e.) with the published
/// MC RMSE and LL beside them; `✗` marks a figure worse than published by more than two
/// pooled standard errors.
pub fn markdown_table(results: &[DatasetResult]) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "| dataset | splits | RMSE (det.) | MC RMSE | MC RMSE (Gal) | test LL | test LL (Gal) | wall time |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|---|---|---|");
    for r in results {
        let (pr, pl) = match r.published() {
            Some(p) => (
                cell(MeanSe {
                    mean: p.mc_rmse.0,
                    se: p.mc_rmse.1,
                }),
                cell(MeanSe {
                    mean: p.ll.0,
                    se: p.ll.1,
                }),
            ),
            None => ("—".into(), "—".into()),
        };
        let mark = |worse: bool| if worse { " ✗" } else { "" };
        let (wr, wl) = r.published().map_or((false, false), |p| {
            (
                worse_than_published(r.mc_rmse, p.mc_rmse, false),
                worse_than_published(r.ll, p.ll, true),
            )
        });
        let _ = writeln!(
            s,
            "| {} | {} | {} | {}{} | {} | {}{} | {} | {:.1} s |",
            r.dataset,
            r.n_splits,
            cell(r.rmse),
            cell(r.mc_rmse),
            mark(wr),
            pr,
            cell(r.ll),
            mark(wl),
            pl,
            r.wall_seconds
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pooled_standard_error_marker() {
        let ours = MeanSe { mean: 3.0, se: 0.3 };
        // pooled = 0.5; 2 × pooled = 1.0
        assert!(!worse_than_published(ours, (2.0, 0.4), false));
        assert!(worse_than_published(
            MeanSe {
                mean: 3.01,
                se: 0.3
            },
            (2.0, 0.4),
            false
        ));
        assert!(!worse_than_published(
            MeanSe {
                mean: -3.0,
                se: 0.3
            },
            (-2.0, 0.4),
            true
        ));
        assert!(worse_than_published(
            MeanSe {
                mean: -3.01,
                se: 0.3
            },
            (-2.0, 0.4),
            true
        ));
        let m = MeanSe::of(&[1.0, 3.0]);
        assert_eq!((m.mean, m.se), (2.0, 1.0 / 2f64.sqrt()));
    }
}
