-- wrk script of bench/surge.py and bench/private_apis.py (driven by bench/harness.py run_wrk).
--
-- wrk <options> --script surge.lua <url> -- MODE FILE THREADS SECONDS DONE_FILE EXPECTED SINK_PORT
--     CONNECTIONS_PER_THREAD
--
-- MODE "once": each line of FILE (method, path, body, cookie, tab-separated) is sent at most once;
--   thread k of n sends lines k, k+n, k+2n... (distinct signers, distinct bare INSERT keys).
-- MODE "cycle": every thread sends the lines over and over, starting at its own offset (plain
--   anonymous GETs, or GETs with the cookies of distinct citizens).
-- MODE "journey": each line (page path, sign path, body, cookie) is a signer who GETs the petition
--   page, POSTs the signature, then GETs the page the POST redirects to, in that order. Steps are
--   matched to their answers through X-Request-ID, which the application echoes (core/logs.py).
--
-- Every answer must have status EXPECTED (journeys: 200, 302, 200); anything else is an error.
-- A thread starts no new line after SECONDS (or when its lines run out), lets the requests and
-- journeys in flight finish, then stops: so every POST sent is answered and counted, and the
-- signature rows can be compared exactly with the 302s. The time measured is from the thread's
-- first request to its last answer (LuaJIT's ffi, CLOCK_MONOTONIC); wrk's own run time would
-- include the tail of its --duration. The last thread to finish sends wrk SIGINT, which ends
-- wrk's --duration early (wrk's handler), so a phase costs its measured time, not the bound.
--
-- gunicorn's sync workers close the connection after every answer and wrk connects again at once,
-- before it asks this script for the next request. A connection left idle on the server would hold
-- a sync worker in recv() until its timeout and starve the requests still in flight; so when a
-- connection has nothing more to send, its new connection goes to SINK_PORT instead: a listening
-- socket of the driver whose queue is kept full, so the connection stays in the kernel's connect
-- (its SYNs dropped) and never asks this script for anything; it cannot idle on the server, nor
-- take work meant for a connection to the server (which an opened sink connection could: a
-- journey's next step may be ready when it asks).
-- That choice is made when an answer comes, and which connection wrk opens next is not known to the
-- script (its Lua API has no per-connection callback): a connection sent to the server while work
-- was left may find none when it is ready (the deadline passed, or another connection took the
-- work). Such a connection must not idle there, so it sends a discard, GET /surge-discard, whose
-- 404 is not counted; the connection then goes to the sink. And a thread stops only once every one
-- of its connections has been sent to the sink (a connection never leaves it): a stopped thread's
-- connection left on the server would hold a worker until wrk exits, starving the other thread
-- (in the a96e047 run, four such held all four workers of the bare INSERT until gunicorn's 30 s
-- timeout). At most one discard per connection reaches the server; "discarded" in the RESULT says
-- how many did.
-- Prints one line: RESULT {...} (bench/harness.py reads it).

local ffi = require("ffi")
ffi.cdef([[
typedef struct { long tv_sec; long tv_nsec; } surge_timespec;
int clock_gettime(int clock, surge_timespec *t);
typedef struct { long tv_sec; long tv_usec; } surge_timeval;
typedef struct { surge_timeval utime; surge_timeval stime; long rest[14]; } surge_rusage;
int getrusage(int who, surge_rusage *usage);
int getpid(void);
int kill(int pid, int sig);
]])
local CLOCK_MONOTONIC, SIGINT, IDLE_MS, RUSAGE_THREAD = 1, 2, 3600000, 1
local timespec = ffi.new("surge_timespec")
local usage = ffi.new("surge_rusage")

local function now()
   ffi.C.clock_gettime(CLOCK_MONOTONIC, timespec)
   return tonumber(timespec.tv_sec) + tonumber(timespec.tv_nsec) / 1e9
end

-- CPU time of the calling wrk thread: what it costs to make the load, without reading the file.
local function thread_cpu()
   ffi.C.getrusage(RUSAGE_THREAD, usage)
   return tonumber(usage.utime.tv_sec) + tonumber(usage.utime.tv_usec) / 1e6
      + tonumber(usage.stime.tv_sec) + tonumber(usage.stime.tv_usec) / 1e6
end

local threads = {}

function setup(thread)
   thread:set("id", #threads)
   table.insert(threads, thread)
end

local function split(line)
   local fields = {}
   for field in (line .. "\t"):gmatch("([^\t]*)\t") do
      table.insert(fields, field)
   end
   return fields
end

local function headers_for(cookie, request_id, body)
   local headers = {}
   if cookie ~= "" then headers["Cookie"] = cookie end
   if request_id then headers["X-Request-ID"] = request_id end
   if body ~= "" then headers["Content-Type"] = "application/x-www-form-urlencoded" end
   return headers
end

function init(args)
   mode, count, seconds, done_file = args[1], tonumber(args[3]), tonumber(args[4]), args[5]
   connections = tonumber(args[8])  -- this thread's: wrk gives each thread connections / threads
   expected = tonumber(args[6])
   server = wrk.thread.addr
   sink = wrk.lookup("127.0.0.1", args[7])[1]
   items, ready, bad = {}, {}, {}
   -- Counters read by done() through thread:get.
   ok, errors, signatures, journeys, started_items = 0, 0, 0, 0, 0
   inflight, reserved, finished, exhausted = 0, 0, false, 0
   owed_discards, unanswered_discards, discarded, on_sink = 0, 0, 0, 0
   discard = wrk.format("GET", "/surge-discard")
   t_first, t_last, cpu_first, cpu = 0, 0, 0, 0
   -- wrk calls thread 0's request() once before the run, to check what it makes: not sent.
   checked = id ~= 0
   local number = 0
   for line in io.lines(args[2]) do
      if mode == "cycle" or number % count == id then
         local f = split(line)
         if mode == "journey" then
            local tag = "surge-" .. id .. "-" .. #items + 1
            table.insert(items, {
               page = wrk.format("GET", f[1], headers_for(f[4], tag .. "-1", "")),
               sign = wrk.format("POST", f[2], headers_for(f[4], tag .. "-2", f[3]), f[3]),
               cookie = f[4],
               tag = tag,
            })
         else
            table.insert(items, wrk.format(f[1], f[2], headers_for(f[4], nil, f[3]), f[3]))
         end
      end
      number = number + 1
   end
   next_item = mode == "cycle" and (id * 7919) % math.max(#items, 1) + 1 or 1
end

local function failed(status)
   errors = errors + 1
   bad[tostring(status)] = (bad[tostring(status)] or 0) + 1
end

local function new_work_left()
   if deadline and now() >= deadline then return false end
   if mode == "cycle" then return #items > 0 end
   return next_item + math.max(reserved - #ready, 0) <= #items
end

local function finish()
   finished = true
   cpu = thread_cpu() - cpu_first
   local file = io.open(done_file, "a")
   file:write(id, "\n")
   file:close()
   local lines = 0
   for _ in io.lines(done_file) do lines = lines + 1 end
   if lines >= count then ffi.C.kill(ffi.C.getpid(), SIGINT) end
   wrk.thread:stop()
end

local function maybe_finish()
   if not finished and on_sink >= connections and inflight == 0 and reserved == 0 and #ready == 0
      and not new_work_left() then
      if deadline == nil or now() < deadline then exhausted = 1 end
      finish()
   end
end

function delay()
   if finished then return IDLE_MS end
   if #ready > reserved or new_work_left() then
      reserved = reserved + 1
      return 0
   end
   maybe_finish()
   if finished then return IDLE_MS end
   owed_discards = owed_discards + 1  -- this connection is on the server: never idle there
   return 0
end

function request()
   if not checked then
      checked = true
      return wrk.format("GET", "/")
   end
   if t_first == 0 then
      cpu_first = thread_cpu()
      t_first = now()
      deadline = t_first + seconds
   end
   -- delay() promised a request of work (reserved) or a discard (owed) to each call; any
   -- connection may take either, as long as the counts match.
   if reserved == 0 and owed_discards > 0 then
      owed_discards = owed_discards - 1
      unanswered_discards = unanswered_discards + 1
      return discard
   end
   reserved = reserved - 1
   inflight = inflight + 1
   if #ready > 0 then return table.remove(ready, 1) end
   local item = items[next_item]
   if item == nil then  -- cannot happen: every request() was reserved by delay()
      failed("unreserved")
      return wrk.format("GET", "/")
   end
   if mode == "cycle" then
      next_item = next_item % #items + 1
      return item
   end
   next_item = next_item + 1
   started_items = started_items + 1
   if mode == "journey" then return item.page end
   return item
end

local function journey_step(status, headers)
   local request_id = headers["X-Request-ID"] or headers["x-request-id"] or ""
   local index, step = request_id:match("^surge%-%d+%-(%d+)%-(%d)$")
   local item = index and items[tonumber(index)]
   if item == nil then return failed("no-request-id") end
   step = tonumber(step)
   if step == 1 and status == 200 then
      table.insert(ready, item.sign)
   elseif step == 2 and status == 302 then
      signatures = signatures + 1
      local location = headers["Location"] or headers["location"] or ""
      location = location:gsub("^https?://[^/]*", ""):gsub("#.*$", "")
      table.insert(ready, wrk.format("GET", location, headers_for(item.cookie, item.tag .. "-3", "")))
   elseif step == 3 and status == 200 then
      ok = ok + 1
      journeys = journeys + 1
   else
      failed(status)
   end
end

function response(status, headers, body)
   if status == 404 and unanswered_discards > 0 then  -- no request of work expects a 404
      unanswered_discards = unanswered_discards - 1
      discarded = discarded + 1
   else
      inflight = inflight - 1
      t_last = now()
      if mode == "journey" then
         journey_step(status, headers)
      elseif status == expected then
         ok = ok + 1
      else
         failed(status)
      end
   end
   -- wrk connects again right after this call: to the server only when there is work to send.
   if #ready > reserved or new_work_left() then
      wrk.thread.addr = server
   else
      wrk.thread.addr = sink
      on_sink = on_sink + 1
   end
   maybe_finish()
end

local function json_counts(counts)
   local parts = {}
   for key, value in pairs(counts) do table.insert(parts, string.format('"%s": %d', key, value)) end
   return "{" .. table.concat(parts, ", ") .. "}"
end

function done(summary, latency, requests)
   local total = { ok = 0, errors = 0, signatures = 0, journeys = 0, started = 0, finished = 0,
                   exhausted = 0, discarded = 0 }
   local first, last, bad_total, cpu_total = nil, 0, {}, 0
   for _, thread in ipairs(threads) do
      total.ok = total.ok + thread:get("ok")
      total.errors = total.errors + thread:get("errors")
      total.signatures = total.signatures + thread:get("signatures")
      total.journeys = total.journeys + thread:get("journeys")
      total.started = total.started + thread:get("started_items")
      total.finished = total.finished + (thread:get("finished") and 1 or 0)
      total.exhausted = total.exhausted + thread:get("exhausted")
      total.discarded = total.discarded + thread:get("discarded")
      local started_at = thread:get("t_first")
      if started_at > 0 and (first == nil or started_at < first) then first = started_at end
      last = math.max(last, thread:get("t_last"))
      cpu_total = cpu_total + thread:get("cpu")
      for status, n in pairs(thread:get("bad")) do bad_total[status] = (bad_total[status] or 0) + n end
   end
   local failures = summary.errors
   io.write(string.format(
      'RESULT {"ok": %d, "errors": %d, "signatures": %d, "journeys": %d, "started": %d, '
         .. '"threads_finished": %d, "threads_exhausted": %d, "requests": %d, "socket_errors": %d, '
         .. '"timeouts": %d, "seconds": %.6f, "p50_ms": %.3f, "p99_ms": %.3f, "bad": %s, '
         .. '"wrk_threads_cpu": %.6f, "discarded": %d}\n',
      total.ok, total.errors, total.signatures, total.journeys, total.started, total.finished,
      total.exhausted, summary.requests, failures.connect + failures.read + failures.write,
      failures.timeout, first and (last - first) or 0, latency:percentile(50) / 1000,
      latency:percentile(99) / 1000, json_counts(bad_total), cpu_total, total.discarded))
end
