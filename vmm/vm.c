#include "vmm/vm.h"
#include "vmm/util.h"

#include <cpuid.h>
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#define PT_POOL_PAGES (64ull << 10) /* 256 MiB of page tables, touched lazily */
#define GPA_BITS_MAX 46
#define CPUID_MAX_ENT 256

#define CR0_PE (1ull << 0)
#define CR0_MP (1ull << 1)
#define CR0_ET (1ull << 4)
#define CR0_NE (1ull << 5)
#define CR0_WP (1ull << 16)
#define CR0_AM (1ull << 18)
#define CR0_PG (1ull << 31)
#define CR4_PAE (1ull << 5)
#define CR4_OSFXSR (1ull << 9)
#define CR4_OSXMMEXCPT (1ull << 10)
#define CR4_FSGSBASE (1ull << 16)
#define CR4_OSXSAVE (1ull << 18)
#define EFER_SCE (1ull << 0)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)
#define EFER_NXE (1ull << 11)

#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_SFMASK 0xc0000084
#define MSR_KERNEL_GS_BASE 0xc0000102
/* What Linux masks on SYSCALL: TF, DF, IF, IOPL, AC, NT. */
#define SFMASK_LINUX 0x47700ull

/* ---- the VMM's own file descriptors ---- */

/* One per vCPU plus a few: enough for a thousand guest threads. */
#define VMM_FDS_MAX 1100
static int vmm_fds[VMM_FDS_MAX];
static int n_vmm_fds;
static pthread_mutex_t fd_lock = PTHREAD_MUTEX_INITIALIZER;

/* Above the guest's soft RLIMIT_NOFILE when the hard limit allows, so the
 * guest's descriptors get the numbers they would get natively and the
 * guest can never allocate ours. */
int vm_hide_fd(int fd)
{
	struct rlimit rl, raised;
	getrlimit(RLIMIT_NOFILE, &rl);
	raised = rl;
	rlim_t base = rl.rlim_cur;
	pthread_mutex_lock(&fd_lock);
	if (rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= rl.rlim_cur + VMM_FDS_MAX) {
		raised.rlim_cur = rl.rlim_cur + VMM_FDS_MAX;
	} else {
		/* No room above the limit: take the top sixteenth below it
		 * (at least 32, for as many threads' vCPUs), where a guest
		 * reaches only when it nearly runs out of fds anyway. */
		rlim_t reserve = rl.rlim_cur / 16 < 32 ? 32 : rl.rlim_cur / 16;
		reserve = reserve > VMM_FDS_MAX ? VMM_FDS_MAX : reserve;
		base = rl.rlim_cur > reserve + 32 ? rl.rlim_cur - reserve : 3;
	}
	setrlimit(RLIMIT_NOFILE, &raised);
	int nfd = fcntl(fd, F_DUPFD_CLOEXEC, (int)base);
	setrlimit(RLIMIT_NOFILE, &rl);
	if (nfd < 0 || n_vmm_fds == (int)ARRAY_SIZE(vmm_fds))
		die("cannot move a VMM file descriptor out of the guest's range: %s", strerror(errno));
	close(fd);
	vmm_fds[n_vmm_fds++] = nfd;
	pthread_mutex_unlock(&fd_lock);
	return nfd;
}

void vm_after_fork(void)
{
	pthread_mutex_init(&fd_lock, NULL);
}

void vm_unhide_fd(int fd)
{
	pthread_mutex_lock(&fd_lock);
	for (int i = 0; i < n_vmm_fds; i++)
		if (vmm_fds[i] == fd)
			vmm_fds[i] = vmm_fds[--n_vmm_fds];
	pthread_mutex_unlock(&fd_lock);
	close(fd);
}

void vm_keep_on_exec(int fd, int keep)
{
	fcntl(fd, F_SETFD, keep ? 0 : FD_CLOEXEC);
}

int vm_is_vmm_fd(long fd)
{
	for (int i = 0; i < n_vmm_fds; i++)
		if ((int)fd == vmm_fds[i] && fd >= 0)
			return 1;
	return 0;
}

void vm_vmm_fd_range(int *lo, int *hi)
{
	*lo = n_vmm_fds ? vmm_fds[0] : -1;
	*hi = *lo;
	for (int i = 0; i < n_vmm_fds; i++) {
		*lo = vmm_fds[i] < *lo ? vmm_fds[i] : *lo;
		*hi = vmm_fds[i] > *hi ? vmm_fds[i] : *hi;
	}
}

/* ---- CPL0 pages ---- */

/* Vectors for which the CPU pushes an error code. */
static int has_error_code(int v)
{
	return v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 || v == 29 || v == 30;
}

static void write_code(struct vm *vm)
{
	uint8_t *code = vm->sys_code;
	static const uint8_t tramp[] = {0xe6, HL_PORT_SYSCALL, 0xf4, 0xeb, 0xfd};
	memcpy(code + SYS_TRAMPOLINE, tramp, sizeof(tramp));
	for (int v = 0; v < 32; v++) {
		uint8_t *p = code + SYS_EXC_STUBS + v * SYS_EXC_STUB_SIZE;
		if (!has_error_code(v)) {
			*p++ = 0x6a; /* push $0: same frame shape for every vector */
			*p++ = 0;
		}
		*p++ = 0x6a;
		*p++ = (uint8_t)v;
		*p++ = 0xe6;
		*p++ = HL_PORT_EXCEPTION;
		*p++ = 0xf4;
	}
	/* CPL3 loops: `out` (the raw exit floor) and `syscall` (the trampoline
	 * round trip), each followed by a jump back to itself. */
	static const uint8_t cal[] = {0xe6, HL_PORT_CALIBRATE, 0xeb, 0xfc};
	static const uint8_t cal_sys[] = {0x0f, 0x05, 0xeb, 0xfc};
	memcpy(code + SYS_CALIBRATE, cal, sizeof(cal));
	memcpy(code + SYS_CALIBRATE + 8, cal_sys, sizeof(cal_sys));
	uint8_t *m = code + SYS_CALIBRATE + 16;
	int32_t disp = (int32_t)((int64_t)(uint64_t)vm->doorbell - (int64_t)(uint64_t)(m + 6));
	m[0] = 0x88; /* mov %al, doorbell(%rip); jmp back */
	m[1] = 0x05;
	memcpy(m + 2, &disp, 4);
	m[6] = 0xeb;
	m[7] = 0xf8;
}

#define GDT_OFF 0x000
#define TSS_OFF 0x100
#define IDT_OFF 0x200
/* Entry 15 is Linux's GDT_ENTRY_CPUNODE: the vDSO's getcpu reads it with
 * `lsl` on CPUs without RDPID. */
#define GDT_ENTRIES 16
#define GDT_CPUNODE 15
#define MSR_TSC_AUX 0xc0000103
#define TSS_IOMAP 104
#define TSS_LIMIT (TSS_IOMAP + 32)
#define TSS_BUSY 0xb
#define TSS_AVAILABLE 0x9

/* The type of the TSS in TR.  Busy is what LTR leaves, what VMX demands at
 * VM entry, and what kvm-pvm and AMD hardware take.  QEMU's software CPU
 * consults the I/O permission bitmap only for an available TSS, and
 * raises #GP at every CPL3 `out` otherwise, so under QEMU's emulated SVM
 * the TSS is marked available (probe_io() finds out).  One platform per
 * process: forks inherit it, an exec probes again. */
static uint8_t tss_type = TSS_BUSY;

/* KVM on SVM reports TR as busy whatever was set: every sregs written
 * back would bring the #GP back. */
void vm_fix_tss(struct kvm_sregs *sr)
{
	sr->tr.type = tss_type;
}

static void write_tables(struct vm *vm, uint8_t *data, uint8_t *exc_stack)
{
	uint64_t *gdt = (uint64_t *)(data + GDT_OFF);
	/* Accessed bits preset: the page is read-only to the guest. */
	gdt[SEL_KERNEL_CS >> 3] = 0x00af9b000000ffffull;
	gdt[SEL_KERNEL_DS >> 3] = 0x00cf93000000ffffull;
	gdt[SEL_USER32_CS >> 3] = 0x00cffb000000ffffull;
	gdt[SEL_USER_DS >> 3] = 0x00cff3000000ffffull;
	gdt[SEL_USER_CS >> 3] = 0x00affb000000ffffull;
	uint64_t tss = (uint64_t)data + TSS_OFF;
	gdt[SEL_TSS >> 3] = TSS_LIMIT | ((tss & 0xffffff) << 16) | (0x8bull << 40) |
			    (((tss >> 24) & 0xff) << 56);
	gdt[(SEL_TSS >> 3) + 1] = tss >> 32;

	uint8_t *t = data + TSS_OFF;
	uint64_t ist = (uint64_t)exc_stack + PAGE_SIZE;
	memcpy(t + 4, &ist, 8);      /* RSP0 */
	memcpy(t + 36, &ist, 8);     /* IST1: every vector uses it */
	uint16_t iomap = TSS_IOMAP;
	memcpy(t + 102, &iomap, 2);
	/* Ports 0-255 in the I/O permission bitmap: only the VMM's exit ports
	 * are open to CPL3, for the exits that do not change privilege. */
	memset(t + TSS_IOMAP, 0xff, 33);
	for (int port = HL_PORT_SYSCALL; port <= HL_PORT_CALIBRATE; port++)
		t[TSS_IOMAP + port / 8] &= (uint8_t)~(1u << (port % 8));

	for (int v = 0; v < 32; v++) {
		uint64_t h = (uint64_t)vm->sys_code + SYS_EXC_STUBS + v * SYS_EXC_STUB_SIZE;
		/* int3 and into are allowed from user mode, as on Linux. */
		uint64_t type = (v == 3 || v == 4) ? 0xee : 0x8e;
		uint64_t *g = (uint64_t *)(data + IDT_OFF + v * 16);
		g[0] = (h & 0xffff) | ((uint64_t)SEL_KERNEL_CS << 16) | (1ull << 32) | (type << 40) |
		       (((h >> 16) & 0xffff) << 48);
		g[1] = h >> 32;
	}
}

static uint8_t *sys_page(void)
{
	void *p = mmap(NULL, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	return p;
}

static void map_sys_pages(struct vm *vm)
{
	vm->sys_code = sys_page();
	/* A page of address space of ours whose guest mapping has nothing
	 * behind it: the doorbell for MMIO exits. */
	vm->doorbell = mmap(NULL, PAGE_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm->doorbell == MAP_FAILED || gm_map_mmio(&vm->mem, (uint64_t)vm->doorbell, vm->mem.gpa_limit - PAGE_SIZE))
		die("cannot map the doorbell page");
	write_code(vm);
	mprotect(vm->sys_code, PAGE_SIZE, PROT_READ | PROT_EXEC);
	if (gm_map_sys(&vm->mem, (uint64_t)vm->sys_code, (uint64_t)vm->sys_code + PAGE_SIZE,
		       PROT_READ | PROT_EXEC))
		die("cannot map the VMM's CPL0 code into the guest");
}

/* The tables and IST stack of one vCPU, reused from a vCPU that ended. */
static int vcpu_pages(struct vm *vm, struct vcpu *c)
{
	if (vm->nfree) {
		vm->nfree--;
		c->data = vm->free_pages[vm->nfree][0];
		c->exc_stack = vm->free_pages[vm->nfree][1];
		return 0;
	}
	c->data = sys_page();
	c->exc_stack = sys_page();
	write_tables(vm, c->data, c->exc_stack);
	mprotect(c->data, PAGE_SIZE, PROT_READ);
	if (gm_map_sys(&vm->mem, (uint64_t)c->data, (uint64_t)c->data + PAGE_SIZE, PROT_READ) ||
	    gm_map_sys(&vm->mem, (uint64_t)c->exc_stack, (uint64_t)c->exc_stack + PAGE_SIZE,
		       PROT_READ | PROT_WRITE))
		return -ENOMEM;
	return 0;
}

/* ---- CPUID and XCR0 ---- */

static struct kvm_cpuid2 *supported_cpuid(int kvm_fd)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + CPUID_MAX_ENT * sizeof(c->entries[0]));
	c->nent = CPUID_MAX_ENT;
	if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c))
		die("KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
	return c;
}

static struct kvm_cpuid_entry2 *cpuid_find(struct kvm_cpuid2 *c, uint32_t fn, uint32_t idx)
{
	for (uint32_t i = 0; i < c->nent; i++)
		if (c->entries[i].function == fn && c->entries[i].index == idx)
			return &c->entries[i];
	return NULL;
}

static uint64_t host_xcr0(void)
{
	uint32_t lo, hi;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return ((uint64_t)hi << 32) | lo;
}

static int fsgsbase_supported(struct kvm_cpuid2 *c)
{
	struct kvm_cpuid_entry2 *e = cpuid_find(c, 7, 0);
	return e && (e->ebx & 1);
}

static struct kvm_cpuid2 *vm_cpuid;

/* Bytes of the user (non-compacted) XSAVE image for the features in xcr0:
 * what a Linux signal frame holds. */
static uint32_t xstate_size(uint64_t xcr0)
{
	uint32_t size = 512 + 64;
	for (int i = 2; i < 63; i++) {
		if (!((xcr0 >> i) & 1))
			continue;
		uint32_t a, b, c, d;
		__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0xd), "c"(i));
		size = b + a > size ? b + a : size;
	}
	return size;
}

static void setup_cpuid(struct vm *vm)
{
	struct kvm_cpuid2 *c = supported_cpuid(vm->kvm_fd);
	struct kvm_cpuid_entry2 *e = cpuid_find(c, 0x80000008, 0);
	vm->gpa_bits = e ? (int)(e->eax & 0xff) : 36;
	vm->gpa_bits = vm->gpa_bits > GPA_BITS_MAX ? GPA_BITS_MAX : vm->gpa_bits;
	e = cpuid_find(c, 0xd, 0);
	uint64_t supported = e ? ((uint64_t)e->edx << 32 | e->eax) : 3;
	/* The guest may use exactly the state components the host kernel
	 * enabled for us (AVX-512 included, AMX only with permission). */
	vm->xcr0 = host_xcr0() & supported;
	vm->xstate_size = xstate_size(vm->xcr0);
	vm_cpuid = c;
}

/* ---- creation and reset ---- */

static long kvm_check(int fd, long cap)
{
	long r = ioctl(fd, KVM_CHECK_EXTENSION, cap);
	return r < 0 ? 0 : r;
}

static void open_vm(struct vm *vm)
{
	int fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (fd < 0)
		die("KVM_CREATE_VM: %s", strerror(errno));
	vm->vm_fd = vm_hide_fd(fd);
}

void vm_create(struct vm *vm)
{
	memset(vm, 0, sizeof(*vm));
	int kfd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kfd < 0)
		die("/dev/kvm: %s", strerror(errno));
	vm->kvm_fd = vm_hide_fd(kfd);
	if (ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION)
		die("unsupported KVM API version");
	long need = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
	if ((kvm_check(vm->kvm_fd, KVM_CAP_SYNC_REGS) & need) != need)
		die("KVM lacks KVM_CAP_SYNC_REGS for regs and sregs");
	if (!kvm_check(vm->kvm_fd, KVM_CAP_IMMEDIATE_EXIT))
		die("KVM lacks KVM_CAP_IMMEDIATE_EXIT (signals could not interrupt a vCPU)");
	open_vm(vm);
	vm->run_size = (size_t)ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	setup_cpuid(vm);
	long slots = kvm_check(vm->vm_fd, KVM_CAP_NR_MEMSLOTS);
	int r = gm_init(&vm->mem, vm->vm_fd, PT_POOL_PAGES, slots > 0 ? (uint32_t)slots : 32, vm->gpa_bits);
	if (r)
		die("guest page tables: %s", strerror(-r));
	map_sys_pages(vm);
}

int vm_rebuild(struct vm *vm)
{
	open_vm(vm);
	vm->next_vcpu_id = 0;
	return gm_rebind(&vm->mem, vm->vm_fd);
}

static void setup_msrs(struct vm *vm, struct vcpu *c);

/* The guest reads the host's clock through the vDSO with its own rdtsc:
 * only right when its TSC is the host's. */
static int zero_tsc_offset(int fd)
{
	uint64_t zero = 0;
	struct kvm_device_attr a = {.group = KVM_VCPU_TSC_CTRL, .attr = KVM_VCPU_TSC_OFFSET,
				    .addr = (uint64_t)&zero};
	return ioctl(fd, KVM_SET_DEVICE_ATTR, &a) ? -errno : 0;
}

int vm_map_vdso(struct vm *vm, uint64_t *base)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[512];
	int r = -ENOENT;
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		char name[64] = "";
		if (sscanf(line, "%lx-%lx %*s %*s %*s %*s %63s", &lo, &hi, name) < 2)
			continue;
		bool vdso = !strcmp(name, "[vdso]"), vvar = !strncmp(name, "[vvar", 5);
		if (!vdso && !vvar)
			continue;
		/* Page tables only: the guest reads them, never maps over them. */
		if (gm_map_sys(&vm->mem, lo, hi, PROT_READ | (vdso ? PROT_EXEC : 0)))
			break;
		if (vdso)
			*base = lo, r = 0;
	}
	fclose(f);
	return r;
}

/* One CPL3 `out` to the calibration port with IOPL 0, through the TSS
 * I/O bitmap as at a rewritten site.  The port it exited on (the
 * exception port when it faulted), 0 when KVM_RUN failed; *rip is where
 * KVM left %rip. */
static int probe_out(struct vm *vm, struct vcpu *c, uint64_t *rip)
{
	uint64_t code = (uint64_t)vm->sys_code + SYS_CALIBRATE;
	vm_reset_vcpu(vm, c, code, (uint64_t)c->exc_stack + PAGE_SIZE - 64);
	c->run->immediate_exit = 0;
	int r, tries = 0;
	while ((r = ioctl(c->fd, KVM_RUN, 0)) < 0 && errno == EINTR && ++tries < 10)
		;
	if (r < 0 || c->run->exit_reason != KVM_EXIT_IO)
		return 0;
	*rip = c->run->s.regs.regs.rip;
	return c->run->io.port;
}

/* What kvm-pvm, VMX and SVM (hardware or QEMU's) differ on, asked once
 * per VM before the guest runs: whether a CPL3 `out` needs an available
 * TSS (tss_type), or cannot work at all (then every call goes through
 * the LSTAR trampoline), and where KVM leaves %rip after it.  The vCPU's
 * registers are set again by the caller. */
static void probe_io(struct vm *vm, struct vcpu *c)
{
	uint64_t code = (uint64_t)vm->sys_code + SYS_CALIBRATE, rip = 0;
	vm->io_probed = true;
	int port = probe_out(vm, c, &rip);
	if (port == HL_PORT_EXCEPTION) {
		tss_type = TSS_AVAILABLE;
		port = probe_out(vm, c, &rip);
	}
	if (port == HL_PORT_EXCEPTION) {
		tss_type = TSS_BUSY;
		vm->no_cpl3_out = true;
	}
	if (port == HL_PORT_CALIBRATE && (rip == code || rip == code + 2)) {
		vm->io_rip_known = true;
		vm->io_rip_on_insn = rip == code;
	}
}

int vm_add_vcpu(struct vm *vm, struct vcpu *c)
{
	memset(c, 0, sizeof(*c));
	int r = vcpu_pages(vm, c);
	if (r)
		return r;
	int fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, vm->next_vcpu_id);
	if (fd < 0)
		return errno == EINVAL || errno == ENOSPC ? -EAGAIN : -errno;
	c->id = vm->next_vcpu_id++;
	c->host_cpu = -1;
	c->fd = vm_hide_fd(fd);
	c->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd, 0);
	if (c->run == MAP_FAILED) {
		vm_unhide_fd(c->fd);
		return -ENOMEM;
	}
	if (ioctl(c->fd, KVM_SET_CPUID2, vm_cpuid))
		die("KVM_SET_CPUID2: %s", strerror(errno));
	setup_msrs(vm, c);
	if (vm->vdso && zero_tsc_offset(c->fd))
		vm->vdso_broken = true;
	if (!vm->io_probed)
		probe_io(vm, c);
	return 0;
}

/* The vDSO's getcpu reads the CPU and node from TSC_AUX (RDPID, RDTSCP)
 * or from the limit of GDT entry 15 (LSL), which Linux sets per CPU.  In a
 * guest both are the vCPU's: they follow the host CPU the vCPU thread runs
 * on, as seen at each exit (getcpu(2) too is only a hint: the thread may
 * move right after).  kvm-pvm keeps the host's own values in user mode, and
 * these writes change nothing there. */
static bool host_has_rdpid(void)
{
	static int has = -1;
	if (has < 0) {
		unsigned a, b, c, d;
		has = __get_cpuid_count(7, 0, &a, &b, &c, &d) && (c & (1u << 22));
	}
	return has;
}

void vm_note_host_cpu(struct vcpu *c)
{
	unsigned cpu, node;
	if (getcpu(&cpu, &node) || (int)cpu == c->host_cpu)
		return;
	c->host_cpu = (int)cpu;
	uint64_t aux = ((uint64_t)node << 12) | (cpu & 0xfff);
	if (!host_has_rdpid()) {
		/* Present, DPL 3, read/write data, byte granular: LSL gives
		 * aux.  The page is read-only to keep forwarded calls off it. */
		uint64_t *gdt = (uint64_t *)(c->data + GDT_OFF);
		mprotect(c->data, PAGE_SIZE, PROT_READ | PROT_WRITE);
		gdt[GDT_CPUNODE] = (aux & 0xffff) | (0xf3ull << 40) | (((aux >> 16) & 0xf) << 48) | (1ull << 54);
		mprotect(c->data, PAGE_SIZE, PROT_READ);
	}
	struct {
		struct kvm_msrs h;
		struct kvm_msr_entry e;
	} m = {.h = {.nmsrs = 1}, .e = {.index = MSR_TSC_AUX, .data = aux}};
	ioctl(c->fd, KVM_SET_MSRS, &m);
}

void vm_remove_vcpu(struct vm *vm, struct vcpu *c)
{
	munmap(c->run, vm->run_size);
	vm_unhide_fd(c->fd);
	if (vm->nfree < (int)ARRAY_SIZE(vm->free_pages)) {
		vm->free_pages[vm->nfree][0] = c->data;
		vm->free_pages[vm->nfree][1] = c->exc_stack;
		vm->nfree++;
	}
	c->fd = -1;
	c->run = NULL;
}

static void set_seg(struct kvm_segment *s, uint16_t sel, uint8_t type, uint8_t dpl, int code)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->limit = 0xffffffff;
	s->type = type;
	s->present = 1;
	s->dpl = dpl;
	s->s = 1;
	s->g = 1;
	s->l = code;
	s->db = !code;
}

static void setup_sregs(struct vm *vm, struct vcpu *c)
{
	struct kvm_sregs sr;
	if (ioctl(c->fd, KVM_GET_SREGS, &sr))
		die("KVM_GET_SREGS: %s", strerror(errno));
	sr.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_PG;
	sr.cr3 = gm_cr3(&vm->mem);
	sr.cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_OSXSAVE |
		 (fsgsbase_supported(vm_cpuid) ? CR4_FSGSBASE : 0);
	sr.efer = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE;
	set_seg(&sr.cs, SEL_USER_CS, 0xb, 3, 1);
	set_seg(&sr.ss, SEL_USER_DS, 0x3, 3, 0);
	sr.ds = sr.es = sr.fs = sr.gs = sr.ss;
	sr.ds.selector = sr.es.selector = sr.fs.selector = sr.gs.selector = 0;
	memset(&sr.tr, 0, sizeof(sr.tr));
	sr.tr.selector = SEL_TSS;
	sr.tr.base = (uint64_t)c->data + TSS_OFF;
	sr.tr.limit = TSS_LIMIT;
	sr.tr.type = tss_type;
	sr.tr.present = 1;
	memset(&sr.ldt, 0, sizeof(sr.ldt));
	sr.ldt.unusable = 1;
	sr.gdt.base = (uint64_t)c->data + GDT_OFF;
	sr.gdt.limit = GDT_ENTRIES * 8 - 1;
	sr.idt.base = (uint64_t)c->data + IDT_OFF;
	sr.idt.limit = 32 * 16 - 1;
	if (ioctl(c->fd, KVM_SET_SREGS, &sr))
		die("KVM_SET_SREGS: %s", strerror(errno));
}

static void setup_msrs(struct vm *vm, struct vcpu *c)
{
	struct kvm_msr_entry e[5] = {
		{.index = MSR_STAR, .data = ((uint64_t)SEL_USER32_CS << 48) | ((uint64_t)SEL_KERNEL_CS << 32)},
		{.index = MSR_LSTAR, .data = (uint64_t)vm->sys_code + SYS_TRAMPOLINE},
		{.index = MSR_CSTAR, .data = (uint64_t)vm->sys_code + SYS_TRAMPOLINE},
		{.index = MSR_SFMASK, .data = SFMASK_LINUX},
		{.index = MSR_KERNEL_GS_BASE, .data = 0},
	};
	struct kvm_msrs *m = calloc(1, sizeof(*m) + sizeof(e));
	m->nmsrs = 5;
	memcpy(m->entries, e, sizeof(e));
	int set = ioctl(c->fd, KVM_SET_MSRS, m);
	free(m);
	if (set != 5)
		die("KVM_SET_MSRS failed");
	struct kvm_xcrs x = {.nr_xcrs = 1, .xcrs = {{.xcr = 0, .value = vm->xcr0}}};
	if (ioctl(c->fd, KVM_SET_XCRS, &x))
		die("KVM_SET_XCRS (xcr0 %#llx): %s", (unsigned long long)vm->xcr0, strerror(errno));
}

void vm_reset_vcpu(struct vm *vm, struct vcpu *c, uint64_t rip, uint64_t rsp)
{
	setup_sregs(vm, c);
	struct kvm_regs regs = {.rip = rip, .rsp = rsp, .rflags = RFLAGS_FIXED | RFLAGS_IF};
	if (ioctl(c->fd, KVM_SET_REGS, &regs))
		die("KVM_SET_REGS: %s", strerror(errno));
	c->run->kvm_valid_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
	c->run->kvm_dirty_regs = 0;
}

/* The tables' addresses in a copied sregs (a new thread's, or a forked
 * child's) must be this vCPU's own. */
void vm_own_tables(struct vcpu *c, struct kvm_sregs *sr)
{
	sr->tr.base = (uint64_t)c->data + TSS_OFF;
	sr->gdt.base = (uint64_t)c->data + GDT_OFF;
	sr->idt.base = (uint64_t)c->data + IDT_OFF;
	vm_fix_tss(sr);
}

/* KVM_GET_XSAVE2 (when the state is larger than 4 KiB) returns the same
 * non-compacted layout as XSAVE, which is what signal frames use. */
static size_t kvm_xsave_size(struct vm *vm)
{
	long n = kvm_check(vm->kvm_fd, KVM_CAP_XSAVE2);
	return n > (long)sizeof(struct kvm_xsave) ? (size_t)n : sizeof(struct kvm_xsave);
}

int vm_get_xstate(struct vm *vm, struct vcpu *c, void *buf)
{
	size_t n = kvm_xsave_size(vm);
	struct kvm_xsave *x = calloc(1, n);
	if (!x)
		return -ENOMEM;
	int r = ioctl(c->fd, n > sizeof(*x) ? KVM_GET_XSAVE2 : KVM_GET_XSAVE, x) ? -errno : 0;
	if (!r)
		memcpy(buf, x, vm->xstate_size);
	free(x);
	return r;
}

int vm_set_xstate(struct vm *vm, struct vcpu *c, const void *buf)
{
	size_t n = kvm_xsave_size(vm);
	struct kvm_xsave *x = calloc(1, n);
	if (!x)
		return -ENOMEM;
	memcpy(x, buf, vm->xstate_size);
	int r = ioctl(c->fd, KVM_SET_XSAVE, x) ? -errno : 0;
	free(x);
	return r;
}

void vm_return_to_user(struct kvm_run *run, uint64_t rip, uint64_t rflags)
{
	struct kvm_sregs *sr = &run->s.regs.sregs;
	run->s.regs.regs.rip = rip;
	run->s.regs.regs.rflags = (rflags & ~(1ull << 16 | 1ull << 17)) | RFLAGS_FIXED;
	run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
	/* Some hypervisors (PVM) run the LSTAR target without leaving user
	 * mode; only a real privilege change needs the (costly) sregs write. */
	if ((sr->cs.selector & 3) == 3)
		return;
	sr->cs.selector = SEL_USER_CS;
	sr->cs.dpl = 3;
	sr->cs.type = 0xb;
	sr->cs.l = 1;
	sr->cs.db = 0;
	sr->ss.selector = SEL_USER_DS;
	sr->ss.dpl = 3;
	sr->ss.type = 0x3;
	sr->ss.db = 1;
	sr->ss.present = 1;
	sr->ss.s = 1;
	sr->ss.unusable = 0;
	sr->ss.limit = 0xffffffff;
	sr->ss.g = 1;
	run->kvm_dirty_regs |= KVM_SYNC_X86_SREGS;
}
