/* `hyperloupe tui`: the TUI on a run, a statistics file or a campaign,
 * or headless on scripted keys (the TUI itself is in tui/). */
#include "cli/cli.h"

#include "analysis/util.h"
#include "cli/live.h"
#include "tui/app.h"
#include "tui/term.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_KEYS 4096

static const char tui_usage[] =
	"usage: hyperloupe tui [OPTIONS] [PID | --stats FILE | --db FILE WORKLOAD]\n"
	"  PID              a running `hyperloupe run` (its first process; default: the\n"
	"                   only one running)\n"
	"  --stats FILE     a finished run's statistics (`run --stats FILE`)\n"
	"  --db FILE WORKLOAD\n"
	"                   an explore campaign in the results database\n"
	"  --interval S     re-read a live source every S seconds (default 1)\n"
	"  --headless       no terminal: apply --keys, print the screen as text\n"
	"  --keys KEYS      the keys for --headless: characters and <Enter>, <Esc>,\n"
	"                   <Up>, <Down>, <PgDn>, <resize:WxH>, <refresh>, <lt> ...\n"
	"  --size WxH       the headless screen (default 80x24)\n"
	"  --each           print the screen after every key, not only the last\n"
	"exit status: 0 ok, 1 the source cannot be read, 2 usage\n";

struct tui_opts {
	const char *stats, *db, *workload, *keys;
	int pid, w, h;
	double interval;
	bool headless, each;
};

static int parse_size(const char *s, int *w, int *h)
{
	char tail;
	return sscanf(s, "%dx%d%c", w, h, &tail) == 2 && *w >= 20 && *w < 4096 && *h >= 8 && *h < 4096 ? 0 : -1;
}

static int parse_tui_args(int argc, char **argv, struct tui_opts *o)
{
	static const struct option opts[] = {
		{"stats", required_argument, NULL, 's'}, {"db", required_argument, NULL, 'd'},
		{"interval", required_argument, NULL, 'i'}, {"headless", no_argument, NULL, 'H'},
		{"keys", required_argument, NULL, 'k'}, {"size", required_argument, NULL, 'z'},
		{"each", no_argument, NULL, 'e'}, {"help", no_argument, NULL, 'h'}, {0},
	};
	int c;
	*o = (struct tui_opts){.w = 80, .h = 24, .interval = 1, .pid = -1};
	optind = 1;
	/* Options may follow the source: `tui --db F W --headless`. */
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's': o->stats = optarg; break;
		case 'd': o->db = optarg; break;
		case 'i': o->interval = atof(optarg); break;
		case 'H': o->headless = true; break;
		case 'k': o->keys = optarg; break;
		case 'z': if (parse_size(optarg, &o->w, &o->h)) return -1; break;
		case 'e': o->each = true; break;
		case 'h': fputs(tui_usage, stdout); exit(0);
		default: return -1;
		}
	}
	if (o->db && optind < argc)
		o->workload = argv[optind++];
	else if (!o->stats && !o->db && optind < argc)
		o->pid = atoi(argv[optind++]);
	bool bad = optind != argc || (o->db && !o->workload) || (o->stats && o->db) || !(o->interval > 0) ||
		   (o->keys && !o->headless);
	return bad ? -1 : 0;
}

static struct tui_source *open_source(const struct tui_opts *o, char *err, size_t len)
{
	if (o->stats)
		return src_json(o->stats, err, len);
	if (o->db)
		return src_db(o->db, o->workload, err, len);
	int pid = o->pid > 0 ? o->pid : live_only_run();
	if (pid == -2)
		snprintf(err, len, "several runs are going on: name one by the pid of its first process");
	else if (pid < 0)
		snprintf(err, len, "no hyperloupe run is going on (or give --stats FILE, --db FILE WORKLOAD)");
	return pid > 0 ? src_live(pid, err, len) : NULL;
}

/* Scripted keys in, screens out: what the tests compare. */
static int headless(struct tui_app *a, const struct tui_opts *o)
{
	static int keys[MAX_KEYS];
	int n = o->keys ? app_parse_keys(o->keys, keys, MAX_KEYS, a->err, sizeof(a->err)) : 0;
	if (n < 0)
		return hl_err("tui: %s", a->err), 2;
	for (int i = 0; i < n; i++) {
		if (o->each) {
			app_draw(a);
			screen_print(&a->scr, stdout);
			printf("--- key %d\n", i + 1);
		}
		if (keys[i] == -1)
			app_refresh(a);
		else if (keys[i] < -1)
			app_resize(a, (-keys[i] - 2) >> 12, (-keys[i] - 2) & 0xfff);
		else if (!app_key(a, keys[i]))
			break;
	}
	app_draw(a);
	screen_print(&a->scr, stdout);
	return 0;
}

int cmd_tui(int argc, char **argv)
{
	struct tui_opts o;
	static struct tui_app a;
	char err[512];
	if (parse_tui_args(argc, argv, &o))
		return fputs(tui_usage, stderr), 2;
	struct tui_source *src = open_source(&o, err, sizeof(err));
	if (!src)
		return hl_err("tui: %s", err), 1;
	if (app_init(&a, src, o.w, o.h)) {
		hl_err("tui: %s", a.err[0] ? a.err : "cannot read the source");
		app_free(&a);
		return 1;
	}
	int r = o.headless ? headless(&a, &o) : term_run(&a, o.interval) ? 1 : 0;
	if (r == 1 && a.err[0])
		hl_err("tui: %s", a.err);
	app_free(&a);
	return r;
}
