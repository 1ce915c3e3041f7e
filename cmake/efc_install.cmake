# What cmake --install puts where (README.md "Installing", docs/cli.md). Paths are relative
# to the prefix, so cmake --install BUILD --prefix P installs under P whatever prefix the
# build was configured with; the programs find their data from their own location
# (io_cli_data_find), so the installed tree may be moved.

# The programs, with the NAME line of their manual pages. Tests and benchmarks stay behind.
set(EFC_PROGRAMS efc-scenario efc-rse efc-obe efc-pcap efc-issuer efc-keymgmt efc-dsrc)
set(efc_name_efc-scenario "simulate CEN DSRC toll passages, trace one, run attacks and the security report")
set(efc_name_efc-rse      "run a CEN DSRC roadside unit (RSE) lane against efc-obe hosts over UDP")
set(efc_name_efc-obe      "emulate CEN DSRC on-board units (OBEs) behind one UDP socket")
set(efc_name_efc-pcap     "decode, count, verify and replay efcsim DSRC captures")
set(efc_name_efc-issuer   "verify toll claims with the issuer's keys and write the status list")
set(efc_name_efc-keymgmt  "the toll issuer's key ceremony: keystore, OBE profiles, operator keys")
set(efc_name_efc-dsrc     "decode and encode EN 15509 T-APDUs and DSRC layer 2 frames")

install(TARGETS ${EFC_PROGRAMS} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# The data the programs default to (efc-scenario report security) and the shipped examples.
file(GLOB efc_scenario_files CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/scenarios/*.yaml)
file(GLOB efc_attack_files CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/scenarios/attacks/*.yaml)
install(FILES ${efc_scenario_files} DESTINATION ${CMAKE_INSTALL_DATADIR}/efcsim/scenarios)
install(FILES ${efc_attack_files} DESTINATION ${CMAKE_INSTALL_DATADIR}/efcsim/scenarios/attacks)

# The Wireshark dissector, in the global Lua plugin directory of a Wireshark under the same
# prefix: Debian's Wireshark (4.0 in Debian 12) reads PREFIX/lib/<multiarch>/wireshark/plugins
# for /usr, where GNUInstallDirs' libdir is lib/<multiarch>; a Wireshark built with its own
# CMake under another prefix uses PREFIX/<libdir>/wireshark/plugins with the same libdir
# (lib). Lua plugins sit in that directory itself, not in its version subdirectory.
set(EFC_WIRESHARK_PLUGIN_DIR "${CMAKE_INSTALL_LIBDIR}/wireshark/plugins" CACHE STRING
    "Where cmake --install puts the Wireshark dissector efcsim.lua (relative: under the prefix)")
install(FILES ${CMAKE_SOURCE_DIR}/tools/pcap/efcsim.lua DESTINATION ${EFC_WIRESHARK_PLUGIN_DIR})

# The documentation as it is in the tree, so README.md's links (docs/...) hold.
install(FILES ${CMAKE_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/docs DESTINATION ${CMAKE_INSTALL_DOCDIR})

# Manual pages from each program's --help and --version, by help2man (Debian's help2man
# package, in .ci/deps), rebuilt whenever the program is.
find_program(EFC_HELP2MAN help2man)
if(EFC_HELP2MAN)
  set(efc_man_pages "")
  foreach(prog IN LISTS EFC_PROGRAMS)
    set(page ${CMAKE_BINARY_DIR}/man/${prog}.1)
    add_custom_command(OUTPUT ${page}
      COMMAND ${EFC_HELP2MAN} --no-info --section=1 --name=${efc_name_${prog}}
              "--manual=efcsim" "--source=efcsim ${PROJECT_VERSION}"
              --help-option=--help --version-option=--version --output=${page}.tmp
              ${CMAKE_BINARY_DIR}/man/help/${prog}
      COMMAND ${CMAKE_COMMAND} -E rename ${page}.tmp ${page}
      DEPENDS ${prog} ${CMAKE_BINARY_DIR}/man/help/${prog} ${CMAKE_SOURCE_DIR}/cmake/help2man-help.sh
      COMMENT "Manual page ${prog}.1"
      VERBATIM)
    # help2man runs one executable: this one runs the program through help2man-help.sh.
    file(GENERATE OUTPUT ${CMAKE_BINARY_DIR}/man/help/${prog}
         CONTENT "#!/bin/sh\nexec sh '${CMAKE_SOURCE_DIR}/cmake/help2man-help.sh' '$<TARGET_FILE:${prog}>' \"$@\"\n"
         FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
    list(APPEND efc_man_pages ${page})
  endforeach()
  add_custom_target(man ALL DEPENDS ${efc_man_pages})
  install(FILES ${efc_man_pages} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
  set(EFC_MANPAGES ON)
else()
  message(WARNING "efcsim: help2man not found (Debian package help2man, .ci/deps): no manual pages")
  set(EFC_MANPAGES OFF)
endif()
