//! Appwrite's validator of spatial values (utopia-php/database `Validator/Spatial.php`), used for
//! row values and column defaults alike.

use serde_json::Value;

use super::geometry::numeric;
use super::{Geometry, LineString, Point, Polygon, SpatialType};

/// Checks a value for a column of type `ty` and returns it as Appwrite stores and answers it:
/// coordinates as floats, a polygon given as a single ring (`[[x, y], …]`) wrapped into a list
/// of rings.
///
/// `Err` carries the validator's description, e.g. `Value must be a valid point: Point must be
/// an array of two numeric values [x, y]`; a row write words it as `Attribute "k" has invalid
/// type. <description>`, a column's `default` parameter as ``Invalid `default` param:
/// <description>``.
///
/// Rules: a point is two numbers; a line has at least two points; a polygon has at least one
/// ring, each of at least four points with its first point equal to its last. Longitudes lie
/// in -180..=180, latitudes in -90..=90. Appwrite also accepts a WKT string (`POINT(1 2)`);
/// this library does not, and says so.
pub fn check_geometry(ty: SpatialType, value: &Value) -> Result<Value, String> {
    let items = match value {
        Value::Array(items) => items.clone(),
        // PHP reads a JSON object as an array too; its members are not coordinates.
        Value::Object(members) => vec![Value::Null; members.len()],
        Value::String(_) => {
            return Err(describe(
                ty,
                "WKT strings are not supported by appwrite-orm; send a coordinate array",
            ));
        }
        _ => return Err(describe(ty, "Spatial value must be array or WKT string")),
    };
    let geometry = match ty {
        SpatialType::Point => check_point(&items).map(Geometry::Point),
        SpatialType::LineString => check_line(&items).map(Geometry::LineString),
        SpatialType::Polygon => check_polygon(&items).map(Geometry::Polygon),
    };
    geometry
        .map(|g| g.to_json())
        .map_err(|reason| describe(ty, &reason))
}

fn describe(ty: SpatialType, reason: &str) -> String {
    format!("Value must be a valid {}: {reason}", ty.name())
}

fn check_point(items: &[Value]) -> Result<Point, String> {
    let [x, y] = items else {
        return Err("Point must be an array of two numeric values [x, y]".to_owned());
    };
    let (Some(x), Some(y)) = (numeric(x), numeric(y)) else {
        return Err("Point coordinates must be numeric values".to_owned());
    };
    check_range(x, y)?;
    Ok(Point::new(x, y))
}

fn check_line(items: &[Value]) -> Result<LineString, String> {
    if items.len() < 2 {
        return Err("LineString must contain at least two points".to_owned());
    }
    let mut points = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let pair = match item.as_array().map(Vec::as_slice) {
            Some(pair @ [_, _]) => pair,
            _ => {
                return Err(
                    "Each point in LineString must be an array of two values [x, y]".to_owned(),
                );
            }
        };
        let (Some(x), Some(y)) = (numeric(&pair[0]), numeric(&pair[1])) else {
            return Err("Each point in LineString must have numeric coordinates".to_owned());
        };
        check_range(x, y).map_err(|m| format!("Invalid coordinates at point #{i}: {m}"))?;
        points.push(Point::new(x, y));
    }
    Ok(LineString(points))
}

fn check_polygon(items: &[Value]) -> Result<Polygon, String> {
    if items.is_empty() {
        return Err("Polygon must contain at least one ring".to_owned());
    }
    // A flat list of points is one ring.
    let single_ring = matches!(
        items[0].as_array().map(Vec::as_slice),
        Some([x, y]) if numeric(x).is_some() && numeric(y).is_some()
    );
    let rings: Vec<Value> = if single_ring {
        vec![Value::Array(items.to_vec())]
    } else {
        items.to_vec()
    };
    rings
        .iter()
        .enumerate()
        .map(|(r, ring)| check_ring(r, ring))
        .collect::<Result<Vec<_>, _>>()
        .map(Polygon)
}

fn check_ring(r: usize, ring: &Value) -> Result<Vec<Point>, String> {
    let points = match ring.as_array() {
        Some(points) if !points.is_empty() => points,
        _ => return Err(format!("Ring #{r} must be an array of points")),
    };
    if points.len() < 4 {
        return Err(format!(
            "Ring #{r} must contain at least 4 points to form a closed polygon"
        ));
    }
    let mut out = Vec::with_capacity(points.len());
    for (i, point) in points.iter().enumerate() {
        let pair = match point.as_array().map(Vec::as_slice) {
            Some(pair @ [_, _]) => pair,
            _ => {
                return Err(format!(
                    "Point #{i} in ring #{r} must be an array of two values [x, y]"
                ));
            }
        };
        let (Some(x), Some(y)) = (numeric(&pair[0]), numeric(&pair[1])) else {
            return Err(format!(
                "Coordinates of point #{i} in ring #{r} must be numeric"
            ));
        };
        check_range(x, y)
            .map_err(|m| format!("Invalid coordinates at point #{i} in ring #{r}: {m}"))?;
        out.push(Point::new(x, y));
    }
    if out.first() != out.last() {
        return Err(format!(
            "Ring #{r} must be closed (first point must equal last point)"
        ));
    }
    Ok(out)
}

fn check_range(x: f64, y: f64) -> Result<(), String> {
    if !(-180.0..=180.0).contains(&x) {
        return Err(format!(
            "Longitude (x) must be between -180 and 180, got {x}"
        ));
    }
    if !(-90.0..=90.0).contains(&y) {
        return Err(format!("Latitude (y) must be between -90 and 90, got {y}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn refused(ty: SpatialType, value: Value) -> String {
        check_geometry(ty, &value).unwrap_err()
    }

    #[test]
    fn valid_values_come_back_as_floats() {
        assert_eq!(
            check_geometry(SpatialType::Point, &json!([10, -20.5])).unwrap(),
            json!([10.0, -20.5])
        );
        assert_eq!(
            check_geometry(SpatialType::LineString, &json!([[0, 0], [1, 1]])).unwrap(),
            json!([[0.0, 0.0], [1.0, 1.0]])
        );
        // A single ring is wrapped, as Appwrite stores and answers it.
        let ring = json!([[0, 0], [0, 1], [1, 1], [0, 0]]);
        assert_eq!(
            check_geometry(SpatialType::Polygon, &ring).unwrap(),
            json!([[[0.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]]])
        );
    }

    #[test]
    fn points_are_refused_in_appwrites_words() {
        use SpatialType::Point as P;
        assert_eq!(
            refused(P, json!([1])),
            "Value must be a valid point: Point must be an array of two numeric values [x, y]"
        );
        assert_eq!(
            refused(P, json!(["a", 1])),
            "Value must be a valid point: Point coordinates must be numeric values"
        );
        assert_eq!(
            refused(P, json!([200, 0])),
            "Value must be a valid point: Longitude (x) must be between -180 and 180, got 200"
        );
        assert_eq!(
            refused(P, json!([0, -90.5])),
            "Value must be a valid point: Latitude (y) must be between -90 and 90, got -90.5"
        );
        assert_eq!(
            refused(P, json!(true)),
            "Value must be a valid point: Spatial value must be array or WKT string"
        );
        assert!(refused(P, json!("POINT(1 2)")).contains("WKT strings are not supported"));
    }

    #[test]
    fn lines_and_polygons_are_refused_in_appwrites_words() {
        use SpatialType::{LineString as L, Polygon as G};
        assert_eq!(
            refused(L, json!([[0, 0]])),
            "Value must be a valid linestring: LineString must contain at least two points"
        );
        assert_eq!(
            refused(L, json!([[0, 0], [1, 100]])),
            "Value must be a valid linestring: Invalid coordinates at point #1: Latitude (y) must be between -90 and 90, got 100"
        );
        assert_eq!(
            refused(L, json!([[0, 0], 5])),
            "Value must be a valid linestring: Each point in LineString must be an array of two values [x, y]"
        );
        assert_eq!(
            refused(G, json!([])),
            "Value must be a valid polygon: Polygon must contain at least one ring"
        );
        assert_eq!(
            refused(G, json!([[0, 0], [0, 1], [0, 0]])),
            "Value must be a valid polygon: Ring #0 must contain at least 4 points to form a closed polygon"
        );
        assert_eq!(
            refused(G, json!([[0, 0], [0, 1], [1, 1], [1, 0]])),
            "Value must be a valid polygon: Ring #0 must be closed (first point must equal last point)"
        );
        assert_eq!(
            refused(G, json!([[[0, 0], [0, 1], [1, 1], [0, 0]], []])),
            "Value must be a valid polygon: Ring #1 must be an array of points"
        );
        assert_eq!(
            refused(G, json!([[[0, 0], [0, 1], [1, "x"], [0, 0]]])),
            "Value must be a valid polygon: Coordinates of point #2 in ring #0 must be numeric"
        );
    }
}
