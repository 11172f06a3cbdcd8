/* The syscall dispatcher: emulate what the VMM must own, validate and
 * forward the rest to the host kernel. */
#include "vmm/agent.h"
#include "vmm/apply.h"
#include "vmm/emul.h"
#include "vmm/proc.h"
#include "vmm/util.h"
#include "core/elf.h"

#include <errno.h>
#include <linux/futex.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#define PATH_CHECK_MAX 4096
#define R PROT_READ
#define W PROT_WRITE

/* Forwarded calls get the guest's pointers as they are, and the host kernel
 * faults on unmapped or wrongly protected guest memory exactly as it would
 * natively (guest protections are host protections).  The only thing to
 * stop is a pointer into the VMM's own memory: a range is refused when a
 * part of it outside the guest's mappings is mapped on the host.  Each such
 * gap is probed with MAP_FIXED_NOREPLACE, which fails where anything is
 * mapped, so the cost is paid only by pointers that leave guest memory. */
static long vmm_gap(uint64_t start, uint64_t end)
{
	if (start >= USER_VA_END)
		return 0;
	end = end > USER_VA_END ? USER_VA_END : end;
	void *r = mmap((void *)start, end - start, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
	if (r == MAP_FAILED)
		return errno == EEXIST ? -EFAULT : 0;
	munmap(r, end - start);
	return r == (void *)start ? 0 : -EFAULT;
}

long sys_check_vmm(struct proc *p, uint64_t v, uint64_t len)
{
	if (!v || !len)
		return 0;
	uint64_t start = PAGE_DOWN(v), end = v + len < v ? ~0ull : PAGE_UP(v + len);
	for (uint64_t cur = start; cur < end;) {
		const struct gm_vma *m = gm_find(&p->vm.mem, cur);
		if (m) {
			cur = m->end;
			continue;
		}
		uint64_t gend = cur;
		while (gend < end && !gm_find(&p->vm.mem, gend) && gend - cur < (1ull << 40))
			gend = gm_next_start(&p->vm.mem, gend, end);
		if (vmm_gap(cur, gend))
			return -EFAULT;
		cur = gend;
	}
	return 0;
}

static long check(struct proc *p, uint64_t v, uint64_t len, int prot)
{
	(void)prot; /* the host enforces the guest's protections itself */
	return sys_check_vmm(p, v, len);
}

/* A string the kernel reads up to its NUL (or PATH_MAX). */
static long check_str(struct proc *p, uint64_t v, uint64_t max)
{
	for (uint64_t cur = v; v && cur - v < max;) {
		const struct gm_vma *m = gm_find(&p->vm.mem, cur);
		if (!m)
			return check(p, cur, 1, R);
		char buf[256];
		uint64_t n = m->end - cur < sizeof(buf) ? m->end - cur : sizeof(buf);
		long got = gm_read_guest(buf, cur, n);
		if (got <= 0 || memchr(buf, 0, (size_t)got))
			return 0; /* unreadable guest memory: the kernel faults too */
		cur += (uint64_t)got;
	}
	return 0;
}

/* The guest passed something that may be a pointer of unknown extent: its
 * first page must not be the VMM's. */
static long not_vmm(struct proc *p, uint64_t v)
{
	return v >= PAGE_SIZE ? check(p, v, 1, R) : 0;
}

/* Read a structure the kernel will follow.  1 when it is not readable
 * guest memory (the kernel then fails the call itself), -EFAULT when it is
 * the VMM's, 0 when *out holds it. */
static long read_word(struct proc *p, uint64_t v, void *out, size_t len)
{
	long r = check(p, v, len, R);
	if (r)
		return r;
	return gm_read_guest(out, v, len) == (long)len ? 0 : 1;
}

/* ---- nested structures ---- */

static long check_iovec(struct proc *p, uint64_t v, uint64_t n, int prot)
{
	static struct iovec iov[UIO_MAXIOV];
	if (!v || n == 0 || n > UIO_MAXIOV)
		return 0; /* the kernel rejects these before touching memory */
	long r = read_word(p, v, iov, n * sizeof(*iov));
	for (uint64_t i = 0; i < n && !r; i++)
		r = check(p, (uint64_t)iov[i].iov_base, iov[i].iov_len, prot);
	return r > 0 ? 0 : r;
}

static long check_msghdr(struct proc *p, uint64_t v, bool recv)
{
	struct msghdr m;
	long r = read_word(p, v, &m, sizeof(m));
	int dir = recv ? W : R;
	if (r)
		return r > 0 ? 0 : r;
	if (!r && recv)
		r = check(p, v, sizeof(m), W);
	if (!r)
		r = check(p, (uint64_t)m.msg_name, m.msg_namelen, dir);
	if (!r)
		r = check_iovec(p, (uint64_t)m.msg_iov, m.msg_iovlen, dir);
	if (!r)
		r = check(p, (uint64_t)m.msg_control, m.msg_controllen, dir);
	return r;
}

static long check_mmsghdr(struct proc *p, uint64_t v, uint64_t n, bool recv)
{
	n = n > UIO_MAXIOV ? UIO_MAXIOV : n;
	long r = check(p, v, n * 64, W);
	for (uint64_t i = 0; i < n && !r && v; i++)
		r = check_msghdr(p, v + i * 64, recv);
	return r;
}

static long check_strarray(struct proc *p, uint64_t v)
{
	for (uint64_t i = 0; v; i++) {
		uint64_t s;
		long r = read_word(p, v + i * 8, &s, 8);
		if (r || !s)
			return r > 0 ? 0 : r;
		if ((r = check_str(p, s, PATH_CHECK_MAX * 32)))
			return r;
	}
	return 0;
}

static long check_sockaddr_out(struct proc *p, uint64_t v, uint64_t lenp)
{
	int len;
	if (!v)
		return 0;
	long r = read_word(p, lenp, &len, sizeof(len));
	if (r)
		return r > 0 ? 0 : r;
	return len > 0 ? check(p, v, (uint64_t)len, W) : 0;
}

/* ---- one argument, by its kind in the table ---- */

static uint64_t arg_len(const struct sc_arg *k, const long a[6])
{
	if (k->len_arg < 0)
		return k->size;
	uint64_t n = (uint64_t)a[k->len_arg], sz = k->size ? k->size : 1;
	return n > UINT64_MAX / sz ? UINT64_MAX : n * sz;
}

static long check_arg(struct proc *p, const struct sc_arg *k, const long a[6], int i)
{
	uint64_t v = (uint64_t)a[i];
	switch (k->kind) {
	case SA_FD:
	case SA_DIRFD:
		return vm_is_vmm_fd((int)a[i]) ? -EBADF : 0;
	case SA_STR:
	case SA_PATH:
		return check_str(p, v, PATH_CHECK_MAX);
	case SA_BUF_IN:
		return check(p, v, arg_len(k, a), R);
	case SA_BUF_OUT:
	case SA_BUF_INOUT:
		return check(p, v, arg_len(k, a), W);
	case SA_IOVEC_IN:
		return check_iovec(p, v, (uint64_t)a[k->len_arg], R);
	case SA_IOVEC_OUT:
		return check_iovec(p, v, (uint64_t)a[k->len_arg], W);
	case SA_MSGHDR_IN:
	case SA_MSGHDR_OUT:
		return v ? check_msghdr(p, v, k->kind == SA_MSGHDR_OUT) : 0;
	case SA_MMSGHDR_IN:
	case SA_MMSGHDR_OUT:
		return check_mmsghdr(p, v, (uint64_t)a[k->len_arg], k->kind == SA_MMSGHDR_OUT);
	case SA_STRARRAY:
		return check_strarray(p, v);
	case SA_SOCKADDR_OUT:
		return check_sockaddr_out(p, v, (uint64_t)a[k->len_arg]);
	case SA_SPECIAL:
		return not_vmm(p, v);
	default:
		return 0;
	}
}

/* ---- calls whose pointers depend on another argument ---- */

struct ioctl_arg {
	uint32_t req;
	uint16_t size;
	uint8_t prot; /* R: kernel reads, W: kernel writes (or both) */
};

/* Requests from before _IOC() encoded size and direction (tty, socket,
 * file); anything encoded is checked from its encoding. */
static const struct ioctl_arg legacy_ioctls[] = {
	{0x5401, 36, W}, {0x5402, 36, R}, {0x5403, 36, R}, {0x5404, 36, R}, /* TCGETS, TCSETS* */
	{0x5405, 18, W}, {0x5406, 18, R}, {0x5407, 18, R}, {0x5408, 18, R}, /* TCGETA, TCSETA* */
	{0x540f, 4, W},  {0x5410, 4, R},  {0x5411, 4, W},  {0x5412, 1, R},  /* TIOC[GS]PGRP OUTQ STI */
	{0x5413, 8, W},  {0x5414, 8, R},  {0x5415, 4, W},  {0x5416, 4, R},  /* TIOC[GS]WINSZ MGET MBIS */
	{0x5417, 4, R},  {0x5418, 4, R},  {0x5419, 4, W},  {0x541a, 4, R},  /* MBIC MSET [GS]SOFTCAR */
	{0x541b, 4, W},  {0x541e, 72, W}, {0x541f, 72, R}, {0x5420, 4, R},  /* FIONREAD [GS]SERIAL PKT */
	{0x5421, 4, R},  {0x5423, 4, R},  {0x5424, 4, W},  {0x5429, 4, W},  /* FIONBIO [GS]ETD GSID */
	{0x5452, 4, R},  {0x5456, 36, W}, {0x5457, 36, R}, {0x5459, 4, W},  /* FIOASYNC LCKTRMIOS LSR */
	{0x545d, 80, W}, {0x5460, 8, W},                                    /* GICOUNT FIOQSIZE */
	{0x8901, 4, R},  {0x8902, 4, R},  {0x8903, 4, W},  {0x8904, 4, W},  /* FIOSETOWN ... SIOCGPGRP */
	{0x8905, 4, W},  {0x8906, 16, W}, {0x8907, 16, W},                  /* ATMARK GSTAMP(NS) */
	{0x0001, 4, W},  {0x0002, 4, W},                                    /* FIBMAP FIGETBSZ */
};

static long check_ioctl(struct proc *p, const long a[6])
{
	uint32_t req = (uint32_t)a[1];
	uint64_t v = (uint64_t)a[2];
	uint32_t dir = req >> 30, size = (req >> 16) & 0x3fff;
	if (dir && size)
		return check(p, v, size, dir == 1 ? R : W);
	for (size_t i = 0; i < ARRAY_SIZE(legacy_ioctls); i++)
		if (legacy_ioctls[i].req == req)
			return check(p, v, legacy_ioctls[i].size, legacy_ioctls[i].prot);
	if (req == 0x8912) { /* SIOCGIFCONF: struct ifconf {int len; char *buf;} */
		struct {
			int len, pad;
			uint64_t buf;
		} ifc;
		long r = read_word(p, v, &ifc, sizeof(ifc));
		if (r)
			return r > 0 ? 0 : r;
		return ifc.len > 0 ? check(p, ifc.buf, (uint64_t)ifc.len, W) : 0;
	}
	if (req >= 0x8910 && req <= 0x89ff) /* struct ifreq */
		return check(p, v, 40, W);
	return not_vmm(p, v);
}

static long check_fcntl(struct proc *p, const long a[6])
{
	switch ((int)a[1]) {
	case 5: case 36:             /* F_GETLK, F_OFD_GETLK */
		return check(p, (uint64_t)a[2], 32, W);
	case 6: case 7: case 37: case 38:
		return check(p, (uint64_t)a[2], 32, R);
	case 16: case 1035: case 1037: /* F_GETOWN_EX, F_GET_(FILE_)RW_HINT */
		return check(p, (uint64_t)a[2], 8, W);
	case 15: case 1036: case 1038:
		return check(p, (uint64_t)a[2], 8, R);
	default:
		return 0;
	}
}

static long check_futex(struct proc *p, const long a[6])
{
	switch ((int)a[1] & FUTEX_CMD_MASK) {
	case FUTEX_WAIT: case FUTEX_WAIT_BITSET: case FUTEX_LOCK_PI: case 13 /* LOCK_PI2 */:
		return check(p, (uint64_t)a[3], 16, R);
	case FUTEX_WAIT_REQUEUE_PI: {
		long r = check(p, (uint64_t)a[3], 16, R);
		return r ? r : check(p, (uint64_t)a[4], 4, W);
	}
	case FUTEX_REQUEUE: case FUTEX_CMP_REQUEUE: case FUTEX_WAKE_OP: case FUTEX_CMP_REQUEUE_PI:
		return check(p, (uint64_t)a[4], 4, W);
	default:
		return 0;
	}
}

static long check_select(struct proc *p, const long a[6], bool psel)
{
	int n = (int)a[0];
	uint64_t bytes = n > 0 ? ((uint64_t)n + 63) / 64 * 8 : 0;
	long r = 0;
	for (int i = 1; i <= 3 && !r; i++)
		r = check(p, (uint64_t)a[i], bytes, W);
	if (!r && psel && a[5]) {
		uint64_t ss[2]; /* {const sigset_t *, size_t} */
		r = read_word(p, (uint64_t)a[5], ss, sizeof(ss));
		r = r ? (r > 0 ? 0 : r) : check(p, ss[0], ss[1], R);
	}
	return r;
}

static long check_futex_waitv(struct proc *p, const long a[6])
{
	uint64_t n = (uint64_t)a[1] > 128 ? 128 : (uint64_t)a[1];
	long r = check(p, (uint64_t)a[0], n * 24, R);
	for (uint64_t i = 0; i < n && !r && a[0]; i++) {
		uint64_t uaddr;
		r = read_word(p, (uint64_t)a[0] + i * 24 + 8, &uaddr, 8);
		r = r ? (r > 0 ? 0 : r) : check(p, uaddr, 4, R);
	}
	return r;
}

static long check_special(struct proc *p, long nr, const long a[6])
{
	switch (nr) {
	case SYS_ioctl:
		return check_ioctl(p, a);
	case SYS_fcntl:
		return check_fcntl(p, a);
	case SYS_futex:
		return check_futex(p, a);
	case SYS_select:
		return check_select(p, a, false);
	case SYS_pselect6:
		return check_select(p, a, true);
	case SYS_getsockopt: {
		int len;
		if (!a[3])
			return 0;
		long r = read_word(p, (uint64_t)a[4], &len, sizeof(len));
		if (r)
			return r > 0 ? 0 : r;
		return len > 0 ? check(p, (uint64_t)a[3], (uint64_t)len, W) : 0;
	}
	case SYS_mincore:
		return check(p, (uint64_t)a[2], (PAGE_UP((uint64_t)a[1])) / PAGE_SIZE, W);
	case SYS_msgsnd:
		return check(p, (uint64_t)a[1], 8 + (uint64_t)a[2], R);
	case SYS_msgrcv:
		return check(p, (uint64_t)a[1], 8 + (uint64_t)a[2], W);
	case SYS_capget:
		return check(p, (uint64_t)a[1], 24, W);
	case SYS_capset:
		return check(p, (uint64_t)a[1], 24, R);
	case SYS_vmsplice:
		return check_iovec(p, (uint64_t)a[1], (uint64_t)a[2], R);
	case SYS_syslog:
		return check(p, (uint64_t)a[1], (uint64_t)(int)a[2] > 0 ? (uint64_t)(int)a[2] : 0, W);
	case SYS_futex_waitv:
		return check_futex_waitv(p, a);
	default:
		return -1; /* no specific rule: the generic one applies */
	}
}

/* The remote side of process_vm_{readv,writev} on ourselves is guest memory
 * too. */
static long check_process_vm(struct proc *p, long nr, const long a[6])
{
	if ((pid_t)a[0] != getpid() && a[0] != 0)
		return 0;
	return check_iovec(p, (uint64_t)a[3], (uint64_t)a[4], nr == SYS_process_vm_readv ? W : R);
}

static long validate_locked(struct proc *p, const struct syscall_info *si, const long a[6])
{
	long r = check_special(p, si->nr, a);
	bool special_done = r != -1;
	if (special_done && r)
		return r;
	for (int i = 0; i < si->nargs; i++) {
		if (special_done && si->args[i].kind == SA_SPECIAL)
			continue;
		if ((r = check_arg(p, &si->args[i], a, i)))
			return r;
	}
	if (si->nr == SYS_process_vm_readv || si->nr == SYS_process_vm_writev)
		return check_process_vm(p, si->nr, a);
	return 0;
}

/* Under p->mm read-locked, so no other thread changes the vma table or
 * races the gap probes.  The lock is dropped before the call is
 * forwarded: a blocking call must not hold up another thread's mmap. */
long sys_validate(struct proc *p, const struct syscall_info *si, const long a[6])
{
	pthread_rwlock_rdlock(&p->mm);
	long r = validate_locked(p, si, a);
	pthread_rwlock_unlock(&p->mm);
	return r;
}

long guest_put(struct proc *p, uint64_t addr, const void *v, size_t len)
{
	pthread_rwlock_rdlock(&p->mm);
	long r = gm_check(&p->vm.mem, addr, len, PROT_WRITE);
	pthread_rwlock_unlock(&p->mm);
	if (!r && gm_write_guest(addr, v, len) != (long)len)
		r = -EFAULT;
	return r;
}

long guest_get(struct proc *p, uint64_t addr, void *v, size_t len)
{
	pthread_rwlock_rdlock(&p->mm);
	long r = gm_check(&p->vm.mem, addr, len, PROT_READ);
	pthread_rwlock_unlock(&p->mm);
	if (!r && gm_read_guest(v, addr, len) != (long)len)
		r = -EFAULT;
	return r;
}

long guest_get_str(struct proc *p, uint64_t addr, char *buf, size_t size)
{
	long r = -ENAMETOOLONG;
	size_t n = 0;
	pthread_rwlock_rdlock(&p->mm);
	while (n < size) {
		uint64_t cur = addr + n;
		size_t chunk = PAGE_SIZE - (cur & (PAGE_SIZE - 1));
		chunk = chunk < size - n ? chunk : size - n;
		long got = gm_check(&p->vm.mem, cur, 1, PROT_READ) ? -1 : gm_read_guest(buf + n, cur, chunk);
		if (got <= 0) {
			r = -EFAULT;
			break;
		}
		char *z = memchr(buf + n, 0, (size_t)got);
		if (z) {
			r = z - buf;
			break;
		}
		n += (size_t)got;
	}
	pthread_rwlock_unlock(&p->mm);
	return r;
}

/* Emulated, or validated and forwarded to the host. */
static long run_call(struct thread *t, const struct syscall_info *si, long nr, const long a[6])
{
	sys_emul_fn fn = sys_emulation(nr);
	if (fn)
		return fn(t, a);
	long r = sys_validate(t->proc, si, a);
	return r ? r : host_syscall6(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

long sys_dispatch(struct thread *t, long nr, const long a[6])
{
	/* guestagent/hypercall.h: not a Linux call */
	if ((int)nr == HL_HYPERCALL_NR)
		return agent_hypercall(t, a);
	const struct syscall_info *si = sc_lookup(nr);
	if (!si)
		return -ENOSYS;
	struct pol_decision d = apply_decide(t, nr, a);
	t->outcome = d.action;
	if (d.action == POL_STUB)
		return -d.err;
	if (d.action == POL_FAKE)
		return apply_fake(t, nr, a);
	bool delay = d.action == POL_FORWARD && t->proc->policy.delay_ns;
	if (delay)
		apply_delay(t);
	long r = run_call(t, si, nr, a);
	/* A thread that exited or exec'd never gets here. */
	if (delay)
		apply_delay(t);
	return r;
}
