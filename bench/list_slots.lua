-- list_slots: GET /available_slots/?provider=P&date=D (bench/common.lua).
dofile(os.getenv("BENCH_DIR") .. "/common.lua")
function init(args) list_slots_setup() end
request = list_slots_request
