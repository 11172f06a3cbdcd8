/* The recorder: per syscall number, how often it was called, how often it
 * failed, and how long the host took; plus where the run's wall time went. */
#ifndef HL_STATS_H
#define HL_STATS_H

#include "analysis/syscalls.h"

#include <stdint.h>
#include <stdio.h>

struct sc_count {
	uint64_t count, errors, host_ns;
};

struct stats {
	struct sc_count sc[SC_TABLE_SIZE];
	uint64_t unknown; /* numbers outside the table */
	uint64_t syscall_exits, other_exits;
	uint64_t kvm_run_ns; /* time inside KVM_RUN */
	uint64_t rewritten_sites;
	uint64_t start_ns, end_ns;
	/* Calibrated cost of one round trip, measured in this run when a
	 * report is asked for (vcpu_calibrate). */
	double cal_syscall_ns, cal_exit_ns;
};

/* Derived figures; see README "Statistics" for the definitions. */
struct stats_totals {
	uint64_t wall_ns, user_ns, host_ns, exit_overhead_ns, calls, errors;
	double p;
};

static inline void stats_record(struct stats *s, long nr, long ret, uint64_t ns)
{
	if (nr < 0 || nr >= SC_TABLE_SIZE) {
		s->unknown++;
		return;
	}
	s->sc[nr].count++;
	s->sc[nr].errors += ret < 0 && ret > -4096;
	s->sc[nr].host_ns += ns;
}

void stats_totals(const struct stats *s, struct stats_totals *t);

struct run_info {
	const char *program;
	int argc;
	char *const *argv;
	int exit_status; /* as a shell reports it: 128 + signal when killed */
	int term_signal; /* 0 unless killed */
};

int stats_write_json(const struct stats *s, const struct run_info *ri, FILE *f);
void stats_print_summary(const struct stats *s, FILE *f);

#endif
