use observe::observe;

#[derive(Debug)]
struct Oops;
impl std::fmt::Display for Oops { fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str("oops") } }

/// Parses a number.
#[observe(counter = "parse_calls", histogram = "parse_duration_seconds", args(s), errors = "parse_errors", in_flight = "parse_in_flight")]
fn parse(s: &str) -> Result<u32, std::num::ParseIntError> {
    let n: u32 = s.parse()?;
    if n == 7 { return Ok(8); }
    Ok(n)
}

#[observe(ret)]
fn fails() -> Result<(), Oops> { Err(Oops) }

#[observe(counter)]
async fn later(x: u32) -> Result<u32, Oops> { if x > 1 { Ok(x) } else { Err(Oops) } }

fn main() {
    let _ = parse("12");
    let _ = parse("x");
    let _ = fails();
    let _ = futures_lite(later(3));
    print!("{}", observe::metrics::render());
}

fn futures_lite<F: std::future::Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let w = std::task::Waker::noop();
    loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut std::task::Context::from_waker(w)) { return v; } }
}
