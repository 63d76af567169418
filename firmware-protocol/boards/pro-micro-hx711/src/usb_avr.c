/*
 * The ATmega32U4 USB device controller, polled. Section numbers are those
 * of the ATmega16U4/32U4 datasheet, Atmel-7766J (04/2016); where no number
 * is given, the section or register is named.
 */
#include "usb.h"

#include <avr/io.h>

#include "board.h"
#include "usb_desc.h"

/* How long endpoint 0 waits for the host in one stage before giving up. */
#define LTF_EP0_TIMEOUT_US 100000UL

/* UECFG1X: 64-byte bank (EPSIZE = 011), one bank, allocate ("UECFG1X – USB
 * Endpoint Configuration 1 Register"). */
#define LTF_CFG1_64_ONE_BANK ((uint8_t)(_BV(EPSIZE1) | _BV(EPSIZE0) | _BV(ALLOC)))

static volatile uint8_t ltf_configuration;

/* Endpoint 0 (control), §22.6 "Endpoint Activation": select, enable,
 * type and direction, then size and allocation; CFGOK tells it took. */
static void ltf_configure_ep0(void)
{
    UENUM = 0;
    UECONX = _BV(EPEN);
    UECFG0X = 0; /* control, OUT */
    UECFG1X = LTF_CFG1_64_ONE_BANK;
}

/* Endpoint 1: interrupt IN (EPTYPE = 11, EPDIR = 1), §22.6. */
static void ltf_configure_ep1(void)
{
    UENUM = 1;
    UECONX = _BV(EPEN);
    UECFG0X = (uint8_t)(_BV(EPTYPE1) | _BV(EPTYPE0) | _BV(EPDIR));
    UECFG1X = LTF_CFG1_64_ONE_BANK;
    UENUM = 0;
}

void usb_init(void)
{
    ltf_configuration = 0;
    /* The bootloader may leave the controller running: detach, and reset it
     * by clearing USBE ("USBCON": USBE cleared resets the controller). */
    UDCON = _BV(DETACH);
    USBCON = 0;
    UHWCON = _BV(UVREGE);                 /* USB pad regulator on ("UHWCON") */
    USBCON = _BV(USBE) | _BV(FRZCLK);     /* controller on, clock frozen (ch. 21, "Power-on and reset") */
    PLLCSR = _BV(PINDIV);                 /* 16 MHz crystal: PLL input divided by 2 (§6.10 "PLL", PLLCSR) */
    PLLCSR = _BV(PINDIV) | _BV(PLLE);     /* PLL on: 48 MHz for USB with PLLFRQ's reset value */
    while ((PLLCSR & _BV(PLOCK)) == 0) {
        /* Locks within about 100 µs; the watchdog ends a chip that never does. */
    }
    USBCON = _BV(USBE) | _BV(OTGPADE);    /* clock running, VBUS pad on */
    ltf_configure_ep0();
    UDCON = 0;                            /* attach: DETACH cleared (§22.9 "Detach") */
}

uint8_t usb_configured(void)
{
    return ltf_configuration != 0u;
}

/* Waits until one of `flags` (UEINTX bits of endpoint 0) is set. Returns
 * them, or 0 when a bus reset came or the host went quiet. A new SETUP
 * (RXSTPI) always ends the wait: the host abandoned this transfer. */
static uint8_t ltf_ep0_wait(uint8_t flags)
{
    uint32_t start = board_clock_us();
    for (;;) {
        uint8_t status;
        UENUM = 0;
        status = UEINTX;
        if (status & (uint8_t)(flags | _BV(RXSTPI))) {
            return (uint8_t)(status & (uint8_t)(flags | _BV(RXSTPI)));
        }
        if (UDINT & _BV(EORSTI)) {
            return 0;
        }
        if ((uint32_t)(board_clock_us() - start) > LTF_EP0_TIMEOUT_US) {
            return 0;
        }
        ltf_app_idle();
    }
}

/* STALL handshake on endpoint 0 until the next SETUP (§22.11 "STALL
 * request": STALLRQ is cleared by hardware when a SETUP arrives). */
static void ltf_ep0_stall(void)
{
    UENUM = 0;
    UECONX = (uint8_t)(_BV(STALLRQ) | _BV(EPEN));
}

/* Control read data stage, then the status stage (§22.12 "Control Endpoint
 * Management", Figure 22-5): packets of 64 bytes; a short packet (or a
 * zero-length one after a full packet, when the host asked for more) ends it. */
static void ltf_ep0_send(const uint8_t *data, uint16_t length, uint16_t wLength)
{
    uint8_t need_short = length < wLength;
    if (length > wLength) {
        length = wLength;
    }
    for (;;) {
        uint8_t n = length > LTF_EP0_SIZE ? (uint8_t)LTF_EP0_SIZE : (uint8_t)length;
        uint8_t got = ltf_ep0_wait((uint8_t)(_BV(TXINI) | _BV(RXOUTI)));
        uint8_t i;
        if ((got & _BV(TXINI)) == 0) {
            return; /* the host ended the data stage early, reset, or a new SETUP */
        }
        for (i = 0; i < n; i++) {
            UEDATX = *data++;
        }
        length = (uint16_t)(length - n);
        UEINTX = (uint8_t)~_BV(TXINI); /* send the bank */
        if (n < LTF_EP0_SIZE || (length == 0u && !need_short)) {
            break;
        }
    }
    /* Status stage: the host's zero-length OUT. */
    if (ltf_ep0_wait(_BV(RXOUTI)) & _BV(RXOUTI)) {
        UEINTX = (uint8_t)~_BV(RXOUTI);
    }
}

/* Status stage of a request without an IN data stage: a zero-length IN. */
static void ltf_ep0_ack(void)
{
    if (ltf_ep0_wait(_BV(TXINI)) & _BV(TXINI)) {
        UEINTX = (uint8_t)~_BV(TXINI);
    }
}

/* Control write data stage (§22.12): RXOUTI per packet; wLength counts it
 * (NAKINI is not relied upon). Returns the bytes received, or -1. */
static int ltf_ep0_receive(uint8_t *data, uint16_t wLength)
{
    uint16_t got = 0;
    while (got < wLength) {
        uint8_t n;
        uint8_t i;
        if ((ltf_ep0_wait(_BV(RXOUTI)) & _BV(RXOUTI)) == 0) {
            return -1;
        }
        n = UEBCLX;
        for (i = 0; i < n; i++) {
            uint8_t byte = UEDATX;
            if (got < wLength) {
                data[got++] = byte;
            }
        }
        UEINTX = (uint8_t)~_BV(RXOUTI); /* free the bank */
        if (n < LTF_EP0_SIZE) {
            break;
        }
    }
    return (int)got;
}

static void ltf_standard_request(const uint8_t *setup)
{
    uint8_t type = setup[0];
    uint8_t request = setup[1];
    uint16_t value = (uint16_t)(setup[2] | (setup[3] << 8));
    uint16_t index = (uint16_t)(setup[4] | (setup[5] << 8));
    uint16_t length = (uint16_t)(setup[6] | (setup[7] << 8));
    uint8_t buffer[LTF_DESCRIPTOR_MAX];

    switch (request) {
    case 0x06: /* GET_DESCRIPTOR */
        if (type == 0x80) {
            int n = ltf_usb_descriptor((uint8_t)(value >> 8), (uint8_t)(value & 0xFFu), ltf_app_serial(), buffer);
            if (n >= 0) {
                ltf_ep0_send(buffer, (uint16_t)n, length);
                return;
            }
        }
        break;
    case 0x05: /* SET_ADDRESS, §22.7: UADD first, ADDEN after the status stage */
        if (type == 0x00) {
            UDADDR = (uint8_t)(value & 0x7Fu);
            ltf_ep0_ack();
            (void)ltf_ep0_wait(_BV(TXINI)); /* the zero-length IN went out */
            UDADDR = (uint8_t)((value & 0x7Fu) | _BV(ADDEN));
            return;
        }
        break;
    case 0x09: /* SET_CONFIGURATION */
        if (type == 0x00 && (value & 0xFFu) <= LTF_CONFIGURATION_VALUE) {
            ltf_configuration = (uint8_t)(value & 0xFFu);
            if (ltf_configuration != 0u) {
                ltf_configure_ep1();
            }
            ltf_ep0_ack();
            return;
        }
        break;
    case 0x08: /* GET_CONFIGURATION */
        if (type == 0x80) {
            buffer[0] = ltf_configuration;
            ltf_ep0_send(buffer, 1u, length);
            return;
        }
        break;
    case 0x00: /* GET_STATUS: device (bus powered, no remote wake-up), interface, endpoint */
        if (type == 0x80 || type == 0x81 || type == 0x82) {
            buffer[0] = 0u;
            buffer[1] = 0u;
            if (type == 0x82 && (index & 0x7Fu) == 1u) {
                UENUM = 1;
                buffer[0] = (UECONX & _BV(STALLRQ)) ? 1u : 0u;
                UENUM = 0;
            }
            ltf_ep0_send(buffer, 2u, length);
            return;
        }
        break;
    case 0x01: /* CLEAR_FEATURE(ENDPOINT_HALT): unstall, reset the data toggle (§22.3) */
    case 0x03: /* SET_FEATURE(ENDPOINT_HALT) */
        if (type == 0x02 && value == 0u && (index & 0x7Fu) == 1u) {
            UENUM = 1;
            if (request == 0x03) {
                UECONX = (uint8_t)(_BV(STALLRQ) | _BV(EPEN));
            } else {
                UECONX = (uint8_t)(_BV(STALLRQC) | _BV(EPEN));
                UERST = _BV(1);
                UERST = 0;
                UECONX = (uint8_t)(_BV(RSTDT) | _BV(EPEN));
            }
            UENUM = 0;
            ltf_ep0_ack();
            return;
        }
        break;
    case 0x0A: /* GET_INTERFACE */
        if (type == 0x81 && index == 0u) {
            buffer[0] = 0u;
            ltf_ep0_send(buffer, 1u, length);
            return;
        }
        break;
    case 0x0B: /* SET_INTERFACE: only alternate setting 0 exists */
        if (type == 0x01 && index == 0u && value == 0u) {
            ltf_ep0_ack();
            return;
        }
        break;
    default:
        break;
    }
    ltf_ep0_stall();
}

static uint8_t ltf_control_data[LTF_CONTROL_BUFFER];

static void ltf_vendor_request(const uint8_t *setup)
{
    uint8_t type = setup[0];
    uint16_t value = (uint16_t)(setup[2] | (setup[3] << 8));
    uint16_t index = (uint16_t)(setup[4] | (setup[5] << 8));
    uint16_t length = (uint16_t)(setup[6] | (setup[7] << 8));
    int result;

    if (type & 0x80u) {
        /* No response is longer than the buffer: a larger wLength only
         * allows for it (the short packet ends the transfer). */
        uint16_t room = length > LTF_CONTROL_BUFFER ? (uint16_t)LTF_CONTROL_BUFFER : length;
        result = ltf_app_vendor_request(type, setup[1], value, index, room, ltf_control_data);
        if (result < 0) {
            ltf_ep0_stall();
            return;
        }
        ltf_ep0_send(ltf_control_data, (uint16_t)result, length);
        return;
    }
    if (length > LTF_CONTROL_BUFFER) {
        ltf_ep0_stall();
        return;
    }
    if (length > 0u && ltf_ep0_receive(ltf_control_data, length) != (int)length) {
        ltf_ep0_stall();
        return;
    }
    result = ltf_app_vendor_request(type, setup[1], value, index, length, ltf_control_data);
    if (result < 0) {
        ltf_ep0_stall();
        return;
    }
    ltf_ep0_ack();
}

void usb_poll(void)
{
    uint8_t setup[8];
    uint8_t i;

    if (UDINT & _BV(EORSTI)) {
        /* End of bus reset (§22.4): endpoints are disabled, address 0. */
        UDINT = (uint8_t)~_BV(EORSTI);
        ltf_configuration = 0;
        ltf_configure_ep0();
    }
    UENUM = 0;
    if ((UEINTX & _BV(RXSTPI)) == 0) {
        return;
    }
    for (i = 0; i < sizeof setup; i++) {
        setup[i] = UEDATX;
    }
    UEINTX = (uint8_t)~_BV(RXSTPI); /* acknowledge the SETUP (§22.12) */
    if ((setup[0] & 0x60u) == 0x00u) {
        ltf_standard_request(setup);
    } else if ((setup[0] & 0x60u) == 0x40u) {
        ltf_vendor_request(setup);
    } else {
        ltf_ep0_stall();
    }
}

uint8_t usb_in_ready(void)
{
    uint8_t ready;
    if (ltf_configuration == 0u) {
        return 0;
    }
    UENUM = 1;
    ready = (UEINTX & _BV(TXINI)) ? 1u : 0u;
    UENUM = 0;
    return ready;
}

/* §22.14 "IN endpoint management": clear TXINI, fill the bank, clear
 * FIFOCON to hand it to the controller. */
void usb_in_send(const uint8_t *packet, uint8_t length)
{
    uint8_t i;
    UENUM = 1;
    UEINTX = (uint8_t)~_BV(TXINI);
    for (i = 0; i < length; i++) {
        UEDATX = packet[i];
    }
    UEINTX = (uint8_t)~_BV(FIFOCON);
    UENUM = 0;
}
