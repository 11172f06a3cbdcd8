/* Workload definitions: parse, validate, list and hash (workload.h). */
#include "analysis/workload.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const key_names[WL_NKEYS] = {
	[WL_DESCRIPTION] = "description", [WL_PACKAGES] = "packages", [WL_BINARIES] = "binaries",
	[WL_TIMEOUT] = "timeout",         [WL_METRIC] = "metric",     [WL_RUN] = "run",
	[WL_TEST] = "test",
};

const char *wl_key_name(enum wl_key k)
{
	return (unsigned)k < WL_NKEYS ? key_names[k] : "?";
}

struct parser {
	const char *file;
	int lineno;
	char *err;
	size_t errlen;
	struct workload *w;
};

static int fail(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct parser *p, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errlen, "%s:%d: %s", p->file, p->lineno, msg);
	return -1;
}

static int copy_text(struct parser *p, enum wl_key k, char *dst, size_t size, const char *v)
{
	if (!*v)
		return fail(p, "'%s' is empty", key_names[k]);
	if (strlen(v) >= size)
		return fail(p, "'%s' is longer than %zu bytes", key_names[k], size - 1);
	strcpy(dst, v);
	return 0;
}

/* A Debian package name (policy 5.6.7): lower case letters, digits, + - .,
 * at least two characters, starting with a letter or digit. */
static bool package_name_ok(const char *s)
{
	if (strlen(s) < 2 || !(islower((unsigned char)*s) || isdigit((unsigned char)*s)))
		return false;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && !strchr("+-.", *s))
			return false;
	return true;
}

/* Splits v on blanks into words; packages must be Debian names, binaries
 * must be at least one. */
static int parse_words(struct parser *p, enum wl_key k, struct wl_words *out, char *v)
{
	out->n = 0;
	for (char *save = NULL, *t = strtok_r(v, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
		if (out->n == WL_WORDS_MAX)
			return fail(p, "more than %d %s", WL_WORDS_MAX, key_names[k]);
		if (strlen(t) >= WL_WORD_MAX)
			return fail(p, "'%.40s...' is longer than %d bytes", t, WL_WORD_MAX - 1);
		if (k == WL_PACKAGES && !package_name_ok(t))
			return fail(p, "'%s' is not a Debian package name", t);
		strcpy(out->v[out->n++], t);
	}
	if (k == WL_BINARIES && !out->n)
		return fail(p, "'binaries' names no executable (the --only whitelist)");
	return 0;
}

static int parse_timeout(struct parser *p, const char *v)
{
	char *end;
	errno = 0;
	long t = strtol(v, &end, 10);
	if (!isdigit((unsigned char)*v) || *end || errno || t < 1 || t > 86400)
		return fail(p, "timeout '%s': not a number of seconds from 1 to 86400", v);
	p->w->timeout_s = (int)t;
	return 0;
}

/* "none", or "NAME higher|lower" with NAME in [a-z0-9_], starting with a
 * letter: the name the results database keys the number by. */
static int parse_metric(struct parser *p, char *v)
{
	struct workload *w = p->w;
	char *save = NULL, *name = strtok_r(v, " \t", &save);
	char *goal = strtok_r(NULL, " \t", &save);
	if (name && !strcmp(name, "none") && !goal) {
		w->metric[0] = 0;
		w->goal = WL_METRIC_NONE;
		return 0;
	}
	if (!name || !goal || strtok_r(NULL, " \t", &save) || !strcmp(name, "none") ||
	    (strcmp(goal, "higher") && strcmp(goal, "lower")))
		return fail(p, "metric: expected 'none' or 'NAME higher|lower'");
	if (!islower((unsigned char)name[0]) || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(name))
		return fail(p, "metric name '%s': expected [a-z][a-z0-9_]*", name);
	if (strlen(name) >= sizeof(w->metric))
		return fail(p, "metric name '%s' is longer than %zu bytes", name, sizeof(w->metric) - 1);
	strcpy(w->metric, name);
	w->goal = strcmp(goal, "higher") ? WL_METRIC_LOWER : WL_METRIC_HIGHER;
	return 0;
}

/* The test script is a file of the workload's own folder. */
static int parse_test(struct parser *p, const char *v)
{
	if (v[0] == '/')
		return fail(p, "test '%s': must be relative to the workload's folder", v);
	for (const char *c = v; (c = strstr(c, "..")); c += 2)
		if ((c == v || c[-1] == '/') && (c[2] == 0 || c[2] == '/'))
			return fail(p, "test '%s': must not leave the workload's folder", v);
	return copy_text(p, WL_TEST, p->w->test, sizeof(p->w->test), v);
}

static int set_value(struct parser *p, enum wl_key k, char *v)
{
	struct workload *w = p->w;
	switch (k) {
	case WL_DESCRIPTION: return copy_text(p, k, w->description, sizeof(w->description), v);
	case WL_PACKAGES: return parse_words(p, k, &w->packages, v);
	case WL_BINARIES: return parse_words(p, k, &w->binaries, v);
	case WL_TIMEOUT: return parse_timeout(p, v);
	case WL_METRIC: return parse_metric(p, v);
	case WL_RUN: return copy_text(p, k, w->run, sizeof(w->run), v);
	case WL_TEST: return parse_test(p, v);
	default: return fail(p, "internal: key %d", k);
	}
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = 0;
	return s;
}

/* One line: blank, a comment, or `key = value`. */
static int parse_line(struct parser *p, char *line)
{
	line = trim(line);
	if (!*line || *line == '#')
		return 0;
	char *eq = strchr(line, '=');
	if (!eq)
		return fail(p, "expected 'key = value', got '%.60s'", line);
	*eq = 0;
	char *key = trim(line), *value = trim(eq + 1);
	int k = 0;
	while (k < WL_NKEYS && strcmp(key_names[k], key))
		k++;
	if (k == WL_NKEYS)
		return fail(p, "unknown key '%.60s'", key);
	if (p->w->line[k])
		return fail(p, "'%s' given twice (first on line %d)", key, p->w->line[k]);
	p->w->line[k] = p->lineno;
	return set_value(p, k, value);
}

int wl_parse(const char *file, const char *text, struct workload *w, char *err, size_t errlen)
{
	struct parser p = {.file = file, .err = err, .errlen = errlen, .w = w};
	char *copy = strdup(text), *line = copy;
	if (!copy)
		return snprintf(err, errlen, "%s: out of memory", file), -1;
	memset(w, 0, sizeof(*w));
	int r = 0;
	while (!r && line) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = 0;
		p.lineno++;
		r = parse_line(&p, line);
		line = nl ? nl + 1 : NULL;
	}
	free(copy);
	for (int k = 0; !r && k < WL_NKEYS; k++) {
		if (!w->line[k]) {
			snprintf(err, errlen, "%s: missing key '%s'", file, key_names[k]);
			r = -1;
		}
	}
	return r;
}

/* The whole of a small file, NUL-terminated (the caller frees it). */
static char *read_small_file(const char *path, size_t max, int *errnum)
{
	FILE *f = fopen(path, "r");
	char *buf = f ? malloc(max + 1) : NULL;
	size_t n = buf ? fread(buf, 1, max + 1, f) : 0;
	*errnum = !f ? errno : !buf ? ENOMEM : ferror(f) ? EIO : n > max ? EFBIG : 0;
	if (f)
		fclose(f);
	if (*errnum) {
		free(buf);
		return NULL;
	}
	buf[n] = 0;
	return buf;
}

static bool name_ok(const char *name)
{
	size_t n = strlen(name);
	return n && n < WL_NAME_MAX && name[0] != '.' &&
	       strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

/* The test must be there and executable: the harness runs it directly. */
static int check_test(const char *dir, const char *conf, struct workload *w, char *err, size_t errlen)
{
	char path[PATH_MAX];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%s/%s", dir, w->name, w->test);
	const char *why = stat(path, &st) ? strerror(errno)
			  : !S_ISREG(st.st_mode) ? "not a regular file"
			  : access(path, X_OK) ? "not executable"
					       : NULL;
	if (!why)
		return 0;
	snprintf(err, errlen, "%s:%d: test '%s': %s", conf, w->line[WL_TEST], w->test, why);
	return -1;
}

int wl_load(const char *dir, const char *name, struct workload *w, char *err, size_t errlen)
{
	char conf[PATH_MAX];
	int errnum;
	if (!name_ok(name))
		return snprintf(err, errlen, "'%s': not a workload name ([A-Za-z0-9._-], at most %d bytes)",
				name, WL_NAME_MAX - 1), -1;
	snprintf(conf, sizeof(conf), "%s/%s/%s", dir, name, WL_CONF);
	char *text = read_small_file(conf, WL_CONF_MAX, &errnum);
	if (!text)
		return snprintf(err, errlen, "%s: %s", conf, strerror(errnum)), -1;
	int r = wl_parse(conf, text, w, err, errlen);
	free(text);
	if (r)
		return r;
	strcpy(w->name, name);
	return check_test(dir, conf, w, err, errlen);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(a, b);
}

int wl_list(const char *dir, char (*names)[WL_NAME_MAX], int max)
{
	DIR *d = opendir(dir);
	if (!d)
		return -errno;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		char conf[PATH_MAX];
		struct stat st;
		if (!name_ok(e->d_name))
			continue;
		snprintf(conf, sizeof(conf), "%s/%s/%s", dir, e->d_name, WL_CONF);
		if (stat(conf, &st) || !S_ISREG(st.st_mode))
			continue;
		if (n < max)
			strcpy(names[n], e->d_name);
		n++;
	}
	closedir(d);
	qsort(names, n < max ? n : max, sizeof(names[0]), cmp_names);
	return n;
}

/* ------------------------------------------------------------- hashing */

struct file_list {
	char **v;
	int n, cap;
};

static int list_add(struct file_list *l, const char *rel)
{
	if (l->n == l->cap) {
		int cap = l->cap ? 2 * l->cap : 32;
		char **v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n] = strdup(rel);
	return l->v[l->n] ? (l->n++, 0) : -ENOMEM;
}

/* A/B (A alone when B is empty, B alone when A is), or -ENAMETOOLONG. */
static int join(char *buf, size_t size, const char *a, const char *b)
{
	int n = snprintf(buf, size, "%s%s%s", a, *a && *b ? "/" : "", b);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* The regular files under ROOT/REL (REL "" for ROOT itself), by their
 * path relative to ROOT. Hidden names (editors' swap files) and README.md
 * are left out: rewording the documentation must not make a new definition
 * that the results database would keep apart from the old one. */
static int collect_files(const char *root, const char *rel, struct file_list *l, int depth)
{
	char path[PATH_MAX];
	int r = depth > 16 ? -ELOOP : join(path, sizeof(path), root, rel);
	DIR *d = r ? NULL : opendir(path);
	if (!d)
		return r ? r : -errno;
	struct dirent *e;
	while (!r && (e = readdir(d))) {
		char sub[PATH_MAX], full[PATH_MAX];
		struct stat st;
		if (e->d_name[0] == '.' || !strcmp(e->d_name, "README.md"))
			continue;
		r = join(sub, sizeof(sub), rel, e->d_name);
		r = r ? r : join(full, sizeof(full), root, sub);
		if (r)
			break;
		if (stat(full, &st))
			r = -errno;
		else if (S_ISDIR(st.st_mode))
			r = collect_files(root, sub, l, depth + 1);
		else if (S_ISREG(st.st_mode))
			r = list_add(l, sub);
	}
	closedir(d);
	return r;
}

#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull

static uint64_t fnv1a(uint64_t h, const void *data, size_t n)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * FNV_PRIME;
	return h;
}

/* Name, NUL, size (8 bytes, little-endian), content: so that moving bytes
 * from one file to the next, or renaming, changes the hash. */
static int hash_file(uint64_t *h, const char *path, const char *name)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st))
		return fd < 0 ? -errno : (close(fd), -EIO);
	unsigned char size[8], buf[65536];
	for (int i = 0; i < 8; i++)
		size[i] = (unsigned char)((uint64_t)st.st_size >> (8 * i));
	*h = fnv1a(*h, name, strlen(name) + 1);
	*h = fnv1a(*h, size, sizeof(size));
	ssize_t n;
	off_t total = 0;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		*h = fnv1a(*h, buf, (size_t)n);
		total += n;
	}
	int r = n < 0 ? -errno : total != st.st_size ? -EIO : 0;
	close(fd);
	return r;
}

static int cmp_paths(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int wl_hash(const char *dir, const char *name, uint64_t *hash)
{
	char root[PATH_MAX], path[PATH_MAX];
	struct file_list l = {0};
	uint64_t h = FNV_OFFSET;
	int r = join(root, sizeof(root), dir, name);
	r = r ? r : collect_files(root, "", &l, 0);
	if (!r)
		qsort(l.v, l.n, sizeof(*l.v), cmp_paths);
	for (int i = 0; !r && i < l.n; i++) {
		r = join(path, sizeof(path), root, l.v[i]);
		r = r ? r : hash_file(&h, path, l.v[i]);
	}
	if (!r && !join(path, sizeof(path), dir, WL_SHARED_FILE) && access(path, F_OK) == 0)
		r = hash_file(&h, path, "../" WL_SHARED_FILE);
	for (int i = 0; i < l.n; i++)
		free(l.v[i]);
	free(l.v);
	if (!r)
		*hash = h;
	return r;
}

/* The run line's words whose base name is name, $HL_BUILD expanded: the
 * hello workloads run their binary from the build tree. */
static bool from_run_line(const struct workload *w, const char *hl_build, const char *name, char *out, size_t len)
{
	char words[WL_TEXT_MAX];
	snprintf(words, sizeof(words), "%s", w->run);
	for (char *save, *t = strtok_r(words, " \t'\"", &save); t; t = strtok_r(NULL, " \t'\"", &save)) {
		const char *slash = strrchr(t, '/');
		if (!slash || strcmp(slash + 1, name))
			continue;
		if (!strncmp(t, "$HL_BUILD/", 10))
			snprintf(out, len, "%s/%s", hl_build ? hl_build : ".", t + 10);
		else
			snprintf(out, len, "%s", t);
		return access(out, X_OK) == 0;
	}
	return false;
}

int wl_resolve_binaries(const struct workload *w, const char *hl_build, char (*paths)[PATH_MAX])
{
	static const char *const dirs[] = {"/usr/sbin", "/usr/bin", "/sbin", "/bin"};
	for (int i = 0; i < w->binaries.n; i++) {
		const char *b = w->binaries.v[i];
		bool found = strchr(b, '/') ? snprintf(paths[i], PATH_MAX, "%s", b) > 0 && access(b, X_OK) == 0
					    : from_run_line(w, hl_build, b, paths[i], PATH_MAX);
		for (size_t d = 0; !found && !strchr(b, '/') && d < sizeof(dirs) / sizeof(dirs[0]); d++) {
			snprintf(paths[i], PATH_MAX, "%s/%s", dirs[d], b);
			found = access(paths[i], X_OK) == 0;
		}
		if (!found)
			return -(i + 1);
	}
	return 0;
}

int wl_hash_binaries(char (*paths)[PATH_MAX], int n, uint64_t *hash)
{
	uint64_t h = FNV_OFFSET;
	for (int i = 0; i < n; i++) {
		int r = hash_file(&h, paths[i], paths[i]);
		if (r)
			return r;
	}
	*hash = h;
	return 0;
}
