#![deny(warnings)]
#![allow(clippy::unused_self)]
use observe::observe;

struct Repo;

#[observe(counter = "repo_calls")]
impl Repo {
    fn load(&self, id: u32) -> Result<u32, String> {
        if id == 0 {
            return Err("missing".into());
        }
        Ok(id)
    }

    #[observe(skip)]
    fn not_instrumented(&self) -> u32 {
        1
    }

    #[observe(name = "own_keys", histogram = "repo_own_seconds")]
    fn own(&self) -> u32 {
        2
    }

    const fn constant() -> u32 {
        3
    }

    async fn save(&mut self) -> bool {
        true
    }
}

#[observe]
trait Store {
    fn get(&self) -> u32;

    fn get_twice(&self) -> u32 {
        self.get() * 2
    }

    #[observe(skip)]
    fn plain(&self) -> u32 {
        0
    }
}

impl Store for Repo {
    fn get(&self) -> u32 {
        4
    }
}

pub fn main() {
    let mut repo = Repo;
    assert_eq!(repo.load(1), Ok(1));
    assert!(repo.load(0).is_err());
    assert_eq!(repo.not_instrumented(), 1);
    assert_eq!(repo.own(), 2);
    assert_eq!(Repo::constant(), 3);
    assert!(futures::executor::block_on(repo.save()));
    assert_eq!(repo.get_twice(), 8);
    assert_eq!(repo.plain(), 0);
    let text = observe::metrics::render();
    assert!(
        text.contains("repo_calls_total{function=\"load\""),
        "{text}"
    );
    assert!(!text.contains("function=\"not_instrumented\""), "{text}");
    assert!(
        text.contains("repo_own_seconds_count{function=\"own_keys\""),
        "{text}"
    );
}
