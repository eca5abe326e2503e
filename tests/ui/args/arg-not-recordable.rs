use observe::observe;

struct NoDebug;

#[observe(args(value))]
fn f(value: NoDebug) {
    let _ = value;
}

fn main() {}
