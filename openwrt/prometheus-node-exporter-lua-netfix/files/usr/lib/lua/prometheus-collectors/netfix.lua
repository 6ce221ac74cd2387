-- netfix collector for prometheus-node-exporter-lua: serves the metrics
-- the netfix daemon writes after each sweep and each repair (option
-- metrics_file in /etc/config/netfix; this package sets it to
-- /var/run/netfix/metrics.prom). See netfix's docs/metrics.md.
--
-- The file is re-emitted through the exporter's own API: output() for each
-- family's HELP line, metric(name, type) for its TYPE line, and the
-- outputter metric() returns (print_metric() for a histogram's _bucket,
-- _sum and _count series) for each sample, so the exporter's page keeps
-- one well-formed family per metric. Lines that are not metrics of the
-- family being read are skipped: a damaged file costs samples, never the
-- exporter's page.

-- NETFIX_UCI_CONFIG is for tests.
local config_file = os.getenv("NETFIX_UCI_CONFIG") or "/etc/config/netfix"
local default_file = "/var/run/netfix/metrics.prom"

-- The metrics file: NETFIX_METRICS_FILE (tests), else metrics_file in
-- netfix's UCI config, else the default. Read per scrape, so a changed
-- option needs no exporter restart.
local function metrics_path()
  local env = os.getenv("NETFIX_METRICS_FILE")
  if env and env ~= "" then
    return env
  end
  local f = io.open(config_file, "r")
  if f then
    for line in f:lines() do
      local v = line:match("^%s*option%s+metrics_file%s+'([^']*)'") or
                line:match('^%s*option%s+metrics_file%s+"([^"]*)"') or
                line:match("^%s*option%s+metrics_file%s+([^%s'\"#]+)")
      if v and v ~= "" and v ~= "off" and v ~= "0" then
        f:close()
        return v
      end
    end
    f:close()
  end
  return default_file
end

-- Splits the label block of a sample into a table. Values keep the text
-- exposition's escapes (\\, \", \n): the exporter writes label values as
-- given, so they come out exactly as netfix wrote them.
local function parse_labels(s)
  local labels = {}
  local i = 1
  while i <= #s do
    local name, rest = s:match("^%s*([%a_][%w_]*)%s*=%s*\"()", i)
    if not name then
      return nil
    end
    local j = rest
    local value = {}
    while true do
      local c = s:sub(j, j)
      if c == "" then
        return nil
      elseif c == "\\" then
        value[#value + 1] = s:sub(j, j + 1)
        j = j + 2
      elseif c == '"' then
        break
      else
        value[#value + 1] = c
        j = j + 1
      end
    end
    labels[name] = table.concat(value)
    i = j + 1
    local comma = s:match("^%s*,()", i)
    if comma then
      i = comma
    elseif s:match("^%s*$", i) then
      break
    else
      return nil
    end
  end
  return labels
end

-- Parses one sample line: name, labels (nil without any) and value.
local function parse_sample(line)
  local name, labels, value = line:match("^([%a_:][%w_:]*){(.*)}%s+(%S+)")
  if name then
    local l = parse_labels(labels)
    if not l then
      return nil
    end
    if next(l) == nil then
      l = nil
    end
    return name, l, value
  end
  name, value = line:match("^([%a_:][%w_:]*)%s+(%S+)")
  return name, nil, value
end

-- Whether sample belongs to family of type mtype.
local function in_family(sample, family, mtype)
  if sample == family then
    return true
  end
  if mtype == "histogram" then
    return sample == family .. "_bucket" or sample == family .. "_sum" or sample == family .. "_count"
  end
  if mtype == "summary" then
    return sample == family .. "_sum" or sample == family .. "_count"
  end
  return false
end

local function scrape()
  local f = io.open(metrics_path(), "r")
  if not f then
    -- No file yet (daemon starting, metrics_file unset): no netfix
    -- metrics; netfix_healer_running is then absent, not 0.
    return
  end
  local help = {}
  local family, mtype, outputter
  for line in f:lines() do
    local hname, htext = line:match("^# HELP%s+([%a_:][%w_:]*)%s+(.*)$")
    if hname then
      help[hname] = htext
    else
      local tname, ttype = line:match("^# TYPE%s+([%a_:][%w_:]*)%s+(%a+)%s*$")
      if tname then
        family, mtype = tname, ttype
        if help[tname] then
          output("# HELP " .. tname .. " " .. help[tname])
        end
        outputter = metric(tname, ttype)
      elseif family and not line:match("^%s*#") and not line:match("^%s*$") then
        local name, labels, value = parse_sample(line)
        if name and in_family(name, family, mtype) then
          if name == family then
            outputter(labels, value)
          else
            print_metric(name, labels, value)
          end
        end
      end
    end
  end
  f:close()
end

return { scrape = scrape }
