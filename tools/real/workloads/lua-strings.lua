-- String building: many pieces joined into long strings, then dropped and collected. ROWS sets
-- the size (default 1000000).
-- phase: work
local rows = ROWS or 1000000
parts = {}
for i = 1, rows do
  parts[i] = string.format("%08d:%s", i, string.rep("x", i % 50))
end
joined = table.concat(parts, ",")
upper = joined:upper()
print(#joined, #upper)
-- phase: free
parts, joined, upper = nil, nil, nil
collectgarbage("collect")
collectgarbage("collect")
