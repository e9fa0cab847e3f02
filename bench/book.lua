-- book: POST /appointment_reservations/, a different free slot each time
-- (bench/common.lua); 201 expected.
dofile(os.getenv("BENCH_DIR") .. "/common.lua")
function init(args) book_setup() end
request = book_request
count_statuses()
