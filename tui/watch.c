/* The --tui of `run` and `explore` (tui.h): the TUI on a run or a
 * campaign that a child process makes. */
#include "tui/tui.h"

#include "analysis/util.h"
#include "tui/app.h"
#include "tui/term.h"

#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

/* Stops the child with sig and waits for it. */
static int reap(pid_t child, int sig)
{
	int st = 0;
	kill(child, sig);
	while (waitpid(child, &st, 0) < 0 && errno == EINTR)
		;
	return hl_exit_code(st);
}

/* Polls open() for up to 30 s while the child lives; NULL when it ended
 * first (its status in *status) or the time ran out. */
static struct tui_source *wait_source(pid_t child, struct tui_source *(*open)(void *), void *arg, int *status)
{
	for (int i = 0; i < 300; i++) {
		struct tui_source *s = open(arg);
		if (s)
			return s;
		int st;
		if (waitpid(child, &st, WNOHANG) == child) {
			*status = hl_exit_code(st);
			return NULL;
		}
		nanosleep(&(struct timespec){0, 100000000}, NULL);
	}
	*status = -1;
	return NULL;
}

static int watch(pid_t child, struct tui_source *(*open)(void *), void *arg, int sig)
{
	static struct tui_app a;
	int status = -1;
	struct tui_source *src = wait_source(child, open, arg, &status);
	if (!src) {
		if (status < 0)
			hl_err("tui: nothing to watch after 30 s");
		return status < 0 ? reap(child, sig) : status;
	}
	if (app_init(&a, src, 80, 24) == 0 && term_run(&a, 1.0))
		hl_err("tui: %s", a.err);
	app_free(&a);
	if (waitpid(child, &status, WNOHANG) == 0)
		return reap(child, sig);
	return hl_exit_code(status);
}

static struct tui_source *open_run(void *arg)
{
	char err[256];
	return src_live(*(pid_t *)arg, err, sizeof(err));
}

int tui_watch_run(pid_t child)
{
	return watch(child, open_run, &child, SIGTERM);
}

struct campaign_ref {
	const char *db, *workload;
};

static struct tui_source *open_campaign(void *arg)
{
	struct campaign_ref *c = arg;
	char err[256];
	return src_db(c->db, c->workload, err, sizeof(err));
}

int tui_watch_campaign(pid_t child, const char *db, const char *workload)
{
	struct campaign_ref c = {db, workload};
	return watch(child, open_campaign, &c, SIGINT);
}
