/* Internals of the static analysis shared by static.c (objects, ELF),
 * static_scan.c (Capstone) and static_ld.c (library search).  Not an API. */
#ifndef HL_STATIC_IMPL_H
#define HL_STATIC_IMPL_H

#include "analysis/static.h"

#include <limits.h>

/* ---- static_scan.c: one object's code, swept then resolved ---- */

struct scanner;
struct scanner *scan_new(void);
/* Sweep len bytes mapped at addr (file offset offset).  code must stay
 * valid until scan_finish().  Returns 0 or -ENOMEM. */
int scan_range(struct scanner *s, const uint8_t *code, size_t len, uint64_t addr, uint64_t offset);
/* addr starts a block (a function symbol): nothing falls into it. */
int scan_leader(struct scanner *s, uint64_t addr);
/* Resolve every site found, sorted by address, and free s.  Returns the
 * number of sites (*sites malloc'd, NULL when none) or -ENOMEM. */
long scan_finish(struct scanner *s, struct static_site **sites);

/* ---- static_ld.c: where ld.so finds a DT_NEEDED name ---- */

struct ld_env {
	const char *ld_library_path; /* NULL: none */
	struct ldcache cache;        /* nlibs == 0 when there is none */
	const char *const *default_dirs;
	char main_origin[PATH_MAX];  /* $ORIGIN of the program */
};

void ld_env_init(struct ld_env *env, const struct static_opts *opts, const char *program);
void ld_env_free(struct ld_env *env);
/* The file ld.so would load for name, needed by r->objects[loader], into
 * path.  Returns how it was found (static_object.via), or NULL. */
const char *ld_find(const struct ld_env *env, const struct static_result *r, int loader,
		    const char *name, char *path, size_t pathlen);

#endif
