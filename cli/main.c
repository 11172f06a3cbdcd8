/* hyperloupe: run unmodified Linux programs in a process VM, every system
 * call trapped out of the guest. */
#include "cli/cli.h"
#include "cli/explore.h"
#include "cli/images_cmd.h"
#include "cli/live.h"
#include "cli/model_cmd.h"
#include "cli/plan_cmd.h"
#include "cli/report_cmd.h"
#include "cli/static_cmd.h"
#include "tui/tui.h"
#include "vmm/proc.h"
#include "vmm/rewrite.h"
#include "vmm/signal.h"
#include "vmm/util.h"
#include "vmm/vcpu.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static const char usage[] =
	"usage: hyperloupe COMMAND [OPTIONS]\n"
	"\n"
	"commands:\n"
	"  run [OPTIONS] [--] PROGRAM [ARGS...]\n"
	"                     run PROGRAM in a KVM guest, every system call trapped\n"
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
	"                     its output goes to --tui-log FILE (hyperloupe-tui.log)\n"
	"  live [--once] [--interval S] [PID]\n"
	"                     show the live statistics of a running `hyperloupe run` (by\n"
	"                     the pid of its first process; the only one if omitted)\n"
	"  exit-floor [N]     measure the cost of one guest exit on this host\n"
	"  images [--dir DIR] list | show NAME | install NAME... | check [-v] [--vm] [NAME...]\n"
	"                     the workloads of images/: list them, show one, install\n"
	"                     their packages, run their tests (natively, or --vm)\n"
	"  explore [--db FILE] [--replicas N] [-j N] [--check-metric|rss|fds T] IMAGE\n"
	"                     Loupe's campaign on a workload: every feature it uses\n"
	"                     stubbed and faked, --replicas times each; resumable\n"
	"  tui [PID | --stats FILE | --db FILE WORKLOAD] [--headless --keys K --size WxH]\n"
	"                     watch a run or a campaign: per-syscall counts, classes and\n"
	"                     the projected speedup, with what-if keys\n"
	"  static [--format text|json] [--no-sites] PROGRAM\n"
	"                     the syscall sites of PROGRAM and of the libraries it loads,\n"
	"                     and their numbers where a backward scan resolves them\n"
	"  model [--gamma G] [--fc T] [--forward SET] [--features] [--format text|json]\n"
	"        [--order] [--sweep DIR] SOURCE | --db FILE WORKLOAD\n"
	"                     the speedup model (S_n, S_r) of a run's statistics (SOURCE:\n"
	"                     a --stats file, or db:WORKLOAD[@FILE]); SET: policy, all,\n"
	"                     none, least:N[%], most:N[%], random:N[%][:SEED], NAME,...\n"
	"  plan --os FILE [--db FILE] [--out PREFIX] [--format text|csv|json|md]\n"
	"       [--partial] [WORKLOAD...]\n"
	"                     the steps (implement, stub, fake) that unlock one more\n"
	"                     application each on an OS with FILE's system calls;\n"
	"                     PREFIX.csv/.svg: applications vs calls implemented\n"
	"  report [--db FILE] [--format text|csv|json|md] [--compare LOUPE.csv]\n"
	"         [WORKLOAD...]\n"
	"                     what the campaigns found: runs, verdicts per feature,\n"
	"                     static vs traced vs required; side by side with Loupe's\n"
	"\n"
	"  -h, --help         this text\n"
	"  -V, --version      version\n";

/* The run's statistics: created by the first process, inherited (by
 * fd number) by a process the guest exec'd. */
static void attach_stats(struct proc *p, int fd)
{
	p->run = fd >= 0 ? stats_run_attach(fd) : stats_run_create(&fd);
	if (!p->run) {
		hl_err("cannot %s the run's statistics: %s", fd >= 0 ? "attach" : "create", strerror(errno));
		p->stats = &p->local;
		p->run_fd = -1;
		return;
	}
	p->run_fd = fd == p->run_fd ? fd : vm_hide_fd(fd);
	p->stats = stats_proc_new(p->run, getpid(), getppid(), p->exe_name, p->argc, p->argv);
	if (!p->stats)
		p->stats = &p->local;
}

/* The option letters of the policy options (parse_run_options). */
static const struct {
	int letter;
	const char *option;
	enum pol_action action;
} policy_opts[] = {
	{'S', "--stub", POL_STUB},       {'K', "--fake", POL_FAKE},   {'L', "--local", POL_LOCAL},
	{'W', "--forward", POL_FORWARD}, {'Y', "--policy", 0},        {'T', "--forward-delay", 0},
};

/* A policy option, in the order given: a later rule wins over an earlier
 * one as specific.  Kept as given for an exec'd process to parse again. */
static void add_policy_option(struct proc *p, int letter, const char *arg)
{
	char err[512];
	int r = 0;
	size_t i = 0;
	while (policy_opts[i].letter != letter)
		i++;
	if (letter == 'Y')
		r = policy_load_file(&p->policy, arg, err, sizeof(err));
	else if (letter == 'T')
		r = policy_parse_duration(arg, &p->policy.delay_ns) ? -1 : 0;
	else
		r = policy_add_specs(&p->policy, policy_opts[i].action, arg, err, sizeof(err));
	if (r && letter == 'T')
		hl_fail(2, "run: --forward-delay '%s': not a duration (e.g. 10us, 1.5ms, 200ns)", arg);
	if (r)
		hl_fail(2, "run: %s%s%s", letter == 'Y' ? "" : policy_opts[i].option, letter == 'Y' ? "" : ": ", err);
	if (p->opt.npolicy_args + 2 > (int)ARRAY_SIZE(p->opt.policy_args))
		hl_fail(2, "run: too many policy options");
	/* A relative policy file must still be found after a chdir. */
	char *abs = letter == 'Y' ? realpath(arg, NULL) : NULL;
	p->opt.policy_args[p->opt.npolicy_args++] = policy_opts[i].option;
	p->opt.policy_args[p->opt.npolicy_args++] = abs ? abs : arg;
}

static int parse_run_options(struct proc *p, int argc, char **argv, int *stats_fd)
{
	static const struct option opts[] = {
		{"stats", required_argument, NULL, 's'},
		{"summary", no_argument, NULL, 'c'},
		{"verbose", no_argument, NULL, 'v'},
		{"no-rewrite", no_argument, NULL, 'R'},
		{"only", required_argument, NULL, 'o'},
		{"no-vdso", no_argument, NULL, 'D'},
		{"phase", required_argument, NULL, 'P'},
		{"stub", required_argument, NULL, 'S' + 256},
		{"fake", required_argument, NULL, 'K' + 256},
		{"local", required_argument, NULL, 'L' + 256},
		{"forward", required_argument, NULL, 'W' + 256},
		{"policy", required_argument, NULL, 'Y' + 256},
		{"forward-delay", required_argument, NULL, 'T' + 256},
		{"live-stats", no_argument, NULL, 'l' + 256},
		{"tui", no_argument, NULL, 'U' + 256},
		{"tui-log", required_argument, NULL, 'G' + 256},
		{"help", no_argument, NULL, 'h'},
		/* internal: how a guest execve re-executes the VMM */
		{"exec-child", no_argument, NULL, 'X'},
		{"stats-fd", required_argument, NULL, 'F'},
		{NULL, 0, NULL, 0},
	};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+cvh", opts, NULL)) != -1) {
		switch (c) {
		case 's': p->opt.stats_path = optarg; break;
		case 'c': p->opt.summary = true; break;
		case 'v': p->verbose = true; break;
		case 'R': p->opt.no_rewrite = true; break;
		case 'D': p->opt.no_vdso = true; break;
		case 'P':
			if (!optarg[0] || strlen(optarg) > HL_HC_NAME_MAX)
				hl_fail(2, "run: --phase needs a name of 1 to %d bytes", HL_HC_NAME_MAX);
			p->opt.phase = optarg;
			break;
		case 'X': p->opt.exec_child = true; break;
		case 'F': *stats_fd = atoi(optarg); break;
		case 'o':
			if (p->opt.nonly == (int)ARRAY_SIZE(p->opt.only))
				hl_fail(2, "run: at most %zu --only options", ARRAY_SIZE(p->opt.only));
			p->opt.only[p->opt.nonly++] = optarg;
			break;
		case 'S' + 256: case 'K' + 256: case 'L' + 256: case 'W' + 256: case 'Y' + 256: case 'T' + 256:
			add_policy_option(p, c - 256, optarg);
			break;
		case 'l' + 256: p->opt.live_stats = true; break;
		case 'U' + 256: p->opt.tui_log = p->opt.tui_log ? p->opt.tui_log : "hyperloupe-tui.log"; break;
		case 'G' + 256: p->opt.tui_log = optarg; break;
		case 'h': fputs(usage, stdout); exit(0);
		default: fputs(usage, stderr); exit(2);
		}
	}
	if (optind >= argc)
		hl_fail(2, "run: no program given (hyperloupe run -- PROGRAM [ARGS...])");
	policy_finish(&p->policy);
	return optind;
}

/* What the first process puts in the run's header for viewers and the
 * report: the phase filter, the requested delay, the --only names. */
static void publish_run(struct proc *p)
{
	if (!p->run)
		return;
	if (p->opt.phase)
		stats_run_set_phase(p->run, p->opt.phase);
	p->run->delay_req_ns = p->policy.delay_ns;
	for (int k = 0; k < p->opt.nonly && k < STATS_ONLY_MAX; k++) {
		snprintf(p->run->only[k], STATS_ONLY_LEN, "%s", p->opt.only[k]);
		p->run->nonly = (uint32_t)k + 1;
	}
}

/* With --only, only the selected programs get the policy, as only
 * Loupe's whitelisted binaries do: the shell that starts them or a helper
 * they run behaves as it would natively, and its calls (out of the
 * profile) are never blamed for a failure.  Exec'd images decide anew. */
static void scope_policy(struct proc *p)
{
	struct stats_filter f = {p->opt.only, p->opt.nonly};
	if (!p->opt.nonly || stats_filter_match(&f, p->stats))
		return;
	p->policy.n = 0;
	p->policy.delay_ns = 0;
}

/* run --tui: the run goes on in a child, its output to the log, while
 * this process shows it and ends with the run's exit status. */
static void start_tui(const char *log)
{
	int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), null = open("/dev/null", O_RDONLY);
	if (fd < 0 || null < 0)
		hl_fail(2, "run: --tui-log %s: %s", log, strerror(errno));
	fflush(NULL);
	pid_t child = fork();
	if (child < 0)
		die("fork: %s", strerror(errno));
	if (child == 0) {
		dup2(null, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
		close(null);
		return;
	}
	close(fd);
	close(null);
	exit(tui_watch_run(child));
}

/* The guest's first thread, on this host thread. */
static struct thread *first_thread(struct proc *p)
{
	struct thread *t = calloc(1, sizeof(*t));
	if (!t || vm_add_vcpu(&p->vm, &t->cpu))
		die("cannot create the first vCPU");
	t->proc = p;
	t->tid = getpid();
	uint64_t mask = 0;
	host_syscall6(SYS_rt_sigprocmask, SIG_BLOCK, 0, (long)&mask, 8, 0, 0);
	t->sigmask = mask; /* inherited, as across a native execve */
	p->threads = t;
	p->nthreads = 1;
	return t;
}

static int cmd_run(int argc, char **argv)
{
	static struct proc p;
	int stats_fd = -1;
	int i = parse_run_options(&p, argc, argv, &stats_fd);
	if (p.opt.tui_log && !p.opt.exec_child)
		start_tui(p.opt.tui_log);
	/* After an execve, the first word is the path and argv follows. */
	p.program = argv[i];
	if (p.opt.exec_child)
		i++;
	p.argc = argc - i;
	p.argv = argv + i;
	pthread_rwlock_init(&p.mm, NULL);
	pthread_mutex_init(&p.lock, NULL);
	pthread_cond_init(&p.fork_done, NULL);
	if (!realpath("/proc/self/exe", p.vmm_exe))
		die("cannot find this program's own path: %s", strerror(errno));
	vm_create(&p.vm);
	if (!p.opt.no_vdso && vm_map_vdso(&p.vm, &p.vm.vdso))
		p.vm.vdso = 0;
	if (!p.opt.no_rewrite && rewrite_init())
		p.opt.no_rewrite = true;
	struct thread *t = first_thread(&p);
	int st = proc_exec(&p, p.program, p.argc, p.argv, environ);
	if (st)
		return st;
	attach_stats(&p, stats_fd);
	if (stats_fd < 0)
		publish_run(&p);
	scope_policy(&p);
	if (stats_fd < 0 && p.run && p.opt.live_stats)
		hl_err("live statistics: /dev/shm/hyperloupe-%d (hyperloupe live %d)", p.run->root_pid,
		       p.run->root_pid);
	/* ps and /proc/self/comm show the guest program, not us. */
	prctl(PR_SET_NAME, strrchr(p.exe, '/') ? strrchr(p.exe, '/') + 1 : p.exe, 0, 0, 0);
	vm_reset_vcpu(&p.vm, &t->cpu, p.entry_rip, p.entry_rsp);
	sig_init_process(&p);
	stats_add(&p.stats->threads, 0);
	p.stats->start_ns = now_ns();
	thread_run(t);
}

static int cmd_exit_floor(int argc, char **argv)
{
	static struct vm vm;
	static struct vcpu c;
	int n = argc > 1 ? atoi(argv[1]) : 2000;
	if (n <= 0)
		hl_fail(2, "exit-floor: iteration count must be positive");
	vm_create(&vm);
	if (vm_add_vcpu(&vm, &c))
		die("cannot create a vCPU");
	double out = vcpu_calibrate(&vm, &c, 0, n);
	double sys = vcpu_calibrate(&vm, &c, 1, n);
	double mmio = vcpu_calibrate(&vm, &c, 2, n);
	if (out <= 0 || sys <= 0 || mmio <= 0)
		die("exit-floor: the calibration guest did not exit as expected");
	printf("exit_floor_us=%.2f\nsyscall_trampoline_us=%.2f\nmmio_exit_us=%.2f\n", out / 1000,
	       sys / 1000, mmio / 1000);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage, stderr);
		return 2;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
		fputs(usage, stdout);
		return 0;
	}
	if (!strcmp(cmd, "-V") || !strcmp(cmd, "--version")) {
		printf("hyperloupe %s\n", HL_VERSION);
		return 0;
	}
	if (!strcmp(cmd, "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(cmd, "live"))
		return cmd_live(argc - 1, argv + 1);
	if (!strcmp(cmd, "static"))
		return cmd_static(argc - 1, argv + 1);
	if (!strcmp(cmd, "images"))
		return cmd_images(argc - 1, argv + 1);
	if (!strcmp(cmd, "model"))
		return cmd_model(argc - 1, argv + 1);
	if (!strcmp(cmd, "plan"))
		return cmd_plan(argc - 1, argv + 1);
	if (!strcmp(cmd, "report"))
		return cmd_report(argc - 1, argv + 1);
	if (!strcmp(cmd, "explore"))
		return cmd_explore(argc - 1, argv + 1);
	if (!strcmp(cmd, "tui"))
		return cmd_tui(argc - 1, argv + 1);
	if (!strcmp(cmd, "exit-floor"))
		return cmd_exit_floor(argc - 1, argv + 1);
	hl_err("unknown command '%s' (try hyperloupe --help)", cmd);
	return 2;
}
