//! Every SIMD level gives the same bits (the promise of `mcdropout::simd`): whole jobs —
//! training (Gal's net through the fused step, a deeper net through the general path, f32
//! and f64, ReLU / tanh / sigmoid), MC prediction and its log-likelihood, a classifier,
//! Concrete dropout with the heteroscedastic head, an exact GP — run at each level the
//! processor has and are compared bit for bit with the portable level; and the built
//! binary's `demo` prints the same figures under `MCDROPOUT_SIMD=avx512|avx2|portable`.
//!
//! A comparison of a level against the portable one is marked `ignore` (with the reason)
//! where the processor lacks that level, and checks at run time that the level really runs.
//! Off x86-64 only the portable level exists: there is nothing to compare.
#![cfg_attr(not(mcdropout_x86), allow(dead_code, unused_imports))]

use assert_cmd::Command;
use mcdropout::classify::ClassifierParams;
use mcdropout::gp::GpParams;
use mcdropout::methods::{Method, MethodParams};
use mcdropout::model::{Noise, RegressorParams};
use mcdropout::nn::Activation;
use mcdropout::predict::McOptions;
use mcdropout::simd::{self, Level};
use mcdropout::train::Precision;
use ndarray::{Array1, Array2, Axis};
use std::sync::Mutex;

/// The level is global to the process: one test at a time sets it.
static LEVEL: Mutex<()> = Mutex::new(());

/// Deterministic inputs: `n × k`, smooth in the row index, different per column.
fn inputs(n: usize, k: usize) -> Array2<f64> {
    Array2::from_shape_fn((n, k), |(i, j)| {
        ((i * (7 + 2 * j) + 3 * j) % 97) as f64 / 48.5 - 1.0 + 0.01 * j as f64
    })
}

fn target(x: &Array2<f64>) -> Array1<f64> {
    x.map_axis(Axis(1), |r| {
        (2.0 * r[0]).sin() + 0.5 * r[r.len() - 1] * r[0] + 0.1 * (13.0 * r[1]).cos()
    })
}

/// The bits of every number a job produced.
fn bits(values: impl IntoIterator<Item = f64>) -> Vec<u64> {
    values.into_iter().map(f64::to_bits).collect()
}

/// A regression network trained and evaluated: weights, MC mean and variance, test LL.
fn regression(hidden: &[usize], act: Activation, precision: Precision) -> Vec<u64> {
    let x = inputs(300, 6);
    let y = target(&x);
    let mut p = RegressorParams::default();
    p.hidden = hidden.to_vec();
    p.activation = act;
    p.dropout = 0.1;
    p.noise = Noise::Tau(20.0);
    p.train.epochs = 15;
    p.train.batch_size = 64;
    p.train.precision = precision;
    p.train.seed = 11;
    let model = p.fit(x.view(), y.view()).unwrap();
    let xt = inputs(77, 6).mapv(|v| v * 1.3);
    let yt = target(&xt);
    let opts = McOptions::new(300, 5);
    let pred = model.predict_mc(xt.view(), &opts).unwrap();
    let ev = model.evaluate(xt.view(), yt.view(), &opts).unwrap();
    let mut out: Vec<f64> = model
        .network
        .layers
        .iter()
        .flat_map(|l| l.weights.iter().chain(&l.bias).copied())
        .collect();
    out.extend(pred.mean.iter().chain(&pred.epistemic_var).copied());
    out.extend([ev.rmse, ev.mc_rmse, ev.ll, ev.ll_gaussian, ev.coverage]);
    bits(out)
}

fn classifier() -> Vec<u64> {
    let x = inputs(240, 4);
    let y: Array1<f64> = x.map_axis(Axis(1), |r| {
        if r[0] + 0.5 * r[1] > 0.3 {
            2.0
        } else if r[2] > 0.0 {
            1.0
        } else {
            0.0
        }
    });
    let mut p = ClassifierParams::default();
    p.dropout = 0.2;
    p.train.epochs = 20;
    let model = p.fit(x.view(), y.view()).unwrap();
    let pred = model.predict_mc(x.view(), &McOptions::new(100, 2)).unwrap();
    let mut out: Vec<f64> = pred.probs.iter().copied().collect();
    out.extend(pred.mutual_info.iter().copied());
    bits(out)
}

fn concrete() -> Vec<u64> {
    let x = inputs(200, 3);
    let y = target(&x);
    let mut p = MethodParams::new(Method::Concrete);
    p.base.train.epochs = 10;
    let model = p.fit(x.view(), y.view()).unwrap();
    let pred = model.predict_mc(x.view(), &McOptions::new(100, 4)).unwrap();
    let mut out: Vec<f64> = model.dropout_rates().into_iter().flatten().collect();
    out.extend(pred.mean.iter().chain(&pred.aleatoric_var).copied());
    bits(out)
}

fn gp() -> Vec<u64> {
    let x = inputs(150, 3);
    let y = target(&x);
    let p = GpParams::default();
    let model = p.fit(x.view(), y.view()).unwrap();
    let pred = model.predict(inputs(40, 3).view(), 0.95).unwrap();
    bits(pred.mean.iter().chain(&pred.epistemic_var).copied())
}

/// Every job, in a fixed order, with its name.
fn jobs() -> Vec<(&'static str, Vec<u64>)> {
    vec![
        (
            "Gal's net, f32, ReLU (fused step)",
            regression(&[50], Activation::Relu, Precision::F32),
        ),
        (
            "Gal's net, f32, tanh (fused step)",
            regression(&[50], Activation::Tanh, Precision::F32),
        ),
        (
            "one layer of 50, f64, sigmoid",
            regression(&[50], Activation::Sigmoid, Precision::F64),
        ),
        (
            "two layers of 100, f32, ReLU",
            regression(&[100, 100], Activation::Relu, Precision::F32),
        ),
        (
            "two layers of 40, f64, tanh",
            regression(&[40, 40], Activation::Tanh, Precision::F64),
        ),
        ("classifier", classifier()),
        ("Concrete dropout, heteroscedastic", concrete()),
        ("exact GP", gp()),
    ]
}

fn run_at(level: Level) -> Vec<(&'static str, Vec<u64>)> {
    simd::set_level(level).unwrap();
    assert_eq!(simd::level(), level);
    jobs()
}

/// `level`'s results against the portable level's, job by job.
fn same_as_portable(level: Level) {
    let _one = LEVEL.lock().unwrap_or_else(|e| e.into_inner());
    assert!(
        level.is_supported(),
        "the build found {level} on this processor, the run does not"
    );
    let a = run_at(level);
    let b = run_at(Level::Portable);
    simd::set_level(simd::native()).unwrap();
    for ((name, x), (_, y)) in a.iter().zip(&b) {
        assert!(x.len() > 10, "{name}: too few numbers to compare");
        let differ = x.iter().zip(y).filter(|(p, q)| p != q).count();
        assert_eq!(
            differ,
            0,
            "{name}: {differ} of {} numbers differ between {level} and portable",
            x.len()
        );
    }
}

#[test]
#[cfg(mcdropout_x86)]
#[cfg_attr(
    not(mcdropout_host_avx512),
    ignore = "this processor lacks AVX-512 (avx512f, avx512vl): nothing to compare at that level"
)]
fn avx512_gives_the_portable_bits() {
    same_as_portable(Level::Avx512);
}

#[test]
#[cfg(mcdropout_x86)]
#[cfg_attr(
    not(mcdropout_host_avx2),
    ignore = "this processor lacks AVX2 and FMA: nothing to compare at that level"
)]
fn avx2_gives_the_portable_bits() {
    same_as_portable(Level::Avx2);
}

/// The binary's `demo` (fewer epochs and passes than its defaults, to stay quick at the
/// portable level), run under `MCDROPOUT_SIMD=level`: its report without the wall-time
/// line.
fn demo_at(level: &str) -> String {
    let out = Command::cargo_bin("mcdropout")
        .unwrap()
        .env("MCDROPOUT_SIMD", level)
        .args(["demo", "--epochs", "300", "--samples", "2000"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("MC test log-likelihood"), "{text}");
    text.lines()
        .filter(|l| !l.starts_with("wall time"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
#[cfg(mcdropout_x86)]
#[cfg_attr(
    not(mcdropout_host_avx512),
    ignore = "this processor lacks AVX-512 (avx512f, avx512vl): nothing to compare at that level"
)]
fn demo_prints_the_same_figures_at_avx512_and_portable() {
    assert_eq!(demo_at("avx512"), demo_at("portable"));
}

#[test]
#[cfg(mcdropout_x86)]
#[cfg_attr(
    not(mcdropout_host_avx2),
    ignore = "this processor lacks AVX2 and FMA: nothing to compare at that level"
)]
fn demo_prints_the_same_figures_at_avx2_and_portable() {
    assert_eq!(demo_at("avx2"), demo_at("portable"));
}

/// A level the processor lacks, or a name that is no level, stops the binary before any
/// work with a message naming the variable; `info` reports the level in use.
#[test]
fn the_switch_refuses_bad_levels_and_info_reports_it() {
    let bin = || Command::cargo_bin("mcdropout").unwrap();
    let out = bin()
        .env("MCDROPOUT_SIMD", "sse9")
        .arg("info")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("error: MCDROPOUT_SIMD=\"sse9\": not a level"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
    for level in Level::ALL {
        let out = bin()
            .env("MCDROPOUT_SIMD", level.name())
            .arg("info")
            .output()
            .unwrap();
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        if level.is_supported() {
            assert!(out.status.success(), "{stderr}");
            assert!(
                stdout.contains(&format!("simd level:     {level}\n")),
                "{stdout}"
            );
        } else {
            assert_eq!(out.status.code(), Some(1), "{level}: {stdout}");
            assert!(stderr.contains("this processor lacks"), "{stderr}");
        }
    }
    let out = bin()
        .env_remove("MCDROPOUT_SIMD")
        .arg("--version")
        .output()
        .unwrap();
    let v = String::from_utf8_lossy(&out.stdout);
    assert!(v.contains(&format!("SIMD level {}", simd::native())), "{v}");
}
