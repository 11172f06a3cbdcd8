/* The calls the VMM handles itself instead of forwarding them. */
#ifndef HL_EMUL_H
#define HL_EMUL_H

#include "vmm/proc.h"

/* The handler for call nr, or NULL to forward it (emul.c's table). */
typedef long (*sys_emul_fn)(struct thread *t, const long a[6]);
sys_emul_fn sys_emulation(long nr);

long emu_mmap(struct thread *t, const long a[6]);
long emu_munmap(struct thread *t, const long a[6]);
long emu_mprotect(struct thread *t, const long a[6]);
long emu_mremap(struct thread *t, const long a[6]);
long emu_brk(struct thread *t, const long a[6]);
long emu_range_call(struct thread *t, const long a[6]);
long emu_shmat(struct thread *t, const long a[6]);
long emu_shmdt(struct thread *t, const long a[6]);

#endif
