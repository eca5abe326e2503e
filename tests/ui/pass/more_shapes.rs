#![deny(warnings)]
#![allow(clippy::unused_self, clippy::needless_lifetimes, clippy::unused_async)]
// `self: &Self` is a shape under test.
#![allow(clippy::needless_arbitrary_self_type)]
use std::error::Error;
use std::future::Future;

use async_trait::async_trait;
use observe::observe;

#[derive(Debug, Default)]
struct S {
    v: Vec<u32>,
}

impl S {
    #[observe]
    fn explicit_ref(self: &Self) -> usize {
        self.v.len()
    }

    #[observe]
    fn explicit_mut(self: &mut Self) -> &mut Vec<u32> {
        &mut self.v
    }

    #[observe]
    fn named_lifetime<'a>(&'a self) -> &'a [u32] {
        &self.v
    }

    #[observe(args(extra))]
    pub(crate) async fn async_generic<'a, T>(&'a self, extra: &'a T) -> &'a T
    where
        T: Sync + std::fmt::Debug,
    {
        extra
    }
}

#[observe]
pub(crate) async unsafe fn async_unsafe(p: *const u8) -> u8 {
    unsafe { *p }
}

#[observe]
async fn async_impl_arg(items: impl IntoIterator<Item = u32> + Send) -> u32 {
    items.into_iter().sum()
}

#[observe]
async fn async_mut_param(mut x: u32) -> u32 {
    x += 1;
    x
}

#[observe]
fn impl_future_send() -> impl Future<Output = u8> + Send + 'static {
    async { 4 }
}

#[observe]
fn boxed_errors(s: &str) -> Result<u32, Box<dyn Error + Send + Sync>> {
    let n: u32 = s.parse()?;
    if n == 0 {
        Err("zero")?;
    }
    let f: u32 = "1".parse()?;
    Ok(n + f)
}

#[observe(err = "debug")]
fn debug_error() -> Result<(), std::num::ParseIntError> {
    "x".parse::<u8>().map(|_| ())
}

#[async_trait]
trait Repo {
    #[observe]
    async fn get(&self, id: u32) -> Option<u32> {
        Some(id)
    }

    async fn put(&self, id: u32) -> bool;
}

struct Mem;

#[async_trait]
impl Repo for Mem {
    #[observe(counter = "mem_puts")]
    async fn put(&self, id: u32) -> bool {
        id > 0
    }
}

#[observe]
fn generic_default<T: Default + std::fmt::Debug, const N: usize>() -> [T; N]
where
    [T; N]: Default,
{
    Default::default()
}

#[observe]
fn returns_closure(k: u32) -> impl Fn(u32) -> u32 {
    move |x| x + k
}

#[observe]
fn tuple_and_unit_struct_params(S { v }: S, (): ()) -> usize {
    v.len()
}

pub fn main() {
    let mut s = S::default();
    s.explicit_mut().push(1);
    assert_eq!(s.explicit_ref(), 1);
    assert_eq!(s.named_lifetime(), &[1]);
    futures::executor::block_on(async {
        assert_eq!(*s.async_generic(&7u8).await, 7);
        let v = 9u8;
        assert_eq!(unsafe { async_unsafe(&raw const v).await }, 9);
        assert_eq!(async_impl_arg(vec![1, 2]).await, 3);
        assert_eq!(async_mut_param(1).await, 2);
        assert_eq!(impl_future_send().await, 4);
        assert_eq!(Mem.get(3).await, Some(3));
        assert!(Mem.put(1).await);
    });
    assert_eq!(boxed_errors("2").unwrap(), 3);
    assert!(boxed_errors("0").is_err());
    assert!(boxed_errors("x").is_err());
    assert!(debug_error().is_err());
    let a: [u8; 3] = generic_default();
    assert_eq!(a, [0, 0, 0]);
    assert_eq!(returns_closure(2)(3), 5);
    assert_eq!(tuple_and_unit_struct_params(S { v: vec![1, 2] }, ()), 2);
}
