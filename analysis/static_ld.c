/* Where the dynamic loader finds a library, as glibc's ld.so does on
 * x86-64 (elf/dl-load.c, _dl_map_object): a name with a '/' is a path;
 * otherwise, in order,
 *   1. DT_RPATH of the object that needs it, then of the object that
 *      loaded that one, up to the program, then the program's own, but
 *      only when the needing object has no DT_RUNPATH (an object with a
 *      DT_RUNPATH contributes no DT_RPATH either);
 *   2. LD_LIBRARY_PATH;
 *   3. DT_RUNPATH of the needing object (not inherited);
 *   4. /etc/ld.so.cache, then 5. the default directories, unless the
 *      needing object is linked with -z nodeflib.
 * A candidate that is not a 64-bit x86-64 ELF is passed over, as ld.so
 * skips libraries of the wrong class.  Not modelled: LD_PRELOAD,
 * /etc/ld.so.preload, the glibc-hwcaps/ subdirectories (their choice
 * depends on the CPU; every such library also has a baseline copy),
 * and secure-execution (setuid) restrictions. */
#include "analysis/static_impl.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- /etc/ld.so.cache ---- */

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#define CACHE_OLD "ld.so-1.7.0"
#define CACHE_NEW "glibc-ld.so.cache1.1"
#define CACHE_NEW_HDR 48   /* magic+version, nlibs, len_strings, flags, extension, unused */
#define CACHE_NEW_ENTRY 24 /* flags, key, value, osversion, hwcap */
#define CACHE_OLD_ENTRY 12 /* flags, key, value */

/* An entry ld.so accepts on x86-64 (_dl_cache_check_flags): plain ELF,
 * or libc6 with the x86-64 ABI bits; i386 and x32 entries share the file. */
#define CACHE_FLAG_ELF 0x0001
#define CACHE_FLAG_X8664 0x0303

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

/* A cache written by glibc before 2.32 may start with the old format; the
 * new one follows it, aligned to 8.  String offsets are relative to the
 * start of the new part. */
static size_t new_part_offset(const uint8_t *buf, size_t len)
{
	if (len < 16 || memcmp(buf, CACHE_OLD, strlen(CACHE_OLD)) != 0)
		return 0;
	uint64_t end = 16 + (uint64_t)rd32(buf + 12) * CACHE_OLD_ENTRY;
	return end > len ? len : (size_t)((end + 7) & ~7ull);
}

int ldcache_parse(const uint8_t *buf, size_t len, struct ldcache *c)
{
	memset(c, 0, sizeof(*c));
	size_t at = new_part_offset(buf, len);
	buf += at, len -= at;
	if (len < CACHE_NEW_HDR || memcmp(buf, CACHE_NEW, strlen(CACHE_NEW)) != 0)
		return -EINVAL;
	uint32_t nlibs = rd32(buf + 20);
	/* Byte order (flags bits 0-1): unset (0) or little (2) only. */
	if ((buf[28] & 3) == 1 || (buf[28] & 3) == 3)
		return -EINVAL;
	if ((uint64_t)nlibs * CACHE_NEW_ENTRY > len - CACHE_NEW_HDR)
		return -EINVAL;
	c->buf = buf;
	c->len = len;
	c->nlibs = nlibs;
	return 0;
}

/* The NUL-terminated string at offset off of the cache, or NULL. */
static const char *cache_str(const struct ldcache *c, uint32_t off)
{
	if (off >= c->len || !memchr(c->buf + off, '\0', c->len - off))
		return NULL;
	return (const char *)c->buf + off;
}

/* ld.so picks, among the entries of a name, the one for this CPU's
 * hardware capabilities; entries with a nonzero hwcap are such variants
 * (bit 62: a glibc-hwcaps subdirectory).  We take the baseline one, which
 * is what every x86-64 CPU can load. */
const char *ldcache_lookup(const struct ldcache *c, const char *name)
{
	for (uint32_t i = 0; i < c->nlibs; i++) {
		const uint8_t *e = c->buf + CACHE_NEW_HDR + (size_t)i * CACHE_NEW_ENTRY;
		uint32_t flags = rd32(e);
		if ((flags != CACHE_FLAG_ELF && flags != CACHE_FLAG_X8664) || rd64(e + 16) != 0)
			continue;
		const char *key = cache_str(c, rd32(e + 4));
		const char *value = cache_str(c, rd32(e + 8));
		if (key && value && strcmp(key, name) == 0)
			return value;
	}
	return NULL;
}

int ldcache_open(const char *path, struct ldcache *c)
{
	memset(c, 0, sizeof(*c));
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || st.st_size <= 0) {
		close(fd);
		return -EINVAL;
	}
	void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return -errno;
	int r = ldcache_parse(map, (size_t)st.st_size, c);
	if (r) {
		munmap(map, (size_t)st.st_size);
		return r;
	}
	c->map = map;
	c->maplen = (size_t)st.st_size;
	return 0;
}

void ldcache_close(struct ldcache *c)
{
	if (c->map)
		munmap(c->map, c->maplen);
	memset(c, 0, sizeof(*c));
}

/* ---- $ORIGIN and friends ---- */

/* ld.so's $LIB: Debian's multiarch directory where there is one. */
static const char *lib_token(void)
{
	return access("/lib/x86_64-linux-gnu", F_OK) == 0 ? "lib/x86_64-linux-gnu" : "lib64";
}

/* Length of "$NAME" or "${NAME}" at s (just after the '$'), 0 if s is not
 * that token.  Unbraced, the name must end the element or precede '/'. */
static size_t dst_len(const char *s, const char *name)
{
	size_t n = strlen(name);
	if (s[0] == '{' && strncmp(s + 1, name, n) == 0 && s[n + 1] == '}')
		return n + 2;
	if (strncmp(s, name, n) == 0 && (s[n] == '\0' || s[n] == '/'))
		return n;
	return 0;
}

/* Append one element (NUL-terminated) to out, tokens substituted; an
 * unknown $ is kept as it is, as ld.so does. */
static size_t expand_elem(const char *e, const char *origin, char *out, size_t at, size_t outlen)
{
	static const char *const names[] = {"ORIGIN", "LIB", "PLATFORM"};
	const char *values[] = {origin, lib_token(), "x86_64"};
	while (*e) {
		size_t k = 0, n = 0;
		for (; *e == '$' && k < ARRAY_LEN(names) && !(n = dst_len(e + 1, names[k])); k++)
			;
		const char *piece = n ? values[k] : e;
		size_t plen = n ? strlen(values[k]) : 1;
		for (size_t i = 0; i < plen && at + 1 < outlen; i++)
			out[at++] = piece[i];
		e += n ? n + 1 : 1;
	}
	return at;
}

void static_expand_dirs(const char *list, const char *origin, char *out, size_t outlen)
{
	size_t at = 0;
	char elem[PATH_MAX];
	out[0] = '\0';
	if (!outlen || !*list)
		return;
	for (;;) {
		size_t n = strcspn(list, ":;");
		/* An empty element is the current directory. */
		snprintf(elem, sizeof(elem), "%.*s", n ? (int)n : 1, n ? list : ".");
		if (at && at + 1 < outlen)
			out[at++] = ':';
		at = expand_elem(elem, origin, out, at, outlen);
		out[at] = '\0';
		if (!list[n])
			return;
		list += n + 1;
	}
}

/* ---- the search ---- */

static const char *const default_dirs[] = {
	"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib", NULL,
};

/* A regular file with a 64-bit little-endian x86-64 ELF header: what
 * ld.so's open_verify accepts before looking further. */
static bool right_class(const char *path)
{
	unsigned char eh[20];
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	bool ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && read(fd, eh, sizeof(eh)) == sizeof(eh) &&
		  memcmp(eh, ELFMAG, SELFMAG) == 0 && eh[EI_CLASS] == ELFCLASS64 &&
		  eh[EI_DATA] == ELFDATA2LSB && (eh[18] | eh[19] << 8) == EM_X86_64;
	close(fd);
	return ok;
}

static bool try_file(const char *dir, const char *name, char *path, size_t pathlen)
{
	size_t dl = strlen(dir);
	int n = snprintf(path, pathlen, "%s%s%s", dir, dl && dir[dl - 1] == '/' ? "" : "/", name);
	return n > 0 && (size_t)n < pathlen && right_class(path);
}

/* Each directory of a search list, $ORIGIN being origin. */
static bool try_list(const char *list, const char *origin, const char *name, char *path, size_t pathlen)
{
	size_t dollars = 0;
	for (const char *p = list; *p; p++)
		dollars += *p == '$';
	size_t len = 2 * strlen(list) + 2 + dollars * (PATH_MAX + 32);
	char *dirs = malloc(len), *rest, *d;
	bool found = false;
	if (!dirs)
		return false;
	static_expand_dirs(list, origin, dirs, len);
	rest = *dirs ? dirs : NULL;
	while (!found && (d = strsep(&rest, ":")) != NULL)
		found = try_file(d, name, path, pathlen);
	free(dirs);
	return found;
}

/* The directory of object i, as ld.so computes l_origin: the program's
 * is resolved through symbolic links (from /proc/self/exe), a library's
 * is the directory of the path it was opened by, made absolute. */
static void origin_of(const struct ld_env *env, const struct static_result *r, int i, char *out, size_t len)
{
	const char *p = r->objects[i].path;
	const char *slash = p ? strrchr(p, '/') : NULL;
	char cwd[PATH_MAX] = ".";
	if (i == 0 || !p) {
		snprintf(out, len, "%s", env->main_origin);
		return;
	}
	if (*p != '/' && !getcwd(cwd, sizeof(cwd)))
		snprintf(cwd, sizeof(cwd), ".");
	if (*p == '/')
		snprintf(out, len, "%.*s", slash == p ? 1 : (int)(slash - p), p);
	else if (!slash)
		snprintf(out, len, "%s", cwd);
	else if (snprintf(out, len, "%s/%.*s", cwd, (int)(slash - p), p) >= (int)len)
		/* Too long with the cwd in front: relative, it names the same directory. */
		snprintf(out, len, "%.*s", (int)(slash - p), p);
}

/* Step 1: the DT_RPATHs of the loader chain, then the program's. */
static bool try_rpaths(const struct ld_env *env, const struct static_result *r, int loader,
		       const char *name, char *path, size_t pathlen)
{
	char origin[PATH_MAX];
	bool did_main = false;
	for (int i = loader; i >= 0; i = r->objects[i].loader) {
		if (!r->objects[i].rpath)
			continue;
		origin_of(env, r, i, origin, sizeof(origin));
		if (try_list(r->objects[i].rpath, origin, name, path, pathlen))
			return true;
		did_main |= i == 0;
	}
	return !did_main && r->objects[0].rpath &&
	       try_list(r->objects[0].rpath, env->main_origin, name, path, pathlen);
}

const char *ld_find(const struct ld_env *env, const struct static_result *r, int loader,
		    const char *name, char *path, size_t pathlen)
{
	const struct static_object *l = &r->objects[loader];
	char origin[PATH_MAX];
	if (strchr(name, '/'))
		return snprintf(path, pathlen, "%s", name) < (int)pathlen && right_class(path) ? "path" : NULL;
	if (!l->runpath && try_rpaths(env, r, loader, name, path, pathlen))
		return "RPATH";
	if (env->ld_library_path && try_list(env->ld_library_path, env->main_origin, name, path, pathlen))
		return "LD_LIBRARY_PATH";
	origin_of(env, r, loader, origin, sizeof(origin));
	if (l->runpath && try_list(l->runpath, origin, name, path, pathlen))
		return "RUNPATH";
	if (l->nodeflib)
		return NULL;
	const char *cached = ldcache_lookup(&env->cache, name);
	if (cached && snprintf(path, pathlen, "%s", cached) < (int)pathlen && right_class(path))
		return "ld.so.cache";
	for (const char *const *d = env->default_dirs; *d; d++)
		if (try_file(*d, name, path, pathlen))
			return "default";
	return NULL;
}

void ld_env_init(struct ld_env *env, const struct static_opts *opts, const char *program)
{
	static const struct static_opts none;
	char real[PATH_MAX];
	opts = opts ? opts : &none;
	memset(env, 0, sizeof(*env));
	env->ld_library_path = opts->ld_library_path ? opts->ld_library_path : getenv("LD_LIBRARY_PATH");
	env->default_dirs = opts->default_dirs ? opts->default_dirs : default_dirs;
	const char *cache = opts->cache_path ? opts->cache_path : "/etc/ld.so.cache";
	if (*cache && ldcache_open(cache, &env->cache) != 0)
		memset(&env->cache, 0, sizeof(env->cache));
	if (!realpath(program, real))
		snprintf(real, sizeof(real), "%s", program);
	char *slash = strrchr(real, '/');
	if (slash)
		snprintf(env->main_origin, sizeof(env->main_origin), "%.*s", slash == real ? 1 : (int)(slash - real), real);
	else
		snprintf(env->main_origin, sizeof(env->main_origin), ".");
}

void ld_env_free(struct ld_env *env)
{
	ldcache_close(&env->cache);
}
