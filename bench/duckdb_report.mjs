// DuckDB baseline for bench/run: the same per-owner deal KPIs as
// `crmkpi report FILE --by owner`, computed by DuckDB's CSV reader and hash aggregate.
//
//   node bench/duckdb_report.mjs FILE [--threads N]
//   node bench/duckdb_report.mjs --load-only
//
// Prints one JSON object per owner on stdout (an empty owner reads as NULL and is printed
// as ""), and the DuckDB version and thread count on stderr. Without --threads DuckDB uses
// its default: one thread per core. --load-only starts Node, loads DuckDB and opens an
// in-memory database, and stops: the fixed cost included in every DuckDB timing.
import { DuckDBInstance } from '@duckdb/node-api';
import { ownerKpis, readDeals } from './duckdb_sql.mjs';

const args = process.argv.slice(2);
let file = null;
let threads = null;
let loadOnly = false;
for (let i = 0; i < args.length; ++i) {
  if (args[i] === '--threads') threads = Number(args[++i]);
  else if (args[i] === '--load-only') loadOnly = true;
  else if (file === null) file = args[i];
  else throw new Error(`unexpected argument: ${args[i]}`);
}
if (file === null && !loadOnly) {
  console.error('usage: node duckdb_report.mjs FILE [--threads N] | --load-only');
  process.exit(2);
}

const instance = await DuckDBInstance.create(':memory:', threads ? { threads: String(threads) } : {});
const con = await instance.connect();
if (loadOnly) {
  con.closeSync();
  instance.closeSync();
  process.exit(0);
}

const info = (await con.runAndReadAll(
  "SELECT version() AS v, current_setting('threads') AS t")).getRowObjectsJson()[0];
console.error(`duckdb ${info.v}, threads=${info.t}`);

const sql = ownerKpis(readDeals(file));

const rows = (await con.runAndReadAll(sql)).getRowObjectsJson();
let out = '';
for (const r of rows) {
  for (const k of ['deals', 'won', 'lost', 'open', 'revenue', 'pipeline_amount']) {
    r[k] = Number(r[k]);  // BIGINT/HUGEINT arrive as strings in the JSON form
  }
  out += JSON.stringify(r) + '\n';
}
process.stdout.write(out);
con.closeSync();
instance.closeSync();
