-- mixed (the memory run): out of every 20 requests, 9 list_slots, 9 get_one and
-- 2 book (bench/common.lua).
dofile(os.getenv("BENCH_DIR") .. "/common.lua")
function init(args)
   list_slots_setup()
   get_one_setup()
   book_setup()
   mx_n = 0
end

function request()
   local r = mx_n % 20
   mx_n = mx_n + 1
   if r < 9 then return list_slots_request() end
   if r < 18 then return get_one_request() end
   return book_request()
end
count_statuses()
