#ifndef HL_REWRITE_H
#define HL_REWRITE_H

#include "vmm/proc.h"

#include <stdbool.h>
#include <stdint.h>

int rewrite_init(void);
/* In a forked child: write into our own memory, not the parent's. */
void rewrite_after_fork(void);
/* Rewrite the `syscall` at site (which just trapped) to exit directly.
 * This and the calls that change the site table below take p->mm for
 * writing; the lookups, for reading. */
bool rewrite_site(struct proc *p, uint64_t site);
/* Is addr a rewritten site (whose `out` is a system call) for a vCPU that
 * entered the guest when p->rw_gen was since? */
bool rewrite_is_site(const struct proc *p, uint64_t addr, uint64_t since);
/* Is an exception at addr one that patching a site there caused (it now
 * holds a whole `syscall` or `out` again)?  Then the guest runs it again. */
bool rewrite_patch_race(const struct proc *p, uint64_t addr);
/* Put the `syscall` back at a live site that holds our `out`; false when
 * it is no such site. */
bool rewrite_undo(struct proc *p, uint64_t site);
/* [start, end) gets protection prot: put the sites there back to `syscall`
 * unless it stays executable and read-only. */
void rewrite_protect(struct proc *p, uint64_t start, uint64_t end, int prot);
/* [start, end) is unmapped or mapped over: its sites and shared ranges go. */
void rewrite_unmap(struct proc *p, uint64_t start, uint64_t end);
/* mremap moved [old, old + olen) to [new, new + nlen). */
void rewrite_move(struct proc *p, uint64_t old, uint64_t olen, uint64_t new, uint64_t nlen);
/* MAP_SHARED guest ranges, which are never rewritten. */
void rewrite_note_shared(struct proc *p, uint64_t start, uint64_t end);
bool rewrite_is_shared(const struct proc *p, uint64_t start, uint64_t end);
void rewrite_forget_shared(struct proc *p, uint64_t start, uint64_t end);

#endif
