/* Static binary analysis (Loupe, ASPLOS'24, section 5): the `syscall`
 * instructions of a program and of every library the dynamic loader would
 * load for it, and the system call number at each site where a backward
 * scan from the instruction can tell it.
 *
 * This is the overestimating baseline the paper compares dynamic analysis
 * with: every reachable-or-not site counts, and the sites whose number comes
 * from a register or memory (glibc's syscall(2), INTERNAL_SYSCALL through a
 * variable) are reported as unresolved rather than guessed. */
#ifndef HL_STATIC_H
#define HL_STATIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "analysis/syscalls.h"

/* How many instructions the backward scan looks at before a site. */
#define STATIC_WINDOW 32

/* Why a site's number is (not) known. */
enum static_why {
	SW_RESOLVED = 0, /* an immediate, xor/sub to zero, or lea of a constant */
	SW_REGISTER,     /* eax comes from a register set before the block */
	SW_MEMORY,       /* eax is loaded from memory (or popped) */
	SW_COMPUTED,     /* eax is the result of arithmetic, cmov, a partial write */
	SW_CALL,         /* eax is what a call (or an earlier syscall) returned */
	SW_MERGE,        /* jumps into the code before the site bring different numbers */
	SW_BLOCK,        /* no write since a function entry, the start of the code,
	                    or code reached only indirectly (after a jmp/ret) */
	SW_WINDOW,       /* no write within STATIC_WINDOW instructions on some path */
	SW__COUNT
};

struct static_site {
	uint64_t addr;   /* virtual address of the instruction, unbiased */
	uint64_t offset; /* its file offset */
	int64_t nr;      /* the number when why == SW_RESOLVED */
	enum static_why why;
};

enum static_role { SR_PROGRAM, SR_INTERP, SR_NEEDED };

struct static_object {
	char *name;       /* as asked for: the program, PT_INTERP, a DT_NEEDED name */
	char *path;       /* the file found; NULL when no file was found */
	const char *via;  /* where it was found: "path" (the program, a name with a
	                     '/'), "PT_INTERP", "RPATH", "LD_LIBRARY_PATH", "RUNPATH",
	                     "ld.so.cache", "default"; NULL when not found */
	enum static_role role;
	int loader;       /* the object whose DT_NEEDED named it first, -1 */
	const char *error; /* NULL, or why the object is not analysed */
	/* PT_INTERP (only read for the program) and the dynamic section, NULL
	 * or empty when absent; rpath is NULL when there is a runpath, as
	 * ld.so ignores DT_RPATH then. */
	char *interp, *soname, *rpath, *runpath;
	char **needed;
	size_t nneeded;
	bool nodeflib;    /* DF_1_NODEFLIB: no ld.so.cache, no default dirs */
	/* Its syscall sites, in address order. */
	struct static_site *sites;
	size_t nsites, nresolved;
	dev_t dev;
	ino_t ino;
};

#define STATIC_BITMAP_WORDS ((SC_TABLE_SIZE + 63) / 64)

struct static_result {
	struct static_object *objects; /* [0] is the program */
	size_t nobjects;
	size_t nmissing;               /* objects with path == NULL */
	size_t nsites, nresolved;      /* over all objects */
	/* Resolved numbers that name a system call (sc_name() != NULL). */
	uint64_t syscalls[STATIC_BITMAP_WORDS];
	size_t nsyscalls;
	const char *error; /* why static_analyze() failed on the program */
};

/* Where libraries are looked for; NULL fields take the system's values
 * (LD_LIBRARY_PATH from the environment, /etc/ld.so.cache, the default
 * directories of x86-64 glibc).  Tests point them at a fake tree. */
struct static_opts {
	const char *ld_library_path;
	const char *cache_path;           /* "" for no cache */
	const char *const *default_dirs;  /* NULL-terminated */
};

/* Analyse the program at path and the objects it loads.  Returns 0, or a
 * negative errno with out->error (or strerror) saying why the program
 * itself cannot be analysed: missing, not ELF, 32-bit, another machine.
 * Libraries that cannot be found or read are objects with an error, not a
 * failure.  out must be freed with static_result_free() in both cases. */
int static_analyze(const char *path, struct static_result *out);
int static_analyze_opts(const char *path, const struct static_opts *opts,
			struct static_result *out);
void static_result_free(struct static_result *r);

static inline bool static_has(const struct static_result *r, long nr)
{
	return nr >= 0 && nr < SC_TABLE_SIZE && (r->syscalls[nr / 64] >> (nr % 64) & 1);
}

const char *static_why_name(enum static_why why);
const char *static_role_name(enum static_role role);

/* ---- the parts, exposed for the unit tests ---- */

/* Linear sweep of len bytes of code mapped at addr: every syscall site,
 * resolved as static_analyze() does (jump targets from this code only).
 * Returns the number of sites (*sites malloc'd) or a negative errno. */
long static_scan_code(const uint8_t *code, size_t len, uint64_t addr, struct static_site **sites);

/* /etc/ld.so.cache in the "glibc-ld.so.cache1.1" format (alone, or after
 * an old-format "ld.so-1.7.0" part). */
struct ldcache {
	const uint8_t *buf; /* the new-format part */
	size_t len;
	uint32_t nlibs;
	void *map;          /* what ldcache_open() mapped */
	size_t maplen;
};
/* Returns 0, or -EINVAL when buf is not a cache this parser understands. */
int ldcache_parse(const uint8_t *buf, size_t len, struct ldcache *c);
int ldcache_open(const char *path, struct ldcache *c);
void ldcache_close(struct ldcache *c);
/* The path the cache gives for a library name, as ld.so would take it: an
 * x86-64 (or plain ELF) entry without a hardware-capability subdirectory.
 * NULL when there is none.  Points into the cache. */
const char *ldcache_lookup(const struct ldcache *c, const char *name);

/* A DT_RPATH/DT_RUNPATH/LD_LIBRARY_PATH list with $ORIGIN, $LIB and
 * $PLATFORM expanded: the directories joined by ':' into out (empty
 * elements become "."). */
void static_expand_dirs(const char *list, const char *origin, char *out, size_t outlen);

#endif
