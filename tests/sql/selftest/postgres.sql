-- The long result of tests/sql/selftest/kpi.ini, written by hand (what `crmkpi sql` prints).
-- Set-up statements, as the compiler may print: a view of the source and a query whose
-- rows must not reach the result (psql: \o /dev/null; run_duckdb.mjs: only the last).
CREATE TEMPORARY VIEW d AS SELECT * FROM {{deals}};
SELECT 'set-up; output' AS noise;  -- a ; inside a string is no statement end

SELECT 'deals' AS metric, '' AS group_by, CAST(NULL AS VARCHAR) AS "担当者", CAST(NULL AS VARCHAR) AS period,
       CAST(NULL AS VARCHAR) AS period_start, CAST(NULL AS VARCHAR) AS period_end,
       CAST(count(*) AS VARCHAR) AS value, CAST(NULL AS VARCHAR) AS numerator, CAST(NULL AS VARCHAR) AS denominator,
       CAST(count(*) AS VARCHAR) AS n, CAST(NULL AS VARCHAR) AS censored, CAST(NULL AS VARCHAR) AS reason, CAST(NULL AS VARCHAR) AS currency,
       NULL AS excluded
FROM d
UNION ALL
SELECT 'deals' AS metric, '担当者' AS group_by, coalesce("担当者", '') AS "担当者", CAST(NULL AS VARCHAR) AS period,
       CAST(NULL AS VARCHAR) AS period_start, CAST(NULL AS VARCHAR) AS period_end,
       CAST(count(*) AS VARCHAR) AS value, CAST(NULL AS VARCHAR) AS numerator, CAST(NULL AS VARCHAR) AS denominator,
       CAST(count(*) AS VARCHAR) AS n, CAST(NULL AS VARCHAR) AS censored, CAST(NULL AS VARCHAR) AS reason, CAST(NULL AS VARCHAR) AS currency,
       NULL AS excluded
FROM d
GROUP BY coalesce("担当者", '')
UNION ALL
SELECT 'won_amount' AS metric, '' AS group_by, CAST(NULL AS VARCHAR) AS "担当者", CAST(NULL AS VARCHAR) AS period,
       CAST(NULL AS VARCHAR) AS period_start, CAST(NULL AS VARCHAR) AS period_end,
       CAST(coalesce(sum(CAST(amount AS DECIMAL(38, 4))), 0) AS VARCHAR) AS value, CAST(NULL AS VARCHAR) AS numerator, CAST(NULL AS VARCHAR) AS denominator,
       CAST(count(amount) AS VARCHAR) AS n, CAST(NULL AS VARCHAR) AS censored, CAST(NULL AS VARCHAR) AS reason, CAST(NULL AS VARCHAR) AS currency,
       CASE WHEN count(*) > count(amount)
            THEN concat('missing_amount=', CAST(count(*) - count(amount) AS VARCHAR)) END AS excluded
FROM d
WHERE stage = 'won';
