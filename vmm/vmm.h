/* The kvm engine's entry point: run a program in a KVM guest with the
 * options `hyperloupe run` parsed (cli/run.c). */
#ifndef HL_VMM_H
#define HL_VMM_H

#include "vmm/proc.h"

/* Run program (argv[0..argc) its arguments) under the VMM with opt and
 * policy, the policy the options built (policy_finish done).  Returns
 * only when the program cannot be started: a shell-style exit status
 * (126/127) after one line on stderr; otherwise this process ends as the
 * guest does. */
int vmm_run(const struct hl_options *opt, const struct policy *policy, const char *program, int argc,
	    char **argv);

#endif
