/* The KVM virtual machine of one guest process: VM and vCPU file
 * descriptors, guest memory, and the CPL0 pages (trampoline, exception
 * stubs, GDT, IDT, TSS) the CPU needs to enter the VMM. */
#ifndef HL_VM_H
#define HL_VM_H

#include "vmm/guestmem.h"

#include <linux/kvm.h>
#include <stdbool.h>
#include <stdint.h>

/* Exits to the VMM are `out %al, $port` with an immediate port, so that no
 * guest register (%dx holds a syscall argument) is needed to name it. */
#define HL_PORT_SYSCALL 0xe0   /* LSTAR trampoline, at CPL0 */
#define HL_PORT_EXCEPTION 0xe1 /* IDT stubs, at CPL0, vector on the stack */
#define HL_PORT_CALIBRATE 0xe2 /* CPL3 exit loop of `hyperloupe exit-floor` */

/* Linux's selectors, so a guest that reads %cs or %ss sees what it would
 * see natively. */
#define SEL_KERNEL_CS 0x10
#define SEL_KERNEL_DS 0x18
#define SEL_USER32_CS 0x23
#define SEL_USER_DS 0x2b
#define SEL_USER_CS 0x33
#define SEL_TSS 0x40

#define RFLAGS_IF (1ull << 9)
#define RFLAGS_IOPL3 (3ull << 12)
#define RFLAGS_FIXED (1ull << 1)

/* Offsets in the CPL0 code page. */
#define SYS_TRAMPOLINE 0x000
#define SYS_EXC_STUBS 0x100
#define SYS_EXC_STUB_SIZE 16
#define SYS_CALIBRATE 0x800 /* CPL3 `out` loop used by calibration */

/* One vCPU: a guest thread.  Each has its own GDT/TSS/IDT page and IST
 * stack, so exceptions on two vCPUs at once never share a frame. */
struct vcpu {
	int fd, id;
	struct kvm_run *run;
	uint8_t *data;      /* GDT, TSS, IDT (RO) */
	uint8_t *exc_stack; /* IST stack the stubs push the frame on (RW) */
	int host_cpu;       /* what the guest's getcpu reports (vm_note_host_cpu) */
	uint64_t pio_rip;   /* an `out` KVM has still to step over (vcpu.c) */
	uint64_t race_site; /* a site faulting race_count times in a row (vcpu.c) */
	int race_count;
};

struct vm {
	int kvm_fd, vm_fd;
	size_t run_size;
	struct guestmem mem;
	uint8_t *sys_code;  /* trampoline + exception stubs (RX), shared */
	uint8_t *doorbell;  /* guest page with no memory behind it */
	uint64_t xcr0;
	uint32_t xstate_size; /* user XSAVE image size (signal frames) */
	int gpa_bits, next_vcpu_id;
	bool io_rip_known, io_rip_on_insn; /* see vcpu.c rewritten_site() */
	bool io_probed;      /* vm_add_vcpu() ran its probe (vm.c probe_io) */
	bool no_cpl3_out;    /* a CPL3 `out` faults here: no site is rewritten */
	uint64_t vdso;       /* the host's vDSO, mirrored in the guest; 0: none */
	bool vdso_broken;    /* a vCPU's TSC could not be made the host's */
	/* CPL0 page pairs of vCPUs that ended, for the next one. */
	uint8_t *free_pages[64][2];
	int nfree;
};

/* Create the VM, without vCPUs; dies on failure (no guest yet). */
void vm_create(struct vm *vm);

/* A new vCPU with its own CPL0 tables, CPUID, MSRs and XCR0 set, its
 * registers not.  Returns 0 or -errno (-EAGAIN when KVM has no more). */
int vm_add_vcpu(struct vm *vm, struct vcpu *c);

/* Mirror the VMM's own [vdso] and [vvar*] pages into the guest's page
 * tables; *base is the vDSO's address.  0 or -errno. */
int vm_map_vdso(struct vm *vm, uint64_t *base);

/* Close the vCPU; its pages go to the free list. */
void vm_remove_vcpu(struct vm *vm, struct vcpu *c);
/* Make the guest's getcpu (vDSO) report the host CPU we are on now. */
void vm_note_host_cpu(struct vcpu *c);

/* After fork: the child's VM over its copy of the memory.  The inherited
 * VM and vCPU fds are closed by the caller; slots and page tables are the
 * same.  Returns 0 or -errno. */
int vm_rebuild(struct vm *vm);

/* Set the vCPU's CPU state for user-mode entry at rip with stack rsp. */
void vm_reset_vcpu(struct vm *vm, struct vcpu *c, uint64_t rip, uint64_t rsp);

/* Return to guest user mode after an exit from CPL0: rip/rflags from the
 * syscall registers, user CS/SS.  Works on kvm_run's sync regs only. */
void vm_return_to_user(struct kvm_run *run, uint64_t rip, uint64_t rflags);

/* Point a copied sregs at c's own GDT, TSS and IDT. */
void vm_own_tables(struct vcpu *c, struct kvm_sregs *sr);
/* Before sregs go back to KVM: the TSS type this platform needs. */
void vm_fix_tss(struct kvm_sregs *sr);

/* The guest's FPU/SSE/AVX state in the user XSAVE layout signal frames
 * use (vm->xstate_size bytes).  0 or -errno. */
int vm_get_xstate(struct vm *vm, struct vcpu *c, void *buf);
int vm_set_xstate(struct vm *vm, struct vcpu *c, const void *buf);

/* Move fd above the range the guest uses and mark it as the VMM's.
 * Returns the new fd. */
int vm_hide_fd(int fd);
/* In a forked child: the lock another thread may have held is free. */
void vm_after_fork(void);
/* Close a hidden fd and forget it. */
void vm_unhide_fd(int fd);
/* A hidden fd that must survive execve (the run's statistics). */
void vm_keep_on_exec(int fd, int keep);
/* True for the VMM's own file descriptors. */
int vm_is_vmm_fd(long fd);
/* The lowest hidden fd (close_range splits around [lo, hi]). */
void vm_vmm_fd_range(int *lo, int *hi);

#endif
