/* The policy library: specs, files, precedence, path globs, durations,
 * and the fake column of the syscall table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <errno.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "analysis/policy.h"

static const long no_args[6];

static struct pol_decision decide(const struct policy *p, long nr, const char *path)
{
	return policy_decide(p, nr, no_args, path);
}

static void add(struct policy *p, enum pol_action a, const char *specs)
{
	char err[256] = "";
	int r = policy_add_specs(p, a, specs, err, sizeof(err));
	if (r)
		fail_msg("'%s': %s", specs, err);
}

static void test_default_forward(void **state)
{
	(void)state;
	struct policy p;
	policy_init(&p);
	policy_finish(&p);
	assert_int_equal(decide(&p, SYS_read, NULL).action, POL_FORWARD);
	assert_int_equal(decide(&p, 9999, NULL).action, POL_FORWARD);
	policy_free(&p);
}

static void test_call_rules(void **state)
{
	(void)state;
	struct policy p;
	policy_init(&p);
	add(&p, POL_STUB, "getrandom, fsync");
	add(&p, POL_FAKE, "sched_setaffinity");
	add(&p, POL_STUB, "madvise=EPERM");
	add(&p, POL_LOCAL, "fsync"); /* the later rule wins */
	policy_finish(&p);
	struct pol_decision d = decide(&p, SYS_getrandom, NULL);
	assert_int_equal(d.action, POL_STUB);
	assert_int_equal(d.err, ENOSYS);
	assert_int_equal(decide(&p, SYS_fsync, NULL).action, POL_LOCAL);
	assert_int_equal(decide(&p, SYS_sched_setaffinity, NULL).action, POL_FAKE);
	d = decide(&p, SYS_madvise, NULL);
	assert_int_equal(d.action, POL_STUB);
	assert_int_equal(d.err, EPERM);
	assert_int_equal(decide(&p, SYS_read, NULL).action, POL_FORWARD);
	policy_free(&p);
}

/* The most specific rule wins, whatever the order: sub-feature, then the
 * call, then a bare path, then `*`. */
static void test_precedence(void **state)
{
	(void)state;
	struct policy p;
	policy_init(&p);
	add(&p, POL_LOCAL, "*");
	add(&p, POL_STUB, "ioctl:TCGETS");
	add(&p, POL_FAKE, "ioctl");
	add(&p, POL_FAKE, "/proc/**");
	add(&p, POL_FORWARD, "openat");
	add(&p, POL_STUB, "openat:/proc/self/maps");
	policy_finish(&p);
	long tcgets[6] = {1, TCGETS}, fionbio[6] = {1, FIONBIO};
	assert_int_equal(policy_decide(&p, SYS_ioctl, tcgets, NULL).action, POL_STUB);
	assert_int_equal(policy_decide(&p, SYS_ioctl, fionbio, NULL).action, POL_FAKE);
	/* The kernel reads the request as 32 bits. */
	long high[6] = {1, (long)(0xffffffff00000000ull | TCGETS)};
	assert_int_equal(policy_decide(&p, SYS_ioctl, high, NULL).action, POL_STUB);
	struct pol_decision d = decide(&p, SYS_openat, "/proc/self/maps");
	assert_int_equal(d.action, POL_STUB);
	assert_int_equal(d.err, ENOENT); /* a stubbed pseudo-file is absent */
	assert_int_equal(decide(&p, SYS_openat, "/proc/self/status").action, POL_FORWARD);
	assert_int_equal(decide(&p, SYS_stat, "/proc/cpuinfo").action, POL_FAKE);
	assert_int_equal(decide(&p, SYS_stat, "/etc/passwd").action, POL_LOCAL);
	assert_int_equal(decide(&p, SYS_stat, NULL).action, POL_LOCAL);
	assert_int_equal(decide(&p, SYS_getpid, NULL).action, POL_LOCAL);
	policy_free(&p);
}

static void test_mmap_class(void **state)
{
	(void)state;
	struct policy p;
	policy_init(&p);
	add(&p, POL_STUB, "mmap:anon");
	policy_finish(&p);
	long anon[6] = {0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0};
	long file[6] = {0, 4096, PROT_READ, MAP_PRIVATE, 3, 0};
	assert_int_equal(policy_decide(&p, SYS_mmap, anon, NULL).action, POL_STUB);
	assert_int_equal(policy_decide(&p, SYS_mmap, file, NULL).action, POL_FORWARD);
	policy_free(&p);
}

static void test_path_glob(void **state)
{
	(void)state;
	assert_true(policy_path_match("/proc/*", "/proc/cpuinfo"));
	assert_false(policy_path_match("/proc/*", "/proc/self/maps"));
	assert_true(policy_path_match("/proc/*/maps", "/proc/self/maps"));
	assert_true(policy_path_match("/sys/**", "/sys/devices/system/cpu/online"));
	assert_true(policy_path_match("/sys/**", "/sys/"));
	assert_false(policy_path_match("/sys/**", "/sysfoo"));
	assert_true(policy_path_match("/dev/urandom", "/dev/urandom"));
	assert_false(policy_path_match("/dev/urandom", "/dev/urandom2"));
	assert_true(policy_path_match("/dev/tty?", "/dev/tty1"));
	assert_false(policy_path_match("/dev/tty?", "/dev/tty"));
	assert_true(policy_path_match("**", "/anything/at/all"));
}

/* A rule written as the statistics name a pseudo-file matches the call
 * whose own path is the pid's: the alias. */
static void test_path_alias(void **state)
{
	(void)state;
	struct policy p;
	policy_init(&p);
	add(&p, POL_STUB, "openat:/proc/self/stat,/proc/[pid]/maps");
	policy_finish(&p);
	assert_int_equal(policy_decide_alias(&p, SYS_openat, no_args, "/proc/77/stat", "/proc/self/stat").action,
			 POL_STUB);
	assert_int_equal(policy_decide(&p, SYS_openat, no_args, "/proc/77/stat").action, POL_FORWARD);
	assert_int_equal(policy_decide_alias(&p, SYS_open, no_args, "/proc/9/maps", "/proc/[pid]/maps").action,
			 POL_STUB);
	assert_int_equal(policy_decide_alias(&p, SYS_open, no_args, "/proc/9/maps", NULL).action, POL_FORWARD);
	policy_free(&p);
}

static void bad_spec(enum pol_action a, const char *spec, const char *want)
{
	struct policy p;
	char err[256] = "";
	policy_init(&p);
	assert_int_equal(policy_add_specs(&p, a, spec, err, sizeof(err)), -EINVAL);
	if (!strstr(err, want))
		fail_msg("'%s': message '%s' lacks '%s'", spec, err, want);
	policy_free(&p);
}

static void test_bad_specs(void **state)
{
	(void)state;
	bad_spec(POL_STUB, "opne", "unknown system call 'opne'");
	bad_spec(POL_STUB, "ioctl:TCGETZ", "unknown");
	bad_spec(POL_STUB, "getpid:FOO", "getpid has no sub-features");
	bad_spec(POL_STUB, "read:/proc/x", "read takes no path");
	bad_spec(POL_FAKE, "read=EPERM", "only a stub takes an errno");
	bad_spec(POL_STUB, "read=EWHAT", "unknown errno 'EWHAT'");
	bad_spec(POL_STUB, "read,,write", "empty system call name");
	bad_spec(POL_STUB, "", "empty list");
}

static char *write_file(const char *text)
{
	static char path[] = "/tmp/hl-policy-XXXXXX";
	strcpy(path, "/tmp/hl-policy-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void test_file(void **state)
{
	(void)state;
	char *path = write_file("# a policy\n\nstub getrandom   # the program falls back\n"
				"fake fsync fdatasync\nlocal *\ndelay 10us\nstub open:/dev/urandom=EACCES\n");
	struct policy p;
	char err[256] = "";
	policy_init(&p);
	assert_int_equal(policy_load_file(&p, path, err, sizeof(err)), 0);
	policy_finish(&p);
	unlink(path);
	assert_int_equal(p.delay_ns, 10000);
	assert_int_equal(decide(&p, SYS_getrandom, NULL).action, POL_STUB);
	assert_int_equal(decide(&p, SYS_fdatasync, NULL).action, POL_FAKE);
	assert_int_equal(decide(&p, SYS_read, NULL).action, POL_LOCAL);
	struct pol_decision d = decide(&p, SYS_open, "/dev/urandom");
	assert_int_equal(d.action, POL_STUB);
	assert_int_equal(d.err, EACCES);
	char buf[128];
	assert_string_equal(policy_rule_format(&p.rules[p.n - 1], buf, sizeof(buf)),
			    "stub open:/dev/urandom=EACCES");
	policy_free(&p);
}

static void bad_file(const char *text, const char *want)
{
	char *path = write_file(text);
	struct policy p;
	char err[512] = "";
	policy_init(&p);
	assert_true(policy_load_file(&p, path, err, sizeof(err)) < 0);
	char full[600];
	snprintf(full, sizeof(full), "%s:%s", path, want);
	unlink(path);
	if (!strstr(err, full))
		fail_msg("message '%s' lacks '%s'", err, full);
	policy_free(&p);
}

static void test_bad_files(void **state)
{
	(void)state;
	bad_file("stub read\nstubb write\n", "2: unknown action 'stubb'");
	bad_file("\n\n# x\nfake\n", "4: 'fake' names no system call");
	bad_file("delay 10 parsecs\n", "1: bad duration");
	bad_file("local read wirte\n", "1: unknown system call 'wirte'");
	struct policy p;
	char err[256];
	policy_init(&p);
	assert_int_equal(policy_load_file(&p, "/nonexistent/policy", err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "/nonexistent/policy: No such file"));
}

static void test_durations(void **state)
{
	(void)state;
	uint64_t ns;
	static const struct {
		const char *text;
		uint64_t ns;
	} ok[] = {{"0", 0}, {"250", 250}, {"200ns", 200}, {"10us", 10000}, {"1.5ms", 1500000}, {"2s", 2000000000ull}};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(policy_parse_duration(ok[i].text, &ns), 0);
		assert_int_equal(ns, ok[i].ns);
	}
	static const char *const bad[] = {"", "us", "-1us", "10 us", "10m", "1e20s", "nan"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(policy_parse_duration(bad[i], &ns), -EINVAL);
}

/* What faked calls return, from the table's fake column. */
static void test_fake_column(void **state)
{
	(void)state;
	assert_int_equal(FK_KIND(sc_fake(SYS_write)), FK_ARG);
	assert_int_equal(FK_ARGN(sc_fake(SYS_write)), 2);
	assert_int_equal(FK_KIND(sc_fake(SYS_writev)), FK_IOVLEN);
	assert_int_equal(FK_KIND(sc_fake(SYS_openat)), FK_FD);  /* from SCF_NEWFD */
	assert_int_equal(FK_KIND(sc_fake(SYS_socket)), FK_FD);
	assert_int_equal(FK_KIND(sc_fake(SYS_dup2)), FK_ARG);  /* the new fd asked for */
	assert_int_equal(FK_KIND(sc_fake(SYS_pipe2)), FK_FDPAIR);
	assert_int_equal(FK_KIND(sc_fake(SYS_getpid)), FK_PID);
	assert_int_equal(FK_KIND(sc_fake(SYS_fsync)), FK_ZERO);
	assert_int_equal(sc_path_arg(SYS_openat), 1);
	assert_int_equal(sc_path_arg(SYS_open), 0);
	assert_int_equal(sc_path_arg(SYS_read), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_forward), cmocka_unit_test(test_call_rules),
		cmocka_unit_test(test_precedence),      cmocka_unit_test(test_mmap_class),
		cmocka_unit_test(test_path_glob),       cmocka_unit_test(test_path_alias),
		cmocka_unit_test(test_bad_specs),
		cmocka_unit_test(test_file),            cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_durations),       cmocka_unit_test(test_fake_column),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
