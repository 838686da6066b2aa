"""What a person reads (and the JSON a script reads): `views` renders what the commands return, through
the shop's templates (`environment`); `deadline_views` and `finance_views` hold the return timers' and
finance's views, `chart` the summary's chart, `payouts_xlsx` the workbook finance opens."""
