//! The geometry values and their JSON coordinate arrays.

use serde::{Deserialize, Serialize};
use serde_json::{Number, Value};

/// The three spatial column types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SpatialType {
    /// `point`: one position.
    Point,
    /// `linestring` (route `line`): two or more positions joined in order.
    LineString,
    /// `polygon`: closed rings, the first the outer boundary, the others holes.
    Polygon,
}

impl SpatialType {
    /// Appwrite's stored type name (`point`, `linestring`, `polygon`), as the column model's
    /// `type` and the validator's messages say it.
    pub fn name(self) -> &'static str {
        match self {
            SpatialType::Point => "point",
            SpatialType::LineString => "linestring",
            SpatialType::Polygon => "polygon",
        }
    }
}

/// A position: `x` is the longitude (-180 to 180), `y` the latitude (-90 to 90). JSON `[x, y]`.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(from = "[f64; 2]", into = "[f64; 2]")]
pub struct Point {
    /// Longitude.
    pub x: f64,
    /// Latitude.
    pub y: f64,
}

impl Point {
    /// The point at longitude `x`, latitude `y`.
    pub const fn new(x: f64, y: f64) -> Self {
        Self { x, y }
    }

    /// `[x, y]`.
    pub fn to_json(self) -> Value {
        Value::Array(vec![number(self.x), number(self.y)])
    }
}

impl From<[f64; 2]> for Point {
    fn from([x, y]: [f64; 2]) -> Self {
        Point { x, y }
    }
}

impl From<Point> for [f64; 2] {
    fn from(p: Point) -> Self {
        [p.x, p.y]
    }
}

impl From<(f64, f64)> for Point {
    fn from((x, y): (f64, f64)) -> Self {
        Point { x, y }
    }
}

/// A line through two or more points, in order. JSON `[[x, y], …]`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LineString(pub Vec<Point>);

impl LineString {
    /// A line through the given points.
    pub fn new<P: Into<Point>>(points: impl IntoIterator<Item = P>) -> Self {
        LineString(points.into_iter().map(Into::into).collect())
    }

    /// `[[x, y], …]`.
    pub fn to_json(&self) -> Value {
        points_json(&self.0)
    }
}

/// A polygon: closed rings (first point equal to the last, at least four points each), the
/// first the outer boundary, any others holes. JSON `[[[x, y], …], …]`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Polygon(pub Vec<Vec<Point>>);

impl Polygon {
    /// A polygon with one ring and no holes.
    pub fn new<P: Into<Point>>(ring: impl IntoIterator<Item = P>) -> Self {
        Polygon(vec![ring.into_iter().map(Into::into).collect()])
    }

    /// Adds a hole (builder style).
    pub fn with_hole<P: Into<Point>>(mut self, ring: impl IntoIterator<Item = P>) -> Self {
        self.0.push(ring.into_iter().map(Into::into).collect());
        self
    }

    /// `[[[x, y], …], …]`.
    pub fn to_json(&self) -> Value {
        Value::Array(self.0.iter().map(|ring| points_json(ring)).collect())
    }
}

/// Any of the three geometries: a spatial column's value or a spatial query's operand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Geometry {
    /// A point.
    Point(Point),
    /// A line.
    LineString(LineString),
    /// A polygon.
    Polygon(Polygon),
}

impl Geometry {
    /// Which of the three it is.
    pub fn spatial_type(&self) -> SpatialType {
        match self {
            Geometry::Point(_) => SpatialType::Point,
            Geometry::LineString(_) => SpatialType::LineString,
            Geometry::Polygon(_) => SpatialType::Polygon,
        }
    }

    /// The coordinate array.
    pub fn to_json(&self) -> Value {
        match self {
            Geometry::Point(p) => p.to_json(),
            Geometry::LineString(l) => l.to_json(),
            Geometry::Polygon(p) => p.to_json(),
        }
    }

    /// Reads a coordinate array by its nesting, as Appwrite's SQL adapter does for a query's
    /// geometry (no range or ring checks): `[x, y]` is a point, `[[x, y], …]` a line,
    /// `[[[x, y], …], …]` a polygon. `Err` carries the adapter's message.
    pub fn from_json(value: &Value) -> Result<Geometry, String> {
        let items = value.as_array().map(Vec::as_slice).unwrap_or_default();
        if let Some(point) = point_of(value) {
            return Ok(Geometry::Point(point));
        }
        let first = items.first().and_then(Value::as_array);
        match first.map(Vec::as_slice) {
            Some([x, _]) if numeric(x).is_some() => items
                .iter()
                .map(|p| point_of(p).ok_or("Invalid point format in geometry array"))
                .collect::<Result<Vec<_>, _>>()
                .map(|points| Geometry::LineString(LineString(points)))
                .map_err(str::to_owned),
            Some([Value::Array(p), ..]) if p.len() == 2 => items
                .iter()
                .map(ring_of)
                .collect::<Result<Vec<_>, _>>()
                .map(|rings| Geometry::Polygon(Polygon(rings)))
                .map_err(str::to_owned),
            _ => Err("Unrecognized geometry array format".to_owned()),
        }
    }

    /// The same geometry as a `geo` one, for its algorithms. A polygon's first ring is the
    /// exterior, the others are holes; `geo` closes a ring that is not closed.
    pub fn to_geo(&self) -> geo::Geometry<f64> {
        let coords = |points: &[Point]| -> geo::LineString<f64> {
            points
                .iter()
                .map(|p| geo::coord! { x: p.x, y: p.y })
                .collect()
        };
        match self {
            Geometry::Point(p) => geo::Geometry::Point(geo::Point::new(p.x, p.y)),
            Geometry::LineString(l) => geo::Geometry::LineString(coords(&l.0)),
            Geometry::Polygon(p) => {
                let mut rings = p.0.iter().map(|r| coords(r));
                let exterior = rings
                    .next()
                    .unwrap_or_else(|| geo::LineString::new(Vec::new()));
                geo::Geometry::Polygon(geo::Polygon::new(exterior, rings.collect()))
            }
        }
    }
}

impl From<Point> for Geometry {
    fn from(p: Point) -> Self {
        Geometry::Point(p)
    }
}

impl From<LineString> for Geometry {
    fn from(l: LineString) -> Self {
        Geometry::LineString(l)
    }
}

impl From<Polygon> for Geometry {
    fn from(p: Polygon) -> Self {
        Geometry::Polygon(p)
    }
}

impl From<Geometry> for Value {
    fn from(g: Geometry) -> Self {
        g.to_json()
    }
}

/// A coordinate as PHP's `is_numeric` sees it: a JSON number, or a string holding one.
pub(crate) fn numeric(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim_start().parse::<f64>().ok().filter(|f| f.is_finite()),
        _ => None,
    }
}

/// `[x, y]` with two numeric coordinates.
fn point_of(value: &Value) -> Option<Point> {
    match value.as_array()?.as_slice() {
        [x, y] => Some(Point::new(numeric(x)?, numeric(y)?)),
        _ => None,
    }
}

fn ring_of(value: &Value) -> Result<Vec<Point>, &'static str> {
    value
        .as_array()
        .ok_or("Invalid ring format in polygon geometry")?
        .iter()
        .map(|p| point_of(p).ok_or("Invalid point format in polygon ring"))
        .collect()
}

fn number(f: f64) -> Value {
    Number::from_f64(f).map_or(Value::Null, Value::Number)
}

fn points_json(points: &[Point]) -> Value {
    Value::Array(points.iter().map(|p| p.to_json()).collect())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn shapes_are_read_by_nesting() {
        assert_eq!(
            Geometry::from_json(&json!([1, 2])).unwrap(),
            Geometry::Point(Point::new(1.0, 2.0))
        );
        assert_eq!(
            Geometry::from_json(&json!([[0, 0], [1, "1.5"]])).unwrap(),
            Geometry::LineString(LineString::new([(0.0, 0.0), (1.0, 1.5)]))
        );
        let square = json!([[[0, 0], [0, 1], [1, 1], [0, 0]]]);
        assert_eq!(
            Geometry::from_json(&square).unwrap().spatial_type(),
            SpatialType::Polygon
        );
        for (bad, message) in [
            (json!([]), "Unrecognized geometry array format"),
            (
                json!([[0, 0], [1]]),
                "Invalid point format in geometry array",
            ),
            (
                json!([[[0, 0]], 3]),
                "Invalid ring format in polygon geometry",
            ),
            (
                json!([[[0, 0], ["a", 1]]]),
                "Invalid point format in polygon ring",
            ),
        ] {
            assert_eq!(Geometry::from_json(&bad).unwrap_err(), message, "{bad}");
        }
    }

    #[test]
    fn values_serialise_as_coordinate_arrays() {
        let polygon = Polygon::new([(0.0, 0.0), (0.0, 1.0), (1.0, 1.0), (0.0, 0.0)]);
        let value = serde_json::to_value(&polygon).unwrap();
        assert_eq!(
            value,
            json!([[[0.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]]])
        );
        assert_eq!(value, polygon.to_json());
        let back: Geometry = serde_json::from_value(value).unwrap();
        assert_eq!(back, Geometry::Polygon(polygon));
        let point: Point = serde_json::from_value(json!([3, 4])).unwrap();
        assert_eq!(point, Point::new(3.0, 4.0));
    }
}
