use observe::observe;

#[observe(ret(level = "info", level = "warn"))]
fn f() -> u8 {
    1
}

fn main() {}
