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
from appwrite.enums.relation_mutate import RelationMutate
from appwrite.enums.relationship_type import RelationshipType
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


def sorted_field(rows, field):
    """The sorted values of `field` in a list of related rows (or [] when absent)."""
    return sorted(r[field] for r in (rows or []))


def wait_columns(tables, database_id, table_id, keys, present=True):
    """Waits until the columns `keys` are available (present) or gone (not present)."""
    for _ in range(200):
        cols = {c.key: value(c.status) for c in tables.list_columns(database_id=database_id, table_id=table_id).columns}
        if present and all(cols.get(k) == "available" for k in keys):
            return
        if not present and not any(k in cols for k in keys):
            return
        time.sleep(0.05)
    raise AssertionError(f"{STEP}: columns {table_id}.{keys} never became {'available' if present else 'gone'}")


def relationships(tables, rdb):
    """Relationship columns as Appwrite 1.9.6 has them: authors 1-n books (two-way, cascade),
    books n-1 publishers (two-way, restrict, then setNull), books n-n tags (two-way, setNull)."""
    global STEP
    STEP = "relationships: tables"
    tables.create(database_id=rdb, name="Relationships")
    for table_id, key in [("authors", "name"), ("books", "title"), ("publishers", "name"), ("tags", "label")]:
        tables.create_table(database_id=rdb, table_id=table_id, name=table_id)
        tables.create_varchar_column(database_id=rdb, table_id=table_id, key=key, size=64, required=False)
        wait_columns(tables, rdb, table_id, [key])

    STEP = "relationships: columns and their twins"
    books = tables.create_relationship_column(
        database_id=rdb, table_id="authors", related_table_id="books", type=RelationshipType.ONETOMANY,
        two_way=True, key="books", two_way_key="author", on_delete=RelationMutate.CASCADE,
    )
    check(
        (books.key, books.type, books.relatedtable, books.relationtype, books.twoway, books.twowaykey, books.ondelete, books.side)
        == ("books", "relationship", "books", "oneToMany", True, "author", "cascade", "parent"),
        repr(books),
    )
    tables.create_relationship_column(
        database_id=rdb, table_id="books", related_table_id="publishers", type=RelationshipType.MANYTOONE,
        two_way=True, key="publisher", two_way_key="titles", on_delete=RelationMutate.RESTRICT,
    )
    tables.create_relationship_column(
        database_id=rdb, table_id="books", related_table_id="tags", type=RelationshipType.MANYTOMANY,
        two_way=True, key="tags", two_way_key="books", on_delete=RelationMutate.SETNULL,
    )
    wait_columns(tables, rdb, "books", ["author", "publisher", "tags"])
    wait_columns(tables, rdb, "publishers", ["titles"])
    wait_columns(tables, rdb, "tags", ["books"])
    twin = tables.get_column(database_id=rdb, table_id="books", key="author")
    check(
        (twin.type, twin.side, twin.relatedtable, twin.twowaykey, twin.relationtype, twin.twoway, twin.ondelete)
        == ("relationship", "child", "authors", "books", "oneToMany", True, "cascade"),
        repr(twin),
    )
    book_columns = tables.list_columns(database_id=rdb, table_id="books")
    check(book_columns.total == 4 and sorted(c.key for c in book_columns.columns) == ["author", "publisher", "tags", "title"], repr(book_columns))
    tag_twin = tables.get_column(database_id=rdb, table_id="tags", key="books")
    check(
        (tag_twin.relationtype, tag_twin.side, tag_twin.ondelete, tag_twin.relatedtable, tag_twin.twowaykey)
        == ("manyToMany", "child", "setNull", "books", "tags"),
        repr(tag_twin),
    )

    STEP = "relationships: nested writes"
    tables.create_row(database_id=rdb, table_id="publishers", row_id="p1", data={"name": "Ace"})
    tables.create_row(database_id=rdb, table_id="tags", row_id="t2", data={"label": "classic"})
    # An array of objects on a to-many side; inside them an id, an object and a mixed array.
    a1 = tables.create_row(
        database_id=rdb, table_id="authors", row_id="a1",
        data={
            "name": "Ursula",
            "books": [
                {"$id": "b1", "title": "Earthsea", "publisher": "p1", "tags": [{"$id": "t1", "label": "fantasy"}, "t2"]},
                {"$id": "b2", "title": "Lathe", "publisher": {"$id": "p2", "name": "Avon"}},
            ],
        },
    )
    check(sorted_field(data(a1).get("books"), "title") == ["Earthsea", "Lathe"], repr(a1))
    # A write answers with its relationships loaded two levels down, without the way back.
    earthsea, lathe = sorted(data(a1)["books"], key=lambda b: b["title"])
    check(
        "author" not in earthsea
        and earthsea["publisher"]["name"] == "Ace"
        and "titles" not in earthsea["publisher"]
        and sorted_field(earthsea["tags"], "label") == ["classic", "fantasy"]
        and all("books" not in t for t in earthsea["tags"])
        and lathe["publisher"]["name"] == "Avon"
        and lathe["tags"] == [],
        repr(a1),
    )
    # An object on a to-one side, an id on another, an id array on a to-many side.
    b3 = tables.create_row(
        database_id=rdb, table_id="books", row_id="b3",
        data={"title": "Dune", "author": {"$id": "a2", "name": "Frank"}, "publisher": "p1", "tags": ["t1"]},
    )
    b3_data = data(b3)
    check(
        (b3_data.get("author") or {}).get("name") == "Frank"
        and "books" not in b3_data["author"]
        and (b3_data.get("publisher") or {}).get("$id") == "p1"
        and sorted_field(b3_data.get("tags"), "label") == ["fantasy"],
        repr(b3),
    )
    frank = tables.get_row(database_id=rdb, table_id="authors", row_id="a2")
    check(frank.tableid == "authors" and data(frank)["name"] == "Frank", repr(frank))

    STEP = "relationships: reads without select"
    author = data(tables.get_row(database_id=rdb, table_id="authors", row_id="a1"))
    check(author["name"] == "Ursula" and "books" not in author, repr(author))
    b1 = data(tables.get_row(database_id=rdb, table_id="books", row_id="b1"))
    check(b1.get("author") == "a1" and b1.get("publisher") == "p1" and "tags" not in b1, repr(b1))

    STEP = "relationships: select loads related rows"
    loaded = data(tables.get_row(database_id=rdb, table_id="authors", row_id="a1", queries=[Query.select(["*", "books.*"])]))
    check(
        loaded["name"] == "Ursula"
        and sorted_field(loaded.get("books"), "title") == ["Earthsea", "Lathe"]
        and all(b["$tableId"] == "books" and "author" not in b and "tags" not in b for b in loaded["books"])
        and next(b for b in loaded["books"] if b["$id"] == "b1")["publisher"] == "p1",
        repr(loaded),
    )
    picked = data(
        tables.get_row(
            database_id=rdb, table_id="books", row_id="b1", queries=[Query.select(["title", "author.name", "tags.label"])]
        )
    )
    check(
        picked["title"] == "Earthsea"
        and (picked.get("author") or {}).get("name") == "Ursula"
        and sorted_field(picked.get("tags"), "label") == ["classic", "fantasy"]
        and "publisher" not in picked,
        repr(picked),
    )
    listed = tables.list_rows(
        database_id=rdb, table_id="authors", queries=[Query.select(["name", "books.title"]), Query.order_asc("name")]
    )
    check(
        listed.total == 2 and data(listed.rows[0])["name"] == "Frank" and sorted_field(data(listed.rows[0]).get("books"), "title") == ["Dune"],
        repr(listed),
    )

    STEP = "relationships: filters"

    def ids(table_id, queries):
        return sorted(r.id for r in tables.list_rows(database_id=rdb, table_id=table_id, queries=queries).rows)

    check(ids("books", [Query.equal("publisher", ["p1"])]) == ["b1", "b3"], "equal on a relationship")
    check(ids("books", [Query.not_equal("publisher", "p1")]) == ["b2"], "notEqual on a relationship")
    check(ids("books", [Query.equal("author.name", ["Ursula"])]) == ["b1", "b2"], "equal through a relationship")

    STEP = "relationships: restrict and bulk refusals"
    restricted = expect_error(
        403, "row_delete_restricted", lambda: tables.delete_row(database_id=rdb, table_id="publishers", row_id="p1")
    )
    check(restricted.message == "Row cannot be deleted because it is referenced by another row.", restricted.message)
    check(data(tables.get_row(database_id=rdb, table_id="publishers", row_id="p1"))["name"] == "Ace", "restricted row kept")
    bulk_create = expect_error(
        400, "general_bad_request", lambda: tables.create_rows(database_id=rdb, table_id="books", rows=[{"$id": "bx", "title": "Bulk"}])
    )
    check(bulk_create.message == "Bulk create is not supported for tablesDB with relationship columns", bulk_create.message)
    bulk_upsert = expect_error(
        400, "general_bad_request", lambda: tables.upsert_rows(database_id=rdb, table_id="publishers", rows=[{"$id": "px", "name": "Bulk"}])
    )
    check(bulk_upsert.message == "Bulk upsert is not supported for tablesDB with relationship attributes", bulk_upsert.message)
    check(ids("books", []) == ["b1", "b2", "b3"] and ids("publishers", []) == ["p1", "p2"], "nothing written in bulk")

    STEP = "relationships: update onDelete and key on both sides"
    renamed = tables.update_relationship_column(
        database_id=rdb, table_id="books", key="publisher", on_delete=RelationMutate.SETNULL, new_key="imprint"
    )
    check((renamed.key, renamed.ondelete, renamed.twowaykey, renamed.side) == ("imprint", "setNull", "titles", "parent"), repr(renamed))
    titles = tables.get_column(database_id=rdb, table_id="publishers", key="titles")
    check((titles.twowaykey, titles.ondelete, titles.side) == ("imprint", "setNull", "child"), repr(titles))
    relinked = data(tables.get_row(database_id=rdb, table_id="books", row_id="b1"))
    check(relinked.get("imprint") == "p1" and "publisher" not in relinked, repr(relinked))

    STEP = "relationships: setNull on delete"
    tables.delete_row(database_id=rdb, table_id="publishers", row_id="p1")
    orphan = data(tables.get_row(database_id=rdb, table_id="books", row_id="b1"))
    check("imprint" in orphan and orphan["imprint"] is None and orphan["author"] == "a1", repr(orphan))
    check(ids("books", [Query.is_null("imprint")]) == ["b1", "b3"], "isNull after setNull")

    STEP = "relationships: cascade on delete"
    tables.delete_row(database_id=rdb, table_id="authors", row_id="a1")
    expect_error(404, "row_not_found", lambda: tables.get_row(database_id=rdb, table_id="books", row_id="b1"))
    check(ids("books", []) == ["b3"], "cascade")
    t1 = data(tables.get_row(database_id=rdb, table_id="tags", row_id="t1", queries=[Query.select(["label", "books.title"])]))
    check(t1["label"] == "fantasy" and sorted_field(t1.get("books"), "title") == ["Dune"], repr(t1))

    STEP = "relationships: deleting one side deletes the pair"
    tables.delete_column(database_id=rdb, table_id="books", key="tags")
    wait_columns(tables, rdb, "books", ["tags"], present=False)
    wait_columns(tables, rdb, "tags", ["books"], present=False)
    tables.delete(database_id=rdb)


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

    relationships(tables, db + "_rel")

    bad = TablesDB(Client().set_endpoint(endpoint).set_project(project).set_key("wrong"))
    expect_error(401, "user_unauthorized", lambda: bad.list())
    print("python flow: ok")


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # noqa: BLE001 - report any failure with the step it happened in
        print(f'python flow failed at "{STEP}": {type(e).__name__}: {e}', file=sys.stderr)
        sys.exit(1)
