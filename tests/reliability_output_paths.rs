//! Issue 22, item 2: no output path, named or derived, destroys anything. Run on the built
//! binary: files a command writes inside its `--out` folder and derived paths
//! (`MODEL.search.json`) are checked against the inputs and against each other, like
//! `--out`; a command that writes several files checks all of them before the first (and
//! before any training), so a refused run leaves every file and folder as it was.
#![cfg(unix)]

mod common;
use common::*;
use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// Every entry under `dir`, recursively: folders and links by kind, files by their bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let p = e.path();
            let name = p.strip_prefix(dir).unwrap().display().to_string();
            let t = e.file_type().unwrap();
            if t.is_symlink() {
                let to = std::fs::read_link(&p).unwrap();
                out.insert(name, format!("link {}", to.display()).into_bytes());
            } else if t.is_dir() {
                out.insert(name, b"folder".to_vec());
                stack.push(p);
            } else {
                out.insert(name, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// Runs `args` in `dir`, expects exit 1 with `words` in the message, and checks that no
/// file or folder anywhere under `dir` was created, removed or changed.
fn refused(dir: &Path, args: &[&str], words: &[&str]) {
    let before = tree(dir);
    let stderr = fails(dir, args);
    assert_contains(&stderr, words);
    assert_eq!(before, tree(dir), "{args:?} changed files:\n{stderr}");
}

#[test]
fn files_inside_an_output_folder_never_overwrite_an_input() {
    let dir = tempfile::TempDir::new().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("sub")).unwrap();
    write(d, "co2.json", "date,ppmv\n19580329,316.19\n");
    write(d, "digits.json", "0,1\n");
    write(d, "sub/active.md", "notes\n");
    write(d, "results.json", &synthetic_csv(40));
    // co2 writes co2.json into --out: the input itself, named three ways.
    for out in [".", "./", "../{dir}"] {
        let name = d.file_name().unwrap().to_string_lossy().into_owned();
        let out = out.replace("{dir}", &name);
        refused(
            d,
            &["co2", "--data", "co2.json", "--out", &out, "--epochs", "1"],
            &[
                "--out",
                "co2.json (written into --out",
                "same file as the input --data co2.json",
            ],
        );
    }
    refused(
        d,
        &[
            "digits",
            "--data",
            "digits.json",
            "--out",
            ".",
            "--epochs",
            "1",
        ],
        &["digits.json (written into --out .)", "input --data"],
    );
    refused(
        d,
        &["active", "--data", "sub/active.md", "--out", "sub"],
        &["sub/active.md (written into --out sub)", "input --data"],
    );
    // Through a hard link too.
    std::fs::hard_link(d.join("co2.json"), d.join("sub/co2.json")).unwrap();
    refused(
        d,
        &["co2", "--data", "co2.json", "--out", "sub", "--epochs", "1"],
        &["sub/co2.json (written into --out sub)", "input --data"],
    );
    // uci --out DIR writes results.json, summary.json and results.md.
    refused(
        d,
        &[
            "uci",
            "--data",
            "results.json",
            "--target",
            "y",
            "--out",
            ".",
        ],
        &["results.json (written into --out .)", "input --data"],
    );
}

#[test]
fn derived_and_named_outputs_are_checked_against_inputs_and_each_other() {
    let dir = tempfile::TempDir::new().unwrap();
    let d = dir.path();
    write(d, "m.search.json", &synthetic_csv(40));
    // The default report path MODEL.search.json is the data.
    refused(
        d,
        &[
            "search",
            "--data",
            "m.search.json",
            "--target",
            "y",
            "--out",
            "m",
        ],
        &[
            "--report (default MODEL.search.json)",
            "m.search.json is the same file as the input --data",
        ],
    );
    // --report equal to --out, also before either exists and by another spelling.
    for report in ["m.st", "./m.st", "sub/../m.st"] {
        std::fs::create_dir_all(d.join("sub")).unwrap();
        refused(
            d,
            &[
                "search",
                "--data",
                "m.search.json",
                "--target",
                "y",
                "--out",
                "m.st",
                "--report",
                report,
            ],
            &["--report", "is the same file as --out m.st"],
        );
    }
    // dataset: the test part would replace the training part (44 test rows lost).
    for test_out in ["d.csv", "./d.csv", "sub/../d.csv"] {
        refused(
            d,
            &[
                "dataset",
                "diabetes",
                "--out",
                "d.csv",
                "--test-fraction",
                "0.1",
                "--test-out",
                test_out,
            ],
            &["--test-out", "is the same file as --out d.csv"],
        );
    }
    // The same existing file through a symbolic link.
    write(d, "real.csv", "keep\n");
    std::os::unix::fs::symlink("real.csv", d.join("link.csv")).unwrap();
    refused(
        d,
        &[
            "dataset",
            "diabetes",
            "--out",
            "link.csv",
            "--test-fraction",
            "0.1",
            "--test-out",
            "real.csv",
        ],
        &["--test-out", "real.csv is the same file as --out link.csv"],
    );
}

#[test]
fn predict_outputs_are_distinct_from_each_other_and_the_inputs() {
    let dir = trained();
    let d = dir.path();
    write(d, "x.csv", "x1,x2,x3\n0.1,0.2,0.3\n");
    std::fs::create_dir(d.join("sub")).unwrap();
    fn predict<'a>(extra: &[&'a str]) -> Vec<&'a str> {
        let mut a = vec![
            "predict",
            "--model",
            "model.st",
            "--data",
            "x.csv",
            "--samples",
            "5",
        ];
        a.extend_from_slice(extra);
        a
    }
    refused(
        d,
        &predict(&["--out", "p.csv", "--draws-out", "./p.csv"]),
        &["--draws-out", "./p.csv is the same file as --out p.csv"],
    );
    refused(
        d,
        &predict(&["--samples-out", "s.npy", "--draws-out", "sub/../s.npy"]),
        &["--draws-out", "is the same file as --samples-out s.npy"],
    );
    let via_parent = format!("../{}/x.csv", dir_name(d));
    refused(
        d,
        &predict(&["--samples-out", &via_parent]),
        &["--samples-out", "same file as the input --data x.csv"],
    );
    refused(
        d,
        &predict(&["--draws-out", "model.st"]),
        &["--draws-out", "same file as the input --model model.st"],
    );
    // A read-only --draws-out refuses the run before --samples-out or --out is written.
    write(d, "locked.npy", "keep");
    std::fs::set_permissions(d.join("locked.npy"), std::fs::Permissions::from_mode(0o444)).unwrap();
    refused(
        d,
        &predict(&[
            "--out",
            "p.csv",
            "--samples-out",
            "s.npy",
            "--draws-out",
            "locked.npy",
        ]),
        &["--draws-out", "locked.npy", "read-only"],
    );
    // A special file may take two outputs: nothing in it can be overwritten.
    let (_, _) = succeeds(
        d,
        &predict(&[
            "--out",
            "p.csv",
            "--samples-out",
            "/dev/null",
            "--draws-out",
            "/dev/null",
        ]),
    );
    assert!(
        std::fs::read_to_string(d.join("p.csv"))
            .unwrap()
            .starts_with("mean,std")
    );
}

fn dir_name(d: &Path) -> String {
    d.file_name().unwrap().to_string_lossy().into_owned()
}

#[test]
fn multi_file_commands_check_every_file_before_writing_the_first() {
    let dir = tempfile::TempDir::new().unwrap();
    let d = dir.path();
    let bandit = |out: &str| {
        vec![
            "bandit",
            "--out",
            out,
            "--horizon",
            "20",
            "--seeds",
            "1",
            "--deltas",
            "0.5",
            "--policies",
            "uniform",
        ]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>()
    };
    let run = |args: &[String], words: &[&str]| {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        refused(d, &a, words);
    };
    std::fs::create_dir(d.join("out")).unwrap();
    // The last file written is read-only: the figures must not be left behind.
    write(d, "out/bandit.md", "keep");
    std::fs::set_permissions(
        d.join("out/bandit.md"),
        std::fs::Permissions::from_mode(0o444),
    )
    .unwrap();
    run(
        &bandit("out"),
        &[
            "--out",
            "out/bandit.md (written into --out out)",
            "read-only",
        ],
    );
    std::fs::set_permissions(
        d.join("out/bandit.md"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    // A folder where a figure goes, and a dangling link where the report goes.
    std::fs::create_dir(d.join("out/bandit.svg")).unwrap();
    run(&bandit("out"), &["out/bandit.svg", "is a folder"]);
    std::fs::remove_dir(d.join("out/bandit.svg")).unwrap();
    std::os::unix::fs::symlink("gone.json", d.join("out/bandit.json")).unwrap();
    run(&bandit("out"), &["out/bandit.json", "does not exist"]);
    std::fs::remove_file(d.join("out/bandit.json")).unwrap();
    // A read-only output folder, and a folder to create in a read-only parent.
    std::fs::set_permissions(d.join("out"), std::fs::Permissions::from_mode(0o555)).unwrap();
    run(&bandit("out"), &["--out", "out", "read-only"]);
    run(
        &bandit("out/new"),
        &["--out", "out/new", "parent folder out", "read-only"],
    );
    std::fs::set_permissions(d.join("out"), std::fs::Permissions::from_mode(0o755)).unwrap();
    // The output folder is an input file.
    run(&bandit("out/bandit.md"), &["--out", "not a folder"]);
    // dataset: a read-only --out refuses the run before --test-out is written.
    write(d, "train.csv", "keep");
    std::fs::set_permissions(d.join("train.csv"), std::fs::Permissions::from_mode(0o444)).unwrap();
    refused(
        d,
        &[
            "dataset",
            "diabetes",
            "--out",
            "train.csv",
            "--test-fraction",
            "0.1",
            "--test-out",
            "test.csv",
        ],
        &["--out", "train.csv", "read-only"],
    );
    // A file in a folder that cannot be written in.
    std::fs::create_dir(d.join("locked")).unwrap();
    std::fs::set_permissions(d.join("locked"), std::fs::Permissions::from_mode(0o555)).unwrap();
    refused(
        d,
        &["dataset", "diabetes", "--out", "locked/d.csv"],
        &["--out", "locked/d.csv", "its folder locked is read-only"],
    );
    std::fs::set_permissions(d.join("locked"), std::fs::Permissions::from_mode(0o755)).unwrap();

    // Once the paths are fine, the run writes all four files and no temporary file.
    let owned = bandit("out");
    let a: Vec<&str> = owned.iter().map(String::as_str).collect();
    succeeds(d, &a);
    let mut names: Vec<String> = std::fs::read_dir(d.join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["bandit.json", "bandit.md", "bandit.png", "bandit.svg"]
    );
    assert_ne!(std::fs::read(d.join("out/bandit.md")).unwrap(), b"keep");
}
