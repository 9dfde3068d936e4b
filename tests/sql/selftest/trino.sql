-- The long result of tests/sql/selftest/kpi.ini, written by hand (what `crmkpi sql` prints).
SELECT 'deals' AS metric, '' AS group_by, CAST(NULL AS VARCHAR) AS "担当者", CAST(NULL AS VARCHAR) AS period,
       CAST(NULL AS VARCHAR) AS period_start, CAST(NULL AS VARCHAR) AS period_end,
       CAST(count(*) AS VARCHAR) AS value, CAST(NULL AS VARCHAR) AS numerator, CAST(NULL AS VARCHAR) AS denominator,
       CAST(count(*) AS VARCHAR) AS n, CAST(NULL AS VARCHAR) AS censored, CAST(NULL AS VARCHAR) AS reason, CAST(NULL AS VARCHAR) AS currency,
       NULL AS excluded
FROM {{deals}}
UNION ALL
SELECT 'deals' AS metric, '担当者' AS group_by, coalesce("担当者", '') AS "担当者", CAST(NULL AS VARCHAR) AS period,
       CAST(NULL AS VARCHAR) AS period_start, CAST(NULL AS VARCHAR) AS period_end,
       CAST(count(*) AS VARCHAR) AS value, CAST(NULL AS VARCHAR) AS numerator, CAST(NULL AS VARCHAR) AS denominator,
       CAST(count(*) AS VARCHAR) AS n, CAST(NULL AS VARCHAR) AS censored, CAST(NULL AS VARCHAR) AS reason, CAST(NULL AS VARCHAR) AS currency,
       NULL AS excluded
FROM {{deals}}
GROUP BY coalesce("担当者", '')
UNION ALL
SELECT 'won_amount' AS metric, '' AS group_by, CAST(NULL AS VARCHAR) AS "担当者", CAST(NULL AS VARCHAR) AS period,
       CAST(NULL AS VARCHAR) AS period_start, CAST(NULL AS VARCHAR) AS period_end,
       CAST(coalesce(sum(CAST(amount AS DECIMAL(38, 4))), 0) AS VARCHAR) AS value, CAST(NULL AS VARCHAR) AS numerator, CAST(NULL AS VARCHAR) AS denominator,
       CAST(count(amount) AS VARCHAR) AS n, CAST(NULL AS VARCHAR) AS censored, CAST(NULL AS VARCHAR) AS reason, CAST(NULL AS VARCHAR) AS currency,
       CASE WHEN count(*) > count(amount)
            THEN concat('missing_amount=', CAST(count(*) - count(amount) AS VARCHAR)) END AS excluded
FROM {{deals}}
WHERE stage = 'won';
