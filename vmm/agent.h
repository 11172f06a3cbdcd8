/* The VMM's side of the guest agent: hypercalls from guest threads.  The
 * area and its rules are in core/agent.h, its JSON in analysis/runstats.h. */
#ifndef HL_AGENT_H
#define HL_AGENT_H

#include "core/agent.h"

#include <stdio.h>

struct thread;

/* One hypercall of guest thread t: a[0] is the op, a[1], a[2] its
 * arguments.  The value the guest sees in %rax. */
long agent_hypercall(struct thread *t, const long a[6]);


#endif
