use observe::observe;

#[observe(ret = true)]
fn f() -> u32 {
    1
}

fn main() {}
