/* The kvm engine's entry point (vmm.h): the first process of a run, or the
 * process a guest execve re-executed. */
#include "vmm/vmm.h"
#include "vmm/rewrite.h"
#include "vmm/signal.h"
#include "vmm/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

extern char **environ;

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
	policy_finish(&p->policy);
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

int vmm_run(const struct hl_options *opt, const struct policy *policy, const char *program, int argc,
	    char **argv)
{
	static struct proc p;
	int stats_fd = opt->stats_fd;
	p.opt = *opt;
	p.verbose = opt->verbose;
	p.policy = *policy;
	p.program = program;
	p.argc = argc;
	p.argv = argv;
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
