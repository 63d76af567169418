/*
 * The one place libusb-1.0 enters Swift (LightTouchUSB is its only user).
 * Holds static inline wrappers for what Swift cannot import: variadic
 * functions (libusb_set_option) and function-like helpers.
 */
#ifndef LIGHTTOUCH_CLIBUSB_SHIM_H
#define LIGHTTOUCH_CLIBUSB_SHIM_H

#include <libusb.h>

/* libusb_set_option is variadic; these are the two forms LightTouch uses. */
static inline int lt_libusb_set_log_level(libusb_context *ctx, int level) {
    return libusb_set_option(ctx, LIBUSB_OPTION_LOG_LEVEL, level);
}

static inline int lt_libusb_set_option_no_arg(libusb_context *ctx, enum libusb_option option) {
    return libusb_set_option(ctx, option);
}

/* libusb_fill_interrupt_transfer is static inline in libusb.h and imports, but
 * its callback type is awkward to name from Swift; this keeps the call simple. */
static inline void lt_libusb_fill_interrupt_in(struct libusb_transfer *transfer, libusb_device_handle *handle,
                                               unsigned char endpoint, unsigned char *buffer, int length,
                                               libusb_transfer_cb_fn callback, void *user_data) {
    libusb_fill_interrupt_transfer(transfer, handle, endpoint, buffer, length, callback, user_data, 0);
}

#endif
