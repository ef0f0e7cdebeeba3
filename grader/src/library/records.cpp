#include "records.hpp"

#include <algorithm>
#include <cstring>

#include "../text.hpp"
#include "grader/protocol.hpp"

namespace grader::library {

namespace p = protocol;
using sandbox::Clock;

std::string printable(std::string_view text, std::size_t max) {
  // Cut where a character starts: the first bytes of one cut through would show as '?' (found
  // by a hostile-student helper, in a line of Chinese comments).
  std::size_t cut = std::min(max, text.size());
  for (int back = 0; back < 3 && cut > 0 && cut < text.size() && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80;
       ++back)
    --cut;
  const std::string_view head = text.substr(0, cut);
  std::string out;
  out.reserve(head.size());
  for (std::size_t i = 0; i < head.size();) {
    char32_t cp = 0;
    const std::size_t used = detail::utf8_sequence(head, i, cp);
    const bool shown = used > 0 && (cp == '\n' || cp == '\t' || (cp >= 0x20 && cp != 0x7f && (cp < 0x80 || cp > 0x9f)));
    out += shown ? head.substr(i, used) : "?";
    i += used > 0 ? used : 1;
  }
  if (text.size() > max) out += "...";
  return out;
}

Records::Records(std::size_t calls, Clock::time_point load_deadline, double call_seconds,
                 Clock::time_point budget_deadline, std::function<void(std::size_t)> returned)
    : n_(calls),
      call_deadline_(load_deadline),
      budget_(budget_deadline),
      call_seconds_(call_seconds),
      calls_(calls),
      returned_(std::move(returned)) {}

void Records::breach(const std::string& why) {
  if (!breach_) breach_ = why;
}

void Records::advance() {
  while (next_ < n_ && missing_.count(next_)) ++next_;
  call_deadline_ = sandbox::after(call_seconds_);
}

Frame next_record(std::string_view pending, std::size_t& used, p::RecordHeader& header, std::string_view& text) {
  if (pending.size() - used < sizeof header) return Frame::partial;
  std::memcpy(&header, pending.data() + used, sizeof header);
  if (header.length > p::kMaxText) return Frame::too_long;
  if (pending.size() - used < sizeof header + header.length) return Frame::partial;
  text = pending.substr(used + sizeof header, header.length);
  used += sizeof header + header.length;
  return Frame::whole;
}

Clock::time_point Records::on_status(std::string& pending) {
  std::size_t used = 0;
  while (!breach_ && pending.size() - used >= sizeof(p::RecordHeader)) {
    if (finished_) {  // the child exits now; a thread of the library may still scribble
      used = pending.size();
      break;
    }
    p::RecordHeader h{};
    std::string_view raw;
    const Frame frame = next_record(pending, used, h, raw);
    if (frame == Frame::too_long) breach("a record longer than the protocol allows");
    if (frame != Frame::whole) break;  // a breach, or the rest comes later
    // An exception's text, an error message: one line, whatever the library wrote.
    const std::string text = flattened(printable(raw));
    switch (h.kind) {
      case p::kIsolation:
        if (isolated_ || ready_) breach("a second isolation record");
        isolated_ = true;
        isolation_ = text;
        break;
      case p::kLoadError:
        if (ready_) {
          breach("a loading record after loading");
        } else if (h.code == 1) {
          if (h.call >= n_)
            breach("a missing function of a call that was not planned");
          else
            missing_[h.call] = text;
        } else {
          load_error_ = text;
        }
        break;
      case p::kReady:
        if (ready_) {  // ended: what it says is not believed
          breach("a second ready record");
          break;
        }
        ready_ = true;
        next_ = 0;
        advance();
        break;
      case p::kDone:
      case p::kThrew:
        if (!ready_ || h.call != next_ || next_ >= n_) {
          breach("a record of call " + std::to_string(h.call) + " while call " + std::to_string(next_) +
                 " was in progress");
          break;
        }
        calls_[next_] = CallRecord{h.kind == p::kDone ? CallRecord::Kind::done : CallRecord::Kind::threw, h.code, text};
        if (h.kind == p::kDone && returned_) returned_(next_);
        ++next_;
        advance();
        break;
      case p::kForbidden:
        forbidden_ = h.code;
        break;
      case p::kFinished:
        if (!ready_ || next_ != n_) breach("a finished record before every call was made");
        finished_ = true;
        break;
      default:
        breach("a record of an unknown kind");
        break;
    }
  }
  pending.erase(0, used);
  if (breach_) return Clock::time_point::min();
  return std::min(call_deadline_, budget_);
}

}  // namespace grader::library
