// grader gradescope-package: a ready Gradescope autograder.
#include <minizip/zip.h>

#include <algorithm>
#include <memory>
#include <set>

#include "../text.hpp"
#include "grader/bounded_file.hpp"
#include "grader/error.hpp"
#include "grader/package.hpp"

namespace grader::package {

namespace fs = std::filesystem;

namespace {

/// Runs once on Gradescope, as root, in /autograder/source, to build the image.
constexpr const char* kSetup = R"SH(#!/usr/bin/env bash
# Gradescope runs this once, as root, to build the autograder image: it installs the packages
# the grader needs and builds it from the sources in attention-grader/. Choose a base image of Ubuntu
# 24.04 in the autograder settings (22.04 builds the grader, but its python3-torch, 1.8, is too old
# for the notebooks' calls).
# AUTOGRADER_ROOT moves /autograder for a local test.
set -euo pipefail
root=${AUTOGRADER_ROOT:-/autograder}
cd "$(dirname "$0")"
export DEBIAN_FRONTEND=noninteractive
attention-grader/scripts/install-deps.sh --build
cmake -S attention-grader -B "$root/build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF > /dev/null
cmake --build "$root/build" -j "$(nproc)" --target grader grader-runner
"$root/build/grader/grader" --version
)SH";

/// Runs for every submission. Paths can be moved for a local test (AUTOGRADER_ROOT, GRADER).
constexpr const char* kRunAutograder = R"SH(#!/usr/bin/env bash
# Gradescope runs this for every submission: it grades /autograder/submission with the spec in
# source/spec/ and writes /autograder/results/results.json. If the grader itself fails (never a
# student's fault), no results.json is written, so Gradescope reports an autograder failure to
# the course staff instead of a zero; the reason is in this script's output.
set -uo pipefail
root=${AUTOGRADER_ROOT:-/autograder}
grader=${GRADER:-$root/build/grader/grader}
spec="$root/source/spec/"@SPEC@
submission="$root/submission"  # a zip of a folder is graded from that folder (the grader sees to it)
mkdir -p "$root/results"
export XDG_CACHE_HOME="$root/cache"
"$grader" check --spec "$spec" "$submission"@SECRET@ --format gradescope --output "$root/results/results.json"
status=$?
if [ $status -ge 2 ] || [ ! -s "$root/results/results.json" ]; then
  echo "run_autograder: the grader failed (exit status $status); see the messages above" >&2
  rm -f "$root/results/results.json"
  exit 2
fi
exit 0
)SH";

/// A zip built in memory with minizip (zlib's): only zlib beside it, so the grader, which
/// links it for this one command, does not load a TLS library at every start.
class Archive {
 public:
  Archive() {
    zlib_filefunc64_def io{};
    io.zopen64_file = [](voidpf opaque, const void*, int) -> voidpf { return opaque; };
    io.zread_file = [](voidpf, voidpf, void*, uLong) -> uLong { return 0; };
    io.zwrite_file = [](voidpf, voidpf stream, const void* buf, uLong size) -> uLong {
      return static_cast<Archive*>(stream)->write(static_cast<const char*>(buf), size);
    };
    io.ztell64_file = [](voidpf, voidpf stream) -> ZPOS64_T { return static_cast<Archive*>(stream)->at_; };
    io.zseek64_file = [](voidpf, voidpf stream, ZPOS64_T offset, int origin) -> long {
      auto* a = static_cast<Archive*>(stream);
      const ZPOS64_T base = origin == ZLIB_FILEFUNC_SEEK_SET   ? 0
                            : origin == ZLIB_FILEFUNC_SEEK_CUR ? a->at_
                                                               : a->bytes_.size();
      if (base + offset > a->bytes_.size()) return -1;
      a->at_ = base + offset;
      return 0;
    };
    io.zclose_file = [](voidpf, voidpf) -> int { return 0; };
    io.zerror_file = [](voidpf, voidpf) -> int { return 0; };
    io.opaque = this;
    zip_ = zipOpen2_64("memory", APPEND_STATUS_CREATE, nullptr, &io);
    if (!zip_) throw Error("cannot create a zip");
  }
  ~Archive() {
    if (zip_) zipClose(zip_, nullptr);
  }
  Archive(const Archive&) = delete;
  Archive& operator=(const Archive&) = delete;

  /// Adds `content` as `name` (UTF-8), deflated, with Unix permissions 0755 or 0644 and a fixed
  /// date (1980-01-01), so that the same inputs make the same zip.
  void add(const std::string& name, const std::string& content, bool executable = false) {
    zip_fileinfo info{};
    info.tmz_date.tm_mday = 1;
    info.tmz_date.tm_year = 1980;
    info.external_fa = (executable ? 0100755ul : 0100644ul) << 16;
    constexpr uLong kMadeByUnix = (3u << 8) | 20u, kUtf8Names = 1u << 11;
    if (zipOpenNewFileInZip4_64(zip_, name.c_str(), &info, nullptr, 0, nullptr, 0, nullptr, Z_DEFLATED,
                                Z_DEFAULT_COMPRESSION, 0, -MAX_WBITS, DEF_MEM_LEVEL, Z_DEFAULT_STRATEGY, nullptr, 0,
                                kMadeByUnix, kUtf8Names, content.size() >= 0xffffffffu) != ZIP_OK ||
        zipWriteInFileInZip(zip_, content.data(), static_cast<unsigned>(content.size())) != ZIP_OK ||
        zipCloseFileInZip(zip_) != ZIP_OK)
      throw Error("cannot add " + name + " to the zip");
  }

  std::string finish() {
    const int closed = zipClose(zip_, nullptr);
    zip_ = nullptr;
    if (closed != ZIP_OK) throw Error("cannot write the zip");
    return std::move(bytes_);
  }

 private:
  uLong write(const char* data, uLong size) {
    if (at_ + size > bytes_.size()) bytes_.resize(at_ + size);
    std::copy(data, data + size, bytes_.begin() + static_cast<std::ptrdiff_t>(at_));
    at_ += size;
    return size;
  }

  zipFile zip_ = nullptr;
  std::string bytes_;
  ZPOS64_T at_ = 0;
};

/// The grader's sources a build needs, relative to the source tree, sorted.
std::vector<fs::path> build_sources(const fs::path& source_dir) {
  std::vector<fs::path> files = {"CMakeLists.txt", "scripts/install-deps.sh"};
  for (const char* dir : {"cmake", "grader", "reference"}) {
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(source_dir / dir, ec); it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      if (ec) break;
      if (it->is_regular_file()) files.push_back(fs::relative(it->path(), source_dir));
    }
    if (ec) throw Error("cannot read the grader's sources in " + (source_dir / dir).string() + ": " + ec.message());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

fs::path built_source_dir() { return GRADER_SOURCE_DIR; }

std::string gradescope_autograder(const Spec& spec, const fs::path& source_dir, const std::string& seed_secret) {
  if (!fs::is_regular_file(source_dir / "CMakeLists.txt") || !fs::is_directory(source_dir / "grader"))
    throw UsageError(source_dir.string() +
                     " does not hold the grader's sources (CMakeLists.txt, grader/); give them with --source");
  Archive zip;
  const std::string spec_name = spec.path.filename().string();
  zip.add("setup.sh", kSetup, true);
  // The spec's name goes into the script as one single-quoted word: a name such as hw$1.yaml
  // or one with quotes or backticks stays a name.
  const std::string quoted_name = "'" + replaced(spec_name, "'", "'\\''") + "'";
  const std::string secret = seed_secret.empty() ? "" : " --seed-secret \"$root/source/seed-secret\"";
  zip.add("run_autograder", replaced(replaced(kRunAutograder, "@SPEC@", quoted_name), "@SECRET@", secret), true);
  if (!seed_secret.empty()) zip.add("seed-secret", seed_secret + "\n");
  zip.add("spec/" + spec_name, read_bounded(spec.path));
  std::set<std::string> packed = {spec_name};  // a data file named twice (key.npy, ./key.npy) goes in once
  for (const auto& relative : spec.data_files) {
    const fs::path clean = relative.lexically_normal();
    if (clean.is_absolute() || clean.empty() || *clean.begin() == "..")
      throw Error(spec.path.string() + ": data file " + relative.string() +
                  " is outside the spec's folder; move it into that folder (or below) to package the spec");
    if (packed.insert(clean.generic_string()).second)
      zip.add("spec/" + clean.generic_string(), read_bounded(spec.path.parent_path() / clean));
  }
  for (const auto& file : build_sources(source_dir)) {
    const fs::perms perms = fs::status(source_dir / file).permissions();
    zip.add("attention-grader/" + file.generic_string(), read_bounded(source_dir / file),
            (perms & fs::perms::owner_exec) != fs::perms::none);
  }
  return zip.finish();
}

}  // namespace grader::package
