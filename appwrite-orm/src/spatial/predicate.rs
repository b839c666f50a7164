//! What a spatial filter asks of a stored geometry, answered with the `geo` crate the way
//! MariaDB's `ST_*` functions answer it (utopia-php/database `Adapter/MariaDB.php`).

use geo::{Distance, Euclidean, HaversineMeasure, Relate};

use super::Geometry;

/// The earth radius spherical distances use, in meters (utopia-php/database
/// `Database::EARTH_RADIUS`, passed to MariaDB's `ST_DISTANCE_SPHERE`).
pub const EARTH_RADIUS_METERS: f64 = 6_371_000.0;

/// A topological relation between the stored geometry and the query's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    /// They share at least one point (`intersects`).
    Intersects,
    /// They share some interior points, fewer than either has, and the intersection has a
    /// lower dimension than the larger of the two (`crosses`; a line crossing a line or a
    /// polygon's boundary).
    Crosses,
    /// Same dimension, they share some interior points and neither covers the other
    /// (`overlaps`).
    Overlaps,
    /// Their boundaries meet but their interiors do not (`touches`).
    Touches,
    /// The same point set (`equal` on a spatial column: `ST_Equals`).
    Equals,
    /// No point of the query's geometry lies outside the stored one (`contains` on a spatial
    /// column). Points on the boundary count as contained, as on MariaDB (utopia-php/database
    /// reports `getSupportForBoundaryInclusiveContains()` for it).
    Contains,
}

impl Relation {
    fn holds(self, stored: &geo::Geometry<f64>, operand: &geo::Geometry<f64>) -> bool {
        let matrix = stored.relate(operand);
        match self {
            Relation::Intersects => matrix.is_intersects(),
            Relation::Crosses => matrix.is_crosses(),
            Relation::Overlaps => matrix.is_overlaps(),
            Relation::Touches => matrix.is_touches(),
            Relation::Equals => matrix.is_equal_topo(),
            Relation::Contains => matrix.is_covers(),
        }
    }
}

/// How a distance compares with the query's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DistanceTest {
    /// `distanceEqual`: exactly the distance.
    Equal,
    /// `distanceNotEqual`.
    NotEqual,
    /// `distanceGreaterThan`: strictly farther.
    GreaterThan,
    /// `distanceLessThan`: strictly nearer.
    LessThan,
}

/// A spatial filter's test of one stored geometry against the query's geometry.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Predicate {
    /// A relation holds (or, `negated`, does not).
    Relation {
        /// The relation.
        relation: Relation,
        /// `not…` methods: the relation does not hold.
        negated: bool,
    },
    /// The distance between the two compares with `distance`.
    Distance {
        /// The comparison.
        test: DistanceTest,
        /// The distance compared with.
        distance: f64,
        /// `true`: the spherical distance in meters between two points (`ST_DISTANCE_SPHERE`
        /// with a 6,371 km radius); `false`: the planar distance in coordinate units
        /// (`ST_Distance`, degrees for longitude/latitude), between any geometries.
        meters: bool,
    },
}

impl Predicate {
    /// Whether the stored geometry passes. A distance in meters between anything but two
    /// points is refused before a query runs; if one gets here, it compares the planar
    /// distance.
    pub fn holds(&self, stored: &Geometry, operand: &Geometry) -> bool {
        let (a, b) = (stored.to_geo(), operand.to_geo());
        match *self {
            Predicate::Relation { relation, negated } => relation.holds(&a, &b) != negated,
            Predicate::Distance {
                test,
                distance,
                meters,
            } => {
                let d = match (meters, &a, &b) {
                    (true, geo::Geometry::Point(p), geo::Geometry::Point(q)) => {
                        HaversineMeasure::new(EARTH_RADIUS_METERS).distance(*p, *q)
                    }
                    _ => Euclidean.distance(&a, &b),
                };
                match test {
                    DistanceTest::Equal => d == distance,
                    DistanceTest::NotEqual => d != distance,
                    DistanceTest::GreaterThan => d > distance,
                    DistanceTest::LessThan => d < distance,
                }
            }
        }
    }

    /// A compact text form, for passing the predicate into SQL: the relation or test name,
    /// `!` in front when negated; distance and meters travel separately.
    pub fn code(&self) -> &'static str {
        match self {
            Predicate::Relation { relation, negated } => {
                let (plain, not) = relation_codes(*relation);
                if *negated { not } else { plain }
            }
            Predicate::Distance { test, .. } => match test {
                DistanceTest::Equal => "distance=",
                DistanceTest::NotEqual => "distance!=",
                DistanceTest::GreaterThan => "distance>",
                DistanceTest::LessThan => "distance<",
            },
        }
    }

    /// Reads [`code`](Self::code) back, with the distance and meters flag a distance test
    /// needs; `None` for an unknown code.
    pub fn from_code(code: &str, distance: f64, meters: bool) -> Option<Predicate> {
        let test = match code {
            "distance=" => Some(DistanceTest::Equal),
            "distance!=" => Some(DistanceTest::NotEqual),
            "distance>" => Some(DistanceTest::GreaterThan),
            "distance<" => Some(DistanceTest::LessThan),
            _ => None,
        };
        if let Some(test) = test {
            return Some(Predicate::Distance {
                test,
                distance,
                meters,
            });
        }
        RELATIONS.into_iter().find_map(|relation| {
            let (plain, not) = relation_codes(relation);
            let negated = match code {
                c if c == plain => false,
                c if c == not => true,
                _ => return None,
            };
            Some(Predicate::Relation { relation, negated })
        })
    }
}

const RELATIONS: [Relation; 6] = [
    Relation::Intersects,
    Relation::Crosses,
    Relation::Overlaps,
    Relation::Touches,
    Relation::Equals,
    Relation::Contains,
];

/// A relation's code and its negated code.
fn relation_codes(relation: Relation) -> (&'static str, &'static str) {
    match relation {
        Relation::Intersects => ("intersects", "!intersects"),
        Relation::Crosses => ("crosses", "!crosses"),
        Relation::Overlaps => ("overlaps", "!overlaps"),
        Relation::Touches => ("touches", "!touches"),
        Relation::Equals => ("equals", "!equals"),
        Relation::Contains => ("contains", "!contains"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spatial::{LineString, Point, Polygon};

    fn square() -> Geometry {
        Polygon::new([
            (0.0, 0.0),
            (0.0, 10.0),
            (10.0, 10.0),
            (10.0, 0.0),
            (0.0, 0.0),
        ])
        .into()
    }

    fn relation(relation: Relation, a: &Geometry, b: &Geometry) -> bool {
        Predicate::Relation {
            relation,
            negated: false,
        }
        .holds(a, b)
    }

    #[test]
    fn relations_follow_the_ogc_definitions() {
        let inside: Geometry = Point::new(5.0, 5.0).into();
        let on_edge: Geometry = Point::new(0.0, 5.0).into();
        let outside: Geometry = Point::new(20.0, 5.0).into();
        let through: Geometry = LineString::new([(-5.0, 5.0), (15.0, 5.0)]).into();
        let shifted: Geometry = Polygon::new([
            (5.0, 5.0),
            (5.0, 15.0),
            (15.0, 15.0),
            (15.0, 5.0),
            (5.0, 5.0),
        ])
        .into();
        let beside: Geometry = Polygon::new([
            (10.0, 0.0),
            (10.0, 5.0),
            (20.0, 5.0),
            (20.0, 0.0),
            (10.0, 0.0),
        ])
        .into();
        assert!(relation(Relation::Contains, &square(), &inside));
        assert!(relation(Relation::Contains, &square(), &on_edge));
        assert!(!relation(Relation::Contains, &square(), &outside));
        assert!(relation(Relation::Intersects, &square(), &through));
        assert!(relation(Relation::Crosses, &through, &square()));
        assert!(relation(Relation::Overlaps, &square(), &shifted));
        assert!(!relation(Relation::Overlaps, &square(), &beside));
        assert!(relation(Relation::Touches, &square(), &beside));
        assert!(relation(Relation::Equals, &square(), &square()));
        let negated = Predicate::Relation {
            relation: Relation::Intersects,
            negated: true,
        };
        assert!(negated.holds(&square(), &outside));
    }

    #[test]
    fn distances_are_planar_or_spherical() {
        let origin: Geometry = Point::new(0.0, 0.0).into();
        let east: Geometry = Point::new(3.0, 4.0).into();
        let planar = |test, distance| Predicate::Distance {
            test,
            distance,
            meters: false,
        };
        assert!(planar(DistanceTest::Equal, 5.0).holds(&origin, &east));
        assert!(planar(DistanceTest::LessThan, 5.1).holds(&origin, &east));
        assert!(planar(DistanceTest::GreaterThan, 4.9).holds(&origin, &east));
        assert!(!planar(DistanceTest::NotEqual, 5.0).holds(&origin, &east));
        // One degree of longitude on the equator: 2πR/360 ≈ 111,195 m.
        let one_degree: Geometry = Point::new(1.0, 0.0).into();
        let meters = |test, distance| Predicate::Distance {
            test,
            distance,
            meters: true,
        };
        assert!(meters(DistanceTest::LessThan, 111_200.0).holds(&origin, &one_degree));
        assert!(meters(DistanceTest::GreaterThan, 111_190.0).holds(&origin, &one_degree));
        // A point inside a polygon is at distance 0 from it.
        let inside: Geometry = Point::new(5.0, 5.0).into();
        assert!(planar(DistanceTest::Equal, 0.0).holds(&square(), &inside));
    }

    #[test]
    fn codes_round_trip() {
        for code in [
            "intersects",
            "!touches",
            "contains",
            "!equals",
            "distance<",
            "distance!=",
        ] {
            let predicate = Predicate::from_code(code, 1.0, false).unwrap();
            assert_eq!(predicate.code(), code);
        }
        assert_eq!(Predicate::from_code("nearby", 1.0, false), None);
    }
}
