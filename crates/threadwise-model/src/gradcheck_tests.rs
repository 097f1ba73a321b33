//! Finite-difference gradient checks (central differences, f64) for every layer and the network.
use super::layers::gradcheck::{max_rel_error, numeric_grad, random};
use super::layers::{active_counts, bow, dense::Dense, embedding, loss, lstm, pooling};
use super::network::{Architecture, Batch, Item, LossScales, Network, TagWeights, Workspace};
use ndarray::{Array2, ArrayView2};

const TOL: f64 = 1e-4;

/// A fixed random projection turns a layer's output into a scalar loss `Σ out ⊙ proj`, whose
/// gradient w.r.t. the output is simply `proj`.
fn project(out: ArrayView2<f64>, proj: &Array2<f64>) -> f64 {
    (&out * proj).sum()
}

fn assert_close(name: &str, analytic: &[f64], numeric: &[f64]) {
    let err = max_rel_error(analytic, numeric);
    assert!(err < TOL, "{name}: max relative error {err:e}");
}

// Three sequences of lengths 4, 2, 1 in time-major order: masking is exercised at steps 1..3.
const LENGTHS: [usize; 3] = [4, 2, 1];
const BATCH: usize = 3;

#[test]
fn lstm_gradients_match_finite_differences_with_masking() {
    let (input, hidden) = (3, 4);
    let active = active_counts(&LENGTHS);
    let rows = active.len() * BATCH;
    let mut x = random(rows, input, 1, 1.0);
    let mut w = lstm::Lstm::<f64>::zeros(input, hidden);
    w.w_x = random(input, 4 * hidden, 2, 0.8);
    w.w_h = random(hidden, 4 * hidden, 3, 0.8);
    w.b = random(1, 4 * hidden, 4, 0.5).row(0).to_owned();
    let mut proj = random(rows, hidden, 5, 1.0);
    // Padding rows must not matter: give them a projection that would show up if they leaked.
    for (t, &n) in active.iter().enumerate() {
        for b in n..BATCH {
            proj.row_mut(t * BATCH + b).fill(0.0);
        }
    }
    let loss_of = |w: &lstm::Lstm<f64>, x: &Array2<f64>| {
        let mut cache = lstm::LstmCache::default();
        lstm::forward(w, x.view(), &active, BATCH, &mut cache);
        project(cache.output(rows), &proj)
    };
    let mut cache = lstm::LstmCache::default();
    lstm::forward(&w, x.view(), &active, BATCH, &mut cache);
    let mut grad = lstm::Lstm::zeros(input, hidden);
    let mut d_x = Array2::zeros((rows, input));
    lstm::backward(
        &w,
        x.view(),
        &active,
        BATCH,
        &mut cache,
        proj.view(),
        &mut grad,
        d_x.view_mut(),
    );

    let num_x = numeric_grad(&mut x, |x| loss_of(&w, x));
    // Padding rows of x are never read, so their gradient must be exactly zero both ways.
    assert_close("lstm d_x", d_x.as_slice().unwrap(), &num_x);
    let mut w_x = w.w_x.clone();
    let num = numeric_grad(&mut w_x, |m| {
        loss_of(
            &lstm::Lstm {
                w_x: m.clone(),
                ..w.clone()
            },
            &x,
        )
    });
    assert_close("lstm d_w_x", grad.w_x.as_slice().unwrap(), &num);
    let mut w_h = w.w_h.clone();
    let num = numeric_grad(&mut w_h, |m| {
        loss_of(
            &lstm::Lstm {
                w_h: m.clone(),
                ..w.clone()
            },
            &x,
        )
    });
    assert_close("lstm d_w_h", grad.w_h.as_slice().unwrap(), &num);
    let mut b = w.b.clone().insert_axis(ndarray::Axis(0));
    let num = numeric_grad(&mut b, |m| {
        loss_of(
            &lstm::Lstm {
                b: m.row(0).to_owned(),
                ..w.clone()
            },
            &x,
        )
    });
    assert_close("lstm d_b", grad.b.as_slice().unwrap(), &num);
}

#[test]
fn embedding_gradient_is_a_scatter_add() {
    let active = active_counts(&LENGTHS);
    let rows = active.len() * BATCH;
    let tokens: Vec<u32> = (0..rows).map(|r| (r % 5) as u32).collect();
    let mut table = random(5, 3, 6, 1.0);
    let proj = random(rows, 3, 7, 1.0);
    let loss_of = |table: &Array2<f64>| {
        let mut out = Array2::zeros((rows, 3));
        embedding::forward(table, &tokens, &active, BATCH, out.view_mut());
        project(out.view(), &proj)
    };
    let mut grad = Array2::zeros((5, 3));
    embedding::backward(proj.view(), &tokens, &active, BATCH, &mut grad);
    let num = numeric_grad(&mut table, loss_of);
    assert_close("embedding", grad.as_slice().unwrap(), &num);
}

#[test]
fn bag_of_words_gradient_matches_with_bigrams_repeats_and_dropped_tokens() {
    let active = active_counts(&LENGTHS);
    let rows = active.len() * BATCH;
    // Repeated ids (sublinear tf), one dropped token (keep = 0), and 3 bigram buckets after the 4
    // word rows (so bigrams collide too). Time-major: sequences [1, 2, 1, 1], [3, 3], [2], with
    // padding 0; the dropped token is the first sequence's 2.
    const VOCAB: usize = 4;
    let tokens: Vec<u32> = vec![1, 3, 2, 2, 3, 0, 1, 0, 0, 1, 0, 0];
    assert_eq!(tokens.len(), rows);
    let mut keep = vec![1.0; rows];
    keep[3] = 0.0;
    let mut table = random(VOCAB + 3, 2, 16, 1.0);
    // idf weights in [1, 3): the bag's values are then not all equal.
    let idf: Vec<f64> = random(VOCAB + 3, 1, 19, 1.0)
        .iter()
        .map(|x| 2.0 + x)
        .collect();
    let proj = random(BATCH, 2, 17, 1.0);
    let loss_of = |table: &Array2<f64>| {
        let mut out = Array2::zeros((BATCH, 2));
        let mut bags = bow::Bags::default();
        bow::forward(
            table,
            &idf,
            VOCAB,
            &tokens,
            &keep,
            &active,
            BATCH,
            &mut bags,
            out.view_mut(),
        );
        project(out.view(), &proj)
    };
    let mut bags = bow::Bags::default();
    bow::forward(
        &table,
        &idf,
        VOCAB,
        &tokens,
        &keep,
        &active,
        BATCH,
        &mut bags,
        Array2::zeros((BATCH, 2)).view_mut(),
    );
    let mut grad = Array2::zeros((VOCAB + 3, 2));
    bow::backward(proj.view(), &bags, &mut grad);
    let num = numeric_grad(&mut table, loss_of);
    assert_close("bag of words", grad.as_slice().unwrap(), &num);
}

#[test]
fn masked_mean_max_pooling_gradient_matches() {
    let active = active_counts(&LENGTHS);
    let rows = active.len() * BATCH;
    let mut h = random(rows, 4, 8, 1.0);
    let proj = random(BATCH, 8, 9, 1.0);
    let loss_of = |h: &Array2<f64>| {
        let mut out = Array2::zeros((BATCH, 8));
        pooling::forward(
            h.view(),
            &LENGTHS,
            BATCH,
            out.view_mut(),
            &mut Array2::zeros((0, 0)),
        );
        project(out.view(), &proj)
    };
    let mut out = Array2::zeros((BATCH, 8));
    let mut argmax = Array2::zeros((0, 0));
    pooling::forward(h.view(), &LENGTHS, BATCH, out.view_mut(), &mut argmax);
    let mut d_h = Array2::zeros((rows, 4));
    pooling::backward(proj.view(), &LENGTHS, BATCH, &argmax, d_h.view_mut());
    let num = numeric_grad(&mut h, loss_of);
    assert_close("pooling", d_h.as_slice().unwrap(), &num);
}

#[test]
fn dense_gradients_match() {
    let mut x = random(3, 4, 10, 1.0);
    let mut layer = Dense::<f64>::zeros(4, 2);
    layer.w = random(4, 2, 11, 1.0);
    layer.b = random(1, 2, 12, 1.0).row(0).to_owned();
    let proj = random(3, 2, 13, 1.0);
    let loss_of = |layer: &Dense<f64>, x: &Array2<f64>| {
        let mut out = Array2::zeros((3, 2));
        layer.forward(x.view(), out.view_mut());
        project(out.view(), &proj)
    };
    let mut grad = Dense::zeros(4, 2);
    let mut d_x = Array2::zeros((3, 4));
    layer.backward(x.view(), proj.view(), &mut grad, d_x.view_mut());
    let num = numeric_grad(&mut x, |x| loss_of(&layer, x));
    assert_close("dense d_x", d_x.as_slice().unwrap(), &num);
    let mut w = layer.w.clone();
    let num = numeric_grad(&mut w, |w| {
        loss_of(
            &Dense {
                w: w.clone(),
                b: layer.b.clone(),
            },
            &x,
        )
    });
    assert_close("dense d_w", grad.w.as_slice().unwrap(), &num);
}

#[test]
fn sigmoid_bce_gradient_matches_and_skips_unlabelled() {
    let mut z = random(3, 2, 14, 4.0);
    let y = Array2::from_shape_vec((3, 2), vec![1.0, 0.0, -1.0, 1.0, 0.0, -1.0]).unwrap();
    let mut d = Array2::zeros((3, 2));
    let scale = 0.3;
    loss::bce_with_logits(z.view(), y.view(), None, scale, d.view_mut());
    let num = numeric_grad(&mut z, |z| {
        loss::bce_with_logits(
            z.view(),
            y.view(),
            None,
            scale,
            Array2::zeros((3, 2)).view_mut(),
        )
    });
    assert_close("bce", d.as_slice().unwrap(), &num);
    assert_eq!(d[(1, 0)], 0.0, "an unlabelled term has no gradient");
}

#[test]
fn weighted_bce_gradient_matches_and_scales_each_term() {
    let mut z = random(3, 2, 24, 4.0);
    let y = Array2::from_shape_vec((3, 2), vec![1.0, 0.0, -1.0, 1.0, 0.0, 0.0]).unwrap();
    let w = Array2::from_shape_vec((3, 2), vec![1.0, 0.25, 3.0, 1.0, 3.0, 0.0]).unwrap();
    let scale = 0.7;
    let mut d = Array2::zeros((3, 2));
    loss::bce_with_logits(z.view(), y.view(), Some(w.view()), scale, d.view_mut());
    let num = numeric_grad(&mut z, |z| {
        let mut out = Array2::zeros((3, 2));
        loss::bce_with_logits(z.view(), y.view(), Some(w.view()), scale, out.view_mut())
    });
    assert_close("weighted bce", d.as_slice().unwrap(), &num);
    let mut plain = Array2::zeros((3, 2));
    loss::bce_with_logits(z.view(), y.view(), None, scale, plain.view_mut());
    assert!(
        (d[(2, 0)] - 3.0 * plain[(2, 0)]).abs() < 1e-12,
        "a term of weight 3"
    );
    assert_eq!(d[(2, 1)], 0.0, "a term of weight 0 has no gradient");
}

#[test]
fn a_batch_weighs_rejected_above_absent_and_positives_at_one() {
    let items = vec![
        Item {
            ids: &[3, 4],
            tags: &[0],
            rejected: &[2, 0],
            quality: None,
        },
        Item::new(&[5], &[1], None),
    ];
    let weights = TagWeights {
        absent: 0.5,
        rejected: 3.0,
    };
    let batch = Batch::<f64>::weighted(items.clone(), 3, weights);
    let w = batch.weights.as_ref().expect("weighted terms");
    // Row 0 is the longer item; a tag both given and rejected counts as given.
    assert_eq!(w.row(0).to_vec(), [1.0, 0.5, 3.0]);
    assert_eq!(w.row(1).to_vec(), [0.5, 1.0, 0.5]);
    assert!(
        Batch::<f64>::new(items, 3).weights.is_none(),
        "unit weights need no array"
    );
}

fn tiny_batch() -> Batch<f64> {
    let seqs: [&[u32]; 3] = [&[3, 4, 5, 6], &[7, 2], &[1]];
    let tags: [&[usize]; 3] = [&[0, 2], &[1], &[]];
    let quality = [Some(true), None, Some(false)];
    let rejected: [&[usize]; 3] = [&[1], &[], &[0, 2]];
    let items = (0..3)
        .map(|i| Item {
            ids: seqs[i],
            tags: tags[i],
            rejected: rejected[i],
            quality: quality[i],
        })
        .collect();
    let weights = TagWeights {
        absent: 0.4,
        rejected: 2.5,
    };
    Batch::weighted(items, 3, weights)
}

#[test]
fn whole_network_gradients_match_with_both_heads() {
    use rand::SeedableRng;
    let arch = Architecture {
        vocab: 8,
        embedding: 3,
        hidden: 4,
        layers: 2,
        tags: 3,
        wide: true,
        wide_buckets: 5,
    };
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(15);
    let mut net = Network::<f64>::init(arch, &mut rng);
    // The bag-of-words path starts at zero; give it weights so its gradient flows everywhere.
    net.wide = random(arch.vocab + arch.wide_buckets, arch.tags, 18, 0.5);
    net.wide_idf = random(arch.vocab + arch.wide_buckets, 1, 20, 1.0)
        .iter()
        .map(|x| 2.0 + x)
        .collect();
    let batch = tiny_batch();
    let scales = LossScales {
        tags: 1.0 / 9.0,
        quality: 0.5,
        wide_alone: 0.3,
    };
    let loss_of = |net: &Network<f64>| {
        let mut ws = Workspace::default();
        net.forward(&batch, &mut ws, None);
        net.backward(&batch, &mut ws, scales, &mut Network::zeros(arch))
    };
    let mut ws = Workspace::default();
    let mut grad = Network::zeros(arch);
    net.forward(&batch, &mut ws, None);
    net.backward(&batch, &mut ws, scales, &mut grad);

    let analytic: Vec<Vec<f64>> = grad
        .tensors()
        .into_iter()
        .map(|(_, _, s)| s.to_vec())
        .collect();
    let names: Vec<String> = grad.tensors().into_iter().map(|(n, _, _)| n).collect();
    let mut probe = net.clone();
    for (k, name) in names.iter().enumerate() {
        let len = analytic[k].len();
        let mut numeric = Vec::with_capacity(len);
        for i in 0..len {
            let orig = probe.slices_mut()[k][i];
            probe.slices_mut()[k][i] = orig + 1e-5;
            let plus = loss_of(&probe);
            probe.slices_mut()[k][i] = orig - 1e-5;
            let minus = loss_of(&probe);
            probe.slices_mut()[k][i] = orig;
            numeric.push((plus - minus) / 2e-5);
        }
        assert_close(name, &analytic[k], &numeric);
    }
    assert!(names.iter().any(|n| n == "wide.w"), "{names:?}");
}
