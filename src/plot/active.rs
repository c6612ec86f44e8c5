//! Line-with-band figures (mean ± 1 standard error over seeds), used by the active
//! learning and bandit experiments.

use crate::error::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// One curve: points `(x, mean)` with a shaded band `mean ± se`.
#[derive(Debug, Clone, PartialEq)]
pub struct BandLine {
    /// Legend entry.
    pub name: String,
    /// X values.
    pub x: Vec<f64>,
    /// Mean at each x.
    pub mean: Vec<f64>,
    /// Standard error at each x (the band's half-width).
    pub se: Vec<f64>,
    /// Palette index.
    pub color: usize,
}

/// A panel of band lines.
#[derive(Debug, Clone, PartialEq)]
pub struct BandPanel {
    /// Caption.
    pub title: String,
    /// X axis label.
    pub x_label: String,
    /// Y axis label.
    pub y_label: String,
    /// The curves.
    pub lines: Vec<BandLine>,
}

const PALETTE: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(127, 127, 127),
];

type DrawResult<DB> =
    std::result::Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

fn range(p: &BandPanel, x: bool) -> (f64, f64) {
    let vals: Vec<f64> = p
        .lines
        .iter()
        .flat_map(|l| {
            if x {
                l.x.clone()
            } else {
                l.mean
                    .iter()
                    .zip(&l.se)
                    .flat_map(|(m, s)| [m - s, m + s])
                    .collect()
            }
        })
        .filter(|v| v.is_finite())
        .collect();
    let lo = vals.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = vals.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let pad = if hi > lo { 0.03 * (hi - lo) } else { 0.5 };
    (lo - pad, hi + pad)
}

fn draw_panel<DB: DrawingBackend>(p: &BandPanel, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
    let (x0, x1) = range(p, true);
    let (y0, y1) = range(p, false);
    let mut chart = ChartBuilder::on(area)
        .caption(&p.title, ("sans-serif", 18))
        .margin(10)
        .x_label_area_size(35)
        .y_label_area_size(55)
        .build_cartesian_2d(x0..x1, y0..y1)?;
    chart
        .configure_mesh()
        .x_desc(p.x_label.as_str())
        .y_desc(p.y_label.as_str())
        .light_line_style(WHITE.mix(0.0))
        .draw()?;
    for l in &p.lines {
        let c = PALETTE[l.color % PALETTE.len()];
        let upper =
            l.x.iter()
                .zip(l.mean.iter().zip(&l.se))
                .map(|(&x, (m, s))| (x, m + s));
        let lower =
            l.x.iter()
                .zip(l.mean.iter().zip(&l.se))
                .map(|(&x, (m, s))| (x, m - s));
        let mut poly: Vec<(f64, f64)> = upper.collect();
        poly.extend(lower.collect::<Vec<_>>().into_iter().rev());
        chart.draw_series(std::iter::once(Polygon::new(poly, c.mix(0.2).filled())))?;
        let pts: Vec<(f64, f64)> = l.x.iter().copied().zip(l.mean.iter().copied()).collect();
        chart
            .draw_series(LineSeries::new(pts, c.stroke_width(2)))?
            .label(l.name.as_str())
            .legend(move |(x, y)| Rectangle::new([(x, y - 4), (x + 14, y + 4)], c.filled()));
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK.mix(0.3))
        .position(SeriesLabelPosition::LowerRight)
        .draw()?;
    Ok(())
}

fn draw_all<DB: DrawingBackend>(
    panels: &[BandPanel],
    cols: usize,
    root: DrawingArea<DB, Shift>,
) -> DrawResult<DB> {
    root.fill(&WHITE)?;
    let cols = cols.max(1);
    let rows = panels.len().div_ceil(cols).max(1);
    for (p, area) in panels.iter().zip(root.split_evenly((rows, cols))) {
        draw_panel(p, &area)?;
    }
    root.present()
}

/// The bytes of `panels` on a grid of `cols` columns as the file `path` (`.png` or
/// `.svg`); nothing is written.
pub fn render_bands(
    panels: &[BandPanel],
    cols: usize,
    path: &Path,
    size: (u32, u32),
) -> Result<Vec<u8>> {
    super::render_with(
        path,
        size,
        |root| draw_all(panels, cols, root).map_err(|e| e.to_string()),
        |root| draw_all(panels, cols, root).map_err(|e| e.to_string()),
    )
}

/// Draws `panels` on a grid of `cols` columns into `path` (`.png` or `.svg`), atomically.
pub fn save_bands(panels: &[BandPanel], cols: usize, path: &Path, size: (u32, u32)) -> Result<()> {
    let bytes = render_bands(panels, cols, path, size)?;
    crate::output::write_atomic(path, |w| w.write_all(&bytes))
}
