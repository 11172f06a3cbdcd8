/* execve and execveat: the kernel would load the new program without the
 * monitor, so the monitor executes itself again with the program's path,
 * argv and environment; the new monitor loads the program.  The checks
 * Linux makes before the old image is gone are made here first, so that
 * a failing execve fails in the program as natively. */
#include "core/elf.h"
#include "core/lib.h"
#include "monitor/mon.h"
#include "monitor/trap.h"

#include <asm/stat.h>
#include <asm/unistd_64.h>
#include <linux/errno.h>
#include <linux/fcntl.h>
#include <linux/mman.h>

#define SYS(nr, a, b, c, d, e, f) hl_sys6(__NR_##nr, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))
#define HEAD 512

/* The file can be executed: a regular file we may run, an x86-64 ELF or
 * a script whose interpreter can be, at most 4 deep. */
static long check(const char *path, int depth)
{
	uint8_t head[HEAD];
	long fd = SYS(open, path, O_RDONLY | O_CLOEXEC, 0, 0, 0, 0);
	if (fd < 0)
		return fd == -EACCES || fd == -ENOENT || fd == -ENOTDIR || fd == -ELOOP || fd == -ENAMETOOLONG ? fd : -EACCES;
	struct stat st;
	long r = SYS(fstat, fd, &st, 0, 0, 0, 0);
	long n = SYS(pread64, fd, head, sizeof(head) - 1, 0, 0, 0);
	SYS(close, fd, 0, 0, 0, 0, 0);
	if (r || (st.st_mode & 0170000) != 0100000 || SYS(access, path, 1, 0, 0, 0, 0))
		return -EACCES;
	char interp[MON_PATH_MAX], arg[8];
	if (n >= 2 && head[0] == '#' && head[1] == '!')
		return depth >= 4 || elf_shebang(head, (size_t)n, interp, sizeof(interp), arg, sizeof(arg)) ? -ENOEXEC
											: check(interp, depth + 1);
	bool elf = n >= 20 && !memcmp(head, "\177ELF", 4);
	return !elf ? -ENOEXEC : head[4] != 2 || head[18] != 62 ? -ENOEXEC : 0;
}

bool mon_own_exe(const char *path)
{
	char own[40] = "/proc/";
	size_t k = 6 + hl_utoa(own + 6, (uint64_t)mon.pid);
	memcpy(own + k, "/exe", 5);
	return !strcmp(path, "/proc/self/exe") || !strcmp(path, own);
}

/* The path execve or execveat names. */
static long exec_path(long nr, const long a[6], char *out, size_t len)
{
	long k = mon_read(out, (uint64_t)a[nr == __NR_execveat], len - 1);
	if (k < 0)
		return -EFAULT;
	out[k] = 0;
	if (hl_strnlen(out, (size_t)k) == (size_t)k)
		return -ENAMETOOLONG;
	if (mon_own_exe(out))
		hl_strlcpy(out, mon.exe, len);
	if (nr != __NR_execveat || out[0] == '/' || (a[0] == -100 && out[0]))
		return out[0] ? 0 : -ENOENT;
	char fdp[64] = "/proc/self/fd/";
	size_t n = 14 + hl_utoa(fdp + 14, (uint64_t)a[0]);
	if (!out[0] && !(a[4] & AT_EMPTY_PATH))
		return -ENOENT;
	char dir[MON_PATH_MAX];
	long d = SYS(readlink, fdp, dir, sizeof(dir) - 1, 0, 0, 0);
	if (d < 0)
		return -EBADF;
	dir[d] = 0;
	(void)n;
	if (!out[0]) {
		memcpy(out, dir, (size_t)d + 1);
		return 0;
	}
	size_t o = strlen(out);
	if ((size_t)d + 1 + o + 1 > len)
		return -ENAMETOOLONG;
	memmove(out + d + 1, out, o + 1);
	memcpy(out, dir, (size_t)d);
	out[d] = '/';
	return 0;
}

static long count_args(uint64_t argv)
{
	long n = 0;
	for (uint64_t p = 1; argv; n++) {
		if (mon_read(&p, argv + (uint64_t)n * 8, 8) != 8)
			return -EFAULT;
		if (!p)
			return n;
	}
	return 0;
}

static void fd_text(char *buf, int fd)
{
	if (fd < 0)
		memcpy(buf, "-1", 3);
	else
		hl_utoa(buf, (uint64_t)fd);
}

static int options(char **v, char *fds)
{
	int n = 0;
	v[n++] = (char *)mon.self_exe;
	v[n++] = "-t";
	v[n++] = fds;
	v[n++] = "-s";
	v[n++] = fds + 12;
	v[n++] = "-r";
	v[n++] = fds + 24;
	v[n++] = "-m";
	v[n++] = (char *)mon.self_exe;
	if (mon.no_vdso)
		v[n++] = "-V", v[n++] = "1";
	static const char *forms[] = {"0", "1", "2", "3"};
	v[n++] = "-w", v[n++] = (char *)forms[mon.rw_forms & 3];
	for (int i = 0; i < mon.nonly; i++)
		v[n++] = "-o", v[n++] = (char *)mon.only[i];
	v[n++] = "--";
	return n;
}

long mon_execve(long nr, const long a[6])
{
	static char path[MON_PATH_MAX];
	long r = exec_path(nr, a, path, sizeof(path));
	if (!r)
		r = check(path, 0);
	long argc = r ? 0 : count_args((uint64_t)a[nr == __NR_execveat ? 2 : 1]);
	if (r || argc < 0)
		return r ? r : argc;
	uint64_t size = ((uint64_t)argc + 2 * MON_ONLY_MAX + 16) * 8;
	long m = SYS(mmap, 0, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m < 0 && m > -4096)
		return -ENOMEM;
	char **v = (char **)m, fds[36] = {0};
	fd_text(fds, mon.table_fd);
	fd_text(fds + 12, mon.stats_fd);
	fd_text(fds + 24, mon.report_fd);
	int n = options(v, fds);
	v[n++] = path;
	memcpy(v + n, (const void *)a[nr == __NR_execveat ? 2 : 1], (size_t)argc * 8);
	v[n + argc] = 0;
	mon_finish(-1, 0);
	long envp = a[nr == __NR_execveat ? 3 : 2];
	r = SYS(execve, mon.self_exe, v, envp, 0, 0, 0);
	/* Still here: the new image could not start; this one goes on. */
	if (mon.stats)
		__atomic_store_n(&mon.stats->state, STATS_RUNNING, __ATOMIC_RELEASE);
	SYS(munmap, m, size, 0, 0, 0, 0);
	return r;
}
