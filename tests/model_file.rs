//! Model files through the library API: a save → load round trip is exact, and files of
//! another format version, truncated or corrupted files and files whose tensors do not
//! match their architecture are clear errors; saving into a missing folder creates nothing.

use mcdropout::Error;
use mcdropout::model::{self, FORMAT_VERSION, Noise, Regressor, RegressorParams};
use mcdropout::predict::McOptions;
use ndarray::{Array1, Array2};
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use safetensors::SafeTensors;
use safetensors::tensor::TensorView;
use std::collections::HashMap;
use std::path::Path;
use tempfile::TempDir;

/// Key of the JSON metadata in a model file's safetensors header.
const META_KEY: &str = "mcdropout";
/// Key of the CRC-32 checksum (format version 2).
const CHECKSUM_KEY: &str = "mcdropout_crc32";

/// Synthetic regression data with non-round means and scales, so that the stored
/// standardisation uses every bit of its f64 values.
fn data(n: usize) -> (Array2<f64>, Array1<f64>) {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(42);
    let x = Array2::from_shape_fn((n, 3), |(_, j)| {
        let u: f64 = rng.random();
        std::f64::consts::PI * (j as f64 + 1.0) * u + 0.1 * j as f64
    });
    let y = x
        .rows()
        .into_iter()
        .map(|r| (r[0]).sin() + 0.3 * r[1] - 0.05 * r[2] * r[2] + 1.0 / 3.0)
        .collect();
    (x, y)
}

/// A small trained model (two hidden layers, so several tensors are stored).
fn trained() -> (Regressor, Array2<f64>) {
    let (x, y) = data(200);
    let mut params = RegressorParams::default();
    params.hidden = vec![16, 8];
    params.dropout = 0.1;
    params.noise = Noise::Tau(7.3);
    params.train.epochs = 20;
    params.train.seed = 3;
    let model = params.fit(x.view(), y.view()).expect("fits");
    (model, x)
}

/// Writes `model` into `dir` and returns the file's bytes and path.
fn saved(model: &Regressor, dir: &TempDir) -> (Vec<u8>, std::path::PathBuf) {
    let path = dir.path().join("m.model");
    model::save(model, &path).expect("saves");
    (std::fs::read(&path).expect("reads"), path)
}

/// Rebuilds the safetensors file `bytes` with its tensors passed through `edit` (name,
/// shape, data) and its metadata JSON through `meta`.
fn rebuild(
    bytes: &[u8],
    edit: impl Fn(&str, Vec<usize>, Vec<u8>) -> (Vec<usize>, Vec<u8>),
    meta: impl Fn(serde_json::Value) -> serde_json::Value,
) -> Vec<u8> {
    let st = SafeTensors::deserialize(bytes).expect("valid file");
    let (_, header) = SafeTensors::read_metadata(bytes).expect("valid header");
    let json = header
        .metadata()
        .as_ref()
        .and_then(|m| m.get(META_KEY))
        .expect("mcdropout metadata");
    let json = meta(serde_json::from_str(json).expect("metadata is JSON"));
    let tensors: Vec<(String, safetensors::Dtype, Vec<usize>, Vec<u8>)> = st
        .tensors()
        .into_iter()
        .map(|(name, t)| {
            let (shape, data) = edit(&name, t.shape().to_vec(), t.data().to_vec());
            (name, t.dtype(), shape, data)
        })
        .collect();
    let views: Vec<(String, TensorView)> = tensors
        .iter()
        .map(|(name, dtype, shape, data)| {
            let view = TensorView::new(*dtype, shape.clone(), data).expect("consistent tensor");
            (name.clone(), view)
        })
        .collect();
    let mut json = json;
    if let Some(obj) = json.as_object_mut() {
        obj.remove(CHECKSUM_KEY);
    }
    let json = format!(
        "{{\"{CHECKSUM_KEY}\":\"00000000\",{}",
        &json.to_string()[1..]
    );
    let meta = HashMap::from([(META_KEY.to_string(), json)]);
    seal(safetensors::serialize(views, Some(meta)).expect("serialises"))
}

/// Writes the CRC-32 of the whole file over the eight `0` digits of its checksum field (the
/// first field of the `mcdropout` metadata), as the format (version 2) specifies.
fn seal(mut bytes: Vec<u8>) -> Vec<u8> {
    // The field as it appears in the header: inside the escaped metadata string.
    let needle = format!("\\\"{CHECKSUM_KEY}\\\":\\\"00000000\\\"");
    let at = bytes
        .windows(needle.len())
        .position(|w| w == needle.as_bytes())
        .expect("checksum field")
        + needle.len()
        - 10;
    let crc = format!("{:08x}", crc32fast::hash(&bytes));
    bytes[at..at + 8].copy_from_slice(crc.as_bytes());
    bytes
}

/// Writes `bytes` to a file in `dir` and loads it as a model.
fn load_bytes(dir: &TempDir, name: &str, bytes: &[u8]) -> mcdropout::Result<Regressor> {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).expect("writes");
    model::load(&path)
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("lists")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn round_trip_gives_an_identical_model_and_identical_predictions() {
    let (model, x) = trained();
    let dir = TempDir::new().unwrap();
    let (_, path) = saved(&model, &dir);
    let loaded = model::load(&path).expect("loads");
    assert_eq!(loaded, model);

    let opts = McOptions::new(200, 11);
    let a = model.predict_mc(x.view(), &opts).unwrap();
    let b = loaded.predict_mc(x.view(), &opts).unwrap();
    assert_eq!(a, b);
    assert_eq!(
        model.predict(x.view()).unwrap(),
        loaded.predict(x.view()).unwrap()
    );

    // Saving the loaded model again writes the same bytes.
    let again = dir.path().join("again.model");
    model::save(&loaded, &again).unwrap();
    assert_eq!(
        std::fs::read(&again).unwrap(),
        std::fs::read(&path).unwrap()
    );
}

#[test]
fn another_format_version_is_a_version_error() {
    let (model, _) = trained();
    let dir = TempDir::new().unwrap();
    let (bytes, _) = saved(&model, &dir);

    // A real model whose metadata claims version 99.
    let v99 = rebuild(
        &bytes,
        |_, shape, data| (shape, data),
        |mut meta| {
            meta["format_version"] = serde_json::json!(99);
            meta
        },
    );
    match load_bytes(&dir, "v99.model", &v99) {
        Err(Error::ModelVersion {
            found, expected, ..
        }) => {
            assert_eq!(found, 99);
            assert_eq!(expected, FORMAT_VERSION);
        }
        other => panic!("expected ModelVersion, got {other:?}"),
    }

    // A file with no tensors and nothing but a version in its metadata.
    let bare = safetensors::serialize(
        Vec::<(String, TensorView)>::new(),
        Some(HashMap::from([(
            META_KEY.to_string(),
            r#"{"format_version": 99}"#.to_string(),
        )])),
    )
    .unwrap();
    let err = load_bytes(&dir, "bare.model", &bare).unwrap_err();
    assert!(
        matches!(err, Error::ModelVersion { found: 99, .. }),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(msg.contains("bare.model") && msg.contains("99"), "{msg}");
}

#[test]
fn truncated_file_is_a_format_error() {
    let (model, _) = trained();
    let dir = TempDir::new().unwrap();
    let (bytes, _) = saved(&model, &dir);
    for (name, cut) in [
        ("half.model", bytes.len() / 2),
        ("one_short.model", bytes.len() - 1),
        ("empty.model", 0),
    ] {
        let err = load_bytes(&dir, name, &bytes[..cut]).unwrap_err();
        assert!(matches!(err, Error::ModelFormat { .. }), "{name}: {err:?}");
        assert!(err.to_string().contains(name), "{err}");
    }
}

#[test]
fn random_bytes_are_a_format_error() {
    let dir = TempDir::new().unwrap();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
    for len in [5, 64, 4096] {
        let bytes: Vec<u8> = (0..len).map(|_| rng.random()).collect();
        let err = load_bytes(&dir, "noise.model", &bytes).unwrap_err();
        assert!(matches!(err, Error::ModelFormat { .. }), "{len}: {err:?}");
    }
    // A small plausible header length followed by garbage.
    let mut bytes = 40u64.to_le_bytes().to_vec();
    bytes.extend((0..40).map(|_| rng.random::<u8>()));
    let err = load_bytes(&dir, "header.model", &bytes).unwrap_err();
    assert!(matches!(err, Error::ModelFormat { .. }), "{err:?}");
}

#[test]
fn tensor_of_the_wrong_shape_is_a_format_error() {
    let (model, _) = trained();
    let dir = TempDir::new().unwrap();
    let (bytes, _) = saved(&model, &dir);
    let keep_meta = |meta| meta;

    // The first kernel transposed (same number of values, wrong shape).
    let transposed = rebuild(
        &bytes,
        |name, shape, data| match name {
            "layer0.weight" => (vec![shape[1], shape[0]], data),
            _ => (shape, data),
        },
        keep_meta,
    );
    let err = load_bytes(&dir, "transposed.model", &transposed).unwrap_err();
    assert!(matches!(err, Error::ModelFormat { .. }), "{err:?}");
    assert!(err.to_string().contains("layer0.weight"), "{err}");

    // A bias one value short.
    let short = rebuild(
        &bytes,
        |name, shape, data| match name {
            "layer1.bias" => (vec![shape[0] - 1], data[..data.len() - 8].to_vec()),
            _ => (shape, data),
        },
        keep_meta,
    );
    let err = load_bytes(&dir, "short.model", &short).unwrap_err();
    assert!(matches!(err, Error::ModelFormat { .. }), "{err:?}");
    assert!(err.to_string().contains("layer1.bias"), "{err}");

    // Correct metadata, untouched tensors: still loads (the edits above are what fail).
    let same = rebuild(&bytes, |_, shape, data| (shape, data), keep_meta);
    assert_eq!(load_bytes(&dir, "same.model", &same).unwrap(), model);
}

#[test]
fn saving_into_a_missing_folder_fails_and_creates_nothing() {
    let (model, _) = trained();
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("missing").join("m.model");
    let err = model::save(&model, &path).unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err:?}");
    assert!(err.to_string().contains("missing"), "{err}");
    assert!(!path.exists());
    assert!(!dir.path().join("missing").exists());
    assert!(
        files_in(dir.path()).is_empty(),
        "{:?}",
        files_in(dir.path())
    );
}

#[test]
fn missing_model_file_is_an_io_error() {
    let dir = TempDir::new().unwrap();
    let err = model::load(&dir.path().join("nowhere.model")).unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err:?}");
}
