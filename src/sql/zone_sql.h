// A source's time zone in SQL: local times to instants and instants to their offset, as
// DateParser does with the zone's rules (values/date_time.h). A zone with one offset since 1970
// (Asia/Tokyo, UTC) is that number; one with daylight saving time (America/New_York) a CASE over
// its transitions from 1970 to 2100 (before 1970 the offset of 1970, after 2100 the last one).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace crmkpi::sql_detail {

class ZoneSql {
 public:
  // |tz|: an IANA zone name, or empty or UTC. Throws Error(kUsage) when it is not one.
  explicit ZoneSql(const std::string& tz);

  bool fixed() const { return ranges_.size() == 1; }
  std::int64_t first_offset() const { return ranges_.front().second; }
  // The instant (seconds) of the local time |local| (seconds, an integer SQL expression), as
  // DateParser::LocalToUtc: a wall time skipped by a jump is the jump's instant, one that happens
  // twice its first (the earlier instant).
  std::string ToUtc(const std::string& local) const;
  // The offset (seconds east of UTC) at the instant |t|.
  std::string OffsetAt(const std::string& t) const;

 private:
  // (the UTC instant it starts at, its offset); the first starts at −∞.
  std::vector<std::pair<std::int64_t, std::int64_t>> ranges_;
};

}  // namespace crmkpi::sql_detail
