//! Spatial filters (Appwrite 1.8+): the twelve methods that only apply to point, line and
//! polygon columns, their constructors and their wire form.
//!
//! `equal`, `notEqual`, `contains` and `notContains` apply to spatial columns too (as
//! geometric equality and containment); they keep their own [`Query`] variants, with the
//! geometry as their value.

use serde_json::Value;

use super::Query;
use super::wire::{QueryParseError, capitalise};
use crate::spatial::{DistanceTest, Geometry, Predicate, Relation};

/// A spatial-only query method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SpatialMethod {
    /// `crosses`.
    Crosses,
    /// `notCrosses`.
    NotCrosses,
    /// `intersects`.
    Intersects,
    /// `notIntersects`.
    NotIntersects,
    /// `overlaps`.
    Overlaps,
    /// `notOverlaps`.
    NotOverlaps,
    /// `touches`.
    Touches,
    /// `notTouches`.
    NotTouches,
    /// `distanceEqual`.
    DistanceEqual,
    /// `distanceNotEqual`.
    DistanceNotEqual,
    /// `distanceGreaterThan`.
    DistanceGreaterThan,
    /// `distanceLessThan`.
    DistanceLessThan,
}

const METHODS: [(SpatialMethod, &str); 12] = [
    (SpatialMethod::Crosses, "crosses"),
    (SpatialMethod::NotCrosses, "notCrosses"),
    (SpatialMethod::Intersects, "intersects"),
    (SpatialMethod::NotIntersects, "notIntersects"),
    (SpatialMethod::Overlaps, "overlaps"),
    (SpatialMethod::NotOverlaps, "notOverlaps"),
    (SpatialMethod::Touches, "touches"),
    (SpatialMethod::NotTouches, "notTouches"),
    (SpatialMethod::DistanceEqual, "distanceEqual"),
    (SpatialMethod::DistanceNotEqual, "distanceNotEqual"),
    (SpatialMethod::DistanceGreaterThan, "distanceGreaterThan"),
    (SpatialMethod::DistanceLessThan, "distanceLessThan"),
];

impl SpatialMethod {
    /// Appwrite's method name.
    pub fn as_str(self) -> &'static str {
        METHODS
            .iter()
            .find(|(m, _)| *m == self)
            .map_or("", |(_, name)| name)
    }

    /// The method of an Appwrite method name; `None` for any other name.
    pub fn from_name(name: &str) -> Option<Self> {
        METHODS.iter().find(|(_, n)| *n == name).map(|(m, _)| *m)
    }

    /// True for the four `distance…` methods.
    pub fn is_distance(self) -> bool {
        self.distance_test().is_some()
    }

    fn distance_test(self) -> Option<DistanceTest> {
        Some(match self {
            SpatialMethod::DistanceEqual => DistanceTest::Equal,
            SpatialMethod::DistanceNotEqual => DistanceTest::NotEqual,
            SpatialMethod::DistanceGreaterThan => DistanceTest::GreaterThan,
            SpatialMethod::DistanceLessThan => DistanceTest::LessThan,
            _ => return None,
        })
    }

    /// The relation a relation method tests, and whether it is the negated one.
    fn relation(self) -> Option<(Relation, bool)> {
        Some(match self {
            SpatialMethod::Crosses => (Relation::Crosses, false),
            SpatialMethod::NotCrosses => (Relation::Crosses, true),
            SpatialMethod::Intersects => (Relation::Intersects, false),
            SpatialMethod::NotIntersects => (Relation::Intersects, true),
            SpatialMethod::Overlaps => (Relation::Overlaps, false),
            SpatialMethod::NotOverlaps => (Relation::Overlaps, true),
            SpatialMethod::Touches => (Relation::Touches, false),
            SpatialMethod::NotTouches => (Relation::Touches, true),
            _ => return None,
        })
    }
}

/// The distance operand of a `distance…` method.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DistanceOperand {
    /// The distance compared with.
    pub distance: f64,
    /// `true`: meters on the sphere (points only); `false`: coordinate units.
    pub meters: bool,
}

/// A spatial-only filter: `values` on the wire are `[geometry]`, or `[[geometry, distance,
/// meters]]` for the distance methods.
#[derive(Debug, Clone, PartialEq)]
pub struct SpatialFilter {
    /// The method.
    pub method: SpatialMethod,
    /// The spatial column.
    pub attribute: String,
    /// The query's geometry as a coordinate array, kept as sent: the server reads its shape
    /// only when it runs the query (see [`Geometry::from_json`]).
    pub geometry: Value,
    /// The distance, for the distance methods (and only for them).
    pub distance: Option<DistanceOperand>,
}

impl SpatialFilter {
    /// The wire `values`.
    pub(super) fn wire_values(&self) -> Vec<Value> {
        match self.distance {
            Some(d) => vec![Value::Array(vec![
                self.geometry.clone(),
                serde_json::Number::from_f64(d.distance).map_or(Value::Null, Value::Number),
                Value::Bool(d.meters),
            ])],
            None => vec![self.geometry.clone()],
        }
    }

    /// What the filter tests of a stored geometry; `None` for a distance method built
    /// without its distance.
    pub fn predicate(&self) -> Option<Predicate> {
        if let Some((relation, negated)) = self.method.relation() {
            return Some(Predicate::Relation { relation, negated });
        }
        let test = self.method.distance_test()?;
        let d = self.distance?;
        Some(Predicate::Distance {
            test,
            distance: d.distance,
            meters: d.meters,
        })
    }
}

/// Reads the values of a spatial method, as utopia-php/database's `Filter` validator checks
/// them: a distance method needs exactly `[[geometry, distance, meters]]` (a `meters` other
/// than `true` reads as false, as the adapter tests `=== true`); the others at least one value,
/// the first being the geometry.
pub(super) fn parse(
    method: SpatialMethod,
    attribute: &str,
    values: &[Value],
) -> Result<Query, QueryParseError> {
    let distance_error =
        || QueryParseError::new("Distance query requires [[geometry, distance]] parameters");
    let (geometry, distance) = if method.is_distance() {
        let [Value::Array(operand)] = values else {
            return Err(distance_error());
        };
        let [geometry, distance, meters] = operand.as_slice() else {
            return Err(distance_error());
        };
        let distance = distance.as_f64().ok_or_else(distance_error)?;
        let meters = meters.as_bool() == Some(true);
        (geometry.clone(), Some(DistanceOperand { distance, meters }))
    } else {
        match values.first() {
            None => return Err(empty(method)),
            Some(Value::Array(first)) if first.is_empty() => return Err(empty(method)),
            Some(first) => (first.clone(), None),
        }
    };
    Ok(Query::Spatial(SpatialFilter {
        method,
        attribute: attribute.to_owned(),
        geometry,
        distance,
    }))
}

/// `Intersects queries require at least one value.`
fn empty(method: SpatialMethod) -> QueryParseError {
    QueryParseError::new(format!(
        "{} queries require at least one value.",
        capitalise(method.as_str())
    ))
}

fn relation(method: SpatialMethod, attribute: impl Into<String>, g: impl Into<Geometry>) -> Query {
    Query::Spatial(SpatialFilter {
        method,
        attribute: attribute.into(),
        geometry: g.into().to_json(),
        distance: None,
    })
}

fn distance(
    method: SpatialMethod,
    attribute: impl Into<String>,
    g: impl Into<Geometry>,
    distance: f64,
    meters: bool,
) -> Query {
    Query::Spatial(SpatialFilter {
        method,
        attribute: attribute.into(),
        geometry: g.into().to_json(),
        distance: Some(DistanceOperand { distance, meters }),
    })
}

/// The spatial filters. `meters: true` measures on the sphere in meters and works between two
/// points only; `false` measures in coordinate units (degrees) between any geometries.
impl Query {
    /// `intersects`: the column's geometry shares a point with `g`.
    pub fn intersects(attribute: impl Into<String>, g: impl Into<Geometry>) -> Self {
        relation(SpatialMethod::Intersects, attribute, g)
    }

    /// `notIntersects`.
    pub fn not_intersects(attribute: impl Into<String>, g: impl Into<Geometry>) -> Self {
        relation(SpatialMethod::NotIntersects, attribute, g)
    }

    /// `crosses`: the column's geometry crosses `g` (see [`Relation::Crosses`]).
    pub fn crosses(attribute: impl Into<String>, g: impl Into<Geometry>) -> Self {
        relation(SpatialMethod::Crosses, attribute, g)
    }

    /// `notCrosses`.
    pub fn not_crosses(attribute: impl Into<String>, g: impl Into<Geometry>) -> Self {
        relation(SpatialMethod::NotCrosses, attribute, g)
    }

    /// `overlaps`: see [`Relation::Overlaps`].
    pub fn overlaps(attribute: impl Into<String>, g: impl Into<Geometry>) -> Self {
        relation(SpatialMethod::Overlaps, attribute, g)
    }

    /// `notOverlaps`.
    pub fn not_overlaps(attribute: impl Into<String>, g: impl Into<Geometry>) -> Self {
        relation(SpatialMethod::NotOverlaps, attribute, g)
    }

    /// `touches`: the boundaries meet, the interiors do not.
    pub fn touches(attribute: impl Into<String>, g: impl Into<Geometry>) -> Self {
        relation(SpatialMethod::Touches, attribute, g)
    }

    /// `notTouches`.
    pub fn not_touches(attribute: impl Into<String>, g: impl Into<Geometry>) -> Self {
        relation(SpatialMethod::NotTouches, attribute, g)
    }

    /// `distanceEqual`.
    pub fn distance_equal(
        attribute: impl Into<String>,
        g: impl Into<Geometry>,
        d: f64,
        meters: bool,
    ) -> Self {
        distance(SpatialMethod::DistanceEqual, attribute, g, d, meters)
    }

    /// `distanceNotEqual`.
    pub fn distance_not_equal(
        attribute: impl Into<String>,
        g: impl Into<Geometry>,
        d: f64,
        meters: bool,
    ) -> Self {
        distance(SpatialMethod::DistanceNotEqual, attribute, g, d, meters)
    }

    /// `distanceGreaterThan`: strictly farther than `d`.
    pub fn distance_greater_than(
        attribute: impl Into<String>,
        g: impl Into<Geometry>,
        d: f64,
        meters: bool,
    ) -> Self {
        distance(SpatialMethod::DistanceGreaterThan, attribute, g, d, meters)
    }

    /// `distanceLessThan`: strictly nearer than `d`.
    pub fn distance_less_than(
        attribute: impl Into<String>,
        g: impl Into<Geometry>,
        d: f64,
        meters: bool,
    ) -> Self {
        distance(SpatialMethod::DistanceLessThan, attribute, g, d, meters)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::spatial::{Point, Polygon};

    #[test]
    fn spatial_filters_round_trip_the_wire_form() {
        let near = Query::distance_less_than("home", Point::new(1.0, 2.0), 1000.0, true);
        assert_eq!(
            near.to_wire(),
            r#"{"method":"distanceLessThan","attribute":"home","values":[[[1.0,2.0],1000.0,true]]}"#
        );
        let square = Polygon::new([(0.0, 0.0), (0.0, 1.0), (1.0, 1.0), (0.0, 0.0)]);
        for q in [
            near,
            Query::intersects("area", square.clone()),
            Query::not_touches("area", square),
        ] {
            assert_eq!(Query::parse(&q.to_wire()).unwrap(), q);
        }
    }

    #[test]
    fn sdk_forms_parse() {
        // As the Node SDK writes them: integers, and `meters` defaulting to true.
        let q = Query::parse(
            r#"{"method":"distanceGreaterThan","attribute":"home","values":[[[1,2],5,true]]}"#,
        )
        .unwrap();
        let Query::Spatial(filter) = &q else {
            panic!("{q:?}")
        };
        assert_eq!(filter.geometry, json!([1, 2]));
        assert_eq!(
            filter.distance,
            Some(DistanceOperand {
                distance: 5.0,
                meters: true
            })
        );
        assert_eq!(q.attribute(), Some("home"));
        assert_eq!(q.method(), "distanceGreaterThan");
    }

    #[test]
    fn malformed_values_are_refused_in_appwrites_words() {
        for bad in [
            r#"{"method":"distanceLessThan","attribute":"a","values":[[1,2],5]}"#,
            r#"{"method":"distanceLessThan","attribute":"a","values":[[[1,2],5]]}"#,
            r#"{"method":"distanceLessThan","attribute":"a","values":[[[1,2],"far",true]]}"#,
        ] {
            assert_eq!(
                Query::parse(bad).unwrap_err().message,
                "Distance query requires [[geometry, distance]] parameters",
                "{bad}"
            );
        }
        assert_eq!(
            Query::parse(r#"{"method":"intersects","attribute":"a","values":[]}"#)
                .unwrap_err()
                .message,
            "Intersects queries require at least one value."
        );
    }
}
