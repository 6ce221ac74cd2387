-- A minimal stand-in for prometheus-node-exporter-lua's main script
-- (openwrt/packages utils/prometheus-node-exporter-lua,
-- files/usr/bin/prometheus-node-exporter-lua), written for netfix's tests:
-- it defines the globals a collector uses the way that script defines
-- them, loads one collector as the script does
-- (require('prometheus-collectors.<name>')), and runs its scrape under
-- pcall, printing what the exporter would serve for it.
--
--   output(str)                    one line of the page
--   print_metric(name, labels, v)  name{k="v",...} v, labels unescaped
--   metric(name, type, labels, v)  "# TYPE name type", then the sample if
--                                  v is given; returns an outputter(labels, v)
--
-- Usage: lua5.1 exporter-harness.lua <collector name>  (LUA_PATH must find
-- prometheus-collectors/<name>.lua). Exit 1 when the scrape failed: the
-- real exporter would report node_scrape_collector_success 0.

output = function(str) io.write(str, "\n") end

function print_metric(name, labels, value)
  local s = ""
  if labels then
    for k, v in pairs(labels) do
      s = s .. k .. '="' .. v .. '",'
    end
    s = "{" .. s:sub(1, -2) .. "}"
  end
  output(string.format("%s%s %s", name, s, value))
end

function metric(name, mtype, labels, value)
  output("# TYPE " .. name .. " " .. mtype)
  local outputter = function(l, v) print_metric(name, l, v) end
  if value then
    outputter(labels, value)
  end
  return outputter
end

local name = arg[1] or error("usage: exporter-harness.lua <collector>")
local collector = require("prometheus-collectors." .. name)
local ok, err = pcall(collector.scrape)
if not ok then
  io.stderr:write(tostring(err), "\n")
  os.exit(1)
end
