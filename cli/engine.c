/* Choosing the engine (engine.h). */
#include "cli/engine.h"
#include "cli/sud.h"
#include "vmm/util.h"

#include <errno.h>
#include <fcntl.h>
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

enum engine engine_choose(enum engine want)
{
	int kerr = want == ENGINE_SUD ? 0 : kvm_usable();
	if (want == ENGINE_KVM && kerr)
		hl_fail(HL_EXIT_INTERNAL, "--engine kvm: /dev/kvm: %s", strerror(kerr));
	if (want == ENGINE_KVM || (want == ENGINE_AUTO && !kerr))
		return ENGINE_KVM;
	if (!sud_available())
		hl_fail(HL_EXIT_INTERNAL, "no engine can run here: /dev/kvm: %s; Syscall User Dispatch: %s",
			strerror(kerr ? kerr : ENOENT), sud_monitor_path() ? "not in this kernel (Linux 5.11+)"
								 : "hl-monitor not found");
	return ENGINE_SUD;
}
