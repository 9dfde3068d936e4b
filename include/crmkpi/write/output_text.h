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

// |utf8| as |text| says. CP932: a few characters with a CP932 look-alike are mapped first
// (U+301C 〜 → U+FF5E ～, U+2212 − → U+FF0D －, U+00B7 · → U+30FB ・, U+2014 — → U+2015 ―,
// U+2016 ‖ → U+2225 ∥, U+00A2/A3/AC ¢£¬ → their full-width forms, U+2013 – → -, ≤ ≥ → ≦ ≧,
// ⌈x⌉ → ceil(x)); any other character CP932
// cannot hold is an Error(kUsage) naming it, its line and the hint --bom: nothing vanishes.
std::string EncodeOutput(std::string_view utf8, const OutputText& text);

}  // namespace crmkpi
