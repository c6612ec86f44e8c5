//! Issue 9, item 6: messages say the real cause. On the built binary: a trailing comma, a
//! comment line and binary data each get their own message; values near the
//! floating-point maximum standardise instead of being reported as a diverged training; a
//! prediction that overflows is an error, not a printed `inf`; a flag that does not apply
//! to the chosen mode is an error, not silently ignored. Nothing is written in each case.

mod common;
use common::*;

fn train(data: &str) -> Vec<&str> {
    vec![
        "train", "--data", data, "--target", "y", "--tau", "1", "--epochs", "2", "--out", "m2.st",
    ]
}

#[test]
fn malformed_text_gets_its_own_message() {
    let dir = tempfile::TempDir::new().unwrap();
    let d = dir.path();
    write(d, "trailing.csv", "a,b,y,\n1,2,3,\n2,3,4,\n3,1,5,\n");
    write(d, "trailing_row.csv", "a,b,y\n1,2,3\n2,3,4,\n3,1,5\n");
    write(d, "semicolons.csv", "a;b;y\n1;2;3\n2;3;4\n");
    write(d, "comment.csv", "a,b,y\n1,2,3\n# a note\n2,3,4\n3,1,5\n");
    std::fs::write(d.join("binary.csv"), b"a,b,y\n1,2,\x003\n").unwrap();
    std::fs::write(d.join("gzip.csv.gz"), [0x1f, 0x8b, 0x08, 0x00, 0x41, 0x42]).unwrap();
    for (file, words) in [
        ("trailing.csv", &["trailing.csv:1:", "trailing comma"][..]),
        (
            "trailing_row.csv",
            &["trailing_row.csv:3:", "trailing comma"][..],
        ),
        ("comment.csv", &["comment.csv:3:", "comment line"][..]),
        (
            "semicolons.csv",
            &["semicolons.csv:1:", "separated by ';'"][..],
        ),
        ("binary.csv", &["binary.csv:2:", "binary data"][..]),
        ("gzip.csv.gz", &["binary data", "gzip-compressed"][..]),
    ] {
        fails_leaving_files_alone(d, &train(file), words);
    }
}

#[test]
fn huge_values_are_not_a_diverged_training_and_overflow_is_not_printed() {
    let dir = tempfile::TempDir::new().unwrap();
    let d = dir.path();
    write(
        d,
        "huge.csv",
        "a,b,y\n1e308,2,3\n-1e308,3,4\n1.7e308,1,2\n0,1,1\n",
    );
    let (_, stderr) = succeeds(d, &train("huge.csv"));
    assert!(!stderr.contains("diverged"), "{stderr}");
    write(
        d,
        "hugey.csv",
        "a,b,y\n1,2,1e308\n2,3,-1e308\n3,1,1.7e308\n0,1,1\n",
    );
    // A target whose variance overflows a double is refused at training, naming it
    // (before, the model trained and every prediction came out infinite).
    let mut args = train("hugey.csv");
    args[10] = "y.st";
    fails_leaving_files_alone(
        d,
        &args,
        &["hugey.csv", "column y", "above 1e150", "rescale the column"],
    );
    // A τ so small that the implied weight decay overflows is named, not "diverged".
    let mut tiny = train("huge.csv");
    tiny[6] = "1e-300";
    let stderr = fails_leaving_files_alone(d, &tiny, &["--tau", "weight decay", "overflow"]);
    assert!(!stderr.contains("diverged"), "{stderr}");
}

#[test]
fn flags_that_do_not_apply_are_errors() {
    let dir = trained();
    let d = dir.path();
    train_classifier(d);
    succeeds(
        d,
        &[
            "gp",
            "--data",
            "train.csv",
            "--target",
            "y",
            "--out",
            "g.st",
        ],
    );
    let mut momentum = train("train.csv");
    momentum.extend(["--momentum", "0.9"]);
    for (args, words) in [
        (momentum, &["--momentum", "does not apply"][..]),
        (
            vec![
                "train", "--data", "cls.csv", "--target", "y", "--task", "classify", "--loss",
                "halved", "--out", "c2.st",
            ],
            &["--loss", "does not apply"][..],
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
                "5",
                "--reliability",
                "r.png",
            ],
            &["--reliability", "for classifiers"][..],
        ),
        (
            vec![
                "evaluate",
                "--model",
                "g.st",
                "--data",
                "train.csv",
                "--target",
                "y",
                "--samples",
                "50",
            ],
            &["--samples", "closed form"][..],
        ),
        (
            vec![
                "predict",
                "--model",
                "g.st",
                "--data",
                "train.csv",
                "--samples",
                "50",
                "--out",
                "p.csv",
            ],
            &["--samples", "closed form"][..],
        ),
        (
            vec![
                "predict", "--model", "c.st", "--data", "cls.csv", "--level", "0.5", "--out",
                "p.csv",
            ],
            &["--level", "class probabilities"][..],
        ),
        (
            vec![
                "evaluate", "--model", "c.st", "--data", "cls.csv", "--target", "y", "--elbo",
            ],
            &["--elbo", "does not apply"][..],
        ),
    ] {
        fails_leaving_files_alone(d, &args, words);
    }
}

#[test]
fn an_integer_label_too_large_is_not_called_a_non_integer() {
    let dir = tempfile::TempDir::new().unwrap();
    let d = dir.path();
    write(d, "big.csv", "a,y\n1,1e18\n2,0\n3,1e18\n");
    let args = [
        "train", "--data", "big.csv", "--target", "y", "--task", "classify", "--out", "c.st",
    ];
    let stderr =
        fails_leaving_files_alone(d, &args, &["big.csv:2:", "too large for a class label"]);
    assert!(!stderr.contains("not an integer"), "{stderr}");
    write(d, "half.csv", "a,y\n1,1.5\n2,0\n");
    let args = [
        "train", "--data", "half.csv", "--target", "y", "--task", "classify", "--out", "c.st",
    ];
    fails_leaving_files_alone(d, &args, &["half.csv:2:", "not an integer class label"]);
}

#[test]
fn messages_name_the_flag_given_and_the_kind_of_file() {
    let dir = tempfile::TempDir::new().unwrap();
    let d = dir.path();
    let mut s = String::from("a,b,y\n");
    for i in 0..20 {
        s.push_str(&format!("{i},{},{}\n", i % 3, i * 7 % 5));
    }
    write(d, "d.csv", &s);
    std::fs::create_dir(d.join("folder")).unwrap();
    let data = ["--data", "d.csv", "--target", "y"];
    // The flag actually given, not a neighbour or a library name.
    let cases: [(Vec<&str>, &[&str]); 4] = [
        (
            [
                &["uci"][..],
                &data,
                &["--method", "ensemble", "--val-samples", "0"],
            ]
            .concat(),
            &["invalid --val-samples:"],
        ),
        (
            [
                &["train"][..],
                &data,
                &["--out", "m.st", "--tau", "1", "--length-scale", "1e300"],
            ]
            .concat(),
            &["invalid --length-scale:", "weight decay"],
        ),
        (
            [
                &["train"][..],
                &data,
                &[
                    "--out",
                    "m.st",
                    "--method",
                    "ensemble",
                    "--heteroscedastic",
                    "--members",
                    "100000000",
                ],
            ]
            .concat(),
            &["refusing --members 100000000", "memory"],
        ),
        (
            [
                &["gp"][..],
                &data,
                &["--out", "g.st", "--kernel", "se+ségal*white"],
            ]
            .concat(),
            &["unknown kernel \"ségal\"", "position 4"],
        ),
    ];
    for (args, words) in &cases {
        fails_leaving_files_alone(d, args, words);
    }
    succeeds(
        d,
        &[
            &["train"][..],
            &data,
            &["--out", "m.st", "--tau", "1", "--epochs", "2"],
        ]
        .concat(),
    );
    succeeds(
        d,
        &[&["gp"][..], &data, &["--out", "g.st", "--restarts", "0"]].concat(),
    );
    let predict = [
        "predict",
        "--model",
        "m.st",
        "--data",
        "d.csv",
        "--samples",
        "100000000000",
    ];
    fails_leaving_files_alone(
        d,
        &[&predict[..], &["--draws-out", "w.npy"]].concat(),
        &["invalid --draws-out:", "2^30 values"],
    );
    // A GP file where a classifier is asked for says what the file is.
    for cmd in [
        &[
            "predict", "--model", "g.st", "--data", "d.csv", "--task", "classify",
        ][..],
        &[
            "evaluate", "--model", "g.st", "--data", "d.csv", "--target", "y", "--task", "classify",
        ],
    ] {
        fails_leaving_files_alone(
            d,
            cmd,
            &[
                "g.st: this is a Gaussian-process (GP) model",
                "not a classifier",
                "--task auto or regress",
            ],
        );
    }
    // A classifier asked for as a regression model says which --task reads it.
    write(d, "c.csv", "a,y\n0,0\n1,1\n2,0\n3,1\n");
    succeeds(
        d,
        &[
            "train", "--data", "c.csv", "--target", "y", "--task", "classify", "--epochs", "2",
            "--out", "c.st",
        ],
    );
    fails_leaving_files_alone(
        d,
        &[
            "predict", "--model", "c.st", "--data", "c.csv", "--task", "regress",
        ],
        &[
            "c.st: this is a classifier model",
            "--task auto or classify",
        ],
    );
    // A folder where a file is needed, and a file where a folder is needed.
    for args in [
        &[
            "train", "--data", "folder", "--target", "y", "--tau", "1", "--out", "x.st",
        ][..],
        &["predict", "--model", "folder", "--data", "d.csv"],
        &["digits", "--data", "folder", "--out", "o"],
    ] {
        fails_leaving_files_alone(d, args, &["folder: is a folder, not a file"]);
    }
    fails_leaving_files_alone(
        d,
        &["uci", "--root", "d.csv", "--all"],
        &["--root", "d.csv: is a file, not a folder"],
    );
    for cmd in ["uci", "digits", "co2"] {
        let mut args = vec![cmd, "--out", "d.csv"];
        if cmd == "uci" {
            args.extend_from_slice(&data);
        }
        fails_leaving_files_alone(d, &args, &["invalid --out: d.csv is not a folder"]);
    }
}
