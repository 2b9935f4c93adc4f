// Hovers that decode values (issue 10): taint letters, CR0/CR4 bits, the page-fault error code —
// on real lines of the repository's fixtures, over stdio.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fixture, hoverText, LspClient, positionAtText } from './client.ts';

describe('register and taint hovers', () => {
  let client: LspClient;
  const texts = new Map<string, string>();
  const FILES = [
    'real-debian-module-null-deref.log',
    'syslog-6.1-null-deref-crlf.log',
    'bench-syslog-softlockup.log',
    'bench-rcu-stall-ctime.log',
    'lsp-old-x86-clear-user.log',
  ];

  before(async () => {
    client = await LspClient.start();
    for (const name of FILES) {
      const text = await fixture(name);
      texts.set(name, text);
      client.open(`file:///fixtures/${name}`, text, 1);
      await client.waitForDiagnostics(`file:///fixtures/${name}`, 1);
    }
  });
  after(async () => {
    assert.equal(await client.shutdown(), 0);
  });

  const hover = (name: string, needle: string, delta = 0) =>
    client
      .request('textDocument/hover', { textDocument: { uri: `file:///fixtures/${name}` }, position: positionAtText(texts.get(name)!, needle, delta) })
      .then(hoverText);

  it('lists every taint letter of a CPU line with its meaning', async () => {
    const text = await hover('real-debian-module-null-deref.log', 'Tainted: G           OE', 20);
    assert.match(text, /2 flags set/);
    assert.match(text, /`O` \(bit 12\): an out-of-tree/);
    assert.match(text, /`E` \(bit 13\): an unsigned module/);
    assert.match(text, /= 12288/);
    assert.match(text, /`G`: only GPL-compatible/);
  });

  it('tells a proprietary module apart from G', async () => {
    const text = await hover('bench-syslog-softlockup.log', 'Tainted: P', 9);
    assert.match(text, /`P` \(bit 0\): a proprietary/);
    assert.doesNotMatch(text, /GPL-compatible modules were loaded/);
  });

  it('decodes the page-fault error code', async () => {
    const write = await hover('real-debian-module-null-deref.log', '#PF: error_code(0x0002)', 5);
    assert.match(write, /kernel-mode write of a not-present page/);
    assert.match(write, /`W\/R` \(bit 1\)/);
    const read = await hover('syslog-6.1-null-deref-crlf.log', '#PF: error_code(0x0000)', 18);
    assert.match(read, /kernel-mode read of a not-present page/);
  });

  it('names the bits of CR0 and CR4', async () => {
    const cr0 = await hover('real-debian-module-null-deref.log', 'CR0: 0000000080050033', 6);
    assert.match(cr0, /`PG` \(bit 31\): paging/);
    assert.match(cr0, /`WP` \(bit 16\)/);
    const cr4 = await hover('syslog-6.1-null-deref-crlf.log', 'CR4: 00000000007706e0', 6);
    for (const bit of ['SMEP', 'SMAP', 'PKE', 'PCIDE', 'OSXSAVE']) assert.match(cr4, new RegExp(`\`${bit}\` \\(bit`));
  });

  it('names the system call of a user-mode ORIG_RAX', async () => {
    const text = await hover('bench-rcu-stall-ctime.log', 'ORIG_RAX: 00000000000000d1', 12);
    assert.match(text, /Syscall number 209 \(`0xd1`\): \*\*`io_submit`\*\*/);
    const write = await hover('real-debian-module-null-deref.log', 'ORIG_RAX: 0000000000000001', 12);
    assert.match(write, /`write`/);
  });

  it('reads CR2 as the faulting address: NULL plus a field offset', async () => {
    const text = await hover('syslog-6.1-null-deref-crlf.log', 'CR2: 0000000000000040', 6);
    assert.match(text, /The faulting address: \*\*NULL pointer \+ `0x40`\*\*/);
  });

  it('names the x86-64 region of register values', async () => {
    const name = 'real-debian-module-null-deref.log';
    assert.match(await hover(name, 'RDI: ffffc900004e3b58', 6), /likely the \*\*vmalloc\/ioremap space/);
    assert.match(await hover(name, 'RSP: 0018:ffffc900004e3b40', 1), /vmalloc/);
    assert.match(await hover(name, 'R13: ffff8880058ccd80', 6), /likely the \*\*direct map/);
    assert.match(await hover(name, 'RSI: ffffffffc0202080', 6), /the \*\*module mapping space\*\*/);
    assert.match(await hover(name, 'R12: 0000000022718960', 6), /\*\*user space\*\*/);
    assert.doesNotMatch(await hover(name, 'EFLAGS: 00000246', 9), /As an address/);
    assert.doesNotMatch(await hover(name, 'CR3: 0000000006238000', 6), /As an address/);
  });

  it('reads -ENOSYS in the RAX of a system call entry', async () => {
    assert.match(await hover('bench-rcu-stall-ctime.log', 'RAX: ffffffffffffffda', 6), /ERR_PTR\(-38\)`, −`ENOSYS`/);
  });

  it('reads a raw stack word of an old kernel as an address', async () => {
    const name = 'lsp-old-x86-clear-user.log';
    assert.match(await hover(name, 'ffff88007876fd70 ffffffff81452a7b', 3), /raw stack word[\s\S]*likely the \*\*direct map/);
    assert.match(await hover(name, 'ffffffff81452a7b', 3), /\*\*kernel image/);
    assert.match(await hover(name, ' 0000000000000138', 4), /NULL pointer \+ `0x138`\*\* \(if it is a pointer/);
  });
});
