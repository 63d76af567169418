#define _GNU_SOURCE
#include "lt_process.h"

#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>

static volatile sig_atomic_t forward_to = 0;

static void forward(int number, siginfo_t *info, void *context) {
    (void)context;
    pid_t child = (pid_t)forward_to;
    if (child <= 0 || info == NULL) return;
    if (info->si_code == SI_USER || info->si_code == SI_QUEUE || info->si_code == SI_TKILL) {
        kill(child, number);
    }
}

int lte_forward_signals(pid_t child) {
    forward_to = (sig_atomic_t)child;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = forward;
    action.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&action.sa_mask);
    const int signals[] = { SIGINT, SIGTERM, SIGHUP };
    sigset_t unblock;
    sigemptyset(&unblock);
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) {
        if (sigaction(signals[i], &action, NULL) != 0) return -1;
        sigaddset(&unblock, signals[i]);
    }
    /* They may have been blocked by whoever started us; this thread takes them. */
    return pthread_sigmask(SIG_UNBLOCK, &unblock, NULL) == 0 ? 0 : -1;
}

int lte_spawn(pid_t *pid, const char *file, char *const argv[], char *const envp[]) {
    posix_spawnattr_t attributes;
    int result = posix_spawnattr_init(&attributes);
    if (result != 0) return result;
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    const int reset[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE };
    for (size_t i = 0; i < sizeof reset / sizeof reset[0]; i++) sigaddset(&defaults, reset[i]);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setsigdefault(&attributes, &defaults);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    result = posix_spawnp(pid, file, NULL, &attributes, argv, envp);
    posix_spawnattr_destroy(&attributes);
    return result;
}
