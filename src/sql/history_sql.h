// A stage-history source's figures (dwell_entered … dwell_days_km_median per stage,
// stage_conversion, history_deals, history_visits, stuck_deals) as SQL, with the meaning
// `crmkpi dwell` gives them (analysis/stage_history.h, dwell.h): the long layout's rows in time
// order per deal, runs of one stage as visits exited at the next visit, each deal's
// observation per stage (cumulative or latest, open ones censored at the as-of, negative ones
// left out), their median, mean, p90 and Kaplan–Meier median, conversion (any or strict) and the
// deals open longer than their stage's p90.
//
// Both layouts: the long one (a row per stage change) and the wide one (a row per deal, an
// entry-date column per stage; ties in the order of the stages, a column shared by several
// stages read for the current one, the last visit of a deal now in an undated stage neither
// exited nor open). The long layout's stage changes of one deal at the same time are ordered by
// their place in the file, which a table does not have: such a tie between two stages stops the
// result (an @error row).
#pragma once

#include <string>
#include <vector>

#include "crmkpi/definition/metric_def.h"

#include "metric_sql.h"
#include "source_sql.h"

namespace crmkpi::sql_detail {

// The analysis' CTEs, appended to |ctes|, and one SELECT per metric. |as_of_text|: the given
// as-of (--as-of or [crmkpi] as_of), or empty: the history's latest time.
std::vector<std::string> HistorySelects(SourceSql& history, const std::vector<const MetricDef*>& metrics,
                                        const LongColumns& columns, const std::string& as_of_text,
                                        const std::string& model_tz, std::vector<std::string>* ctes);

}  // namespace crmkpi::sql_detail
