// Parses an SQL script of `crmkpi sql --dialect D` with node-sql-parser, for the dialects no
// engine runs in the tests (Spark, Trino, BigQuery, Snowflake; PostgreSQL too).
//
//   node tests/sql/parse.mjs DIALECT SCRIPT.sql
//
// DIALECT is crmkpi's name (spark, trino, bigquery, snowflake, postgres) or any database name of
// node-sql-parser (DATABASES below). node-sql-parser 5.4.0 has no Spark SQL grammar: spark is
// parsed as Hive (HiveQL, which Spark SQL grew from: backquoted names, the same functions), and
// has no DuckDB grammar at all (duckdb is run, not parsed: run_duckdb.mjs).
// Where a grammar lacks a word the real dialect has, the word is read as one of the same kind
// the grammar knows (REWRITES; nothing else is changed): Spark's TRY_CAST( as CAST( (Hive has
// no TRY_CAST, and Spark's ANSI mode, the default from Spark 4, makes a failing CAST an error)
// and its integer division `a DIV b` as `a / b`; BigQuery's type BIGNUMERIC as NUMERIC; a `""`
// inside a "quoted name" (the SQL standard's escape, which Trino and Snowflake read and their
// grammars here do not: `"Date entered ""Proposal"""`) as `_`, the name staying one name.
// Each statement (split at a `;` ending a line, split.mjs) is parsed on its own; exit 0 when all
// parse, else 1 with "SCRIPT:LINE:COLUMN: message" of the first that does not (the line in the
// script), exit 2 on a usage error or an unknown dialect.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { splitStatements } from './split.mjs';

const require = createRequire(import.meta.url);
const { Parser } = require('node-sql-parser');

// Every grammar of node-sql-parser 5.4.0 (its build/*.js).
export const DATABASES = ['athena', 'bigquery', 'db2', 'flinksql', 'hive', 'mariadb', 'mysql',
  'noql', 'postgresql', 'redshift', 'snowflake', 'sqlite', 'transactsql', 'trino'];
// crmkpi's dialects → node-sql-parser's database; a backslash escapes inside '…' in these.
const DIALECTS = {
  spark: { database: 'hive', backslash: true, rewrites: [[/\bTRY_CAST\s*\(/gi, 'CAST('],
    [/\sDIV\s/gi, ' / ']] },
  trino: { database: 'trino', backslash: false, names: true },
  bigquery: { database: 'bigquery', backslash: true, rewrites: [[/\bBIGNUMERIC\b/gi, 'NUMERIC']] },
  snowflake: { database: 'snowflake', backslash: true, names: true },
  postgres: { database: 'postgresql', backslash: false },
};

// |sql| with each `""` inside a "quoted name" made `_` ('…' strings, with their '' and, where
// |backslash|, \' escapes, and -- comments are skipped).
function plainQuotedNames(sql, backslash) {
  let out = '';
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i];
    if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end < 0 ? sql.length : end;
      out += sql.slice(i, stop);
      i = stop - 1;
    } else if (c === "'") {
      let j = i + 1;
      for (; j < sql.length; j++) {
        if (backslash && sql[j] === '\\') { j++; continue; }
        if (sql[j] === "'") {
          if (sql[j + 1] === "'") { j++; continue; }
          break;
        }
      }
      out += sql.slice(i, j + 1);
      i = j;
    } else if (c === '"') {
      let j = i + 1;
      let name = '"';
      for (; j < sql.length; j++) {
        if (sql[j] === '"' && sql[j + 1] === '"') { name += '_'; j++; continue; }
        if (sql[j] === '"') break;
        name += sql[j];
      }
      out += name + '"';
      i = j;
    } else {
      out += c;
    }
  }
  return out;
}

const [dialect, file, ...rest] = process.argv.slice(2);
if (!dialect || !file || rest.length) {
  console.error('usage: node parse.mjs DIALECT SCRIPT.sql\n' +
    `  DIALECT: ${Object.keys(DIALECTS).join(', ')}, or a node-sql-parser database: ` +
    DATABASES.join(', '));
  process.exit(2);
}
const how = DIALECTS[dialect] ??
  (DATABASES.includes(dialect) ? { database: dialect, backslash: false } : null);
if (!how) {
  console.error(`parse.mjs: node-sql-parser has no grammar for "${dialect}" ` +
    `(it has: ${DATABASES.join(', ')})`);
  process.exit(2);
}
let script;
try {
  script = readFileSync(file, 'utf8');
} catch (e) {
  console.error(`${file}: ${e.message}`);
  process.exit(2);
}
const statements = splitStatements(script, { backslash: how.backslash });
if (statements.length === 0) {
  console.error(`${file}: no SQL statement`);
  process.exit(1);
}
const parser = new Parser();
for (const st of statements) {
  try {
    let sql = st.text;
    for (const [from, to] of how.rewrites ?? []) sql = sql.replace(from, to);
    if (how.names) sql = plainQuotedNames(sql, how.backslash);
    parser.astify(sql, { database: how.database });
  } catch (e) {
    // A peggy SyntaxError has the place in the statement; the line in the script is the
    // statement's first line + that line - 1 (the statement's text starts at its line's
    // first non-blank character, so the column of line 1 is approximate).
    const loc = e.location?.start;
    const line = loc ? st.line + loc.line - 1 : st.line;
    const col = loc ? `:${loc.column}` : '';
    const text = loc ? st.text.split('\n')[loc.line - 1] : st.text.split('\n')[0];
    console.error(`${file}:${line}${col}: ${how.database} (for ${dialect}): ${e.message}\n` +
      `  ${text}`);
    process.exit(1);
  }
}
