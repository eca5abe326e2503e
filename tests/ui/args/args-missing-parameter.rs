use observe::observe;

#[observe(args(user_id, other))]
fn f(user_ids: &[u64], count: usize) -> usize {
    user_ids.len() + count
}

fn main() {}
