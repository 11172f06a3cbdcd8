/* The delegate speedup model (papers/multi-os-speedup-model.txt §III, README
 * "Speedup model"): how fast a program would run on a specialized OS whose
 * compute part is γ times faster and that forwards the calls it does not
 * implement to a general-purpose OS at a cost f_c each way.
 *
 *   S_n = 1 / (p + (1 - p) / γ)                     p = Σg / (C + Σg)
 *   S_r = (C + Σ g(s)) / (C/γ + Σ b(s)(g(s) + 2 f_c n(s)) + (1 - b(s)) g'(s))
 *
 * with g' = g (the paper's simplification) and calls the measured run
 * stubbed or faked costing nothing.  model.c is pure math (no I/O);
 * model_input.c reads the inputs from a run's statistics. */
#ifndef HL_MODEL_H
#define HL_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What the measured run's policy did with a unit's calls. */
enum model_action { MA_FORWARD, MA_LOCAL, MA_STUB, MA_FAKE, MA_MIXED };

/* One unit of the model: a system call, or with features one sub-feature
 * or pseudo-file of a call (the rest of that call is a unit of its own,
 * named by the call). */
struct model_call {
	int nr;            /* system call number */
	const char *name;  /* `read`, `ioctl:TCGETS`, `openat:/proc/self/maps`
	                      (model_input_free frees it) */
	double g_ns;       /* g(s): host time of all its calls */
	double n_calls;    /* n(s): how many calls */
	double n_local;    /* of those, how many the run executed locally */
	double n_free;     /* of those, how many the run stubbed or faked */
	int action;        /* enum model_action, for reports */
};

struct model_input {
	double C_ns;       /* C: guest user time */
	double E_ns;       /* the VM's own overhead in the run (exits, VMM
	                      dispatch and start-up; injected delay excluded):
	                      not part of the model, see model_sr_vm */
	int n;
	struct model_call *calls;
	/* Where it came from (model_input_*; NULL/0 for hand-made inputs). */
	char *program;
	char *phase;             /* the run's --phase filter: C is not filtered */
	double wall_ns;
	double source_delay_ns;  /* the run's --forward-delay */
};

/* Σ g(s), and p = Σg / (C + Σg) (0 when both are 0). */
double model_sum_g(const struct model_input *in);
double model_p(const struct model_input *in);

/* The naive model; p only.  γ = ∞ (INFINITY) gives 1/p. */
double model_sn(double p, double gamma);

/* Calls of s that were executed (not stubbed or faked). */
static inline double model_exec(const struct model_call *c)
{
	double x = c->n_calls - c->n_free;
	return x > 0 ? x : 0;
}

/* A unit's time on the specialized OS with a share b of its executed calls
 * forwarded: g + 2 f_c n for forwarded calls, g' = g for local ones, and
 * nothing for a unit the run only stubbed or faked. */
double model_cost(const struct model_call *c, double b, double fc_ns);

/* Times of the refined model for an assignment b[i] in [0, 1]: the share
 * of unit i's executed calls that are forwarded (1: b(s) = 1; a fraction
 * for a unit the run split between forwarding and local execution). */
double model_t_nd(const struct model_input *in);
double model_t_d(const struct model_input *in, const double *b, double gamma, double fc_ns);
double model_sr(const struct model_input *in, const double *b, double gamma, double fc_ns);

/* S_r with the VM's overhead E added to both times: what `hyperloupe run`
 * itself measures when the compute part is made γ times shorter and f_c is
 * injected (every call still exits the VM, whatever its policy). */
double model_sr_vm(const struct model_input *in, const double *b, double gamma, double fc_ns);

/* ---- which calls are forwarded ---- */

enum model_scheme {
	MS_POLICY, /* as the measured run: its forwarded share of each unit */
	MS_ALL,
	MS_NONE,
	MS_LEAST,  /* the least frequently called units */
	MS_MOST,   /* the most frequently called */
	MS_RANDOM, /* a seeded random choice */
	MS_LIST,   /* named units */
};

struct model_set {
	enum model_scheme scheme;
	double amount;  /* LEAST/MOST/RANDOM: a count, or a percentage */
	bool percent;
	uint64_t seed;  /* RANDOM */
	char list[512]; /* LIST: comma-separated names */
};

/* Parses `policy`, `all`, `none`, `least:N[%]`, `most:N[%]`,
 * `random:N[%][:SEED]` (seed 1 by default) or `NAME,NAME...`.  0, or -1
 * with the reason in err. */
int model_parse_set(const char *spec, struct model_set *s, char *err, size_t errlen);

/* Used units: those with executed calls (the paper's S). */
int model_used(const struct model_input *in);

/* How many used units N or N% of them is: a percentage is rounded to the
 * nearest count (half away from zero), and capped at the used units. */
int model_set_count(const struct model_input *in, const struct model_set *s);

/* Fills b[in->n] for the set.  LEAST sorts used units by count ascending
 * (ties: less host time first, then lower number, then name), MOST by
 * count descending (ties: more host time first, then number, name);
 * RANDOM shuffles the used units, taken in that same LEAST order, with
 * a Fisher-Yates shuffle driven by splitmix64(seed), so that the choice
 * is the same on every machine.  A LIST name selects the unit of that
 * name, and a call name every unit of that call; a name that is neither a
 * unit nor a system call is an error.  0, or -1 with err. */
int model_assign(const struct model_input *in, const struct model_set *s, double *b, char *err, size_t errlen);

/* ---- what to implement locally first ---- */

struct model_step {
	int call;  /* index in in->calls made local at this step */
	double sr; /* S_r after it */
};

/* Greedy: starting from b0, at each step the forwarded unit whose move to
 * local raises S_r most (ties: more calls, then lower index), until none
 * is forwarded.  Writes at most in->n steps to steps, returns how many. */
int model_order(const struct model_input *in, const double *b0, double gamma, double fc_ns,
		struct model_step *steps);

/* ---- sweeps ---- */

enum model_axis { MX_GAMMA, MX_FC, MX_FRACTION };

struct model_grid {
	enum model_axis axis;
	const double *v; /* FRACTION: 0..1 of the used units */
	int n;
};

/* n points from lo to hi (n >= 2), evenly, or evenly in log10. */
void model_linspace(double lo, double hi, int n, double *out);
void model_logspace(double lo, double hi, int n, double *out);

/* S_r over the grid x by y, z[iy * x.n + ix]: the axes set γ, f_c or the
 * forwarded fraction; what they do not set is gamma, fc_ns and b.  A
 * FRACTION axis chooses the calls with scheme (LEAST, MOST or RANDOM)
 * at that percentage; y.n = 1 with any axis makes a 1-D sweep.  0, or -1
 * when a fraction axis has no scheme or memory runs out. */
int model_surface(const struct model_input *in, const double *b, const struct model_set *scheme,
		  double gamma, double fc_ns, struct model_grid x, struct model_grid y, double *z);

/* ---- inputs from a run's statistics (model_input.c) ---- */

/* Reads a `hyperloupe run --stats` report (JSON version 3): C from
 * user_ns, g(s) and n(s) from syscalls.NAME.host_ns and .count (with
 * features, from the features array, each call's rest a unit of its own),
 * the outcome counts, E from exit_overhead_ns minus the injected delays.
 * 0, or -1 with the reason in err (not JSON, wrong version, a missing or
 * mistyped field). */
int model_input_parse(const char *json, bool features, struct model_input *in, char *err, size_t errlen);
int model_input_load(const char *path, bool features, struct model_input *in, char *err, size_t errlen);
void model_input_free(struct model_input *in);

#endif
