// The pieces of the HTML dashboards (write/html_page.h, write/svg_chart.h): escaping, the
// numbers as the JSON writer prints them, status never by colour alone, the page shell.
#include "write/html_page.h"

#include <catch2/catch.hpp>
#include <limits>
#include <string>

#include "crmkpi/write/json_writer.h"
#include "write/svg_chart.h"

namespace crmkpi::html {
namespace {

TEST_CASE("html Esc escapes markup and replaces invalid UTF-8 and controls", "[html]") {
  CHECK(Esc("<script>alert('x')</script>") == "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
  CHECK(Esc("a & \"b\"") == "a &amp; &quot;b&quot;");
  CHECK(Esc("佐藤　花子") == "佐藤　花子");              // valid UTF-8 as is
  CHECK(Esc("\xFF") == "\xEF\xBF\xBD");                  // invalid byte → U+FFFD
  CHECK(Esc("\xE3\x81") == "\xEF\xBF\xBD\xEF\xBF\xBD");  // truncated sequence
  CHECK(Esc("\xC0\xAF") == "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong '/'
  CHECK(Esc("a\x01"
            "b\tc\n") ==
        "a\xEF\xBF\xBD"
        "b\tc\n");                                       // C0 control; tab, LF kept
  CHECK(Esc("\xC2\x9B") == "\xEF\xBF\xBD\xEF\xBF\xBD");  // C1 control (CSI)
}

TEST_CASE("html NumText prints what the JSON writer prints", "[html]") {
  for (double v : {0.4166666666666667, 5.0, 0.1, 1e20, 33.333333333333336, -2.5, 1748996.014}) {
    JsonWriter w;
    w.BeginArray().Double(v).EndArray();
    CHECK("[" + NumText(v) + "]" == w.Take());
  }
  CHECK(NumText(-0.0) == "0");
  CHECK(NumText(std::numeric_limits<double>::quiet_NaN()).empty());
  CHECK(NumText(Num::Money(12345)) == "1.2345");  // an exact decimal as its text
  CHECK(NumText(Num::Count(7)) == "7");
}

TEST_CASE("html numbers carry their JSON pointer", "[html]") {
  CHECK(DataAttrs("/kpis/3/value", "0.5") == " data-json=\"/kpis/3/value\" data-value=\"0.5\"");
  CHECK(DataAttrs("/kpis/3/value", "").empty());  // n/a: no number to compare
  CHECK(PointerToken("a/b~c") == "a~1b~0c");
  CHECK(Number("50.0 %", "/x", "0.5") == "<span data-json=\"/x\" data-value=\"0.5\">50.0 %</span>");
}

TEST_CASE("html status is text and shape, not colour alone", "[html]") {
  CHECK(StatusMark("on track") == "<span class=\"st good\">▲ on track</span>");
  CHECK(StatusMark("off track") == "<span class=\"st bad\">▼ off track</span>");
  CHECK(StatusMark("FAIL") == "<span class=\"st bad\">■ FAIL</span>");
  CHECK(StatusMark("WARN") == "<span class=\"st warn\">▲ WARN</span>");
  CHECK(StatusMark("PASS") == "<span class=\"st good\">● PASS</span>");
  CHECK(StatusMark("").empty());
}

TEST_CASE("html page shell: self-contained, CSP, charset, lang, print", "[html]") {
  PageHead head;
  head.title = "crmkpi <report>";
  head.lang = "ja";
  const std::string page = Page(head, "<p>body</p>");
  CHECK(page.rfind("<!DOCTYPE html>\n<html lang=\"ja\">", 0) == 0);
  CHECK(page.find("<meta charset=\"utf-8\">") != std::string::npos);
  CHECK(page.find("content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\"") !=
        std::string::npos);
  CHECK(page.find("@page{size:A4 landscape") != std::string::npos);
  CHECK(page.find("\"Hiragino Sans\"") != std::string::npos);
  CHECK(page.find("<title>crmkpi &lt;report&gt;</title>") != std::string::npos);
  CHECK(page.find("<script") == std::string::npos);
  CHECK(page.find("http://") == std::string::npos);   // nothing fetched...
  CHECK(page.find("https://") == std::string::npos);  // ...from anywhere
}

TEST_CASE("svg charts escape their labels and draw one mark per value", "[html]") {
  const std::string bars = svg::HBars("t", {"<a>", "b"}, {1.0, std::nullopt}, {"1", "n/a"},
                                      [](double v) { return std::to_string(v); });
  CHECK(bars.find("&lt;a&gt;") != std::string::npos);
  CHECK(bars.find("<a>") == std::string::npos);
  std::size_t rects = 0;
  for (std::size_t at = bars.find("<rect"); at != std::string::npos;
       at = bars.find("<rect", at + 1)) {
    ++rects;
  }
  CHECK(rects == 1);  // the n/a value has no bar
}

}  // namespace
}  // namespace crmkpi::html
