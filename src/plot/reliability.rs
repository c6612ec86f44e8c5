//! Reliability diagrams: accuracy against mean confidence per calibration bin.

use super::{Figure, Panel, Series, Style};
use crate::classify::metrics::Calibration;

/// One panel: the diagonal (perfect calibration) and, for every named calibration, its
/// non-empty bins' (mean confidence, accuracy), with the ECE in the legend.
pub fn reliability_figure(title: &str, curves: &[(&str, &Calibration)]) -> Figure {
    let mut series = vec![Series::new(
        "",
        vec![(0.0, 0.0), (1.0, 1.0)],
        Style::Reference,
        7,
    )];
    for (i, (name, cal)) in curves.iter().enumerate() {
        let pts = cal
            .bins
            .iter()
            .filter(|b| b.count > 0)
            .map(|b| (b.confidence, b.accuracy))
            .collect();
        let label = format!("{name} (ECE {:.4}, {} bins)", cal.ece, cal.bins.len());
        series.push(Series::new(&label, pts, Style::Line, i));
    }
    Figure {
        rows: 1,
        cols: 1,
        panels: vec![Panel {
            title: title.into(),
            x_label: "confidence (max probability)".into(),
            y_label: "accuracy".into(),
            x_range: Some((0.0, 1.0)),
            y_range: Some((0.0, 1.0)),
            series,
            legend: super::LegendAt::UpperLeft,
        }],
    }
}
