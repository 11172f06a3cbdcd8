/* The recorder: the shared run file, records, the --only filter, merging,
 * and the two reports (JSON, checked by a small parser here; strace -c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "json_check.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "analysis/runstats.h"
#include "vmm/util.h"

#define RUN_SIZE (sizeof(struct run_stats) + (size_t)STATS_MAX_PROCS * sizeof(struct stats))
#define NR_READ 0
#define NR_WRITE 1
#define NR_OPENAT 257

struct fixture {
	struct run_stats *r;
	int fd;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (!f || !(f->r = stats_run_create(&f->fd)))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	munmap(f->r, RUN_SIZE);
	close(f->fd);
	free(f);
	return 0;
}

static char *const sh_argv[] = {"sh", "-c", "ls /", NULL};
static char *const ls_argv[] = {"ls", "/", NULL};

/* Two images: a shell (pid 10) and the ls it started (pid 11). */
static void two_procs(struct run_stats *r, struct stats **sh, struct stats **ls)
{
	*sh = stats_proc_new(r, 10, 1, "/usr/bin/sh", 3, sh_argv);
	*ls = stats_proc_new(r, 11, 10, "/bin/ls", 2, ls_argv);
	assert_non_null(*sh);
	assert_non_null(*ls);
	stats_record(*sh, NR_READ, 5, 1000);
	stats_record(*sh, NR_OPENAT, -2, 3000);
	stats_record(*ls, NR_READ, 0, 500);
	stats_record(*ls, NR_WRITE, 3, 200);
	stats_record(*ls, NR_WRITE, -9, 100);
	stats_record(*ls, 9999, 0, 0);
}


static void test_parser_rejects(void **state)
{
	(void)state;
	assert_true(is_json("{\"a\": [1, -2.5e3, true, null, \"\\u00ff\"]}"));
	assert_false(is_json("{\"a\": 1,}"));
	assert_false(is_json("{\"a\": nan}"));
	assert_false(is_json("[\"\x01\"]"));
	assert_false(is_json("{\"a\": 1} x"));
}

/* ---- reports into memory ---- */

static char *json_of(struct run_stats *r, const struct stats_filter *flt)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	char *const argv[] = {"sh", "-c", "ls /"};
	struct run_info ri = {.program = "/usr/bin/sh", .argc = 3, .argv = argv};
	assert_int_equal(stats_write_json(r, flt, &ri, f), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static char *summary_of(struct run_stats *r, const struct stats_filter *flt)
{
	/* On the heap: gcc -O2 takes the stream's buffer for a pointer into
	 * this frame (-Wdangling-pointer). */
	struct {
		char *buf;
		size_t len;
	} *m = calloc(1, sizeof(*m));
	assert_non_null(m);
	FILE *f = open_memstream(&m->buf, &m->len);
	assert_non_null(f);
	stats_print_summary(r, flt, f);
	assert_int_equal(fclose(f), 0);
	char *out = m->buf;
	free(m);
	return out;
}

/* ---- the run file ---- */

static void test_create(void **state)
{
	struct fixture *f = *state;
	struct run_stats *r = f->r;
	assert_true(f->fd >= 0);
	assert_int_equal(r->magic, STATS_MAGIC);
	assert_int_equal(r->version, 3);
	assert_int_equal(r->root_pid, getpid());
	assert_int_equal(r->nprocs, 0);
	assert_true(r->start_ns > 0 && r->start_ns <= now_ns());
	assert_int_equal(r->procs[0].state, STATS_FREE);
}

/* A second mapping (what a re-executed VMM gets) is the same memory. */
static void test_attach_shares(void **state)
{
	struct fixture *f = *state;
	struct run_stats *a = stats_run_attach(f->fd);
	assert_non_null(a);
	assert_ptr_not_equal(a, f->r);
	struct stats *s = stats_proc_new(a, 7, 1, "/bin/true", 0, NULL);
	assert_non_null(s);
	stats_record(s, NR_READ, 0, 10);
	assert_int_equal(f->r->nprocs, 1);
	assert_int_equal(f->r->procs[0].pid, 7);
	assert_int_equal(f->r->procs[0].sc[NR_READ].count, 1);
	munmap(a, RUN_SIZE);
}

/* A forked VMM process claims and fills its record through the mapping
 * it inherited; the root sees it after the child is gone. */
static void test_fork_child(void **state)
{
	struct fixture *f = *state;
	assert_non_null(stats_proc_new(f->r, 1, 0, "/bin/sh", 0, NULL));
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char *const argv[] = {"true", NULL};
		struct stats *s = stats_proc_new(f->r, getpid(), getppid(), "/bin/true", 1, argv);
		if (!s)
			_exit(1);
		stats_record(s, NR_WRITE, -1, 42);
		stats_proc_end(s, STATS_EXITED, 0, 0);
		_exit(0);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(f->r->nprocs, 2);
	const struct stats *s = &f->r->procs[1];
	assert_int_equal(s->state, STATS_EXITED);
	assert_int_equal(s->pid, pid);
	assert_int_equal(s->ppid, getpid());
	assert_string_equal(s->exe, "/bin/true");
	assert_int_equal(s->sc[NR_WRITE].errors, 1);
}

static void test_attach_rejects(void **state)
{
	(void)state;
	int fd = memfd_create("not-stats", MFD_CLOEXEC);
	assert_true(fd >= 0);
	errno = 0;
	assert_null(stats_run_attach(fd));
	assert_int_equal(errno, EINVAL);
	/* Big enough, but no magic. */
	assert_int_equal(ftruncate(fd, (off_t)RUN_SIZE), 0);
	errno = 0;
	assert_null(stats_run_attach(fd));
	assert_int_equal(errno, EINVAL);
	close(fd);
	errno = 0;
	assert_null(stats_run_attach(fd));
	assert_int_equal(errno, EBADF);
}

/* ---- records ---- */

static void test_two_records(void **state)
{
	struct fixture *f = *state;
	struct stats *sh, *ls;
	uint64_t before = now_ns();
	two_procs(f->r, &sh, &ls);
	assert_int_equal(f->r->nprocs, 2);
	assert_ptr_equal(sh, &f->r->procs[0]);
	assert_ptr_equal(ls, &f->r->procs[1]);
	assert_int_equal(sh->state, STATS_RUNNING);
	assert_int_equal(sh->pid, 10);
	assert_int_equal(sh->ppid, 1);
	assert_string_equal(sh->exe, "/usr/bin/sh");
	assert_string_equal(ls->exe, "/bin/ls");
	assert_int_equal(sh->argv_len, sizeof("sh\0-c\0ls /"));
	assert_memory_equal(sh->argv, "sh\0-c\0ls /", sizeof("sh\0-c\0ls /"));
	assert_int_equal(sh->threads, 1);
	assert_true(sh->start_ns >= before && ls->start_ns >= sh->start_ns);
	assert_int_equal(sh->end_ns, 0);
	assert_int_equal(ls->sc[NR_WRITE].count, 2);
	assert_int_equal(ls->sc[NR_WRITE].errors, 1);
	assert_int_equal(ls->unknown, 1);
}

static void test_truncation(void **state)
{
	struct fixture *f = *state;
	char exe[STATS_EXE_MAX + 50], big[STATS_ARGV_MAX];
	memset(exe, 'e', sizeof(exe) - 1);
	exe[sizeof(exe) - 1] = '\0';
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	char *const argv[] = {"prog", big, "never"};
	struct stats *s = stats_proc_new(f->r, 1, 0, exe, 3, argv);
	assert_non_null(s);
	assert_int_equal(strlen(s->exe), STATS_EXE_MAX - 1);
	assert_int_equal(s->argv_len, STATS_ARGV_MAX);
	assert_string_equal(s->argv, "prog");
	assert_int_equal(s->argv[STATS_ARGV_MAX - 1], '\0');
	assert_int_equal(strlen(s->argv + 5), STATS_ARGV_MAX - 6);
}

static void test_full(void **state)
{
	struct fixture *f = *state;
	f->r->nprocs = STATS_MAX_PROCS - 1;
	struct stats *last = stats_proc_new(f->r, 5, 1, "/bin/last", 0, NULL);
	assert_ptr_equal(last, &f->r->procs[STATS_MAX_PROCS - 1]);
	assert_null(stats_proc_new(f->r, 6, 1, "/bin/none", 0, NULL));
	assert_null(stats_proc_new(f->r, 7, 1, "/bin/none", 0, NULL));
	assert_int_equal(last->state, STATS_RUNNING);
	assert_string_equal(last->exe, "/bin/last");
}

static void test_end_states(void **state)
{
	struct fixture *f = *state;
	struct stats *sh, *ls;
	two_procs(f->r, &sh, &ls);
	stats_proc_end(sh, STATS_EXECED, 0, 0);
	stats_proc_end(ls, STATS_EXITED, 128 + 9, 9);
	assert_int_equal(sh->state, STATS_EXECED);
	assert_int_equal(ls->state, STATS_EXITED);
	assert_int_equal(ls->exit_status, 137);
	assert_int_equal(ls->term_signal, 9);
	assert_true(sh->end_ns >= sh->start_ns);
	assert_true(ls->end_ns >= ls->start_ns);
}

/* ---- filter and merge ---- */

static void test_filter(void **state)
{
	struct fixture *f = *state;
	struct stats *sh, *ls;
	two_procs(f->r, &sh, &ls);
	const char *base[] = {"ls"}, *path[] = {"/usr/bin/sh"}, *both[] = {"nope", "sh", "/bin/ls"};
	const char *partial[] = {"bin/ls", "l", "/bin", ""};
	struct stats_filter all = {NULL, 0}, by_base = {base, 1}, by_path = {path, 1},
			    by_both = {both, 3}, by_partial = {partial, 4};
	assert_true(stats_filter_match(&all, sh) && stats_filter_match(&all, ls));
	assert_true(stats_filter_match(NULL, sh));
	assert_true(stats_filter_match(&by_base, ls) && !stats_filter_match(&by_base, sh));
	assert_true(stats_filter_match(&by_path, sh) && !stats_filter_match(&by_path, ls));
	assert_true(stats_filter_match(&by_both, sh) && stats_filter_match(&by_both, ls));
	assert_false(stats_filter_match(&by_partial, ls));
	/* Matching must not have touched the record. */
	assert_string_equal(sh->exe, "/usr/bin/sh");
}

static void test_merge(void **state)
{
	struct fixture *f = *state;
	struct stats *sh, *ls;
	two_procs(f->r, &sh, &ls);
	sh->kvm_run_ns = 700;
	ls->kvm_run_ns = 300;
	sh->syscall_exits = 2;
	ls->syscall_exits = 4;
	ls->other_exits = 1;
	ls->rewritten_sites = 3;
	stats_proc_end(ls, STATS_EXITED, 0, 0);
	struct stats *m = malloc(sizeof(*m));
	assert_non_null(m);
	uint64_t before = now_ns();
	stats_merge(f->r, NULL, m);
	assert_int_equal(m->sc[NR_READ].count, 2);
	assert_int_equal(m->sc[NR_READ].host_ns, 1500);
	assert_int_equal(m->sc[NR_WRITE].errors, 1);
	assert_int_equal(m->sc[NR_OPENAT].errors, 1);
	assert_int_equal(m->unknown, 1);
	assert_int_equal(m->kvm_run_ns, 1000);
	assert_int_equal(m->syscall_exits, 6);
	assert_int_equal(m->other_exits, 1);
	assert_int_equal(m->rewritten_sites, 3);
	assert_int_equal(m->threads, 2);
	assert_int_equal(m->start_ns, sh->start_ns);
	/* sh is still running: the merge runs up to now. */
	assert_true(m->end_ns >= before);

	const char *only[] = {"ls"};
	struct stats_filter flt = {only, 1};
	stats_merge(f->r, &flt, m);
	assert_int_equal(m->sc[NR_READ].count, 1);
	assert_int_equal(m->sc[NR_OPENAT].count, 0);
	assert_int_equal(m->start_ns, ls->start_ns);
	assert_int_equal(m->end_ns, ls->end_ns);
	free(m);
}

static void test_merge_empty(void **state)
{
	struct fixture *f = *state;
	struct stats *m = malloc(sizeof(*m));
	assert_non_null(m);
	memset(m, 0xff, sizeof(*m));
	stats_merge(f->r, NULL, m);
	assert_int_equal(m->sc[NR_READ].count, 0);
	assert_int_equal(m->start_ns, 0);
	assert_int_equal(m->end_ns, 0);
	free(m);
}

static void test_totals(void **state)
{
	struct fixture *f = *state;
	struct stats *sh, *ls;
	two_procs(f->r, &sh, &ls);
	sh->start_ns = 1000;
	sh->end_ns = 101000; /* wall 100000 */
	sh->kvm_run_ns = 50000;
	sh->syscall_exits = 2;
	sh->trampoline_exits = 2; /* a rewritten site would cost cal_exit_ns */
	sh->other_exits = 1;
	struct stats_totals t;
	stats_totals(NULL, sh, &t);
	assert_int_equal(t.calls, 2);
	assert_int_equal(t.errors, 1);
	assert_int_equal(t.host_ns, 4000);
	assert_int_equal(t.wall_ns, 100000);
	assert_int_equal(t.user_ns, 50000);
	assert_int_equal(t.exit_overhead_ns, 100000 - 50000 - 4000);
	f->r->cal_syscall_ns = 10000;
	f->r->cal_exit_ns = 5000;
	stats_totals(f->r, sh, &t);
	assert_int_equal(t.user_ns, 50000 - 2 * 10000 - 5000);
	assert_true(t.p > 0.1379 && t.p < 0.1380); /* 4000 / 29000 */
	/* One of the two from a rewritten site: an exit's cost, not a trip
	 * through the trampoline. */
	sh->trampoline_exits = 1;
	stats_totals(f->r, sh, &t);
	assert_int_equal(t.user_ns, 50000 - 10000 - 2 * 5000);
	/* A calibration above the KVM_RUN time leaves no user time. */
	f->r->cal_exit_ns = 1e9;
	stats_totals(f->r, sh, &t);
	assert_int_equal(t.user_ns, 0);
}

/* ---- reports ---- */

static void test_json(void **state)
{
	struct fixture *f = *state;
	struct stats *sh, *ls;
	two_procs(f->r, &sh, &ls);
	stats_proc_end(ls, STATS_EXITED, 3, 0);
	const char *only[] = {"ls"};
	struct stats_filter flt = {only, 1};
	char *out = json_of(f->r, &flt);
	assert_true(is_json(out));
	assert_non_null(strstr(out, "\n  \"version\": 3,\n"));
	assert_non_null(strstr(out, "\n  \"only\": [\"ls\"],\n"));
	assert_non_null(strstr(out, "\n  \"program\": \"/usr/bin/sh\",\n"));
	/* The top level is ls's profile alone. */
	assert_non_null(strstr(out, "\n  \"calls\": 3,\n  \"errors\": 1,\n  \"unknown_syscalls\": 1,\n"));
	assert_non_null(strstr(out, "\n  \"host_ns\": 800,\n"));
	assert_null(strstr(out, "\n    \"openat\""));
	assert_non_null(strstr(out, "\n  \"process_count\": 2\n}\n"));
	const char *p_sh = strstr(out, "{\"pid\": 10, \"ppid\": 1, \"exe\": \"/usr/bin/sh\"");
	const char *p_ls = strstr(out, "{\"pid\": 11, \"ppid\": 10, \"exe\": \"/bin/ls\"");
	assert_true(p_sh && p_ls && p_sh < p_ls);
	assert_non_null(strstr(p_sh, "\"argv\": [\"sh\", \"-c\", \"ls /\"]"));
	assert_non_null(strstr(p_sh, "\"state\": \"running\""));
	const char *sh_in = strstr(p_sh, "\"in_profile\": false");
	assert_true(sh_in && sh_in < p_ls);
	assert_non_null(strstr(p_sh, "\"openat\": {\"nr\": 257, \"count\": 1, \"errors\": 1, \"host_ns\": 3000, "
			       "\"forwarded\": 1, \"local\": 0, \"stubbed\": 0, \"faked\": 0, "
			       "\"latency_hist\": [0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]}"));
	assert_non_null(strstr(p_ls, "\"state\": \"exited\", \"exit_status\": 3"));
	assert_non_null(strstr(p_ls, "\"in_profile\": true"));
	assert_non_null(strstr(p_ls, "\"calls\": 3, \"errors\": 1"));
	free(out);
}

/* The latency histogram's buckets: < 1 us, then powers of 4 us, the last
 * one 1 s and more. */
static void test_hist_buckets(void **state)
{
	(void)state;
	static const struct {
		uint64_t ns;
		int bucket;
	} cases[] = {{0, 0},          {999, 0},         {1000, 1},          {3999, 1},
		     {4000, 2},       {15999, 2},       {16000, 3},         {64000, 4},
		     {999999, 5},     {1000000, 5},     {1024000, 6},       {262144000, 10},
		     {1048576000, 11}, {UINT64_MAX, 11}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (stats_hist_bucket(cases[i].ns) != cases[i].bucket)
			fail_msg("%llu ns: bucket %d, want %d", (unsigned long long)cases[i].ns,
				 stats_hist_bucket(cases[i].ns), cases[i].bucket);
}

/* Outcomes, sub-features and pseudo-files: counted per process, merged by
 * name in the profile. */
static void test_features(void **state)
{
	struct fixture *f = *state;
	struct stats *sh, *ls;
	two_procs(f->r, &sh, &ls);
	long tcgets[6] = {0, 0x5401}, fionbio[6] = {0, 0x5421}, at[6] = {-100};
	/* The per-call metadata comes with the decision table. */
	struct policy none;
	policy_init(&none);
	policy_finish(&none);
	struct call_rec c = {.nr = 16, .ret = 0, .args = tcgets, .ns = 10, .outcome = POL_STUB, .calls = none.table};
	stats_record_call(sh, &c);
	stats_record_call(ls, &c);
	c.args = fionbio, c.outcome = POL_FAKE;
	stats_record_call(ls, &c);
	c = (struct call_rec){.nr = 257, .ret = 3, .args = at, .path = "/proc/11/maps", .pid = 11, .calls = none.table};
	stats_record_call(ls, &c);
	c.path = "/proc/12/task/12/stat";
	stats_record_call(ls, &c);
	c.path = "/etc/passwd"; /* not a pseudo-file */
	stats_record_call(ls, &c);
	char *out = json_of(f->r, NULL);
	assert_true(is_json(out));
	assert_non_null(strstr(out, "\"ioctl\": {\"nr\": 16, \"count\": 3, \"errors\": 0, \"host_ns\": 30, "
				    "\"forwarded\": 0, \"local\": 0, \"stubbed\": 2, \"faked\": 1, "
				    "\"latency_hist\": [3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]}"));
	assert_non_null(strstr(out, "{\"syscall\": \"ioctl\", \"sub\": \"TCGETS\", \"key\": 21505, \"count\": 2,"));
	assert_non_null(strstr(out, "{\"syscall\": \"ioctl\", \"sub\": \"FIONBIO\", \"key\": 21537, \"count\": 1,"));
	assert_non_null(strstr(out, "{\"syscall\": \"openat\", \"path\": \"/proc/self/maps\", \"count\": 1,"));
	assert_non_null(strstr(out, "{\"syscall\": \"openat\", \"path\": \"/proc/[pid]/task/[pid]/stat\""));
	assert_null(strstr(out, "/etc/passwd"));
	free(out);
}

static void test_pseudo_file(void **state)
{
	(void)state;
	char buf[64];
	assert_true(stats_pseudo_file("/proc", 5, buf, sizeof(buf)));
	assert_string_equal(buf, "/proc");
	assert_true(stats_pseudo_file("/proc/5/fd/3", 5, buf, sizeof(buf)));
	assert_string_equal(buf, "/proc/self/fd/3");
	assert_true(stats_pseudo_file("/dev/urandom", 5, buf, sizeof(buf)));
	assert_string_equal(buf, "/dev/urandom");
	assert_true(stats_pseudo_file("/sys/devices/system/cpu/online", 5, buf, sizeof(buf)));
	assert_false(stats_pseudo_file("/procfoo", 5, buf, sizeof(buf)));
	assert_false(stats_pseudo_file("proc/self", 5, buf, sizeof(buf)));
	assert_false(stats_pseudo_file("/home/x", 5, buf, sizeof(buf)));
	/* Truncated, still terminated. */
	assert_true(stats_pseudo_file("/sys/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 5, buf, 12));
	assert_int_equal(strlen(buf), 11);
}

static void test_json_no_filter(void **state)
{
	struct fixture *f = *state;
	struct stats *sh, *ls;
	two_procs(f->r, &sh, &ls);
	f->r->end_ns = f->r->start_ns + 123456789;
	char *out = json_of(f->r, NULL);
	assert_true(is_json(out));
	assert_non_null(strstr(out, "\n  \"only\": [],\n"));
	assert_non_null(strstr(out, "\n  \"calls\": 5,\n  \"errors\": 2,\n"));
	assert_non_null(strstr(out, "\n  \"wall_ns\": 123456789,\n"));
	assert_null(strstr(out, "\"in_profile\": false"));
	free(out);
}

/* Whatever bytes a guest names its program or arguments with, the
 * report stays JSON, and valid UTF-8 passes through. */
static void test_json_odd_bytes(void **state)
{
	struct fixture *f = *state;
	char *const argv[] = {"caf\xc3\xa9", "\xff\xfe", "q\"\\\n\x7f", "\xed\xa0\x80", ""};
	assert_non_null(stats_proc_new(f->r, 3, 1, "/tmp/\xe2\x82", 5, argv));
	char *out = json_of(f->r, NULL);
	assert_true(is_json(out));
	assert_non_null(strstr(out, "\"exe\": \"/tmp/\\u00e2\\u0082\""));
	assert_non_null(strstr(out,
			       "\"argv\": [\"caf\xc3\xa9\", \"\\u00ff\\u00fe\", \"q\\\"\\\\\\u000a\\u007f\", "
			       "\"\\u00ed\\u00a0\\u0080\", \"\"]"));
	free(out);
}

static void test_json_empty_run(void **state)
{
	struct fixture *f = *state;
	char *out = json_of(f->r, NULL);
	assert_true(is_json(out));
	assert_non_null(strstr(out, "\"syscalls\": {},"));
	assert_non_null(strstr(out, "\"processes\": [],\n  \"process_count\": 0\n"));
	free(out);
}

static void test_summary(void **state)
{
	struct fixture *f = *state;
	struct stats *sh, *ls;
	two_procs(f->r, &sh, &ls);
	char *out = summary_of(f->r, NULL);
	/* 4800 ns over 5 calls, 2 of them failed. */
	assert_non_null(strstr(out, "\n100.00    0.000005           0         5         2 total\n"));
	assert_non_null(strstr(out, "\n 62.50    0.000003           3         1         1 openat\n"));
	const char *line = strstr(out, "\nhyperloupe: wall ");
	assert_non_null(line);
	assert_non_null(strstr(line, "\nhyperloupe: 2 processes (2 in profile)\n"));
	free(out);

	const char *only[] = {"/usr/bin/sh"};
	struct stats_filter flt = {only, 1};
	out = summary_of(f->r, &flt);
	assert_non_null(strstr(out, "\n100.00    0.000004           2         2         1 total\n"));
	assert_null(strstr(out, " write\n"));
	assert_non_null(strstr(out, "\nhyperloupe: 2 processes (1 in profile)\n"));
	free(out);
}

static void test_summary_one_process(void **state)
{
	struct fixture *f = *state;
	struct stats *s = stats_proc_new(f->r, 10, 1, "/bin/true", 0, NULL);
	stats_record(s, NR_READ, 0, 2000);
	char *out = summary_of(f->r, NULL);
	assert_non_null(strstr(out, "\n100.00    0.000002           2         1         0 total\n"));
	assert_non_null(strstr(out, "\nhyperloupe: wall "));
	assert_null(strstr(out, "processes ("));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parser_rejects),
		cmocka_unit_test_setup_teardown(test_create, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attach_shares, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fork_child, setup, teardown),
		cmocka_unit_test(test_attach_rejects),
		cmocka_unit_test_setup_teardown(test_two_records, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_end_states, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_merge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_merge_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_totals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json, setup, teardown),
		cmocka_unit_test(test_hist_buckets),
		cmocka_unit_test_setup_teardown(test_features, setup, teardown),
		cmocka_unit_test(test_pseudo_file),
		cmocka_unit_test_setup_teardown(test_json_no_filter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_odd_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_empty_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_summary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_summary_one_process, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
