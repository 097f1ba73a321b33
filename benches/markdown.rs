//! Criterion benchmarks of the post renderer on the worst 64 KiB bodies found (see
//! `domain::markdown::MAX_NESTING`): the ones still accepted render in a few tens of ms, the
//! deeply nested ones are refused in a few ms, and the importer's HTML bound likewise.
use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use threadwise::domain::markdown;

const SIZE: usize = 65_535;

fn fill(unit: &str) -> String {
    unit.repeat(SIZE / unit.len())
}

fn bodies() -> Vec<(&'static str, String)> {
    vec![
        (
            "nested_lists_refused",
            format!("{}x", "- ".repeat(SIZE / 2 - 1)),
        ),
        (
            "nested_quotes_refused",
            format!("{}x", ">".repeat(SIZE - 1)),
        ),
        ("emphasis_runs", fill("*a")),
        ("reference_links", format!("[a]: /u\n{}", fill("[a]"))),
        ("autolinks", fill("<http://a>")),
        ("open_angles", fill("<a")),
        ("entities", fill("&amp")),
        ("list_items", fill("- a\n")),
        ("strikethrough", fill("~~a")),
        ("code_spans", fill("`a``")),
        ("open_brackets", fill("[")),
        (
            "wide_table",
            format!("{}\n{}\n", "|a".repeat(SIZE / 6), "|-".repeat(SIZE / 6)),
        ),
    ]
}

fn render(c: &mut Criterion) {
    let mut group = c.benchmark_group("render_64k");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for (name, body) in bodies() {
        group.bench_function(name, |b| b.iter(|| markdown::render(black_box(&body))));
    }
    group.finish();
}

fn sanitize(c: &mut Criterion) {
    let mut group = c.benchmark_group("sanitize_html_64k");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for (name, html) in [
        ("nested_divs_refused", fill("<div>")),
        ("nested_list_items_refused", fill("<ul><li>")),
        ("sibling_paragraphs", fill("<p>a</p>")),
        (
            "bounded_nesting",
            fill(&("<div>".repeat(200) + &"</div>".repeat(200))),
        ),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| markdown::sanitize_html(black_box(&html)))
        });
    }
    group.finish();
}

criterion_group!(benches, render, sanitize);
criterion_main!(benches);
