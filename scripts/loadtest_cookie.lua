-- wrk script: sends WRK_COOKIE (a member's session cookie) with every request when it is set.
local cookie = os.getenv("WRK_COOKIE")
if cookie and cookie ~= "" then
  wrk.headers["Cookie"] = cookie
end
