// The bytes of a text output for Excel (docs/cli.md, "Excel"): UTF-8 with a byte-order mark
// (--bom, -f csv-excel), which Excel needs to read UTF-8 CSV, or CP932 (--output-encoding
// cp932) for older Japanese Excel. Set once per run from the command line; WriteOutput applies it.
#pragma once

#include <string>
#include <string_view>

namespace crmkpi {

struct OutputText {
  bool bom = false;    // prefix EF BB BF
  bool cp932 = false;  // convert to CP932 (Windows-31J)
  bool Plain() const { return !bom && !cp932; }
};

void SetOutputText(const OutputText& text);
const OutputText& GetOutputText();

// |utf8| as |text| says. CP932: characters CP932 lacks but has a look-alike of are mapped
// first (kLookAlikes in output_text.cc: 〜 → ～, − → －, · → ・, — → ―, ‖ → ∥, ¢£¬ → full
// width, – → -, ≤ ≥ → ≦ ≧, ⌈x⌉ → ceil(x)); any other character CP932 cannot hold is an
// Error(kUsage) naming it, its line and the hint --bom: nothing vanishes.
std::string EncodeOutput(std::string_view utf8, const OutputText& text);

}  // namespace crmkpi
