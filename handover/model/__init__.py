"""The sheet as records: every cell parsed once, at the edge, into typed values, and the tabs into
records that carry their problems (row, column and fix), with the write plans that change them.

- `values`: cell text into money, times, order ids, phones, tracking numbers;
- `schema`: the tabs, how headers are matched, the 交接 tab's columns and every vocabulary;
- `rows`: what every tab's rows share (problems, 编号, duplicates);
- `handover_tab`, `handover_writes`: the 交接 tab's records, and the writes of done, log, check --assign-ids;
- `returns_tab`: the 退货 tab, and the write of log --return;
- `couriers`: the courier companies and the shop's contacts at each;
- `config`: handover.toml.
"""
