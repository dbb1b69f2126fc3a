# SPDX-License-Identifier: MIT
# whisperchat-client as a user starts it: --help and --version print without
# a display; with the offscreen platform the window loads and stays up. It
# would run until closed, so `timeout` ends it after 3 s: exit code 124
# means it was still running, anything else is a failure.
execute_process(COMMAND ${CLIENT} --help OUTPUT_VARIABLE help RESULT_VARIABLE rc
  ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT help MATCHES "--url")
  message(FATAL_ERROR "--help failed (${rc}): ${help}${err}")
endif()
execute_process(COMMAND ${CLIENT} --version OUTPUT_VARIABLE version RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR NOT version MATCHES "whisperchat-client")
  message(FATAL_ERROR "--version failed (${rc}): ${version}")
endif()
set(ENV{QT_QPA_PLATFORM} offscreen)
execute_process(COMMAND timeout 3 ${CLIENT} --url ws://127.0.0.1:1 --lang de
  RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 124)
  message(FATAL_ERROR "whisperchat-client did not stay up (${rc}): ${err}")
endif()
if(err MATCHES "qrc:/|\\.qml:")
  message(FATAL_ERROR "QML warnings while starting: ${err}")
endif()
