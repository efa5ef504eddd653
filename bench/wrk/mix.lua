-- The load test: every thread walks the list of pages of every role (bench/run.py writes it to
-- the file named in BENCH_MIX, one "cookie<TAB>path" per line), each connection from its own
-- place in the list; server errors (5xx) are counted apart from other unexpected answers.
local pages = {}
local threads = {}

setup = function(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

init = function(args)
  for line in io.lines(os.getenv("BENCH_MIX")) do
    local cookie, path = line:match("^(.-)\t(.*)$")
    table.insert(pages, {cookie = cookie, path = path})
  end
  position = id * 7
  server_errors = 0
  other_errors = 0
end

request = function()
  position = position % #pages + 1
  local page = pages[position]
  local headers = {["X-Forwarded-Proto"] = "https"}
  if page.cookie ~= "" then headers["Cookie"] = page.cookie end
  return wrk.format("GET", page.path, headers)
end

response = function(status, headers, body)
  if status >= 500 then
    server_errors = server_errors + 1
  elseif status >= 400 then
    other_errors = other_errors + 1
  end
end

done = function(summary, latency, requests)
  local server, other = 0, 0
  for _, thread in ipairs(threads) do
    server = server + thread:get("server_errors")
    other = other + thread:get("other_errors")
  end
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
    '"max_us": %d, "server_errors": %d, "client_errors": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, server, other,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
