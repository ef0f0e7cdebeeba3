# One INTERFACE target carrying the language standard and the warnings of our own code.
# Every target of the project links it; third-party headers are included as SYSTEM.
add_library(grader_standard INTERFACE)
target_compile_features(grader_standard INTERFACE cxx_std_20)
target_compile_options(grader_standard INTERFACE
  -Wall -Wextra -Werror -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual)
set(CMAKE_CXX_EXTENSIONS OFF)

# Sanitizer builds: cmake -DGRADER_SANITIZE=ON (ASan + UBSan, no recovery).
option(GRADER_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
if(GRADER_SANITIZE)
  target_compile_options(grader_standard INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_link_options(grader_standard INTERFACE -fsanitize=address,undefined)
endif()

if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
  set(CMAKE_BUILD_TYPE RelWithDebInfo CACHE STRING "Build type" FORCE)
endif()
