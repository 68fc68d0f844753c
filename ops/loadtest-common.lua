-- What the wrk scripts of ops/loadtest.sh share: every thread registered with a number `id`, and
-- the answers the threads counted by status, summed.
local threads = {}

function setup(thread)
    thread:set("id", #threads)
    table.insert(threads, thread)
end

-- "status: n" for each status the threads' `counts` hold, sorted, and how many in all.
function answers_by_status()
    local answers, total = {}, 0
    for _, thread in ipairs(threads) do
        for status, n in pairs(thread:get("counts")) do
            answers[status] = (answers[status] or 0) + n
            total = total + n
        end
    end
    local shown = {}
    for status, n in pairs(answers) do table.insert(shown, status .. ": " .. n) end
    table.sort(shown)
    return table.concat(shown, ", "), total
end
