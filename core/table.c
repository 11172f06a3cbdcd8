/* Deciding one call from the compiled table (table.h). */
#include "core/table.h"

#define MAP_ANONYMOUS_X86_64 0x20

bool core_key(const struct core_table *t, long nr, const long args[6], uint64_t *key)
{
	if (nr < 0 || nr >= CORE_NCALLS || t->call[nr].key_arg < 0)
		return false;
	uint64_t reg = (uint64_t)args[t->call[nr].key_arg];
	/* The kernel declares selectors int or unsigned int: it reads the
	 * low half only, whatever the program left in the upper one. */
	switch (t->call[nr].key_form) {
	case CK_S32:
		*key = (uint64_t)(int64_t)(int32_t)(uint32_t)reg;
		break;
	case CK_MMAP:
		*key = (reg & MAP_ANONYMOUS_X86_64) ? 1 : 0;
		break;
	default:
		*key = (uint32_t)reg;
	}
	return true;
}

bool core_path_match(const char *pat, const char *s)
{
	for (;;) {
		if (pat[0] == '*' && pat[1] == '*') {
			for (pat += 2;; s++) {
				if (core_path_match(pat, s))
					return true;
				if (!*s)
					return false;
			}
		}
		if (pat[0] == '*') {
			for (pat++;; s++) {
				if (core_path_match(pat, s))
					return true;
				if (!*s || *s == '/')
					return false;
			}
		}
		if (!*pat || !*s)
			return !*pat && !*s;
		if (*pat == '?' ? *s == '/' : *pat != *s)
			return false;
		pat++, s++;
	}
}

/* The last rule of kind match for nr that applies to this call, or NULL. */
static const struct core_rule *last_match(const struct core_table *t, int nr, int match, uint64_t sub,
					  const char *path)
{
	if (match == CM_PATH && !path)
		return NULL;
	for (uint32_t i = t->nrules; i-- > 0;) {
		const struct core_rule *r = &t->rules[i];
		if (r->nr != nr || r->match != match)
			continue;
		if (match == CM_SUB ? r->sub == sub : core_path_match((const char *)t + r->pattern, path))
			return r;
	}
	return NULL;
}

static const struct core_rule *narrow_match(const struct core_table *t, long nr, const long args[6],
					    const char *path, const char *alias)
{
	const struct core_rule *r = NULL;
	uint8_t n = t->call[nr].narrowed;
	uint64_t sub;
	if ((n & CN_SUB) && core_key(t, nr, args, &sub))
		r = last_match(t, (int)nr, CM_SUB, sub, NULL);
	if (!r && (n & CN_PATH))
		r = last_match(t, (int)nr, CM_PATH, 0, path);
	if (!r && (n & CN_PATH))
		r = last_match(t, (int)nr, CM_PATH, 0, alias);
	if (!r && !(n & CN_CALL) && t->any_path)
		r = last_match(t, -1, CM_PATH, 0, path);
	if (!r && !(n & CN_CALL) && t->any_path)
		r = last_match(t, -1, CM_PATH, 0, alias);
	return r;
}

struct core_decision core_decide(const struct core_table *t, long nr, const long args[6], const char *path,
				 const char *alias)
{
	if (nr < 0 || nr >= CORE_NCALLS || !t->any_rule)
		return (struct core_decision){CA_FORWARD, 0};
	const struct core_rule *r = t->call[nr].narrowed || t->any_path ? narrow_match(t, nr, args, path, alias)
									 : NULL;
	if (r)
		return (struct core_decision){r->action, r->err};
	return (struct core_decision){t->call[nr].action, t->call[nr].err};
}

bool core_table_valid(const struct core_table *t, size_t len)
{
	if (len < sizeof(*t) || t->magic != CORE_TABLE_MAGIC || t->size > len)
		return false;
	size_t rules_end = sizeof(*t) + (size_t)t->nrules * sizeof(struct core_rule);
	if (t->nrules > 65536 || rules_end > t->size || ((const char *)t)[t->size - 1] != 0)
		return false;
	for (uint32_t i = 0; i < t->nrules; i++)
		if (t->rules[i].match == CM_PATH && (t->rules[i].pattern < rules_end || t->rules[i].pattern >= t->size))
			return false;
	return true;
}
