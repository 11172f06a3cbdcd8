/* hyperloupe: run unmodified Linux programs in a process VM, every system
 * call trapped out of the guest. */
#include "vmm/proc.h"
#include "vmm/rewrite.h"
#include "vmm/util.h"
#include "vmm/vcpu.h"

#include <getopt.h>
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
	"  exit-floor [N]     measure the cost of one guest exit on this host\n"
	"\n"
	"  -h, --help         this text\n"
	"  -V, --version      version\n";

static int cmd_run(int argc, char **argv)
{
	static struct proc p;
	static const struct option opts[] = {
		{"stats", required_argument, NULL, 's'},
		{"summary", no_argument, NULL, 'c'},
		{"verbose", no_argument, NULL, 'v'},
		{"no-rewrite", no_argument, NULL, 'R'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+cvh", opts, NULL)) != -1) {
		switch (c) {
		case 's': p.opt.stats_path = optarg; break;
		case 'c': p.opt.summary = true; break;
		case 'v': p.verbose = true; break;
		case 'R': p.opt.no_rewrite = true; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind >= argc)
		hl_fail(2, "run: no program given (hyperloupe run -- PROGRAM [ARGS...])");
	p.program = argv[optind];
	p.argc = argc - optind;
	p.argv = argv + optind;
	vm_create(&p.vm);
	if (!p.opt.no_rewrite && rewrite_init())
		p.opt.no_rewrite = true;
	int st = proc_exec(&p, p.program, p.argc, p.argv, environ);
	if (st)
		return st;
	proc_run(&p);
}

static int cmd_exit_floor(int argc, char **argv)
{
	static struct vm vm;
	int n = argc > 1 ? atoi(argv[1]) : 2000;
	if (n <= 0)
		hl_fail(2, "exit-floor: iteration count must be positive");
	vm_create(&vm);
	double out = vcpu_calibrate(&vm, 0, n);
	double sys = vcpu_calibrate(&vm, 1, n);
	double mmio = vcpu_calibrate(&vm, 2, n);
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
	if (!strcmp(cmd, "exit-floor"))
		return cmd_exit_floor(argc - 1, argv + 1);
	hl_err("unknown command '%s' (try hyperloupe --help)", cmd);
	return 2;
}
