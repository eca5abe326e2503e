use observe::observe;

trait Repo {
    #[observe]
    fn load(&self) -> u32;

    #[observe(counter = "saves")]
    async fn save(&self);

    #[observe(flow)]
    fn checkout(&self);
}

fn main() {}
