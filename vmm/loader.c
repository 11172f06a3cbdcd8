/* execve() as Linux's binfmt_elf and binfmt_script do it, into a process VM:
 * find the file, load it and its interpreter, build the initial stack. */
#include "core/elf.h"
#include "vmm/proc.h"
#include "vmm/util.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#define HEAD_MAX (64u << 10)
#define STACK_SIZE (8ull << 20)
#define SCRIPT_DEPTH 4
#define MAX_ARGS 4096

struct image {
	int fd;
	size_t len;
	uint8_t head[HEAD_MAX];
};

static int open_image(const char *path, struct image *im)
{
	struct stat st;
	im->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (im->fd < 0)
		return -errno;
	if (fstat(im->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(im->fd);
		return -EISDIR;
	}
	if (!S_ISREG(st.st_mode) || access(path, X_OK) != 0) {
		close(im->fd);
		return -EACCES;
	}
	ssize_t n = pread(im->fd, im->head, sizeof(im->head), 0);
	im->len = n > 0 ? (size_t)n : 0;
	return 0;
}

static int exec_status(int err)
{
	return err == -ENOENT || err == -ENOTDIR ? HL_EXIT_NOTFOUND : HL_EXIT_NOEXEC;
}

/* ---- the initial stack ---- */

struct stack_builder {
	uint64_t lo, sp;
};

static uint64_t push_bytes(struct stack_builder *sb, const void *data, size_t len)
{
	sb->sp -= len;
	memcpy((void *)sb->sp, data, len);
	return sb->sp;
}

static uint64_t push_str(struct stack_builder *sb, const char *s)
{
	return push_bytes(sb, s, strlen(s) + 1);
}

struct auxv_in {
	uint64_t phdr, phnum, base, entry, random, platform, execfn, vdso;
};

static int fill_auxv(uint64_t *av, const struct auxv_in *in)
{
	uint64_t pairs[][2] = {
		{AT_SYSINFO_EHDR, in->vdso},
		{AT_HWCAP, getauxval(AT_HWCAP)},
		{AT_PAGESZ, PAGE_SIZE},
		{AT_CLKTCK, (uint64_t)sysconf(_SC_CLK_TCK)},
		{AT_PHDR, in->phdr},
		{AT_PHENT, sizeof(Elf64_Phdr)},
		{AT_PHNUM, in->phnum},
		{AT_BASE, in->base},
		{AT_FLAGS, 0},
		{AT_ENTRY, in->entry},
		{AT_UID, getuid()},
		{AT_EUID, geteuid()},
		{AT_GID, getgid()},
		{AT_EGID, getegid()},
		{AT_SECURE, 0},
		{AT_RANDOM, in->random},
		{AT_HWCAP2, getauxval(AT_HWCAP2)},
		{AT_EXECFN, in->execfn},
		{AT_PLATFORM, in->platform},
		{AT_MINSIGSTKSZ, getauxval(AT_MINSIGSTKSZ) ? getauxval(AT_MINSIGSTKSZ) : 2048},
		{AT_NULL, 0},
	};
	int n = 0;
	for (size_t i = 0; i < ARRAY_SIZE(pairs); i++) {
		if (pairs[i][0] == AT_SYSINFO_EHDR && !pairs[i][1])
			continue; /* no vDSO: absent, as libc expects */
		av[n++] = pairs[i][0];
		av[n++] = pairs[i][1];
	}
	return n;
}

/* Linux's layout, top down: execfn, the argument and environment strings,
 * the platform string, AT_RANDOM bytes; then, 16-byte aligned, argc, argv,
 * envp and the auxiliary vector. */
static int build_stack(struct proc *p, int argc, char *const argv[], char *const envp[],
		       const char *execfn, struct auxv_in *in, uint64_t *rsp)
{
	void *st = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (st == MAP_FAILED)
		return -errno;
	struct stack_builder sb = {(uint64_t)st, (uint64_t)st + STACK_SIZE - 8};
	int envc = 0;
	while (envp[envc])
		envc++;
	size_t strings = strlen(execfn) + 64;
	for (int i = 0; i < argc; i++)
		strings += strlen(argv[i]) + 1;
	for (int i = 0; i < envc; i++)
		strings += strlen(envp[i]) + 1;
	if (strings > STACK_SIZE / 4 || argc > MAX_ARGS * 64)
		return -E2BIG;
	in->execfn = push_str(&sb, execfn);
	uint64_t *ptrs = calloc((size_t)(argc + envc + 2), sizeof(uint64_t));
	for (int i = envc - 1; i >= 0; i--)
		ptrs[argc + 1 + i] = push_str(&sb, envp[i]);
	for (int i = argc - 1; i >= 0; i--)
		ptrs[i] = push_str(&sb, argv[i]);
	in->platform = push_str(&sb, "x86_64");
	uint8_t rnd[16];
	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
		memset(rnd, 0x5a, sizeof(rnd));
	in->random = push_bytes(&sb, rnd, sizeof(rnd));
	p->nauxv = fill_auxv(p->auxv, in);
	size_t words = 1 + (size_t)argc + 1 + (size_t)envc + 1 + (size_t)p->nauxv;
	sb.sp = (sb.sp - words * 8) & ~15ull;
	uint64_t *w = (uint64_t *)sb.sp;
	*w++ = (uint64_t)argc;
	memcpy(w, ptrs, (size_t)(argc + envc + 2) * 8);
	w += argc + envc + 2;
	memcpy(w, p->auxv, (size_t)p->nauxv * 8);
	free(ptrs);
	*rsp = sb.sp;
	return gm_map(&p->vm.mem, (uint64_t)st, (uint64_t)st + STACK_SIZE, PROT_READ | PROT_WRITE);
}

/* ---- ELF ---- */

static int map_loaded(struct proc *p, const struct elf_loaded *l)
{
	for (int i = 0; i < l->nranges; i++) {
		int r = gm_map(&p->vm.mem, l->ranges[i].start, l->ranges[i].end, l->ranges[i].prot);
		if (r)
			return r;
	}
	return 0;
}

/* Address space after the program for brk to grow into, as Linux keeps
 * room for the heap right after the program's bss. */
static void reserve_brk(struct proc *p, uint64_t end)
{
	p->brk_start = p->brk_cur = p->brk_end = end;
	void *r = mmap((void *)end, BRK_RESERVE, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
	if (r == (void *)end)
		p->brk_end = end + BRK_RESERVE;
	else if (r != MAP_FAILED)
		munmap(r, BRK_RESERVE);
}

static int load_interp(struct proc *p, const char *path, struct elf_loaded *il, const char **why)
{
	static struct image im;
	struct elf_image img;
	int r = open_image(path, &im);
	if (r)
		return r;
	r = elf_parse(im.head, im.len, &img, why);
	if (!r && img.interp[0]) {
		*why = "the interpreter has an interpreter";
		r = -ENOEXEC;
	}
	if (!r)
		r = elf_load(im.fd, &img, 0, il);
	if (!r)
		r = map_loaded(p, il);
	close(im.fd);
	return r;
}

static int load_elf(struct proc *p, struct image *im, const char *path, int argc,
		    char *const argv[], char *const envp[])
{
	static struct elf_image img;
	static struct elf_loaded prog, interp;
	const char *why = NULL;
	int r = elf_parse(im->head, im->len, &img, &why);
	if (!r && (r = elf_load(im->fd, &img, 0, &prog)) == -EEXIST)
		why = "its fixed load address overlaps the VMM (try a PIE build)";
	if (!r && !(r = map_loaded(p, &prog)))
		reserve_brk(p, prog.hi);
	if (!r && img.interp[0] && (r = load_interp(p, img.interp, &interp, &why)) && !why)
		hl_err("%s: %s", img.interp, strerror(-r));
	if (r) {
		hl_err("%s: %s", path, why ? why : strerror(-r));
		return exec_status(r);
	}
	struct auxv_in in = {.phdr = prog.phdr, .phnum = img.phnum, .entry = prog.entry,
			     .base = img.interp[0] ? interp.lo : 0,
			     .vdso = p->vm.vdso_broken ? 0 : p->vm.vdso};
	uint64_t rsp = 0;
	if ((r = build_stack(p, argc, argv, envp, path, &in, &rsp))) {
		hl_err("%s: cannot build the initial stack: %s", path, strerror(-r));
		return HL_EXIT_NOEXEC;
	}
	p->entry_rip = img.interp[0] ? interp.entry : prog.entry;
	p->entry_rsp = rsp;
	return 0;
}

/* ---- #! scripts ---- */

static int exec_depth(struct proc *p, const char *path, int argc, char *const argv[],
		      char *const envp[], int depth);

static int exec_script(struct proc *p, struct image *im, const char *path, int argc,
		       char *const argv[], char *const envp[], int depth)
{
	char interp[PATH_MAX], arg[256];
	if (depth >= SCRIPT_DEPTH || elf_shebang(im->head, im->len, interp, sizeof(interp), arg, sizeof(arg))) {
		hl_err("%s: bad interpreter line", path);
		return HL_EXIT_NOEXEC;
	}
	char **nargv = calloc((size_t)argc + 3, sizeof(char *));
	int n = 0;
	nargv[n++] = interp;
	if (arg[0])
		nargv[n++] = arg;
	nargv[n++] = (char *)path;
	for (int i = 1; i < argc; i++)
		nargv[n++] = argv[i];
	close(im->fd);
	return exec_depth(p, interp, n, nargv, envp, depth + 1);
}

static int exec_depth(struct proc *p, const char *path, int argc, char *const argv[],
		      char *const envp[], int depth)
{
	static struct image im;
	char buf[PATH_MAX];
	/* execve() itself does not search PATH; only the command line does. */
	const char *file = p->opt.exec_child ? path : hl_path_search(path, buf, sizeof(buf));
	if (!file) {
		hl_err("%s: command not found", path);
		return HL_EXIT_NOTFOUND;
	}
	int r = open_image(file, &im);
	if (r) {
		hl_err("%s: %s", file, strerror(-r));
		return exec_status(r);
	}
	if (im.len >= 2 && im.head[0] == '#' && im.head[1] == '!')
		return exec_script(p, &im, strdup(file), argc, argv, envp, depth);
	if (!realpath(file, p->exe))
		snprintf(p->exe, sizeof(p->exe), "%s", file);
	/* The name it was run by, symlinks kept (redis-server is a link to
	 * redis-check-rdb): what a whitelist names. */
	snprintf(p->exe_name, sizeof(p->exe_name), "%s", file);
	r = load_elf(p, &im, file, argc, argv, envp);
	close(im.fd);
	return r;
}

int proc_exec(struct proc *p, const char *path, int argc, char *const argv[], char *const envp[])
{
	return exec_depth(p, path, argc, argv, envp, 0);
}

/* The checks of Linux's execve that can fail before the old image is
 * gone: the file, its format, and the interpreter it names. */
static long check_depth(const char *path, int depth)
{
	static __thread struct image im;
	static __thread struct elf_image img;
	const char *why;
	char interp[PATH_MAX], arg[256];
	long r = open_image(path, &im);
	if (r)
		return r;
	close(im.fd);
	if (im.len >= 2 && im.head[0] == '#' && im.head[1] == '!') {
		if (depth >= SCRIPT_DEPTH || elf_shebang(im.head, im.len, interp, sizeof(interp), arg, sizeof(arg)))
			return -ENOEXEC;
		return check_depth(interp, depth + 1);
	}
	if (elf_parse(im.head, im.len, &img, &why))
		return -ENOEXEC;
	if (!img.interp[0])
		return 0;
	r = open_image(img.interp, &im);
	if (!r)
		close(im.fd);
	return r == -EACCES ? -ELIBBAD : r;
}

long proc_exec_check(const char *path)
{
	return check_depth(path, 0);
}
