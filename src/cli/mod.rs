//! The command-line interface: one module per subcommand, shared helpers in [`common`].

mod active;
mod bandit;
mod bench;
mod co2;
mod common;
mod dataset;
mod demo;
mod digits;
mod evaluate;
mod gp;
mod info;
mod numbers;
mod parquet_out;
mod predict;
mod raw_table;
mod search;
mod task;
mod train;
mod uci;
mod uci_plain;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use common::CliError;
use std::process::ExitCode;

/// Monte-Carlo dropout (Gal & Ghahramani, 2016) for regression and classification: neural
/// networks with honest predictive uncertainty, by keeping dropout on at prediction time
/// and averaging many stochastic passes; exact Gaussian processes alongside.
#[derive(Debug, Parser)]
#[command(name = "mcdropout", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Train a dropout regression network (or, with --task classify, a classifier) on a data
    /// file and save it.
    ///
    /// The data file is CSV or whitespace-separated, with or without a header line, or Parquet. Inputs
    /// and target are standardised with the training statistics. Exactly one of --tau and
    /// --weight-decay is required: there is no dataset-independent default for the noise
    /// precision τ (in target units⁻², e.g. 1/(expected noise std)²). With τ, each layer's
    /// weight decay is λ = l² (1 − p) / (2 N τ); with --weight-decay, τ follows from it.
    /// A progress bar is shown on a terminal; a summary (epochs, final loss, time, τ, λ)
    /// goes to stderr. A loss that becomes NaN or infinite stops training and writes no
    /// model. With --task classify the target holds integer class labels and a softmax
    /// classifier is trained instead (cross-entropy + weight decay; no --tau).
    Train(train::TrainArgs),
    /// Predict with a saved model: MC-dropout mean, uncertainty and interval per row.
    ///
    /// For every row of the data file, runs T stochastic passes and writes the predictive
    /// mean, the total standard deviation and its two parts (epistemic: the spread of the
    /// passes; aleatoric: the noise std τ^(-1/2)) and the central interval at --level of
    /// the moment-matched Gaussian (columns mean, std, epistemic_std, aleatoric_std, lower,
    /// upper), as CSV with a header line or as a JSON array of objects. The file's columns are taken by the
    /// model's feature names when its header names them all; otherwise it must hold exactly
    /// the model's number of features, in training order. For a classifier the columns are
    /// the mean probability of every class (p_<label>), class, entropy, mutual_info and
    /// variation_ratio.
    Predict(predict::PredictArgs),
    /// Evaluate a saved model on labelled data: RMSE, MC RMSE, test log-likelihood, coverage.
    ///
    /// Reports the RMSE of the deterministic (weight-averaged) pass, the RMSE of the MC
    /// predictive mean, the MC test log-likelihood (log-sum-exp over the T passes, with the
    /// model's τ), the log-likelihood of the moment-matched Gaussian, the coverage of the
    /// central interval at --level, the mean predictive std, n and T. The features are
    /// taken by the model's feature names when the header names them all; otherwise every
    /// column except the target, in training order. For a classifier: accuracy, NLL,
    /// Brier, ECE and MCE of the deterministic pass and of MC dropout (--reliability draws
    /// the reliability diagram).
    Evaluate(evaluate::EvaluateArgs),
    /// Reproduce MC dropout on Wine Quality Red (shipped with the tool); no arguments needed.
    ///
    /// Loads Wine Quality Red (1599 wines, 11 features, target quality; via
    /// linfa-datasets), makes a seeded random 90/10 train/test split, trains Gal's network
    /// for this dataset (one hidden layer of 50 ReLU units, dropout p = 0.01 on the input
    /// and hidden layer, τ = 3.0, Adam, batch 128, 4000 epochs as in the paper), predicts
    /// the test set with T Monte-Carlo passes and prints RMSE, MC RMSE and test
    /// log-likelihood next to the published MC-dropout figures (mean ± standard error over
    /// Gal's 20 splits).
    Demo(demo::DemoArgs),
    /// Run Gal's UCI regression protocol (the paper's Table 1) on datasets in his layout.
    ///
    /// For every split: the first 80 % of the training indices train a net for every
    /// (dropout rate, τ) of the grid files, the last 20 % score it by MC log-likelihood;
    /// the best pair is retrained on the whole training part and tested (RMSE of the
    /// deterministic pass, MC RMSE, MC log-likelihood with T samples). Prints mean ±
    /// standard error over the splits next to Gal's published figures. With --data FILE
    /// --target COL instead of --root, the same protocol runs on a plain data file with
    /// --random-splits seeded random splits (no folder layout needed).
    Uci(uci::UciArgs),
    /// Time one complete training run and one T-sample MC evaluation per UCI dataset.
    ///
    /// On split 0 of each dataset (Gal's layout), with the middle values of its dropout and
    /// τ grids: trains once with the published number of epochs (one thread) and evaluates
    /// the test part with T MC samples (all threads), printing the time per optimiser step
    /// and per stochastic pass.
    Bench(bench::BenchArgs),
    /// Fit an exact Gaussian-process regression to a data file and save it.
    ///
    /// Inputs and target are standardised with the training statistics; the kernel's
    /// parameters and the noise variance maximise the log marginal likelihood (L-BFGS in
    /// log-parameter space, with seeded restarts). The model file is read by `predict` and
    /// `evaluate` like a network's, with the same outputs (for a GP the predictive is
    /// Gaussian in closed form: --samples does not apply).
    Gp(gp::GpArgs),
    /// The paper's CO2 extrapolation experiment (its Figure 2).
    ///
    /// Reads Mauna Loa weekly CO2 (date YYYYMMDD, ppmv; weeks with an empty cell are
    /// dropped and counted), uses time in decimal years (standardised inside each model
    /// with the training statistics), trains on the earliest weeks and holds out the last
    /// --holdout fraction (15 %). Fits a ReLU and a tanh dropout network (4 × 64 units,
    /// p = 0.1 after every hidden layer; --paper-size for the paper's 4 × 1024), a GP with an SE kernel and one with
    /// SE + periodic; writes a four-panel figure (data, predictive mean, ±2 std bands, end
    /// of training marked) as co2.png and co2.svg and all curves as co2.json, and prints
    /// held-out RMSE, test log-likelihood and 95 % interval coverage per model.
    Co2(co2::Co2Args),
    /// Classification uncertainty on the 8×8 digits: the rotated "1" and FGSM experiments.
    ///
    /// Trains a dropout MLP on a seeded 2/3 : 1/3 split; prints test accuracy, NLL, Brier,
    /// ECE and MCE of the deterministic pass and of MC dropout; rotates a test "1" from 0°
    /// to 180° in 12 steps (bilinear, about the centre) and plots the T softmax inputs and
    /// outputs of the top classes with the predictive entropy and mutual information per
    /// angle; reports the AUROC / AUPR of entropy and of mutual information for unrotated
    /// vs 90°-rotated test images; and sweeps the fast gradient sign method (FGSM) step ε,
    /// reporting the deterministic net's accuracy and confidence next to MC dropout's
    /// entropy and mutual information. Writes PNG and SVG figures, digits.md and
    /// digits.json to --out.
    Digits(digits::DigitsArgs),
    /// Choose the dropout rate p and the noise precision τ on a data file, then train on
    /// all of it with the winner.
    ///
    /// Holds out a seeded random validation part (--validation-fraction, default 20 %) or
    /// uses K folds (--folds), trains a network for every (p, τ) of the grid (Gal's dropout
    /// grid; τ in standardised units, 1…128 by default) and scores it by validation MC
    /// log-likelihood; when the best value of p or τ sits on the grid's edge, the grid is
    /// widened beyond that edge (at most --max-widenings rounds). The winner is retrained
    /// on every row (same epochs) and saved; the search's table (every point: p, τ, val
    /// LL, val RMSE, time) is printed and a JSON report written. Epochs follow from a
    /// target of 10 000 optimiser steps per training, not a fixed 40.
    Search(search::SearchArgs),
    /// Write a dataset shipped inside the tool to a CSV file (header line, targets last).
    ///
    /// diabetes (Efron et al. 2004, as in scikit-learn; 441 rows here, 10 features, target
    /// progression), linnerud (20 rows, 3 features, 3 targets Weight, Waist, Pulse) or
    /// wine (Wine Quality Red, 1599 rows). With --test-fraction F and --test-out, a seeded
    /// random fraction F of the rows goes to the test file and the rest to --out.
    Dataset(dataset::DatasetArgs),
    /// Bayesian active learning on the 8×8 digits: acquisition functions compared.
    ///
    /// Holds out a seeded third of the digits for testing; starts from a small labelled
    /// set balanced over the classes and acquires --batch images per round from the rest
    /// (the pool) by the chosen acquisition functions (BALD, variation ratio, max entropy,
    /// mean std, random), scored from one MC-dropout run of T passes over the pool. The
    /// network is retrained from scratch each round (no warm start, so that no function
    /// inherits a net shaped by earlier acquisitions) for a fixed number of optimiser steps.
    /// Writes active.md (labels needed to reach 90 % and 95 % test accuracy per function),
    /// active.json and active.png / active.svg (test accuracy against labels, mean ± 1
    /// standard error over the seeds) to --out.
    ///
    /// Default settings and why: 2 images per class to start (20 labels, the same for
    /// every function), batches of 10, 380 acquisitions (400 labels: every uncertainty
    /// function passes 95 % well before that), one hidden layer of 128 ReLU units with
    /// dropout 0.5, 500 Adam steps of 32 images per training (a constant cost per round),
    /// T = 20 passes, 10 seeds: all five functions run in about 2.5 minutes on 2 cores.
    Active(active::ActiveArgs),
    /// Thompson sampling on the wheel bandit (Riquelme, Tucker & Snoek, ICLR 2018).
    ///
    /// For every δ and seed: uniform, exact Bayesian linear regression Thompson sampling
    /// (Normal-inverse-gamma posterior per arm, a0 = b0 = 6, λ = 0.25), Thompson sampling
    /// with MC-dropout networks (one fresh mask set per decision) and greedy (the same
    /// networks, dropout off). Reports cumulative expected regret as a percentage of the
    /// uniform policy's (mean ± standard error over seeds) and writes bandit.md,
    /// bandit.json and bandit.png / bandit.svg (regret over time) to --out.
    Bandit(bandit::BanditArgs),
    /// Print the version, the SIMD level the kernels run at and the levels this processor
    /// has.
    ///
    /// The level is the best the processor has unless MCDROPOUT_SIMD=avx512|avx2|portable
    /// (or native) picks another; a level the processor lacks stops every command with an
    /// error. Every result is the same, bit for bit, at every level.
    Info(info::InfoArgs),
}

/// Parses the command line, runs the subcommand and maps errors to `error: <message>` on
/// stderr with exit code 1 (2 for usage errors, from clap). A closed stdout is not an error.
/// The Parquet decoder can panic on a damaged file; the library catches that and returns
/// an error naming the file, so the default hook's message and backtrace note would only be
/// noise before it. Every other panic is reported as before.
fn quiet_parquet_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !mcdropout::data::decoding_parquet() {
            default(info);
        }
    }));
}

pub fn main() -> ExitCode {
    // The SIMD level first: `--version` prints it, and a level the processor lacks is an
    // error before any work (but after `--help` and usage errors).
    let level = mcdropout::simd::init_from_env();
    let version: &'static str = Box::leak(info::version_line(&level).into_boxed_str());
    let matches = negative_values_reach_their_flag(Cli::command().version(version)).get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    if let Some((_, sub)) = matches.subcommand() {
        common::record_given(sub);
        if let Err(e) = numbers::check(sub) {
            common::note!("error: {e}");
            return ExitCode::FAILURE;
        }
    }
    if let Err(e) = level {
        common::note!("error: {e}");
        return ExitCode::FAILURE;
    }
    install_interrupt_handler();
    quiet_parquet_panics();
    let result = match cli.command {
        Command::Train(args) => train::run(args),
        Command::Predict(args) => predict::run(args),
        Command::Evaluate(args) => evaluate::run(args),
        Command::Demo(args) => demo::run(args),
        Command::Uci(args) => uci::run(args),
        Command::Bench(args) => bench::run(args),
        Command::Gp(args) => gp::run(args),
        Command::Co2(args) => co2::run(args),
        Command::Digits(args) => digits::run(args),
        Command::Search(args) => search::run(args),
        Command::Dataset(args) => dataset::run(args),
        Command::Active(args) => active::run(args),
        Command::Bandit(args) => bandit::run(args),
        Command::Info(args) => info::run(args),
    };
    match result {
        Ok(()) | Err(CliError::BrokenPipe) => ExitCode::SUCCESS,
        Err(CliError::Usage(err)) => err.exit(),
        Err(e) => {
            common::note!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Lets every option that takes a value accept one starting with `-`, so `--epochs -1`
/// is refused by that option's own parser, naming `--epochs`, rather than read as an
/// unknown flag `-1`.
fn negative_values_reach_their_flag(cmd: clap::Command) -> clap::Command {
    cmd.mut_args(|a| {
        if a.get_action().takes_values() && !a.is_positional() {
            a.allow_negative_numbers(true)
        } else {
            a
        }
    })
    .mut_subcommands(negative_values_reach_their_flag)
}

/// On SIGINT, SIGTERM or SIGHUP: removes the temporary file of any output being written,
/// says so, and exits with status 130 (nothing half-written is left behind).
fn install_interrupt_handler() {
    let installed = ctrlc::set_handler(|| {
        let removed = mcdropout::output::cleanup::remove_pending();
        let what = if removed > 0 {
            "; the output being written was discarded"
        } else {
            ""
        };
        common::note!("interrupted{what}");
        std::process::exit(130);
    });
    if let Err(e) = installed {
        common::note!("note: cannot install the interrupt handler: {e}");
    }
}
