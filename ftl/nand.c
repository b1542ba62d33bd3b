// SPDX-License-Identifier: GPL-2.0-only
/*
 * nand.c - NAND machinery shared by the NAND-based timing models; the
 * rules are at the top of nand.h.  Every time is computed with saturating
 * arithmetic.
 */
#include "conv.h"
#include "nand.h"

/* ---- parameters and geometry ---------------------------------------- */

const char *nand_check_geometry(const struct conv_params *p)
{
	if (!p->nr_channels || p->nr_channels > CONV_MAX_CHANNELS)
		return "nr_channels must be 1..64";
	if (!p->luns_per_channel ||
	    p->luns_per_channel > CONV_MAX_LUNS_PER_CHANNEL)
		return "luns_per_channel must be 1..64";
	if (!p->planes_per_lun || p->planes_per_lun > CONV_MAX_PLANES)
		return "planes_per_lun must be 1..8";
	if (p->page_size < CONV_MIN_PAGE_SIZE ||
	    p->page_size > CONV_MAX_PAGE_SIZE ||
	    p->page_size % NAND_SLOT_SIZE)
		return "page_size must be a multiple of 4096, 4096..65536";
	if (!p->oneshot_pages || p->oneshot_pages > CONV_MAX_ONESHOT_PAGES)
		return "oneshot_pages must be 1..8";
	if (!p->pages_per_block ||
	    p->pages_per_block > CONV_MAX_PAGES_PER_BLOCK ||
	    p->pages_per_block % p->oneshot_pages)
		return "pages_per_block must be a multiple of oneshot_pages, 1..8192";
	if (!p->cell_bits || p->cell_bits > NAND_MAX_CELL_BITS)
		return "cell_bits must be 1..4 (SLC..QLC)";
	if (p->plane_reads > 1)
		return "plane_reads must be 0 (a read occupies its whole die) or 1 (each plane reads on its own)";
	return NULL;
}

void nand_geo(const struct conv_params *p, struct nand_geo *g)
{
	g->nr_luns = p->nr_channels * p->luns_per_channel;
	g->spp = p->page_size / NAND_SLOT_SIZE;
	g->pu_slots = p->planes_per_lun * p->oneshot_pages * g->spp;
	g->pus_per_group = p->pages_per_block / p->oneshot_pages;
	g->grp_slots = p->planes_per_lun * p->pages_per_block * g->spp;
}

const char *nand_check_buffer(const struct conv_params *p)
{
	struct nand_geo g;

	nand_geo(p, &g);
	if (p->buffer_kib &&
	    (p->buffer_kib % 4 || p->buffer_kib > CONV_MAX_BUFFER_KIB ||
	     p->buffer_kib / 4 < g.pu_slots))
		return "buffer_kib must be 0 or a multiple of 4 from one program unit (planes_per_lun * oneshot_pages * page_size / 1024) to 262144";
	return NULL;
}

u32 nand_slot_ns(u32 mbps)
{
	if (!mbps)
		return 0;
	return (u32)div_u64(NAND_SLOT_SIZE * 1000ULL + mbps - 1, mbps);
}

/* Read timelines per LUN: planes_per_lun with plane_reads, else 1. */
static u32 nand_rplanes(const struct conv_params *p)
{
	return p->plane_reads ? p->planes_per_lun : 1;
}

u64 nand_alloc_bytes(const struct conv_params *p)
{
	u64 r = (u64)p->nr_channels * p->luns_per_channel * nand_rplanes(p) +
		p->nr_channels;

	return r * (NAND_TL_CAP * sizeof(struct nand_iv) + sizeof(u32)) +
	       (u64)(p->buffer_kib / 4) * sizeof(struct nand_bufpu);
}

static void *nand_alloc(struct nand *n, u64 bytes)
{
	void *p;

	if ((size_t)bytes != bytes)
		return NULL;
	p = kvzalloc((size_t)bytes, GFP_KERNEL);
	if (p)
		n->bytes += (size_t)bytes;
	return p;
}

void nand_exit(struct nand *n)
{
	kvfree(n->tl);
	kvfree(n->tl_len);
	kvfree(n->bheap);
	n->tl = NULL;
	n->tl_len = NULL;
	n->bheap = NULL;
	n->bytes = 0;
}

int nand_init(struct nand *n, const struct conv_params *p)
{
	u32 r;

	memset(n, 0, sizeof(*n));
	nand_geo(p, &n->g);
	n->nr_channels = p->nr_channels;
	n->planes_per_lun = p->planes_per_lun;
	n->oneshot_pages = p->oneshot_pages;
	n->cell_bits = p->cell_bits;
	memcpy(n->read_4k_ns, p->read_4k_ns, sizeof(n->read_4k_ns));
	memcpy(n->read_page_ns, p->read_page_ns, sizeof(n->read_page_ns));
	n->prog_ns = p->prog_ns;
	n->erase_ns = p->erase_ns;
	n->t_ch = nand_slot_ns(p->channel_mbps);
	n->t_link = nand_slot_ns(p->link_mbps);
	n->buf_slots = p->buffer_kib / 4;
	n->rplanes = nand_rplanes(p);
	n->ch_base = n->g.nr_luns * n->rplanes;

	r = n->ch_base + n->nr_channels;
	n->tl = nand_alloc(n, (u64)r * NAND_TL_CAP * sizeof(struct nand_iv));
	n->tl_len = nand_alloc(n, (u64)r * sizeof(u32));
	if (n->buf_slots)
		n->bheap = nand_alloc(n, (u64)n->buf_slots *
				      sizeof(struct nand_bufpu));
	if (!n->tl || !n->tl_len || (n->buf_slots && !n->bheap)) {
		nand_exit(n);
		return -ENOMEM;
	}
	return 0;
}

void nand_reset(struct nand *n)
{
	if (!n->tl_len)
		return;
	memset(n->tl_len, 0, (size_t)(n->ch_base + n->nr_channels) *
	       sizeof(u32));
	n->horizon = 0;
	n->bheap_len = 0;
	n->buf_used = 0;
	n->link_rd_free = 0;
	n->link_wr_free = 0;
	n->idle = 0;
	n->last_pend = 0;
}

u32 nand_page_type(const struct nand *n, u32 pu, u32 slot)
{
	u32 j = slot / n->g.spp;		/* page within the PU */
	u32 w = j % n->oneshot_pages;		/* page within one plane */

	return (pu * n->oneshot_pages + w) % n->cell_bits;
}

/* ---- timelines --------------------------------------------------------- */

static inline void nand_busy(struct nand *n, u64 t)
{
	if (t > n->idle)
		n->idle = t;
}

/*
 * Resource r: plane p of LUN l is r = l * rplanes + p (rplanes = 1 without
 * plane_reads: r = l, the whole LUN), channel c is r = ch_base + c.
 */
static inline struct nand_iv *nand_tl(const struct nand *n, u32 r)
{
	return n->tl + (size_t)r * NAND_TL_CAP;
}

/* Earliest s' >= s such that [s', s' + d) is free on resource @r. */
static u64 nand_tl_fit(const struct nand *n, u32 r, u64 s, u64 d)
{
	const struct nand_iv *iv = nand_tl(n, r);
	u32 i, len = n->tl_len[r];

	for (i = 0; i < len; i++) {
		if (iv[i].e <= s)
			continue;
		if (nand_add(s, d) <= iv[i].s)
			break;
		s = iv[i].e;
	}
	return s;
}

/* Mark [s, e) busy on resource @r (it is free: nand_tl_fit() found it). */
static void nand_tl_add(struct nand *n, u32 r, u64 s, u64 e)
{
	struct nand_iv *iv = nand_tl(n, r);
	u32 len = n->tl_len[r], i, k;

	if (e <= s)
		return;
	nand_busy(n, e);
	for (k = 0; k < len && iv[k].e <= n->horizon; k++)
		;
	if (k) {
		for (i = k; i < len; i++)
			iv[i - k] = iv[i];
		len -= k;
	}
	if (len == NAND_TL_CAP) {
		/* full: the two neighbours closest together merge */
		u32 best = 0;

		for (i = 1; i + 1 < len; i++)
			if (iv[i + 1].s - iv[i].e < iv[best + 1].s - iv[best].e)
				best = i;
		iv[best].e = iv[best + 1].e;
		for (i = best + 1; i + 1 < len; i++)
			iv[i] = iv[i + 1];
		len--;
	}
	for (k = 0; k < len && iv[k].s < s; k++)
		;
	/* the left neighbour may touch it, or cover it after a merge */
	if (k && iv[k - 1].e >= s) {
		if (e > iv[k - 1].e)
			iv[k - 1].e = e;
		if (k < len && iv[k - 1].e >= iv[k].s) {
			if (iv[k].e > iv[k - 1].e)
				iv[k - 1].e = iv[k].e;
			for (i = k; i + 1 < len; i++)
				iv[i] = iv[i + 1];
			len--;
		}
	} else if (k < len && iv[k].s <= e) {	/* touches the right */
		iv[k].s = s;
		if (e > iv[k].e)
			iv[k].e = e;
	} else {
		for (i = len; i > k; i--)
			iv[i] = iv[i - 1];
		iv[k].s = s;
		iv[k].e = e;
		len++;
	}
	n->tl_len[r] = len;
}

/*
 * Book [s, s + a + x + b) on the planes @p0 .. @p0 + @np - 1 of LUN @lun
 * and [s + a, s + a + x) on its channel, s the earliest time >= @t at
 * which all of them are free.  s only grows while searching, and each
 * resource's intervals are finite, so the search ends.
 */
static u64 nand_op_planes(struct nand *n, u32 lun, u32 p0, u32 np, u64 t,
			  u64 a, u64 x, u64 b)
{
	u32 ch = n->ch_base + nand_lun_channel(n, lun);
	u32 r0 = lun * n->rplanes + p0, i;
	u64 d = nand_add(nand_add(a, x), b);
	u64 s = t, c, f;
	bool moved;

	for (;;) {
		do {
			moved = false;
			for (i = 0; i < np; i++) {
				f = nand_tl_fit(n, r0 + i, s, d);
				if (f != s) {
					s = f;
					moved = true;
				}
			}
		} while (moved && np > 1);
		if (!x)
			break;
		c = nand_tl_fit(n, ch, nand_add(s, a), x);
		if (c == nand_add(s, a))
			break;
		s = c - a;
	}
	for (i = 0; i < np; i++)
		nand_tl_add(n, r0 + i, s, nand_add(s, d));
	if (x)
		nand_tl_add(n, ch, nand_add(s, a),
			    nand_add(nand_add(s, a), x));
	return s;
}

u64 nand_op(struct nand *n, u32 lun, u64 t, u64 a, u64 x, u64 b)
{
	return nand_op_planes(n, lun, 0, n->rplanes, t, a, x, b);
}

/* ---- NAND operations ---------------------------------------------------- */

static u32 nand_tr(const struct nand *n, u32 type, u32 k)
{
	return k == 1 ? n->read_4k_ns[type] : n->read_page_ns[type];
}

static u64 nand_read_planes(struct nand *n, u32 lun, u32 p0, u32 np,
			    u32 tr, u32 k, u64 t)
{
	u64 x = nand_mul(k, n->t_ch);
	u64 s = nand_op_planes(n, lun, p0, np, t, tr, x, 0);

	nand_count(&n->st.media_read_bytes, (u64)k * NAND_SLOT_SIZE);
	return nand_add(nand_add(s, tr), x);
}

u64 nand_page_read(struct nand *n, u32 lun, u32 type, u32 k, u64 t)
{
	return nand_read_planes(n, lun, 0, n->rplanes, nand_tr(n, type, k), k,
				t);
}

u64 nand_plane_read_tr(struct nand *n, u32 lun, u32 plane, u32 tr, u32 k,
		       u64 t)
{
	if (n->rplanes == 1)
		return nand_read_planes(n, lun, 0, 1, tr, k, t);
	return nand_read_planes(n, lun, plane, 1, tr, k, t);
}

u64 nand_plane_read(struct nand *n, u32 lun, u32 plane, u32 type, u32 k,
		    u64 t)
{
	return nand_plane_read_tr(n, lun, plane, nand_tr(n, type, k), k, t);
}

/* The buffer's min-heap on the time each programmed PU frees its slots. */
static void nand_heap_push(struct nand *n, u64 t, u32 nslots)
{
	struct nand_bufpu *h = n->bheap;
	u32 i;

	if (unlikely(n->bheap_len >= n->buf_slots)) {
		n->failures++;	/* cannot happen: nand.h */
		return;
	}
	i = n->bheap_len++;
	while (i) {
		u32 up = (i - 1) / 2;

		if (h[up].t <= t)
			break;
		h[i] = h[up];
		i = up;
	}
	h[i].t = t;
	h[i].n = nslots;
	n->buf_used += nslots;
}

static void nand_heap_pop(struct nand *n)
{
	struct nand_bufpu *h = n->bheap;
	struct nand_bufpu last = h[--n->bheap_len];
	u32 i = 0, c;

	n->buf_used -= h[0].n;
	while ((c = 2 * i + 1) < n->bheap_len) {
		if (c + 1 < n->bheap_len && h[c + 1].t < h[c].t)
			c++;
		if (last.t <= h[c].t)
			break;
		h[i] = h[c];
		i = c;
	}
	h[i] = last;
}

u64 nand_program_ns(struct nand *n, u32 lun, u64 t, u32 nhost, u32 prog)
{
	u64 x = nand_mul(n->g.pu_slots, n->t_ch);
	u64 s = nand_op(n, lun, t, 0, x, prog);
	u64 pend = nand_add(nand_add(s, x), prog);

	if (pend > n->last_pend)
		n->last_pend = pend;
	if (n->buf_slots && nhost)
		nand_heap_push(n, pend, nhost);
	nand_count(&n->st.media_write_bytes,
		   (u64)n->g.pu_slots * NAND_SLOT_SIZE);
	return pend;
}

u64 nand_program(struct nand *n, u32 lun, u64 t, u32 nhost)
{
	return nand_program_ns(n, lun, t, nhost, n->prog_ns);
}

u64 nand_erase(struct nand *n, u32 lun, u64 t)
{
	u64 s = nand_op(n, lun, t, 0, 0, n->erase_ns);

	nand_count(&n->st.erases, n->planes_per_lun);
	return nand_add(s, n->erase_ns);
}

/* ---- host link and write buffer ----------------------------------------- */

u64 nand_link_rd(struct nand *n, u64 t, u32 k)
{
	t = nand_add(nand_max(t, n->link_rd_free), nand_mul(k, n->t_link));
	n->link_rd_free = t;
	nand_busy(n, t);
	return t;
}

u64 nand_wr_xfer(struct nand *n, u64 start, u32 k)
{
	u64 e = nand_add(start, nand_mul(k, n->t_link));

	n->link_wr_free = e;
	nand_busy(n, e);
	return e;
}

bool nand_buf_space(struct nand *n, u64 *t, u32 held, bool *waited)
{
	while (n->bheap_len && n->bheap[0].t <= *t)
		nand_heap_pop(n);
	if (n->buf_used + held < n->buf_slots)
		return true;
	if (!n->bheap_len)
		return false;
	/* buf_used + held <= buf_slots: freeing one entry makes room */
	*t = n->bheap[0].t;
	nand_heap_pop(n);
	*waited = true;
	return true;
}

void nand_stats(const struct nand *n, struct model_stats *st)
{
	st->host_read_bytes = READ_ONCE(n->st.host_read_bytes);
	st->host_write_bytes = READ_ONCE(n->st.host_write_bytes);
	st->media_read_bytes = READ_ONCE(n->st.media_read_bytes);
	st->media_write_bytes = READ_ONCE(n->st.media_write_bytes);
	st->erases = READ_ONCE(n->st.erases);
	st->gc_blocks = READ_ONCE(n->st.gc_blocks);
	st->gc_pages = READ_ONCE(n->st.gc_pages);
	st->gc_foreground = READ_ONCE(n->st.gc_foreground);
	st->gc_background = READ_ONCE(n->st.gc_background);
	st->buffer_waits = READ_ONCE(n->st.buffer_waits);
}
