# Fails if the archive LIB has an undefined reference to an I/O, clock or RNG function.
# NAME names the library in the messages (default: the archive's file name).
if(NOT NAME)
  get_filename_component(NAME ${LIB} NAME_WE)
endif()
execute_process(COMMAND nm -u --format=just-symbols ${LIB} OUTPUT_VARIABLE syms RESULT_VARIABLE rv)
if(NOT rv EQUAL 0)
  message(FATAL_ERROR "nm failed on ${LIB}")
endif()
set(forbidden
  open openat close read write fopen fdopen fclose fread fwrite fgets fputs puts printf fprintf
  vfprintf putchar getchar perror socket bind connect sendto recvfrom sendmsg recvmsg send recv
  poll select epoll_wait clock_gettime gettimeofday time clock rand srand random srandom
  drand48 getrandom arc4random RAND_bytes RAND_priv_bytes json_dumpf json_loadf json_dump_file
  json_load_file getenv sleep usleep nanosleep malloc_stats)
# This project's own functions that read or write files or draw from the system's RNG, and
# its I/O layer (io/): an engine calling one would do I/O through another library (the status
# list, for one, is loaded by a driver and handed in).
set(forbidden_patterns
  "^efc_status_list_load$" "^keymgmt_.*_(load|save)$" "^keymgmt_write_atomic$" "^keymgmt_audit_"
  "^km_seal_" "^io_" "^dsrc_crypto_csprng$")
string(REPLACE "\n" ";" syms "${syms}")
set(bad "")
foreach(s IN LISTS syms)
  string(REGEX REPLACE "@.*$" "" s "${s}")
  list(FIND forbidden "${s}" idx)
  if(NOT idx EQUAL -1)
    list(APPEND bad "${s}")
  endif()
  foreach(p IN LISTS forbidden_patterns)
    if(s MATCHES "${p}")
      list(APPEND bad "${s}")
    endif()
  endforeach()
endforeach()
list(REMOVE_DUPLICATES bad)
if(bad)
  message(FATAL_ERROR "${NAME} references I/O, clock or RNG functions: ${bad}")
endif()
message(STATUS "${NAME}: no I/O, clock or RNG references")
