//! `mcdropout dataset`: write a dataset shipped inside the tool (through linfa-datasets)
//! to a CSV file, optionally cut into seeded training and test parts.

use super::common::{CliResult, invalid, note};
use clap::{Args, ValueEnum};
use mcdropout::output::{Batch, Plan};
use mcdropout::rng::{Purpose, stream};
use ndarray::{Array2, Axis, concatenate};
use rand::seq::SliceRandom;
use std::io::Write;
use std::path::PathBuf;

/// The datasets the tool ships.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Builtin {
    /// Diabetes progression (Efron et al. 2004, as in scikit-learn): 10 standardised
    /// features, target `progression`. linfa-datasets 0.8 reads its header-less file
    /// as if the first line were a header, so it has 441 of the 442 rows.
    Diabetes,
    /// Linnerud (Tenenhaus 1998): 20 men, 3 exercises (Chins, Situps, Jumps), 3
    /// physiological targets (Weight, Waist, Pulse) — a several-target example.
    Linnerud,
    /// Wine Quality Red (Cortez et al. 2009): 1599 wines, 11 features, target `quality`.
    Wine,
}

/// Arguments of `mcdropout dataset` (documented on the subcommand in `cli/mod.rs`).
#[derive(Debug, Args)]
#[command(
    after_help = "Example:\n  mcdropout dataset diabetes --out diabetes.csv --test-fraction 0.1 --test-out diabetes-test.csv"
)]
pub struct DatasetArgs {
    /// Which dataset.
    #[arg(value_enum)]
    name: Builtin,
    /// Where to write it (CSV with a header line); with --test-fraction, the training
    /// part only.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Hold out this fraction of the rows (seeded random) for --test-out.
    #[arg(
        long,
        value_name = "F",
        requires = "test_out",
        allow_negative_numbers = true
    )]
    test_fraction: Option<f64>,
    /// Where to write the held-out test part.
    #[arg(long, value_name = "FILE", requires = "test_fraction")]
    test_out: Option<PathBuf>,
    /// Seed of the test split.
    #[arg(long, value_name = "S", default_value_t = 0)]
    seed: u64,
}

/// The dataset as (column names, rows × columns), targets last.
pub fn load(name: Builtin) -> (Vec<String>, Array2<f64>) {
    let names = |v: &[&str]| v.iter().map(|s| s.replace(' ', "_")).collect::<Vec<_>>();
    match name {
        Builtin::Diabetes => {
            let d = linfa_datasets::diabetes();
            let mut cols = names(
                &d.feature_names()
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>(),
            );
            cols.push("progression".into());
            let y = d.targets.clone().insert_axis(Axis(1));
            (cols, concatenate![Axis(1), d.records, y])
        }
        Builtin::Linnerud => {
            let d = linfa_datasets::linnerud();
            let mut cols = names(
                &d.feature_names()
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>(),
            );
            cols.extend(["Weight", "Waist", "Pulse"].map(String::from));
            (cols, concatenate![Axis(1), d.records, d.targets])
        }
        Builtin::Wine => {
            let d = linfa_datasets::winequality();
            let mut cols = names(
                &d.feature_names()
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>(),
            );
            cols.push("quality".into());
            let y = d.targets.mapv(|q| q as f64).insert_axis(Axis(1));
            (cols, concatenate![Axis(1), d.records, y])
        }
    }
}

/// Stages `rows` under the header `cols` as the CSV file `path` in `batch`.
fn write_csv(
    batch: &mut Batch,
    path: &std::path::Path,
    cols: &[String],
    rows: &Array2<f64>,
) -> CliResult<()> {
    Ok(batch.add(path, |w: &mut dyn Write| {
        writeln!(w, "{}", cols.join(","))?;
        for r in rows.rows() {
            let cells: Vec<String> = r.iter().map(|v| format!("{v}")).collect();
            writeln!(w, "{}", cells.join(","))?;
        }
        Ok(())
    })?)
}

/// Runs `mcdropout dataset`.
pub fn run(args: DatasetArgs) -> CliResult<()> {
    let mut plan = Plan::new();
    plan.output("--out", &args.out);
    if let Some(t) = &args.test_out {
        plan.output("--test-out", t);
    }
    plan.check()?;
    if let Some(f) = args.test_fraction
        && !(f > 0.0 && f < 1.0)
    {
        return Err(invalid(
            "--test-fraction",
            format!("must be in (0, 1), got {f}"),
        ));
    }
    let (cols, data) = load(args.name);
    let (Some(f), Some(test_out)) = (args.test_fraction, &args.test_out) else {
        let mut batch = Batch::new();
        write_csv(&mut batch, &args.out, &cols, &data)?;
        batch.commit()?;
        note!(
            "{} rows × {} columns written to {}",
            data.nrows(),
            cols.len(),
            args.out.display()
        );
        return Ok(());
    };
    let n = data.nrows();
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(&mut stream(args.seed, Purpose::Split, 0));
    let n_test = ((n as f64 * f).round() as usize).clamp(1, n - 1);
    let (test, train) = order.split_at(n_test);
    let (mut test, mut train) = (test.to_vec(), train.to_vec());
    test.sort_unstable();
    train.sort_unstable();
    let mut batch = Batch::new();
    write_csv(&mut batch, test_out, &cols, &data.select(Axis(0), &test))?;
    write_csv(&mut batch, &args.out, &cols, &data.select(Axis(0), &train))?;
    batch.commit()?;
    note!(
        "{} training rows written to {}, {} test rows to {} (seed {})",
        train.len(),
        args.out.display(),
        test.len(),
        test_out.display(),
        args.seed
    );
    Ok(())
}
