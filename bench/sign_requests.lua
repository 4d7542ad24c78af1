-- wrk script for bench/private_apis.py: each line of the request file (path, form body, cookie,
-- tab-separated) is sent at most once; thread k of n sends lines k, k+n, k+2n... for wrk's
-- --duration. A thread that runs out of lines sends GET /healthz, counted as "exhausted" (the
-- request file must be longer than a round). Prints one line:
-- RESULT {"ok": 302s, "errors": other answers, "exhausted": ..., "seconds": ..., "p50_ms": ...}.

local threads = {}

function setup(thread)
   thread:set("id", #threads)
   table.insert(threads, thread)
end

function init(args)
   local count = tonumber(args[2])
   requests, ok, errors, exhausted = {}, 0, 0, 0
   -- wrk calls the first thread's request() once before the run, to check the request it makes:
   -- that call gets the spare, not a signature.
   sent = id == 0 and -1 or 0
   local line_number = 0
   for line in io.lines(args[1]) do
      if line_number % count == id then
         local path, body, cookie = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)$")
         table.insert(requests, wrk.format("POST", path, {
            ["Cookie"] = cookie,
            ["Content-Type"] = "application/x-www-form-urlencoded",
         }, body))
      end
      line_number = line_number + 1
   end
   spare = wrk.format("GET", "/healthz")
end

function request()
   sent = sent + 1
   return requests[sent] or spare
end

function response(status, headers, body)
   if status == 302 then
      ok = ok + 1
   elseif status == 200 and body:find('"status"', 1, true) then
      exhausted = exhausted + 1
   else
      errors = errors + 1
   end
end

function done(summary, latency, requests)
   local total_ok, total_errors, total_exhausted = 0, 0, 0
   for _, thread in ipairs(threads) do
      total_ok = total_ok + thread:get("ok")
      total_errors = total_errors + thread:get("errors")
      total_exhausted = total_exhausted + thread:get("exhausted")
   end
   local failures = summary.errors
   io.write(string.format(
      'RESULT {"ok": %d, "errors": %d, "exhausted": %d, "socket_errors": %d, "seconds": %.6f, '
         .. '"p50_ms": %.3f, "p99_ms": %.3f}\n',
      total_ok, total_errors, total_exhausted,
      failures.connect + failures.read + failures.write + failures.timeout,
      summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
