/* The sub-feature name tables: values against the build host's headers,
 * unique names, name/number round trips, and the keys of calls. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <asm/termbits.h> /* struct termios2, for TCGETS2 */
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#include <asm/prctl.h>
#include <linux/bpf.h>
#include <linux/f2fs.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <linux/futex.h>
#include <linux/hdreg.h>
#include <linux/if_tun.h>
#include <linux/kd.h>
#include <linux/keyctl.h>
#include <linux/loop.h>
#include <linux/nsfs.h>
#include <linux/perf_event.h>
#include <linux/random.h>
#include <linux/rtc.h>
#include <linux/seccomp.h>
#include <linux/serial.h>
#include <linux/sockios.h>
#include <linux/vt.h>
#include <scsi/sg.h>

#include "analysis/syscalls.h"
#include "analysis/xlat.h"

/* Every syscall with a table, by name: what its table names, and the
 * argument its key comes from. */
static const struct {
	const char *call, *what;
	int arg;
} bound[] = {
	{"mmap", "mmap class", 3}, {"ioctl", "ioctl request", 1},
	{"madvise", "madvise advice", 2},
	{"process_madvise", "madvise advice", 3},
	{"socket", "socket domain", 0}, {"socketpair", "socket domain", 0},
	{"shutdown", "shutdown how", 1},
	{"setsockopt", "socket option level", 1},
	{"getsockopt", "socket option level", 1},
	{"fcntl", "fcntl command", 1}, {"flock", "flock operation", 1},
	{"getrlimit", "resource limit", 0}, {"setrlimit", "resource limit", 0},
	{"prlimit64", "resource limit", 1}, {"prctl", "prctl option", 0},
	{"arch_prctl", "arch_prctl code", 0}, {"futex", "futex operation", 1},
	{"fadvise64", "fadvise advice", 3}, {"timer_create", "clock id", 0},
	{"clock_settime", "clock id", 0}, {"clock_gettime", "clock id", 0},
	{"clock_getres", "clock id", 0}, {"clock_nanosleep", "clock id", 0},
	{"clock_adjtime", "clock id", 0}, {"timerfd_create", "clock id", 0},
	{"futex_waitv", "clock id", 4}, {"futex_wait", "clock id", 5},
	{"epoll_ctl", "epoll_ctl operation", 1},
	{"keyctl", "keyctl operation", 0}, {"bpf", "bpf command", 0},
	{"seccomp", "seccomp operation", 0},
};
#define NBOUND (sizeof(bound) / sizeof(bound[0]))

static const struct xlat *table(const char *call)
{
	int nr = sc_by_name(call);
	const struct xlat *x;

	assert_true(nr >= 0);
	x = xlat_for(nr);
	assert_non_null(x);
	return x;
}

/* The name parses to the header's value (an int macro read as the kernel
 * reads its selector: the low 32 bits), and that value prints as a name. */
static void check_value(const struct xlat *x, const char *name, uint64_t v)
{
	uint64_t got = ~v;

	if (xlat_parse(x, name, &got) != 0)
		fail_msg("%s: %s is not named", x->what, name);
	if (got != v)
		fail_msg("%s: %s is 0x%llx, the header says 0x%llx", x->what,
		         name, (unsigned long long)got, (unsigned long long)v);
	assert_non_null(xlat_name(x, v));
}
#define HDR(x, m) check_value(x, #m, (uint32_t)(m))

static void test_ioctl_headers(void **state)
{
	const struct xlat *x = table("ioctl");

	(void)state;
	assert_true(x->n >= 100);
	HDR(x, TCGETS); HDR(x, TCSETS); HDR(x, TCSETSW); HDR(x, TCSETSF);
	HDR(x, TCGETA); HDR(x, TCSBRK); HDR(x, TCXONC); HDR(x, TCFLSH);
	HDR(x, TIOCEXCL); HDR(x, TIOCSCTTY); HDR(x, TIOCGPGRP);
	HDR(x, TIOCSPGRP); HDR(x, TIOCOUTQ); HDR(x, TIOCSTI);
	HDR(x, TIOCGWINSZ); HDR(x, TIOCSWINSZ); HDR(x, TIOCMGET);
	HDR(x, TIOCMSET); HDR(x, FIONREAD); HDR(x, TIOCINQ); HDR(x, TIOCLINUX);
	HDR(x, TIOCCONS); HDR(x, TIOCGSERIAL); HDR(x, TIOCPKT); HDR(x, FIONBIO);
	HDR(x, TIOCNOTTY); HDR(x, TIOCSETD); HDR(x, TIOCGETD); HDR(x, TCSBRKP);
	HDR(x, TIOCSBRK); HDR(x, TIOCCBRK); HDR(x, TIOCGSID); HDR(x, TCGETS2);
	HDR(x, TCSETS2); HDR(x, TCSETSW2); HDR(x, TCSETSF2);
	HDR(x, TIOCGRS485); HDR(x, TIOCSRS485); HDR(x, TIOCGPTN);
	HDR(x, TIOCSPTLCK); HDR(x, TIOCGDEV); HDR(x, TCGETX); HDR(x, TCSETXW);
	HDR(x, TIOCSIG); HDR(x, TIOCVHANGUP); HDR(x, TIOCGPKT);
	HDR(x, TIOCGPTLCK); HDR(x, TIOCGEXCL); HDR(x, TIOCGPTPEER);
	HDR(x, TIOCGISO7816); HDR(x, TIOCSISO7816); HDR(x, FIONCLEX);
	HDR(x, FIOCLEX); HDR(x, FIOASYNC); HDR(x, TIOCSERGETLSR);
	HDR(x, TIOCMIWAIT); HDR(x, TIOCGICOUNT); HDR(x, FIOQSIZE);
	HDR(x, FIOSETOWN); HDR(x, FIOGETOWN); HDR(x, SIOCATMARK);
	HDR(x, SIOCGSTAMP); HDR(x, SIOCGSTAMPNS); HDR(x, SIOCGSTAMP_NEW);
	HDR(x, SIOCGSTAMPNS_NEW); HDR(x, SIOCINQ); HDR(x, SIOCOUTQ);
	HDR(x, SIOCADDRT); HDR(x, SIOCGIFNAME); HDR(x, SIOCGIFCONF);
	HDR(x, SIOCGIFFLAGS); HDR(x, SIOCSIFFLAGS); HDR(x, SIOCGIFADDR);
	HDR(x, SIOCGIFNETMASK); HDR(x, SIOCGIFMTU); HDR(x, SIOCSIFNAME);
	HDR(x, SIOCGIFHWADDR); HDR(x, SIOCGIFINDEX); HDR(x, SIOCGIFTXQLEN);
	HDR(x, SIOCETHTOOL); HDR(x, SIOCGMIIPHY); HDR(x, SIOCOUTQNSD);
	HDR(x, SIOCGSKNS); HDR(x, SIOCGARP); HDR(x, SIOCGIFMAP);
	HDR(x, SIOCGIFVLAN); HDR(x, SIOCBONDENSLAVE); HDR(x, SIOCBRADDBR);
	HDR(x, SIOCBRDELIF); HDR(x, SIOCSHWTSTAMP); HDR(x, SIOCGHWTSTAMP);
}

static void test_ioctl_headers_fs_dev(void **state)
{
	const struct xlat *x = table("ioctl");

	(void)state;
	HDR(x, FIBMAP); HDR(x, FIGETBSZ); HDR(x, HDIO_GETGEO);
	HDR(x, BLKROSET); HDR(x, BLKRRPART); HDR(x, BLKGETSIZE);
	HDR(x, BLKFLSBUF); HDR(x, BLKSSZGET); HDR(x, BLKBSZGET);
	HDR(x, BLKBSZSET); HDR(x, BLKGETSIZE64); HDR(x, BLKDISCARD);
	HDR(x, BLKIOMIN); HDR(x, BLKPBSZGET); HDR(x, BLKROTATIONAL);
	HDR(x, BLKZEROOUT); HDR(x, BLKGETDISKSEQ); HDR(x, SG_IO);
	HDR(x, LOOP_SET_FD); HDR(x, LOOP_SET_STATUS64); HDR(x, LOOP_CONFIGURE);
	HDR(x, LOOP_CTL_GET_FREE); HDR(x, FS_IOC_GETFLAGS);
	HDR(x, FS_IOC_SETFLAGS); HDR(x, FS_IOC_FIEMAP); HDR(x, FS_IOC32_GETFLAGS);
	HDR(x, FS_IOC_GETVERSION); HDR(x, FS_IOC_FSGETXATTR);
	HDR(x, FS_IOC_FSSETXATTR); HDR(x, FIFREEZE); HDR(x, FITHAW);
	HDR(x, FITRIM); HDR(x, FICLONE); HDR(x, FICLONERANGE);
	HDR(x, FIDEDUPERANGE); HDR(x, FS_IOC_GETFSLABEL);
	HDR(x, FS_IOC_SETFSLABEL); HDR(x, F2FS_IOC_START_ATOMIC_WRITE);
	HDR(x, F2FS_IOC_ABORT_ATOMIC_WRITE); HDR(x, F2FS_IOC_GET_FEATURES);
#ifdef FS_IOC_GETFSUUID
	HDR(x, FS_IOC_GETFSUUID); HDR(x, FS_IOC_GETFSSYSFSPATH);
#endif
	HDR(x, RNDGETENTCNT); HDR(x, RNDADDENTROPY); HDR(x, RNDGETPOOL);
	HDR(x, RNDRESEEDCRNG); HDR(x, TUNSETIFF); HDR(x, TUNGETFEATURES);
	HDR(x, TUNATTACHFILTER); HDR(x, TUNGETFILTER); HDR(x, TUNSETIFINDEX);
	HDR(x, TUNSETSTEERINGEBPF); HDR(x, TUNSETCARRIER);
	HDR(x, TUNGETDEVNETNS); HDR(x, KIOCSOUND); HDR(x, KDGKBTYPE);
	HDR(x, KDSETMODE); HDR(x, KDGKBMODE); HDR(x, KDSKBMODE);
	HDR(x, KDFONTOP); HDR(x, KDGKBDIACRUC); HDR(x, GIO_UNISCRNMAP);
	HDR(x, VT_OPENQRY); HDR(x, VT_GETSTATE); HDR(x, VT_ACTIVATE);
	HDR(x, VT_WAITACTIVE); HDR(x, VT_SETACTIVATE); HDR(x, RTC_RD_TIME);
	HDR(x, RTC_SET_TIME); HDR(x, RTC_UIE_ON); HDR(x, RTC_IRQP_READ);
	HDR(x, RTC_WKALM_RD); HDR(x, PERF_EVENT_IOC_ENABLE);
	HDR(x, PERF_EVENT_IOC_PERIOD); HDR(x, PERF_EVENT_IOC_ID);
	HDR(x, PERF_EVENT_IOC_QUERY_BPF);
	HDR(x, PERF_EVENT_IOC_MODIFY_ATTRIBUTES); HDR(x, NS_GET_USERNS);
	HDR(x, NS_GET_OWNER_UID);
}

static void test_command_headers(void **state)
{
	const struct xlat *x = table("fcntl");

	(void)state;
	HDR(x, F_DUPFD); HDR(x, F_GETFD); HDR(x, F_SETFD); HDR(x, F_GETFL);
	HDR(x, F_SETFL); HDR(x, F_GETLK); HDR(x, F_SETLK); HDR(x, F_SETLKW);
	HDR(x, F_SETOWN); HDR(x, F_GETOWN); HDR(x, F_SETSIG);
	HDR(x, F_SETOWN_EX); HDR(x, F_GETOWN_EX); HDR(x, F_OFD_GETLK);
	HDR(x, F_OFD_SETLKW); HDR(x, F_SETLEASE); HDR(x, F_NOTIFY);
	HDR(x, F_DUPFD_CLOEXEC); HDR(x, F_SETPIPE_SZ); HDR(x, F_GETPIPE_SZ);
	HDR(x, F_ADD_SEALS); HDR(x, F_GET_SEALS); HDR(x, F_GET_RW_HINT);
	HDR(x, F_SET_FILE_RW_HINT);
	/* glibc's 64-bit F_GETLK64 is F_GETLK, not the kernel's 32-bit 12. */
	assert_string_equal(xlat_name(x, F_GETLK64), "F_GETLK");

	x = table("prctl");
	HDR(x, PR_SET_PDEATHSIG); HDR(x, PR_GET_DUMPABLE); HDR(x, PR_SET_NAME);
	HDR(x, PR_GET_NAME); HDR(x, PR_SET_SECCOMP); HDR(x, PR_CAPBSET_DROP);
	HDR(x, PR_SET_TIMERSLACK); HDR(x, PR_SET_CHILD_SUBREAPER);
	HDR(x, PR_SET_NO_NEW_PRIVS); HDR(x, PR_GET_TID_ADDRESS);
	HDR(x, PR_SET_THP_DISABLE); HDR(x, PR_CAP_AMBIENT);
	HDR(x, PR_SET_SPECULATION_CTRL); HDR(x, PR_SET_IO_FLUSHER);
	HDR(x, PR_SET_SYSCALL_USER_DISPATCH); HDR(x, PR_SCHED_CORE);
	HDR(x, PR_SME_GET_VL); HDR(x, PR_SET_PTRACER); HDR(x, PR_SET_VMA);
#ifdef PR_GET_AUXV
	HDR(x, PR_GET_AUXV);
#endif
#ifdef PR_SET_MDWE
	HDR(x, PR_SET_MDWE); HDR(x, PR_GET_MEMORY_MERGE);
#endif

	x = table("arch_prctl");
	HDR(x, ARCH_SET_GS); HDR(x, ARCH_SET_FS); HDR(x, ARCH_GET_FS);
	HDR(x, ARCH_GET_GS); HDR(x, ARCH_GET_CPUID); HDR(x, ARCH_SET_CPUID);
	HDR(x, ARCH_GET_XCOMP_SUPP); HDR(x, ARCH_GET_XCOMP_PERM);
	HDR(x, ARCH_REQ_XCOMP_PERM); HDR(x, ARCH_REQ_XCOMP_GUEST_PERM);
	HDR(x, ARCH_MAP_VDSO_X32); HDR(x, ARCH_MAP_VDSO_64);
#ifdef ARCH_SHSTK_ENABLE
	HDR(x, ARCH_GET_UNTAG_MASK); HDR(x, ARCH_SHSTK_ENABLE);
	HDR(x, ARCH_SHSTK_STATUS);
#endif
}

static void test_other_headers(void **state)
{
	const struct xlat *x = table("madvise");

	(void)state;
	HDR(x, MADV_NORMAL); HDR(x, MADV_RANDOM); HDR(x, MADV_SEQUENTIAL);
	HDR(x, MADV_WILLNEED); HDR(x, MADV_DONTNEED); HDR(x, MADV_FREE);
	HDR(x, MADV_REMOVE); HDR(x, MADV_DONTFORK); HDR(x, MADV_MERGEABLE);
	HDR(x, MADV_HUGEPAGE); HDR(x, MADV_DONTDUMP); HDR(x, MADV_WIPEONFORK);
	HDR(x, MADV_COLD); HDR(x, MADV_PAGEOUT); HDR(x, MADV_POPULATE_WRITE);
	HDR(x, MADV_DONTNEED_LOCKED); HDR(x, MADV_HWPOISON);
#ifdef MADV_COLLAPSE
	HDR(x, MADV_COLLAPSE);
#endif
#ifdef MADV_GUARD_INSTALL
	HDR(x, MADV_GUARD_INSTALL); HDR(x, MADV_GUARD_REMOVE);
#endif
	x = table("prlimit64");
	HDR(x, RLIMIT_CPU); HDR(x, RLIMIT_STACK); HDR(x, RLIMIT_CORE);
	HDR(x, RLIMIT_NOFILE); HDR(x, RLIMIT_AS); HDR(x, RLIMIT_MEMLOCK);
	HDR(x, RLIMIT_NPROC); HDR(x, RLIMIT_RTTIME);
	x = table("socket");
	HDR(x, AF_UNSPEC); HDR(x, AF_UNIX); HDR(x, AF_LOCAL); HDR(x, AF_INET);
	HDR(x, AF_INET6); HDR(x, AF_NETLINK); HDR(x, AF_ROUTE);
	HDR(x, AF_PACKET); HDR(x, AF_DECnet); HDR(x, AF_CAN); HDR(x, AF_ALG);
	HDR(x, AF_VSOCK); HDR(x, AF_XDP); HDR(x, AF_MCTP);
	x = table("clock_gettime");
	HDR(x, CLOCK_REALTIME); HDR(x, CLOCK_MONOTONIC);
	HDR(x, CLOCK_PROCESS_CPUTIME_ID); HDR(x, CLOCK_THREAD_CPUTIME_ID);
	HDR(x, CLOCK_MONOTONIC_RAW); HDR(x, CLOCK_REALTIME_COARSE);
	HDR(x, CLOCK_MONOTONIC_COARSE); HDR(x, CLOCK_BOOTTIME);
	HDR(x, CLOCK_REALTIME_ALARM); HDR(x, CLOCK_BOOTTIME_ALARM);
	HDR(x, CLOCK_TAI);
}

static void test_op_headers(void **state)
{
	const struct xlat *x = table("futex");

	(void)state;
	HDR(x, FUTEX_WAIT); HDR(x, FUTEX_WAKE); HDR(x, FUTEX_CMP_REQUEUE);
	HDR(x, FUTEX_WAKE_OP); HDR(x, FUTEX_LOCK_PI2); HDR(x, FUTEX_WAIT_PRIVATE);
	HDR(x, FUTEX_WAKE_PRIVATE); HDR(x, FUTEX_WAIT_BITSET_PRIVATE);
	HDR(x, FUTEX_CMP_REQUEUE_PI_PRIVATE); HDR(x, FUTEX_LOCK_PI2_PRIVATE);
	check_value(x, "FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME",
	            FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME);
	x = table("fadvise64");
	HDR(x, POSIX_FADV_NORMAL); HDR(x, POSIX_FADV_SEQUENTIAL);
	HDR(x, POSIX_FADV_DONTNEED); HDR(x, POSIX_FADV_NOREUSE);
	x = table("flock");
	HDR(x, LOCK_SH); HDR(x, LOCK_EX); HDR(x, LOCK_UN); HDR(x, LOCK_NB);
	check_value(x, "LOCK_EX|LOCK_NB", LOCK_EX | LOCK_NB);
	x = table("epoll_ctl");
	HDR(x, EPOLL_CTL_ADD); HDR(x, EPOLL_CTL_DEL); HDR(x, EPOLL_CTL_MOD);
	x = table("shutdown");
	HDR(x, SHUT_RD); HDR(x, SHUT_WR); HDR(x, SHUT_RDWR);
	x = table("setsockopt");
	HDR(x, SOL_IP); HDR(x, SOL_SOCKET); HDR(x, SOL_TCP); HDR(x, SOL_UDP);
	HDR(x, SOL_IPV6); HDR(x, SOL_ICMPV6); HDR(x, SOL_RAW);
	HDR(x, SOL_PACKET); HDR(x, SOL_NETLINK); HDR(x, SOL_ALG);
	HDR(x, SOL_TLS); HDR(x, SOL_XDP); HDR(x, SOL_MPTCP); HDR(x, SOL_SMC);
	x = table("keyctl");
	HDR(x, KEYCTL_GET_KEYRING_ID); HDR(x, KEYCTL_READ);
	HDR(x, KEYCTL_SEARCH); HDR(x, KEYCTL_WATCH_KEY);
	x = table("bpf");
	HDR(x, BPF_MAP_CREATE); HDR(x, BPF_PROG_LOAD); HDR(x, BPF_PROG_RUN);
	HDR(x, BPF_LINK_CREATE); HDR(x, BPF_PROG_BIND_MAP);
	x = table("seccomp");
	HDR(x, SECCOMP_SET_MODE_STRICT); HDR(x, SECCOMP_SET_MODE_FILTER);
	HDR(x, SECCOMP_GET_ACTION_AVAIL); HDR(x, SECCOMP_GET_NOTIF_SIZES);
}

/* Every bound syscall has the table it should, and no other has one. */
static void test_bindings(void **state)
{
	size_t nbound = 0;

	(void)state;
	for (size_t i = 0; i < NBOUND; i++)
		assert_string_equal(table(bound[i].call)->what, bound[i].what);
	for (long nr = -2; nr < SC_TABLE_SIZE + 2; nr++)
		if (xlat_for(nr)) {
			nbound++;
			assert_true(xlat_arg(nr) >= 0);
		} else {
			assert_int_equal(xlat_arg(nr), -1);
		}
	assert_int_equal(nbound, NBOUND);
	assert_null(xlat_for(sc_by_name("getpid")));
	assert_null(xlat_for(-1));
	assert_null(xlat_for(100000));
}

/* The key comes from the right argument, and where syscalls.c marks a
 * selector, from that one. */
static void test_selector_args(void **state)
{
	(void)state;
	for (size_t i = 0; i < NBOUND; i++) {
		int nr = sc_by_name(bound[i].call);
		int sel = sc_selector_arg(nr);

		if (xlat_arg(nr) != bound[i].arg)
			fail_msg("%s: key from argument %d, not %d", bound[i].call,
			         xlat_arg(nr), bound[i].arg);
		if (sel >= 0)
			assert_int_equal(xlat_arg(nr), sel);
		assert_true(xlat_arg(nr) < sc_lookup(nr)->nargs);
	}
}

static void each_table(void (*check)(const struct xlat *))
{
	for (size_t i = 0; i < NBOUND; i++)
		check(table(bound[i].call));
}

static void no_duplicates(const struct xlat *x)
{
	assert_non_null(x->what);
	assert_true(x->n > 0);
	for (int i = 0; i < x->n; i++) {
		assert_non_null(x->e[i].name);
		assert_true(x->e[i].name[0] != '\0');
		for (int j = i + 1; j < x->n; j++)
			if (strcmp(x->e[i].name, x->e[j].name) == 0)
				fail_msg("%s: %s twice", x->what, x->e[i].name);
	}
}

static void test_no_duplicate_names(void **state)
{
	(void)state;
	each_table(no_duplicates);
}

/* name -> value -> canonical name -> same value; the format is the name. */
static void round_trip(const struct xlat *x)
{
	char buf[64];

	for (int i = 0; i < x->n; i++) {
		uint64_t v = ~x->e[i].value, w = 0;
		const char *canon;

		assert_int_equal(xlat_parse(x, x->e[i].name, &v), 0);
		assert_true(v == x->e[i].value);
		canon = xlat_name(x, v);
		assert_non_null(canon);
		assert_int_equal(xlat_parse(x, canon, &w), 0);
		assert_true(w == v);
		assert_string_equal(xlat_format(x, v, buf, sizeof(buf)), canon);
		/* the number reads back as the same key */
		snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)v);
		assert_int_equal(xlat_parse(x, buf, &w), 0);
		assert_true(w == v);
	}
}

static void test_round_trip(void **state)
{
	(void)state;
	each_table(round_trip);
}

static void test_format(void **state)
{
	const struct xlat *io = table("ioctl"), *clk = table("clock_gettime");
	char buf[32];

	(void)state;
	assert_string_equal(xlat_format(io, 0x5401, buf, sizeof(buf)), "TCGETS");
	assert_string_equal(xlat_format(io, 0x541B, buf, sizeof(buf)), "FIONREAD");
	assert_null(xlat_name(io, 0xdeadbeef));
	assert_string_equal(xlat_format(io, 0xdeadbeef, buf, sizeof(buf)),
	                    "0xdeadbeef");
	assert_string_equal(xlat_format(io, 0, buf, sizeof(buf)), "0x0");
	assert_string_equal(xlat_format(clk, 12, buf, sizeof(buf)), "0xc");
	assert_string_equal(xlat_format(clk, (uint64_t)-6, buf, sizeof(buf)), "-6");
	assert_string_equal(xlat_format(table("mmap"), 2, buf, sizeof(buf)), "0x2");
	/* truncated, still terminated */
	assert_string_equal(xlat_format(io, 0x5413, buf, 5), "TIOC");
}

static void test_parse(void **state)
{
	const struct xlat *io = table("ioctl"), *clk = table("clock_gettime");
	const struct xlat *mm = table("mmap");
	uint64_t v;

	(void)state;
	assert_int_equal(xlat_parse(io, "TIOCGWINSZ", &v), 0);
	assert_true(v == TIOCGWINSZ);
	assert_int_equal(xlat_parse(io, "21505", &v), 0);
	assert_true(v == TCGETS);
	assert_int_equal(xlat_parse(io, "0X5401", &v), 0);
	assert_true(v == TCGETS);
	assert_int_equal(xlat_parse(io, "0xffffffff", &v), 0);
	assert_true(v == 0xffffffff);
	assert_int_equal(xlat_parse(io, "-1", &v), 0);   /* an int -1 */
	assert_true(v == 0xffffffff);
	assert_int_equal(xlat_parse(clk, "-6", &v), 0);
	assert_true(v == (uint64_t)-6);
	assert_int_equal(xlat_parse(clk, "0xfffffffa", &v), 0);
	assert_true(v == (uint64_t)-6);
	assert_int_equal(xlat_parse(mm, "anon", &v), 0);
	assert_true(v == XLAT_MMAP_ANON);
	assert_int_equal(xlat_parse(mm, "0", &v), 0);
	assert_true(v == XLAT_MMAP_FILE);
	static const char *const bad[] = {
		"", "tcgets", "TCGETS ", " 1", "+1", "-", "0x", "12abc", "1.5",
		"0x100000000", "-2147483649", "99999999999999999999999",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (xlat_parse(io, bad[i], &v) != -EINVAL)
			fail_msg("parsed \"%s\"", bad[i]);
	assert_int_equal(xlat_parse(mm, "2", &v), -EINVAL);
	assert_int_equal(xlat_parse(mm, "-1", &v), -EINVAL);
}

static void test_key_mmap(void **state)
{
	long args[6] = {0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0};
	int nr = sc_by_name("mmap");
	uint64_t k = 99;

	(void)state;
	assert_true(xlat_key(nr, args, &k));
	assert_true(k == XLAT_MMAP_ANON);
	args[3] = MAP_SHARED;
	args[4] = 3;
	assert_true(xlat_key(nr, args, &k));
	assert_true(k == XLAT_MMAP_FILE);
	args[3] = MAP_PRIVATE | MAP_FIXED | MAP_POPULATE;
	assert_true(xlat_key(nr, args, &k));
	assert_true(k == XLAT_MMAP_FILE);
}

/* The kernel takes ioctl's request as unsigned int: garbage or a sign
 * extension in the upper half of the register does not change it. */
static void test_key_ioctl(void **state)
{
	long args[6] = {1, (long)0xffffffff00005401ull, 0, 0, 0, 0};
	int nr = sc_by_name("ioctl");
	uint64_t k;

	(void)state;
	assert_true(xlat_key(nr, args, &k));
	assert_true(k == TCGETS);
	assert_string_equal(xlat_name(xlat_for(nr), k), "TCGETS");
	args[1] = (long)(int)TIOCGPTN; /* sign-extended by a 32-bit int cast */
	assert_true(xlat_key(nr, args, &k));
	assert_true(k == TIOCGPTN);
	assert_string_equal(xlat_name(xlat_for(nr), k), "TIOCGPTN");
}

static void test_key_others(void **state)
{
	long args[6] = {0};
	uint64_t k;

	(void)state;
	/* a CPU clock id, either as a sign-extended or a zero-extended int */
	args[0] = -6;
	assert_true(xlat_key(sc_by_name("clock_gettime"), args, &k));
	assert_true(k == (uint64_t)-6);
	args[0] = 0xfffffffa;
	assert_true(xlat_key(sc_by_name("clock_gettime"), args, &k));
	assert_true(k == (uint64_t)-6);
	args[0] = CLOCK_MONOTONIC | 0x100000000l;
	assert_true(xlat_key(sc_by_name("clock_nanosleep"), args, &k));
	assert_true(k == CLOCK_MONOTONIC);
	args[0] = 3;
	args[1] = FUTEX_WAIT_PRIVATE;
	assert_true(xlat_key(sc_by_name("futex"), args, &k));
	assert_string_equal(xlat_name(table("futex"), k), "FUTEX_WAIT_PRIVATE");
	args[1] = LOCK_EX | LOCK_NB;
	assert_true(xlat_key(sc_by_name("flock"), args, &k));
	assert_string_equal(xlat_name(table("flock"), k), "LOCK_EX|LOCK_NB");
	args[1] = SHUT_WR;
	assert_true(xlat_key(sc_by_name("shutdown"), args, &k));
	assert_string_equal(xlat_name(table("shutdown"), k), "SHUT_WR");
	args[0] = 0;
	args[1] = RLIMIT_NOFILE;
	assert_true(xlat_key(sc_by_name("prlimit64"), args, &k));
	assert_string_equal(xlat_name(table("prlimit64"), k), "RLIMIT_NOFILE");
	assert_false(xlat_key(sc_by_name("getpid"), args, &k));
	assert_false(xlat_key(sc_by_name("read"), args, &k));
	assert_false(xlat_key(-1, args, &k));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ioctl_headers),
		cmocka_unit_test(test_ioctl_headers_fs_dev),
		cmocka_unit_test(test_command_headers),
		cmocka_unit_test(test_other_headers),
		cmocka_unit_test(test_op_headers),
		cmocka_unit_test(test_bindings),
		cmocka_unit_test(test_selector_args),
		cmocka_unit_test(test_no_duplicate_names),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_key_mmap),
		cmocka_unit_test(test_key_ioctl),
		cmocka_unit_test(test_key_others),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
