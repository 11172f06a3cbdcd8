/* The program into the monitor's process, as binfmt_elf and binfmt_script
 * would load it: the file, its interpreter, the initial stack, and the
 * kernel's view of the image (brk, argv and environment for /proc) through
 * PR_SET_MM_MAP where the kernel allows it. */
#include "core/elf.h"
#include "core/lib.h"
#include "core/stack.h"
#include "monitor/mon.h"

#include <asm/stat.h>
#include <asm/unistd_64.h>
#include <elf.h>
#include <linux/errno.h>
#include <linux/fcntl.h>
#include <linux/mman.h>
#include <linux/prctl.h>

#define SYS(nr, a, b, c, d, e, f) hl_sys6(__NR_##nr, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))
#define HEAD_MAX (64u << 10)
#define SCRIPT_DEPTH 4

struct file {
	int fd;
	long len;
	uint8_t head[HEAD_MAX];
};

static const char *err_text(long e)
{
	switch (-e) {
	case ENOENT: return "No such file or directory";
	case EACCES: return "Permission denied";
	case EISDIR: return "Is a directory";
	case ENOTDIR: return "Not a directory";
	case ELOOP: return "Too many levels of symbolic links";
	case ENAMETOOLONG: return "File name too long";
	case ENOMEM: return "Cannot allocate memory";
	case EEXIST: return "File exists";
	case E2BIG: return "Argument list too long";
	default: return "Exec format error";
	}
}

static int fail(const char *path, const char *why, long e)
{
	mon_say(path, ": ", why);
	return e == -ENOENT || e == -ENOTDIR ? 127 : 126;
}

static long open_file(const char *path, struct file *f)
{
	struct stat st;
	f->fd = (int)SYS(open, path, O_RDONLY | O_CLOEXEC, 0, 0, 0, 0);
	if (f->fd < 0)
		return f->fd;
	long r = SYS(fstat, f->fd, &st, 0, 0, 0, 0);
	if (!r && (st.st_mode & 0170000) == 0040000)
		r = -EISDIR;
	else if (!r && ((st.st_mode & 0170000) != 0100000 || SYS(access, path, 1 /* X_OK */, 0, 0, 0, 0)))
		r = -EACCES;
	f->len = r ? 0 : SYS(pread64, f->fd, f->head, sizeof(f->head), 0, 0, 0);
	if (!r && f->len < 0)
		r = f->len;
	if (r)
		SYS(close, f->fd, 0, 0, 0, 0, 0);
	return r;
}

/* The file's parsed headers and its mapping; a message and an exit
 * status on failure. */
static int map_elf(const char *path, struct file *f, struct elf_image *img, uint64_t hint, struct elf_loaded *l)
{
	const char *why = 0;
	if (elf_parse(f->head, (size_t)f->len, img, &why))
		return fail(path, why, -ENOEXEC);
	long r = elf_load(f->fd, img, hint, l);
	return r ? fail(path, err_text(r), r) : 0;
}

static uint64_t aux_get(const uint64_t *auxv, uint64_t type)
{
	for (; auxv[0] != AT_NULL; auxv += 2)
		if (auxv[0] == type)
			return auxv[1];
	return 0;
}

/* The kernel's auxiliary vector with the program's own entries. */
static void aux_program(uint64_t *out, const uint64_t *auxv, const struct elf_loaded *prog,
			const struct elf_image *img, uint64_t base)
{
	int n = 0;
	for (; auxv[0] != AT_NULL && n < 60; auxv += 2) {
		uint64_t v = auxv[1];
		switch (auxv[0]) {
		case AT_PHDR: v = prog->phdr; break;
		case AT_PHNUM: v = img->phnum; break;
		case AT_BASE: v = base; break;
		case AT_ENTRY: v = prog->entry; break;
		case AT_SYSINFO_EHDR:
			if (mon.no_vdso)
				continue; /* absent, as libc expects without one */
			break;
		}
		out[n++] = auxv[0];
		out[n++] = v;
	}
	out[n++] = AT_NULL;
	out[n] = 0;
}

/* What /proc shows of the image: brk after the program, argv and the
 * environment where the stack has them.  Unprivileged since Linux 4.x;
 * where it fails, brk stays after the monitor, which programs cannot
 * tell apart. */
static void set_mm_map(const struct elf_loaded *prog, const struct stack_out *so)
{
	struct {
		uint64_t start_code, end_code, start_data, end_data, start_brk, brk, start_stack;
		uint64_t arg_start, arg_end, env_start, env_end, auxv;
		uint32_t auxv_size, exe_fd;
	} m = {0};
	m.start_code = prog->lo, m.end_code = prog->lo;
	m.start_data = m.end_data = prog->hi;
	for (int i = 0; i < prog->nranges; i++) {
		if ((prog->ranges[i].prot & PROT_EXEC) && prog->ranges[i].end > m.end_code)
			m.start_code = prog->ranges[i].start, m.end_code = prog->ranges[i].end;
		if ((prog->ranges[i].prot & PROT_WRITE) && prog->ranges[i].start < m.start_data)
			m.start_data = prog->ranges[i].start;
	}
	m.start_brk = m.brk = prog->hi;
	m.start_stack = so->sp;
	m.arg_start = so->arg_start, m.arg_end = so->arg_end;
	m.env_start = so->env_start, m.env_end = so->env_end;
	m.auxv = so->auxv, m.auxv_size = (uint32_t)(so->auxv_words * 8);
	m.exe_fd = (uint32_t)-1;
	SYS(prctl, PR_SET_MM, PR_SET_MM_MAP, &m, sizeof(m), 0, 0);
}

static int load_interp(const char *path, uint64_t *base, uint64_t *entry)
{
	static struct file f;
	static struct elf_image img;
	static struct elf_loaded l;
	long r = open_file(path, &f);
	if (r)
		return fail(path, err_text(r), r);
	r = map_elf(path, &f, &img, 0, &l);
	SYS(close, f.fd, 0, 0, 0, 0, 0);
	*base = l.bias;
	*entry = l.entry;
	return (int)r;
}

static int start_elf(const char *path, struct file *f, int argc, char **argv, char **envp, uint64_t *auxv,
		     struct mon_image *out)
{
	static struct elf_image img;
	static struct elf_loaded prog;
	static uint64_t av[64];
	int st = map_elf(path, f, &img, 0x555555554000ull, &prog);
	uint64_t base = 0, entry = prog.entry;
	if (!st && img.interp[0])
		st = load_interp(img.interp, &base, &entry);
	char fdpath[40] = "/proc/self/fd/";
	hl_utoa(fdpath + 14, (uint64_t)f->fd);
	long n = SYS(readlink, fdpath, mon.exe, sizeof(mon.exe) - 1, 0, 0, 0);
	mon.exe[n > 0 ? n : 0] = 0;
	SYS(close, f->fd, 0, 0, 0, 0, 0);
	if (st)
		return st;
	aux_program(av, auxv, &prog, &img, base);
	uint8_t rnd[16];
	SYS(getrandom, rnd, sizeof(rnd), 0, 0, 0, 0);
	struct stack_in in = {argc, argv, envp, path, (const char *)aux_get(auxv, AT_PLATFORM), rnd, av};
	struct stack_out so;
	/* Below the monitor's own frames, on the same growing stack. */
	uint64_t top = ((uint64_t)__builtin_frame_address(0) - (256u << 10)) & ~4095ull;
	if (stack_build(top, top - (8u << 20), &in, &so))
		return fail(path, err_text(-E2BIG), -E2BIG);
	set_mm_map(&prog, &so);
	out->entry = entry;
	out->sp = so.sp;
	return 0;
}

static int load_depth(const char *path, int argc, char **argv, char **envp, uint64_t *auxv,
		      struct mon_image *out, int depth)
{
	static struct file f;
	long r = open_file(path, &f);
	if (r)
		return fail(path, err_text(r), r);
	if (f.len < 2 || f.head[0] != '#' || f.head[1] != '!')
		return start_elf(path, &f, argc, argv, envp, auxv, out);
	SYS(close, f.fd, 0, 0, 0, 0, 0);
	static char interp[SCRIPT_DEPTH][MON_PATH_MAX], arg[SCRIPT_DEPTH][256];
	if (depth >= SCRIPT_DEPTH || elf_shebang(f.head, (size_t)f.len, interp[depth], MON_PATH_MAX, arg[depth], 256))
		return fail(path, "bad interpreter line", -ENOEXEC);
	char *nargv[argc + 3];
	int n = 0;
	nargv[n++] = interp[depth];
	if (arg[depth][0])
		nargv[n++] = arg[depth];
	nargv[n++] = (char *)path;
	for (int i = 1; i < argc; i++)
		nargv[n++] = argv[i];
	nargv[n] = 0;
	return load_depth(interp[depth], n, nargv, envp, auxv, out, depth + 1);
}

/* /proc/PID/comm: the file's name, as execve sets it. */
static void set_comm(const char *path)
{
	const char *base = path;
	for (const char *p = path; *p; p++)
		if (*p == '/')
			base = p + 1;
	char comm[16];
	hl_strlcpy(comm, base, sizeof(comm));
	SYS(prctl, PR_SET_NAME, comm, 0, 0, 0, 0);
}

int mon_load(const char *path, int argc, char **argv, char **envp, uint64_t *auxv, struct mon_image *img)
{
	int st = load_depth(path, argc, argv, envp, auxv, img, 0);
	if (!st)
		set_comm(path);
	return st;
}
