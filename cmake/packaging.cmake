# SPDX-License-Identifier: MIT
# Debian packages with CPack: `make package` (or, in a built tree,
# `cmake --build build --target packaged-files && cd build && cpack`) writes
#   whisperchat-server  the server, its systemd unit, default configuration
#                       and maintainer scripts (resources/packaging/)
#   whisperchat-admin   the admin console, its .desktop file and icon
#   whisperchat-tools   whisperchat-cli, whisperchat-loadgen and, when it is
#                       built, the graphical client whisperchat-client
# Library dependencies are computed by dpkg-shlibdeps; only what no linked
# library reveals (Qt plugins loaded at run time, adduser for the maintainer
# scripts, QML modules) is named here.
set(WHISPER_PACKAGING_DIR ${PROJECT_SOURCE_DIR}/resources/packaging)
set(WHISPER_PACKAGE_CONTACT "WhisperChat maintainers <maintainers@whisperchat.example>"
  CACHE STRING "Maintainer field of the Debian packages")
string(TIMESTAMP WHISPER_PACKAGE_DATE "%a, %d %b %Y %H:%M:%S +0000" UTC)

# --- whisperchat-server: files outside the binary. The absolute paths are
# where Debian wants them whatever the install prefix.
install(FILES ${WHISPER_PACKAGING_DIR}/server.ini DESTINATION /etc/whisperchat
  COMPONENT server)
install(FILES ${WHISPER_PACKAGING_DIR}/whisperchat-server.default DESTINATION /etc/default
  RENAME whisperchat-server COMPONENT server)
install(FILES ${WHISPER_PACKAGING_DIR}/whisperchat-server.service
  DESTINATION /lib/systemd/system COMPONENT server)

# --- whisperchat-admin
install(FILES ${WHISPER_PACKAGING_DIR}/whisperchat-admin.desktop
  DESTINATION ${CMAKE_INSTALL_DATADIR}/applications COMPONENT admin)
install(FILES ${WHISPER_PACKAGING_DIR}/whisperchat-admin.svg
  DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps COMPONENT admin)

# --- whisperchat-tools: the graphical client only where it is built.
set(WHISPER_PACKAGED_TARGETS whisperchat-server whisperchat-admin whisperchat-cli
  whisperchat-loadgen whisperchat-server-manpage whisperchat-admin-manpage
  whisperchat-cli-manpage whisperchat-loadgen-manpage)
set(WHISPER_TOOLS_DEPENDS "")
if(TARGET whisperchat-client)
  install(TARGETS whisperchat-client COMPONENT tools)
  list(APPEND WHISPER_PACKAGED_TARGETS whisperchat-client whisperchat-client-manpage)
  # QML imports are resolved at run time, invisible to dpkg-shlibdeps.
  set(WHISPER_TOOLS_DEPENDS "qml6-module-qtquick, qml6-module-qtquick-controls, \
qml6-module-qtquick-layouts, qml6-module-qtquick-window, qml6-module-qtqml-workerscript, \
qml6-module-qtquick-templates, qml6-module-qtpositioning, qt6-qpa-plugins")
endif()
# Everything the packages hold, and nothing else (no tests, no benchmarks).
add_custom_target(packaged-files DEPENDS ${WHISPER_PACKAGED_TARGETS})

# --- /usr/share/doc/PACKAGE: copyright and a Debian changelog in each.
configure_file(${WHISPER_PACKAGING_DIR}/changelog.in ${PROJECT_BINARY_DIR}/packaging/changelog
  @ONLY)
add_custom_command(OUTPUT ${PROJECT_BINARY_DIR}/packaging/changelog.gz
  COMMAND sh -c "gzip -9nc '${PROJECT_BINARY_DIR}/packaging/changelog' > \
'${PROJECT_BINARY_DIR}/packaging/changelog.gz'"
  DEPENDS ${PROJECT_BINARY_DIR}/packaging/changelog VERBATIM)
add_custom_target(packaging-changelog ALL DEPENDS ${PROJECT_BINARY_DIR}/packaging/changelog.gz)
add_dependencies(packaged-files packaging-changelog)
foreach(component server admin tools)
  install(FILES ${WHISPER_PACKAGING_DIR}/copyright ${PROJECT_BINARY_DIR}/packaging/changelog.gz
    DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/whisperchat-${component} COMPONENT ${component})
endforeach()

# Control files of the server package: maintainer scripts and conffiles.
file(WRITE ${PROJECT_BINARY_DIR}/packaging/conffiles
  "/etc/default/whisperchat-server\n/etc/whisperchat/server.ini\n")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME whisperchat)
set(CPACK_PACKAGE_VENDOR "The WhisperChat contributors")
set(CPACK_PACKAGE_CONTACT "${WHISPER_PACKAGE_CONTACT}")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES TRUE)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL server admin tools)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_DEBIAN_SERVER_PACKAGE_NAME whisperchat-server)
set(CPACK_DEBIAN_SERVER_PACKAGE_SECTION net)
# The SQL drivers are Qt plugins, loaded by name at run time.
set(CPACK_DEBIAN_SERVER_PACKAGE_DEPENDS "adduser, libqt6sql6-sqlite")
set(CPACK_DEBIAN_SERVER_PACKAGE_SUGGESTS "libqt6sql6-psql")
set(CPACK_DEBIAN_SERVER_PACKAGE_CONTROL_EXTRA
  ${WHISPER_PACKAGING_DIR}/postinst ${WHISPER_PACKAGING_DIR}/prerm
  ${WHISPER_PACKAGING_DIR}/postrm ${PROJECT_BINARY_DIR}/packaging/conffiles)
set(CPACK_COMPONENT_SERVER_DESCRIPTION "anonymous, location-based 1:1 chat server
WhisperChat pairs two people who are waiting within each other's reach and
relays their chat over WebSocket; partners never learn each other's
coordinates. Accounts, moderation and an admin console endpoint are built in.
This package runs the server as a hardened systemd service.")

set(CPACK_DEBIAN_ADMIN_PACKAGE_NAME whisperchat-admin)
set(CPACK_DEBIAN_ADMIN_PACKAGE_SECTION net)
# The display platform plugins (xcb, wayland) are loaded at run time; Qt's
# own dialog strings are translated from qt6-translations-l10n.
set(CPACK_DEBIAN_ADMIN_PACKAGE_DEPENDS "qt6-qpa-plugins")
set(CPACK_DEBIAN_ADMIN_PACKAGE_RECOMMENDS "qt6-translations-l10n")
set(CPACK_COMPONENT_ADMIN_DESCRIPTION "admin console for the WhisperChat server
A desktop program for moderators and administrators of a WhisperChat server:
a live map of waiting and chatting clients, statistics, events, reports,
kicks, bans and broadcasts. Translations (German, Spanish, Hindi) are built
into the program.")

set(CPACK_DEBIAN_TOOLS_PACKAGE_NAME whisperchat-tools)
set(CPACK_DEBIAN_TOOLS_PACKAGE_SECTION net)
set(CPACK_DEBIAN_TOOLS_PACKAGE_DEPENDS "${WHISPER_TOOLS_DEPENDS}")
set(CPACK_COMPONENT_TOOLS_DESCRIPTION "clients and load generator for WhisperChat
whisperchat-cli, a console chat client; whisperchat-loadgen, a load generator
for the server; and whisperchat-client, the graphical client, where it is
built.")

include(CPack)
