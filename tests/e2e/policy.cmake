# ========================================================= policies (issue)
# policy.sh: --stub, --fake, --local, --forward, --policy FILE and
# --forward-delay on real programs (python3, coreutils, util-linux taskset,
# sqlite3, busybox, dd), compared with the same programs natively; the
# --stats JSON says what each call's outcome was. One test per mode (the
# modes are described at the top of policy.sh), each with its `.no-rewrite`
# twin. Not registered against a fake hyperloupe (HL_E2E_HYPERLOUPE): it
# knows no policy options and has no JSON to check.
#
#   ctest -R '^e2e\.policy\.'
#
# Included at the end of CMakeLists.txt: HL, BASH_EXECUTABLE, E2E_TMP and the
# HL_E2E_*_ELF programs are set there.
if(NOT HL_E2E_HYPERLOUPE)
  set(POLICY_MODES getrandom affinity tcgets maps-stub maps-fake maps-inherit only-scope
      fsync delay errors local-star stub-star policy-file)
  set(policy_env "LC_ALL=C;TZ=UTC;TMPDIR=${E2E_TMP}")
  if(HL_E2E_python3_ELF)
    set(policy_env "${policy_env};HL_E2E_PYTHON=${HL_E2E_python3_ELF}")
  endif()
  foreach(mode ${POLICY_MODES})
    set(cmd ${BASH_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/policy.sh ${HL} ${mode})
    # The delay test measures wall time: up to 3 attempts of 7 runs, alone.
    set(serial)
    set(timeout 120)
    if(mode STREQUAL "delay")
      set(serial SERIAL)
      set(timeout 240)
    endif()
    hl_engine_test(e2e policy.${mode} REWRITE_TWIN ${serial} TIMEOUT ${timeout} LABEL e2e
      ENV "${policy_env}" COMMAND ${cmd})
  endforeach()
endif()
