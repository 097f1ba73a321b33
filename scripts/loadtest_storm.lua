-- wrk script for the search storm: every request a distinct two-word query, so none is answered
-- from the page cache.
local words = { "production", "server", "memory", "thread", "error", "build", "query", "cache",
  "network", "config", "deploy", "index", "test", "compile", "module", "version", "request",
  "database", "release", "update", "function", "value", "type", "string", "file", "service" }
local n = 0
request = function()
  n = n + 1
  local a = words[(n % #words) + 1]
  local b = words[(math.floor(n / #words) % #words) + 1]
  return wrk.format("GET", "/search?q=" .. a .. "+" .. b .. "&page=" .. (n % 7 + 1))
end
