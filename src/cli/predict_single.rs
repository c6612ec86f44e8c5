//! `mcdropout predict` for a one-target regression model (MC dropout, a method model, a
//! GP): the whole table at once, or — for a Parquet input written to `--out` — part by
//! part in bounded memory, with the same numbers (each row's mask streams are keyed by
//! its index in the whole file, as in one pass).

use super::super::common::{CliError, CliResult, emit, invalid, model_x, not_applicable};
use super::super::parquet_out::{OutColumn, ParquetOut};
use super::super::raw_table::ScoreReader;
use super::{Format, PredictArgs, samples};
use mcdropout::data::{Table, is_parquet};
use mcdropout::methods::MethodModel;
use mcdropout::model::Regressor;
use mcdropout::predict::McOptions;
use mcdropout::{gp, model};
use ndarray::Array2;
use serde::Serialize;
use std::io::{self, Write};
use std::sync::Arc;

/// One output row.
#[derive(Serialize)]
struct Row {
    mean: f64,
    std: f64,
    epistemic_std: f64,
    aleatoric_std: f64,
    lower: f64,
    upper: f64,
}

/// The output columns of one target (with a `<target>_` prefix for several).
pub(super) const COLUMNS: [&str; 6] = [
    "mean",
    "std",
    "epistemic_std",
    "aleatoric_std",
    "lower",
    "upper",
];

/// The model, of one of the three one-target kinds.
enum Single {
    Mc(Regressor),
    Method(MethodModel),
    Gp(gp::GpModel),
}

/// The rows of one part and, for an MC-dropout model, its passes and draws.
struct Part {
    rows: Vec<Row>,
    samples: Option<Array2<f64>>,
    draws: Option<Array2<f64>>,
}

impl Single {
    fn load(args: &PredictArgs) -> CliResult<Self> {
        if gp::model_kind(&args.model)? == gp::GP_KIND {
            not_applicable(
                &["samples", "key_column"],
                "a GP's predictive is Gaussian in closed form, without Monte-Carlo samples (so no masks to key by row)",
            )?;
            if args.arrays.wanted() {
                return Err(invalid(
                    "--samples-out",
                    "a Gaussian process has no Monte-Carlo passes (its predictive is Gaussian in closed form)",
                ));
            }
            return Ok(Self::Gp(gp::load_gp(&args.model)?));
        }
        if mcdropout::methods::io::file_is_method_model(&args.model)? {
            if args.arrays.wanted() {
                return Err(invalid(
                    "--samples-out",
                    "does not apply to a Concrete-dropout, heteroscedastic or ensemble model: its predictive is a mixture of Gaussians, reported by its moments",
                ));
            }
            return Ok(Self::Method(mcdropout::methods::io::load(&args.model)?));
        }
        Ok(Self::Mc(model::load(&args.model)?))
    }

    fn predict(&self, args: &PredictArgs, table: &Table, opts: &McOptions) -> CliResult<Part> {
        let x = |features: &[String], target: &String| {
            model_x(
                table,
                features,
                std::slice::from_ref(target),
                args.by_position,
            )
        };
        let row = |mean: f64, std: f64, epistemic_var: f64, aleatoric_var: f64, lower, upper| Row {
            mean,
            std,
            epistemic_std: epistemic_var.max(0.0).sqrt(),
            aleatoric_std: aleatoric_var.sqrt(),
            lower,
            upper,
        };
        match self {
            Self::Method(m) => {
                let p = m.predict_mc(x(&m.feature_names, &m.target_name)?.view(), opts)?;
                let rows = (0..p.mean.len())
                    .map(|i| {
                        let (e, a) = (p.epistemic_var[i], p.aleatoric_var[i]);
                        row(p.mean[i], p.std[i], e, a, p.lower[i], p.upper[i])
                    })
                    .collect();
                Ok(Part {
                    rows,
                    samples: None,
                    draws: None,
                })
            }
            Self::Gp(m) => {
                let p = m.predict(x(&m.feature_names, &m.target_name)?.view(), args.level)?;
                Ok(Self::mc_part(p, &row))
            }
            Self::Mc(m) => {
                let x = x(&m.feature_names, &m.target_name)?;
                args.arrays.check_size(opts.samples, x.nrows(), 1)?;
                let p = m.predict_mc(x.view(), opts)?;
                Ok(Self::mc_part(p, &row))
            }
        }
    }

    fn mc_part(
        p: mcdropout::model::McPrediction,
        row: &impl Fn(f64, f64, f64, f64, f64, f64) -> Row,
    ) -> Part {
        let rows = (0..p.mean.len())
            .map(|i| {
                let (e, a) = (p.epistemic_var[i], p.aleatoric_var_at(i));
                row(p.mean[i], p.std[i], e, a, p.lower[i], p.upper[i])
            })
            .collect();
        Part {
            rows,
            samples: p.samples,
            draws: p.draws,
        }
    }
}

/// Runs `predict` on a one-target regression model.
pub(super) fn run(args: &PredictArgs, opts: &McOptions) -> CliResult<()> {
    let model = Single::load(args)?;
    let reader = ScoreReader::new(
        &args.model,
        args.drop_missing,
        args.header.rule(),
        &args.columns,
    )?;
    let format = args.format();
    if let Some(out) = args.out.as_deref()
        && !args.arrays.wanted()
        && is_parquet(&args.data, args.header.rule().format)?
    {
        return run_in_parts(args, opts, &model, &reader, out, format);
    }
    let (table, opts) = args.keys.apply(reader.read(&args.data)?, opts)?;
    let part = model.predict(args, &table, &opts)?;
    let mut batch = mcdropout::output::Batch::new();
    if let (Some(path), Some(s)) = (&args.arrays.samples_out, &part.samples) {
        samples::stage_npy(&mut batch, path, s)?;
    }
    if let (Some(path), Some(d)) = (&args.arrays.draws_out, &part.draws) {
        samples::stage_npy(&mut batch, path, d)?;
    }
    samples::emit_all(batch, args.out.as_deref(), |w| {
        let mut sink = RowSink::new(format);
        sink.write(w, &part.rows)?;
        sink.finish(w)
    })
}

/// Scores a Parquet file part by part into `out` (staged, so a failure in any part
/// leaves no file). Rows not keyed by `--key-column` are keyed by their index among the
/// file's kept rows, as in one pass over the whole table.
fn run_in_parts(
    args: &PredictArgs,
    opts: &McOptions,
    model: &Single,
    reader: &ScoreReader,
    out: &std::path::Path,
    format: Format,
) -> CliResult<()> {
    let mut failure: Option<CliError> = None;
    let written = emit(Some(out), |w| {
        let mut sink = RowSink::new(format);
        let mut first = 0u64;
        let scored = reader.for_each_part(&args.data, |table| {
            let (table, mut opts) = args.keys.apply(table, opts)?;
            let n = table.n_rows() as u64;
            if opts.row_keys.is_none() {
                opts.row_keys = Some(Arc::from((first..first + n).collect::<Vec<u64>>()));
            }
            first += n;
            let part = model.predict(args, &table, &opts)?;
            sink.write(w, &part.rows)
                .map_err(|e| CliError::Msg(format!("{}: {e}", out.display())))
        });
        match scored {
            Ok(()) => sink.finish(w),
            Err(e) => {
                failure = Some(e);
                Err(io::Error::other("scoring failed"))
            }
        }
    });
    match (failure, written) {
        (Some(e), _) => Err(e),
        (None, r) => r,
    }
}

/// Rows written as CSV, JSON or Parquet, part after part.
struct RowSink {
    format: Format,
    rows: usize,
    parquet: Option<ParquetOut>,
}

impl RowSink {
    fn new(format: Format) -> Self {
        Self {
            format,
            rows: 0,
            parquet: None,
        }
    }

    fn write(&mut self, w: &mut dyn Write, rows: &[Row]) -> io::Result<()> {
        match self.format {
            Format::Csv => {
                if self.rows == 0 {
                    writeln!(w, "{}", COLUMNS.join(","))?;
                }
                for r in rows {
                    writeln!(
                        w,
                        "{},{},{},{},{},{}",
                        r.mean, r.std, r.epistemic_std, r.aleatoric_std, r.lower, r.upper
                    )?;
                }
            }
            Format::Json => {
                for r in rows {
                    let sep = if self.rows == 0 { "[\n" } else { ",\n" };
                    write!(w, "{sep}  {}", serde_json::to_string(r)?)?;
                    self.rows += 1;
                }
                return Ok(());
            }
            Format::Parquet => {
                let columns = columns(rows);
                if self.parquet.is_none() {
                    let names: Vec<String> = COLUMNS.iter().map(|c| (*c).to_owned()).collect();
                    self.parquet = Some(ParquetOut::new(&names, &columns)?);
                }
                if let Some(p) = self.parquet.as_mut() {
                    p.write(w, columns)?;
                }
            }
        }
        self.rows += rows.len();
        Ok(())
    }

    fn finish(self, w: &mut dyn Write) -> io::Result<()> {
        match self.format {
            Format::Csv => Ok(()),
            Format::Json if self.rows == 0 => writeln!(w, "[\n]"),
            Format::Json => writeln!(w, "\n]"),
            Format::Parquet => match self.parquet {
                Some(p) => p.finish(w),
                None => Ok(()),
            },
        }
    }
}

fn columns(rows: &[Row]) -> Vec<OutColumn> {
    let col = |f: fn(&Row) -> f64| OutColumn::Numbers(rows.iter().map(f).collect());
    vec![
        col(|r| r.mean),
        col(|r| r.std),
        col(|r| r.epistemic_std),
        col(|r| r.aleatoric_std),
        col(|r| r.lower),
        col(|r| r.upper),
    ]
}
