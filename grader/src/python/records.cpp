#include "records.hpp"

#include <algorithm>
#include <csignal>
#include <cstring>
#include <nlohmann/json.hpp>
#include <tuple>
#include <utility>

#include "../library/records.hpp"
#include "../text.hpp"
#include "grader/protocol.hpp"

namespace grader::python {

namespace p = protocol;
using sandbox::Clock;
using json = nlohmann::json;

Records::Records(std::size_t requests, std::size_t calls, std::size_t max_units, double unit_seconds,
                 double call_seconds, Clock::time_point setup_deadline, Clock::time_point budget_deadline,
                 const char* outputs, std::uint64_t size, std::uint64_t& room)
    : n_requests_(requests),
      n_calls_(calls),
      max_units_(max_units),
      unit_seconds_(unit_seconds),
      call_seconds_(call_seconds),
      deadline_(setup_deadline),
      budget_(budget_deadline),
      values_(requests),
      outputs_(outputs),
      size_(size),
      room_(room) {}

std::optional<Tensor> Records::copied(const std::string& place_text) {
  try {
    const json place = json::parse(place_text);
    Shape shape;
    for (const auto& d : place.at("shape")) shape.push_back(d.get<std::size_t>());
    if (shape.size() > kMaxRank) return std::nullopt;
    const auto offset = place.at("offset").get<std::uint64_t>();
    const std::size_t count = element_count(shape);
    if (offset % sizeof(double) != 0 || offset > size_ || count > (size_ - offset) / sizeof(double) ||
        count * sizeof(double) > room_)
      return std::nullopt;
    room_ -= count * sizeof(double);
    std::vector<double> values(count);
    if (count > 0) std::memcpy(values.data(), outputs_ + offset, count * sizeof(double));
    return Tensor(std::move(shape), std::move(values));
  } catch (const std::exception&) {  // not JSON, not numbers, or too many elements
    return std::nullopt;
  }
}

void Records::breach(const std::string& why) {
  if (!breach_) breach_ = why;
}

void Records::next_deadline() { deadline_ = sandbox::after(unit_seconds_); }

std::optional<sandbox::Watcher::Interrupt> Records::interrupt() {
  if (call_ && !breach_ && !cut_ && !budget_binds() && asked_where_ != call_) {
    asked_where_ = call_;
    deadline_ = sandbox::after(kWhereSeconds);
    return Interrupt{std::min(deadline_, budget_), SIGUSR2};
  }
  if (!in_progress_ || breach_ || cut_) return std::nullopt;
  const bool budget = budget_binds();
  // A unit interrupted once, for its own time, ends its child when its time is up again; but
  // the budget running out while it stops still cuts the notebook there (found by a hostile
  // helper: inside one long C operation as its own time ran out, it would have stopped within
  // those 2 s, and every answer was lost).
  if (interrupted_ == in_progress_ && !budget) return std::nullopt;
  interrupted_ = in_progress_;
  deadline_ = sandbox::after(kInterruptSeconds);
  if (!budget) return Interrupt{std::min(deadline_, budget_), SIGINT};
  cut_ = in_progress_;
  cut_label_ = units_[*in_progress_].label;
  budget_ = sandbox::after(std::max(unit_seconds_, kInterruptSeconds));  // to stop, and take the answers
  return Interrupt{std::min(deadline_, budget_), SIGUSR1};
}

Clock::time_point Records::on_status(std::string& pending) {
  std::size_t used = 0;
  while (!breach_ && !finished_ && !stop_ && pending.size() - used >= sizeof(p::RecordHeader)) {
    p::RecordHeader h{};
    std::string_view raw;
    const library::Frame frame = library::next_record(pending, used, h, raw);
    if (frame == library::Frame::too_long) breach("a record longer than the protocol allows");
    if (frame != library::Frame::whole) break;  // a breach, or the rest comes later
    std::string text(raw);
    const auto later_than_last = [&](std::size_t k) { return !last_ || k > *last_; };
    switch (h.kind) {
      case p::kIsolation:
        if (isolated_ || parsed_) {  // ended: what it says is not believed
          breach("a second isolation record");
          break;
        }
        isolated_ = true;
        isolation_ = library::printable(text);
        break;
      case p::kLoadError:
        if (parsed_) {  // ended: what it says is not believed
          breach("a loading record after the hand-in was read");
          break;
        }
        load_error_ = library::printable(text);
        break;
      case p::kParsed:
        if (parsed_ || h.code < 0 || static_cast<std::size_t>(h.code) > max_units_) {
          breach("a second or impossible parse record");
          break;
        }
        parsed_ = true;
        n_units_ = static_cast<std::size_t>(std::max(h.code, 0));
        next_deadline();
        break;
      case p::kUnitStart:
        if (cut_ && !in_progress_ && !value_) {  // it had not seen the cut yet: ended, no breach
          stop_ = true;
          break;
        }
        if (!parsed_ || in_progress_ || value_ || cut_ || h.call >= n_units_ || !later_than_last(h.call)) {
          breach("a unit started out of order");
          break;
        }
        in_progress_ = h.call;
        quote_.reset();
        last_ = h.call;
        units_[h.call].started = true;
        {  // "FIRST LAST LABEL": the unit's lines, then its name ("line 45", "cell 7 (line 120)")
          std::size_t at = text.find(' ');
          at = at == std::string::npos ? at : text.find(' ', at + 1);
          units_[h.call].label =
              flattened(library::printable(at == std::string::npos ? text : text.substr(at + 1), 200));
        }
        next_deadline();
        if (hurried_.count(h.call)) deadline_ = std::min(deadline_, sandbox::after(kRerunSeconds));
        break;
      case p::kUnitEnd: {
        const bool skipped = h.code == 2 || h.code == 3;  // never started: it does not run
        if (!parsed_ || h.call >= n_units_ ||
            (in_progress_ ? h.call != *in_progress_ : !(skipped && later_than_last(h.call)))) {
          breach("a unit ended out of order");
          break;
        }
        in_progress_.reset();
        last_ = h.call;
        next_deadline();
        const auto quote = std::exchange(quote_, std::nullopt);
        if (h.code != 1 && h.code != 2 && h.code != 4) {  // it ran, or was skipped: nothing to say of it
          units_.erase(h.call);
          break;
        }
        if (failures_kept_ == kKeptFailures) {
          ++failures_not_kept_;
          units_.erase(h.call);
          break;
        }
        ++failures_kept_;
        UnitRecord& u = units_[h.call];
        u.ended = true;
        u.interrupted = interrupted_ == h.call;
        u.code = h.code;
        u.text = flattened(library::printable(text));  // what a student's code may say: one line
        if (quote) std::tie(u.quotes, u.before_quote) = *quote;
        break;
      }
      case p::kUnitQuotes:
        if (!in_progress_ || h.call != *in_progress_ || h.code < 0 || static_cast<std::size_t>(h.code) >= h.call) {
          breach("a quote out of place");
          break;
        }
        quote_.emplace(static_cast<std::size_t>(h.code), flattened(library::printable(text)));
        break;
      case p::kValueStart:
        if (!parsed_ || in_progress_ || call_ || value_ || h.call >= n_requests_ || values_[h.call]) {
          breach("a value started out of place");
          break;
        }
        value_ = h.call;
        next_deadline();
        break;
      case p::kValue:
      case p::kValueError:
        if (!parsed_ || in_progress_ || call_ || h.call >= n_requests_ || values_[h.call] ||
            (value_ && *value_ != h.call)) {
          breach("a value out of place");
          break;
        }
        values_[h.call] = ValueRecord{h.kind == p::kValue, h.code, text, std::nullopt};
        if (h.kind == p::kValue) values_[h.call]->value = copied(text);
        if (value_) {
          value_.reset();
          next_deadline();
        }
        break;
      case p::kCallStart:
        if (cut_ && !in_progress_ && !call_ && !value_) {  // as for a unit
          stop_ = true;
          break;
        }
        if (!parsed_ || in_progress_ || call_ || value_ || cut_ || h.call >= n_calls_ ||
            (last_call_ && h.call <= *last_call_)) {
          breach("a call started out of order");
          break;
        }
        call_ = last_call_ = h.call;
        calls_[h.call];
        deadline_ = sandbox::after(call_seconds_);
        break;
      case p::kOutput:
        if (!call_ || h.call != *call_ || h.code < 0 || h.code > 64 || calls_[h.call].outputs.count(h.code)) {
          breach("an output out of place");
          break;
        }
        calls_[h.call].outputs[h.code] = text;
        break;
      case p::kCallEnd:
        if (!call_ || h.call != *call_) {
          breach("a call ended out of order");
          break;
        }
        if (asked_where_ == call_) {  // after its time: not believed, and still in progress
          stop_ = true;
          break;
        }
        calls_[h.call].ended = true;
        calls_[h.call].code = h.code;
        calls_[h.call].text = text;  // as sent: run.cpp reads it, then makes it printable
        if (h.code == 0)
          for (const auto& [o, place] : calls_[h.call].outputs)
            if (auto value = copied(place)) calls_[h.call].values.emplace(o, std::move(*value));
        call_.reset();
        next_deadline();
        break;
      case p::kCallWhere: {
        // Believed once, for the call asked; else nothing: the runner answers a SIGUSR2 the
        // notebook sent itself as it answers the grader's (found by a hostile-student helper:
        // told it wrote into the status channel), and a forged one can say no more.
        if (!call_ || h.call != *call_ || asked_where_ != call_ || calls_[h.call].where) break;
        const std::size_t cut = text.find('\n');
        const auto line = [&](std::string part) { return flattened(library::printable(part, 200)); };
        calls_[h.call].where =
            std::pair(line(text.substr(0, cut)), cut == std::string::npos ? std::string() : line(text.substr(cut + 1)));
        stop_ = true;  // asked because its time is up: ended now
        break;
      }
      case p::kForbidden:
        if (forbidden_.size() < 64) forbidden_.push_back(h.code);
        if (in_progress_ && units_[*in_progress_].forbidden.size() < 8)
          units_[*in_progress_].forbidden.push_back(h.code);
        break;
      case p::kFinished:
        if (!parsed_ || in_progress_ || call_ || value_)
          breach("a finished record while a unit, a call or the taking of a value ran");
        finished_ = true;
        break;
      default:
        breach("a record of an unknown kind");
        break;
    }
  }
  if (finished_) used = pending.size();  // the child exits now; a thread may still scribble
  pending.erase(0, used);
  if (breach_ || stop_) return Clock::time_point::min();
  return std::min(deadline_, budget_);
}

}  // namespace grader::python
