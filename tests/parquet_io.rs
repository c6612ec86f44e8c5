//! Issue 23, item 4, through the binary: Parquet files are read by `train`, `predict`,
//! `evaluate`, `search` and `uci --data` and written by `predict`, with the same numbers as
//! the same table as CSV — the reference is always the CSV run, compared byte for byte.
//! String and dictionary columns are categorical, nulls are missing cells, and a file
//! longer than one decoding part is scored part by part with the numbers of one pass.

mod common;
use arrow_array::builder::StringDictionaryBuilder;
use arrow_array::types::Int32Type;
use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
use common::*;
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::file::properties::WriterProperties;
use std::path::Path;
use std::sync::Arc;

const COLOURS: [&str; 3] = ["red", "green", "blue"];
const GRADES: [&str; 2] = ["A", "B"];

/// One row: size, colour (text, null where `i % 29 == 4`), grade (a dictionary column),
/// zip (text that looks like numbers), rooms (integers), age (null where `i % 23 == 5`),
/// price (the target).
struct Row {
    size: f64,
    colour: Option<&'static str>,
    grade: &'static str,
    zip: String,
    rooms: i64,
    age: Option<f64>,
    price: f64,
}

fn rows(n: usize) -> Vec<Row> {
    (0..n)
        .map(|i| {
            let size = 20.0 + (i * 37 % 80) as f64 + 0.25;
            let colour = (i % 29 != 4).then_some(COLOURS[i * 7 % 3]);
            let grade = GRADES[i * 5 % 2];
            let zip = format!("{}", 1000 + (i * 3 % 4) * 10);
            let rooms = (i % 5) as i64 + 1;
            let age = (i % 23 != 5).then_some((i * 13 % 30) as f64 * 0.5);
            let price = 0.02 * size + if colour == Some("red") { 0.5 } else { 0.0 }
                - 0.01 * age.unwrap_or(7.0)
                + 0.1 * rooms as f64
                + ((i * 17 % 11) as f64 - 5.0) * 0.02;
            Row {
                size,
                colour,
                grade,
                zip,
                rooms,
                age,
                price,
            }
        })
        .collect()
}

/// The table as CSV: empty cells where the Parquet file has nulls.
fn csv(rows: &[Row]) -> String {
    let mut s = String::from("size,colour,grade,zip,rooms,age,price\n");
    for r in rows {
        s += &format!(
            "{},{},{},{},{},{},{}\n",
            r.size,
            r.colour.unwrap_or(""),
            r.grade,
            r.zip,
            r.rooms,
            r.age.map_or(String::new(), |a| a.to_string()),
            r.price
        );
    }
    s
}

/// The table as Parquet, in row groups of `group` rows: float, string (with nulls),
/// dictionary, string-of-digits, int64 and float (with nulls) columns.
fn write_parquet(path: &Path, rows: &[Row], group: usize) {
    let mut grade = StringDictionaryBuilder::<Int32Type>::new();
    for r in rows {
        grade.append_value(r.grade);
    }
    let columns: Vec<(&str, ArrayRef)> = vec![
        (
            "size",
            Arc::new(Float64Array::from_iter_values(rows.iter().map(|r| r.size))),
        ),
        (
            "colour",
            Arc::new(StringArray::from_iter(rows.iter().map(|r| r.colour))),
        ),
        ("grade", Arc::new(grade.finish())),
        (
            "zip",
            Arc::new(StringArray::from_iter_values(rows.iter().map(|r| &r.zip))),
        ),
        (
            "rooms",
            Arc::new(Int64Array::from_iter_values(rows.iter().map(|r| r.rooms))),
        ),
        (
            "age",
            Arc::new(Float64Array::from_iter(rows.iter().map(|r| r.age))),
        ),
        (
            "price",
            Arc::new(Float64Array::from_iter_values(rows.iter().map(|r| r.price))),
        ),
    ];
    let batch = RecordBatch::try_from_iter(columns).unwrap();
    let props = WriterProperties::builder()
        .set_max_row_group_row_count(Some(group))
        .build();
    let file = std::fs::File::create(path).unwrap();
    let mut w = ArrowWriter::try_new(file, batch.schema(), Some(props)).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
}

/// A folder holding `t.csv` and `t.parquet`, the same `n` rows.
fn tables(n: usize, group: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let rows = rows(n);
    write(dir.path(), "t.csv", &csv(&rows));
    write_parquet(&dir.path().join("t.parquet"), &rows, group);
    dir
}

/// The flag a CSV file needs to read `zip` as the categories the Parquet file's string type
/// says it holds.
fn zip_categorical(data: &str) -> &'static [&'static str] {
    if data.ends_with(".csv") {
        &["--categorical", "zip"]
    } else {
        &[]
    }
}

/// `train` on `data` with imputation; `zip` is declared categorical for the CSV file (the
/// Parquet file's string type says it).
fn train(dir: &Path, data: &str, out: &str) -> String {
    let mut args = vec![
        "train",
        "--data",
        data,
        "--target",
        "price",
        "--tau",
        "20",
        "--epochs",
        "15",
        "--missing",
        "impute",
        "--out",
        out,
    ];
    args.extend_from_slice(zip_categorical(data));
    succeeds(dir, &args).1
}

fn predict(dir: &Path, model: &str, data: &str, extra: &[&str]) -> String {
    let mut args = vec!["predict", "--model", model, "--data", data, "--seed", "4"];
    if !extra.contains(&"--samples") {
        args.extend(["--samples", "30"]);
    }
    args.extend_from_slice(extra);
    succeeds(dir, &args).0
}

#[test]
fn a_parquet_table_trains_and_predicts_as_its_csv_does() {
    let dir = tables(300, 128);
    let d = dir.path();
    let note = train(d, "t.parquet", "p.model");
    train(d, "t.csv", "c.model");
    // The string column of digits is categorical by its type; the dictionary column too.
    assert_contains(
        &note,
        &[
            "column \"zip\" is categorical",
            "column \"grade\" is categorical",
        ],
    );
    assert_contains(
        &note,
        &["colour=(missing)", "column \"age\": 13 missing cells"],
    );
    let from_csv = predict(d, "c.model", "t.csv", &[]);
    assert_eq!(predict(d, "p.model", "t.parquet", &[]), from_csv);
    // Either model scores either file the same way.
    assert_eq!(predict(d, "p.model", "t.csv", &[]), from_csv);
    assert_eq!(predict(d, "c.model", "t.parquet", &[]), from_csv);
    // The format is found by the magic bytes when the name does not say it.
    std::fs::copy(d.join("t.parquet"), d.join("t.bin")).unwrap();
    assert_eq!(predict(d, "p.model", "t.bin", &[]), from_csv);
    assert_eq!(
        predict(d, "p.model", "t.bin", &["--data-format", "parquet"]),
        from_csv
    );
}

/// The numbers of a Parquet file written by `predict`, column by column.
fn parquet_columns(path: &Path) -> Vec<(String, Vec<f64>)> {
    let file = std::fs::File::open(path).unwrap();
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .build()
        .unwrap();
    let mut out: Vec<(String, Vec<f64>)> = Vec::new();
    for batch in reader {
        let batch = batch.unwrap();
        for (j, field) in batch.schema().fields().iter().enumerate() {
            let col = arrow_cast::cast(batch.column(j), &arrow_schema::DataType::Float64).unwrap();
            let v = col.as_any().downcast_ref::<Float64Array>().unwrap();
            if out.len() <= j {
                out.push((field.name().clone(), Vec::new()));
            }
            out[j].1.extend(v.values().iter().copied());
        }
    }
    out
}

/// The columns of a CSV output (every printed float reads back as the same `f64`).
fn csv_columns(text: &str) -> Vec<(String, Vec<f64>)> {
    let mut lines = text.lines();
    let mut out: Vec<(String, Vec<f64>)> = lines
        .next()
        .unwrap()
        .split(',')
        .map(|n| (n.to_owned(), Vec::new()))
        .collect();
    for l in lines {
        for (c, v) in out.iter_mut().zip(l.split(',')) {
            c.1.push(v.parse().unwrap());
        }
    }
    out
}

#[test]
fn predict_writes_parquet_with_the_numbers_it_prints() {
    let dir = tables(200, 64);
    let d = dir.path();
    train(d, "t.csv", "c.model");
    let printed = predict(d, "c.model", "t.csv", &[]);
    predict(d, "c.model", "t.csv", &["--out", "o.parquet"]);
    assert_eq!(parquet_columns(&d.join("o.parquet")), csv_columns(&printed));
    // --format parquet to a file with another name, and from a Parquet input (in parts).
    predict(
        d,
        "c.model",
        "t.parquet",
        &["--format", "parquet", "--out", "o.bin"],
    );
    assert_eq!(parquet_columns(&d.join("o.bin")), csv_columns(&printed));
    // A classifier's table too: the class labels as integers.
    train_classifier(d);
    succeeds(
        d,
        &[
            "predict",
            "--model",
            "c.st",
            "--data",
            "cls.csv",
            "--samples",
            "20",
            "--out",
            "k.parquet",
        ],
    );
    let printed = succeeds(
        d,
        &[
            "predict",
            "--model",
            "c.st",
            "--data",
            "cls.csv",
            "--samples",
            "20",
        ],
    )
    .0;
    assert_eq!(parquet_columns(&d.join("k.parquet")), csv_columns(&printed));
}

#[test]
fn a_file_longer_than_one_part_is_scored_with_the_numbers_of_one_pass() {
    // 2.2 decoding parts of 65 536 rows, in row groups that do not line up with them.
    let n = 144_000;
    let dir = tables(n, 50_000);
    let d = dir.path();
    train(d, "t.csv", "c.model");
    let whole = predict(d, "c.model", "t.csv", &["--samples", "3"]);
    predict(
        d,
        "c.model",
        "t.parquet",
        &["--samples", "3", "--out", "parts.csv"],
    );
    assert_eq!(std::fs::read_to_string(d.join("parts.csv")).unwrap(), whole);
    predict(
        d,
        "c.model",
        "t.parquet",
        &["--samples", "3", "--format", "json", "--out", "parts.json"],
    );
    let json = predict(
        d,
        "c.model",
        "t.csv",
        &["--samples", "3", "--format", "json"],
    );
    assert_eq!(std::fs::read_to_string(d.join("parts.json")).unwrap(), json);
}

#[test]
fn a_bad_cell_in_the_last_part_leaves_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut rows = rows(70_000);
    write(d, "t.csv", &csv(&rows[..500]));
    train(d, "t.csv", "c.model");
    rows.last_mut().unwrap().colour = Some("purple");
    write_parquet(&d.join("late.parquet"), &rows, 20_000);
    fails_leaving_files_alone(
        d,
        &[
            "predict",
            "--model",
            "c.model",
            "--data",
            "late.parquet",
            "--samples",
            "3",
            "--out",
            "o.csv",
        ],
        &["late.parquet:70000", "colour", "\"purple\""],
    );
}

#[test]
fn rows_dropped_in_parts_keep_the_keys_of_one_pass() {
    let n = 70_000;
    let dir = tables(n, 30_000);
    let d = dir.path();
    // A model without imputation: --missing drop skips the rows with a null.
    succeeds(
        d,
        &[
            "train",
            "--data",
            "t.csv",
            "--target",
            "price",
            "--tau",
            "20",
            "--epochs",
            "5",
            "--missing",
            "drop",
            "--categorical",
            "zip",
            "--out",
            "m.model",
        ],
    );
    let whole = predict(
        d,
        "m.model",
        "t.csv",
        &["--samples", "3", "--missing", "drop"],
    );
    let (_, err) = succeeds(
        d,
        &[
            "predict",
            "--model",
            "m.model",
            "--data",
            "t.parquet",
            "--samples",
            "3",
            "--seed",
            "4",
            "--missing",
            "drop",
            "--out",
            "parts.csv",
        ],
    );
    let dropped = rows(n)
        .iter()
        .filter(|r| r.colour.is_none() || r.age.is_none())
        .count();
    assert_contains(&err, &[&format!("dropped {dropped} rows")]);
    assert_eq!(std::fs::read_to_string(d.join("parts.csv")).unwrap(), whole);
}

#[test]
fn evaluate_search_and_uci_read_parquet_as_csv() {
    let dir = tables(240, 100);
    let d = dir.path();
    train(d, "t.csv", "c.model");
    let eval = |data: &str| {
        succeeds(
            d,
            &[
                "evaluate",
                "--model",
                "c.model",
                "--data",
                data,
                "--target",
                "price",
                "--samples",
                "30",
                "--json",
            ],
        )
        .0
    };
    assert_eq!(eval("t.parquet"), eval("t.csv"));
    let search = |data: &str, out: &str| {
        let mut args = vec![
            "search",
            "--data",
            data,
            "--target",
            "price",
            "--grid-dropout",
            "0.05,0.1",
            "--grid-tau",
            "10,40",
            "--epochs",
            "5",
            "--samples",
            "20",
            "--missing",
            "impute",
            "--out",
            out,
        ];
        args.extend_from_slice(zip_categorical(data));
        succeeds(d, &args);
        predict(d, out, data, &[])
    };
    assert_eq!(search("t.parquet", "s1.model"), search("t.csv", "s2.model"));
    // The protocol's table (without its timings) is the same for either file.
    let uci = |data: &str| {
        let mut args = vec![
            "uci",
            "--data",
            data,
            "--target",
            "price",
            "--random-splits",
            "2",
            "--grid-dropout",
            "0.05",
            "--grid-tau",
            "1,2",
            "--target-steps",
            "60",
            "--samples",
            "10",
            "--missing",
            "impute",
        ];
        args.extend_from_slice(zip_categorical(data));
        let out = succeeds(d, &args).0;
        let row = out
            .lines()
            .find(|l| l.starts_with("| t |"))
            .expect("a result row")
            .to_owned();
        row.rsplitn(3, '|').nth(2).unwrap().to_owned()
    };
    assert_eq!(uci("t.parquet"), uci("t.csv"));
}

#[test]
fn damaged_and_unreadable_parquet_files_are_clean_errors() {
    let dir = tables(100, 50);
    let d = dir.path();
    train(d, "t.csv", "c.model");
    let bytes = std::fs::read(d.join("t.parquet")).unwrap();
    std::fs::write(d.join("half.parquet"), &bytes[..bytes.len() / 2]).unwrap();
    std::fs::write(d.join("text.parquet"), csv(&rows(5))).unwrap();
    for (file, words) in [
        (
            "half.parquet",
            &["half.parquet", "not a readable Parquet file"][..],
        ),
        (
            "text.parquet",
            &["text.parquet", "not a readable Parquet file"][..],
        ),
    ] {
        let err = fails_leaving_files_alone(
            d,
            &[
                "predict",
                "--model",
                "c.model",
                "--data",
                file,
                "--samples",
                "5",
                "--out",
                "o.csv",
            ],
            words,
        );
        assert!(!err.contains("panicked"), "{err}");
    }
    // A CSV read as Parquet, and a Parquet file read as text.
    fails_leaving_files_alone(
        d,
        &[
            "predict",
            "--model",
            "c.model",
            "--data",
            "t.csv",
            "--data-format",
            "parquet",
            "--out",
            "o.csv",
        ],
        &["t.csv", "not a readable Parquet file"],
    );
    fails_leaving_files_alone(
        d,
        &[
            "predict",
            "--model",
            "c.model",
            "--data",
            "t.parquet",
            "--data-format",
            "text",
            "--out",
            "o.csv",
        ],
        &["t.parquet"],
    );
}

#[test]
fn a_column_of_another_type_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let days = arrow_array::Date32Array::from(vec![1, 2, 3, 4]);
    let y = Float64Array::from(vec![1.0, 2.0, 3.0, 4.0]);
    let batch = RecordBatch::try_from_iter(vec![
        ("day", Arc::new(days) as ArrayRef),
        ("y", Arc::new(y) as ArrayRef),
    ])
    .unwrap();
    let file = std::fs::File::create(d.join("dates.parquet")).unwrap();
    let mut w = ArrowWriter::try_new(file, batch.schema(), None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    fails_leaving_files_alone(
        d,
        &[
            "train",
            "--data",
            "dates.parquet",
            "--target",
            "y",
            "--tau",
            "1",
            "--out",
            "m.model",
        ],
        &[
            "dates.parquet",
            "column \"day\"",
            "Date32",
            "neither numbers nor text",
        ],
    );
}

#[test]
fn categorical_none_reads_a_string_column_of_digits_as_numbers() {
    let dir = tables(120, 60);
    let d = dir.path();
    // --categorical none refuses a text column, naming it, as for a CSV file…
    let err = fails(
        d,
        &[
            "train",
            "--data",
            "t.parquet",
            "--target",
            "price",
            "--tau",
            "1",
            "--categorical",
            "none",
            "--missing",
            "impute",
            "--out",
            "m.model",
        ],
    );
    assert_contains(&err, &["t.parquet", "colour"]);
    // …and reads a string column of digits as the numbers a CSV file's cells would be.
    let zips = ["1010", "1020", "1000", "1030"];
    let batch = RecordBatch::try_from_iter(vec![
        (
            "zip",
            Arc::new(StringArray::from(zips.to_vec())) as ArrayRef,
        ),
        (
            "y",
            Arc::new(Float64Array::from(vec![1.0, 2.0, 0.5, 3.0])) as ArrayRef,
        ),
    ])
    .unwrap();
    let file = std::fs::File::create(d.join("z.parquet")).unwrap();
    let mut w = ArrowWriter::try_new(file, batch.schema(), None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    write(d, "z.csv", "zip,y\n1010,1\n1020,2\n1000,0.5\n1030,3\n");
    let fit = |data: &str, out: &str| {
        let (_, err) = succeeds(
            d,
            &[
                "train",
                "--data",
                data,
                "--target",
                "y",
                "--tau",
                "1",
                "--categorical",
                "none",
                "--epochs",
                "3",
                "--out",
                out,
            ],
        );
        assert!(!err.contains("categorical"), "{err}");
        predict(d, out, "z.csv", &[])
    };
    assert_eq!(fit("z.parquet", "zp.model"), fit("z.csv", "zc.model"));
}
