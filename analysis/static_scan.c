/* Finding `syscall` instructions and their numbers with Capstone.
 *
 * Method: a linear sweep of each code range (instruction after instruction,
 * skipping one byte where Capstone cannot decode), recording where every
 * instruction starts, every direct jump (an edge into its target), every
 * direct call target and function symbol (entries: reached from places we
 * do not follow), and every `syscall`.  Once the whole object is swept (a
 * jump found later may land between a `mov` and its `syscall`), each site
 * is resolved by walking back from it, following the register that holds
 * the number (eax, or the register copied into it), up to STATIC_WINDOW
 * instructions along each path.  At a jump target the walk follows every
 * jump into it as well as the fall-through, and the site is resolved when
 * all the ways in give the same number (glibc's _exit reaches its
 * `syscall`s through jumps, with the numbers set at the function's entry).
 *
 * Limits, inherent to a linear sweep and a local scan: data inside code
 * (rare in GCC/Clang x86-64 output, where jump tables live in .rodata)
 * can be decoded as instructions and can hide or invent a site until the
 * sweep falls back in step; targets of indirect jumps (switch tables) are
 * not known, so code after an unconditional jump with no direct jump into
 * it counts as unreachable when another way in exists; a number set in a
 * caller (glibc's syscall(2), INTERNAL_SYSCALL with a variable) is not
 * followed across functions and stays unresolved; `int $0x80` and
 * `sysenter` (the 32-bit ABI) are not counted. */
#include "analysis/static_impl.h"

#include <capstone/capstone.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A swept range and where its instructions start (offsets in it). */
struct range {
	const uint8_t *code;
	size_t len;
	uint64_t addr, offset;
	uint32_t *starts;
	size_t nstarts, capstarts;
};

struct edge {
	uint64_t to, from;
};

struct scanner {
	csh cs;
	cs_insn *insn;
	struct range *ranges;
	size_t nranges, capranges;
	uint64_t *entries; /* call targets and function symbols */
	size_t nentries, capentries;
	struct edge *edges; /* direct jumps, sorted by target at the end */
	size_t nedges, capedges;
	uint64_t *sites;   /* addresses of the syscall instructions */
	size_t nsites, capsites;
};

static int grow(void **arr, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return 0;
	size_t ncap = *cap ? *cap * 2 : 64;
	void *p = realloc(*arr, ncap * size);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

#define PUSH(arr, n, cap, value) \
	(grow((void **)&(arr), &(cap), (n), sizeof(*(arr))) ? -ENOMEM : ((arr)[(n)++] = (value), 0))

struct scanner *scan_new(void)
{
	struct scanner *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &s->cs) != CS_ERR_OK) {
		free(s);
		return NULL;
	}
	cs_option(s->cs, CS_OPT_DETAIL, CS_OPT_ON);
	s->insn = cs_malloc(s->cs);
	if (!s->insn) {
		cs_close(&s->cs);
		free(s);
		return NULL;
	}
	return s;
}

static void scan_free(struct scanner *s)
{
	for (size_t i = 0; i < s->nranges; i++)
		free(s->ranges[i].starts);
	free(s->ranges);
	free(s->entries);
	free(s->edges);
	free(s->sites);
	cs_free(s->insn, 1);
	cs_close(&s->cs);
	free(s);
}

int scan_leader(struct scanner *s, uint64_t addr)
{
	return PUSH(s->entries, s->nentries, s->capentries, addr);
}

/* What a swept instruction tells about control flow: a direct jump is an
 * edge; a direct call, or a loop instruction (it also changes rcx on its
 * way), makes its target an entry whose ways in are not followed. */
static int note_flow(struct scanner *s, const cs_insn *insn)
{
	const cs_x86 *x = &insn->detail->x86;
	bool jump = cs_insn_group(s->cs, insn, X86_GRP_JUMP);
	if ((!jump && !cs_insn_group(s->cs, insn, X86_GRP_CALL)) || x->op_count != 1 ||
	    x->operands[0].type != X86_OP_IMM)
		return 0;
	uint64_t to = (uint64_t)x->operands[0].imm;
	bool loop = insn->id == X86_INS_LOOP || insn->id == X86_INS_LOOPE || insn->id == X86_INS_LOOPNE;
	if (!jump || loop)
		return scan_leader(s, to);
	return PUSH(s->edges, s->nedges, s->capedges, ((struct edge){to, insn->address}));
}

static int sweep(struct scanner *s, struct range *r)
{
	const uint8_t *c = r->code;
	size_t left = r->len;
	uint64_t a = r->addr;
	int e = 0;
	while (left && e == 0) {
		uint32_t at = (uint32_t)(c - r->code);
		if (!cs_disasm_iter(s->cs, &c, &left, &a, s->insn)) {
			c++, left--, a++; /* undecodable: resync on the next byte */
			continue;
		}
		e = PUSH(r->starts, r->nstarts, r->capstarts, at);
		if (e == 0 && s->insn->id == X86_INS_SYSCALL)
			e = PUSH(s->sites, s->nsites, s->capsites, s->insn->address);
		else if (e == 0)
			e = note_flow(s, s->insn);
	}
	return e;
}

int scan_range(struct scanner *s, const uint8_t *code, size_t len, uint64_t addr, uint64_t offset)
{
	if (len > UINT32_MAX) /* instruction offsets are kept in 32 bits */
		return -EFBIG;
	struct range r = {code, len, addr, offset, NULL, 0, 0};
	if (PUSH(s->ranges, s->nranges, s->capranges, r))
		return -ENOMEM;
	return sweep(s, &s->ranges[s->nranges - 1]);
}

/* ---- where things are ---- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static int cmp_edge(const void *a, const void *b)
{
	const struct edge *x = a, *y = b;
	return x->to != y->to ? (x->to < y->to ? -1 : 1) : (x->from < y->from ? -1 : x->from > y->from);
}

static bool is_entry(const struct scanner *s, uint64_t addr)
{
	return s->nentries && bsearch(&addr, s->entries, s->nentries, sizeof(addr), cmp_u64);
}

/* The first edge into addr (edges are sorted by target), or NULL. */
static const struct edge *edges_to(const struct scanner *s, uint64_t addr)
{
	size_t lo = 0, hi = s->nedges;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->edges[mid].to < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->nedges && s->edges[lo].to == addr ? &s->edges[lo] : NULL;
}

/* Decode into s->insn the instruction that ends where the one at addr
 * starts.  False at the start of a range or after an undecodable gap. */
static bool prev_insn(struct scanner *s, uint64_t addr)
{
	for (size_t i = 0; i < s->nranges; i++) {
		const struct range *r = &s->ranges[i];
		if (addr < r->addr || addr - r->addr >= r->len)
			continue;
		uint32_t at = (uint32_t)(addr - r->addr);
		const uint32_t *p = r->nstarts ? bsearch(&at, r->starts, r->nstarts, sizeof(at), cmp_u32) : NULL;
		if (!p || p == r->starts)
			return false;
		const uint8_t *c = r->code + p[-1];
		size_t left = r->len - p[-1];
		uint64_t a = r->addr + p[-1];
		return cs_disasm_iter(s->cs, &c, &left, &a, s->insn) && a == addr;
	}
	return false;
}

/* ---- what an instruction does to the register followed ---- */

enum { F_RAX, F_RCX, F_RDX, F_RBX, F_RSP, F_RBP, F_RSI, F_RDI, F_R8 };

/* The general-purpose register (0-15, as encoded) that reg is part of,
 * or -1: a write to any part of it changes what the kernel reads. */
static int family(x86_reg reg)
{
	static const x86_reg fams[16][4] = {
		{X86_REG_RAX, X86_REG_EAX, X86_REG_AX, X86_REG_AL},
		{X86_REG_RCX, X86_REG_ECX, X86_REG_CX, X86_REG_CL},
		{X86_REG_RDX, X86_REG_EDX, X86_REG_DX, X86_REG_DL},
		{X86_REG_RBX, X86_REG_EBX, X86_REG_BX, X86_REG_BL},
		{X86_REG_RSP, X86_REG_ESP, X86_REG_SP, X86_REG_SPL},
		{X86_REG_RBP, X86_REG_EBP, X86_REG_BP, X86_REG_BPL},
		{X86_REG_RSI, X86_REG_ESI, X86_REG_SI, X86_REG_SIL},
		{X86_REG_RDI, X86_REG_EDI, X86_REG_DI, X86_REG_DIL},
		{X86_REG_R8, X86_REG_R8D, X86_REG_R8W, X86_REG_R8B},
		{X86_REG_R9, X86_REG_R9D, X86_REG_R9W, X86_REG_R9B},
		{X86_REG_R10, X86_REG_R10D, X86_REG_R10W, X86_REG_R10B},
		{X86_REG_R11, X86_REG_R11D, X86_REG_R11W, X86_REG_R11B},
		{X86_REG_R12, X86_REG_R12D, X86_REG_R12W, X86_REG_R12B},
		{X86_REG_R13, X86_REG_R13D, X86_REG_R13W, X86_REG_R13B},
		{X86_REG_R14, X86_REG_R14D, X86_REG_R14W, X86_REG_R14B},
		{X86_REG_R15, X86_REG_R15D, X86_REG_R15W, X86_REG_R15B},
	};
	if (reg == X86_REG_AH || reg == X86_REG_CH || reg == X86_REG_DH || reg == X86_REG_BH)
		return reg == X86_REG_AH ? F_RAX : reg == X86_REG_CH ? F_RCX : reg == X86_REG_DH ? F_RDX : F_RBX;
	for (int f = 0; f < 16; f++)
		for (int i = 0; i < 4; i++)
			if (fams[f][i] == reg)
				return f;
	return -1;
}

/* Whether insn writes any part of register family fam, explicitly or not
 * (cpuid, rdtsc, cqo, xchg...). */
static bool writes(const struct scanner *s, const cs_insn *insn, int fam)
{
	cs_regs rd, wr;
	uint8_t nrd, nwr;
	if (cs_regs_access(s->cs, insn, rd, &nrd, wr, &nwr) != CS_ERR_OK)
		return true; /* cannot tell: assume the worst */
	for (int i = 0; i < nwr; i++)
		if (family((x86_reg)wr[i]) == fam)
			return true;
	return false;
}

/* A 32-bit write zero-extends into the 64-bit register (narrower writes
 * keep upper bits we do not know, and are not resolved). */
static int64_t sized(int64_t v, int size)
{
	return size == 4 ? (int64_t)(uint32_t)v : v;
}

/* "Keep going back": not one of enum static_why. */
#define STEP_ON (-1)

/* insn writes the followed register: what that makes it. */
static int written_value(const cs_insn *insn, int *fam, int64_t *nr)
{
	const cs_x86 *x = &insn->detail->x86;
	const cs_x86_op *dst = &x->operands[0], *src = &x->operands[1];
	if (x->op_count != 2 || dst->type != X86_OP_REG || family(dst->reg) != *fam)
		return insn->id == X86_INS_POP ? SW_MEMORY : SW_COMPUTED;
	if (dst->size < 4)
		return SW_COMPUTED;
	switch (insn->id) {
	case X86_INS_MOV:
	case X86_INS_MOVABS:
		if (src->type == X86_OP_IMM)
			return *nr = sized(src->imm, dst->size), SW_RESOLVED;
		if (src->type == X86_OP_MEM)
			return SW_MEMORY;
		*fam = family(src->reg); /* a copy: follow the source instead */
		return *fam < 0 ? SW_REGISTER : STEP_ON;
	case X86_INS_XOR:
	case X86_INS_SUB:
		if (src->type == X86_OP_REG && src->reg == dst->reg)
			return *nr = 0, SW_RESOLVED;
		return SW_COMPUTED;
	case X86_INS_LEA:
		if (src->mem.base == X86_REG_INVALID && src->mem.index == X86_REG_INVALID)
			return *nr = sized(src->mem.disp, dst->size), SW_RESOLVED;
		return SW_COMPUTED;
	default:
		return SW_COMPUTED;
	}
}

/* Control never falls from insn into the next instruction. */
static bool ends_flow(const struct scanner *s, const cs_insn *insn)
{
	switch (insn->id) {
	case X86_INS_JMP:
	case X86_INS_LJMP:
	case X86_INS_HLT:
	case X86_INS_UD2:
	case X86_INS_UD2B:
	case X86_INS_INT3:
		return true;
	default:
		return cs_insn_group(s->cs, insn, X86_GRP_RET) || cs_insn_group(s->cs, insn, X86_GRP_IRET);
	}
}

/* ---- walking back ---- */

/* A way in that brings no value: unreachable code (after a jmp or ret,
 * with no jump into it), or a loop back to a join being followed for the
 * same register (around the loop the register keeps the value it has
 * from the other ways in).  Not one of enum static_why. */
#define NO_PATH (-2)

#define MAX_JOINS 16  /* joins followed at once on one path */
#define MAX_WORK 4096 /* instructions decoded for one site */

struct outcome {
	int why; /* enum static_why, or NO_PATH */
	int64_t nr;
};

struct walk {
	struct {
		uint64_t addr;
		int fam;
	} joins[MAX_JOINS];
	int njoins, work;
};

/* One instruction going backwards: STEP_ON, NO_PATH, or how the walk
 * ends.  A conditional jump is passed over: the code after it is reached
 * by falling through, with the registers it had. */
static int step(const struct scanner *s, const cs_insn *insn, int *fam, int64_t *nr)
{
	bool callee_saved = *fam == F_RBX || *fam == F_RBP || *fam >= 12;
	if (ends_flow(s, insn))
		return NO_PATH;
	if (cs_insn_group(s->cs, insn, X86_GRP_CALL))
		return callee_saved ? STEP_ON : SW_CALL;
	if (insn->id == X86_INS_SYSCALL) /* returns in rax, clobbers rcx and r11 */
		return *fam == F_RAX || *fam == F_RCX || *fam == 11 ? SW_CALL : STEP_ON;
	if (!writes(s, insn, *fam))
		return STEP_ON;
	return written_value(insn, fam, nr);
}

/* A path that ends without a value: when eax was copied from another
 * register, what is unknown is that register's value. */
static struct outcome end(int why, int fam)
{
	if (fam != F_RAX && (why == SW_BLOCK || why == SW_WINDOW))
		why = SW_REGISTER;
	return (struct outcome){why, -1};
}

static struct outcome combine(struct outcome a, struct outcome b)
{
	if (a.why == NO_PATH)
		return b;
	if (b.why == NO_PATH || a.why != SW_RESOLVED)
		return a;
	if (b.why != SW_RESOLVED)
		return b;
	return a.nr == b.nr ? a : (struct outcome){SW_MERGE, -1};
}

static struct outcome join(struct scanner *s, uint64_t addr, int fam, int budget, struct walk *w);

/* The value of register family fam just before the instruction at addr,
 * walking back at most budget instructions.  fallthrough_only: addr is a
 * join whose jumps in are followed by the caller. */
static struct outcome value_before(struct scanner *s, uint64_t addr, int fam, int budget, struct walk *w,
				   bool fallthrough_only)
{
	int64_t nr = -1;
	for (;; fallthrough_only = false) {
		if (!fallthrough_only && is_entry(s, addr))
			return end(SW_BLOCK, fam);
		if (!fallthrough_only && edges_to(s, addr))
			return join(s, addr, fam, budget, w);
		if (budget-- <= 0 || w->work++ >= MAX_WORK)
			return end(SW_WINDOW, fam);
		if (!prev_insn(s, addr))
			return end(SW_BLOCK, fam);
		int r = step(s, s->insn, &fam, &nr);
		if (r == SW_RESOLVED || r == NO_PATH)
			return (struct outcome){r, r == SW_RESOLVED ? nr : -1};
		if (r != STEP_ON)
			return end(r, fam);
		addr = s->insn->address;
	}
}

/* Every way into addr: the fall-through and each jump, which must all
 * give the same number. */
static struct outcome join(struct scanner *s, uint64_t addr, int fam, int budget, struct walk *w)
{
	for (int i = 0; i < w->njoins; i++)
		if (w->joins[i].addr == addr && w->joins[i].fam == fam)
			return (struct outcome){NO_PATH, -1};
	/* Joins count as work too: jumps to jumps decode nothing. */
	if (w->njoins == MAX_JOINS || w->work++ >= MAX_WORK)
		return end(SW_WINDOW, fam);
	w->joins[w->njoins].addr = addr;
	w->joins[w->njoins++].fam = fam;
	struct outcome o = value_before(s, addr, fam, budget, w, true);
	const struct edge *e = edges_to(s, addr), *end_edges = s->edges + s->nedges;
	for (; e < end_edges && e->to == addr && (o.why == SW_RESOLVED || o.why == NO_PATH); e++)
		o = combine(o, value_before(s, e->from, fam, budget, w, false));
	w->njoins--;
	return o;
}

static uint64_t offset_of(const struct scanner *s, uint64_t addr)
{
	for (size_t i = 0; i < s->nranges; i++)
		if (addr >= s->ranges[i].addr && addr - s->ranges[i].addr < s->ranges[i].len)
			return s->ranges[i].offset + (addr - s->ranges[i].addr);
	return 0;
}

static void resolve(struct scanner *s, uint64_t addr, struct static_site *site)
{
	struct walk w = {.njoins = 0, .work = 0};
	struct outcome o = value_before(s, addr, F_RAX, STATIC_WINDOW, &w, false);
	site->addr = addr;
	site->offset = offset_of(s, addr);
	/* Only unreachable ways in: code after a jmp or ret nothing jumps to
	 * directly, so an indirect target whose eax we cannot see. */
	site->why = o.why == NO_PATH ? SW_BLOCK : (enum static_why)o.why;
	site->nr = site->why == SW_RESOLVED ? o.nr : -1;
}

long scan_finish(struct scanner *s, struct static_site **sites)
{
	long n = (long)s->nsites;
	*sites = NULL;
	if (n == 0 || !(*sites = calloc(s->nsites, sizeof(**sites)))) {
		scan_free(s);
		return n == 0 ? 0 : -ENOMEM;
	}
	/* qsort and bsearch want a non-NULL array even when it is empty. */
	if (s->nentries)
		qsort(s->entries, s->nentries, sizeof(*s->entries), cmp_u64);
	if (s->nedges)
		qsort(s->edges, s->nedges, sizeof(*s->edges), cmp_edge);
	qsort(s->sites, s->nsites, sizeof(*s->sites), cmp_u64);
	for (size_t i = 0; i < s->nsites; i++)
		resolve(s, s->sites[i], &(*sites)[i]);
	scan_free(s);
	return n;
}

long static_scan_code(const uint8_t *code, size_t len, uint64_t addr, struct static_site **sites)
{
	struct scanner *s = scan_new();
	*sites = NULL;
	if (!s)
		return -ENOMEM;
	int r = scan_range(s, code, len, addr, 0);
	if (r) {
		scan_free(s);
		return r;
	}
	return scan_finish(s, sites);
}
