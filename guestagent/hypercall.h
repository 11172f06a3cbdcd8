/* The hyperloupe hypercall ABI: how a program inside the guest (hl-agent)
 * talks to the VMM.  This is the only definition of it; the guest agent
 * and the VMM both include this header.
 *
 * A hypercall is an ordinary x86-64 `syscall` instruction with a reserved
 * number in %rax:
 *
 *     %rax = HL_HYPERCALL_NR      (Linux looks at the low 32 bits only)
 *     %rdi = op                   (enum hl_hypercall_op)
 *     %rsi, %rdx = arguments      (per op, below; others are ignored)
 *     result in %rax; %rcx and %r11 are clobbered, as by any syscall
 *
 * HL_HYPERCALL_NR (0x484c00, "HL" << 8) is far above every Linux system
 * call number and has neither the x32 bit (0x40000000) nor the sign bit
 * set, so natively the kernel answers -ENOSYS and does nothing.  Under
 * hyperloupe the syscall dispatcher recognises it before its table lookup;
 * it is not a Linux call, so it never shows in the syscall profile (not
 * even as an unknown call).
 *
 * Ops (results are 0 or a negative errno unless stated):
 *
 *   HL_HC_PROBE     -> HL_HC_MAGIC under hyperloupe.  Natively -ENOSYS (or
 *                      whatever a seccomp filter says): anything else than
 *                      HL_HC_MAGIC means "not under hyperloupe", and a
 *                      guest then skips its reports.
 *   HL_HC_STARTED   %rsi = pid of the workload just started
 *   HL_HC_READY     the workload is ready (its readiness condition holds)
 *   HL_HC_EXITED    %rsi = its wait status, as waitpid() returned it
 *   HL_HC_MARK      %rsi = pointer to a NUL-terminated phase name,
 *                      1..HL_HC_NAME_MAX bytes: a new phase starts now
 *   HL_HC_METRIC    %rsi = pointer to a NUL-terminated metric name
 *                      (1..HL_HC_NAME_MAX bytes), %rdx = pointer to the
 *                      value as NUL-terminated decimal text (at most
 *                      HL_HC_VALUE_MAX bytes) that strtod() reads whole
 *                      and finds finite: "1234.5", "-3", "1e6"; a name
 *                      given again replaces the earlier value
 *
 * Errors: -EINVAL for an unknown op, an empty or too long string, or a
 * value that is not a finite number; -EFAULT when a pointer does not
 * point at readable guest memory; -ENOSPC when the VMM's table of metrics
 * is full (HL_HC_MAX_METRICS distinct names).  Phase marks beyond
 * HL_HC_MAX_MARKS still switch the phase but are not listed (the report
 * counts them as dropped).
 *
 * Strings are bytes; the VMM writes them into its JSON report escaped.
 */
#ifndef HL_GUESTAGENT_HYPERCALL_H
#define HL_GUESTAGENT_HYPERCALL_H

#define HL_HYPERCALL_NR 0x484c00

#define HL_HC_MAGIC 0x686c6167656e74L /* "hlagent" */

enum hl_hypercall_op {
	HL_HC_PROBE = 0,
	HL_HC_STARTED = 1,
	HL_HC_READY = 2,
	HL_HC_EXITED = 3,
	HL_HC_MARK = 4,
	HL_HC_METRIC = 5,
};

#define HL_HC_NAME_MAX 63  /* bytes in a phase or metric name, NUL excluded */
#define HL_HC_VALUE_MAX 63 /* bytes in a metric's value text, NUL excluded */
#define HL_HC_MAX_MARKS 64
#define HL_HC_MAX_METRICS 64

#if defined(__x86_64__) && !defined(HL_HYPERCALL_NO_INLINE)
/* One hypercall from the guest; returns %rax. */
static inline long hl_hypercall(long op, long a1, long a2)
{
	long ret;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"((long)HL_HYPERCALL_NR), "D"(op), "S"(a1), "d"(a2)
			 : "rcx", "r11", "memory");
	return ret;
}
#endif

#endif
