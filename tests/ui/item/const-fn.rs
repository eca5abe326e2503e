use observe::observe;

#[observe]
const fn f() -> u32 {
    1
}

fn main() {}
