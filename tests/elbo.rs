//! The ELBO estimate against closed forms.

use mcdropout::elbo::elbo;
use mcdropout::model::{Noise, RegressorParams};
use mcdropout::nn::{Activation, Architecture, Init, Network};
use mcdropout::prior::{Prior, TauUnits};
use ndarray::{Array1, Array2, Axis};
use std::f64::consts::PI;

/// With every dropout rate 0 each mask sample is the deterministic pass, so the expected
/// log-likelihood is exactly Σ_n [−τ/2 (y_n − f(x_n))² + ½ log(τ/2π)] and the KL is
/// Σ_i l²/2 (‖M_i‖² + ‖b_i‖²); agreement to float rounding (1e-10 relative).
#[test]
fn elbo_without_dropout_is_the_gaussian_log_likelihood_minus_kl() {
    let arch = Architecture::new(3, &[8], 1, Activation::Tanh, 0.0).unwrap();
    let net = Network::init(arch, Init::GlorotUniform, 0.1, 4).unwrap();
    let x = Array2::from_shape_fn((25, 3), |(i, j)| ((i * 7 + j * 3) % 11) as f64 / 5.0 - 1.0);
    let y = Array2::from_shape_fn((25, 1), |(i, _)| (i as f64 / 6.0).sin());
    let prior = Prior::new(0.5, 4.0, 25, 1.0, TauUnits::Gal).unwrap();
    let e = elbo(&net, &prior, x.view(), y.view(), 3, 9).unwrap();
    let f = net.forward(x.view()).unwrap();
    let tau = 4.0;
    let expected: f64 = f
        .iter()
        .zip(y.iter())
        .map(|(f, y)| -0.5 * tau * (y - f) * (y - f) + 0.5 * (tau / (2.0 * PI)).ln())
        .sum();
    let kl: f64 = net
        .layers
        .iter()
        .map(|l| {
            0.125
                * (l.weights.iter().map(|w| w * w).sum::<f64>()
                    + l.bias.iter().map(|b| b * b).sum::<f64>())
        })
        .sum();
    assert!((e.expected_log_likelihood - expected).abs() < 1e-10 * expected.abs());
    assert!((e.kl - kl).abs() < 1e-12 * kl);
    assert!((e.elbo - (expected - kl)).abs() < 1e-10 * expected.abs());
}

/// Through the fitted model: the estimate is reproducible for a seed, its parts add up,
/// and it is the ELBO of the standardised data (the same as calling [`elbo`] on the
/// network with the standardised arrays).
#[test]
fn regressor_elbo_standardises_and_is_reproducible() {
    let x = Array2::from_shape_fn((200, 2), |(i, j)| ((i * 13 + j * 5) % 17) as f64);
    let y: Array1<f64> = x.map_axis(Axis(1), |r| r[0] * 0.5 - r[1] + 3.0);
    let mut params = RegressorParams::default();
    params.noise = Noise::Tau(2.0);
    params.dropout = 0.1;
    params.train.epochs = 30;
    let model = params.fit(x.view(), y.view()).unwrap();
    let a = model.elbo(x.view(), y.view(), 500, 1).unwrap();
    assert_eq!(a, model.elbo(x.view(), y.view(), 500, 1).unwrap());
    assert!(a.elbo.is_finite() && a.kl > 0.0);
    assert_eq!(a.elbo, a.expected_log_likelihood - a.kl);
    let xs = model.x_scaler.transform(x.view()).unwrap();
    let ys = y
        .mapv(|v| (v - model.y_mean) / model.y_std)
        .insert_axis(Axis(1));
    let direct = elbo(&model.network, &model.prior, xs.view(), ys.view(), 500, 1).unwrap();
    assert_eq!(a, direct);
}
