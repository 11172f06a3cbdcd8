/* hl-monitor's start: options from the launcher, the run's shared files,
 * the first thread's state, the program, then Syscall User Dispatch.
 *
 *   hl-monitor [-t FD] [-s FD] [-m SELF] [-w FORMS] [-o NAME]... -- PATH ARGV0 [ARGS...]
 *
 * -t the decision table (core/table.h), -s the run's statistics
 * (core/stats.h), -r the command that writes the report (report.c), all
 * above the program's fd range; -m this executable, for re-executing on
 * the program's execve; -V 1: no vDSO for the program; -w FORMS: the
 * call-site rewriting forms allowed (rewrite.h; 0: none); -o --only names.  PATH is the
 * program (no PATH search), ARGV0... its argv. */
#include "core/lib.h"
#include "monitor/mon.h"
#include "monitor/rewrite.h"

#include <asm/prctl.h>
#include <asm/stat.h>
#include <asm/unistd_64.h>
#include <linux/errno.h>
#include <linux/mman.h>
#include <linux/prctl.h>
#include <linux/signal.h>

#ifndef PR_SET_SYSCALL_USER_DISPATCH
#define PR_SET_SYSCALL_USER_DISPATCH 59
#endif
#define SUD_ON 1 /* PR_SYS_DISPATCH_ON; 2 is the inclusive mode on new kernels */
#define SEL_BLOCK 1

struct monitor mon;
/* The selector: always "block"; the monitor's calls come from its text. */
static volatile char mon_sel = SEL_BLOCK;
extern char __executable_start[], etext[], end[];

#define SYS(nr, a, b, c, d, e, f) hl_sys6(__NR_##nr, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))

void mon_say(const char *a, const char *b, const char *c)
{
	const char *parts[] = {"hyperloupe: ", a, b, c, "\n"};
	for (unsigned i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		if (parts[i])
			SYS(write, 2, parts[i], strlen(parts[i]), 0, 0, 0);
}

void mon_fatal(const char *what, long err)
{
	char num[24];
	hl_utoa(num, (uint64_t)(err < 0 ? -err : err));
	mon_say(what, ": error ", num);
	SYS(exit_group, 125, 0, 0, 0, 0, 0);
	__builtin_unreachable();
}

void mon_own_fds(int fds[MON_NFDS])
{
	fds[0] = mon.table_fd, fds[1] = mon.stats_fd, fds[2] = mon.report_fd, fds[3] = mon_rw_fd();
}

static long parse_fd(const char *s)
{
	long v = 0;
	for (; *s >= '0' && *s <= '9'; s++)
		v = v * 10 + (*s - '0');
	return *s ? -1 : v;
}

/* The options; the index of PATH in argv. */
static int parse_args(int argc, char **argv)
{
	mon.table_fd = mon.stats_fd = mon.report_fd = -1;
	mon.rw_forms = RW_JUMP;
	int i = 1;
	for (; i + 1 < argc && strcmp(argv[i], "--"); i += 2) {
		/* -t, -s, -r, -V, -m, -w and -o each take a value */
		const char *o = argv[i], *v = argv[i + 1];
		if (!strcmp(o, "-t"))
			mon.table_fd = (int)parse_fd(v);
		else if (!strcmp(o, "-s"))
			mon.stats_fd = (int)parse_fd(v);
		else if (!strcmp(o, "-r"))
			mon.report_fd = (int)parse_fd(v);
		else if (!strcmp(o, "-V"))
			mon.no_vdso = true;
		else if (!strcmp(o, "-m"))
			mon.self_exe = v;
		else if (!strcmp(o, "-w"))
			mon.rw_forms = (unsigned)parse_fd(v);
		else if (!strcmp(o, "-o") && mon.nonly < MON_ONLY_MAX)
			mon.only[mon.nonly++] = v;
		else
			break;
	}
	if (i + 2 >= argc || strcmp(argv[i], "--")) {
		mon_say("hl-monitor is started by `hyperloupe run --engine sud`", 0, 0);
		SYS(exit_group, 2, 0, 0, 0, 0, 0);
	}
	return i + 1;
}

static void *map_fd(int fd, uint64_t len, int prot)
{
	long m = SYS(mmap, 0, len, prot, MAP_SHARED, fd, 0);
	return m < 0 && m > -4096 ? 0 : (void *)m;
}

static void attach_files(void)
{
	static struct core_table empty = {.magic = CORE_TABLE_MAGIC, .size = sizeof(empty)};
	struct stat st;
	mon.table = &empty;
	if (mon.table_fd >= 0 && !SYS(fstat, mon.table_fd, &st, 0, 0, 0, 0)) {
		const struct core_table *t = map_fd(mon.table_fd, (uint64_t)st.st_size, PROT_READ);
		if (!t || !core_table_valid(t, (size_t)st.st_size))
			mon_fatal("the decision table is unreadable", -EINVAL);
		mon.table = t;
	}
	uint64_t len = sizeof(struct run_stats) + (uint64_t)STATS_MAX_PROCS * sizeof(struct stats);
	mon.run = mon.stats_fd >= 0 ? map_fd(mon.stats_fd, len, PROT_READ | PROT_WRITE) : 0;
	if (mon.run && (mon.run->magic != STATS_MAGIC || mon.run->record_size != sizeof(struct stats)))
		mon_fatal("the run's statistics have another layout", -EPROTO);
}

/* A new thread's state and the stack its SIGSYS handler runs on. */
struct mthread *mon_thread_new(void)
{
	long m = SYS(mmap, 0, MON_ALT_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		     -1, 0);
	if (m < 0 && m > -4096)
		return 0;
	struct mthread *t = (struct mthread *)m;
	t->self = t;
	t->alt = (uint64_t)m;
	return t;
}

/* The calling thread takes t: %gs, its sigaltstack and SUD; counted in
 * the process's run time unless it is a vfork child (another process that
 * shares this one's memory until it execs). */
int mon_thread_enter(struct mthread *t, bool counted)
{
	struct { uint64_t sp; int32_t flags, pad; uint64_t size; } ss = {
		t->alt + sizeof(*t), 0, 0, MON_ALT_SIZE - sizeof(*t)};
	t->born_ns = hl_now_ns();
	t->ss_lo = ss.sp, t->ss_hi = ss.sp + ss.size;
	SYS(arch_prctl, ARCH_SET_GS, t, 0, 0, 0, 0);
	SYS(sigaltstack, &ss, 0, 0, 0, 0, 0);
	if (counted)
		__atomic_fetch_sub(&mon.life_ns, (int64_t)t->born_ns, __ATOMIC_RELAXED);
	return mon_arm();
}

int mon_arm(void)
{
	return (int)SYS(prctl, PR_SET_SYSCALL_USER_DISPATCH, SUD_ON, mon.text_start, mon.text_end - mon.text_start,
			&mon_sel, 0);
}

static bool only_match(const char *path)
{
	const char *base = path;
	for (const char *p = path; *p; p++)
		if (*p == '/')
			base = p + 1;
	for (int i = 0; i < mon.nonly; i++)
		if (!strcmp(mon.only[i], path) || !strcmp(mon.only[i], base))
			return true;
	return !mon.nonly;
}

static double time_calls(uint64_t fn, int n)
{
	uint64_t t0 = hl_now_ns();
	for (int i = 0; i < n; i++)
		((void (*)(void))fn)();
	return (double)(hl_now_ns() - t0) / n;
}

/* The cost of a trapped call and of a rewritten one, measured as the KVM
 * engine measures its two kinds of exit: the run's model subtracts them
 * from the program's run time (trampoline_exits counts the trapped). */
void mon_calibrate(void)
{
	if (!mon.run || mon.run->cal_exit_ns > 0)
		return;
	long m = SYS(mmap, 0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m < 0 && m > -4096)
		return;
	/* The agent's probe, which is never rewritten (not a Linux call):
	 * mov $HL_HYPERCALL_NR,%eax; xor %edi,%edi; syscall; ret.  And a
	 * getppid in the jump form's shape, rewritten at its first trap. */
	static const uint8_t trap[] = {0xb8, 0x00, 0x4c, 0x48, 0x00, 0x31, 0xff, 0x0f, 0x05, 0xc3};
	static const uint8_t site[] = {0x31, 0xff, 0xb8, __NR_getppid, 0x00, 0x00, 0x00, 0x0f, 0x05, 0xc3};
	memcpy((void *)m, trap, sizeof(trap));
	memcpy((void *)(m + 64), site, sizeof(site));
	SYS(mprotect, m, 4096, PROT_READ | PROT_EXEC, 0, 0, 0);
	struct stats *keep = mon.stats;
	mon.stats = 0; /* none of this is the program's */
	double trapped = time_calls((uint64_t)m, 300);
	((void (*)(void))(m + 64))();
	mon_rw_calibrate(true);
	double fast = time_calls((uint64_t)m + 64, 300);
	mon_rw_calibrate(false);
	mon.stats = keep;
	mon_rw_release((uint64_t)m, (uint64_t)m + 4096);
	SYS(munmap, m, 4096, 0, 0, 0, 0);
	mon.run->cal_syscall_ns = trapped;
	mon.run->cal_exit_ns = fast;
}

void mon_main(uint64_t *sp) __attribute__((noreturn, used));
void mon_main(uint64_t *sp)
{
	int argc = (int)sp[0];
	char **argv = (char **)(sp + 1), **envp = argv + argc + 1, **e = envp;
	while (*e)
		e++;
	uint64_t *auxv = (uint64_t *)(e + 1);
	mon.envp = envp;
	int i = parse_args(argc, argv);
	/* The padding after the text: SUD checks the address after `syscall`. */
	mon.text_start = (uint64_t)__executable_start;
	mon.text_end = ((uint64_t)etext + 4096 + 4095) & ~4095ull;
	mon.img_start = mon.text_start;
	mon.img_end = ((uint64_t)end + 4095) & ~4095ull;
	mon.pid = (int)SYS(getpid, 0, 0, 0, 0, 0, 0);
	attach_files();
	mon_clock_init(auxv);
	struct mon_image img;
	int st = mon_load(argv[i], argc - i - 1, argv + i + 1, envp, auxv, &img);
	if (st)
		SYS(exit_group, st, 0, 0, 0, 0, 0);
	mon.policy_on = only_match(argv[i]);
	if (mon.run)
		mon.stats = stats_proc_new(mon.run, mon.pid, (int)SYS(getppid, 0, 0, 0, 0, 0, 0), argv[i],
					   argc - i - 1, argv + i + 1);
	struct mthread *t = mon_thread_new();
	if (!t)
		mon_fatal("no memory for the monitor's stack", -ENOMEM);
	mon_rw_init(mon.rw_forms);
	mon_install_handler();
	mon_fatal_init();
	mon.live_threads = 1;
	mon.argc = argc - i - 1;
	mon.argv = argv + i + 1;
	long r = mon_thread_enter(t, true);
	if (r)
		mon_fatal("Syscall User Dispatch is not available (Linux 5.11 or later)", r);
	mon_calibrate();
	mon_jump(img.entry, img.sp);
}
