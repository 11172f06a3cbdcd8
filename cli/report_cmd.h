/* `hyperloupe report [WORKLOAD...]`: what the explore campaigns in the
 * results database found, per workload (analysis/report.h). */
#ifndef HL_REPORT_CMD_H
#define HL_REPORT_CMD_H

int cmd_report(int argc, char **argv);

#endif
