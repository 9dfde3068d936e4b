#include "crmkpi/definition/kpi_layer.h"

namespace crmkpi {

std::optional<Layer> ParseLayer(std::string_view v) {
  if (v == "leading" || v == "先行" || v == "行動") return Layer::kLeading;
  if (v == "process" || v == "中間") return Layer::kProcess;
  if (v == "lagging" || v == "遅行" || v == "成果") return Layer::kLagging;
  return std::nullopt;
}

std::string_view LayerName(Layer layer) {
  switch (layer) {
    case Layer::kLeading:
      return "leading";
    case Layer::kProcess:
      return "process";
    case Layer::kLagging:
      return "lagging";
    case Layer::kNone:
      break;
  }
  return "";
}

}  // namespace crmkpi
