// Finishing a source's pass (metric_cells.cc): one accumulator as a MetricCell, with the
// value rules of metric_engine.h ("Values"); SourceRun::Finish lists the groups in order.
#pragma once

#include <optional>

#include "crmkpi/engine/metric_engine.h"
#include "crmkpi/values/date_time.h"

#include "accumulators.h"
#include "metric_binding.h"

namespace crmkpi::engine_detail {

// The cell of metric |m| in one group, from its accumulator there; |as_of| censors the open
// rows of a km_median (none: n/a NO_AS_OF).
MetricCell Cell(const MetricState& m, const HotAcc& a, ColdAcc& cold,
                const std::optional<Seconds>& as_of);

}  // namespace crmkpi::engine_detail
