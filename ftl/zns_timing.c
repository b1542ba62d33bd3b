// SPDX-License-Identifier: GPL-2.0-only
/*
 * zns_timing.c - timing model "zns" of a zoned NAND SSD; the rules are at
 * the top of zns_timing.h, the NAND machinery is nand.c.
 *
 * Code map: presets and parameters, init, zone mapping, the LRU list of
 * zones with an open PU, the record of programs in flight, programs and the
 * buffer rule, the request paths, the ops table.
 */
#include "zns_timing.h"

#define ZT_NONE		U32_MAX
#define ZT_INFLIGHT_EXTRA	256U	/* inflight_cap: 4 * buf_slots + this */

/* ---- presets and parameters ------------------------------------------ */

/*
 * ZNS_TIMING_ZN540, Western Digital Ultrastar DC ZN540-like:
 *   - Western Digital's announcement and its press coverage (Nov. 2020,
 *     e.g. AnandTech / Tom's Hardware): U.2, Western Digital's own
 *     dual-port NVMe 1.3c controller with full ZNS Command Set 1.0
 *     support, 96-layer 3D TLC NAND.
 *   - Zones: 2 GiB zone size (ZSZE) with 1077 MiB zone capacity (ZCAP),
 *     the figures the drive reports (Report Zones) in published studies
 *     of it; every zone striped over all dies, as NVMeVirt's preset does
 *     (DIES_PER_ZONE = all dies).
 *   - NAND, link and firmware timing: NVMeVirt's WD_ZN540 preset
 *     (ssd_config.h of snu-csl/nvmevirt): 8 channels x 4 dies at 450
 *     MB/s, PCIe 3050 MB/s (a PCIe Gen3 x4 link), 32 KiB pages programmed
 *     3 at a time (one TLC word line: a 96 KiB PU), tR 50 us for 4 KiB and
 *     58 us for a whole page, tPROG 561 us, firmware 20 us per read, 5.6
 *     us per write.
 *   - est.: tBERS 3.5 ms (NVMeVirt models erases as free), 1 plane and
 *     1152 pages per block (36 MiB, so a zone's share of a die, 1077 MiB /
 *     32 = 33.7 MiB, is one block; NVMeVirt sizes blocks ZSZE / dies = 64
 *     MiB), an 8 MiB write buffer shared by all zones (NVMeVirt: 10
 *     one-shot pages per zone, 960 KiB), fw_other 1 us.
 *   - Calibration (tools/calib/drives/zn540.conf): the vendor's data
 *     sheet and product brief (2021) could not be retrieved; the 4 TB
 *     model's figures as quoted (read 3.2 GB/s, write 2.0 GB/s, 450k read
 *     IOPS; no test conditions given) are off by more than 10% in
 *     nvmev-sim (one zone, 128 KiB QD32: write 3,050 MB/s at the link,
 *     read 2,332 MB/s, channel-bound; 4 KiB random reads QD32 x 4: 353k,
 *     die-bound).  Those rows are open there, with the mechanisms they
 *     lack; no parameter here was changed to meet them.
 *
 * ZNS_TIMING_SMALL, a small-zone prototype: the NAND of conv's default
 * drive (CONV_PARAMS_DEFAULT_INIT; its sources are in conv.c): TLC, as
 * the ZN540, and identical to conv's NAND so that conv and zns compare
 * with only the FTL different (GC and over-provisioning against zones).
 * 16 MiB zones with capacity = size (dense LBA space, as
 * zns_params_default() chooses) striped over 4 dies, in the spirit of
 * small-zone prototypes (e.g. the SK hynix ZNS prototype configuration of
 * NVMeVirt's predecessor: 96 MiB zones on one die each; ConfZNS's
 * configurable zone-to-die mapping).  16 MiB is not a multiple of the 384
 * KiB stripe (4 dies x 96 KiB PUs): each zone's last PU is 2/3 full and
 * padded when the zone fills (0.2% padding), and a full zone takes 2
 * blocks on each of its dies, so its reset erases 2 blocks per die.
 */
void zns_timing_params_default(struct zns_timing_params *p)
{
	static const struct zns_timing_params def = ZNS_TIMING_SMALL;

	*p = def;
	p->nr_zones = ZNS_TIMING_DEFAULT_ZONES;
}

static bool zt_is_pow2(u64 v)
{
	return v && !(v & (v - 1));
}

static u32 zt_ilog2(u64 v)
{
	u32 s = 0;

	while (v > 1) {
		v >>= 1;
		s++;
	}
	return s;
}

const char *zns_timing_check_params(const struct zns_timing_params *p)
{
	const char *why = nand_check_geometry(&p->nand);
	u32 dies;

	if (why)
		return why;
	why = nand_check_buffer(&p->nand);
	if (why)
		return why;
	if (!zt_is_pow2(p->zone_bytes) || p->zone_bytes < NAND_SLOT_SIZE ||
	    p->zone_bytes > ZNS_TIMING_MAX_ZONE_BYTES)
		return "zone_bytes must be a power of two, 4096 .. 1 TiB";
	if (p->zone_cap_bytes < NAND_SLOT_SIZE ||
	    (p->zone_cap_bytes & (NAND_SLOT_SIZE - 1)) ||
	    p->zone_cap_bytes > p->zone_bytes)
		return "zone_cap_bytes must be a multiple of 4096, 4096 .. zone_bytes";
	if (!p->nr_zones || p->nr_zones > ZNS_TIMING_MAX_ZONES)
		return "nr_zones must be 1 .. 4194304";
	dies = p->nand.nr_channels * p->nand.luns_per_channel;
	if (p->stripe_dies > dies)
		return "stripe_dies must be 0 (all dies) .. nr_channels * luns_per_channel";
	return NULL;
}

/* ---- init ---------------------------------------------------------------- */

void zns_timing_exit(struct zns_timing *m)
{
	kvfree(m->zones);
	m->zones = NULL;
	kvfree(m->inflight);
	m->inflight = NULL;
	m->inflight_len = 0;
	m->inflight_cap = 0;
	nand_exit(&m->nand);
	m->meta_bytes = 0;
}

int zns_timing_init(struct zns_timing *m, const struct zns_timing_params *p)
{
	struct zns_timing_params def;
	u64 bytes, hbytes = 0;

	memset(m, 0, sizeof(*m));
	if (!p) {
		zns_timing_params_default(&def);
		p = &def;
	}
	if (zns_timing_check_params(p))
		return -EINVAL;
	m->p = *p;
	if (nand_init(&m->nand, &p->nand))
		return -ENOMEM;
	m->nr_zones = p->nr_zones;
	m->zone_slots = (u32)(p->zone_bytes >> 12);
	m->zone_shift = zt_ilog2(m->zone_slots);
	m->cap_slots = (u32)(p->zone_cap_bytes >> 12);
	m->stripe = p->stripe_dies ? p->stripe_dies : m->nand.g.nr_luns;
	m->pu_slots = m->nand.g.pu_slots;
	m->pus_per_group = m->nand.g.pus_per_group;

	bytes = (u64)m->nr_zones * sizeof(struct zns_tzone);
	if ((size_t)bytes == bytes)
		m->zones = kvzalloc((size_t)bytes, GFP_KERNEL);
	if (!m->zones) {
		zns_timing_exit(m);
		return -ENOMEM;
	}
	if (m->nand.buf_slots) {
		/* buf_slots <= 65536 (conv.h): no overflow */
		m->inflight_cap = 4 * m->nand.buf_slots + ZT_INFLIGHT_EXTRA;
		hbytes = (u64)m->inflight_cap * sizeof(struct zns_tprog);
		if ((size_t)hbytes == hbytes)
			m->inflight = kvzalloc((size_t)hbytes, GFP_KERNEL);
		if (!m->inflight) {
			zns_timing_exit(m);
			return -ENOMEM;
		}
	}
	m->lru_head = ZT_NONE;
	m->lru_tail = ZT_NONE;
	m->cmd_z0 = ZT_NONE;
	m->meta_bytes = sizeof(*m) + m->nand.bytes + (size_t)bytes +
			(size_t)hbytes;
	return 0;
}

void zns_timing_reset(struct zns_timing *m)
{
	u32 z;

	if (!m->zones)
		return;
	nand_reset(&m->nand);
	m->inflight_len = 0;	/* forgotten programs count as ended */
	for (z = 0; z < m->nr_zones; z++) {
		m->zones[z].pu_time = 0;
		m->zones[z].pend = 0;
	}
}

size_t zns_timing_metadata_bytes(const void *priv)
{
	const struct zns_timing *m = priv;

	return m->meta_bytes;
}

/* ---- zone mapping (zns_timing.h "Geometry") ------------------------------ */

/* Die of PU @q of zone @z. */
static u32 zt_die(const struct zns_timing *m, u32 z, u32 q)
{
	u32 n = m->nand.g.nr_luns;
	u32 first = (z % n) * m->stripe % n;	/* (z * D) mod N */

	return (first + q % m->stripe) % n;
}

/* Page type of slot @i of PU @q of a zone. */
static u32 zt_page_type(const struct zns_timing *m, u32 q, u32 i)
{
	return nand_page_type(&m->nand, (q / m->stripe) % m->pus_per_group,
			      i);
}

/* Slots touched by [off, off + len), clipped to the namespace. */
static void zt_slots(const struct zns_timing *m, u64 off, u64 len,
		     u64 *first, u64 *end)
{
	u64 last = nand_add(off, len);
	u64 total = (u64)m->nr_zones << m->zone_shift;

	*first = off >> 12;
	*end = (last >> 12) + ((last & 4095) ? 1 : 0);
	if (*end > total)
		*end = total;
	if (!len || *first > *end)
		*first = *end;
}

/* Zone of the request's slba_bytes, or ZT_NONE beyond the namespace. */
static u32 zt_zone_of(const struct zns_timing *m, u64 slba_bytes)
{
	u64 z = slba_bytes >> (m->zone_shift + 12);

	return z < m->nr_zones ? (u32)z : ZT_NONE;
}

/* ---- LRU list of the zones with an open PU --------------------------------- */

static void zt_lru_unlink(struct zns_timing *m, u32 z)
{
	struct zns_tzone *zn = &m->zones[z];

	if (zn->prev == ZT_NONE)
		m->lru_head = zn->next;
	else
		m->zones[zn->prev].next = zn->next;
	if (zn->next == ZT_NONE)
		m->lru_tail = zn->prev;
	else
		m->zones[zn->next].prev = zn->prev;
	m->lru_len--;
}

static void zt_lru_push(struct zns_timing *m, u32 z)
{
	struct zns_tzone *zn = &m->zones[z];

	zn->prev = m->lru_tail;
	zn->next = ZT_NONE;
	if (m->lru_tail == ZT_NONE)
		m->lru_head = z;
	else
		m->zones[m->lru_tail].next = z;
	m->lru_tail = z;
	m->lru_len++;
}

/* Zone @z (in the list) was written: it becomes the most recent. */
static void zt_lru_touch(struct zns_timing *m, u32 z)
{
	if (m->lru_tail == z)
		return;
	zt_lru_unlink(m, z);
	zt_lru_push(m, z);
}

/* ---- programs in flight (zns_timing.h "Power cut") ---------------------- */

static void zt_inflight_pop(struct zns_timing *m)
{
	struct zns_tprog *h = m->inflight;
	struct zns_tprog last = h[--m->inflight_len];
	u32 i = 0, c;

	while ((c = 2 * i + 1) < m->inflight_len) {
		if (c + 1 < m->inflight_len && h[c + 1].pend < h[c].pend)
			c++;
		if (last.pend <= h[c].pend)
			break;
		h[i] = h[c];
		i = c;
	}
	h[i] = last;
}

/*
 * Record a program of zone @z ending at @pend whose first newly written
 * slot is @start.  When the heap is full the earliest-ending entry, this
 * one or the heap's first, is dropped: treated as durable.
 */
static void zt_inflight_push(struct zns_timing *m, u64 pend, u32 z,
			     u32 start)
{
	struct zns_tprog *h = m->inflight;
	u32 i;

	if (!h)
		return;
	if (m->inflight_len >= m->inflight_cap) {
		m->cut_overflows++;
		if (pend <= h[0].pend)
			return;
		zt_inflight_pop(m);
	}
	i = m->inflight_len++;
	while (i) {
		u32 up = (i - 1) / 2;

		if (h[up].pend <= pend)
			break;
		h[i] = h[up];
		i = up;
	}
	h[i].pend = pend;
	h[i].zone = z;
	h[i].start = start;
}

/* Programs that ended by @now are durable at any later cut: forget them. */
static void zt_inflight_expire(struct zns_timing *m, u64 now)
{
	while (m->inflight_len && m->inflight[0].pend <= now)
		zt_inflight_pop(m);
}

/* Zone @z was reset: its recorded programs no longer hold its data. */
static void zt_inflight_forget_zone(struct zns_timing *m, u32 z)
{
	u32 i;

	for (i = 0; i < m->inflight_len; i++)
		if (m->inflight[i].zone == z)
			m->inflight[i].zone = ZT_NONE;
}

/* ---- programs and the buffer rule ------------------------------------------ */

/*
 * Program zone @z's open PU (wp > prog), a fill or a pad, ready at the
 * later of @t and its pu_time.  Returns the program's end.
 */
static u64 zt_program(struct zns_timing *m, u32 z, u64 t)
{
	struct zns_tzone *zn = &m->zones[z];
	u32 q = zn->prog / m->pu_slots;
	u32 nbuf = zn->wp - zn->prog;
	u32 data = zn->wp - q * m->pu_slots;
	u64 pend = nand_program(&m->nand, zt_die(m, z, q),
				nand_max(t, zn->pu_time), nbuf);

	zt_inflight_push(m, pend, z, zn->prog);

	if (data < m->pu_slots) {
		m->pads++;
		m->pad_slots += m->pu_slots - data;
	}
	m->held -= nbuf;
	zt_lru_unlink(m, z);
	zn->prog = zn->wp;
	if (pend > zn->pend)
		zn->pend = pend;
	if (m->cmd_z0 != ZT_NONE && z >= m->cmd_z0 && z <= m->cmd_z1 &&
	    pend > m->cmd_pend)
		m->cmd_pend = pend;
	return pend;
}

/*
 * Buffer space for one more slot of zone @z at or after @start (zns_timing.h
 * "Writes" (4)); *@waited is set if it is later.
 */
static u64 zt_buffer_space(struct zns_timing *m, u32 z, u64 start,
			   bool *waited)
{
	while (!nand_buf_space(&m->nand, &start, m->held, waited)) {
		u32 v = m->lru_head;

		if (v == z)
			v = m->zones[v].next;
		if (v == ZT_NONE) {
			m->failures++;	/* cannot happen: zns_timing.h */
			break;
		}
		zt_program(m, v, start);
		m->forced_pads++;
		*waited = true;
	}
	return start;
}

/* ---- requests ---------------------------------------------------------------- */

static u64 zt_write(struct zns_timing *m, const struct model_req *req,
		    bool zeroes)
{
	const u32 zmask = m->zone_slots - 1;
	u64 ready = nand_add(req->now, m->p.nand.fw_write_ns), e = ready;
	bool waited = false;
	u64 s, end;
	u32 z;

	if (!zeroes)
		nand_count(&m->nand.st.host_write_bytes, req->len);
	zt_slots(m, req->slba_bytes, req->len, &s, &end);
	if (s == end)
		return ready;
	m->cmd_z0 = (u32)(s >> m->zone_shift);
	m->cmd_z1 = (u32)((end - 1) >> m->zone_shift);
	m->cmd_pend = 0;
	for (; s < end; s++) {
		struct zns_tzone *zn;
		u32 o = (u32)(s & zmask);
		u64 start;

		if (o >= m->cap_slots)
			continue;			/* (1) */
		z = (u32)(s >> m->zone_shift);
		zn = &m->zones[z];
		if (o < zn->wp) {			/* (2) merged */
			e = zeroes ? ready :
			    nand_wr_xfer(&m->nand,
					 nand_wr_ready(&m->nand, ready), 1);
			if (zn->wp > zn->prog)
				zt_lru_touch(m, z);
			continue;
		}
		if (o > zn->wp) {			/* (3) gap */
			if (zn->wp > zn->prog)
				zt_program(m, z, ready);
			zn->wp = o;
			zn->prog = o;
		}
		start = zeroes ? ready : nand_wr_ready(&m->nand, ready);
		if (m->nand.buf_slots)
			start = zt_buffer_space(m, z, start, &waited);
		e = zeroes ? start : nand_wr_xfer(&m->nand, start, 1);
		if (zn->wp == zn->prog)
			zt_lru_push(m, z);
		else
			zt_lru_touch(m, z);
		zn->wp++;
		m->held++;
		if (e > zn->pu_time)
			zn->pu_time = e;
		if (zn->wp % m->pu_slots == 0 || zn->wp == m->cap_slots)
			zt_program(m, z, e);		/* fill */
	}
	if (waited)
		nand_count(&m->nand.st.buffer_waits, 1);
	if (req->fua || !m->nand.buf_slots) {
		u64 zpend = 0;

		for (z = m->cmd_z0; z <= m->cmd_z1; z++) {
			if (m->zones[z].wp > m->zones[z].prog)
				zt_program(m, z, e);
			/* durable only with the zone's earlier data ("Power cut") */
			if (req->fua && m->nand.buf_slots)
				zpend = nand_max(zpend, m->zones[z].pend);
		}
		e = nand_max(nand_max(e, m->cmd_pend), zpend);
	}
	m->cmd_z0 = ZT_NONE;
	return e;
}

/* Is slot @s (inside the namespace) on the NAND? */
static inline bool zt_on_nand(const struct zns_timing *m, u64 s)
{
	u32 o = (u32)(s & (m->zone_slots - 1));

	return o < m->zones[s >> m->zone_shift].prog;
}

static u64 zt_read(struct zns_timing *m, const struct model_req *req)
{
	u64 ready = nand_add(req->now, m->p.nand.fw_read_ns), done = ready;
	const u32 spp = m->nand.g.spp, P = m->pu_slots;
	u64 s, end, t;

	nand_count(&m->nand.st.host_read_bytes, req->len);
	zt_slots(m, req->slba_bytes, req->len, &s, &end);
	while (s < end) {
		u32 z = (u32)(s >> m->zone_shift);
		u32 o = (u32)(s & (m->zone_slots - 1));
		u32 k = 1;

		if (!zt_on_nand(m, s)) {		/* (a) */
			while (s + k < end && k < U32_MAX &&
			       !zt_on_nand(m, s + k))
				k++;
			t = ready;
		} else {				/* (b) */
			u32 prog = m->zones[z].prog;
			u32 q = o / P, i = o % P;

			/* o + k < prog keeps the run inside zone z */
			while (s + k < end && i + k < P && o + k < prog &&
			       (i + k) / spp == i / spp)
				k++;
			t = nand_page_read(&m->nand, zt_die(m, z, q),
					   zt_page_type(m, q, i), k, ready);
		}
		t = nand_link_rd(&m->nand, t, k);
		if (t > done)
			done = t;
		s += k;
	}
	return done;
}

static u64 zt_flush(struct zns_timing *m, u64 now)
{
	u64 ready = nand_add(now, m->p.nand.fw_other_ns);

	while (m->lru_head != ZT_NONE)
		zt_program(m, m->lru_head, ready);
	return nand_max(ready, m->nand.last_pend);
}

static u64 zt_finish(struct zns_timing *m, const struct model_req *req)
{
	u32 z = zt_zone_of(m, req->slba_bytes);
	u64 t = req->now;

	if (z != ZT_NONE && m->zones[z].wp > m->zones[z].prog)
		t = zt_program(m, z, req->now);
	return nand_add(t, m->p.nand.fw_other_ns);
}

static u64 zt_reset(struct zns_timing *m, const struct model_req *req)
{
	u32 z = zt_zone_of(m, req->slba_bytes);
	u64 last = req->now, t0, t;
	struct zns_tzone *zn;
	u32 q, j, jmax, c, g, die;

	if (z == ZT_NONE)
		return nand_add(req->now, m->p.nand.fw_other_ns);
	zn = &m->zones[z];
	zt_inflight_forget_zone(m, z);
	if (zn->wp > zn->prog) {
		m->held -= zn->wp - zn->prog;	/* buffered data dropped */
		zt_lru_unlink(m, z);
	}
	q = zn->prog / m->pu_slots + (zn->prog % m->pu_slots ? 1 : 0);
	jmax = q < m->stripe ? q : m->stripe;
	t0 = nand_max(req->now, zn->pend);
	for (j = 0; j < jmax; j++) {
		c = (q - 1 - j) / m->stripe + 1;
		g = c / m->pus_per_group + (c % m->pus_per_group ? 1 : 0);
		die = zt_die(m, z, j);
		for (t = t0; g; g--)
			t = nand_erase(&m->nand, die, t);
		if (t > last)
			last = t;
	}
	zn->wp = 0;
	zn->prog = 0;
	if (jmax && last > zn->pend)
		zn->pend = last;
	zn->pu_time = zn->pend;
	return nand_add(last, m->p.nand.fw_other_ns);
}

u64 zns_timing_schedule(struct zns_timing *m, const struct model_req *req)
{
	nand_begin(&m->nand, req->now);
	zt_inflight_expire(m, req->now);
	switch (req->op) {
	case MODEL_READ:
		return zt_read(m, req);
	case MODEL_WRITE:
		return zt_write(m, req, false);
	case MODEL_WRITE_ZEROES:
		return zt_write(m, req, true);
	case MODEL_FLUSH:
		return zt_flush(m, req->now);
	case MODEL_ZONE_FINISH:
		return zt_finish(m, req);
	case MODEL_ZONE_RESET:
		return zt_reset(m, req);
	case MODEL_DISCARD:
	case MODEL_OTHER:
	default:
		return nand_add(req->now, m->p.nand.fw_other_ns);
	}
}

void zns_timing_cut(struct zns_timing *m, u64 t, model_lost_fn lost,
		    void *arg)
{
	const u32 shift = m->zone_shift + 12;
	u32 i, z;

	if (!m->zones)
		return;
	/* a zone keeps the prefix before its first program not ended by t */
	for (i = 0; i < m->inflight_len; i++) {
		const struct zns_tprog *p = &m->inflight[i];

		if (p->pend > t && p->zone < m->nr_zones &&
		    p->start < m->zones[p->zone].prog)
			m->zones[p->zone].prog = p->start;
	}
	for (z = 0; z < m->nr_zones; z++) {
		struct zns_tzone *zn = &m->zones[z];

		if (zn->wp <= zn->prog)
			continue;
		if (lost)
			lost(arg, ((u64)z << shift) + ((u64)zn->prog << 12),
			     (u64)(zn->wp - zn->prog) << 12);
		zn->wp = zn->prog;
	}
	m->lru_head = ZT_NONE;
	m->lru_tail = ZT_NONE;
	m->lru_len = 0;
	m->held = 0;
	zns_timing_reset(m);
}

void zns_timing_stats(struct zns_timing *m, struct model_stats *st)
{
	nand_stats(&m->nand, st);
}

bool zns_timing_volatile_cache(struct zns_timing *m)
{
	return m->p.nand.buffer_kib > 0;
}

int zns_timing_check_consistency(const struct zns_timing *m)
{
	const u32 P = m->pu_slots;
	u32 z, n = 0, cnt = 0, prev = ZT_NONE;
	u64 held = 0;

	for (z = 0; z < m->nr_zones; z++) {
		const struct zns_tzone *zn = &m->zones[z];

		if (zn->prog > zn->wp || zn->wp > m->cap_slots)
			return -1;
		if (zn->wp == zn->prog)
			continue;
		if (zn->wp - zn->prog >= P)
			return -2;
		if (zn->prog / P != (zn->wp - 1) / P)
			return -3;
		held += zn->wp - zn->prog;
		n++;
	}
	if (held != m->held)
		return -4;
	if (n != m->lru_len)
		return -5;
	for (z = m->lru_head; z != ZT_NONE && cnt <= n;
	     z = m->zones[z].next, cnt++) {
		if (z >= m->nr_zones)
			return -6;
		if (m->zones[z].wp <= m->zones[z].prog)
			return -7;
		if (m->zones[z].prev != prev)
			return -8;
		prev = z;
	}
	if (cnt != n || prev != m->lru_tail)
		return -9;
	if (m->nand.buf_slots && held + m->nand.buf_used > m->nand.buf_slots)
		return -10;
	if (!m->nand.buf_slots && held)
		return -11;
	if (m->failures || m->nand.failures)
		return -12;
	return 0;
}

/* ---- ops table ------------------------------------------------------------- */

static int zt_ops_init(void *priv, const void *params)
{
	return zns_timing_init(priv, params);
}

static void zt_ops_exit(void *priv)
{
	zns_timing_exit(priv);
}

static u64 zt_ops_schedule(void *priv, const struct model_req *req)
{
	return zns_timing_schedule(priv, req);
}

static void zt_ops_reset(void *priv)
{
	zns_timing_reset(priv);
}

static void zt_ops_cut(void *priv, u64 t, model_lost_fn lost, void *arg)
{
	zns_timing_cut(priv, t, lost, arg);
}

static void zt_ops_stats(void *priv, struct model_stats *st)
{
	zns_timing_stats(priv, st);
}

static bool zt_ops_volatile_cache(void *priv)
{
	return zns_timing_volatile_cache(priv);
}

const struct model_ops zns_timing_ops = {
	.name = "zns",
	.priv_size = sizeof(struct zns_timing),
	.init = zt_ops_init,
	.exit = zt_ops_exit,
	.schedule = zt_ops_schedule,
	.reset = zt_ops_reset,
	.stats = zt_ops_stats,
	.volatile_cache = zt_ops_volatile_cache,
	.cut = zt_ops_cut,
};
