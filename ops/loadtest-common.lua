-- What the wrk scripts of ops/loadtest.sh share: every thread registered with a number `id`, the
-- answers the threads counted by status, summed, and the report of a run.
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

-- Counts an answer by its status, in the thread's `counts`.
function count_answer(status)
    counts[status] = (counts[status] or 0) + 1
end

-- Prints a run's rate ("scans: … 900 scans/s"), latency and answers by status, under `name`
-- ("scans") and `each` ("scan").
function report(name, rate, each, summary, latency)
    local shown = answers_by_status()
    local seconds = summary.duration / 1e6
    io.write(string.format("%s: %d in %.1f s, %.0f%s\n", name, summary.requests, seconds,
        summary.requests / seconds, rate))
    io.write(string.format("%s latency: p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", each,
        latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
    io.write(each .. " answers: " .. shown .. "\n")
end
