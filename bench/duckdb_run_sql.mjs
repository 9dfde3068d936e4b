// Runs a SQL script with DuckDB (in memory) and writes its last statement's result as CSV:
// for bench/sql_vs_duckdb, the script `crmkpi sql -c DEF --dialect duckdb` compiles (its
// macros, then the query of the long result; DuckDB reads the CSV itself with read_csv).
//
//   node bench/duckdb_run_sql.mjs SCRIPT.sql OUT.csv [--threads N] [--memory-limit SIZE]
//                                 [--temp-dir DIR]
//   node bench/duckdb_run_sql.mjs SCRIPT.sql - ...                  (CSV on stdout)
//   node bench/duckdb_run_sql.mjs --version-only [--threads N] [--memory-limit SIZE]
//
// The CSV: a header of the result's column names, one line per row, NULL as an empty field,
// RFC 4180 quoting (a field with a comma, quote, CR or LF in double quotes, quotes doubled) —
// the form `crmkpi report -c … --metrics FILE` reads. The DuckDB version and thread count go to
// stderr. Without --threads DuckDB uses its default: one thread per core. --memory-limit
// (DuckDB's memory_limit, e.g. 6GB; default 80% of RAM) and --temp-dir (where it spills what
// does not fit) keep a run from taking a shared machine's memory.
import { writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { DuckDBInstance } from '@duckdb/node-api';

const args = process.argv.slice(2);
const pos = [];
let threads = null;
let versionOnly = false;
const config = {};
for (let i = 0; i < args.length; ++i) {
  if (args[i] === '--threads') threads = Number(args[++i]);
  else if (args[i] === '--memory-limit') config.memory_limit = args[++i];
  else if (args[i] === '--temp-dir') config.temp_directory = args[++i];
  else if (args[i] === '--version-only') versionOnly = true;
  else pos.push(args[i]);
}
if (threads !== null) config.threads = String(threads);
if ((versionOnly ? pos.length !== 0 : pos.length !== 2) || (threads !== null && !(threads >= 1))) {
  console.error('usage: node duckdb_run_sql.mjs SCRIPT.sql OUT.csv|- [--threads N] ' +
                '[--memory-limit SIZE] [--temp-dir DIR] | --version-only [...]');
  process.exit(2);
}
const instance = await DuckDBInstance.create(':memory:', config);
const con = await instance.connect();
const info = (await con.runAndReadAll(
  "SELECT version() AS v, current_setting('threads') AS t, current_setting('memory_limit') AS m"))
  .getRowObjectsJson()[0];
const version = `${info.v}, threads=${info.t}, memory_limit=${info.m}`;
if (versionOnly) {
  console.log(version);
  process.exit(0);
}
console.error(`duckdb ${version}`);
const [scriptPath, outPath] = pos;
const script = await readFile(scriptPath, 'utf8');

// Without bound values the whole script goes to duckdb_query: every statement runs, the last
// one's result is returned.
const reader = await con.runAndReadAll(script);
const field = (v) => {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? v : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};
const lines = [reader.columnNames().map(field).join(',')];
for (const row of reader.getRowsJson()) lines.push(row.map(field).join(','));
const csv = lines.join('\n') + '\n';
if (outPath === '-') process.stdout.write(csv);
else writeFileSync(outPath, csv);
con.closeSync();
instance.closeSync();
