use observe::observe;

fn bad(_: &u32) -> bool {
    false
}

#[observe(error_if = bad, ok_if = bad)]
fn f() -> u32 {
    1
}

fn main() {}
