-- wrk script of ops/loadtest.sh signups: the rush on one activity's places. Each volunteer whose
-- session token is in the file named by the first argument signs up for the activity whose id is
-- the second argument, and on their next turn cancels, so that places are taken and given back
-- to the waiting list all the time. Each thread keeps its own share of the volunteers, so that a
-- volunteer's sign-up and cancellation never cross.
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "loadtest-common.lua")

function init(args)
    local all = {}
    for line in io.lines(args[1]) do
        if line ~= "" then table.insert(all, line) end
    end
    local threads = tonumber(args[3])
    tokens = {}
    for i = id + 1, #all, threads do table.insert(tokens, all[i]) end
    path = "/api/v1/activities/" .. args[2] .. "/signups"
    signed = {}
    -- Before the run wrk builds one request of thread 0 to check the script, and never sends it:
    -- thread 0's first volunteer starts as signed up, so that this unsent request is theirs to
    -- cancel, and their first request sent signs them up.
    if id == 0 then signed[1] = true end
    counts = {}
    next_token = 1
end

function request()
    local i = next_token
    next_token = next_token % #tokens + 1
    local headers = {["content-type"] = "application/json", ["authorization"] = "Bearer " .. tokens[i]}
    signed[i] = not signed[i]
    if signed[i] then
        return wrk.format("POST", path, headers, "{}")
    end
    return wrk.format("DELETE", path .. "/me", headers)
end

response = count_answer

function done(summary, latency)
    report("sign-ups and cancellations", "/s", "sign-up", summary, latency)
end
