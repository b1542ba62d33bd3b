/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * conv.h - timing model of a conventional NAND SSD: a write buffer, a
 * page-mapped FTL with over-provisioning, and garbage collection (GC).
 *
 * ==== Terms ====
 *
 * slot   4 KiB, the mapping unit.  A request touches the slots
 *        floor(slba/4096) .. ceil((slba+len)/4096)-1: sub-4 KiB parts are
 *        rounded out (a 512-byte read costs what a 4 KiB read costs; a
 *        partial-slot write rewrites the whole slot, and the read-modify-
 *        write a real drive would do is not modelled).  Slots at or beyond
 *        the capacity are ignored (no data, no time).
 * page   one flash page of page_size bytes = spp slots (spp = page_size/4096).
 * LUN    a die; N = nr_channels * luns_per_channel of them.  LUN l sits on
 *        channel l % nr_channels, so consecutive LUNs use different channels.
 * PU     program unit: oneshot_pages pages on EVERY plane of one LUN, written
 *        by ONE multi-plane program of prog_ns (planes are always programmed
 *        together); pu_slots = planes_per_lun * oneshot_pages * spp.
 * group  the multi-plane block: block b of every plane of one LUN, always
 *        programmed and erased together (one multi-plane erase of erase_ns);
 *        G = planes_per_lun * pages_per_block * spp slots = pages_per_block /
 *        oneshot_pages PUs.  Groups are the unit of allocation and GC.
 *        Group id = l * B + b (B = blocks per plane).
 *
 * Physical slot (ppa) layout: ppa = group * G + pu * pu_slots + i, and
 * i = (plane * oneshot_pages + w) * spp + k: slot i of a PU is sector k of
 * page w of the one-shot unit on plane "plane", i.e. of flash page number
 * pu * oneshot_pages + w of that plane's block.  Flash page n has page type
 * n % cell_bits (0 = LSB, then CSB/MSB...: TLC pages cycle LSB, CSB, MSB),
 * which selects its read latency.
 *
 * ==== Capacity and geometry ====
 *
 * capacity (bytes, a multiple of 4096) is the host-visible size: Ls =
 * capacity / 4096 logical slots.  The raw size is derived from it:
 *	raw = ceil(Ls * (100 + op_percent) / 100)		slots
 *	B   = ceil(raw / (N * G))	blocks per plane (every plane alike)
 *	T   = N * B groups,		Ps = T * G physical slots
 * so raw is rounded up to whole blocks on every plane, and the spare space
 * S = Ps - Ls >= Ls * op_percent / 100.  The FTL needs S > G (see "GC never
 * runs dry"); conv_min_capacity() returns the smallest capacity from which
 * on every capacity satisfies it, and init refuses smaller ones.  Raw space
 * is never below one block on every plane (a "line", N * G slots), so small
 * drives get extra spare: for the default drive and every preset the
 * minimum is 4 KiB, any size works (64 MiB of the default drive sit on one
 * 96 MiB line).  Narrow geometries with a small op_percent have a real
 * minimum.
 *
 * ==== Resources ====
 *
 * (Implemented by the NAND machinery shared with the zns timing model,
 * ftl/nand.h, which states the same rules; so are page reads, programs,
 * the link and the write-buffer accounting below.)
 *
 * Every LUN and every channel keeps its busy intervals (ns).  An operation
 * on LUN l ready at time r occupies
 *	LUN l		[s, s + a + x + b)
 *	l's channel	[s + a, s + a + x)	(only if x > 0)
 * where s is the EARLIEST time >= r at which both are free: an operation
 * may use a gap left before work that was booked for later (GC books work
 * ahead; without this everything would queue behind it).
 *	page read of k slots:	a = tR, x = k * t_c, b = 0 (the die holds the
 *				data until it has left over the channel)
 *	PU program:		a = 0, x = pu_slots * t_c, b = prog_ns
 *	erase:			a = 0, x = 0, b = erase_ns
 * Per slot transfer times (0 when the bandwidth is 0, "instantaneous"),
 * MB = 10^6 bytes:
 *	t_c = ceil(4096 * 1000 / channel_mbps),  t_l = ceil(4096 * 1000 /
 *	link_mbps)
 * The host link is full duplex: link_rd (read data to the host) and link_wr
 * (write data from it) are each FIFO busy-until times, "occupy for d from
 * r": start = max(r, link_free), link_free = start + d.
 * Intervals that ended by the current request's now are forgotten; a LUN
 * or channel remembers at most CONV_TL_CAP of them, merging the two closest
 * neighbours (filling that gap) when full.
 *
 * ==== MODEL_READ ====
 *
 * ready = now + fw_read_ns.  The request's slots are cut, in LBA order, into
 * runs: a maximal sequence of consecutive slots that are either (a) all
 * unmapped or in the open PU (the write buffer, see below), or (b) all
 * mapped to the same flash page.  For each run of k slots, in order:
 *   (a) no NAND time:	lend = max(ready, link_rd_free) + k * t_l
 *   (b) a page read of k slots ready at "ready" on the page's LUN (above),
 *	tR = k == 1 ? read_4k_ns[y] : read_page_ns[y] (y: page type), ending
 *	its channel transfer at cend = s + tR + k * t_c;
 *			lend = max(cend, link_rd_free) + k * t_l
 * each setting link_rd_free = lend.  The read completes at max(ready, every
 * lend).  Consequences: a lone 4 KiB read of a mapped LSB page on an idle
 * device takes fw_read_ns + read_4k_ns[0] + t_c + t_l; of an unmapped slot,
 * fw_read_ns + t_l; a second read of the same LUN issued together starts
 * when the first one's channel transfer ends; reads of different LUNs on
 * different channels overlap completely except on the link.
 *
 * ==== MODEL_WRITE ====
 *
 * ready = now + fw_write_ns.  Each slot, in LBA order, crosses the link into
 * the write buffer and is appended to the open PU (the PU being filled):
 *	r = max(ready, link_wr_free);  e = link_wr_free = max(r, f) + t_l
 * e is the time the slot is buffered; f is 0 while fewer than
 * Bs = buffer_kib / 4 slots are occupied at time r, else the earliest time
 * a PU holding buffered host slots finishes programming (then its slots
 * are free).  Occupied: host slots of the open PU, and those of programmed
 * PUs whose program ends after r.  (buffer_waits counts write commands for
 * which some f > r.)  Bs is at least one PU, so writes of any size stream
 * through: the buffer never deadlocks.
 * When the open PU has no slot yet, a PU is allocated first ("Placement";
 * host data may run foreground GC at time e).  When it holds pu_slots
 * slots it is programmed at once, in model time, on its LUN: a PU program
 * ready at "fill", the latest entry time of its slots; it ends at
 * pend = s + pu_slots * t_c + prog_ns, which frees its buffered slots.
 * The write completes at the entry time e of its last slot (ready if it has
 * no slot).  With fua, or when buffer_kib == 0 (no buffer: Bs plays no
 * part and every write is durable when it completes), the open PU is then
 * padded to pu_slots and programmed (padding is counted in
 * media_write_bytes, never valid), and the write completes at max(e, pend
 * of every PU holding its host data programmed during the command).
 * Consequences: with an empty buffer on an idle device a 4 KiB write takes
 * fw_write_ns + t_l, and a write of pu_slots slots with buffer 0 takes
 * fw_write_ns + pu_slots * t_l + pu_slots * t_c + prog_ns.
 *
 * ==== Firmware cores ====
 *
 * Above, every command's firmware time (fw_read_ns, fw_write_ns or
 * fw_other_ns: "ready = now + fw") overlaps every other command's, as if
 * the controller had a core per command.  With fw_cores = C > 0 the
 * controller has C cores, each free from a time f_i (0 at init and after
 * reset): a command fetched at now takes the core with the smallest f_i
 * (the lowest index on ties), starts at st = max(now, f_i), and
 * ready = f_i = st + fw; everything else follows from that ready (a
 * flush, discard, write zeroes or other command completes at max(ready,
 * ...) or ready as above).  So an idle controller adds nothing, and C
 * cores cap the command rate at C * 10^9 / fw per second: e.g. 2 cores
 * and fw_write_ns 4000 give at most 500K writes/s, whatever the media
 * could take.  Commands take cores in the order schedule() is called
 * (now does not decrease).  fw_cores = 0 leaves everything above unchanged.
 *
 * ==== Other operations ====
 *
 * MODEL_FLUSH: ready = now + fw_other_ns; a non-empty open PU is padded and
 * programmed, ready at max(fill, ready); completes at max(ready, the latest
 * pend of any PU ever programmed).  (With buffer_kib == 0 completed writes
 * are already programmed, so a flush only waits for programs still in
 * flight, e.g. of GC copies.)
 * MODEL_DISCARD, MODEL_WRITE_ZEROES: the whole slots inside [slba_bytes,
 * slba_bytes + len) lose their mapping (partial slots at either end are left
 * alone: their other bytes still hold data).  Complete at now +
 * fw_other_ns; no resource is used.  (Write zeroes is modelled as
 * deallocation, which reads back as zeroes.)
 * MODEL_OTHER, and any other op (MODEL_ZONE_RESET / MODEL_ZONE_FINISH
 * included: conv has no zones): completes at now + fw_other_ns.
 *
 * ==== Durability ====
 *
 * (conv_model_durability(), the durability op of model.h.)  Host data in
 * the write buffer is volatile until the PU holding it is programmed:
 * then it is durable at that program's end, pend.  PUs are numbered 1, 2,
 * ... in the order they are opened; the open PU keeps its number until it
 * is programmed (full, or padded), the next PU gets the next number, and
 * reset keeps the open PU and its number.  Every schedule() computes the
 * answer that conv_model_durability() then returns for the same request:
 *   at		MODEL_WRITE that stored slots: max(its completion, the
 *		latest pend of the PUs holding host data that were programmed
 *		during the call) - with fua or buffer_kib == 0 that is its
 *		completion.  Every other request (a write that stored nothing:
 *		no slot, or read only; reads; flushes; discards and write
 *		zeroes, whose deallocation is durable when they complete;
 *		other ops): its completion time.
 *   wait	MODEL_WRITE: the number of the PU holding its last stored
 *		host slot if that PU is still open after the call, else 0
 *		(always 0 with fua or buffer_kib == 0: the PU was padded).
 *		Other ops: 0.
 *   closed	the number of the PU that was open, holding slots, when the
 *		call began (before background GC), if the call programmed it
 *		(background GC copies filling it; a write filling it - the
 *		rest of a longer write goes on into later PUs -; padding for
 *		a flush, a fua write or buffer_kib == 0); else 0.
 *   closed_at	with closed: max(that PU's pend, the at of every write that
 *		waited for it).  (A waiting write's at exceeds the pend only
 *		when a PU it filled earlier, on another LUN, ends later.)
 * A PU reported as wait is the open PU when its call ends, so it is open
 * when the next call begins: the first call that programs it reports it as
 * closed, exactly once, and closed numbers only grow.  PUs a call opens
 * and programs are never waited for (the write's at covers their pend).
 * A flush pads the open PU, so nothing waits after it, and it completes at
 * or after every closed_at and the at of every write that stored slots
 * before it.  GC copies are not host data: nothing waits for them as such
 * (a PU mixing both is waited for by its host data).  Reset forgets the
 * waiting writes' at with the rest of the pending work.  With FDP, closed
 * is a watermark instead ("Flexible Data Placement").
 *
 * ==== Placement ====
 *
 * Each LUN has at most one open group (with PUs left to allocate) and a
 * FIFO list of free (erased) groups, F_l of them; F = sum of F_l.  Host
 * data and GC copies share the open PU (one write stream).
 * A PU for GC copies goes to the first LUN, round robin from a cursor, that
 * has room in its open group or a free group (F >= 1: GC may take the last
 * free group, the reserve).  A PU for host data: from the cursor, for each
 * LUN l in turn: if l has room, take it; else (l must open a group) run
 * foreground GC on l (below); if GC left a partly filled open PU, the host
 * joins it; if l now has room or F_l >= 1 and F >= 2, take it; otherwise
 * try the next LUN.  If no LUN qualifies, GC any LUN until F >= 2, then try
 * the LUNs again.  The cursor moves past the LUN that got the PU, so
 * consecutive PUs stripe across LUNs (and channels).  With FDP there are
 * several write streams, each with its own open PU, open groups and
 * cursor; see "Flexible Data Placement".
 *
 * ==== Garbage collection ====
 *
 * Victims: full groups (every PU allocated), not holding the open PU, with
 * fewer than G valid slots.  gc_policy 0 (greedy): fewest valid slots v.
 * gc_policy 1 (cost-benefit): largest (G - v) * age / (2 * v) (v == 0
 * first), age = ((t - time its last PU was allocated) >> 20) capped at
 * U32_MAX, t = the round's start.  Ties: fewer valid, then lower group id.
 * A GC round at time t: for each flash page of the victim (ppa order)
 * holding k >= 1 valid slots, a page read of k slots ready at t (no link);
 * its slots then enter the open PU at cend (programming PUs as they fill)
 * and are remapped.  Then the victim is erased (an erase ready at t) and
 * becomes free.  A partly filled open PU stays open (GC copies wait in it
 * like host data; a flush or a fua write pads it).
 * Foreground GC on LUN l at time t (e of the host slot that needs a PU):
 * while F_l < gc_low = max(1, ceil(B * gc_threshold_pct / 100)) or F < 2,
 * run a round on l's best victim, if it has one.  The rounds' work occupies
 * l (reads, erase), its channel and the LUNs the copies go to; host PUs
 * placed after them, and through buffer back-pressure host writes, wait
 * for it.
 * With FDP the copies go to a GC stream ("Flexible Data Placement"), and
 * groups holding any stream's open PU are not victims.
 * Background GC: when schedule() is called with now > idle (idle: the end
 * of the last busy interval of any resource), then before the request,
 * while F < bg_low = ceil(T * bg_gc_threshold_pct / 100) and a victim
 * exists (any LUN), one more round runs at t = idle (updated after each
 * round) if
 *	t + W <= now,	W = sum over its page reads of (tR + k * t_c)
 *			  + (PUs it will fill) * (pu_slots * t_c + prog_ns)
 *			  + erase_ns
 * W bounds the round's length on an idle device, so the rounds that run
 * end by now: background GC never delays the request that revealed the gap.
 *
 * ==== GC never runs dry ====
 *
 * Let Phi = F * G + (unallocated slots of open groups) + (free slots of the
 * open PU).  (1) F >= 1 always: host data never takes the last free group,
 * and a GC round copies v < G slots, i.e. needs at most G / pu_slots new
 * PUs, which fit in Phi >= F * G >= G; it may take the reserve, but frees
 * its victim at the end, so F >= 1 again.  (2) Every round raises Phi by
 * G - v >= 1, so every GC loop ends.  (3) Suppose host data needs a PU and
 * finds none after the last step of "Placement": the GC of any LUN stopped
 * with F <= 1 for want of a victim, the open PU is empty (else the host
 * would join it) and no open group has room (else its LUN would qualify).
 * Then every non-free group is full and, having no victim, fully valid:
 * Ls >= (T - F) * G >= (T - 1) * G, i.e. S <= G, which init forbids.  So
 * host data always finds a PU, whatever the host writes (test_conv.c
 * hammers this with adversarial patterns).  With groups retiring, the same
 * holds with the usable groups in place of T until the model turns read
 * only ("Wear"; test_wear.c wears devices out the same way).
 * With FDP the condition is S > K * G (K below; K = 1 with FDP off), see
 * "Flexible Data Placement".
 *
 * ==== SLC cache ====
 *
 * (Consumer TLC/QLC drives write host data into blocks run in SLC mode,
 * one bit per cell, and fold it into native blocks later.)  On when
 * slc_cache_pm > 0 (FDP must be off); with 0 everything above holds
 * unchanged (same decisions, times and counters).  The cache holds at most
 *	C = floor(floor(Ls * slc_cache_pm / 1000) / G)	groups.
 * A group enters the cache when it is opened (taken from a free list) for
 * host data ("Placement": a PU for host data, not for GC copies) while
 * fewer than C groups are in it; it stays in SLC mode until it is folded
 * or erased.  Everything written into an SLC group (host data, and GC
 * copies that share its open PU) is in SLC mode:
 *	its PU programs take slc_prog_ns instead of prog_ns (the transfer
 *	pu_slots * t_c is the same), and every page read from it (host
 *	reads, GC) takes tR = slc_read_ns, whatever k and the page type.
 * An SLC group holds G slots like a native one: the capacity an SLC block
 * gives up (1 / cell_bits of its native size) is not modelled, nor is the
 * cache shrinking as the drive fills (slc_cache_pm is the size of the
 * cache of an empty drive, static and dynamic parts together).  When the
 * cache holds C groups, host data goes to native groups at native speed:
 * a burst larger than the cache drops to the post-cache write speed.
 * Folding: in idle time only, after background GC: when schedule() is
 * called with now > idle, then while a full SLC group not holding the open
 * PU exists, take the next one in group id order from a cursor (which
 * moves past it), at t = idle (updated after each fold), if
 *	t + W <= now,	W = sum over its pages holding k >= 1 valid slots of
 *			  (slc_read_ns + k * t_c) + P * (pu_slots * t_c +
 *			  prog_ns),  P = ceil(valid / pu_slots)
 * and fold it: the page reads (of k slots, tR = slc_read_ns) ready at t on
 * its LUN, then P native PU programs (no host slots) ready at the end of
 * the last read, on the same LUN; then the group leaves the cache and is
 * native (its data keeps its mapping: the fold's cost is modelled, the
 * move is not).  Folds count in media_read_bytes and media_write_bytes
 * and in slc_folds; an erase of an SLC group (GC) also takes it out of
 * the cache.  As with background GC, a fold ends by now: it never delays
 * a request.  GC's W bound ("Garbage collection") uses slc_read_ns for
 * the pages of an SLC victim and stays a bound, as slc_prog_ns <= prog_ns.
 *
 * ==== Flexible Data Placement ====
 *
 * (NVMe TP4146.)  FDP is on when fdp_rgs = R > 0; with fdp_rgs = 0
 * everything above holds unchanged (same decisions, times and counters).
 * H = fdp_ruhs handles.  Reclaim group r owns the n = N / R LUNs r * n ..
 * (r + 1) * n - 1 (and their groups).  A reclaim unit (RU) is n groups of
 * its RG, normally one on each of its LUNs: RUNS = n * G * 4096 bytes
 * (conv_fdp_ru_bytes()).
 *
 * Streams.  Host stream (h, r) for every handle and RG; GC streams: with
 * fdp_persistent = 1 one per (h, r), with 0 one per RG (shared by every
 * handle).  Each stream has its own open PU, its own RU and its own cursor
 * over its RG's LUNs, and at most one open group per LUN.  A stream's RU
 * takes its groups lazily: when the stream needs a PU on a LUN where it
 * has no open group, it may open one there only while its RU has taken
 * fewer than n groups.  Every slot written into the RU (host data, GC
 * copies, padding) counts; when the count reaches n * G the RU is full
 * (RU_FULL event for host streams, t = the fill time of its last PU) and
 * the next PU starts a new, empty RU.  conv_fdp_ru_avail(h, r) = (n * G -
 * slots written into host stream (h, r)'s RU) * 4096: it falls by 4096
 * per slot, padding included, and is a full RU's size when none is open.
 * A group records the stream that opened it (its owner handle is that
 * stream's handle; CONV_FDP_RUH_MIXED for a shared GC stream).
 *
 * A MODEL_WRITE's rg outside 0..R - 1 (MODEL_RG_ANY: no placement
 * directive) is the device's choice: the RG with the most free groups at
 * the start of the write, the lowest on ties; its ruh outside 0..H - 1 is
 * handle 0.  The write's slots are host data of (h, r).
 *
 * Placement of host data of (h, r) (a MODEL_WRITE's ruh, rg): as in
 * "Placement", over the LUNs of RG r from the stream's cursor, with the
 * stream's open groups, and F_r (free groups of RG r) in place of F: a LUN
 * qualifies if the stream has room there, or, after foreground GC on it
 * (while F_l < gc_low or F_r < 2, victims of that LUN), its RU may take a
 * group, the LUN has one free and F_r >= 2; then GC any LUN of RG r until
 * F_r >= 2, and try again.  An RG takes host data while it fits its
 * share: with R > 1 a first pass tries r, r + 1, ... (mod R), skipping
 * every RG whose valid slots V_r + pu_slots exceed ceil(Ls / R); a second
 * pass tries them all, from r.  A stream (h, r') that gets the data
 * continues its own open PU first if it has one.  So data placed in one
 * RG spills into the next once the RG holds its share of the capacity (a
 * host that placed everything in RG 0 would otherwise pack it full and
 * pay GC on nearly valid victims while RG 1 stays empty; the second pass,
 * and the proof below, cover the rest).  GC copies of a
 * victim of RG r go to its GC stream in r ((owner, r) persistent, else r's
 * shared one), which takes a PU like "Placement" takes one for GC, with
 * F_r >= 1.  Background GC, victims and rounds are as in "Garbage
 * collection"; a round that copied anything reports GC_MOVED (owner
 * handle, RG, LBA slot of its first copy, number of slots, t = the round's
 * start).  Retirement and conv_inject_bad() keep F_r >= 1 per RG where
 * "Wear" keeps F >= 1.
 *
 * conv_fdp_ru_update(h, r, now): if stream (h, r)'s RU holds no written
 * slot, return 0.  Else return conv_fdp_ru_avail() as it was, pad the
 * stream's open PU at now and program it, mark the RU's open groups full
 * (their remaining PUs are never written; they become GC candidates,
 * closed_at = now) and start an empty RU.  No GC runs.
 *
 * GC never runs dry with FDP: Sigma streams (H * R host, plus H * R or R
 * GC), K = R + (Sigma - R) * n, and init requires S > K * G.  (1) holds
 * per RG: host data never takes RG r's last free group, and GC copies of
 * a victim of r (v < G slots) fit in its GC stream's room there, which
 * is at least F_r * G >= G.  (2) is unchanged.  (3) Suppose host data of
 * handle h finds no PU in any RG: in every RG GC stopped with F_r <= 1
 * for want of a victim, and the streams (h, r) have no open PU and no
 * open group with room (they would take it), so their groups are full
 * and not open-PU groups, hence fully valid.  Every other stream's
 * groups that may be neither free nor fully valid (its open groups and
 * the group of its open PU) are at most its RU, n groups.  So Ps <= Ls +
 * R * G + (Sigma - R) * n * G, i.e. S <= K * G, which init forbids.
 * conv_min_capacity() uses K * G in place of G.  "Wear" uses E = T -
 * floor(Ls / G) - K groups: spare0 = ceil(E / 2).  The write buffer must
 * hold a PU of every host stream (buffer_kib / 4 >= H * R * pu_slots),
 * since every host stream may hold host slots in its open PU.
 *
 * Durability with FDP: units are the host streams' PUs, numbered 1, 2, ...
 * over all host streams in the order they are opened (GC streams' PUs
 * hold no host data and get no number).  at and wait are as in
 * "Durability" (wait: the number of the open PU of the stream holding the
 * write's last slot).  closed: after each call, k = (the smallest number
 * of an open host PU) - 1, or the last number opened if none is open; if
 * k exceeds the last closed reported, closed = k (every unit <= k is
 * programmed), else 0.  closed_at: the max of the pend and the waiting
 * writes' at of every host PU programmed since the last time a report
 * covered every programmed unit: a time by which all units <= k are
 * durable, later than the exact one only when units above k were
 * programmed first.  A flush pads every open PU (host and GC streams), so
 * it reports every unit; a fua write (or buffer_kib 0) pads its stream's
 * PU; conv_fdp_ru_update() pads one, reported by the next call.  So with
 * several streams open, a cut may count as lost data whose PU had been
 * programmed while an older unit (of another stream) was still open: only
 * data written without fua and not yet flushed is affected.
 *
 * Metadata with FDP: per group its stream (u16), per stream a few words
 * and two u32 per LUN of its RG, per RG its free count.  Counters: as
 * below; padding by ru_update counts in media_write_bytes, never-written
 * PUs of closed RUs count nowhere, erases count blocks.
 *
 * ==== Wear ====
 *
 * Every group counts its erases (an erase of a group is one erase of each
 * of its planes_per_lun blocks, so a block's count is its group's).  With
 * pe_cycles > 0 (the rated program/erase cycles of a block) a group is
 * worn out at the erase that makes its count reach pe_cycles; with 0, wear
 * is not modelled: counts are kept, nothing retires, Percentage Used stays
 * 0.  Nothing else changes: until a group retires (or conv_inject_bad()
 * is used) the model makes exactly the decisions and times it makes
 * without wear.
 *
 * Retirement: when GC erases a group that is worn out or marked bad, the
 * group is retired (never allocated, collected or counted free again, its
 * erase count frozen) instead of returning to the free list - unless no
 * other group is free then (F = 0 after the round's copies): then it
 * returns to the free list once more, still worn or bad, and retires at a
 * later erase that finds another group free ("deferred"; its count may
 * pass pe_cycles).  So F >= 1 still holds after every round (argument (1)
 * of "GC never runs dry"), and every GC loop still ends: a round either
 * raises Phi by G - v >= 1 or retires a group.
 *
 * Spare: U = T - (retired groups) usable groups.  The argument of "GC
 * never runs dry" holds with U in place of T as long as U * G - Ls > G,
 * i.e. U >= floor(Ls / G) + 2, so E = T - floor(Ls / G) - 1 >= 1 groups
 * (init requires S > G) could retire before host data might find no PU.
 * But as spare space runs out, GC victims hold ever more valid slots:
 * near the end each round copies almost a whole group to gain a slot or
 * two, and every round needs a new group, so worn victims are deferred
 * again and again.  GC keeps half of E for itself: spare0 = ceil(E / 2)
 * groups are the spare that retirement may use, spare = spare0 - retired.
 *
 * Read only: when retirement brings spare to 0 the model becomes read
 * only, for good, at once (within the GC round that retired the group, or
 * the conv_inject_bad() call).  Then a write stores nothing: it completes
 * at now + fw_write_ns, uses no resource and is not counted in
 * host_write_bytes; the write during which it happened stores its slots
 * up to that point and drops the rest (its completion covers the stored
 * slots); no GC runs, foreground or background.  Reads, flushes (padding
 * the open PU needs no new PU), discards and write zeroes work as before.
 * The kernel refuses writes once health() says read_only; the model only
 * has to stay consistent, and it does.
 *
 * Injected bad blocks, conv_inject_bad(m, nr), marks nr groups bad: free
 * groups first, while at least two are free (one stays for GC), from the
 * LUN with the most free groups (the lowest LUN on ties), the head of its
 * free list, each retired at once; then groups holding data (open or
 * full, not yet bad), lowest group id first, which stay in service until
 * GC picks them as victims the usual way and retire at that erase
 * (deferred as above).  It stops when the model becomes read only.  A
 * group is one erase unit: a bad block retires the planes_per_lun blocks
 * erased with it.
 *
 * Health (conv_model_health(), struct model_health in model.h):
 *	percent_used	floor(floor(E_sum * 100 / T) / pe_cycles), E_sum =
 *			the sum of the groups' erase counts (the average over
 *			all T groups, retired ones included); 0 if pe_cycles
 *			is 0
 *	avail_spare	ceil(100 * spare / spare0): 0 exactly when read only
 *	spare_thresh	CONV_SPARE_THRESH_PCT, 10 (what drives commonly
 *			report)
 *	retired_groups, retired_blocks = retired_groups * planes_per_lun,
 *	max_erase, avg_erase = floor(E_sum / T) (per group = per block),
 *	read_errors, read_only
 *
 * Read errors (conv_model_read_error(), for a MODEL_READ after its
 * schedule()): a group is failing when it is marked bad or, with
 * pe_cycles > 0, its erase count + 1 >= pe_cycles (its data was programmed
 * in its last rated cycle: it retires at its next erase).  The request's
 * slots (as for MODEL_READ) are taken in LBA order; each that is mapped,
 * not in the open PU (the buffer serves it) and on a failing group draws
 * one number r (0..2^32-1) from a splitmix64 generator seeded with seed
 * at init (reset keeps its state); the read fails, and the draws stop, at
 * the first slot with (r * 1000000) >> 32 < read_error_ppm.  So
 * read_error_ppm 0 never fails (and draws nothing), 1000000 fails every
 * read of a failing slot, and a healthy or unmapped slot never fails.
 * The same seed and the same requests give the same errors.
 *
 * ==== Metadata ====
 *
 * L2P: Ls entries of wl = ceil(log2(Ps + 1)) bits (ppa + 1; 0 = unmapped).
 * Reverse map: Ps entries holding the low wr bits of the LBA stored there;
 * a physical slot is valid iff one of the 2^x LBAs with those low bits
 * (x = ceil(log2(Ls)) - wr) maps to it, which GC checks.  x is the smallest
 * value in 0..CONV_REV_MAX_DROP that keeps the instance within 1.5 MiB per
 * GiB of capacity.  Both tables are bit-packed; everything else (per
 * group, erase counts included, per LUN, timelines, buffer) is small.
 * conv_metadata_bytes(), default drive: 1 GiB 1353520 bytes (1.29 MiB;
 * x = 0), 16 GiB 24614256 (23.5 MiB, 1.47 MiB/GiB; x = 0), 64 GiB
 * 100160624 (95.5 MiB, 1.49 MiB/GiB; x = 3); test_conv.c checks the
 * budget.  Init zeroes the tables (no per-slot loop): 64 GiB initialise
 * in ~0.04 s.
 *
 * ==== Counters (stats op) ====
 *
 * host_read/write_bytes: req->len of reads / writes.  media_read_bytes:
 * 4096 per slot read from NAND (host and GC); media_write_bytes: 4096 *
 * pu_slots per PU programmed (padding included), so WAF = media_write /
 * host_write.  erases and gc_blocks count physical blocks (planes_per_lun
 * per group).  gc_pages: slots GC copied.  gc_foreground / gc_background:
 * GC rounds.  buffer_waits: write commands that waited for buffer space.
 *
 * Deterministic (no clock; the only randomness is the seeded read-error
 * generator, which schedule() never uses), single caller per instance
 * (see model.h), no 64-bit division.  Times saturate at U64_MAX.
 */
#ifndef _NVMEV_FTL_CONV_H
#define _NVMEV_FTL_CONV_H

#include "model.h"
#include "nand.h"

#define CONV_SLOT_SIZE			NAND_SLOT_SIZE	/* 4096 */
#define CONV_MAX_CELL_BITS		NAND_MAX_CELL_BITS	/* 4: SLC..QLC */

#define CONV_MAX_CHANNELS		64U
#define CONV_MAX_LUNS_PER_CHANNEL	64U
#define CONV_MAX_PLANES			8U
#define CONV_MAX_PAGES_PER_BLOCK	8192U
#define CONV_MIN_PAGE_SIZE		4096U
#define CONV_MAX_PAGE_SIZE		65536U
#define CONV_MAX_ONESHOT_PAGES		8U
#define CONV_MIN_OP_PERCENT		1U
#define CONV_MAX_OP_PERCENT		100U
#define CONV_MAX_BUFFER_KIB		262144U		/* 256 MiB */
#define CONV_MAX_GC_THRESHOLD_PCT	50U
#define CONV_MAX_CAPACITY		(4ULL << 40)	/* 4 TiB */
#define CONV_REV_MAX_DROP		8U
#define CONV_TL_CAP			NAND_TL_CAP	/* 64 per LUN/channel */

#define CONV_MAX_PE_CYCLES		1000000U
#define CONV_MAX_READ_ERROR_PPM		1000000U
#define CONV_MAX_SLC_CACHE_PM		1000U
#define CONV_MAX_SLC_READ_NS		10000000U
#define CONV_SPARE_THRESH_PCT		10U

#define CONV_GC_GREEDY			0U
#define CONV_GC_COST_BENEFIT		1U

#define CONV_DEFAULT_CAPACITY		(1ULL << 30)	/* init(NULL): 1 GiB */

#define CONV_MAX_FW_CORES		64U	/* fw_cores */

#define CONV_FDP_MAX_RGS		64U	/* reclaim groups */
#define CONV_FDP_MAX_RUHS		16U	/* reclaim unit handles */

/* Events the model reports to its FDP event callback (conv_fdp_event) */
enum conv_fdp_event_type {
	CONV_FDP_EV_RU_FULL,		/* a handle's RU filled; a new one opens */
	CONV_FDP_EV_GC_MOVED,		/* GC moved valid data out of an RU */
};

/*
 * One event: @ruh's reclaim unit in @rg, at model time @t.  RU_FULL: the
 * new RU is empty.  GC_MOVED: GC copied @nr 4 KiB slots, the first of which
 * holds LBA slot @slot, out of a group of that RU (persistently isolated
 * handles: into the same handle's GC unit).
 */
struct conv_fdp_event {
	u32 type;
	u16 ruh;
	u16 rg;
	u64 t;
	u64 slot;
	u64 nr;
};

typedef void (*conv_fdp_event_fn)(void *arg, const struct conv_fdp_event *ev);

/* GC_MOVED out of a group of a shared GC unit (initially isolated) */
#define CONV_FDP_RUH_MIXED		0xffffU

/* One write stream ("Flexible Data Placement"); private to conv.c. */
struct conv_fdp_stream {
	u32 pu_grp;		/* its open PU (as in struct conv_model) */
	u32 pu_idx;
	u32 pu_fill;
	u32 pu_nhost;
	u64 pu_time;
	u64 pu_num;		/* host streams: the open PU's number */
	u64 wait_at;
	u32 cursor;		/* next LUN, 0 .. n - 1 within its RG */
	u32 ru_taken;		/* groups its RU has taken */
	u64 ru_written;		/* slots written into its RU (padding too) */
	u16 ruh;		/* handle, CONV_FDP_RUH_MIXED: shared GC */
	u16 rg;
	bool gc;
};

/* FDP state, allocated at init only when fdp_rgs > 0. */
struct conv_fdp {
	u32 rgs;		/* R */
	u32 ruhs;		/* H */
	u32 luns;		/* n = N / R, LUNs per RG */
	u32 nr_streams;		/* H * R host, then H * R or R GC */
	u64 ru_slots;		/* n * G */
	struct conv_fdp_stream *st;	/* [nr_streams] */
	u32 *open_grp;		/* [nr_streams * n] open group per LUN */
	u32 *open_next;		/* [nr_streams * n] */
	u16 *grp_stream;	/* [T] the stream that owns a group */
	u32 *nr_free_rg;	/* [R] F_r */
	u32 *valid_rg;		/* [R] valid slots in the RG's groups */
	u32 share;		/* ceil(Ls / R): an RG's share of the data */
	u32 cur;		/* the stream held in conv_model's pu_* */
	u32 open_nhost;		/* host slots in every open PU */
	u64 next_num;		/* number of the next host PU opened */
	u64 reported;		/* the last closed reported */
	u64 hi_prog;		/* highest number programmed */
	u64 acc_at;		/* closed_at accumulator */
	bool dirty;		/* a host PU was programmed */
	conv_fdp_event_fn fn;
	void *arg;
};

/*
 * Model parameters.  Times in ns, bandwidths in MB/s (10^6 bytes/s).
 * Ranges are what conv_check_params() accepts.
 * @capacity:          host-visible bytes, a multiple of 4096,
 *                     conv_min_capacity() .. CONV_MAX_CAPACITY
 * @op_percent:        over-provisioning, 1..100 (raw = capacity * (100 +
 *                     op) / 100, rounded up to whole blocks on every plane)
 * @nr_channels:       1..64
 * @luns_per_channel:  dies per channel, 1..64
 * @planes_per_lun:    1..8 (planes are programmed and erased together)
 * @pages_per_block:   1..8192, a multiple of oneshot_pages
 * @page_size:         bytes per flash page, a multiple of 4096, 4096..65536
 * @oneshot_pages:     pages programmed together per plane, 1..8
 * @cell_bits:         bits per cell, 1..4 (SLC, MLC, TLC, QLC): page types
 * @read_4k_ns:        [type] tR when one 4 KiB slot of the page is needed
 * @read_page_ns:      [type] tR when more of the page is needed
 *                     (entries >= cell_bits are ignored)
 * @prog_ns:           tPROG of one PU (multi-plane, one-shot)
 * @erase_ns:          tBERS of one group (multi-plane erase)
 * @channel_mbps:      per channel; 0 = transfers take no time
 * @link_mbps:         host link, each direction; 0 = no time
 * @fw_read_ns:        firmware time per read command
 * @fw_write_ns:       firmware time per write command
 * @fw_other_ns:       firmware time per any other command
 * @buffer_kib:        write buffer, 0 (none: writes complete when
 *                     programmed) or a multiple of 4 from one PU
 *                     (pu_slots * 4) to CONV_MAX_BUFFER_KIB
 * @gc_policy:         CONV_GC_GREEDY or CONV_GC_COST_BENEFIT
 * @gc_threshold_pct:  foreground GC on a LUN that must open a group when
 *                     it has fewer than max(1, this % of its groups)
 *                     free, 0..50
 * @bg_gc_threshold_pct: background GC in idle time while fewer than this %
 *                     of all groups are free, 0..50 (0: none)
 * @pe_cycles:         rated program/erase cycles of a block, 0..1000000
 *                     (0: wear not modelled; see "Wear")
 * @read_error_ppm:    per 4 KiB slot read from a failing block, the chance
 *                     in 10^-6 that the read returns an Unrecovered Read
 *                     Error, 0..1000000 (0: never)
 * @seed:              seed of the read-error generator, any value
 * @fdp_rgs:           Flexible Data Placement: reclaim groups, 0 (FDP off:
 *                     one write stream, as above) or 1..CONV_FDP_MAX_RGS,
 *                     dividing nr_channels * luns_per_channel
 * @fdp_ruhs:          reclaim unit handles, 1..CONV_FDP_MAX_RUHS (ignored
 *                     with FDP off)
 * @fdp_persistent:    0: handles are initially isolated (GC may mix the
 *                     data of handles); 1: persistently isolated (GC keeps
 *                     each handle's data apart)
 * @plane_reads:       0: a page read occupies its whole LUN (every plane);
 *                     1: independent plane reads, a page read occupies
 *                     only the plane holding the page (and the channel), so
 *                     the planes of a die read different pages at once;
 *                     programs and erases still occupy every plane
 *                     (nand.h "Timelines").  0..1.  The zns model's reads
 *                     name no plane: there it changes nothing.
 * @fw_cores:          0: the firmware times are latency only, commands'
 *                     firmware time overlaps freely; 1..64: the controller
 *                     cores that run them, a ceiling on commands per second
 *                     (see "Firmware cores")
 * @slc_cache_pm:      SLC cache ("SLC cache"): its size in per mille of the
 *                     capacity, 0..1000 (0: none; FDP must be off)
 * @slc_prog_ns:       program of one PU in SLC mode, 1..prog_ns (ignored
 *                     without an SLC cache)
 * @slc_read_ns:       tR of any read of a page in SLC mode, 1..10000000
 *                     (ignored without an SLC cache)
 */
struct conv_params {
	u64 capacity;
	u32 op_percent;
	u32 nr_channels;
	u32 luns_per_channel;
	u32 planes_per_lun;
	u32 pages_per_block;
	u32 page_size;
	u32 oneshot_pages;
	u32 cell_bits;
	u32 read_4k_ns[CONV_MAX_CELL_BITS];
	u32 read_page_ns[CONV_MAX_CELL_BITS];
	u32 prog_ns;
	u32 erase_ns;
	u32 channel_mbps;
	u32 link_mbps;
	u32 fw_read_ns;
	u32 fw_write_ns;
	u32 fw_other_ns;
	u32 buffer_kib;
	u32 gc_policy;
	u32 gc_threshold_pct;
	u32 bg_gc_threshold_pct;
	u32 pe_cycles;
	u32 read_error_ppm;
	u32 seed;
	u32 fdp_rgs;
	u32 fdp_ruhs;
	u32 fdp_persistent;
	u32 plane_reads;
	u32 fw_cores;
	u32 slc_cache_pm;
	u32 slc_prog_ns;
	u32 slc_read_ns;
};

/*
 * Presets, as initialisers for static tables (capacity left 0: the user
 * picks the size).  Sources and estimates: see conv.c, above
 * conv_params_default().
 *
 * Default drive (conv_params_default(), init(NULL) with 1 GiB): a generic
 * TLC drive, 8 channels x 4 LUNs x 2 planes, 16 KiB pages, 3-page one-shot.
 */
#define CONV_PARAMS_DEFAULT_INIT {					\
	.op_percent = 7, .nr_channels = 8, .luns_per_channel = 4,	\
	.planes_per_lun = 2, .pages_per_block = 96,			\
	.page_size = 16384, .oneshot_pages = 3, .cell_bits = 3,		\
	.read_4k_ns = { 50000, 60000, 70000 },				\
	.read_page_ns = { 55000, 66000, 78000 },			\
	.prog_ns = 700000, .erase_ns = 3500000,				\
	.channel_mbps = 800, .link_mbps = 3500,				\
	.fw_read_ns = 5000, .fw_write_ns = 4000, .fw_other_ns = 1000,	\
	.buffer_kib = 4096, .gc_policy = CONV_GC_GREEDY,		\
	.gc_threshold_pct = 1, .bg_gc_threshold_pct = 2,		\
	.pe_cycles = 3000,						\
}

/*
 * Samsung 970 PRO 512 GB: 64-layer MLC V-NAND, PCIe 3.0 x4; independent
 * plane reads, 2 firmware cores (calibration: tools/calib/drives/).
 */
#define CONV_PARAMS_MLC_970PRO {					\
	.op_percent = 7, .nr_channels = 8, .luns_per_channel = 2,	\
	.planes_per_lun = 2, .pages_per_block = 96,			\
	.page_size = 16384, .oneshot_pages = 2, .cell_bits = 2,		\
	.read_4k_ns = { 37000, 47000 },					\
	.read_page_ns = { 42000, 54000 },				\
	.prog_ns = 380000, .erase_ns = 3500000,				\
	.channel_mbps = 800, .link_mbps = 3500,				\
	.fw_read_ns = 5000, .fw_write_ns = 4000, .fw_other_ns = 1000,	\
	.buffer_kib = 8192, .gc_policy = CONV_GC_GREEDY,		\
	.gc_threshold_pct = 1, .bg_gc_threshold_pct = 2,		\
	.pe_cycles = 6000, .plane_reads = 1, .fw_cores = 2,		\
}

/* Datacenter TLC, Intel D7-P5600-class: PCIe 4.0 x4, ~37% OP. */
#define CONV_PARAMS_TLC_DC {						\
	.op_percent = 37, .nr_channels = 12, .luns_per_channel = 4,	\
	.planes_per_lun = 2, .pages_per_block = 96,			\
	.page_size = 16384, .oneshot_pages = 3, .cell_bits = 3,		\
	.read_4k_ns = { 45000, 50000, 60000 },				\
	.read_page_ns = { 50000, 56000, 68000 },			\
	.prog_ns = 1000000, .erase_ns = 3500000,			\
	.channel_mbps = 1200, .link_mbps = 7000,			\
	.fw_read_ns = 20000, .fw_write_ns = 12000, .fw_other_ns = 2000, \
	.buffer_kib = 16384, .gc_policy = CONV_GC_COST_BENEFIT,		\
	.gc_threshold_pct = 1, .bg_gc_threshold_pct = 5,		\
	.pe_cycles = 7000,						\
}

/*
 * Samsung 970 EVO Plus 1 TB: consumer TLC, 8 channels, PCIe 3.0 x4, a 42 GB
 * (4.2%) TurboWrite (SLC) cache; independent plane reads, 2 firmware cores
 * (calibration: tools/calib/drives/).
 */
#define CONV_PARAMS_TLC_970EVOPLUS {					\
	.op_percent = 7, .nr_channels = 8, .luns_per_channel = 4,	\
	.planes_per_lun = 2, .pages_per_block = 96,			\
	.page_size = 16384, .oneshot_pages = 3, .cell_bits = 3,		\
	.read_4k_ns = { 31000, 31000, 31000 },				\
	.read_page_ns = { 36000, 36000, 36000 },			\
	.prog_ns = 1700000, .erase_ns = 3500000,			\
	.channel_mbps = 800, .link_mbps = 3500,				\
	.fw_read_ns = 3300, .fw_write_ns = 3600, .fw_other_ns = 1000,	\
	.buffer_kib = 8192, .gc_policy = CONV_GC_GREEDY,		\
	.gc_threshold_pct = 1, .bg_gc_threshold_pct = 2,		\
	.pe_cycles = 3000, .plane_reads = 1, .fw_cores = 2,		\
	.slc_cache_pm = 42, .slc_prog_ns = 850000, .slc_read_ns = 30000, \
}

/* QLC, Intel 660p 2 TB-class: 4 channels, PCIe 3.0 x4, SLC cache. */
#define CONV_PARAMS_QLC {						\
	.op_percent = 10, .nr_channels = 4, .luns_per_channel = 4,	\
	.planes_per_lun = 4, .pages_per_block = 96,			\
	.page_size = 16384, .oneshot_pages = 4, .cell_bits = 4,		\
	.read_4k_ns = { 80000, 95000, 115000, 140000 },			\
	.read_page_ns = { 90000, 110000, 130000, 160000 },		\
	.prog_ns = 3000000, .erase_ns = 10000000,			\
	.channel_mbps = 667, .link_mbps = 3500,				\
	.fw_read_ns = 6000, .fw_write_ns = 5000, .fw_other_ns = 1000,	\
	.buffer_kib = 4096, .gc_policy = CONV_GC_GREEDY,		\
	.gc_threshold_pct = 1, .bg_gc_threshold_pct = 2,		\
	.pe_cycles = 1000,						\
	.slc_cache_pm = 140, .slc_prog_ns = 1900000, .slc_read_ns = 60000, \
}

/*
 * FDP presets.  conv-fdp: the default drive with 28% OP, 1 reclaim group
 * and 4 handles, initially isolated; tlc-dc-fdp: CONV_PARAMS_TLC_DC with 2
 * reclaim groups (24 dies each) and 4 handles, persistently isolated.
 */
#define CONV_PARAMS_FDP {						\
	.op_percent = 28, .nr_channels = 8, .luns_per_channel = 4,	\
	.planes_per_lun = 2, .pages_per_block = 96,			\
	.page_size = 16384, .oneshot_pages = 3, .cell_bits = 3,		\
	.read_4k_ns = { 50000, 60000, 70000 },				\
	.read_page_ns = { 55000, 66000, 78000 },			\
	.prog_ns = 700000, .erase_ns = 3500000,				\
	.channel_mbps = 800, .link_mbps = 3500,				\
	.fw_read_ns = 5000, .fw_write_ns = 4000, .fw_other_ns = 1000,	\
	.buffer_kib = 4096, .gc_policy = CONV_GC_GREEDY,		\
	.gc_threshold_pct = 1, .bg_gc_threshold_pct = 2,		\
	.pe_cycles = 3000,						\
	.fdp_rgs = 1, .fdp_ruhs = 4, .fdp_persistent = 0,		\
}

#define CONV_PARAMS_TLC_DC_FDP {					\
	.op_percent = 37, .nr_channels = 12, .luns_per_channel = 4,	\
	.planes_per_lun = 2, .pages_per_block = 96,			\
	.page_size = 16384, .oneshot_pages = 3, .cell_bits = 3,		\
	.read_4k_ns = { 45000, 50000, 60000 },				\
	.read_page_ns = { 50000, 56000, 68000 },			\
	.prog_ns = 1000000, .erase_ns = 3500000,			\
	.channel_mbps = 1200, .link_mbps = 7000,			\
	.fw_read_ns = 20000, .fw_write_ns = 12000, .fw_other_ns = 2000, \
	.buffer_kib = 16384, .gc_policy = CONV_GC_COST_BENEFIT,		\
	.gc_threshold_pct = 1, .bg_gc_threshold_pct = 5,		\
	.pe_cycles = 7000,						\
	.fdp_rgs = 2, .fdp_ruhs = 4, .fdp_persistent = 1,		\
}

/*
 * One emulated device (or namespace).  Owned by the caller; the fields are
 * private to conv.c, except that the derived geometry (first block) may be
 * read after a successful init (the unit tests peek at more).
 */
struct conv_model {
	struct conv_params p;

	/* derived geometry */
	u32 nr_luns;		/* N */
	u32 spp;		/* slots per flash page */
	u32 pu_slots;		/* slots per program unit */
	u32 pus_per_group;
	u32 grp_slots;		/* G */
	u32 blocks_per_plane;	/* B */
	u32 nr_groups;		/* T = N * B */
	u32 lba_slots;		/* Ls */
	u32 phys_slots;		/* Ps = T * G */
	u32 gc_low;		/* foreground GC: free groups per LUN */
	u32 bg_low;		/* background GC: free groups in all */
	u32 t_ch;		/* ns per slot on a channel */
	u32 t_link;		/* ns per slot on the link */
	u32 buf_slots;		/* write buffer in slots, 0 = no buffer */

	/* bit-packed tables */
	u64 *l2p;		/* [Ls] ppa + 1, 0 = unmapped */
	u64 *rev;		/* [Ps] low rev_bits of the LBA */
	u32 l2p_bits;
	u32 rev_bits;
	u32 rev_drop;		/* x: LBA bits not stored in rev */

	/* per group */
	u32 *valid;		/* [T] valid slots */
	u32 *next_free;		/* [T] free-list link */
	u64 *closed_at;		/* [T] time its last PU was allocated */
	u8 *state;		/* [T] CONV_GRP_* (conv.c) */
	u32 *erase_cnt;		/* [T] erases so far */
	u8 *bad;		/* [T] marked bad (conv_inject_bad()) */

	/* per LUN */
	u32 *open_grp;		/* [N] open group or U32_MAX */
	u32 *open_next;		/* [N] next PU to allocate in it */
	u32 *free_head;		/* [N] FIFO of free groups */
	u32 *free_tail;
	u32 *nr_free_lun;	/* [N] */
	u32 nr_free;		/* F */
	u32 cursor;		/* round-robin LUN cursor */

	/* the open PU */
	u32 pu_grp;		/* U32_MAX: none */
	u32 pu_idx;
	u32 pu_fill;		/* slots in it */
	u32 pu_nhost;		/* host slots in it */
	u64 pu_time;		/* latest entry time of a slot */

	/* durability ("Durability") */
	u64 pu_num;		/* the open (or next) PU's number, from 1 */
	u64 wait_at;		/* latest at of the writes waiting for it */
	u64 dur_watch;		/* this call: PU open with slots at start */
	u64 last_num;		/* this call: PU of the last host slot */
	struct model_durability dur;	/* the last call's answer */

	/*
	 * The NAND machinery (nand.h): timelines, link, write buffer heap,
	 * counters.  idle is a copy of nand.idle after every call.
	 */
	struct nand nand;
	u64 idle;
	u64 cmd_pend;		/* current write: latest end of its PUs */

	/* wear ("Wear") */
	u32 spare0;		/* spare groups at init */
	u32 nr_retired;
	u32 nr_bad;		/* marked bad, not yet retired */
	u32 max_erase;
	u64 erase_total;	/* sum of erase_cnt */
	u64 deferred;		/* retirements deferred (no other group free) */
	u64 read_errors;
	u64 rng;		/* read-error generator state */
	bool read_only;

	u64 place_failures;	/* must stay 0 (see "GC never runs dry") */
	size_t meta_bytes;

	struct conv_fdp *fdp;	/* NULL: FDP off */

	u64 fw_core_free[CONV_MAX_FW_CORES];	/* "Firmware cores" */
	/* SLC cache ("SLC cache"); slc NULL: none */
	u8 *slc;		/* [T] 1: the group is in SLC mode */
	u32 slc_cap;		/* groups the cache may hold */
	u32 nr_slc;		/* groups in SLC mode */
	u32 nr_slc_full;	/* of them full (fold candidates) */
	u32 slc_scan;		/* fold cursor (group id) */
	bool slc_host;		/* conv_open_pu() opens for host data */
	u64 slc_folds;		/* groups folded so far */
};

/* Fill @p with the default drive and CONV_DEFAULT_CAPACITY. */
void conv_params_default(struct conv_params *p);

/*
 * NULL if @p is acceptable, else a short English reason naming the bad field
 * and its allowed range (a string constant; for capacity it names the range
 * in general terms - conv_min_capacity() gives the bound).
 */
const char *conv_check_params(const struct conv_params *p);

/*
 * The smallest capacity (bytes) that init accepts with @p's other fields,
 * such that every larger multiple of 4096 up to CONV_MAX_CAPACITY is also
 * accepted; 0 if @p's other fields are invalid.  p->capacity is ignored.
 */
u64 conv_min_capacity(const struct conv_params *p);

/*
 * Validate @p (NULL: defaults), derive the geometry and allocate the tables
 * (zeroed: nothing is mapped, every group is free).  Returns 0, -EINVAL
 * (conv_check_params() failed) or -ENOMEM.  On failure @m holds nothing to
 * free.  May sleep.
 */
int conv_model_init(struct conv_model *m, const struct conv_params *p);

/* Free the tables.  Safe after a failed init and safe to repeat. */
void conv_model_exit(struct conv_model *m);

/* Return the absolute completion time (ns) of @req; see the top of file. */
u64 conv_model_schedule(struct conv_model *m, const struct model_req *req);

/*
 * Forget pending work: every resource idle, programmed data out of the
 * buffer, the open PU's entry time 0, the waiting writes' at forgotten
 * ("Durability").  Mappings, the open PU's contents and number, free
 * lists, group ages, the counters, the wear (erase counts, bad and
 * retired groups, read only, the read-error generator) and the SLC cache
 * (which groups are in SLC mode, the fold cursor) stay.
 */
void conv_model_reset(struct conv_model *m);

/* Copy the counters (see model.h for the concurrency rule). */
void conv_model_stats(struct conv_model *m, struct model_stats *st);

/* True iff the model has a write buffer (buffer_kib > 0). */
bool conv_model_volatile_cache(struct conv_model *m);

/*
 * Durability of the request just scheduled ("Durability"), with the same
 * @req: the answer was computed by that schedule() call.  O(1).
 */
void conv_model_durability(struct conv_model *m, const struct model_req *req,
			   struct model_durability *d);

/* Fill @h with the wear state ("Wear", model.h).  O(1). */
void conv_model_health(struct conv_model *m, struct model_health *h);

/*
 * For a MODEL_READ @req just scheduled: true if it returns an Unrecovered
 * Read Error ("Wear").  Other ops: false.
 */
bool conv_model_read_error(struct conv_model *m, const struct model_req *req);

/* Mark @nr groups bad ("Wear"); returns how many were marked. */
u32 conv_inject_bad(struct conv_model *m, u32 nr);

/* ---- Flexible Data Placement ("Flexible Data Placement") ---- */

/* True iff FDP is configured (fdp_rgs > 0). */
bool conv_fdp_enabled(const struct conv_model *m);

/* Bytes of one reclaim unit (the Reclaim Unit Nominal Size). */
u64 conv_fdp_ru_bytes(const struct conv_model *m);

/*
 * Bytes handle @ruh can still write into its current reclaim unit in
 * reclaim group @rg (a full RU's size if it has none yet).  O(1).
 */
u64 conv_fdp_ru_avail(const struct conv_model *m, u32 ruh, u32 rg);

/*
 * Reclaim Unit Handle Update at @now: handle @ruh leaves its current RU in
 * @rg for an empty one.  Returns the bytes of the old RU left unwritten,
 * or 0 if it held no data (then nothing changes).  Dispatcher thread.
 */
u64 conv_fdp_ru_update(struct conv_model *m, u32 ruh, u32 rg, u64 now);

/*
 * Report events to @fn(@arg, ...) from now on (NULL: none), called during
 * schedule() and conv_fdp_ru_update() on the caller's thread.
 */
void conv_fdp_set_event_fn(struct conv_model *m, conv_fdp_event_fn fn,
			   void *arg);

/* Bytes allocated by and for the instance at @priv (struct conv_model). */
size_t conv_metadata_bytes(const void *priv);

/*
 * The victim a GC round starting at time @t would take from any LUN (as
 * background GC chooses), or U32_MAX if none.  O(groups).
 */
u32 conv_next_victim(const struct conv_model *m, u64 t);

/*
 * Test helper, O(Ls + Ps): 0 if L2P, reverse map, valid counts and free
 * lists agree, else a negative number saying which check failed.
 */
int conv_check_consistency(const struct conv_model *m);

#endif /* _NVMEV_FTL_CONV_H */
