/*
 * Calibration blob checks (PROTOCOL.md §5).
 */
#include "lt_device.h"
#include "lt_bytes.h"

/* Blob version 1 layout. */
#define LT_CAL_HEADER_SIZE 12u   /* magic, version, degree, channels, length */
#define LT_CAL_OFF_VERSION 4u
#define LT_CAL_OFF_DEGREE 5u
#define LT_CAL_OFF_CHANNELS 6u
#define LT_CAL_OFF_LENGTH 8u
#define LT_CAL_OFF_SERIAL 12u
#define LT_CAL_SERIAL_FIELD 24u
#define LT_CAL_OFF_CRC 196u

/*
 * The checks run in this order and the first failure is returned, so that a
 * host and this device name the same problem for the same bytes:
 *
 *   1. empty                len == 0, or the first 12 bytes are all 0xFF
 *                           (erased flash);
 *   2. too_short            len < 12: magic, version and length unreadable;
 *   3. bad_magic            bytes 0-3 are not "LTCL";
 *   4. unsupported_version  byte 4 is not 1;
 *   5. length_mismatch      the length field is not 200, or len differs from it;
 *   6. bad_degree           degree not 1-3;
 *   7. bad_channel_count    channels not 1-4;
 *   8. crc_mismatch         CRC-32 of bytes 0-195 differs from the u32 at 196;
 *   9. serial_mismatch      the serial field is not `expected_serial` padded
 *                           with NULs to 24 bytes (skipped when NULL).
 *
 * Reserved bytes and coefficients above the degree are not checked: a newer
 * minor revision of the blob may give them meaning (§7).
 */
lt_cal_status lt_cal_blob_validate(const uint8_t *blob, size_t len, const char *expected_serial)
{
    size_t i;
    int erased = 1;

    if (blob == NULL || len == 0u) {
        return LT_CAL_EMPTY;
    }
    if (len >= LT_CAL_HEADER_SIZE) {
        for (i = 0; i < LT_CAL_HEADER_SIZE; i++) {
            if (blob[i] != 0xFFu) {
                erased = 0;
                break;
            }
        }
        if (erased) {
            return LT_CAL_EMPTY;
        }
    }
    if (len < LT_CAL_HEADER_SIZE) {
        return LT_CAL_TOO_SHORT;
    }
    if (blob[0] != 0x4Cu || blob[1] != 0x54u || blob[2] != 0x43u || blob[3] != 0x4Cu) {
        return LT_CAL_BAD_MAGIC;
    }
    if (blob[LT_CAL_OFF_VERSION] != LT_CAL_BLOB_VERSION) {
        return LT_CAL_UNSUPPORTED_VERSION;
    }
    if (lt_get_u16(blob + LT_CAL_OFF_LENGTH) != LT_CAL_BLOB_SIZE || len != LT_CAL_BLOB_SIZE) {
        return LT_CAL_LENGTH_MISMATCH;
    }
    if (blob[LT_CAL_OFF_DEGREE] < 1u || blob[LT_CAL_OFF_DEGREE] > 3u) {
        return LT_CAL_BAD_DEGREE;
    }
    if (blob[LT_CAL_OFF_CHANNELS] < 1u || blob[LT_CAL_OFF_CHANNELS] > LT_MAX_CHANNELS) {
        return LT_CAL_BAD_CHANNEL_COUNT;
    }
    if (lt_crc32(blob, LT_CAL_OFF_CRC) != lt_get_u32(blob + LT_CAL_OFF_CRC)) {
        return LT_CAL_CRC_MISMATCH;
    }
    if (expected_serial != NULL) {
        int ended = 0;
        for (i = 0; i < LT_CAL_SERIAL_FIELD; i++) {
            uint8_t want = 0u;
            if (!ended) {
                want = (uint8_t)expected_serial[i];
                ended = (want == 0u);
            }
            if (blob[LT_CAL_OFF_SERIAL + i] != want) {
                return LT_CAL_SERIAL_MISMATCH;
            }
        }
        if (!ended) {
            return LT_CAL_SERIAL_MISMATCH; /* expected serial longer than the field */
        }
    }
    return LT_CAL_OK;
}
