# SPDX-License-Identifier: MIT
# WHISPER_FUZZ builds the libFuzzer targets of tests/fuzz/ in a build
# directory of their own, configured with clang (scripts/run-fuzz.sh:
# CC=clang-14 CXX=clang++-14 -DWHISPER_FUZZ=ON). Every library is built with
# coverage feedback and ASan + UBSan; only the fuzz executables link the
# libFuzzer driver. The main gcc build never sees these flags.
option(WHISPER_FUZZ "Build the libFuzzer targets (clang only)" OFF)
if(WHISPER_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "WHISPER_FUZZ needs clang (CXX=clang++-14)")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined
    -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
