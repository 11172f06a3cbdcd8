/* The hosted helpers (util.h). */
#include "analysis/util.h"

#include <string.h>
#include <sys/stat.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static void verr(const char *fmt, va_list ap)
{
	char buf[1024];
	int n = snprintf(buf, sizeof(buf), "hyperloupe: ");
	vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
	size_t len = 0;
	while (buf[len])
		len++;
	buf[len++] = '\n';
	/* One write, so lines from several processes never interleave. */
	if (write(2, buf, len) < 0)
		return;
}

void hl_err(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	verr(fmt, ap);
	va_end(ap);
}

void hl_fail(int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	verr(fmt, ap);
	va_end(ap);
	exit(status);
}

void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	verr(fmt, ap);
	va_end(ap);
	exit(HL_EXIT_INTERNAL);
}

char *hl_read_file(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t size = 0;
	if (!f)
		return NULL;
	FILE *m = open_memstream(&buf, &size);
	char chunk[65536];
	size_t n;
	while (m && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, m);
	if (m && fclose(m)) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

int hl_exit_code(int wait_status)
{
	return WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 128 + WTERMSIG(wait_status);
}

const char *hl_path_search(const char *name, char *buf, size_t len)
{
	if (strchr(name, '/'))
		return name;
	const char *path = getenv("PATH");
	path = path ? path : "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");
		struct stat st;
		snprintf(buf, len, "%.*s%s%s", (int)n, path, n ? "/" : "", name);
		if (access(buf, X_OK) == 0 && stat(buf, &st) == 0 && S_ISREG(st.st_mode))
			return buf;
		path += n + (path[n] == ':');
	}
	return NULL;
}
