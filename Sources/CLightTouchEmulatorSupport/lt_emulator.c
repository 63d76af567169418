/*
 * usbfs emulation for one LightTouch sensor on a umockdev testbed.
 *
 * The ioctl protocol follows the Linux usbfs driver (drivers/usb/core/devio.c)
 * and what libusb's Linux backend expects of it; libusb's own tests/umockdev.c
 * shows the umockdev side (resolving the URB and its buffer at submit, handing
 * the URB back with umockdev_ioctl_data_set_ptr at reap).
 *
 * Ownership of the umockdev objects: UMockdevIoctlData and UMockdevIoctlClient
 * objects are only touched on umockdev's worker thread (inside the ioctl
 * handler). The pump thread only moves `lte_urb` records between lists and
 * writes into their own `payload` memory, under the lock; the handler copies
 * the payload into the client's URB when the URB is reaped.
 */
#define _GNU_SOURCE
#include "lt_emulator.h"

#include <errno.h>
#include <sys/ioctl.h>
#include <linux/usbdevice_fs.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <umockdev.h> /* through CUMockdev (pkg-config umockdev-1.0) */

#define LTE_SETUP_SIZE 8
#define LTE_IN_ENDPOINT 0x81
#define LTE_PACKET_SIZE 64
#define LTE_INTERFACE 0

typedef struct lte_urb {
    UMockdevIoctlData *data;     /* the client's struct usbdevfs_urb (resolved copy) */
    UMockdevIoctlData *buffer;   /* its buffer (resolved copy); NULL when empty */
    UMockdevIoctlClient *client; /* the handle (file descriptor) that submitted it */
    unsigned long client_addr;   /* the URB's address in the client */
    unsigned char type;
    unsigned char endpoint;
    int buffer_length;
    int direction_in;            /* data flows to the host (IN endpoint, or bmRequestType bit 7) */
    /* Completion, filled under the lock and copied out at reap. */
    int status;
    int actual_length;
    uint8_t *payload;            /* bytes for the buffer (after the setup packet for control) */
    uint64_t completed_at_us;    /* monotonic time of completion */
    int payload_offset;          /* 8 for control URBs, else 0 */
    struct lte_urb *next;
} lte_urb;

typedef struct lte_instance {
    lte_emulator *emulator;
    UMockdevIoctlBase *handler;
    int devnum;
    char devnode[64];
    char syspath[256];
    int unplugged;
    UMockdevIoctlClient *claim_owner; /* holds a reference */
    lte_urb *pending;   /* submitted, not complete, in submit order */
    lte_urb *completed; /* complete, not reaped, in completion order */
    struct lte_instance *next;
} lte_instance;

struct lte_emulator {
    pthread_mutex_t lock;
    UMockdevTestbed *testbed;
    char *root_dir;
    lte_device_identity identity;
    char *manufacturer, *product, *serial;
    lte_device_ops ops;
    unsigned int node_mode;
    int plug_count;
    lte_instance *live;       /* the plugged-in instance, or NULL */
    lte_instance *instances;  /* every instance ever plugged, kept for open handles */
    char last_devnode[64];
    lte_counters counters;
    pthread_t pump_thread;
    int pump_running;
    int pump_stop;
    unsigned int pump_period_us;
    /* Set by lte_emulator_set_descriptors: the device answers standard requests. */
    uint8_t own_descriptors[256];
    size_t own_descriptors_length;
};

static void set_error(char *error, size_t size, const char *format, ...) {
    if (error == NULL || size == 0) return;
    va_list args;
    va_start(args, format);
    vsnprintf(error, size, format, args);
    va_end(args);
}

/* ---- descriptors ---- */

static size_t device_descriptor(const lte_emulator *e, uint8_t *out) {
    const uint8_t d[18] = {
        18, 0x01, 0x00, 0x02,          /* bLength, DEVICE, bcdUSB 2.00 */
        0x00, 0x00, 0x00, 64,          /* class per interface, ep0 64 bytes */
        (uint8_t)e->identity.vendor_id, (uint8_t)(e->identity.vendor_id >> 8),
        (uint8_t)e->identity.product_id, (uint8_t)(e->identity.product_id >> 8),
        (uint8_t)e->identity.bcd_device, (uint8_t)(e->identity.bcd_device >> 8),
        1, 2, 3,                       /* iManufacturer, iProduct, iSerialNumber */
        1                              /* bNumConfigurations */
    };
    memcpy(out, d, sizeof d);
    return sizeof d;
}

static size_t config_descriptor(uint8_t *out) {
    const uint8_t d[25] = {
        /* configuration: 1 interface, value 1, bus powered, 100 mA */
        9, 0x02, 25, 0, 1, 1, 0, 0x80, 50,
        /* interface 0: one endpoint, vendor specific */
        9, 0x04, LTE_INTERFACE, 0, 1, 0xFF, 0x00, 0x00, 0,
        /* endpoint 0x81: interrupt IN, 64 bytes, every 1 ms */
        7, 0x05, LTE_IN_ENDPOINT, 0x03, LTE_PACKET_SIZE, 0, 1
    };
    memcpy(out, d, sizeof d);
    return sizeof d;
}

/* A string descriptor (UTF-16LE) for index 1..3, or the language list for 0. */
static int string_descriptor(const lte_emulator *e, uint8_t index, uint8_t *out, size_t capacity) {
    if (index == 0) {
        if (capacity < 4) return -1;
        out[0] = 4; out[1] = 0x03; out[2] = 0x09; out[3] = 0x04; /* en-US */
        return 4;
    }
    const char *text = index == 1 ? e->manufacturer : index == 2 ? e->product : index == 3 ? e->serial : NULL;
    if (text == NULL) return -1;
    size_t n = strlen(text);
    if (n > 126) n = 126;
    size_t length = 2 + 2 * n;
    if (capacity < length) length = capacity & ~(size_t)1;
    if (length < 2) return -1;
    out[0] = (uint8_t)(2 + 2 * n);
    out[1] = 0x03;
    for (size_t i = 0; 2 + 2 * i + 1 < length; i++) {
        out[2 + 2 * i] = (uint8_t)text[i];
        out[3 + 2 * i] = 0;
    }
    return (int)length;
}

/* ---- URB lists (called with the lock held) ---- */

static void urb_append(lte_urb **list, lte_urb *urb) {
    urb->next = NULL;
    while (*list != NULL) list = &(*list)->next;
    *list = urb;
}

static void urb_unlink(lte_urb **list, lte_urb *urb) {
    for (; *list != NULL; list = &(*list)->next) {
        if (*list == urb) {
            *list = urb->next;
            urb->next = NULL;
            return;
        }
    }
}

/* Frees a URB record. umockdev objects: worker thread only (see top). */
static void urb_free(lte_urb *urb) {
    if (urb->buffer != NULL) g_object_unref(urb->buffer);
    if (urb->data != NULL) g_object_unref(urb->data);
    if (urb->client != NULL) g_object_unref(urb->client);
    free(urb->payload);
    free(urb);
}

static uint64_t monotonic_us(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000000u + (uint64_t)now.tv_nsec / 1000u;
}

static void urb_complete(lte_instance *inst, lte_urb *urb, int status, int actual_length) {
    urb->completed_at_us = monotonic_us();
    urb_unlink(&inst->pending, urb);
    urb->status = status;
    urb->actual_length = actual_length;
    urb_append(&inst->completed, urb);
}

/* Frees the URBs of handles that were closed (worker thread, lock held). */
static void purge_closed_clients(lte_instance *inst) {
    lte_urb **lists[2] = { &inst->pending, &inst->completed };
    for (int i = 0; i < 2; i++) {
        lte_urb **link = lists[i];
        while (*link != NULL) {
            lte_urb *urb = *link;
            if (!umockdev_ioctl_client_get_connected(urb->client)) {
                *link = urb->next;
                urb_free(urb);
            } else {
                link = &urb->next;
            }
        }
    }
    if (inst->claim_owner != NULL && !umockdev_ioctl_client_get_connected(inst->claim_owner)) {
        g_object_unref(inst->claim_owner);
        inst->claim_owner = NULL;
    }
}

/* The host controller polls the interrupt IN endpoint for every IN URB that
 * the interface's owner has pending, in submit order, until the device NAKs.
 * Lock held. */
static void poll_endpoint_locked(lte_emulator *e, lte_instance *inst) {
    lte_urb *urb = inst->pending;
    while (urb != NULL) {
        lte_urb *next = urb->next;
        if (urb->type == USBDEVFS_URB_TYPE_INTERRUPT && urb->endpoint == LTE_IN_ENDPOINT &&
            urb->client == inst->claim_owner) {
            uint8_t packet[LTE_PACKET_SIZE];
            size_t length = e->ops.poll_in(e->ops.ctx, packet);
            if (length == 0) break;
            if (length > LTE_PACKET_SIZE) length = LTE_PACKET_SIZE;
            int copied = (int)length <= urb->buffer_length ? (int)length : urb->buffer_length;
            memcpy(urb->payload, packet, (size_t)copied);
            e->counters.in_packets++;
            urb_complete(inst, urb, (int)length > urb->buffer_length ? -EOVERFLOW : 0, copied);
        }
        urb = next;
    }
}

/* Runs the device up to now, polling the endpoint after every step: a real
 * host controller polls every bInterval in hardware, so a late pump thread
 * must not turn into frames the device could not hand over. Lock held. */
static void pump_locked(lte_emulator *e) {
    lte_instance *inst = e->live;
    if (inst == NULL || inst->unplugged) return;
    for (int step = 0; step < 10000; step++) {
        int more = e->ops.advance(e->ops.ctx);
        poll_endpoint_locked(e, inst);
        if (!more) break;
    }
}

/* ---- control requests (lock held) ---- */

/* Answers a control URB. Returns the status for the URB (0 or -EPIPE) and the
 * byte count in *actual. */
static int control_locked(lte_emulator *e, lte_urb *urb, const uint8_t *setup, const uint8_t *out_data, int *actual) {
    uint8_t request_type = setup[0], request = setup[1];
    uint16_t value = (uint16_t)(setup[2] | setup[3] << 8);
    uint16_t index = (uint16_t)(setup[4] | setup[5] << 8);
    uint16_t length = (uint16_t)(setup[6] | setup[7] << 8);
    int capacity = urb->buffer_length; /* the setup packet is already excluded */
    int is_in = (request_type & 0x80) != 0;
    *actual = 0;
    e->counters.control_requests++;
    if (capacity < 0 || (int)length > capacity) {
        e->counters.control_stalls++;
        return -EPIPE;
    }

    if ((request_type & 0x60) == 0x00 && e->own_descriptors_length == 0) { /* standard */
        if (request == 0x06 && request_type == 0x80) { /* GET_DESCRIPTOR */
            uint8_t scratch[256];
            int n = -1;
            switch (value >> 8) {
            case 0x01: n = (int)device_descriptor(e, scratch); break;
            case 0x02: n = (int)config_descriptor(scratch); break;
            case 0x03: n = string_descriptor(e, (uint8_t)value, scratch, sizeof scratch); break;
            default: break;
            }
            if (n < 0) {
                e->counters.control_stalls++;
                return -EPIPE;
            }
            if (n > length) n = length;
            memcpy(urb->payload, scratch, (size_t)n);
            *actual = n;
            return 0;
        }
        if (request == 0x00 && is_in) { /* GET_STATUS: bus powered, no remote wakeup */
            int n = length < 2 ? length : 2;
            memset(urb->payload, 0, (size_t)n);
            *actual = n;
            return 0;
        }
        if (request == 0x08 && is_in) { /* GET_CONFIGURATION */
            if (length >= 1) urb->payload[0] = 1;
            *actual = length >= 1 ? 1 : 0;
            return 0;
        }
        if (!is_in && (request == 0x09 || request == 0x0B || request == 0x01 || request == 0x03)) {
            return 0; /* SET_CONFIGURATION, SET_INTERFACE, CLEAR/SET_FEATURE */
        }
        e->counters.control_stalls++;
        return -EPIPE;
    }

    if ((request_type & 0x60) == 0x40 || e->own_descriptors_length > 0) { /* vendor, or a device with its own descriptors */
        /* A host controller keeps serving the interrupt endpoint between
         * control transfers; let it catch up before the device acts. */
        pump_locked(e);
        uint8_t *data = calloc((size_t)length + LTE_PACKET_SIZE, 1);
        if (data == NULL) {
            e->counters.control_stalls++;
            return -EPIPE;
        }
        if (!is_in && length > 0) memcpy(data, out_data, length);
        int result = e->ops.control(e->ops.ctx, request_type, request, value, index, length, data);
        if (result < 0) {
            free(data);
            e->counters.control_stalls++;
            return -EPIPE;
        }
        if (is_in) {
            int n = result > length ? length : result;
            memcpy(urb->payload, data, (size_t)n);
            *actual = n;
        } else {
            *actual = length;
        }
        free(data);
        return 0;
    }

    e->counters.control_stalls++;
    return -EPIPE;
}

/* ---- the ioctl handler (umockdev worker thread) ---- */

static void complete_client(UMockdevIoctlClient *client, long result, int error_number) {
    umockdev_ioctl_client_complete(client, result, error_number);
}

/* Reads the unsigned int an ioctl argument points to. */
static int read_uint_arg(UMockdevIoctlData *arg, unsigned int *value) {
    UMockdevIoctlData *d = umockdev_ioctl_data_resolve(arg, 0, sizeof(unsigned int), NULL);
    if (d == NULL) return -1;
    memcpy(value, d->data, sizeof(unsigned int));
    g_object_unref(d);
    return 0;
}

static gboolean handle_submit(lte_instance *inst, UMockdevIoctlClient *client, UMockdevIoctlData *arg) {
    lte_emulator *e = inst->emulator;
    UMockdevIoctlData *data = umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_urb), NULL);
    if (data == NULL) {
        complete_client(client, -1, EFAULT);
        return TRUE;
    }
    struct usbdevfs_urb *u = (struct usbdevfs_urb *)data->data;
    if (u->buffer_length < 0 || u->buffer_length > 65536 ||
        (u->type == USBDEVFS_URB_TYPE_CONTROL && u->buffer_length < LTE_SETUP_SIZE)) {
        g_object_unref(data);
        complete_client(client, -1, EINVAL);
        return TRUE;
    }
    UMockdevIoctlData *buffer = NULL;
    if (u->buffer_length > 0) {
        buffer = umockdev_ioctl_data_resolve(data, G_STRUCT_OFFSET(struct usbdevfs_urb, buffer),
                                             (gsize)u->buffer_length, NULL);
        if (buffer == NULL) {
            g_object_unref(data);
            complete_client(client, -1, EFAULT);
            return TRUE;
        }
    }
    /* resolve() rewrote the buffer field to point to the local copy. */
    u = (struct usbdevfs_urb *)data->data;

    lte_urb *urb = calloc(1, sizeof *urb);
    uint8_t *payload = calloc((size_t)u->buffer_length + 1, 1);
    if (urb == NULL || payload == NULL) {
        free(urb);
        free(payload);
        if (buffer != NULL) g_object_unref(buffer);
        g_object_unref(data);
        complete_client(client, -1, ENOMEM);
        return TRUE;
    }
    urb->data = data;
    urb->buffer = buffer;
    urb->client = g_object_ref(client);
    urb->client_addr = data->client_addr;
    urb->type = u->type;
    urb->endpoint = u->endpoint;
    urb->buffer_length = u->type == USBDEVFS_URB_TYPE_CONTROL ? u->buffer_length - LTE_SETUP_SIZE : u->buffer_length;
    urb->payload = payload;
    urb->payload_offset = u->type == USBDEVFS_URB_TYPE_CONTROL ? LTE_SETUP_SIZE : 0;
    urb->direction_in = (u->endpoint & 0x80) != 0;

    pthread_mutex_lock(&e->lock);
    purge_closed_clients(inst);
    int error_number = 0;
    if (inst->unplugged) {
        error_number = ENODEV;
    } else if (urb->type == USBDEVFS_URB_TYPE_CONTROL && (urb->endpoint & 0x7F) == 0) {
        const uint8_t *bytes = buffer != NULL ? buffer->data : NULL;
        if (bytes == NULL) {
            error_number = EFAULT;
        } else {
            /* Control URBs are served at once: queue it, then complete it. */
            urb_append(&inst->pending, urb);
            urb->direction_in = (bytes[0] & 0x80) != 0;
            int actual = 0;
            int status = control_locked(e, urb, bytes, bytes + LTE_SETUP_SIZE, &actual);
            urb_complete(inst, urb, status, actual);
        }
    } else if (urb->type == USBDEVFS_URB_TYPE_INTERRUPT && urb->endpoint == LTE_IN_ENDPOINT) {
        /* usbfs claims the interface implicitly, or refuses when another
         * handle holds it (devio.c, checkintf). */
        if (inst->claim_owner != NULL && inst->claim_owner != client) {
            error_number = EBUSY;
        } else {
            if (inst->claim_owner == NULL) inst->claim_owner = g_object_ref(client);
            urb_append(&inst->pending, urb);
            pump_locked(e);
        }
    } else {
        error_number = ENOENT; /* no such endpoint */
    }
    pthread_mutex_unlock(&e->lock);

    if (error_number != 0) {
        urb_free(urb);
        complete_client(client, -1, error_number);
    } else {
        complete_client(client, 0, 0);
    }
    return TRUE;
}

static gboolean handle_reap(lte_instance *inst, UMockdevIoctlClient *client, UMockdevIoctlData *arg) {
    lte_emulator *e = inst->emulator;
    pthread_mutex_lock(&e->lock);
    pump_locked(e);
    lte_urb *urb = NULL;
    for (lte_urb *candidate = inst->completed; candidate != NULL; candidate = candidate->next) {
        if (candidate->client == client) {
            urb = candidate;
            break;
        }
    }
    if (urb != NULL) {
        urb_unlink(&inst->completed, urb);
        if (urb->type == USBDEVFS_URB_TYPE_INTERRUPT && urb->status == 0) {
            uint64_t waited = monotonic_us() - urb->completed_at_us;
            if (waited > e->counters.max_reap_wait_us) e->counters.max_reap_wait_us = waited;
        }
    }
    int unplugged = inst->unplugged;
    pthread_mutex_unlock(&e->lock);

    if (urb == NULL) {
        complete_client(client, -1, unplugged ? ENODEV : EAGAIN);
        return TRUE;
    }

    struct usbdevfs_urb *u = (struct usbdevfs_urb *)urb->data->data;
    u->status = urb->status;
    u->actual_length = urb->actual_length;
    if (urb->buffer != NULL && urb->actual_length > 0 && urb->direction_in) {
        memcpy(urb->buffer->data + urb->payload_offset, urb->payload, (size_t)urb->actual_length);
    }
    UMockdevIoctlData *pointer = umockdev_ioctl_data_resolve(arg, 0, sizeof(gpointer), NULL);
    if (pointer == NULL) {
        urb_free(urb);
        complete_client(client, -1, EFAULT);
        return TRUE;
    }
    umockdev_ioctl_data_set_ptr(pointer, 0, urb->data);
    complete_client(client, 0, 0);
    g_object_unref(pointer);
    /* The flush that writes the URB back runs after complete(); the parent
     * (`pointer`, owned by the argument) keeps `data` alive until then. */
    urb_free(urb);
    return TRUE;
}

static gboolean handle_discard(lte_instance *inst, UMockdevIoctlClient *client, UMockdevIoctlData *arg) {
    lte_emulator *e = inst->emulator;
    unsigned long address = 0;
    memcpy(&address, arg->data, sizeof address);
    pthread_mutex_lock(&e->lock);
    lte_urb *urb = NULL;
    for (lte_urb *candidate = inst->pending; candidate != NULL; candidate = candidate->next) {
        if (candidate->client == client && candidate->client_addr == address) {
            urb = candidate;
            break;
        }
    }
    if (urb != NULL) {
        urb_complete(inst, urb, -ENOENT, 0);
        e->counters.urbs_discarded++;
    }
    pthread_mutex_unlock(&e->lock);
    /* A URB that already completed cannot be discarded: it is reaped as it is. */
    complete_client(client, urb != NULL ? 0 : -1, urb != NULL ? 0 : EINVAL);
    return TRUE;
}

static gboolean handle_claim(lte_instance *inst, UMockdevIoctlClient *client, UMockdevIoctlData *arg, int claim) {
    lte_emulator *e = inst->emulator;
    unsigned int interface = 0;
    if (read_uint_arg(arg, &interface) != 0) {
        complete_client(client, -1, EFAULT);
        return TRUE;
    }
    int error_number = 0;
    pthread_mutex_lock(&e->lock);
    purge_closed_clients(inst);
    if (inst->unplugged) {
        error_number = ENODEV;
    } else if (interface != LTE_INTERFACE) {
        error_number = ENOENT;
    } else if (claim) {
        if (inst->claim_owner == NULL) inst->claim_owner = g_object_ref(client);
        else if (inst->claim_owner != client) error_number = EBUSY;
    } else {
        if (inst->claim_owner == client) {
            g_object_unref(inst->claim_owner);
            inst->claim_owner = NULL;
        } else {
            error_number = EINVAL;
        }
    }
    pthread_mutex_unlock(&e->lock);
    complete_client(client, error_number ? -1 : 0, error_number);
    return TRUE;
}

static gboolean handle_ioctl(UMockdevIoctlBase *handler, UMockdevIoctlClient *client, gpointer user_data) {
    (void)handler;
    lte_instance *inst = user_data;
    lte_emulator *e = inst->emulator;
    gulong request = umockdev_ioctl_client_get_request(client);
    UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client);

    switch (request) {
    case USBDEVFS_SUBMITURB:
        return handle_submit(inst, client, arg);
    case USBDEVFS_REAPURB:
    case USBDEVFS_REAPURBNDELAY:
        /* A blocking reap is answered like a non-blocking one: libusb only
         * uses REAPURBNDELAY. */
        return handle_reap(inst, client, arg);
    case USBDEVFS_DISCARDURB:
        return handle_discard(inst, client, arg);
    case USBDEVFS_CLAIMINTERFACE:
        return handle_claim(inst, client, arg, 1);
    case USBDEVFS_RELEASEINTERFACE:
        return handle_claim(inst, client, arg, 0);
    case USBDEVFS_DISCONNECT_CLAIM: {
        /* struct usbdevfs_disconnect_claim starts with the interface number. */
        return handle_claim(inst, client, arg, 1);
    }
    default:
        break;
    }

    pthread_mutex_lock(&e->lock);
    int unplugged = inst->unplugged;
    pthread_mutex_unlock(&e->lock);
    if (unplugged) {
        complete_client(client, -1, ENODEV);
        return TRUE;
    }

    switch (request) {
    case USBDEVFS_GET_CAPABILITIES: {
        UMockdevIoctlData *d = umockdev_ioctl_data_resolve(arg, 0, sizeof(guint32), NULL);
        if (d == NULL) {
            complete_client(client, -1, EFAULT);
            return TRUE;
        }
        guint32 capabilities = USBDEVFS_CAP_ZERO_PACKET | USBDEVFS_CAP_BULK_CONTINUATION |
                               USBDEVFS_CAP_NO_PACKET_SIZE_LIM | USBDEVFS_CAP_REAP_AFTER_DISCONNECT;
        memcpy(d->data, &capabilities, sizeof capabilities);
        g_object_unref(d);
        complete_client(client, 0, 0);
        return TRUE;
    }
    case USBDEVFS_CLEAR_HALT:
    case USBDEVFS_RESETEP:
    case USBDEVFS_RESET:
    case USBDEVFS_SETCONFIGURATION:
    case USBDEVFS_SETINTERFACE:
        complete_client(client, 0, 0);
        return TRUE;
    case USBDEVFS_IOCTL:
    case USBDEVFS_GETDRIVER:
        /* No kernel driver is bound to a vendor-specific interface. */
        complete_client(client, -1, ENODATA);
        return TRUE;
    default:
        complete_client(client, -1, ENOTTY);
        return TRUE;
    }
}

/* ---- the pump thread ---- */

static void *pump_main(void *context) {
    lte_emulator *e = context;
    struct timespec period = { .tv_sec = 0, .tv_nsec = (long)e->pump_period_us * 1000L };
    uint64_t last = monotonic_us();
    for (;;) {
        pthread_mutex_lock(&e->lock);
        int stop = e->pump_stop;
        uint64_t now = monotonic_us();
        if (e->live != NULL && now - last > e->counters.max_pump_gap_us) e->counters.max_pump_gap_us = now - last;
        last = now;
        if (!stop) pump_locked(e);
        pthread_mutex_unlock(&e->lock);
        if (stop) break;
        nanosleep(&period, NULL);
    }
    return NULL;
}

/* ---- public API ---- */

lte_emulator *lte_emulator_new(const lte_device_identity *identity, lte_device_ops ops, char *error, size_t error_size) {
    if (identity == NULL || identity->serial == NULL || ops.advance == NULL || ops.poll_in == NULL ||
        ops.control == NULL) {
        set_error(error, error_size, "incomplete device description");
        return NULL;
    }
    lte_emulator *e = calloc(1, sizeof *e);
    if (e == NULL) {
        set_error(error, error_size, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&e->lock, NULL);
    e->identity = *identity;
    e->manufacturer = strdup(identity->manufacturer != NULL ? identity->manufacturer : "LightTouch");
    e->product = strdup(identity->product != NULL ? identity->product : "LightTouch Force Sensor");
    e->serial = strdup(identity->serial);
    e->ops = ops;
    e->node_mode = 0666;
    e->testbed = umockdev_testbed_new();
    if (e->testbed == NULL || e->manufacturer == NULL || e->product == NULL || e->serial == NULL) {
        set_error(error, error_size, "could not create the umockdev testbed");
        lte_emulator_free(e);
        return NULL;
    }
    e->root_dir = umockdev_testbed_get_root_dir(e->testbed);
    return e;
}

const char *lte_emulator_root_dir(const lte_emulator *e) { return e->root_dir; }

int lte_emulator_set_descriptors(lte_emulator *e, const uint8_t *descriptors, size_t length) {
    if (descriptors == NULL || length == 0 || length > sizeof e->own_descriptors) return -1;
    pthread_mutex_lock(&e->lock);
    memcpy(e->own_descriptors, descriptors, length);
    e->own_descriptors_length = length;
    pthread_mutex_unlock(&e->lock);
    return 0;
}

const char *lte_emulator_devnode(const lte_emulator *e) { return e->last_devnode; }

void lte_emulator_set_node_mode(lte_emulator *e, unsigned int mode) {
    pthread_mutex_lock(&e->lock);
    e->node_mode = mode & 07777;
    pthread_mutex_unlock(&e->lock);
}

static void append_hex(GString *s, const uint8_t *bytes, size_t n) {
    for (size_t i = 0; i < n; i++) g_string_append_printf(s, "%02x", bytes[i]);
}

int lte_emulator_plug(lte_emulator *e, char *error, size_t error_size) {
    pthread_mutex_lock(&e->lock);
    if (e->live != NULL) {
        pthread_mutex_unlock(&e->lock);
        set_error(error, error_size, "the device is already plugged in");
        return -1;
    }
    int devnum = ++e->plug_count + 1; /* 1 is the root hub's number on a real bus */
    unsigned int mode = e->node_mode;
    pthread_mutex_unlock(&e->lock);

    lte_instance *inst = calloc(1, sizeof *inst);
    if (inst == NULL) {
        set_error(error, error_size, "out of memory");
        return -1;
    }
    inst->emulator = e;
    inst->devnum = devnum;
    snprintf(inst->devnode, sizeof inst->devnode, "/dev/bus/usb/001/%03d", devnum);
    inst->handler = umockdev_ioctl_base_new();
    g_signal_connect(inst->handler, "handle-ioctl", G_CALLBACK(handle_ioctl), inst);

    GError *gerror = NULL;
    if (!umockdev_testbed_attach_ioctl(e->testbed, inst->devnode, inst->handler, &gerror)) {
        set_error(error, error_size, "could not attach the usbfs handler to %s: %s", inst->devnode,
                  gerror != NULL ? gerror->message : "unknown error");
        if (gerror != NULL) g_error_free(gerror);
        g_object_unref(inst->handler);
        free(inst);
        return -1;
    }

    uint8_t descriptors[256];
    size_t n;
    pthread_mutex_lock(&e->lock);
    if (e->own_descriptors_length > 0) {
        n = e->own_descriptors_length;
        memcpy(descriptors, e->own_descriptors, n);
    } else {
        n = device_descriptor(e, descriptors);
        n += config_descriptor(descriptors + n);
    }
    pthread_mutex_unlock(&e->lock);
    GString *s = g_string_new(NULL);
    g_string_append_printf(s, "P: /devices/pci0000:00/0000:00:14.0/usb1/1-1\n");
    g_string_append_printf(s, "N: bus/usb/001/%03d\n", devnum);
    g_string_append(s, "E: SUBSYSTEM=usb\nE: DEVTYPE=usb_device\nE: DRIVER=usb\n");
    g_string_append_printf(s, "E: PRODUCT=%x/%x/%x\n", e->identity.vendor_id, e->identity.product_id,
                           e->identity.bcd_device);
    g_string_append_printf(s, "E: BUSNUM=001\nE: DEVNUM=%03d\nE: DEVNAME=%s\n", devnum, inst->devnode);
    g_string_append_printf(s, "E: MAJOR=189\nE: MINOR=%d\n", devnum - 1);
    g_string_append_printf(s, "A: busnum=1\\n\nA: devnum=%d\\n\nA: speed=12\\n\n", devnum);
    g_string_append(s, "A: bConfigurationValue=1\\n\nA: bNumConfigurations=1\\n\nA: bNumInterfaces= 1\\n\n");
    g_string_append_printf(s, "A: idVendor=%04x\\n\nA: idProduct=%04x\\n\nA: bcdDevice=%04x\\n\n",
                           e->identity.vendor_id, e->identity.product_id, e->identity.bcd_device);
    g_string_append_printf(s, "A: manufacturer=%s\\n\nA: product=%s\\n\nA: serial=%s\\n\n", e->manufacturer,
                           e->product, e->serial);
    g_string_append(s, "H: descriptors=");
    append_hex(s, descriptors, n);
    g_string_append(s, "\n");

    gboolean added = umockdev_testbed_add_from_string(e->testbed, s->str, &gerror);
    g_string_free(s, TRUE);
    if (!added) {
        set_error(error, error_size, "could not add the emulated device: %s",
                  gerror != NULL ? gerror->message : "unknown error");
        if (gerror != NULL) g_error_free(gerror);
        umockdev_testbed_detach_ioctl(e->testbed, inst->devnode, NULL);
        g_object_unref(inst->handler);
        free(inst);
        return -1;
    }
    snprintf(inst->syspath, sizeof inst->syspath, "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-1");

    if (mode != 0666) {
        char path[4096];
        snprintf(path, sizeof path, "%s%s", e->root_dir, inst->devnode);
        chmod(path, mode);
        /* umockdev's preload connects to the node's ioctl socket before it
         * opens the node, and gives up on the process if it cannot: let
         * everyone connect, so that the node's own mode decides. */
        snprintf(path, sizeof path, "%s/ioctl%s", e->root_dir, inst->devnode);
        chmod(path, 0666);
        /* An unprivileged client must still enumerate the device and create
         * its uevent socket in the testbed root: make the root like /tmp. */
        chmod(e->root_dir, 01777);
    }

    pthread_mutex_lock(&e->lock);
    inst->next = e->instances;
    e->instances = inst;
    e->live = inst;
    snprintf(e->last_devnode, sizeof e->last_devnode, "%s", inst->devnode);
    e->counters.plugs++;
    pthread_mutex_unlock(&e->lock);

    umockdev_testbed_uevent(e->testbed, inst->syspath, "add");
    return 0;
}

int lte_emulator_unplug(lte_emulator *e) {
    pthread_mutex_lock(&e->lock);
    lte_instance *inst = e->live;
    if (inst == NULL) {
        pthread_mutex_unlock(&e->lock);
        return -1;
    }
    e->live = NULL;
    inst->unplugged = 1;
    while (inst->pending != NULL) {
        e->counters.urbs_lost_to_unplug++;
        urb_complete(inst, inst->pending, -ENODEV, 0);
    }
    e->counters.unplugs++;
    pthread_mutex_unlock(&e->lock);

    umockdev_testbed_uevent(e->testbed, inst->syspath, "remove");
    umockdev_testbed_remove_device(e->testbed, inst->syspath);
    return 0;
}

int lte_emulator_is_plugged(lte_emulator *e) {
    pthread_mutex_lock(&e->lock);
    int plugged = e->live != NULL;
    pthread_mutex_unlock(&e->lock);
    return plugged;
}

int lte_emulator_start_pump(lte_emulator *e, unsigned int period_us) {
    pthread_mutex_lock(&e->lock);
    if (e->pump_running) {
        pthread_mutex_unlock(&e->lock);
        return 0;
    }
    e->pump_period_us = period_us > 0 ? period_us : 1000;
    e->pump_stop = 0;
    int r = pthread_create(&e->pump_thread, NULL, pump_main, e);
    if (r == 0) e->pump_running = 1;
    pthread_mutex_unlock(&e->lock);
    return r == 0 ? 0 : -1;
}

lte_counters lte_emulator_counters(lte_emulator *e) {
    pthread_mutex_lock(&e->lock);
    lte_counters c = e->counters;
    pthread_mutex_unlock(&e->lock);
    return c;
}

void lte_emulator_free(lte_emulator *e) {
    if (e == NULL) return;
    pthread_mutex_lock(&e->lock);
    int running = e->pump_running;
    e->pump_stop = 1;
    pthread_mutex_unlock(&e->lock);
    if (running) pthread_join(e->pump_thread, NULL);

    if (e->testbed != NULL) {
        /* Removing the testbed stops its worker thread; after that nothing
         * else touches the URB records. */
        g_object_unref(e->testbed);
        e->testbed = NULL;
    }
    while (e->instances != NULL) {
        lte_instance *inst = e->instances;
        e->instances = inst->next;
        lte_urb *lists[2] = { inst->pending, inst->completed };
        for (int i = 0; i < 2; i++) {
            while (lists[i] != NULL) {
                lte_urb *next = lists[i]->next;
                urb_free(lists[i]);
                lists[i] = next;
            }
        }
        if (inst->claim_owner != NULL) g_object_unref(inst->claim_owner);
        if (inst->handler != NULL) g_object_unref(inst->handler);
        free(inst);
    }
    g_free(e->root_dir);
    free(e->manufacturer);
    free(e->product);
    free(e->serial);
    pthread_mutex_destroy(&e->lock);
    free(e);
}
