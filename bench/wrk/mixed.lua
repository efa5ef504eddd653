-- The mixed workload: reads with writes in between, as on a live site. Run with one connection
-- per thread (-tN -cN), so each thread's requests and answers alternate and can be timed here.
--
-- BENCH_READS names a file of "cookie<TAB>path" lines: each connection reads them in turn, from
-- its own place in the list. BENCH_WRITES names a file of
-- "kind<TAB>cookie<TAB>path<TAB>expected status<TAB>extra header<TAB>body" lines: first and then
-- after every BENCH_EVERY reads (9: one write for every nine reads) a connection sends the next
-- write, with the CSRF token bench/run.py read from a page and a client address of its own (the
-- login limits count per address, as behind the proxy). Prints one JSON line for bench/run.py: reads
-- and writes counted and timed apart, answers that were not what each request expects counted.
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock, bench_timespec *t);
]]
local clock = ffi.new("bench_timespec")

local function now_us()
  ffi.C.clock_gettime(1, clock) -- CLOCK_MONOTONIC
  return tonumber(clock.tv_sec) * 1e6 + tonumber(clock.tv_nsec) / 1e3
end

local function split(line)
  local fields = {}
  for field in (line .. "\t"):gmatch("(.-)\t") do
    table.insert(fields, field)
  end
  return fields
end

local threads = {}

setup = function(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

init = function(args)
  reads, writes = {}, {}
  for line in io.lines(os.getenv("BENCH_READS")) do
    local f = split(line)
    table.insert(reads, {cookie = f[1], path = f[2]})
  end
  local name = os.getenv("BENCH_WRITES") or ""
  if name ~= "" then
    for line in io.lines(name) do
      local f = split(line)
      table.insert(writes, {
        kind = f[1], cookie = f[2], path = f[3], expect = tonumber(f[4]),
        header = f[5], body = f[6],
      })
    end
  end
  every = tonumber(os.getenv("BENCH_EVERY") or "9")
  math.randomseed(id * 7919)
  read_at = (id * 7) % #reads
  write_at = (id * 3) % math.max(#writes, 1)
  since_write = every -- a write first: at every moment at least one write per ten requests
  current = nil
  started = 0
  read_us, write_us = {}, {}
  write_counts, unexpected = {}, {}
  server_errors, unexpected_reads, unexpected_writes = 0, 0, 0
end

request = function()
  local headers = {["X-Forwarded-Proto"] = "https"}
  started = now_us()
  if #writes > 0 and since_write >= every then
    since_write = 0
    write_at = write_at % #writes + 1
    local w = writes[write_at]
    current = w
    if w.cookie ~= "" then headers["Cookie"] = w.cookie end
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    headers["Origin"] = "https://" .. wrk.host .. ":" .. wrk.port
    headers["X-Forwarded-For"] = string.format("10.%d.%d.%d", id % 250, math.random(0, 255),
      math.random(1, 254))
    if w.header ~= "" then
      local name, value = w.header:match("^(.-): (.*)$")
      headers[name] = value
    end
    return wrk.format("POST", w.path, headers, w.body)
  end
  since_write = since_write + 1
  read_at = read_at % #reads + 1
  local r = reads[read_at]
  current = nil
  if r.cookie ~= "" then headers["Cookie"] = r.cookie end
  return wrk.format("GET", r.path, headers)
end

response = function(status, headers, body)
  local took = now_us() - started
  if status >= 500 then server_errors = server_errors + 1 end
  if current then
    table.insert(write_us, took)
    write_counts[current.kind] = (write_counts[current.kind] or 0) + 1
    if status ~= current.expect then
      unexpected_writes = unexpected_writes + 1
      local key = current.kind .. " " .. status
      unexpected[key] = (unexpected[key] or 0) + 1
    end
  else
    table.insert(read_us, took)
    if status ~= 200 then
      unexpected_reads = unexpected_reads + 1
      local key = "read " .. status
      unexpected[key] = (unexpected[key] or 0) + 1
    end
  end
end

local function percentile(sorted, p)
  if #sorted == 0 then return 0 end
  local at = math.max(1, math.ceil(#sorted * p / 100))
  return math.floor(sorted[at])
end

local function json_counts(counts)
  local parts = {}
  for key, n in pairs(counts) do
    table.insert(parts, string.format('"%s": %d', key, n))
  end
  return "{" .. table.concat(parts, ", ") .. "}"
end

done = function(summary, latency, requests)
  local all_reads, all_writes = {}, {}
  local counts, odd = {}, {}
  local server, bad_reads, bad_writes = 0, 0, 0
  for _, thread in ipairs(threads) do
    for _, us in ipairs(thread:get("read_us")) do table.insert(all_reads, us) end
    for _, us in ipairs(thread:get("write_us")) do table.insert(all_writes, us) end
    for key, n in pairs(thread:get("write_counts")) do counts[key] = (counts[key] or 0) + n end
    for key, n in pairs(thread:get("unexpected")) do odd[key] = (odd[key] or 0) + n end
    server = server + thread:get("server_errors")
    bad_reads = bad_reads + thread:get("unexpected_reads")
    bad_writes = bad_writes + thread:get("unexpected_writes")
  end
  table.sort(all_reads)
  table.sort(all_writes)
  io.write(string.format(
    '{"duration_us": %d, "reads": %d, "writes": %d, "read_p50_us": %d, "read_p95_us": %d, ' ..
    '"read_p99_us": %d, "read_max_us": %d, "write_p50_us": %d, "write_p95_us": %d, ' ..
    '"server_errors": %d, "unexpected_reads": %d, "unexpected_writes": %d, ' ..
    '"socket_errors": %d, "write_kinds": %s, "unexpected": %s}\n',
    math.floor(summary.duration), #all_reads, #all_writes,
    percentile(all_reads, 50), percentile(all_reads, 95), percentile(all_reads, 99),
    math.floor(all_reads[#all_reads] or 0), percentile(all_writes, 50), percentile(all_writes, 95),
    server, bad_reads, bad_writes,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    json_counts(counts), json_counts(odd)))
end
