/* The speedup model: the paper's worked figures (§III), the direction of
 * every effect it describes, the forwarding-set schemes on a hand-made
 * profile, the greedy order, the sweeps, and reading a run's statistics. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "analysis/model.h"
#include "analysis/resultsdb.h"
#include "cli/model_cmd.h"

#define US 1e3
#define MS 1e6
#define SEC 1e9

/* bzip2-like (the paper's Figure 6): read and write nearly all the calls,
 * a few rare ones.  C = 100 s, Σg = 5.0131 s. */
static struct model_call skewed_calls[] = {
	{.nr = 0, .name = "read", .g_ns = 3 * SEC, .n_calls = 600000},
	{.nr = 1, .name = "write", .g_ns = 2 * SEC, .n_calls = 300000},
	{.nr = 257, .name = "openat", .g_ns = 4 * MS, .n_calls = 40},
	{.nr = 3, .name = "close", .g_ns = 1 * MS, .n_calls = 40},
	{.nr = 5, .name = "fstat", .g_ns = 2 * MS, .n_calls = 30},
	{.nr = 9, .name = "mmap", .g_ns = 5 * MS, .n_calls = 20},
	{.nr = 12, .name = "brk", .g_ns = 1 * MS, .n_calls = 10},
	{.nr = 8, .name = "lseek", .g_ns = 0.05 * MS, .n_calls = 5},
	{.nr = 39, .name = "getpid", .g_ns = 0.01 * MS, .n_calls = 2},
	{.nr = 231, .name = "exit_group", .g_ns = 0.04 * MS, .n_calls = 1},
};
#define NSKEW ((int)(sizeof(skewed_calls) / sizeof(skewed_calls[0])))

static struct model_input skewed(void)
{
	return (struct model_input){.C_ns = 100 * SEC, .n = NSKEW, .calls = skewed_calls};
}

static void fill(double *b, int n, double v)
{
	for (int i = 0; i < n; i++)
		b[i] = v;
}

static void assign(const struct model_input *in, const char *spec, double *b)
{
	struct model_set s;
	char err[200];
	assert_int_equal(model_parse_set(spec, &s, err, sizeof(err)), 0);
	assert_int_equal(model_assign(in, &s, b, err, sizeof(err)), 0);
}

/* The chosen units' names, comma-separated, in profile order. */
static const char *chosen(const struct model_input *in, const double *b)
{
	static char out[512];
	out[0] = 0;
	for (int i = 0; i < in->n; i++)
		if (b[i] > 0)
			snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s", out[0] ? "," : "", in->calls[i].name);
	return out;
}

/* ---- §III-A, the naive model ---- */

static void test_sn_paper(void **state)
{
	(void)state;
	/* gcc (kernel compilation), p = 12.23%: bounded by 1/p = 8.18. */
	assert_float_equal(model_sn(0.1223, INFINITY), 8.18, 0.005);
	assert_float_equal(model_sn(0.1223, 1e9), 8.18, 0.005);
	assert_float_equal(model_sn(0.1223, 1e9), 1 / 0.1223, 1e-6);
	/* Far from it at realistic gains (Figure 3): γ = 10 gives 4.76. */
	assert_float_equal(model_sn(0.1223, 10), 1 / (0.1223 + 0.8777 / 10), 1e-12);
	assert_float_equal(model_sn(0.1223, 10), 4.760, 0.001);
	/* mcf_r, p = 0.31%: nearly linear, 9.73 of 10. */
	assert_float_equal(model_sn(0.0031, 10), 9.7286, 0.0001);
	/* p -> 0: S_n -> γ; p = 1: no gain at all; γ = 1: none either. */
	for (double g = 1; g <= 100; g *= 3) {
		assert_float_equal(model_sn(1e-12, g), g, g * 1e-9);
		assert_float_equal(model_sn(1, g), 1, 1e-12);
	}
	assert_float_equal(model_sn(0.4, 1), 1, 1e-12);
	/* More system time, less speedup; more gain, more speedup. */
	assert_true(model_sn(0.02, 10) > model_sn(0.05, 10));
	assert_true(model_sn(0.05, 20) > model_sn(0.05, 10));
}

/* ---- §III-B, the refined model ---- */

static void test_sr_is_sn_without_forwarding(void **state)
{
	(void)state;
	struct model_input in = skewed();
	double none[NSKEW], all[NSKEW];
	fill(none, NSKEW, 0);
	fill(all, NSKEW, 1);
	double p = model_p(&in);
	assert_float_equal(p, 5.0131 / 105.0131, 1e-9);
	for (double g = 1; g <= 100; g += 7) {
		/* nothing forwarded, or f_c = 0: S_r = S_n exactly */
		assert_float_equal(model_sr(&in, none, g, 0), model_sn(p, g), 1e-9);
		assert_float_equal(model_sr(&in, none, g, 10 * US), model_sn(p, g), 1e-9);
		assert_float_equal(model_sr(&in, all, g, 0), model_sn(p, g), 1e-9);
	}
	assert_float_equal(model_t_nd(&in), 105.0131 * SEC, 1);
	/* every call forwarded at 10 us: 2 * 10 us * 900148 calls = 18.003 s */
	assert_float_equal(model_t_d(&in, all, 10, 10 * US), 10 * SEC + 5.0131 * SEC + 18.00296 * SEC, 1e3);
}

static void test_sr_effects(void **state)
{
	(void)state;
	struct model_input in = skewed();
	double b[NSKEW], prev = INFINITY;
	fill(b, NSKEW, 1);
	/* A higher forwarding cost, a lower speedup; always below S_n. */
	double fcs[41];
	model_logspace(1, 1e10, 41, fcs);
	for (int i = 0; i < 41; i++) {
		double s = model_sr(&in, b, 10, fcs[i]);
		assert_true(s < prev);
		assert_true(s < model_sn(model_p(&in), 10));
		prev = s;
	}
	/* Forwarding one more call never helps (least frequent first). */
	prev = INFINITY;
	for (int k = 0; k <= NSKEW; k++) {
		char spec[32];
		snprintf(spec, sizeof(spec), "least:%d", k);
		assign(&in, spec, b);
		double s = model_sr(&in, b, 10, 10 * US);
		assert_true(s <= prev);
		prev = s;
	}
	/* A higher gain, a higher speedup, whatever is forwarded. */
	assign(&in, "most:20%", b);
	assert_true(model_sr(&in, b, 20, 10 * US) > model_sr(&in, b, 10, 10 * US));
}

/* The three schemes of Figure 4 on the skewed profile: forwarding the most
 * frequent calls is the worst, the least frequent the best, random in
 * between; with the same calls spread evenly the choice matters less. */
static void test_schemes_skewed(void **state)
{
	(void)state;
	struct model_input in = skewed();
	double least[NSKEW], most[NSKEW], rnd[NSKEW];
	assign(&in, "least:20%", least);
	assign(&in, "most:20%", most);
	assign(&in, "random:20%:7", rnd);
	assert_string_equal(chosen(&in, least), "getpid,exit_group");
	assert_string_equal(chosen(&in, most), "read,write");
	double sl = model_sr(&in, least, 10, 10 * US), sm = model_sr(&in, most, 10, 10 * US);
	double sr = model_sr(&in, rnd, 10, 10 * US);
	assert_true(sl > sr && sr >= sm);
	/* least: 6 calls forwarded, nearly S_n (6.77); most: 900000 calls,
	 * 18 s of forwarding, speedup 3.16 */
	assert_float_equal(sl, model_sn(model_p(&in), 10), 1e-3);
	assert_float_equal(sm, 105.0131 / (10 + 5.0131 + 18), 1e-3);

	struct model_call even[NSKEW];
	memcpy(even, skewed_calls, sizeof(even));
	for (int i = 0; i < NSKEW; i++)
		even[i].n_calls = 90014.8, even[i].g_ns = 0.50131 * SEC;
	struct model_input ev = {.C_ns = 100 * SEC, .n = NSKEW, .calls = even};
	assign(&ev, "least:20%", least);
	assign(&ev, "most:20%", most);
	double gap_even = model_sr(&ev, least, 10, 10 * US) - model_sr(&ev, most, 10, 10 * US);
	assert_true(gap_even < (sl - sm) / 10);
}

static void test_scheme_selection(void **state)
{
	(void)state;
	struct model_input in = skewed();
	struct model_set s;
	double b[NSKEW], b2[NSKEW];
	char err[200];
	/* Counts and rounding: 25% of 10 is 2.5 -> 3; 4% -> 0; 100% -> all. */
	assert_int_equal(model_parse_set("least:25%", &s, err, sizeof(err)), 0);
	assert_int_equal(model_set_count(&in, &s), 3);
	assert_int_equal(model_parse_set("most:4%", &s, err, sizeof(err)), 0);
	assert_int_equal(model_set_count(&in, &s), 0);
	assert_int_equal(model_parse_set("most:99", &s, err, sizeof(err)), 0);
	assert_int_equal(model_set_count(&in, &s), NSKEW);
	assign(&in, "least:3", b);
	assert_string_equal(chosen(&in, b), "lseek,getpid,exit_group");
	/* Ties on count: less host time first (close < openat, both 40). */
	assign(&in, "most:3", b);
	assert_string_equal(chosen(&in, b), "read,write,openat");
	/* Random: the seed decides, the same way on every machine. */
	assign(&in, "random:30%:42", b);
	assign(&in, "random:30%:42", b2);
	assert_memory_equal(b, b2, sizeof(b));
	assert_string_equal(chosen(&in, b), "mmap,brk,lseek");
	assign(&in, "random:30%", b);
	assert_string_equal(chosen(&in, b), "write,fstat,getpid");
	int differ = 0;
	for (uint64_t seed = 1; seed < 20; seed++) {
		char spec[40];
		snprintf(spec, sizeof(spec), "random:30%%:%llu", (unsigned long long)seed);
		assign(&in, spec, b2);
		differ += memcmp(b, b2, sizeof(b)) != 0;
		assert_int_equal((int)(b2[0] + b2[1] + b2[2] + b2[3] + b2[4] + b2[5] + b2[6] + b2[7] + b2[8] + b2[9]), 3);
	}
	assert_true(differ > 10);
	/* all, none, names (a call name takes its features too) */
	assign(&in, "all", b);
	assert_string_equal(chosen(&in, b), "read,write,openat,close,fstat,mmap,brk,lseek,getpid,exit_group");
	assign(&in, "none", b);
	assert_string_equal(chosen(&in, b), "");
	assign(&in, "write,mmap,futex", b);
	assert_string_equal(chosen(&in, b), "write,mmap");
}

static void test_parse_set_errors(void **state)
{
	(void)state;
	struct model_set s;
	char err[200];
	static const char *bad[] = {"", "least", "least:", "least:x", "most:101%", "most:-1", "least:1.5",
				    "random:20%:", "random:20%:x", "random:20%:-3", "least:20%:5", ",,", "most", "random:"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = 0;
		assert_int_equal(model_parse_set(bad[i], &s, err, sizeof(err)), -1);
		assert_non_null(strstr(err, bad[i]));
	}
	assert_int_equal(model_parse_set("random:12.5%:99", &s, err, sizeof(err)), 0);
	assert_int_equal(s.scheme, MS_RANDOM);
	assert_true(s.percent);
	assert_float_equal(s.amount, 12.5, 0);
	assert_int_equal(s.seed, 99);
	assert_int_equal(model_parse_set("policy", &s, err, sizeof(err)), 0);
	assert_int_equal(s.scheme, MS_POLICY);
	/* A name that is neither a unit nor a system call. */
	struct model_input in = skewed();
	double b[NSKEW];
	assert_int_equal(model_parse_set("read,nosuchcall", &s, err, sizeof(err)), 0);
	assert_int_equal(model_assign(&in, &s, b, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "nosuchcall"));
}

/* What the run's policy did: local and stubbed/faked calls. */
static void test_policy_outcomes(void **state)
{
	(void)state;
	struct model_call calls[] = {
		{.nr = 0, .name = "read", .g_ns = 10 * MS, .n_calls = 100, .n_local = 25},
		{.nr = 318, .name = "getrandom", .g_ns = 0.1 * MS, .n_calls = 50, .n_free = 50},
		{.nr = 1, .name = "write", .g_ns = 5 * MS, .n_calls = 10},
	};
	struct model_input in = {.C_ns = 100 * MS, .n = 3, .calls = calls};
	double b[3];
	assign(&in, "policy", b);
	assert_float_equal(b[0], 0.75, 1e-12);
	assert_float_equal(b[1], 0, 0);
	assert_float_equal(b[2], 1, 0);
	assert_int_equal(model_used(&in), 2);
	/* 75 reads and 10 writes forwarded; the stubbed getrandom costs 0 */
	double td = 100 * MS / 4 + 10 * MS + 5 * MS + 2 * 1 * US * 85;
	assert_float_equal(model_t_d(&in, b, 4, 1 * US), td, 1e-3);
	/* forwarding it anyway changes nothing: it is never executed */
	assign(&in, "all", b);
	assert_float_equal(model_t_d(&in, b, 4, 1 * US), td + 2 * 1 * US * 25, 1e-3);
	/* the VM's overhead E in both times */
	in.E_ns = 50 * MS;
	assert_float_equal(model_sr_vm(&in, b, 4, 1 * US),
			   (model_t_nd(&in) + 50 * MS) / (model_t_d(&in, b, 4, 1 * US) + 50 * MS), 1e-12);
}

static void test_greedy_order(void **state)
{
	(void)state;
	struct model_input in = skewed();
	double all[NSKEW], none[NSKEW];
	struct model_step steps[NSKEW];
	fill(all, NSKEW, 1);
	fill(none, NSKEW, 0);
	int n = model_order(&in, all, 10, 10 * US, steps);
	assert_int_equal(n, NSKEW);
	/* the most called first: read, write, then openat/close (ties on
	 * count: more calls... equal, so the lower index) */
	assert_string_equal(in.calls[steps[0].call].name, "read");
	assert_string_equal(in.calls[steps[1].call].name, "write");
	assert_string_equal(in.calls[steps[2].call].name, "openat");
	for (int i = 1; i < n; i++)
		assert_true(steps[i].sr >= steps[i - 1].sr);
	assert_float_equal(steps[n - 1].sr, model_sr(&in, none, 10, 10 * US), 1e-12);
	/* nothing forwarded, nothing to do */
	assert_int_equal(model_order(&in, none, 10, 10 * US, steps), 0);
	/* from most:20%, only read and write move */
	double b[NSKEW];
	assign(&in, "most:20%", b);
	assert_int_equal(model_order(&in, b, 10, 10 * US, steps), 2);
}

static void test_sweeps(void **state)
{
	(void)state;
	struct model_input in = skewed();
	double g[5], fc[4], fr[3], b[NSKEW], z[5 * 4];
	model_linspace(1, 100, 5, g);
	assert_float_equal(g[1], 25.75, 1e-12);
	model_logspace(1, 1e9, 4, fc);
	assert_float_equal(fc[1], 1e3, 1e-6);
	assert_float_equal(fc[3], 1e9, 1e-3);
	model_linspace(0, 1, 3, fr);
	fill(b, NSKEW, 1);
	struct model_grid gx = {MX_GAMMA, g, 5}, fy = {MX_FC, fc, 4}, px = {MX_FRACTION, fr, 3};
	assert_int_equal(model_surface(&in, b, NULL, 10, 10 * US, gx, fy, z), 0);
	for (int iy = 0; iy < 4; iy++)
		for (int ix = 0; ix < 5; ix++)
			assert_float_equal(z[iy * 5 + ix], model_sr(&in, b, g[ix], fc[iy]), 1e-12);
	/* a fraction axis needs a ranked scheme */
	assert_int_equal(model_surface(&in, b, NULL, 10, 10 * US, px, fy, z), -1);
	struct model_set least;
	double none[NSKEW];
	fill(none, NSKEW, 0);
	model_parse_set("least:20%", &least, NULL, 0);
	assert_int_equal(model_surface(&in, b, &least, 10, 10 * US, px, fy, z), 0);
	for (int iy = 0; iy < 4; iy++) {
		assert_float_equal(z[iy * 3], model_sr(&in, none, 10, fc[iy]), 1e-12);
		assert_float_equal(z[iy * 3 + 2], model_sr(&in, b, 10, fc[iy]), 1e-12);
		assert_true(z[iy * 3 + 1] <= z[iy * 3]);
	}
}

/* ---- reading a run's statistics ---- */

static const char stats_json[] =
	"{\"version\": 3, \"program\": \"/bin/x\", \"user_ns\": 80000000, \"host_ns\": 20000000,"
	" \"exit_overhead_ns\": 9000000, \"wall_ns\": 109000000, \"p\": 0.2,"
	" \"policy\": {\"forward_delay_ns\": 1000, \"rules\": [\"stub getrandom\", \"local read\"]},"
	" \"forward_delay\": {\"requested_ns\": 1000, \"delays\": 2000, \"achieved_mean_ns\": 1500.0},"
	" \"syscalls\": {"
	"  \"read\": {\"nr\": 0, \"count\": 100, \"errors\": 0, \"host_ns\": 12000000, \"forwarded\": 0,"
	"           \"local\": 100, \"stubbed\": 0, \"faked\": 0},"
	"  \"ioctl\": {\"nr\": 16, \"count\": 30, \"errors\": 2, \"host_ns\": 7000000, \"forwarded\": 30,"
	"            \"local\": 0, \"stubbed\": 0, \"faked\": 0},"
	"  \"getrandom\": {\"nr\": 318, \"count\": 4, \"errors\": 4, \"host_ns\": 1000000, \"forwarded\": 0,"
	"                \"local\": 0, \"stubbed\": 4, \"faked\": 0},"
	"  \"close\": {\"nr\": 3, \"count\": 0, \"host_ns\": 0}},"
	" \"features\": ["
	"  {\"syscall\": \"ioctl\", \"sub\": \"TCGETS\", \"key\": 21505, \"count\": 10, \"host_ns\": 1000000,"
	"   \"forwarded\": 10, \"local\": 0, \"stubbed\": 0, \"faked\": 0},"
	"  {\"syscall\": \"ioctl\", \"sub\": \"FIONREAD\", \"key\": 21531, \"count\": 20, \"host_ns\": 6000000,"
	"   \"forwarded\": 20, \"local\": 0, \"stubbed\": 0, \"faked\": 0},"
	"  {\"syscall\": \"read\", \"path\": \"/proc/self/stat\", \"count\": 1, \"host_ns\": 2000000,"
	"   \"forwarded\": 0, \"local\": 1, \"stubbed\": 0, \"faked\": 0}],"
	" \"agent\": {\"phase_filter\": null}}";

static void test_input_parse(void **state)
{
	(void)state;
	struct model_input in;
	char err[300];
	assert_int_equal(model_input_parse(stats_json, false, &in, err, sizeof(err)), 0);
	assert_float_equal(in.C_ns, 80e6, 0);
	/* exit_overhead_ns holds the injected delay: 2000 x 1500 ns = 3 ms */
	assert_float_equal(in.E_ns, 6e6, 1e-6);
	assert_float_equal(in.source_delay_ns, 1000, 0);
	assert_float_equal(in.wall_ns, 109e6, 0);
	assert_string_equal(in.program, "/bin/x");
	assert_null(in.phase);
	/* units in number order; close (0 calls) left out */
	assert_int_equal(in.n, 3);
	assert_string_equal(in.calls[0].name, "read");
	assert_int_equal(in.calls[0].action, MA_LOCAL);
	assert_float_equal(in.calls[0].n_local, 100, 0);
	assert_string_equal(in.calls[1].name, "ioctl");
	assert_int_equal(in.calls[1].nr, 16);
	assert_int_equal(in.calls[1].action, MA_FORWARD);
	assert_string_equal(in.calls[2].name, "getrandom");
	assert_float_equal(in.calls[2].n_free, 4, 0);
	assert_int_equal(in.calls[2].action, MA_STUB);
	assert_float_equal(model_sum_g(&in), 20e6, 0);
	assert_float_equal(model_p(&in), 0.2, 1e-12);
	model_input_free(&in);
}

static void test_input_features(void **state)
{
	(void)state;
	struct model_input in;
	char err[300];
	assert_int_equal(model_input_parse(stats_json, true, &in, err, sizeof(err)), 0);
	/* ioctl is all features: no rest; read keeps 99 calls of its own */
	static const char *names[] = {"read", "read:/proc/self/stat", "ioctl:FIONREAD", "ioctl:TCGETS", "getrandom"};
	static const double counts[] = {99, 1, 20, 10, 4};
	assert_int_equal(in.n, 5);
	for (int i = 0; i < 5; i++) {
		assert_string_equal(in.calls[i].name, names[i]);
		assert_float_equal(in.calls[i].n_calls, counts[i], 0);
	}
	assert_float_equal(in.calls[0].g_ns, 10e6, 0);
	assert_float_equal(in.calls[0].n_local, 99, 0);
	assert_float_equal(model_sum_g(&in), 20e6, 0);
	double b[5];
	assign(&in, "ioctl", b);
	assert_string_equal(chosen(&in, b), "ioctl:FIONREAD,ioctl:TCGETS");
	assign(&in, "ioctl:TCGETS", b);
	assert_string_equal(chosen(&in, b), "ioctl:TCGETS");
	model_input_free(&in);
}

static void expect_bad(const char *json, const char *why)
{
	struct model_input in;
	char err[300] = "";
	assert_int_equal(model_input_parse(json, true, &in, err, sizeof(err)), -1);
	if (!strstr(err, why))
		fail_msg("'%s': got '%s', expected '%s'", json, err, why);
	assert_int_equal(in.n, 0);
	assert_null(in.calls);
}

static void test_input_errors(void **state)
{
	(void)state;
	expect_bad("", "not JSON");
	expect_bad("{\"version\": 3", "not JSON");
	expect_bad("\x01\x02", "not JSON");
	expect_bad("[1, 2]", "a JSON array");
	expect_bad("{\"version\": 2, \"syscalls\": {}}", "version 2, expected 3");
	expect_bad("{\"syscalls\": {}}", "no \"version\"");
	expect_bad("{\"version\": \"3\", \"syscalls\": {}}", "version \"3\", expected 3");
	expect_bad("{\"version\": 3}", "no \"syscalls\"");
	expect_bad("{\"version\": 3, \"syscalls\": []}", "no \"syscalls\"");
	expect_bad("{\"version\": 3, \"syscalls\": {}, \"exit_overhead_ns\": 0}", "user_ns: missing");
	expect_bad("{\"version\": 3, \"syscalls\": {}, \"user_ns\": \"x\", \"exit_overhead_ns\": 0}",
		   "user_ns: text, expected a number");
	expect_bad("{\"version\": 3, \"user_ns\": 1, \"exit_overhead_ns\": 0, "
		   "\"syscalls\": {\"read\": {\"count\": 1, \"host_ns\": 1}}}",
		   "syscalls.read: no \"nr\"");
	expect_bad("{\"version\": 3, \"user_ns\": 1, \"exit_overhead_ns\": 0, "
		   "\"syscalls\": {\"read\": {\"nr\": 0, \"count\": -1, \"host_ns\": 1}}}",
		   "syscalls.read: a missing or bad count");
	expect_bad("{\"version\": 3, \"user_ns\": 1, \"exit_overhead_ns\": 0, "
		   "\"syscalls\": {\"read\": {\"nr\": 0, \"count\": 1}}}",
		   "syscalls.read: a missing or bad count or host_ns");
	expect_bad("{\"version\": 3, \"user_ns\": 1, \"exit_overhead_ns\": 0, \"syscalls\": {},"
		   " \"features\": [{\"syscall\": \"read\", \"sub\": \"x\", \"count\": 1, \"host_ns\": 1}]}",
		   "features[0]: no such call");
}

/* ---- files: model_input_load, and `hyperloupe model` on a database ---- */

static char tmpdir[64];

static void path_in(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", tmpdir, name);
}

static int setup_dir(void **state)
{
	(void)state;
	strcpy(tmpdir, "/tmp/hl-model-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_input_load(void **state)
{
	(void)state;
	struct model_input in;
	char path[128], err[400];
	path_in(path, sizeof(path), "stats.json");
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(stats_json, f);
	fclose(f);
	assert_int_equal(model_input_load(path, false, &in, err, sizeof(err)), 0);
	assert_int_equal(in.n, 3);
	model_input_free(&in);
	path_in(path, sizeof(path), "missing.json");
	assert_int_equal(model_input_load(path, false, &in, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "missing.json: No such file"));
}

/* cmd_model in a child, stdout to a file; its exit status. */
static int run_model(char **argv, int argc, const char *out)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		if (!freopen(out, "w", stdout))
			_exit(99);
		int rc = cmd_model(argc, argv);
		fflush(stdout);
		_exit(rc);
	}
	int st;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_model_from_db(void **state)
{
	(void)state;
	char db_path[128], out[128], err[200], src[200], text[4096];
	path_in(db_path, sizeof(db_path), "results.db");
	path_in(out, sizeof(out), "out.json");
	struct rdb *db = rdb_open(db_path, err, sizeof(err));
	assert_non_null(db);
	int64_t wl = rdb_workload(db, "wl", "d", "b");
	struct rdb_run r = {.workload = wl, .kind = RDB_BASELINE, .replica = 1, .ok = true, .metric = NAN,
			    .peak_rss_kb = -1, .fds = -1, .stats = stats_json};
	assert_int_equal(rdb_add_run(db, &r), 0);
	rdb_close(db);
	snprintf(src, sizeof(src), "db:wl@%s", db_path);
	char *argv[] = {"model", "--format", "json", "--gamma", "4", "--fc", "0", src, NULL};
	assert_int_equal(run_model(argv, 8, out), 0);
	FILE *f = fopen(out, "r");
	assert_non_null(f);
	text[fread(text, 1, sizeof(text) - 1, f)] = 0;
	fclose(f);
	assert_non_null(strstr(text, "\"p\": 0.2,"));
	assert_non_null(strstr(text, "\"C_ns\": 80000000,"));
	/* f_c = 0: S_r = (80 + 20) / (20 + 19) (the stubbed getrandom free) */
	char want[64];
	snprintf(want, sizeof(want), "\"S_r\": %.10g,", 100.0 / 39.0);
	assert_non_null(strstr(text, want));
	snprintf(src, sizeof(src), "db:other@%s", db_path);
	assert_int_equal(run_model(argv, 8, out), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sn_paper),
		cmocka_unit_test(test_sr_is_sn_without_forwarding),
		cmocka_unit_test(test_sr_effects),
		cmocka_unit_test(test_schemes_skewed),
		cmocka_unit_test(test_scheme_selection),
		cmocka_unit_test(test_parse_set_errors),
		cmocka_unit_test(test_policy_outcomes),
		cmocka_unit_test(test_greedy_order),
		cmocka_unit_test(test_sweeps),
		cmocka_unit_test(test_input_parse),
		cmocka_unit_test(test_input_features),
		cmocka_unit_test(test_input_errors),
		cmocka_unit_test_setup_teardown(test_input_load, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_model_from_db, setup_dir, teardown_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
