#![deny(warnings)]
use std::pin::Pin;
use std::sync::Arc;

use observe::observe;

#[derive(Debug, Default)]
struct Counter {
    n: u32,
}

impl Counter {
    #[observe(args(self))]
    fn by_ref(&self) -> u32 {
        self.n
    }

    #[observe]
    fn by_mut(&mut self) -> &mut u32 {
        self.n += 1;
        &mut self.n
    }

    #[observe]
    fn by_value(self) -> u32 {
        self.n
    }

    #[observe]
    fn by_mut_value(mut self) -> u32 {
        self.n += 10;
        self.n
    }

    #[observe]
    #[allow(clippy::boxed_local)]
    fn boxed(self: Box<Self>) -> u32 {
        self.n
    }

    #[observe]
    fn pinned(self: Pin<&mut Self>) -> u32 {
        self.get_mut().n
    }

    #[observe]
    fn arced(self: Arc<Self>) -> u32 {
        self.n
    }

    #[observe]
    fn associated() -> Self {
        Self::default()
    }

    #[observe]
    async fn async_ref(&self) -> &u32 {
        &self.n
    }

    #[observe]
    async fn async_mut(&mut self) -> u32 {
        self.n += 1;
        self.n
    }
}

pub fn main() {
    let mut c = Counter::associated();
    *c.by_mut() += 1;
    assert_eq!(c.by_ref(), 2);
    assert_eq!(Pin::new(&mut c).pinned(), 2);
    assert_eq!(futures::executor::block_on(c.async_mut()), 3);
    assert_eq!(*futures::executor::block_on(c.async_ref()), 3);
    assert_eq!(Box::new(Counter { n: 4 }).boxed(), 4);
    assert_eq!(Arc::new(Counter { n: 5 }).arced(), 5);
    assert_eq!(Counter { n: 1 }.by_mut_value(), 11);
    assert_eq!(c.by_value(), 3);
}
