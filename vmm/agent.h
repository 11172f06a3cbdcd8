/* The VMM's side of the guest agent: hypercalls from guest threads, and
 * the agent's part of the JSON report.  The area and its rules are in
 * core/agent.h. */
#ifndef HL_AGENT_H
#define HL_AGENT_H

#include "core/agent.h"

#include <stdio.h>

struct thread;

/* One hypercall of guest thread t: a[0] is the op, a[1], a[2] its
 * arguments.  The value the guest sees in %rax. */
long agent_hypercall(struct thread *t, const long a[6]);

/* The keys "agent", "phases" and "metrics", each followed by ",\n", at
 * the indentation of a top-level key of the report object. */
void agent_write_json(const struct agent_area *a, FILE *out);

#endif
