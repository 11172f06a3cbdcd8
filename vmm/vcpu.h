/* The vCPU loop: KVM_RUN, then a switch on the exit reason calling small
 * handlers.  vcpu_handle_exit() only reads and writes the kvm_run structure
 * and the process state, so tests drive it with made-up exits. */
#ifndef HL_VCPU_H
#define HL_VCPU_H

#include "vmm/vm.h"

struct thread;

enum vcpu_action {
	VCPU_CONTINUE,
	VCPU_STOP,        /* the process ends: p->exiting or p->term_signal */
	VCPU_THREAD_EXIT, /* the thread called exit: t->exit_code */
};

enum vcpu_action vcpu_handle_exit(struct thread *t);

/* vcpu_exception_signal() is declared with the signals (signal.h). */

/* Mean time inside KVM_RUN for one round trip: a CPL3 `out` exit
 * (kind 0), a `syscall` through the LSTAR trampoline (1), or an MMIO store
 * (2); 0 when the calibration guest misbehaved.
 * Resets the vCPU: only for a VM whose guest has finished, or a new one. */
double vcpu_calibrate(struct vm *vm, struct vcpu *c, int kind, int iterations);

#endif
