use observe::observe;

#[observe(slow = "250 millis")]
fn unit_misspelt() {}

#[observe(slow = "fast")]
fn no_number() {}

#[observe(slow = 250)]
fn not_a_string() {}

fn main() {}
