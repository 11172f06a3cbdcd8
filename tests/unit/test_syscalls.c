/* Checks of the syscall table: names and numbers against the build host's
 * <asm/unistd_64.h>, and internal consistency of the argument shapes that
 * the pointer validator relies on. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <sys/syscall.h>

#include "analysis/syscalls.h"

/* Generated at build time by gen_unistd_list.sh. */
static const struct {
	const char *name;
	int nr;
} host[] = {
#include "unistd_list.h"
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static int is_pointer_kind(int k)
{
	switch (k) {
	case SA_BUF_IN:
	case SA_BUF_OUT:
	case SA_BUF_INOUT:
	case SA_IOVEC_IN:
	case SA_IOVEC_OUT:
	case SA_MSGHDR_IN:
	case SA_MSGHDR_OUT:
	case SA_MMSGHDR_IN:
	case SA_MMSGHDR_OUT:
	case SA_SOCKADDR_OUT:
		return 1;
	default:
		return 0;
	}
}

static int is_buf_kind(int k)
{
	return k == SA_BUF_IN || k == SA_BUF_OUT || k == SA_BUF_INOUT;
}

static void test_host_header_matches(void **state)
{
	(void)state;
	assert_true(ARRAY_LEN(host) > 300);
	for (size_t i = 0; i < ARRAY_LEN(host); i++) {
		const struct syscall_info *si = sc_lookup(host[i].nr);

		if (!si)
			fail_msg("%s (%d) missing from the table", host[i].name,
			         host[i].nr);
		assert_string_equal(si->name, host[i].name);
		assert_int_equal(si->nr, host[i].nr);
		assert_int_equal(sc_by_name(host[i].name), host[i].nr);
	}
}

static void test_index_is_number(void **state)
{
	(void)state;
	for (int i = 0; i < SC_TABLE_SIZE; i++) {
		if (!sc_table[i].name)
			continue;
		assert_int_equal(sc_table[i].nr, i);
		assert_true(sc_table[i].name[0] != '\0');
		assert_ptr_equal(sc_lookup(i), &sc_table[i]);
		assert_string_equal(sc_name(i), sc_table[i].name);
	}
}

static void test_no_duplicate_names(void **state)
{
	(void)state;
	for (int i = 0; i < SC_TABLE_SIZE; i++) {
		if (!sc_table[i].name)
			continue;
		for (int j = i + 1; j < SC_TABLE_SIZE; j++)
			if (sc_table[j].name &&
			    strcmp(sc_table[i].name, sc_table[j].name) == 0)
				fail_msg("%s at %d and %d", sc_table[i].name,
				         i, j);
		assert_int_equal(sc_by_name(sc_table[i].name), i);
	}
}

static void test_nargs_match_args(void **state)
{
	(void)state;
	for (int i = 0; i < SC_TABLE_SIZE; i++) {
		const struct syscall_info *si = &sc_table[i];

		if (!si->name)
			continue;
		assert_in_range(si->nargs, 0, SC_MAX_ARGS);
		for (int a = 0; a < SC_MAX_ARGS; a++) {
			int k = si->args[a].kind;

			assert_in_range(k, SA_NONE, SA__COUNT - 1);
			if (a < si->nargs && k == SA_NONE)
				fail_msg("%s arg %d is SA_NONE", si->name, a);
			if (a >= si->nargs && k != SA_NONE)
				fail_msg("%s arg %d past nargs", si->name, a);
		}
	}
}

static void test_length_args(void **state)
{
	(void)state;
	for (int i = 0; i < SC_TABLE_SIZE; i++) {
		const struct syscall_info *si = &sc_table[i];

		if (!si->name)
			continue;
		for (int a = 0; a < si->nargs; a++) {
			const struct sc_arg *arg = &si->args[a];
			const struct sc_arg *len;

			if (!is_pointer_kind(arg->kind) || arg->len_arg < 0)
				continue;
			if (arg->len_arg >= si->nargs || arg->len_arg == a)
				fail_msg("%s arg %d: bad len_arg %d", si->name,
				         a, arg->len_arg);
			len = &si->args[arg->len_arg];
			if (arg->kind == SA_SOCKADDR_OUT) {
				if (len->kind != SA_BUF_INOUT ||
				    len->len_arg >= 0 || len->size != 4)
					fail_msg("%s arg %d: len is not a "
					         "socklen_t *", si->name, a);
			} else if (len->kind != SA_INT) {
				fail_msg("%s arg %d: len arg %d is %s",
				         si->name, a, arg->len_arg,
				         sc_kind_name(len->kind));
			}
		}
	}
}

static void test_fixed_sizes(void **state)
{
	(void)state;
	for (int i = 0; i < SC_TABLE_SIZE; i++) {
		const struct syscall_info *si = &sc_table[i];

		if (!si->name)
			continue;
		for (int a = 0; a < si->nargs; a++) {
			const struct sc_arg *arg = &si->args[a];

			if (is_buf_kind(arg->kind) && arg->len_arg < 0 &&
			    arg->size == 0)
				fail_msg("%s arg %d has no size", si->name, a);
			if (arg->kind == SA_SOCKADDR_OUT && arg->len_arg < 0)
				fail_msg("%s arg %d has no len", si->name, a);
		}
	}
}

/* Calls newer than the host header in older build environments, with their
 * numbers from syscall_64.tbl. */
static void test_newer_calls_present(void **state)
{
	static const struct {
		const char *name;
		int nr;
	} want[] = {
		{"rseq", 334},
		{"uretprobe", 335},
		{"uprobe", 336},
		{"pidfd_send_signal", 424},
		{"io_uring_setup", 425},
		{"pidfd_open", 434},
		{"clone3", 435},
		{"close_range", 436},
		{"openat2", 437},
		{"faccessat2", 439},
		{"futex_waitv", 449},
		{"set_mempolicy_home_node", 450},
		{"cachestat", 451},
		{"fchmodat2", 452},
		{"map_shadow_stack", 453},
		{"futex_wake", 454},
		{"futex_wait", 455},
		{"futex_requeue", 456},
		{"statmount", 457},
		{"listmount", 458},
		{"lsm_get_self_attr", 459},
		{"lsm_set_self_attr", 460},
		{"lsm_list_modules", 461},
		{"mseal", 462},
		{"setxattrat", 463},
		{"getxattrat", 464},
		{"listxattrat", 465},
		{"removexattrat", 466},
		{"open_tree_attr", 467},
		{"file_getattr", 468},
		{"file_setattr", 469},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(want); i++) {
		assert_int_equal(sc_by_name(want[i].name), want[i].nr);
		assert_string_equal(sc_name(want[i].nr), want[i].name);
	}
	/* The x86-64 gap: new calls start at 424 for every architecture. */
	for (int nr = 337; nr < 424; nr++)
		assert_null(sc_lookup(nr));
}

static void test_spot_checks(void **state)
{
	const struct syscall_info *si;

	(void)state;
	si = sc_lookup(SYS_read);
	assert_non_null(si);
	assert_int_equal(si->nargs, 3);
	assert_int_equal(si->args[0].kind, SA_FD);
	assert_int_equal(si->args[1].kind, SA_BUF_OUT);
	assert_int_equal(si->args[1].len_arg, 2);
	assert_int_equal(si->args[2].kind, SA_INT);
	assert_false(si->flags & SCF_NEWFD);

	si = sc_lookup(SYS_openat);
	assert_int_equal(si->args[0].kind, SA_DIRFD);
	assert_int_equal(si->args[1].kind, SA_PATH);
	assert_true(si->flags & SCF_NEWFD);

	assert_true(sc_lookup(SYS_socket)->flags & SCF_NEWFD);
	assert_int_equal(sc_lookup(SYS_ioctl)->args[1].kind, SA_SELECTOR);
	assert_int_equal(sc_selector_arg(SYS_fcntl), 1);
	assert_int_equal(sc_selector_arg(SYS_ioctl), 1);
	assert_int_equal(sc_selector_arg(SYS_prctl), 0);
	assert_int_equal(sc_selector_arg(SYS_read), -1);
	assert_int_equal(sc_selector_arg(-1), -1);

	si = sc_lookup(SYS_writev);
	assert_int_equal(si->args[1].kind, SA_IOVEC_IN);
	assert_int_equal(si->args[1].len_arg, 2);
	assert_int_equal(sc_lookup(SYS_readv)->args[1].kind, SA_IOVEC_OUT);

	si = sc_lookup(SYS_fstat);
	assert_int_equal(si->args[1].kind, SA_BUF_OUT);
	assert_int_equal(si->args[1].len_arg, -1);
	assert_int_equal(si->args[1].size, 144);
	assert_int_equal(sc_lookup(SYS_statx)->args[4].size, 256);
	assert_int_equal(sc_lookup(SYS_rt_sigaction)->args[1].size, 32);
	assert_int_equal(sc_lookup(SYS_epoll_wait)->args[1].size, 12);

	si = sc_lookup(SYS_accept4);
	assert_int_equal(si->args[1].kind, SA_SOCKADDR_OUT);
	assert_int_equal(si->args[1].len_arg, 2);
	assert_int_equal(si->args[2].kind, SA_BUF_INOUT);
	assert_int_equal(si->args[2].size, 4);

	si = sc_lookup(SYS_execve);
	assert_int_equal(si->args[1].kind, SA_STRARRAY);
	assert_int_equal(si->args[2].kind, SA_STRARRAY);
}

static void test_flags(void **state)
{
	static const char *const noreturn[] = {
		"exit", "exit_group", "execve", "execveat", "rt_sigreturn",
	};
	static const char *const newfd[] = {
		"open", "openat", "openat2", "creat", "dup", "dup2", "dup3",
		"socket", "accept", "accept4", "epoll_create", "eventfd2",
		"memfd_create", "pidfd_open", "io_uring_setup", "fsmount",
	};
	int n = 0;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(noreturn); i++)
		assert_true(sc_lookup(sc_by_name(noreturn[i]))->flags &
		            SCF_NORETURN);
	for (size_t i = 0; i < ARRAY_LEN(newfd); i++)
		assert_true(sc_lookup(sc_by_name(newfd[i]))->flags & SCF_NEWFD);
	for (int i = 0; i < SC_TABLE_SIZE; i++)
		if (sc_table[i].flags & SCF_NORETURN)
			n++;
	assert_int_equal(n, (int)ARRAY_LEN(noreturn));
	assert_false(sc_lookup(SYS_pipe)->flags & SCF_NEWFD);
	assert_false(sc_lookup(SYS_fcntl)->flags & SCF_NEWFD);
}

static void test_lookup_api(void **state)
{
	(void)state;
	assert_int_equal(sc_by_name("clone3"), 435);
	assert_int_equal(sc_by_name("read"), 0);
	assert_int_equal(sc_by_name("nope"), -1);
	assert_int_equal(sc_by_name(""), -1);
	assert_int_equal(sc_by_name(NULL), -1);
	assert_null(sc_lookup(-1));
	assert_null(sc_lookup(100000));
	assert_null(sc_lookup(SC_TABLE_SIZE));
	assert_null(sc_lookup(400));
	assert_null(sc_name(-1));
	assert_null(sc_name(400));
	assert_string_equal(sc_name(SYS_newfstatat), "newfstatat");
	assert_string_equal(sc_name(156), "_sysctl");
}

static void test_kind_names(void **state)
{
	(void)state;
	for (int k = 0; k < SA__COUNT; k++) {
		const char *name = sc_kind_name((enum sc_kind)k);

		assert_non_null(name);
		assert_string_not_equal(name, "?");
		for (int j = 0; j < k; j++)
			assert_string_not_equal(name,
			                        sc_kind_name((enum sc_kind)j));
	}
	assert_string_equal(sc_kind_name(SA_SPECIAL), "special");
	assert_string_equal(sc_kind_name(SA__COUNT), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_header_matches),
		cmocka_unit_test(test_index_is_number),
		cmocka_unit_test(test_no_duplicate_names),
		cmocka_unit_test(test_nargs_match_args),
		cmocka_unit_test(test_length_args),
		cmocka_unit_test(test_fixed_sizes),
		cmocka_unit_test(test_newer_calls_present),
		cmocka_unit_test(test_spot_checks),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_lookup_api),
		cmocka_unit_test(test_kind_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
