use observe::observe;

#[observe(error_if = 3)]
fn f() -> u8 {
    1
}

fn main() {}
