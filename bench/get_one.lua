-- get_one: GET /clients/{id}/ (bench/common.lua).
dofile(os.getenv("BENCH_DIR") .. "/common.lua")
function init(args) get_one_setup() end
request = get_one_request
