// Drives the emulator with the official Node SDK (node-appwrite 27.1.0): every call must be
// accepted and every answer parsed. Usage: node flow.mjs <endpoint> <project> <key>
// Run from a directory whose node_modules holds node-appwrite (run.sh sets NODE_PATH).
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(path.join(process.env.SDK_NODE_DIR ?? process.cwd(), 'noop.js'));
const sdk = require('node-appwrite');
const { Client, TablesDB, Databases, Query, ID, Permission, Role, AppwriteException, RelationshipType, RelationMutate } = sdk;

const [endpoint, project, key] = process.argv.slice(2);
if (!endpoint || !project || !key) {
  console.error('usage: node flow.mjs <endpoint> <project> <key>');
  process.exit(2);
}

const client = new Client().setEndpoint(endpoint).setProject(project).setKey(key);
const tables = new TablesDB(client);
const legacy = new Databases(client);
const db = 'node_' + Date.now().toString(36);
let step = '';

function check(cond, message) {
  if (!cond) throw new Error(`${step}: ${message}`);
}

async function expectError(code, type, fn) {
  try {
    await fn();
  } catch (e) {
    check(e instanceof AppwriteException, `expected AppwriteException, got ${e}`);
    check(e.code === code && e.type === type, `expected ${code} ${type}, got ${e.code} ${e.type}: ${e.message}`);
    return e;
  }
  throw new Error(`${step}: expected ${code} ${type}, but the call succeeded`);
}

async function waitIndexGone(tableId, key) {
  for (let i = 0; i < 200; i++) {
    const indexes = await tables.listIndexes({ databaseId: db, tableId });
    if (!indexes.indexes.some((x) => x.key === key)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${step}: index ${key} is still there`);
}

async function waitAvailable(tableId, keys, databaseId = db) {
  for (let i = 0; i < 200; i++) {
    const cols = await tables.listColumns({ databaseId, tableId });
    const states = keys.map((k) => cols.columns.find((c) => c.key === k)?.status);
    if (states.every((s) => s === 'available')) return;
    if (states.some((s) => s === 'failed' || s === 'stuck')) throw new Error(`column failed: ${states}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`columns ${keys} never became available`);
}

// Spatial columns (point, line, polygon), a spatial index, rows and the spatial queries, in a
// table of their own.
async function spatialFlow() {
  const ids = (list) => list.rows.map((r) => r.$id).sort().join(',');
  const at = { databaseId: db, tableId: 'places' };
  step = 'spatial columns';
  await tables.createTable({ ...at, name: 'Places' });
  const point = await tables.createPointColumn({ ...at, key: 'at', required: true });
  check(point.type === 'point' && point.default === null, JSON.stringify(point));
  const line = await tables.createLineColumn({ ...at, key: 'route', required: false });
  check(line.type === 'linestring', JSON.stringify(line));
  const polygon = await tables.createPolygonColumn({ ...at, key: 'area', required: false });
  check(polygon.type === 'polygon', JSON.stringify(polygon));
  await tables.createPointColumn({ ...at, key: 'home', required: false, xdefault: [1, 2] });
  await waitAvailable('places', ['at', 'route', 'area', 'home']);
  const moved = await tables.updatePointColumn({ ...at, key: 'home', required: false, xdefault: [3, 4] });
  check(JSON.stringify(moved.default) === '[3,4]', JSON.stringify(moved));
  const badDefault = await expectError(400, 'general_argument_invalid', () => tables.createPointColumn({ ...at, key: 'bad', required: false, xdefault: [200, 0] }));
  check(badDefault.message === 'Invalid `default` param: Value must be a valid point: Longitude (x) must be between -180 and 180, got 200', badDefault.message);

  step = 'spatial index';
  const near = await tables.createIndex({ ...at, key: 'near', type: 'spatial', columns: ['at'] });
  check(near.type === 'spatial', JSON.stringify(near));
  await expectError(400, 'column_index_invalid', () => tables.createIndex({ ...at, key: 'opt', type: 'spatial', columns: ['area'] }));

  step = 'spatial rows';
  const square = [[[0, 0], [0, 10], [10, 10], [10, 0], [0, 0]]];
  const a = await tables.createRow({ ...at, rowId: 'a', data: { at: [5, 5], route: [[5, 5], [15, 5]], area: square } });
  check(JSON.stringify(a.at) === '[5,5]' && JSON.stringify(a.home) === '[3,4]', JSON.stringify(a));
  await tables.createRow({ ...at, rowId: 'b', data: { at: [20, 5], area: [[[10, 0], [10, 10], [20, 10], [20, 0], [10, 0]]] } });
  await tables.createRow({ ...at, rowId: 'd', data: { at: [1, 0] } });
  const got = await tables.getRow({ ...at, rowId: 'a' });
  check(JSON.stringify(got.area) === JSON.stringify(square), JSON.stringify(got));
  await expectError(400, 'row_invalid_structure', () => tables.createRow({ ...at, rowId: 'x', data: { at: [0] } }));

  step = 'spatial queries';
  // `meters` defaults to true in the SDK: one degree on the equator is about 111 km.
  const nearby = await tables.listRows({ ...at, queries: [Query.distanceLessThan('at', [0, 0], 200000)] });
  check(ids(nearby) === 'd', JSON.stringify(nearby));
  const far = await tables.listRows({ ...at, queries: [Query.distanceGreaterThan('at', [0, 0], 10, false)] });
  check(ids(far) === 'b', JSON.stringify(far));
  const crossing = await tables.listRows({ ...at, queries: [Query.intersects('route', [[10, 0], [10, 10]])] });
  check(ids(crossing) === 'a', JSON.stringify(crossing));
  const touching = await tables.listRows({ ...at, queries: [Query.touches('area', square)] });
  check(ids(touching) === 'b', JSON.stringify(touching));
  const containing = await tables.listRows({ ...at, queries: [Query.contains('area', [[5, 5]])] });
  check(ids(containing) === 'a', JSON.stringify(containing));
  const meters = await expectError(400, 'general_query_invalid', () => tables.listRows({ ...at, queries: [Query.distanceLessThan('area', [0, 0], 10)] }));
  check(meters.message === 'Invalid query: Distance in meters is not supported between polygon and point', meters.message);
  await tables.deleteTable(at);
}

async function main() {
  step = 'health';
  const health = await fetch(`${endpoint}/health/version`).then((r) => r.json());
  check(health.version === '1.9.6', JSON.stringify(health));

  step = 'create database';
  const database = await tables.create({ databaseId: db, name: 'Node flow' });
  check(database.$id === db && database.type === 'tablesdb', JSON.stringify(database));
  const listed = await tables.list({ queries: [Query.limit(100)] });
  check(listed.databases.some((d) => d.$id === db), 'database not listed');
  const renamed = await tables.update({ databaseId: db, name: 'Node flow 2' });
  check(renamed.name === 'Node flow 2', 'rename not answered');

  step = 'create table';
  const table = await tables.createTable({
    databaseId: db,
    tableId: 'books',
    name: 'Books',
    permissions: [Permission.read(Role.any())],
  });
  check(table.$id === 'books' && table.rowSecurity === false, JSON.stringify(table));

  step = 'create columns';
  const title = await tables.createVarcharColumn({ databaseId: db, tableId: 'books', key: 'title', size: 128, required: true });
  check(title.status === 'processing' || title.status === 'available', `status ${title.status}`);
  await tables.createIntegerColumn({ databaseId: db, tableId: 'books', key: 'year', required: false, min: 0, max: 3000 });
  await tables.createBooleanColumn({ databaseId: db, tableId: 'books', key: 'available', required: false, xdefault: true });
  await tables.createEnumColumn({ databaseId: db, tableId: 'books', key: 'genre', elements: ['scifi', 'poetry'], required: false });
  await tables.createFloatColumn({ databaseId: db, tableId: 'books', key: 'price', required: false });
  await tables.createDatetimeColumn({ databaseId: db, tableId: 'books', key: 'published', required: false });
  await waitAvailable('books', ['title', 'year', 'available', 'genre', 'price', 'published']);
  const year = await tables.getColumn({ databaseId: db, tableId: 'books', key: 'year' });
  check(year.type === 'integer' && year.min === 0 && year.max === 3000, JSON.stringify(year));
  const updated = await tables.updateIntegerColumn({ databaseId: db, tableId: 'books', key: 'year', required: false, xdefault: null, max: 2500 });
  check(updated.max === 2500, JSON.stringify(updated));

  step = 'create index';
  const index = await tables.createIndex({ databaseId: db, tableId: 'books', key: 'by_year', type: 'key', columns: ['year'], orders: ['desc'] });
  check(index.key === 'by_year', JSON.stringify(index));
  const indexes = await tables.listIndexes({ databaseId: db, tableId: 'books' });
  check(indexes.total === 1, JSON.stringify(indexes));

  step = 'create rows';
  const r1 = await tables.createRow({ databaseId: db, tableId: 'books', rowId: ID.unique(), data: { title: 'Dune', year: 1965, genre: 'scifi', price: 9.5, published: '1965-08-01T00:00:00.000+00:00' } });
  check(r1.$id.length === 20 && typeof r1.$sequence === 'string', JSON.stringify(r1));
  check(r1.available === true, 'default not applied');
  const bulk = await tables.createRows({ databaseId: db, tableId: 'books', rows: [{ $id: 'b2', title: 'Ulysses', year: 1922 }, { $id: 'b3', title: 'Hyperion', year: 1989, genre: 'scifi' }] });
  check(bulk.total === 2 && bulk.rows.length === 2, JSON.stringify(bulk));

  step = 'list rows with queries';
  const page = await tables.listRows({
    databaseId: db,
    tableId: 'books',
    queries: [Query.greaterThan('year', 1950), Query.orderDesc('year'), Query.limit(10), Query.select(['title', 'year'])],
  });
  check(page.total === 2 && page.rows[0].title === 'Hyperion', JSON.stringify(page));
  const or = await tables.listRows({
    databaseId: db,
    tableId: 'books',
    queries: [Query.or([Query.equal('title', ['Dune']), Query.lessThan('year', 1930)]), Query.orderAsc('year')],
    total: false,
  });
  check(or.rows.length === 2 && or.rows[0].title === 'Ulysses', JSON.stringify(or));
  const cursor = await tables.listRows({ databaseId: db, tableId: 'books', queries: [Query.cursorAfter('b2'), Query.limit(5)] });
  check(cursor.rows.length === 1 && cursor.rows[0].$id === 'b3', JSON.stringify(cursor));
  const matched = await tables.listRows({ databaseId: db, tableId: 'books', queries: [Query.regex('title', '^(Dune|Hyp)'), Query.orderAsc('year')] });
  check(matched.total === 2 && matched.rows[0].title === 'Dune', JSON.stringify(matched));
  // Appwrite 1.9.6's answers: elemMatch on a schema-full table, and a regex given two patterns.
  const elem = await expectError(400, 'general_query_invalid', () =>
    tables.listRows({ databaseId: db, tableId: 'books', queries: [Query.elemMatch('title', [Query.equal('year', [1965])])] }));
  check(elem.message === 'Invalid query: elemMatch is not supported by the database', elem.message);
  const twoPatterns = await expectError(400, 'general_query_invalid', () =>
    tables.listRows({ databaseId: db, tableId: 'books', queries: [Query.regex('title', ['^D', '^H'])] }));
  check(twoPatterns.message === 'Invalid query: Regex queries require exactly one value.', twoPatterns.message);

  step = 'get, update, upsert, increment rows';
  const got = await tables.getRow({ databaseId: db, tableId: 'books', rowId: 'b2', queries: [Query.select(['title'])] });
  check(got.title === 'Ulysses', JSON.stringify(got));
  const patched = await tables.updateRow({ databaseId: db, tableId: 'books', rowId: 'b2', data: { year: 1923 } });
  check(patched.year === 1923, JSON.stringify(patched));
  const upserted = await tables.upsertRow({ databaseId: db, tableId: 'books', rowId: 'b4', data: { title: 'Solaris', year: 1961 } });
  check(upserted.$id === 'b4', JSON.stringify(upserted));
  const inc = await tables.incrementRowColumn({ databaseId: db, tableId: 'books', rowId: 'b4', column: 'year', value: 2 });
  check(inc.year === 1963, JSON.stringify(inc));
  const dec = await tables.decrementRowColumn({ databaseId: db, tableId: 'books', rowId: 'b4', column: 'year' });
  check(dec.year === 1962, JSON.stringify(dec));
  // Appwrite 1.9.6's wording: the SDK namespace, the column and the bound.
  const limited = await expectError(400, 'column_limit_exceeded', () => tables.incrementRowColumn({ databaseId: db, tableId: 'books', rowId: 'b4', column: 'year', value: 100, max: 2000 }));
  check(limited.message === 'tablesDB "year" has reached the maximum value of 2000', limited.message);

  step = 'bulk update and delete';
  const bulkUpdated = await tables.updateRows({ databaseId: db, tableId: 'books', data: { available: false }, queries: [Query.lessThan('year', 1970)] });
  check(bulkUpdated.total === 3, JSON.stringify(bulkUpdated));
  const bulkUpserted = await tables.upsertRows({ databaseId: db, tableId: 'books', rows: [{ $id: 'b5', title: 'Neuromancer', year: 1984 }] });
  check(bulkUpserted.total === 1, JSON.stringify(bulkUpserted));

  step = 'transaction';
  const tx = await tables.createTransaction({ ttl: 60 });
  check(tx.status === 'pending', JSON.stringify(tx));
  await tables.createRow({ databaseId: db, tableId: 'books', rowId: 't1', data: { title: 'Staged', year: 2000 }, transactionId: tx.$id });
  const staged = await tables.createOperations({
    transactionId: tx.$id,
    operations: [{ action: 'update', databaseId: db, tableId: 'books', rowId: 'b5', data: { year: 1985 } }],
  });
  check(staged.operations === 2, JSON.stringify(staged));
  await expectError(404, 'row_not_found', () => tables.getRow({ databaseId: db, tableId: 'books', rowId: 't1' }));
  const committed = await tables.updateTransaction({ transactionId: tx.$id, commit: true });
  check(committed.status === 'committed', JSON.stringify(committed));
  const t1 = await tables.getRow({ databaseId: db, tableId: 'books', rowId: 't1' });
  check(t1.title === 'Staged', JSON.stringify(t1));
  const txs = await tables.listTransactions();
  check(txs.total >= 1, JSON.stringify(txs));

  step = 'legacy documents';
  const docs = await legacy.listDocuments({ databaseId: db, collectionId: 'books', queries: [Query.equal('title', ['Dune'])] });
  check(docs.total === 1 && docs.documents[0].$collectionId === 'books', JSON.stringify(docs));
  const doc = await legacy.getDocument({ databaseId: db, collectionId: 'books', documentId: 'b2' });
  check(doc.$collectionId === 'books' && doc.year === 1923, JSON.stringify(doc));
  const coll = await legacy.getCollection({ databaseId: db, collectionId: 'books' });
  check(Array.isArray(coll.attributes) && coll.documentSecurity === false, JSON.stringify(coll));
  await expectError(404, 'document_not_found', () => legacy.getDocument({ databaseId: db, collectionId: 'books', documentId: 'missing' }));
  const created = await legacy.createDocument({ databaseId: db, collectionId: 'books', documentId: 'l1', data: { title: 'Legacy', year: 1990 } });
  check(created.$collectionId === 'books' && created.$id === 'l1', JSON.stringify(created));
  const attrs = await legacy.listAttributes({ databaseId: db, collectionId: 'books' });
  check(attrs.total === 6 && attrs.attributes.every((a) => a.status === 'available'), JSON.stringify(attrs));
  await legacy.deleteDocument({ databaseId: db, collectionId: 'books', documentId: 'l1' });

  await spatialFlow();

  step = 'deletes and errors';
  await tables.deleteRow({ databaseId: db, tableId: 'books', rowId: 'b4' });
  const deleted = await tables.deleteRows({ databaseId: db, tableId: 'books', queries: [Query.greaterThan('year', 1980)] });
  check(deleted.total === 3, JSON.stringify(deleted));
  await expectError(404, 'row_not_found', () => tables.getRow({ databaseId: db, tableId: 'books', rowId: 'b4' }));
  await expectError(400, 'row_invalid_structure', () => tables.createRow({ databaseId: db, tableId: 'books', rowId: ID.unique(), data: { nope: 1 } }));
  await expectError(409, 'row_already_exists', () => tables.createRow({ databaseId: db, tableId: 'books', rowId: 'b2', data: { title: 'dup' } }));
  // A column an index uses can be deleted; the index, left with no column, goes with it.
  await tables.deleteColumn({ databaseId: db, tableId: 'books', key: 'year' });
  await waitIndexGone('books', 'by_year');
  await tables.deleteColumn({ databaseId: db, tableId: 'books', key: 'price' });
  const tablesList = await tables.listTables({ databaseId: db });
  check(tablesList.total === 1, JSON.stringify(tablesList));
  await tables.deleteTable({ databaseId: db, tableId: 'books' });
  await tables.delete({ databaseId: db });
  await expectError(404, 'database_not_found', () => tables.get({ databaseId: db }));

  await relationships();

  const bad = new TablesDB(new Client().setEndpoint(endpoint).setProject(project).setKey('wrong'));
  await expectError(401, 'user_unauthorized', () => bad.list());
  console.log('node flow: ok');
}

// The sorted values of `field` in an array of related rows (or [] when absent).
function sortedField(rows, field) {
  return (rows ?? []).map((r) => r[field]).sort();
}

async function waitColumnGone(databaseId, tableId, key) {
  for (let i = 0; i < 200; i++) {
    const cols = await tables.listColumns({ databaseId, tableId });
    if (!cols.columns.some((c) => c.key === key)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${step}: column ${tableId}.${key} is still there`);
}

// Relationship columns as Appwrite 1.9.6 has them: authors 1—n books (two-way, cascade),
// books n—1 publishers (two-way, restrict, then setNull), books n—n tags (two-way, setNull).
async function relationships() {
  const rdb = db + '_rel';
  step = 'relationships: tables';
  await tables.create({ databaseId: rdb, name: 'Relationships' });
  for (const [tableId, key] of [['authors', 'name'], ['books', 'title'], ['publishers', 'name'], ['tags', 'label']]) {
    await tables.createTable({ databaseId: rdb, tableId, name: tableId });
    await tables.createVarcharColumn({ databaseId: rdb, tableId, key, size: 64, required: false });
    await waitAvailable(tableId, [key], rdb);
  }

  step = 'relationships: columns and their twins';
  const books = await tables.createRelationshipColumn({
    databaseId: rdb, tableId: 'authors', relatedTableId: 'books', type: RelationshipType.OneToMany,
    twoWay: true, key: 'books', twoWayKey: 'author', onDelete: RelationMutate.Cascade,
  });
  check(books.key === 'books' && books.type === 'relationship' && books.relatedTable === 'books'
    && books.relationType === 'oneToMany' && books.twoWay === true && books.twoWayKey === 'author'
    && books.onDelete === 'cascade' && books.side === 'parent' && books.required === false
    && books.array === false, JSON.stringify(books));
  await tables.createRelationshipColumn({
    databaseId: rdb, tableId: 'books', relatedTableId: 'publishers', type: RelationshipType.ManyToOne,
    twoWay: true, key: 'publisher', twoWayKey: 'titles', onDelete: RelationMutate.Restrict,
  });
  await tables.createRelationshipColumn({
    databaseId: rdb, tableId: 'books', relatedTableId: 'tags', type: RelationshipType.ManyToMany,
    twoWay: true, key: 'tags', twoWayKey: 'books', onDelete: RelationMutate.SetNull,
  });
  await waitAvailable('books', ['author', 'publisher', 'tags'], rdb);
  await waitAvailable('publishers', ['titles'], rdb);
  await waitAvailable('tags', ['books'], rdb);
  const twin = await tables.getColumn({ databaseId: rdb, tableId: 'books', key: 'author' });
  check(twin.type === 'relationship' && twin.side === 'child' && twin.relatedTable === 'authors'
    && twin.twoWayKey === 'books' && twin.relationType === 'oneToMany' && twin.twoWay === true
    && twin.onDelete === 'cascade', JSON.stringify(twin));
  const bookColumns = await tables.listColumns({ databaseId: rdb, tableId: 'books' });
  check(bookColumns.total === 4, JSON.stringify(bookColumns));
  const tagsColumn = bookColumns.columns.find((c) => c.key === 'tags');
  check(tagsColumn?.relationType === 'manyToMany' && tagsColumn.side === 'parent'
    && tagsColumn.onDelete === 'setNull' && tagsColumn.relatedTable === 'tags', JSON.stringify(tagsColumn));

  step = 'relationships: nested writes';
  await tables.createRow({ databaseId: rdb, tableId: 'publishers', rowId: 'p1', data: { name: 'Ace' } });
  await tables.createRow({ databaseId: rdb, tableId: 'tags', rowId: 't2', data: { label: 'classic' } });
  // An array of objects on a to-many side; inside them an id, an object and a mixed array.
  const a1 = await tables.createRow({
    databaseId: rdb, tableId: 'authors', rowId: 'a1', data: {
      name: 'Ursula',
      books: [
        { $id: 'b1', title: 'Earthsea', publisher: 'p1', tags: [{ $id: 't1', label: 'fantasy' }, 't2'] },
        { $id: 'b2', title: 'Lathe', publisher: { $id: 'p2', name: 'Avon' } },
      ],
    },
  });
  check(JSON.stringify(sortedField(a1.books, 'title')) === '["Earthsea","Lathe"]', JSON.stringify(a1));
  // A write answers with its relationships loaded two levels down, without the way back.
  const [earthsea, lathe] = [...a1.books].sort((x, y) => x.title.localeCompare(y.title));
  check(!('author' in earthsea) && earthsea.publisher?.name === 'Ace' && !('titles' in earthsea.publisher)
    && JSON.stringify(sortedField(earthsea.tags, 'label')) === '["classic","fantasy"]'
    && earthsea.tags.every((t) => !('books' in t))
    && lathe.publisher?.name === 'Avon' && Array.isArray(lathe.tags) && lathe.tags.length === 0, JSON.stringify(a1));
  // An object on a to-one side, an id on another, an id array on a to-many side.
  const b3 = await tables.createRow({
    databaseId: rdb, tableId: 'books', rowId: 'b3',
    data: { title: 'Dune', author: { $id: 'a2', name: 'Frank' }, publisher: 'p1', tags: ['t1'] },
  });
  check(b3.author?.$id === 'a2' && b3.author.name === 'Frank' && !('books' in b3.author)
    && b3.publisher?.$id === 'p1' && JSON.stringify(sortedField(b3.tags, 'label')) === '["fantasy"]', JSON.stringify(b3));
  const frank = await tables.getRow({ databaseId: rdb, tableId: 'authors', rowId: 'a2' });
  check(frank.name === 'Frank' && frank.$tableId === 'authors', JSON.stringify(frank));

  step = 'relationships: reads without select';
  const author = await tables.getRow({ databaseId: rdb, tableId: 'authors', rowId: 'a1' });
  check(author.name === 'Ursula' && !('books' in author), JSON.stringify(author));
  const b1 = await tables.getRow({ databaseId: rdb, tableId: 'books', rowId: 'b1' });
  check(b1.author === 'a1' && b1.publisher === 'p1' && !('tags' in b1), JSON.stringify(b1));

  step = 'relationships: select loads related rows';
  const loaded = await tables.getRow({ databaseId: rdb, tableId: 'authors', rowId: 'a1', queries: [Query.select(['*', 'books.*'])] });
  check(loaded.name === 'Ursula' && JSON.stringify(sortedField(loaded.books, 'title')) === '["Earthsea","Lathe"]'
    && loaded.books.every((b) => b.$tableId === 'books' && !('author' in b) && !('tags' in b))
    && loaded.books.find((b) => b.$id === 'b1').publisher === 'p1', JSON.stringify(loaded));
  const picked = await tables.getRow({
    databaseId: rdb, tableId: 'books', rowId: 'b1', queries: [Query.select(['title', 'author.name', 'tags.label'])],
  });
  check(picked.title === 'Earthsea' && picked.author?.name === 'Ursula'
    && JSON.stringify(sortedField(picked.tags, 'label')) === '["classic","fantasy"]'
    && !('publisher' in picked), JSON.stringify(picked));
  const fantasy = await tables.getRow({ databaseId: rdb, tableId: 'tags', rowId: 't1', queries: [Query.select(['*', 'books.title'])] });
  check(JSON.stringify(sortedField(fantasy.books, 'title')) === '["Dune","Earthsea"]', JSON.stringify(fantasy));
  const listed = await tables.listRows({
    databaseId: rdb, tableId: 'authors', queries: [Query.select(['name', 'books.title']), Query.orderAsc('name')],
  });
  check(listed.total === 2 && listed.rows[0].name === 'Frank'
    && JSON.stringify(sortedField(listed.rows[0].books, 'title')) === '["Dune"]', JSON.stringify(listed));

  step = 'relationships: filters';
  const ids = async (tableId, queries) =>
    JSON.stringify((await tables.listRows({ databaseId: rdb, tableId, queries })).rows.map((r) => r.$id).sort());
  const byPublisher = await ids('books', [Query.equal('publisher', ['p1'])]);
  check(byPublisher === '["b1","b3"]', byPublisher);
  const notP1 = await ids('books', [Query.notEqual('publisher', 'p1')]);
  check(notP1 === '["b2"]', notP1);
  const byAuthorName = await ids('books', [Query.equal('author.name', ['Ursula'])]);
  check(byAuthorName === '["b1","b2"]', byAuthorName);

  step = 'relationships: restrict and bulk refusals';
  const restricted = await expectError(403, 'row_delete_restricted', () =>
    tables.deleteRow({ databaseId: rdb, tableId: 'publishers', rowId: 'p1' }));
  check(restricted.message === 'Row cannot be deleted because it is referenced by another row.', restricted.message);
  const stillThere = await tables.getRow({ databaseId: rdb, tableId: 'publishers', rowId: 'p1' });
  check(stillThere.name === 'Ace', JSON.stringify(stillThere));
  const bulkCreate = await expectError(400, 'general_bad_request', () =>
    tables.createRows({ databaseId: rdb, tableId: 'books', rows: [{ $id: 'bx', title: 'Bulk' }] }));
  check(bulkCreate.message === 'Bulk create is not supported for tablesDB with relationship columns', bulkCreate.message);
  const bulkDelete = await expectError(400, 'general_bad_request', () =>
    tables.deleteRows({ databaseId: rdb, tableId: 'tags', queries: [] }));
  check(bulkDelete.message === 'Bulk delete is not supported for tablesDB with relationship attributes', bulkDelete.message);
  const bulkUpdate = await expectError(400, 'general_bad_request', () =>
    tables.updateRows({ databaseId: rdb, tableId: 'authors', data: { name: 'X' } }));
  check(bulkUpdate.message === 'Bulk update is not supported for tablesDB with relationship attributes', bulkUpdate.message);

  step = 'relationships: update onDelete and key on both sides';
  const renamed = await tables.updateRelationshipColumn({
    databaseId: rdb, tableId: 'books', key: 'publisher', onDelete: RelationMutate.SetNull, newKey: 'imprint',
  });
  check(renamed.key === 'imprint' && renamed.onDelete === 'setNull' && renamed.twoWayKey === 'titles'
    && renamed.side === 'parent', JSON.stringify(renamed));
  const titles = await tables.getColumn({ databaseId: rdb, tableId: 'publishers', key: 'titles' });
  check(titles.twoWayKey === 'imprint' && titles.onDelete === 'setNull' && titles.side === 'child', JSON.stringify(titles));
  const relinked = await tables.getRow({ databaseId: rdb, tableId: 'books', rowId: 'b1' });
  check(relinked.imprint === 'p1' && !('publisher' in relinked), JSON.stringify(relinked));

  step = 'relationships: setNull on delete';
  await tables.deleteRow({ databaseId: rdb, tableId: 'publishers', rowId: 'p1' });
  const orphan = await tables.getRow({ databaseId: rdb, tableId: 'books', rowId: 'b1' });
  check(orphan.imprint === null && orphan.author === 'a1', JSON.stringify(orphan));
  const kept = await tables.getRow({ databaseId: rdb, tableId: 'books', rowId: 'b2' });
  check(kept.imprint === 'p2', JSON.stringify(kept));
  const unpublished = await ids('books', [Query.isNull('imprint')]);
  check(unpublished === '["b1","b3"]', unpublished);

  step = 'relationships: cascade on delete';
  await tables.deleteRow({ databaseId: rdb, tableId: 'authors', rowId: 'a1' });
  await expectError(404, 'row_not_found', () => tables.getRow({ databaseId: rdb, tableId: 'books', rowId: 'b1' }));
  await expectError(404, 'row_not_found', () => tables.getRow({ databaseId: rdb, tableId: 'books', rowId: 'b2' }));
  const remaining = await ids('books', []);
  check(remaining === '["b3"]', remaining);
  // The tags survive (setNull), unlinked from the deleted books.
  const t1 = await tables.getRow({ databaseId: rdb, tableId: 'tags', rowId: 't1', queries: [Query.select(['label', 'books.title'])] });
  check(t1.label === 'fantasy' && JSON.stringify(sortedField(t1.books, 'title')) === '["Dune"]', JSON.stringify(t1));
  const t2 = await tables.getRow({ databaseId: rdb, tableId: 'tags', rowId: 't2', queries: [Query.select(['*', 'books.*'])] });
  check(Array.isArray(t2.books) && t2.books.length === 0, JSON.stringify(t2));

  step = 'relationships: deleting one side deletes the pair';
  await tables.deleteColumn({ databaseId: rdb, tableId: 'tags', key: 'books' });
  await waitColumnGone(rdb, 'tags', 'books');
  await waitColumnGone(rdb, 'books', 'tags');
  await tables.delete({ databaseId: rdb });
}

main().catch((e) => {
  console.error(`node flow failed at "${step}":`, e?.message ?? e, e?.response ?? '');
  process.exit(1);
});
