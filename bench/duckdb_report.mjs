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

const lit = `'${file.replaceAll("'", "''")}'`;
// Explicit schema (no sniffing): text as VARCHAR, amount BIGINT, dates DATE. Quoted fields may
// hold delimiters, doubled quotes and newlines (RFC 4180), as crmkpi accepts.
const sql = `
SELECT coalesce(owner, '') AS owner,
       count(*) AS deals,
       count_if(stage = 'won') AS won,
       count_if(stage = 'lost') AS lost,
       count_if(stage IS NULL OR stage NOT IN ('won', 'lost')) AS open,
       coalesce(sum(amount) FILTER (WHERE stage = 'won'), 0) AS revenue,
       avg(amount) FILTER (WHERE stage = 'won') AS avg_deal_size,
       coalesce(sum(amount) FILTER (WHERE stage IS NULL OR stage NOT IN ('won', 'lost')), 0)
         AS pipeline_amount,
       median(date_diff('day', created_at, closed_at)) FILTER (WHERE stage = 'won')
         AS cycle_median,
       avg(date_diff('day', created_at, closed_at)) FILTER (WHERE stage = 'won') AS cycle_mean,
       quantile_cont(date_diff('day', created_at, closed_at), 0.9) FILTER (WHERE stage = 'won')
         AS cycle_p90
FROM read_csv(${lit},
  header = true, delim = ',', quote = '"', escape = '"', auto_detect = false,
  columns = {
    'deal_id': 'VARCHAR', 'account': 'VARCHAR', 'owner': 'VARCHAR', 'source': 'VARCHAR',
    'stage': 'VARCHAR', 'amount': 'BIGINT', 'created_at': 'DATE', 'closed_at': 'DATE',
    'email': 'VARCHAR', 'notes': 'VARCHAR'})
GROUP BY ALL
ORDER BY owner`;

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
