/* Applying the policy (analysis/policy.h) to the call a thread is making:
 * the decision, what a faked call returns, and the forwarding delay. */
#ifndef HL_APPLY_H
#define HL_APPLY_H

#include "vmm/proc.h"

/* What to do with call nr; reads its path argument into t->path first
 * (t->has_path) when the call takes one. */
struct pol_decision apply_decide(struct thread *t, long nr, const long a[6]);

/* The value a faked call returns (the fake column of the syscall table). */
long apply_fake(struct thread *t, long nr, const long a[6]);

/* --forward-delay: busy-wait for it on the host clock while the vCPU is
 * stopped, and count what was achieved. */
void apply_delay(struct thread *t);

#endif
