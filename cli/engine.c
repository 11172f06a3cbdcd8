/* Choosing the engine (engine.h). */
#include "cli/engine.h"
#include "cli/sud.h"
#include "vmm/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static const char *const names[] = {"auto", "kvm", "sud"};

const char *engine_name(enum engine e)
{
	return names[e];
}

enum engine engine_parse(const char *name)
{
	for (int e = ENGINE_AUTO; e <= ENGINE_SUD; e++)
		if (!strcmp(name, names[e]))
			return (enum engine)e;
	hl_fail(2, "run: --engine %s: not auto, kvm or sud", name);
}

void engine_select(const char *name)
{
	enum engine e = engine_parse(name);
	engine_choose(e);
	setenv("HL_ENGINE", names[e], 1);
}

enum engine engine_default(void)
{
	const char *env = getenv("HL_ENGINE");
	return env && *env ? engine_parse(env) : ENGINE_AUTO;
}

/* /dev/kvm opens and makes a VM: 0, or the errno that stops it. */
static int kvm_usable(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return errno;
	int vm = ioctl(fd, KVM_GET_API_VERSION, 0) == KVM_API_VERSION ? ioctl(fd, KVM_CREATE_VM, 0) : -1;
	int err = vm < 0 ? (errno ? errno : ENODEV) : 0;
	if (vm >= 0)
		close(vm);
	close(fd);
	return err;
}

/* Why the sud engine cannot run here, or NULL when it can. */
static const char *sud_missing(void)
{
	if (!sud_available())
		return sud_monitor_path() ? "Syscall User Dispatch: not in this kernel (Linux 5.11+)"
					  : "hl-monitor not found beside hyperloupe";
	return NULL;
}

enum engine engine_choose(enum engine want)
{
	int kerr = want == ENGINE_SUD ? 0 : kvm_usable();
	if (want == ENGINE_KVM && kerr)
		hl_fail(HL_EXIT_INTERNAL, "--engine kvm: /dev/kvm: %s", strerror(kerr));
	if (want == ENGINE_KVM || (want == ENGINE_AUTO && !kerr))
		return ENGINE_KVM;
	const char *why = sud_missing();
	if (why && want == ENGINE_SUD)
		hl_fail(HL_EXIT_INTERNAL, "--engine sud: %s", why);
	if (why)
		hl_fail(HL_EXIT_INTERNAL, "no engine can run here: /dev/kvm: %s; %s", strerror(kerr), why);
	return ENGINE_SUD;
}

/* `hyperloupe engines [--check NAME]`: which engines this machine offers,
 * and why not; --check exits 0 when NAME can run, 77 when this machine
 * lacks what it needs (the tests' skip status), 1 when it is not built. */
int cmd_engines(int argc, char **argv)
{
	int kerr = kvm_usable();
	const char *swhy = sud_missing();
	if (argc == 3 && !strcmp(argv[1], "--check")) {
		enum engine e = engine_parse(argv[2]);
		const char *why = e == ENGINE_KVM ? (kerr ? strerror(kerr) : NULL) : e == ENGINE_SUD ? swhy
				  : kerr && swhy ? "neither engine" : NULL;
		if (why)
			printf("%s engine: absent here: %s%s\n", names[e], e == ENGINE_KVM ? "/dev/kvm: " : "", why);
		return !why ? 0 : e == ENGINE_SUD && sud_monitor_path() == NULL ? 1 : 77;
	}
	if (argc != 1)
		hl_fail(2, "usage: hyperloupe engines [--check auto|kvm|sud]");
	printf("kvm   %s%s\n", kerr ? "absent: /dev/kvm: " : "available: /dev/kvm makes a VM",
	       kerr ? strerror(kerr) : "");
	printf("sud   %s%s (monitor: %s)\n", swhy ? "absent: " : "available: Syscall User Dispatch",
	       swhy ? swhy : "", sud_monitor_path() ? sud_monitor_path() : "none");
	printf("auto  %s\n", !kerr ? "kvm" : !swhy ? "sud" : "none");
	return 0;
}
