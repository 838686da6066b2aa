"""The platforms' refund and after-sale exports into the 退货 tab (`handover returns import`).

- `refund_exports`: what a refund export's columns and status words mean, a return's export time, and
  opening the files (with the reader compensation shares, `handover.exports`);
- `refund_rows`: their rows read as returns, a batch at a time, fast enough for a 100,000-row file;
- `plan`: the newest copy of each return, laid onto the tab as read (new, updated, unchanged, refused),
  the one write that does it, and the report the command returns.

It computes only: `commands.import_returns` reads the sheet and makes the write; `render.import_views`
shows the report.
"""
