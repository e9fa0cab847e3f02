-- Shared by the wrk scripts of bench/run.sh (loaded with dofile): settings from the
-- environment, per-thread numbering, status counts, and done(), which prints one
-- machine-readable line:
--   BENCH_RESULT {"requests":..,"rps":..,"p50_ms":..,"p99_ms":..,"non2xx":..,...}

function env(name, default)
   local v = os.getenv(name)
   if v == nil or v == "" then
      if default == nil then
         error("bench: " .. name .. " is not set")
      end
      return default
   end
   return v
end

function envnum(name, default)
   return tonumber(env(name, default))
end

prefix = env("BENCH_PREFIX", "")
wrk.headers["Accept"] = "application/json"
if os.getenv("BENCH_AUTH") and os.getenv("BENCH_AUTH") ~= "" then
   wrk.headers["Authorization"] = "Basic " .. os.getenv("BENCH_AUTH")
end
nthreads = envnum("BENCH_THREADS", 2)

-- Main state: every thread, numbered from 0 ("tid" in the thread's state).
local threads = {}
function setup(thread)
   thread:set("tid", #threads)
   table.insert(threads, thread)
end

-- Thread states: counts of answers by status class (only when a script asks for
-- them with count_statuses(): a response() callback slows wrk down).
n201, n2xx, n409, n4xx, n5xx, nother = 0, 0, 0, 0, 0, 0
function count_statuses()
   response = function(status, headers, body)
      if status == 201 then n201 = n201 + 1
      elseif status >= 200 and status < 300 then n2xx = n2xx + 1
      elseif status == 409 then n409 = n409 + 1
      elseif status >= 400 and status < 500 then n4xx = n4xx + 1
      elseif status >= 500 then n5xx = n5xx + 1
      else nother = nother + 1 end
      if on_response then on_response(status) end
   end
end

-- Thread-state globals summed over threads (names), and maximum (names).
sum_fields = { "n201", "n2xx", "n409", "n4xx", "n5xx", "nother", "wrapped" }
max_fields = {}

function done(summary, latency, requests)
   local e = summary.errors
   local secs = summary.duration / 1e6
   local out = string.format(
      '{"requests":%d,"duration_s":%.3f,"rps":%.1f,"p50_ms":%.3f,"p90_ms":%.3f,' ..
      '"p99_ms":%.3f,"max_ms":%.3f,"non2xx":%d,"connect_errors":%d,"read_errors":%d,' ..
      '"write_errors":%d,"timeouts":%d',
      summary.requests, secs, summary.requests / secs,
      latency:percentile(50) / 1000, latency:percentile(90) / 1000,
      latency:percentile(99) / 1000, latency.max / 1000, e.status,
      e.connect, e.read, e.write, e.timeout)
   for _, name in ipairs(sum_fields) do
      local total = 0
      for _, t in ipairs(threads) do total = total + (tonumber(t:get(name)) or 0) end
      out = out .. string.format(',"%s":%d', name, total)
   end
   for _, name in ipairs(max_fields) do
      local m = -1
      for _, t in ipairs(threads) do
         local v = tonumber(t:get(name))
         if v and v > m then m = v end
      end
      out = out .. string.format(',"%s":%d', name, m)
   end
   io.write("BENCH_RESULT " .. out .. "}\n")
end

-- Scenario requests, shared by the scripts and by mixed.lua.

-- GET /available_slots/?provider=P&date=D: P rotates over the providers, D over the
-- days (a new day after each round of providers).
function list_slots_setup()
   ls_first = envnum("BENCH_PROVIDER_FIRST")
   ls_count = envnum("BENCH_PROVIDER_COUNT")
   ls_days = {}
   for d in string.gmatch(env("BENCH_DATES"), "[^,]+") do table.insert(ls_days, d) end
   ls_n = tid or 0
end

function list_slots_request()
   local i = ls_n
   ls_n = ls_n + nthreads
   local p = ls_first + i % ls_count
   local d = ls_days[math.floor(i / ls_count) % #ls_days + 1]
   return wrk.format("GET", prefix .. "/available_slots/?provider=" .. p .. "&date=" .. d)
end

-- GET /clients/{id}/ rotating over the clients.
function get_one_setup()
   go_first = envnum("BENCH_CLIENT_FIRST")
   go_count = envnum("BENCH_CLIENT_COUNT")
   go_n = tid or 0
end

function get_one_request()
   local i = go_n
   go_n = go_n + nthreads
   return wrk.format("GET", prefix .. "/clients/" .. (go_first + i % go_count) .. "/")
end

-- POST /appointment_reservations/: slot k of the book range (slot id = first slot id
-- + k), booked by client number k mod BENCH_BOOK_PROVIDERS. Each thread takes its
-- own part of [BENCH_BOOK_FROM, BENCH_BOOK_TO) and counts how often it ran out and
-- started over ("wrapped": those requests get 409).
wrapped = 0
function book_setup()
   bk_slot0 = envnum("BENCH_BOOK_SLOT_FIRST")
   bk_client0 = envnum("BENCH_BOOK_CLIENT_FIRST")
   bk_mod = envnum("BENCH_BOOK_PROVIDERS")
   local from, to = envnum("BENCH_BOOK_FROM"), envnum("BENCH_BOOK_TO")
   local per = math.floor((to - from) / nthreads)
   bk_lo = from + (tid or 0) * per
   bk_per = per
   bk_i = 0
end

local json_headers = { ["Content-Type"] = "application/json" }
function book_request()
   if bk_i >= bk_per then
      bk_i = 0
      wrapped = wrapped + 1
   end
   local k = bk_lo + bk_i
   bk_i = bk_i + 1
   local body = string.format('{"client": %d, "slot": %d}', bk_client0 + k % bk_mod,
                              bk_slot0 + k)
   return wrk.format("POST", prefix .. "/appointment_reservations/", json_headers, body)
end
