//! Benchmark: load the whole catalog, render every definition's defaults and testdata sets and
//! validate every object (strict Kubernetes schemas 1.33 + 1.37, k8s-openapi types, Berth's rules).
//! Goal: under 50 ms warm. Run: `cargo bench -p berth-catalog`.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use berth_catalog::lint::{object_problems, sample_requests};
use berth_catalog::{Catalog, CatalogSource};

fn run(dir: &Path) -> usize {
    let catalog = Catalog::load(&[CatalogSource::built_in(dir)]).expect("catalog loads");
    render_all(&catalog)
}

fn render_all(catalog: &Catalog) -> usize {
    let mut objects = 0;
    for def in catalog.list() {
        for req in &sample_requests(def).expect("testdata cases read") {
            let rendered = def.render(req).expect("renders");
            assert!(object_problems(&rendered).is_empty());
            objects += rendered.objects.len();
        }
    }
    objects
}

fn main() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../catalog");
    let cold = Instant::now();
    let objects = run(&dir);
    let cold = cold.elapsed();
    let iterations = 20;
    let mut best = Duration::MAX;
    let mut total = Duration::ZERO;
    for _ in 0..iterations {
        let start = Instant::now();
        std::hint::black_box(run(&dir));
        let took = start.elapsed();
        best = best.min(took);
        total += took;
    }
    let catalog = Catalog::load(&[CatalogSource::built_in(&dir)]).expect("catalog loads");
    let mut load_best = Duration::MAX;
    let mut render_best = Duration::MAX;
    for _ in 0..iterations {
        let start = Instant::now();
        std::hint::black_box(Catalog::load(&[CatalogSource::built_in(&dir)]).expect("loads"));
        load_best = load_best.min(start.elapsed());
        let start = Instant::now();
        std::hint::black_box(render_all(&catalog));
        render_best = render_best.min(start.elapsed());
    }
    println!(
        "  of which: load {:.1} ms, render+validate {:.1} ms (best of {iterations})",
        load_best.as_secs_f64() * 1e3,
        render_best.as_secs_f64() * 1e3
    );
    println!(
        "catalog load+render+validate: {objects} objects; cold {:.1} ms (the first run in the process); warm mean {:.1} ms, best {:.1} ms over {iterations} runs (goal < 50 ms)",
        cold.as_secs_f64() * 1e3,
        total.as_secs_f64() * 1e3 / iterations as f64,
        best.as_secs_f64() * 1e3
    );
}
