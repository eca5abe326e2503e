#![deny(warnings)]
use std::future::Future;
use std::pin::Pin;

use async_trait::async_trait;
use observe::observe;

#[derive(Debug)]
struct E;

trait Native {
    async fn required(&self) -> u32;

    #[observe]
    async fn defaulted(&self) -> u32 {
        self.required().await + 1
    }

    #[observe]
    fn sync_default(&self) -> u32 {
        7
    }
}

struct S {
    text: String,
}

impl Native for S {
    #[observe(counter = "native_required")]
    async fn required(&self) -> u32 {
        1
    }
}

#[async_trait]
trait Remote {
    async fn fetch(&self, n: u32) -> Result<u32, E>;
    async fn other(&self) -> u32;
}

// #[observe] on the methods, expanded before #[async_trait] (inner attributes).
#[async_trait]
impl Remote for S {
    #[observe(args(n))]
    async fn fetch(&self, n: u32) -> Result<u32, E> {
        if n == 0 {
            return Err(E);
        }
        Ok(n)
    }

    #[observe]
    async fn other(&self) -> u32 {
        2
    }
}

struct T;

// #[async_trait] first, #[observe] on the whole impl sees `Pin<Box<dyn Future>>` methods.
#[async_trait]
#[observe(counter = "remote_t")]
impl Remote for T {
    async fn fetch(&self, n: u32) -> Result<u32, E> {
        Ok(n * 2)
    }

    async fn other(&self) -> u32 {
        3
    }
}

struct U;

// #[observe] first, #[async_trait] after.
#[observe]
#[async_trait]
impl Remote for U {
    async fn fetch(&self, n: u32) -> Result<u32, E> {
        Ok(n * 3)
    }

    async fn other(&self) -> u32 {
        4
    }
}

#[observe]
fn returns_impl_future(x: u32) -> impl Future<Output = Result<u32, E>> {
    async move {
        if x > 0 {
            Ok(x)
        } else {
            Err(E)
        }
    }
}

#[observe]
fn returns_boxed_future<'a>(s: &'a S) -> Pin<Box<dyn Future<Output = usize> + Send + 'a>> {
    if s.text.is_empty() {
        return Box::pin(async { 0 });
    }
    Box::pin(async move { s.text.len() })
}

#[observe]
fn returns_box_future(x: u8) -> futures::future::BoxFuture<'static, u8> {
    Box::pin(async move { x })
}

#[observe]
async fn returns_borrow<'a>(s: &'a S, _n: u32) -> &'a str {
    &s.text
}

#[observe]
async fn elided_borrow(s: &S) -> &str {
    s.text.as_str()
}

#[observe]
async fn async_impl_return() -> impl std::fmt::Display {
    5
}

#[observe]
async fn question(s: &str) -> Result<u32, Box<dyn std::error::Error + Send + Sync>> {
    Ok(s.parse::<u32>()?)
}

#[observe]
async fn generic_async<T: Send + std::fmt::Debug>(value: T) -> T {
    value
}

fn assert_send<F: Future + Send>(f: F) -> F {
    f
}

pub fn main() {
    let s = S { text: "abc".into() };
    futures::executor::block_on(async {
        assert_eq!(s.defaulted().await, 2);
        assert_eq!(s.sync_default(), 7);
        assert_eq!(s.fetch(3).await.unwrap(), 3);
        assert!(s.fetch(0).await.is_err());
        assert_eq!(s.other().await, 2);
        assert_eq!(T.fetch(2).await.unwrap(), 4);
        assert_eq!(T.other().await, 3);
        assert_eq!(U.fetch(2).await.unwrap(), 6);
        assert_eq!(U.other().await, 4);
        assert_eq!(returns_impl_future(4).await.unwrap(), 4);
        assert_eq!(returns_boxed_future(&s).await, 3);
        assert_eq!(returns_box_future(9).await, 9);
        assert_eq!(returns_borrow(&s, 1).await, "abc");
        assert_eq!(elided_borrow(&s).await, "abc");
        assert_eq!(async_impl_return().await.to_string(), "5");
        assert!(question("x").await.is_err());
        assert_eq!(assert_send(generic_async(1u8)).await, 1);
        assert_eq!(assert_send(s.fetch(1)).await.unwrap(), 1);
    });
}
