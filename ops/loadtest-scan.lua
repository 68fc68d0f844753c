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

response = count_answer

function done(summary, latency)
    report("scans", " scans/s", "scan", summary, latency)
end
