// Runs an SQL script of `crmkpi sql --dialect duckdb` in an in-memory DuckDB and writes the
// result of its last statement (the final SELECT: the long result) as CSV on stdout.
//
//   node tests/sql/run_duckdb.mjs SCRIPT.sql [--threads N]
//
// Statements are split at a `;` that ends a line (split.mjs) and run one after the other in
// one connection; relative file names in the script are read from the current directory.
// Output: RFC 4180 CSV, the column names as the header line, NULL as an empty field, every
// other value as DuckDB's text for it (a VARCHAR as it is; DECIMAL, DATE, … as their
// toString), fields quoted when they hold , " CR or LF (a " doubled), lines ended by CRLF.
// Exit 0; an SQL error: "SCRIPT:LINE: message" on stderr, exit 1; usage/unreadable file: exit 2.
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { splitStatements } from './split.mjs';

const args = process.argv.slice(2);
let file = null;
let threads = null;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--threads' && i + 1 < args.length) threads = args[++i];
  else if (file === null && !args[i].startsWith('--')) file = args[i];
  else file = undefined;
}
if (!file) {
  console.error('usage: node run_duckdb.mjs SCRIPT.sql [--threads N]');
  process.exit(2);
}
let script;
try {
  script = readFileSync(file, 'utf8');
} catch (e) {
  console.error(`${file}: ${e.message}`);
  process.exit(2);
}
const statements = splitStatements(script);
if (statements.length === 0) {
  console.error(`${file}: no SQL statement`);
  process.exit(1);
}

function field(v) {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? v : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

const instance = await DuckDBInstance.create(':memory:', threads ? { threads: String(threads) } : {});
const con = await instance.connect();
let current = statements[0];
try {
  for (const st of statements.slice(0, -1)) {
    current = st;
    await con.run(st.text);
  }
  current = statements[statements.length - 1];
  const reader = await con.runAndReadAll(current.text);
  const lines = [reader.columnNames().map(field).join(',')];
  for (const row of reader.getRows()) lines.push(row.map(field).join(','));
  process.stdout.write(lines.join('\r\n') + '\r\n');
} catch (e) {
  console.error(`${file}:${current.line}: ${e.message}`);
  process.exitCode = 1;
} finally {
  con.closeSync?.();
  instance.closeSync?.();
}
