-- efcsim.lua: Wireshark / tshark dissector for efcsim captures (docs/capture.md).
--
--   tshark -X lua_script:tools/pcap/efcsim.lua -r results/x.pcap
--   wireshark -X lua_script:tools/pcap/efcsim.lua results/x.pcap
--   (or copy / symlink it into ~/.local/lib/wireshark/plugins/)
--
-- The captures use LINKTYPE_WIRESHARK_UPPER_PDU (252): each record carries the dissector
-- name tag "efcsim", and Wireshark's exported_pdu dissector looks that name up in its
-- dissector table, where Proto("efcsim", ...) registered itself when it was created.
--
-- Decoded here, in the order they sit on the air (docs/protocol.md):
--   the efcsim record header (version, direction, lane, flags, LID, length);
--   the EN 12795 frame: flags, LID, MAC control, LLC control and status, LSDU, FCS
--   (CRC-16/X-25 recomputed) and the frame's role;
--   each PDU: fragmentation header, then the T-APDU in unaligned PER (En15509TApdus of
--   EN 15509:2022), down to every attribute value, with AutoPASS's GET_SECURE octet
--   strings split into their named fields.
-- Malformed input never stops the dissector: the fault is shown as an expert info.
-- The roles and message names match efc-pcap decode (tools/pcap/src/pcap_frame.c).

local efcsim = Proto("efcsim", "efcsim CEN DSRC")

-- Bit operations: Lua 5.2 (Wireshark 4.0) has bit32, a 5.1 build the bit module; Lua 5.3
-- and later (Wireshark 4.4) have neither, and their operators are a syntax error in 5.2,
-- so there the three this file needs are done in arithmetic.
local bit = bit32
if not bit then
  local ok, mod = pcall(require, "bit")
  if ok then
    bit = mod
  else
    local function op(a, b, f)
      local r, m = 0, 1
      while a > 0 or b > 0 do
        if f(a % 2, b % 2) then r = r + m end
        a, b, m = (a - a % 2) / 2, (b - b % 2) / 2, m * 2
      end
      return r
    end
    bit = {
      band = function(a, b) return op(a, b, function(x, y) return x == 1 and y == 1 end) end,
      bxor = function(a, b) return op(a, b, function(x, y) return x ~= y end) end,
      rshift = function(a, n) return math.floor(a / 2 ^ n) end,
    }
  end
end

---------------------------------------------------------------------------------------
-- Value tables
---------------------------------------------------------------------------------------

local dir_vals = { [0] = "down", [1] = "up" }

local kind_vals = {
  [0] = "actionRequest", [1] = "actionResponse", [2] = "eventReportRequest",
  [3] = "eventReportResponse", [4] = "setRequest", [5] = "setResponse", [6] = "getRequest",
  [7] = "getResponse", [8] = "initialisationRequest", [9] = "initialisationResponse",
}

local action_vals = {
  [0] = "getStamped", [1] = "setStamped", [2] = "getSecure", [3] = "setSecure",
  [4] = "getInstance", [5] = "setInstance", [6] = "getNonce", [7] = "setNonce",
  [8] = "transferChannel", [9] = "copy", [10] = "setMMI", [11] = "subtract", [12] = "add",
  [13] = "debit", [14] = "credit", [15] = "echo",
}

local event_vals = { [0] = "release" }

local ret_vals = {
  [0] = "noError", [1] = "accessDenied", [2] = "argumentError", [3] = "complexityLimitation",
  [4] = "processingFailure", [5] = "processing", [6] = "chainingError",
}

local status_vals = { [0x00] = "OK_OK", [0x10] = "NR_OK", [0x20] = "NE_OK" }

local aid_vals = { [1] = "EFC", [2] = "freight and fleet", [20] = "CCC", [21] = "LAC" }

local setmmi_vals = { [0] = "ok", [1] = "nok", [2] = "contactOperator", [255] = "noSignalling" }

local attr_vals = {
  [0] = "EFC-ContextMark", [16] = "VehicleLicencePlateNumber", [17] = "VehicleClass",
  [18] = "VehicleDimensions", [19] = "VehicleAxles", [20] = "VehicleWeightLimits",
  [22] = "VehicleSpecificCharacteristics", [24] = "EquipmentOBUId", [26] = "EquipmentStatus",
  [32] = "PaymentMeans", [33] = "ReceiptData1", [34] = "ReceiptData2",
}

-- En15509Container alternatives 0..86 (the JER names, as in dsrc/src/names.c).
local container_names = {
  "integer", "reserved1", "octetstring", "universalString", "beaconId", "t-apdu",
  "dsrcApplicationEntityId", "dsrc-Ase-Id", "attrIdList", "attrList", "broadcastPool",
  "directory", "file", "fileType", "record", "time", "vector", "gstrq", "gstrs", "sstrq",
  "ginrq", "ginrs", "sinrq", "charq", "chars", "cpprq", "subrq", "addrq", "debrq", "debrs",
  "crerq", "crers", "efccontext", "contser", "contval", "contveh", "contauth", "recspt",
  "sessioncls", "recservserialno", "recfinptENV", "reccont", "recObuId", "recIccId",
  "rectext", "recauth", "recdist", "vehlpn", "vehid", "vehclass", "vehdims", "vehaxles",
  "vehwtlims", "vehwtladen", "vehspchars", "vehauth", "equObuId", "equIccId", "equstat",
  "dvrchars", "paymeansEnv", "paymbal", "paymunit", "paysecdata", "paymeans", "recdata1",
  "recdata2", "valofcon", "recfinpt", "setmmirq", "awl", "paca", "eng", "sl", "eev", "dev",
  "co2ev", "vtd", "tlpn", "tch", "anp", "vehicleAxlesHistory", "communicationStatus",
  "gnssStatus", "distanceRecordingStatus", "activeContexts", "obeStatusHistory",
}
local CONTAINER_ROOT = #container_names -- 87
local container_vals = {}
for i, n in ipairs(container_names) do container_vals[i - 1] = n end

local alphabet_names = {
  "latinAlphabetNo1", "latinAlphabetNo2", "latinAlphabetNo3", "latinAlphabetNo4",
  "latinCyrillicAlphabet", "latinArabicAlphabet", "latinGreekAlphabet",
  "latinHebrewAlphabet", "latinAlphabetNo5", "latinAlphabetNo6", "twoOctetBMP",
  "forOctetCannonical", "latinAlphabetNo7", "latinAlphabetNo8", "latinAlphabetNo9",
  "latinAlphabetNo10", "latinThaiAlphabet", "utf8", "utf16BigEndian", "utf16LittleEndian",
  "utf32BigEndian", "utf32LittleEndian", "ucs4", "ascii", "iscii", "tis620", "vscii",
  "koi8R", "koi8U", "jisX0213", "gbt2312", "big5", "ksx1001",
}

-- ITA.2 letters by their 5-bit code as CountryCode sends it (NO = 00110 00011).
local ita2 = {
  [0x18] = "A", [0x13] = "B", [0x0e] = "C", [0x12] = "D", [0x10] = "E", [0x16] = "F",
  [0x0b] = "G", [0x05] = "H", [0x0c] = "I", [0x1a] = "J", [0x1e] = "K", [0x09] = "L",
  [0x07] = "M", [0x06] = "N", [0x03] = "O", [0x0d] = "P", [0x1d] = "Q", [0x0a] = "R",
  [0x14] = "S", [0x01] = "T", [0x1c] = "U", [0x0f] = "V", [0x19] = "W", [0x17] = "X",
  [0x15] = "Y", [0x11] = "Z",
}

---------------------------------------------------------------------------------------
-- Fields (the filter names are the interface: tests/pcap and users rely on them)
---------------------------------------------------------------------------------------

local F = {
  -- record header
  version = ProtoField.uint8("efcsim.version", "Record version"),
  dir = ProtoField.uint8("efcsim.dir", "Direction", base.DEC, dir_vals),
  lane = ProtoField.uint8("efcsim.lane", "Lane"),
  flags = ProtoField.uint8("efcsim.flags", "Flags", base.HEX),
  corrupted = ProtoField.bool("efcsim.corrupted", "Corrupted on the air", 8, nil, 0x01),
  collided = ProtoField.bool("efcsim.collided", "Collided", 8, nil, 0x02),
  record_lid = ProtoField.uint32("efcsim.record_lid", "Record LID", base.HEX),
  length = ProtoField.uint16("efcsim.length", "Frame length"),
  -- layer 2
  frame = ProtoField.bytes("efcsim.frame", "L2 frame"),
  flag = ProtoField.uint8("efcsim.flag", "Flag", base.HEX),
  lid = ProtoField.uint32("efcsim.lid", "LID", base.HEX),
  lid_len = ProtoField.uint8("efcsim.lid_len", "LID octets"),
  mac = ProtoField.uint8("efcsim.mac", "MAC control", base.HEX),
  mac_d = ProtoField.bool("efcsim.mac.d", "D (uplink)", 8, nil, 0x80),
  mac_l = ProtoField.bool("efcsim.mac.l", "L (LPDU present)", 8, nil, 0x40),
  mac_cr = ProtoField.bool("efcsim.mac.cr", "C/R (response)", 8, nil, 0x20),
  mac_ar = ProtoField.bool("efcsim.mac.ar", "A/R (window allocation / request)", 8, nil, 0x10),
  mac_s = ProtoField.uint8("efcsim.mac.s", "S (MAC sequence bit)", base.DEC, nil, 0x01),
  llc = ProtoField.uint8("efcsim.llc", "LLC control", base.HEX),
  llc_n = ProtoField.uint8("efcsim.llc.n", "n", base.DEC, nil, 0x80),
  llc_f = ProtoField.uint8("efcsim.llc.f", "F (response carries data)", base.DEC, nil, 0x10),
  status = ProtoField.uint8("efcsim.status", "LLC status", base.HEX, status_vals),
  lsdu = ProtoField.bytes("efcsim.lsdu", "LSDU"),
  fcs = ProtoField.uint16("efcsim.fcs", "FCS", base.HEX),
  fcs_computed = ProtoField.uint16("efcsim.fcs.computed", "FCS computed", base.HEX),
  fcs_ok = ProtoField.bool("efcsim.fcs_ok", "FCS OK"),
  role = ProtoField.string("efcsim.role", "Frame role"),
  msg = ProtoField.string("efcsim.msg", "Message"),
  -- PDU and T-APDU
  frag = ProtoField.uint8("efcsim.frag", "Fragmentation header", base.HEX),
  pdu = ProtoField.uint8("efcsim.pdu", "PDU number"),
  kind = ProtoField.uint8("efcsim.kind", "T-APDU", base.DEC, kind_vals),
  present = ProtoField.bool("efcsim.present", "Present"),
  mode = ProtoField.bool("efcsim.mode", "mode"),
  fill = ProtoField.uint8("efcsim.fill", "fill"),
  eid = ProtoField.uint8("efcsim.eid", "eid"),
  iid = ProtoField.uint8("efcsim.iid", "iid"),
  action_type = ProtoField.uint8("efcsim.action_type", "actionType", base.DEC, action_vals),
  event_type = ProtoField.uint8("efcsim.event_type", "eventType", base.DEC, event_vals),
  ac = ProtoField.bytes("efcsim.ac", "accessCredentials"),
  ret = ProtoField.uint8("efcsim.ret", "ret", base.DEC, ret_vals),
  container = ProtoField.uint8("efcsim.container", "Container", base.DEC, container_vals),
  attr_count = ProtoField.uint8("efcsim.attr_count", "Attributes"),
  attr_id = ProtoField.uint8("efcsim.attr_id", "attributeId", base.DEC, attr_vals),
  octets = ProtoField.bytes("efcsim.octets", "octetstring"),
  value = ProtoField.string("efcsim.value", "Value"),
  profile = ProtoField.uint8("efcsim.profile", "profile"),
  -- BST
  bst_beacon = ProtoField.string("efcsim.bst.beacon", "rsu (BeaconID)"),
  bst_manufacturer = ProtoField.uint16("efcsim.bst.manufacturerid", "manufacturerid"),
  bst_individual = ProtoField.uint32("efcsim.bst.individualid", "individualid"),
  bst_time = ProtoField.uint32("efcsim.bst.time", "time"),
  bst_aid = ProtoField.uint8("efcsim.bst.aid", "aid", base.DEC, aid_vals),
  bst_profile = ProtoField.uint8("efcsim.bst.profile_list", "profileList item"),
  -- VST
  vst_aid = ProtoField.uint8("efcsim.vst.aid", "aid", base.DEC, aid_vals),
  vst_eid = ProtoField.uint8("efcsim.vst.eid", "eid"),
  vst_parameter = ProtoField.bytes("efcsim.vst.parameter", "parameter (octetstring)"),
  vst_class = ProtoField.uint16("efcsim.vst.equipment_class", "equipmentClass"),
  vst_manufacturer = ProtoField.uint16("efcsim.vst.manufacturer_id", "manufacturerID"),
  vst_status = ProtoField.uint16("efcsim.vst.obe_status", "obeStatus"),
  -- GET_STAMPED
  gs_nonce = ProtoField.bytes("efcsim.gs.nonce", "nonce"),
  gs_keyref = ProtoField.uint8("efcsim.gs.keyref", "keyRef"),
  gs_authenticator = ProtoField.bytes("efcsim.gs.authenticator", "authenticator"),
  -- GET_SECURE (AutoPASS)
  gsec_rnd1 = ProtoField.bytes("efcsim.gsec.rnd1", "RND-1"),
  gsec_t = ProtoField.bytes("efcsim.gsec.t", "T"),
  gsec_keygen = ProtoField.uint8("efcsim.gsec.keygen", "keyGen", base.HEX),
  gsec_obuid = ProtoField.bytes("efcsim.gsec.obuid", "OBU id"),
  gsec_efcstatus = ProtoField.uint8("efcsim.gsec.efcstatus", "EFC status", base.HEX),
  gsec_tc = ProtoField.uint16("efcsim.gsec.tc", "TC (transaction counter)"),
  gsec_rnd2 = ProtoField.bytes("efcsim.gsec.rnd2", "RND-2"),
  gsec_mac1 = ProtoField.bytes("efcsim.gsec.mac1", "MAC1"),
  gsec_mac2 = ProtoField.bytes("efcsim.gsec.mac2", "MAC2"),
}

local field_list = {}
for _, f in pairs(F) do field_list[#field_list + 1] = f end
efcsim.fields = field_list

local E = {
  malformed = ProtoExpert.new("efcsim.malformed", "Malformed efcsim data",
                              expert.group.MALFORMED, expert.severity.ERROR),
  fcs = ProtoExpert.new("efcsim.fcs_bad", "FCS mismatch", expert.group.CHECKSUM,
                        expert.severity.ERROR),
  air = ProtoExpert.new("efcsim.failed", "Frame failed on the air", expert.group.SEQUENCE,
                        expert.severity.WARN),
  padding = ProtoExpert.new("efcsim.padding", "Nonzero padding bits (not canonical PER)",
                            expert.group.PROTOCOL, expert.severity.WARN),
}
efcsim.experts = { E.malformed, E.fcs, E.air, E.padding }

---------------------------------------------------------------------------------------
-- Errors: a malformed value raises a table the dissector turns into an expert info
---------------------------------------------------------------------------------------

local Malformed = {}
local function fail(msg) error(setmetatable({ msg = msg }, Malformed), 0) end
local function error_text(e)
  if getmetatable(e) == Malformed then return e.msg end
  return "dissector error: " .. tostring(e)
end

---------------------------------------------------------------------------------------
-- Unaligned PER bit reader over a part of the tvb
---------------------------------------------------------------------------------------

local Reader = {}
Reader.__index = Reader

local function reader_new(tvb, off, len)
  local r = setmetatable({ tvb = tvb, off = off, len = len, pos = 0, b = {} }, Reader)
  for i = 0, len - 1 do r.b[i] = tvb(off + i, 1):uint() end
  return r
end

function Reader:left() return self.len * 8 - self.pos end

-- n (0..32) bits, most significant first; the arithmetic is exact in Lua's doubles.
function Reader:bits(n, what)
  if n > self:left() then
    fail(string.format("%s: %d bits needed, %d left (truncated)", what, n, self:left()))
  end
  local v = 0
  for _ = 1, n do
    local p = self.pos
    local byte = self.b[(p - p % 8) / 8]
    v = v * 2 + math.floor(byte / 2 ^ (7 - p % 8)) % 2
    self.pos = p + 1
  end
  return v
end

function Reader:octets(n, what)
  local t = {}
  for i = 1, n do t[i] = string.char(self:bits(8, what)) end
  return table.concat(t)
end

-- The octets holding bits [a, b) of the reader: what a value highlights.
function Reader:span(a, b)
  if self.len == 0 then return self.tvb(self.off, 0) end
  local last = math.max(b, a + 1) - 1
  local first = (a - a % 8) / 8
  last = (last - last % 8) / 8
  if last > self.len - 1 then last = self.len - 1 end
  if first > last then first = last end
  return self.tvb(self.off + first, last - first + 1)
end

function Reader:range(from) return self:span(from, self.pos) end

-- Resizes a subtree to the octets of the bits read since from.
local function close(item, r, from)
  local rg = r:range(from)
  item:set_len(rg:len())
end

local function hex(s)
  return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end))
end

---------------------------------------------------------------------------------------
-- PER building blocks
---------------------------------------------------------------------------------------

-- INTEGER(0..2^n-1,...) and SIZE(0..2^n-1,...): extension bit, then n bits.
local function ext_int(r, n, what)
  if r:bits(1, what) == 1 then fail(what .. ": extension bit set (efcsim carries root values only)") end
  return r:bits(n, what)
end

local function put_ext7(r, tree, field, what)
  local from = r.pos
  local v = ext_int(r, 7, what)
  tree:add(field, r:range(from), v)
  return v
end

local function put_bits(r, tree, field, n, what)
  local from = r.pos
  local v = r:bits(n, what)
  tree:add(field, r:range(from), v)
  return v
end

-- A named value shown as text under the generic efcsim.value field.
local function note(r, tree, from, name, text)
  local it = tree:add(F.value, r:range(from), text)
  it:set_text(name .. ": " .. text)
  return it
end

local function note_bits(r, tree, n, name)
  local from = r.pos
  local v = r:bits(n, name)
  note(r, tree, from, name, tostring(v))
  return v
end

local function present(r, tree, name)
  local from = r.pos
  local v = r:bits(1, name .. " presence bit") == 1
  tree:add(F.present, r:range(from), v):set_text(name .. ": " .. (v and "present" or "absent"))
  return v
end

local function fill(r, tree, n)
  local from = r.pos
  tree:add(F.fill, r:range(from), r:bits(n, "fill"))
end

-- OCTET STRING (SIZE(0..127,...)).
local function octets127(r, what)
  local n = ext_int(r, 7, what .. " length")
  return r:octets(n, what)
end

-- Unconstrained OCTET STRING: X.691 length determinant, then the octets.
local function octets_open(r, what)
  local b0 = r:bits(8, what .. " length")
  local n = b0
  if b0 >= 192 then fail(what .. ": fragmented length form")
  elseif b0 >= 128 then
    n = (b0 - 128) * 256 + r:bits(8, what .. " length")
    if n < 128 then fail(what .. ": length " .. n .. " not in its shortest form") end
  end
  return r:octets(n, what)
end

-- Wireshark copies a bytes field's value for as many octets as its range holds, so the
-- range must be exactly as long as the value: an unaligned string gets the octets it
-- starts in (it spans one more).
local function bytes_range(r, a, n)
  local rg = r:span(a, a + 8 * n)
  return r.tvb(rg:offset(), math.min(n, rg:len()))
end

-- Reads an octet string (reader_fn: its PER form) into a bytes field; returns the value
-- and the bit where its octets start.
local function put_octets(r, tree, field, what, reader_fn)
  local s = reader_fn(r, what)
  local a = r.pos - 8 * #s
  tree:add(field, bytes_range(r, a, #s), s)
  return s, a
end

-- Fixed-size BIT STRING shown as JER does (left-aligned hex) and in binary.
local function bits_text(v, n)
  local bin = {}
  for i = n - 1, 0, -1 do bin[#bin + 1] = tostring(math.floor(v / 2 ^ i) % 2) end
  local padded = v * 2 ^ ((8 - n % 8) % 8)
  local octs = math.ceil(n / 8)
  return string.format("%0" .. (2 * octs) .. "x '%sB'", padded, table.concat(bin))
end

local function note_bitstring(r, tree, n, name)
  local from = r.pos
  local v = r:bits(n, name)
  note(r, tree, from, name, bits_text(v, n))
  return v
end

local function country_text(v)
  local a, b = ita2[math.floor(v / 32)], ita2[v % 32]
  return bits_text(v, 10) .. ((a and b) and (" " .. a .. b) or "")
end

local function printable(s)
  return (s:gsub("[^%w%p ]", "."))
end

---------------------------------------------------------------------------------------
-- Attribute values and containers (dsrc/src/descr_values.inc)
---------------------------------------------------------------------------------------

local NEST_MAX = 4 -- attribute lists in attribute lists: the codec's bound

local container -- forward

local function attr_ids(r, tree, name)
  local from = r.pos
  local list = tree:add(r:range(from), name)
  local n = ext_int(r, 7, name .. " count")
  for i = 0, n - 1 do put_ext7(r, list, F.attr_id, string.format("%s[%d]", name, i)) end
  list:append_text(string.format(" (%d)", n))
  close(list, r, from)
  return n
end

local function attr_list(r, tree, name, depth, ctx)
  if depth > NEST_MAX then fail(name .. ": attribute lists nested too deep") end
  local from = r.pos
  local list = tree:add(r:range(from), name)
  local n = ext_int(r, 7, name .. " count")
  list:add(F.attr_count, r:range(from), n)
  for i = 0, n - 1 do
    local afrom = r.pos
    local item = list:add(r:range(afrom), string.format("%s[%d]", name, i))
    local id = put_ext7(r, item, F.attr_id, "attributeId")
    local kind = container(r, item, "attributeValue", depth + 1, ctx)
    item:append_text(string.format(": attributeId %d%s, %s", id,
      attr_vals[id] and (" (" .. attr_vals[id] .. ")") or "", container_vals[kind] or "?"))
    close(item, r, afrom)
  end
  list:append_text(string.format(" (%d attributes)", n))
  close(list, r, from)
end

local function beacon(r, tree, name, fields)
  local from = r.pos
  local m = r:bits(16, name .. ".manufacturerid")
  local i = r:bits(27, name .. ".individualid")
  local text = string.format("manufacturerid %d, individualid %d", m, i)
  local item
  if fields then
    item = tree:add(fields.beacon, r:range(from), text)
    item:add(fields.manufacturer, r:span(from, from + 16), m)
    item:add(fields.individual, r:span(from + 16, from + 43), i)
  else
    item = note(r, tree, from, name, text)
  end
  return item
end

local function provider(r, tree, name)
  local from = r.pos
  local c = r:bits(10, name .. ".countryCode")
  local p = r:bits(14, name .. ".providerIdentifier")
  note(r, tree, from, name, string.format("countryCode %s, providerIdentifier %d", country_text(c), p))
end

local function date(r, tree, name)
  local from = r.pos
  local y = r:bits(7, name .. ".year") + 1990
  local m = r:bits(4, name .. ".month")
  if m > 12 then fail(name .. ".month: " .. m .. " outside 0..12") end
  local d = r:bits(5, name .. ".day")
  note(r, tree, from, name, string.format("%04d-%02d-%02d", y, m, d))
end

local function ranged(r, tree, n, hi, name)
  local from = r.pos
  local v = r:bits(n, name)
  if v > hi then fail(string.format("%s: %d outside 0..%d", name, v, hi)) end
  note(r, tree, from, name, tostring(v))
end

local function fixed_octets(r, tree, n, name)
  local from = r.pos
  local s = r:octets(n, name)
  note(r, tree, from, name, hex(s))
  return s
end

local function context_mark(r, tree)
  provider(r, tree, "contractProvider")
  fixed_octets(r, tree, 2, "typeOfContract")
  local from = r.pos
  note(r, tree, from, "contextVersion", tostring(ext_int(r, 7, "contextVersion")))
end

local function receipt(r, tree)
  date(r, tree, "sessionTime.timeDate")
  ranged(r, tree, 5, 23, "sessionTime.timeCompact.hours")
  ranged(r, tree, 6, 59, "sessionTime.timeCompact.mins")
  ranged(r, tree, 5, 30, "sessionTime.timeCompact.doubleSecs")
  provider(r, tree, "sessionServiceProvider")
  note_bits(r, tree, 16, "locationOfStation")
  note_bits(r, tree, 1, "sessionLocation.ascendingKilometrage")
  note_bits(r, tree, 7, "sessionLocation.laneCodeNumber")
  note_bits(r, tree, 8, "sessionType")
  note_bits(r, tree, 8, "sessionResult")
  note_bits(r, tree, 8, "sessionTariffClass")
  note_bits(r, tree, 8, "sessionClaimedClass")
  note_bits(r, tree, 16, "sessionFee.paymentFeeAmount")
  fixed_octets(r, tree, 2, "sessionFee.paymentFeeUnit")
  provider(r, tree, "sessionContractProvider")
  fixed_octets(r, tree, 2, "sessionTypeOfContract")
  local from = r.pos
  note(r, tree, from, "sessionContextVersion", tostring(ext_int(r, 7, "sessionContextVersion")))
  fixed_octets(r, tree, 4, "receiptDataAuthenticator")
end

-- Splits an octet string whose bits start at bit `from` into named fields.
local function split(r, tree, from, s, parts)
  local at = 0
  for _, p in ipairs(parts) do
    local field, n, as_uint = p[1], p[2], p[3]
    local a = from + 8 * at
    local piece = s:sub(at + 1, at + n)
    local value = piece
    if as_uint then
      value = 0
      for k = 1, n do value = value * 256 + piece:byte(k) end
    end
    tree:add(field, as_uint and r:span(a, a + 8 * n) or bytes_range(r, a, n), value)
    at = at + n
  end
end

-- AutoPASS GET_SECURE parameters (docs/crypto.md): request RND-1(4) T(4) keyGen(1),
-- response obuid(4) efcstatus(1) TC(2) RND-2(4) keyGen(1) MAC1(4) MAC2(4).
local function get_secure(r, tree, from, s, ctx)
  if ctx.gsec == "rq" and #s == 9 then
    local t = tree:add(r:span(from, from + 72), "GET_SECURE request")
    split(r, t, from, s, { { F.gsec_rnd1, 4 }, { F.gsec_t, 4 }, { F.gsec_keygen, 1, true } })
  elseif ctx.gsec == "rs" and #s == 20 then
    local t = tree:add(r:span(from, from + 160), "GET_SECURE response")
    split(r, t, from, s, {
      { F.gsec_obuid, 4 }, { F.gsec_efcstatus, 1, true }, { F.gsec_tc, 2, true },
      { F.gsec_rnd2, 4 }, { F.gsec_keygen, 1, true }, { F.gsec_mac1, 4 }, { F.gsec_mac2, 4 },
    })
  end
end

local function integer(r, tree)
  local from = r.pos
  local n = r:bits(8, "integer length")
  if n == 0 or n > 8 then fail("integer: length " .. n .. " outside 1..8") end
  local s = r:octets(n, "integer")
  local text = "0x" .. hex(s)
  if n <= 6 then -- exact in a double
    local v = 0
    for k = 1, n do v = v * 256 + s:byte(k) end
    if s:byte(1) >= 128 then v = v - 2 ^ (8 * n) end
    text = string.format("%d", v)
  end
  note(r, tree, from, "integer", text)
end

container = function(r, tree, name, depth, ctx)
  local from = r.pos
  local kind = ext_int(r, 7, name .. " alternative")
  local item = tree:add(F.container, r:range(from), kind)
  item:prepend_text(name .. ": ")
  if kind >= CONTAINER_ROOT then fail(string.format("%s: alternative %d outside 0..86", name, kind)) end
  if kind == 3 or kind == 5 then
    fail(string.format("%s: alternative %s is valid but efcsim does not carry it", name, container_vals[kind]))
  end
  if kind == 0 then integer(r, item)
  elseif kind == 2 then
    local s, a = put_octets(r, item, F.octets, "octetstring", octets127)
    get_secure(r, item, a, s, ctx)
  elseif kind == 4 then beacon(r, item, "beaconId")
  elseif kind == 6 then local f = r.pos; note(r, item, f, "dsrcApplicationEntityId", tostring(ext_int(r, 5, "aeid")))
  elseif kind == 7 then local f = r.pos; note(r, item, f, "dsrc-Ase-Id", tostring(ext_int(r, 7, "dsrc-Ase-Id")))
  elseif kind == 8 then attr_ids(r, item, "attrIdList")
  elseif kind == 9 then attr_list(r, item, "attrList", depth, ctx)
  elseif kind == 15 then
    local f = r.pos
    local t = r:bits(32, "time")
    note(r, item, f, "time", string.format("%d (%s UTC)", t, os.date("!%Y-%m-%d %H:%M:%S", t)))
  elseif kind == 17 then
    attr_ids(r, item, "attributeIdList")
    put_octets(r, item, F.gs_nonce, "nonce", octets_open)
    put_bits(r, item, F.gs_keyref, 8, "keyRef")
  elseif kind == 18 then
    attr_list(r, item, "attributeList", depth, ctx)
    put_octets(r, item, F.gs_authenticator, "authenticator", octets_open)
  elseif kind == 32 then context_mark(r, item)
  elseif kind == 47 then
    local f = r.pos
    note(r, item, f, "countryCode", country_text(r:bits(10, "countryCode")))
    f = r.pos
    local a = r:bits(6, "alphabetIndicator")
    if a >= #alphabet_names then fail("alphabetIndicator: index " .. a .. " outside 0..32") end
    note(r, item, f, "alphabetIndicator", alphabet_names[a + 1])
    f = r.pos
    local plate = octets_open(r, "licencePlateNumber")
    note(r, item, f, "licencePlateNumber", string.format("%s (\"%s\")", hex(plate), printable(plate)))
  elseif kind == 49 then
    local has_trailer = present(r, item, "trailerPresenceIndicator")
    local has_local = present(r, item, "localVehicleClassId")
    if has_trailer then note_bitstring(r, item, 1, "trailerPresenceIndicator") end
    note_bitstring(r, item, 3, "unEceVehicleClass")
    if has_local then note_bitstring(r, item, 4, "localVehicleClassId") end
  elseif kind == 50 then
    note_bits(r, item, 8, "vehicleLengthOverall")
    note_bits(r, item, 8, "vehicleHeightOverall")
    note_bits(r, item, 8, "vehicleWidthOverall")
  elseif kind == 51 then
    note_bits(r, item, 8, "vehicleFirstAxleHeight")
    note_bits(r, item, 2, "vehicleAxlesNumber.tyreConfiguration")
    note_bits(r, item, 3, "vehicleAxlesNumber.numberOfAxles.trailerAxles")
    note_bits(r, item, 3, "vehicleAxlesNumber.numberOfAxles.tractorAxles")
  elseif kind == 52 then
    note_bits(r, item, 16, "vehicleMaxLadenWeight")
    note_bits(r, item, 16, "vehicleTrainMaximumWeight")
    note_bits(r, item, 16, "vehicleWeightUnladen")
  elseif kind == 54 then
    note_bits(r, item, 4, "environmentalCharacteristics.euroValue")
    note_bits(r, item, 4, "environmentalCharacteristics.copValue")
    note_bits(r, item, 8, "engineCharacteristics")
    note_bits(r, item, 8, "descriptiveCharacteristics")
    note_bits(r, item, 1, "futureCharacteristics.futureElement")
    note_bits(r, item, 2, "futureCharacteristics.co2Scheme")
    note_bits(r, item, 3, "futureCharacteristics.co2Class")
    note_bits(r, item, 2, "futureCharacteristics.suspensionType")
  elseif kind == 56 then fixed_octets(r, item, 4, "equObuId") -- SIZE(4): no length
  elseif kind == 58 then
    note_bitstring(r, item, 4, "forLocalTCUse")
    note_bitstring(r, item, 12, "transactionCounter")
  elseif kind == 64 then
    fixed_octets(r, item, 10, "personalAccountNumber")
    date(r, item, "paymentMeansExpiryDate")
    fixed_octets(r, item, 2, "paymentMeansUsageControl")
  elseif kind == 65 or kind == 66 then receipt(r, item)
  elseif kind == 69 then
    local f = r.pos
    local v = r:bits(8, "setmmirq")
    note(r, item, f, "setmmirq", string.format("%d%s", v, setmmi_vals[v] and (" (" .. setmmi_vals[v] .. ")") or ""))
  end
  -- every other root alternative is NULL in EN 15509: no value bits
  close(item, r, from)
  return kind
end

---------------------------------------------------------------------------------------
-- T-APDUs (dsrc/src/descr_tapdu.inc)
---------------------------------------------------------------------------------------

local function app_list(r, tree, name, fields)
  local from = r.pos
  local list = tree:add(r:range(from), name)
  local n = ext_int(r, 7, name .. " count")
  for i = 0, n - 1 do
    local afrom = r.pos
    local app = list:add(r:range(afrom), string.format("%s[%d]", name, i))
    local has_eid = present(r, app, "eid")
    local has_param = present(r, app, "parameter")
    local f = r.pos
    local aid = ext_int(r, 5, "aid")
    app:add(fields.aid, r:range(f), aid)
    local text = string.format(": aid %d", aid)
    if has_eid then text = text .. ", eid " .. put_ext7(r, app, fields.eid or F.eid, "eid") end
    if has_param then
      f = r.pos
      local alt = ext_int(r, 7, "parameter alternative")
      if alt ~= 2 then fail("parameter: ApplicationContextMark must be an octetstring, not alternative " .. alt) end
      local s = octets127(r, "parameter")
      app:add(fields.parameter or F.octets, bytes_range(r, r.pos - 8 * #s, #s), s)
      text = text .. ", parameter " .. hex(s)
    end
    app:append_text(text)
    close(app, r, afrom)
  end
  list:append_text(string.format(" (%d)", n))
  close(list, r, from)
end

local bst_apps = { aid = F.bst_aid }
local vst_apps = { aid = F.vst_aid, eid = F.vst_eid, parameter = F.vst_parameter }

-- Action-Request and Event-Report-Request share one shape.
local function request(r, t, p, event, ctx)
  local pname = event and "eventParameter" or "actionParameter"
  local has_ac = present(r, t, "accessCredentials")
  local has_param = present(r, t, pname)
  local has_iid = present(r, t, "iid")
  local f = r.pos
  t:add(F.mode, r:range(f), r:bits(1, "mode") == 1)
  p.eid = put_ext7(r, t, F.eid, "eid")
  p.type = put_ext7(r, t, event and F.event_type or F.action_type, event and "eventType" or "actionType")
  if has_ac then put_octets(r, t, F.ac, "accessCredentials", octets127) end
  if has_param then
    ctx.gsec = (not event and p.type == 2) and "rq" or nil
    p.param_kind = container(r, t, pname, 0, ctx)
  end
  if has_iid then put_ext7(r, t, F.iid, "iid") end
end

local function action_rs(r, t, p, ctx)
  local has_iid = present(r, t, "iid")
  local has_param = present(r, t, "responseParameter")
  local has_ret = present(r, t, "ret")
  fill(r, t, 1)
  p.eid = put_ext7(r, t, F.eid, "eid")
  if has_iid then put_ext7(r, t, F.iid, "iid") end
  if has_param then
    -- The command tells what the answer holds; without one, the 20-octet form does.
    ctx.gsec = (ctx.prev == "GET_SECURE" or ctx.prev == "") and "rs" or nil
    local sfrom = r.pos
    p.param_kind = container(r, t, "responseParameter", 0, ctx)
    if p.param_kind == 2 then p.param_len = (r.pos - sfrom - 16) / 8 end
  end
  if has_ret then put_ext7(r, t, F.ret, "ret") end
end

local function tapdu(r, tree, ctx)
  local from = r.pos
  local kind = r:bits(4, "T-APDU CHOICE index")
  local t = tree:add(F.kind, r:range(from), kind)
  local p = { kind = kind, item = t, type = 0 }
  ctx.gsec = nil
  if kind > 9 then fail("T-APDU CHOICE index " .. kind .. " outside 0..9") end
  if kind == 0 or kind == 2 then request(r, t, p, kind == 2, ctx)
  elseif kind == 1 then action_rs(r, t, p, ctx)
  elseif kind == 3 then -- NULL: EN 15509 has no response to RELEASE
  elseif kind == 4 then
    local has_ac = present(r, t, "accessCredentials")
    local has_iid = present(r, t, "iid")
    fill(r, t, 1)
    local f = r.pos
    t:add(F.mode, r:range(f), r:bits(1, "mode") == 1)
    p.eid = put_ext7(r, t, F.eid, "eid")
    if has_ac then put_octets(r, t, F.ac, "accessCredentials", octets127) end
    attr_list(r, t, "attrList", 0, ctx)
    if has_iid then put_ext7(r, t, F.iid, "iid") end
  elseif kind == 5 then
    local has_iid = present(r, t, "iid")
    local has_ret = present(r, t, "ret")
    fill(r, t, 2)
    p.eid = put_ext7(r, t, F.eid, "eid")
    if has_iid then put_ext7(r, t, F.iid, "iid") end
    if has_ret then put_ext7(r, t, F.ret, "ret") end
  elseif kind == 6 then
    local has_ac = present(r, t, "accessCredentials")
    local has_iid = present(r, t, "iid")
    local has_ids = present(r, t, "attrIdList")
    fill(r, t, 1)
    p.eid = put_ext7(r, t, F.eid, "eid")
    if has_ac then put_octets(r, t, F.ac, "accessCredentials", octets127) end
    if has_iid then put_ext7(r, t, F.iid, "iid") end
    if has_ids then attr_ids(r, t, "attrIdList") end
  elseif kind == 7 then
    local has_iid = present(r, t, "iid")
    local has_attrs = present(r, t, "attributelist")
    local has_ret = present(r, t, "ret")
    fill(r, t, 1)
    p.eid = put_ext7(r, t, F.eid, "eid")
    if has_iid then put_ext7(r, t, F.iid, "iid") end
    if has_attrs then attr_list(r, t, "attributelist", 0, ctx) end
    if has_ret then put_ext7(r, t, F.ret, "ret") end
  elseif kind == 8 then
    local has_nonmand = present(r, t, "nonmandApplications")
    beacon(r, t, "rsu", { beacon = F.bst_beacon, manufacturer = F.bst_manufacturer, individual = F.bst_individual })
    local f = r.pos
    local time = r:bits(32, "time")
    t:add(F.bst_time, r:range(f), time):append_text(" (" .. os.date("!%Y-%m-%d %H:%M:%S", time) .. " UTC)")
    put_ext7(r, t, F.profile, "profile")
    app_list(r, t, "mandApplications", bst_apps)
    if has_nonmand then app_list(r, t, "nonmandApplications", bst_apps) end
    f = r.pos
    local list = t:add(r:range(f), "profileList")
    local n = ext_int(r, 7, "profileList count")
    for i = 0, n - 1 do put_ext7(r, list, F.bst_profile, string.format("profileList[%d]", i)) end
    list:append_text(string.format(" (%d)", n))
    close(list, r, f)
  else -- 9: VST
    fill(r, t, 4)
    put_ext7(r, t, F.profile, "profile")
    app_list(r, t, "applications", vst_apps)
    local f = r.pos
    local cfg = t:add(r:range(f), "obeConfiguration")
    local has_status = present(r, cfg, "obeStatus")
    put_bits(r, cfg, F.vst_class, 15, "equipmentClass")
    put_bits(r, cfg, F.vst_manufacturer, 16, "manufacturerID")
    if has_status then put_bits(r, cfg, F.vst_status, 16, "obeStatus") end
    close(cfg, r, f)
  end
  -- A T-APDU ends on an octet boundary; the padding bits are zero in canonical PER.
  local pad = (8 - r.pos % 8) % 8
  if pad > 0 then
    if r:bits(pad, "padding") ~= 0 then
      t:add_proto_expert_info(E.padding, "nonzero padding bits after the T-APDU")
    end
  end
  close(t, r, from)
  p.range = r:range(from)
  return p
end

---------------------------------------------------------------------------------------
-- Message names and frame roles (the same rules as tools/pcap/src/pcap_frame.c)
---------------------------------------------------------------------------------------

local action_msg = { [0] = "GET_STAMPED", [2] = "GET_SECURE", [10] = "SET_MMI", [15] = "ECHO" }
local is_action = { GET_STAMPED = true, GET_SECURE = true, SET_MMI = true, ECHO = true, ACTION = true }

local function answer_name(p, last)
  if p.kind == 1 then
    if is_action[last] then return last end
    if p.param_kind == 18 then return "GET_STAMPED" end
    if p.param_kind == 2 and p.param_len == 20 then return "GET_SECURE" end
    return "ACTION"
  elseif p.kind == 7 then return "GET"
  elseif p.kind == 5 then return "SET"
  end
  return "EVENT_REPORT"
end

-- Names each PDU; returns the names and the last command after them.
local function name_pdus(pdus, last)
  local names = {}
  for i, p in ipairs(pdus) do
    local n
    if p.kind == 8 then n = "BST"
    elseif p.kind == 9 then n = "VST"
    elseif p.kind == 0 then last = action_msg[p.type] or "ACTION"; n = last .. ".rq"
    elseif p.kind == 6 then last = "GET"; n = "GET.rq"
    elseif p.kind == 4 then last = "SET"; n = "SET.rq"
    elseif p.kind == 2 then
      if p.type == 0 then n = "RELEASE" else last = "EVENT_REPORT"; n = "EVENT_REPORT.rq" end
    else n = answer_name(p, last) .. ".rs"
    end
    names[i] = n
  end
  return names, last
end

local function role_of(lid_len, mac, llc, status, pdus)
  local up = bit.band(mac, 0x80) ~= 0
  local first = pdus[1]
  if lid_len == 1 and not up and bit.band(mac, 0x10) ~= 0 then return "BST" end
  if bit.band(mac, 0x40) == 0 then return up and "window request" or "window allocation" end
  if not up then
    if first and first.kind == 2 and first.type == 0 then return "RELEASE" end
    return "command"
  end
  if llc == 0x03 then return (first and first.kind == 9) and "VST" or "late response" end
  if status == 0x20 then return "NE_OK" end
  return "response"
end

---------------------------------------------------------------------------------------
-- Layer 2
---------------------------------------------------------------------------------------

-- CRC-16/X-25 (ISO/IEC 3309): reflected 0x1021, init and final XOR 0xFFFF.
local function crc_x25(tvb, off, len)
  local crc = 0xffff
  for k = off, off + len - 1 do
    crc = bit.bxor(crc, tvb(k, 1):uint())
    for _ = 1, 8 do
      if bit.band(crc, 1) == 1 then crc = bit.bxor(bit.rshift(crc, 1), 0x8408)
      else crc = bit.rshift(crc, 1) end
    end
  end
  return bit.bxor(crc, 0xffff)
end

-- Per capture: the last command of each LID (names the answers) and, per frame, the
-- value it had before that frame, so a second dissection (Wireshark's GUI revisits frames
-- in any order) names it the same way.
local last_cmd, frame_prev = {}, {}
function efcsim.init()
  last_cmd, frame_prev = {}, {}
end

local function dissect_frame(tvb, pinfo, root, o, n, st)
  local fr = root:add(F.frame, tvb(o, n))
  st.fr = fr
  if n < 6 or n > 128 then fail(string.format("frame of %d octets (6..128)", n)) end
  if tvb(o, 1):uint() ~= 0x7e or tvb(o + n - 1, 1):uint() ~= 0x7e then
    fail("frame does not start and end with the 0x7E flag")
  end
  fr:add(F.flag, tvb(o, 1))
  local fcs_at = o + n - 3
  local i, lid, lid_len = o + 1, 0, 0
  while true do
    if i >= fcs_at then fail("LID runs into the FCS") end
    local b = tvb(i, 1):uint()
    lid = lid * 256 + b
    lid_len = lid_len + 1
    i = i + 1
    if b % 2 == 1 then break end
    if lid_len == 4 then fail("LID without its final extension bit in 4 octets") end
  end
  local li = fr:add(F.lid, tvb(o + 1, lid_len), lid)
  li:append_text(lid_len == 1 and (lid == 0xff and " (broadcast)" or " (1 octet)") or " (private)")
  li:add(F.lid_len, tvb(o + 1, lid_len), lid_len)
  st.lid, st.lid_len = lid, lid_len

  if i >= fcs_at then fail("no MAC control field") end
  local mac = tvb(i, 1):uint()
  local mi = fr:add(F.mac, tvb(i, 1))
  for _, f in ipairs({ F.mac_d, F.mac_l, F.mac_cr, F.mac_ar, F.mac_s }) do mi:add(f, tvb(i, 1)) end
  mi:append_text(string.format(" (D=%d L=%d C/R=%d A/R=%d S=%d)", bit.rshift(mac, 7),
    bit.band(bit.rshift(mac, 6), 1), bit.band(bit.rshift(mac, 5), 1), bit.band(bit.rshift(mac, 4), 1),
    bit.band(mac, 1)))
  st.mac = mac
  i = i + 1
  local up = bit.band(mac, 0x80) ~= 0
  if bit.band(mac, 0x40) ~= 0 then
    if i >= fcs_at then fail("no room for the LLC control field") end
    local llc = tvb(i, 1):uint()
    local lci = fr:add(F.llc, tvb(i, 1))
    st.llc = llc
    if llc == 0x03 then
      lci:append_text(" (UI)")
    elseif bit.band(llc, 0x6f) == 0x67 then
      lci:add(F.llc_n, tvb(i, 1))
      lci:add(F.llc_f, tvb(i, 1))
      lci:append_text(string.format(" (AC%d, F=%d)", bit.rshift(llc, 7), bit.band(bit.rshift(llc, 4), 1)))
    else
      fail(string.format("LLC control 0x%02x is neither UI (0x03) nor an ACn code", llc))
    end
    i = i + 1
    -- Uplink ACn frames (responses) carry the LLC status (docs/protocol.md, "LLC status field").
    if up and llc ~= 0x03 then
      if i >= fcs_at then fail("no room for the LLC status field") end
      st.status = tvb(i, 1):uint()
      fr:add(F.status, tvb(i, 1))
      i = i + 1
    end
  end
  local lsdu_len = fcs_at - i
  if bit.band(mac, 0x40) == 0 and lsdu_len ~= 0 then
    fail(string.format("a frame without LPDU carries %d LSDU octets", lsdu_len))
  end
  if lsdu_len > 0 then fr:add(F.lsdu, tvb(i, lsdu_len)) end

  -- The FCS travels low octet first, over LID .. last LSDU octet.
  local fcs = tvb(fcs_at, 1):uint() + 256 * tvb(fcs_at + 1, 1):uint()
  local computed = crc_x25(tvb, o + 1, fcs_at - o - 1)
  local fi = fr:add(F.fcs, tvb(fcs_at, 2), fcs)
  fi:add(F.fcs_computed, tvb(fcs_at, 2), computed)
  fr:add(F.fcs_ok, tvb(fcs_at, 2), fcs == computed)
  st.fcs_ok = fcs == computed
  if not st.fcs_ok then
    fi:add_proto_expert_info(E.fcs, string.format("FCS %04x, computed %04x: the receiver drops this frame", fcs, computed))
  end
  fr:add(F.flag, tvb(o + n - 1, 1))

  -- The PDUs: fragmentation header 1 pppp 001, then a T-APDU, as often as they come.
  local key = st.lane .. ":" .. lid
  local first_pass = frame_prev[pinfo.number] == nil
  if first_pass then frame_prev[pinfo.number] = (lid_len == 4 and last_cmd[key]) or "" end
  local ctx = { prev = frame_prev[pinfo.number] }
  local off = i
  while off < fcs_at do
    local h = tvb(off, 1):uint()
    local hi = fr:add(F.frag, tvb(off, 1))
    if bit.band(h, 0x87) ~= 0x81 then
      hi:add_proto_expert_info(E.malformed, string.format("fragmentation header 0x%02x: a fragment or no header (1 pppp 001)", h))
      st.malformed = true
      break
    end
    local pn = bit.band(bit.rshift(h, 3), 0x0f)
    hi:add(F.pdu, tvb(off, 1), pn)
    if pn < 2 then
      hi:add_proto_expert_info(E.malformed, "PDU number " .. pn .. " is invalid (2..15)")
      st.malformed = true
      break
    end
    local r = reader_new(tvb, off + 1, fcs_at - off - 1)
    local ok, p = pcall(tapdu, r, fr, ctx)
    if not ok then
      fr:add_proto_expert_info(E.malformed, "T-APDU: " .. error_text(p))
      st.malformed = true
      break
    end
    st.pdus[#st.pdus + 1] = p
    off = off + 1 + (r.pos - r.pos % 8) / 8 + ((r.pos % 8 > 0) and 1 or 0)
  end
  local names, last = name_pdus(st.pdus, ctx.prev)
  for k, p in ipairs(st.pdus) do p.item:add(F.msg, p.range, names[k]) end
  if first_pass and lid_len == 4 then last_cmd[key] = last end
  st.names = names
  st.role = role_of(lid_len, mac, st.llc, st.status, st.pdus)
  fr:add(F.role, tvb(o, n), st.role)
end

local function info_text(st)
  local s = st.dir .. " "
  local msgs = table.concat(st.names or {}, " + ")
  local role = st.role
  if not role then
    s = s .. "malformed"
  elseif role == "BST" or role == "VST" or role == "RELEASE" then
    s = s .. role
  elseif role == "command" then
    s = s .. (msgs ~= "" and msgs or "command")
    local p = st.pdus[1]
    if p and p.eid then s = s .. " eid " .. p.eid end
  elseif role == "window allocation" then
    s = s .. string.format("window allocation S=%d", bit.band(st.mac, 1))
  else
    s = s .. role .. (msgs ~= "" and (" " .. msgs) or "")
  end
  if bit.band(st.flags or 0, 0x02) ~= 0 then s = s .. " [collided]"
  elseif bit.band(st.flags or 0, 0x01) ~= 0 then s = s .. " [corrupted]" end
  if st.fcs_ok == false then s = s .. " [FCS bad]" end
  if st.malformed and role then s = s .. " [malformed]" end
  return s
end

local function dissect(tvb, pinfo, root, st)
  local len = tvb:len()
  if len < 10 then fail(string.format("efcsim record header needs 10 octets, %d present", len)) end
  local hdr = root:add(tvb(0, 10), "Record header")
  local version = tvb(0, 1):uint()
  hdr:add(F.version, tvb(0, 1))
  if version ~= 1 then fail(string.format("record version %d, this dissector knows 1", version)) end
  local dir = tvb(1, 1):uint()
  hdr:add(F.dir, tvb(1, 1))
  if dir > 1 then fail(string.format("direction %d is neither 0 (down) nor 1 (up)", dir)) end
  st.dir = dir_vals[dir]
  hdr:add(F.lane, tvb(2, 1))
  st.lane = tvb(2, 1):uint()
  local fl = hdr:add(F.flags, tvb(3, 1))
  fl:add(F.corrupted, tvb(3, 1))
  fl:add(F.collided, tvb(3, 1))
  st.flags = tvb(3, 1):uint()
  if bit.band(st.flags, 0x03) ~= 0 then
    fl:add_proto_expert_info(E.air, "the receiver did not get this frame (bit errors or a collision)")
  end
  hdr:add(F.record_lid, tvb(4, 4))
  local li = hdr:add(F.length, tvb(8, 2))
  local n = tvb(8, 2):uint()
  if n ~= len - 10 then
    li:add_proto_expert_info(E.malformed, string.format("frame length %d, %d octets present", n, len - 10))
    st.malformed = true
    n = math.min(n, len - 10)
  end
  dissect_frame(tvb, pinfo, root, 10, n, st)
end

function efcsim.dissector(tvb, pinfo, tree)
  pinfo.cols.protocol = "efcsim"
  local root = tree:add(efcsim, tvb())
  local st = { dir = "?", pdus = {} }
  local ok, err = pcall(dissect, tvb, pinfo, root, st)
  if not ok then
    st.malformed = true
    st.role = nil
    local at = st.fr or root
    at:add_proto_expert_info(E.malformed, error_text(err))
  end
  pinfo.cols.info = info_text(st)
  root:append_text(": " .. info_text(st))
  return tvb:len()
end
