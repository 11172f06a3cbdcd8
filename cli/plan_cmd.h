/* `hyperloupe plan --os FILE [WORKLOAD...]`: the steps that unlock one more
 * application each on an OS under construction, and the curves of
 * applications supported vs system calls implemented (analysis/plan_out.h). */
#ifndef HL_PLAN_CMD_H
#define HL_PLAN_CMD_H

int cmd_plan(int argc, char **argv);

#endif
