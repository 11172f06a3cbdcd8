#include "vmm/vcpu.h"
#include "vmm/decode.h"
#include "vmm/process.h"
#include "vmm/rewrite.h"
#include "vmm/signal.h"
#include "vmm/util.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <unistd.h>

/* ---- exit handlers ---- */

/* The site of an `out` exit, from the table of rewritten sites, or 0 when
 * the guest ran an `out` we did not write.  Where KVM leaves %rip after it
 * depends on the hypervisor: past the `out` (kvm-pvm), or on it, to be
 * stepped over at the next KVM_RUN unless %rip changed (VMX, SVM); the
 * first exit that tells the two apart decides for the process. */
static uint64_t rewritten_site(struct thread *t, uint64_t rip)
{
	struct proc *p = t->proc;
	struct vm *vm = &p->vm;
	pthread_rwlock_rdlock(&p->mm);
	bool on = rewrite_is_site(p, rip, t->rw_gen), after = rewrite_is_site(p, rip - 2, t->rw_gen);
	pthread_rwlock_unlock(&p->mm);
	if (!vm->io_rip_known && on != after) {
		vm->io_rip_on_insn = on;
		vm->io_rip_known = true;
	}
	if (vm->io_rip_known ? vm->io_rip_on_insn : !after)
		return on ? rip : 0;
	return after ? rip - 2 : 0;
}

static void complete_io(struct thread *t);

/* Port I/O a Linux process may not do (IOPL 0): the #GP Linux turns into
 * SIGSEGV, which the guest may catch.  KVM must not finish the `in` or
 * `out` behind the signal handler's back. */
static enum vcpu_action port_io_fault(struct thread *t)
{
	struct kvm_regs *r = &t->cpu.run->s.regs.regs;
	complete_io(t);
	uint64_t rip = r->rip;
	uint8_t b[2] = {0, 0};
	if (!t->proc->vm.io_rip_on_insn) {
		/* Past the instruction: `out imm8` (2 bytes) or `out %dx` (1). */
		gm_read_guest(b, rip - 2, 2);
		rip -= b[0] == 0xe6 || b[0] == 0xe4 ? 2 : 1;
	}
	t->cpu.pio_rip = 0;
	if (t->proc->verbose)
		hl_err("guest port I/O (%s port %#x) at rip %#llx: not a system call",
		       t->cpu.run->io.direction == KVM_EXIT_IO_OUT ? "out" : "in", t->cpu.run->io.port,
		       (unsigned long long)rip);
	stats_add(&t->proc->stats->other_exits, 1);
	return sig_exception(t, 13, 0, rip, r->rsp, r->rflags) ? VCPU_CONTINUE : VCPU_STOP;
}

static void record_call(struct thread *t, long nr, const long a[6], long ret, uint64_t ns)
{
	struct call_rec c = {.nr = nr, .ret = ret, .args = a, .ns = ns, .outcome = t->outcome,
			     .path = t->has_path ? t->path : NULL, .pid = t->has_path ? getpid() : 0,
			     .calls = t->proc->policy.table};
	stats_record_call(t->proc->stats, &c);
}

static enum vcpu_action handle_syscall(struct thread *t)
{
	struct proc *p = t->proc;
	struct kvm_regs *r = &t->cpu.run->s.regs.regs;
	/* Through the LSTAR trampoline, or from a rewritten site (rewrite.c).
	 * kvm-pvm leaves %rip past the trampoline's `out`, VMX and SVM on it. */
	uint64_t tramp = (uint64_t)p->vm.sys_code + SYS_TRAMPOLINE;
	bool trampoline = r->rip == tramp + 2 || r->rip == tramp;
	uint64_t site = trampoline ? r->rcx - 2 : rewritten_site(t, r->rip);
	if (!site)
		return port_io_fault(t);
	if (!trampoline && p->vm.io_rip_on_insn)
		t->cpu.pio_rip = r->rip;
	t->cpu.race_site = 0; /* the guest got through: no fault repeats */
	const long a[6] = {(long)r->rdi, (long)r->rsi, (long)r->rdx, (long)r->r10, (long)r->r8, (long)r->r9};
	/* Linux looks at the low 32 bits of %rax only. */
	long nr = (int)r->rax;
	t->cur_nr = nr;
	t->user_rip = site + 2;
	t->user_rflags = trampoline ? r->r11 : r->rflags;
	t->regs_replaced = false;
	t->outcome = POL_FORWARD;
	t->has_path = false;
	t->call_delay_ns = 0;
	uint64_t t0 = now_ns();
	long ret = sys_dispatch(t, nr, a);
	/* Hypercalls are not syscalls; `--phase` counts one phase only. */
	if (nr != HL_HYPERCALL_NR && (!p->run || agent_recording(&p->run->agent)))
		record_call(t, nr, a, ret, now_ns() - t0 - t->call_delay_ns);
	stats_add(&p->stats->syscall_exits, 1);
	if (trampoline)
		stats_add(&p->stats->trampoline_exits, 1);
	/* A forked child has a new vCPU: its registers are elsewhere now. */
	r = &t->cpu.run->s.regs.regs;
	t->last_nr = nr;
	t->interrupted = ret == -EINTR;
	if (!t->regs_replaced)
		r->rax = (uint64_t)ret;
	if (!trampoline && !t->regs_replaced && p->vm.io_rip_on_insn)
		r->rip = t->user_rip; /* so that signal frames see where it resumes */
	t->cpu.run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
	if (trampoline && t->regs_replaced)
		vm_return_to_user(t->cpu.run, r->rip, r->rflags);
	else if (trampoline)
		vm_return_to_user(t->cpu.run, r->rcx, r->r11);
	if (trampoline && !p->opt.no_rewrite && !p->vm.no_cpl3_out) {
		pthread_rwlock_wrlock(&p->mm);
		rewrite_site(p, site);
		pthread_rwlock_unlock(&p->mm);
	}
	if (p->exiting || p->term_signal)
		return VCPU_STOP;
	return t->exiting ? VCPU_THREAD_EXIT : VCPU_CONTINUE;
}

int vcpu_exception_signal(int vector)
{
	switch (vector) {
	case 0: case 16: case 19:  /* #DE #MF #XM */
		return SIGFPE;
	case 1: case 3:            /* #DB #BP */
		return SIGTRAP;
	case 6:                    /* #UD */
		return SIGILL;
	case 11: case 12: case 17: /* #NP #SS #AC */
		return SIGBUS;
	case 18:                   /* #MC */
		return SIGBUS;
	default:                   /* #GP #PF and the rest */
		return SIGSEGV;
	}
}

/* A race is over once the patch is: waiting for the mm lock waits for it.
 * More faults in a row at one site are not a race. */
#define PATCH_RETRIES 3

/* The address of the instruction at a site that rewrite.c was changing
 * under this vCPU (rewrite.c), or 0: an int3 it wrote for a moment (a trap:
 * after the int3), or an `out` the hypervisor decoded again too late.
 * Retries are bounded, so that a guest fault never hangs the VMM: a site
 * still faulting with our `out` in it gets its `syscall` back and the
 * process rewrites no more (this platform cannot run the `out`); a fault
 * that repeats after that is the guest's own, and becomes its signal. */
static uint64_t patch_race(struct thread *t, uint64_t vector, uint64_t rip)
{
	struct vcpu *c = &t->cpu;
	struct proc *p = t->proc;
	uint64_t at = vector == 3 ? rip - 1 : rip;
	if (vector != 3 && vector != 6 && vector != 13)
		return 0;
	c->race_count = c->race_site == at ? c->race_count + 1 : 1;
	c->race_site = at;
	if (c->race_count > PATCH_RETRIES + 1)
		return 0;
	bool again;
	if (c->race_count <= PATCH_RETRIES) {
		pthread_rwlock_rdlock(&p->mm);
		again = rewrite_patch_race(p, at);
	} else {
		pthread_rwlock_wrlock(&p->mm);
		again = rewrite_undo(p, at);
		p->vm.no_cpl3_out |= again;
	}
	pthread_rwlock_unlock(&p->mm);
	if (again && c->race_count > PATCH_RETRIES && p->verbose)
		hl_err("vector %llu again and again at the rewritten site %#llx: no more rewriting",
		       (unsigned long long)vector, (unsigned long long)at);
	return again ? at : 0;
}

/* The IDT stub pushed the vector, and the CPU the error code and the
 * interrupted context, on the exception stack. */
static enum vcpu_action handle_exception(struct thread *t)
{
	struct proc *p = t->proc;
	struct kvm_run *run = t->cpu.run;
	uint64_t rsp = run->s.regs.regs.rsp, base = (uint64_t)t->cpu.exc_stack;
	uint64_t f[7] = {13, 0, 0, 0, 0, 0, 0};
	uint64_t stubs = (uint64_t)p->vm.sys_code + SYS_EXC_STUBS;
	/* The guest's own `out` to the port, not the IDT stubs. */
	if (run->s.regs.regs.rip - stubs >= 32 * SYS_EXC_STUB_SIZE)
		return port_io_fault(t);
	/* The guest can reach this port with any %rsp: no overflow here. */
	if (rsp >= base && rsp <= base + PAGE_SIZE - sizeof(f))
		memcpy(f, (void *)rsp, sizeof(f));
	stats_add(&p->stats->other_exits, 1);
	if (p->verbose)
		hl_err("guest exception %llu (error %#llx) at rip %#llx cs %#llx rflags %#llx rsp %#llx, address %#llx",
		       (unsigned long long)f[0], (unsigned long long)f[1], (unsigned long long)f[2], (unsigned long long)f[3],
		       (unsigned long long)f[4], (unsigned long long)f[5], (unsigned long long)run->s.regs.sregs.cr2);
	uint64_t again = patch_race(t, f[0], f[2]);
	if (again) {
		run->s.regs.regs.rsp = f[5];
		vm_return_to_user(run, again, f[4]);
		return VCPU_CONTINUE;
	}
	if (sig_exception(t, (int)f[0], f[1], f[2], f[5], f[4]))
		return VCPU_CONTINUE;
	return VCPU_STOP;
}

static enum vcpu_action handle_io(struct thread *t)
{
	struct kvm_run *run = t->cpu.run;
	if (run->io.direction == KVM_EXIT_IO_OUT && run->io.port == HL_PORT_SYSCALL)
		return handle_syscall(t);
	if (run->io.direction == KVM_EXIT_IO_OUT && run->io.port == HL_PORT_EXCEPTION)
		return handle_exception(t);
	return port_io_fault(t);
}

/* Exits that mean the guest broke the machine rather than a rule: the
 * VMM reports them and ends the guest as Linux ends a crashed program. */
static enum vcpu_action handle_fatal(struct thread *t, const char *what)
{
	struct kvm_run *run = t->cpu.run;
	hl_err("guest stopped: %s (exit reason %u) at rip %#llx", what, run->exit_reason,
	       (unsigned long long)run->s.regs.regs.rip);
	stats_add(&t->proc->stats->other_exits, 1);
	t->proc->term_signal = SIGSEGV;
	return VCPU_STOP;
}

enum vcpu_action vcpu_handle_exit(struct thread *t)
{
	switch (t->cpu.run->exit_reason) {
	case KVM_EXIT_IO:
		return handle_io(t);
	case KVM_EXIT_SHUTDOWN:
		return handle_fatal(t, "triple fault");
	case KVM_EXIT_HLT:
		return handle_fatal(t, "halted");
	case KVM_EXIT_MMIO:
		return handle_fatal(t, "access to unbacked guest-physical memory");
	case KVM_EXIT_INTERNAL_ERROR:
		return handle_fatal(t, "KVM internal error");
	case KVM_EXIT_FAIL_ENTRY:
		return handle_fatal(t, "VM entry failed");
	case KVM_EXIT_INTR:
		return VCPU_CONTINUE;
	default:
		return handle_fatal(t, "unexpected exit");
	}
}

/* ---- the loop and the end of the guest ---- */

/* The root process writes the run's report; calibration needs a vCPU
 * that has no guest to run any more. */
static void finish_stats(struct proc *p, struct thread *t, int status, int sig)
{
	struct run_stats *r = p->run;
	stats_proc_end(p->stats, STATS_EXITED, sig ? 128 + sig : status, sig);
	if (!r || r->root_pid != getpid())
		return;
	stats_run_unpublish(r);
	if (!p->opt.stats_path && !p->opt.summary)
		return;
	r->end_ns = now_ns();
	if (t) {
		r->cal_syscall_ns = vcpu_calibrate(&p->vm, &t->cpu, 1, 200);
		r->cal_exit_ns = vcpu_calibrate(&p->vm, &t->cpu, 0, 200);
	}
	struct stats_filter f = {p->opt.only, p->opt.nonly};
	struct run_info ri = {.policy = &p->policy, .program = p->program, .argc = p->argc, .argv = p->argv,
			      .exit_status = sig ? 128 + sig : status, .term_signal = sig};
	stats_report(r, &f, &ri, p->opt.stats_path, p->opt.summary);
}

/* Die of the guest's signal, so whoever started us sees what they would
 * see natively (a shell prints "Segmentation fault" and sets $? to 139). */
static void die_of_signal(int sig)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigaction(sig, &sa, NULL);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	_exit(128 + sig);
}

void proc_finish(struct proc *p, int exit_status, int term_signal)
{
	static int finishing;
	struct thread *t = sig_self();
	sig_thread_end();
	/* One thread ends the process; any other waits for it to. */
	if (__atomic_exchange_n(&finishing, 1, __ATOMIC_SEQ_CST))
		for (;;)
			pause();
	if (!term_signal)
		proc_vfork_release(p);
	finish_stats(p, t, exit_status, term_signal);
	if (term_signal)
		die_of_signal(term_signal);
	_exit(exit_status);
}

/* KVM_EXIT_MEMORY_FAULT (Linux 6.8+; not in every installed header)
 * names the guest-physical address; 0 when the kernel did not say. */
#define HL_EXIT_MEMORY_FAULT 39

static uint64_t fault_address(struct thread *t)
{
	struct kvm_run *run = t->cpu.run;
	uint64_t w[3];
	if (run->exit_reason != HL_EXIT_MEMORY_FAULT)
		return decode_mem_address(&run->s.regs.regs, &run->s.regs.sregs);
	memcpy(w, &run->mmio, sizeof(w)); /* flags, gpa, size */
	return gm_gpa_to_va(&t->proc->vm.mem, w[1]);
}

/* KVM finishes a port I/O exit at the next KVM_RUN: it stores the value
 * of an `in`, and on VMX and SVM steps over the instruction unless %rip has
 * moved.  Let it do so now, without entering the guest (immediate_exit),
 * and put our registers back.  Host signals wait meanwhile, so that a kick
 * (which sets immediate_exit) is not lost when it is cleared. */
static void complete_io(struct thread *t)
{
	struct kvm_run *run = t->cpu.run;
	if (t->cpu.fd < 0)
		return; /* unit tests: no vCPU */
	struct kvm_sync_regs want = run->s.regs;
	uint64_t dirty = run->kvm_dirty_regs;
	uint64_t mask = sig_host_block_all();
	uint8_t kicked = run->immediate_exit;
	run->kvm_dirty_regs = 0;
	run->immediate_exit = 1;
	ioctl(t->cpu.fd, KVM_RUN, 0); /* -EINTR, having stepped over the `out` */
	run->immediate_exit = kicked;
	run->s.regs = want;
	run->kvm_dirty_regs = dirty | KVM_SYNC_X86_REGS;
	sig_host_restore(mask);
}

/* A rewritten call that is to run again from the very `out` it exited at
 * (a restarted call, a signal frame returning there) would be stepped over
 * on VMX and SVM: finish the exit first. */
static void settle_pio(struct thread *t)
{
	uint64_t at = t->cpu.pio_rip;
	t->cpu.pio_rip = 0;
	if (at && t->cpu.run->s.regs.regs.rip == at)
		complete_io(t);
}


/* Into the guest, unless a fork is being made: then wait for it (a
 * fork's copy must not see guest writes from other vCPUs, see
 * pause_vcpus() in process.c).  in_guest is set before fork_pause is read,
 * and the forker sets fork_pause before reading in_guest: one of the two
 * sees the other. */
static void enter_guest(struct thread *t)
{
	struct proc *p = t->proc;
	__atomic_store_n(&t->in_guest, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&p->fork_pause, __ATOMIC_SEQ_CST)) {
		__atomic_store_n(&t->in_guest, 0, __ATOMIC_SEQ_CST);
		pthread_mutex_lock(&p->lock);
		while (p->fork_pause)
			pthread_cond_wait(&p->fork_done, &p->lock);
		pthread_mutex_unlock(&p->lock);
		__atomic_store_n(&t->in_guest, 1, __ATOMIC_SEQ_CST);
	}
}

static void run_once(struct thread *t)
{
	struct proc *p = t->proc;
	settle_pio(t);
	if (t->cpu.run->kvm_dirty_regs & KVM_SYNC_X86_SREGS)
		vm_fix_tss(&t->cpu.run->s.regs.sregs);
	vm_note_host_cpu(&t->cpu);
	t->rw_gen = __atomic_load_n(&p->rw_gen, __ATOMIC_ACQUIRE);
	enter_guest(t);
	uint64_t t0 = now_ns();
	int r = ioctl(t->cpu.fd, KVM_RUN, 0);
	__atomic_store_n(&t->in_guest, 0, __ATOMIC_SEQ_CST);
	stats_add(&p->stats->kvm_run_ns, now_ns() - t0);
	if (r < 0 && (errno == EINTR || errno == EAGAIN)) {
		t->cpu.run->immediate_exit = 0;
		return;
	}
	if (r < 0 && errno == EFAULT) {
		/* The host could not back a guest page: a file mapping
		 * beyond EOF.  Linux sends SIGBUS. */
		if (!sig_force(t, SIGBUS, BUS_ADRERR, fault_address(t)))
			proc_finish(p, 0, SIGBUS);
		return;
	}
	if (r < 0)
		die("KVM_RUN: %s", strerror(errno));
	switch (vcpu_handle_exit(t)) {
	case VCPU_CONTINUE:
		break;
	case VCPU_THREAD_EXIT:
		thread_exit(t);
	case VCPU_STOP:
		proc_finish(p, p->exit_status, p->term_signal);
	}
}

void thread_run(struct thread *t)
{
	sig_thread_start(t);
	for (;;) {
		if (t->npending || t->restore_mask)
			sig_deliver(t);
		run_once(t);
	}
}

/* ---- calibration ---- */

double vcpu_calibrate(struct vm *vm, struct vcpu *c, int kind, int iterations)
{
	uint64_t code = (uint64_t)vm->sys_code + SYS_CALIBRATE + (uint64_t)kind * 8;
	vm_reset_vcpu(vm, c, code, (uint64_t)c->exc_stack + PAGE_SIZE - 64);
	struct kvm_run *run = c->run;
	run->immediate_exit = 0;
	/* IOPL 3 lets the CPL3 loop use `out` directly. */
	struct kvm_regs regs = {.rip = code, .rsp = (uint64_t)c->exc_stack + PAGE_SIZE - 64,
				.rflags = RFLAGS_FIXED | RFLAGS_IOPL3};
	if (ioctl(c->fd, KVM_SET_REGS, &regs))
		return 0;
	uint64_t total = 0;
	for (int i = 0; i < iterations + 10; i++) {
		uint64_t t0 = now_ns();
		if (ioctl(c->fd, KVM_RUN, 0) < 0 ||
		    (run->exit_reason != KVM_EXIT_IO && run->exit_reason != KVM_EXIT_MMIO))
			return 0;
		if (i >= 10) /* the first exits warm the shadow page tables */
			total += now_ns() - t0;
		if (run->io.port == HL_PORT_SYSCALL)
			vm_return_to_user(run, run->s.regs.regs.rcx, run->s.regs.regs.r11);
	}
	return (double)total / iterations;
}
