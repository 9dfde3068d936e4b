// DuckDB baseline for bench/run: the same work as crmkpi's "full report", i.e.
//   crmkpi report FILE --by owner
//   crmkpi check FILE --require deal_id,account,owner,stage,amount,created_at \
//                     --unique email --normalize trim,lower
// computed by DuckDB: the per-owner deal KPIs of duckdb_report.mjs, the number of empty values
// of the six required columns, and the exact duplicate count of the emails after
// lower(trim(email)) among the non-empty ones (N − COUNT(DISTINCT key)).
//
//   node bench/duckdb_full.mjs FILE [--threads N] [--key-bytes]
//
// DuckDB parses the file once: it is loaded into an in-memory table (the columns the queries
// need, typed as in duckdb_report.mjs) and the three queries run over that table. Prints one
// JSON object on stdout:
//   {"owners": [<one object per owner, as duckdb_report.mjs>],
//    "rows": R, "missing": {column: count}, "unique": {"n": N, "distinct": D, "duplicates": N−D}}
// With --key-bytes also "key_bytes": the UTF-8 bytes of the distinct keys (an extra query,
// for the sanity step of bench/run only, never timed). The DuckDB version and thread count go
// to stderr. Without --threads DuckDB uses its default: one thread per core.
import { DuckDBInstance } from '@duckdb/node-api';
import { ownerKpis, readDeals } from './duckdb_sql.mjs';

const REQUIRED = ['deal_id', 'account', 'owner', 'stage', 'amount', 'created_at'];

const args = process.argv.slice(2);
let file = null;
let threads = null;
let keyBytes = false;
for (let i = 0; i < args.length; ++i) {
  if (args[i] === '--threads') threads = Number(args[++i]);
  else if (args[i] === '--key-bytes') keyBytes = true;
  else if (file === null) file = args[i];
  else throw new Error(`unexpected argument: ${args[i]}`);
}
if (file === null) {
  console.error('usage: node duckdb_full.mjs FILE [--threads N] [--key-bytes]');
  process.exit(2);
}

const instance = await DuckDBInstance.create(':memory:', threads ? { threads: String(threads) } : {});
const con = await instance.connect();
const info = (await con.runAndReadAll(
  "SELECT version() AS v, current_setting('threads') AS t")).getRowObjectsJson()[0];
console.error(`duckdb ${info.v}, threads=${info.t}`);

// Explicit schema (no sniffing), RFC 4180 quoting; an empty field reads as NULL. The notes
// column is parsed but not kept; closed_at is needed for the sales cycle, email for uniqueness.
await con.run(`
CREATE TEMP TABLE deals AS
SELECT deal_id, account, owner, stage, amount, created_at, closed_at, email
FROM ${readDeals(file)}`);

const owners = (await con.runAndReadAll(ownerKpis('deals'))).getRowObjectsJson();
for (const r of owners) {
  for (const k of ['deals', 'won', 'lost', 'open', 'revenue', 'pipeline_amount']) {
    r[k] = Number(r[k]);  // BIGINT/HUGEINT arrive as strings in the JSON form
  }
}

// Completeness: a value is missing when it is NULL (empty in the file) or blank.
const blank = (c) => (c === 'amount' || c === 'created_at'
  ? `${c} IS NULL` : `${c} IS NULL OR trim(${c}) = ''`);
const comp = (await con.runAndReadAll(`
SELECT count(*) AS rows, ${REQUIRED.map((c) => `count_if(${blank(c)}) AS "${c}"`).join(', ')}
FROM deals`)).getRowObjectsJson()[0];

// Uniqueness: N = non-empty keys after trim+lower, D = distinct keys.
const keyExpr = "lower(trim(email))";
const uniq = (await con.runAndReadAll(`
SELECT count(k) AS n, count(DISTINCT k) AS d
FROM (SELECT ${keyExpr} AS k FROM deals WHERE email IS NOT NULL AND ${keyExpr} <> '')`))
  .getRowObjectsJson()[0];

const out = {
  owners,
  rows: Number(comp.rows),
  missing: Object.fromEntries(REQUIRED.map((c) => [c, Number(comp[c])])),
  unique: { n: Number(uniq.n), distinct: Number(uniq.d), duplicates: Number(uniq.n) - Number(uniq.d) },
};
if (keyBytes) {
  const kb = (await con.runAndReadAll(`
SELECT coalesce(sum(octet_length(encode(k))), 0) AS b
FROM (SELECT DISTINCT ${keyExpr} AS k FROM deals WHERE email IS NOT NULL AND ${keyExpr} <> '')`))
    .getRowObjectsJson()[0];
  out.key_bytes = Number(kb.b);
}
process.stdout.write(JSON.stringify(out) + '\n');
con.closeSync();
instance.closeSync();
