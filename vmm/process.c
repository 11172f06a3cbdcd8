/* clone, fork, vfork, execve, exit: a guest thread is a vCPU on a VMM
 * thread, a guest process is a VMM process.
 *
 * - A thread (CLONE_VM | CLONE_THREAD) gets a new vCPU in the same VM, run
 *   by a new host thread: futexes, fds, gettid() are the host's own.
 * - A process (anything else) is a fork of the VMM: the child builds a VM
 *   over its copy-on-write copy of guest memory (KVM ties a VM to the mm
 *   that created it) and resumes the forking vCPU's state there.
 * - execve re-executes the VMM on the new program, so a guest process is
 *   always one VMM process, with its pid, its fds, its signal state. */
#include "vmm/process.h"
#include "vmm/rewrite.h"
#include "vmm/signal.h"
#include "vmm/util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <linux/sched.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#define THREAD_STACK (1u << 20)
#define CLONE_THREAD_NEEDS (CLONE_VM | CLONE_SIGHAND | CLONE_THREAD)
/* Flags a forked VMM can honour with fork() plus its own bookkeeping. */
#define FORK_FLAGS (CSIGNAL | CLONE_VM | CLONE_VFORK | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | \
		    CLONE_CHILD_CLEARTID | CLONE_SETTLS | CLONE_SYSVSEM)

struct clone_req {
	uint64_t flags, stack, ptid, ctid, tls;
};

/* ---- the CPU state a new thread or child starts from ---- */

/* The user state at the syscall being handled, %rax = 0 as clone
 * returns it to the new thread. */
static void child_state(struct thread *t, struct kvm_regs *regs, struct kvm_sregs *sregs)
{
	struct kvm_run *run = t->cpu.run;
	*regs = run->s.regs.regs;
	*sregs = run->s.regs.sregs;
	regs->rip = t->user_rip;
	regs->rflags = t->user_rflags;
	regs->rax = 0;
	struct kvm_run tmp;
	tmp.s.regs.sregs = *sregs;
	tmp.s.regs.regs = *regs;
	vm_return_to_user(&tmp, regs->rip, regs->rflags); /* user CS/SS */
	*sregs = tmp.s.regs.sregs;
}

/* Load regs/sregs/xstate into c and its sync-register area. */
static int load_state(struct vm *vm, struct vcpu *c, const struct kvm_regs *regs,
		      struct kvm_sregs *sregs, const void *xstate)
{
	vm_own_tables(c, sregs);
	if (ioctl(c->fd, KVM_SET_SREGS, sregs) || ioctl(c->fd, KVM_SET_REGS, regs))
		return -errno;
	int r = vm_set_xstate(vm, c, xstate);
	if (r)
		return r;
	c->run->s.regs.regs = *regs;
	c->run->s.regs.sregs = *sregs;
	c->run->kvm_valid_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
	c->run->kvm_dirty_regs = 0;
	return 0;
}

/* ---- threads ---- */

struct thread_start {
	struct thread *t;
	struct clone_req req;
	sem_t ready;
	int tid; /* t may be gone by the time the parent reads it */
};

static void *thread_main(void *arg)
{
	struct thread_start *s = arg;
	struct thread *t = s->t;
	struct clone_req req = s->req;
	t->tid = (int)host_syscall6(SYS_gettid, 0, 0, 0, 0, 0, 0);
	/* Both before the new thread runs, as Linux does: libc reads them. */
	if (req.flags & CLONE_PARENT_SETTID)
		guest_put(t->proc, req.ptid, &t->tid, 4);
	if (req.flags & CLONE_CHILD_SETTID)
		guest_put(t->proc, req.ctid, &t->tid, 4);
	s->tid = t->tid;
	sem_post(&s->ready);
	thread_run(t);
}

/* The free list of vCPU pages is the process's: under p->lock. */
static void remove_vcpu(struct proc *p, struct thread *t)
{
	pthread_mutex_lock(&p->lock);
	vm_remove_vcpu(&p->vm, &t->cpu);
	pthread_mutex_unlock(&p->lock);
}

static struct thread *new_thread(struct thread *parent, const struct clone_req *req, long *err)
{
	struct proc *p = parent->proc;
	struct thread *t = calloc(1, sizeof(*t));
	uint8_t *xs = calloc(1, p->vm.xstate_size);
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	*err = t && xs ? vm_get_xstate(&p->vm, &parent->cpu, xs) : -ENOMEM;
	if (!*err) {
		/* The vCPU's pages take memory slots and page-table pages, which
		 * another thread's mmap may be taking at the same time. */
		pthread_rwlock_wrlock(&p->mm);
		pthread_mutex_lock(&p->lock);
		*err = vm_add_vcpu(&p->vm, &t->cpu);
		pthread_mutex_unlock(&p->lock);
		pthread_rwlock_unlock(&p->mm);
	}
	if (!*err) {
		child_state(parent, &regs, &sregs);
		regs.rsp = req->stack ? req->stack : regs.rsp;
		if (req->flags & CLONE_SETTLS)
			sregs.fs.base = req->tls;
		*err = load_state(&p->vm, &t->cpu, &regs, &sregs, xs);
	}
	free(xs);
	if (*err && t && t->cpu.run)
		remove_vcpu(p, t);
	if (*err) {
		free(t);
		return NULL;
	}
	t->proc = p;
	t->sigmask = parent->sigmask;
	t->clear_child_tid = req->flags & CLONE_CHILD_CLEARTID ? req->ctid : 0;
	return t;
}

static void link_thread(struct proc *p, struct thread *t)
{
	pthread_mutex_lock(&p->lock);
	t->next = p->threads;
	p->threads = t;
	p->nthreads++;
	pthread_mutex_unlock(&p->lock);
	stats_add(&p->stats->threads, 1);
}

static long clone_thread(struct thread *parent, const struct clone_req *req)
{
	struct proc *p = parent->proc;
	long err;
	if ((req->flags & CLONE_THREAD_NEEDS) != CLONE_THREAD_NEEDS || (req->flags & CLONE_VFORK))
		return -EINVAL;
	struct thread *t = new_thread(parent, req, &err);
	if (!t)
		return err;
	struct thread_start s = {t, *req, {{0}}, 0};
	sem_init(&s.ready, 0, 0);
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, THREAD_STACK);
	link_thread(p, t);
	/* The new host thread starts with every signal blocked; it takes the
	 * guest thread's mask once it can handle them. */
	uint64_t old = sig_host_block_all();
	pthread_t th;
	int r = pthread_create(&th, &attr, thread_main, &s);
	sig_host_restore(old);
	pthread_attr_destroy(&attr);
	if (r) {
		thread_unlink(t);
		remove_vcpu(p, t);
		free(t);
		return -EAGAIN;
	}
	while (sem_wait(&s.ready) && errno == EINTR)
		;
	sem_destroy(&s.ready);
	return s.tid;
}

/* Remove t from its process; true when it was the last thread. */
bool thread_unlink(struct thread *t)
{
	struct proc *p = t->proc;
	pthread_mutex_lock(&p->lock);
	for (struct thread **pp = &p->threads; *pp; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			p->nthreads--;
			break;
		}
	bool last = p->nthreads == 0;
	pthread_mutex_unlock(&p->lock);
	return last;
}

void thread_exit(struct thread *t)
{
	struct proc *p = t->proc;
	if (thread_unlink(t))
		proc_finish(p, t->exit_code, 0);
	/* CLONE_CHILD_CLEARTID: what pthread_join waits for. */
	if (t->clear_child_tid) {
		uint32_t zero = 0;
		if (!guest_put(p, t->clear_child_tid, &zero, 4))
			host_syscall6(SYS_futex, (long)t->clear_child_tid, FUTEX_WAKE, 1, 0, 0, 0);
	}
	sig_thread_end();
	remove_vcpu(p, t);
	free(t);
	pthread_exit(NULL);
}

/* ---- vfork ---- */

/* A vfork child with CLONE_VM shares its parent's memory on Linux, and
 * libc relies on it (posix_spawn reports a failed exec through it).  The
 * VMM forks a copy instead, so before the child execs or exits, the pages
 * it wrote are copied back into the parent, which is still frozen in
 * vfork: the child's written pages are the ones mapped only by it
 * (pagemap's "exclusively mapped" bit) in writable private mappings. */
#define PM_PRESENT (1ull << 63)
#define VFORK_FRAMES (64u << 10)
#define PM_EXCLUSIVE (1ull << 56)

static void write_back_range(int pm, pid_t parent, uint64_t start, uint64_t end)
{
	uint64_t ent[512];
	for (uint64_t va = start; va < end;) {
		uint64_t n = (end - va) / PAGE_SIZE < 512 ? (end - va) / PAGE_SIZE : 512;
		ssize_t got = pread(pm, ent, n * 8, (off_t)(va / PAGE_SIZE * 8));
		if (got <= 0)
			return;
		for (uint64_t i = 0; i < (uint64_t)got / 8; i++) {
			if ((ent[i] & (PM_PRESENT | PM_EXCLUSIVE)) != (PM_PRESENT | PM_EXCLUSIVE))
				continue;
			struct iovec io = {(void *)(va + i * PAGE_SIZE), PAGE_SIZE};
			process_vm_writev(parent, &io, 1, &io, 1, 0);
		}
		va += (uint64_t)got / 8 * PAGE_SIZE;
	}
}

void proc_vfork_release(struct proc *p)
{
	if (!p->vfork_parent)
		return;
	int pm = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (pm < 0)
		return;
	pthread_rwlock_rdlock(&p->mm);
	const struct guestmem *gm = &p->vm.mem;
	/* With other threads in the parent, a page can also be ours alone
	 * because one of them wrote its own copy: then only the frozen
	 * thread's own frames, where libc's vfork children write (the
	 * caller's posix_spawn arguments), are certainly the child's doing.
	 * Adjacent thread stacks can share one mapping, hence the window. */
	uint64_t lo = p->vfork_threaded ? PAGE_DOWN(p->vfork_sp) - PAGE_SIZE : 0;
	uint64_t hi = p->vfork_threaded ? PAGE_UP(p->vfork_sp) + VFORK_FRAMES : ~0ull;
	for (size_t i = 0; i < gm->nvmas; i++) {
		const struct gm_vma *v = &gm->vmas[i];
		uint64_t a = v->start > lo ? v->start : lo, b = v->end < hi ? v->end : hi;
		if (a < b && (v->prot & PROT_WRITE) && !rewrite_is_shared(p, a, b))
			write_back_range(pm, p->vfork_parent, a, b);
	}
	pthread_rwlock_unlock(&p->mm);
	close(pm);
	p->vfork_parent = 0;
}

/* ---- fork ---- */

/* In the child: only the forking thread exists; the VM and vCPU fds are
 * the parent's and unusable here. */
static void drop_parent_vm(struct proc *p, struct thread *t)
{
	for (struct thread *o = p->threads, *next; o; o = next) {
		next = o->next;
		vm_remove_vcpu(&p->vm, &o->cpu);
		if (o != t)
			free(o);
	}
	p->threads = t;
	t->next = NULL;
	p->nthreads = 1;
	vm_unhide_fd(p->vm.vm_fd);
}

static void child_rebuild(struct thread *t, struct kvm_regs *regs, struct kvm_sregs *sregs, const void *xs)
{
	struct proc *p = t->proc;
	pthread_rwlock_init(&p->mm, NULL);
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->fork_done, NULL);
	p->fork_pause = 0;
	vm_after_fork();
	rewrite_after_fork();
	drop_parent_vm(p, t);
	int r = vm_rebuild(&p->vm);
	if (!r)
		r = vm_add_vcpu(&p->vm, &t->cpu);
	if (!r)
		r = load_state(&p->vm, &t->cpu, regs, sregs, xs);
	if (r)
		die("fork: cannot rebuild the VM in the child: %s", strerror(-r));
	t->tid = getpid();
	t->npending = 0;
	t->interrupted = false;
	struct stats *s = p->run ? stats_proc_new(p->run, getpid(), getppid(), p->exe_name, p->argc, p->argv) : NULL;
	p->stats = s ? s : &p->local;
}

/* The parent of a vfork waits until the child has exec'd or exited: the
 * child holds the write end of a close-on-exec pipe. */
static void vfork_wait(int fd)
{
	char c;
	while (read(fd, &c, 1) < 0 && errno == EINTR)
		;
	vm_unhide_fd(fd);
}

static long fork_parent(struct thread *t, const struct clone_req *req, pid_t pid, const int vpipe[2])
{
	if (req->flags & CLONE_PARENT_SETTID)
		guest_put(t->proc, req->ptid, &pid, 4);
	if (vpipe[0] >= 0) {
		vm_unhide_fd(vpipe[1]);
		vfork_wait(vpipe[0]);
	}
	return pid;
}

static long fork_child(struct thread *t, const struct clone_req *req)
{
	if (req->flags & CLONE_CHILD_SETTID)
		guest_put(t->proc, req->ctid, &t->tid, 4);
	t->clear_child_tid = req->flags & CLONE_CHILD_CLEARTID ? req->ctid : 0;
	if ((req->flags & (CLONE_VM | CLONE_VFORK)) == (CLONE_VM | CLONE_VFORK))
		t->proc->vfork_parent = getppid();
	return 0;
}

/* Before a fork, the other vCPUs leave the guest.  KVM drops its mappings
 * of each VMA as fork write-protects it, so a vCPU still running would
 * write the VMAs not yet copied after the ones already copied: the child
 * would see its parent's memory at different moments (glibc's thread list
 * came out torn, and the child spun in fork's stack reclaim).  Natively the
 * copy is one moment for every page.  The vCPUs stop at their next exit;
 * one that does not exit within 50 ms (a spinning loop) is not waited for. */
#define PAUSE_WAIT_NS 50000000

static void pause_vcpus(struct thread *self)
{
	struct proc *p = self->proc;
	__atomic_store_n(&p->fork_pause, 1, __ATOMIC_SEQ_CST);
	uint64_t give_up = now_ns() + PAUSE_WAIT_NS;
	bool busy = true;
	while (busy && now_ns() < give_up) {
		busy = false;
		pthread_mutex_lock(&p->lock);
		for (struct thread *o = p->threads; o; o = o->next)
			busy |= o != self && __atomic_load_n(&o->in_guest, __ATOMIC_SEQ_CST);
		pthread_mutex_unlock(&p->lock);
		if (busy)
			sched_yield();
	}
	if (busy && p->verbose)
		hl_err("fork: a vCPU stayed in the guest for %d ms: forking anyway", PAUSE_WAIT_NS / 1000000);
}

static long fork_process(struct thread *t, const struct clone_req *req)
{
	struct proc *p = t->proc;
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	int vpipe[2] = {-1, -1};
	if ((req->flags & ~(uint64_t)FORK_FLAGS) || (req->flags & CSIGNAL) != SIGCHLD ||
	    ((req->flags & CLONE_VM) && !(req->flags & CLONE_VFORK)))
		return -EINVAL; /* README: what a forked VMM cannot honour */
	uint8_t *xs = calloc(1, p->vm.xstate_size);
	long r = xs ? vm_get_xstate(&p->vm, &t->cpu, xs) : -ENOMEM;
	if (!r && (req->flags & CLONE_VFORK) && pipe2(vpipe, O_CLOEXEC))
		r = -errno;
	if (r) {
		free(xs);
		return r;
	}
	if (vpipe[0] >= 0) {
		vpipe[0] = vm_hide_fd(vpipe[0]);
		vpipe[1] = vm_hide_fd(vpipe[1]);
	}
	child_state(t, &regs, &sregs);
	p->vfork_sp = regs.rsp;
	p->vfork_threaded = p->nthreads > 1;
	if (req->stack)
		regs.rsp = req->stack;
	if (req->flags & CLONE_SETTLS)
		sregs.fs.base = req->tls;
	pause_vcpus(t);
	uint64_t old = sig_host_block_all();
	pthread_rwlock_wrlock(&p->mm);
	pthread_mutex_lock(&p->lock);
	pid_t pid = fork();
	if (pid == 0) {
		child_rebuild(t, &regs, &sregs, xs);
		if (vpipe[0] >= 0)
			vm_unhide_fd(vpipe[0]);
	} else {
		p->fork_pause = 0;
		pthread_cond_broadcast(&p->fork_done);
		pthread_mutex_unlock(&p->lock);
		pthread_rwlock_unlock(&p->mm);
	}
	sig_host_restore(old);
	free(xs);
	if (pid < 0)
		return -errno;
	return pid ? fork_parent(t, req, pid, vpipe) : fork_child(t, req);
}

/* ---- execve ---- */

#define EXEC_STRINGS_MAX (128u << 10)

static long read_str(struct proc *p, uint64_t addr, char **out)
{
	char buf[PATH_MAX];
	long r = guest_get_str(p, addr, buf, sizeof(buf));
	if (r < 0)
		return r == -ENAMETOOLONG ? -E2BIG : r;
	*out = strdup(buf);
	return *out ? 0 : -ENOMEM;
}

/* A NULL-terminated array of guest strings, copied. */
static long read_strv(struct proc *p, uint64_t addr, char ***out, int *count)
{
	char **v = NULL;
	int n = 0;
	for (uint64_t s = 0;; n++) {
		if (addr && guest_get(p, addr + (uint64_t)n * 8, &s, 8))
			return -EFAULT;
		if (!addr || !s || n >= (int)EXEC_STRINGS_MAX)
			break;
		char **nv = realloc(v, (size_t)(n + 2) * sizeof(char *));
		if (!nv)
			return -ENOMEM;
		v = nv;
		long r = read_str(p, s, &v[n]);
		if (r)
			return r;
	}
	if (!v && !(v = calloc(1, sizeof(char *))))
		return -ENOMEM;
	v[n] = NULL;
	*out = v;
	*count = n;
	return 0;
}

bool proc_is_self_exe(const char *path)
{
	char self[64];
	snprintf(self, sizeof(self), "/proc/%d/exe", getpid());
	return !strcmp(path, "/proc/self/exe") || !strcmp(path, "/proc/thread-self/exe") || !strcmp(path, self);
}

/* The path execveat names: relative to dirfd, or dirfd itself. */
static long exec_path(struct proc *p, int dirfd, uint64_t upath, int flags, char **out)
{
	char *path;
	long r = read_str(p, upath, &path);
	if (r)
		return r;
	if ((flags & AT_EMPTY_PATH) && !path[0]) {
		free(path);
		return asprintf(out, "/proc/self/fd/%d", dirfd) < 0 ? -ENOMEM : 0;
	}
	if (proc_is_self_exe(path)) {
		/* busybox re-executes itself this way: natively it is the
		 * program, here it would be the VMM. */
		free(path);
		*out = strdup(p->exe);
		return *out ? 0 : -ENOMEM;
	}
	if (path[0] == '/' || dirfd == AT_FDCWD) {
		*out = path;
		return 0;
	}
	r = asprintf(out, "/proc/self/fd/%d/%s", dirfd, path) < 0 ? -ENOMEM : 0;
	free(path);
	return r;
}

/* argv of the VMM that continues this process on path. */
static char **vmm_argv(struct proc *p, const char *path, char **argv, int argc)
{
	char **v = calloc((size_t)argc + 32 + 2 * (size_t)p->opt.nonly + (size_t)p->opt.npolicy_args, sizeof(char *));
	int n = 0;
	if (!v)
		return NULL;
	v[n++] = p->vmm_exe;
	v[n++] = "run";
	v[n++] = "--exec-child";
	asprintf(&v[n++], "--stats-fd=%d", p->run_fd);
	if (p->opt.stats_path)
		v[n++] = "--stats", v[n++] = (char *)p->opt.stats_path;
	if (p->opt.summary)
		v[n++] = "-c";
	if (p->opt.no_rewrite)
		v[n++] = "--no-rewrite";
	if (p->opt.no_vdso)
		v[n++] = "--no-vdso";
	if (p->opt.phase)
		v[n++] = "--phase", v[n++] = (char *)p->opt.phase;
	if (p->verbose)
		v[n++] = "-v";
	for (int i = 0; i < p->opt.nonly; i++)
		v[n++] = "--only", v[n++] = (char *)p->opt.only[i];
	for (int i = 0; i < p->opt.npolicy_args; i++)
		v[n++] = (char *)p->opt.policy_args[i];
	v[n++] = "--";
	v[n++] = (char *)path;
	/* Since Linux 5.18 an empty argv gets "" as argv[0]. */
	v[n++] = argc ? argv[0] : "";
	for (int i = 1; i < argc; i++)
		v[n++] = argv[i];
	return v;
}

static long do_exec(struct thread *t, const char *path, char **argv, int argc, char **envp)
{
	struct proc *p = t->proc;
	long r = proc_exec_check(path);
	if (r)
		return r == -EISDIR ? -EACCES : r;
	char **v = vmm_argv(p, path, argv, argc);
	if (!v)
		return -ENOMEM;
	proc_vfork_release(p);
	vm_keep_on_exec(p->run_fd, 1);
	stats_proc_end(p->stats, STATS_EXECED, 0, 0);
	r = host_syscall6(SYS_execve, (long)p->vmm_exe, (long)v, (long)envp, 0, 0, 0);
	/* Only a resource problem gets here; the checks above passed. */
	p->stats->state = STATS_RUNNING;
	vm_keep_on_exec(p->run_fd, 0);
	free(v);
	return r;
}

static long sys_execveat_common(struct thread *t, int dirfd, uint64_t upath, uint64_t uargv,
				uint64_t uenvp, int flags)
{
	struct proc *p = t->proc;
	char *path = NULL, **argv = NULL, **envp = NULL;
	int argc = 0, envc = 0;
	if (flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
		return -EINVAL;
	if (dirfd != AT_FDCWD && vm_is_vmm_fd(dirfd))
		return -EBADF;
	long r = exec_path(p, dirfd, upath, flags, &path);
	if (!r)
		r = read_strv(p, uargv, &argv, &argc);
	if (!r)
		r = read_strv(p, uenvp, &envp, &envc);
	if (!r)
		r = do_exec(t, path, argv, argc, envp);
	free(path);
	for (int i = 0; argv && i < argc; i++)
		free(argv[i]);
	for (int i = 0; envp && i < envc; i++)
		free(envp[i]);
	free(argv);
	free(envp);
	return r;
}

long proc_sys_execve(struct thread *t, const long a[6])
{
	return sys_execveat_common(t, AT_FDCWD, (uint64_t)a[0], (uint64_t)a[1], (uint64_t)a[2], 0);
}

long proc_sys_execveat(struct thread *t, const long a[6])
{
	return sys_execveat_common(t, (int)a[0], (uint64_t)a[1], (uint64_t)a[2], (uint64_t)a[3], (int)a[4]);
}

/* ---- the calls ---- */

long proc_sys_clone(struct thread *t, const long a[6])
{
	/* x86-64 order: flags, stack, parent_tid, child_tid, tls. */
	struct clone_req req = {(uint64_t)a[0], (uint64_t)a[1], (uint64_t)a[2], (uint64_t)a[3], (uint64_t)a[4]};
	return req.flags & CLONE_THREAD ? clone_thread(t, &req) : fork_process(t, &req);
}

long proc_sys_clone3(struct thread *t, const long a[6])
{
	struct clone_args ca;
	memset(&ca, 0, sizeof(ca));
	if ((uint64_t)a[1] < CLONE_ARGS_SIZE_VER0 || (uint64_t)a[1] > 4096)
		return -EINVAL;
	size_t n = (uint64_t)a[1] < sizeof(ca) ? (size_t)a[1] : sizeof(ca);
	if (guest_get(t->proc, (uint64_t)a[0], &ca, n))
		return -EFAULT;
	if (ca.set_tid || ca.cgroup || (ca.exit_signal & ~0xffull))
		return -EINVAL;
	struct clone_req req = {ca.flags | ca.exit_signal, ca.stack ? ca.stack + ca.stack_size : 0,
				ca.parent_tid, ca.child_tid, ca.tls};
	if (ca.flags & CSIGNAL)
		return -EINVAL;
	return req.flags & CLONE_THREAD ? clone_thread(t, &req) : fork_process(t, &req);
}

long proc_sys_fork(struct thread *t, const long a[6])
{
	struct clone_req req = {SIGCHLD, 0, 0, 0, 0};
	(void)a;
	return fork_process(t, &req);
}

long proc_sys_vfork(struct thread *t, const long a[6])
{
	struct clone_req req = {CLONE_VM | CLONE_VFORK | SIGCHLD, 0, 0, 0, 0};
	(void)a;
	return fork_process(t, &req);
}

long proc_sys_exit(struct thread *t, const long a[6])
{
	struct proc *p = t->proc;
	if (t->cur_nr == SYS_exit_group) {
		p->exit_status = (int)(a[0] & 0xff);
		p->exiting = true;
	} else {
		t->exit_code = (int)(a[0] & 0xff);
		t->exiting = true;
	}
	return 0;
}
