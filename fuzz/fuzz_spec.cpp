// A spec file, loaded as `grader check` loads it: YAML, the data section (literals, files,
// generators) and every expression, parsed and evaluated. A broken spec must be a SpecError
// (file:line:column, exit status 2), never another exception, a crash or a hang.
#include "fuzz_support.hpp"
#include "grader/error.hpp"
#include "grader/spec/spec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto path = fuzz::scratch() / "spec.yaml";
  fuzz::write(path, std::string_view(reinterpret_cast<const char*>(data), size));
  try {
    static_cast<void>(grader::load_spec(path));
  } catch (const grader::SpecError& e) {
    for (const auto& d : e.diagnostics()) fuzz::require(!d.message.empty(), "an empty diagnostic");
  }
  return 0;
}
