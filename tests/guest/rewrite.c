/* rewrite: what a program can see of the VMM's syscall-site rewriting.
 * Natively nothing is rewritten; under hyperloupe every mode must print
 * the same as natively.  The code under test is generated at run time in
 * pages the program maps itself ("JIT" pages), so that it knows where the
 * `syscall` sites are.
 *
 *   jit        a JIT page runs getppid three times (the VMM rewrites the
 *              site after the first), is made writable again: the bytes read
 *              back as written; the code is changed (getpid) and run again
 *   remap      the page moves with mremap and still runs; then new code
 *              mapped at the old address with `out %al, $0xe0` where the
 *              site was gets the SIGSEGV it gets natively
 *   out        `out` to the VMM's ports from the program's own code, never a
 *              system call: SIGSEGV (si_code SI_KERNEL), as natively
 *   race       4 threads run one site in a loop while the main thread flips
 *              the page between r-x and rwx (each flip puts the `syscall`
 *              back, the next call rewrites it): every call returns getppid
 *   redzone    a leaf function keeps data in its red zone (the 128 bytes
 *              below %rsp) and the carry flag across its `syscall`, in the
 *              two shapes the sud engine rewrites into jumps (`mov $nr,%eax;
 *              syscall` and `syscall; cmp $-4096,%rax`): both survive
 *   all        every mode above
 */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PAGE 4096

typedef long (*jit_fn)(void);

static const char *yesno(int b)
{
	return b ? "yes" : "no";
}

static void die(const char *what)
{
	perror(what);
	exit(2);
}

/* mov $nr, %eax; syscall; ret  at page + off. */
static void emit_call(uint8_t *page, size_t off, int nr)
{
	uint8_t code[] = {0xb8, 0, 0, 0, 0, 0x0f, 0x05, 0xc3};
	memcpy(code + 1, &nr, 4);
	memcpy(page + off, code, sizeof(code));
}

static uint8_t *jit_page(void *at, int nr)
{
	int fixed = at ? MAP_FIXED : 0;
	uint8_t *p = mmap(at, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | fixed, -1, 0);
	if (p == MAP_FAILED)
		die("mmap");
	memset(p, 0xcc, PAGE);
	emit_call(p, 0x100, nr);
	if (mprotect(p, PAGE, PROT_READ | PROT_EXEC))
		die("mprotect r-x");
	return p;
}

static long run3(uint8_t *page)
{
	jit_fn f = (jit_fn)(void *)(page + 0x100);
	long r = 0;
	for (int i = 0; i < 3; i++)
		r = f();
	return r;
}

/* ---------------------------------------------------------------- jit */

static void mode_jit(void)
{
	uint8_t *p = jit_page(NULL, SYS_getppid);
	uint8_t want[8];
	memcpy(want, p + 0x100, sizeof(want));
	printf("jit: getppid from a JIT page: %s\n", yesno(run3(p) == getppid()));
	if (mprotect(p, PAGE, PROT_READ | PROT_WRITE))
		die("mprotect rw-");
	printf("jit: writable again, reads back as written: %s\n", yesno(!memcmp(p + 0x100, want, sizeof(want))));
	emit_call(p, 0x100, SYS_getpid);
	if (mprotect(p, PAGE, PROT_READ | PROT_EXEC))
		die("mprotect r-x");
	printf("jit: changed to getpid: %s\n", yesno(run3(p) == getpid()));
	munmap(p, PAGE);
}

/* ------------------------------------------------------- remap and out */

static sigjmp_buf segv_jmp;
static volatile int segv_code;

static void segv_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)uc;
	segv_code = si->si_code;
	siglongjmp(segv_jmp, 1);
}

/* Runs f; returns the si_code of the SIGSEGV it raised, or -1 if none. */
static int segv_of(jit_fn f)
{
	struct sigaction sa = {.sa_sigaction = segv_handler, .sa_flags = SA_SIGINFO};
	struct sigaction old;
	sigaction(SIGSEGV, &sa, &old);
	segv_code = -1;
	if (!sigsetjmp(segv_jmp, 1))
		f();
	sigaction(SIGSEGV, &old, NULL);
	return segv_code;
}

static void mode_remap(void)
{
	uint8_t *p = jit_page(NULL, SYS_getppid);
	run3(p);
	/* Two pages of reserved space: move the page to the second one. */
	uint8_t *to = mmap(NULL, 2 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *q = mremap(p, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, to + PAGE);
	if (to == MAP_FAILED || q == MAP_FAILED)
		die("mremap");
	printf("remap: moved page still runs getppid: %s\n", yesno(run3(q) == getppid()));
	/* New code where the old site was: `out %al, $0xe0` is no syscall. */
	uint8_t *n = mmap(p, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (n == MAP_FAILED)
		die("mmap fixed");
	memcpy(n + 0x100, "\xb8\xe7\x00\x00\x00\xe6\xe0\xc3", 8); /* exit_group, out */
	mprotect(n, PAGE, PROT_READ | PROT_EXEC);
	printf("remap: out where the old site was: SIGSEGV %s\n",
	       yesno(segv_of((jit_fn)(void *)(n + 0x100)) == SI_KERNEL));
	munmap(n, PAGE);
	munmap(to, 2 * PAGE);
}

static void mode_out(void)
{
	static const struct {
		const char *what;
		uint8_t code[12];
	} outs[] = {
		{"out %al, $0xe0", {0xb8, 0xe7, 0, 0, 0, 0xe6, 0xe0, 0xc3}},
		{"out %al, $0xe1", {0xb8, 0xe7, 0, 0, 0, 0xe6, 0xe1, 0xc3}},
		{"out %al, $0xe2", {0xb8, 0xe7, 0, 0, 0, 0xe6, 0xe2, 0xc3}},
		{"out %al, (%dx)", {0xb8, 0xe7, 0, 0, 0, 0xba, 0xe0, 0, 0, 0, 0xee, 0xc3}},
		{"in $0xe0, %al", {0xb8, 0xe7, 0, 0, 0, 0xe4, 0xe0, 0xc3}},
	};
	uint8_t *p = jit_page(NULL, SYS_getppid);
	for (size_t i = 0; i < sizeof(outs) / sizeof(outs[0]); i++) {
		mprotect(p, PAGE, PROT_READ | PROT_WRITE);
		memcpy(p + 0x200, outs[i].code, sizeof(outs[i].code));
		mprotect(p, PAGE, PROT_READ | PROT_EXEC);
		printf("out: %s: SIGSEGV %s\n", outs[i].what,
		       yesno(segv_of((jit_fn)(void *)(p + 0x200)) == SI_KERNEL));
	}
	munmap(p, PAGE);
}

/* ---------------------------------------------------------------- race */

#define RACE_THREADS 4
#define RACE_CALLS 3000

static uint8_t *race_page;
static int race_bad, race_done;

static void *race_thread(void *arg)
{
	(void)arg;
	jit_fn f = (jit_fn)(void *)(race_page + 0x100);
	long want = getppid();
	for (int i = 0; i < RACE_CALLS; i++)
		if (f() != want)
			__atomic_add_fetch(&race_bad, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&race_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void mode_race(void)
{
	race_page = jit_page(NULL, SYS_getppid);
	pthread_t th[RACE_THREADS];
	for (int i = 0; i < RACE_THREADS; i++)
		if (pthread_create(&th[i], NULL, race_thread, NULL))
			die("pthread_create");
	/* Flip for as long as the threads run. */
	for (int i = 0; __atomic_load_n(&race_done, __ATOMIC_ACQUIRE) < RACE_THREADS; i++) {
		int prot = PROT_READ | PROT_EXEC | (i % 2 ? PROT_WRITE : 0);
		if (mprotect(race_page, PAGE, prot))
			die("mprotect");
		sched_yield();
	}
	for (int i = 0; i < RACE_THREADS; i++)
		pthread_join(th[i], NULL);
	printf("race: %d calls from %d threads, all returned getppid: %s\n", RACE_THREADS * RACE_CALLS,
	       RACE_THREADS, yesno(!race_bad));
	munmap(race_page, PAGE);
}

/* ---------------------------------------------------------------- main */

/* ------------------------------------------------------------ redzone */

/* A leaf that stores a pattern at -8(%rsp) and -128(%rsp), sets CF, makes
 * getppid through `site` (the bytes that set %eax and call), and returns
 * CF after the call + 2 * (-8 kept) + 8 * (-128 kept): 11 when all held. */
static long run_redzone(const uint8_t *site, size_t len)
{
	static const uint8_t head[] = {
		0x49, 0xb8, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, /* movabs $..,%r8 */
		0x4c, 0x89, 0x44, 0x24, 0xf8,                               /* mov %r8,-8(%rsp) */
		0x4c, 0x89, 0x44, 0x24, 0x80,                               /* mov %r8,-128(%rsp) */
		0xf9};                                                      /* stc */
	static const uint8_t tail[] = {
		0x0f, 0x92, 0xc1,             /* setc %cl */
		0x4c, 0x39, 0x44, 0x24, 0xf8, /* cmp %r8,-8(%rsp) */
		0x0f, 0x94, 0xc2,             /* sete %dl */
		0x4c, 0x39, 0x44, 0x24, 0x80, /* cmp %r8,-128(%rsp) */
		0x0f, 0x94, 0xc0,             /* sete %al */
		0x0f, 0xb6, 0xc0, 0x0f, 0xb6, 0xd2, 0x0f, 0xb6, 0xc9, /* movzbl */
		0x8d, 0x04, 0x82,             /* lea (%rdx,%rax,4),%eax */
		0x8d, 0x04, 0x41,             /* lea (%rcx,%rax,2),%eax */
		0xc3};
	uint8_t *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("mmap");
	memset(p, 0xcc, PAGE);
	memcpy(p, head, sizeof(head));
	memcpy(p + sizeof(head), site, len);
	memcpy(p + sizeof(head) + len, tail, sizeof(tail));
	if (mprotect(p, PAGE, PROT_READ | PROT_EXEC))
		die("mprotect r-x");
	long r = 0, all = 1;
	for (int i = 0; i < 5; i++) /* the first traps and is rewritten */
		all &= (r = ((jit_fn)(void *)p)()) == 11;
	munmap(p, PAGE);
	return all ? 11 : r;
}

static void mode_redzone(void)
{
	static const uint8_t mov[] = {0xb8, SYS_getppid, 0, 0, 0, 0x0f, 0x05};
	static const uint8_t cmp[] = {0x48, 0xc7, 0xc0, SYS_getppid, 0, 0, 0, 0x0f, 0x05,
				      0x48, 0x3d, 0x00, 0xf0, 0xff, 0xff};
	long a = run_redzone(mov, sizeof(mov)), b = run_redzone(cmp, sizeof(cmp));
	printf("redzone: mov-syscall site: red zone kept: %s %s, carry kept: %s\n", yesno(a & 2), yesno(a & 8),
	       yesno(a & 1));
	printf("redzone: syscall-cmp site: red zone kept: %s %s, carry after cmp: %s\n", yesno(b & 2), yesno(b & 8),
	       yesno(b & 1));
}

static const struct {
	const char *name;
	void (*fn)(void);
} modes[] = {{"jit", mode_jit}, {"remap", mode_remap}, {"out", mode_out}, {"race", mode_race},
	     {"redzone", mode_redzone}};

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "all";
	setvbuf(stdout, NULL, _IONBF, 0);
	int found = 0;
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		if (!strcmp(mode, "all") || !strcmp(mode, modes[i].name)) {
			modes[i].fn();
			found = 1;
		}
	}
	if (!found) {
		fprintf(stderr, "usage: rewrite [jit|remap|out|race|redzone|all]\n");
		return 2;
	}
	return 0;
}
