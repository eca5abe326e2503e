use observe::observe;

#[observe(counter = "jobs", histogram = "job_ms", objective(success = 99.9, latency = "250ms", latency_target = 95))]
fn both() {}

#[observe(histogram = "took_seconds", buckets = [0.1, 0.3, 1.0], objective(latency = "300ms"))]
fn on_given_buckets() {}

#[observe(counter, objective(success = 99))]
fn success_only() {}

fn main() {
    both();
    on_given_buckets();
    success_only();
    let objective = observe::catalog::sites()
        .into_iter()
        .find(|s| s.function() == "both")
        .and_then(|s| s.objective())
        .unwrap();
    assert_eq!(objective.latency, Some((250.0, "250ms")));
    assert_eq!(objective.latency_target, 95.0);
    let given = observe::catalog::sites()
        .into_iter()
        .find(|s| s.function() == "on_given_buckets")
        .and_then(|s| s.objective())
        .unwrap();
    assert_eq!(given.latency, Some((0.3, "300ms")));
    assert_eq!(given.latency_target, 99.0, "the default");
}
