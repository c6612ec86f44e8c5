//! Issue 11, item 3: training a wide network (20→512→512→1, batch 128) uses both cores
//! through column-split products whose blocks are fixed by the shape, so the trained
//! weights are bit for bit the same on 1 thread and on 2.

use mcdropout::nn::{Activation, Architecture, Init, Network};
use mcdropout::train::{Regularisation, TrainConfig, train_network};
use ndarray::Array2;

fn train_on(threads: usize) -> Network {
    let arch = Architecture::new(20, &[512, 512], 1, Activation::Relu, 0.1).unwrap();
    let mut net = Network::init(arch, Init::GlorotUniform, 0.0, 7).unwrap();
    let x = Array2::from_shape_fn((300, 20), |(i, j)| {
        ((i * 31 + j * 7) % 97) as f64 / 48.0 - 1.0
    });
    let y = Array2::from_shape_fn((300, 1), |(i, _)| ((i * 13) % 29) as f64 / 14.0 - 1.0);
    let reg = Regularisation {
        kernel: vec![1e-4; 3],
        bias: 1e-4,
    };
    let mut cfg = TrainConfig::default();
    cfg.epochs = 2;
    cfg.seed = 5;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| {
        train_network(&mut net, x.view(), y.view(), &reg, &cfg, &mut |_, _| {}).unwrap()
    });
    net
}

#[test]
fn wide_training_is_bit_identical_on_one_and_two_threads() {
    let (one, two) = (train_on(1), train_on(2));
    let init = {
        let arch = Architecture::new(20, &[512, 512], 1, Activation::Relu, 0.1).unwrap();
        Network::init(arch, Init::GlorotUniform, 0.0, 7).unwrap()
    };
    for ((a, b), c) in one.layers.iter().zip(&two.layers).zip(&init.layers) {
        let bits = |l: &mcdropout::nn::Layer| {
            l.weights
                .iter()
                .chain(l.bias.iter())
                .map(|v| v.to_bits())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            bits(a),
            bits(b),
            "1 and 2 threads trained different weights"
        );
        assert_ne!(bits(a), bits(c), "training moved the weights");
    }
}
