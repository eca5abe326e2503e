use observe::observe;

#[observe(skip_all, skip(a))]
fn f(a: u8) {
    let _ = a;
}

fn main() {}
