//! Criterion benchmarks of the tag classifier: training-step throughput and single-post latency,
//! on the seed's reference shape (compare with ../shared/bench/torch_lstm_bench.py) and on the
//! default `threadwise train` shape. Random data; small sample sizes so a run takes about a minute.
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Duration;
use threadwise_model::bench::{BenchShape, infer_single, random_data, trainer};
use threadwise_model::trainer::Item;

fn shapes() -> [(&'static str, BenchShape); 2] {
    [
        ("seed", BenchShape::seed()),
        ("default", BenchShape::default_shape()),
    ]
}

fn training_step(c: &mut Criterion) {
    let mut group = c.benchmark_group("train_step");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    for (name, shape) in shapes() {
        let (seqs, tags) = random_data(&shape, shape.batch, 1);
        let items: Vec<Item> = seqs
            .iter()
            .zip(&tags)
            .map(|(s, t)| Item::new(s, t, None))
            .collect();
        for threads in [1, 2] {
            let mut trainer = trainer(&shape, threads);
            group.throughput(Throughput::Elements(shape.batch as u64));
            group.bench_with_input(
                BenchmarkId::new(name, format!("{threads}t")),
                &items,
                |b, items| b.iter(|| trainer.step(black_box(items), 7)),
            );
        }
    }
    group.finish();
}

fn single_post(c: &mut Criterion) {
    let mut group = c.benchmark_group("infer_single_256_tokens");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    for (name, shape) in shapes() {
        let net = trainer(&shape, 1).net;
        let (seqs, _) = random_data(&shape, 1, 2);
        let post: Vec<u32> = seqs[0].iter().cycle().take(256).copied().collect();
        group.bench_function(name, |b| b.iter(|| infer_single(&net, black_box(&post))));
    }
    group.finish();
}

criterion_group!(benches, training_step, single_post);
criterion_main!(benches);
