/*
 * LightTouch sensor protocol 1.0: portable device-side reference.
 *
 * This is the code a sensor firmware links. It builds frames (PROTOCOL.md §3)
 * from ADC samples, keeps the transmit FIFO (§2.1), answers the vendor control
 * requests (§4) and stores the calibration blob (§5) through an abstract flash.
 * It has no dependency beyond the C99 standard headers, allocates nothing and
 * is not thread-safe: the firmware (or the simulator) serialises calls.
 */
#ifndef LT_DEVICE_H
#define LT_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LT_PROTOCOL_MAJOR 1
#define LT_PROTOCOL_MINOR 0

#define LT_USB_VID 0x1209
#define LT_USB_PID 0x0001
#define LT_EP_IN 0x81
#define LT_PACKET_SIZE 64

#define LT_FRAME_MAGIC 0x544Cu
#define LT_FRAME_HEADER_SIZE 16
#define LT_FRAME_CRC_SIZE 4
#define LT_FRAME_MIN_SIZE 20
#define LT_FRAME_MAX_SIZE 64
#define LT_FRAME_MAX_COUNTS 14 /* channels x samples per frame */
#define LT_MAX_CHANNELS 4
#define LT_TX_FIFO_FRAMES 8

#define LT_ADC_MIN (-8388608)
#define LT_ADC_MAX 8388607

/* Frame flags (§3). */
#define LT_FLAG_ADC_SATURATED 0x01u
#define LT_FLAG_ADC_NOT_READY 0x02u
#define LT_FLAG_FIFO_OVERFLOW 0x04u

/* Vendor control requests (§4). */
#define LT_REQTYPE_IN 0xC0u
#define LT_REQTYPE_OUT 0x40u
#define LT_REQ_GET_INFO 0x01u
#define LT_REQ_START_STREAM 0x02u
#define LT_REQ_STOP_STREAM 0x03u
#define LT_REQ_SET_RATE 0x04u
#define LT_REQ_GET_STATUS 0x05u
#define LT_REQ_READ_CALIBRATION 0x06u
#define LT_REQ_WRITE_CALIBRATION 0x07u
#define LT_REQ_ERASE_CALIBRATION 0x08u
#define LT_REQ_IDENTIFY 0x09u

#define LT_INFO_SIZE 64
#define LT_STATUS_SIZE 16

/* Supported-rate bits (§4.1). */
#define LT_RATE_10HZ 0x01u
#define LT_RATE_80HZ 0x02u
#define LT_RATE_320HZ 0x04u
#define LT_RATE_1000HZ 0x08u
#define LT_RATES_ALL 0x0Fu

#define LT_CAP_CALIBRATION_STORAGE 0x01u
#define LT_CAP_IDENTIFY 0x02u

/* Calibration blob (§5). */
#define LT_CAL_BLOB_VERSION 1
#define LT_CAL_BLOB_SIZE 200
#define LT_CAL_FLASH_SIZE 256

#define LT_CONTROL_STALL (-1)

/* Result of lt_cal_blob_validate. */
typedef enum lt_cal_status {
    LT_CAL_OK = 0,
    LT_CAL_EMPTY,          /* erased flash: no blob stored */
    LT_CAL_TOO_SHORT,
    LT_CAL_BAD_MAGIC,
    LT_CAL_UNSUPPORTED_VERSION,
    LT_CAL_LENGTH_MISMATCH,
    LT_CAL_BAD_DEGREE,
    LT_CAL_BAD_CHANNEL_COUNT,
    LT_CAL_CRC_MISMATCH,
    LT_CAL_SERIAL_MISMATCH
} lt_cal_status;

/* CRC-32 (IEEE 802.3 / zlib), §3. lt_crc32(data, len) of "123456789" is 0xCBF43926. */
uint32_t lt_crc32(const uint8_t *data, size_t len);

/* Samples per channel per frame that the reference uses at `rate_hz` with
 * `channels` channels: min(14 / channels, max(1, rate_hz / 100)). */
uint8_t lt_samples_per_frame(uint16_t rate_hz, uint8_t channels);

/* Builds one frame into `out` (at least LT_FRAME_MAX_SIZE bytes).
 * `counts` is channel-major, channels * samples values; values outside the
 * 24-bit range are clamped to the rails. ADC_SATURATED and saturated_mask are
 * derived from the counts and ORed with `flags`. Returns the frame length,
 * or 0 when channels or samples are out of range. */
size_t lt_frame_encode(uint8_t *out, uint32_t sequence, uint32_t timestamp_us,
                       uint8_t channels, uint8_t samples, uint8_t flags,
                       const int32_t *counts);

/* Checks a calibration blob (§5). `expected_serial` may be NULL to skip the
 * serial check. A blob whose first 12 bytes are all 0xFF, or an empty one,
 * is LT_CAL_EMPTY. */
lt_cal_status lt_cal_blob_validate(const uint8_t *blob, size_t len, const char *expected_serial);

/* Abstract flash holding LT_CAL_FLASH_SIZE bytes for the calibration blob.
 * Each function returns 0 on success. erase sets every byte to 0xFF. */
typedef struct lt_flash_ops {
    void *ctx;
    int (*read)(void *ctx, uint32_t offset, uint8_t *buf, uint32_t len);
    int (*erase)(void *ctx);
    int (*program)(void *ctx, uint32_t offset, const uint8_t *buf, uint32_t len);
} lt_flash_ops;

typedef struct lt_device_config {
    const char *serial;          /* 1-23 chars of [A-Za-z0-9._-] */
    uint8_t fw_major, fw_minor;
    uint16_t fw_patch;
    const char *adc_model;       /* up to 15 chars, e.g. "ADS1220" */
    uint8_t channels;            /* 1-4 */
    uint16_t supported_rates;    /* LT_RATE_* bits */
    uint16_t initial_rate_hz;    /* one of the supported rates */
    int32_t nominal_offset;      /* counts at zero load */
    float nominal_counts_per_gram;
    lt_flash_ops flash;          /* flash.read == NULL: no calibration storage */
    /* Optional hooks (may be NULL), all called with hook_ctx. */
    void *hook_ctx;
    uint32_t (*clock_us)(void *ctx);                  /* device clock, for GET_STATUS */
    void (*on_stream)(void *ctx, int streaming);      /* START/STOP_STREAM accepted */
    void (*on_rate_change)(void *ctx, uint16_t rate_hz);
    void (*on_identify)(void *ctx, uint16_t seconds);
} lt_device_config;

/* Device state. Treat as opaque; it is public only so that firmware can
 * allocate it statically. */
typedef struct lt_device {
    lt_device_config cfg;
    char serial[24];
    char adc_model[16];
    int streaming;
    uint16_t rate_hz;
    uint8_t samples_per_frame;
    uint32_t next_sequence;
    uint32_t fifo_dropped;       /* frames dropped by the TX FIFO since START_STREAM */
    uint8_t pending_flags;       /* flags carried into the next frame built */
    /* Frame being filled. */
    int32_t acc_counts[LT_FRAME_MAX_COUNTS];
    uint8_t acc_samples;
    uint8_t acc_flags;
    uint32_t acc_timestamp_us;
    int32_t last_counts[LT_MAX_CHANNELS];
    /* Transmit FIFO of built frames. */
    uint8_t tx_frames[LT_TX_FIFO_FRAMES][LT_FRAME_MAX_SIZE];
    uint8_t tx_lengths[LT_TX_FIFO_FRAMES];
    uint8_t tx_head, tx_count;
} lt_device;

/* Returns 0, or -1 when the configuration is invalid (bad serial, channel
 * count, rates or sensitivity). */
int lt_device_init(lt_device *dev, const lt_device_config *cfg);

/* One sample instant from the ADC: `counts` has one value per channel.
 * `ready` is 0 when the ADC missed the conversion: the previous values are
 * repeated and the frame gets ADC_NOT_READY. Ignored unless streaming.
 * Returns 1 when this sample completed a frame (queued for sending), else 0. */
int lt_device_push_sample(lt_device *dev, uint32_t timestamp_us, const int32_t *counts, int ready);

/* The host polled the IN endpoint: copies the oldest queued frame into `out`
 * (LT_PACKET_SIZE bytes) and returns its length, or returns 0 (NAK). */
size_t lt_device_poll_in(lt_device *dev, uint8_t *out);

/* A vendor control request (§4). For IN requests `data` receives up to
 * wLength bytes and the count written is returned; for OUT requests `data`
 * holds the wLength bytes sent by the host and 0 is returned. Returns
 * LT_CONTROL_STALL for an unknown, malformed or refused request. */
int lt_device_control(lt_device *dev, uint8_t bmRequestType, uint8_t bRequest,
                      uint16_t wValue, uint16_t wIndex, uint16_t wLength, uint8_t *data);

#ifdef __cplusplus
}
#endif
#endif /* LT_DEVICE_H */
