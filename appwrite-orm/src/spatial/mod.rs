//! Spatial values (Appwrite 1.8+): the geometry of `point`, `line` and `polygon` columns and of
//! spatial queries, as the coordinate arrays Appwrite sends and receives. Pure.
//!
//! - [`Point`], [`LineString`], [`Polygon`] and [`Geometry`] are the values, written as JSON
//!   `[x, y]`, `[[x, y], …]` and `[[[x, y], …], …]` (x is the longitude, y the latitude);
//! - [`check_geometry`] is Appwrite's validator of a column value or default, with its messages;
//! - [`Relation`], [`DistanceTest`] and [`Predicate`] say what a spatial filter asks, and
//!   [`Predicate::holds`] answers it with the `geo` crate, following MariaDB's `ST_*` functions.
//!
//! The types are the library's own rather than the `geo` crate's: they are what a model field
//! holds and what the wire carries (plain coordinate arrays, no SRID), they keep `geo`'s version
//! out of the public API, and a field of one of them maps to exactly one column type
//! (`geo::Geometry` could be any of nine). [`Geometry::to_geo`] converts when `geo`'s
//! algorithms are wanted.

mod check;
mod geometry;
mod predicate;

pub use check::check_geometry;
pub use geometry::{Geometry, LineString, Point, Polygon, SpatialType};
pub use predicate::{DistanceTest, EARTH_RADIUS_METERS, Predicate, Relation};
