-- wrk script of ops/loadtest.sh: check-in scans of one activity by the volunteers whose session
-- tokens are in the file named by the first argument; the second is the scanned URL.
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "loadtest-common.lua")

function init(args)
    tokens = {}
    for line in io.lines(args[1]) do
        if line ~= "" then table.insert(tokens, line) end
    end
    body = '{"url":"' .. args[2] .. '"}'
    counts = {}
    next_token = id + 1
end

function request()
    local token = tokens[next_token]
    next_token = next_token % #tokens + 1
    return wrk.format("POST", "/api/v1/scans",
        {["content-type"] = "application/json", ["authorization"] = "Bearer " .. token}, body)
end

function response(status)
    counts[status] = (counts[status] or 0) + 1
end

function done(summary, latency)
    local shown = answers_by_status()
    io.write(string.format("scans: %d in %.1f s, %.0f scans/s\n", summary.requests,
        summary.duration / 1e6, summary.requests / (summary.duration / 1e6)))
    io.write(string.format("scan latency: p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
        latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
    io.write("scan answers: " .. shown .. "\n")
end
