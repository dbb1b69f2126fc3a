# SPDX-License-Identifier: MIT
# Manual pages, written at build time by scripts/gen-manpage.pl from each
# program's own --help (and the server's --dump-settings), so a setting added
# to the table in server/serverconfig.cpp appears in its page without an edit.
# Output: <build>/man/NAME.SECTION (for `man -l`) and NAME.SECTION.gz (packaged).
find_package(Perl REQUIRED)
string(TIMESTAMP WHISPER_MAN_DATE "%Y-%m-%d" UTC) # honours SOURCE_DATE_EPOCH
set(WHISPER_MAN_DIR ${PROJECT_BINARY_DIR}/man)

# whisper_add_manpage(TARGET SECTION COMPONENT): the page of program TARGET,
# from resources/man/TARGET.SECTION.in, installed with package COMPONENT.
function(whisper_add_manpage target section component)
  set(page ${WHISPER_MAN_DIR}/${target}.${section})
  set(template ${PROJECT_SOURCE_DIR}/resources/man/${target}.${section}.in)
  add_custom_command(
    OUTPUT ${page} ${page}.gz
    COMMAND ${CMAKE_COMMAND} -E make_directory ${WHISPER_MAN_DIR}
    # A sanitizer build's leak report must not fail a --help run.
    COMMAND ${CMAKE_COMMAND} -E env ASAN_OPTIONS=detect_leaks=0
            ${PERL_EXECUTABLE} ${PROJECT_SOURCE_DIR}/scripts/gen-manpage.pl
            --program $<TARGET_FILE:${target}> --name ${target} --section ${section}
            --version ${PROJECT_VERSION} --date ${WHISPER_MAN_DATE}
            --template ${template} --output ${page}
    # -n: no name or time stamp in the archive, so rebuilds are identical.
    COMMAND sh -c "gzip -9nc '${page}' > '${page}.gz'"
    DEPENDS ${target} ${template} ${PROJECT_SOURCE_DIR}/scripts/gen-manpage.pl
    COMMENT "Writing manual page ${target}(${section})"
    VERBATIM)
  add_custom_target(${target}-manpage ALL DEPENDS ${page} ${page}.gz)
  install(FILES ${page}.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section}
    COMPONENT ${component})
endfunction()

whisper_add_manpage(whisperchat-server 8 server)
whisper_add_manpage(whisperchat-admin 1 admin)
whisper_add_manpage(whisperchat-cli 1 tools)
whisper_add_manpage(whisperchat-loadgen 1 tools)
# The Qt Quick client, where it is built (not in a lean tree).
if(TARGET whisperchat-client)
  whisper_add_manpage(whisperchat-client 1 tools)
endif()
