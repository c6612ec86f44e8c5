//! A figure made of panels, each with line and scatter series on linear axes.

use plotters::coord::Shift;
use plotters::prelude::*;

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Style {
    /// A line through the points, with markers.
    Line,
    /// A dashed-looking thin line without markers (reference lines such as y = x).
    Reference,
    /// Unconnected small translucent dots (Monte-Carlo samples).
    Scatter,
}

/// A named set of points.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend entry (empty: no legend entry).
    pub name: String,
    /// The points (x, y); non-finite points are skipped.
    pub points: Vec<(f64, f64)>,
    /// How to draw them.
    pub style: Style,
    /// Palette index of the colour.
    pub color: usize,
}

impl Series {
    /// A series with colour `color` of the palette.
    pub fn new(name: &str, points: Vec<(f64, f64)>, style: Style, color: usize) -> Self {
        Self {
            name: name.into(),
            points,
            style,
            color,
        }
    }
}

/// Where a panel's legend goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum LegendAt {
    /// Top left (the default).
    #[default]
    UpperLeft,
    /// Top right.
    UpperRight,
    /// Middle of the right edge.
    MiddleRight,
    /// Bottom right.
    LowerRight,
}

/// One panel: a title, axis labels, ranges and series.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    /// Caption.
    pub title: String,
    /// X axis label.
    pub x_label: String,
    /// Y axis label.
    pub y_label: String,
    /// X range; `None` fits the data.
    pub x_range: Option<(f64, f64)>,
    /// Y range; `None` fits the data.
    pub y_range: Option<(f64, f64)>,
    /// The series.
    pub series: Vec<Series>,
    /// Legend position.
    pub legend: LegendAt,
}

/// Panels on a grid of `rows × cols`, filled row by row.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// Grid rows.
    pub rows: usize,
    /// Grid columns.
    pub cols: usize,
    /// The panels.
    pub panels: Vec<Panel>,
}

const PALETTE: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
];

/// The colour of palette index `i`.
fn color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

fn fit_range(panel: &Panel, x: bool) -> (f64, f64) {
    let vals = panel
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(move |p| if x { p.0 } else { p.1 }))
        .filter(|v| v.is_finite());
    let (lo, hi) = vals.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let pad = if hi > lo { 0.05 * (hi - lo) } else { 0.5 };
    (lo - pad, hi + pad)
}

type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

impl Figure {
    /// Draws the figure on `root`.
    pub fn draw<DB: DrawingBackend>(&self, root: DrawingArea<DB, Shift>) -> DrawResult<DB> {
        root.fill(&WHITE)?;
        let areas = root.split_evenly((self.rows.max(1), self.cols.max(1)));
        for (panel, area) in self.panels.iter().zip(areas) {
            draw_panel(panel, &area)?;
        }
        root.present()
    }
}

fn draw_panel<DB: DrawingBackend>(p: &Panel, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
    let (x0, x1) = p.x_range.unwrap_or_else(|| fit_range(p, true));
    let (y0, y1) = p.y_range.unwrap_or_else(|| fit_range(p, false));
    let mut chart = ChartBuilder::on(area)
        .caption(&p.title, ("sans-serif", 18))
        .margin(10)
        .x_label_area_size(35)
        .y_label_area_size(50)
        .build_cartesian_2d(x0..x1, y0..y1)?;
    chart
        .configure_mesh()
        .x_desc(p.x_label.as_str())
        .y_desc(p.y_label.as_str())
        .light_line_style(WHITE.mix(0.0))
        .draw()?;
    let mut legend = false;
    for s in &p.series {
        let c = color(s.color);
        let pts: Vec<(f64, f64)> = s
            .points
            .iter()
            .copied()
            .filter(|(a, b)| a.is_finite() && b.is_finite())
            .collect();
        let anno = match s.style {
            Style::Line => {
                chart.draw_series(pts.iter().map(|&q| Circle::new(q, 3, c.filled())))?;
                chart.draw_series(LineSeries::new(pts, c.stroke_width(2)))?
            }
            Style::Reference => chart.draw_series(LineSeries::new(pts, BLACK.mix(0.4)))?,
            Style::Scatter => chart.draw_series(
                pts.into_iter()
                    .map(|q| Circle::new(q, 2, c.mix(0.25).filled())),
            )?,
        };
        if !s.name.is_empty() {
            legend = true;
            anno.label(s.name.as_str())
                .legend(move |(x, y)| Rectangle::new([(x, y - 4), (x + 14, y + 4)], c.filled()));
        }
    }
    if legend {
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK.mix(0.3))
            .position(match p.legend {
                LegendAt::UpperLeft => SeriesLabelPosition::UpperLeft,
                LegendAt::UpperRight => SeriesLabelPosition::UpperRight,
                LegendAt::MiddleRight => SeriesLabelPosition::MiddleRight,
                LegendAt::LowerRight => SeriesLabelPosition::LowerRight,
            })
            .draw()?;
    }
    Ok(())
}
