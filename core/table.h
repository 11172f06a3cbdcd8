/* The decision table: a policy (analysis/policy.h) compiled into one flat,
 * position-independent block that both engines read on every call.  The
 * KVM engine keeps it in its own memory; the sud engine's monitor maps it
 * read-only from a file the launcher wrote, so it needs no parser, no
 * malloc and no syscall table of its own: the per-call metadata the hot
 * path needs (sub-feature argument, path argument, fake value, flags) is
 * copied in from analysis/syscalls.c when the table is built.
 *
 * Freestanding: no libc beyond memcpy/memset/strcmp/strlen, no errno. */
#ifndef HL_CORE_TABLE_H
#define HL_CORE_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CORE_NCALLS 512 /* SC_TABLE_SIZE */
#define CORE_TABLE_MAGIC 0x31424154434c48ull /* "HLCTAB1" */

enum core_action { CA_FORWARD, CA_LOCAL, CA_STUB, CA_FAKE, CA__COUNT };

/* narrowed[] bits: which kinds of rules name the call. */
enum { CN_SUB = 1, CN_PATH = 2, CN_CALL = 4 };
enum core_match { CM_CALL, CM_SUB, CM_PATH };
/* How a selector register becomes a sub-feature key (analysis/xlat.h). */
enum core_key_form { CK_U32, CK_S32, CK_MMAP };

struct core_call {
	uint8_t action;   /* when no narrower rule applies */
	uint8_t narrowed; /* CN_* */
	int8_t key_arg;   /* the sub-feature selector argument, or -1 */
	uint8_t key_form; /* enum core_key_form */
	int8_t path_arg;  /* the path argument, or -1 */
	uint8_t fake;     /* analysis/syscalls.h sc_fake: kind | arg << 4 */
	uint8_t flags;    /* SCF_* of analysis/syscalls.h */
	uint8_t known;    /* the number has a name */
	uint8_t fd_args;  /* bit i: argument i is a file descriptor */
	uint8_t pad[3];
	int32_t err;      /* positive errno when action is CA_STUB */
};

struct core_rule {
	int16_t nr;      /* -1: every call */
	uint8_t match;   /* enum core_match */
	uint8_t action;  /* enum core_action */
	int32_t err;     /* stub: positive errno (the default resolved) */
	uint64_t sub;    /* CM_SUB: the key */
	uint32_t pattern; /* CM_PATH: offset of the glob from the table start */
	uint32_t pad;
};

struct core_table {
	uint64_t magic;
	uint32_t size;    /* bytes, strings included */
	uint32_t nrules;
	uint64_t delay_ns; /* --forward-delay, each side of a forwarded call */
	uint8_t any_path;  /* a bare path pattern: every path call is checked */
	uint8_t any_rule;  /* at least one rule: else everything forwards */
	uint8_t pad[6];
	struct core_call call[CORE_NCALLS];
	struct core_rule rules[]; /* in the order given; strings follow */
};

struct core_decision {
	uint8_t action;
	int err; /* positive errno for a stub */
};

/* Whether core_decide needs the call's path. */
static inline bool core_wants_path(const struct core_table *t, long nr)
{
	return nr >= 0 && nr < CORE_NCALLS && (t->any_path || (t->call[nr].narrowed & CN_PATH));
}

/* The sub-feature key of a call (the selector normalised as the kernel
 * reads it); false when the call has no sub-features. */
bool core_key(const struct core_table *t, long nr, const long args[6], uint64_t *key);

/* The action for one call; path is its path argument as passed (NULL when
 * none), alias the name the statistics give it as a pseudo-file (or NULL).
 * The most specific rule wins, then the last given. */
struct core_decision core_decide(const struct core_table *t, long nr, const long args[6], const char *path,
				 const char *alias);

/* Glob match: `*` and `?` within one path component, `**` across them. */
bool core_path_match(const char *pattern, const char *path);

/* Sanity check of a table read from elsewhere: magic, size, offsets. */
bool core_table_valid(const struct core_table *t, size_t len);

#endif
