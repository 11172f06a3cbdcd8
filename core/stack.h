/* The initial stack of a new program, laid out as Linux's binfmt_elf does
 * (top down: execfn, argument and environment strings, the platform
 * string, AT_RANDOM bytes; then, 16-byte aligned, argc, argv, envp and the
 * auxiliary vector).  Freestanding; it writes into memory it is given. */
#ifndef HL_CORE_STACK_H
#define HL_CORE_STACK_H

#include <stdint.h>

struct stack_in {
	int argc;
	char *const *argv;
	char *const *envp;
	const char *execfn;
	const char *platform;  /* AT_PLATFORM's string, or NULL */
	const uint8_t *random; /* 16 bytes for AT_RANDOM */
	const uint64_t *auxv;  /* pairs, AT_NULL-terminated; AT_EXECFN,
				  AT_PLATFORM and AT_RANDOM are pointed at
				  the copies made here */
};

struct stack_out {
	uint64_t sp;                   /* the program's %rsp */
	uint64_t arg_start, arg_end;   /* /proc/PID/cmdline */
	uint64_t env_start, env_end;   /* /proc/PID/environ */
	uint64_t auxv, auxv_words;     /* /proc/PID/auxv */
};

/* Builds the stack below top, not below limit: 0, or -E2BIG. */
int stack_build(uint64_t top, uint64_t limit, const struct stack_in *in, struct stack_out *out);

#endif
