#define _GNU_SOURCE
#include "lt_process.h"

#include <signal.h>
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
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) {
        if (sigaction(signals[i], &action, NULL) != 0) return -1;
    }
    return 0;
}
