use observe::observe;

// An objective needs a metric to be measured by.
#[observe(objective(success = 99.9))]
fn no_metric() {}

// `success` is measured by the counter.
#[observe(histogram = "took_ms", objective(success = 99.9, latency = "250ms"))]
fn success_without_counter() {}

// `latency` is measured by the histogram.
#[observe(counter, objective(success = 99.9, latency = "250ms"))]
fn latency_without_histogram() {}

// 300 ms is not one of the default millisecond buckets (…, 250, 500, …).
#[observe(histogram = "took_ms", objective(latency = "300ms"))]
fn latency_not_a_bucket() {}

// 0.25 s is a bucket of a seconds histogram; 0.3 s of these buckets is not.
#[observe(histogram = "took_seconds", buckets = [0.1, 0.5], objective(latency = "300ms"))]
fn latency_not_one_of_the_given_buckets() {}

#[observe(counter, objective(success = 99.0, latency_target = 99))]
fn latency_target_without_latency() {}

fn main() {}
