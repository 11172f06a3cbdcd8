/* The address a faulting instruction touched, from the instruction itself.
 * Used when the hypervisor reports a fault without it (a guest access to a
 * file page beyond EOF makes KVM_RUN fail with EFAULT, and on some
 * hypervisors no KVM_EXIT_MEMORY_FAULT says where). */
#include "vmm/decode.h"
#include "vmm/guestmem.h"

#include <capstone/capstone.h>
#include <stddef.h>

static uint64_t reg_value(const struct kvm_regs *r, const struct kvm_sregs *sr, x86_reg reg, uint64_t next)
{
	switch (reg) {
	case X86_REG_RAX: return r->rax;
	case X86_REG_RBX: return r->rbx;
	case X86_REG_RCX: return r->rcx;
	case X86_REG_RDX: return r->rdx;
	case X86_REG_RSI: return r->rsi;
	case X86_REG_RDI: return r->rdi;
	case X86_REG_RBP: return r->rbp;
	case X86_REG_RSP: return r->rsp;
	case X86_REG_R8: return r->r8;
	case X86_REG_R9: return r->r9;
	case X86_REG_R10: return r->r10;
	case X86_REG_R11: return r->r11;
	case X86_REG_R12: return r->r12;
	case X86_REG_R13: return r->r13;
	case X86_REG_R14: return r->r14;
	case X86_REG_R15: return r->r15;
	case X86_REG_RIP: return next;
	case X86_REG_FS: return sr->fs.base;
	case X86_REG_GS: return sr->gs.base;
	default: return 0;
	}
}

uint64_t decode_mem_address(const struct kvm_regs *r, const struct kvm_sregs *sr)
{
	uint8_t code[16];
	csh cs;
	cs_insn *insn;
	uint64_t addr = 0;
	if (gm_read_guest(code, r->rip, sizeof(code)) <= 0 || cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK)
		return 0;
	cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
	if (cs_disasm(cs, code, sizeof(code), r->rip, 1, &insn) == 1) {
		const cs_x86 *x = &insn->detail->x86;
		for (int i = 0; i < x->op_count; i++) {
			const x86_op_mem *m = &x->operands[i].mem;
			if (x->operands[i].type != X86_OP_MEM)
				continue;
			uint64_t next = r->rip + insn->size;
			addr = reg_value(r, sr, m->segment, next) + reg_value(r, sr, m->base, next) +
			       reg_value(r, sr, m->index, next) * (uint64_t)m->scale + (uint64_t)m->disp;
			break;
		}
		cs_free(insn, 1);
	}
	cs_close(&cs);
	return addr;
}
