//! The UCI protocol cut into tasks (`UciPlan`) gives what `run_dataset` gives, also when
//! every task's result travels as JSON between them (as between Ray tasks) and the tasks
//! run in another order.

use mcdropout::experiments::uci::{
    DatasetResult, ScoredPoint, ScoredSplit, UciConfig, UciDataset, UciPlan, run_dataset,
};
use ndarray::{Array1, Array2};

fn dataset() -> UciDataset {
    let n = 60;
    let x = Array2::from_shape_fn((n, 2), |(i, j)| ((i * 7 + j * 3) % 11) as f64 / 11.0);
    let y = Array1::from_shape_fn(n, |i| x[[i, 0]] * 2.0 - x[[i, 1]] + (i % 3) as f64 * 0.1);
    let splits = (0..2)
        .map(|k| {
            let test: Vec<usize> = (0..n).filter(|i| i % 5 == k).collect();
            let train: Vec<usize> = (0..n).filter(|i| i % 5 != k).collect();
            (train, test)
        })
        .collect();
    UciDataset::from_parts("toy".into(), x, y, splits, 5, 8, vec![0.01, 0.1], vec![1.0])
        .expect("valid parts")
}

fn without_times(mut r: DatasetResult) -> DatasetResult {
    r.wall_seconds = 0.0;
    for s in &mut r.splits {
        s.seconds = 0.0;
        for g in &mut s.grid {
            g.seconds = 0.0;
        }
    }
    r
}

#[test]
fn tasks_through_json_in_reverse_order_equal_run_dataset() {
    let ds = dataset();
    let mut cfg = UciConfig::default();
    cfg.epochs_multiplier = 2.0;
    cfg.samples = 50;
    cfg.seed = 3;
    let whole = run_dataset(&ds, &cfg, &|| {}).expect("runs");
    let plan = UciPlan::new(&ds, &cfg).expect("plan");
    assert_eq!(plan.splits, vec![0, 1]);
    assert_eq!(plan.grid, vec![(0.01, 1.0), (0.1, 1.0)]);
    let mut splits = Vec::new();
    for &k in plan.splits.iter().rev() {
        let points: Vec<ScoredPoint> = (0..plan.grid.len())
            .rev()
            .map(|g| {
                let json = serde_json::to_string(&plan.grid_point(k, g).expect("point")).unwrap();
                serde_json::from_str(&json).expect("parses")
            })
            .rev()
            .collect();
        let s = plan.retrain_test(k, &points).expect("split");
        let json = serde_json::to_string(&s).unwrap();
        let back: ScoredSplit = serde_json::from_str(&json).expect("parses");
        assert_eq!(back, s, "JSON round trip is exact");
        splits.push(back);
    }
    splits.reverse();
    let tasks = DatasetResult::from_split_results("toy", splits, 1.0);
    assert_eq!(without_times(tasks), without_times(whole));
}

#[test]
fn task_arguments_are_checked() {
    let ds = dataset();
    let cfg = UciConfig::default();
    let plan = UciPlan::new(&ds, &cfg).expect("plan");
    assert!(plan.grid_point(5, 0).is_err());
    assert!(plan.grid_point(0, 9).is_err());
    assert!(plan.retrain_test(0, &[]).is_err());
    let bad = UciDataset::from_parts(
        "bad".into(),
        Array2::zeros((3, 1)),
        Array1::zeros(3),
        vec![(vec![0, 7], vec![1])],
        1,
        1,
        vec![0.1],
        vec![1.0],
    );
    assert!(bad.is_err());
}
