use observe::observe;

#[observe(counter = "c")]
fn f(x: u32) -> u32 {
    let y: String = x;
    y.len() as u32
}

// Runs to its end in its first poll: observed like a synchronous body.
#[observe]
async fn g() -> u32 {
    "not a number"
}

// Can suspend: its body is polled inside the call's future.
#[observe]
async fn h() -> u32 {
    std::future::ready(()).await;
    "not a number"
}

fn main() {}
