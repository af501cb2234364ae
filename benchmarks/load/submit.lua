-- wrk script: survey submissions as browsers and offline clients send them.
--
-- One connection per thread (run wrk with -t N -c N), each a small state machine:
--   api:  GET the survey page (as the offline client did when it was shown),
--         then POST /api/v1/responses as JSON, refreshing the page every 50.
--   form: GET the survey page, then POST the form with its CSRF token, hidden
--         fields and session cookie, as a browser does; every submission.
--   bare: POST /_benchmark/bare (SURVEYAPP_CONFIG=benchmark), the yardstick.
--   mixed: odd threads as form, even threads as api.
-- Every idempotency key is unique (thread, number, LOAD_RUN); every
-- LOAD_RESEND_EVERY-th acknowledged submission is sent again with the same key.
-- An error (5xx, 429, a dropped connection) sends the same key again, as a real
-- client retries. Each answer goes to LOAD_OUT/thread-N.log: key status resend.

local load_mode = os.getenv("LOAD_MODE") or "api"
local survey = os.getenv("LOAD_SURVEY")          -- /s/<code>.<signature>
local counter_code = os.getenv("LOAD_COUNTER")
local outdir = os.getenv("LOAD_OUT") or "."
local run = os.getenv("LOAD_RUN") or "run"
local resend_every = tonumber(os.getenv("LOAD_RESEND_EVERY") or "10")
local criteria = {"A1", "A2", "A3", "B1", "B2", "B3", "B4", "C1", "C2", "C3",
                  "D1", "D2", "D3", "E1", "E2", "E3"}

local next_id = 0
function setup(thread)
  next_id = next_id + 1
  thread:set("id", next_id)
end

function init(args)
  mode = load_mode
  if mode == "mixed" then mode = id % 2 == 1 and "form" or "api" end
  page_every = mode == "api" and 50 or 1
  log = io.open(string.format("%s/thread-%02d.log", outdir, id), "w")
  math.randomseed(id * 7919 + os.time())
  number = 0
  submitted = 0
  state = mode == "bare" and "post" or "page"
  hidden = {}
  cookie = nil
  resend = false
  new_submission()
end

function new_submission()
  number = number + 1
  key = string.format("%s-t%02d-%08d", run, id, number)
  ratings = {}
  for _, code in ipairs(criteria) do ratings[code] = math.random(3, 5) end
end

local function urlencode(value)
  return (tostring(value):gsub("[^%w%-%._~]", function(c)
    return string.format("%%%02X", string.byte(c))
  end))
end

local function json_string(value)
  return '"' .. tostring(value):gsub('[%c"\\]', function(c)
    return string.format("\\u%04x", string.byte(c))
  end) .. '"'
end

local function answers_json()
  local parts = {}
  for _, code in ipairs(criteria) do
    parts[#parts + 1] = json_string(code) .. ":" .. ratings[code]
  end
  return "{" .. table.concat(parts, ",") .. "}"
end

local function api_body()
  local parts = {
    '"kind":"counter"',
    '"token":' .. json_string(survey:match("/s/(.+)$")),
    '"idempotency_key":' .. json_string(key),
    '"service_field":"ho-tich"',
    '"language":"vi"',
    '"answers":' .. answers_json(),
  }
  -- Whatever else the page handed the client (its signed render time, ...).
  for name, value in pairs(hidden) do
    if name ~= "csrf_token" and name ~= "idempotency_key" then
      parts[#parts + 1] = json_string(name) .. ":" .. json_string(value)
    end
  end
  return "{" .. table.concat(parts, ",") .. "}"
end

local function form_body()
  local parts = {}
  for name, value in pairs(hidden) do
    if name ~= "idempotency_key" then
      parts[#parts + 1] = name .. "=" .. urlencode(value)
    end
  end
  parts[#parts + 1] = "idempotency_key=" .. urlencode(key)
  parts[#parts + 1] = "service_field=ho-tich"
  parts[#parts + 1] = "comment="
  parts[#parts + 1] = "website="
  for _, code in ipairs(criteria) do
    parts[#parts + 1] = "c_" .. code .. "=" .. ratings[code]
  end
  return table.concat(parts, "&")
end

local function bare_body()
  return '{"counter":' .. json_string(counter_code)
    .. ',"service_field":"ho-tich","idempotency_key":' .. json_string(key)
    .. ',"answers":' .. answers_json() .. '}'
end

function request()
  if state == "page" then
    return wrk.format("GET", survey, {["Cookie"] = cookie})
  end
  if mode == "form" then
    return wrk.format("POST", survey, {
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["Cookie"] = cookie,
    }, form_body())
  end
  local path = mode == "bare" and "/_benchmark/bare" or "/api/v1/responses"
  local body = mode == "bare" and bare_body() or api_body()
  return wrk.format("POST", path, {["Content-Type"] = "application/json"}, body)
end

local function read_page(headers, body)
  hidden = {}
  for tag in body:gmatch('<input[^>]-type="hidden"[^>]->') do
    local name = tag:match('name="([^"]+)"')
    if name then hidden[name] = tag:match('value="([^"]*)"') or "" end
  end
  local set_cookie = headers["Set-Cookie"] or headers["set-cookie"]
  local session = set_cookie and set_cookie:match("session=([^;]+)")
  if session then cookie = "session=" .. session end
end

function response(status, headers, body)
  if state == "page" then
    if status == 200 then
      read_page(headers, body)
      state = "post"
    end
    return
  end
  log:write(string.format("%s %d %d %d\n", key, status, resend and 1 or 0, os.time()))
  log:flush()
  local acknowledged = status >= 200 and status < 400
  if not acknowledged and status ~= 422 and status ~= 400 then
    return  -- a retry of the same key, like a client that got no answer
  end
  if acknowledged then submitted = submitted + 1 end
  if acknowledged and not resend and submitted % resend_every == 0 then
    resend = true  -- the same submission again: a double tap, a lost answer
    return
  end
  resend = false
  new_submission()
  if mode ~= "bare" and (not acknowledged or submitted % page_every == 0) then
    state = "page"
  end
end
