#pragma once
/// What the fuzz targets share: a scratch folder of their own, and the property every text
/// shown to a student must have (nlohmann::json writes it: valid UTF-8).

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace fuzz {

/// Stops the run with a finding (libFuzzer saves the input) when `ok` is false.
inline void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz property violated: %s\n", what);
    std::abort();
  }
}

/// A folder for this process's files, removed at exit.
inline const std::filesystem::path& scratch() {
  static const std::filesystem::path dir = [] {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/grader-fuzz-XXXXXX";
    if (!::mkdtemp(pattern.data())) std::abort();
    static const struct Remover {
      std::filesystem::path p;
      ~Remover() {
        std::error_code ec;
        std::filesystem::remove_all(p, ec);
      }
    } remover{pattern};
    return std::filesystem::path(pattern);
  }();
  return dir;
}

/// Writes `bytes` to `path`, replacing it.
inline void write(const std::filesystem::path& path, std::string_view bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

/// Text meant for a student (a message, a note) must be valid UTF-8, or writing result.json
/// would throw (nlohmann::json type_error 316).
inline void require_printable(const std::string& text) {
  try {
    static_cast<void>(nlohmann::json(text).dump());
  } catch (const nlohmann::json::exception&) {
    require(false, "a message is not valid UTF-8");
  }
}

}  // namespace fuzz
