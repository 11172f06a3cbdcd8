/* Policies: what the VMM does with each system call (README "Policies").
 *
 *   forward  the host kernel runs it, with the injected forwarding delay
 *   local    the host kernel runs it, no delay ("implemented locally")
 *   stub     not run; fails with -ENOSYS (or the errno the rule names)
 *   fake     not run; succeeds with the table's fake value (sc_fake)
 *
 * A rule names a system call (or `*`), optionally narrowed by a sub-feature
 * (`ioctl:TCGETS`, the selector argument named by analysis/xlat.h) or by a
 * path pattern (`openat:/proc/self/maps`; a bare path pattern applies to every
 * path-taking call).  The most specific rule wins (call with sub-feature or
 * path, then the call, then a bare path pattern, then `*`); among equally
 * specific ones, the last given.  This is a library without KVM: the VMM
 * and the explore campaign build policies with the same code. */
#ifndef HL_POLICY_H
#define HL_POLICY_H

#include "analysis/syscalls.h"
#include "core/table.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum pol_action { POL_FORWARD, POL_LOCAL, POL_STUB, POL_FAKE, POL__COUNT };

enum pol_match {
	PM_CALL,  /* the whole call (or every call, nr == -1) */
	PM_SUB,   /* one sub-feature value of the call */
	PM_PATH,  /* a path pattern, for the call or (nr == -1) every path call */
};

struct pol_rule {
	int nr;          /* -1: every call */
	uint8_t match;   /* enum pol_match */
	uint8_t action;  /* enum pol_action */
	int err;         /* stub: the errno, 0 for the default */
	uint64_t sub;    /* PM_SUB: the sub-feature key (xlat_key) */
	char *pattern;   /* PM_PATH: glob, `*` within a component, `**` across */
};

struct policy {
	struct pol_rule *rules;
	int n, cap;
	uint64_t delay_ns; /* --forward-delay: before and after each forwarded call */
	/* The rules compiled for the engines (core/table.h), by
	 * policy_finish; NULL before it: every call forwards. */
	struct core_table *table;
};

struct pol_decision {
	uint8_t action;
	int err; /* positive errno for a stub */
};

void policy_init(struct policy *p);
void policy_free(struct policy *p);

/* Adds the rules of a comma-separated list of specs (`NAME[:SUB|:PATH]`,
 * `PATH`, `*`; a stub spec may end in `=ERRNO`).  0, or -EINVAL with a
 * message naming the spec in err. */
int policy_add_specs(struct policy *p, enum pol_action a, const char *specs, char *err, size_t errlen);

/* Reads a policy file: one `ACTION SPEC...` per line (`forward`, `local`,
 * `stub`, `fake`), or `delay DURATION`; `#` starts a comment.  0, or a
 * negative errno with "FILE:LINE: what is wrong" in err. */
int policy_load_file(struct policy *p, const char *path, char *err, size_t errlen);

/* `10us`, `1.5ms`, `200ns`, `2s` (a bare number is ns): 0 or -EINVAL. */
int policy_parse_duration(const char *text, uint64_t *ns);

/* Computes the per-call tables; call after the last add/load. */
void policy_finish(struct policy *p);

/* Whether policy_decide needs the call's path (path rules apply to nr). */
static inline bool policy_wants_path(const struct policy *p, long nr)
{
	return p->table && core_wants_path(p->table, nr);
}

/* The action for one call; path is the path argument as the program
 * passed it (NULL when the call takes none or it could not be read). */
struct pol_decision policy_decide(const struct policy *p, long nr, const long args[6], const char *path);

/* The same, a path rule matching either path or alias: the name the
 * statistics give a pseudo-file (/proc/self for the caller's own pid), so
 * that a rule written as a profile names a feature matches it. */
struct pol_decision policy_decide_alias(const struct policy *p, long nr, const long args[6], const char *path,
					const char *alias);

/* Glob match: `*` and `?` within one path component, `**` across them. */
bool policy_path_match(const char *pattern, const char *path);

const char *policy_action_name(enum pol_action a);

/* A rule as it would be written in a policy file (`stub ioctl:TCGETS`). */
const char *policy_rule_format(const struct pol_rule *r, char *buf, size_t len);

#endif
