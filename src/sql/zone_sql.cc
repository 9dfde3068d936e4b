#include "zone_sql.h"

#include <chrono>

#include <date/tz.h>
#include <fmt/format.h>

#include "crmkpi/base/error.h"

namespace crmkpi::sql_detail {

namespace {

constexpr std::int64_t kFrom = 0;              // 1970-01-01T00:00:00Z
constexpr std::int64_t kUntil = 4102444800;    // 2100-01-01T00:00:00Z

}  // namespace

ZoneSql::ZoneSql(const std::string& tz) {
  if (tz.empty() || tz == "UTC" || tz == "Etc/UTC") {
    ranges_.emplace_back(0, 0);
    return;
  }
  const date::time_zone* zone = nullptr;
  try {
    zone = date::locate_zone(tz);
  } catch (const std::exception& e) {
    throw Error::Usage(fmt::format("time zone '{}': {}", tz, e.what()));
  }
  std::int64_t t = kFrom;
  while (true) {
    const date::sys_info info = zone->get_info(date::sys_seconds{std::chrono::seconds{t}});
    const std::int64_t offset = info.offset.count();
    if (ranges_.empty() || ranges_.back().second != offset) ranges_.emplace_back(ranges_.empty() ? 0 : t, offset);
    const std::int64_t end = info.end.time_since_epoch().count();
    if (end >= kUntil || end <= t) break;
    t = end;
  }
}

std::string ZoneSql::ToUtc(const std::string& local) const {
  if (fixed()) return fmt::format("({} - {})", local, ranges_[0].second);
  // Range i holds the instants [u_i, u_{i+1}) at offset o_i, the local times [u_i + o_i,
  // u_{i+1} + o_i): the first range that holds a local time gives its instant (the earlier of
  // two), and a local time before range i's but after the previous one's is skipped: u_i.
  std::string out = "CASE";
  for (std::size_t i = 0; i < ranges_.size(); ++i) {
    const auto [u, o] = ranges_[i];
    if (i > 0 && o > ranges_[i - 1].second) out += fmt::format(" WHEN {} < {} THEN {}", local, u + o, u);
    if (i + 1 < ranges_.size()) {
      out += fmt::format(" WHEN {} < {} THEN {} - {}", local, ranges_[i + 1].first + o, local, o);
    } else {
      out += fmt::format(" ELSE {} - {} END", local, o);
    }
  }
  return out;
}

std::string ZoneSql::OffsetAt(const std::string& t) const {
  if (fixed()) return std::to_string(ranges_[0].second);
  std::string out = "CASE";
  for (std::size_t i = 0; i + 1 < ranges_.size(); ++i) {
    out += fmt::format(" WHEN {} < {} THEN {}", t, ranges_[i + 1].first, ranges_[i].second);
  }
  return out + fmt::format(" ELSE {} END", ranges_.back().second);
}

}  // namespace crmkpi::sql_detail
