-- wrk script: each thread holds one connection and acts as one register's cashier.
-- Arguments (after --): mode (get | lookup | sale), the data folder bench/run.py wrote,
-- then the path for `get` or the number of lines for `sale`.
-- Prints one line "BENCH {json}" with the figures bench/run.py reads.

local created = 0

function setup(thread)
  thread:set("index", created)
  created = created + 1
end

local function rows(path)
  local all = {}
  for line in io.lines(path) do
    local fields = {}
    for field in line:gmatch("%S+") do
      fields[#fields + 1] = field
    end
    all[#all + 1] = fields
  end
  return all
end

local function money(cents)
  return string.format("%d.%02d", math.floor(cents / 100), cents % 100)
end

function init(args)
  mode, folder, extra = args[1], args[2], args[3]
  local people = rows(folder .. "/identities.txt")
  local company, secret = people[1][1], people[1][2]
  -- Line 2 is the admin (reports); then one cashier and register a line.
  local who = people[2]
  if mode ~= "get" then
    who = people[3 + index % (#people - 2)]
  end
  register = who[2]
  wrk.headers["X-Company-Id"] = company
  wrk.headers["X-User-Id"] = who[1]
  wrk.headers["X-Gateway-Secret"] = secret
  wrk.headers["Content-Type"] = "application/json"
  catalog = rows(folder .. "/catalog.txt")
  math.randomseed(os.time() * 100 + index)
end

local function sale_body(count)
  local chosen, lines, total = {}, {}, 0
  while #lines < count do
    local pick = math.random(#catalog)
    if not chosen[pick] then
      chosen[pick] = true
      local product = catalog[pick]
      total = total + tonumber(product[2])
      lines[#lines + 1] = '{"product":' .. product[1] .. ',"quantity":"1"}'
    end
  end
  -- 5.00 by card, the rest in cash rounded up to the next 10.00 (the excess is change).
  local cash = math.ceil((total - 500) / 1000) * 1000
  return '{"register":' .. register .. ',"lines":[' .. table.concat(lines, ",") ..
    '],"payments":[{"method":"card","amount":"5.00","reference":"AUTH"},' ..
    '{"method":"cash","amount":"' .. money(cash) .. '"}]}'
end

function request()
  if mode == "lookup" then
    local product = catalog[math.random(#catalog)]
    return wrk.format("GET", "/api/v1/products?barcode=" .. product[3])
  elseif mode == "sale" then
    return wrk.format("POST", "/api/v1/sales", nil, sale_body(tonumber(extra)))
  end
  return wrk.format("GET", extra)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"duration_us":%d,"errors":{"connect":%d,"read":%d,"write":%d,' ..
    '"status":%d,"timeout":%d},"latency_us":{"p50":%d,"p95":%d,"p99":%d,"mean":%.1f,"max":%d}}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean,
    latency.max))
end
