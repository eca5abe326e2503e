#![deny(warnings)]
use std::fmt::{Debug, Display};

use observe::observe;

#[observe(args(value))]
fn generic<T: Debug + Clone>(value: &T) -> T {
    value.clone()
}

#[observe(counter = "const_generic")]
fn const_generic<const N: usize>(values: [u8; N]) -> usize {
    values.len() + N
}

#[observe]
fn with_where<T, U>(t: T, u: U) -> String
where
    T: Display,
    U: Debug,
{
    format!("{t}{u:?}")
}

#[observe]
fn borrow_mut<'a, T>(slot: &'a mut [T]) -> &'a mut T {
    slot.last_mut().expect("not empty")
}

#[observe]
fn elided(s: &str) -> &str {
    s.trim()
}

#[observe]
fn impl_arg(items: impl IntoIterator<Item = u32>) -> u32 {
    items.into_iter().sum()
}

#[observe]
fn impl_return(n: u32) -> impl Iterator<Item = u32> {
    0..n
}

#[observe(ret)]
fn impl_in_result(n: u32) -> Result<impl Display, String> {
    if n == 0 {
        return Err("zero".into());
    }
    Ok(n)
}

struct Wrapper<T>(T);

impl<T: Clone + Debug> Wrapper<T> {
    #[observe]
    fn get(&self) -> T {
        self.0.clone()
    }

    #[observe]
    fn map<U, F: FnOnce(T) -> U>(self, f: F) -> Wrapper<U> {
        Wrapper(f(self.0))
    }
}

#[observe]
fn generic_error<E: Display>(e: E) -> Result<(), E> {
    Err(e)
}

#[observe]
fn lifetimes_bound<'a, 'b: 'a>(a: &'a str, b: &'b str) -> &'a str {
    if a.len() > b.len() {
        a
    } else {
        b
    }
}

pub fn main() {
    assert_eq!(generic(&5), 5);
    assert_eq!(const_generic([1, 2, 3]), 6);
    assert_eq!(with_where(1, "x"), "1\"x\"");
    let mut v = vec![1, 2];
    *borrow_mut(&mut v) += 1;
    assert_eq!(v, [1, 3]);
    assert_eq!(elided(" a "), "a");
    assert_eq!(impl_arg(vec![1, 2]), 3);
    assert_eq!(impl_return(3).count(), 3);
    assert_eq!(impl_in_result(2).unwrap().to_string(), "2");
    assert!(impl_in_result(0).is_err());
    assert_eq!(Wrapper(4).get(), 4);
    assert_eq!(Wrapper(4).map(|x| x + 1).0, 5);
    assert!(generic_error("bad").is_err());
    assert_eq!(lifetimes_bound("ab", "c"), "ab");
}
