//! The CO2 extrapolation figure: one panel per model with the data, the predictive mean,
//! a shaded ±2 std band and the end of the training range marked.

use crate::error::Result;
use crate::experiments::co2::Co2Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// Size of the figure in pixels.
pub const SIZE: (u32, u32) = (1400, 1000);

/// The bytes of the figure as the file `path` (`.png` or `.svg`); nothing is written.
pub fn render_co2_figure(result: &Co2Result, path: &Path) -> Result<Vec<u8>> {
    super::render_with(
        path,
        SIZE,
        |root| draw(root, result),
        |root| draw(root, result),
    )
}

/// Writes the figure as PNG (`.png`) or SVG (`.svg`) to `path`, atomically (drawn in
/// memory, written to a temporary file in the same folder, then renamed; the rules of
/// [`crate::output::write_atomic`]).
pub fn co2_figure(result: &Co2Result, path: &Path) -> Result<()> {
    let bytes = render_co2_figure(result, path)?;
    crate::output::write_atomic(path, |w| w.write_all(&bytes))
}

fn draw<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    r: &Co2Result,
) -> std::result::Result<(), String>
where
    DB::ErrorType: 'static,
{
    let e = |x: DrawingAreaErrorKind<DB::ErrorType>| x.to_string();
    root.fill(&WHITE).map_err(e)?;
    let (x0, x1) = (r.year[0], r.year[r.year.len() - 1]);
    let (lo, hi) = r
        .ppmv
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    let pad = 0.25 * (hi - lo);
    let (y0, y1) = (lo - pad, hi + pad);
    let band = RGBColor(70, 110, 200);
    let held = RGBColor(150, 150, 150);
    for (area, m) in root.split_evenly((2, 2)).iter().zip(&r.models) {
        let title = format!(
            "{}: held-out RMSE {:.2}, LL {:.2}, 95% coverage {:.2}",
            m.name, m.rmse, m.ll, m.coverage
        );
        let mut chart = ChartBuilder::on(area)
            .caption(title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(35)
            .y_label_area_size(50)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(e)?;
        chart
            .configure_mesh()
            .x_desc("year")
            .y_desc("CO2 (ppmv)")
            .light_line_style(WHITE)
            .draw()
            .map_err(e)?;
        let clip = |v: f64| v.clamp(y0, y1);
        let mut poly: Vec<(f64, f64)> = r
            .grid
            .iter()
            .zip(m.mean.iter().zip(&m.std))
            .map(|(&t, (&mu, &s))| (t, clip(mu + 2.0 * s)))
            .collect();
        poly.extend(
            r.grid
                .iter()
                .zip(m.mean.iter().zip(&m.std))
                .rev()
                .map(|(&t, (&mu, &s))| (t, clip(mu - 2.0 * s))),
        );
        chart
            .draw_series(std::iter::once(Polygon::new(poly, band.mix(0.3).filled())))
            .map_err(e)?
            .label("±2 std")
            .legend(move |(x, y)| {
                Rectangle::new([(x, y - 5), (x + 15, y + 5)], band.mix(0.3).filled())
            });
        chart
            .draw_series(r.year.iter().zip(&r.ppmv).enumerate().map(|(i, (&t, &v))| {
                let c = if i < r.n_train { BLACK } else { held };
                Circle::new((t, v), 1, c.filled())
            }))
            .map_err(e)?
            .label("data (grey: held out)")
            .legend(|(x, y)| Circle::new((x + 7, y), 3, BLACK.filled()));
        chart
            .draw_series(LineSeries::new(
                r.grid.iter().zip(&m.mean).map(|(&t, &mu)| (t, clip(mu))),
                band.stroke_width(2),
            ))
            .map_err(e)?
            .label("predictive mean")
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 15, y)], band.stroke_width(2)));
        chart
            .draw_series(LineSeries::new(
                [(r.train_end, y0), (r.train_end, y1)],
                RED.stroke_width(1),
            ))
            .map_err(e)?
            .label("end of training data")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 15, y)], RED));
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .map_err(e)?;
    }
    root.present().map_err(e)
}
