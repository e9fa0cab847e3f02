-- contention: every connection races for one slot at a time. A thread moves to the
-- next slot every BENCH_RACE_EVERY requests (slot index BENCH_RACE_FROM + n / EVERY);
-- the threads go at about the same pace, so all of them race for about the same slot.
-- Clients rotate over BENCH_RACE_CLIENT_COUNT clients. Reports the highest slot index
-- reached ("last_slot") so that bench/run.sh can check every raced slot.
dofile(os.getenv("BENCH_DIR") .. "/common.lua")
max_fields = { "last_slot" }
last_slot = -1

function init(args)
   rc_slot0 = envnum("BENCH_RACE_SLOT_FIRST")
   rc_from = envnum("BENCH_RACE_FROM")
   rc_to = envnum("BENCH_RACE_TO")
   rc_every = envnum("BENCH_RACE_EVERY")
   rc_client0 = envnum("BENCH_RACE_CLIENT_FIRST")
   rc_clients = envnum("BENCH_RACE_CLIENT_COUNT")
   rc_n = 0
end

local json_headers = { ["Content-Type"] = "application/json" }
function request()
   local j = rc_from + math.floor(rc_n / rc_every)
   if j >= rc_to then
      j = rc_to - 1
      wrapped = 1
   end
   if j > last_slot then last_slot = j end
   local client = rc_client0 + (rc_n + (tid or 0)) % rc_clients
   rc_n = rc_n + 1
   local body = string.format('{"client": %d, "slot": %d}', client, rc_slot0 + j)
   return wrk.format("POST", prefix .. "/appointment_reservations/", json_headers, body)
end
count_statuses()
