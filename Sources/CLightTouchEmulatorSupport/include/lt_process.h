/*
 * Signal forwarding for lighttouch-emulator, which runs a command as its
 * child and must pass on a request to stop. Written in C because a signal
 * handler may only do async-signal-safe things (kill(2) here).
 */
#ifndef LT_PROCESS_H
#define LT_PROCESS_H

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* From now on SIGINT, SIGTERM and SIGHUP sent to this process by another
 * process (kill(2), si_code SI_USER/SI_QUEUE/SI_TKILL) are forwarded to
 * `child`. Signals the terminal generates (Ctrl-C) already reach the child
 * through its process group and are not sent twice. Returns 0 or -1. */
int lte_forward_signals(pid_t child);

/* Starts `file` (looked up in PATH) with `argv` and `envp`, like a shell
 * does: every signal unblocked and SIGINT, SIGTERM, SIGHUP, SIGQUIT and
 * SIGPIPE at their default action, whatever this process inherited (a test
 * runner may start us with them blocked or ignored). Returns 0 and sets
 * `*pid`, or an errno value. */
int lte_spawn(pid_t *pid, const char *file, char *const argv[], char *const envp[]);

#ifdef __cplusplus
}
#endif
#endif
