/* hyperloupe: run unmodified Linux programs in a process VM, every system
 * call trapped out of the guest.  One table of commands; each is in a file
 * of its own (cli.h). */
#include "cli/cli.h"
#include "cli/engine.h"

#include "analysis/util.h"
#include "cli/explore.h"
#include "cli/images_cmd.h"
#include "cli/live.h"
#include "cli/model_cmd.h"
#include "cli/plan_cmd.h"
#include "cli/report_cmd.h"
#include "cli/static_cmd.h"

#include <stdio.h>
#include <string.h>

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help; /* its lines of the usage text */
} commands[] = {
	{"run", cmd_run,
	 "  run [OPTIONS] [--] PROGRAM [ARGS...]\n"
	 "                     run PROGRAM with every system call trapped\n"
	 "      --engine auto|kvm|sud\n"
	 "                     kvm: in a KVM guest; sud: in its own process with Syscall\n"
	 "                     User Dispatch (no /dev/kvm needed); auto (default, or\n"
	 "                     $HL_ENGINE): kvm where /dev/kvm makes a VM, else sud\n"
	 "      --stats FILE   write the run's statistics as JSON to FILE\n"
	 "  -c, --summary      print a strace -c style table on stderr at exit\n"
	 "  -v, --verbose      report guest faults and VMM decisions on stderr\n"
	 "      --no-rewrite   keep every syscall going through the LSTAR trampoline\n"
	 "                     (no lazy rewriting of syscall sites)\n"
	 "      --no-vdso      no vDSO in the guest: clock_gettime, gettimeofday, time\n"
	 "                     and getcpu become (trapped) system calls\n"
	 "      --only EXE     restrict the profile to the processes running EXE (a path\n"
	 "                     or a base name; repeatable), as Loupe's whitelist\n"
	 "      --phase NAME   count only the syscalls made while phase NAME runs (from\n"
	 "                     `hl-agent mark NAME` to the next mark)\n"
	 "    policies (README \"Policies\"; SPECS: NAME[:SUBFEATURE|:PATH],... or PATH or *):\n"
	 "      --stub SPECS   do not run these calls: they fail with ENOSYS (ENOENT for a\n"
	 "                     path); NAME=ERRNO names another errno\n"
	 "      --fake SPECS   do not run them: they succeed (0, or the table's fake value)\n"
	 "      --local SPECS  run them on the host with no forwarding delay\n"
	 "      --forward SPECS\n"
	 "                     run them on the host with the forwarding delay (the default)\n"
	 "      --policy FILE  rules from FILE: `stub|fake|local|forward SPECS`, `delay T`\n"
	 "      --forward-delay T\n"
	 "                     busy-wait T (ns, us, ms, s) before and after each forwarded call\n"
	 "      --live-stats   print the name of the run's live statistics on stderr\n"
	 "      --tui          watch the run in the TUI; the guest's stdin is /dev/null and\n"
	 "                     its output goes to --tui-log FILE (hyperloupe-tui.log)\n"},
	{"live", cmd_live,
	 "  live [--once] [--interval S] [PID]\n"
	 "                     show the live statistics of a running `hyperloupe run` (by\n"
	 "                     the pid of its first process; the only one if omitted)\n"},
	{"engines", cmd_engines,
	 "  engines [--check auto|kvm|sud]\n"
	 "                     the engines this machine offers, and why not\n"},
	{"exit-floor", cmd_exit_floor,
	 "  exit-floor [N]     measure the cost of one guest exit on this host\n"},
	{"images", cmd_images,
	 "  images [--dir DIR] list | show NAME | install NAME... | check [-v] [--vm] [NAME...]\n"
	 "                     the workloads of images/: list them, show one, install\n"
	 "                     their packages, run their tests (natively, or --vm)\n"},
	{"explore", cmd_explore,
	 "  explore [--db FILE] [--replicas N] [-j N] [--check-metric|rss|fds T] IMAGE\n"
	 "                     Loupe's campaign on a workload: every feature it uses\n"
	 "                     stubbed and faked, --replicas times each; resumable\n"},
	{"tui", cmd_tui,
	 "  tui [PID | --stats FILE | --db FILE WORKLOAD] [--headless --keys K --size WxH]\n"
	 "                     watch a run or a campaign: per-syscall counts, classes and\n"
	 "                     the projected speedup, with what-if keys\n"},
	{"static", cmd_static,
	 "  static [--format text|json] [--no-sites] PROGRAM\n"
	 "                     the syscall sites of PROGRAM and of the libraries it loads,\n"
	 "                     and their numbers where a backward scan resolves them\n"},
	{"model", cmd_model,
	 "  model [--gamma G] [--fc T] [--forward SET] [--features] [--format text|json]\n"
	 "        [--order] [--sweep DIR] SOURCE | --db FILE WORKLOAD\n"
	 "                     the speedup model (S_n, S_r) of a run's statistics (SOURCE:\n"
	 "                     a --stats file, or db:WORKLOAD[@FILE]); SET: policy, all,\n"
	 "                     none, least:N[%], most:N[%], random:N[%][:SEED], NAME,...\n"},
	{"plan", cmd_plan,
	 "  plan --os FILE [--db FILE] [--out PREFIX] [--format text|csv|json|md]\n"
	 "       [--partial] [WORKLOAD...]\n"
	 "                     the steps (implement, stub, fake) that unlock one more\n"
	 "                     application each on an OS with FILE's system calls;\n"
	 "                     PREFIX.csv/.svg: applications vs calls implemented\n"},
	{"report", cmd_report,
	 "  report [--db FILE] [--format text|csv|json|md] [--compare LOUPE.csv]\n"
	 "         [WORKLOAD...]\n"
	 "                     what the campaigns found: runs, verdicts per feature,\n"
	 "                     static vs traced vs required; side by side with Loupe's\n"},
};

static const char usage_head[] =
	"usage: hyperloupe COMMAND [OPTIONS]\n"
	"\n"
	"commands:\n";

static const char usage_tail[] =
	"\n"
	"  -h, --help         this text\n"
	"  -V, --version      version\n";

void cli_usage(FILE *out)
{
	fputs(usage_head, out);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fputs(commands[i].help, out);
	fputs(usage_tail, out);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		cli_usage(stderr);
		return 2;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
		cli_usage(stdout);
		return 0;
	}
	if (!strcmp(cmd, "-V") || !strcmp(cmd, "--version")) {
		printf("hyperloupe %s\n", HL_VERSION);
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(cmd, commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	hl_err("unknown command '%s' (try hyperloupe --help)", cmd);
	return 2;
}
