/*
 * The emulated LightTouch sensor's USB side: a umockdev testbed holding the
 * device's sysfs entry and descriptors, and a usbfs ioctl handler that keeps
 * the URB bookkeeping a Linux host controller driver would (submit, complete,
 * reap, discard, disconnect). What the device answers comes from the caller's
 * `lte_device_ops` (in LightTouch: the sensor model running the C device
 * reference).
 *
 * Threads: umockdev runs the ioctl handler on its worker thread; the optional
 * pump thread plays the host controller polling the interrupt endpoint every
 * millisecond. Both take the emulator's lock before calling any `ops`
 * function, so the ops are never called concurrently. The plug, unplug and
 * counter functions may be called from any thread.
 */
#ifndef LT_EMULATOR_H
#define LT_EMULATOR_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lte_emulator lte_emulator;

/* What the device says about itself in its descriptors. */
typedef struct lte_device_identity {
    uint16_t vendor_id;
    uint16_t product_id;
    uint16_t bcd_device;        /* firmware version, BCD 0xMMmm */
    const char *manufacturer;   /* iManufacturer */
    const char *product;        /* iProduct */
    const char *serial;         /* iSerialNumber */
} lte_device_identity;

/* The device behind the USB cable. Every function is called with the
 * emulator's lock held and must not block or call back into the emulator. */
typedef struct lte_device_ops {
    void *ctx;
    /* Run the device towards the present (wall-clock now) by at most one
     * bInterval (1 ms); return 1 when it is not there yet, 0 when it is. */
    int (*advance)(void *ctx);
    /* The host controller polls the interrupt IN endpoint: copy one packet
     * (at most 64 bytes) into `packet` and return its length, or return 0
     * for a NAK. */
    size_t (*poll_in)(void *ctx, uint8_t *packet);
    /* A vendor control request, with the contract of lt_device_control:
     * IN requests write at most wLength bytes to `data` and return the count,
     * OUT requests read wLength bytes from `data` and return 0, and -1 means
     * STALL. */
    int (*control)(void *ctx, uint8_t bmRequestType, uint8_t bRequest, uint16_t wValue,
                   uint16_t wIndex, uint16_t wLength, uint8_t *data);
} lte_device_ops;

/* What the emulated host controller did. */
typedef struct lte_counters {
    uint64_t in_packets;        /* interrupt IN URBs completed with a packet */
    uint64_t control_requests;  /* control URBs answered (standard and vendor) */
    uint64_t control_stalls;    /* control URBs answered with a STALL */
    uint64_t urbs_discarded;    /* URBs cancelled by the host (DISCARDURB) */
    uint64_t urbs_lost_to_unplug; /* URBs completed with -ENODEV at unplug */
    uint64_t plugs;
    uint64_t unplugs;
    /* Longest time a completed interrupt IN URB waited to be reaped (the host
     * not keeping up), and longest gap between two runs of the host
     * controller thread (the emulator not keeping up), microseconds. */
    uint64_t max_reap_wait_us;
    uint64_t max_pump_gap_us;
} lte_counters;

/* Creates the testbed (it sets UMOCKDEV_DIR in this process). Returns NULL
 * and writes a message into `error` on failure. The device is not plugged. */
lte_emulator *lte_emulator_new(const lte_device_identity *identity, lte_device_ops ops,
                               char *error, size_t error_size);

/* The testbed's root directory: the value for UMOCKDEV_DIR. */
const char *lte_emulator_root_dir(const lte_emulator *emulator);

/* The device node of the current (or last) plug, e.g. "/dev/bus/usb/001/002". */
const char *lte_emulator_devnode(const lte_emulator *emulator);

/* Mode for the emulated device node, applied at every plug (default 0666).
 * A mode other than 0666 also opens the testbed directory to everyone (mode
 * 1777, like /tmp), so that an unprivileged client can enumerate the device
 * and listen for uevents, but not open the node. */
void lte_emulator_set_node_mode(lte_emulator *emulator, unsigned int mode);

/* For a device that answers its standard requests itself (a firmware running
 * in a simulator): from now on every control request on endpoint 0 goes to
 * ops.control, and the sysfs `descriptors` attribute holds `descriptors` (the
 * device descriptor, then the configuration descriptor, as the device
 * returned them when it was enumerated). The bytes are copied. Returns 0, or
 * -1 when they are longer than 256 bytes. */
int lte_emulator_set_descriptors(lte_emulator *emulator, const uint8_t *descriptors, size_t length);

/* Plugs the device in: sysfs entry, device node with its ioctl handler, and an
 * "add" uevent. Each plug gets the next device number, as a real re-enumeration
 * does. Returns 0, or -1 with a message in `error`. */
int lte_emulator_plug(lte_emulator *emulator, char *error, size_t error_size);

/* Pulls the device out: every URB in flight completes with -ENODEV, later
 * ioctls on its open handles fail with ENODEV, a "remove" uevent is sent and
 * the sysfs entry removed. Returns 0, or -1 when it was not plugged. */
int lte_emulator_unplug(lte_emulator *emulator);

/* 1 while the device is plugged in. */
int lte_emulator_is_plugged(lte_emulator *emulator);

/* Starts the host-controller thread that polls the interrupt endpoint every
 * `period_us` microseconds while IN URBs are pending. Returns 0 or -1. */
int lte_emulator_start_pump(lte_emulator *emulator, unsigned int period_us);

lte_counters lte_emulator_counters(lte_emulator *emulator);

/* Stops the pump, removes the testbed and its directory, frees everything. */
void lte_emulator_free(lte_emulator *emulator);

#ifdef __cplusplus
}
#endif
#endif /* LT_EMULATOR_H */
