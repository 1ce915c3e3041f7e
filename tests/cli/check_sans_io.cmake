# Fails if the archive LIB has an undefined reference to an I/O, clock or RNG function.
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
string(REPLACE "\n" ";" syms "${syms}")
set(bad "")
foreach(s IN LISTS syms)
  string(REGEX REPLACE "@.*$" "" s "${s}")
  list(FIND forbidden "${s}" idx)
  if(NOT idx EQUAL -1)
    list(APPEND bad "${s}")
  endif()
endforeach()
if(bad)
  message(FATAL_ERROR "libdsrc references I/O, clock or RNG functions: ${bad}")
endif()
message(STATUS "libdsrc: no I/O, clock or RNG references")
