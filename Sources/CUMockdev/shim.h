/*
 * umockdev-1.0 (and the GLib/GObject it brings), wrapped once. Swift cannot
 * import function-like macros such as g_signal_connect, so they are wrapped
 * here as static inline functions.
 */
#ifndef LIGHTTOUCH_CUMOCKDEV_SHIM_H
#define LIGHTTOUCH_CUMOCKDEV_SHIM_H

#include <umockdev.h>

/* g_signal_connect is a macro over g_signal_connect_data. */
static inline gulong lt_g_signal_connect(gpointer instance, const gchar *signal, GCallback handler, gpointer data) {
    return g_signal_connect_data(instance, signal, handler, data, NULL, (GConnectFlags)0);
}

/* g_signal_connect_after, likewise. */
static inline gulong lt_g_signal_connect_after(gpointer instance, const gchar *signal, GCallback handler, gpointer data) {
    return g_signal_connect_data(instance, signal, handler, data, NULL, G_CONNECT_AFTER);
}

/* g_clear_object is a macro. */
static inline void lt_g_object_unref(gpointer object) {
    if (object != NULL) g_object_unref(object);
}

#endif
