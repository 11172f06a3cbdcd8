/* Workload definitions: `images/NAME/workload.conf` (images/README.md).
 *
 *   description = redis-server under redis-benchmark
 *   packages = redis-server redis-tools     (Debian packages; may be empty)
 *   binaries = redis-server                 (the --only whitelist)
 *   timeout = 300                           (seconds, for the whole test)
 *   metric = requests_per_s higher          (or lower, or none)
 *   run = redis-server --port $PORT ...     (what runs under the VMM)
 *   test = test.sh                          (the native driver, in the folder)
 *
 * Every key exactly once; `#` starts a comment only at the start of a line.
 * A library without KVM: the `images` command, the explore campaign and the
 * unit tests share it. */
#ifndef HL_WORKLOAD_H
#define HL_WORKLOAD_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#define WL_NAME_MAX 64   /* a workload's name (its folder), with the NUL */
#define WL_WORDS_MAX 16  /* packages or binaries */
#define WL_WORD_MAX 256  /* one package or binary (an exe path is <= 255) */
#define WL_TEXT_MAX 1024 /* description, run, test */
#define WL_CONF_MAX 65536
#define WL_CONF "workload.conf"
/* Shared by every test script of an images directory, so part of each
 * workload's hash. */
#define WL_SHARED_FILE "lib.sh"

enum wl_key { WL_DESCRIPTION, WL_PACKAGES, WL_BINARIES, WL_TIMEOUT, WL_METRIC, WL_RUN, WL_TEST, WL_NKEYS };

enum wl_goal { WL_METRIC_NONE, WL_METRIC_HIGHER, WL_METRIC_LOWER };

struct wl_words {
	int n;
	char v[WL_WORDS_MAX][WL_WORD_MAX];
};

struct workload {
	char name[WL_NAME_MAX]; /* the folder's name (wl_load) */
	char description[WL_TEXT_MAX];
	struct wl_words packages;
	struct wl_words binaries;
	int timeout_s;
	char metric[WL_NAME_MAX]; /* "" when none */
	enum wl_goal goal;
	char run[WL_TEXT_MAX];
	char test[WL_TEXT_MAX]; /* relative to the folder */
	int line[WL_NKEYS];     /* where each key was given */
};

const char *wl_key_name(enum wl_key k);

/* Parses the text of a workload.conf; FILE only names it in errors. 0, or
 * -1 with "FILE:LINE: what is wrong" (or "FILE: missing key 'K'") in err. */
int wl_parse(const char *file, const char *text, struct workload *w, char *err, size_t errlen);

/* Reads and parses DIR/NAME/workload.conf and checks that the test script
 * is an executable file of the folder. 0, or -1 with the error in err. */
int wl_load(const char *dir, const char *name, struct workload *w, char *err, size_t errlen);

/* The workloads of DIR (its folders that hold a workload.conf), sorted by
 * name: their number (at most max are stored), or -errno. */
int wl_list(const char *dir, char (*names)[WL_NAME_MAX], int max);

/* FNV-1a (64 bits) over the definition: each file of DIR/NAME, recursively
 * and in byte order of the relative path (hidden names and README.md
 * skipped), as path, NUL, 8-byte little-endian size, content; then
 * DIR/lib.sh as "../lib.sh". 0 or -errno. */
int wl_hash(const char *dir, const char *name, uint64_t *hash);

/* Where the binaries are: a path as given, else the run line's word with
 * that base name ($HL_BUILD expanded to hl_build), else the first of
 * /usr/sbin, /usr/bin, /sbin, /bin that has it.  0, or -(i + 1) when
 * binaries.v[i] is found nowhere. */
int wl_resolve_binaries(const struct workload *w, const char *hl_build, char (*paths)[PATH_MAX]);

/* FNV-1a over the files (each as path, NUL, size, content), so that an
 * upgraded package starts a new campaign.  0 or -errno. */
int wl_hash_binaries(char (*paths)[PATH_MAX], int n, uint64_t *hash);

#endif
