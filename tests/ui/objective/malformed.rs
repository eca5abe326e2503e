use observe::observe;

#[observe(counter, objective(success = 100))]
fn hundred_percent() {}

#[observe(counter, objective(success = 0))]
fn zero_percent() {}

#[observe(counter, objective(sucess = 99.9))]
fn misspelt() {}

#[observe(counter, objective())]
fn empty() {}

#[observe(histogram = "took_ms", objective(latency = "quick"))]
fn latency_without_unit() {}

#[observe(counter, objective(success = "99.9"))]
fn percent_as_text() {}

fn main() {}
