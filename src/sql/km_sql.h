// The Kaplan–Meier median in SQL (base/survival.h's estimator), for km_median metrics and the
// dwell figures of a stage history.
#pragma once

#include <string>
#include <vector>

#include "crmkpi/sql/sql_dialect.h"

namespace crmkpi::sql_detail {

// A CTE "NAME AS (…)" with one row per group of |keys| (column names) and its median in
// median_secs (NULL when S never reaches 0.5), from |counts|: a SELECT of the keys, t (a time in
// seconds), d (the exits at t) and c (the observations at t, exits and censorings), one row per
// group and time. S at each time with exits = Π (r − d) / r over the times so far, r the
// observations at or after it; the product is a running sum of logarithms, 0 once r = d; the
// median is the first such time with S ≤ 0.5 within kSurvivalTolerance. Without keys: one row.
std::string KmMedianCte(const Sql& sql, const std::string& name, const std::vector<std::string>& keys,
                        const std::string& counts);

}  // namespace crmkpi::sql_detail
