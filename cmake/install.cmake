# `cmake --install` and `cpack -G DEB`: the programs in bin/, their data in share/gilsim/
# (found relative to the programs, see installed_data_folders), the docs, man pages made
# from --help by help2man, and bash completion.
include(GNUInstallDirs)
set(GILSIM_PROGRAMS gilsim)
if(TARGET gilviz)
  list(APPEND GILSIM_PROGRAMS gilviz)
endif()
install(TARGETS ${GILSIM_PROGRAMS} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/scenarios/ DESTINATION ${CMAKE_INSTALL_DATADIR}/gilsim/scenarios)
# The viewer's run-time files (the window icon; a fonts/ folder there would override the
# system's DejaVu Sans), found beside the installed gilviz (viz/asset_files.hpp).
install(DIRECTORY ${PROJECT_SOURCE_DIR}/assets/ DESTINATION ${CMAKE_INSTALL_DATADIR}/gilsim/assets)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${PROJECT_SOURCE_DIR}/scripts/completion/gilsim.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME gilsim)
# gilviz shares the file; bash-completion loads completions by command name.
install(FILES ${PROJECT_SOURCE_DIR}/scripts/completion/gilsim.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME gilviz)

find_program(HELP2MAN help2man)
set(GILSIM_MAN_NAME_gilsim "simulate how CPython runs concurrent work, as a table and timelines")
set(GILSIM_MAN_NAME_gilviz "watch Python's GIL, threads, asyncio and processes at work")
if(HELP2MAN)
  foreach(program ${GILSIM_PROGRAMS})
    set(page ${PROJECT_BINARY_DIR}/man/${program}.1)
    add_custom_command(
      OUTPUT ${page}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/man
      COMMAND ${HELP2MAN} --no-info --no-discard-stderr --name "${GILSIM_MAN_NAME_${program}}"
              --output ${page} $<TARGET_FILE:${program}>
      DEPENDS ${program}
      COMMENT "Man page of ${program} (help2man)"
      VERBATIM)
    add_custom_target(${program}_man ALL DEPENDS ${page})
    install(FILES ${page} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
  endforeach()
else()
  message(STATUS "help2man not found: no man pages (scripts/install-deps.sh installs it)")
endif()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME gilsim)
set(CPACK_PACKAGE_CONTACT "gilsim maintainers <gilsim@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "how CPython runs concurrent work: a simulator and viewer of the GIL")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)  # libfmt, SFML, GL... from dpkg-shlibdeps
set(CPACK_DEBIAN_PACKAGE_DEPENDS "fonts-dejavu-core")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "python3, fonts-droid-fallback")  # python3: --cpython; the font: CJK names
include(CPack)
