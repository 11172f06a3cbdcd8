/* The campaign's decisions (campaign.h). */
#include "analysis/campaign.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Whether value is within tol of base, on the bad side (for a metric,
 * higher or lower is better; for resources, higher is worse). */
static bool within(double value, double base, double tol, bool higher_is_better, double slack)
{
	if (tol < 0 || isnan(base) || isnan(value))
		return true;
	if (higher_is_better)
		return value >= base * (1 - tol) - slack;
	return value <= base * (1 + tol) + slack;
}

static bool check_figures(const struct run_outcome *o, const struct baseline *b, const struct tolerance *t,
			  char *reason, size_t len)
{
	if (b->goal != WL_METRIC_NONE && t->metric >= 0 && !o->has_metric) {
		snprintf(reason, len, "no metric");
		return false;
	}
	if (b->goal != WL_METRIC_NONE && o->has_metric &&
	    !within(o->metric, b->metric, t->metric, b->goal == WL_METRIC_HIGHER, 0)) {
		snprintf(reason, len, "metric %.6g, baseline %.6g", o->metric, b->metric);
		return false;
	}
	if (o->peak_rss_kb >= 0 && !within((double)o->peak_rss_kb, b->rss_kb, t->rss, false, 0)) {
		snprintf(reason, len, "peak RSS %lld KiB, baseline %.0f", (long long)o->peak_rss_kb, b->rss_kb);
		return false;
	}
	if (o->fds >= 0 && !within((double)o->fds, b->fds, t->fds, false, 1)) {
		snprintf(reason, len, "%lld fds, baseline %.1f", (long long)o->fds, b->fds);
		return false;
	}
	return true;
}

bool run_verdict(const struct run_outcome *o, const struct baseline *b, const struct tolerance *t, char *reason,
		 size_t len)
{
	reason[0] = 0;
	if (o->timed_out)
		snprintf(reason, len, "timed out");
	else if (o->crash_signal)
		snprintf(reason, len, "the application died of signal %d", o->crash_signal);
	else if (o->status)
		snprintf(reason, len, "exit status %d", o->status);
	else if (o->new_calls && *o->new_calls && !t->allow_new_calls)
		snprintf(reason, len, "passed by falling back to calls the baseline never made: %s", o->new_calls);
	else
		return check_figures(o, b, t, reason, len);
	return false;
}

char final_action(enum feat_class c)
{
	return c == FC_STUB || c == FC_BOTH ? 's' : c == FC_FAKE ? 'f' : 0;
}

double parse_tolerance(const char *s)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s)
		return -1;
	if (*end == '%')
		v /= 100, end++;
	return *end || !(v >= 0 && v <= 10) ? -1 : v;
}
