-- wrk script of ops/loadtest.sh: logins with unknown names and wrong passwords, as many in all as
-- the first argument says, shared by as many threads as the third says; then the threads stop.
-- With "many" as the second argument each login claims another client address in
-- X-Forwarded-For.
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "loadtest-common.lua")

function init(args)
    quota = math.ceil(tonumber(args[1]) / tonumber(args[3]))
    spoof = args[2] == "many"
    counts = {}
    sent, answered = 0, 0
end

function request()
    sent = sent + 1
    local headers = {["content-type"] = "application/json"}
    if spoof then
        headers["x-forwarded-for"] = string.format("10.%d.%d.%d", id, math.floor(sent / 256) % 256, sent % 256)
    end
    local body = string.format('{"login":"flood-%d-%d","password":"wrong-password"}', id, sent)
    return wrk.format("POST", "/api/v1/auth/login", headers, body)
end

function response(status)
    count_answer(status)
    answered = answered + 1
    if answered >= quota then wrk.thread:stop() end
end

function done(summary, latency)
    local shown, total = answers_by_status()
    io.write(string.format("logins: %d answered, latency p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
        total, latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
    io.write("login answers: " .. shown .. "\n")
end
