/* The guest agent's area (guestagent/hypercall.h): hypercalls from
 * hl-agent report the workload's start, readiness and exit, phase marks
 * and metrics into an area of the run's shared statistics, which every
 * process of the run maps, whatever the engine (the agent and the
 * workload are different processes).
 *
 * The area is written only by hypercalls, under a small spinlock; the
 * syscall hot path reads one word of it (agent_recording), relaxed.
 * Freestanding (core/sys.h). */
#ifndef HL_CORE_AGENT_H
#define HL_CORE_AGENT_H

#include "guestagent/hypercall.h"

#include <stdbool.h>
#include <stdint.h>

#define AGENT_STR_SIZE (HL_HC_NAME_MAX + 1)

enum agent_event {
	AGENT_STARTED = 1,
	AGENT_READY = 2,
	AGENT_EXITED = 4,
};

struct agent_mark {
	char name[AGENT_STR_SIZE];
	uint64_t t_ns; /* CLOCK_MONOTONIC */
};

struct agent_metric {
	char name[AGENT_STR_SIZE];
	double value; /* as the core reads text: exact for short decimals */
	char text[HL_HC_VALUE_MAX + 1]; /* as the program gave it: the report reads it with strtod */
};

/* A plain struct of fixed size: it lives in the shared memory file. */
struct agent_area {
	uint32_t lock;      /* 0, or the pid of the VMM process holding it */
	uint32_t recording; /* syscalls are counted now (see agent_init) */
	uint64_t start_ns;  /* times in the report are relative to this */
	char phase_filter[AGENT_STR_SIZE]; /* --phase NAME, "" for none */
	char phase[AGENT_STR_SIZE];        /* the current phase, "" before any mark */
	uint32_t events;                   /* enum agent_event bits */
	int32_t started_pid;
	int32_t wait_status;               /* as waitpid() gave it to the agent */
	uint32_t nmarks, marks_dropped, nmetrics;
	uint64_t started_ns, ready_ns, exited_ns;
	struct agent_mark marks[HL_HC_MAX_MARKS];
	struct agent_metric metrics[HL_HC_MAX_METRICS];
};

/* Reset a; with a phase filter (non-NULL, non-empty; at most
 * HL_HC_NAME_MAX bytes are kept) nothing is recorded until a mark names
 * that phase, and a mark of another phase stops recording again. */
void agent_init(struct agent_area *a, const char *phase_filter);

/* Whether the syscall being handled counts in the statistics. */
static inline bool agent_recording(const struct agent_area *a)
{
	return __atomic_load_n(&a->recording, __ATOMIC_RELAXED) != 0;
}

/* One hypercall on an area (NULL: validate, record nothing) with the
 * program's strings already read: the value the program sees in %rax.
 * name and value may be NULL for ops that take none. */
long agent_apply(struct agent_area *a, long op, long arg, const char *name, const char *value);

/* Held for a few stores by a hypercall, or for one copy by the report. */
void agent_lock(struct agent_area *a);
void agent_unlock(struct agent_area *a);

#endif
