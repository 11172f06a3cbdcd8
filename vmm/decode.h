#ifndef HL_DECODE_H
#define HL_DECODE_H

#include <linux/kvm.h>
#include <stdint.h>

/* The first memory operand's address of the instruction at r->rip, or 0
 * (undecodable, or no memory operand; string instructions' implicit
 * operands are not seen). */
uint64_t decode_mem_address(const struct kvm_regs *r, const struct kvm_sregs *sr);

#endif
