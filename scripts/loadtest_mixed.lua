-- wrk script for the mixed run: readers cycle through the home page, latest, the topic the
-- writers reply to (WRK_TOPIC) and /api/v1/topics; WRK_COOKIE makes them members.
local cookie = os.getenv("WRK_COOKIE")
if cookie and cookie ~= "" then
  wrk.headers["Cookie"] = cookie
end
local topic = os.getenv("WRK_TOPIC") or "1"
local paths = { "/", "/latest", "/t/" .. topic, "/api/v1/topics" }
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
