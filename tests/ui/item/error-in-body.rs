use observe::observe;

#[observe(counter = "c")]
fn f(x: u32) -> u32 {
    let y: String = x;
    y.len() as u32
}

#[observe]
async fn g() -> u32 {
    "not a number"
}

fn main() {}
