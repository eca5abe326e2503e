#![deny(warnings)]
#![allow(clippy::unused_self)]
use observe::observe;

struct Point {
    x: i32,
    y: i32,
}

#[observe]
fn destructured(Point { x, y }: Point, (a, b): (u8, u8), _: u64, [first, ..]: [u8; 3]) -> i32 {
    x + y + i32::from(a) + i32::from(b) + i32::from(first)
}

#[observe]
fn underscore_param(_unused: u32, _: &str) {}

/// # Safety
/// `p` must be valid.
#[observe]
unsafe fn unsafe_fn(p: *const u32) -> u32 {
    *p
}

#[observe]
extern "C" fn extern_c(x: u32) -> u32 {
    x * 2
}

#[observe]
pub unsafe extern "C" fn unsafe_extern(x: u32) -> u32 {
    x + 1
}

#[observe]
fn never(code: i32) -> ! {
    std::process::exit(code)
}

#[observe]
fn diverges_by_panic() -> u32 {
    panic!("never returns normally")
}

#[observe]
fn loops_forever_maybe(stop: bool) -> u32 {
    loop {
        if stop {
            break 3;
        }
    }
}

#[observe(counter = "fib_calls")]
fn fib(n: u64) -> u64 {
    if n < 2 {
        return n;
    }
    fib(n - 1) + fib(n - 2)
}

#[observe]
fn early_returns(n: i32) -> Result<i32, String> {
    if n < 0 {
        return Err(format!("negative: {n}"));
    }
    let parsed: i32 = n
        .to_string()
        .parse()
        .map_err(|_| "unreachable".to_string())?;
    for i in 0..10 {
        if i == parsed {
            return Ok(i * 10);
        }
    }
    let closure = |x: i32| -> Result<i32, String> {
        if x > 100 {
            return Err("big".into());
        }
        Ok(x)
    };
    let nested = closure(n)?;
    Ok(nested)
}

#[observe]
fn inner_attributes() -> u32 {
    #![allow(clippy::let_and_return, unused_mut)]
    let mut x = 1;
    x
}

#[must_use]
#[inline]
#[observe]
fn outer_attributes() -> u32 {
    2
}

#[observe]
#[inline(never)]
#[allow(clippy::needless_return)]
fn attribute_after() -> u32 {
    return 3;
}

#[observe]
fn unit_returns(flag: bool) {
    if flag {
        return;
    }
}

#[observe]
fn control_flow(n: u32) -> std::ops::ControlFlow<u32, u32> {
    let v = std::ops::ControlFlow::<u32, u32>::Continue(n)?;
    std::ops::ControlFlow::Continue(v)
}

#[observe]
fn poll_result(p: std::task::Poll<Result<u8, String>>) -> std::task::Poll<Result<u8, String>> {
    let v = p?;
    v.map(Ok)
}

#[observe]
fn nested_items() -> u32 {
    fn helper() -> Option<u32> {
        let v: u32 = "5".parse().ok()?;
        Some(v)
    }
    struct Local;
    impl Local {
        fn value(&self) -> u32 {
            1
        }
    }
    helper().unwrap_or(0) + Local.value()
}

#[observe]
fn labelled_loops() -> u32 {
    let mut n = 0;
    'outer: for i in 0..5 {
        for j in 0..5 {
            if i * j > 6 {
                break 'outer;
            }
            n += 1;
        }
    }
    n
}

pub struct Page {
    pub status: u16,
    pub rows: Vec<u8>,
}

/// Fields from the return value and a slow threshold, with metrics: lint-clean in users' crates.
#[observe(slow = "1.5s", counter, ret(fields(status = ret.status, rows = ret.rows.len())))]
pub fn page(fail: bool) -> Result<Page, String> {
    if fail {
        return Err("no page".into());
    }
    Ok(Page {
        status: 200,
        rows: vec![1],
    })
}

/// `ret` fields on an `async fn` that awaits, with a flow.
#[observe(flow, slow = "250ms", ret(Display, fields(len = ret.len())))]
pub async fn awaited_page(s: String) -> String {
    std::future::ready(()).await;
    s
}

pub fn main() {
    assert_eq!(page(false).map(|p| p.status), Ok(200));
    assert!(page(true).is_err());
    drop(awaited_page(String::new()));
    assert_eq!(destructured(Point { x: 1, y: 2 }, (3, 4), 0, [5, 6, 7]), 15);
    underscore_param(1, "x");
    let v = 9;
    assert_eq!(unsafe { unsafe_fn(&raw const v) }, 9);
    assert_eq!(extern_c(2), 4);
    assert_eq!(unsafe { unsafe_extern(2) }, 3);
    assert!(std::panic::catch_unwind(diverges_by_panic).is_err());
    assert_eq!(loops_forever_maybe(true), 3);
    assert_eq!(fib(10), 55);
    assert_eq!(early_returns(3), Ok(30));
    assert!(early_returns(-1).is_err());
    assert_eq!(early_returns(50), Ok(50));
    assert!(early_returns(500).is_err());
    assert_eq!(inner_attributes(), 1);
    assert_eq!(outer_attributes(), 2);
    assert_eq!(attribute_after(), 3);
    unit_returns(true);
    unit_returns(false);
    assert_eq!(control_flow(4), std::ops::ControlFlow::Continue(4));
    assert_eq!(
        poll_result(std::task::Poll::Ready(Ok(1))),
        std::task::Poll::Ready(Ok(1))
    );
    assert!(poll_result(std::task::Poll::Pending).is_pending());
    assert_eq!(nested_items(), 6);
    assert_eq!(labelled_loops(), 14);
    let _: fn(i32) -> ! = never;
}
