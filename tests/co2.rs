//! The CO2 experiment's plumbing on a small synthetic series (the real run takes minutes:
//! `mcdropout co2`), its data checks, and the CLI's argument checks.

use assert_cmd::Command;
use mcdropout::experiments::co2::{Co2Config, load_co2, run_co2};
use mcdropout::plot::co2_figure;

/// A weekly series 1960–1969 with a trend, a yearly cycle and every 7th week missing.
fn synthetic(dir: &std::path::Path) -> std::path::PathBuf {
    let mut s = String::from("date,co2\n");
    let mut day = 0u32;
    for w in 0..520u32 {
        let (y, doy) = (1960 + day / 365, day % 365);
        let (mut m, mut d) = (1, doy + 1);
        let len = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
        while d > len[m - 1] {
            d -= len[m - 1];
            m += 1;
        }
        let t = y as f64 + doy as f64 / 365.0;
        let v = 315.0 + 1.2 * (t - 1960.0) + 3.0 * (2.0 * std::f64::consts::PI * t).sin();
        if w % 7 == 3 {
            s.push_str(&format!("{y}{m:02}{d:02},\n"));
        } else {
            s.push_str(&format!("{y}{m:02}{d:02},{v:.2}\n"));
        }
        day += 7;
    }
    let p = dir.join("co2.csv");
    std::fs::write(&p, s).unwrap();
    p
}

#[test]
fn runs_end_to_end_and_draws_the_figure() {
    let dir = tempfile::tempdir().unwrap();
    let data = load_co2(&synthetic(dir.path())).unwrap();
    assert_eq!(data.dropped, 520 / 7 + 1 - 1 + usize::from(520 % 7 > 3));
    assert_eq!(data.year.len() + data.dropped, 520);
    let mut cfg = Co2Config::default();
    cfg.hidden = vec![8, 8];
    cfg.epochs = 3;
    cfg.samples = 20;
    cfg.grid = 50;
    let r = run_co2(&data, &cfg, &mut |_| {}).unwrap();
    assert_eq!(r.models.len(), 4);
    assert_eq!(r.n_train, (r.n as f64 * 0.85).round() as usize);
    for m in &r.models {
        assert_eq!(m.mean.len(), 50);
        assert!(
            m.std.iter().all(|s| *s > 0.0 && s.is_finite()),
            "{}",
            m.name
        );
        assert!((0.0..=1.0).contains(&m.coverage));
    }
    // The SE + periodic GP sees the yearly cycle: its held-out error is below the SE's.
    assert!(
        r.models[3].rmse < r.models[2].rmse,
        "{} vs {}",
        r.models[3].rmse,
        r.models[2].rmse
    );
    for name in ["f.png", "f.svg"] {
        let p = dir.path().join(name);
        co2_figure(&r, &p).unwrap();
        assert!(
            std::fs::metadata(&p).unwrap().len() > 10_000,
            "{name} too small"
        );
    }
    let svg = std::fs::read_to_string(dir.path().join("f.svg")).unwrap();
    assert!(svg.contains("end of training data"));
}

#[test]
fn bad_dates_name_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("c.csv");
    std::fs::write(&p, "date,co2\n19600105,316\n19601305,317\n").unwrap();
    let e = load_co2(&p).unwrap_err().to_string();
    assert!(e.contains("c.csv:3") && e.contains("19601305"), "{e}");
    std::fs::write(&p, "date,co2\n19600105,316\n19600101,317\n").unwrap();
    let e = load_co2(&p).unwrap_err().to_string();
    assert!(e.contains("c.csv:3") && e.contains("increase"), "{e}");
}

#[test]
fn cli_checks_arguments_before_work() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = Command::cargo_bin("mcdropout")
            .unwrap()
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    // A missing --out folder is created, but only the last level: its parent must exist.
    assert!(run(&["co2", "--out", "nope/deeper"]).contains("--out"));
    std::fs::write(dir.path().join("file"), "x").unwrap();
    assert!(run(&["co2", "--out", "file"]).contains("not a folder"));
    assert!(run(&["co2", "--holdout", "1.5"]).contains("--holdout"));
    assert!(run(&["co2", "--data", "missing.csv"]).contains("missing.csv"));
}
