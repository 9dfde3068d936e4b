#include "km_sql.h"

#include <fmt/format.h>

#include "crmkpi/base/survival.h"

namespace crmkpi::sql_detail {

std::string KmMedianCte(const Sql& sql, const std::string& name, const std::vector<std::string>& keys,
                        const std::string& counts) {
  std::string named;
  for (const std::string& k : keys) named += k + ", ";
  const std::string part = keys.empty() ? std::string() : "PARTITION BY " + named.substr(0, named.size() - 2) + " ";
  const std::string dbl = sql.DoubleType();
  const std::string w = fmt::format("OVER ({}ORDER BY t ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)", part);
  return fmt::format(
      "{name} AS (\n  SELECT {named}MIN(CASE WHEN d > 0 AND (z = 1 OR EXP(sl) <= {level}) THEN t END) AS median_secs\n"
      "  FROM (SELECT {named}t, d, SUM(CASE WHEN d > 0 AND r > d THEN LN({rd} / {r}) ELSE 0 END) {w} AS sl,\n"
      "          MAX(CASE WHEN d > 0 AND r = d THEN 1 ELSE 0 END) {w} AS z\n"
      "        FROM (SELECT {named}t, d, SUM(c) OVER ({part}ORDER BY t DESC ROWS BETWEEN UNBOUNDED PRECEDING AND "
      "CURRENT ROW) AS r\n"
      "              FROM ({counts}) a) b) c\n"
      "  {group_by}\n)",
      fmt::arg("name", name), fmt::arg("named", named),
      fmt::arg("level", fmt::format("{:.9f}", 0.5 + kSurvivalTolerance)), fmt::arg("rd", sql.Cast("r - d", dbl)),
      fmt::arg("r", sql.Cast("r", dbl)), fmt::arg("w", w), fmt::arg("part", part), fmt::arg("counts", counts),
      fmt::arg("group_by", keys.empty() ? std::string() : "GROUP BY " + named.substr(0, named.size() - 2)));
}

}  // namespace crmkpi::sql_detail
