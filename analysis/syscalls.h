/* The one table of x86-64 system call metadata.
 *
 * Every layer (dispatcher, pointer validator, recorder, analysis, TUI) reads
 * this table instead of keeping its own list of names or argument shapes.  It
 * covers every number the kernel defines, including those newer than the
 * build host's <asm/unistd_64.h>; a unit test checks names and numbers
 * against that header. */
#ifndef HL_SYSCALLS_H
#define HL_SYSCALLS_H

#include <stddef.h>
#include <stdint.h>

#define SC_MAX_ARGS 6
/* One past the highest number in the table; numbers below it without an
 * entry (the 512+ x32 range is never reached) have name == NULL. */
#define SC_TABLE_SIZE 512

/* What an argument is, as far as the VMM must care before forwarding it.
 * Pointer kinds say who reads or writes the memory: *_IN is read by the
 * kernel, *_OUT written by it, *_INOUT both. */
enum sc_kind {
	SA_NONE = 0,
	SA_INT,          /* integer, count, size, id, offset */
	SA_FD,           /* file descriptor */
	SA_DIRFD,        /* directory fd for *at() calls (AT_FDCWD allowed) */
	SA_FLAGS,        /* bit flags or mode */
	SA_SELECTOR,     /* sub-feature selector: ioctl request, fcntl cmd... */
	SA_PID,          /* pid, tid, pgid */
	SA_SIG,          /* signal number */
	SA_ADDR,         /* address used as a value (mmap addr, brk) */
	SA_STR,          /* NUL-terminated string read by the kernel */
	SA_PATH,         /* NUL-terminated path name read by the kernel */
	SA_BUF_IN,       /* memory the kernel reads: length below */
	SA_BUF_OUT,      /* memory the kernel writes: length below */
	SA_BUF_INOUT,    /* memory the kernel reads and writes */
	SA_IOVEC_IN,     /* struct iovec[count]; kernel reads the buffers */
	SA_IOVEC_OUT,    /* struct iovec[count]; kernel writes the buffers */
	SA_MSGHDR_IN,    /* struct msghdr for sendmsg */
	SA_MSGHDR_OUT,   /* struct msghdr for recvmsg */
	SA_MMSGHDR_IN,   /* struct mmsghdr[count] for sendmmsg */
	SA_MMSGHDR_OUT,  /* struct mmsghdr[count] for recvmmsg */
	SA_STRARRAY,     /* NULL-terminated array of strings (argv, envp) */
	SA_SOCKADDR_OUT, /* sockaddr written by kernel, capacity in *len_arg */
	SA_SPECIAL,      /* meaning depends on another argument (ioctl arg,
	                    fcntl arg, prctl args, futex val2...): the VMM
	                    validates it with call-specific code */
	SA__COUNT
};

/* Length of a pointer argument: when len_arg >= 0 the length is
 * args[len_arg] * (size ? size : 1) bytes (an element count times the
 * element size, or a byte count); when len_arg < 0 it is the fixed size
 * `size` (sizeof a struct).  For SA_SOCKADDR_OUT, len_arg names the
 * socklen_t * argument.  For SA_IOVEC_* and SA_MMSGHDR_*, len_arg names the
 * element count.  Ignored for the other kinds. */
struct sc_arg {
	uint8_t kind;   /* enum sc_kind */
	int8_t len_arg; /* -1 = none */
	uint16_t size;
};

/* Per-call flags. */
enum {
	SCF_NEWFD = 1u << 0,   /* success returns a new file descriptor */
	SCF_NORETURN = 1u << 1, /* does not return on success (exit, execve) */
	/* never restarted after a signal handler, SA_RESTART or not
	 * (signal(7): waits with timeouts, sleeps, signal waits) */
	SCF_NORESTART = 1u << 2
};

/* What a faked call (policy `fake`: not executed, reported as a success)
 * returns: 0 unless the column says otherwise (README "Policies").  The low
 * nibble is the kind, the high nibble an argument index. */
enum sc_fake {
	FK_ZERO = 0,
	FK_FD,     /* a new fd on empty content (default of SCF_NEWFD calls) */
	FK_ARG,    /* the argument FK_ARGN: a byte count, the new fd of dup2 */
	FK_IOVLEN, /* the bytes in the iovec (or msghdr's iovec) at FK_ARGN */
	FK_PID,    /* the caller's pid, ppid or tid, as the call would say */
	FK_FDPAIR, /* two new fds written to the int[2] at FK_ARGN */
};
#define FK_KIND(f) ((f) & 0xf)
#define FK_ARGN(f) ((f) >> 4)
#define FK_AT(kind, arg) ((uint8_t)((kind) | ((arg) << 4)))

struct syscall_info {
	const char *name; /* NULL for unassigned numbers */
	uint16_t nr;
	uint8_t nargs;
	uint8_t flags;    /* SCF_* */
	uint8_t fake;     /* enum sc_fake, with its argument (FK_AT) */
	struct sc_arg args[SC_MAX_ARGS];
};

/* Indexed by syscall number; entries without a name are unassigned. */
extern const struct syscall_info sc_table[SC_TABLE_SIZE];

/* Entry for nr, or NULL if nr is out of range or unassigned. */
const struct syscall_info *sc_lookup(long nr);

/* Number for a name, or -1. */
int sc_by_name(const char *name);

/* Name for nr, or NULL. */
const char *sc_name(long nr);

/* Name for nr, or its number written into buf when it has none. */
const char *sc_name_or_nr(long nr, char *buf, size_t len);

/* Index of the sub-feature selector argument of nr, or -1. */
int sc_selector_arg(long nr);

/* The fake column of nr (FK_FD for SCF_NEWFD calls left at FK_ZERO). */
uint8_t sc_fake(long nr);

/* Index of the path argument of nr (the first SA_PATH), or -1. */
int sc_path_arg(long nr);

const char *sc_kind_name(enum sc_kind k);

#endif
