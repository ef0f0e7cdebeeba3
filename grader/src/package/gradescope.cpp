// grader gradescope-package: a ready Gradescope autograder.
#include <zip.h>

#include <algorithm>
#include <memory>

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
# 22.04 or later (or Debian 12) in the autograder settings.
# AUTOGRADER_ROOT moves /autograder for a local test.
set -euo pipefail
root=${AUTOGRADER_ROOT:-/autograder}
cd "$(dirname "$0")"
export DEBIAN_FRONTEND=noninteractive
attention-grader/scripts/install-deps.sh
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
spec="$root/source/spec/@SPEC@"
submission="$root/submission"
# A zip uploaded with everything in one folder: grade that folder.
entries=("$submission"/*)
if [ ${#entries[@]} -eq 1 ] && [ -d "${entries[0]}" ]; then submission=${entries[0]}; fi
mkdir -p "$root/results"
export XDG_CACHE_HOME="$root/cache"
"$grader" check --spec "$spec" "$submission" --format gradescope --output "$root/results/results.json"
status=$?
if [ $status -ge 2 ] || [ ! -s "$root/results/results.json" ]; then
  echo "run_autograder: the grader failed (exit status $status); see the messages above" >&2
  rm -f "$root/results/results.json"
  exit 2
fi
exit 0
)SH";

struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};

class Archive {
 public:
  Archive() {
    zip_error_t error;
    zip_error_init(&error);
    source_ = zip_source_buffer_create(nullptr, 0, 0, &error);
    if (!source_) throw Error(std::string("cannot create a zip: ") + zip_error_strerror(&error));
    zip_source_keep(source_);
    zip_.reset(zip_open_from_source(source_, ZIP_TRUNCATE, &error));
    if (!zip_) throw Error(std::string("cannot create a zip: ") + zip_error_strerror(&error));
  }
  ~Archive() { zip_source_free(source_); }
  Archive(const Archive&) = delete;
  Archive& operator=(const Archive&) = delete;

  void add(const std::string& name, std::string content, bool executable = false) {
    contents_.push_back(std::make_unique<std::string>(std::move(content)));
    const std::string& data = *contents_.back();
    zip_source_t* s = zip_source_buffer(zip_.get(), data.data(), data.size(), 0);
    const zip_int64_t index = s ? zip_file_add(zip_.get(), name.c_str(), s, ZIP_FL_ENC_UTF_8) : -1;
    if (index < 0) {
      zip_source_free(s);
      throw Error("cannot add " + name + " to the zip: " + zip_strerror(zip_.get()));
    }
    const zip_uint32_t mode = (executable ? 0100755u : 0100644u) << 16;
    zip_file_set_external_attributes(zip_.get(), static_cast<zip_uint64_t>(index), 0, ZIP_OPSYS_UNIX, mode);
  }

  std::string finish() {
    if (zip_close(zip_.release()) != 0) throw Error("cannot write the zip");
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_source_stat(source_, &st) != 0 || zip_source_open(source_) != 0) throw Error("cannot read the zip back");
    std::string bytes(static_cast<std::size_t>(st.size), '\0');
    const zip_int64_t n = zip_source_read(source_, bytes.data(), st.size);
    zip_source_close(source_);
    if (n != static_cast<zip_int64_t>(st.size)) throw Error("cannot read the zip back");
    return bytes;
  }

 private:
  zip_source_t* source_ = nullptr;
  std::unique_ptr<zip_t, ZipCloser> zip_;
  std::vector<std::unique_ptr<std::string>> contents_;  // zip reads them when it closes
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

std::string gradescope_autograder(const Spec& spec, const fs::path& source_dir) {
  if (!fs::is_regular_file(source_dir / "CMakeLists.txt") || !fs::is_directory(source_dir / "grader"))
    throw UsageError(source_dir.string() +
                     " does not hold the grader's sources (CMakeLists.txt, grader/); give them with --source");
  Archive zip;
  const std::string spec_name = spec.path.filename().string();
  zip.add("setup.sh", kSetup, true);
  zip.add("run_autograder", replaced(kRunAutograder, "@SPEC@", spec_name), true);
  zip.add("spec/" + spec_name, read_bounded(spec.path));
  for (const auto& relative : spec.data_files) {
    const fs::path clean = relative.lexically_normal();
    if (clean.is_absolute() || clean.empty() || *clean.begin() == "..")
      throw Error(spec.path.string() + ": data file " + relative.string() +
                  " is outside the spec's folder; move it into that folder (or below) to package the spec");
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
