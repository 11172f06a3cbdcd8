#ifndef HL_REWRITE_H
#define HL_REWRITE_H

#include "vmm/proc.h"

#include <stdbool.h>
#include <stdint.h>

int rewrite_init(void);
/* Rewrite the `syscall` at site (which just trapped) to exit directly. */
bool rewrite_site(struct proc *p, uint64_t site);
/* MAP_SHARED guest ranges, which are never rewritten. */
void rewrite_note_shared(struct proc *p, uint64_t start, uint64_t end);
bool rewrite_is_shared(const struct proc *p, uint64_t start, uint64_t end);
void rewrite_forget_shared(struct proc *p, uint64_t start, uint64_t end);

#endif
