#pragma once
/// Shared by the batch sources: the files of the output folder.

#include <filesystem>
#include <optional>
#include <string>

#include "grader/batch.hpp"

namespace grader::batch {

/// The fingerprint of a student's graded inputs, written after the student's other files.
inline constexpr const char* kInputsFile = ".inputs";

/// The row of a student's native result, or nullopt if it is absent, incomplete or of another
/// spec.
std::optional<Row> read_row(const std::filesystem::path& result_file, const std::string& student,
                            const Gradebook& book);

/// The columns of a spec, with no rows yet.
Gradebook empty_gradebook(const Spec& spec, const std::string& spec_fingerprint);

/// gradebook.csv and summary.json into `out`, atomically.
void write_class_files(const Gradebook& book, const std::filesystem::path& out, const std::optional<Shard>& shard);

}  // namespace grader::batch
