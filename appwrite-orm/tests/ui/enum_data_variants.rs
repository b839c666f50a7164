use appwrite_orm::prelude::*;

#[derive(ColumnEnum)]
enum Shape {
    Circle(f64),
    Square { side: f64 },
    Point,
}

fn main() {}
