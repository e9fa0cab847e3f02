-- static: GET of a file of the size of a list_slots answer (bench/common.lua).
dofile(os.getenv("BENCH_DIR") .. "/common.lua")
request = function() return wrk.format("GET", "/static/slots.json") end
