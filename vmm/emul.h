/* The calls the VMM handles itself instead of forwarding them. */
#ifndef HL_EMUL_H
#define HL_EMUL_H

#include "vmm/proc.h"

long emu_mmap(struct proc *p, const long a[6]);
long emu_munmap(struct proc *p, const long a[6]);
long emu_mprotect(struct proc *p, const long a[6]);
long emu_mremap(struct proc *p, const long a[6]);
long emu_brk(struct proc *p, const long a[6]);
long emu_range_call(struct proc *p, const long a[6]);
long emu_shmat(struct proc *p, const long a[6]);
long emu_shmdt(struct proc *p, const long a[6]);

#endif
