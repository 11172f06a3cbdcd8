/* vcpu_handle_exit() without KVM: made-up exits in a calloc'd kvm_run, a
 * proc whose guest memory is only the tables (vm_fd -1). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <asm/prctl.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vmm/proc.h"
#include "vmm/rewrite.h"
#include "vmm/signal.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define PG 4096ul

static struct proc p;
static struct thread t = {.proc = &p};
static _Alignas(4096) uint8_t exc_stack[4096];
/* Stands in for the CPL0 code page: only its address matters here. */
static _Alignas(4096) uint8_t sys_code[4096];
#define TRAMPOLINE_EXIT_RIP ((uint64_t)sys_code + SYS_TRAMPOLINE + 2)
/* Host memory of the VMM (the test), never a guest mapping. */
static char vmm_data[256] = "not the guest's";

static int group_setup(void **state)
{
	(void)state;
	if (gm_init(&p.vm.mem, -1, 64, 100, 46))
		return -1;
	t.cpu.run = calloc(1, sizeof(struct kvm_run));
	t.cpu.exc_stack = exc_stack;
	t.cpu.fd = -1;
	p.vm.sys_code = sys_code;
	p.vm.vm_fd = p.vm.kvm_fd = -1;
	p.stats = &p.local;
	pthread_rwlock_init(&p.mm, NULL);
	pthread_mutex_init(&p.lock, NULL);
	p.threads = &t;
	p.nthreads = 1;
	return t.cpu.run ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	free(t.cpu.run);
	free(p.shared);
	gm_destroy(&p.vm.mem);
	return 0;
}

/* Before each case: a fresh exit and a living guest. */
static int reset(void **state)
{
	(void)state;
	memset(t.cpu.run, 0, sizeof(*t.cpu.run));
	memset(exc_stack, 0, sizeof(exc_stack));
	memset(&p.local, 0, sizeof(p.local));
	p.exiting = false;
	p.exit_status = 0;
	p.term_signal = 0;
	t.cur_nr = 0;
	t.exiting = false;
	return 0;
}

static struct kvm_regs *regs(void)
{
	return &t.cpu.run->s.regs.regs;
}

static struct kvm_sregs *sregs(void)
{
	return &t.cpu.run->s.regs.sregs;
}

/* The exit the LSTAR trampoline makes (`out` at its start, so rip is 2
 * bytes in) for a `syscall` at 0x401000 - 2: rcx holds the return address
 * and r11 the flags, as SYSCALL leaves them.  cs is 0x10 after the real
 * switch to CPL0, 0x33 under hypervisors that run the LSTAR target
 * without leaving user mode. */
static void syscall_exit(uint16_t cs, long nr, long a0, long a1, long a2)
{
	reset(NULL);
	struct kvm_run *run = t.cpu.run;
	run->exit_reason = KVM_EXIT_IO;
	run->io.direction = KVM_EXIT_IO_OUT;
	run->io.port = HL_PORT_SYSCALL;
	run->io.size = 1;
	run->io.count = 1;
	regs()->rax = (uint64_t)nr;
	regs()->rdi = (uint64_t)a0;
	regs()->rsi = (uint64_t)a1;
	regs()->rdx = (uint64_t)a2;
	regs()->rcx = 0x401000;
	regs()->r11 = 0x246;
	regs()->rip = TRAMPOLINE_EXIT_RIP; /* must not be kept */
	regs()->rflags = 0x2;
	sregs()->cs.selector = cs;
	sregs()->ss.selector = cs == 0x10 ? 0x18 : 0x2b;
}

/* Run one syscall exit; returns the guest's %rax. */
static long do_syscall(long nr, long a0, long a1, long a2, enum vcpu_action want)
{
	syscall_exit(0x33, nr, a0, a1, a2);
	assert_int_equal(vcpu_handle_exit(&t), want);
	return (long)regs()->rax;
}

/* ---- syscalls ---- */

static void test_getpid_cpl3(void **state)
{
	(void)state;
	syscall_exit(0x33, SYS_getpid, 0, 0, 0);
	assert_int_equal(vcpu_handle_exit(&t), VCPU_CONTINUE);
	assert_int_equal(regs()->rax, getpid());
	assert_int_equal(regs()->rip, 0x401000);
	assert_int_equal(regs()->rflags, 0x246);
	assert_int_equal(regs()->rcx, 0x401000);
	assert_int_equal(regs()->r11, 0x246);
	assert_true(t.cpu.run->kvm_dirty_regs & KVM_SYNC_X86_REGS);
	/* No privilege change happened: no (costly) sregs write. */
	assert_false(t.cpu.run->kvm_dirty_regs & KVM_SYNC_X86_SREGS);
	assert_int_equal(sregs()->cs.selector, 0x33);
	assert_int_equal(p.local.sc[SYS_getpid].count, 1);
	assert_int_equal(p.local.sc[SYS_getpid].errors, 0);
	assert_int_equal(p.local.syscall_exits, 1);
	assert_false(p.exiting);
	assert_int_equal(p.term_signal, 0);
}

static void test_getpid_cpl0(void **state)
{
	(void)state;
	syscall_exit(0x10, SYS_getpid, 0, 0, 0);
	assert_int_equal(vcpu_handle_exit(&t), VCPU_CONTINUE);
	assert_int_equal(regs()->rax, getpid());
	assert_int_equal(regs()->rip, 0x401000);
	assert_int_equal(regs()->rflags, 0x246);
	assert_int_equal(sregs()->cs.selector, SEL_USER_CS);
	assert_int_equal(sregs()->cs.selector, 0x33);
	assert_int_equal(sregs()->cs.dpl, 3);
	assert_int_equal(sregs()->cs.l, 1);
	assert_int_equal(sregs()->ss.selector, 0x2b);
	assert_int_equal(sregs()->ss.dpl, 3);
	assert_true(t.cpu.run->kvm_dirty_regs & KVM_SYNC_X86_REGS);
	assert_true(t.cpu.run->kvm_dirty_regs & KVM_SYNC_X86_SREGS);
	assert_int_equal(p.local.sc[SYS_getpid].count, 1);
}

/* KVM on VMX and SVM leaves %rip on the trampoline's `out` (kvm-pvm past
 * it): the same call, the same return to user mode. */
static void test_getpid_cpl0_rip_on_out(void **state)
{
	(void)state;
	syscall_exit(0x10, SYS_getpid, 0, 0, 0);
	regs()->rip = TRAMPOLINE_EXIT_RIP - 2;
	assert_int_equal(vcpu_handle_exit(&t), VCPU_CONTINUE);
	assert_int_equal(regs()->rax, getpid());
	assert_int_equal(regs()->rip, 0x401000);
	assert_int_equal(regs()->rflags, 0x246);
	assert_int_equal(sregs()->cs.selector, SEL_USER_CS);
	assert_int_equal(sregs()->ss.selector, SEL_USER_DS);
	assert_true(t.cpu.run->kvm_dirty_regs & KVM_SYNC_X86_SREGS);
	assert_int_equal(p.local.sc[SYS_getpid].count, 1);
	assert_int_equal(p.local.trampoline_exits, 1);
	/* The trampoline is not a site: nothing for KVM to step over. */
	assert_int_equal(t.cpu.pio_rip, 0);
}

/* A rewritten site on VMX and SVM: %rip is on the `out`.  The call
 * returns past it, and the `out` is remembered so that a restart at it
 * is not stepped over by KVM (settle_pio). */
static void test_rewritten_site_rip_on_out(void **state)
{
	(void)state;
	struct rw_site site = {.addr = 0x401000, .live = true};
	p.sites = &site;
	p.nsites = 1;
	p.vm.io_rip_known = true;
	p.vm.io_rip_on_insn = true;
	syscall_exit(0x33, SYS_getpid, 0, 0, 0);
	regs()->rip = 0x401000;
	regs()->rcx = 0x1111;
	assert_int_equal(vcpu_handle_exit(&t), VCPU_CONTINUE);
	assert_int_equal(regs()->rax, getpid());
	assert_int_equal(regs()->rip, 0x401002);
	assert_int_equal(regs()->rcx, 0x1111);
	assert_int_equal(t.cpu.pio_rip, 0x401000);
	assert_int_equal(p.local.sc[SYS_getpid].count, 1);
	/* Past the site is no site when %rip stays on the `out`. */
	syscall_exit(0x33, SYS_getpid, 0, 0, 0);
	regs()->rip = 0x401002;
	assert_int_equal(vcpu_handle_exit(&t), VCPU_STOP);
	assert_int_equal(p.term_signal, SIGSEGV);
	assert_int_equal(p.local.sc[SYS_getpid].count, 0);
	t.cpu.pio_rip = 0;
	p.vm.io_rip_known = p.vm.io_rip_on_insn = false;
	p.sites = NULL;
	p.nsites = 0;
}

/* A site rewritten to `out %al, $0xe0` exits straight from CPL3: rip is
 * already past it and rcx/r11 are the guest's own, left alone. */
static void test_rewritten_site(void **state)
{
	(void)state;
	struct rw_site site = {.addr = 0x401000, .live = true};
	p.sites = &site;
	p.nsites = 1;
	syscall_exit(0x33, SYS_getpid, 0, 0, 0);
	regs()->rip = 0x401002;
	regs()->rcx = 0x1111;
	regs()->r11 = 0x2222;
	regs()->rflags = 0x202;
	assert_int_equal(vcpu_handle_exit(&t), VCPU_CONTINUE);
	assert_int_equal(regs()->rax, getpid());
	assert_int_equal(regs()->rip, 0x401002);
	assert_int_equal(regs()->rflags, 0x202);
	assert_int_equal(regs()->rcx, 0x1111);
	assert_int_equal(regs()->r11, 0x2222);
	assert_true(t.cpu.run->kvm_dirty_regs & KVM_SYNC_X86_REGS);
	assert_false(t.cpu.run->kvm_dirty_regs & KVM_SYNC_X86_SREGS);
	assert_int_equal(p.local.sc[SYS_getpid].count, 1);
	assert_int_equal(p.local.rewritten_sites, 0);
	p.sites = NULL;
	p.nsites = 0;
}

/* An `out` to the syscall port that rewrite.c did not write (the guest's
 * own, or a jump into the middle of code) is the #GP it is natively. */
static void test_out_not_a_site(void **state)
{
	(void)state;
	struct rw_site site = {.addr = 0x401000, .live = true};
	p.sites = &site;
	p.nsites = 1;
	p.vm.io_rip_known = true; /* past the `out`, as on kvm-pvm */
	p.vm.io_rip_on_insn = false;
	static const uint64_t rips[] = {0x401000 + 4, 0x401000 + 1, 0x401000, 0x500000, 0};
	for (size_t i = 0; i < sizeof(rips) / sizeof(rips[0]); i++) {
		syscall_exit(0x33, SYS_exit_group, 3, 0, 0);
		regs()->rip = rips[i];
		assert_int_equal(vcpu_handle_exit(&t), VCPU_STOP);
		assert_int_equal(p.term_signal, SIGSEGV);
		assert_false(p.exiting);
		assert_int_equal(p.local.syscall_exits, 0);
	}
	/* A site put back to `syscall` before this vCPU entered the guest is
	 * not one either; put back while it ran, it is. */
	site.live = false;
	site.restored = 5;
	t.rw_gen = 5;
	syscall_exit(0x33, SYS_exit_group, 3, 0, 0);
	regs()->rip = 0x401002;
	assert_int_equal(vcpu_handle_exit(&t), VCPU_STOP);
	assert_int_equal(p.term_signal, SIGSEGV);
	assert_false(p.exiting);
	t.rw_gen = 4;
	syscall_exit(0x33, SYS_getpid, 0, 0, 0);
	regs()->rip = 0x401002;
	assert_int_equal(vcpu_handle_exit(&t), VCPU_CONTINUE);
	assert_int_equal(regs()->rax, getpid());
	t.rw_gen = 0;
	p.sites = NULL;
	p.nsites = 0;
}

/* The table of rewritten sites follows mprotect, mremap and munmap; site
 * is rewritten (test_rewrite_site) in a guest mapping of one page. */
static void site_table(uint8_t *site)
{
	uint64_t a = (uint64_t)site, page = a & ~(PG - 1);
	assert_int_equal(p.nsites, 1);
	assert_true(rewrite_is_site(&p, a, 0));
	assert_false(rewrite_is_site(&p, a + 2, 0));
	/* The site holds a whole instruction: a trap there was ours. */
	assert_true(rewrite_patch_race(&p, a));
	assert_false(rewrite_patch_race(&p, a + 1));
	/* Still code, still read-only: the rewrite stays. */
	rewrite_protect(&p, page, page + PG, PROT_READ | PROT_EXEC);
	assert_int_equal(site[0], 0xe6);
	/* Writable: the guest must find (and may overwrite) its syscall. */
	rewrite_protect(&p, page, page + PG, PROT_READ | PROT_WRITE | PROT_EXEC);
	assert_memory_equal(site, "\x0f\x05", 2);
	assert_false(rewrite_is_site(&p, a, p.rw_gen));
	/* A vCPU in the guest during the restore may have run the `out`. */
	assert_true(rewrite_is_site(&p, a, p.rw_gen - 1));
	assert_int_equal(p.nsites, 1); /* kept for int3 races */
	syscall_exit(0x10, SYS_getpid, 0, 0, 0);
	regs()->rcx = a + 2;
	assert_int_equal(vcpu_handle_exit(&t), VCPU_CONTINUE);
	assert_true(rewrite_is_site(&p, a, 0));
	assert_int_equal(site[0], 0xe6);
	/* mremap: the site moves with its page and replaces what was there. */
	rewrite_move(&p, page, PG, page + 8 * PG, 2 * PG);
	assert_int_equal(p.nsites, 1);
	assert_true(rewrite_is_site(&p, a + 8 * PG, 0));
	rewrite_move(&p, page + 8 * PG, 2 * PG, page + 16 * PG, PG);
	assert_true(rewrite_is_site(&p, a + 16 * PG, 0));
	rewrite_unmap(&p, page + 16 * PG, page + 17 * PG);
	assert_int_equal(p.nsites, 0);
}

/* After a trampoline exit, the `syscall` at rcx - 2 becomes `out`, but
 * only in an executable, private guest mapping that still holds 0f 05. */
static void test_rewrite_site(void **state)
{
	(void)state;
	if (rewrite_init()) {
		skip();
		return;
	}
	uint8_t *code = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(code != MAP_FAILED);
	uint8_t *data = code + PG, *shared = code + 2 * PG;
	for (uint8_t *c = code; c < code + 3 * PG; c += PG) {
		memcpy(c + 0x10, "\x0f\x05\xc3", 3);           /* syscall; ret */
		memcpy(c + 0x20, "\x90\x90\xc3", 3);           /* not a syscall */
	}
	code[PG - 1] = 0x0f; /* straddles the mapping's end */
	data[0] = 0x05;
	assert_int_equal(mprotect(code, PG, PROT_READ | PROT_EXEC), 0);
	assert_int_equal(mprotect(shared, PG, PROT_READ | PROT_EXEC), 0);
	assert_int_equal(gm_map(&p.vm.mem, (uint64_t)code, (uint64_t)code + PG, PROT_READ | PROT_EXEC), 0);
	assert_int_equal(gm_map(&p.vm.mem, (uint64_t)data, (uint64_t)data + PG, PROT_READ | PROT_WRITE), 0);
	assert_int_equal(gm_map(&p.vm.mem, (uint64_t)shared, (uint64_t)shared + PG, PROT_READ | PROT_EXEC), 0);
	rewrite_note_shared(&p, (uint64_t)shared, (uint64_t)shared + PG);

	static const struct {
		int page, off;
		bool rewritten;
	} sites[] = {{0, 0x10, true}, {0, 0x20, false}, {1, 0x10, false}, {2, 0x10, false}};
	for (size_t i = 0; i < sizeof(sites) / sizeof(sites[0]); i++) {
		uint8_t *site = code + sites[i].page * PG + sites[i].off;
		uint8_t before[2] = {site[0], site[1]};
		syscall_exit(0x10, SYS_getpid, 0, 0, 0);
		regs()->rcx = (uint64_t)site + 2;
		assert_int_equal(vcpu_handle_exit(&t), VCPU_CONTINUE);
		assert_int_equal(regs()->rax, getpid());
		assert_int_equal(regs()->rip, (uint64_t)site + 2);
		if (sites[i].rewritten) {
			assert_int_equal(site[0], 0xe6);
			assert_int_equal(site[1], HL_PORT_SYSCALL);
			assert_int_equal(p.local.rewritten_sites, 1);
		} else {
			assert_memory_equal(site, before, 2);
			assert_int_equal(p.local.rewritten_sites, 0);
		}
	}
	/* A site whose second byte is past the mapping, and one outside
	 * guest memory altogether (the VMM's own code). */
	syscall_exit(0x10, SYS_getpid, 0, 0, 0);
	regs()->rcx = (uint64_t)code + PG + 1;
	assert_int_equal(vcpu_handle_exit(&t), VCPU_CONTINUE);
	assert_int_equal(p.local.rewritten_sites, 0);
	syscall_exit(0x10, SYS_getpid, 0, 0, 0);
	regs()->rcx = (uint64_t)(uintptr_t)&getpid + 2;
	assert_int_equal(vcpu_handle_exit(&t), VCPU_CONTINUE);
	assert_int_equal(p.local.rewritten_sites, 0);
	/* A wild rcx must not crash. */
	static const uint64_t wild[] = {0, 1, 0xffffffffffffffffull, 0x8000000000000001ull};
	for (size_t i = 0; i < sizeof(wild) / sizeof(wild[0]); i++) {
		syscall_exit(0x10, SYS_getpid, 0, 0, 0);
		regs()->rcx = wild[i];
		assert_int_equal(vcpu_handle_exit(&t), VCPU_CONTINUE);
	}
	rewrite_forget_shared(&p, (uint64_t)shared, (uint64_t)shared + PG);
	site_table(code + 0x10);
	gm_unmap(&p.vm.mem, (uint64_t)code, (uint64_t)code + 3 * PG);
	munmap(code, 3 * PG);
}

static void test_rflags_and_rax_high_bits(void **state)
{
	(void)state;
	/* RF and VM are never restored by SYSRET-like returns; bit 1 always
	 * reads as 1. */
	syscall_exit(0x33, SYS_getpid, 0, 0, 0);
	regs()->r11 = 0x30244;
	assert_int_equal(vcpu_handle_exit(&t), VCPU_CONTINUE);
	assert_int_equal(regs()->rflags, 0x246);
	/* Linux uses the low 32 bits of %rax. */
	syscall_exit(0x33, 0x100000000l | SYS_getpid, 0, 0, 0);
	assert_int_equal(vcpu_handle_exit(&t), VCPU_CONTINUE);
	assert_int_equal(regs()->rax, getpid());
}

static void test_unknown_syscall(void **state)
{
	(void)state;
	static const long bad[] = {1000, -1, 511, 512, 0x40000000l | 39 /* x32 */, 0x7fffffff};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		syscall_exit(0x33, bad[i], 0, 0, 0);
		assert_int_equal(vcpu_handle_exit(&t), VCPU_CONTINUE);
		assert_int_equal((long)regs()->rax, -ENOSYS);
		assert_int_equal(regs()->rip, 0x401000);
		assert_false(p.exiting);
		assert_int_equal(p.term_signal, 0);
		long nr = (int)bad[i];
		if (nr < 0 || nr >= SC_TABLE_SIZE)
			assert_int_equal(p.local.unknown, 1);
		else
			assert_int_equal(p.local.sc[nr].errors, 1);
	}
}

static void test_exit_group(void **state)
{
	(void)state;
	syscall_exit(0x33, SYS_exit_group, 7, 0, 0);
	assert_int_equal(vcpu_handle_exit(&t), VCPU_STOP);
	assert_true(p.exiting);
	assert_int_equal(p.exit_status, 7);
	assert_int_equal(p.term_signal, 0);
	/* exit ends the thread only (the loop ends the process when it was
	 * the last); only the low 8 bits, as wait() reports them. */
	syscall_exit(0x33, SYS_exit, 0x1ff, 0, 0);
	assert_int_equal(vcpu_handle_exit(&t), VCPU_THREAD_EXIT);
	assert_false(p.exiting);
	assert_true(t.exiting);
	assert_int_equal(t.exit_code, 0xff);
}

static void test_vmm_fd(void **state)
{
	(void)state;
	int hidden = vm_hide_fd(dup(1));
	assert_true(hidden > 2);
	assert_true(vm_is_vmm_fd(hidden));
	assert_false(vm_is_vmm_fd(1));
	assert_false(vm_is_vmm_fd(-1));
	assert_int_equal(do_syscall(SYS_close, hidden, 0, 0, VCPU_CONTINUE), -EBADF);
	assert_int_not_equal(fcntl(hidden, F_GETFD), -1);
	/* The kernel takes fds as unsigned int: high bits must not hide it. */
	assert_int_equal(do_syscall(SYS_close, hidden + (1l << 32), 0, 0, VCPU_CONTINUE), -EBADF);
	assert_int_equal(do_syscall(SYS_close, (long)((uint64_t)hidden | 0xffffffff00000000ull), 0, 0,
				    VCPU_CONTINUE), -EBADF);
	assert_int_not_equal(fcntl(hidden, F_GETFD), -1);
	assert_int_equal(do_syscall(SYS_dup2, 1, hidden, 0, VCPU_CONTINUE), -EBADF);
	assert_int_equal(do_syscall(SYS_dup2, hidden, 100, 0, VCPU_CONTINUE), -EBADF);
	assert_int_equal(do_syscall(SYS_dup3, 1, hidden, 0, VCPU_CONTINUE), -EBADF);
	assert_int_equal(do_syscall(SYS_write, hidden, (long)"x", 1, VCPU_CONTINUE), -EBADF);
	assert_int_equal(do_syscall(SYS_fcntl, hidden, F_SETFD, 0, VCPU_CONTINUE), -EBADF);
	/* close_range over exactly the hidden fd closes nothing. */
	assert_int_equal(do_syscall(SYS_close_range, hidden, hidden, 0, VCPU_CONTINUE), 0);
	assert_int_not_equal(fcntl(hidden, F_GETFD), -1);
	/* Still open, still ours, still close-on-exec. */
	assert_true(fcntl(hidden, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(p.local.sc[SYS_close_range].count, 1);
}

static void test_write_pointer_checks(void **state)
{
	(void)state;
	int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	assert_true(devnull >= 0);

	/* The VMM's own memory: refused before the host sees it. */
	assert_int_equal(do_syscall(SYS_write, 1, (long)vmm_data, 1, VCPU_CONTINUE), -EFAULT);
	assert_int_equal(do_syscall(SYS_write, devnull, (long)vmm_data, 1, VCPU_CONTINUE), -EFAULT);
	assert_int_equal(p.local.sc[SYS_write].errors, 1);

	/* Nothing mapped there: forwarded, and the host faults.  (Into a
	 * pipe: /dev/null, which stdout may be, never reads the buffer.) */
	int pfd[2];
	assert_int_equal(pipe2(pfd, O_CLOEXEC | O_NONBLOCK), 0);
	void *gone = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(gone != MAP_FAILED);
	munmap(gone, PG);
	assert_int_equal(do_syscall(SYS_write, pfd[1], (long)gone, 1, VCPU_CONTINUE), -EFAULT);
	assert_int_equal(do_syscall(SYS_write, 1, (long)gone, 1, VCPU_CONTINUE),
			 write(1, gone, 1) < 0 ? -errno : 1);
	/* NULL with a length: forwarded, the host faults. */
	assert_int_equal(do_syscall(SYS_write, pfd[1], 0, 1, VCPU_CONTINUE), -EFAULT);

	/* Guest memory: a real page registered as a guest mapping. */
	uint8_t *m = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(m != MAP_FAILED);
	m[0] = 'x';
	assert_int_equal(gm_map(&p.vm.mem, (uint64_t)m, (uint64_t)m + PG, PROT_READ | PROT_WRITE), 0);
	assert_int_equal(do_syscall(SYS_write, devnull, (long)m, 1, VCPU_CONTINUE), 1);
	assert_int_equal(do_syscall(SYS_write, devnull, (long)m, PG, VCPU_CONTINUE), PG);
	/* Running from guest memory into the VMM's (the second page is
	 * host-mapped but not the guest's). */
	assert_int_equal(do_syscall(SYS_write, devnull, (long)m + PG - 1, 2, VCPU_CONTINUE), -EFAULT);
	/* read() into it, and into VMM memory. */
	int zero = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	assert_true(zero >= 0);
	assert_int_equal(do_syscall(SYS_read, zero, (long)m, 16, VCPU_CONTINUE), 16);
	assert_int_equal(m[0], 0);
	assert_int_equal(do_syscall(SYS_read, zero, (long)vmm_data, 16, VCPU_CONTINUE), -EFAULT);
	assert_string_equal(vmm_data, "not the guest's");
	/* Absurd lengths must not hang or crash the check. */
	assert_int_equal(do_syscall(SYS_write, devnull, (long)m, -1, VCPU_CONTINUE), -EFAULT);
	/* Guest memory into a pipe and back out of it. */
	assert_int_equal(do_syscall(SYS_write, pfd[1], (long)m + 8, 8, VCPU_CONTINUE), 8);
	assert_int_equal(do_syscall(SYS_read, pfd[0], (long)m + 100, 8, VCPU_CONTINUE), 8);

	close(pfd[0]);
	close(pfd[1]);
	gm_unmap(&p.vm.mem, (uint64_t)m, (uint64_t)m + PG);
	munmap(m, 2 * PG);
	close(zero);
	close(devnull);
}

static void test_arch_prctl(void **state)
{
	(void)state;
	assert_int_equal(do_syscall(SYS_arch_prctl, ARCH_SET_FS, 0x7f0000001000l, 0, VCPU_CONTINUE), 0);
	assert_int_equal(sregs()->fs.base, 0x7f0000001000ull);
	assert_true(t.cpu.run->kvm_dirty_regs & KVM_SYNC_X86_SREGS);
	assert_int_equal(do_syscall(SYS_arch_prctl, ARCH_SET_FS, (long)0xffff800000000000ull, 0,
				    VCPU_CONTINUE), -EPERM);
	assert_int_equal(sregs()->fs.base, 0);
	/* The result goes to VMM memory: refused. */
	assert_int_equal(do_syscall(SYS_arch_prctl, ARCH_GET_FS, (long)vmm_data, 0, VCPU_CONTINUE), -EFAULT);
}

/* ---- exceptions ---- */

#define FRAME_WORDS 7

static void exception_exit(uint64_t rsp, const uint64_t *frame)
{
	reset(NULL);
	t.cpu.run->exit_reason = KVM_EXIT_IO;
	t.cpu.run->io.direction = KVM_EXIT_IO_OUT;
	t.cpu.run->io.port = HL_PORT_EXCEPTION;
	t.cpu.run->io.size = 1;
	t.cpu.run->io.count = 1;
	regs()->rsp = rsp;
	/* KVM stops at (or just past) the stub's `out`. */
	regs()->rip = (uint64_t)sys_code + SYS_EXC_STUBS + 6 * SYS_EXC_STUB_SIZE + 6;
	if (frame)
		memcpy(exc_stack + sizeof(exc_stack) - FRAME_WORDS * 8, frame, FRAME_WORDS * 8);
	sregs()->cs.selector = 0x10;
}

static int signal_for_vector(uint64_t vector)
{
	const uint64_t f[FRAME_WORDS] = {vector, 0x4, 0x401234, 0x33, 0x10246, 0x7ffd0000, 0x2b};
	exception_exit((uint64_t)exc_stack + sizeof(exc_stack) - FRAME_WORDS * 8, f);
	assert_int_equal(vcpu_handle_exit(&t), VCPU_STOP);
	assert_false(p.exiting);
	assert_int_equal(p.local.other_exits, 1);
	return p.term_signal;
}

static void test_exception_vectors(void **state)
{
	(void)state;
	assert_int_equal(signal_for_vector(14), SIGSEGV); /* #PF */
	assert_int_equal(signal_for_vector(13), SIGSEGV); /* #GP */
	assert_int_equal(signal_for_vector(6), SIGILL);   /* #UD */
	assert_int_equal(signal_for_vector(0), SIGFPE);   /* #DE */
	assert_int_equal(signal_for_vector(17), SIGBUS);  /* #AC */
	assert_int_equal(signal_for_vector(3), SIGTRAP);  /* #BP */
	assert_int_equal(signal_for_vector(19), SIGFPE);  /* #XM */
	/* Garbage vectors (the word is the guest's stack, in principle). */
	assert_int_equal(signal_for_vector(255), SIGSEGV);
	assert_int_equal(signal_for_vector(~0ull), SIGSEGV);
	assert_int_equal(signal_for_vector(0x100000006ull), SIGILL); /* (int) truncation */
}

static void test_exception_bad_rsp(void **state)
{
	(void)state;
	/* The frame says #UD; an rsp that does not point at a whole frame
	 * inside the exception stack must not be followed. */
	const uint64_t f[FRAME_WORDS] = {6, 0, 0x401234, 0x33, 0x246, 0x7ffd0000, 0x2b};
	const uint64_t base = (uint64_t)exc_stack;
	const uint64_t bad[] = {
		0,
		8,
		base - 8,
		base - FRAME_WORDS * 8 + 8,             /* starts below, ends inside */
		base + sizeof(exc_stack) - 8,          /* starts inside, ends above */
		base + sizeof(exc_stack),
		base + sizeof(exc_stack) + 4096,
		0x7ffffffff000ull,
		0xffff800000000000ull,
		(uint64_t)vmm_data,
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		exception_exit(bad[i], f);
		assert_int_equal(vcpu_handle_exit(&t), VCPU_STOP);
		assert_int_equal(p.term_signal, SIGSEGV);
	}
	/* The lowest valid frame position is followed. */
	exception_exit(base, NULL);
	memcpy(exc_stack, f, sizeof(f));
	assert_int_equal(vcpu_handle_exit(&t), VCPU_STOP);
	assert_int_equal(p.term_signal, SIGILL);
}

/* rsp so close to 2^64 that rsp + frame size wraps: the bounds check in
 * handle_exception() must not be fooled into reading there.  Run in a
 * child, since a wrong check makes the VMM read an unmapped kernel
 * address. */
static void test_exception_rsp_wraps(void **state)
{
	(void)state;
	const uint64_t f[FRAME_WORDS] = {6, 0, 0, 0, 0, 0, 0};
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* cmocka's handlers would longjmp back into the test runner. */
		static const int sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
		for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
			signal(sigs[i], SIG_DFL);
		exception_exit(0xfffffffffffffff0ull, f);
		enum vcpu_action a = vcpu_handle_exit(&t);
		_exit(a == VCPU_STOP && p.term_signal == SIGSEGV ? 0 : 2);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return;
	fail_msg("an exception exit with rsp 0xfffffffffffffff0 crashed the VMM: child %s %d",
		 WIFSIGNALED(st) ? "killed by signal" : "exited with",
		 WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
}

/* ---- other exits ---- */

/* #GP at a rewritten site, again and again (QEMU's SVM with a busy TSS
 * did this): a few retries as for a patch race, then the site gets its
 * `syscall` back and rewriting stops; a fault that still repeats there is
 * the guest's SIGSEGV.  The VMM never loops. */
static void test_patch_race_bounded(void **state)
{
	(void)state;
	if (rewrite_init()) {
		skip();
		return;
	}
	uint8_t *code = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(code != MAP_FAILED);
	memcpy(code + 0x10, "\xe6\xe0\xc3", 3); /* out %al, $0xe0; ret */
	assert_int_equal(mprotect(code, PG, PROT_READ | PROT_EXEC), 0);
	assert_int_equal(gm_map(&p.vm.mem, (uint64_t)code, (uint64_t)code + PG, PROT_READ | PROT_EXEC), 0);
	struct rw_site site = {.addr = (uint64_t)code + 0x10, .live = true};
	p.sites = &site;
	p.nsites = 1;
	const uint64_t f[FRAME_WORDS] = {13, 0, site.addr, 0x33, 0x246, 0x7ffd0000, 0x2b};
	for (int i = 0; i < 4; i++) {
		exception_exit((uint64_t)exc_stack + sizeof(exc_stack) - FRAME_WORDS * 8, f);
		assert_int_equal(vcpu_handle_exit(&t), VCPU_CONTINUE);
		assert_int_equal(regs()->rip, site.addr);
		assert_int_equal(p.term_signal, 0);
	}
	assert_memory_equal(code + 0x10, "\x0f\x05", 2);
	assert_false(site.live);
	assert_true(p.vm.no_cpl3_out);
	exception_exit((uint64_t)exc_stack + sizeof(exc_stack) - FRAME_WORDS * 8, f);
	assert_int_equal(vcpu_handle_exit(&t), VCPU_STOP);
	assert_int_equal(p.term_signal, SIGSEGV);
	t.cpu.race_site = 0;
	p.vm.no_cpl3_out = false;
	p.sites = NULL;
	p.nsites = 0;
	gm_unmap(&p.vm.mem, (uint64_t)code, (uint64_t)code + PG);
	munmap(code, PG);
}

static void other_exit(uint32_t reason)
{
	reset(NULL);
	t.cpu.run->exit_reason = reason;
	regs()->rip = 0x401000;
}

static void test_fatal_exits(void **state)
{
	(void)state;
	static const uint32_t reasons[] = {KVM_EXIT_SHUTDOWN, KVM_EXIT_MMIO, KVM_EXIT_INTERNAL_ERROR,
					   KVM_EXIT_HLT, KVM_EXIT_FAIL_ENTRY, KVM_EXIT_UNKNOWN,
					   KVM_EXIT_DEBUG, 9999, 0xffffffffu};
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
		other_exit(reasons[i]);
		if (reasons[i] == KVM_EXIT_MMIO) {
			t.cpu.run->mmio.phys_addr = p.vm.mem.gpa_limit - PG;
			t.cpu.run->mmio.len = 1;
			t.cpu.run->mmio.is_write = 1;
		}
		assert_int_equal(vcpu_handle_exit(&t), VCPU_STOP);
		assert_int_equal(p.term_signal, SIGSEGV);
		assert_false(p.exiting);
		assert_int_equal(p.local.other_exits, 1);
	}
}

static void test_other_ports(void **state)
{
	(void)state;
	static const struct {
		uint8_t dir;
		uint16_t port;
	} io[] = {
		{KVM_EXIT_IO_OUT, 0x80},
		{KVM_EXIT_IO_OUT, 0x3f8},
		{KVM_EXIT_IO_OUT, HL_PORT_CALIBRATE},
		{KVM_EXIT_IO_OUT, HL_PORT_SYSCALL},   /* not from a rewritten site */
		{KVM_EXIT_IO_OUT, HL_PORT_EXCEPTION}, /* not from the IDT stubs */
		{KVM_EXIT_IO_IN, HL_PORT_SYSCALL},
		{KVM_EXIT_IO_IN, HL_PORT_EXCEPTION},
		{KVM_EXIT_IO_IN, 0xffff},
	};
	for (size_t i = 0; i < sizeof(io) / sizeof(io[0]); i++) {
		other_exit(KVM_EXIT_IO);
		t.cpu.run->io.direction = io[i].dir;
		t.cpu.run->io.port = io[i].port;
		t.cpu.run->io.size = 1;
		t.cpu.run->io.count = 1;
		regs()->rax = SYS_exit_group; /* must not be taken for a syscall */
		assert_int_equal(vcpu_handle_exit(&t), VCPU_STOP);
		assert_int_equal(p.term_signal, SIGSEGV);
		assert_false(p.exiting);
		assert_int_equal(p.local.syscall_exits, 0);
	}
}

static void test_intr_continues(void **state)
{
	(void)state;
	other_exit(KVM_EXIT_INTR);
	assert_int_equal(vcpu_handle_exit(&t), VCPU_CONTINUE);
	assert_int_equal(p.term_signal, 0);
	assert_false(p.exiting);
}

static void test_exception_signal_table(void **state)
{
	(void)state;
	assert_int_equal(vcpu_exception_signal(0), SIGFPE);   /* #DE */
	assert_int_equal(vcpu_exception_signal(1), SIGTRAP);  /* #DB */
	assert_int_equal(vcpu_exception_signal(3), SIGTRAP);  /* #BP */
	assert_int_equal(vcpu_exception_signal(4), SIGSEGV);  /* #OF */
	assert_int_equal(vcpu_exception_signal(5), SIGSEGV);  /* #BR */
	assert_int_equal(vcpu_exception_signal(6), SIGILL);   /* #UD */
	assert_int_equal(vcpu_exception_signal(11), SIGBUS);  /* #NP */
	assert_int_equal(vcpu_exception_signal(12), SIGBUS);  /* #SS */
	assert_int_equal(vcpu_exception_signal(13), SIGSEGV); /* #GP */
	assert_int_equal(vcpu_exception_signal(14), SIGSEGV); /* #PF */
	assert_int_equal(vcpu_exception_signal(16), SIGFPE);  /* #MF */
	assert_int_equal(vcpu_exception_signal(17), SIGBUS);  /* #AC */
	assert_int_equal(vcpu_exception_signal(18), SIGBUS);  /* #MC */
	assert_int_equal(vcpu_exception_signal(19), SIGFPE);  /* #XM */
	assert_int_equal(vcpu_exception_signal(31), SIGSEGV);
	assert_int_equal(vcpu_exception_signal(-1), SIGSEGV);
	assert_int_equal(vcpu_exception_signal(1 << 30), SIGSEGV);
}

#define T(f) cmocka_unit_test_setup(f, reset)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_getpid_cpl3),
		T(test_getpid_cpl0),
		T(test_getpid_cpl0_rip_on_out),
		T(test_rewritten_site),
		T(test_rewritten_site_rip_on_out),
		T(test_out_not_a_site),
		T(test_rewrite_site),
		T(test_rflags_and_rax_high_bits),
		T(test_unknown_syscall),
		T(test_exit_group),
		T(test_vmm_fd),
		T(test_write_pointer_checks),
		T(test_arch_prctl),
		T(test_exception_vectors),
		T(test_exception_bad_rsp),
		T(test_exception_rsp_wraps),
		T(test_patch_race_bounded),
		T(test_fatal_exits),
		T(test_other_ports),
		T(test_intr_continues),
		T(test_exception_signal_table),
	};
	return cmocka_run_group_tests_name("vcpu", tests, group_setup, group_teardown);
}
