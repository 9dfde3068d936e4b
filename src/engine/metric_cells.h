// Finishing a source's pass (metric_cells.cc): one accumulator as a MetricCell, with the
// value rules of metric_engine.h ("Values"); SourceRun::Finish lists the groups in order.
#pragma once

#include "crmkpi/engine/metric_engine.h"

#include "accumulators.h"
#include "metric_binding.h"

namespace crmkpi::engine_detail {

// The cell of metric |m| in one group, from its accumulator there.
MetricCell Cell(const MetricState& m, const HotAcc& a, ColdAcc& cold);

}  // namespace crmkpi::engine_detail
