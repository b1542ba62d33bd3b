/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An in-process fake NVMe controller for testing libnvmeraw and nvme-raw
 * without hardware (nvme-raw --fake).  Not part of the library.
 *
 * BAR0 is a buffer; register and doorbell writes reach the fake through the
 * library's write hook and are acted on at once.  DMA memory gets made-up
 * physical addresses (scattered 4 KiB pages, or consecutive ones when
 * contiguous memory is asked for), which the fake translates back to walk
 * queues and PRPs exactly as a device would: a wrong PRP list shows up as
 * wrong data or a Data Transfer Error.
 *
 * It implements: CC.EN/CC.SHN with CSTS, the admin queue from AQA/ASQ/ACQ,
 * Identify (CNS 0, 1, 2), Create/Delete I/O SQ/CQ, Get/Set Features
 * Number of Queues, Asynchronous Event Request (held until
 * nvr_fake_event() or a doorbell write to a queue that does not exist or
 * beyond its size: an error event, Invalid Doorbell Write Value), and
 * on namespace 1 (512-byte LBAs) Read, Write and Flush.  Anything else
 * gets Invalid Command Opcode.  nvr_fake_oob() makes it write past the
 * data of a read on purpose.
 *
 * Register writes and the memory hooks take a mutex, so threads may drive
 * queue pairs of their own through the library (nvme-raw-bench
 * --qpairs); nvr_fake_event(), nvr_fake_hang() and nvr_fake_oob() are for
 * one thread.
 */
#ifndef NVME_RAW_FAKE_H
#define NVME_RAW_FAKE_H

#include <stdio.h>
#include "nvmeraw.h"

struct nvr_fake;

struct nvr_fake *nvr_fake_new(uint64_t ns_blocks);
void nvr_fake_free(struct nvr_fake *f);
/* A library handle on the fake (nvr_close() it before nvr_fake_free()) */
int nvr_fake_open(struct nvr_fake *f, struct nvr_ctrl **out);
/* Print every command the fake fetches to @trace (NULL: off) */
void nvr_fake_trace(struct nvr_fake *f, FILE *trace);
/* An asynchronous event: completes an outstanding AER with @dw0 */
void nvr_fake_event(struct nvr_fake *f, uint32_t dw0);
/* Fetch no commands from now on (a hung controller) */
void nvr_fake_hang(struct nvr_fake *f, int hang);
/*
 * Misbehave on purpose (tests of nvme-raw-fuzz's checks): every @every-th
 * Read that completes writes 16 bytes of 0xee past its data, at the start
 * of the page physically after the last page it wrote.  0: off.
 */
void nvr_fake_oob(struct nvr_fake *f, unsigned int every);

#endif
