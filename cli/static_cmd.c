/* `hyperloupe static` (README "Static analysis"). */
#include "cli/static_cmd.h"
#include "analysis/outfmt.h"
#include "analysis/static.h"
#include "analysis/util.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char static_usage[] =
	"usage: hyperloupe static [--format text|json] [--no-sites] PROGRAM\n";

struct static_out {
	bool json, sites;
};

static const char *loader_name(const struct static_result *r, const struct static_object *o)
{
	return o->loader >= 0 ? r->objects[o->loader].name : NULL;
}

/* ---- text ---- */

static void text_site(const struct static_site *s)
{
	const char *name = s->why == SW_RESOLVED ? sc_name(s->nr) : NULL;
	printf("  %#14llx  off %#10llx  ", (unsigned long long)s->addr, (unsigned long long)s->offset);
	if (s->why == SW_RESOLVED)
		printf("%4lld  %s\n", (long long)s->nr, name ? name : "(no such syscall)");
	else
		printf("   ?  (unresolved: %s)\n", static_why_name(s->why));
}

static void text_object(const struct static_result *r, const struct static_object *o, bool sites)
{
	const char *by = loader_name(r, o);
	printf("%s", o->name);
	if (o->role == SR_NEEDED)
		printf(" => %s", o->path ? o->path : "not found");
	printf("  [%s%s%s", static_role_name(o->role), by ? ", needed by " : "", by ? by : "");
	printf("%s%s]", o->via ? ", via " : "", o->via ? o->via : "");
	if (o->error)
		printf("  error: %s\n", o->error);
	else
		printf("  %zu sites, %zu resolved, %zu unresolved\n", o->nsites, o->nresolved,
		       o->nsites - o->nresolved);
	for (size_t i = 0; sites && i < o->nsites; i++)
		text_site(&o->sites[i]);
}

static void text_report(const struct static_result *r, bool sites)
{
	for (size_t i = 0; i < r->nobjects; i++)
		text_object(r, &r->objects[i], sites);
	printf("total: %zu objects (%zu not found), %zu sites, %zu resolved, %zu unresolved\n", r->nobjects,
	       r->nmissing, r->nsites, r->nresolved, r->nsites - r->nresolved);
	printf("syscalls (%zu):", r->nsyscalls);
	for (long nr = 0; nr < SC_TABLE_SIZE; nr++)
		if (static_has(r, nr))
			printf(" %s", sc_name(nr));
	printf("\n");
}

/* ---- JSON ---- */

static void json_str_or_null(const char *s)
{
	if (s)
		out_json_str(stdout, s);
	else
		fputs("null", stdout);
}

static void json_site(const struct static_site *s, bool first)
{
	bool ok = s->why == SW_RESOLVED;
	printf("%s\n        {\"addr\": %llu, \"offset\": %llu, \"nr\": ", first ? "" : ",",
	       (unsigned long long)s->addr, (unsigned long long)s->offset);
	if (ok)
		printf("%lld", (long long)s->nr);
	else
		fputs("null", stdout);
	fputs(", \"name\": ", stdout);
	json_str_or_null(ok ? sc_name(s->nr) : NULL);
	fputs(", \"why\": ", stdout);
	out_json_str(stdout, static_why_name(s->why));
	fputs("}", stdout);
}

/* How many sites of o are unresolved for each reason. */
static void json_why_counts(const struct static_object *o)
{
	size_t count[SW__COUNT] = {0};
	bool first = true;
	for (size_t i = 0; i < o->nsites; i++)
		count[o->sites[i].why < SW__COUNT ? o->sites[i].why : SW_COMPUTED]++;
	fputs("{", stdout);
	for (int w = SW_RESOLVED + 1; w < SW__COUNT; w++) {
		if (!count[w])
			continue;
		printf("%s\"%s\": %zu", first ? "" : ", ", static_why_name(w), count[w]);
		first = false;
	}
	fputs("}", stdout);
}

static void json_strings(const char *key, char *const *v, size_t n)
{
	printf("\"%s\": [", key);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ", " : "", stdout);
		out_json_str(stdout, v[i]);
	}
	fputs("]", stdout);
}

static void json_object(const struct static_result *r, const struct static_object *o, bool sites)
{
	fputs("    {\"name\": ", stdout);
	out_json_str(stdout, o->name);
	fputs(", \"path\": ", stdout);
	json_str_or_null(o->path);
	printf(", \"role\": \"%s\", \"via\": ", static_role_name(o->role));
	json_str_or_null(o->via);
	fputs(", \"needed_by\": ", stdout);
	json_str_or_null(loader_name(r, o));
	fputs(", \"error\": ", stdout);
	json_str_or_null(o->error);
	fputs(",\n     ", stdout);
	json_strings("needed", o->needed, o->nneeded);
	fputs(", \"runpath\": ", stdout);
	json_str_or_null(o->runpath);
	fputs(", \"rpath\": ", stdout);
	json_str_or_null(o->rpath);
	printf(",\n     \"sites\": %zu, \"resolved\": %zu, \"unresolved\": %zu, \"unresolved_why\": ", o->nsites,
	       o->nresolved, o->nsites - o->nresolved);
	json_why_counts(o);
	if (sites) {
		fputs(",\n     \"site_list\": [", stdout);
		for (size_t i = 0; i < o->nsites; i++)
			json_site(&o->sites[i], i == 0);
		fputs("]", stdout);
	}
	fputs("}", stdout);
}

static void json_report(const struct static_result *r, const char *program, bool sites)
{
	fputs("{\n  \"version\": 1,\n  \"program\": ", stdout);
	out_json_str(stdout, program);
	fputs(",\n  \"objects\": [\n", stdout);
	for (size_t i = 0; i < r->nobjects; i++) {
		json_object(r, &r->objects[i], sites);
		fputs(i + 1 < r->nobjects ? ",\n" : "\n", stdout);
	}
	fputs("  ],\n  \"missing\": [", stdout);
	for (size_t i = 0, n = 0; i < r->nobjects; i++)
		if (!r->objects[i].path) {
			fputs(n++ ? ", " : "", stdout);
			out_json_str(stdout, r->objects[i].name);
		}
	printf("],\n  \"objects_count\": %zu, \"sites\": %zu, \"resolved\": %zu, \"unresolved\": %zu,\n",
	       r->nobjects, r->nsites, r->nresolved, r->nsites - r->nresolved);
	printf("  \"syscall_count\": %zu,\n  \"syscalls\": [", r->nsyscalls);
	for (long nr = 0, n = 0; nr < SC_TABLE_SIZE; nr++)
		if (static_has(r, nr))
			printf("%s\"%s\"", n++ ? ", " : "", sc_name(nr));
	fputs("]\n}\n", stdout);
}

/* ---- the command ---- */

static void parse_static_options(int argc, char **argv, struct static_out *out)
{
	static const struct option opts[] = {
		{"format", required_argument, NULL, 'f'},
		{"no-sites", no_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;
	optind = 1;
	*out = (struct static_out){false, true};
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (c == 'f' && (!strcmp(optarg, "json") || !strcmp(optarg, "text")))
			out->json = !strcmp(optarg, "json");
		else if (c == 'f')
			hl_fail(2, "static: --format '%s': text or json", optarg);
		else if (c == 'n')
			out->sites = false;
		else if (c == 'h')
			fputs(static_usage, stdout), exit(0);
		else
			fputs(static_usage, stderr), exit(2);
	}
	if (optind + 1 != argc)
		fputs(static_usage, stderr), exit(2);
}

int cmd_static(int argc, char **argv)
{
	struct static_out out;
	struct static_result r;
	char buf[PATH_MAX];
	parse_static_options(argc, argv, &out);
	const char *name = argv[optind];
	const char *path = hl_path_search(name, buf, sizeof(buf));
	if (!path)
		hl_fail(2, "static: %s: not found in PATH", name);
	if (static_analyze(path, &r) < 0)
		hl_fail(2, "static: %s: %s", path, r.error);
	if (out.json)
		json_report(&r, path, out.sites);
	else
		text_report(&r, out.sites);
	static_result_free(&r);
	return fflush(stdout) == 0 ? 0 : 1;
}
