# Every end-to-end and application test runs once per engine (DESIGN.md
# "Engines"), as its own CTest test labelled with the engine:
#
#   hl_engine_test(PREFIX NAME [REWRITE_TWIN] [SERIAL] TIMEOUT S LABEL L
#                  [ENV "A=1;B=2"] COMMAND CMD...)
#
# registers PREFIX.kvm.NAME and PREFIX.sud.NAME (labels L;kvm and L;sud),
# each with HL_ENGINE set, which `hyperloupe run` takes as its --engine.
# REWRITE_TWIN adds PREFIX.kvm.NAME.no-rewrite and PREFIX.sud.NAME.no-rewrite:
# every call through the LSTAR trampoline, or through SIGSYS.  A twin name
# that matches HL_SUD_ZPOLINE_TWINS also gets PREFIX.sud.NAME.zpoline: the
# sud engine with zpoline's form on too (HL_SUD_REWRITE=all), which needs
# page 0 (root here; the test skips where it cannot be mapped).  A test
# exits 77 (skipped) only when its engine is absent here: `hyperloupe
# engines --check ENGINE` says so.
#
#   ctest -L sud          every test of the sud engine
#   ctest -L kvm          every test of the kvm engine


# The guests whose sud runs also run with zpoline: the crashes (a call
# through NULL lands in the sled), every mode of the programs that exercise
# threads, processes, signals, clocks and rewriting, but not the checks of
# what a NULL pointer reads or which fault a write to it gets, which page 0
# changes (docs/sud.md).
set(HL_SUD_ZPOLINE_TWINS "^crash-|^rewrite[.](jit|remap|out|race)$|^(threads|forkexec|timecalls)|^signals[.](siginfo|restart|altstack|fpe|ill|trap|sigchld|mask|timedwait|signalfd|timer|sigsuspend|fpu|nested|sigpipe)$")

function(hl_engine_test prefix name)
  cmake_parse_arguments(T "REWRITE_TWIN;SERIAL" "TIMEOUT;LABEL;ENV" "COMMAND" ${ARGN})
  foreach(engine kvm sud)
    set(twins ${prefix}.${engine}.${name})
    # The sanitizer build runs each sud test once: its twins exercise
    # hl-monitor, which is never built with the sanitizers.
    if(T_REWRITE_TWIN AND NOT (engine STREQUAL "sud" AND HL_SANITIZE))
      list(APPEND twins ${prefix}.${engine}.${name}.no-rewrite)
      if(engine STREQUAL "sud" AND name MATCHES "${HL_SUD_ZPOLINE_TWINS}")
        list(APPEND twins ${prefix}.${engine}.${name}.zpoline)
      endif()
    endif()
    foreach(t ${twins})
      add_test(NAME ${t} COMMAND ${T_COMMAND})
      set(env "${T_ENV};HL_ENGINE=${engine}")
      if(t MATCHES "[.]no-rewrite$")
        set(env "${env};HL_RUN_FLAGS=--no-rewrite")
      elseif(t MATCHES "[.]zpoline$")
        set(env "${env};HL_SUD_REWRITE=all;HL_NEED_PAGE0=1")
      endif()
      set_tests_properties(${t} PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT ${T_TIMEOUT}
        LABELS "${T_LABEL};${engine}" ENVIRONMENT "${env}")
      if(T_SERIAL)
        set_tests_properties(${t} PROPERTIES RUN_SERIAL TRUE)
      endif()
    endforeach()
  endforeach()
endfunction()

# hl_engine_set(PREFIX NAME PROPERTY VALUE...): set_tests_properties on every
# engine's variant of PREFIX.NAME that exists.
function(hl_engine_set prefix name)
  foreach(t ${prefix}.kvm.${name} ${prefix}.kvm.${name}.no-rewrite ${prefix}.sud.${name}
            ${prefix}.sud.${name}.no-rewrite ${prefix}.sud.${name}.zpoline)
    if(TEST ${t})
      set_tests_properties(${t} PROPERTIES ${ARGN})
    endif()
  endforeach()
endfunction()
