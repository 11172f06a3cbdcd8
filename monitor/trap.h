/* The trapped context: the kernel's ucontext and siginfo on x86-64, as the
 * SIGSYS handler gets them, and the monitor's emulated calls. */
#ifndef HL_MONITOR_TRAP_H
#define HL_MONITOR_TRAP_H

#include <asm/sigcontext.h>
#include <stdbool.h>
#include <stdint.h>

#define MON_UC_FAST 0x40000000 /* flags of a rewritten call's context (arch.c) */

struct kucontext {
	uint64_t flags;
	struct kucontext *link;
	struct {
		uint64_t sp;
		int32_t flags, pad;
		uint64_t size;
	} stack;
	struct sigcontext mc;
	uint64_t sigmask;
};

struct ksiginfo {
	int32_t signo, err, code, pad;
	uint64_t call_addr;
	int32_t syscall;
	uint32_t arch;
	uint64_t rest[12];
};

#define SYS_USER_DISPATCH 2 /* si_code of a SIGSYS from SUD */
#define SIGBIT(s) (1ull << ((s) - 1))
/* Never blocked in the program's masks: SIGSYS (blocked, the kernel
 * resets it and a trap kills), and SIGTRAP, which a patch's transient
 * int3 raises in any thread (rewrite.c; blocked, the kernel forces it to
 * its default action). */
#define MON_UNBLOCKED (SIGBIT(SIGSYS) | SIGBIT(SIGTRAP))

/* Program memory, read or written without faulting: bytes copied, or
 * -EFAULT. */
long mon_read(void *dst, uint64_t src, uint64_t len);
long mon_write(uint64_t dst, const void *src, uint64_t len);

/* arch.c: a NUL-terminated string of the program's into dst (at most max
 * bytes with the NUL): its length, or -1 when it is longer or faults (a
 * fault at mon_copy_load resumes at mon_copy_fault). */
long mon_copy_str(char *dst, const char *src, uint64_t max);
extern const char mon_copy_load[], mon_copy_fault[];

/* A fault the monitor caused and resumes itself: in mon_copy_str, or one
 * of rewrite.c's (mon_rw_fault).  Every SIGSEGV, SIGBUS and SIGTRAP
 * handler of the monitor asks this first. */
bool mon_own_fault(int sig, struct ksiginfo *si, struct kucontext *uc);

/* emul.c: the calls the monitor performs itself; -ENOSYS when nr is
 * an ordinary call to forward. */
long mon_emulate(struct kucontext *uc, long nr, const long a[6], int *handled);

/* exec.c */
long mon_execve(long nr, const long a[6]);

/* path is /proc/self/exe or /proc/PID/exe of this process: the kernel
 * names the monitor there, the program means itself (busybox runs its
 * applets so, programs read their own path so). */
bool mon_own_exe(const char *path);

#endif
