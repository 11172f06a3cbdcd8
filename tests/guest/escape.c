/* escape: a program that tries to get out from under the sud engine's
 * monitor, which it finds in /proc/self/maps: disarm Syscall User Dispatch,
 * unmap, unprotect, replace or move the monitor's pages, take %gs, unmap
 * or unprotect the stubs its rewritten call sites jump to (an anonymous
 * r-x region of 64 KiB; its getppid calls go through one).  It
 * prints what each attempt returned, then makes 100 getppid calls, which
 * the run's statistics must still count (tests/e2e/escape.sh).  Natively
 * there is no monitor: it says so and exits 3. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *result(long r)
{
	static char buf[64];
	if (r != -1)
		return "0 (succeeded)";
	snprintf(buf, sizeof(buf), "-1 %s", strerrorname_np(errno));
	return buf;
}

/* The first mapping of the monitor's executable: its text. */
static int find_monitor(uintptr_t *lo, uintptr_t *hi)
{
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");
	int found = 0;
	while (f && !found && fgets(line, sizeof(line), f))
		found = strstr(line, "hl-monitor") && sscanf(line, "%lx-%lx", lo, hi) == 2;
	if (f)
		fclose(f);
	return found;
}

/* The first anonymous r-x region of 64 KiB: the rewritten sites' stubs. */
static int find_stubs(uintptr_t *lo)
{
	char line[512], perms[8];
	uintptr_t a, b;
	unsigned long off, inode;
	FILE *f = fopen("/proc/self/maps", "r");
	int found = 0;
	while (f && !found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%lx-%lx %7s %lx %*s %lu", &a, &b, perms, &off, &inode) == 5 &&
			b - a == 65536 && !strcmp(perms, "r-xp") && !inode && (*lo = a);
	if (f)
		fclose(f);
	return found;
}

int main(void)
{
	uintptr_t lo, hi;
	if (!find_monitor(&lo, &hi)) {
		puts("no monitor in /proc/self/maps");
		return 3;
	}
	size_t len = hi - lo;
	printf("prctl(PR_SET_SYSCALL_USER_DISPATCH, OFF): %s\n", result(prctl(59, 0, 0, 0, 0)));
	printf("munmap(monitor): %s\n", result(munmap((void *)lo, len)));
	printf("mprotect(monitor, PROT_NONE): %s\n", result(mprotect((void *)lo, len, PROT_NONE)));
	void *m = mmap((void *)lo, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	printf("mmap(MAP_FIXED over monitor): %s\n", result(m == MAP_FAILED ? -1 : 0));
	m = mremap((void *)lo, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, (void *)(lo + (1ul << 30)));
	printf("mremap(monitor): %s\n", result(m == MAP_FAILED ? -1 : 0));
	printf("madvise(monitor, MADV_DONTNEED): %s\n", result(madvise((void *)lo, len, MADV_DONTNEED)));
	printf("arch_prctl(ARCH_SET_GS): %s\n", result(syscall(SYS_arch_prctl, 0x1001, 0)));
	if (find_stubs(&lo)) {
		printf("munmap(stubs): %s\n", result(munmap((void *)lo, 65536)));
		printf("mprotect(stubs, PROT_READ | PROT_WRITE): %s\n",
		       result(mprotect((void *)lo, 65536, PROT_READ | PROT_WRITE)));
	} else {
		puts("no stubs in /proc/self/maps");
	}
	for (int i = 0; i < 100; i++)
		getppid();
	puts("still here");
	return 0;
}
