"""Finance's side (SPEC "Who uses it" point 3): who is owed what, from the platforms' exports, never twice.

- `run`: the daily run, the report it returns, and the pre-sale orders the morning list warns about;
- `rules`: the pre-sale late-shipment rule and the affiliate deduction, on one joined order each;
- `settings`: `[compensation]` of handover.toml, with the published presets;
- `order_exports`, `export_rows`: the order exports' and affiliate reports' columns, and their rows
  streamed as typed lines (the files are opened by `handover.exports`, which the returns import shares);
- `ledger`: the 赔付记录 tab, read as people leave it and appended to in one write.

It computes only: `commands.compensation` reads the sheet, makes the ledger's write and writes `--out`.
"""
