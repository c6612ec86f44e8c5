//! Issue 9, item 4: requests that would need absurd memory or time are refused by the
//! built binary before anything is allocated, with the estimate and the limit in the
//! message; the limits are overridable by environment variables; nothing is written.

mod common;
use common::*;

#[test]
fn absurd_sizes_are_refused_with_the_estimate() {
    let dir = trained();
    let d = dir.path();
    write(d, "x.csv", "x1,x2,x3\n0.1,0.2,0.3\n");
    let train = |extra: &[&'static str]| {
        let mut a = vec![
            "train",
            "--data",
            "train.csv",
            "--target",
            "y",
            "--tau",
            "1",
            "--out",
            "new.st",
        ];
        a.extend_from_slice(extra);
        a
    };
    for (args, words) in [
        (
            train(&["--hidden", "100000000000"]),
            &[
                "refusing a network",
                "TiB of memory",
                "MCDROPOUT_MAX_MEMORY",
            ][..],
        ),
        (
            train(&["--epochs", "1000000000000000"]),
            &[
                "refusing training",
                "floating-point operations",
                "MCDROPOUT_MAX_WORK",
            ][..],
        ),
        (
            vec![
                "predict",
                "--model",
                "model.st",
                "--data",
                "x.csv",
                "--samples",
                "100000000000000000",
                "--out",
                "p.csv",
            ],
            &[
                "refusing 100000000000000000 Monte-Carlo samples",
                "of memory",
            ][..],
        ),
        (
            vec![
                "evaluate",
                "--model",
                "model.st",
                "--data",
                "train.csv",
                "--target",
                "y",
                "--samples",
                "3",
                "--elbo",
                "--elbo-samples",
                "1000000000000",
            ],
            &["refusing 1000000000000 Monte-Carlo samples"][..],
        ),
        (
            vec![
                "gp",
                "--data",
                "train.csv",
                "--target",
                "y",
                "--restarts",
                "1000000000000",
                "--out",
                "g.st",
            ],
            &[
                "refusing fitting a Gaussian process",
                "1000000000001 starting points",
            ][..],
        ),
        (
            vec![
                "predict",
                "--model",
                "model.st",
                "--data",
                "x.csv",
                "--threads",
                "1000000",
                "--out",
                "p.csv",
            ],
            &["1000000 worker threads", "at most 1024"][..],
        ),
    ] {
        fails_leaving_files_alone(d, &args, words);
    }
}

#[test]
fn limits_are_overridable_and_cover_gp_size() {
    let dir = trained();
    let d = dir.path();
    let gp = [
        "gp",
        "--data",
        "train.csv",
        "--target",
        "y",
        "--out",
        "g.st",
    ];
    // 40 points: a 2 × 40² × 8-byte kernel matrix is 25 KiB; a 16 KiB budget refuses it.
    let before = snapshot(d);
    let out = mcdropout(d)
        .args(gp)
        .env("MCDROPOUT_MAX_MEMORY", "16K")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_contains(
        &stderr,
        &[
            "refusing a Gaussian process on 40 training points",
            "16.0 KiB",
        ],
    );
    assert!(snapshot(d) == before);
    // A malformed value names the variable.
    let out = mcdropout(d)
        .args(gp)
        .env("MCDROPOUT_MAX_MEMORY", "lots")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_contains(
        &String::from_utf8_lossy(&out.stderr),
        &["MCDROPOUT_MAX_MEMORY", "\"lots\""],
    );
    // With the default it fits; a GP model file is then refused when the budget shrinks.
    succeeds(d, &gp);
    write(d, "x.csv", "x1,x2,x3\n0.1,0.2,0.3\n");
    let predict = [
        "predict", "--model", "g.st", "--data", "x.csv", "--out", "p.csv",
    ];
    let out = mcdropout(d)
        .args(predict)
        .env("MCDROPOUT_MAX_MEMORY", "16K")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_contains(
        &String::from_utf8_lossy(&out.stderr),
        &["40 training points", "model file g.st"],
    );
    assert!(!d.join("p.csv").exists());
}

#[test]
fn kernel_nesting_is_bounded() {
    let dir = trained();
    let d = dir.path();
    let deep = format!("{}se{}", "(".repeat(50_000), ")".repeat(50_000));
    fails_leaving_files_alone(
        d,
        &[
            "gp",
            "--data",
            "train.csv",
            "--target",
            "y",
            "--kernel",
            &deep,
            "--out",
            "g.st",
        ],
        &["nested more than 32 deep"],
    );
    let long = vec!["se"; 5000].join("+");
    fails_leaving_files_alone(
        d,
        &[
            "gp",
            "--data",
            "train.csv",
            "--target",
            "y",
            "--kernel",
            &long,
            "--out",
            "g.st",
        ],
        &["more than 256 kernels"],
    );
}

#[test]
fn classifier_bins_and_uci_layers_are_bounded() {
    let dir = tempfile::TempDir::new().unwrap();
    let d = dir.path();
    train_classifier(d);
    fails_leaving_files_alone(
        d,
        &[
            "evaluate",
            "--model",
            "c.st",
            "--data",
            "cls.csv",
            "--target",
            "y",
            "--samples",
            "3",
            "--bins",
            "1000000000000",
        ],
        &["refusing 1000000000000 calibration bins", "TiB of memory"],
    );
    // A UCI dataset folder with a valid layout, asked for an absurd number of layers.
    let data = d.join("toy").join("data");
    std::fs::create_dir_all(&data).unwrap();
    let rows: String = (0..20)
        .map(|i| format!("{i} {} {}\n", i % 3, i * 2))
        .collect();
    for (name, content) in [
        ("data.txt", rows.as_str()),
        ("index_features.txt", "0\n1\n"),
        ("index_target.txt", "2\n"),
        ("n_splits.txt", "1\n"),
        ("n_epochs.txt", "1\n"),
        ("n_hidden.txt", "50\n"),
        ("dropout_rates.txt", "0.05\n"),
        ("tau_values.txt", "1\n"),
        (
            "index_train_0.txt",
            "0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15\n",
        ),
        ("index_test_0.txt", "16 17 18 19\n"),
    ] {
        std::fs::write(data.join(name), content).unwrap();
    }
    fails_leaving_files_alone(
        d,
        &[
            "uci",
            "--root",
            ".",
            "--dataset",
            "toy",
            "--layers",
            "1000000000000",
        ],
        &["refusing 1000000000000 hidden layers of 50 units"],
    );
}
