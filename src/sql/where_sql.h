// A where expression (definition/where.h) as a SQL condition over a source's rows: TRUE or
// FALSE for every row, never NULL, with the engine's comparison kinds and missing-value rule.
#pragma once

#include <string>

#include "crmkpi/definition/where.h"

namespace crmkpi::sql_detail {

class SourceSql;

// |expr| (not empty) bound to |s|'s columns; |what| names it in messages ("where", "filter").
// Throws Error(kUsage) at the text's location for unknown columns and stages.
std::string WhereSql(SourceSql& s, const WhereExpr& expr, const std::string& what);

// A comparison operator in SQL: =, <>, <, <=, >, >=.
const char* OpText(WhereOp op);

}  // namespace crmkpi::sql_detail
