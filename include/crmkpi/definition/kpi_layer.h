// A KPI's layer in the chain from activity to result (docs/ini.md, [kpi] `layer`): leading
// (先行, 行動: inputs and activity), process (中間) or lagging (遅行, 成果: the results). The lint
// checks a tree has both ends; audience views select KPIs by it (view_def.h).
#pragma once

#include <optional>
#include <string_view>

namespace crmkpi {

enum class Layer { kNone, kLeading, kProcess, kLagging };

// "leading" (先行, 行動), "process" (中間), "lagging" (遅行, 成果) → the layer; nullopt otherwise.
std::optional<Layer> ParseLayer(std::string_view text);

// "leading", "process", "lagging"; "" for kNone.
std::string_view LayerName(Layer layer);

}  // namespace crmkpi
