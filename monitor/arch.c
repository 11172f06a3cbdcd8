/* The monitor's assembly: entry, raw system calls, the restorer of its
 * SIGSYS handler, the program's rt_sigreturn and the clone trampoline.
 * All of it is in the monitor's text, the allowed region, so none of
 * these calls traps. */
#include "monitor/clone.h"
#include "monitor/mon.h"
#include "monitor/rewrite.h"

__asm__(".text\n"
	".globl _start\n"
	"_start:\n"
	"	xor %ebp, %ebp\n"
	"	mov %rsp, %rdi\n"
	"	and $-16, %rsp\n"
	"	call mon_main\n"
	"	hlt\n"

	".globl hl_sys6\n"
	"hl_sys6:\n"
	"	mov %rdi, %rax\n"
	"	mov %rsi, %rdi\n"
	"	mov %rdx, %rsi\n"
	"	mov %rcx, %rdx\n"
	"	mov %r8, %r10\n"
	"	mov %r9, %r8\n"
	"	mov 8(%rsp), %r9\n"
	"	syscall\n"
	"	ret\n"

	/* The program's forwarded calls: signal.c knows a signal interrupted
	 * one by the address of this `syscall` in the interrupted context. */
	".globl mon_fwd6\n"
	"mon_fwd6:\n"
	"	mov %rdi, %rax\n"
	"	mov %rsi, %rdi\n"
	"	mov %rdx, %rsi\n"
	"	mov %rcx, %rdx\n"
	"	mov %r8, %r10\n"
	"	mov %r9, %r8\n"
	"	mov 8(%rsp), %r9\n"
	".globl mon_fwd_syscall\n"
	"mon_fwd_syscall:\n"
	"	syscall\n"
	"	ret\n"

	/* sa_restorer of the SIGSYS handler: its rt_sigreturn must not trap. */
	".globl mon_restorer\n"
	"mon_restorer:\n"
	"	mov $15, %eax\n"
	"	syscall\n"
	"	hlt\n"

	/* The program's rt_sigreturn, made from here: the kernel finds the
	 * frame at the program's %rsp, as if the program had made it. */
	".globl mon_sigreturn_at\n"
	"mon_sigreturn_at:\n"
	"	mov %rdi, %rsp\n"
	"	mov $15, %eax\n"
	"	syscall\n"
	"	hlt\n"

	/* A two-argument call made with %rsp at the fourth argument: the
	 * kernel judges "on the signal stack" by the caller's %rsp. */
	".globl mon_sys_on_stack\n"
	"mon_sys_on_stack:\n"
	"	mov %rsp, %r8\n"
	"	mov %rcx, %rsp\n"
	"	push %r8\n"
	"	mov %rdi, %rax\n"
	"	mov %rsi, %rdi\n"
	"	mov %rdx, %rsi\n"
	"	syscall\n"
	"	pop %rsp\n"
	"	ret\n"

	/* The program's first instruction, with the stack the ABI wants
	 * (%rdx: no function for atexit). */
	".globl mon_jump\n"
	"mon_jump:\n"
	"	mov %rsi, %rsp\n"
	"	mov %rdi, %rcx\n"
	"	xor %eax, %eax\n"
	"	xor %ebx, %ebx\n"
	"	xor %edx, %edx\n"
	"	xor %esi, %esi\n"
	"	xor %edi, %edi\n"
	"	xor %ebp, %ebp\n"
	"	xor %r8d, %r8d\n"
	"	xor %r9d, %r9d\n"
	"	xor %r10d, %r10d\n"
	"	xor %r11d, %r11d\n"
	"	xor %r12d, %r12d\n"
	"	xor %r13d, %r13d\n"
	"	xor %r14d, %r14d\n"
	"	xor %r15d, %r15d\n"
	"	jmp *%rcx\n"

	/* clone/clone3 with the block as 7th argument.  The parent returns
	 * the result; the child arms itself (mon_child_start), takes the
	 * program's x87/SSE state, mask and registers, and resumes the
	 * program after its `syscall` with %rax = 0. */
	".globl mon_clone_fwd\n"
	"mon_clone_fwd:\n"
	"	push %r12\n"
	"	mov 16(%rsp), %r12\n"
	"	mov %rdi, %rax\n"
	"	mov %rsi, %rdi\n"
	"	mov %rdx, %rsi\n"
	"	mov %rcx, %rdx\n"
	"	mov %r8, %r10\n"
	"	mov %r9, %r8\n"
	"	syscall\n"
	"	test %rax, %rax\n"
	"	jz 1f\n"
	"	pop %r12\n"
	"	ret\n"
	"1:	mov %r12, %rdi\n"
	"	call mon_child_start\n"
	"	fxrstor64 192(%r12)\n"
	"	mov $14, %eax\n"
	"	mov $2, %edi\n"
	"	lea 112(%r12), %rsi\n"
	"	xor %edx, %edx\n"
	"	mov $8, %r10d\n"
	"	syscall\n"
	"	mov 16(%r12), %rbx\n"
	"	mov 24(%r12), %rbp\n"
	"	mov 32(%r12), %rdi\n"
	"	mov 40(%r12), %rsi\n"
	"	mov 48(%r12), %rdx\n"
	"	mov 56(%r12), %r8\n"
	"	mov 64(%r12), %r9\n"
	"	mov 72(%r12), %r10\n"
	"	mov 88(%r12), %r13\n"
	"	mov 96(%r12), %r14\n"
	"	mov 104(%r12), %r15\n"
	"	mov 0(%r12), %rcx\n"
	"	mov 8(%r12), %rsp\n"
	"	xor %eax, %eax\n"
	"	mov 80(%r12), %r12\n"
	"	jmp *%rcx\n");

/* A rewritten site's call (rewrite.c).  zpoline's `call *%rax` arrives
 * through the sled with its return address on the program's stack; a
 * stub's jump arrives with %rcx = where the program resumes.  Both save
 * the flags and two scratch registers below the red zone, then build a
 * context laid out as the SIGSYS handler's (struct kucontext at a 320-byte
 * frame): below the current %rsp when that is on the thread's signal
 * stack or on the monitor's own (a handler that interrupted a call), else
 * at the top of the monitor's own stack (the program's signal stack may be
 * small).  Nothing but %rcx and %r11 (which `syscall` clobbers)
 * changes before the context holds the program's registers.
 * Then the program resumes from the context (%rip, %rsp, flags and
 * registers, as after a trapped call's handler; %rcx and %r11 hold the
 * way back, as `syscall` leaves them clobbered). */
#define RW_FRAME "320"
#define RW_ALT "262144" /* MON_ALT_SIZE */
_Static_assert(MON_ALT_SIZE == 262144, "arch.c: RW_ALT");
#define RW_RESTORE							\
	"	mov 40(%rsp), %r8\n"						\
	"	mov 48(%rsp), %r9\n"						\
	"	mov 56(%rsp), %r10\n"						\
	"	mov 72(%rsp), %r12\n"						\
	"	mov 80(%rsp), %r13\n"						\
	"	mov 88(%rsp), %r14\n"						\
	"	mov 96(%rsp), %r15\n"						\
	"	mov 104(%rsp), %rdi\n"						\
	"	mov 112(%rsp), %rsi\n"						\
	"	mov 120(%rsp), %rbp\n"						\
	"	mov 128(%rsp), %rbx\n"						\
	"	mov 136(%rsp), %rdx\n"						\
	"	mov 144(%rsp), %rax\n"						\
	"	mov 168(%rsp), %rcx\n"						\
	"	mov 160(%rsp), %r11\n"						\
	"	lea 176(%rsp), %rsp\n"						\
	"	popfq\n"							\
	"	mov %r11, %rsp\n"
__asm__(".text\n"
	".globl mon_rw_entry_z\n"
	"mon_rw_entry_z:\n"
	"	pop %rcx\n"
	"	lea -128(%rsp), %rsp\n"
	"	pushfq\n"
	"	push %rax\n"
	"	push %rdx\n"
	"	mov $1, %eax\n" /* F_ZPOLINE */
	"	jmp 1f\n"
	".globl mon_rw_entry_j\n"
	"mon_rw_entry_j:\n"
	"	lea -128(%rsp), %rsp\n"
	"	pushfq\n"
	"	push %rax\n"
	"	push %rdx\n"
	"	mov $2, %eax\n" /* a stub */
	"1:	lea 152(%rsp), %r11\n"
	"	mov %gs:16, %rdx\n"
	"	cmp %rdx, %r11\n"
	"	jbe 4f\n"
	"	cmp %gs:24, %r11\n"
	"	jbe 5f\n"
	"4:	mov %gs:8, %rdx\n"
	"	cmp %rdx, %r11\n"
	"	jbe 2f\n"
	"	add $" RW_ALT ", %rdx\n"
	"	cmp %rdx, %r11\n"
	"	ja 2f\n"
	"5:	lea -256(%r11), %rdx\n"
	"	jmp 3f\n"
	"2:	mov %gs:8, %rdx\n"
	"	add $" RW_ALT ", %rdx\n"
	"3:	and $-64, %rdx\n"
	"	sub $" RW_FRAME ", %rdx\n"
	"	mov %r8, 40(%rdx)\n"
	"	mov %r9, 48(%rdx)\n"
	"	mov %r10, 56(%rdx)\n"
	"	mov %r12, 72(%rdx)\n"
	"	mov %r13, 80(%rdx)\n"
	"	mov %r14, 88(%rdx)\n"
	"	mov %r15, 96(%rdx)\n"
	"	mov %rdi, 104(%rdx)\n"
	"	mov %rsi, 112(%rdx)\n"
	"	mov %rbp, 120(%rdx)\n"
	"	mov %rbx, 128(%rdx)\n"
	"	mov 0(%rsp), %r8\n"
	"	mov %r8, 136(%rdx)\n"  /* rdx */
	"	mov 8(%rsp), %r8\n"
	"	mov %r8, 144(%rdx)\n"  /* rax */
	"	mov %rcx, 152(%rdx)\n" /* rcx */
	"	mov %rcx, 64(%rdx)\n"  /* r11: clobbered */
	"	mov %r11, 160(%rdx)\n" /* rsp */
	"	mov %rcx, 168(%rdx)\n" /* rip */
	"	mov 16(%rsp), %r8\n"
	"	mov %r8, 176(%rdx)\n"  /* eflags */
	/* MON_UC_FAST; the rest of the context (mask, signal stack, x87/SSE
	 * state, fault fields) is filled only when a handler is shown it
	 * (signal.c): each cache line written here costs the call time. */
	"	movq $0x40000000, 0(%rdx)\n"
	"	mov %eax, %esi\n"
	"	mov %rdx, %rsp\n"
	"	mov %rsp, %rdi\n"
	"	cld\n"
	"	call mon_rw_call\n"
	RW_RESTORE
	"	jmp *%rcx\n");

__asm__(".text\n"
	".globl mon_copy_str\n"
	"mon_copy_str:\n"
	"	xor %eax, %eax\n"
	"1:	cmp %rdx, %rax\n"
	"	jae 3f\n"
	".globl mon_copy_load\n"
	"mon_copy_load:\n"
	"	movzbl (%rsi,%rax), %ecx\n"
	"	mov %cl, (%rdi,%rax)\n"
	"	test %cl, %cl\n"
	"	jz 2f\n"
	"	inc %rax\n"
	"	jmp 1b\n"
	"2:	ret\n"
	".globl mon_copy_fault\n"
	"mon_copy_fault:\n"
	"3:	mov $-1, %rax\n"
	"	ret\n");
