/* `hyperloupe model` (README "Speedup model"). */
#include "cli/model_cmd.h"
#include "analysis/dbsel.h"
#include "analysis/outfmt.h"
#include "analysis/policy.h"
#include "analysis/resultsdb.h"
#include "analysis/util.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_DB "hyperloupe.db"
#define MAX_REPLICAS 64

static const char model_usage[] =
	"usage: hyperloupe model [--gamma G] [--fc T] [--forward SET] [--features]\n"
	"                        [--format text|json] [--order] [--sweep DIR] SOURCE\n"
	"       hyperloupe model [OPTIONS] --db FILE WORKLOAD\n"
	"  SOURCE  a `hyperloupe run --stats` file, - (stdin), or db:WORKLOAD[@FILE]\n"
	"          (a stored run of the results database, ./" DEFAULT_DB " by default)\n"
	"  --gamma G      gain of the compute part on the specialized OS (10)\n"
	"  --fc T         forwarding cost per direction: ns, us, ms, s (10us)\n"
	"  --forward SET  the forwarded calls: policy (the run's, default), all, none,\n"
	"                 least:N[%], most:N[%], random:N[%][:SEED], or NAME,...\n"
	"  --features     sub-features and pseudo-files as units of their own\n"
	"  --order        the calls to implement locally first, greedily, with S_r\n"
	"  --sweep DIR    CSV and SVG sweeps and surfaces (the paper's Figures 2-9)\n";

struct model_opts {
	double gamma, fc_ns;
	const char *forward, *sweep, *db, *source;
	bool json, order, features;
};

struct model_result {
	double *b;
	double p, sum_g, t_nd, t_d, sn, sr, sr_vm;
	int used, fwd_units;
	double exec_calls, fwd_calls;
	struct model_step *steps;
	int nsteps;
};

/* ---- options ---- */

static double parse_gamma(const char *text)
{
	char *end;
	errno = 0;
	double g = strtod(text, &end);
	if (end == text || *end || errno || !(g > 0))
		hl_fail(2, "model: --gamma '%s': a number above 0", text);
	return g;
}

static double parse_fc(const char *text)
{
	uint64_t ns;
	if (policy_parse_duration(text, &ns) < 0)
		hl_fail(2, "model: --fc '%s': a duration (10us, 1.5ms, 200ns, 2s)", text);
	return (double)ns;
}

static void parse_model_options(int argc, char **argv, struct model_opts *o)
{
	static const struct option opts[] = {
		{"gamma", required_argument, NULL, 'g'}, {"fc", required_argument, NULL, 'c'},
		{"forward", required_argument, NULL, 'f'}, {"format", required_argument, NULL, 'F'},
		{"features", no_argument, NULL, 'e'},      {"order", no_argument, NULL, 'o'},
		{"sweep", required_argument, NULL, 's'},   {"db", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
	};
	int c;
	optind = 1;
	*o = (struct model_opts){.gamma = 10, .fc_ns = 10000, .forward = "policy"};
	/* Options may follow SOURCE: getopt permutes. */
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'g': o->gamma = parse_gamma(optarg); break;
		case 'c': o->fc_ns = parse_fc(optarg); break;
		case 'f': o->forward = optarg; break;
		case 'e': o->features = true; break;
		case 'o': o->order = true; break;
		case 's': o->sweep = optarg; break;
		case 'd': o->db = optarg; break;
		case 'F':
			if (strcmp(optarg, "json") && strcmp(optarg, "text"))
				hl_fail(2, "model: --format '%s': text or json", optarg);
			o->json = !strcmp(optarg, "json");
			break;
		case 'h': fputs(model_usage, stdout); exit(0);
		default: fputs(model_usage, stderr); exit(2);
		}
	}
	if (optind + 1 != argc)
		fputs(model_usage, stderr), exit(2);
	o->source = argv[optind];
}

/* ---- the source ---- */

/* The statistics of the workload's newest campaign: a baseline run's,
 * else the discovery run's (malloc'd), or NULL after a message. */
static char *db_stats(const char *file, const char *workload)
{
	char err[512];
	struct rdb *db = dbsel_open(file, err, sizeof(err));
	if (!db) {
		hl_err("model: %s", err);
		return NULL;
	}
	int64_t wl = rdb_latest_workload(db, workload);
	char *json = NULL;
	for (int k = RDB_BASELINE; wl >= 0 && !json && k <= RDB_DISCOVERY; k++)
		for (int r = 0; !json && r < MAX_REPLICAS; r++)
			json = rdb_run_stats(db, wl, (enum rdb_run_kind)k, 0, r);
	rdb_close(db);
	if (wl < 0)
		hl_err("model: %s: no workload '%s'", file, workload);
	else if (!json)
		hl_err("model: %s: workload '%s' has no run with statistics yet (baseline or discovery)", file,
		       workload);
	return json;
}

static int load_db(const char *file, const char *workload, const struct model_opts *o, struct model_input *in)
{
	char err[512];
	char *json = db_stats(file, workload);
	if (!json)
		return -1;
	int rc = model_input_parse(json, o->features, in, err, sizeof(err));
	if (rc < 0)
		hl_err("model: %s: %s: %s", file, workload, err);
	free(json);
	return rc;
}

static int load_source(const struct model_opts *o, struct model_input *in)
{
	char err[600];
	if (o->db)
		return load_db(o->db, o->source, o, in);
	if (!strncmp(o->source, "db:", 3)) {
		char name[256];
		const char *at = strchr(o->source + 3, '@');
		size_t len = at ? (size_t)(at - o->source - 3) : strlen(o->source + 3);
		if (!len || len >= sizeof(name))
			hl_fail(2, "model: '%s': expected db:WORKLOAD[@FILE]", o->source);
		snprintf(name, sizeof(name), "%.*s", (int)len, o->source + 3);
		return load_db(at && at[1] ? at + 1 : DEFAULT_DB, name, o, in);
	}
	if (model_input_load(o->source, o->features, in, err, sizeof(err)) < 0) {
		hl_err("model: %s", err);
		return -1;
	}
	return 0;
}

/* ---- the model ---- */

static int compute(const struct model_opts *o, const struct model_input *in, const struct model_set *set,
		   struct model_result *r)
{
	char err[300];
	memset(r, 0, sizeof(*r));
	r->b = calloc((size_t)in->n + 1, sizeof(*r->b));
	r->steps = calloc((size_t)in->n + 1, sizeof(*r->steps));
	if (!r->b || !r->steps)
		return hl_err("model: out of memory"), -1;
	if (model_assign(in, set, r->b, err, sizeof(err)) < 0)
		hl_fail(2, "model: --forward %s", err);
	r->sum_g = model_sum_g(in);
	r->p = model_p(in);
	r->t_nd = model_t_nd(in);
	r->t_d = model_t_d(in, r->b, o->gamma, o->fc_ns);
	r->sn = model_sn(r->p, o->gamma);
	r->sr = model_sr(in, r->b, o->gamma, o->fc_ns);
	r->sr_vm = model_sr_vm(in, r->b, o->gamma, o->fc_ns);
	r->used = model_used(in);
	for (int i = 0; i < in->n; i++) {
		double x = model_exec(&in->calls[i]);
		r->exec_calls += x;
		r->fwd_calls += r->b[i] * x;
		r->fwd_units += r->b[i] > 0 && x > 0;
	}
	if (o->order)
		r->nsteps = model_order(in, r->b, o->gamma, o->fc_ns, r->steps);
	return r->nsteps < 0 ? (hl_err("model: out of memory"), -1) : 0;
}

static void warn_inputs(const struct model_input *in)
{
	if (in->phase)
		hl_err("model: warning: the run counted phase '%s' only: g covers the phase, C the whole run",
		       in->phase);
	if (in->C_ns == 0 && model_sum_g(in) > 0)
		hl_err("model: warning: user_ns is 0 (the exits' calibrated cost took it all): p = 1");
}

/* ---- text ---- */

/* ns in a unit that keeps 3 or 4 significant digits. */
static const char *fmt_ns(double ns, char *buf, size_t len)
{
	static const struct {
		double scale;
		const char *unit;
	} units[] = {{1e9, "s"}, {1e6, "ms"}, {1e3, "us"}, {1, "ns"}};
	size_t i = 0;
	while (i + 1 < sizeof(units) / sizeof(units[0]) && fabs(ns) < units[i].scale)
		i++;
	snprintf(buf, len, "%.3f %s", ns / units[i].scale, units[i].unit);
	return buf;
}

static const char *action_name(int a)
{
	static const char *names[] = {"forward", "local", "stub", "fake", "mixed"};
	return a >= 0 && a <= MA_MIXED ? names[a] : "?";
}

static void text_calls(const struct model_opts *o, const struct model_input *in, const struct model_result *r)
{
	char g[32], t[32];
	printf("\n%-28s %5s %10s %12s %-7s %5s %12s\n", "call", "nr", "count", "g", "run", "b", "on the SOS");
	for (int i = 0; i < in->n; i++) {
		const struct model_call *c = &in->calls[i];
		double cost = model_cost(c, r->b[i], o->fc_ns);
		printf("%-28s %5d %10.0f %12s %-7s %5.2f %12s\n", c->name, c->nr, c->n_calls,
		       fmt_ns(c->g_ns, g, sizeof(g)), action_name(c->action), r->b[i], fmt_ns(cost, t, sizeof(t)));
	}
}

static void text_order(const struct model_input *in, const struct model_result *r)
{
	printf("\nimplement locally first (greedy: each step the call that raises S_r most):\n");
	printf("%5s  %-28s %10s %10s\n", "step", "call", "count", "S_r");
	for (int i = 0; i < r->nsteps; i++) {
		const struct model_call *c = &in->calls[r->steps[i].call];
		printf("%5d  %-28s %10.0f %10.4f\n", i + 1, c->name, model_exec(c), r->steps[i].sr);
	}
}

static void text_report(const struct model_opts *o, const struct model_input *in, const struct model_result *r)
{
	char a[32], b[32];
	printf("source     %s%s%s%s\n", o->source, in->program ? " (" : "", in->program ? in->program : "",
	       in->program ? ")" : "");
	printf("C          %-14s guest user time (user_ns)\n", fmt_ns(in->C_ns, a, sizeof(a)));
	printf("sum g      %-14s host time of %.0f calls, %d units (syscalls.*.host_ns)\n",
	       fmt_ns(r->sum_g, a, sizeof(a)), r->exec_calls, in->n);
	printf("p          %-14.6f sum g / (C + sum g)\n", r->p);
	printf("gamma      %g\nf_c        %-14s each way: 2 f_c per forwarded call\n", o->gamma,
	       fmt_ns(o->fc_ns, a, sizeof(a)));
	printf("forwarded  %s: %d of %d used units, %.0f of %.0f calls\n", o->forward, r->fwd_units, r->used,
	       r->fwd_calls, r->exec_calls);
	printf("S_n        %-14.4f 1 / (p + (1 - p) / gamma); %.4g as gamma -> infinity\n", r->sn,
	       model_sn(r->p, INFINITY));
	printf("S_r        %-14.4f (C + sum g) / (C/gamma + sum b (g + 2 f_c n) + (1 - b) g)\n", r->sr);
	printf("S_r in VM  %-14.4f with E = %s (the VM's exit overhead) added to both times\n", r->sr_vm,
	       fmt_ns(in->E_ns, b, sizeof(b)));
	text_calls(o, in, r);
	if (o->order)
		text_order(in, r);
}

/* ---- JSON ---- */

static void json_kv(const char *key, double v)
{
	printf("  \"%s\": ", key);
	out_json_num(stdout, v);
	fputs(",\n", stdout);
}

/* Times in whole ns, exactly (%.10g would round those of runs over 10 s). */
static void json_ns(const char *key, double v)
{
	if (isfinite(v) && fabs(v) < 1e18)
		printf("  \"%s\": %.0f,\n", key, v);
	else
		json_kv(key, v);
}

static void json_calls(const struct model_opts *o, const struct model_input *in, const struct model_result *r)
{
	fputs("  \"calls\": [", stdout);
	for (int i = 0; i < in->n; i++) {
		const struct model_call *c = &in->calls[i];
		double cost = model_cost(c, r->b[i], o->fc_ns);
		printf("%s\n    {\"name\": ", i ? "," : "");
		out_json_str(stdout, c->name);
		printf(", \"nr\": %d, \"count\": %.0f, \"host_ns\": %.0f, \"local\": %.0f, \"free\": %.0f, "
		       "\"run\": \"%s\", \"b\": %.6g, \"cost_ns\": %.0f}",
		       c->nr, c->n_calls, c->g_ns, c->n_local, c->n_free, action_name(c->action), r->b[i], cost);
	}
	fputs("\n  ],\n  \"forwarded\": [", stdout);
	for (int i = 0, n = 0; i < in->n; i++)
		if (r->b[i] > 0 && model_exec(&in->calls[i]) > 0) {
			fputs(n++ ? ", " : "", stdout);
			out_json_str(stdout, in->calls[i].name);
		}
	fputs("]", stdout);
}

static void json_order(const struct model_input *in, const struct model_result *r)
{
	fputs(",\n  \"order\": [", stdout);
	for (int i = 0; i < r->nsteps; i++) {
		printf("%s\n    {\"name\": ", i ? "," : "");
		out_json_str(stdout, in->calls[r->steps[i].call].name);
		printf(", \"S_r\": ");
		out_json_num(stdout, r->steps[i].sr);
		fputs("}", stdout);
	}
	fputs("\n  ]", stdout);
}

static void json_report(const struct model_opts *o, const struct model_input *in, const struct model_result *r)
{
	fputs("{\n  \"version\": 1,\n  \"source\": ", stdout);
	out_json_str(stdout, o->source);
	fputs(",\n  \"program\": ", stdout);
	in->program ? out_json_str(stdout, in->program) : (void)fputs("null", stdout);
	fputs(",\n  \"forward\": ", stdout);
	out_json_str(stdout, o->forward);
	fputs(",\n", stdout);
	json_kv("gamma", o->gamma);
	json_ns("fc_ns", o->fc_ns);
	json_ns("C_ns", in->C_ns);
	json_ns("sum_g_ns", r->sum_g);
	json_kv("p", r->p);
	json_ns("E_ns", in->E_ns);
	json_ns("t_nd_ns", r->t_nd);
	json_ns("t_d_ns", r->t_d);
	printf("  \"used_units\": %d,\n  \"forwarded_units\": %d,\n", r->used, r->fwd_units);
	json_kv("calls_executed", r->exec_calls);
	json_kv("calls_forwarded", r->fwd_calls);
	json_kv("S_n", r->sn);
	json_kv("S_n_limit", model_sn(r->p, INFINITY));
	json_kv("S_r", r->sr);
	json_kv("S_r_vm", r->sr_vm);
	json_calls(o, in, r);
	if (o->order)
		json_order(in, r);
	fputs("\n}\n", stdout);
}

/* ---- the command ---- */

static int sweeps(const struct model_opts *o, const struct model_input *in, const struct model_set *set,
		  const struct model_result *r)
{
	struct model_case c = {in, set, o->forward, r->b, o->gamma, o->fc_ns};
	/* With JSON on stdout, the list of files must not corrupt it. */
	return model_write_sweeps(o->sweep, &c, o->json ? stderr : stdout);
}

int cmd_model(int argc, char **argv)
{
	struct model_opts o;
	struct model_set set;
	struct model_input in;
	struct model_result r;
	char err[300];
	parse_model_options(argc, argv, &o);
	if (model_parse_set(o.forward, &set, err, sizeof(err)) < 0)
		hl_fail(2, "model: --forward %s", err);
	if (load_source(&o, &in) < 0)
		return 1;
	if (model_t_nd(&in) <= 0) {
		hl_err("model: %s: nothing to model: user_ns and every host_ns are 0", o.source);
		model_input_free(&in);
		return 1;
	}
	warn_inputs(&in);
	int rc = compute(&o, &in, &set, &r);
	if (!rc && o.json)
		json_report(&o, &in, &r);
	else if (!rc)
		text_report(&o, &in, &r);
	if (!rc && o.sweep)
		rc = sweeps(&o, &in, &set, &r);
	free(r.b);
	free(r.steps);
	model_input_free(&in);
	return rc || fflush(stdout) ? 1 : 0;
}
