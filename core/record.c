/* Recording one call, and the identity of a process image (stats.h). */
#include "core/stats.h"
#include "core/lib.h"
#include "core/sys.h"

#define SCF_NEWFD 1 /* analysis/syscalls.h */

static uint64_t hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return h;
}

/* Claim a free slot for (tag, key): other threads wait while it is
 * BUSY, so nobody compares a key that is not written yet. */
static struct feat_count *feat_claim(struct stats *s, struct feat_count *f, uint32_t tag, uint64_t key,
				     const char *name)
{
	uint32_t want = 0;
	if (!__atomic_compare_exchange_n(&f->tag, &want, FEAT_BUSY, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return NULL;
	f->key = key;
	if (name) {
		uint32_t i = __atomic_fetch_add(&s->npaths, 1, __ATOMIC_RELAXED);
		if (i < STATS_PATHS)
			hl_strlcpy(s->paths[i], name, STATS_PATH_MAX);
		f->path = i < STATS_PATHS ? i + 1 : 0;
	}
	__atomic_store_n(&f->tag, tag, __ATOMIC_RELEASE);
	return f;
}

struct feat_count *stats_feat_find(struct stats *s, uint32_t tag, uint64_t key, const char *name)
{
	uint32_t h = (uint32_t)((key * 0x9e3779b97f4a7c15ull) >> 40) ^ tag;
	for (int i = 0; i < STATS_FEATS; i++) {
		struct feat_count *f = &s->feats[(h + (uint32_t)i) % STATS_FEATS];
		uint32_t cur;
		while ((cur = __atomic_load_n(&f->tag, __ATOMIC_ACQUIRE)) == FEAT_BUSY)
			;
		if (cur == tag && f->key == key)
			return f;
		if (cur == 0 && (!name || s->npaths < STATS_PATHS)) {
			struct feat_count *got = feat_claim(s, f, tag, key, name);
			if (got)
				return got;
			i--; /* lost the race for this slot: look at it again */
		}
	}
	stats_add(&s->feats_lost, 1);
	return NULL;
}

static void record_features(struct stats *s, const struct call_rec *c)
{
	uint32_t nr1 = (uint32_t)c->nr + 1;
	uint64_t key;
	struct feat_count *f = NULL;
	char name[STATS_PATH_MAX];
	if (core_key(c->calls, c->nr, c->args, &key))
		f = stats_feat_find(s, nr1 | FEAT_SUB << 16, key, NULL);
	if (f)
		stats_count(&f->c, c->ret, c->ns, c->outcome);
	if (c->path && stats_pseudo_file(c->path, c->pid, name, sizeof(name)) &&
	    (f = stats_feat_find(s, nr1 | FEAT_PATH << 16, hash_str(name), name)))
		stats_count(&f->c, c->ret, c->ns, c->outcome);
}

void stats_record_call(struct stats *s, const struct call_rec *c)
{
	if (c->nr < 0 || c->nr >= CORE_NCALLS) {
		stats_add(&s->unknown, 1);
		return;
	}
	stats_count(&s->sc[c->nr], c->ret, c->ns, c->outcome);
	__atomic_fetch_add(&s->hist[c->nr][stats_hist_bucket(c->ns)], 1, __ATOMIC_RELAXED);
	if (!c->calls)
		return;
	if (c->ret >= 0 && (c->calls->call[c->nr].flags & SCF_NEWFD) && (uint64_t)c->ret >= s->fds_peak)
		__atomic_store_n(&s->fds_peak, (uint64_t)c->ret + 1, __ATOMIC_RELAXED);
	record_features(s, c);
}

/* n bytes of src at out + o, as far as len allows (snprintf's
 * truncation): the offset the whole text would end at. */
static size_t put(char *out, size_t o, size_t len, const char *src, size_t n)
{
	if (o + 1 < len)
		memcpy(out + o, src, n < len - o - 1 ? n : len - o - 1);
	return o + n;
}

/* One component of a /proc path that is a pid: the caller's own reads as
 * `self`, any other as `[pid]`, so runs compare whatever the pids. */
static size_t put_pid_part(const char *part, size_t n, int pid, char *out, size_t o, size_t len)
{
	char own[24];
	size_t k = hl_utoa(own, (uint64_t)(pid < 0 ? 0 : pid));
	bool self = k == n && !memcmp(part, own, n);
	return put(out, o, len, self ? "self" : "[pid]", self ? 4 : 5);
}

static bool under(const char *path, const char *root, size_t n)
{
	return !strncmp(path, root, n) && (path[n] == '/' || !path[n]);
}

static size_t part_len(const char *p)
{
	size_t n = 1;
	while (p[n] && p[n] != '/')
		n++;
	return n; /* "/part" */
}

static bool all_digits(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return false;
	return n > 0;
}

bool stats_pseudo_file(const char *path, int pid, char *out, size_t len)
{
	bool proc = under(path, "/proc", 5);
	if (!(proc || under(path, "/sys", 4) || under(path, "/dev", 4)) || !len)
		return false;
	size_t o = 0, prev_n = 0;
	const char *prev = "";
	for (const char *p = path; *p && o + 1 < len;) {
		size_t n = part_len(p);
		/* Only /proc/PID and /proc/.../task/TID are pids. */
		bool pid_dir = (prev == path && prev_n == 5) || (prev_n == 5 && !strncmp(prev, "/task", 5));
		bool digits = proc && pid_dir && all_digits(p + 1, n - 1);
		prev = p, prev_n = n;
		if (digits)
			o = put_pid_part(p + 1, n - 1, pid, out, put(out, o, len, "/", 1), len);
		else
			o = put(out, o, len, p, n);
		p += n;
	}
	out[o < len ? o : len - 1] = 0;
	return true;
}

/* Joined by NULs; an argument cut short still ends in a NUL, so readers
 * can split on NULs without looking at argv_len twice. */
static uint32_t join_argv(char *dst, int argc, char *const argv[])
{
	uint32_t used = 0;
	for (int i = 0; argv && i < argc && argv[i]; i++) {
		size_t room = STATS_ARGV_MAX - used;
		if (room == 0)
			break;
		size_t len = strlen(argv[i]), n = len < room - 1 ? len : room - 1;
		memcpy(dst + used, argv[i], n);
		dst[used + n] = '\0';
		used += (uint32_t)n + 1;
		if (n < len)
			break;
	}
	return used;
}

struct stats *stats_proc_new(struct run_stats *r, int pid, int ppid, const char *exe, int argc,
			     char *const argv[])
{
	uint32_t i = __atomic_fetch_add(&r->nprocs, 1, __ATOMIC_RELAXED);
	if (i >= STATS_MAX_PROCS)
		return NULL;
	/* Records are never reused, so this one is still all zero from
	 * ftruncate and only the identity needs writing. */
	struct stats *s = &r->procs[i];
	s->pid = pid;
	s->ppid = ppid;
	if (exe)
		hl_strlcpy(s->exe, exe, STATS_EXE_MAX);
	s->argv_len = join_argv(s->argv, argc, argv);
	s->start_ns = hl_now_ns();
	s->threads = 1;
	/* Last, so a reader that sees RUNNING sees the identity too. */
	__atomic_store_n(&s->state, STATS_RUNNING, __ATOMIC_RELEASE);
	return s;
}

void stats_proc_close(struct stats *s, enum stats_state state, int exit_status, int term_signal,
		      uint64_t rss_kb)
{
	s->end_ns = hl_now_ns();
	s->peak_rss_kb = rss_kb;
	s->exit_status = exit_status;
	s->term_signal = term_signal;
	__atomic_store_n(&s->state, (uint32_t)state, __ATOMIC_RELEASE);
}
