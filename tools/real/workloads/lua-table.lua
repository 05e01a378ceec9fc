-- Build a large table of tables, then drop it and collect. ROWS sets the size (default 1000000);
-- '-- phase:' lines mark where the WebAssembly runner samples between phases (comments to Lua).
-- phase: work
local rows = ROWS or 1000000
big = {}
for i = 1, rows do
  big[i] = { id = i, name = "row" .. i, score = i * 0.5 }
end
print(#big)
-- phase: free
big = nil
collectgarbage("collect")
collectgarbage("collect")
