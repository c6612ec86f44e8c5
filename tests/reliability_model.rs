//! Issue 9, item 2: model files are checked, not trusted. The built binary refuses a file
//! with any flipped byte (naming the file), a file whose quantities contradict their
//! meaning, and an absurdly sized one; a version-1 file (no checksum) still loads with a
//! note; nothing is written when the model is refused.

mod common;
use common::*;
use safetensors::SafeTensors;
use safetensors::tensor::TensorView;
use std::collections::HashMap;

fn predict(model: &str) -> Vec<&str> {
    vec![
        "predict",
        "--model",
        model,
        "--data",
        "x.csv",
        "--samples",
        "5",
        "--out",
        "p.csv",
    ]
}

/// The model file rewritten as format version 1 (no checksum), with its metadata passed
/// through `edit`.
fn as_v1(bytes: &[u8], edit: impl Fn(&mut serde_json::Value)) -> Vec<u8> {
    let st = SafeTensors::deserialize(bytes).unwrap();
    let (_, header) = SafeTensors::read_metadata(bytes).unwrap();
    let json = &header.metadata().as_ref().unwrap()["mcdropout"];
    let mut meta: serde_json::Value = serde_json::from_str(json).unwrap();
    meta["format_version"] = 1.into();
    meta.as_object_mut().unwrap().remove("mcdropout_crc32");
    edit(&mut meta);
    let tensors = st.tensors();
    let views: Vec<(String, TensorView)> = tensors
        .iter()
        .map(|(n, t)| {
            let v = TensorView::new(t.dtype(), t.shape().to_vec(), t.data()).unwrap();
            (n.clone(), v)
        })
        .collect();
    let m = HashMap::from([("mcdropout".to_string(), meta.to_string())]);
    safetensors::serialize(views, Some(m)).unwrap()
}

#[test]
fn a_single_flipped_byte_anywhere_is_an_error_naming_the_file() {
    let dir = trained();
    let d = dir.path();
    write(d, "x.csv", "x1,x2,x3\n0.1,0.2,0.3\n");
    let bytes = std::fs::read(d.join("model.st")).unwrap();
    // Header length, JSON structure, metadata values, checksum digits, tensor data.
    let header_len = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let positions = [
        0,
        3,
        9,
        header_len / 3,
        header_len / 2,
        header_len + 7,
        header_len + 8,
        bytes.len() / 2,
        bytes.len() - 1,
    ];
    for (k, &i) in positions.iter().enumerate() {
        let mut b = bytes.clone();
        b[i] ^= 0x04;
        let name = format!("flipped{k}.st");
        std::fs::write(d.join(&name), &b).unwrap();
        let stderr = fails_leaving_files_alone(d, &predict(&name), &[&name]);
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    // The untouched file predicts.
    succeeds(d, &predict("model.st"));
}

#[test]
fn version_1_files_load_with_a_note() {
    let dir = trained();
    let d = dir.path();
    write(d, "x.csv", "x1,x2,x3\n0.1,0.2,0.3\n");
    succeeds(d, &predict("model.st"));
    let v2 = std::fs::read_to_string(d.join("p.csv")).unwrap();
    let bytes = std::fs::read(d.join("model.st")).unwrap();
    std::fs::write(d.join("v1.st"), as_v1(&bytes, |_| {})).unwrap();
    let (_, stderr) = succeeds(d, &predict("v1.st"));
    assert_contains(&stderr, &["v1.st", "version 1 has no checksum"]);
    assert_eq!(std::fs::read_to_string(d.join("p.csv")).unwrap(), v2);
}

#[test]
fn quantities_against_their_meaning_are_refused() {
    let dir = trained();
    let d = dir.path();
    write(d, "x.csv", "x1,x2,x3\n0.1,0.2,0.3\n");
    let bytes = std::fs::read(d.join("model.st")).unwrap();
    type Edit = fn(&mut serde_json::Value);
    let cases: [(&str, Edit, &str); 6] = [
        (
            "std0.st",
            |m| m["x_std"][1] = 0.0.into(),
            "standard deviation of feature 1",
        ),
        (
            "ystd.st",
            |m| m["y_std"] = (-1.0).into(),
            "target standard deviation",
        ),
        ("tau.st", |m| m["prior"]["tau"] = 0.0.into(), "τ (tau)"),
        (
            "rate.st",
            |m| m["architecture"]["dropout"][0] = 1.0.into(),
            "dropout rate",
        ),
        ("mean.st", |m| m["x_mean"][0] = "inf".into(), "metadata"),
        (
            "wide.st",
            |m| m["architecture"]["sizes"][1] = 4_000_000_000u64.into(),
            "refusing a network",
        ),
    ];
    for (name, edit, word) in cases {
        std::fs::write(d.join(name), as_v1(&bytes, edit)).unwrap();
        fails_leaving_files_alone(d, &predict(name), &[name, word]);
    }
}
