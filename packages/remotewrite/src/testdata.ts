// Deterministic node_exporter-like series for tests and benchmarks. Each host ("instance")
// contributes the families a real node_exporter exposes (CPU modes per core, memory,
// filesystems per mount, disks and network interfaces per device, load, …), with the target
// labels a typical Prometheus scrape config adds. Series are distinct across the whole output.

/** Target labels shared by every series of a host, besides instance and job. */
const CLUSTERS = ['prod-eu-1', 'prod-us-1', 'prod-ap-1', 'staging-eu-1'];
const ENVS = ['production', 'production', 'production', 'staging'];
const REGIONS = ['eu-west-1', 'us-east-1', 'ap-southeast-2', 'eu-central-1'];
const CPU_MODES = ['guest', 'idle', 'iowait', 'irq', 'nice', 'softirq', 'steal', 'system', 'user'];
const MEMORY_GAUGES = [
  'node_memory_Active_bytes', 'node_memory_Buffers_bytes', 'node_memory_Cached_bytes',
  'node_memory_Dirty_bytes', 'node_memory_Inactive_bytes', 'node_memory_MemAvailable_bytes',
  'node_memory_MemFree_bytes', 'node_memory_MemTotal_bytes', 'node_memory_Shmem_bytes',
  'node_memory_SwapFree_bytes', 'node_memory_SwapTotal_bytes',
];
const HOST_GAUGES = [
  'node_load1', 'node_load5', 'node_load15', 'node_boot_time_seconds', 'node_context_switches_total',
  'node_forks_total', 'node_intr_total', 'node_procs_blocked', 'node_procs_running',
  'node_filefd_allocated', 'node_filefd_maximum', 'node_entropy_available_bits', 'node_time_seconds',
];
const FS_METRICS = [
  'node_filesystem_avail_bytes', 'node_filesystem_files', 'node_filesystem_files_free',
  'node_filesystem_free_bytes', 'node_filesystem_readonly', 'node_filesystem_size_bytes',
];
const MOUNTS: Array<[device: string, fstype: string, mountpoint: string]> = [
  ['/dev/nvme0n1p1', 'ext4', '/'],
  ['/dev/nvme0n1p2', 'vfat', '/boot/efi'],
  ['tmpfs', 'tmpfs', '/run'],
  ['/dev/nvme1n1', 'xfs', '/var/lib/data'],
  ['tmpfs', 'tmpfs', '/run/user/1000'],
];
const DISK_METRICS = [
  'node_disk_io_now', 'node_disk_io_time_seconds_total', 'node_disk_read_bytes_total',
  'node_disk_read_time_seconds_total', 'node_disk_reads_completed_total',
  'node_disk_write_time_seconds_total', 'node_disk_writes_completed_total', 'node_disk_written_bytes_total',
];
const DISKS = ['nvme0n1', 'nvme1n1', 'sda', 'dm-0'];
const NET_METRICS = [
  'node_network_receive_bytes_total', 'node_network_receive_drop_total', 'node_network_receive_errs_total',
  'node_network_receive_packets_total', 'node_network_transmit_bytes_total', 'node_network_transmit_drop_total',
  'node_network_transmit_errs_total', 'node_network_transmit_packets_total', 'node_network_up',
];
const NICS = ['eth0', 'eth1', 'lo', 'docker0', 'veth1a2b3c'];
const CPU_COUNTS = [2, 4, 8, 16];

/** mulberry32: a tiny seeded PRNG; returns a generator of floats in [0, 1). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Appends every series of host `h` to `out` (stopping once `count` series exist). */
function emitHost(h: number, rand: () => number, count: number, out: Array<Array<[string, string]>>): void {
  const site = Math.floor(rand() * CLUSTERS.length);
  // Host numbers map to distinct addresses, so instances (and thus series) never repeat.
  const instance = `10.${(h >>> 16) & 255}.${(h >>> 8) & 255}.${h & 255}:9100`;
  const target: Array<[string, string]> = [
    ['cluster', CLUSTERS[site]!],
    ['env', ENVS[site]!],
    ['instance', instance],
    ['job', 'node'],
    ['region', REGIONS[site]!],
    ['team', `team-${1 + Math.floor(rand() * 12)}`],
  ];
  const add = (name: string, extra: Array<[string, string]>): void => {
    if (out.length >= count) return;
    const labels: Array<[string, string]> = [['__name__', name], ...target, ...extra];
    labels.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    out.push(labels);
  };

  const cpus = CPU_COUNTS[Math.floor(rand() * CPU_COUNTS.length)]!;
  for (let c = 0; c < cpus; c++) {
    for (const mode of CPU_MODES) add('node_cpu_seconds_total', [['cpu', String(c)], ['mode', mode]]);
    add('node_cpu_scaling_frequency_hertz', [['cpu', String(c)]]);
  }
  for (const m of MEMORY_GAUGES) add(m, []);
  for (const m of HOST_GAUGES) add(m, []);
  const mounts = 2 + Math.floor(rand() * (MOUNTS.length - 1));
  for (let i = 0; i < mounts; i++) {
    const [device, fstype, mountpoint] = MOUNTS[i]!;
    for (const m of FS_METRICS) add(m, [['device', device], ['fstype', fstype], ['mountpoint', mountpoint]]);
  }
  const disks = 1 + Math.floor(rand() * DISKS.length);
  for (let i = 0; i < disks; i++) for (const m of DISK_METRICS) add(m, [['device', DISKS[i]!]]);
  const nics = 2 + Math.floor(rand() * (NICS.length - 1));
  for (let i = 0; i < nics; i++) for (const m of NET_METRICS) add(m, [['device', NICS[i]!]]);
  add('node_uname_info', [
    ['domainname', '(none)'], ['machine', 'x86_64'], ['nodename', `host-${h}`],
    ['release', '6.1.0-28-amd64'], ['sysname', 'Linux'], ['version', '#1 SMP Debian 6.1.119-1'],
  ]);
}

/**
 * Generates `count` distinct node_exporter-like series, each an array of label pairs sorted by
 * name (about 9–13 labels: `__name__`, instance, job, cluster, env, region, team plus the
 * family's own such as cpu/mode or device/fstype/mountpoint).
 *
 * Deterministic: the same (count, seed) always yields the same series in the same order, and a
 * larger count extends a smaller one's output. Hosts come one after another, as a Prometheus
 * scraping a fleet of node_exporters would send them; a host has roughly 150–350 series.
 */
export function makeNodeExporterSeries(count: number, seed: number): Array<Array<[string, string]>> {
  const out: Array<Array<[string, string]>> = [];
  const rand = prng(seed);
  // Hosts are numbered from a seed-dependent base so different seeds give different instances.
  const base = Math.floor(prng(seed ^ 0x5bd1e995)() * 4096) * 256;
  for (let h = 0; out.length < count; h++) emitHost(base + h, rand, count, out);
  return out;
}
