//! Issue 23, item 3: `--target-transform log|log1p`. The library's figures follow from the
//! passes by the back-transform formulas (checked here from the kept samples, written out
//! independently); through the binary: a log model on log-normal data has the better
//! held-out log-likelihood, a target outside the domain names its line, the flag is refused
//! where it does not apply yet, the arrays are in original units, and a model file of the
//! previous format version (no transform field) predicts as before.

mod common;
use common::*;
use mcdropout::model::{self, Noise, RegressorParams, TargetTransform};
use mcdropout::predict::McOptions;
use ndarray::{Array1, Array2};
use rand::{Rng, SeedableRng};
use rand_distr::StandardNormal;
use rand_xoshiro::Xoshiro256PlusPlus;
use std::f64::consts::PI;
use std::path::Path;

/// Log-normal data: z = 0.5 + 1.5 x0 − x1 + `s` ε, y = exp(z) (minus `shift`, and at
/// least 0: with a shift of 1, zeros as in counts).
fn log_normal(n: usize, s: f64, shift: f64, seed: u64) -> (Array2<f64>, Array1<f64>) {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let x = Array2::from_shape_fn((n, 2), |_| rng.random::<f64>());
    let y = x
        .rows()
        .into_iter()
        .map(|r| {
            let e: f64 = rng.sample(StandardNormal);
            ((0.5 + 1.5 * r[0] - r[1] + s * e).exp() - shift).max(0.0)
        })
        .collect();
    (x, y)
}

fn fit(x: &Array2<f64>, y: &Array1<f64>, t: TargetTransform, tau: f64) -> model::Regressor {
    let mut p = RegressorParams::default();
    p.hidden = vec![20];
    p.noise = Noise::Tau(tau);
    p.train.epochs = 60;
    p.target_transform = t;
    p.fit(x.view(), y.view()).unwrap()
}

/// log((1/T) Σ_t N(z; μ_t, s²)) written out with the maximum subtracted.
fn log_mixture(mu: &[f64], z: f64, s2: f64) -> f64 {
    let terms: Vec<f64> = mu.iter().map(|m| -(z - m).powi(2) / (2.0 * s2)).collect();
    let max = terms.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let sum: f64 = terms.iter().map(|t| (t - max).exp()).sum();
    max + (sum / mu.len() as f64).ln() - 0.5 * (2.0 * PI * s2).ln()
}

// Tolerances of the library checks: the samples are g⁻¹(μ_t), so the test recovers
// μ_t = g(sample) within a few ulps of |μ_t| (about 1e-15 here, |μ_t| < 4) and every
// figure it recomputes from them is a sum of T exp terms in f64: 1e-12 relative covers the
// rounding of both sides with room. The variance is E[Y²] − E[Y]², whose cancellation costs
// a factor E[Y²] / Var[Y] (< 100 on these data): 1e-10 relative to E[Y²].

#[test]
fn predictions_are_the_back_transformed_mixture_of_the_passes() {
    for (t, shift) in [(TargetTransform::Log, 0.0), (TargetTransform::Log1p, 1.0)] {
        let (x, y) = log_normal(300, 0.25, shift, 1);
        let m = fit(&x, &y, t, 16.0);
        assert_eq!(m.target_transform, t);
        let s2 = 1.0 / m.tau();
        let mut opts = McOptions::new(200, 7);
        opts.keep_samples = true;
        opts.predictive_draws = true;
        let xt = x.slice(ndarray::s![..40, ..]).to_owned();
        let p = m.predict_mc(xt.view(), &opts).unwrap();
        let samples = p.samples.as_ref().unwrap();
        let draws = p.draws.as_ref().unwrap();
        let q = mcdropout::metrics::normal_quantile(0.975);
        let mut noise = Vec::new();
        for i in 0..xt.nrows() {
            let mu: Vec<f64> = samples.column(i).iter().map(|&s| t.forward(s)).collect();
            let tt = mu.len() as f64;
            let mean = mu.iter().map(|u| (u + s2 / 2.0).exp()).sum::<f64>() / tt - shift;
            let ey2 = mu.iter().map(|u| (2.0 * u + 2.0 * s2).exp()).sum::<f64>() / tt;
            // E[(Y + shift)²] − E[Y + shift]²: the shift does not change the variance.
            let var = ey2 - (mean + shift).powi(2);
            assert!(
                (p.mean[i] - mean).abs() < 1e-12 * mean.abs(),
                "{} {mean}",
                p.mean[i]
            );
            assert!(
                (p.total_var[i] - var).abs() < 1e-10 * ey2,
                "{} {var}",
                p.total_var[i]
            );
            assert!((p.std[i] - p.total_var[i].sqrt()).abs() < 1e-15 * p.std[i]);
            let alea = s2.exp_m1() * mu.iter().map(|u| (2.0 * u + s2).exp()).sum::<f64>() / tt;
            assert!((p.aleatoric_var_at(i) - alea).abs() < 1e-12 * alea);
            // The interval: central in z, mapped back.
            let mz = mu.iter().sum::<f64>() / tt;
            let vz = mu.iter().map(|u| (u - mz).powi(2)).sum::<f64>() / tt + s2;
            let lo = t.inverse(mz - q * vz.sqrt());
            let hi = t.inverse(mz + q * vz.sqrt());
            assert!(
                (p.lower[i] - lo).abs() < 1e-12 * lo.abs().max(1.0),
                "{} {lo}",
                p.lower[i]
            );
            assert!(
                (p.upper[i] - hi).abs() < 1e-12 * hi.abs(),
                "{} {hi}",
                p.upper[i]
            );
            assert!(p.lower[i] < p.mean[i] && p.mean[i] < p.upper[i]);
            for k in 0..mu.len() {
                noise.push(t.forward(draws[[k, i]]) - mu[k]);
            }
        }
        // The draws are g⁻¹(μ_t + ε), ε ~ N(0, s²): 8000 values of ε, whose sample mean has
        // std s / √8000 and sample std a relative std of 1/√16000: 5 such stds as the MC
        // tolerance.
        let n = noise.len() as f64;
        let mean = noise.iter().sum::<f64>() / n;
        let sd = (noise.iter().map(|e| (e - mean).powi(2)).sum::<f64>() / n).sqrt();
        assert!(mean.abs() < 5.0 * s2.sqrt() / n.sqrt(), "{mean}");
        assert!(
            (sd / s2.sqrt() - 1.0).abs() < 5.0 / (2.0 * n).sqrt(),
            "{sd}"
        );
        // The deterministic pass's point prediction is the mean of its log-normal.
        let det = m.predict(xt.view()).unwrap();
        assert!(det.iter().all(|&v| v > -shift));
    }
}

#[test]
fn evaluation_figures_carry_the_jacobian_and_original_units() {
    let (x, y) = log_normal(300, 0.25, 0.0, 2);
    let (xv, yv) = log_normal(60, 0.25, 0.0, 3);
    let t = TargetTransform::Log;
    let m = fit(&x, &y, t, 16.0);
    let s2 = 1.0 / m.tau();
    let mut opts = McOptions::new(100, 5);
    let e = m.evaluate(xv.view(), yv.view(), &opts).unwrap();
    opts.keep_samples = true;
    let p = m.predict_mc(xv.view(), &opts).unwrap();
    let samples = p.samples.unwrap();
    let (mut ll, mut llg, mut sq, mut inside) = (0.0, 0.0, 0.0, 0);
    for (i, &yi) in yv.iter().enumerate() {
        let mu: Vec<f64> = samples.column(i).iter().map(|s| s.ln()).collect();
        ll += log_mixture(&mu, yi.ln(), s2) - yi.ln();
        let mz = mu.iter().sum::<f64>() / mu.len() as f64;
        let vz = mu.iter().map(|u| (u - mz).powi(2)).sum::<f64>() / mu.len() as f64 + s2;
        // The moment-matched Gaussian in z is a log-normal in y.
        llg += -(yi * (2.0 * PI * vz).sqrt()).ln() - (yi.ln() - mz).powi(2) / (2.0 * vz);
        sq += (p.mean[i] - yi).powi(2);
        inside += usize::from(p.lower[i] <= yi && yi <= p.upper[i]);
    }
    let n = yv.len() as f64;
    assert!(
        (e.ll - ll / n).abs() < 1e-12 * e.ll.abs().max(1.0),
        "{} {}",
        e.ll,
        ll / n
    );
    assert!((e.ll_gaussian - llg / n).abs() < 1e-12 * llg.abs().max(n));
    assert!((e.mc_rmse - (sq / n).sqrt()).abs() < 1e-12 * e.mc_rmse);
    assert_eq!(e.coverage, inside as f64 / n);
    // The coverage of the 95 % interval on 60 fresh rows of the model's own family: at
    // least 80 % (a binomial(60, 0.95) is below 49 with probability < 1e-4; the fitted τ is
    // the true noise precision, so the interval is if anything too wide).
    assert!(e.coverage >= 0.8, "{}", e.coverage);
}

#[test]
fn targets_outside_the_domain_are_refused_naming_the_row() {
    let (x, mut y) = log_normal(50, 0.25, 0.0, 4);
    y[0] = 0.5;
    y[6] = 0.0;
    let mut p = RegressorParams::default();
    p.train.epochs = 1;
    p.target_transform = TargetTransform::Log;
    p.target_name = Some("price".into());
    let e = p.fit(x.view(), y.view()).unwrap_err();
    assert!(
        matches!(
            e,
            mcdropout::Error::TargetOutOfDomain {
                row: 7,
                value: 0.0,
                ..
            }
        ),
        "{e:?}"
    );
    let msg = e.to_string();
    assert_contains(&msg, &["price", "row 7", "> 0", "log"]);
    // log1p takes the zero, not a negative value.
    y.iter_mut().for_each(|v| *v = v.max(0.0));
    p.target_transform = TargetTransform::Log1p;
    let m = p.fit(x.view(), y.view()).unwrap();
    y[3] = -0.25;
    let e = m
        .evaluate(x.view(), y.view(), &McOptions::new(5, 0))
        .unwrap_err();
    assert!(
        matches!(e, mcdropout::Error::TargetOutOfDomain { row: 4, .. }),
        "{e:?}"
    );
}

#[test]
fn the_transform_is_stored_in_the_model_file() {
    let (x, y) = log_normal(80, 0.25, 0.0, 5);
    let m = fit(&x, &y, TargetTransform::Log, 16.0);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.model");
    model::save(&m, &path).unwrap();
    let back = model::load(&path).unwrap();
    assert_eq!(back, m);
    let opts = McOptions::new(30, 1);
    assert_eq!(
        back.predict_mc(x.view(), &opts).unwrap(),
        m.predict_mc(x.view(), &opts).unwrap()
    );
    let bytes = std::fs::read(&path).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    assert!(
        text.contains("\\\"target_transform\\\":\\\"log\\\""),
        "{text:.400}"
    );
}

// ---- through the binary ----

fn csv(x: &Array2<f64>, y: &Array1<f64>) -> String {
    let mut s = String::from("a,b,y\n");
    for (r, v) in x.rows().into_iter().zip(y) {
        s.push_str(&format!("{},{},{}\n", r[0], r[1], v));
    }
    s
}

fn eval_json(d: &Path, model: &str) -> serde_json::Value {
    let (out, _) = succeeds(
        d,
        &[
            "evaluate",
            "--model",
            model,
            "--data",
            "test.csv",
            "--target",
            "y",
            "--samples",
            "500",
            "--json",
        ],
    );
    serde_json::from_str(&out).unwrap()
}

fn train(d: &Path, extra: &[&str], out: &str) -> String {
    let mut args = vec![
        "train",
        "--data",
        "train.csv",
        "--target",
        "y",
        "--hidden",
        "30",
        "--epochs",
        "150",
        "--out",
        out,
    ];
    args.extend_from_slice(extra);
    succeeds(d, &args).1
}

#[test]
fn on_log_normal_data_a_log_model_has_the_better_held_out_log_likelihood() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (x, y) = log_normal(400, 0.4, 0.0, 11);
    let (xt, yt) = log_normal(200, 0.4, 0.0, 12);
    write(d, "train.csv", &csv(&x, &y));
    write(d, "test.csv", &csv(&xt, &yt));
    // The log model with the true noise precision of z (1/0.4²); the untransformed one
    // with a noise std of a third of the target's std (τ standardised = 9), a reasonable
    // choice for it (its noise is the same for every row, the data's is not).
    let notes = train(
        d,
        &["--tau", "6.25", "--target-transform", "log"],
        "log.model",
    );
    assert_contains(&notes, &["target transform: log"]);
    train(
        d,
        &["--tau", "9", "--tau-units", "standardised"],
        "plain.model",
    );
    let log = eval_json(d, "log.model");
    let plain = eval_json(d, "plain.model");
    assert_eq!(log["target_transform"], "log");
    assert!(plain.get("target_transform").is_none());
    let (l, p) = (log["ll"].as_f64().unwrap(), plain["ll"].as_f64().unwrap());
    assert!(l.is_finite() && p.is_finite());
    // Both are log-densities of y (the log model's with the Jacobian −log y), so they
    // compare; the log model is the data's own family and must be better.
    eprintln!("held-out LL: log model {l}, untransformed {p}");
    // The data's own log-density has expectation −½ log(2π 0.4²) − ½ − E[z] = −1.2526
    // (E[z] = 0.5 + 0.75 − 0.5): the held-out mean over 200 rows has a sampling std of
    // about 0.07 (per-row std ≈ 0.96); 0.3 allows 4 of them plus the fit's own error.
    assert!((l + 1.2526).abs() < 0.3, "{l}");
    assert!(l > p, "log model LL {l}, untransformed {p}");
    let (lg, pg) = (
        log["ll_gaussian"].as_f64().unwrap(),
        plain["ll_gaussian"].as_f64().unwrap(),
    );
    assert!(lg > pg, "Gaussian LL: log model {lg}, untransformed {pg}");
    let (table, _) = succeeds(
        d,
        &[
            "evaluate",
            "--model",
            "log.model",
            "--data",
            "test.csv",
            "--target",
            "y",
            "--samples",
            "50",
        ],
    );
    assert_contains(&table, &["target transform: log", "MC test log-likelihood"]);
}

#[test]
fn a_target_outside_the_domain_names_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Line 1 is the header; the zero is on line 4.
    write(
        d,
        "train.csv",
        "a,b,y\n0.1,0.2,1.5\n0.3,0.1,2.5\n0.2,0.4,0\n0.5,0.5,-2\n",
    );
    let args = |t: &'static str| {
        vec![
            "train",
            "--data",
            "train.csv",
            "--target",
            "y",
            "--tau",
            "1",
            "--epochs",
            "1",
            "--target-transform",
            t,
            "--out",
            "m.model",
        ]
    };
    fails_leaving_files_alone(
        d,
        &args("log"),
        &[
            "train.csv:4",
            "target column y",
            "0 is not > 0",
            "--target-transform log",
        ],
    );
    fails_leaving_files_alone(
        d,
        &args("log1p"),
        &["train.csv:5", "-2 is not ≥ 0", "--target-transform log1p"],
    );
    // The same check at evaluation, by line.
    write(
        d,
        "train.csv",
        "a,b,y\n0.1,0.2,1.5\n0.3,0.1,2.5\n0.2,0.4,0.5\n",
    );
    succeeds(d, &args("log"));
    write(d, "test.csv", "a,b,y\n0.1,0.2,1.5\n0.2,0.2,2\n0.3,0.1,-1\n");
    fails_leaving_files_alone(
        d,
        &[
            "evaluate", "--model", "m.model", "--data", "test.csv", "--target", "y",
        ],
        &["test.csv:4", "-1 is not > 0"],
    );
}

#[test]
fn the_flag_is_refused_where_it_does_not_apply_yet() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "train.csv",
        "a,b,y,w\n0.1,0.2,1.5,1\n0.3,0.1,2.5,2\n0.2,0.4,0.5,1\n",
    );
    let base = [
        "train",
        "--data",
        "train.csv",
        "--epochs",
        "1",
        "--target-transform",
        "log",
        "--out",
        "m.model",
    ];
    for extra in [
        &[
            "--target",
            "y",
            "--method",
            "concrete",
            "--tau",
            "1",
            "--dropout",
            "0.1",
        ][..],
        &["--target", "y", "--heteroscedastic"][..],
        &["--target", "y,w", "--tau", "1"][..],
        &["--target", "w", "--task", "classify"][..],
    ] {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        fails_leaving_files_alone(d, &args, &["--target-transform", "does not apply yet"]);
    }
}

#[test]
fn predicted_arrays_are_in_original_units() {
    use ndarray_npy::ReadNpyExt;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (x, y) = log_normal(200, 0.3, 0.0, 21);
    write(d, "train.csv", &csv(&x, &y));
    write(
        d,
        "test.csv",
        &csv(&x.slice(ndarray::s![..10, ..]).to_owned(), &y),
    );
    train(
        d,
        &["--tau", "11", "--target-transform", "log"],
        "log.model",
    );
    succeeds(
        d,
        &[
            "predict",
            "--model",
            "log.model",
            "--data",
            "test.csv",
            "--samples",
            "64",
            "--samples-out",
            "s.npy",
            "--draws-out",
            "d.npy",
            "--out",
            "p.csv",
        ],
    );
    let read = |f: &str| Array2::<f64>::read_npy(std::fs::File::open(d.join(f)).unwrap()).unwrap();
    let (s, dr) = (read("s.npy"), read("d.npy"));
    assert_eq!(s.dim(), (64, 10));
    assert!(s.iter().chain(dr.iter()).all(|&v| v > 0.0));
    let tau = model::load(&d.join("log.model")).unwrap().tau();
    let p = std::fs::read_to_string(d.join("p.csv")).unwrap();
    for (i, line) in p.lines().skip(1).enumerate() {
        let mean: f64 = line.split(',').next().unwrap().parse().unwrap();
        // The CSV's mean is the mean of exp(μ_t + τ⁻¹/2) with μ_t = log of the sample
        // (tolerance as in the library test: 1e-12 relative).
        let want = s
            .column(i)
            .iter()
            .map(|v| (v.ln() + 0.5 / tau).exp())
            .sum::<f64>()
            / 64.0;
        assert!((mean - want).abs() < 1e-12 * want, "row {i}: {mean} {want}");
    }
}

#[test]
fn a_model_file_of_the_previous_version_predicts_as_before() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (x, y) = log_normal(100, 0.3, 0.0, 31);
    write(d, "train.csv", &csv(&x, &y));
    write(d, "test.csv", &csv(&x, &y));
    train(d, &["--tau", "4"], "new.model");
    let bytes = std::fs::read(d.join("new.model")).unwrap();
    std::fs::write(
        d.join("v3.model"),
        as_older(&bytes, 3, &[",\"target_transform\":\"none\""]),
    )
    .unwrap();
    let predict = |m: &str| {
        succeeds(
            d,
            &[
                "predict",
                "--model",
                m,
                "--data",
                "test.csv",
                "--samples",
                "20",
            ],
        )
        .0
    };
    assert_eq!(predict("v3.model"), predict("new.model"));
}

/// `bytes` (a model file of the current version) rewritten as format version `version`
/// wrote it, without the fields `drop` (`,"name":value` as serialised), resealed.
fn as_older(bytes: &[u8], version: u32, drop: &[&str]) -> Vec<u8> {
    use safetensors::SafeTensors;
    use std::collections::HashMap;
    let st = SafeTensors::deserialize(bytes).unwrap();
    let (_, header) = SafeTensors::read_metadata(bytes).unwrap();
    let json = header.metadata().as_ref().unwrap()["mcdropout"].clone();
    let current = format!("\"format_version\":{}", model::FORMAT_VERSION);
    assert!(json.contains(&current), "{json}");
    let mut old = json.replace(&current, &format!("\"format_version\":{version}"));
    for field in drop {
        assert!(old.contains(field), "{field} in {old}");
        old = old.replace(field, "");
    }
    let crc_at = old.find("\"mcdropout_crc32\":\"").unwrap() + 19;
    old.replace_range(crc_at..crc_at + 8, "00000000");
    let views: Vec<(String, safetensors::tensor::TensorView)> = st.tensors().into_iter().collect();
    let mut out =
        safetensors::serialize(views, Some(HashMap::from([("mcdropout".to_string(), old)])))
            .unwrap();
    let needle = b"\\\"mcdropout_crc32\\\":\\\"00000000";
    let at = out.windows(needle.len()).position(|w| w == needle).unwrap() + needle.len() - 8;
    let crc = format!("{:08x}", crc32fast::hash(&out));
    out[at..at + 8].copy_from_slice(crc.as_bytes());
    out
}

/// `uci --data` with a transform: the standardised τ grid is converted with the variance of
/// log y (the units the network models), in closed form.
#[test]
fn the_protocols_tau_grid_is_in_the_units_of_the_transformed_target() {
    let (x, y) = log_normal(200, 0.4, 0.0, 31);
    let grid = [1.0, 4.0];
    let ds = mcdropout::search::plain::plain_dataset(
        "d",
        x.clone(),
        y.clone(),
        2,
        0.1,
        0,
        100,
        128,
        &grid,
        TargetTransform::Log,
    )
    .unwrap();
    let z = y.mapv(f64::ln);
    let n = z.len() as f64;
    let mean = z.sum() / n;
    // The Standardizer's std: the population std (ddof 0).
    let var = z.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    for (got, t) in ds.tau_values.iter().zip(grid) {
        assert!(
            (got - t / var).abs() <= 1e-12 * (t / var),
            "{got} vs {}",
            t / var
        );
    }
    // Untransformed, the variance of y itself.
    let ds = mcdropout::search::plain::plain_dataset(
        "d",
        x,
        y.clone(),
        2,
        0.1,
        0,
        100,
        128,
        &grid,
        TargetTransform::None,
    )
    .unwrap();
    let mean = y.sum() / n;
    let var = y.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    assert!((ds.tau_values[0] - 1.0 / var).abs() <= 1e-12 / var);
}

/// The protocol on log-normal data: the log model's held-out log-likelihood (in y's units,
/// with the Jacobian) beats the untransformed one's on the same seeded splits, and a target outside the domain is refused naming its line.
#[test]
fn uci_data_runs_the_protocol_on_a_transformed_target() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (x, y) = log_normal(300, 0.5, 0.0, 41);
    write(d, "d.csv", &csv(&x, &y));
    let run = |t: &str| {
        let (out, _) = succeeds(
            d,
            &[
                "uci",
                "--data",
                "d.csv",
                "--target",
                "y",
                "--random-splits",
                "3",
                "--grid-dropout",
                "0.05",
                "--target-steps",
                "1500",
                "--samples",
                "200",
                "--target-transform",
                t,
                "--out",
                t,
            ],
        );
        let row = out
            .lines()
            .find(|l| l.starts_with("| d |"))
            .unwrap()
            .to_owned();
        // | dataset | splits | RMSE | MC RMSE | MC RMSE (Gal) | test LL | …: the LL's mean.
        let ll = row.split('|').nth(6).unwrap().trim();
        ll.split(' ').next().unwrap().parse::<f64>().unwrap()
    };
    let (log, none) = (run("log"), run("none"));
    assert!(log > none + 0.05, "log {log} vs none {none}");
    let mut bad = csv(&x, &y);
    bad = bad.replacen("\n", "\n0.5,0.5,-2\n", 1);
    write(d, "bad.csv", &bad);
    fails_leaving_files_alone(
        d,
        &[
            "uci",
            "--data",
            "bad.csv",
            "--target",
            "y",
            "--target-transform",
            "log",
        ],
        &["bad.csv:2", "-2", "--target-transform log"],
    );
}
