/*
 * Device state machine: configuration, sampling into frames, the transmit
 * FIFO (PROTOCOL.md §2.1) and the vendor control requests (§4, §5).
 */
#include <string.h>

#include "lt_device.h"
#include "lt_bytes.h"

/* GET_INFO packs the sensitivity as IEEE 754 binary32 (§4.1). */
typedef char lt_float_is_32_bits[(sizeof(float) == 4u) ? 1 : -1];

#define LT_SERIAL_MAX 23u
#define LT_ADC_MODEL_MAX 15u
#define LT_CAL_HEADER_SIZE 12u
#define LT_CAL_OFF_LENGTH 8u
#define LT_VERIFY_CHUNK 16u

/* ---- configuration ---------------------------------------------------- */

static int lt_is_serial_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == '-';
}

/* Length of `s`, or max + 1 when it is longer than `max`. */
static size_t lt_bounded_len(const char *s, size_t max)
{
    size_t n = 0;
    while (n <= max && s[n] != '\0') {
        n++;
    }
    return n;
}

/* The LT_RATE_* bit for a rate in Hz, or 0 for a rate the protocol lacks. */
static uint16_t lt_rate_bit(uint16_t rate_hz)
{
    switch (rate_hz) {
    case 10u: return LT_RATE_10HZ;
    case 80u: return LT_RATE_80HZ;
    case 320u: return LT_RATE_320HZ;
    case 1000u: return LT_RATE_1000HZ;
    default: return 0u;
    }
}

static uint32_t lt_float_bits(float f)
{
    uint32_t bits;
    memcpy(&bits, &f, sizeof bits);
    return bits;
}

/* Finite and > 0, tested on the bits so that no <math.h> is needed. */
static int lt_is_positive_finite(float f)
{
    uint32_t bits = lt_float_bits(f);
    uint32_t exponent = (bits >> 23) & 0xFFu;
    return (bits >> 31) == 0u && exponent != 0xFFu && (bits & 0x7FFFFFFFu) != 0u;
}

int lt_device_init(lt_device *dev, const lt_device_config *cfg)
{
    lt_device_config copy;
    char serial[sizeof dev->serial];
    char model[sizeof dev->adc_model];
    size_t serial_len;
    size_t model_len = 0;
    unsigned c;

    if (dev == NULL || cfg == NULL || cfg->serial == NULL) {
        return -1;
    }
    serial_len = lt_bounded_len(cfg->serial, LT_SERIAL_MAX);
    if (serial_len < 1u || serial_len > LT_SERIAL_MAX) {
        return -1;
    }
    for (c = 0; c < serial_len; c++) {
        if (!lt_is_serial_char(cfg->serial[c])) {
            return -1;
        }
    }
    if (cfg->adc_model != NULL) {
        model_len = lt_bounded_len(cfg->adc_model, LT_ADC_MODEL_MAX);
        if (model_len > LT_ADC_MODEL_MAX) {
            return -1;
        }
    }
    if (cfg->channels < 1u || cfg->channels > LT_MAX_CHANNELS) {
        return -1;
    }
    if (cfg->supported_rates == 0u || (cfg->supported_rates & (uint16_t)~LT_RATES_ALL) != 0u) {
        return -1;
    }
    if ((lt_rate_bit(cfg->initial_rate_hz) & cfg->supported_rates) == 0u) {
        return -1;
    }
    if (!lt_is_positive_finite(cfg->nominal_counts_per_gram)) {
        return -1;
    }
    if (cfg->flash.read != NULL && (cfg->flash.erase == NULL || cfg->flash.program == NULL)) {
        return -1;
    }

    /* Copied first: `cfg` may be `&dev->cfg`, to return to the power-up state. */
    copy = *cfg;
    memset(serial, 0, sizeof serial);
    memset(model, 0, sizeof model);
    memcpy(serial, cfg->serial, serial_len);
    if (model_len > 0u) {
        memcpy(model, cfg->adc_model, model_len);
    }
    memset(dev, 0, sizeof *dev);
    dev->cfg = copy;
    memcpy(dev->serial, serial, sizeof serial);
    memcpy(dev->adc_model, model, sizeof model);
    /* The copies are NUL-padded; never point back into the caller's strings. */
    dev->cfg.serial = dev->serial;
    dev->cfg.adc_model = dev->adc_model;
    dev->rate_hz = copy.initial_rate_hz;
    dev->samples_per_frame = lt_samples_per_frame(dev->rate_hz, copy.channels);
    /* What an ADC_NOT_READY frame repeats before the first real conversion. */
    for (c = 0; c < LT_MAX_CHANNELS; c++) {
        dev->last_counts[c] = copy.nominal_offset;
    }
    return 0;
}

/* ---- sampling and the transmit FIFO ----------------------------------- */

/* Forgets the frame being filled: it has no sequence number yet. */
static void lt_discard_partial_frame(lt_device *dev)
{
    dev->acc_samples = 0u;
    dev->acc_flags = 0u;
    dev->pending_flags = 0u;
}

/* Encodes the completed frame and queues it. A full FIFO loses its oldest
 * frame (its sequence number stays consumed) and the next frame built carries
 * FIFO_OVERFLOW: a queued frame cannot be changed, its CRC is final. */
static void lt_queue_frame(lt_device *dev)
{
    uint8_t flags = (uint8_t)(dev->acc_flags | dev->pending_flags);
    int dropped = 0;
    unsigned slot;

    dev->pending_flags = 0u;
    if (dev->tx_count >= LT_TX_FIFO_FRAMES) {
        dev->tx_head = (uint8_t)((dev->tx_head + 1u) % LT_TX_FIFO_FRAMES);
        dev->tx_count--;
        dev->fifo_dropped++;
        dropped = 1;
    }
    slot = ((unsigned)dev->tx_head + (unsigned)dev->tx_count) % LT_TX_FIFO_FRAMES;
    dev->tx_lengths[slot] = (uint8_t)lt_frame_encode(dev->tx_frames[slot], dev->next_sequence,
                                                     dev->acc_timestamp_us, dev->cfg.channels,
                                                     dev->samples_per_frame, flags, dev->acc_counts);
    dev->tx_count++;
    dev->next_sequence++;
    dev->acc_samples = 0u;
    dev->acc_flags = 0u;
    if (dropped) {
        dev->pending_flags = (uint8_t)(dev->pending_flags | LT_FLAG_FIFO_OVERFLOW);
    }
}

int lt_device_push_sample(lt_device *dev, uint32_t timestamp_us, const int32_t *counts, int ready)
{
    unsigned c;
    unsigned k;
    unsigned n;

    if (dev == NULL || !dev->streaming) {
        return 0;
    }
    n = dev->samples_per_frame;
    k = dev->acc_samples;
    if (k == 0u) {
        dev->acc_timestamp_us = timestamp_us; /* a frame's time is its sample 0 */
        dev->acc_flags = 0u;
    }
    if (ready && counts != NULL) {
        for (c = 0; c < dev->cfg.channels; c++) {
            dev->last_counts[c] = counts[c];
        }
    } else {
        dev->acc_flags = (uint8_t)(dev->acc_flags | LT_FLAG_ADC_NOT_READY);
    }
    for (c = 0; c < dev->cfg.channels; c++) {
        dev->acc_counts[c * n + k] = dev->last_counts[c]; /* channel-major */
    }
    dev->acc_samples = (uint8_t)(k + 1u);
    if (dev->acc_samples < n) {
        return 0;
    }
    lt_queue_frame(dev);
    return 1;
}

size_t lt_device_poll_in(lt_device *dev, uint8_t *out)
{
    size_t len;

    if (dev == NULL || out == NULL || dev->tx_count == 0u) {
        return 0u;
    }
    len = dev->tx_lengths[dev->tx_head];
    memcpy(out, dev->tx_frames[dev->tx_head], len);
    dev->tx_head = (uint8_t)((dev->tx_head + 1u) % LT_TX_FIFO_FRAMES);
    dev->tx_count--;
    return len;
}

/* ---- calibration storage ---------------------------------------------- */

static int lt_has_storage(const lt_device *dev)
{
    return dev->cfg.flash.read != NULL;
}

/* Reads the stored blob's header. Returns -1 on a flash error, 0 when the
 * flash is erased, else the number of bytes READ_CALIBRATION returns: the
 * length field, or LT_CAL_BLOB_SIZE when that field is not a possible length
 * (so that a host still gets the bytes to diagnose). */
static int lt_stored_length(const lt_device *dev)
{
    uint8_t header[LT_CAL_HEADER_SIZE];
    uint16_t len;
    unsigned i;

    if (dev->cfg.flash.read(dev->cfg.flash.ctx, 0u, header, (uint32_t)sizeof header) != 0) {
        return -1;
    }
    for (i = 0; i < sizeof header; i++) {
        if (header[i] != 0xFFu) {
            break;
        }
    }
    if (i == sizeof header) {
        return 0;
    }
    len = lt_get_u16(header + LT_CAL_OFF_LENGTH);
    if (len < LT_CAL_HEADER_SIZE || len > LT_CAL_FLASH_SIZE) {
        len = LT_CAL_BLOB_SIZE;
    }
    return (int)len;
}

/* Erases, programs and reads back. Returns 0 when the flash holds `blob`. */
static int lt_store_blob(const lt_device *dev, const uint8_t *blob, uint16_t len)
{
    const lt_flash_ops *flash = &dev->cfg.flash;
    uint8_t check[LT_VERIFY_CHUNK];
    uint16_t off;

    if (flash->erase(flash->ctx) != 0 || flash->program(flash->ctx, 0u, blob, len) != 0) {
        return -1;
    }
    for (off = 0; off < len; off = (uint16_t)(off + LT_VERIFY_CHUNK)) {
        unsigned left = (unsigned)len - (unsigned)off;
        uint16_t n = (uint16_t)(left < LT_VERIFY_CHUNK ? left : LT_VERIFY_CHUNK);
        if (flash->read(flash->ctx, off, check, n) != 0 || memcmp(check, blob + off, n) != 0) {
            return -1;
        }
    }
    return 0;
}

/* ---- control requests ------------------------------------------------- */

static int lt_reply(uint8_t *data, uint16_t wLength, const uint8_t *buf, uint16_t size)
{
    uint16_t n = wLength < size ? wLength : size;
    if (n > 0u) {
        memcpy(data, buf, n);
    }
    return (int)n;
}

static int lt_get_info(const lt_device *dev, uint16_t wLength, uint8_t *data)
{
    uint8_t info[LT_INFO_SIZE];
    uint8_t caps = 0u;

    if (lt_has_storage(dev)) {
        caps = (uint8_t)(caps | LT_CAP_CALIBRATION_STORAGE);
    }
    if (dev->cfg.on_identify != NULL) {
        caps = (uint8_t)(caps | LT_CAP_IDENTIFY);
    }
    memset(info, 0, sizeof info);
    info[0] = (uint8_t)LT_PROTOCOL_MAJOR;
    info[1] = (uint8_t)LT_PROTOCOL_MINOR;
    info[2] = dev->cfg.fw_major;
    info[3] = dev->cfg.fw_minor;
    lt_put_u16(info + 4, dev->cfg.fw_patch);
    info[6] = dev->cfg.channels;
    info[7] = caps;
    lt_put_u16(info + 8, dev->rate_hz);
    lt_put_u16(info + 10, dev->cfg.supported_rates);
    lt_put_u32(info + 12, (uint32_t)dev->cfg.nominal_offset);
    lt_put_u32(info + 16, lt_float_bits(dev->cfg.nominal_counts_per_gram));
    info[20] = 24u;
    info[21] = dev->samples_per_frame;
    /* 22-23 reserved */
    memcpy(info + 24, dev->adc_model, sizeof dev->adc_model);
    memcpy(info + 40, dev->serial, sizeof dev->serial);
    return lt_reply(data, wLength, info, LT_INFO_SIZE);
}

static int lt_get_status(const lt_device *dev, uint16_t wLength, uint8_t *data)
{
    uint8_t status[LT_STATUS_SIZE];
    uint32_t now = 0u;

    if (dev->cfg.clock_us != NULL) {
        now = dev->cfg.clock_us(dev->cfg.hook_ctx);
    }
    memset(status, 0, sizeof status);
    status[0] = (uint8_t)(dev->streaming ? 1u : 0u);
    if (lt_has_storage(dev) && lt_stored_length(dev) > 0) {
        status[1] = 0x01u;
    }
    lt_put_u16(status + 2, dev->rate_hz);
    lt_put_u32(status + 4, dev->next_sequence);
    lt_put_u32(status + 8, dev->fifo_dropped);
    lt_put_u32(status + 12, now);
    return lt_reply(data, wLength, status, LT_STATUS_SIZE);
}

/*
 * Requests are checked strictly where a mistake would otherwise be silent:
 * the direction (bmRequestType), wIndex 0, and wLength (0 for requests without
 * data). wValue is ignored by the requests that do not use it, as a reserved
 * field is (§7).
 */
int lt_device_control(lt_device *dev, uint8_t bmRequestType, uint8_t bRequest,
                      uint16_t wValue, uint16_t wIndex, uint16_t wLength, uint8_t *data)
{
    int is_in;
    int is_out;
    int stored;

    if (dev == NULL || wIndex != 0u || (wLength > 0u && data == NULL)) {
        return LT_CONTROL_STALL;
    }
    is_in = bmRequestType == LT_REQTYPE_IN;
    is_out = bmRequestType == LT_REQTYPE_OUT;

    switch (bRequest) {
    case LT_REQ_GET_INFO:
        if (!is_in) {
            return LT_CONTROL_STALL;
        }
        return lt_get_info(dev, wLength, data);

    case LT_REQ_GET_STATUS:
        if (!is_in) {
            return LT_CONTROL_STALL;
        }
        return lt_get_status(dev, wLength, data);

    case LT_REQ_START_STREAM:
        if (!is_out || wLength != 0u) {
            return LT_CONTROL_STALL;
        }
        lt_discard_partial_frame(dev);
        dev->tx_head = 0u;
        dev->tx_count = 0u;
        dev->next_sequence = 0u;
        dev->fifo_dropped = 0u;
        dev->streaming = 1;
        if (dev->cfg.on_stream != NULL) {
            dev->cfg.on_stream(dev->cfg.hook_ctx, 1);
        }
        return 0;

    case LT_REQ_STOP_STREAM:
        if (!is_out || wLength != 0u) {
            return LT_CONTROL_STALL;
        }
        /* Queued frames are still sent (§4.3): the host drains them, so that
         * what it counts as lost at the end really was. */
        lt_discard_partial_frame(dev);
        dev->streaming = 0;
        if (dev->cfg.on_stream != NULL) {
            dev->cfg.on_stream(dev->cfg.hook_ctx, 0);
        }
        return 0;

    case LT_REQ_SET_RATE:
        if (!is_out || wLength != 0u || dev->streaming ||
            (lt_rate_bit(wValue) & dev->cfg.supported_rates) == 0u) {
            return LT_CONTROL_STALL;
        }
        dev->rate_hz = wValue;
        dev->samples_per_frame = lt_samples_per_frame(wValue, dev->cfg.channels);
        if (dev->cfg.on_rate_change != NULL) {
            dev->cfg.on_rate_change(dev->cfg.hook_ctx, wValue);
        }
        return 0;

    case LT_REQ_READ_CALIBRATION:
        if (!is_in || !lt_has_storage(dev)) {
            return LT_CONTROL_STALL;
        }
        stored = lt_stored_length(dev);
        if (stored < 0) {
            return LT_CONTROL_STALL;
        }
        if ((unsigned)stored > wLength) {
            stored = (int)wLength;
        }
        if (stored > 0 &&
            dev->cfg.flash.read(dev->cfg.flash.ctx, 0u, data, (uint32_t)stored) != 0) {
            return LT_CONTROL_STALL;
        }
        return stored;

    case LT_REQ_WRITE_CALIBRATION:
        if (!is_out || !lt_has_storage(dev) || dev->streaming ||
            lt_cal_blob_validate(data, wLength, dev->serial) != LT_CAL_OK ||
            lt_store_blob(dev, data, wLength) != 0) {
            return LT_CONTROL_STALL;
        }
        return 0;

    case LT_REQ_ERASE_CALIBRATION:
        if (!is_out || wLength != 0u || !lt_has_storage(dev) || dev->streaming ||
            dev->cfg.flash.erase(dev->cfg.flash.ctx) != 0) {
            return LT_CONTROL_STALL;
        }
        return 0;

    case LT_REQ_IDENTIFY:
        if (!is_out || wLength != 0u || dev->cfg.on_identify == NULL) {
            return LT_CONTROL_STALL;
        }
        dev->cfg.on_identify(dev->cfg.hook_ctx, wValue);
        return 0;

    default:
        return LT_CONTROL_STALL;
    }
}
