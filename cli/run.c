/* `hyperloupe run` (its options, parsed into struct hl_options for the
 * kvm engine) and `hyperloupe exit-floor`. */
#include "cli/cli.h"

#include "analysis/util.h"
#include "cli/engine.h"
#include "cli/sud.h"
#include "tui/tui.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"
#include "vmm/vmm.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
static void add_policy_option(struct hl_options *o, struct policy *pol, int letter, const char *arg)
{
	char err[512];
	int r = 0;
	size_t i = 0;
	while (policy_opts[i].letter != letter)
		i++;
	if (letter == 'Y')
		r = policy_load_file(pol, arg, err, sizeof(err));
	else if (letter == 'T')
		r = policy_parse_duration(arg, &pol->delay_ns) ? -1 : 0;
	else
		r = policy_add_specs(pol, policy_opts[i].action, arg, err, sizeof(err));
	if (r && letter == 'T')
		hl_fail(2, "run: --forward-delay '%s': not a duration (e.g. 10us, 1.5ms, 200ns)", arg);
	if (r)
		hl_fail(2, "run: %s%s%s", letter == 'Y' ? "" : policy_opts[i].option, letter == 'Y' ? "" : ": ", err);
	if (o->npolicy_args + 2 > (int)ARRAY_SIZE(o->policy_args))
		hl_fail(2, "run: too many policy options");
	/* A relative policy file must still be found after a chdir. */
	char *abs = letter == 'Y' ? realpath(arg, NULL) : NULL;
	o->policy_args[o->npolicy_args++] = policy_opts[i].option;
	o->policy_args[o->npolicy_args++] = abs ? abs : arg;
}

/* --sud-report: this is the report of a sud run, not a run. */
static const char *sud_status;

static int parse_run_options(struct hl_options *o, struct policy *pol, int argc, char **argv)
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
		{"engine", required_argument, NULL, 'E' + 256},
		{"help", no_argument, NULL, 'h'},
		/* internal: how a guest execve re-executes the VMM */
		{"exec-child", no_argument, NULL, 'X'},
		{"stats-fd", required_argument, NULL, 'F'},
		/* internal: the sud engine's report, when its first process ends */
		{"sud-report", required_argument, NULL, 'Q' + 256},
		{NULL, 0, NULL, 0},
	};
	int c;
	optind = 1;
	o->engine = engine_default();
	while ((c = getopt_long(argc, argv, "+cvh", opts, NULL)) != -1) {
		switch (c) {
		case 's': o->stats_path = optarg; break;
		case 'c': o->summary = true; break;
		case 'v': o->verbose = true; break;
		case 'R': o->no_rewrite = true; break;
		case 'D': o->no_vdso = true; break;
		case 'P':
			if (!optarg[0] || strlen(optarg) > HL_HC_NAME_MAX)
				hl_fail(2, "run: --phase needs a name of 1 to %d bytes", HL_HC_NAME_MAX);
			o->phase = optarg;
			break;
		case 'X': o->exec_child = true; break;
		case 'F': o->stats_fd = atoi(optarg); break;
		case 'o':
			if (o->nonly == (int)ARRAY_SIZE(o->only))
				hl_fail(2, "run: at most %zu --only options", ARRAY_SIZE(o->only));
			o->only[o->nonly++] = optarg;
			break;
		case 'S' + 256: case 'K' + 256: case 'L' + 256: case 'W' + 256: case 'Y' + 256: case 'T' + 256:
			add_policy_option(o, pol, c - 256, optarg);
			break;
		case 'l' + 256: o->live_stats = true; break;
		case 'U' + 256: o->tui_log = o->tui_log ? o->tui_log : "hyperloupe-tui.log"; break;
		case 'G' + 256: o->tui_log = optarg; break;
		case 'E' + 256: o->engine = engine_parse(optarg); break;
		case 'Q' + 256: sud_status = optarg; break;
		case 'h': cli_usage(stdout); exit(0);
		default: cli_usage(stderr); exit(2);
		}
	}
	if (optind >= argc)
		hl_fail(2, "run: no program given (hyperloupe run -- PROGRAM [ARGS...])");
	policy_finish(pol);
	return optind;
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

static int run_sud(const struct hl_options *o, const struct policy *pol, int argc, char **argv)
{
	struct sud_run r = {.policy = pol, .stats_path = o->stats_path, .summary = o->summary,
			    .live_stats = o->live_stats, .phase = o->phase, .only = o->only, .nonly = o->nonly,
			    .policy_args = o->policy_args, .npolicy_args = o->npolicy_args,
			    .no_vdso = o->no_vdso, .no_rewrite = o->no_rewrite, .program = argv[0], .argc = argc, .argv = argv};
	return sud_status ? sud_report(&r, o->stats_fd, sud_status) : sud_run(&r);
}

int cmd_run(int argc, char **argv)
{
	static struct hl_options opt = {.stats_fd = -1};
	static struct policy policy;
	int i = parse_run_options(&opt, &policy, argc, argv);
	if (sud_status)
		return run_sud(&opt, &policy, argc - i, argv + i);
	if (opt.tui_log && !opt.exec_child)
		start_tui(opt.tui_log);
	/* An exec'd kvm process re-executes hyperloupe; sud never does. */
	if (!opt.exec_child && engine_choose(opt.engine) == ENGINE_SUD)
		return run_sud(&opt, &policy, argc - i, argv + i);
	/* After an execve, the first word is the path and argv follows. */
	const char *program = argv[i];
	if (opt.exec_child)
		i++;
	return vmm_run(&opt, &policy, program, argc - i, argv + i);
}

int cmd_exit_floor(int argc, char **argv)
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
