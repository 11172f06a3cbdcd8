/* The engines behind `hyperloupe run` (DESIGN.md "Engines"): kvm, a KVM
 * process VM (vmm/), and sud, the in-process monitor on Syscall User
 * Dispatch (monitor/).  auto takes kvm where /dev/kvm opens and makes a
 * VM, else sud. */
#ifndef HL_CLI_ENGINE_H
#define HL_CLI_ENGINE_H

enum engine { ENGINE_AUTO, ENGINE_KVM, ENGINE_SUD };

/* `auto`, `kvm` or `sud`; exits 2 on anything else. */
enum engine engine_parse(const char *name);

/* The engine a run gets here: auto resolved; exits 125 with one line
 * when the one asked for (or, for auto, any) cannot run. */
enum engine engine_choose(enum engine want);

const char *engine_name(enum engine e);

/* --engine NAME of the commands that run workloads through `hyperloupe
 * run` (explore, images check): checked here (exit 125 when it cannot
 * run), then $HL_ENGINE, which every run they start takes. */
void engine_select(const char *name);

/* The default of --engine: $HL_ENGINE, else auto. */
enum engine engine_default(void);

int cmd_engines(int argc, char **argv);

#endif
