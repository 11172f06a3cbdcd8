/* Policies: parsing the rules and deciding per call (policy.h). */
#include "analysis/policy.h"
#include "analysis/xlat.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static const char *const action_names[POL__COUNT] = {"forward", "local", "stub", "fake"};

const char *policy_action_name(enum pol_action a)
{
	return a < POL__COUNT ? action_names[a] : "?";
}

const char *policy_rule_format(const struct pol_rule *r, char *buf, size_t len)
{
	char sub[64] = "", err[48] = "";
	const char *name = r->nr < 0 ? NULL : sc_name(r->nr);
	if (r->match == PM_SUB)
		snprintf(sub, sizeof(sub), ":%s", xlat_format(xlat_for(r->nr), r->sub, (char[32]){0}, 32));
	if (r->err)
		snprintf(err, sizeof(err), "=%s", strerrorname_np(r->err) ? strerrorname_np(r->err) : "?");
	if (r->match == PM_PATH)
		snprintf(buf, len, "%s %s%s%s%s", policy_action_name(r->action), name ? name : "", name ? ":" : "",
			 r->pattern, err);
	else
		snprintf(buf, len, "%s %s%s%s", policy_action_name(r->action), name ? name : "*", sub, err);
	return buf;
}

void policy_init(struct policy *p)
{
	memset(p, 0, sizeof(*p));
}

void policy_free(struct policy *p)
{
	for (int i = 0; i < p->n; i++)
		free(p->rules[i].pattern);
	free(p->rules);
	free(p->table);
	policy_init(p);
}

__attribute__((format(printf, 3, 4))) static int fail(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int add_rule(struct policy *p, const struct pol_rule *r)
{
	if (p->n == p->cap) {
		int cap = p->cap ? p->cap * 2 : 16;
		struct pol_rule *n = realloc(p->rules, (size_t)cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		p->rules = n;
		p->cap = cap;
	}
	p->rules[p->n++] = *r;
	return 0;
}

/* ---- specs ---- */

/* ERRNO as a name (ENOENT) or a number. */
static int parse_errno(const char *text)
{
	char *end;
	long v = strtol(text, &end, 10);
	if (*text && !*end)
		return v > 0 && v < 4096 ? (int)v : -1;
	for (int e = 1; e < 4096; e++) {
		const char *name = strerrorname_np(e);
		if (name && !strcmp(name, text))
			return e;
	}
	return -1;
}

/* The part after `NAME:`: a path pattern or a sub-feature of nr. */
static int parse_narrowing(struct pol_rule *r, const char *name, const char *rest, char *err, size_t len)
{
	if (rest[0] == '/') {
		if (sc_path_arg(r->nr) < 0)
			return fail(err, len, "'%s:%s': %s takes no path", name, rest, name);
		r->match = PM_PATH;
		r->pattern = strdup(rest);
		return r->pattern ? 0 : -ENOMEM;
	}
	const struct xlat *x = xlat_for(r->nr);
	if (!x)
		return fail(err, len, "'%s:%s': %s has no sub-features", name, rest, name);
	if (xlat_parse(x, rest, &r->sub))
		return fail(err, len, "'%s:%s': unknown %s '%s'", name, rest, x->what, rest);
	r->match = PM_SUB;
	return 0;
}

/* One spec, already cut out of its list: `*`, `PATH`, `NAME[:SUB|:PATH]`,
 * each optionally `=ERRNO` for a stub. */
static int parse_spec(struct pol_rule *r, enum pol_action a, char *spec, char *err, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->action = (uint8_t)a;
	r->nr = -1;
	char *eq = strchr(spec, '=');
	if (eq) {
		*eq = 0;
		if (a != POL_STUB)
			return fail(err, len, "'%s=%s': only a stub takes an errno", spec, eq + 1);
		if ((r->err = parse_errno(eq + 1)) < 0)
			return fail(err, len, "'%s=%s': unknown errno '%s'", spec, eq + 1, eq + 1);
	}
	if (!*spec)
		return fail(err, len, "empty system call name");
	if (!strcmp(spec, "*"))
		return 0;
	if (spec[0] == '/') {
		r->match = PM_PATH;
		r->pattern = strdup(spec);
		return r->pattern ? 0 : -ENOMEM;
	}
	char *colon = strchr(spec, ':');
	if (colon)
		*colon = 0;
	if ((r->nr = sc_by_name(spec)) < 0)
		return fail(err, len, "unknown system call '%s'", spec);
	return colon ? parse_narrowing(r, spec, colon + 1, err, len) : 0;
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = 0;
	return s;
}

int policy_add_specs(struct policy *p, enum pol_action a, const char *specs, char *err, size_t errlen)
{
	char *copy = strdup(specs), *rest = copy;
	if (!copy)
		return -ENOMEM;
	int r = 0;
	if (!*trim(copy))
		r = fail(err, errlen, "empty list of system calls");
	/* strsep, not strtok: `read,,write` has an empty spec. */
	for (char *tok; !r && (tok = strsep(&rest, ","));) {
		struct pol_rule rule;
		r = parse_spec(&rule, a, trim(tok), err, errlen);
		if (!r && (r = add_rule(p, &rule)))
			free(rule.pattern);
	}
	free(copy);
	return r;
}

/* ---- files ---- */

int policy_parse_duration(const char *text, uint64_t *ns)
{
	static const struct {
		const char *unit;
		double ns;
	} units[] = {{"", 1}, {"ns", 1}, {"us", 1e3}, {"\xc2\xb5s", 1e3}, {"ms", 1e6}, {"s", 1e9}};
	char *end;
	double v = strtod(text, &end);
	if (end == text || !isfinite(v) || v < 0)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].unit))
			continue;
		double total = v * units[i].ns;
		if (total > 1e12) /* over 1000 s per call: a typo */
			return -EINVAL;
		*ns = (uint64_t)(total + 0.5);
		return 0;
	}
	return -EINVAL;
}

static int parse_action(const char *word)
{
	for (int a = 0; a < POL__COUNT; a++)
		if (!strcmp(word, action_names[a]))
			return a;
	return -1;
}

/* One line of a policy file, comments already cut off. */
static int load_line(struct policy *p, char *line, char *err, size_t len)
{
	char *save = NULL, *word = strtok_r(line, " \t", &save);
	if (!word)
		return 0;
	char *rest = trim(save ? save : (char *)"");
	if (!strcmp(word, "delay")) {
		if (strpbrk(rest, " \t") || policy_parse_duration(rest, &p->delay_ns))
			return fail(err, len, "bad duration '%s' (e.g. 10us, 1.5ms, 200ns)", rest);
		return 0;
	}
	int a = parse_action(word);
	if (a < 0)
		return fail(err, len, "unknown action '%s' (forward, local, stub, fake, delay)", word);
	if (!*rest)
		return fail(err, len, "'%s' names no system call", word);
	for (char *c = rest; *c; c++)
		if (*c == ' ' || *c == '\t')
			*c = ',';
	return policy_add_specs(p, (enum pol_action)a, rest, err, len);
}

int policy_load_file(struct policy *p, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	if (!f) {
		int e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	char *line = NULL, msg[256];
	size_t cap = 0;
	int r = 0, n = 0;
	while (!r && getline(&line, &cap, f) >= 0) {
		n++;
		char *hash = strchr(line, '#');
		if (hash)
			*hash = 0;
		r = load_line(p, trim(line), msg, sizeof(msg));
		if (r)
			snprintf(err, errlen, "%s:%d: %s", path, n, msg);
	}
	free(line);
	fclose(f);
	return r;
}

/* ---- deciding: the policy compiled into core/table.h ---- */

/* The errno a stub rule gives: its own, else ENOENT for a path, ENOSYS. */
static int rule_err(const struct pol_rule *r)
{
	if (r->action != POL_STUB)
		return 0;
	return r->err ? r->err : r->match == PM_PATH ? ENOENT : ENOSYS;
}

/* Per call: what analysis/syscalls.c and xlat.c say the hot path needs. */
static void table_metadata(struct core_call *c, long nr)
{
	const struct xlat *x = xlat_for(nr);
	const struct syscall_info *si = sc_lookup(nr);
	c->key_arg = (int8_t)xlat_arg(nr);
	c->key_form = !x ? CK_U32 : x->form == XLAT_S32 ? CK_S32 : x->form == XLAT_MMAP ? CK_MMAP : CK_U32;
	c->path_arg = (int8_t)sc_path_arg(nr);
	c->fake = sc_fake(nr);
	c->flags = si ? si->flags : 0;
	c->known = si != NULL;
	for (int i = 0; si && i < si->nargs; i++)
		if (si->args[i].kind == SA_FD || si->args[i].kind == SA_DIRFD)
			c->fd_args |= (uint8_t)(1u << i);
}

/* The action and errno of a call that no narrower rule names: its own
 * last whole-call rule, else the last `*`, else forward. */
static void table_base(const struct policy *p, struct core_table *t, int nr)
{
	struct core_call *c = &t->call[nr];
	for (int i = p->n - 1; i >= 0; i--) {
		const struct pol_rule *r = &p->rules[i];
		if (r->match == PM_CALL && (r->nr == nr || (r->nr < 0 && !(c->narrowed & CN_CALL)))) {
			c->action = r->action;
			c->err = rule_err(r);
			return;
		}
	}
	c->action = CA_FORWARD;
	c->err = 0;
}

static size_t table_size(const struct policy *p)
{
	size_t n = sizeof(struct core_table) + (size_t)p->n * sizeof(struct core_rule) + 1;
	for (int i = 0; i < p->n; i++)
		if (p->rules[i].match == PM_PATH)
			n += strlen(p->rules[i].pattern) + 1;
	return n;
}

static void table_rules(const struct policy *p, struct core_table *t)
{
	char *base = (char *)t;
	size_t str = sizeof(*t) + (size_t)p->n * sizeof(struct core_rule) + 1;
	for (int i = 0; i < p->n; i++) {
		const struct pol_rule *r = &p->rules[i];
		struct core_rule *c = &t->rules[i];
		*c = (struct core_rule){.nr = (int16_t)r->nr, .match = r->match, .action = r->action,
					.err = rule_err(r), .sub = r->sub};
		if (r->match == PM_PATH) {
			size_t len = strlen(r->pattern) + 1;
			memcpy(base + str, r->pattern, len);
			c->pattern = (uint32_t)str;
			str += len;
		} else if (r->nr < 0 && r->match == PM_CALL) {
			continue;
		}
		if (r->nr < 0)
			t->any_path = 1;
		else
			t->call[r->nr].narrowed |= r->match == PM_SUB ? CN_SUB : r->match == PM_PATH ? CN_PATH : CN_CALL;
	}
}

void policy_finish(struct policy *p)
{
	size_t size = table_size(p);
	struct core_table *t = calloc(1, size);
	if (!t)
		abort(); /* a few KiB: nothing sensible to do without them */
	t->magic = CORE_TABLE_MAGIC;
	t->size = (uint32_t)size;
	t->nrules = (uint32_t)p->n;
	t->delay_ns = p->delay_ns;
	t->any_rule = p->n > 0;
	table_rules(p, t);
	for (int nr = 0; nr < CORE_NCALLS; nr++) {
		table_metadata(&t->call[nr], nr);
		table_base(p, t, nr);
	}
	free(p->table);
	p->table = t;
}

bool policy_path_match(const char *pat, const char *s)
{
	return core_path_match(pat, s);
}

struct pol_decision policy_decide_alias(const struct policy *p, long nr, const long args[6], const char *path,
					const char *alias)
{
	if (!p->table)
		return (struct pol_decision){POL_FORWARD, 0};
	struct core_decision d = core_decide(p->table, nr, args, path, alias);
	return (struct pol_decision){d.action, d.err};
}

struct pol_decision policy_decide(const struct policy *p, long nr, const long args[6], const char *path)
{
	return policy_decide_alias(p, nr, args, path, NULL);
}
