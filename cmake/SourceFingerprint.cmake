# The fingerprint of the sources that decide a grade: grader/ and reference/ (the grader, its
# runner and Python children, the reference implementation). The grader's version carries it
# (`0.1.0+1a2b3c4d5e6f`), so that `grader grade --resume` regrades a class graded by other
# sources, and every result names the sources that graded it.
#
# include()d, it defines grader_fingerprinted_sources(); run as a script
# (cmake -DSOURCE_DIR=... -DOUTPUT=... -P SourceFingerprint.cmake), it writes OUTPUT, a header
# defining GRADER_SOURCE_FINGERPRINT: the first 12 hex digits of the SHA-256 of one line
# "path sha256\n" per file, paths relative to SOURCE_DIR in byte order (where the clone lies
# changes nothing).

# The files, as paths relative to source_dir, sorted.
function(grader_fingerprinted_sources out_var source_dir)
  set(patterns)
  foreach(dir grader reference)
    foreach(ext cpp hpp h py in txt)
      list(APPEND patterns "${source_dir}/${dir}/*.${ext}")
    endforeach()
  endforeach()
  set(configure_depends)
  if(NOT CMAKE_SCRIPT_MODE_FILE)
    set(configure_depends CONFIGURE_DEPENDS)  # a new file is seen at the next build
  endif()
  file(GLOB_RECURSE files LIST_DIRECTORIES false ${configure_depends} RELATIVE "${source_dir}" ${patterns})
  list(SORT files)
  set(${out_var} ${files} PARENT_SCOPE)
endfunction()

if(CMAKE_SCRIPT_MODE_FILE AND DEFINED OUTPUT)
  grader_fingerprinted_sources(files "${SOURCE_DIR}")
  set(lines "")
  foreach(file IN LISTS files)
    file(SHA256 "${SOURCE_DIR}/${file}" sha)
    string(APPEND lines "${file} ${sha}\n")
  endforeach()
  string(SHA256 fingerprint "${lines}")
  string(SUBSTRING "${fingerprint}" 0 12 fingerprint)
  file(WRITE "${OUTPUT}" "#pragma once\n#define GRADER_SOURCE_FINGERPRINT \"${fingerprint}\"\n")
endif()
