/* The initial stack (stack.h). */
#include "core/stack.h"
#include "core/lib.h"

#include <elf.h>
#include <linux/errno.h>

struct builder {
	uint64_t sp, limit;
	bool full;
};

static uint64_t push(struct builder *b, const void *data, uint64_t len)
{
	if (b->sp - b->limit < len + 64) {
		b->full = true;
		return b->sp;
	}
	b->sp -= len;
	memcpy((void *)b->sp, data, len);
	return b->sp;
}

static uint64_t push_str(struct builder *b, const char *s)
{
	return push(b, s, strlen(s) + 1);
}

static int count(char *const *v)
{
	int n = 0;
	while (v && v[n])
		n++;
	return n;
}

/* The vector of pointers (argv, envp): strings pushed last first, so they
 * lie in order; the pointers go into ptrs. */
static void push_strings(struct builder *b, int n, char *const *v, uint64_t *ptrs, uint64_t *lo, uint64_t *hi)
{
	*hi = b->sp;
	for (int i = n; i-- > 0;)
		ptrs[i] = push_str(b, v[i]);
	*lo = b->sp;
}

static uint64_t aux_value(const struct stack_in *in, uint64_t type, uint64_t v, uint64_t execfn,
			  uint64_t platform, uint64_t random)
{
	if (type == AT_EXECFN)
		return execfn;
	if (type == AT_PLATFORM && platform)
		return platform;
	if (type == AT_RANDOM)
		return random;
	(void)in;
	return v;
}

int stack_build(uint64_t top, uint64_t limit, const struct stack_in *in, struct stack_out *out)
{
	struct builder b = {top & ~15ull, limit, false};
	int argc = in->argc, envc = count(in->envp), nauxv = 0;
	while (in->auxv[nauxv * 2] != AT_NULL)
		nauxv++;
	uint64_t ptrs[argc + envc + 2];
	uint64_t execfn = push_str(&b, in->execfn);
	push_strings(&b, envc, in->envp, ptrs + argc + 1, &out->env_start, &out->env_end);
	push_strings(&b, argc, in->argv, ptrs, &out->arg_start, &out->arg_end);
	uint64_t platform = in->platform ? push_str(&b, in->platform) : 0;
	uint64_t random = push(&b, in->random, 16);
	ptrs[argc] = ptrs[argc + 1 + envc] = 0;
	uint64_t words = 1 + (uint64_t)argc + 1 + (uint64_t)envc + 1 + 2 * ((uint64_t)nauxv + 1);
	b.sp = (b.sp - words * 8) & ~15ull;
	if (b.full || b.sp < limit + 64)
		return -E2BIG;
	uint64_t *w = (uint64_t *)b.sp;
	*w++ = (uint64_t)argc;
	for (int i = 0; i < argc + 1 + envc + 1; i++)
		*w++ = ptrs[i];
	out->auxv = (uint64_t)w;
	for (int i = 0; i <= nauxv; i++) {
		uint64_t type = in->auxv[i * 2];
		*w++ = type;
		*w++ = aux_value(in, type, in->auxv[i * 2 + 1], execfn, platform, random);
	}
	out->auxv_words = 2 * ((uint64_t)nauxv + 1);
	out->sp = b.sp;
	return 0;
}
