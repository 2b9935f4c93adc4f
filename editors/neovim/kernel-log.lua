-- Kernel Log language server for Neovim 0.7 or newer.
-- Use: put this file in ~/.config/nvim/lua/ and `require('kernel-log').setup({ server = '/path/to/kernel-crash-log/dist/server.js' })`
-- in init.lua (or `cmd = { 'kcrash', 'lsp', '--stdio' }` when kcrash is on PATH).
local M = {}

function M.setup(opts)
  opts = opts or {}
  local cmd = opts.cmd or { 'node', opts.server or 'dist/server.js', '--stdio' }
  local client_id = nil

  vim.api.nvim_create_autocmd({ 'BufRead', 'BufNewFile' }, {
    pattern = { '*.oops', '*.dmesg', '*dmesg*', 'kern.log*', 'vmcore-dmesg*.txt' },
    command = 'setfiletype kernellog',
  })
  vim.api.nvim_create_autocmd('FileType', {
    pattern = 'kernellog',
    callback = function(ev)
      -- One server for every kernel log of the session.
      if client_id == nil or vim.lsp.get_client_by_id(client_id) == nil then
        client_id = vim.lsp.start_client({ name = 'kernel-log', cmd = cmd, root_dir = vim.fn.getcwd() })
      end
      vim.lsp.buf_attach_client(ev.buf, client_id)
    end,
  })
end

return M
