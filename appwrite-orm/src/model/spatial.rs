//! Spatial fields: [`Point`], [`LineString`] and [`Polygon`] (from [`crate::spatial`]) as
//! `#[derive(Table)]` field types, and the spatial filters on their column handles.
//!
//! ```
//! use appwrite_orm::prelude::*;
//! use appwrite_orm::model::{Point, Polygon, SpatialColumn};
//!
//! #[derive(Table, Debug, Clone)]
//! #[table(id = "places")]
//! struct Place {
//!     #[column(id)]
//!     id: RowId,
//!     location: Point,
//!     area: Option<Polygon>,
//! }
//!
//! let near = Place::LOCATION.distance_less_than(Point::new(13.4, 52.5), 1000.0, true);
//! assert_eq!(near.query().method(), "distanceLessThan");
//! let inside = Place::AREA.contains(Point::new(13.4, 52.5));
//! assert_eq!(inside.query().method(), "contains");
//! ```

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::column::{Col, Filter};
use super::types::{ColumnType, type_error};
use crate::query::Query;
use crate::schema::ColumnSchema;
pub use crate::spatial::{Geometry, LineString, Point, Polygon};

/// Reads a coordinate array as `T`, naming what was expected when it is not one.
fn from_coordinates<T: DeserializeOwned>(expected: &str, value: &Value) -> Result<T, String> {
    serde_json::from_value(value.clone()).map_err(|_| type_error(expected, value))
}

impl ColumnType for Point {
    fn column(key: &str) -> ColumnSchema {
        ColumnSchema::point(key).required()
    }
    fn to_value(&self) -> Value {
        self.to_json()
    }
    fn from_value(value: &Value) -> Result<Self, String> {
        from_coordinates("a point [x, y]", value)
    }
}

impl ColumnType for LineString {
    fn column(key: &str) -> ColumnSchema {
        ColumnSchema::line(key).required()
    }
    fn to_value(&self) -> Value {
        self.to_json()
    }
    fn from_value(value: &Value) -> Result<Self, String> {
        from_coordinates("a line [[x, y], …]", value)
    }
}

impl ColumnType for Polygon {
    fn column(key: &str) -> ColumnSchema {
        ColumnSchema::polygon(key).required()
    }
    fn to_value(&self) -> Value {
        self.to_json()
    }
    fn from_value(value: &Value) -> Result<Self, String> {
        from_coordinates("a polygon [[[x, y], …], …]", value)
    }
}

/// Types of spatial columns: [`Point`], [`LineString`], [`Polygon`] and their `Option`s. Their
/// handles offer the [`SpatialColumn`] filters.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a spatial column: this query needs a Point, LineString or Polygon field"
)]
pub trait SpatialValue {}

impl SpatialValue for Point {}
impl SpatialValue for LineString {}
impl SpatialValue for Polygon {}
impl<T: SpatialValue> SpatialValue for Option<T> {}

/// Queries on spatial columns (Appwrite 1.8+). In the prelude.
///
/// `meters: true` measures on the sphere in meters and needs a point column and a point;
/// `false` measures in coordinate units (degrees) between any geometries. Spatial columns take
/// no `eq`/`is_in`/ordering filters; note that Appwrite 1.9.6 (MariaDB) answers `isNull` and
/// `isNotNull` on a spatial column with an error, so `is_null` on an `Option<Point>` field
/// compiles but is refused.
pub trait SpatialColumn<T> {
    /// The stored geometry is the same point set as `g` (`equal`).
    fn equals(self, g: impl Into<Geometry>) -> Filter<T>;
    /// It is not (`notEqual`).
    fn not_equals(self, g: impl Into<Geometry>) -> Filter<T>;
    /// No point of `g` lies outside the stored geometry, boundary included (`contains`).
    fn contains(self, g: impl Into<Geometry>) -> Filter<T>;
    /// Some point of `g` lies outside it (`notContains`).
    fn not_contains(self, g: impl Into<Geometry>) -> Filter<T>;
    /// They share a point (`intersects`).
    fn intersects(self, g: impl Into<Geometry>) -> Filter<T>;
    /// They share no point (`notIntersects`).
    fn not_intersects(self, g: impl Into<Geometry>) -> Filter<T>;
    /// `crosses`.
    fn crosses(self, g: impl Into<Geometry>) -> Filter<T>;
    /// `notCrosses`.
    fn not_crosses(self, g: impl Into<Geometry>) -> Filter<T>;
    /// `overlaps`.
    fn overlaps(self, g: impl Into<Geometry>) -> Filter<T>;
    /// `notOverlaps`.
    fn not_overlaps(self, g: impl Into<Geometry>) -> Filter<T>;
    /// `touches`.
    fn touches(self, g: impl Into<Geometry>) -> Filter<T>;
    /// `notTouches`.
    fn not_touches(self, g: impl Into<Geometry>) -> Filter<T>;
    /// The distance to `g` is exactly `d` (`distanceEqual`).
    fn distance_equal(self, g: impl Into<Geometry>, d: f64, meters: bool) -> Filter<T>;
    /// The distance to `g` is not `d` (`distanceNotEqual`).
    fn distance_not_equal(self, g: impl Into<Geometry>, d: f64, meters: bool) -> Filter<T>;
    /// Farther than `d` from `g` (`distanceGreaterThan`).
    fn distance_greater_than(self, g: impl Into<Geometry>, d: f64, meters: bool) -> Filter<T>;
    /// Nearer than `d` to `g` (`distanceLessThan`).
    fn distance_less_than(self, g: impl Into<Geometry>, d: f64, meters: bool) -> Filter<T>;
}

impl<T, V: SpatialValue> SpatialColumn<T> for Col<T, V> {
    fn equals(self, g: impl Into<Geometry>) -> Filter<T> {
        Filter::new(Query::equal(self.key(), [g.into().to_json()]))
    }
    fn not_equals(self, g: impl Into<Geometry>) -> Filter<T> {
        Filter::new(Query::not_equal(self.key(), g.into().to_json()))
    }
    fn contains(self, g: impl Into<Geometry>) -> Filter<T> {
        Filter::new(Query::contains(self.key(), [g.into().to_json()]))
    }
    fn not_contains(self, g: impl Into<Geometry>) -> Filter<T> {
        Filter::new(Query::not_contains(self.key(), [g.into().to_json()]))
    }
    fn intersects(self, g: impl Into<Geometry>) -> Filter<T> {
        Filter::new(Query::intersects(self.key(), g))
    }
    fn not_intersects(self, g: impl Into<Geometry>) -> Filter<T> {
        Filter::new(Query::not_intersects(self.key(), g))
    }
    fn crosses(self, g: impl Into<Geometry>) -> Filter<T> {
        Filter::new(Query::crosses(self.key(), g))
    }
    fn not_crosses(self, g: impl Into<Geometry>) -> Filter<T> {
        Filter::new(Query::not_crosses(self.key(), g))
    }
    fn overlaps(self, g: impl Into<Geometry>) -> Filter<T> {
        Filter::new(Query::overlaps(self.key(), g))
    }
    fn not_overlaps(self, g: impl Into<Geometry>) -> Filter<T> {
        Filter::new(Query::not_overlaps(self.key(), g))
    }
    fn touches(self, g: impl Into<Geometry>) -> Filter<T> {
        Filter::new(Query::touches(self.key(), g))
    }
    fn not_touches(self, g: impl Into<Geometry>) -> Filter<T> {
        Filter::new(Query::not_touches(self.key(), g))
    }
    fn distance_equal(self, g: impl Into<Geometry>, d: f64, meters: bool) -> Filter<T> {
        Filter::new(Query::distance_equal(self.key(), g, d, meters))
    }
    fn distance_not_equal(self, g: impl Into<Geometry>, d: f64, meters: bool) -> Filter<T> {
        Filter::new(Query::distance_not_equal(self.key(), g, d, meters))
    }
    fn distance_greater_than(self, g: impl Into<Geometry>, d: f64, meters: bool) -> Filter<T> {
        Filter::new(Query::distance_greater_than(self.key(), g, d, meters))
    }
    fn distance_less_than(self, g: impl Into<Geometry>, d: f64, meters: bool) -> Filter<T> {
        Filter::new(Query::distance_less_than(self.key(), g, d, meters))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::schema::ColumnKind;

    #[test]
    fn spatial_types_are_columns() {
        assert_eq!(Point::column("at").kind, ColumnKind::Point);
        assert!(Point::column("at").required);
        assert!(!<Option<Polygon>>::column("area").required);
        assert_eq!(LineString::column("route").kind, ColumnKind::Line);
        let point = Point::new(1.5, -2.0);
        assert_eq!(Point::from_value(&point.to_value()).unwrap(), point);
        assert_eq!(
            Point::from_value(&json!("x")).unwrap_err(),
            "expected a point [x, y], found a string"
        );
        let polygon = Polygon::from_value(&json!([[[0, 0], [0, 1], [1, 1], [0, 0]]])).unwrap();
        assert_eq!(polygon.0[0].len(), 4);
    }

    #[test]
    fn spatial_filters_name_the_column() {
        struct Place;
        const AT: Col<Place, Option<Point>> = Col::new("at");
        let f = AT.distance_less_than(Point::new(0.0, 0.0), 10.0, false);
        assert_eq!(
            f.query().to_wire(),
            r#"{"method":"distanceLessThan","attribute":"at","values":[[[0.0,0.0],10.0,false]]}"#
        );
        let f = AT.equals(Point::new(1.0, 2.0));
        assert_eq!(
            f.query().to_wire(),
            r#"{"method":"equal","attribute":"at","values":[[1.0,2.0]]}"#
        );
    }
}
