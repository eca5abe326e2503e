use observe::step;

fn main() {
    step!("loaded", user.id);
}
