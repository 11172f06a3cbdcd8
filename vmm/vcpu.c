#include "vmm/vcpu.h"
#include "vmm/rewrite.h"
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

static enum vcpu_action handle_syscall(struct proc *p)
{
	struct kvm_regs *r = &p->vm.run->s.regs.regs;
	/* Through the LSTAR trampoline, or from a rewritten site (rewrite.c). */
	bool trampoline = r->rip == (uint64_t)p->vm.sys_code + SYS_TRAMPOLINE + 2;
	const long a[6] = {(long)r->rdi, (long)r->rsi, (long)r->rdx, (long)r->r10, (long)r->r8, (long)r->r9};
	/* Linux looks at the low 32 bits of %rax only. */
	long nr = (int)r->rax;
	p->cur_nr = nr;
	uint64_t t0 = now_ns();
	long ret = sys_dispatch(p, nr, a);
	stats_record(&p->stats, nr, ret, now_ns() - t0);
	p->stats.syscall_exits++;
	r->rax = (uint64_t)ret;
	p->vm.run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
	if (trampoline) {
		if (!p->opt.no_rewrite)
			rewrite_site(p, r->rcx - 2);
		/* rcx and r11 keep what SYSCALL put there, as after SYSRET. */
		vm_return_to_user(p->vm.run, r->rcx, r->r11);
	}
	return p->exited || p->term_signal ? VCPU_STOP : VCPU_CONTINUE;
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

/* The IDT stub pushed the vector, and the CPU the error code and the
 * interrupted context, on the exception stack. */
static enum vcpu_action handle_exception(struct proc *p)
{
	uint64_t rsp = p->vm.run->s.regs.regs.rsp, base = (uint64_t)p->vm.exc_stack;
	uint64_t f[7] = {13, 0, 0, 0, 0, 0, 0};
	/* The guest can reach this port with any %rsp: no overflow here. */
	if (rsp >= base && rsp <= base + PAGE_SIZE - sizeof(f))
		memcpy(f, (void *)rsp, sizeof(f));
	p->stats.other_exits++;
	p->term_signal = vcpu_exception_signal((int)f[0]);
	if (p->verbose)
		hl_err("guest exception %llu (error %#llx) at rip %#llx cs %#llx rflags %#llx rsp %#llx, address %#llx: %s",
		       (unsigned long long)f[0], (unsigned long long)f[1], (unsigned long long)f[2], (unsigned long long)f[3], (unsigned long long)f[4], (unsigned long long)f[5],
		       (unsigned long long)p->vm.run->s.regs.sregs.cr2, strsignal(p->term_signal));
	return VCPU_STOP;
}

static enum vcpu_action handle_io(struct proc *p)
{
	struct kvm_run *run = p->vm.run;
	if (run->io.direction == KVM_EXIT_IO_OUT && run->io.port == HL_PORT_SYSCALL)
		return handle_syscall(p);
	if (run->io.direction == KVM_EXIT_IO_OUT && run->io.port == HL_PORT_EXCEPTION)
		return handle_exception(p);
	/* Port I/O the guest cannot do at CPL3: Linux would raise #GP. */
	p->stats.other_exits++;
	p->term_signal = SIGSEGV;
	return VCPU_STOP;
}

/* Exits that mean the guest broke the machine rather than a rule: the
 * VMM reports them and ends the guest as Linux ends a crashed program. */
static enum vcpu_action handle_fatal(struct proc *p, const char *what)
{
	struct kvm_run *run = p->vm.run;
	hl_err("guest stopped: %s (exit reason %u) at rip %#llx", what, run->exit_reason,
	       (unsigned long long)run->s.regs.regs.rip);
	p->stats.other_exits++;
	p->term_signal = SIGSEGV;
	return VCPU_STOP;
}

enum vcpu_action vcpu_handle_exit(struct proc *p)
{
	switch (p->vm.run->exit_reason) {
	case KVM_EXIT_IO:
		return handle_io(p);
	case KVM_EXIT_SHUTDOWN:
		return handle_fatal(p, "triple fault");
	case KVM_EXIT_HLT:
		return handle_fatal(p, "halted");
	case KVM_EXIT_MMIO:
		return handle_fatal(p, "access to unbacked guest-physical memory");
	case KVM_EXIT_INTERNAL_ERROR:
		return handle_fatal(p, "KVM internal error");
	case KVM_EXIT_FAIL_ENTRY:
		return handle_fatal(p, "VM entry failed");
	case KVM_EXIT_INTR:
		return VCPU_CONTINUE;
	default:
		return handle_fatal(p, "unexpected exit");
	}
}

/* ---- the loop and the end of the guest ---- */

static void finish_stats(struct proc *p)
{
	struct stats *s = &p->stats;
	s->end_ns = now_ns();
	if (!p->opt.stats_path && !p->opt.summary)
		return;
	s->cal_syscall_ns = vcpu_calibrate(&p->vm, 1, 200);
	s->cal_exit_ns = vcpu_calibrate(&p->vm, 0, 200);
	struct run_info ri = {p->program, p->argc, p->argv,
			      p->term_signal ? 128 + p->term_signal : p->exit_status, p->term_signal};
	if (p->opt.summary)
		stats_print_summary(s, stderr);
	if (p->opt.stats_path) {
		FILE *f = fopen(p->opt.stats_path, "w");
		if (!f || stats_write_json(s, &ri, f) || fclose(f))
			hl_err("%s: cannot write statistics: %s", p->opt.stats_path, strerror(errno));
	}
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

void proc_finish(struct proc *p)
{
	finish_stats(p);
	if (p->term_signal)
		die_of_signal(p->term_signal);
	_exit(p->exit_status);
}

void proc_run(struct proc *p)
{
	p->stats.start_ns = now_ns();
	for (;;) {
		uint64_t t0 = now_ns();
		int r = ioctl(p->vm.vcpu_fd, KVM_RUN, 0);
		p->stats.kvm_run_ns += now_ns() - t0;
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r < 0 && errno == EFAULT) {
			/* The host could not back a guest page: a file mapping
			 * beyond EOF.  Linux sends SIGBUS. */
			p->term_signal = SIGBUS;
			break;
		}
		if (r < 0)
			die("KVM_RUN: %s", strerror(errno));
		if (vcpu_handle_exit(p) == VCPU_STOP)
			break;
	}
	proc_finish(p);
}

/* ---- calibration ---- */

double vcpu_calibrate(struct vm *vm, int kind, int iterations)
{
	uint64_t code = (uint64_t)vm->sys_code + SYS_CALIBRATE + (uint64_t)kind * 8;
	vm_reset_vcpu(vm, code, (uint64_t)vm->exc_stack + PAGE_SIZE - 64);
	struct kvm_run *run = vm->run;
	/* IOPL 3 lets the CPL3 loop use `out` directly. */
	struct kvm_regs regs = {.rip = code, .rsp = (uint64_t)vm->exc_stack + PAGE_SIZE - 64,
				.rflags = RFLAGS_FIXED | RFLAGS_IOPL3};
	if (ioctl(vm->vcpu_fd, KVM_SET_REGS, &regs))
		return 0;
	uint64_t total = 0;
	for (int i = 0; i < iterations + 10; i++) {
		uint64_t t0 = now_ns();
		if (ioctl(vm->vcpu_fd, KVM_RUN, 0) < 0 ||
		    (run->exit_reason != KVM_EXIT_IO && run->exit_reason != KVM_EXIT_MMIO))
			return 0;
		if (i >= 10) /* the first exits warm the shadow page tables */
			total += now_ns() - t0;
		if (run->io.port == HL_PORT_SYSCALL)
			vm_return_to_user(run, run->s.regs.regs.rcx, run->s.regs.regs.r11);
	}
	return (double)total / iterations;
}
