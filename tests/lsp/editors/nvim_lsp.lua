-- Neovim's built-in LSP client (no plugin) against `superpod lsp`, headless; run by
-- tests/test_editor_nvim.py. Works with Neovim 0.7 (Debian 12) and later: vim.lsp.start_client
-- and vim.lsp.buf_attach_client are the 0.7 form of docs/editor.md's set-up.
--
-- Environment: SUPERPOD_NVIM_CMD (the server command, JSON list), SUPERPOD_NVIM_FILE (the
-- manifest to open), SUPERPOD_NVIM_FIND (text on the line to edit), SUPERPOD_NVIM_FROM and
-- SUPERPOD_NVIM_TO (the edit), SUPERPOD_NVIM_CODE (the rule the edit must bring),
-- SUPERPOD_NVIM_OUT (where the results go, JSON). Each wait is bounded (SUPERPOD_NVIM_WAIT_MS).
local env = vim.env
local wait_ms = tonumber(env.SUPERPOD_NVIM_WAIT_MS or "60000")
local result = { steps = {} }

local function finish()
  local fh = assert(io.open(env.SUPERPOD_NVIM_OUT, "w"))
  fh:write(vim.fn.json_encode(result))
  fh:close()
  vim.cmd("qall!")
end

local ok, err = pcall(function()
  vim.cmd("edit " .. vim.fn.fnameescape(env.SUPERPOD_NVIM_FILE))
  local buf = vim.api.nvim_get_current_buf()
  local uri = vim.uri_from_bufnr(buf)
  local published = 0
  local default = vim.lsp.handlers["textDocument/publishDiagnostics"]
  vim.lsp.handlers["textDocument/publishDiagnostics"] = function(e, params, ctx, config)
    default(e, params, ctx, config)
    if params.uri == uri then
      published = published + 1
    end
  end

  local id = vim.lsp.start_client({
    name = "superpod",
    cmd = vim.fn.json_decode(env.SUPERPOD_NVIM_CMD),
    root_dir = vim.fn.fnamemodify(env.SUPERPOD_NVIM_FILE, ":h"),
    init_options = { designs = {} },
  })
  assert(id, "the client did not start")
  vim.lsp.buf_attach_client(buf, id)

  local function found()
    local out = {}
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      local lsp = d.user_data and d.user_data.lsp or {}
      table.insert(out, { code = d.code or lsp.code, line = d.lnum, severity = d.severity,
                          message = d.message })
    end
    return out
  end
  local function has(code)
    for _, d in ipairs(found()) do
      if d.code == code then return d end
    end
    return nil
  end
  local function step(name, done)
    local t0 = vim.loop.hrtime()
    local ok_wait = vim.wait(wait_ms, done, 20)
    table.insert(result.steps, { name = name, ok = ok_wait,
                                 ms = (vim.loop.hrtime() - t0) / 1e6, found = found() })
    assert(ok_wait, name .. ": timed out")
  end

  step("first check", function() return published > 0 end)
  local line
  for i, text in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    if line == nil and text:find(env.SUPERPOD_NVIM_FIND, 1, true) then line = i - 1 end
  end
  assert(line, "no line holds " .. env.SUPERPOD_NVIM_FIND)
  result.line = line
  local before = vim.api.nvim_buf_get_lines(buf, line, line + 1, false)[1]
  local after = before:gsub(vim.pesc(env.SUPERPOD_NVIM_FROM), env.SUPERPOD_NVIM_TO, 1)
  vim.api.nvim_buf_set_lines(buf, line, line + 1, false, { after })   -- as if typed
  step("edit", function() return has(env.SUPERPOD_NVIM_CODE) ~= nil end)
  vim.api.nvim_buf_set_lines(buf, line, line + 1, false, { before })  -- typed back
  step("typed back", function() return has(env.SUPERPOD_NVIM_CODE) == nil and published > 2 end)

  local col = before:find("name: ", 1, true) + 6   -- on the node's name
  local replies = vim.lsp.buf_request_sync(buf, "textDocument/hover", {
    textDocument = { uri = uri }, position = { line = line, character = col } }, wait_ms)
  local hover = ""
  for _, reply in pairs(replies or {}) do
    if reply.result and reply.result.contents then
      hover = hover .. (reply.result.contents.value or "")
    end
  end
  result.hover = hover
  result.modified = vim.api.nvim_buf_get_option(buf, "modified")
end)
if not ok then result.error = tostring(err) end
finish()
