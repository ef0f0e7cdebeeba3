// The status records a child sends, as the grader reads them (library::Records and
// python::Records): the bytes are the student's, arriving in pieces of any size. Whatever they
// are, nothing crashes, no deadline passes the budget (nor, after a cut, the time to take the
// answers), a call or a value is only believed in its place, and every text kept is valid UTF-8.
#include <chrono>

#include "fuzz_support.hpp"
#include "library/records.hpp"
#include "python/records.hpp"

namespace {

using grader::sandbox::Clock;

/// Feeds `bytes` to `watcher` in pieces whose sizes the first bytes choose, as a pipe would.
template <class W>
Clock::time_point feed(W& watcher, std::string_view bytes, std::string_view sizes, Clock::time_point budget) {
  std::string pending;
  Clock::time_point deadline = Clock::time_point::max();
  std::size_t at = 0, k = 0;
  while (at < bytes.size()) {
    const std::size_t n = sizes.empty() ? bytes.size() : 1 + static_cast<unsigned char>(sizes[k++ % sizes.size()]);
    pending.append(bytes.substr(at, n));
    at += n;
    const std::size_t before = pending.size();
    deadline = watcher.on_status(pending);
    fuzz::require(pending.size() <= before, "on_status grew the pending bytes");
    if (deadline == Clock::time_point::min()) break;  // the child would be ended
    fuzz::require(deadline <= budget, "a deadline past the budget");
  }
  return deadline;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 4) return 0;
  const std::size_t calls = data[0] % 8, requests = data[1] % 8, cut = data[2] % 16;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 3, size - 3);
  const std::string_view sizes = rest.substr(0, std::min(cut, rest.size()));
  const std::string_view bytes = rest.substr(sizes.size());
  const auto now = Clock::now();
  const auto budget = now + std::chrono::seconds(60);

  std::size_t returned = 0;
  grader::library::Records lib(calls, now + std::chrono::seconds(5), 1.0, budget, [&](std::size_t k) {
    fuzz::require(k < calls, "library: outputs read of a call that was not planned");
    ++returned;
  });
  feed(lib, bytes, sizes, budget);
  fuzz::require(lib.next() <= calls, "library: the call in progress is beyond the plan");
  for (std::size_t i = lib.next(); i < lib.calls().size(); ++i)
    fuzz::require(!lib.calls()[i] || lib.finished(), "library: a record of a call not yet made");
  for (const auto& c : lib.calls())
    if (c) fuzz::require_printable(c->text);
  fuzz::require(returned <= calls, "library: a call's outputs read twice");
  fuzz::require_printable(lib.isolation());
  if (lib.load_error()) fuzz::require_printable(*lib.load_error());

  // The child's output memory, as the grader maps it: whatever the records say of it, no copy
  // reads outside it or takes more than the room.
  static const std::vector<char> outputs(4096, 1);
  std::uint64_t room = 2048;
  grader::python::Records py(requests, calls, 1000, 1.0, 1.0, now + std::chrono::seconds(5), budget, outputs.data(),
                             outputs.size(), room);
  feed(py, bytes, sizes, budget);
  std::uint64_t copied = 0;
  for (const auto& v : py.values())
    if (v && v->value) copied += v->value->size() * sizeof(double);
  for (const auto& [_, c] : py.call_records())
    for (const auto& [o, t] : c.values) copied += t.size() * sizeof(double);
  fuzz::require(copied + room == 2048, "python: values copied beyond the room, or the room miscounted");
  fuzz::require(py.values().size() == requests, "python: values not one per request");
  fuzz::require(py.call_records().empty() || py.call_records().rbegin()->first < calls,
                "python: a record of a call that was not planned");
  fuzz::require_printable(py.isolation());

  // Interrupted halfway, as when a deadline passes; here the budget's, which binds: a cut.
  // After it, no deadline passes the time to stop and take the answers (max(1 s, 2 s)).
  std::uint64_t stopped_room = 2048;
  grader::python::Records stopped(requests, calls, 1000, 1.0, 1.0, budget, now + std::chrono::seconds(1),
                                  outputs.data(), outputs.size(), stopped_room);
  const std::size_t half = bytes.size() / 2;
  if (feed(stopped, bytes.substr(0, half), sizes, budget) != Clock::time_point::min()) {
    const auto asked = stopped.interrupt();
    const auto limit = Clock::now() + std::chrono::milliseconds(2500);
    if (asked) fuzz::require(asked->deadline <= limit, "python: an interrupt's deadline past its time");
    feed(stopped, bytes.substr(half), sizes, stopped.cut() ? limit : budget);
  }
  return 0;
}
