"""Drives the emulator with the official Python SDK (appwrite 27.0.0): every call must be
accepted and every answer parsed into the SDK's models.

Usage: python flow.py <endpoint> <project> <key>
"""

import json
import sys
import time
import urllib.request
import warnings

from appwrite.client import Client
from appwrite.enums.order_by import OrderBy
from appwrite.enums.tables_db_index_type import TablesDBIndexType
from appwrite.exception import AppwriteException
from appwrite.id import ID
from appwrite.permission import Permission
from appwrite.query import Query
from appwrite.role import Role
from appwrite.services.databases import Databases
from appwrite.services.tables_db import TablesDB

STEP = ""


def check(cond, message):
    if not cond:
        raise AssertionError(f"{STEP}: {message}")


def expect_error(code, error_type, fn):
    try:
        fn()
    except AppwriteException as e:
        check(e.code == code and e.type == error_type, f"expected {code} {error_type}, got {e.code} {e.type}: {e.message}")
        return e
    raise AssertionError(f"{STEP}: expected {code} {error_type}, but the call succeeded")


def value(v):
    """The string behind an SDK enum (or the string itself)."""
    return getattr(v, "value", v)


def data(row):
    """User data of a row model (the SDK keeps it apart from the system fields)."""
    return row.data


def spatial_flow(tables, db):
    """Spatial columns (point, line, polygon), a spatial index, rows and spatial queries."""
    global STEP
    at = {"database_id": db, "table_id": "places"}

    def ids(page):
        return sorted(r.id for r in page.rows)

    STEP = "spatial columns"
    tables.create_table(name="Places", **at)
    point = tables.create_point_column(key="at", required=True, **at)
    check(point.type == "point", repr(point))
    line = tables.create_line_column(key="route", required=False, **at)
    check(line.type == "linestring", repr(line))
    tables.create_polygon_column(key="area", required=False, **at)
    home = tables.create_point_column(key="home", required=False, default=[1, 2], **at)
    check(home.default == [1, 2], repr(home))
    for _ in range(200):
        cols = tables.list_columns(**at).columns
        if all(value(c.status) == "available" for c in cols) and len(cols) == 4:
            break
        time.sleep(0.05)
    else:
        raise AssertionError("spatial columns never became available")
    moved = tables.update_point_column(key="home", required=False, default=[3, 4], **at)
    check(moved.default == [3, 4], repr(moved))
    bad = expect_error(
        400, "general_argument_invalid", lambda: tables.create_line_column(key="bad", required=False, default=[[0, 0]], **at)
    )
    check(
        bad.message == "Invalid `default` param: Value must be a valid linestring: LineString must contain at least two points",
        bad.message,
    )

    STEP = "spatial index"
    index = tables.create_index(key="near", type=TablesDBIndexType.SPATIAL, columns=["at"], **at)
    check(value(index.type) == "spatial", repr(index))
    expect_error(400, "column_index_invalid", lambda: tables.create_index(key="k", type=TablesDBIndexType.KEY, columns=["at"], **at))

    STEP = "spatial rows"
    square = [[[0, 0], [0, 10], [10, 10], [10, 0], [0, 0]]]
    a = tables.create_row(row_id="a", data={"at": [5, 5], "route": [[5, 5], [15, 5]], "area": square}, **at)
    check(data(a)["at"] == [5, 5] and data(a)["home"] == [3, 4], repr(a))
    tables.create_row(row_id="b", data={"at": [20, 5], "area": [[[10, 0], [10, 10], [20, 10], [20, 0], [10, 0]]]}, **at)
    tables.create_row(row_id="d", data={"at": [1, 0]}, **at)
    check(data(tables.get_row(row_id="a", **at))["area"] == square, "polygon read back")

    STEP = "spatial queries"
    nearby = tables.list_rows(queries=[Query.distance_less_than("at", [0, 0], 200000)], **at)
    check(ids(nearby) == ["d"], repr(nearby))
    far = tables.list_rows(queries=[Query.distance_greater_than("at", [0, 0], 10, False)], **at)
    check(ids(far) == ["b"], repr(far))
    crossing = tables.list_rows(queries=[Query.intersects("route", [[10, 0], [10, 10]])], **at)
    check(ids(crossing) == ["a"], repr(crossing))
    overlapping = tables.list_rows(queries=[Query.not_overlaps("area", square)], **at)
    check(ids(overlapping) == ["a", "b"], repr(overlapping))
    containing = tables.list_rows(queries=[Query.contains("area", [[15, 5]])], **at)
    check(ids(containing) == ["b"], repr(containing))
    wrong = expect_error(400, "general_query_invalid", lambda: tables.list_rows(queries=[Query.intersects("nope", [0, 0])], **at))
    check(wrong.message == "Invalid query: Attribute not found in schema: nope", wrong.message)
    tables.delete_table(**at)


def main():
    global STEP
    endpoint, project, key = sys.argv[1:4]
    client = Client().set_endpoint(endpoint).set_project(project).set_key(key)
    tables = TablesDB(client)
    legacy = Databases(client)
    db = "py_" + format(int(time.time() * 1000), "x")

    STEP = "health"
    with urllib.request.urlopen(f"{endpoint}/health/version") as r:
        check(json.load(r)["version"] == "1.9.6", "version")

    STEP = "create database"
    database = tables.create(database_id=db, name="Python flow")
    check(database.id == db, repr(database))
    check(any(d.id == db for d in tables.list(queries=[Query.limit(100)]).databases), "not listed")
    check(tables.get(database_id=db).name == "Python flow", "get")

    STEP = "create table"
    table = tables.create_table(
        database_id=db, table_id="books", name="Books", permissions=[Permission.read(Role.any())]
    )
    check(table.id == "books" and table.rowsecurity is False, repr(table))

    STEP = "create columns"
    tables.create_varchar_column(database_id=db, table_id="books", key="title", size=128, required=True)
    tables.create_integer_column(database_id=db, table_id="books", key="year", required=False, min=0, max=3000)
    tables.create_boolean_column(database_id=db, table_id="books", key="available", required=False, default=True)
    for _ in range(200):
        cols = tables.list_columns(database_id=db, table_id="books").columns
        if all(value(c.status) == "available" for c in cols) and len(cols) == 3:
            break
        time.sleep(0.05)
    else:
        raise AssertionError("columns never became available")
    column = tables.get_column(database_id=db, table_id="books", key="year")
    check(column.type == "integer" and column.max == 3000, repr(column))
    updated = tables.update_varchar_column(database_id=db, table_id="books", key="title", required=True, default=None, size=200)
    check(updated.size == 200, repr(updated))

    STEP = "create index"
    index = tables.create_index(
        database_id=db, table_id="books", key="by_year", type=TablesDBIndexType.KEY, columns=["year"], orders=[OrderBy.DESC]
    )
    check(index.key == "by_year", repr(index))
    check(tables.list_indexes(database_id=db, table_id="books").total == 1, "indexes")

    STEP = "create rows"
    r1 = tables.create_row(database_id=db, table_id="books", row_id=ID.unique(), data={"title": "Dune", "year": 1965})
    check(len(r1.id) == 20 and isinstance(r1.sequence, str), repr(r1))
    bulk = tables.create_rows(
        database_id=db,
        table_id="books",
        rows=[{"$id": "b2", "title": "Ulysses", "year": 1922}, {"$id": "b3", "title": "Hyperion", "year": 1989}],
    )
    check(bulk.total == 2, repr(bulk))

    STEP = "list rows with queries"
    page = tables.list_rows(
        database_id=db,
        table_id="books",
        queries=[Query.greater_than("year", 1950), Query.order_desc("year"), Query.limit(10)],
    )
    check(page.total == 2 and data(page.rows[0])["title"] == "Hyperion", repr(page))
    nototal = tables.list_rows(database_id=db, table_id="books", queries=[Query.equal("title", ["Dune"])], total=False)
    check(len(nototal.rows) == 1, repr(nototal))
    matched = tables.list_rows(
        database_id=db, table_id="books", queries=[Query.regex("title", "^(Dune|Hyp)"), Query.order_asc("year")]
    )
    check(matched.total == 2 and data(matched.rows[0])["title"] == "Dune", repr(matched))
    elem = expect_error(
        400,
        "general_query_invalid",
        lambda: tables.list_rows(
            database_id=db, table_id="books", queries=[Query.elem_match("title", [Query.equal("year", [1965])])]
        ),
    )
    check(elem.message == "Invalid query: elemMatch is not supported by the database", elem.message)

    STEP = "update, upsert, increment, delete rows"
    patched = tables.update_row(database_id=db, table_id="books", row_id="b2", data={"year": 1923})
    check(data(patched)["year"] == 1923, repr(patched))
    upserted = tables.upsert_row(database_id=db, table_id="books", row_id="b4", data={"title": "Solaris", "year": 1961})
    check(upserted.id == "b4", repr(upserted))
    inc = tables.increment_row_column(database_id=db, table_id="books", row_id="b4", column="year", value=2)
    check(data(inc)["year"] == 1963, repr(inc))
    limited = expect_error(
        400,
        "column_limit_exceeded",
        lambda: tables.increment_row_column(database_id=db, table_id="books", row_id="b4", column="year", value=100, max=2000),
    )
    check(limited.message == 'tablesDB "year" has reached the maximum value of 2000', limited.message)
    got = tables.get_row(database_id=db, table_id="books", row_id="b4", queries=[Query.select(["title"])])
    check(data(got)["title"] == "Solaris", repr(got))
    tables.delete_row(database_id=db, table_id="books", row_id="b4")
    expect_error(404, "row_not_found", lambda: tables.get_row(database_id=db, table_id="books", row_id="b4"))
    bulk_updated = tables.update_rows(database_id=db, table_id="books", data={"available": False}, queries=[Query.less_than("year", 1970)])
    check(bulk_updated.total == 2, repr(bulk_updated))

    STEP = "transaction"
    tx = tables.create_transaction(ttl=60)
    tables.create_operations(
        transaction_id=tx.id,
        operations=[{"action": "create", "databaseId": db, "tableId": "books", "rowId": "t1", "data": {"title": "Staged"}}],
    )
    committed = tables.update_transaction(transaction_id=tx.id, commit=True)
    check(value(committed.status) == "committed", repr(committed))
    check(data(tables.get_row(database_id=db, table_id="books", row_id="t1"))["title"] == "Staged", "staged row")

    STEP = "legacy documents"
    # The SDK forces its deprecation warnings on ("always"); silence their display instead.
    with warnings.catch_warnings():
        warnings.showwarning = lambda *args, **kwargs: None
        docs = legacy.list_documents(database_id=db, collection_id="books", queries=[Query.equal("title", ["Dune"])])
        collection = legacy.get_collection(database_id=db, collection_id="books")
    check(docs.total == 1 and docs.documents[0].collectionid == "books", repr(docs))
    check(collection.documentsecurity is False and len(collection.attributes) == 3, repr(collection))

    spatial_flow(tables, db)

    STEP = "deletes"
    deleted = tables.delete_rows(database_id=db, table_id="books", queries=[Query.greater_than("year", 1900)])
    check(deleted.total == 3, repr(deleted))
    tables.delete_index(database_id=db, table_id="books", key="by_year")
    tables.delete_table(database_id=db, table_id="books")
    tables.delete(database_id=db)
    expect_error(404, "database_not_found", lambda: tables.get(database_id=db))

    bad = TablesDB(Client().set_endpoint(endpoint).set_project(project).set_key("wrong"))
    expect_error(401, "user_unauthorized", lambda: bad.list())
    print("python flow: ok")


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # noqa: BLE001 - report any failure with the step it happened in
        print(f'python flow failed at "{STEP}": {type(e).__name__}: {e}', file=sys.stderr)
        sys.exit(1)
