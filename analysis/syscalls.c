/* The x86-64 system call table: every number of arch/x86/entry/syscalls/
 * syscall_64.tbl up to Linux 6.18, with the shape of each argument.
 *
 * Sizes are those of the x86-64 kernel ABI, not of whatever libc the VMM is
 * built against, so they are written as numbers rather than sizeof().  Where
 * a pointer's extent or direction depends on another argument, on the
 * contents of the memory it points to, or where the memory holds further
 * pointers the kernel follows, the argument is SA_SPECIAL: a plain buffer
 * check there would let a guest slip an unchecked address past the VMM. */
#include "analysis/syscalls.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* x86-64 kernel ABI sizes. */
#define SZ_STAT 144
#define SZ_STATX 256
#define SZ_STATFS 120
#define SZ_TIMESPEC 16
#define SZ_TIMEVAL 16
#define SZ_TIMEZONE 8
#define SZ_ITIMER 32       /* struct itimerval and struct itimerspec */
#define SZ_RUSAGE 144
#define SZ_SIGINFO 128
#define SZ_SIGEVENT 64
#define SZ_KSIGACTION 32   /* handler, flags, restorer, 8-byte mask */
#define SZ_STACK 24        /* stack_t */
#define SZ_POLLFD 8
#define SZ_EPOLL_EVENT 12  /* packed on x86-64 */
#define SZ_IOVEC 16
#define SZ_MSGHDR 56
#define SZ_MMSGHDR 64
#define SZ_RLIMIT 16
#define SZ_UTSNAME 390     /* struct new_utsname: 6 * 65 */
#define SZ_SYSINFO 112
#define SZ_TMS 32
#define SZ_TIMEX 208
#define SZ_USTAT 32
#define SZ_UTIMBUF 16
#define SZ_SCHED_PARAM 4
#define SZ_CAP_HEADER 8
#define SZ_MQ_ATTR 64
#define SZ_IO_EVENT 32
#define SZ_IOCB 64
#define SZ_USER_DESC 16
#define SZ_SEMBUF 6
#define SZ_CACHESTAT_RANGE 16
#define SZ_CACHESTAT 40

/* One argument: kind, index of the argument giving its length (-1 for
 * none), and a fixed size or element size. */
#define A(k, l, s) {SA_##k, l, s}
#define I A(INT, -1, 0)
#define FD A(FD, -1, 0)
#define DFD A(DIRFD, -1, 0)
#define FL A(FLAGS, -1, 0)
#define SEL A(SELECTOR, -1, 0)
#define PID A(PID, -1, 0)
#define SIG A(SIG, -1, 0)
#define ADR A(ADDR, -1, 0)
#define STR A(STR, -1, 0)
#define PATH A(PATH, -1, 0)
#define SPC A(SPECIAL, -1, 0)
#define SARR A(STRARRAY, -1, 0)
/* Fixed-size structs. */
#define IN(sz) A(BUF_IN, -1, sz)
#define OUT(sz) A(BUF_OUT, -1, sz)
#define IO(sz) A(BUF_INOUT, -1, sz)
/* args[a] bytes. */
#define INL(a) A(BUF_IN, a, 0)
#define OUTL(a) A(BUF_OUT, a, 0)
/* args[a] elements of sz bytes. */
#define INN(a, sz) A(BUF_IN, a, sz)
#define OUTN(a, sz) A(BUF_OUT, a, sz)
#define ION(a, sz) A(BUF_INOUT, a, sz)
#define IOVI(a) A(IOVEC_IN, a, SZ_IOVEC)
#define IOVO(a) A(IOVEC_OUT, a, SZ_IOVEC)
#define MSGI A(MSGHDR_IN, -1, SZ_MSGHDR)
#define MSGO A(MSGHDR_OUT, -1, SZ_MSGHDR)
#define MMSGI(a) A(MMSGHDR_IN, a, SZ_MMSGHDR)
#define MMSGO(a) A(MMSGHDR_OUT, a, SZ_MMSGHDR)
/* sockaddr written by the kernel; args[a] is its socklen_t *. */
#define SAO(a) A(SOCKADDR_OUT, a, 0)
#define SOCKLEN IO(4)

/* An entry: number, name (the kernel's), argument count, flags, arguments. */
#define SF(nr_, name_, n_, fl_, ...)                                    \
	[nr_] = {.name = #name_, .nr = nr_, .nargs = n_, .flags = fl_,   \
	         .args = {__VA_ARGS__}}
#define S(nr_, name_, n_, ...) SF(nr_, name_, n_, 0, __VA_ARGS__)
#define S0F(nr_, name_, fl_) [nr_] = {.name = #name_, .nr = nr_, .flags = fl_}
#define S0(nr_, name_) S0F(nr_, name_, 0)
/* An entry whose fake value is not 0 (enum sc_fake). */
#define SK(nr_, name_, n_, fl_, fk_, ...)                               \
	[nr_] = {.name = #name_, .nr = nr_, .nargs = n_, .flags = fl_,   \
	         .fake = fk_, .args = {__VA_ARGS__}}
#define S0K(nr_, name_, fk_) [nr_] = {.name = #name_, .nr = nr_, .fake = fk_}
#define K_ARG(i) FK_AT(FK_ARG, i)
#define K_IOV(i) FK_AT(FK_IOVLEN, i)
#define K_PAIR(i) FK_AT(FK_FDPAIR, i)
#define K_PID FK_PID
#define NEWFD SCF_NEWFD
#define NORET SCF_NORETURN
#define NORST SCF_NORESTART

const struct syscall_info sc_table[SC_TABLE_SIZE] = {
	S(0, read, 3, FD, OUTL(2), I),
	SK(1, write, 3, 0, K_ARG(2), FD, INL(2), I),
	SF(2, open, 3, NEWFD, PATH, FL, FL),
	S(3, close, 1, FD),
	S(4, stat, 2, PATH, OUT(SZ_STAT)),
	S(5, fstat, 2, FD, OUT(SZ_STAT)),
	S(6, lstat, 2, PATH, OUT(SZ_STAT)),
	SF(7, poll, 3, NORST, ION(1, SZ_POLLFD), I, I),
	S(8, lseek, 3, FD, I, I),
	/* The flags decide between a file and an anonymous mapping. */
	S(9, mmap, 6, ADR, I, FL, SEL, FD, I),
	S(10, mprotect, 3, ADR, I, FL),
	S(11, munmap, 2, ADR, I),
	SK(12, brk, 1, 0, K_ARG(0), ADR),
	S(13, rt_sigaction, 4, SIG, IN(SZ_KSIGACTION), OUT(SZ_KSIGACTION), I),
	S(14, rt_sigprocmask, 4, FL, INL(3), OUTL(3), I),
	S0F(15, rt_sigreturn, NORET),
	S(16, ioctl, 3, FD, SEL, SPC),
	S(17, pread64, 4, FD, OUTL(2), I, I),
	SK(18, pwrite64, 4, 0, K_ARG(2), FD, INL(2), I, I),
	S(19, readv, 3, FD, IOVO(2), I),
	SK(20, writev, 3, 0, K_IOV(1), FD, IOVI(2), I),
	S(21, access, 2, PATH, FL),
	SK(22, pipe, 1, 0, K_PAIR(0), OUT(8)),
	/* fd_set extent follows nfds; Linux writes the remaining time back. */
	SF(23, select, 5, NORST, I, SPC, SPC, SPC, IO(SZ_TIMEVAL)),
	S0(24, sched_yield),
	S(25, mremap, 5, ADR, I, I, FL, ADR),
	S(26, msync, 3, ADR, I, FL),
	/* One byte per page of the range, not a byte count. */
	S(27, mincore, 3, ADR, I, SPC),
	S(28, madvise, 3, ADR, I, SEL),
	S(29, shmget, 3, I, I, FL),
	S(30, shmat, 3, I, ADR, FL),
	S(31, shmctl, 3, I, SEL, SPC),
	SF(32, dup, 1, NEWFD, FD),
	SK(33, dup2, 2, NEWFD, K_ARG(1), FD, FD),
	S0F(34, pause, NORST),
	SF(35, nanosleep, 2, NORST, IN(SZ_TIMESPEC), OUT(SZ_TIMESPEC)),
	S(36, getitimer, 2, SEL, OUT(SZ_ITIMER)),
	S(37, alarm, 1, I),
	S(38, setitimer, 3, SEL, IN(SZ_ITIMER), OUT(SZ_ITIMER)),
	S0K(39, getpid, K_PID),
	SK(40, sendfile, 4, 0, K_ARG(3), FD, FD, IO(8), I),
	SF(41, socket, 3, NEWFD, SEL, FL, I),
	S(42, connect, 3, FD, INL(2), I),
	SF(43, accept, 3, NEWFD, FD, SAO(2), SOCKLEN),
	SK(44, sendto, 6, 0, K_ARG(2), FD, INL(2), I, FL, INL(5), I),
	S(45, recvfrom, 6, FD, OUTL(2), I, FL, SAO(5), SOCKLEN),
	SK(46, sendmsg, 3, 0, K_IOV(1), FD, MSGI, FL),
	S(47, recvmsg, 3, FD, MSGO, FL),
	S(48, shutdown, 2, FD, I),
	S(49, bind, 3, FD, INL(2), I),
	S(50, listen, 2, FD, I),
	S(51, getsockname, 3, FD, SAO(2), SOCKLEN),
	S(52, getpeername, 3, FD, SAO(2), SOCKLEN),
	SK(53, socketpair, 4, 0, K_PAIR(3), SEL, FL, I, OUT(8)),
	S(54, setsockopt, 5, FD, SEL, SEL, INL(4), I),
	/* optval's capacity is *optlen. */
	S(55, getsockopt, 5, FD, SEL, SEL, SPC, SOCKLEN),
	/* The tid pointers are written only under some flags; tls is the
	 * new fs base, a value. */
	S(56, clone, 5, FL, ADR, SPC, SPC, ADR),
	S0(57, fork),
	S0(58, vfork),
	SF(59, execve, 3, NORET, PATH, SARR, SARR),
	SF(60, exit, 1, NORET, I),
	S(61, wait4, 4, PID, OUT(4), FL, OUT(SZ_RUSAGE)),
	S(62, kill, 2, PID, SIG),
	S(63, uname, 1, OUT(SZ_UTSNAME)),
	S(64, semget, 3, I, I, FL),
	SF(65, semop, 3, NORST, I, INN(2, SZ_SEMBUF), I),
	/* arg is a union: a value or a pointer, by cmd. */
	S(66, semctl, 4, I, I, SEL, SPC),
	S(67, shmdt, 1, ADR),
	S(68, msgget, 2, I, FL),
	/* struct msgbuf: a long mtype before msgsz bytes of text. */
	SF(69, msgsnd, 4, NORST, I, SPC, I, FL),
	SF(70, msgrcv, 5, NORST, I, SPC, I, I, FL),
	S(71, msgctl, 3, I, SEL, SPC),
	S(72, fcntl, 3, FD, SEL, SPC),
	S(73, flock, 2, FD, FL),
	S(74, fsync, 1, FD),
	S(75, fdatasync, 1, FD),
	S(76, truncate, 2, PATH, I),
	S(77, ftruncate, 2, FD, I),
	S(78, getdents, 3, FD, OUTL(2), I),
	S(79, getcwd, 2, OUTL(1), I),
	S(80, chdir, 1, PATH),
	S(81, fchdir, 1, FD),
	S(82, rename, 2, PATH, PATH),
	S(83, mkdir, 2, PATH, FL),
	S(84, rmdir, 1, PATH),
	SF(85, creat, 2, NEWFD, PATH, FL),
	S(86, link, 2, PATH, PATH),
	S(87, unlink, 1, PATH),
	S(88, symlink, 2, PATH, PATH),
	S(89, readlink, 3, PATH, OUTL(2), I),
	S(90, chmod, 2, PATH, FL),
	S(91, fchmod, 2, FD, FL),
	S(92, chown, 3, PATH, I, I),
	S(93, fchown, 3, FD, I, I),
	S(94, lchown, 3, PATH, I, I),
	S(95, umask, 1, FL),
	S(96, gettimeofday, 2, OUT(SZ_TIMEVAL), OUT(SZ_TIMEZONE)),
	S(97, getrlimit, 2, SEL, OUT(SZ_RLIMIT)),
	S(98, getrusage, 2, SEL, OUT(SZ_RUSAGE)),
	S(99, sysinfo, 1, OUT(SZ_SYSINFO)),
	S(100, times, 1, OUT(SZ_TMS)),
	S(101, ptrace, 4, SEL, PID, SPC, SPC),
	S0(102, getuid),
	/* buf is written only by the read actions. */
	S(103, syslog, 3, SEL, SPC, I),
	S0(104, getgid),
	S(105, setuid, 1, I),
	S(106, setgid, 1, I),
	S0(107, geteuid),
	S0(108, getegid),
	S(109, setpgid, 2, PID, PID),
	S0K(110, getppid, K_PID),
	S0K(111, getpgrp, K_PID),
	S0K(112, setsid, K_PID),
	S(113, setreuid, 2, I, I),
	S(114, setregid, 2, I, I),
	S(115, getgroups, 2, I, OUTN(0, 4)),
	S(116, setgroups, 2, I, INN(0, 4)),
	S(117, setresuid, 3, I, I, I),
	S(118, getresuid, 3, OUT(4), OUT(4), OUT(4)),
	S(119, setresgid, 3, I, I, I),
	S(120, getresgid, 3, OUT(4), OUT(4), OUT(4)),
	SK(121, getpgid, 1, 0, K_PID, PID),
	S(122, setfsuid, 1, I),
	S(123, setfsgid, 1, I),
	SK(124, getsid, 1, 0, K_PID, PID),
	/* The kernel writes its version into the header on a mismatch; the
	 * data array has one or two elements by that version. */
	S(125, capget, 2, IO(SZ_CAP_HEADER), SPC),
	S(126, capset, 2, IO(SZ_CAP_HEADER), SPC),
	S(127, rt_sigpending, 2, OUTL(1), I),
	SF(128, rt_sigtimedwait, 4, NORST, INL(3), OUT(SZ_SIGINFO), IN(SZ_TIMESPEC), I),
	S(129, rt_sigqueueinfo, 3, PID, SIG, IN(SZ_SIGINFO)),
	SF(130, rt_sigsuspend, 2, NORST, INL(1), I),
	S(131, sigaltstack, 2, IN(SZ_STACK), OUT(SZ_STACK)),
	S(132, utime, 2, PATH, IN(SZ_UTIMBUF)),
	S(133, mknod, 3, PATH, FL, I),
	S(134, uselib, 1, PATH),
	S(135, personality, 1, FL),
	S(136, ustat, 2, I, OUT(SZ_USTAT)),
	S(137, statfs, 2, PATH, OUT(SZ_STATFS)),
	S(138, fstatfs, 2, FD, OUT(SZ_STATFS)),
	/* Option 1 takes a string, option 2 writes one. */
	S(139, sysfs, 3, SEL, SPC, SPC),
	S(140, getpriority, 2, SEL, I),
	S(141, setpriority, 3, SEL, I, I),
	S(142, sched_setparam, 2, PID, IN(SZ_SCHED_PARAM)),
	S(143, sched_getparam, 2, PID, OUT(SZ_SCHED_PARAM)),
	S(144, sched_setscheduler, 3, PID, I, IN(SZ_SCHED_PARAM)),
	S(145, sched_getscheduler, 1, PID),
	S(146, sched_get_priority_max, 1, I),
	S(147, sched_get_priority_min, 1, I),
	S(148, sched_rr_get_interval, 2, PID, OUT(SZ_TIMESPEC)),
	S(149, mlock, 2, ADR, I),
	S(150, munlock, 2, ADR, I),
	S(151, mlockall, 1, FL),
	S0(152, munlockall),
	S0(153, vhangup),
	S(154, modify_ldt, 3, SEL, SPC, I),
	S(155, pivot_root, 2, PATH, PATH),
	/* Removed in 5.5; the struct held further pointers. */
	S(156, _sysctl, 1, SPC),
	S(157, prctl, 5, SEL, SPC, SPC, SPC, SPC),
	S(158, arch_prctl, 2, SEL, SPC),
	S(159, adjtimex, 1, IO(SZ_TIMEX)),
	S(160, setrlimit, 2, SEL, IN(SZ_RLIMIT)),
	S(161, chroot, 1, PATH),
	S0(162, sync),
	S(163, acct, 1, PATH),
	S(164, settimeofday, 2, IN(SZ_TIMEVAL), IN(SZ_TIMEZONE)),
	/* data is a string or a binary page, by file system. */
	S(165, mount, 5, PATH, PATH, STR, FL, SPC),
	S(166, umount2, 2, PATH, FL),
	S(167, swapon, 2, PATH, FL),
	S(168, swapoff, 1, PATH),
	S(169, reboot, 4, I, I, SEL, SPC),
	S(170, sethostname, 2, INL(1), I),
	S(171, setdomainname, 2, INL(1), I),
	S(172, iopl, 1, I),
	S(173, ioperm, 3, I, I, I),
	/* "ni" entries are never implemented on x86-64 (sys_ni_syscall):
	 * the kernel fails with ENOSYS before looking at any argument, so
	 * none is declared and the guest gets ENOSYS, not a spurious EFAULT. */
	S0(174, create_module), /* ni */
	S(175, init_module, 3, INL(1), I, STR),
	S(176, delete_module, 2, STR, FL),
	S0(177, get_kernel_syms), /* ni */
	S0(178, query_module), /* ni */
	S(179, quotactl, 4, SEL, PATH, I, SPC),
	S0(180, nfsservctl), /* ni */
	S0(181, getpmsg), /* ni */
	S0(182, putpmsg), /* ni */
	S0(183, afs_syscall), /* ni */
	S0(184, tuxcall), /* ni */
	S0(185, security), /* ni */
	S0K(186, gettid, K_PID),
	S(187, readahead, 3, FD, I, I),
	S(188, setxattr, 5, PATH, STR, INL(3), I, FL),
	S(189, lsetxattr, 5, PATH, STR, INL(3), I, FL),
	S(190, fsetxattr, 5, FD, STR, INL(3), I, FL),
	S(191, getxattr, 4, PATH, STR, OUTL(3), I),
	S(192, lgetxattr, 4, PATH, STR, OUTL(3), I),
	S(193, fgetxattr, 4, FD, STR, OUTL(3), I),
	S(194, listxattr, 3, PATH, OUTL(2), I),
	S(195, llistxattr, 3, PATH, OUTL(2), I),
	S(196, flistxattr, 3, FD, OUTL(2), I),
	S(197, removexattr, 2, PATH, STR),
	S(198, lremovexattr, 2, PATH, STR),
	S(199, fremovexattr, 2, FD, STR),
	S(200, tkill, 2, PID, SIG),
	S(201, time, 1, OUT(8)),
	/* utime is a timeout or the integer val2, uaddr2 is used by some
	 * ops only: both depend on op. */
	S(202, futex, 6, IO(4), SEL, I, SPC, SPC, I),
	S(203, sched_setaffinity, 3, PID, I, INL(1)),
	S(204, sched_getaffinity, 3, PID, I, OUTL(1)),
	/* entry_number is read, and written back when it was -1. */
	S(205, set_thread_area, 1, IO(SZ_USER_DESC)),
	/* The context id is read and must be zero before it is written. */
	S(206, io_setup, 2, I, IO(8)),
	S(207, io_destroy, 1, I),
	SF(208, io_getevents, 5, NORST, I, I, I, OUTN(2, SZ_IO_EVENT), IN(SZ_TIMESPEC)),
	/* An array of pointers to iocbs, which point to data buffers. */
	S(209, io_submit, 3, I, I, SPC),
	S(210, io_cancel, 3, I, IN(SZ_IOCB), OUT(SZ_IO_EVENT)),
	S(211, get_thread_area, 1, IO(SZ_USER_DESC)),
	S(212, lookup_dcookie, 3, I, OUTL(2), I),
	SF(213, epoll_create, 1, NEWFD, I),
	S0(214, epoll_ctl_old), /* ni */
	S0(215, epoll_wait_old), /* ni */
	S(216, remap_file_pages, 5, ADR, I, FL, I, FL),
	S(217, getdents64, 3, FD, OUTL(2), I),
	/* Stored and written only when the thread exits. */
	S(218, set_tid_address, 1, ADR),
	S0(219, restart_syscall),
	SF(220, semtimedop, 4, NORST, I, INN(2, SZ_SEMBUF), I, IN(SZ_TIMESPEC)),
	S(221, fadvise64, 4, FD, I, I, SEL),
	S(222, timer_create, 3, SEL, IN(SZ_SIGEVENT), OUT(4)),
	S(223, timer_settime, 4, I, FL, IN(SZ_ITIMER), OUT(SZ_ITIMER)),
	S(224, timer_gettime, 2, I, OUT(SZ_ITIMER)),
	S(225, timer_getoverrun, 1, I),
	S(226, timer_delete, 1, I),
	/* Clock ids select dynamic (fd-backed) and CPU-time clocks too. */
	S(227, clock_settime, 2, SEL, IN(SZ_TIMESPEC)),
	S(228, clock_gettime, 2, SEL, OUT(SZ_TIMESPEC)),
	S(229, clock_getres, 2, SEL, OUT(SZ_TIMESPEC)),
	SF(230, clock_nanosleep, 4, NORST, SEL, FL, IN(SZ_TIMESPEC), OUT(SZ_TIMESPEC)),
	SF(231, exit_group, 1, NORET, I),
	SF(232, epoll_wait, 4, NORST, FD, OUTN(2, SZ_EPOLL_EVENT), I, I),
	S(233, epoll_ctl, 4, FD, SEL, FD, IN(SZ_EPOLL_EVENT)),
	S(234, tgkill, 3, PID, PID, SIG),
	S(235, utimes, 2, PATH, IN(2 * SZ_TIMEVAL)),
	S0(236, vserver), /* ni */
	/* Node masks are maxnode bits long. */
	S(237, mbind, 6, ADR, I, FL, SPC, I, FL),
	S(238, set_mempolicy, 3, FL, SPC, I),
	S(239, get_mempolicy, 5, OUT(4), SPC, I, ADR, FL),
	SF(240, mq_open, 4, NEWFD, STR, FL, FL, IN(SZ_MQ_ATTR)),
	S(241, mq_unlink, 1, STR),
	S(242, mq_timedsend, 5, FD, INL(2), I, I, IN(SZ_TIMESPEC)),
	S(243, mq_timedreceive, 5, FD, OUTL(2), I, OUT(4), IN(SZ_TIMESPEC)),
	S(244, mq_notify, 2, FD, IN(SZ_SIGEVENT)),
	S(245, mq_getsetattr, 3, FD, IN(SZ_MQ_ATTR), OUT(SZ_MQ_ATTR)),
	/* Segments point to the image buffers. */
	S(246, kexec_load, 4, I, I, SPC, FL),
	S(247, waitid, 5, SEL, PID, OUT(SZ_SIGINFO), FL, OUT(SZ_RUSAGE)),
	S(248, add_key, 5, STR, STR, INL(3), I, I),
	S(249, request_key, 4, STR, STR, STR, I),
	S(250, keyctl, 5, SEL, SPC, SPC, SPC, SPC),
	S(251, ioprio_set, 3, SEL, I, I),
	S(252, ioprio_get, 2, SEL, I),
	S0F(253, inotify_init, NEWFD),
	S(254, inotify_add_watch, 3, FD, PATH, FL),
	S(255, inotify_rm_watch, 2, FD, I),
	S(256, migrate_pages, 4, PID, I, SPC, SPC),
	SF(257, openat, 4, NEWFD, DFD, PATH, FL, FL),
	S(258, mkdirat, 3, DFD, PATH, FL),
	S(259, mknodat, 4, DFD, PATH, FL, I),
	S(260, fchownat, 5, DFD, PATH, I, I, FL),
	S(261, futimesat, 3, DFD, PATH, IN(2 * SZ_TIMEVAL)),
	S(262, newfstatat, 4, DFD, PATH, OUT(SZ_STAT), FL),
	S(263, unlinkat, 3, DFD, PATH, FL),
	S(264, renameat, 4, DFD, PATH, DFD, PATH),
	S(265, linkat, 5, DFD, PATH, DFD, PATH, FL),
	S(266, symlinkat, 3, PATH, DFD, PATH),
	S(267, readlinkat, 4, DFD, PATH, OUTL(3), I),
	S(268, fchmodat, 3, DFD, PATH, FL),
	S(269, faccessat, 3, DFD, PATH, FL),
	/* The last argument points to a {sigset_t *, size_t} pair. */
	SF(270, pselect6, 6, NORST, I, SPC, SPC, SPC, IO(SZ_TIMESPEC), SPC),
	SF(271, ppoll, 5, NORST, ION(1, SZ_POLLFD), I, IO(SZ_TIMESPEC), INL(4), I),
	S(272, unshare, 1, FL),
	/* The list is walked by the kernel only when the thread exits. */
	S(273, set_robust_list, 2, ADR, I),
	S(274, get_robust_list, 3, PID, OUT(8), OUT(8)),
	SK(275, splice, 6, 0, K_ARG(4), FD, IO(8), FD, IO(8), I, FL),
	SK(276, tee, 4, 0, K_ARG(2), FD, FD, I, FL),
	S(277, sync_file_range, 4, FD, I, I, FL),
	/* The buffers are read or written by the pipe end fd is. */
	S(278, vmsplice, 4, FD, SPC, I, FL),
	S(279, move_pages, 6, PID, I, INN(1, 8), INN(1, 4), OUTN(1, 4), FL),
	S(280, utimensat, 4, DFD, PATH, IN(2 * SZ_TIMESPEC), FL),
	SF(281, epoll_pwait, 6, NORST, FD, OUTN(2, SZ_EPOLL_EVENT), I, I, INL(5), I),
	SF(282, signalfd, 3, NEWFD, FD, INL(2), I),
	SF(283, timerfd_create, 2, NEWFD, SEL, FL),
	SF(284, eventfd, 1, NEWFD, I),
	S(285, fallocate, 4, FD, FL, I, I),
	S(286, timerfd_settime, 4, FD, FL, IN(SZ_ITIMER), OUT(SZ_ITIMER)),
	S(287, timerfd_gettime, 2, FD, OUT(SZ_ITIMER)),
	SF(288, accept4, 4, NEWFD, FD, SAO(2), SOCKLEN, FL),
	SF(289, signalfd4, 4, NEWFD, FD, INL(2), I, FL),
	SF(290, eventfd2, 2, NEWFD, I, FL),
	SF(291, epoll_create1, 1, NEWFD, FL),
	SK(292, dup3, 3, NEWFD, K_ARG(1), FD, FD, FL),
	SK(293, pipe2, 2, 0, K_PAIR(0), OUT(8), FL),
	SF(294, inotify_init1, 1, NEWFD, FL),
	S(295, preadv, 5, FD, IOVO(2), I, I, I),
	SK(296, pwritev, 5, 0, K_IOV(1), FD, IOVI(2), I, I, I),
	S(297, rt_tgsigqueueinfo, 4, PID, PID, SIG, IN(SZ_SIGINFO)),
	/* attr carries its own size. */
	SF(298, perf_event_open, 5, NEWFD, SPC, PID, I, FD, FL),
	/* The remaining time is written back to the timeout. */
	S(299, recvmmsg, 5, FD, MMSGO(2), I, FL, IO(SZ_TIMESPEC)),
	SF(300, fanotify_init, 2, NEWFD, FL, FL),
	S(301, fanotify_mark, 5, FD, FL, FL, DFD, PATH),
	S(302, prlimit64, 4, PID, SEL, IN(SZ_RLIMIT), OUT(SZ_RLIMIT)),
	/* The handle carries its own size; mnt_id is an int or, with
	 * AT_HANDLE_MNT_ID_UNIQUE, a u64. */
	S(303, name_to_handle_at, 5, DFD, PATH, SPC, SPC, FL),
	SF(304, open_by_handle_at, 3, NEWFD, DFD, SPC, FL),
	S(305, clock_adjtime, 2, SEL, IO(SZ_TIMEX)),
	S(306, syncfs, 1, FD),
	SK(307, sendmmsg, 4, 0, K_ARG(2), FD, MMSGI(2), I, FL),
	S(308, setns, 2, FD, FL),
	/* The cache argument is ignored since 2.6.24, never dereferenced. */
	S(309, getcpu, 3, OUT(4), OUT(4), ADR),
	/* The remote iovecs are read here but describe the other process. */
	S(310, process_vm_readv, 6, PID, IOVO(2), I, INN(4, SZ_IOVEC), I, FL),
	S(311, process_vm_writev, 6, PID, IOVI(2), I, INN(4, SZ_IOVEC), I, FL),
	/* idx1/idx2 are fds of the other processes; KCMP_EPOLL_TFD makes
	 * idx2 a pointer. */
	S(312, kcmp, 5, PID, PID, SEL, I, SPC),
	S(313, finit_module, 3, FD, STR, FL),
	S(314, sched_setattr, 3, PID, SPC, FL),
	S(315, sched_getattr, 4, PID, OUTL(2), I, FL),
	S(316, renameat2, 5, DFD, PATH, DFD, PATH, FL),
	S(317, seccomp, 3, SEL, FL, SPC),
	S(318, getrandom, 3, OUTL(1), I, FL),
	SF(319, memfd_create, 2, NEWFD, STR, FL),
	S(320, kexec_file_load, 5, FD, FD, I, INL(2), FL),
	S(321, bpf, 3, SEL, SPC, I),
	SF(322, execveat, 5, NORET, DFD, PATH, SARR, SARR, FL),
	SF(323, userfaultfd, 1, NEWFD, FL),
	S(324, membarrier, 3, SEL, FL, I),
	S(325, mlock2, 3, ADR, I, FL),
	SK(326, copy_file_range, 6, 0, K_ARG(4), FD, IO(8), FD, IO(8), I, FL),
	S(327, preadv2, 6, FD, IOVO(2), I, I, I, FL),
	SK(328, pwritev2, 6, 0, K_IOV(1), FD, IOVI(2), I, I, I, FL),
	S(329, pkey_mprotect, 4, ADR, I, FL, I),
	S(330, pkey_alloc, 2, FL, FL),
	S(331, pkey_free, 1, I),
	S(332, statx, 5, DFD, PATH, FL, FL, OUT(SZ_STATX)),
	SF(333, io_pgetevents, 6, NORST, I, I, I, OUTN(2, SZ_IO_EVENT), IN(SZ_TIMESPEC),
	  SPC),
	S(334, rseq, 4, SPC, I, FL, I),
	/* Called only from kernel-installed uprobe trampolines. */
	S0(335, uretprobe),
	S0(336, uprobe),

	/* 337..423 are unassigned on x86-64: new calls share numbers with
	 * the other architectures from 424 on. */
	S(424, pidfd_send_signal, 4, FD, SIG, IN(SZ_SIGINFO), FL),
	/* params may carry ring addresses (IORING_SETUP_NO_MMAP). */
	SF(425, io_uring_setup, 2, NEWFD, I, SPC),
	S(426, io_uring_enter, 6, FD, I, I, FL, SPC, I),
	S(427, io_uring_register, 4, FD, SEL, SPC, I),
	SF(428, open_tree, 3, NEWFD, DFD, PATH, FL),
	S(429, move_mount, 5, DFD, PATH, DFD, PATH, FL),
	SF(430, fsopen, 2, NEWFD, STR, FL),
	/* key and value are strings, blobs, fds or NULL by cmd. */
	S(431, fsconfig, 5, FD, SEL, SPC, SPC, I),
	SF(432, fsmount, 3, NEWFD, FD, FL, FL),
	SF(433, fspick, 3, NEWFD, DFD, PATH, FL),
	SF(434, pidfd_open, 2, NEWFD, PID, FL),
	S(435, clone3, 2, INL(1), I),
	/* Range bounds, the last often ~0U: not necessarily open fds. */
	S(436, close_range, 3, FD, I, FL),
	SF(437, openat2, 4, NEWFD, DFD, PATH, INL(3), I),
	/* targetfd is an fd of the process pidfd refers to, not ours. */
	SF(438, pidfd_getfd, 3, NEWFD, FD, I, FL),
	S(439, faccessat2, 4, DFD, PATH, FL, FL),
	/* The iovecs are read here but describe the other process. */
	S(440, process_madvise, 5, FD, INN(2, SZ_IOVEC), I, SEL, FL),
	SF(441, epoll_pwait2, 6, NORST, FD, OUTN(2, SZ_EPOLL_EVENT), I, IN(SZ_TIMESPEC),
	  INL(5), I),
	S(442, mount_setattr, 5, DFD, PATH, FL, INL(4), I),
	S(443, quotactl_fd, 4, FD, SEL, I, SPC),
	SF(444, landlock_create_ruleset, 3, NEWFD, INL(1), I, FL),
	/* The rule's struct depends on its type. */
	S(445, landlock_add_rule, 4, FD, SEL, SPC, FL),
	S(446, landlock_restrict_self, 2, FD, FL),
	SF(447, memfd_secret, 1, NEWFD, FL),
	S(448, process_mrelease, 2, FD, FL),
	/* Each waiter holds a futex address the kernel follows. */
	S(449, futex_waitv, 5, SPC, I, FL, IN(SZ_TIMESPEC), SEL),
	S(450, set_mempolicy_home_node, 4, ADR, I, I, FL),
	S(451, cachestat, 4, FD, IN(SZ_CACHESTAT_RANGE), OUT(SZ_CACHESTAT), FL),
	S(452, fchmodat2, 4, DFD, PATH, FL, FL),
	S(453, map_shadow_stack, 3, ADR, I, FL),
	/* The futex word is 1 to 8 bytes, by FUTEX2_SIZE_* in flags. */
	S(454, futex_wake, 4, SPC, I, I, FL),
	S(455, futex_wait, 6, SPC, I, I, FL, IN(SZ_TIMESPEC), SEL),
	S(456, futex_requeue, 4, SPC, FL, I, I),
	/* The request carries its own size. */
	S(457, statmount, 4, SPC, OUTL(2), I, FL),
	S(458, listmount, 4, SPC, OUTN(2, 8), I, FL),
	/* ctx and ids have the capacity in *size. */
	S(459, lsm_get_self_attr, 4, SEL, SPC, IO(4), FL),
	S(460, lsm_set_self_attr, 4, SEL, INL(2), I, FL),
	S(461, lsm_list_modules, 3, SPC, IO(4), FL),
	S(462, mseal, 3, ADR, I, FL),
	/* struct xattr_args points to the value buffer. */
	S(463, setxattrat, 6, DFD, PATH, FL, STR, SPC, I),
	S(464, getxattrat, 6, DFD, PATH, FL, STR, SPC, I),
	S(465, listxattrat, 5, DFD, PATH, FL, OUTL(4), I),
	S(466, removexattrat, 4, DFD, PATH, FL, STR),
	SF(467, open_tree_attr, 5, NEWFD, DFD, PATH, FL, INL(4), I),
	S(468, file_getattr, 5, DFD, PATH, OUTL(3), I, FL),
	S(469, file_setattr, 5, DFD, PATH, INL(3), I, FL),
};

const struct syscall_info *sc_lookup(long nr)
{
	if (nr < 0 || nr >= SC_TABLE_SIZE || !sc_table[nr].name)
		return NULL;
	return &sc_table[nr];
}

int sc_by_name(const char *name)
{
	if (!name)
		return -1;
	for (int i = 0; i < SC_TABLE_SIZE; i++)
		if (sc_table[i].name && strcmp(sc_table[i].name, name) == 0)
			return i;
	return -1;
}

const char *sc_name(long nr)
{
	const struct syscall_info *si = sc_lookup(nr);

	return si ? si->name : NULL;
}

const char *sc_name_or_nr(long nr, char *buf, size_t len)
{
	const char *name = sc_name(nr);

	if (name)
		return name;
	snprintf(buf, len, "%ld", nr);
	return buf;
}

int sc_selector_arg(long nr)
{
	const struct syscall_info *si = sc_lookup(nr);

	if (!si)
		return -1;
	for (int i = 0; i < si->nargs; i++)
		if (si->args[i].kind == SA_SELECTOR)
			return i;
	return -1;
}

uint8_t sc_fake(long nr)
{
	const struct syscall_info *si = sc_lookup(nr);
	if (!si)
		return FK_ZERO;
	if (si->fake == FK_ZERO && (si->flags & SCF_NEWFD))
		return FK_FD;
	return si->fake;
}

int sc_path_arg(long nr)
{
	const struct syscall_info *si = sc_lookup(nr);
	for (int i = 0; si && i < si->nargs; i++)
		if (si->args[i].kind == SA_PATH)
			return i;
	return -1;
}

static const char *const kind_names[SA__COUNT] = {
	[SA_NONE] = "none",
	[SA_INT] = "int",
	[SA_FD] = "fd",
	[SA_DIRFD] = "dirfd",
	[SA_FLAGS] = "flags",
	[SA_SELECTOR] = "selector",
	[SA_PID] = "pid",
	[SA_SIG] = "sig",
	[SA_ADDR] = "addr",
	[SA_STR] = "str",
	[SA_PATH] = "path",
	[SA_BUF_IN] = "buf_in",
	[SA_BUF_OUT] = "buf_out",
	[SA_BUF_INOUT] = "buf_inout",
	[SA_IOVEC_IN] = "iovec_in",
	[SA_IOVEC_OUT] = "iovec_out",
	[SA_MSGHDR_IN] = "msghdr_in",
	[SA_MSGHDR_OUT] = "msghdr_out",
	[SA_MMSGHDR_IN] = "mmsghdr_in",
	[SA_MMSGHDR_OUT] = "mmsghdr_out",
	[SA_STRARRAY] = "strarray",
	[SA_SOCKADDR_OUT] = "sockaddr_out",
	[SA_SPECIAL] = "special",
};

const char *sc_kind_name(enum sc_kind k)
{
	if ((unsigned)k >= SA__COUNT || !kind_names[k])
		return "?";
	return kind_names[k];
}
