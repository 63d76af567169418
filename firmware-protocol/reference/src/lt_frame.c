/*
 * Frame builder (PROTOCOL.md §3).
 */
#include "lt_device.h"
#include "lt_bytes.h"

uint8_t lt_samples_per_frame(uint16_t rate_hz, uint8_t channels)
{
    unsigned nmax;
    unsigned n;

    if (channels < 1u || channels > LT_MAX_CHANNELS) {
        return 0u; /* no valid frame has this many channels */
    }
    nmax = LT_FRAME_MAX_COUNTS / (unsigned)channels;
    n = (unsigned)(rate_hz / 100u);
    if (n < 1u) {
        n = 1u;
    }
    return (uint8_t)(n < nmax ? n : nmax);
}

size_t lt_frame_encode(uint8_t *out, uint32_t sequence, uint32_t timestamp_us,
                       uint8_t channels, uint8_t samples, uint8_t flags,
                       const int32_t *counts)
{
    unsigned total;
    unsigned i;
    uint8_t mask = 0u;
    uint8_t *p;
    size_t body;

    if (out == NULL || counts == NULL || channels < 1u || channels > LT_MAX_CHANNELS ||
        samples < 1u || samples > LT_FRAME_MAX_COUNTS / (unsigned)channels) {
        return 0u;
    }
    total = (unsigned)channels * (unsigned)samples;

    lt_put_u16(out, (uint16_t)LT_FRAME_MAGIC);
    out[2] = (uint8_t)LT_PROTOCOL_MAJOR;
    out[3] = (uint8_t)LT_PROTOCOL_MINOR;
    lt_put_u32(out + 4, sequence);
    lt_put_u32(out + 8, timestamp_us);
    out[12] = channels;
    out[13] = samples;

    p = out + LT_FRAME_HEADER_SIZE;
    for (i = 0; i < total; i++) {
        int32_t v = counts[i];
        uint32_t u;

        if (v <= (int32_t)LT_ADC_MIN) {
            v = (int32_t)LT_ADC_MIN;
        } else if (v >= (int32_t)LT_ADC_MAX) {
            v = (int32_t)LT_ADC_MAX;
        }
        if (v == (int32_t)LT_ADC_MIN || v == (int32_t)LT_ADC_MAX) {
            mask = (uint8_t)(mask | (1u << (i / samples))); /* channel-major */
        }
        u = (uint32_t)v; /* two's complement; the low 24 bits are the i24 */
        p[0] = (uint8_t)(u & 0xFFu);
        p[1] = (uint8_t)((u >> 8) & 0xFFu);
        p[2] = (uint8_t)((u >> 16) & 0xFFu);
        p += 3;
    }
    if (mask != 0u) {
        flags = (uint8_t)(flags | LT_FLAG_ADC_SATURATED);
    }
    out[14] = flags;
    out[15] = mask;

    body = (size_t)LT_FRAME_HEADER_SIZE + 3u * (size_t)total;
    lt_put_u32(out + body, lt_crc32(out, body));
    return body + LT_FRAME_CRC_SIZE;
}
