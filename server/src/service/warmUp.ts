// A short log of the common shapes (x86-64 with contexts and `? ` entries, a WARNING with printk
// caller ids, arm64, a hung task) that the server parses once right after `initialize`. The first
// parse in a process is slow (regular expressions compiled, code not optimized yet: about 50 ms for
// 64 lines against 3 ms warm); paid while the client is still sending a big document, it no longer
// delays that document's first diagnostics.
import { analyze } from '../analyzer/analyze.ts';
import { parseCrashLog } from '../parser/parse.ts';

const SAMPLE = `[   10.000001][    T1] Linux version 6.8.0-warm (warm@up) #1 SMP PREEMPT_DYNAMIC
[   20.100000][  T300] ------------[ cut here ]------------
[   20.100001][  T300] WARNING: CPU: 1 PID: 300 at fs/inode.c:400 drop_nlink+0x9e/0xd0
[   20.100002][  T300] Modules linked in: e1000 ext4
[   20.100003][  T300] CPU: 1 PID: 300 Comm: sample Not tainted 6.8.0-warm #1
[   20.100004][  T300] Hardware name: QEMU Standard PC (Q35 + ICH9, 2009), BIOS 1.16.3-1 04/01/2014
[   20.100005][  T300] RIP: 0010:drop_nlink+0x9e/0xd0
[   20.100006][  T300] Code: 48 8b 43 28 f0 48 ff 80 b0 04 00 00 5b 5d c3 cc cc cc cc 0f 0b <0f> 0b eb d7 48 89 df e8 a4 19 ff ff
[   20.100007][  T300] RSP: 0018:ffffc90001d3fd60 EFLAGS: 00010246
[   20.100008][  T300] RAX: 0000000000000000 RBX: ffff888104a1c2a0 RCX: 0000000000000000
[   20.100009][  T300] CR2: 000055d3c8a1e0a8 CR3: 0000000109f4e000 CR4: 0000000000750ef0
[   20.100010][  T300] Call Trace:
[   20.100011][  T300]  <TASK>
[   20.100012][  T300]  ? __warn+0xc9/0x360
[   20.100013][  T300]  ? drop_nlink+0x9e/0xd0
[   20.100014][  T300]  shmem_unlink+0x1d2/0x2a0
[   20.100015][  T300]  ? lookup_fast+0x3d0/0x3d0
[   20.100016][  T300]  vfs_unlink+0x2f3/0x8e0 [ext4]
[   20.100017][  T300]  do_syscall_64+0x82/0x160
[   20.100018][  T300]  entry_SYSCALL_64_after_hwframe+0x6e/0x76
[   20.100019][  T300]  </TASK>
[   20.100020][  T300] ---[ end trace 0000000000000000 ]---
[   30.200000] general protection fault, probably for non-canonical address 0xdffffc0000000019: 0000 [#1] PREEMPT SMP KASAN
[   30.200001] KASAN: null-ptr-deref in range [0x00000000000000c8-0x00000000000000cf]
[   30.200002] CPU: 3 PID: 0 Comm: swapper/3 Tainted: G        W          6.8.0-warm #1
[   30.200003] RIP: 0010:tcp_retransmit_timer+0x2f1/0x2a40
[   30.200004] Call Trace:
[   30.200005]  <IRQ>
[   30.200006]  ? tcp_retransmit_timer+0x2f1/0x2a40
[   30.200007]  tcp_write_timer+0x1d7/0x2b0
[   30.200008]  [<ffffffff8129b350>] ? call_timer_fn+0x1a0/0x580
[   30.200009]  __do_softirq+0x1d4/0x8a5
[   30.200010]  </IRQ>
[   30.200011] Kernel panic - not syncing: Fatal exception in interrupt
[   40.300000] Unable to handle kernel NULL pointer dereference at virtual address 0000000000000010
[   40.300001] Internal error: Oops: 0000000096000006 [#1] PREEMPT SMP
[   40.300002] pc : sdhci_send_command+0x1c8/0x9a0
[   40.300003] lr : sdhci_send_command_retry+0x50/0x138
[   40.300004] x29: ffff800082d9b9a0 x28: 0000000000000000 x27: ffff0000c2e0a880
[   40.300005] Call trace:
[   40.300006]  sdhci_send_command+0x1c8/0x9a0
[   40.300007]  mmc_rescan+0x2c4/0x3a0
[   50.400000] INFO: task kworker/0:1:42 blocked for more than 120 seconds.
[   50.400001] task:kworker/0:1     state:D stack:0     pid:42    ppid:2      flags:0x00004000
[   50.400002] Call Trace:
[   50.400003]  __schedule+0x3a4/0xa50
[   50.400004]  schedule+0x5d/0xd0
`;

/** Parses and analyzes the sample once; returns the number of findings (so the work is not optimized away). */
export function warmUpParser(): number {
  try {
    return analyze(parseCrashLog(SAMPLE)).length;
  } catch {
    return 0; // a warm-up must never cost the server anything but time
  }
}
