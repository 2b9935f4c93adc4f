// The Neovim setup from the README, in a real headless Neovim: it opens a log, the bundled server
// starts over stdio, and Neovim receives the diagnostics. Skipped where no nvim is installed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

const ROOT = path.resolve(import.meta.dirname, '../..');
const nvim = spawnSync('nvim', ['--version'], { encoding: 'utf8' });

test('Neovim gets the diagnostics of a kernel log from the server', { skip: nvim.status !== 0 ? 'nvim is not installed' : false, timeout: 60_000 }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kcrash-nvim-'));
  const log = path.join(dir, 'crash.oops');
  fs.copyFileSync(path.join(ROOT, 'examples/seed-pt-regs-on-stack.log'), log);
  const out = path.join(dir, 'diagnostics.txt');
  const init = path.join(dir, 'init.lua');
  fs.writeFileSync(
    init,
    `package.path = ${JSON.stringify(path.join(ROOT, 'editors/neovim/?.lua'))} .. ';' .. package.path
require('kernel-log').setup({ server = ${JSON.stringify(path.join(ROOT, 'dist/server.js'))} })
local function poll(left)
  local ds = vim.diagnostic.get(0)
  if #ds > 0 or left == 0 then
    local f = io.open(${JSON.stringify(out)}, 'w')
    f:write(vim.bo.filetype, '\\n')
    for _, d in ipairs(ds) do f:write(d.lnum + 1, ' ', tostring(d.code), '\\n') end
    f:close()
    vim.cmd('qa!')
  else
    vim.defer_fn(function() poll(left - 1) end, 200)
  end
end
vim.defer_fn(function() poll(100) end, 200)
`,
  );
  const r = spawnSync('nvim', ['--headless', '--clean', '-u', init, log], { encoding: 'utf8', timeout: 50_000 });
  assert.equal(r.status, 0, r.stderr);
  const lines = fs.readFileSync(out, 'utf8').trim().split('\n');
  assert.equal(lines[0], 'kernellog');
  const got = lines.slice(1);
  assert.ok(got.includes('26 duplicate-regs-ip'), got.join('; '));
  assert.ok(got.includes('58 duplicate-regs-ip'), got.join('; '));
  assert.ok(got.some((l) => l.endsWith('unreliable-frame')));
  fs.rmSync(dir, { recursive: true, force: true });
});
