/* The agent's part of the JSON report (core/agent.h holds the area). */
#include "analysis/outfmt.h"
#include "analysis/runstats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

/* ---- JSON ---- */

/* A name from the area (at most AGENT_STR_SIZE bytes). */
static void json_name(FILE *f, const char *str)
{
	out_json_strn(f, str, strnlen(str, AGENT_STR_SIZE));
}

static void json_name_or_null(FILE *f, const char *s)
{
	if (s[0])
		json_name(f, s);
	else
		fputs("null", f);
}

/* The shortest of %.15g, %.16g, %.17g that reads back as v. */
static void json_double(FILE *f, double v)
{
	char buf[40];
	if (!isfinite(v))
		v = 0;
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	fputs(buf, f);
}

static unsigned long long rel_ns(const struct agent_area *a, uint64_t t)
{
	return t > a->start_ns ? t - a->start_ns : 0;
}

static void json_events(const struct agent_area *a, FILE *f)
{
	fputs("  \"agent\": {\"phase_filter\": ", f);
	json_name_or_null(f, a->phase_filter);
	fputs(", \"phase\": ", f);
	json_name_or_null(f, a->phase);
	fprintf(f, ", \"recording\": %s,\n    \"started\": ", a->recording ? "true" : "false");
	if (a->events & AGENT_STARTED)
		fprintf(f, "{\"pid\": %d, \"t_ns\": %llu}", a->started_pid, rel_ns(a, a->started_ns));
	else
		fputs("null", f);
	fputs(", \"ready\": ", f);
	if (a->events & AGENT_READY)
		fprintf(f, "{\"t_ns\": %llu}", rel_ns(a, a->ready_ns));
	else
		fputs("null", f);
	fputs(",\n    \"exited\": ", f);
	if (a->events & AGENT_EXITED) {
		int ws = a->wait_status;
		int sig = WIFSIGNALED(ws) ? WTERMSIG(ws) : 0;
		int st = sig ? 128 + sig : WIFEXITED(ws) ? WEXITSTATUS(ws) : 0;
		fprintf(f, "{\"exit_status\": %d, \"term_signal\": %d, \"wait_status\": %d, \"t_ns\": %llu}", st,
			sig, ws, rel_ns(a, a->exited_ns));
	} else {
		fputs("null", f);
	}
	fprintf(f, ",\n    \"marks_dropped\": %u},\n", a->marks_dropped);
}

void agent_write_json(const struct agent_area *area, FILE *f)
{
	/* A consistent copy: other processes of the run may still be
	 * making hypercalls. */
	struct agent_area *a = malloc(sizeof(*a));
	if (!a)
		return;
	agent_lock((struct agent_area *)area);
	memcpy(a, area, sizeof(*a));
	agent_unlock((struct agent_area *)area);
	json_events(a, f);
	uint32_t nm = a->nmarks < HL_HC_MAX_MARKS ? a->nmarks : HL_HC_MAX_MARKS;
	fputs("  \"phases\": [", f);
	for (uint32_t i = 0; i < nm; i++) {
		fputs(i ? ",\n    {\"name\": " : "\n    {\"name\": ", f);
		json_name(f, a->marks[i].name);
		fprintf(f, ", \"t_ns\": %llu}", rel_ns(a, a->marks[i].t_ns));
	}
	fputs(nm ? "\n  ],\n" : "],\n", f);
	uint32_t nv = a->nmetrics < HL_HC_MAX_METRICS ? a->nmetrics : HL_HC_MAX_METRICS;
	fputs("  \"metrics\": {", f);
	for (uint32_t i = 0; i < nv; i++) {
		fputs(i ? ",\n    " : "\n    ", f);
		json_name(f, a->metrics[i].name);
		fputs(": ", f);
		/* The text again, with libc's correctly rounded strtod. */
		double d = a->metrics[i].text[0] ? strtod(a->metrics[i].text, NULL) : a->metrics[i].value;
		json_double(f, d);
	}
	fputs(nv ? "\n  },\n" : "},\n", f);
	free(a);
}
