/* Support plans (plan.h). */
#include "analysis/plan.h"

#include <string.h>

int scset_count(const struct scset *s)
{
	int n = 0;
	for (int i = 0; i < SCSET_WORDS; i++)
		n += __builtin_popcountll(s->w[i]);
	return n;
}

/* What the OS does with each call so far: one of the three at most. */
struct os_state {
	struct scset impl, stubbed, faked;
};

/* What app still needs of the OS; false when it already runs. */
static bool needs(const struct plan_app *app, const struct os_state *os, bool naive, struct plan_step *need)
{
	memset(need, 0, sizeof(*need));
	for (int nr = 0; nr < SC_TABLE_SIZE; nr++) {
		uint8_t c = app->cls[nr];
		bool stubbed = scset_has(&os->stubbed, nr), faked = scset_has(&os->faked, nr);
		if (c == FC_UNUSED || scset_has(&os->impl, nr))
			continue;
		if (naive || c == FC_REQUIRED || c == FC_FLAKY || c == FC_PENDING ||
		    (c == FC_STUB && faked) || (c == FC_FAKE && stubbed))
			scset_add(&need->implement, nr);
		else if ((c == FC_STUB || c == FC_BOTH) && !stubbed && !faked)
			scset_add(&need->stub, nr);
		else if (c == FC_FAKE && !faked)
			scset_add(&need->fake, nr);
	}
	return scset_count(&need->implement) + scset_count(&need->stub) + scset_count(&need->fake) > 0;
}

static void apply(struct os_state *os, const struct plan_step *s)
{
	for (int i = 0; i < SCSET_WORDS; i++) {
		os->impl.w[i] |= s->implement.w[i];
		os->stubbed.w[i] = (os->stubbed.w[i] | s->stub.w[i]) & ~s->implement.w[i];
		os->faked.w[i] = (os->faked.w[i] | s->fake.w[i]) & ~s->implement.w[i];
	}
}

static int count_supported(const struct plan_app *apps, int napps, const struct os_state *os, bool naive,
			   bool *done)
{
	struct plan_step tmp;
	int n = 0;
	for (int a = 0; a < napps; a++) {
		done[a] = !needs(&apps[a], os, naive, &tmp);
		n += done[a];
	}
	return n;
}

/* The application not yet running that needs the least: fewest calls to
 * implement, then fewest stubs and fakes; -1 when all run. */
static int cheapest(const struct plan_app *apps, int napps, const struct os_state *os, bool naive,
		    const bool *done, struct plan_step *best)
{
	int pick = -1, best_impl = 0, best_rest = 0;
	struct plan_step need;
	for (int a = 0; a < napps; a++) {
		if (done[a] || !needs(&apps[a], os, naive, &need))
			continue;
		int impl = scset_count(&need.implement), rest = scset_count(&need.stub) + scset_count(&need.fake);
		if (pick < 0 || impl < best_impl || (impl == best_impl && rest < best_rest)) {
			pick = a, best_impl = impl, best_rest = rest;
			*best = need;
		}
	}
	return pick;
}

/* Notes in at[] the step after which each application runs first. */
static void note_unlocked(const bool *done, int napps, int step, int *at)
{
	for (int a = 0; at && a < napps; a++)
		if (done[a] && at[a] < 0)
			at[a] = step;
}

static int build(const struct plan_app *apps, int napps, const struct scset *os_calls, bool naive,
		 struct plan_step *steps, int *at)
{
	struct os_state os = {.impl = *os_calls};
	bool done[napps > 0 ? napps : 1];
	int n = 0, implemented = 0;
	for (int a = 0; at && a < napps; a++)
		at[a] = -1;
	memset(&steps[0], 0, sizeof(steps[0]));
	steps[0].app = -1;
	steps[0].supported = count_supported(apps, napps, &os, naive, done);
	note_unlocked(done, napps, 0, at);
	while (++n <= napps) {
		struct plan_step *s = &steps[n];
		s->app = cheapest(apps, napps, &os, naive, done, s);
		if (s->app < 0)
			break;
		apply(&os, s);
		implemented += scset_count(&s->implement);
		s->implemented = implemented;
		s->supported = count_supported(apps, napps, &os, naive, done);
		note_unlocked(done, napps, n, at);
	}
	return n;
}

int plan_build(const struct plan_app *apps, int napps, const struct scset *os, struct plan_step *steps, int *at)
{
	return build(apps, napps, os, false, steps, at);
}

int plan_naive(const struct plan_app *apps, int napps, const struct scset *os, struct plan_step *steps, int *at)
{
	return build(apps, napps, os, true, steps, at);
}

void plan_final(const struct plan_step *steps, int nsteps, struct scset *stubbed, struct scset *faked)
{
	struct os_state st;
	memset(&st, 0, sizeof(st));
	for (int s = 1; s < nsteps; s++)
		apply(&st, &steps[s]);
	*stubbed = st.stubbed;
	*faked = st.faked;
}
