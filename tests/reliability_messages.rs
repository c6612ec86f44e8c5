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
    let mut args = train("hugey.csv");
    args[10] = "y.st";
    succeeds(d, &args);
    // A τ so small that the implied weight decay overflows is named, not "diverged".
    let mut tiny = train("huge.csv");
    tiny[6] = "1e-300";
    let stderr = fails_leaving_files_alone(d, &tiny, &["--tau", "weight decay", "overflow"]);
    assert!(!stderr.contains("diverged"), "{stderr}");
    write(d, "x.csv", "a,b\n1,2\n");
    fails_leaving_files_alone(
        d,
        &[
            "predict",
            "--model",
            "y.st",
            "--data",
            "x.csv",
            "--samples",
            "10",
            "--out",
            "p.csv",
        ],
        &["came out inf", "nothing was written"],
    );
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
