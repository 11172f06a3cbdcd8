/* Verdicts and bisection (classify.h). */
#include "analysis/classify.h"

#include <stdlib.h>
#include <string.h>

static const char *const names[FC__COUNT] = {
	"unused", "pending", "required", "stub", "fake", "both", "flaky",
};

const char *feat_class_name(enum feat_class c)
{
	return c < FC__COUNT ? names[c] : "?";
}

/* A side passes when all its replicas ran and passed; it can still pass
 * while none failed; it is settled when all ran. */
static bool passes(struct replicas r)
{
	return !r.fail && r.ok && r.ok >= r.want;
}

static bool may_pass(struct replicas r)
{
	return !r.fail;
}

static bool settled(struct replicas r)
{
	return r.ok + r.fail >= r.want && r.ok + r.fail > 0;
}

enum feat_class classify(struct replicas stub, struct replicas fake)
{
	if (passes(stub) && passes(fake))
		return FC_BOTH;
	if (passes(stub))
		return may_pass(fake) ? FC_PENDING : FC_STUB;
	if (passes(fake))
		return may_pass(stub) ? FC_PENDING : FC_FAKE;
	if (may_pass(stub) || may_pass(fake))
		return FC_PENDING;
	/* Neither side can pass any more. */
	if ((stub.ok && stub.fail) || (fake.ok && fake.fail))
		return FC_FLAKY;
	return settled(stub) && settled(fake) ? FC_REQUIRED : FC_PENDING;
}

/* Length of the shortest failing prefix of s[0..n), knowing s[0..n) fails
 * and the empty prefix passes. */
static int failing_prefix(const int *s, int n, bisect_oracle ok, void *arg, int *runs)
{
	int lo = 1, hi = n;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		++*runs;
		if (ok(s, mid, arg))
			lo = mid + 1;
		else
			hi = mid;
	}
	return hi;
}

int bisect_culprits(const int *items, int n, bisect_oracle ok, void *arg, int *culprits, int *runs)
{
	int *s = malloc(((size_t)n + 1) * sizeof(*s)), found = 0;
	*runs = 1;
	if (!s || !ok(items, 0, arg)) {
		free(s);
		return -1;
	}
	if (n)
		memcpy(s, items, (size_t)n * sizeof(*s));
	while (n > 0) {
		++*runs;
		if (ok(s, n, arg))
			break;
		int k = failing_prefix(s, n, ok, arg, runs);
		culprits[found++] = s[k - 1];
		memmove(&s[k - 1], &s[k], (size_t)(n - k) * sizeof(*s));
		n--;
	}
	free(s);
	return found;
}
