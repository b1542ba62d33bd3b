#!/usr/bin/env python3
"""Tables and plots from a scripts/bench.sh results folder.

    scripts/bench_report.py DIR

Reads DIR/raw/ (fio JSON, counter snapshots from tests/vm/bench.sh),
DIR/host.txt and DIR/host-probe.txt; writes DIR/results.md, DIR/*.png and
DIR/summary.json, and prints the Markdown tables. Standard library only;
the plots need matplotlib and are skipped (with a note) without it.
"""
import json
import math
import os
import re
import statistics
import sys

USER_HZ = 100                     # /proc/stat and /proc/<pid>/stat tick unit
DEV_ORDER = ["nvmev", "null_blk", "brd", "qemu_nvme"]
BASE = "nvmev_base"               # nvmev loaded from the baseline build (bench.sh --baseline)
DEV_LABEL = {"nvmev": "nvmev", "null_blk": "null_blk", "brd": "brd", "qemu_nvme": "QEMU nvme"}
MATRIX_JOBS = [
    ("rr4k_qd1", "4K randread QD1"),
    ("rr4k_qd32", "4K randread QD32"),
    ("rw4k_qd1", "4K randwrite QD1"),
    ("rw4k_qd32", "4K randwrite QD32"),
    ("sr128k_qd8", "128K seq read QD8"),
    ("sw128k_qd8", "128K seq write QD8"),
    ("rr4k_qd32_j2", "4K randread QD32 x2 jobs"),
    ("rr4k_qd32_j4", "4K randread QD32 x4 jobs"),
    ("rw4k_qd32_j2", "4K randwrite QD32 x2 jobs"),
    ("rw4k_qd32_j4", "4K randwrite QD32 x4 jobs"),
    ("rr4k_qd1_poll", "4K randread QD1, polled"),
    ("rr4k_qd32_poll", "4K randread QD32, polled"),
]
JOB_LABEL = dict(MATRIX_JOBS)
JOB_LABEL["rr4k_qd1_think"] = "4K randread QD1, 5 ms think time"
JOB_LABEL["sr128k_qd32"] = "128K seq read QD32"
JOB_LABEL["sw128k_qd32"] = "128K seq write QD32"
SEQ_JOBS = {"sr128k_qd8", "sw128k_qd8"}
# The matrix's main configuration: nvmev's runs with cfg "base" (cpus=2,3),
# the other devices' with none. Other configurations of nvmev in the matrix
# set (tests/vm/bench.sh CPUS3: "cpus3", cpus=2,3,4) appear only in the
# tables that name them.
MAIN_CFGS = ("", "base")
QD_CFGS = [("base", "2,3"), ("cpus3", "2,3,4")]   # nvmev configurations of "Throughput at queue depth"
QD_JOBS = ["rr4k_qd32", "rw4k_qd32", "rr4k_qd32_j2", "rr4k_qd32_j4", "rw4k_qd32_j2", "rw4k_qd32_j4"]
IRQ_DEVS = ["nvmev", BASE, "qemu_nvme"]           # NVMe devices, whose interrupts are counted
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SIM = os.path.join(ROOT, "tools", "sim", "build", "nvmev-sim")


def trimmed_mean(lats):
    """10% trimmed mean: the mean without the lowest and the highest tenth
    (tests/vm/bench.sh trimmed_mean, nvmev-kv bench "trimmed mean")."""
    v = sorted(lats)
    lo = len(v) // 10
    mid = v[lo:len(v) - lo]
    return sum(mid) / len(mid) if mid else None


# ------------------------------------------------------------------ parsing

def read_kv(path):
    out = {}
    try:
        with open(path, errors="replace") as f:
            for line in f:
                line = line.rstrip("\n")
                if "=" in line:
                    k, v = line.split("=", 1)
                    out[k.strip()] = v.strip()
    except OSError:
        pass
    return out


def load_fio(path):
    try:
        text = open(path, errors="replace").read()
    except OSError:
        return None
    start = text.find("{")
    if start < 0:
        return None
    try:
        return json.loads(text[start:])
    except ValueError:
        # trailing junk after the object
        try:
            obj, _ = json.JSONDecoder().raw_decode(text[start:])
            return obj
        except ValueError:
            return None


class Snap:
    def __init__(self):
        self.times = []
        self.cpu = {}          # "cpu", "cpu0".. -> (busy ticks, total ticks)
        self.rq_ns = {}        # "cpu0".. -> rq_cpu_time ns (/proc/schedstat)
        self.threads = {}      # pid -> {"comm", "ticks", "run_ns"}
        self.disk = None       # (reads, writes) completed
        self.irqs = {}         # irq number -> (count summed over CPUs, [action names])
        self.dev_irqs = {}     # nvmev controller stats file -> io_interrupts

    @property
    def now(self):
        return self.times[0] if self.times else None

    @property
    def now_end(self):
        return self.times[-1] if self.times else None


def parse_snap(path):
    header, snaps, order, multi = {}, {}, [], {}
    cur = None
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("== "):
                label = line[3:].strip()
                cur = Snap()
                if label in ("before", "after"):
                    multi.setdefault(label, []).append(cur)
                else:
                    snaps[label] = cur
                order.append(label)
                continue
            if cur is None or (":" not in line and "=" in line):
                if "=" in line:
                    k, v = line.split("=", 1)
                    header[k] = v
                continue
            src, _, val = line.partition(":")
            if src == "/proc/timer_list":
                m = re.search(r"now at (\d+) nsecs", val)
                if m:
                    cur.times.append(int(m.group(1)))
            elif src == "/proc/stat":
                parts = val.split()
                if parts and parts[0].startswith("cpu"):
                    v = [int(x) for x in parts[1:]]
                    v += [0] * (10 - len(v))
                    total = sum(v[:8])
                    idle = v[3] + v[4]
                    cur.cpu[parts[0]] = (total - idle, total)
            elif src == "/proc/schedstat":
                parts = val.split()
                if parts and re.match(r"cpu\d+$", parts[0]) and len(parts) >= 8:
                    cur.rq_ns[parts[0]] = int(parts[7])
            elif src.startswith("/proc/") and src.count("/") == 3:
                pid, kind = src.split("/")[2], src.split("/")[3]
                t = cur.threads.setdefault(pid, {})
                if kind == "comm":
                    t["comm"] = val.strip()
                elif kind == "schedstat":
                    f = val.split()
                    t["run_ns"] = int(f[0])
                    t["slices"] = int(f[2]) if len(f) > 2 else 0
                elif kind == "stat":
                    rest = val[val.rfind(")") + 2:].split()
                    t["ticks"] = int(rest[11]) + int(rest[12])
            elif src.startswith("/sys/block/"):
                p = val.split()
                if len(p) >= 5:
                    cur.disk = (int(p[0]), int(p[4]))
            elif src == "/proc/interrupts":
                # " 24:  <count per CPU>...  <chip> <hwirq>-edge  nvme1q1[, <name>...]"
                f = val.split()
                if f and f[0].endswith(":"):
                    counts = []
                    for x in f[1:]:
                        if not x.isdigit():
                            break
                        counts.append(int(x))
                    cur.irqs[f[0][:-1]] = (sum(counts), re.findall(r"\bnvme\d+q\d+\b", val))
            elif src.startswith("/sys/kernel/config/nvmev/"):
                f = val.split()
                if len(f) == 2 and f[0] == "io_interrupts" and f[1].isdigit():
                    cur.dev_irqs[src] = int(f[1])
    # fio runs exec_prerun/postrun once per job (numjobs > 1): the earliest
    # "before" and the latest "after" bracket the I/O of all of them
    for label, pick in (("before", min), ("after", max)):
        got = [x for x in multi.get(label, []) if x.times]
        if got:
            snaps[label] = pick(got, key=lambda x: x.now)
    return header, snaps, order


def delta(a, b):
    """Counters between snapshots a and b."""
    d = {"wall_ns": (b.now or 0) - (a.now or 0)}
    if "cpu" in a.cpu and "cpu" in b.cpu:
        d["guest_busy_ticks"] = b.cpu["cpu"][0] - a.cpu["cpu"][0]
        d["guest_total_ticks"] = b.cpu["cpu"][1] - a.cpu["cpu"][1]
    if a.rq_ns and b.rq_ns:
        d["guest_rq_ns"] = sum(b.rq_ns[c] - a.rq_ns.get(c, 0) for c in b.rq_ns)
        d["guest_ncpu"] = len(b.rq_ns)
    th = {}
    for pid, t1 in b.threads.items():
        t0 = a.threads.get(pid)
        if not t0 or "run_ns" not in t0 or "run_ns" not in t1:
            continue
        comm = t1.get("comm", pid)
        th[comm] = {"run_ns": t1["run_ns"] - t0["run_ns"],
                    "ticks": t1.get("ticks", 0) - t0.get("ticks", 0),
                    "slices": t1.get("slices", 0) - t0.get("slices", 0)}
    d["threads"] = th
    if a.disk and b.disk:
        d["disk_ios"] = (b.disk[0] - a.disk[0]) + (b.disk[1] - a.disk[1])
    if a.irqs and b.irqs:
        # irq number -> (interrupts, action names); an irq must be in both
        d["irqs"] = {n: (c1 - a.irqs[n][0], names) for n, (c1, names) in b.irqs.items() if n in a.irqs}
    common = set(a.dev_irqs) & set(b.dev_irqs)
    if common:
        d["dev_irqs"] = sum(b.dev_irqs[k] - a.dev_irqs[k] for k in common)
    return d


def ios_of(run):
    """I/Os completed in the counter window: the device's own count
    (/sys/block/<dev>/stat), else fio's (brd keeps no I/O statistics)."""
    return run.get("cnt", {}).get("disk_ios") or run.get("ios")


def is_disp(comm):
    return comm.endswith("_disp")


def thread_cpu(comm):
    """The CPU of an nvmev thread from its name (nvmev<cpu>_disp, nvmev<cpu>_io)."""
    m = re.match(r"nvmev(\d+)_", comm)
    return int(m.group(1)) if m else 1 << 30


def irqs_per_io(run):
    """Interrupts the guest took from the run's NVMe controller's I/O queues
    (the lines nvme<Y>q<N>, N >= 1, of /proc/interrupts; the admin queue q0
    is left out unless it shares its line with an I/O queue) per I/O
    completed. None without the counters (older results) or for a device
    that is not NVMe."""
    ios = ios_of(run)
    irqs = run.get("cnt", {}).get("irqs")
    ctrl = run.get("nvme_ctrl")
    if not ios or irqs is None or not ctrl:
        return None
    n = 0
    for count, names in irqs.values():
        if any(re.fullmatch(rf"{ctrl}q(\d+)", x) and int(x[len(ctrl) + 1:]) >= 1 for x in names):
            n += count
    return n / ios


def dev_irqs_per_io(run):
    """Interrupts nvmev says it raised (io_interrupts of its controller
    stats, builds that have it) per I/O completed."""
    ios = ios_of(run)
    n = run.get("cnt", {}).get("dev_irqs")
    return n / ios if ios and n is not None else None


def fio_metrics(fio):
    job = fio["jobs"][0]
    r, w = job.get("read", {}), job.get("write", {})
    direction = "read" if r.get("total_ios", 0) >= w.get("total_ios", 0) else "write"
    d = job[direction]
    clat = d.get("clat_ns", {})
    pct = {float(k): v for k, v in clat.get("percentile", {}).items()}
    return {
        "iops": r.get("iops", 0) + w.get("iops", 0),
        "bw": r.get("bw_bytes", 0) + w.get("bw_bytes", 0),
        "ios": r.get("total_ios", 0) + w.get("total_ios", 0),
        "clat_mean": clat.get("mean"),
        "lat_mean": d.get("lat_ns", {}).get("mean"),
        "pct": pct,
        "fio_usr": job.get("usr_cpu"),
        "fio_sys": job.get("sys_cpu"),
        "error": job.get("error", 0),
        "timestamp_ms": fio.get("timestamp_ms"),
        "elapsed": job.get("elapsed"),
    }


def load_runs(raw):
    runs = []
    for name in sorted(os.listdir(raw)):
        if not name.endswith(".snap") or name.startswith("idle-"):
            continue
        tag = name[:-5]
        header, snaps, _ = parse_snap(os.path.join(raw, name))
        fio = load_fio(os.path.join(raw, tag + ".fio.json"))
        if not fio or not fio.get("jobs"):
            print(f"bench_report: {tag}: no usable fio JSON", file=sys.stderr)
            continue
        # the NVMe controller whose interrupts count: recorded by the guest,
        # else from the path (/dev/nvme1n1 -> nvme1, right without multipath)
        ctrl = header.get("nvme_ctrl") or ""
        m = re.match(r"/dev/(nvme\d+)n\d+$", header.get("path", ""))
        if not ctrl and m:
            ctrl = m.group(1)
        run = {"tag": tag, "set": header.get("set"), "rep": int(header.get("rep", 0)),
               "job": header.get("job"), "dev": header.get("dev"), "cfg": header.get("cfg", ""),
               "nvme_ctrl": ctrl,
               "fio_status": header.get("fio_status"),
               "params": dict(kv.split(":", 1) for kv in header.get("nvmev_params", "").split()
                              if ":" in kv)}
        run.update(fio_metrics(fio))
        if "before" in snaps and "after" in snaps:
            run["cnt"] = delta(snaps["before"], snaps["after"])
        runs.append(run)
    return runs


def load_bypass_raw(raw):
    """nvme-raw-bench's "nvr-bench key=value ..." lines of the bypass part
    (tests/vm/bench.sh: bypass-r<rep>-raw-<dev>.txt), one dict per line."""
    out = []
    for name in sorted(os.listdir(raw)):
        m = re.match(r"bypass-r(\d+)-raw-(.+)\.txt$", name)
        if not m:
            continue
        with open(os.path.join(raw, name), errors="replace") as f:
            for line in f:
                if not line.startswith("nvr-bench "):
                    continue
                kv = dict(w.split("=", 1) for w in line.split()[1:] if "=" in w)
                try:
                    row = {"rep": int(m.group(1)), "dev": m.group(2), "qd": int(kv["qd"]),
                           "iops": float(kv["iops"]), "ios": int(kv["ios"]),
                           "errors": int(kv.get("errors", 0))}
                    for k in ("mean", "p50", "p90", "p99", "p99.9", "max"):
                        row[k] = float(kv[k + "_us"])
                except (KeyError, ValueError):
                    print(f"bench_report: {name}: unreadable line: {line.strip()}", file=sys.stderr)
                    continue
                out.append(row)
    return out


def load_idle(raw):
    out = []
    for name in sorted(os.listdir(raw)):
        if not (name.startswith("idle-") and name.endswith(".snap")):
            continue
        header, snaps, _ = parse_snap(os.path.join(raw, name))
        if not all(k in snaps for k in ("t0", "t100ms", "t1s", "t2s")):
            continue
        out.append({"tag": name[:-5], "dev": header.get("dev"), "rep": int(header.get("rep", 0)),
                    "w0": delta(snaps["t0"], snaps["t100ms"]),
                    "w1": delta(snaps["t1s"], snaps["t2s"]),
                    "t0_gap_ns": snaps["t100ms"].now - snaps["t0"].now})
    return out


def load_host_probe(path):
    """tag -> {"wall_s", "vcpu": {n: (run share, wait share)}, "other_run", "qemus"}"""
    marks = {}
    try:
        lines = open(path, errors="replace").read().splitlines()
    except OSError:
        return {}
    for line in lines:
        parts = line.split()
        if len(parts) < 4:
            continue
        try:
            t = float(parts[0])
        except ValueError:
            continue
        kind, tag = parts[1], parts[2]
        threads, qemus = {}, None
        for p in parts[3:]:
            if p.startswith("qemu_processes="):
                qemus = int(p.split("=", 1)[1] or 0)
                continue
            f = p.rsplit(":", 2)
            if len(f) == 3:
                name = f[0]
                # several threads can share a name: sum them
                r0, w0 = threads.get(name, (0, 0))
                threads[name] = (r0 + int(f[1]), w0 + int(f[2]))
        marks.setdefault(tag, {})[kind] = (t, threads, qemus)
    out = {}
    for tag, m in marks.items():
        if "begin" not in m or "end" not in m:
            continue
        (t0, th0, q0), (t1, th1, q1) = m["begin"], m["end"]
        wall = t1 - t0
        if wall <= 0:
            continue
        vcpu, other = {}, 0.0
        for name, (r1, w1) in th1.items():
            r0, w0 = th0.get(name, (r1, w1))
            run, wait = (r1 - r0) / 1e9 / wall, (w1 - w0) / 1e9 / wall
            mm = re.match(r"CPU_(\d+)/", name)
            if mm:
                vcpu[int(mm.group(1))] = (run, wait)
            else:
                other += run
        out[tag] = {"wall_s": wall, "vcpu": vcpu, "other_run": other,
                    "qemus": max(q0 or 0, q1 or 0)}
    return out


# ------------------------------------------------------------------ stats

def med(xs):
    xs = [x for x in xs if x is not None and not (isinstance(x, float) and math.isnan(x))]
    return statistics.median(xs) if xs else None


def spread(xs):
    xs = [x for x in xs if x is not None]
    return (min(xs), max(xs)) if xs else (None, None)


def fmt(x, digits=None):
    if x is None:
        return "–"
    if digits is not None:
        return f"{x:,.{digits}f}"
    ax = abs(x)
    if ax >= 1000:
        return f"{x:,.0f}"
    if ax >= 100:
        return f"{x:.0f}"
    if ax >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def fmt_ms(xs, scale=1.0, digits=None):
    """median [min-max] of xs * scale."""
    xs = [x * scale for x in xs if x is not None]
    if not xs:
        return "–"
    m = med(xs)
    if len(xs) == 1:
        return fmt(m, digits)
    lo, hi = spread(xs)
    return f"{fmt(m, digits)} [{fmt(lo, digits)}–{fmt(hi, digits)}]"


def apart(cur, base):
    """Whether every value of one build lies above every value of the other."""
    c, b = [x for x in cur if x is not None], [x for x in base if x is not None]
    if len(c) < 2 or len(b) < 2:
        return "–"
    if min(c) > max(b):
        return "apart: current higher"
    if max(c) < min(b):
        return "apart: current lower"
    return "overlap"


def pct_str(x, digits=1):
    return "–" if x is None else f"{x * 100:+.{digits}f}%"


def table(header, rows, align=None):
    align = align or ["l"] + ["r"] * (len(header) - 1)
    sep = ["---:" if a == "r" else ":---" for a in align]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(sep) + " |"]
    for r in rows:
        lines.append("| " + " | ".join(str(c) for c in r) + " |")
    return "\n".join(lines)


# ------------------------------------------------------------------ report

class Report:
    def __init__(self, d):
        self.dir = d
        raw = os.path.join(d, "raw")
        self.info = read_kv(os.path.join(raw, "info.txt"))
        self.host = read_kv(os.path.join(d, "host.txt"))
        self.runs = load_runs(raw)
        self.idle = load_idle(raw)
        self.bypass_raw = load_bypass_raw(raw)
        self.probe = load_host_probe(os.path.join(d, "host-probe.txt"))
        self.devs = [x for x in DEV_ORDER if any(r["dev"] == x and r["set"] == "matrix" for r in self.runs)]
        self.md = []
        self.targets = []
        self.plots = []
        self.summary = {}

    def nvmev_param(self, name, cfg="base"):
        """A module parameter as loaded (/sys/module/nvmev/parameters)."""
        for r in self.runs:
            if r["dev"] == "nvmev" and r["cfg"] == cfg and name in r["params"]:
                return r["params"][name]
        return None

    def switch_ins(self, g):
        """Median dispatcher / worker switch-ins per I/O over runs g: how often
        the threads were put back on a CPU (after sleeping or preemption)."""
        def per(r, disp):
            ios = ios_of(r)
            if not ios or "cnt" not in r:
                return None
            return sum(t["slices"] for c, t in r["cnt"]["threads"].items() if is_disp(c) == disp) / ios
        a, b = med([per(r, True) for r in g]), med([per(r, False) for r in g])
        return f"{fmt(a)} / {fmt(b)}"

    def group(self, set_, job, dev, cfg=None):
        """Runs of a job on a device. cfg None: any configuration, except
        that in the matrix only the main one (MAIN_CFGS; the cpus3 runs are
        asked for by name)."""
        return [r for r in self.runs if r["set"] == set_ and r["job"] == job and r["dev"] == dev
                and (r["cfg"] == cfg if cfg is not None else
                     set_ != "matrix" or r["cfg"] in MAIN_CFGS)]

    def m(self, set_, job, dev, key, cfg=None):
        return med([r.get(key) for r in self.group(set_, job, dev, cfg)])

    def add(self, *parts):
        self.md.extend(parts)

    def target(self, name, value, threshold, ok, note=""):
        if ok is None:
            verdict = "n/a"
        else:
            verdict = "PASS" if ok else "**MISS**"
        self.targets.append((name, value, threshold, verdict, note))

    # -- sections

    def header(self):
        i, h = self.info, self.host
        reps = i.get("reps", "?")
        order = "for rep: for job: for device"
        if self.has_baseline():
            order += "; with a baseline, the two builds first, one after the other, see below"
        self.add("# nvmev benchmark results", "",
                 f"- date (UTC): {h.get('date_utc', '?')}; command: `{h.get('command', 'scripts/bench.sh').strip()}`; "
                 f"git {h.get('git', '?')}",
                 f"- mode **{i.get('mode', '?')}**: {reps} repetitions, {i.get('runtime_s', '?')} s per fio run, "
                 f"runs interleaved ({order}); cells are the median over repetitions "
                 f"with [min–max]",
                 f"- guest: kernel {i.get('kernel', '?')}, {self.guest_ncpus()} vCPUs ({i.get('cpu_model', '?')}), "
                 f"{int(i.get('mem_total_kb', '0') or 0) // 1024} MiB, {i.get('fio', '?')}; fio pinned to CPU 0 "
                 f"(jobs of several threads: CPUs {i.get('fio_cpus', '?')}), nvmev threads on CPUs "
                 f"{i.get('nvmev_cpus', '?')} (dispatcher first)"
                 + (f", and {i['nvmev_cpus3']} in the rows marked so" if i.get("nvmev_cpus3") else "")
                 + "; kernel command line adds "
                 f"`{' '.join(w for w in h.get('append', '').split() if not w.startswith('nvmev_'))}`; offsets limited to the first {i.get('region', '1g')} of every device, "
                 f"written before the reads",
                 f"- host: {h.get('host_nproc', '?')} cores ({h.get('host_cpu', '?')}), {h.get('qemu', '?')}, "
                 f"TCG (no KVM); other QEMU processes at start: {h.get('other_qemu_at_start', '?')}, "
                 f"most QEMU processes seen during the run (this one included): "
                 f"{h.get('max_qemu_during_incl_this', '?')}; VM wall time {h.get('vm_seconds', '?')} s",
                 "- fio: `--ioengine=libaio --direct=1 --time_based --group_reporting --output-format=json`, "
                 "random jobs `--norandommap --randrepeat=0`; latency = fio completion latency (clat); "
                 "*polled* jobs: `--ioengine=io_uring --hipri` on a poll queue (nvme `poll_queues=1`, "
                 "null_blk `poll_queues=1`; brd has none), so completions are reaped by the submitting "
                 "thread without an interrupt",
                 "- devices: " + "; ".join(self.device_notes()), "")

    def guest_ncpus(self):
        """The guest's CPUs: its /proc/schedstat lines (nproc counts only the
        CPUs the shell may run on, which isolcpus reduces)."""
        n = med([r["cnt"].get("guest_ncpu") for r in self.runs if "cnt" in r] +
                [x["w0"].get("guest_ncpu") for x in self.idle])
        return int(n) if n else int(self.info.get("ncpus", 4))

    def device_notes(self):
        i = self.info
        notes = []
        for d in DEV_ORDER:
            if f"dev.{d}" not in i:
                continue
            extra = {"nvmev": f"`insmod nvmev.ko cpus={i.get('nvmev_cpus', '2,3')} {i.get('nvmev_params', '')}` "
                              f"(zero-latency model; idle_spin_us default = {self.nvmev_param('idle_spin_us')})",
                     "null_blk": f"`modprobe null_blk {i.get('null_blk_args', '')}`",
                     "brd": f"`modprobe brd {i.get('brd_args', '')}`",
                     "qemu_nvme": "QEMU `-device nvme` on a sparse raw file, cache=unsafe"}[d]
            notes.append(f"**{DEV_LABEL[d]}** {i.get('dev.' + d, '')} {extra}, scheduler "
                         f"{(i.get('dev_sched.' + d, '') or '?').strip()}")
        return notes

    # -- nvmev against its baseline

    def has_baseline(self):
        return any(r["dev"] == BASE for r in self.runs) or any(x["dev"] == BASE for x in self.idle)

    def baseline_name(self):
        h = self.host
        if h.get("baseline_ref"):
            return f"{h['baseline_ref']}, {h.get('baseline_sha', '?')[:7]}"
        return h.get("baseline_ko") or self.info.get("baseline_ko", "?")

    def swaps_note(self):
        """What swaps.txt says about the module loads of the two builds."""
        try:
            with open(os.path.join(self.dir, "raw", "swaps.txt"), errors="replace") as f:
                lines = [ln.split() for ln in f]
        except OSError:
            return ""
        # "r<rep> <build> key=value...", one line per load
        loads = [dict(kv.split("=", 1) for kv in w[2:] if "=" in kv) for w in lines if len(w) > 2]
        if not loads:
            return ""
        failed = sum(1 for x in loads if x.get("load") == "failed")
        lost = sum(1 for x in loads if x.get("data_kept") == "no")
        secs = med([float(x["load_s"]) for x in loads if "load_s" in x])
        note = [f"{len(loads)} swaps (rmmod, insmod, device back), median {fmt(secs)} s each"]
        if lost:
            note.append(f"**{lost} found the data not kept** and wrote the region again")
        else:
            note.append("the data was kept across every one (a marker outside the jobs' region read back)")
        if failed:
            note.append(f"**{failed} failed to load** (see vm.log)")
        return "; ".join(note) + ". "

    def baseline(self):
        if not self.has_baseline():
            return
        h = self.host
        n = max([r["rep"] for r in self.runs + self.idle if r["dev"] == BASE] or [0])
        chance = 2 / math.comb(2 * n, n) if n >= 2 else None
        same = h.get("baseline_srcversion") and h.get("baseline_srcversion") == h.get("nvmev_srcversion")
        rows, summary = [], []
        self.base_plot = []

        def row(label, cur, base, plot=False):
            """cur, base: {rep: value}"""
            a, b = med(list(cur.values())), med(list(base.values()))
            per = [cur[k] / base[k] for k in sorted(cur) if k in base and cur[k] and base[k]]
            r = [label, fmt_ms(list(cur.values())), fmt_ms(list(base.values())),
                 f"{a / b:.2f}x" if a and b else "–", " ".join(f"{x:.2f}" for x in per) or "–",
                 apart(list(cur.values()), list(base.values()))]
            summary.append(dict(zip(("row", "current", "baseline", "ratio", "per_rep", "ranges"), r)))
            if plot and a and b:
                self.base_plot.append((label, a / b, per))
            return r

        def by_rep(runs, value):
            return {r["rep"]: value(r) for r in runs}

        for job, label in MATRIX_JOBS:
            key, scale, unit = ("bw", 1e-6, "MB/s") if job in SEQ_JOBS else ("iops", 1, "IOPS")
            cur, base = self.group("matrix", job, "nvmev"), self.group("matrix", job, BASE)
            if cur and base:
                rows.append(row(f"{label} ({unit})", by_rep(cur, lambda r: r[key] * scale),
                                by_rep(base, lambda r: r[key] * scale), plot=True))
        for cfg, cpus in QD_CFGS[1:]:
            for job in QD_JOBS:
                cur, base = self.group("matrix", job, "nvmev", cfg), self.group("matrix", job, BASE, cfg)
                if cur and base:
                    rows.append(row(f"{JOB_LABEL[job]}, cpus={cpus} (IOPS)", by_rep(cur, lambda r: r["iops"]),
                                    by_rep(base, lambda r: r["iops"]), plot=True))

        def cpu_per_io(r):
            ios = ios_of(r)
            if "cnt" not in r or not ios:
                return None
            return sum(t["run_ns"] for t in r["cnt"]["threads"].values()) / ios
        cost = []
        for job, label in MATRIX_JOBS:
            cur, base = self.group("matrix", job, "nvmev"), self.group("matrix", job, BASE)
            if cur and base:
                cost.append(row(f"{label}: ns CPU / I/O", by_rep(cur, cpu_per_io), by_rep(base, cpu_per_io)))
        for cfg, cpus in QD_CFGS:
            for job in QD_JOBS:
                cur, base = self.group("matrix", job, "nvmev", cfg), self.group("matrix", job, BASE, cfg)
                where = "" if cfg == "base" else f", cpus={cpus}"
                if cfg != "base" and cur and base:
                    cost.append(row(f"{JOB_LABEL[job]}{where}: ns CPU / I/O", by_rep(cur, cpu_per_io),
                                    by_rep(base, cpu_per_io)))
                for what, f in (("interrupts / I/O", irqs_per_io),
                                ("device-raised interrupts / I/O", dev_irqs_per_io)):
                    c, b = by_rep(cur, f), by_rep(base, f)
                    # only where both builds have the counter
                    if any(v is not None for v in c.values()) and any(v is not None for v in b.values()):
                        cost.append(row(f"{JOB_LABEL[job]}{where}: {what}", c, b))

        def idle_share(x, wkey):
            w = x[wkey]
            if not w["threads"] or not w["wall_ns"]:
                return None
            return sum(t["run_ns"] for t in w["threads"].values()) / w["wall_ns"] * 100
        for wkey, wname in (("w0", "[0, 100 ms]"), ("w1", "[1 s, 2 s]")):
            cur = [x for x in self.idle if x["dev"] == "nvmev"]
            base = [x for x in self.idle if x["dev"] == BASE]
            if cur and base:
                cost.append(row(f"idle {wname}: threads % of one CPU",
                                by_rep(cur, lambda x: idle_share(x, wkey)),
                                by_rep(base, lambda x: idle_share(x, wkey))))
        self.summary["baseline"] = {"name": self.baseline_name(), "rows": summary}

        # a module file's path is too long for a column: the title has it
        short = self.baseline_name() if h.get("baseline_ref") else "--baseline-ko"
        head = ["job", f"current (git {h.get('git', '?')})", f"baseline ({short})",
                "current / baseline", "per repetition", "ranges"]
        text = (f"The same jobs on two builds of nvmev in this one VM: *current* is the working tree "
                f"(git {h.get('git', '?')}), *baseline* `{h.get('baseline_ko') or self.baseline_name()}`. "
                "Only one can be loaded at a time (both are module nvmev), so each repetition runs every "
                "job on one build, reloads nvmev from the other with the same parameters on the same "
                "storage and runs them again, then runs the other devices; the order of the builds "
                "alternates (current first in odd repetitions: ABBA), so a drift of the host weighs on "
                "both alike. " + self.swaps_note() +
                "Cells: median over repetitions [min–max]; *current / baseline*: ratio of the medians; "
                "*per repetition*: the ratio within each repetition, whose two halves are minutes apart. "
                "*Ranges apart*: every repetition of one build above every repetition of the other. Two "
                "builds that do not differ have their ranges apart by chance with probability "
                "2/C(2n, n) for n repetitions: 33% at 2, 10% at 3, 2.9% at 4, 0.8% at 5"
                + (f" ({n} here: {chance * 100:.1f}%)" if chance else "") +
                ", and over many rows some are apart by chance alone (at 4 repetitions about one row in 35). "
                "A ratio inside the ranges' overlap is noise; on this host, where repetitions vary up to "
                "2x, trust only ranges apart over 4 or more repetitions. Host load that changes over minutes "
                "moves the rows of one half together, so rows that agree are no extra evidence.")
        self.add(f"## nvmev against its baseline ({self.baseline_name()})", "", text, "")
        if same:
            self.add(f"**Both builds have the same sources** (srcversion {h['baseline_srcversion']}): an "
                     "A/A run, every difference below is noise.", "")
        align = ["l", "r", "r", "r", "r", "l"]
        if rows:
            self.add(table(head, rows, align), "")
        if cost:
            irq = any("interrupts / I/O" in r[0] for r in cost)
            self.add("Emulator cost on each build: CPU time of the nvmev threads (schedstat) per I/O the "
                     "namespace completed, "
                     + ("interrupts per I/O (as in \"Throughput at queue depth\"), " if irq else "")
                     + "and the threads' share of one CPU while idle (as in the sections below):", "",
                     table(["what"] + head[1:], cost, align), "")

    def throughput(self):
        devs = self.devs
        head = ["job"] + [f"{DEV_LABEL[d]}" for d in devs]
        others = [d for d in devs if d != "nvmev"]
        if "nvmev" in devs:
            head += [f"nvmev / {DEV_LABEL[d]}" for d in others]
        rows = []
        for job, label in self.matrix_jobs():
            unit_mb = job in SEQ_JOBS
            row = [label + (" (MB/s)" if unit_mb else " (IOPS)")]
            for d in devs:
                g = self.group("matrix", job, d)
                row.append(fmt_ms([r["bw"] / 1e6 for r in g]) if unit_mb else fmt_ms([r["iops"] for r in g]))
            if "nvmev" in devs:
                key = "bw" if unit_mb else "iops"
                a = self.m("matrix", job, "nvmev", key)
                for d in others:
                    b = self.m("matrix", job, d, key)
                    row.append(f"{a / b:.2f}x" if a and b else "–")
            rows.append(row)
        self.add("## Throughput", "", table(head, rows), "")
        if "nvmev" in devs and "null_blk" in devs:
            for job, need, name in (("rr4k_qd32", 0.9, "4K randread QD32: nvmev ≥ 0.9x null_blk IOPS"),
                                    ("rr4k_qd1", 0.5, "4K randread QD1: nvmev ≥ 0.5x null_blk IOPS")):
                a, b = self.m("matrix", job, "nvmev", "iops"), self.m("matrix", job, "null_blk", "iops")
                if a and b:
                    self.target(name, f"{a / b:.2f}x ({fmt(a)} vs {fmt(b)} IOPS)", f"≥ {need}x", a / b >= need)
        if "nvmev" in devs and "null_blk" in devs:
            parts = []
            for job, label in (("rr4k_qd1_poll", "QD1"), ("rr4k_qd32_poll", "QD32")):
                a = self.m("matrix", job, "nvmev", "iops")
                b = self.m("matrix", job.replace("_poll", ""), "null_blk", "iops")
                c = self.m("matrix", job.replace("_poll", ""), "nvmev", "iops")
                if a and b and c:
                    parts.append(f"{label} {fmt(a)} IOPS, {a / b:.2f}x null_blk's default path "
                                 f"(with interrupts: {c / b:.2f}x)")
            if parts:
                self.add("The device path alone: with polled completions (the host reaps the CQ, no "
                         "interrupt) nvmev's 4K random reads reach " + "; ".join(parts) + ".", "")
        if "nvmev" in devs:
            vals = [self.m("matrix", j, "nvmev", "iops") for j in ("rr4k_qd32", "rr4k_qd32_j2", "rr4k_qd32_j4")]
            if all(vals):
                ok = vals[1] >= vals[0] and vals[2] >= vals[1]
                self.target("4K randread QD32 IOPS grows with jobs 1→2→4 (nvmev)",
                            " → ".join(fmt(v) for v in vals), "no drop", ok)

    def matrix_jobs(self):
        """MATRIX_JOBS that have runs (results of older benches lack some)."""
        return [(j, label) for j, label in MATRIX_JOBS
                if any(self.group("matrix", j, d) for d in DEV_ORDER + [BASE])]

    def queue_depth(self):
        """Throughput at queue depth: the QD32 jobs with 1, 2 and 4 fio jobs on
        nvmev with cpus=2,3 and (guests of 5+ CPUs) cpus=2,3,4, with each nvmev
        thread's share of one CPU and the interrupts per I/O; then the
        interrupts per I/O of every job."""
        i = self.info
        dev_label = dict(DEV_LABEL, **{BASE: "nvmev baseline"})
        has_dev_irqs = any(r.get("cnt", {}).get("dev_irqs") is not None for r in self.runs)
        has_irqs = any(irqs_per_io(r) is not None for r in self.runs)

        def ratio_null(g):
            """nvmev IOPS / null_blk IOPS of the same job within each repetition."""
            nb = {r["rep"]: r["iops"] for r in self.group("matrix", g[0]["job"], "null_blk")} if g else {}
            return [r["iops"] / nb[r["rep"]] for r in g if nb.get(r["rep"])]

        def share(r, comm):
            t = r.get("cnt", {}).get("threads", {}).get(comm)
            w = r.get("cnt", {}).get("wall_ns")
            return t["run_ns"] / w if t and w else None

        groups = []          # (job, device, cfg, cpus, runs)
        for job in QD_JOBS:
            for d in IRQ_DEVS:
                for cfg, cpus in (QD_CFGS if d != "qemu_nvme" else [("", "–")]):
                    if d != "qemu_nvme":
                        g = self.group("matrix", job, d, cfg)
                        cpus = next((r["params"]["cpus"] for r in g if r["params"].get("cpus")), None) or \
                            i.get("nvmev_cpus" if cfg == "base" else "nvmev_cpus3") or cpus
                    else:
                        g = self.group("matrix", job, d)
                    if g:
                        groups.append((job, d, cfg, cpus, g))
        if not groups:
            return
        comms = sorted({c for _, d, _, _, g in groups if d != "qemu_nvme" for r in g
                        for c in r.get("cnt", {}).get("threads", {})},
                       key=lambda c: (not is_disp(c), thread_cpu(c), c))
        head = ["job", "device", "nvmev CPUs", "IOPS", "÷ null_blk", "interrupts / I/O"]
        if has_dev_irqs:
            head.append("device-raised interrupts / I/O")
        head += [f"{'dispatcher' if is_disp(c) else 'worker'} {c} %" for c in comms]
        rows, summary = [], []
        for job, d, cfg, cpus, g in groups:
            nvmev = d != "qemu_nvme"
            row = [JOB_LABEL[job], dev_label[d], cpus, fmt_ms([r["iops"] for r in g]),
                   fmt_ms(ratio_null(g), digits=2) if any(self.group("matrix", job, "null_blk")) else "–",
                   fmt_ms([irqs_per_io(r) for r in g], digits=2)]
            if has_dev_irqs:
                row.append(fmt_ms([dev_irqs_per_io(r) for r in g], digits=2) if nvmev else "–")
            for c in comms:
                row.append(fmt_ms([share(r, c) for r in g], 100) if nvmev else "–")
            rows.append(row)
            summary.append(dict(zip(head, row)))
        self.summary["queue_depth"] = summary
        cpus3 = i.get("nvmev_cpus3")
        self.add("## Throughput at queue depth", "",
                 "4K random reads and writes at QD32 per fio job, with 1, 2 and 4 jobs (fio on CPUs "
                 f"{i.get('fio_cpus', '0,1')}), on nvmev with its threads on CPUs {i.get('nvmev_cpus', '2,3')}"
                 + (f" and, loaded again on the same storage, on CPUs {cpus3} (a second I/O worker)"
                    if cpus3 else " (a guest of 5 or more CPUs, `scripts/bench.sh --smp 5`, adds rows with "
                    "nvmev on CPUs 2,3,4: a second I/O worker)") + ". "
                 "*÷ null_blk*: the IOPS over null_blk's in the same job and repetition (null_blk runs once, "
                 "in the main matrix). *Interrupts / I/O*: the interrupts the guest took on the lines of the "
                 "device's controller's I/O queues (`nvme<Y>q<N>`, N ≥ 1, in /proc/interrupts; not the admin "
                 "queue) between the run's counter snapshots, per I/O completed"
                 + ("; *device-raised*: the interrupts nvmev counted itself (`io_interrupts` of its "
                    "controller's configfs stats)" if has_dev_irqs else
                    "" if not has_irqs else "; this build of nvmev does not count the interrupts it raises "
                    "(no `io_interrupts` in its controller's stats)")
                 + (". " if has_irqs else " (these results have no interrupt counters: a bench from before "
                    "they were recorded). ")
                 + "Thread columns: each nvmev thread's run time (schedstat) in % of one CPU over the run; "
                 "median [min–max] over repetitions.", "",
                 table(head, rows, ["l", "l", "l"] + ["r"] * (len(head) - 3)), "")

        if not has_irqs:
            return
        # every job: interrupts per I/O on the NVMe devices
        cols = [(d, f, name) for d in IRQ_DEVS for f, name in
                ((irqs_per_io, ""), (dev_irqs_per_io, ", device-raised"))
                if (f is irqs_per_io or (has_dev_irqs and d != "qemu_nvme"))
                and any(self.group("matrix", j, d) for j, _ in MATRIX_JOBS)]
        rows = []
        for job, label in self.matrix_jobs():
            row = [label]
            for d, f, _ in cols:
                row.append(fmt_ms([f(r) for r in self.group("matrix", job, d)], digits=2))
            if any(c != "–" for c in row[1:]):
                rows.append(row)
        if rows:
            self.add("Interrupts per I/O in every job of the matrix (nvmev on CPUs "
                     f"{i.get('nvmev_cpus', '2,3')}; polled jobs complete on a poll queue, without interrupts):",
                     "", table(["job"] + [dev_label[d] + name for d, _, name in cols], rows), "")

    def latency(self):
        rows = []
        for job in ("rr4k_qd1", "rr4k_qd32", "rw4k_qd1", "rw4k_qd32"):
            for d in self.devs:
                g = self.group("matrix", job, d)
                if not g:
                    continue
                rows.append([JOB_LABEL[job], DEV_LABEL[d],
                             fmt_ms([r["clat_mean"] for r in g], 1e-3),
                             fmt_ms([r["pct"].get(50.0) for r in g], 1e-3),
                             fmt_ms([r["pct"].get(99.0) for r in g], 1e-3),
                             fmt_ms([r["pct"].get(99.9) for r in g], 1e-3)])
        self.add("## Latency (µs, fio clat)", "",
                 table(["job", "device", "mean", "p50", "p99", "p99.9"], rows, ["l", "l", "r", "r", "r", "r"]), "")

    BYPASS_METHODS = [("libaio", "fio libaio (interrupts)"), ("poll", "fio io_uring --hipri (polled)"),
                      ("raw", "nvme-raw-bench, uio_pci_generic (polled)")]

    def bypass_cells(self, dev, qd, method):
        """Per repetition: (IOPS, mean, p50, p99, p99.9) in µs, of one method."""
        if method == "raw":
            g = [r for r in self.bypass_raw if r["dev"] == dev and r["qd"] == qd]
            return [(r["iops"], r["mean"], r["p50"], r["p99"], r["p99.9"]) for r in g]
        job = f"rr4k_qd{qd}" + ("_poll" if method == "poll" else "")
        return [(r["iops"], r["clat_mean"] / 1e3 if r["clat_mean"] is not None else None,
                 *(r["pct"].get(k) / 1e3 if r["pct"].get(k) is not None else None
                   for k in (50.0, 99.0, 99.9)))
                for r in self.group("bypass", job, dev)]

    def bypass(self):
        devs = [d for d in ("nvmev", "qemu_nvme")
                if self.group("bypass", "rr4k_qd1", d) or any(r["dev"] == d for r in self.bypass_raw)]
        if not devs:
            return
        rows, summ = [], []
        for d in devs:
            for qd in (1, 32):
                for method, label in self.BYPASS_METHODS:
                    cells = self.bypass_cells(d, qd, method)
                    if not cells:
                        continue
                    cols = [[c[i] for c in cells] for i in range(5)]
                    rows.append([DEV_LABEL[d], f"QD{qd}", label, fmt_ms(cols[0])] +
                                [fmt_ms(x) for x in cols[1:]])
                    summ.append({"dev": d, "qd": qd, "method": method, "iops": med(cols[0]),
                                 "mean_us": med(cols[1]), "p99_us": med(cols[3])})
        errs = sum(r["errors"] for r in self.bypass_raw)
        self.add("## Kernel bypass: 4 KiB random reads through the kernel and around it", "",
                 "The same device, region and run time in each repetition: fio through the nvme driver "
                 "(libaio with interrupts; io_uring `--hipri` on a poll queue), then `nvme-raw-bench` "
                 "(tools/nvme-raw: a userspace NVMe driver, polled, interrupts off) on the function "
                 "unbound from nvme and bound to uio_pci_generic, pinned to CPU 0 like fio. fio's "
                 "latency is its completion latency (clat); nvme-raw-bench's is from just before the "
                 "doorbell write to the completion seen. nvmev runs with every timing parameter 0.",
                 "",
                 table(["device", "depth", "path", "IOPS", "mean µs", "p50 µs", "p99 µs", "p99.9 µs"], rows,
                       ["l", "l", "l", "r", "r", "r", "r", "r"]), "")
        if errs:
            self.add(f"**nvme-raw-bench counted {errs} failed commands.**", "")
        self.summary["bypass"] = summ
        self.bypass_plot = (devs, summ)

    def cpu_cost(self):
        rows = []
        for job, label in MATRIX_JOBS:
            g = [r for r in self.group("matrix", job, "nvmev") if "cnt" in r]
            if not g:
                continue
            def per_io(r, key):
                ios = ios_of(r)
                tot = sum(t[key] for t in r["cnt"]["threads"].values())
                if key == "ticks":
                    tot *= 1e9 / USER_HZ
                return tot / ios if ios else None
            def share(r, pred):
                w = r["cnt"]["wall_ns"]
                return sum(t["run_ns"] for c, t in r["cnt"]["threads"].items() if pred(c)) / w if w else None
            def slices(r, pred):
                ios = ios_of(r)
                n = sum(t["slices"] for c, t in r["cnt"]["threads"].items() if pred(c))
                return n / ios if ios else None
            rows.append([label, fmt_ms([r["iops"] for r in g]),
                         fmt_ms([share(r, is_disp) for r in g], 100),
                         fmt_ms([share(r, lambda c: not is_disp(c)) for r in g], 100),
                         fmt_ms([per_io(r, "ticks") for r in g]),
                         fmt_ms([per_io(r, "run_ns") for r in g]),
                         fmt_ms([slices(r, is_disp) for r in g]) + " / " +
                         fmt_ms([slices(r, lambda c: not is_disp(c)) for r in g]).split(" ")[0]])
        if rows:
            self.add("## Emulator cost (nvmev threads during each nvmev run)", "",
                     "CPU time of the nvmev threads (`nvmev<cpu>_disp`, `nvmev<cpu>_io`) between counter snapshots taken by fio's "
                     "exec_prerun and exec_postrun (the I/O phase, without fio's start-up and exit), divided by the I/Os the namespace completed "
                     "(/sys/block/<ns>/stat). `utime+stime` is tick-sampled (/proc/<pid>/stat, 10 ms units); "
                     "`schedstat` is the scheduler's ns run time (/proc/<pid>/schedstat). Switch-ins: times the "
                     "thread was put on its CPU (schedstat), i.e. wake-ups after sleeping or being preempted.", "",
                     table(["job", "IOPS", "dispatcher CPU %", "I/O worker CPU %",
                            "ns CPU / I/O (utime+stime)", "ns CPU / I/O (schedstat)",
                            "switch-ins / I/O (dispatcher / worker)"], rows), "")
        # guest-wide CPU per I/O, every device
        rows = []
        for job, label in self.matrix_jobs():
            row = [label]
            for d in self.devs:
                g = [r for r in self.group("matrix", job, d) if "cnt" in r and "guest_busy_ticks" in r["cnt"]]
                row.append(fmt_ms([r["cnt"]["guest_busy_ticks"] * 1e9 / USER_HZ / ios_of(r) for r in g
                                   if ios_of(r)]))
            rows.append(row)
        self.add(f"Guest CPU per I/O, all {self.guest_ncpus()} vCPUs (ns; /proc/stat busy time in the same window ÷ I/Os completed; "
                 "includes fio and, for nvmev, the emulator threads):", "",
                 table(["job"] + [DEV_LABEL[d] for d in self.devs], rows), "")

    def host_view(self):
        if not self.probe:
            return
        ncpu = max([4] + [max(p["vcpu"]) + 1 for p in self.probe.values() if p["vcpu"]])
        rows = []
        for job in ("rr4k_qd1", "rr4k_qd32", "sr128k_qd8", "rr4k_qd32_j4"):
            for d in self.devs:
                g = [self.probe.get(r["tag"]) for r in self.group("matrix", job, d)]
                g = [p for p in g if p]
                if not g:
                    continue
                def s(p, i, which):
                    v = p["vcpu"].get(i)
                    return None if v is None else v[which]
                row = [JOB_LABEL[job], DEV_LABEL[d]]
                for i in range(ncpu):
                    row.append(fmt_ms([s(p, i, 0) for p in g], 100, 0) + " / " +
                               fmt_ms([s(p, i, 1) for p in g], 100, 0).split(" ")[0])
                row.append(fmt_ms([sum(v[0] for v in p["vcpu"].values()) + p["other_run"] for p in g], 1, 2))
                row.append(fmt_ms([sum(v[1] for v in p["vcpu"].values()) for p in g], 1, 2))
                row.append(str(max(p["qemus"] for p in g)))
                rows.append(row)
        idle_rows = []
        for d in ("nvmev", "null_blk"):
            g = [self.probe.get(x["tag"]) for x in self.idle if x["dev"] == d]
            g = [p for p in g if p]
            if g:
                row = ["idle (2.2 s after a last I/O)", DEV_LABEL[d]]
                for i in range(ncpu):
                    row.append(fmt_ms([p["vcpu"].get(i, (None, None))[0] for p in g], 100, 0) + " / " +
                               fmt_ms([p["vcpu"].get(i, (None, None))[1] for p in g], 100, 0).split(" ")[0])
                row.append(fmt_ms([sum(v[0] for v in p["vcpu"].values()) + p["other_run"] for p in g], 1, 2))
                row.append(fmt_ms([sum(v[1] for v in p["vcpu"].values()) for p in g], 1, 2))
                row.append(str(max(p["qemus"] for p in g)))
                idle_rows.append(row)
        self.add("## Host view (QEMU threads on the host during each run)", "",
                 "From the host's /proc/<qemu>/task/*/schedstat at the guest's begin/end marks. `vCPU n` = "
                 "% of a host core that vCPU thread ran / % of the time it was runnable but waiting for a host "
                 "core. `host cores used` counts all QEMU threads (vCPUs, I/O thread, main loop). The guest "
                 "cannot see this waiting: its clock keeps running while a vCPU thread is descheduled.", "",
                 table(["job", "device", "vCPU0 run/wait %"] + [f"vCPU{i}" for i in range(1, ncpu)] +
                       ["host cores used", "vCPU wait (cores)", "QEMU processes"], rows + idle_rows), "")
        self.summary["host_view"] = rows + idle_rows

    def idle_cost(self):
        if not self.idle:
            return
        rows = []
        res = {}
        for d in ("nvmev", "null_blk"):
            g = [x for x in self.idle if x["dev"] == d]
            if not g:
                continue
            for wkey, wname in (("w0", "[0, 100 ms]"), ("w1", "[1 s, 2 s]")):
                def thr(x, pred):
                    w = x[wkey]
                    if not w["threads"]:
                        return None
                    return sum(t["run_ns"] for c, t in w["threads"].items() if pred(c)) / w["wall_ns"]
                def mach_stat(x):
                    w = x[wkey]
                    return w["guest_busy_ticks"] / w["guest_total_ticks"] if w.get("guest_total_ticks") else None
                def mach_rq(x):
                    w = x[wkey]
                    return w["guest_rq_ns"] / (w["wall_ns"] * w["guest_ncpu"]) if w.get("guest_ncpu") else None
                disp = [thr(x, is_disp) for x in g]
                io = [thr(x, lambda c: not is_disp(c)) for x in g]
                tot = [thr(x, lambda c: True) for x in g]
                if d == "nvmev":
                    res[wkey] = med(tot)
                rows.append([f"after {DEV_LABEL[d]} I/O", wname,
                             fmt_ms(disp, 100) if d == "nvmev" else "–",
                             fmt_ms(io, 100) if d == "nvmev" else "–",
                             fmt_ms(tot, 100) if d == "nvmev" else "–",
                             fmt_ms([mach_stat(x) for x in g], 100),
                             fmt_ms([mach_rq(x) for x in g], 100)])
        self.add("## Idle cost", "",
                 "A last burst of 256 direct 4K reads (`dd`), then counters at t0 (dd exited), t0+100 ms, "
                 "t0+1 s, t0+2 s. Thread columns: % of one CPU (schedstat ns). Machine columns: share of all "
                 f"{self.guest_ncpus()} vCPUs busy — /proc/stat (10 ms ticks, coarse over 100 ms) and /proc/schedstat run time "
                 "(ns); they include the shell that takes the samples, so the null_blk rows are the "
                 "floor.", "",
                 table(["after", "window", "nvmev dispatcher %", "nvmev I/O worker %", "nvmev threads %",
                        "machine busy % (/proc/stat)", "machine busy % (schedstat)"], rows), "")
        if "w0" in res and res["w0"] is not None:
            ncpu = self.guest_ncpus()
            w1 = res.get("w1") or 0
            self.target(f"Idle: nvmev threads < 1% of the machine ({ncpu} vCPUs) within 100 ms after the "
                        "last I/O", f"{res['w0'] / ncpu * 100:.2f}% ({res['w0'] * 100:.2f}% of one CPU; "
                        f"1-2 s: {w1 / ncpu * 100:.2f}%, {w1 * 100:.2f}% of one CPU)", "< 1%",
                        res["w0"] / ncpu < 0.01)

    def wake_cost(self):
        cfgs = [("spinhuge", "never sleeps (100 s spin)"),
                ("base", f"default ({self.nvmev_param('idle_spin_us') or '?'} µs)"), ("spin0", "0")]
        rows = []
        for job in ("rr4k_qd1", "rr4k_qd1_think"):
            base = self.m("model", job, "nvmev", "clat_mean", "spinhuge")
            for cfg, cname in cfgs:
                g = self.group("model", job, "nvmev", cfg)
                if not g:
                    continue
                mean = med([r["clat_mean"] for r in g])
                pen = (mean / base - 1) if (mean and base) else None
                rows.append([JOB_LABEL[job], cname, fmt_ms([r["clat_mean"] for r in g], 1e-3),
                             fmt_ms([r["pct"].get(50.0) for r in g], 1e-3),
                             fmt_ms([r["pct"].get(99.0) for r in g], 1e-3),
                             fmt_ms([r["iops"] for r in g]),
                             "baseline" if cfg == "spinhuge" else pct_str(pen), self.switch_ins(g)])
                if cfg == "base" and pen is not None:
                    # With think time every command finds the dispatcher asleep: that row shows
                    # the price of sleeping, the QD1 penalty of the target is the back-to-back one.
                    think = job == "rr4k_qd1_think"
                    self.target(f"Sleeping costs ≤ 10% QD1 latency ({JOB_LABEL[job]}; default idle_spin_us "
                                "vs never sleeping)" + (" (context: the wake-up after each idle gap)"
                                                        if think else ""),
                                f"{pen * 100:+.1f}% mean clat", "≤ +10%", None if think else pen <= 0.10)
        if rows:
            self.add("## Wake cost (idle_spin_us), nvmev zero-latency model", "",
                     "Module reloaded per setting; settings interleaved per repetition. With 5 ms think time "
                     "every read finds an idle dispatcher.", "",
                     table(["job", "idle_spin_us", "mean µs", "p50 µs", "p99 µs", "IOPS", "mean vs never sleeps",
                            "switch-ins / I/O (dispatcher / worker)"], rows), "")

    def fidelity(self):
        delays = sorted({int(r["cfg"][1:]) for r in self.runs
                         if r["set"] == "model" and re.match(r"d\d+$", r["cfg"] or "")})
        rows = []
        for job, op in (("rr4k_qd1", "read"), ("rw4k_qd1", "write")):
            base_g = self.group("model", job, "nvmev", "base")
            base = med([r["clat_mean"] for r in base_g])
            for x in delays:
                g = self.group("model", job, "nvmev", f"d{x}")
                if not g or base is None:
                    continue
                # per-repetition differences (same repetition, adjacent loads), then the median
                def diffs_of(stat):
                    out = []
                    for r in g:
                        b = [q for q in base_g if q["rep"] == r["rep"]]
                        if b and stat(r) is not None and stat(b[0]) is not None:
                            out.append(stat(r) - stat(b[0]))
                    return out
                diffs = diffs_of(lambda r: r["clat_mean"])
                p50s = diffs_of(lambda r: r["pct"].get(50.0))
                diff, p50 = med(diffs), med(p50s)
                rows.append([op, f"{x / 1000:g}", fmt(base / 1e3), fmt_ms([r["clat_mean"] for r in g], 1e-3),
                             fmt_ms(diffs, 1e-3), pct_str(diff / x - 1 if diff is not None else None),
                             fmt_ms(p50s, 1e-3), pct_str(p50 / x - 1 if p50 is not None else None),
                             self.switch_ins(g)])
        if rows:
            self.add("## Latency with interrupts (nvmev, QD1 4K libaio, difference method)", "",
                     "What an application sees: mean and p50 clat with `<op>_delay=X` minus the same with all "
                     "delays 0 (module reloaded each time; differences within each repetition, then the "
                     "median). Here the submitting vCPU halts while it waits, and TCG takes 100 µs or more "
                     "to wake it for the interrupt, which the zero-latency runs (done before the vCPU "
                     "halts) do not pay; the means also carry the host's multi-ms scheduling delays. The "
                     "model's fidelity is measured without these, polled, in the preset section below.", "",
                     table(["op", "configured µs", "mean at 0 µs", "mean at X µs", "mean difference µs",
                            "error", "p50 difference µs", "error", "switch-ins / I/O (dispatcher / worker)"],
                           rows), "")
        bw_rows = []
        for job, op in (("sr128k_qd32", "read"), ("sw128k_qd32", "write")):
            g = self.group("model", job, "nvmev", "bw")
            if not g:
                continue
            limit = 4096 / 40000e-9 / 1e6
            meas = med([r["bw"] / 1e6 for r in g])
            err = meas / limit - 1
            bw_rows.append([f"128K seq {op} QD32", f"{op}_time=40000 ns, nr_io_units=1, 4 KiB unit",
                            f"{limit:.1f}", fmt_ms([r["bw"] / 1e6 for r in g]), pct_str(err),
                            self.switch_ins(g)])
            self.target(f"Bandwidth model, 128K seq {op} QD32: measured within ±5% of {limit:.1f} MB/s",
                        f"{meas:.1f} MB/s ({err * 100:+.1f}%)", "±5%", abs(err) <= 0.05)
        if bw_rows:
            self.add("## Bandwidth model", "", "Bandwidth limit (configured = 4096 B / 40 µs), at QD32 as sequential bandwidth is "
                     "specified: the queue holds 41 ms of modelled work, more than the host's scheduling "
                     "gaps, so a late completion does not leave the modelled link idle:", "",
                     table(["job", "setting", "configured MB/s", "measured MB/s", "error",
                            "switch-ins / I/O (dispatcher / worker)"], bw_rows), "")

    # -- presets

    def sim_lats(self, args):
        """Per-command latencies (ns) by op letter from nvmev-sim --log."""
        import subprocess
        import tempfile
        if not os.access(SIM, os.X_OK):
            return None, f"{SIM} not built (make -C tools/sim)"
        with tempfile.NamedTemporaryFile("r", suffix=".log") as log:
            p = subprocess.run([SIM] + args + ["--log", log.name], capture_output=True, text=True)
            if p.returncode:
                return None, (p.stderr.strip().splitlines() or ["nvmev-sim failed"])[-1]
            out = {}
            for line in open(log.name):
                f = line.split()
                if len(f) >= 4 and f[3] == "4096" and "lat" in f:
                    out.setdefault(f[1], []).append(int(f[f.index("lat") + 1]))
            return out, " ".join(args)

    @staticmethod
    def read_nsstats(path):
        """A .nsstats file of tests/vm/bench.sh: the namespace's stats under
        "== before" and "== after" (then the run's trimmed_clat_ns), as
        {section: {key: int}}."""
        vals, cur = {}, None
        try:
            for line in open(path, errors="replace"):
                f = line.split()
                if line.startswith("== "):
                    cur = vals.setdefault(line[3:].strip(), {})
                elif cur is not None and len(f) == 2 and f[1].lstrip("-").isdigit():
                    cur[f[0]] = int(f[1])
        except OSError:
            pass
        return vals

    @staticmethod
    def dev_mean(st, op):
        """Device-side mean latency (ns) of op: <op>_lat_ns / <op>_cmds,
        after minus before."""
        a, b = st.get("before", {}), st.get("after", {})
        n = b.get(f"{op}_cmds", 0) - a.get(f"{op}_cmds", 0)
        t = b.get(f"{op}_lat_ns", 0) - a.get(f"{op}_lat_ns", 0)
        return t / n if n > 0 and f"{op}_lat_ns" in b else None

    def presets(self):
        raw = os.path.join(self.dir, "raw")
        info = read_kv(os.path.join(raw, "presets.txt"))
        self.fid_plot = []
        if not info:
            return
        ios = int(info.get("ios", "2000"))
        runs = {}
        for name in sorted(os.listdir(raw)):
            m = re.match(r"presets-r(\d+)-(.+)-(read|write)\.fio\.json$", name)
            if m:
                fio = load_fio(os.path.join(raw, name))
                if fio and fio.get("jobs"):
                    r = fio_metrics(fio)
                    st = self.read_nsstats(os.path.join(raw, name[:-len(".fio.json")] + ".nsstats"))
                    r["mid"] = st.get("after", {}).get("trimmed_clat_ns")
                    r["dev"] = self.dev_mean(st, m.group(3))
                    runs.setdefault((m.group(2), m.group(3)), {})[int(m.group(1))] = r
                continue
            m = re.match(r"presets-r(\d+)-(kv|kv-zero)\.txt$", name)
            if m:
                st = self.read_nsstats(os.path.join(raw, name[:-len(".txt")] + ".nsstats"))
                for line in open(os.path.join(raw, name), errors="replace"):
                    k = re.match(r"\s*(store|retrieve)\s.*trimmed mean\s+([0-9.]+) us", line)
                    if k:
                        op = "write" if k.group(1) == "store" else "read"
                        runs.setdefault((m.group(2), op), {})[int(m.group(1))] = {
                            "mid": float(k.group(2)) * 1e3, "dev": self.dev_mean(st, op)}
        rows = []
        order = [p[3:] for p in info if p.startswith("ns.")]
        for p in [x for x in order if x != "nvm-zero"] + ["kv"]:
            zero = "kv-zero" if p == "kv" else "nvm-zero"
            size = info.get(f"ns.{p}", "1 64M").split()[-1]
            for op in ("read", "write"):
                meas, ref = runs.get((p, op), {}), runs.get((zero, op), {})
                reps = [k for k in sorted(meas) if k in ref and meas[k]["mid"] is not None
                        and ref[k]["mid"] is not None]
                if not reps:
                    continue
                diffs = [meas[k]["mid"] - ref[k]["mid"] for k in reps]
                devs = [meas[k]["dev"] for k in reps if meas[k].get("dev") is not None]
                own = [ref[k]["dev"] for k in reps if ref[k].get("dev") is not None]
                think = int(med([ref[k]["mid"] for k in reps]) / 1000)
                exp, how = self.preset_expected(p, op, size, ios, think, info)
                d = med(diffs)
                err = d / exp - 1 if exp else None
                if p == "kv":
                    workload = {"read": "Retrieve 4 KiB QD1", "write": "Store 4 KiB QD1"}[op]
                elif p == "zns" and op == "write":
                    workload = "4K write QD1, at the write pointer"
                else:
                    workload = {"read": "4K randread QD1", "write": "4K randwrite QD1"}[op]
                label = f"nvm, {op}_delay={int(p[1:]) / 1000:g} µs" if re.match(r"d\d+$", p) else p
                rows.append([label, workload, fmt(exp / 1e3) if exp else f"– ({how})",
                             fmt_ms(diffs, 1e-3), pct_str(err), fmt_ms(own, 1e-3), fmt_ms(devs, 1e-3)])
                if exp and d is not None:
                    self.fid_plot.append((op, exp, d))
                if exp and err is not None:
                    judged = exp >= 100000
                    self.target(f"Fidelity {label}: {workload}, modelled {exp / 1e3:.1f} µs, within ±5%"
                                + ("" if judged else " (below 100 µs: not judged)"),
                                f"{err * 100:+.1f}% (measured {d / 1e3:.1f} µs)", "±5%",
                                abs(err) <= 0.05 if judged else None)
        if rows:
            self.add("## Fidelity of the timing models and presets (polled, difference method)", "",
                     f"One configfs controller: a zero-latency namespace, nvm namespaces with read_delay = "
                     f"write_delay = X, and one namespace per preset (KV: a `kv` and a `kv-zero` "
                     f"controller). Per repetition: a sequential fill of the first 32 MiB (flushed, then "
                     f"1 s quiet), {ios} QD1 4 KiB random reads of it and {ios} QD1 4 KiB writes to the "
                     f"next 32 MiB (zoned: sequential at the write pointer). Block I/O is polled (io_uring "
                     f"`--hipri` on the nvme driver's poll queue) and KV runs `nvmev-kv bench --spin` "
                     f"(50% stores, 256 keys, 4 KiB values; a SCHED_IDLE busy thread), so the submitting "
                     f"CPU never halts (waking a halted vCPU costs TCG 100 µs or more). Statistic: the "
                     f"10% trimmed mean of the completion latencies (the mean without the fastest and the "
                     f"slowest tenth: robust to the host's multi-ms scheduling delays, and its cuts sit "
                     f"inside the modes of a NAND read distribution, where percentiles would straddle them); "
                     f"per repetition, then the median over repetitions with [min–max].",
                     "",
                     "*Modelled*: the same commands replayed through `nvmev-sim` (the kernel's model code "
                     "in userspace, on a virtual clock), with the zero namespace's latency as think time; "
                     "KV: the nvm model with the index time added to the delays. *Measured*: the preset's "
                     "latency minus the zero-latency namespace's, the difference method (the targets use it). "
                     "It reads low by up to the emulator's own time per command (copying the data, running "
                     "the KV index): on the zero namespace that time is latency, on the preset the modelled "
                     "time covers it, since the model counts from the fetch. So a modelled time shorter than "
                     "that (the 5 µs buffered writes) shows as almost nothing. *Emulator's own time*: the "
                     "zero namespace's device-side mean, fetch to completion posted (`<op>_lat_ns / "
                     "<op>_cmds` of its stats); *device-side mean*: the same for the preset (a mean, so with "
                     "the host's delays in it).", "",
                     table(["namespace", "workload", "modelled µs", "measured µs", "error",
                            "emulator's own time µs", "device-side mean µs"], rows), "")

    def preset_expected(self, p, op, size, ios, think, info):
        """Modelled 10% trimmed mean latency (ns) of preset p's reads or writes."""
        rd = ["--phase", "rw=randread", "bs=4k", "iodepth=1", "size=32M", f"number_ios={ios}",
              f"thinktime={think}"]
        wr = ["--phase", "rw=randwrite", "bs=4k", "iodepth=1", "offset=32M", "size=32M",
              f"number_ios={ios}", f"thinktime={think}"]
        fill = ["--phase", "rw=write", "bs=128k", "iodepth=1", "size=32M", "flush_every=256"]
        if p == "kv":
            a = lambda k, d="0": info.get(f"attr.kv.{k}", d)
            idx = int(a("kv_index_ns"))
            args = ["--model", "nvm",
                    "--param", f"read_delay={int(a('read_delay')) + idx}", "--param", f"read_time={a('read_time')}",
                    "--param", f"read_trailing={a('read_trailing')}",
                    "--param", f"write_delay={int(a('write_delay')) + idx}", "--param", f"write_time={a('write_time')}",
                    "--param", f"write_trailing={a('write_trailing')}",
                    "--param", f"nr_units={a('nr_io_units', '1')}",
                    "--param", f"unit_size={1 << int(a('io_unit_shift', '12'))}"] + rd + wr
        elif p in ("optane", "nvm-slow"):
            args = ["--preset", p, "--capacity", size] + rd + wr
        elif re.match(r"d\d+$", p):
            args = ["--preset", "nvm-zero", "--param", f"read_delay={p[1:]}",
                    "--param", f"write_delay={p[1:]}", "--capacity", size] + rd + wr
        elif p == "zns":
            wr = ["--phase", "rw=write", "bs=4k", "iodepth=1", "offset=32M", "size=128M",
                  f"number_ios={ios}", f"thinktime={think}"]
            args = ["--preset", p, "--capacity", size] + fill + rd[:6] + ["startdelay=1"] + rd[6:] + wr
        else:
            args = ["--preset", p, "--capacity", size] + fill + rd[:6] + ["startdelay=1"] + rd[6:] + wr
        lats, how = self.sim_lats(args)
        if lats is None:
            return None, how
        v = trimmed_mean(lats.get("R" if op == "read" else "W", []))
        return v, how

    def target_table(self):
        if not self.targets:
            return
        rows = [[n, v, t, verdict] for n, v, t, verdict, _ in self.targets]
        self.md[self.target_at:self.target_at] = [
            "## Targets", "", table(["target", "measured", "goal", "result"], rows), ""]

    # -- plots

    def make_plots(self):
        try:
            import matplotlib
            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except Exception as e:  # noqa: BLE001
            self.add(f"_Plots skipped: matplotlib not importable ({e.__class__.__name__})._", "")
            print("bench_report: plots skipped (matplotlib not importable)", file=sys.stderr)
            return
        colors = {"nvmev": "tab:red", "null_blk": "tab:blue", "brd": "tab:green", "qemu_nvme": "tab:gray"}

        # latency percentiles, QD1 randread
        fig, ax = plt.subplots(figsize=(7, 4.5))
        for d in self.devs:
            g = self.group("matrix", "rr4k_qd1", d)
            keys = sorted({k for r in g for k in r["pct"]})
            xs = [med([r["pct"].get(k) for r in g]) / 1e3 for k in keys]
            if keys:
                ax.plot(xs, keys, marker="o", ms=3, label=DEV_LABEL[d], color=colors[d])
        ax.set_xscale("log")
        ax.set_xlabel("completion latency (µs, log)")
        ax.set_ylabel("percentile")
        ax.set_title("4K randread QD1: latency percentiles (median over reps)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
        self.save(fig, "latency_qd1.png", "4K randread QD1 latency percentiles")

        # IOPS vs queue depth and jobs
        fig, axes = plt.subplots(1, 2, figsize=(10, 4.2))
        for d in self.devs:
            for ax, jobs, xs in ((axes[0], ("rr4k_qd1", "rr4k_qd32"), (1, 32)),
                                 (axes[1], ("rr4k_qd32", "rr4k_qd32_j2", "rr4k_qd32_j4"), (1, 2, 4))):
                ys, lo, hi = [], [], []
                for j in jobs:
                    v = [r["iops"] for r in self.group("matrix", j, d)]
                    m = med(v)
                    ys.append(m)
                    a, b = spread(v)
                    lo.append(m - a if m is not None else 0)
                    hi.append(b - m if m is not None else 0)
                if None in ys:
                    continue
                ax.errorbar(xs, ys, yerr=[lo, hi], marker="o", capsize=3, label=DEV_LABEL[d], color=colors[d])
        axes[0].set_xscale("log", base=2)
        axes[0].set_xticks([1, 32], ["QD1", "QD32"])
        axes[0].set_title("4K randread IOPS vs queue depth")
        axes[1].set_xticks([1, 2, 4], ["1", "2", "4"])
        axes[1].set_xlabel("fio jobs (QD32 each)")
        axes[1].set_title("4K randread IOPS vs jobs")
        for ax in axes:
            ax.set_ylabel("IOPS (median, min–max bars)")
            ax.set_ylim(bottom=0)
            ax.grid(True, alpha=0.3)
            ax.legend(fontsize=8)
        fig.tight_layout()
        self.save(fig, "iops_scaling.png", "IOPS vs queue depth and vs jobs")

        # throughput matrix normalised to null_blk
        if "null_blk" in self.devs:
            fig, ax = plt.subplots(figsize=(10, 4.2))
            width = 0.8 / max(1, len(self.devs))
            jobs = self.matrix_jobs()
            for k, d in enumerate(self.devs):
                ys = []
                for j, _ in jobs:
                    key = "bw" if j in SEQ_JOBS else "iops"
                    a, b = self.m("matrix", j, d, key), self.m("matrix", j, "null_blk", key)
                    ys.append(a / b if a and b else 0)
                ax.bar([x + k * width for x in range(len(jobs))], ys, width, label=DEV_LABEL[d],
                       color=colors[d])
            ax.axhline(1.0, color="black", lw=0.8)
            ax.set_xticks([x + width * (len(self.devs) - 1) / 2 for x in range(len(jobs))],
                          [j for j, _ in jobs], rotation=20, fontsize=8)
            ax.set_ylabel("throughput ÷ null_blk (medians)")
            ax.set_title("Throughput relative to null_blk")
            ax.legend(fontsize=8)
            ax.grid(True, axis="y", alpha=0.3)
            fig.tight_layout()
            self.save(fig, "throughput_vs_null_blk.png", "Throughput relative to null_blk")

        # kernel bypass: IOPS and mean latency per path, device and depth
        devs, summ = getattr(self, "bypass_plot", ([], []))
        if summ:
            fig, axes = plt.subplots(1, 2, figsize=(10, 4.2))
            groups = [(d, qd) for d in devs for qd in (1, 32)]
            width = 0.8 / len(self.BYPASS_METHODS)
            for k, (method, label) in enumerate(self.BYPASS_METHODS):
                for ax, key in ((axes[0], "iops"), (axes[1], "mean_us")):
                    ys = []
                    for d, qd in groups:
                        v = [x[key] for x in summ if x["dev"] == d and x["qd"] == qd and x["method"] == method]
                        ys.append(v[0] if v and v[0] is not None else 0)
                    ax.bar([x + k * width for x in range(len(groups))], ys, width, label=label)
            for ax, title in ((axes[0], "IOPS (median)"), (axes[1], "mean latency (µs, median)")):
                ax.set_xticks([x + width * (len(self.BYPASS_METHODS) - 1) / 2 for x in range(len(groups))],
                              [f"{DEV_LABEL[d]} QD{qd}" for d, qd in groups], fontsize=8)
                ax.set_title("4K randread: " + title)
                ax.grid(True, axis="y", alpha=0.3)
            axes[1].set_yscale("log")
            axes[0].legend(fontsize=7)
            fig.tight_layout()
            self.save(fig, "bypass.png", "Kernel bypass: 4K randread through the kernel and around it")

        # nvmev against its baseline: ratio of the medians and of each repetition
        base_plot = getattr(self, "base_plot", [])
        if base_plot:
            fig, ax = plt.subplots(figsize=(8, 0.45 * len(base_plot) + 1.6))
            ys = range(len(base_plot))
            ax.barh(ys, [r - 1 for _, r, _ in base_plot], left=1, color="tab:red", alpha=0.35,
                    label="ratio of the medians")
            for y, (_, _, per) in zip(ys, base_plot):
                ax.plot(per, [y] * len(per), "k|", ms=12)
            ax.plot([], [], "k|", ms=12, label="each repetition")
            ax.axvline(1.0, color="black", lw=0.8)
            # symmetric about 1, so a gain and a loss look alike
            dev = max(abs(x - 1) for _, r, per in base_plot for x in per + [r])
            ax.set_xlim(1 - dev * 1.15 - 0.02, 1 + dev * 1.15 + 0.02)
            ax.set_yticks(list(ys), [label for label, _, _ in base_plot], fontsize=8)
            ax.invert_yaxis()
            ax.set_xlabel("throughput, current ÷ baseline")
            ax.set_title(f"nvmev against its baseline ({self.baseline_name()})")
            ax.grid(True, axis="x", alpha=0.3)
            ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2)
            fig.tight_layout()
            self.save(fig, "baseline.png", "nvmev against its baseline")

        # fidelity
        pts = [p for p in getattr(self, "fid_plot", []) if p[2] is not None and p[2] > 0]
        if pts:
            fig, ax = plt.subplots(figsize=(6, 4.5))
            for op, mk in (("read", "o"), ("write", "s")):
                xs = [x / 1e3 for o, x, _ in pts if o == op]
                ys = [y / 1e3 for o, _, y in pts if o == op]
                ax.plot(xs, ys, mk, label=op, ms=7)
            lim = [min(x / 1e3 for _, x, _ in pts) * 0.7, max(x / 1e3 for _, x, _ in pts) * 1.4]
            ax.plot(lim, lim, "k-", lw=0.8, label="ideal")
            ax.fill_between(lim, [v * 0.95 for v in lim], [v * 1.05 for v in lim], color="k", alpha=0.1,
                            label="±5%")
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_xlabel("modelled latency (µs, nvmev-sim)")
            ax.set_ylabel("measured latency (µs, polled, difference method)")
            ax.set_title("Timing model fidelity, QD1, every preset")
            ax.grid(True, which="both", alpha=0.3)
            ax.legend(fontsize=8)
            fig.tight_layout()
            self.save(fig, "fidelity.png", "Timing model fidelity")

    def save(self, fig, name, title):
        import matplotlib.pyplot as plt
        fig.savefig(os.path.join(self.dir, name), dpi=90)
        plt.close(fig)
        self.plots.append((name, title))

    def build(self):
        self.header()
        self.baseline()
        self.target_at = len(self.md)
        if not self.runs:
            self.add("**No fio results found** in raw/ (see vm.log).", "")
        self.throughput()
        self.queue_depth()
        self.latency()
        self.bypass()
        self.cpu_cost()
        self.idle_cost()
        self.wake_cost()
        self.fidelity()
        self.presets()
        self.host_view()
        self.make_plots()
        if self.plots:
            self.add("## Plots", "")
            for name, title in self.plots:
                self.add(f"![{title}]({name})", "")
        self.target_table()
        self.summary["targets"] = [dict(zip(("target", "measured", "goal", "result"), t[:4]))
                                   for t in self.targets]
        self.summary["runs"] = len(self.runs)
        return "\n".join(self.md) + "\n"


def main():
    if len(sys.argv) != 2 or sys.argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 2
    d = sys.argv[1]
    if not os.path.isdir(os.path.join(d, "raw")):
        print(f"bench_report: {d}/raw not found", file=sys.stderr)
        return 1
    rep = Report(d)
    text = rep.build()
    with open(os.path.join(d, "results.md"), "w") as f:
        f.write(text)
    with open(os.path.join(d, "summary.json"), "w") as f:
        json.dump(rep.summary, f, indent=1, default=str)
    print(re.sub(r"^!\[.*\n", "", text, flags=re.M))
    print(f"bench_report: wrote {os.path.join(d, 'results.md')}"
          + (f" and {len(rep.plots)} plots" if rep.plots else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
