#ifndef LIGHTTOUCH_CALSA_SHIM_H
#define LIGHTTOUCH_CALSA_SHIM_H

// ALSA's PCM API (libasound2-dev), wrapped once for LightTouchALSA.
#include <alsa/asoundlib.h>

/// Silences libasound's own error printing (it would write to stderr under the
/// trainer's screen); errors come back as return codes and are reported once.
static void lt_alsa_quiet_handler(const char *file, int line, const char *function, int err, const char *fmt, ...) {
    (void)file; (void)line; (void)function; (void)err; (void)fmt;
}

static inline void lt_alsa_silence_errors(void) { snd_lib_error_set_handler(lt_alsa_quiet_handler); }

#endif
