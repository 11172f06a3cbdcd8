/* What a new thread or child needs before it runs program code: the
 * registers the program had at its clone, its signal mask and x87/SSE
 * state, and the monitor's per-thread state.  arch.c reads it at fixed
 * offsets, asserted here. */
#ifndef HL_MONITOR_CLONE_H
#define HL_MONITOR_CLONE_H

#include <stddef.h>
#include <stdint.h>

struct mthread;

struct clone_blk {
	uint64_t rip, rsp, rbx, rbp, rdi, rsi, rdx, r8, r9, r10, r12, r13, r14, r15; /* 0..104 */
	uint64_t mask;          /* 112 */
	struct mthread *mt;     /* 120: the child's, or NULL (fork: inherited) */
	uint64_t flags;         /* 128: the clone flags */
	uint64_t pad[7];        /* ..191 */
	uint8_t fx[512] __attribute__((aligned(64))); /* 192 */
};
_Static_assert(offsetof(struct clone_blk, mask) == 112, "arch.c: mask");
_Static_assert(offsetof(struct clone_blk, mt) == 120, "arch.c: mt");
_Static_assert(offsetof(struct clone_blk, fx) == 192, "arch.c: fx");

/* The child's first C code (clone.c): arm SUD, its stack and state. */
void mon_child_start(struct clone_blk *b);

/* clone, clone3, fork, vfork of the program (trap.c's entry): the
 * parent's result. */
struct ucontext_t;
long mon_clone(void *uc, long nr);

#endif
