// SQL shared by the DuckDB baselines of bench/run (duckdb_report.mjs, duckdb_full.mjs).

// read_csv of a generated deals file: explicit schema (no sniffing), text as VARCHAR, amount
// BIGINT, dates DATE; quoted fields may hold delimiters, doubled quotes and newlines (RFC 4180),
// as crmkpi accepts; an empty field reads as NULL.
export function readDeals(file) {
  const lit = `'${file.replaceAll("'", "''")}'`;
  return `read_csv(${lit},
  header = true, delim = ',', quote = '"', escape = '"', auto_detect = false,
  columns = {
    'deal_id': 'VARCHAR', 'account': 'VARCHAR', 'owner': 'VARCHAR', 'source': 'VARCHAR',
    'stage': 'VARCHAR', 'amount': 'BIGINT', 'created_at': 'DATE', 'closed_at': 'DATE',
    'email': 'VARCHAR', 'notes': 'VARCHAR'})`;
}

// The per-owner deal KPIs of `crmkpi report FILE --by owner` over the relation |from|.
export function ownerKpis(from) {
  return `
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
FROM ${from}
GROUP BY ALL
ORDER BY owner`;
}
