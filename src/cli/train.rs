//! `mcdropout train`: fit a dropout regression network to a data file and save it.

use super::common::{
    CliError, CliResult, Compute, check_output_path, check_positive, check_rate, fmt_seconds,
    invalid, not_applicable, note,
};
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use mcdropout::model::{self, Noise, RegressorParams, TargetTransform};
use mcdropout::nn::Activation;
use mcdropout::prior::{LossConvention, TauUnits};
use mcdropout::train::{Optimizer, Precision};
use std::path::PathBuf;
use std::time::Instant;

#[path = "train_classify.rs"]
mod classify;
#[path = "train_methods.rs"]
mod methods;
use classify::Task;
#[path = "train_multi.rs"]
pub(super) mod multi;
pub(super) use classify::at_line;

const TAU_HELP: &str = "There is no dataset-independent default for the noise precision: give \
either --tau T (the noise precision in target units⁻², e.g. 1/(expected noise std)²) or \
--weight-decay L (from which τ = l² (1 − p) / (2 N L) follows).";

/// Arguments of `mcdropout train` (documented on the subcommand in `cli/mod.rs`).
#[derive(Debug, Args)]
#[command(
    after_help = "Example:\n  mcdropout train --data wine.csv --target quality --hidden 50 --dropout 0.01 --tau 3 --epochs 4000 --out wine.model"
)]
#[command(mut_arg("seed", |a| a.help("Seed of the weight initialisation, the minibatch shuffling and the training dropout masks; the same seed gives the same model for any --threads")))]
pub struct TrainArgs {
    /// Training data: CSV or whitespace-separated (optional header line), or Parquet.
    #[arg(long, value_name = "FILE")]
    data: PathBuf,
    /// Target column: a header name or a 0-based index. Several, comma-separated
    /// (`--target a,b,c`), train one network with an output per target; τ is then the
    /// noise precision of the standardised targets (README, Several targets).
    #[arg(long, value_name = "COLUMN")]
    target: String,
    /// `regress` (the default) or `classify`: the target column holds integer class
    /// labels (any values; each distinct value is a class); the network ends in a softmax
    /// and is trained with cross-entropy + the prior's weight decay λ_i = l² (1 − p_i) /
    /// (2 N), or --weight-decay; --tau does not apply.
    #[arg(long, value_enum, default_value_t = Task::Regress)]
    task: Task,
    /// Feature columns (names or 0-based indices, comma-separated) [default: every column
    /// except the target].
    #[arg(long, value_name = "C1,C2,...", value_delimiter = ',')]
    features: Option<Vec<String>>,
    /// Hidden layer widths, comma-separated.
    #[arg(
        long,
        value_name = "W1,W2,...",
        value_delimiter = ',',
        default_value = "50"
    )]
    hidden: Vec<usize>,
    /// Activation of the hidden units.
    #[arg(long, value_enum, default_value_t = ActivationArg::Relu)]
    activation: ActivationArg,
    /// Dropout (drop) probability p in [0, 1), before every layer including the input.
    #[arg(
        long,
        value_name = "P",
        default_value_t = 0.05,
        allow_negative_numbers = true
    )]
    dropout: f64,
    /// Observation noise precision τ > 0 in target units⁻² (e.g. 1/(expected noise
    /// std)²). Exactly one of --tau and --weight-decay is required: there is no
    /// dataset-independent default.
    #[arg(
        long,
        value_name = "T",
        allow_negative_numbers = true,
        conflicts_with = "weight_decay"
    )]
    tau: Option<f64>,
    /// Kernel weight decay λ > 0 instead of --tau; τ = l² (1 − p) / (2 N λ).
    #[arg(long, value_name = "L", allow_negative_numbers = true)]
    weight_decay: Option<f64>,
    /// Prior length-scale l > 0 (weights ~ N(0, I/l²)).
    #[arg(
        long,
        value_name = "L",
        default_value_t = 1e-2,
        allow_negative_numbers = true
    )]
    length_scale: f64,
    /// Units of the τ that enters λ: `gal` uses τ as given, as Gal's code does
    /// (reproduces his numbers); `standardised` uses τ σ_y², the precision of the
    /// standardised targets (the consistent form). For a new dataset, standardised is
    /// the recommended choice: τ then means 1/(noise std / target std)², one scale for
    /// every dataset, and the same τ enters λ and the likelihood (`mcdropout search`
    /// uses it and prints the τ in target units to pass here).
    #[arg(long, value_enum, default_value_t = TauUnitsArg::Gal)]
    tau_units: TauUnitsArg,
    /// Data term of the loss: `gal` is the mean squared error (Keras); `halved` is
    /// ½ the squared error, for which the objective equals −ELBO / (N τ).
    #[arg(long, value_enum, default_value_t = LossArg::Gal)]
    loss: LossArg,
    /// Passes over the training data (≥ 1). Gal's UCI runs use 4000 (40 × 100).
    #[arg(long, value_name = "N", default_value_t = 40)]
    epochs: usize,
    /// Minibatch size (≥ 1); batches are reshuffled every epoch.
    #[arg(long, value_name = "B", default_value_t = 128)]
    batch: usize,
    /// Learning rate (> 0).
    #[arg(
        long,
        value_name = "LR",
        default_value_t = 1e-3,
        allow_negative_numbers = true
    )]
    lr: f64,
    /// Optimiser: Adam (β 0.9/0.999, ε 1e-7, as Keras) or SGD with momentum.
    #[arg(long, value_enum, default_value_t = OptimizerArg::Adam)]
    optimizer: OptimizerArg,
    /// Momentum μ in [0, 1) of SGD (only with --optimizer sgd).
    #[arg(
        long,
        value_name = "MU",
        default_value_t = 0.9,
        allow_negative_numbers = true
    )]
    momentum: f64,
    /// Float type of the training arithmetic: f32 (default, as Keras and PyTorch; about
    /// twice as fast) or f64. The model is stored and predicts in f64 either way.
    #[arg(long, value_name = "TYPE", default_value = "f32", value_parser = ["f32", "f64"])]
    precision: String,
    /// Skip rows with empty, NaN or infinite cells instead of failing (reports how many).
    #[arg(long)]
    drop_missing: bool,
    #[command(flatten)]
    header: super::common::HeaderArg,
    #[command(flatten)]
    columns: super::raw_table::FitColumns,
    /// The method: `mc-dropout` (fixed --dropout, the default), `concrete` (Concrete
    /// dropout: each layer's drop probability learned with the weights, starting from
    /// --dropout, which must then be in (0, 1)) or `ensemble` (--members networks without
    /// dropout, each with the heteroscedastic head, from different seeds).
    #[arg(long, value_enum, default_value_t = methods::MethodArg::McDropout)]
    method: methods::MethodArg,
    /// Learn the noise: the network outputs a mean and a log-variance per input and is
    /// trained by the Gaussian negative log-likelihood plus the prior's decay (Kendall &
    /// Gal 2017); --tau and --weight-decay do not apply. Implied by --method ensemble.
    #[arg(long)]
    heteroscedastic: bool,
    /// Ensemble members M ≥ 1 (with --method ensemble) [default: 5].
    #[arg(long, value_name = "M")]
    members: Option<usize>,
    /// Model the target on a log scale: `log` (z = log y; every target must be > 0) or
    /// `log1p` (z = log(1 + y); every target ≥ 0). The network is fitted to z, so --tau
    /// (or --weight-decay) is then for z; every prediction and figure is reported in the
    /// original units of the target: the mean of the back-transformed predictive (not exp
    /// of the mean), intervals from the quantiles of z, RMSE, the log-likelihood with the
    /// Jacobian (comparable with an untransformed model's), samples and draws. For a
    /// single-target MC-dropout regressor (not yet for --method, several targets or a
    /// classifier). Stored in the model file.
    #[arg(long, value_enum, default_value_t = TransformArg::None)]
    target_transform: TransformArg,
    #[command(flatten)]
    compute: Compute,
    /// Where to write the model (written atomically; the folder must exist).
    #[arg(long, value_name = "MODEL")]
    out: PathBuf,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ActivationArg {
    Relu,
    Tanh,
    Sigmoid,
    Identity,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum TauUnitsArg {
    Gal,
    Standardised,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LossArg {
    Gal,
    Halved,
}

/// `--target-transform` (`train`, `search`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum TransformArg {
    /// The target as it is.
    None,
    /// z = log y.
    Log,
    /// z = log(1 + y).
    Log1p,
}

impl TransformArg {
    /// The library's transform.
    pub(super) fn transform(self) -> TargetTransform {
        match self {
            Self::None => TargetTransform::None,
            Self::Log => TargetTransform::Log,
            Self::Log1p => TargetTransform::Log1p,
        }
    }
}

/// A target outside the transform's domain as `FILE:LINE: …`, other errors unchanged.
pub(super) fn transform_error(table: &mcdropout::data::Table, e: mcdropout::Error) -> CliError {
    match e {
        mcdropout::Error::TargetOutOfDomain {
            column,
            row,
            value,
            transform,
            requirement,
        } => CliError::Msg(format!(
            "{}:{}: target column {column}: {value} is not {requirement}; --target-transform {transform} needs every target {requirement} (this is the first row that is not)",
            table.path.display(),
            table.lines.get(row.wrapping_sub(1)).copied().unwrap_or(row)
        )),
        e => e.into(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OptimizerArg {
    Adam,
    Sgd,
}

impl TrainArgs {
    /// Checks every argument before any work is done.
    fn validate(&self) -> CliResult<Noise> {
        if self.optimizer == OptimizerArg::Adam {
            not_applicable(
                &["momentum"],
                "--momentum is for --optimizer sgd; Adam has its own moments",
            )?;
        }
        if self.task == Task::Classify {
            not_applicable(
                &["tau_units", "loss"],
                "they set the regression loss; a classifier is trained by cross-entropy",
            )?;
        }
        let noise = match (self.tau, self.weight_decay) {
            _ if self.task == Task::Classify => classify::noise(self)?,
            (Some(tau), None) => {
                check_positive("--tau", tau)?;
                Noise::Tau(tau)
            }
            (None, Some(l)) => {
                check_positive("--weight-decay", l)?;
                Noise::WeightDecay(l)
            }
            (Some(_), Some(_)) => {
                return Err(invalid(
                    "--tau",
                    "--tau and --weight-decay are mutually exclusive; give one",
                ));
            }
            (None, None) => {
                let cmd = <Self as Args>::augment_args(clap::Command::new("mcdropout train"));
                let mut cmd = cmd;
                return Err(CliError::Usage(cmd.error(
                    clap::error::ErrorKind::MissingRequiredArgument,
                    format!("missing --tau or --weight-decay. {TAU_HELP}"),
                )));
            }
        };
        check_rate("--dropout", self.dropout)?;
        check_positive("--length-scale", self.length_scale)?;
        check_positive("--lr", self.lr)?;
        if self.batch == 0 {
            return Err(invalid(
                "--batch",
                "the batch size must be at least 1, got 0",
            ));
        }
        if self.epochs == 0 {
            return Err(invalid("--epochs", "must be at least 1, got 0"));
        }
        if self.hidden.is_empty() || self.hidden.contains(&0) {
            return Err(invalid(
                "--hidden",
                format!(
                    "every hidden layer needs at least one unit, got {:?}",
                    self.hidden
                ),
            ));
        }
        if !(0.0..1.0).contains(&self.momentum) {
            return Err(invalid(
                "--momentum",
                format!("must be in [0, 1), got {}", self.momentum),
            ));
        }
        self.compute.validate()?;
        check_output_path("--out", &self.out, &[("--data", &self.data)])?;
        Ok(noise)
    }

    fn params(&self, noise: Noise) -> RegressorParams {
        let mut p = RegressorParams::default();
        p.hidden = self.hidden.clone();
        p.activation = match self.activation {
            ActivationArg::Relu => Activation::Relu,
            ActivationArg::Tanh => Activation::Tanh,
            ActivationArg::Sigmoid => Activation::Sigmoid,
            ActivationArg::Identity => Activation::Identity,
        };
        p.dropout = self.dropout;
        p.length_scale = self.length_scale;
        p.noise = noise;
        p.tau_units = match self.tau_units {
            TauUnitsArg::Gal => TauUnits::Gal,
            TauUnitsArg::Standardised => TauUnits::Standardised,
        };
        p.train.loss = match self.loss {
            LossArg::Gal => LossConvention::Gal,
            LossArg::Halved => LossConvention::Halved,
        };
        p.train.epochs = self.epochs;
        p.train.batch_size = self.batch;
        p.train.optimizer = match self.optimizer {
            OptimizerArg::Adam => Optimizer::Adam {
                lr: self.lr,
                beta1: 0.9,
                beta2: 0.999,
                eps: 1e-7,
            },
            OptimizerArg::Sgd => Optimizer::Sgd {
                lr: self.lr,
                momentum: self.momentum,
            },
        };
        p.train.seed = self.compute.seed;
        p.target_transform = self.target_transform.transform();
        p.train.precision = if self.precision == "f64" {
            Precision::F64
        } else {
            Precision::F32
        };
        p
    }
}

/// Runs `mcdropout train`.
pub fn run(args: TrainArgs) -> CliResult<()> {
    if args.target_transform != TransformArg::None {
        let why = if methods::is_method_run(&args) {
            Some("a --method concrete|ensemble or --heteroscedastic model")
        } else if args.task == Task::Classify {
            Some("a classifier (class labels have no log scale)")
        } else if args.target.contains(',') {
            Some("several targets")
        } else {
            None
        };
        if let Some(why) = why {
            return Err(super::common::invalid(
                "--target-transform",
                format!(
                    "does not apply yet to {why}: only to a single-target MC-dropout regressor"
                ),
            ));
        }
    }
    if methods::is_method_run(&args) {
        return methods::run(args);
    }
    not_applicable(&["members"], "--members is for --method ensemble")?;
    let noise = args.validate()?;
    let start = Instant::now();
    let compute = args.compute.clone();
    if args.task == Task::Classify {
        return compute.run(|| classify::train(&args, noise, start));
    }
    compute.run(|| train(&args, noise, start))
}

fn train(args: &TrainArgs, noise: Noise, start: Instant) -> CliResult<()> {
    if args.target.contains(',') {
        return multi::train(args, noise, start);
    }
    let fit = super::raw_table::load_for_fit(
        &args.data,
        args.drop_missing,
        args.header.rule(),
        &args.columns,
        &args.target,
        args.features.as_deref(),
    )?;
    let table = &fit.table;
    let (x, y, names, target) = table.features_and_target(&args.target, fit.features.as_deref())?;
    let mut params = args.params(noise);
    params.feature_names = Some(names.clone());
    params.target_name = Some(target.clone());

    let bar = ProgressBar::new(args.epochs as u64);
    if let Ok(style) =
        ProgressStyle::with_template("training {bar:40} epoch {pos}/{len} {msg} [{elapsed}<{eta}]")
    {
        bar.set_style(style);
    }
    let fitted = params.fit_with_progress(x.view(), y.view(), &mut |epoch, loss| {
        bar.set_position(epoch as u64);
        bar.set_message(format!("loss {loss:.4}"));
    });
    bar.finish_and_clear();
    let model = fitted.map_err(|e| match e {
        mcdropout::Error::TooFewRows { .. }
        | mcdropout::Error::ConstantTarget { .. }
        | mcdropout::Error::Spread { .. } => CliError::Msg(format!("{}: {e}", args.data.display())),
        e => transform_error(table, e),
    })?;
    let mut model = model;
    model.encoding = fit.encoding.clone();
    model::save(&model, &args.out)?;

    let rates = &model.network.arch.dropout;
    let lambdas = model.prior.weight_decays(rates);
    let lambda = if lambdas.windows(2).all(|w| w[0] == w[1]) {
        format!("{:.4e}", lambdas[0])
    } else {
        lambdas
            .iter()
            .map(|l| format!("{l:.4e}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let r = &model.report;
    note!(
        "trained on {} rows × {} features ({}) → {}; hidden {:?} {}, dropout {}",
        x.nrows(),
        names.len(),
        super::common::short_list(&names),
        target,
        args.hidden,
        args.activation
            .to_possible_value()
            .map_or_else(String::new, |v| v.get_name().to_owned()),
        args.dropout
    );
    note!(
        "epochs {} ({} steps), final loss {:.6}, training time {}",
        r.epochs,
        r.steps,
        r.final_loss,
        fmt_seconds(r.seconds)
    );
    note!(
        "τ = {} (noise std {} in target units), λ = {lambda} (l = {}, {:?} units)",
        super::common::fmt_value(model.tau()),
        super::common::fmt_value(1.0 / model.tau().sqrt()),
        model.prior.length_scale,
        model.prior.units
    );
    if !model.target_transform.is_none() {
        note!(
            "target transform: {} (the network models {}({target}); τ and the noise std above are in those units, predictions and figures in the units of {target})",
            model.target_transform,
            model.target_transform
        );
    }
    note!(
        "model written to {} ({} total)",
        args.out.display(),
        fmt_seconds(start.elapsed().as_secs_f64())
    );
    Ok(())
}
