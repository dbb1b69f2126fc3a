# SPDX-License-Identifier: MIT
# WHISPER_SANITIZE builds every target with the named sanitizers, for the
# separate sanitizer build directories of `make test-asan` and `make
# test-tsan` (scripts/run-sanitizers.sh). The main build leaves it empty.
#   address,undefined  AddressSanitizer + LeakSanitizer + UBSan
#   thread             ThreadSanitizer
# UBSan findings abort (no recovery) so that a report fails the test rather
# than scrolling by in its log.
set(WHISPER_SANITIZE "" CACHE STRING "Sanitizers to build with: address,undefined or thread")
if(WHISPER_SANITIZE)
  set(_whisper_san_flags -fsanitize=${WHISPER_SANITIZE} -fno-omit-frame-pointer)
  if(WHISPER_SANITIZE MATCHES "undefined")
    list(APPEND _whisper_san_flags -fno-sanitize-recover=undefined)
  endif()
  add_compile_options(${_whisper_san_flags})
  add_link_options(-fsanitize=${WHISPER_SANITIZE})
  message(STATUS "Sanitizers: ${WHISPER_SANITIZE}")
endif()
